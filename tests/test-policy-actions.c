/* test-policy-actions.c: network, file and MCP actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "test-util.h"

static char *workspace;
static char *home;

static PaddockDecision *
check_net (PaddockPolicy *policy,
           const char    *host,
           guint16        port,
           const char    *protocol)
{
  g_autoptr(PaddockAction) action = paddock_action_new_net (host, port, protocol);
  return paddock_policy_evaluate (policy, action, NULL);
}

static void
test_network_patterns (void)
{
  const char *user = "{\"network\": {\n"
                     "  \"allow\": [\"*.github.com\", \"**.example.org\", \"pypi.org:443\", \"bücher.example\", \"10.1.0.0/16\"],\n"
                     "  \"deny\": [\"evil.github.com\", \"**.pastebin.com\"]\n"
                     "}}";
  g_autoptr(PaddockPolicy) policy = test_policy_new (workspace, home, PADDOCK_LAYER_USER, user, -1);
  static const struct
  {
    const char *host;
    guint16 port;
    PaddockVerdict expected;
    const char *rule;  /* the deciding rule text, or NULL for none */
  } cases[] = {
    { "api.github.com", 443, PADDOCK_VERDICT_ALLOW, "network.allow: \"*.github.com\"" },
    { "API.GitHub.com.", 443, PADDOCK_VERDICT_ALLOW, "network.allow: \"*.github.com\"" },
    { "a.b.github.com", 80, PADDOCK_VERDICT_ALLOW, "network.allow: \"*.github.com\"" },
    { "github.com", 443, PADDOCK_VERDICT_PROMPT, NULL },               /* *. is subdomains only */
    { "evilgithub.com", 443, PADDOCK_VERDICT_PROMPT, NULL },
    { "github.com.evil.net", 443, PADDOCK_VERDICT_PROMPT, NULL },
    { "example.org", 443, PADDOCK_VERDICT_ALLOW, "network.allow: \"**.example.org\"" }, /* ** has the apex */
    { "www.example.org", 443, PADDOCK_VERDICT_ALLOW, "network.allow: \"**.example.org\"" },
    { "evil.github.com", 443, PADDOCK_VERDICT_FORBIDDEN, "network.deny: \"evil.github.com\"" }, /* deny beats allow */
    { "pastebin.com", 443, PADDOCK_VERDICT_FORBIDDEN, "network.deny: \"**.pastebin.com\"" },
    { "pypi.org", 443, PADDOCK_VERDICT_ALLOW, "network.allow: \"pypi.org:443\"" },
    { "pypi.org", 80, PADDOCK_VERDICT_PROMPT, NULL },                  /* ports are part of it */
    { "pypi.org", 0, PADDOCK_VERDICT_PROMPT, NULL },                   /* unknown port: no allow */
    { "xn--bcher-kva.example", 443, PADDOCK_VERDICT_ALLOW, "network.allow: \"bücher.example\"" },
    { "BÜCHER.example", 443, PADDOCK_VERDICT_ALLOW, "network.allow: \"bücher.example\"" },
    { "10.1.2.3", 443, PADDOCK_VERDICT_ALLOW, "network.allow: \"10.1.0.0/16\"" },
    { "10.2.0.1", 443, PADDOCK_VERDICT_PROMPT, NULL },
    { "a.b..c", 443, PADDOCK_VERDICT_FORBIDDEN, "invalid host" },
    { "exa\nmple.com", 443, PADDOCK_VERDICT_FORBIDDEN, "invalid host" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PaddockDecision) decision = check_net (policy, cases[i].host, cases[i].port, NULL);

      g_test_message ("%s:%u", cases[i].host, cases[i].port);
      test_assert_verdict (decision, cases[i].expected);
      if (cases[i].rule != NULL)
        g_assert_cmpstr (decision->decisive->text, ==, cases[i].rule);
      else
        g_assert_cmpint (decision->decisive->layer, ==, PADDOCK_LAYER_IMPLICIT);
    }
}

