/* test-mcp-gateway.c: the MCP servers a workspace's policy names, used by
 * an MCP client from the official TypeScript SDK through `paddockctl
 * mcp`: one the SDK serves on stdio, which Paddock starts in the
 * sandbox, and one over streamable HTTP, reached through the proxy with
 * the login a real keyring holds for it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "paddock-accounts.h"
#include "test-proxy-util.h"
#include "test-util.h"

#define SECRET "SECRET-KEY-9a77"
#define TOKEN "mcp-access-token-41f0c2"
#define ISSUER "https://issuer.example.test"

typedef struct
{
  GSubprocess *process;
  GDataInputStream *output;
  char *url;
} Remote;

/* The HTTP server, listening on @address. */
static void
remote_start (Remote     *remote,
              const char *address,
              const char *modules)
{
  /* Its stdin is ours: it ends when this test does, however it ends. */
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "mcp", "http-upstream.mjs", NULL);
  g_autofree char *sdk = g_build_filename (modules, "@modelcontextprotocol", "sdk", "dist", "esm", NULL);
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) port = NULL;

  g_subprocess_launcher_setenv (launcher, "MCP_SDK", sdk, TRUE);
  g_subprocess_launcher_setenv (launcher, "MCP_MODULES", modules, TRUE);
  g_subprocess_launcher_setenv (launcher, "MCP_TOKEN", TOKEN, TRUE);
  g_subprocess_launcher_setenv (launcher, "MCP_BIND", address, TRUE);
  g_subprocess_launcher_setenv (launcher, "MCP_EXPIRE_ONCE", "1", TRUE);
  remote->process = g_subprocess_launcher_spawn (launcher, &error, "node", script, NULL);
  g_assert_no_error (error);
  remote->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (remote->process));
  line = g_data_input_stream_read_line_utf8 (remote->output, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  port = json_from_string (line, &error);
  g_assert_no_error (error);
  remote->url = g_strdup_printf ("http://%s:%" G_GINT64_FORMAT "/mcp", address,
                                 json_object_get_int_member (json_node_get_object (port), "port"));
}

static void
remote_stop (Remote *remote)
{
  if (remote->process != NULL)
    g_subprocess_force_exit (remote->process);
  g_clear_object (&remote->output);
  g_clear_object (&remote->process);
  g_free (remote->url);
}

/* The remote's login in the keychain, as `paddockctl login --mcp-server`
 * keeps it. */
static void
save_login (const char *url)
{
  g_autofree char *access = g_strdup (TOKEN);
  /* Kept, not read again: the login's claims are kept beside it. */
  g_autofree char *id_token = g_strdup ("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0ZXIifQ.");
  PaddockTokens tokens = { access, NULL, id_token, g_get_real_time () / G_USEC_PER_SEC + 3600, json_object_new () };
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockLogin) login = NULL;

  json_object_set_string_member (tokens.claims, "sub", "tester");
  login = paddock_accounts_save (ISSUER, "paddock-test", url, &tokens, &error);
  g_assert_no_error (error);
  g_assert_nonnull (login);
  json_object_unref (tokens.claims);
}

