/* test-cli.c: `paddockctl`, the contract other tools and tests rely on
 *
 * Runs the real binary with its own system, user and cache folders.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"


#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "test-proxy-util.h"
#include "test-util.h"

static char *base;
static char *sysconfdir;
static char *workspace;
static char *runtime_dir;

typedef struct
{
  int status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static char **
cli_environment (const char * const *extra)
{
  char **env = g_get_environ ();
  g_autofree char *config = g_build_filename (base, "config", NULL);
  g_autofree char *cache = g_build_filename (base, "cache", NULL);

  env = g_environ_setenv (env, "PADDOCK_SYSCONFDIR", sysconfdir, TRUE);
  env = g_environ_setenv (env, "XDG_CONFIG_HOME", config, TRUE);
  env = g_environ_setenv (env, "XDG_CACHE_HOME", cache, TRUE);
  env = g_environ_setenv (env, "HOME", base, TRUE);
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  env = g_environ_setenv (env, "XDG_RUNTIME_DIR", runtime_dir, TRUE);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i += 2)
    env = g_environ_setenv (env, extra[i], extra[i + 1], TRUE);
  return env;
}

static void
paddockctl_env (Run                *run,
                const char * const *extra_env,
                ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = cli_environment (extra_env);
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) g_getenv ("PADDOCKCTL"));
  va_start (args, extra_env);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (workspace, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
                &run->out, &run->err, &run->status, &error);
  g_assert_no_error (error);
  run->status = WIFEXITED (run->status) ? WEXITSTATUS (run->status) : -1;
}

#define paddockctl(run, ...) paddockctl_env (run, NULL, __VA_ARGS__, NULL)

static JsonObject *
parse_object (const char *text,
              JsonParser *parser)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_check_json_contract (void)
{
  g_auto(Run) run = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *policy = test_write_file (base, "contract.json",
                                             "{\"commands\": [\n"
                                             "  {\"match\": [\"git\", \"push\"], \"decision\": \"prompt\", \"reason\": \"publishes\"}\n"
                                             "]}");
  JsonObject *object, *matched, *command;
  static const char * const keys[] = { "decision", "layer", "source", "rule", "reason", "matched", "commands" };

  paddockctl (&run, "check", "--json", "--policy", policy, "--", "bash", "-lc", "ls && git push origin main");
  g_assert_cmpint (run.status, ==, 0);
  object = parse_object (run.out, parser);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_assert_true (json_object_has_member (object, keys[i]));
  g_assert_cmpstr (json_object_get_string_member (object, "decision"), ==, "prompt");
  g_assert_cmpstr (json_object_get_string_member (object, "layer"), ==, "user");
  g_assert_cmpstr (json_object_get_string_member (object, "source"), ==, policy);
  g_assert_cmpint (json_object_get_int_member (object, "line"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (object, "reason"), ==, "publishes");
  g_assert_cmpstr (json_object_get_string_member (object, "rule"), ==,
                   "{\"match\": [\"git\", \"push\"], \"decision\": \"prompt\", \"reason\": \"publishes\"}");

  /* matched: every matching rule, from every layer, with its line. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "matched")), >=, 2);
  matched = json_array_get_object_element (json_object_get_array_member (object, "matched"), 0);
  g_assert_cmpstr (json_object_get_string_member (matched, "layer"), ==, "defaults");
  g_assert_cmpstr (json_object_get_string_member (matched, "decision"), ==, "allow");

  /* commands: bash, ls, git push, each with its own decision. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "commands")), ==, 3);
  command = json_array_get_object_element (json_object_get_array_member (object, "commands"), 2);
  g_assert_cmpstr (json_object_get_string_member (command, "display"), ==, "git push origin main");
  g_assert_cmpstr (json_object_get_string_member (command, "decision"), ==, "prompt");
  command = json_array_get_object_element (json_object_get_array_member (object, "commands"), 1);
  g_assert_cmpstr (json_object_get_string_member (command, "decision"), ==, "allow");
}

static void
test_check_exit_status_and_text (void)
{
  g_autofree char *policy = test_write_file (base, "verdicts.json",
                                             "{\"commands\": [{\"match\": [\"a\"], \"decision\": \"allow\"},"
                                             " {\"match\": [\"p\"], \"decision\": \"prompt\"},"
                                             " {\"match\": [\"f\"], \"decision\": \"forbidden\", \"reason\": \"never this\"}]}");
  static const char * const programs[] = { "a", "p", "f" };
  static const char * const labels[] = { "ALLOW", "ASK", "FORBIDDEN" };

  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    {
      g_auto(Run) run = { 0 };

      /* Exit 0 whatever the decision: the evaluation succeeded. */
      paddockctl (&run, "check", "--only", "--policy", policy, "--", programs[i]);
      g_assert_cmpint (run.status, ==, 0);
      g_assert_true (g_str_has_prefix (run.out, labels[i]));
      g_assert_nonnull (strstr (run.out, "Decided by the user layer"));
    }

  {
    g_auto(Run) run = { 0 };
    paddockctl (&run, "check", "--only", "--policy", policy, "--", "f");
    g_assert_nonnull (strstr (run.out, "reason: never this"));
    g_assert_nonnull (strstr (run.out, ":1:"));
  }
}