/* Every inet_aton spelling of an address and its IPv4-mapped IPv6 form
 * meet the same rule. */
static void
test_ip_spellings (void)
{
  const char *user = "{\"network\": {\"deny\": [\"127.0.0.1\"], \"allow\": [\"192.168.1.10\"]}}";
  g_autoptr(PaddockPolicy) policy = test_policy_new (workspace, home, PADDOCK_LAYER_USER, user, -1);
  static const char * const loopback[] = {
    "127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "0x7f.1", "::ffff:127.0.0.1",
    "[::ffff:7f00:1]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (loopback); i++)
    {
      g_autoptr(PaddockDecision) decision = check_net (policy, loopback[i], 80, NULL);

      g_test_message ("%s", loopback[i]);
      test_assert_verdict (decision, PADDOCK_VERDICT_FORBIDDEN);
      g_assert_cmpstr (decision->decisive->text, ==, "network.deny: \"127.0.0.1\"");
    }

  {
    /* Control: a different address is not caught by the deny. */
    g_autoptr(PaddockDecision) allowed = check_net (policy, "3232235786", 80, NULL); /* 192.168.1.10 */
    g_autoptr(PaddockDecision) other = check_net (policy, "127.0.0.2", 80, NULL);

    test_assert_verdict (allowed, PADDOCK_VERDICT_ALLOW);
    test_assert_verdict (other, PADDOCK_VERDICT_PROMPT);
  }
}

static void
test_network_modes (void)
{
  const char *managed = "{\"network\": {\"mode\": \"disabled\"}}";
  const char *user = "{\"network\": {\"allow\": [\"pypi.org\"], \"unknown\": \"allow\"}}";
  g_autoptr(PaddockPolicy) closed = test_policy_new (workspace, home, PADDOCK_LAYER_MANAGED, managed,
                                                     PADDOCK_LAYER_USER, user, -1);
  g_autoptr(PaddockPolicy) open = test_policy_new (workspace, home, PADDOCK_LAYER_USER, user, -1);
  g_autoptr(PaddockDecision) d1 = check_net (closed, "pypi.org", 443, NULL);
  g_autoptr(PaddockDecision) d2 = check_net (open, "anything.example", 443, NULL);

  /* A lower layer's allow cannot reopen a network the managed layer closed. */
  test_assert_verdict (d1, PADDOCK_VERDICT_FORBIDDEN);
  g_assert_cmpstr (paddock_decision_get_layer (d1), ==, "managed");
  g_assert_cmpstr (d1->decisive->reason, ==, "the network is disabled");
  /* network.unknown decides hosts no rule names, with its provenance. */
  test_assert_verdict (d2, PADDOCK_VERDICT_ALLOW);
  g_assert_cmpstr (paddock_decision_get_layer (d2), ==, "user");
  g_assert_cmpstr (d2->decisive->text, ==, "\"network.unknown\": \"allow\"");
}

static void
test_network_protocols (void)
{
  g_autofree char *dir = test_make_dir ("rules");
  g_autofree char *path = test_write_file (dir, "net.rules",
                                           "network_rule(host=\"pypi.org\", protocol=\"https\", decision=\"allow\")\n"
                                           "network_rule(host=\"ftp.example\", protocol=\"socks5_tcp\", decision=\"deny\")\n");
  g_autoptr(GPtrArray) documents = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_policy_document_unref);
  g_autoptr(PaddockPolicy) policy = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (documents, paddock_policy_document_new_from_file (PADDOCK_LAYER_USER, path, &error));
  g_assert_no_error (error);
  policy = paddock_policy_new (workspace, home, documents);

  {
    g_autoptr(PaddockDecision) https = check_net (policy, "pypi.org", 443, "https");
    g_autoptr(PaddockDecision) http = check_net (policy, "pypi.org", 80, "http");
    g_autoptr(PaddockDecision) unknown = check_net (policy, "pypi.org", 443, NULL);
    g_autoptr(PaddockDecision) deny_unknown = check_net (policy, "ftp.example", 21, NULL);
    g_autoptr(PaddockDecision) deny_other = check_net (policy, "ftp.example", 443, "https");

    test_assert_verdict (https, PADDOCK_VERDICT_ALLOW);
    g_assert_cmpuint (https->decisive->line, ==, 1);
    test_assert_verdict (http, PADDOCK_VERDICT_PROMPT);
    /* An allow needs the protocol known; a deny assumes the worst. */
    test_assert_verdict (unknown, PADDOCK_VERDICT_PROMPT);
    test_assert_verdict (deny_unknown, PADDOCK_VERDICT_FORBIDDEN);
    test_assert_verdict (deny_other, PADDOCK_VERDICT_PROMPT);
  }
}