static void
test_gateway (void)
{
  const char *modules = g_getenv ("PADDOCK_MCP_MODULES");
  g_autofree char *base = test_make_dir ("mcp-gateway");
  g_autofree char *project = g_build_filename (base, "project", NULL);
  g_autofree char *ssh = g_build_filename (base, ".ssh", NULL);
  g_autofree char *secret = NULL;
  /* Not under /tmp, which is the sandbox's own: a folder it sees, read-only. */
  g_autofree char *outside_dir = g_mkdtemp (g_build_filename (getpwuid (getuid ())->pw_dir,
                                                              "paddock-gateway-XXXXXX", NULL));
  g_autofree char *outside = g_build_filename (outside_dir, "outside.txt", NULL);
  g_autofree char *address = test_host_address ();
  g_autofree char *sdk = NULL, *policy = NULL, *script = NULL, *copy = NULL, *why = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *calls = NULL, *decisions = NULL, *hosts = NULL, *refused = NULL, *expected_host = NULL;
  g_autofree char *expired = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) client = NULL;
  g_autoptr(GHashTable) steps = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = NULL;
  g_autofree char *tools = NULL;
  Remote remote = { NULL };

  if (!test_sandbox_usable (&why))
    {
      g_test_skip (why);
      return;
    }
  if (modules == NULL || !g_file_test (modules, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("the MCP SDK is not installed: run scripts/test.sh");
      return;
    }
  if (address == NULL)
    {
      g_test_skip ("no address but loopback, which the proxy never dials");
      return;
    }
  g_assert_nonnull (outside_dir);

  env = test_environment (base);
  secret = test_write_file (ssh, "id_test", SECRET "\n");
  g_free (test_write_file (project, "README", "the project's readme\n"));
  /* The stdio server runs in the sandbox, which sees the workspace: it
   * goes there, with the SDK. */
  script = g_test_build_filename (G_TEST_DIST, "mcp", "upstream.mjs", NULL);
  copy = g_build_filename (project, "upstream.mjs", NULL);
  {
    g_autofree char *node_modules = g_build_filename (project, "node_modules", NULL);
    const char *cp[] = { "cp", "-r", modules, node_modules, NULL };
    const char *cp_script[] = { "cp", script, copy, NULL };
    int status;

    g_assert_true (g_spawn_sync (NULL, (char **) cp, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status,
                                 NULL) && g_spawn_check_wait_status (status, NULL));
    g_assert_true (g_spawn_sync (NULL, (char **) cp_script, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                                 &status, NULL) && g_spawn_check_wait_status (status, NULL));
  }

  remote_start (&remote, address, modules);
  save_login (remote.url);
  {
    g_autoptr(GUri) uri = g_uri_parse (remote.url, G_URI_FLAGS_NONE, NULL);

    policy = g_strdup_printf ("{\"mcp\": {\"servers\": {\"local\": {\"command\": [\"node\", \"upstream.mjs\"]},\n"
                              "                     \"remote\": {\"url\": \"%s\"},\n"
                              "                     \"banned\": {\"command\": [\"node\", \"upstream.mjs\"]}},\n"
                              "         \"allow\": [\"local/echo\", \"local/peek\", \"remote\"],\n"
                              "         \"deny\": [\"local/danger\", \"banned\"]},\n"
                              " \"network\": {\"allow\": [\"%s:%d\"]}}\n",
                              remote.url, g_uri_get_host (uri), g_uri_get_port (uri));
  }
  g_free (test_write_file (base, "config/paddock/policy.json", policy));

  sdk = g_build_filename (modules, "@modelcontextprotocol", "sdk", "dist", "esm", NULL);
  env = g_environ_setenv (env, "MCP_SDK", sdk, TRUE);
  env = g_environ_setenv (env, "MCP_WORKSPACE", project, TRUE);
  env = g_environ_setenv (env, "MCP_SECRET", secret, TRUE);
  env = g_environ_setenv (env, "MCP_OUTSIDE", outside, TRUE);
  env = g_environ_setenv (env, "MCP_REMOTE_URL", remote.url, TRUE);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_environ (launcher, env);
  {
    g_autofree char *client_script = g_test_build_filename (G_TEST_DIST, "mcp", "gateway-client.mjs", NULL);

    /* setsid: no terminal, so nobody is asked and what asks is denied. */
    client = g_subprocess_launcher_spawn (launcher, &error, "setsid", "-w", "node", client_script, NULL);
  }
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (client, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_test_message ("out: %s\nerr: %s", out, err);
  g_assert_true (g_subprocess_get_if_exited (client) && g_subprocess_get_exit_status (client) == 0);

  steps = test_steps_parse (out);

  /* Listed: Paddock's own tools, and the servers' tools it does not
   * forbid. */
  {
    g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (),
                                                     json_object_get_array_member (test_step (steps, "tools"), "tools"));
    tools = json_to_string (node, FALSE);
  }
  g_assert_nonnull (strstr (tools, "\"exec\""));
  g_assert_nonnull (strstr (tools, "\"local__echo\""));
  g_assert_nonnull (strstr (tools, "\"local__peek\""));
  g_assert_nonnull (strstr (tools, "\"remote__remote_echo\""));
  g_assert_nonnull (strstr (tools, "[local, through Paddock] Say it back"));
  g_assert_null (strstr (tools, "banned__"));
  g_assert_null (strstr (tools, "local__danger"));
  g_assert_nonnull (strstr (err, "banned: forbidden by the user layer"));

  /* The stdio server answers, from inside the sandbox: the hidden key
   * and the folder outside are refused it, the workspace (the control)
   * is not. */
  g_assert_false (json_object_get_boolean_member (test_step (steps, "echo"), "isError"));
  g_assert_cmpstr (json_object_get_string_member (test_step (steps, "echo"), "text"), ==, "echo: hi");
  g_assert_cmpstr (json_object_get_string_member (test_step (steps, "peek"), "text"), ==,
                   "read secret: EACCES\nwrite outside: EROFS\nread inside: ok");
  g_assert_false (g_file_test (outside, G_FILE_TEST_EXISTS));

  /* Refused by the policy, with the layer and the rule; it never ran. */
  g_assert_true (json_object_get_boolean_member (test_step (steps, "danger"), "isError"));
  g_assert_nonnull (strstr (json_object_get_string_member (test_step (steps, "danger"), "text"), "mcp.deny"));
  g_assert_nonnull (strstr (json_object_get_string_member (test_step (steps, "danger"), "text"), "user layer"));
  {
    g_autofree char *marker = g_build_filename (project, "danger-ran.txt", NULL);
    g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
  }
  g_assert_true (json_object_get_boolean_member (test_step (steps, "banned"), "isError"));
  g_assert_nonnull (strstr (json_object_get_string_member (test_step (steps, "banned"), "text"), "mcp.deny"));

  /* The HTTP server, through the proxy, with the keychain's token: told
   * once that it expired, Paddock reads the login again and asks again. */
  g_assert_false (json_object_get_boolean_member (test_step (steps, "remote"), "isError"));
  g_assert_cmpstr (json_object_get_string_member (test_step (steps, "remote"), "text"), ==, "remote: hi (authorized)");
  expired = g_data_input_stream_read_line_utf8 (remote.output, NULL, NULL, NULL);
  g_assert_cmpstr (expired, ==, "{\"refused\":\"expired\"}");

  /* Another program at the loopback port the HTTP client reaches the
   * proxy by is turned away without an answer; Paddock's own client got
   * through it (the control, above). */
  {
    JsonObject *foreign = test_step (steps, "foreign");
    JsonArray *answers = json_object_get_array_member (foreign, "answers");

    g_assert_cmpint (json_object_get_int_member (foreign, "ports"), ==, 1);
    g_assert_cmpstr (json_array_get_string_element (answers, 0), ==, "");
  }

  /* On record: each call with its server, the decisions, the host. */
  calls = test_store_query (base, "SELECT group_concat(json_extract(attributes, '$.\"mcp.server\"') || '/' || "
                                  "json_extract(attributes, '$.\"mcp.tool\"'), ' ') FROM events "
                                  "WHERE name = 'paddock.mcp_call' AND "
                                  "json_extract(attributes, '$.\"mcp.client.name\"') = 'gateway-test-client'");
  g_assert_cmpstr (calls, ==, "local/echo local/peek local/danger remote/remote_echo banned/echo");
  decisions = test_store_query (base, "SELECT group_concat(json_extract(attributes, '$.\"policy.verdict\"'), ' ') FROM events "
                                      "WHERE name = 'paddock.tool_decision' AND "
                                      "json_extract(attributes, '$.\"action.kind\"') = 'mcp'");
  g_test_message ("decisions: %s", decisions);
  g_assert_cmpstr (decisions, ==, "allow allow forbidden allow forbidden");
  expected_host = g_strdup_printf ("%s allow", address);
  /* One decision a connection; the same each time. */
  hosts = test_store_query (base, "SELECT group_concat(DISTINCT json_extract(attributes, '$.host') || ' ' || "
                                  "json_extract(attributes, '$.decision')) FROM events "
                                  "WHERE name = 'paddock.network_decision'");
  g_assert_cmpstr (hosts, ==, expected_host);

  /* The token went to the server, and nowhere else: no file, no store. */
  g_assert_false (test_tree_contains (base, TOKEN));

  {
    /* The control for the bearer: the same server refuses a request
     * without it. */
    g_autofree char *curl_out = NULL;
    const char *curl[] = { "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H",
                           "Content-Type: application/json", "-d", "{}", remote.url, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) curl, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &curl_out, NULL, NULL,
                                 NULL));
    g_assert_cmpstr (curl_out, ==, "401");
    refused = g_data_input_stream_read_line_utf8 (remote.output, NULL, NULL, NULL);
    g_assert_cmpstr (refused, ==, "{\"refused\":\"no token\"}");
  }

  remote_stop (&remote);
  test_remove_tree (outside_dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mcp/gateway", test_gateway);

  return g_test_run ();
}