static void
test_check_bad_input (void)
{
  g_autofree char *bad = test_write_file (base, "bad.json", "{\n  \"commands\": [{\"match\": [\"x\"], \"decision\": \"maybe\"}]\n}");
  struct
  {
    const char *args[8];
    const char *message;
  } cases[] = {
    { { "check", "--policy", bad, "--", "ls", NULL }, ":2:45: “commands[0].decision”: “maybe” is not a decision; accepted: allow, prompt, forbidden" },
    { { "check", "--rules", "/nonexistent.rules", "--", "ls", NULL }, "/nonexistent.rules: cannot be read" },
    { { "check", "--net", "example.com:99999", NULL }, "--net: " },
    { { "check", "--mode", "sometimes", "--", "ls", NULL }, "“sometimes” is not an approval mode" },
    { { "check", NULL }, "name exactly one thing to decide" },
    { { "check", "--net", "a.com", "--", "ls", NULL }, "name exactly one thing to decide" },
    { { "frobnicate", NULL }, "unknown command “frobnicate”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };
      const char **a = cases[i].args;

      paddockctl (&run, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
      g_test_message ("%s → %s", a[0], run.err);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_nonnull (strstr (run.err, cases[i].message));
      g_assert_true (g_str_has_prefix (run.err, "paddockctl: "));
    }
}

static void
test_check_only (void)
{
  g_autofree char *rules = test_write_file (base, "only.rules", "prefix_rule(pattern=[\"ls\"], decision=\"forbidden\")\n");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(Run) with_machine = { 0 };
  g_auto(Run) only = { 0 };

  /* Without --only the shipped defaults take part; with it they do not. */
  paddockctl (&with_machine, "check", "--json", "--", "sudo", "true");
  g_assert_cmpstr (json_object_get_string_member (parse_object (with_machine.out, parser), "layer"), ==, "defaults");

  paddockctl (&only, "check", "--json", "--only", "--rules", rules, "--", "sudo", "true");
  g_assert_cmpstr (json_object_get_string_member (parse_object (only.out, parser), "layer"), ==, "implicit");
  {
    g_auto(Run) run = { 0 };
    paddockctl (&run, "check", "--json", "--only", "--rules", rules, "--", "ls");
    g_assert_cmpstr (json_object_get_string_member (parse_object (run.out, parser), "decision"), ==, "forbidden");
  }
}

static void
test_check_cwd_and_actions (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *sub = g_build_filename (workspace, "sub", NULL);
  struct
  {
    const char *args[8];
    const char *decision;
  } cases[] = {
    { { "check", "--json", "--cwd", "/etc", "--", "bash", "-c", "echo x > hosts" }, "prompt" },
    { { "check", "--json", "--cwd", sub, "--", "bash", "-c", "echo x > out.txt" }, "allow" },
    { { "check", "--json", "--write", "/etc/hosts", NULL }, "prompt" },
    { { "check", "--json", "--write", "notes.txt", NULL }, "allow" },
    { { "check", "--json", "--read", "~/.ssh/id_rsa", NULL }, "forbidden" },
    { { "check", "--json", "--net", "0x7f000001:8080", NULL }, "prompt" },
    { { "check", "--json", "--mcp", "github/create_issue", NULL }, "prompt" },
    { { "check", "--json", "--mode", "never", "--", "git", "push" }, "forbidden" },
  };

  g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };
      const char **a = cases[i].args;
      JsonObject *object;

      paddockctl (&run, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
      g_assert_cmpint (run.status, ==, 0);
      object = parse_object (run.out, parser);
      g_test_message ("%s %s %s → %s", a[2], a[3], a[4] ? a[4] : "", json_object_get_string_member (object, "decision"));
      g_assert_cmpstr (json_object_get_string_member (object, "decision"), ==, cases[i].decision);
    }
}

static void
test_managed_layer_and_locked_mode (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(Run) refused = { 0 };
  g_auto(Run) show = { 0 };
  g_auto(Run) check = { 0 };
  JsonObject *settings, *mode;

  g_free (test_write_file (sysconfdir, "requirements.json",
                           "{\n  \"approval\": {\"mode\": \"untrusted\", \"allowed_modes\": [\"untrusted\"]},\n"
                           "  \"commands\": [{\"match\": [\"curl\"], \"decision\": \"forbidden\", \"reason\": \"use the proxy\"}]\n}"));

  paddockctl (&refused, "check", "--mode", "never", "--", "ls");
  g_assert_cmpint (refused.status, ==, 2);
  g_assert_nonnull (strstr (refused.err, "requirements.json:2:24 sets “untrusted”"));

  /* The user cannot loosen it, not even with --policy. */
  {
    g_autofree char *loose = test_write_file (base, "loose.json",
                                              "{\"commands\": [{\"match\": [\"curl\"], \"decision\": \"allow\"}]}");
    paddockctl (&check, "check", "--json", "--policy", loose, "--", "curl", "https://x");
    g_assert_cmpstr (json_object_get_string_member (parse_object (check.out, parser), "decision"), ==, "forbidden");
    g_assert_cmpstr (json_object_get_string_member (parse_object (check.out, parser), "layer"), ==, "managed");
  }

  paddockctl (&show, "policy", "show", "--json");
  g_assert_cmpint (show.status, ==, 0);
  settings = json_object_get_object_member (parse_object (show.out, parser), "settings");
  mode = json_object_get_object_member (settings, "approval.mode");
  g_assert_cmpstr (json_object_get_string_member (mode, "value"), ==, "untrusted");
  g_assert_cmpstr (json_object_get_string_member (mode, "layer"), ==, "managed");
  g_assert_true (json_object_get_boolean_member (mode, "locked"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (mode, "source"), "requirements.json"));
  g_assert_cmpint (json_object_get_int_member (mode, "line"), ==, 2);
  /* A value set by no one is built in and not locked. */
  mode = json_object_get_object_member (settings, "network.mode");
  g_assert_cmpstr (json_object_get_string_member (mode, "layer"), ==, "defaults");
  g_assert_false (json_object_get_boolean_member (mode, "locked"));

  g_assert_cmpint (g_unlink (g_build_filename (sysconfdir, "requirements.json", NULL)), ==, 0);
}

static void
test_policy_show_text (void)
{
  g_auto(Run) run = { 0 };

  paddockctl (&run, "policy", "show");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Sources, highest authority first:"));
  g_assert_nonnull (strstr (run.out, "defaults  resource:///org/paddock/Paddock/policy/default-policy.json"));
  g_assert_nonnull (strstr (run.out, "sandbox.mode"));
}

static void
test_policy_lint (void)
{
  g_autofree char *good = test_write_file (base, "lint-good.json", "{\"commands\": [{\"match\": [\"ls\"], \"decision\": \"allow\"}]}");
  g_autofree char *rules = test_write_file (base, "lint.rules", "prefix_rule(pattern=[\"ls\"], match=[\"cat\"])\n");
  g_autofree char *managed_only = test_write_file (base, "lint-managed.json", "{\"personal_allow_rules\": false}");
  g_auto(Run) ok = { 0 };
  g_auto(Run) bad = { 0 };
  g_auto(Run) as_managed = { 0 };
  g_auto(Run) missing = { 0 };

  paddockctl (&ok, "policy", "lint", good);
  g_assert_cmpint (ok.status, ==, 0);
  g_assert_nonnull (strstr (ok.out, "valid for the user layer (1 rules, 0 settings)"));

  paddockctl (&bad, "policy", "lint", good, rules, managed_only);
  g_assert_cmpint (bad.status, ==, 1);
  g_assert_nonnull (strstr (bad.err, "lint.rules:1:1: match example"));
  g_assert_nonnull (strstr (bad.err, "lint-managed.json:1:2: “personal_allow_rules”"));

  paddockctl (&as_managed, "policy", "lint", "--layer", "managed", managed_only);
  g_assert_cmpint (as_managed.status, ==, 0);

  paddockctl (&missing, "policy", "lint");
  g_assert_cmpint (missing.status, ==, 2);
}

static void
test_workspace_trust (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(Run) before = { 0 };
  g_auto(Run) trust = { 0 };
  g_auto(Run) after = { 0 };
  g_auto(Run) untrust = { 0 };

  g_free (test_write_file (workspace, ".paddock/policy.json",
                           "{\"commands\": [{\"match\": [\"make\"], \"decision\": \"forbidden\"}]}"));

  paddockctl (&before, "check", "--json", "--", "make");
  g_assert_cmpstr (json_object_get_string_member (parse_object (before.out, parser), "decision"), ==, "allow");

  paddockctl (&trust, "workspace", "trust");
  g_assert_cmpint (trust.status, ==, 0);
  g_assert_nonnull (strstr (trust.out, "trusted and unchanged"));

  paddockctl (&after, "check", "--json", "--", "make");
  g_assert_cmpstr (json_object_get_string_member (parse_object (after.out, parser), "decision"), ==, "forbidden");
  g_assert_cmpstr (json_object_get_string_member (parse_object (after.out, parser), "layer"), ==, "workspace");

  paddockctl (&untrust, "workspace", "untrust");
  g_assert_nonnull (strstr (untrust.out, "is not trusted, so it is ignored"));
  g_assert_cmpint (g_unlink (g_build_filename (workspace, ".paddock", "policy.json", NULL)), ==, 0);
}

static const char *served_requirements =
  "{\n  \"commands\": [{\"match\": [\"curl\"], \"decision\": \"forbidden\", \"reason\": \"org rule\"}]\n}";

static void
serve_requirements (SoupServer        *server,
                    SoupServerMessage *message,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  guint *hits = user_data;

  (*hits)++;
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (message), "ETag", "\"v1\"");
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC,
                                    served_requirements, strlen (served_requirements));
}