static PaddockDecision *
check_path (PaddockPolicy     *policy,
            PaddockActionKind  kind,
            const char        *path)
{
  g_autoptr(PaddockAction) action = paddock_action_new_path (kind, path, NULL);
  return paddock_policy_evaluate (policy, action, NULL);
}

static void
test_paths (void)
{
  g_autofree char *cache = g_build_filename (home, ".cache", "build", NULL);
  g_autofree char *user = g_strdup_printf ("{\"sandbox\": {\"writable\": [\"%s\"], \"deny_read\": [\"~/secret\"]}}", cache);
  g_autoptr(PaddockPolicy) policy = test_policy_new_with_defaults (workspace, home, PADDOCK_LAYER_USER, user, -1);
  g_autofree char *inside = g_build_filename (workspace, "src", "new.c", NULL);
  g_autofree char *git = g_build_filename (workspace, ".git", "config", NULL);
  g_autofree char *nested_git = g_build_filename (workspace, "vendor", "lib", ".git", "HEAD", NULL);
  g_autofree char *envrc = g_build_filename (workspace, ".envrc", NULL);
  g_autofree char *gitignore = g_build_filename (workspace, ".gitignore", NULL);
  g_autofree char *cached = g_build_filename (cache, "obj.o", NULL);
  g_autofree char *cached_git = g_build_filename (cache, "repo", ".git", "config", NULL);
  g_autofree char *ssh = g_build_filename (home, ".ssh", "id_ed25519", NULL);
  g_autofree char *secret = g_build_filename (home, "secret", "x", NULL);
  struct
  {
    PaddockActionKind kind;
    const char *path;
    PaddockVerdict expected;
    const char *layer;
  } cases[] = {
    { PADDOCK_ACTION_WRITE, inside, PADDOCK_VERDICT_ALLOW, "implicit" },
    { PADDOCK_ACTION_WRITE, git, PADDOCK_VERDICT_PROMPT, "defaults" },
    { PADDOCK_ACTION_WRITE, nested_git, PADDOCK_VERDICT_PROMPT, "defaults" },
    { PADDOCK_ACTION_WRITE, envrc, PADDOCK_VERDICT_PROMPT, "defaults" },
    { PADDOCK_ACTION_WRITE, gitignore, PADDOCK_VERDICT_ALLOW, "implicit" },
    { PADDOCK_ACTION_WRITE, cached, PADDOCK_VERDICT_ALLOW, "user" },
    /* A writable root is no allow rule: what is protected stays so. */
    { PADDOCK_ACTION_WRITE, cached_git, PADDOCK_VERDICT_PROMPT, "defaults" },
    { PADDOCK_ACTION_WRITE, "/etc/hosts", PADDOCK_VERDICT_PROMPT, "implicit" },
    { PADDOCK_ACTION_READ, "/etc/hosts", PADDOCK_VERDICT_ALLOW, "implicit" },
    { PADDOCK_ACTION_READ, git, PADDOCK_VERDICT_ALLOW, "implicit" },
    { PADDOCK_ACTION_READ, ssh, PADDOCK_VERDICT_FORBIDDEN, "defaults" },
    { PADDOCK_ACTION_WRITE, ssh, PADDOCK_VERDICT_FORBIDDEN, "defaults" },
    { PADDOCK_ACTION_READ, secret, PADDOCK_VERDICT_FORBIDDEN, "user" },
    { PADDOCK_ACTION_READ, "~/secret", PADDOCK_VERDICT_FORBIDDEN, "user" },
    { PADDOCK_ACTION_WRITE, "~/.ssh/../.ssh/config", PADDOCK_VERDICT_FORBIDDEN, "defaults" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PaddockDecision) decision = check_path (policy, cases[i].kind, cases[i].path);

      g_test_message ("%s %s", paddock_action_kind_to_string (cases[i].kind), cases[i].path);
      test_assert_verdict (decision, cases[i].expected);
      g_assert_cmpstr (paddock_decision_get_layer (decision), ==, cases[i].layer);
    }
}

static void
test_sandbox_modes_and_writes (void)
{
  g_autofree char *inside = g_build_filename (workspace, "out.txt", NULL);
  g_autoptr(PaddockPolicy) read_only =
    test_policy_new (workspace, home, PADDOCK_LAYER_USER, "{\"sandbox\": {\"mode\": \"read-only\"}}", -1);
  g_autoptr(PaddockPolicy) full =
    test_policy_new (workspace, home, PADDOCK_LAYER_USER, "{\"sandbox\": {\"mode\": \"full-access\"}}", -1);
  g_autoptr(PaddockDecision) d1 = check_path (read_only, PADDOCK_ACTION_WRITE, inside);
  g_autoptr(PaddockDecision) d2 = check_path (full, PADDOCK_ACTION_WRITE, "/etc/hosts");

  test_assert_verdict (d1, PADDOCK_VERDICT_PROMPT);
  g_assert_cmpstr (d1->decisive->reason, ==, "the read-only sandbox can write nowhere");
  g_assert_cmpstr (paddock_decision_get_layer (d1), ==, "user");
  test_assert_verdict (d2, PADDOCK_VERDICT_ALLOW);
}

static void
test_mcp (void)
{
  const char *user = "{\"mcp\": {\"allow\": [\"github\", \"fs/read_file\"], \"deny\": [\"github/delete_repo\", \"shell\"]}}";
  g_autoptr(PaddockPolicy) policy = test_policy_new (workspace, home, PADDOCK_LAYER_USER, user, -1);
  static const struct
  {
    const char *server;
    const char *tool;
    PaddockVerdict expected;
  } cases[] = {
    { "github", "create_issue", PADDOCK_VERDICT_ALLOW },
    { "github", "delete_repo", PADDOCK_VERDICT_FORBIDDEN },
    { "fs", "read_file", PADDOCK_VERDICT_ALLOW },
    { "fs", "write_file", PADDOCK_VERDICT_PROMPT },
    { "fs", NULL, PADDOCK_VERDICT_PROMPT },
    { "shell", "run", PADDOCK_VERDICT_FORBIDDEN },
    { "unknown", "x", PADDOCK_VERDICT_PROMPT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PaddockAction) action = paddock_action_new_mcp (cases[i].server, cases[i].tool);
      g_autoptr(PaddockDecision) decision = paddock_policy_evaluate (policy, action, NULL);

      g_test_message ("%s/%s", cases[i].server, cases[i].tool);
      test_assert_verdict (decision, cases[i].expected);
    }
}

/* The managed layer's mcp.allow is an allowlist: what it does not name
 * is forbidden, however a lower layer or a person allows it. */