static void
on_refresh_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, &run->err, &error);
  g_assert_no_error (error);
  run->status = g_subprocess_get_exit_status (G_SUBPROCESS (source));
}

/* `policy refresh` fetches from a real loopback server, and the next
 * check uses what it fetched, naming the URL and line. */
static void
test_policy_refresh (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *url = NULL;
  g_autofree char *config = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(GStrv) env = cli_environment (NULL);
  g_auto(Run) before = { 0 };
  g_auto(Run) refresh = { 0 };
  g_auto(Run) after = { 0 };
  JsonObject *object;
  guint hits = 0;

  soup_server_add_handler (server, "/requirements.json", serve_requirements, &hits, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d/requirements.json", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  config = g_strdup_printf ("{\"version\": 1, \"requirements_url\": \"%s\"}", url);
  g_free (test_write_file (sysconfdir, "config.json", config));

  /* Never fetched: the most restrictive mode, said plainly. */
  paddockctl (&before, "check", "--json", "--", "ls");
  object = parse_object (before.out, parser);
  g_assert_cmpstr (json_object_get_string_member (object, "decision"), ==, "forbidden");
  g_assert_nonnull (strstr (json_object_get_string_member (object, "reason"), "never fetched"));

  g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_set_cwd (launcher, workspace);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("PADDOCKCTL"), "policy", "refresh", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_refresh_done, &refresh);
  while (refresh.out == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (refresh.status, ==, 0);
  g_assert_cmpuint (hits, ==, 1);
  g_assert_nonnull (strstr (refresh.out, "Fetched the requirements from"));

  paddockctl (&after, "check", "--json", "--", "curl", "https://x");
  object = parse_object (after.out, parser);
  g_assert_cmpstr (json_object_get_string_member (object, "decision"), ==, "forbidden");
  g_assert_cmpstr (json_object_get_string_member (object, "layer"), ==, "managed");
  g_assert_cmpstr (json_object_get_string_member (object, "source"), ==, url);
  g_assert_cmpint (json_object_get_int_member (object, "line"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (object, "reason"), ==, "org rule");
  {
    /* Control: what the requirements do not name is decided as usual. */
    g_auto(Run) control = { 0 };
    paddockctl (&control, "check", "--json", "--", "ls");
    g_assert_cmpstr (json_object_get_string_member (parse_object (control.out, parser), "decision"), ==, "allow");
  }

  g_assert_cmpint (g_unlink (g_build_filename (sysconfdir, "config.json", NULL)), ==, 0);
}

/* Keys locked through a real dconf database form the system layer. */
static void
test_dconf_locks (void)
{
  g_autofree char *dconf = g_find_program_in_path ("dconf");
  g_autofree char *keyfiles = NULL;
  g_autofree char *db = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *profile_text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(Run) show = { 0 };
  g_auto(Run) check = { 0 };
  g_auto(Run) unlocked = { 0 };
  JsonObject *mode;
  int status;

  if (dconf == NULL)
    {
      g_test_skip ("dconf is not installed (Debian package dconf-cli)");
      return;
    }

  keyfiles = g_build_filename (base, "dconf.d", NULL);
  g_free (test_write_file (keyfiles, "00-paddock",
                           "[org/paddock/Paddock]\nsandbox-mode='read-only'\ndenied-domains=['tracker.example']\n"));
  g_free (test_write_file (keyfiles, "locks/paddock", "/org/paddock/Paddock/sandbox-mode\n"));
  db = g_build_filename (base, "dconf-system", NULL);
  {
    const char *argv[] = { dconf, "compile", db, keyfiles, NULL };
    g_autoptr(GError) error = NULL;

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_cmpint (status, ==, 0);
  }
  profile_text = g_strdup_printf ("user-db:user\nfile-db:%s\n", db);
  profile = test_write_file (base, "dconf-profile", profile_text);

  {
    const char *env[] = { "GSETTINGS_BACKEND", "dconf", "DCONF_PROFILE", profile, NULL };

    paddockctl_env (&show, env, "policy", "show", "--json", NULL);
    g_assert_cmpint (show.status, ==, 0);
    mode = json_object_get_object_member (json_object_get_object_member (parse_object (show.out, parser), "settings"),
                                          "sandbox.mode");
    g_assert_cmpstr (json_object_get_string_member (mode, "value"), ==, "read-only");
    g_assert_cmpstr (json_object_get_string_member (mode, "layer"), ==, "system");
    g_assert_true (json_object_get_boolean_member (mode, "locked"));
    g_assert_cmpstr (json_object_get_string_member (mode, "source"), ==,
                     "gsettings org.paddock.Paddock (locked by dconf)");

    paddockctl_env (&check, env, "check", "--json", "--write", "notes.txt", NULL);
    g_assert_cmpstr (json_object_get_string_member (parse_object (check.out, parser), "decision"), ==, "prompt");
    g_assert_cmpstr (json_object_get_string_member (parse_object (check.out, parser), "layer"), ==, "system");

    /* Control: an unlocked default from the same database is no layer. */
    paddockctl_env (&unlocked, env, "check", "--json", "--net", "tracker.example:443", NULL);
    g_assert_cmpstr (json_object_get_string_member (parse_object (unlocked.out, parser), "decision"), ==, "prompt");
    g_assert_cmpstr (json_object_get_string_member (parse_object (unlocked.out, parser), "rule"), ==,
                     "\"network.unknown\": \"prompt\"");
  }
}

/* Runs @script with sh in the workspace and the test's environment;
 * "$P" is paddockctl. */
static void
shell (Run        *run,
       const char *script)
{
  const char *extra[] = { "P", g_getenv ("PADDOCKCTL"), NULL };
  g_auto(GStrv) env = cli_environment (extra);
  const char *argv[] = { "/bin/sh", "-c", script, NULL };
  g_autoptr(GError) error = NULL;

  g_spawn_sync (workspace, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                &run->out, &run->err, &run->status, &error);
  g_assert_no_error (error);
  run->status = WIFEXITED (run->status) ? WEXITSTATUS (run->status) : -1;
  g_test_message ("$ %s\nstatus %d\nstdout: %s\nstderr: %s", script, run->status, run->out, run->err);
}

/* A user policy for the `run` tests: rm forbidden, printf asks. */
static char *
write_run_policy (void)
{
  g_autofree char *dir = g_build_filename (base, "config", "paddock", NULL);

  return test_write_file (dir, "policy.json",
                          "{\"commands\": [\n"
                          "  {\"match\": [\"rm\"], \"decision\": \"forbidden\", \"reason\": \"nothing is deleted here\"},\n"
                          "  {\"match\": [\"printf\"], \"decision\": \"prompt\", \"reason\": \"asks for the test\"}\n"
                          "]}");
}

static void
test_run_denied (void)
{
  g_autofree char *policy = write_run_policy ();
  g_autofree char *notes = test_write_file (workspace, "notes.txt", "keep me\n");
  g_autofree char *where = g_strdup_printf ("decided by: the user layer, %s:2", policy);
  g_autofree char *out_txt = g_build_filename (workspace, "out.txt", NULL);
  g_autofree char *contents = NULL;
  g_auto(Run) denied = { 0 };
  g_auto(Run) ran = { 0 };

  /* Denied: status 126, and the layer, source, rule and reason named. */
  shell (&denied, "setsid -w \"$P\" run -- rm -f notes.txt");
  g_assert_cmpint (denied.status, ==, 126);
  g_assert_nonnull (strstr (denied.err, "the policy forbids this command"));
  g_assert_nonnull (strstr (denied.err, "command:    rm -f notes.txt"));
  g_assert_nonnull (strstr (denied.err, where));
  g_assert_nonnull (strstr (denied.err, "rule:       {\"match\": [\"rm\"]"));
  g_assert_nonnull (strstr (denied.err, "reason:     nothing is deleted here"));
  g_assert_true (g_file_test (notes, G_FILE_TEST_EXISTS));

  /* The control: an allowed command runs, and its status is ours. */
  shell (&ran, "setsid -w \"$P\" run -- sh -c 'cat notes.txt > out.txt; exit 7'");
  g_assert_cmpint (ran.status, ==, 7);
  g_assert_true (g_file_get_contents (out_txt, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "keep me\n");

  g_unlink (policy);
}

/* Without a terminal nobody can be asked, so a prompt is a denial; and
 * stdin is never taken for an answer: it may be the agent's. */
static void
test_run_prompt_without_terminal (void)
{
  g_autofree char *policy = write_run_policy ();
  g_auto(Run) run = { 0 };

  shell (&run, "printf 'o\\ns\\n' | setsid -w \"$P\" run -- printf 'said-%s' hello");
  g_assert_cmpint (run.status, ==, 126);
  g_assert_nonnull (strstr (run.err, "without a terminal, nobody can be asked"));
  g_assert_nonnull (strstr (run.err, "reason:     asks for the test"));
  g_assert_null (strstr (run.out, "said-hello"));

  g_unlink (policy);
}

/* On a terminal (a pseudo-terminal from script(1)): the question shows
 * the command, the layer and the reason; "once" runs it once, "session"
 * stops the next question in the same session, "deny" does not run it. */
static void
test_run_prompt_on_terminal (void)
{
  g_autofree char *policy = write_run_policy ();
  g_auto(Run) once = { 0 };
  g_auto(Run) session = { 0 };
  g_auto(Run) deny = { 0 };
  const char *first;

  if (!g_file_test ("/usr/bin/script", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("script(1) is not installed");
      return;
    }

  /* The command's output, "said-X", never appears in its own text. */
  shell (&once, "printf 'o\\n' | script -qec '\"$P\" run -- printf said-%s once' /dev/null");
  g_assert_cmpint (once.status, ==, 0);
  g_assert_nonnull (strstr (once.out, "Paddock asks before running this"));
  g_assert_nonnull (strstr (once.out, "command:    printf said-%s once"));
  g_assert_nonnull (strstr (once.out, "the user layer"));
  g_assert_nonnull (strstr (once.out, "reason:     asks for the test"));
  g_assert_nonnull (strstr (once.out, "said-once"));

  /* One answer for the session covers the same command again, without
   * a question (it would find no more input, and be denied), and not a
   * different one. */
  shell (&session, "printf 's\\n' | script -qec 'sh -c \"\\\"$P\\\" run -- printf said-%s same; "
                   "\\\"$P\\\" run -- printf said-%s same; \\\"$P\\\" run -- printf said-%s other\"' /dev/null");
  g_assert_cmpint (session.status, ==, 126);
  first = strstr (session.out, "said-same");
  g_assert_nonnull (first);
  g_assert_nonnull (strstr (first + 1, "said-same"));
  g_assert_null (strstr (session.out, "said-other"));
  first = strstr (session.out, "command:    printf said-%s same");
  g_assert_nonnull (first);
  g_assert_null (strstr (first + 1, "command:    printf said-%s same"));
  g_assert_nonnull (strstr (session.out, "command:    printf said-%s other"));
  g_assert_nonnull (strstr (session.out, "not run: denied"));

  shell (&deny, "printf 'd\\n' | script -qec '\"$P\" run -- printf said-%s denied' /dev/null");
  g_assert_cmpint (deny.status, ==, 126);
  g_assert_nonnull (strstr (deny.out, "command:    printf said-%s denied"));
  g_assert_null (strstr (deny.out, "said-denied"));

  g_unlink (policy);
}

/* The sandbox reaches the network only through the proxy, as the
 * policy says: an allowed address answers, one the policy would ask
 * about is refused without a terminal (and said so), --allow-domain
 * allows it for the session, and --network off leaves no way out. */
static GPtrArray *audit_events (const char *filter_args);
static const char *attribute (JsonNode *event, const char *name);

static void
test_run_network (void)
{
  g_autofree char *address = test_host_address ();
  g_autoptr(TestServer) allowed = NULL;
  g_autoptr(TestServer) other = NULL;
  g_autofree char *policy_dir = g_build_filename (base, "config", "paddock", NULL);
  g_autofree char *policy = NULL;
  g_autofree char *allowed_url = NULL;
  g_autofree char *other_url = NULL;
  g_autofree char *script = NULL;
  g_auto(Run) ok = { 0 };
  g_auto(Run) asked = { 0 };
  g_auto(Run) granted = { 0 };
  g_auto(Run) off = { 0 };

  if (address == NULL)
    {
      g_test_skip ("this machine has no address but loopback");
      return;
    }
  allowed = test_server_new (TEST_SERVER_HTTP, address, 0);
  other = test_server_new (TEST_SERVER_HTTP, address, 0);
  allowed_url = g_strdup_printf ("http://%s:%u/page", address, test_server_get_port (allowed));
  other_url = g_strdup_printf ("http://%s:%u/page", address, test_server_get_port (other));
  {
    g_autofree char *json = g_strdup_printf ("{\"network\": {\"allow\": [\"%s:%u\"]}}", address,
                                             test_server_get_port (allowed));
    policy = test_write_file (policy_dir, "policy.json", json);
  }

#define FETCH "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=20).read().decode())"
  script = g_strdup_printf ("setsid -w \"$P\" run -- python3 -c '%s' %s", FETCH, allowed_url);
  shell (&ok, script);
  g_assert_cmpint (ok.status, ==, 0);
  g_assert_cmpstr (ok.out, ==, "hello");
  g_clear_pointer (&script, g_free);

  script = g_strdup_printf ("setsid -w \"$P\" run -- python3 -c '%s' %s", FETCH, other_url);
  shell (&asked, script);
  g_assert_cmpint (asked.status, !=, 0);
  g_assert_nonnull (strstr (asked.err, "403"));
  g_assert_nonnull (strstr (asked.err, "paddockctl: network: denied"));
  g_assert_nonnull (strstr (asked.err, "nobody can be asked"));
  g_assert_cmpuint (test_server_get_n_accepted (other), ==, 0);
  g_clear_pointer (&script, g_free);

  /* Asked on the terminal while the command runs: "once" lets the
   * request on to the address check, which refuses this machine's own
   * address (a sandbox must not reach the host); "deny" stops it at the
   * policy. The answers differ. */
  if (g_file_test ("/usr/bin/script", G_FILE_TEST_IS_EXECUTABLE))
    {
      static const char * const answers[] = { "o", "d" };

      for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
        {
          g_auto(Run) prompted = { 0 };
          g_autofree char *host = g_strdup_printf ("host:       %s:%u", address, test_server_get_port (other));

          g_free (script);
          script = g_strdup_printf ("printf '%s\\n' | script -qec '\"$P\" run -- python3 -c \"%s\" %s' /dev/null",
                                    answers[i], "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=20)",
                                    other_url);
          shell (&prompted, script);
          g_assert_cmpint (prompted.status, !=, 0);
          g_assert_nonnull (strstr (prompted.out, "Paddock asks before the command reaches this host"));
          g_assert_nonnull (strstr (prompted.out, host));
          g_assert_nonnull (strstr (prompted.out, i == 0 ? "leads only to addresses no sandbox may reach" : "a person denied it"));
        }
      g_clear_pointer (&script, g_free);
    }

  script = g_strdup_printf ("setsid -w \"$P\" run --allow-domain %s:%u -- python3 -c '%s' %s", address,
                            test_server_get_port (other), FETCH, other_url);
  shell (&granted, script);
  g_assert_cmpint (granted.status, ==, 0);
  g_assert_cmpstr (granted.out, ==, "hello");
  g_clear_pointer (&script, g_free);

  script = g_strdup_printf ("setsid -w \"$P\" run --network off -- python3 -c '%s' %s", FETCH, allowed_url);
  shell (&off, script);
  g_assert_cmpint (off.status, !=, 0);
  g_assert_null (strstr (off.out, "hello"));
  g_assert_cmpuint (test_server_get_n_accepted (allowed), ==, 1);
#undef FETCH

  /* Each decision is in the audit store, with its layer, and never the
   * URL's path (the command's own argv holds it, as typed). */
  {
    g_autoptr(GPtrArray) events = audit_events ("--since 1h");
    g_autofree char *allowed_port = g_strdup_printf ("%u", test_server_get_port (allowed));
    gboolean saw_allow = FALSE, saw_deny = FALSE;

    for (guint i = 0; i < events->len; i++)
      {
        JsonNode *event = g_ptr_array_index (events, i);
        g_autofree char *text = json_to_string (event, FALSE);
        JsonObject *attributes = json_object_get_object_member (json_node_get_object (event), "attributes");

        if (g_strcmp0 (json_object_get_string_member (json_node_get_object (event), "name"),
                       "paddock.network_decision") != 0)
          continue;
        g_assert_null (strstr (text, "/page"));
        if (g_strcmp0 (attribute (event, "host"), address) != 0)
          continue;
        if (g_str_equal (attribute (event, "decision"), "allow") &&
            json_object_get_int_member (attributes, "port") == atoi (allowed_port))
          saw_allow = g_str_equal (attribute (event, "layer"), "user");
        if (g_str_equal (attribute (event, "decision"), "deny"))
          saw_deny = TRUE;
      }
    g_assert_true (saw_allow);
    g_assert_true (saw_deny);
  }

  g_unlink (policy);
}

/* --- the audit store ------------------------------------------------ */

/* The events `paddockctl audit list --json` prints, for @filter_args. */
static GPtrArray *
audit_events (const char *filter_args)
{
  g_autofree char *script = g_strdup_printf ("\"$P\" audit list --json --limit 0 %s", filter_args);
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_auto(GStrv) lines = NULL;
  g_auto(Run) run = { 0 };

  shell (&run, script);
  g_assert_cmpint (run.status, ==, 0);
  lines = g_strsplit (run.out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      {
        g_autoptr(GError) error = NULL;
        JsonNode *node = json_from_string (lines[i], &error);

        g_assert_no_error (error);
        g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
        g_ptr_array_add (events, node);
      }
  return g_steal_pointer (&events);
}

static const char *
attribute (JsonNode   *event,
           const char *name)
{
  JsonObject *attributes = json_object_get_object_member (json_node_get_object (event), "attributes");

  return json_object_get_string_member_with_default (attributes, name, NULL);
}

static const char *
event_name (JsonNode *event)
{
  return json_object_get_string_member (json_node_get_object (event), "name");
}

/* Every run is a session in the store: who decided (layer, source, rule,
 * approver) and what came of it, linked by call.id; and the store is
 * what `audit list|show|export` read, with their filters. */
static void
test_audit_records (void)
{
  g_autofree char *policy = write_run_policy ();
  g_autofree char *session_filter = NULL;
  g_autofree char *show = NULL;
  g_autoptr(GPtrArray) before = audit_events ("");
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) session = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_auto(Run) denied = { 0 };
  g_auto(Run) ran = { 0 };
  g_auto(Run) shown = { 0 };
  g_auto(Run) jsonl = { 0 };
  g_auto(Run) otlp = { 0 };
  JsonNode *deny, *allow, *result;
  guint n;

  shell (&denied, "setsid -w \"$P\" run -- rm -f x");
  g_assert_cmpint (denied.status, ==, 126);
  shell (&ran, "setsid -w \"$P\" run -- sh -c 'exit 7'");
  g_assert_cmpint (ran.status, ==, 7);

  events = audit_events ("--workspace . --since 1h");
  n = events->len;
  g_assert_cmpuint (n, >=, before->len + 5);
  /* denied run: session_start, tool_decision; the other: session_start,
   * tool_decision, tool_result */
  deny = g_ptr_array_index (events, n - 4);
  allow = g_ptr_array_index (events, n - 2);
  result = g_ptr_array_index (events, n - 1);
  g_assert_cmpstr (event_name (g_ptr_array_index (events, n - 5)), ==, "paddock.session_start");
  g_assert_cmpstr (event_name (deny), ==, "paddock.tool_decision");
  g_assert_cmpstr (attribute (deny, "decision"), ==, "deny");
  g_assert_cmpstr (attribute (deny, "approver"), ==, "policy");
  g_assert_cmpstr (attribute (deny, "layer"), ==, "user");
  g_assert_true (g_str_has_prefix (attribute (deny, "source"), policy));
  g_assert_cmpstr (attribute (deny, "reason"), ==, "nothing is deleted here");
  g_assert_cmpstr (event_name (g_ptr_array_index (events, n - 3)), ==, "paddock.session_start");
  g_assert_cmpstr (attribute (allow, "decision"), ==, "allow");
  g_assert_cmpstr (event_name (result), ==, "paddock.tool_result");
  g_assert_cmpstr (attribute (result, "call.id"), ==, attribute (allow, "call.id"));
  g_assert_cmpstr (attribute (result, "session.id"), ==, attribute (allow, "session.id"));
  g_assert_cmpstr (attribute (result, "session.id"), !=, attribute (deny, "session.id"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (json_node_get_object (result),
                                                                              "attributes"), "exit_code"), ==, 7);
  g_assert_nonnull (attribute (result, "user.id"));
  g_assert_nonnull (attribute (result, "app.version"));
  g_assert_nonnull (attribute (result, "workspace.id"));

  /* Filters: one session; a window in the past holds none of it. */
  session_filter = g_strdup_printf ("--session %s", attribute (result, "session.id"));
  session = audit_events (session_filter);
  g_assert_cmpuint (session->len, ==, 3);
  none = audit_events ("--until 2000-01-01");
  g_assert_cmpuint (none->len, ==, 0);

  show = g_strdup_printf ("\"$P\" audit show %" G_GINT64_FORMAT,
                          json_object_get_int_member (json_node_get_object (deny), "id"));
  shell (&shown, show);
  g_assert_cmpint (shown.status, ==, 0);
  g_assert_nonnull (strstr (shown.out, "paddock.tool_decision"));
  g_assert_nonnull (strstr (shown.out, "nothing is deleted here"));

  /* A file the host runs later is recorded as what the sandbox found. */
  {
    g_autofree char *makefile = g_build_filename (workspace, "Makefile", NULL);
    g_auto(Run) hazard = { 0 };
    g_autoptr(GPtrArray) after = NULL;
    JsonNode *last;

    shell (&hazard, "setsid -w \"$P\" run -- sh -c 'echo all: > Makefile'");
    g_assert_cmpint (hazard.status, ==, 0);
    after = audit_events ("--workspace .");
    last = g_ptr_array_index (after, after->len - 1);
    g_assert_cmpstr (event_name (last), ==, "paddock.sandbox_violation");
    g_assert_cmpstr (attribute (last, "violation"), ==, "host-execution-hazard");
    g_assert_nonnull (strstr (attribute (last, "finding"), "Makefile"));
    g_assert_cmpstr (attribute (last, "call.id"), ==, attribute (g_ptr_array_index (after, after->len - 2), "call.id"));
    n = after->len;
    g_unlink (makefile);
  }

  shell (&jsonl, "\"$P\" audit export --workspace . | wc -l");
  g_assert_cmpint (atoi (jsonl.out), ==, (int) n);
  shell (&otlp, "\"$P\" audit export --format otlp --since 1h");
  g_assert_cmpint (otlp.status, ==, 0);
  g_assert_nonnull (strstr (otlp.out, "\"resourceLogs\""));
  g_assert_nonnull (strstr (otlp.out, "\"eventName\":\"paddock.tool_result\""));

  g_unlink (policy);
}

/* No store, no run: a state folder that cannot hold the store, or a
 * disk that fills, refuses the command instead of running it
 * unrecorded; and the store is hidden from the sandbox. */
static void
test_audit_fail_closed (void)
{
  g_autofree char *state_file = test_write_file (base, "state-is-a-file", "");
  g_autofree char *script = g_strdup_printf ("XDG_STATE_HOME=%s setsid -w \"$P\" run -- sh -c 'echo x > marker'",
                                             state_file);
  g_autofree char *marker = g_build_filename (workspace, "marker", NULL);
  g_autofree char *store = g_build_filename (base, ".local", "state", "paddock", "audit.sqlite", NULL);
  g_autofree char *read_store = g_strdup_printf ("setsid -w \"$P\" run -- sh -c 'cat %s | head -c 15'", store);
  g_autofree char *list_state = g_strdup_printf ("setsid -w \"$P\" run -- ls %s/.local/state", base);
  g_auto(Run) unwritable = { 0 };
  g_auto(Run) full = { 0 };
  g_auto(Run) control = { 0 };
  g_auto(Run) peek = { 0 };
  g_auto(Run) listed = { 0 };

  shell (&unwritable, script);
  g_assert_cmpint (unwritable.status, ==, 2);
  g_assert_nonnull (strstr (unwritable.err, "nothing runs unrecorded"));
  g_assert_nonnull (strstr (unwritable.err, state_file));
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));

  /* A full disk, as a file size limit makes it: SQLite's writes fail. */
  shell (&full, "ulimit -f 1; trap '' XFSZ; setsid -w \"$P\" run -- sh -c 'echo x > marker'");
  g_assert_cmpint (full.status, ==, 2);
  g_assert_nonnull (strstr (full.err, "nothing runs unrecorded"));
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));

  /* The control: with room again, the same command runs. */
  shell (&control, "setsid -w \"$P\" run -- sh -c 'echo x > marker'");
  g_assert_cmpint (control.status, ==, 0);
  g_assert_true (g_file_test (marker, G_FILE_TEST_EXISTS));
  g_unlink (marker);

  /* Inside the sandbox, the store cannot be read; its folder is seen. */
  g_assert_true (g_file_test (store, G_FILE_TEST_EXISTS));
  shell (&peek, read_store);
  g_assert_null (strstr (peek.out, "SQLite format"));
  shell (&listed, list_state);
  g_assert_cmpint (listed.status, ==, 0);
  g_assert_nonnull (strstr (listed.out, "paddock"));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_assert_nonnull (g_getenv ("PADDOCKCTL"));
  base = g_dir_make_tmp ("paddock-cli-XXXXXX", NULL);
  sysconfdir = g_build_filename (base, "etc", NULL);
  workspace = g_build_filename (base, "project", NULL);
  g_assert_cmpint (g_mkdir_with_parents (sysconfdir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (workspace, 0700), ==, 0);
  runtime_dir = g_build_filename (base, "runtime", NULL);
  g_assert_cmpint (g_mkdir_with_parents (runtime_dir, 0700), ==, 0);

  g_test_add_func ("/cli/check/json-contract", test_check_json_contract);
  g_test_add_func ("/cli/check/exit-status-and-text", test_check_exit_status_and_text);
  g_test_add_func ("/cli/check/bad-input", test_check_bad_input);
  g_test_add_func ("/cli/check/only", test_check_only);
  g_test_add_func ("/cli/check/cwd-and-actions", test_check_cwd_and_actions);
  g_test_add_func ("/cli/managed-layer", test_managed_layer_and_locked_mode);
  g_test_add_func ("/cli/policy/show-text", test_policy_show_text);
  g_test_add_func ("/cli/policy/lint", test_policy_lint);
  g_test_add_func ("/cli/workspace/trust", test_workspace_trust);
  g_test_add_func ("/cli/dconf-locks", test_dconf_locks);
  g_test_add_func ("/cli/policy/refresh", test_policy_refresh);
  g_test_add_func ("/cli/run/denied", test_run_denied);
  g_test_add_func ("/cli/run/prompt-without-terminal", test_run_prompt_without_terminal);
  g_test_add_func ("/cli/run/prompt-on-terminal", test_run_prompt_on_terminal);
  g_test_add_func ("/cli/run/network", test_run_network);
  g_test_add_func ("/cli/audit/records", test_audit_records);
  g_test_add_func ("/cli/audit/fail-closed", test_audit_fail_closed);

  status = g_test_run ();
  test_remove_tree (base);
  return status;
}