static void
test_mcp_allowlist (void)
{
  const char *managed = "{\"mcp\": {\"allow\": [\"github\", \"fs/read_file\"]}}";
  const char *user = "{\"mcp\": {\"allow\": [\"evil\", \"fs\"]}}";
  g_autoptr(PaddockPolicy) policy = test_policy_new (workspace, home, PADDOCK_LAYER_MANAGED, managed,
                                                     PADDOCK_LAYER_USER, user, -1);
  g_autoptr(PaddockPolicy) unmanaged = test_policy_new (workspace, home, PADDOCK_LAYER_USER, user, -1);
  g_autoptr(PaddockGrants) grants = paddock_grants_new ();
  static const struct
  {
    const char *server;
    const char *tool;
    PaddockVerdict expected;
  } cases[] = {
    { "github", "create_issue", PADDOCK_VERDICT_ALLOW },
    { "fs", "read_file", PADDOCK_VERDICT_ALLOW },
    { "fs", NULL, PADDOCK_VERDICT_ALLOW },  /* on the list for some of its tools */
    { "fs", "write_file", PADDOCK_VERDICT_FORBIDDEN },
    { "evil", "steal", PADDOCK_VERDICT_FORBIDDEN },
    { "evil", NULL, PADDOCK_VERDICT_FORBIDDEN },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PaddockAction) action = paddock_action_new_mcp (cases[i].server, cases[i].tool);
      g_autoptr(PaddockDecision) decision = paddock_policy_evaluate (policy, action, NULL);

      g_test_message ("%s/%s", cases[i].server, cases[i].tool);
      test_assert_verdict (decision, cases[i].expected);
      if (cases[i].expected == PADDOCK_VERDICT_FORBIDDEN)
        {
          g_assert_cmpstr (paddock_decision_get_layer (decision), ==, "managed");
          g_assert_nonnull (strstr (decision->decisive->reason, "not on the managed layer's MCP allowlist "
                                                                "(github, fs/read_file)"));
        }
    }

  /* The control: without the managed list the user's allow stands. */
  {
    g_autoptr(PaddockAction) action = paddock_action_new_mcp ("evil", "steal");
    g_autoptr(PaddockDecision) decision = paddock_policy_evaluate (unmanaged, action, NULL);

    test_assert_verdict (decision, PADDOCK_VERDICT_ALLOW);
  }
  /* A grant cannot reopen it either. */
  {
    g_autoptr(PaddockAction) action = paddock_action_new_mcp ("evil", "steal");
    g_autoptr(PaddockDecision) decision = paddock_policy_evaluate (policy, action, NULL);
    g_autoptr(PaddockDecision) again = NULL;

    paddock_grants_add_from_decision (grants, decision, 0, "bob", NULL);
    again = paddock_policy_evaluate (policy, action, grants);
    test_assert_verdict (again, PADDOCK_VERDICT_FORBIDDEN);
  }
}

/* The servers named in every layer, each as its highest layer says. */
static void
test_mcp_servers (void)
{
  const char *managed = "{\"mcp\": {\"servers\": {\"github\": {\"url\": \"https://mcp.example.com/\"}}}}";
  const char *user = "{\"mcp\": {\"servers\": {\"github\": {\"url\": \"https://evil.example.com/\"},\n"
                     "                       \"fs\": {\"command\": [\"mcp-fs\", \".\"]}}}}";
  g_autoptr(PaddockPolicy) policy = test_policy_new (workspace, home, PADDOCK_LAYER_MANAGED, managed,
                                                     PADDOCK_LAYER_USER, user, -1);
  g_autoptr(GPtrArray) servers = paddock_policy_list_mcp_servers (policy);
  const PaddockSetting *fs, *github;
  g_autofree char *command = NULL;
  g_autofree const char **argv = NULL;
  g_autofree char *text = NULL;

  g_assert_cmpuint (servers->len, ==, 2);
  fs = g_ptr_array_index (servers, 0);
  github = g_ptr_array_index (servers, 1);
  g_assert_cmpstr (fs->key, ==, "mcp.servers.fs");
  g_assert_cmpint (fs->layer, ==, PADDOCK_LAYER_USER);
  g_assert_cmpuint (fs->line, ==, 2);
  argv = g_variant_get_strv (fs->value, NULL);
  command = g_strjoinv (" ", (char **) argv);
  g_assert_cmpstr (command, ==, "mcp-fs .");
  g_assert_cmpstr (github->key, ==, "mcp.servers.github");
  g_assert_cmpint (github->layer, ==, PADDOCK_LAYER_MANAGED);
  g_assert_cmpstr (g_variant_get_string (github->value, NULL), ==, "https://mcp.example.com/");

  /* `paddockctl policy show` says which layer names each. */
  text = paddock_policy_to_text (policy);
  g_assert_nonnull (strstr (text, "mcp.servers.github         'https://mcp.example.com/'   [locked] (managed layer"));
  g_assert_nonnull (strstr (text, "mcp.servers.fs             ['mcp-fs', '.']   (user layer"));
}

static void
test_grants_for_other_actions (void)
{
  g_autoptr(PaddockPolicy) policy = test_policy_new (workspace, home, -1);
  g_autoptr(PaddockGrants) grants = paddock_grants_new ();
  g_autoptr(PaddockAction) net = paddock_action_new_net ("api.example.com", 443, NULL);
  g_autoptr(PaddockAction) net_other_port = paddock_action_new_net ("api.example.com", 8443, NULL);
  g_autoptr(PaddockAction) write = paddock_action_new_path (PADDOCK_ACTION_WRITE, "/etc/motd", NULL);
  g_autoptr(PaddockAction) mcp = paddock_action_new_mcp ("fs", "write");
  g_autoptr(PaddockDecision) d_net = paddock_policy_evaluate (policy, net, grants);
  g_autoptr(PaddockDecision) d_write = paddock_policy_evaluate (policy, write, grants);
  g_autoptr(PaddockDecision) d_mcp = paddock_policy_evaluate (policy, mcp, grants);

  test_assert_verdict (d_net, PADDOCK_VERDICT_PROMPT);
  test_assert_verdict (d_write, PADDOCK_VERDICT_PROMPT);
  test_assert_verdict (d_mcp, PADDOCK_VERDICT_PROMPT);
  g_assert_true (paddock_grants_add_from_decision (grants, d_net, 0, "bob", NULL));
  g_assert_true (paddock_grants_add_from_decision (grants, d_write, 0, "bob", NULL));
  g_assert_true (paddock_grants_add_from_decision (grants, d_mcp, 0, "bob", NULL));

  {
    g_autoptr(PaddockDecision) again_net = paddock_policy_evaluate (policy, net, grants);
    g_autoptr(PaddockDecision) other_port = paddock_policy_evaluate (policy, net_other_port, grants);
    g_autoptr(PaddockDecision) again_write = paddock_policy_evaluate (policy, write, grants);
    g_autoptr(PaddockDecision) again_mcp = paddock_policy_evaluate (policy, mcp, grants);

    test_assert_verdict (again_net, PADDOCK_VERDICT_ALLOW);
    test_assert_verdict (other_port, PADDOCK_VERDICT_PROMPT);
    test_assert_verdict (again_write, PADDOCK_VERDICT_ALLOW);
    test_assert_verdict (again_mcp, PADDOCK_VERDICT_ALLOW);
    g_assert_cmpstr (paddock_decision_get_layer (again_mcp), ==, "session");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  workspace = test_make_dir ("workspace");
  home = test_make_dir ("home");
  g_setenv ("HOME", home, TRUE);

  g_test_add_func ("/actions/network/patterns", test_network_patterns);
  g_test_add_func ("/actions/network/ip-spellings", test_ip_spellings);
  g_test_add_func ("/actions/network/modes", test_network_modes);
  g_test_add_func ("/actions/network/protocols", test_network_protocols);
  g_test_add_func ("/actions/paths/rules", test_paths);
  g_test_add_func ("/actions/paths/sandbox-modes", test_sandbox_modes_and_writes);
  g_test_add_func ("/actions/mcp", test_mcp);
  g_test_add_func ("/actions/mcp-allowlist", test_mcp_allowlist);
  g_test_add_func ("/actions/mcp-servers", test_mcp_servers);
  g_test_add_func ("/actions/grants", test_grants_for_other_actions);

  return g_test_run ();
}
