/* test-mcp.c: `paddockctl mcp` driven by the official MCP TypeScript SDK
 * (tests/mcp/client.mjs), with approvals answered through a stand-in
 * app's broker on a private session bus, every refusal beside a control
 * that goes through; and the raw protocol's errors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "paddock-broker-client.h"
#include "paddock-dbus-broker.h"
#include "test-collector.h"
#include "test-proxy-util.h"
#include "test-util.h"

#define SECRET "SECRET-KEY-5e1d"

static char *base;
static char *project;

static void
setup_files (void)
{
  static const char * const dirs[] = { "config/paddock", "state", "cache", "runtime", "etc", ".ssh",
                                       "project/.git", "project/notes" };
  g_autofree char *ssh = NULL;
  g_autofree char *link = NULL;

  base = test_make_dir ("mcp");
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = g_build_filename (base, dirs[i], NULL);
      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
    }
  project = g_build_filename (base, "project", NULL);
  g_free (test_write_file (project, "README", "the project's readme\n"));
  g_free (test_write_file (project, ".git/config", "[core]\n\tbare = false\n"));
  ssh = g_build_filename (base, ".ssh", NULL);
  g_free (test_write_file (ssh, "id_test", SECRET "\n"));
  link = g_build_filename (project, "innocent-link", NULL);
  g_assert_cmpint (symlink ("../.ssh/id_test", link), ==, 0);
}

/* The user's policy: curl forbidden, touch asks, one host allowed
 * (@allowed, "ADDRESS:PORT", or none), one denied. */
static void
write_policy (const char *allowed)
{
  g_autofree char *json = g_strdup_printf (
    "{\"commands\": [\n"
    "  {\"match\": [\"curl\"], \"decision\": \"forbidden\", \"reason\": \"no downloads from agents\"},\n"
    "  {\"match\": [\"touch\"], \"decision\": \"prompt\", \"reason\": \"asks first\"}\n"
    "],\n"
    " \"network\": {\"allow\": [%s%s%s], \"deny\": [\"denied.example.test\"]}}\n",
    allowed ? "\"" : "", allowed ? allowed : "", allowed ? "\"" : "");

  g_free (test_write_file (base, "config/paddock/policy.json", json));
}

/* --- the stand-in app ---------------------------------------------------- */

typedef struct
{
  GDBusConnection *connection;
  PaddockDBusBroker *skeleton;
  GPtrArray *asked;         /* subjects */
  GPtrArray *held;          /* invocations left unanswered */
} Broker;

/* Allows what names "approve-me", leaves "hold-me" waiting, denies the
 * rest. */
static gboolean
on_handle_ask (PaddockDBusBroker     *skeleton,
               GDBusMethodInvocation *invocation,
               GVariant              *variant,
               Broker                *broker)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockApprovalRequest) request = paddock_approval_request_new_from_variant (variant, &error);
  g_autofree char *subject = NULL;

  g_assert_no_error (error);
  subject = paddock_approval_request_dup_subject (request);
  g_ptr_array_add (broker->asked, g_strdup (subject));
  if (strstr (subject, "hold-me") != NULL)
    {
      g_ptr_array_add (broker->held, g_object_ref (invocation));
      return TRUE;
    }
  paddock_dbus_broker_complete_ask (skeleton, invocation, strstr (subject, "approve-me") ? "once" : "deny",
                                    "tester");
  return TRUE;
}

static void
broker_start (Broker *broker)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  broker->asked = g_ptr_array_new_with_free_func (g_free);
  broker->held = g_ptr_array_new_with_free_func (g_object_unref);
  broker->connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  broker->skeleton = paddock_dbus_broker_skeleton_new ();
  g_signal_connect (broker->skeleton, "handle-ask", G_CALLBACK (on_handle_ask), broker);
  g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (broker->skeleton), broker->connection,
                                    PADDOCK_BROKER_OBJECT_PATH, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (broker->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", paddock_broker_get_bus_name (), 4),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

static void
broker_stop (Broker *broker)
{
  for (guint i = 0; i < broker->held->len; i++)
    paddock_dbus_broker_complete_ask (broker->skeleton, g_ptr_array_index (broker->held, i), "deny", "tester");
  g_clear_pointer (&broker->held, g_ptr_array_unref);
  g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (broker->skeleton));
  g_clear_object (&broker->skeleton);
  g_clear_object (&broker->connection);
  g_clear_pointer (&broker->asked, g_ptr_array_unref);
}

/* --- the SDK's client ------------------------------------------------------ */

typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
} Wait;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static const char *
text_of (GHashTable *steps,
         const char *name)
{
  JsonObject *object = test_step (steps, name);

  g_test_message ("%s: %s", name, json_object_get_string_member_with_default (object, "text", "(no text)"));
  return json_object_get_string_member_with_default (object, "text", "");
}

static gboolean
is_error (GHashTable *steps,
          const char *name)
{
  return json_object_get_boolean_member_with_default (test_step (steps, name), "isError", FALSE);
}

static gint64
count_events (const char *sql)
{
  g_autofree char *count = test_store_query (base, sql);

  return count ? g_ascii_strtoll (count, NULL, 10) : -1;
}

static gboolean
file_exists (const char *name)
{
  g_autofree char *path = g_build_filename (project, name, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static void
test_sdk (void)
{
  g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) client = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GHashTable) steps = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "mcp", "client.mjs", NULL);
  g_autofree char *sdk = g_build_filename (g_getenv ("PADDOCK_MCP_MODULES"), "@modelcontextprotocol", "sdk", "dist",
                                           "esm", NULL);
  g_autofree char *outside = g_build_filename (base, "outside.txt", NULL);
  g_autofree char *out = NULL;
  g_autofree char *written = NULL;
  g_autofree char *git_config = NULL;
  g_auto(GStrv) env = NULL;
  g_autofree char *why = NULL;
  g_autofree char *address = test_host_address ();
  g_autoptr(TestServer) server = NULL;
  g_autoptr(TestCollector) collector = test_collector_new (0);
  g_autofree char *collector_url = test_collector_dup_url (collector);
  Broker broker = { NULL };
  Wait wait = { loop, NULL };
  JsonObject *object;
  JsonArray *tools;

  if (!test_sandbox_usable (&why))
    {
      g_test_skip (why);
      return;
    }
  g_test_dbus_up (bus);
  broker_start (&broker);

  env = test_environment (base);
  /* A host that looks remote, allowed; without one only the denial is tried. */
  if (address != NULL)
    {
      g_autofree char *allowed = NULL;
      g_autofree char *url = NULL;

      server = test_server_new (TEST_SERVER_HTTP, address, 0);
      allowed = g_strdup_printf ("%s:%u", address, test_server_get_port (server));
      url = g_strdup_printf ("http://%s/page", allowed);
      write_policy (allowed);
      env = g_environ_setenv (env, "MCP_ALLOWED_URL", url, TRUE);
    }
  else
    write_policy (NULL);
  env = g_environ_setenv (env, "MCP_SDK", sdk, TRUE);
  env = g_environ_setenv (env, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", collector_url, TRUE);
  env = g_environ_setenv (env, "MCP_WORKSPACE", project, TRUE);
  env = g_environ_setenv (env, "MCP_OUTSIDE", outside, TRUE);
  g_subprocess_launcher_set_environ (launcher, env);
  /* setsid: no terminal, so only the app can say yes. */
  client = g_subprocess_launcher_spawn (launcher, &error, "setsid", "-w", "node", script, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (client, NULL, NULL, on_done, &wait);
  g_main_loop_run (loop);
  result = wait.result;
  g_subprocess_communicate_utf8_finish (client, result, &out, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("%s", out);
  g_assert_true (g_subprocess_get_if_exited (client) && g_subprocess_get_exit_status (client) == 0);

  steps = test_steps_parse (out);

  object = test_step (steps, "initialize");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "server"), "name"), ==,
                   "paddock");
  tools = json_object_get_array_member (test_step (steps, "tools"), "tools");
  g_assert_cmpuint (json_array_get_length (tools), ==, 6);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (tools, 0), "name"), ==, "exec");
  g_assert_nonnull (strstr (json_object_get_string_member (json_array_get_object_element (tools, 0), "description"),
                            "sandbox (mode workspace-write)"));

  /* Commands: allowed, failing, forbidden, approved, denied. */
  g_assert_false (is_error (steps, "exec-allowed"));
  g_assert_nonnull (strstr (text_of (steps, "exec-allowed"), "hello from the sandbox"));
  g_assert_cmpint (json_object_get_int_member (test_step (steps, "exec-allowed"), "progress"), >, 0);
  g_assert_true (is_error (steps, "exec-script"));
  g_assert_nonnull (strstr (text_of (steps, "exec-script"), "exit code 3\none\ntwo"));
  g_assert_true (is_error (steps, "exec-forbidden"));
  g_assert_nonnull (strstr (text_of (steps, "exec-forbidden"), "the policy forbids it. Decided by the user layer ("));
  g_assert_nonnull (strstr (text_of (steps, "exec-forbidden"), "policy.json:2:3), rule"));
  g_assert_nonnull (strstr (text_of (steps, "exec-forbidden"), "no downloads from agents"));
  g_assert_false (is_error (steps, "exec-approved"));
  g_assert_true (file_exists ("approve-me.txt"));
  g_assert_true (is_error (steps, "exec-denied"));
  g_assert_nonnull (strstr (text_of (steps, "exec-denied"), "touch deny-me.txt: denied"));
  g_assert_false (file_exists ("deny-me.txt"));
  g_assert_cmpuint (broker.asked->len, >=, 3);
  /* Given up by the client while the app still asked: withdrawn, on
   * record, and not run. */
  g_assert_true (json_object_get_boolean_member (test_step (steps, "withdrawn"), "thrown"));
  g_assert_false (file_exists ("hold-me.txt"));
  g_assert_cmpint (count_events ("SELECT count(*) FROM events WHERE name = 'paddock.tool_decision' AND "
                                 "json_extract(attributes, '$.answered_by') = 'withdrawn'"), ==, 1);

  /* Writes: a new file (the control), a protected name, outside. */
  g_assert_false (is_error (steps, "write-allowed"));
  g_assert_true (g_file_get_contents (g_build_filename (project, "notes", "new.txt", NULL), &written, NULL, NULL));
  g_assert_cmpstr (written, ==, "written through MCP\n");
  g_assert_true (is_error (steps, "write-protected"));
  g_assert_nonnull (strstr (text_of (steps, "write-protected"), "sandbox.protected"));
  g_assert_true (g_file_get_contents (g_build_filename (project, ".git", "config", NULL), &git_config, NULL, NULL));
  g_assert_cmpstr (git_config, ==, "[core]\n\tbare = false\n");
  g_assert_true (is_error (steps, "write-outside"));
  g_assert_false (g_file_test (outside, G_FILE_TEST_EXISTS));

  /* Reads: the readme (the control), a hidden key, a link to it. */
  g_assert_false (is_error (steps, "read-allowed"));
  g_assert_cmpstr (text_of (steps, "read-allowed"), ==, "the project's readme\n");
  g_assert_true (is_error (steps, "read-hidden"));
  g_assert_null (strstr (text_of (steps, "read-hidden"), SECRET));
  g_assert_nonnull (strstr (text_of (steps, "read-hidden"), "layer"));
  g_assert_true (is_error (steps, "read-link-to-hidden"));
  g_assert_null (strstr (text_of (steps, "read-link-to-hidden"), SECRET));
  g_assert_nonnull (strstr (text_of (steps, "list"), "README\t"));

  /* Patches: one that applies (the control), one that touches a
   * protected name beside an allowed file (nothing changes), one made
   * from text the file does not hold. */
  {
    g_autofree char *readme = NULL;
    g_autofree char *added = NULL;
    g_autofree char *config = NULL;

    g_assert_false (is_error (steps, "patch-allowed"));
    g_assert_true (is_error (steps, "patch-protected"));
    g_assert_nonnull (strstr (text_of (steps, "patch-protected"), "sandbox.protected"));
    g_assert_true (is_error (steps, "patch-mismatch"));
    g_assert_nonnull (strstr (text_of (steps, "patch-mismatch"), "hunk 1 of README does not apply"));
    g_assert_true (g_file_get_contents (g_build_filename (project, "README", NULL), &readme, NULL, NULL));
    g_assert_cmpstr (readme, ==, "the project's README, patched\nby an agent\n");
    g_assert_true (g_file_get_contents (g_build_filename (project, "notes", "added.txt", NULL), &added, NULL, NULL));
    g_assert_cmpstr (added, ==, "added by a patch\n");
    g_assert_true (g_file_get_contents (g_build_filename (project, ".git", "config", NULL), &config, NULL, NULL));
    g_assert_null (strstr (config, "hooksPath"));
  }

  /* Fetches: an allowed host (through the proxy, in the sandbox), a
   * denied one, refused with its rule before anything is dialled. */
  if (server != NULL)
    {
      g_assert_false (is_error (steps, "fetch-allowed"));
      g_assert_nonnull (strstr (text_of (steps, "fetch-allowed"), "hello"));
      g_assert_cmpuint (test_server_get_n_accepted (server), ==, 1);
    }
  else
    g_test_message ("no address but loopback: the allowed fetch is not tried");
  g_assert_true (is_error (steps, "fetch-denied"));
  g_assert_nonnull (strstr (text_of (steps, "fetch-denied"), "denied.example.test:80"));
  g_assert_nonnull (strstr (text_of (steps, "fetch-denied"), "the user layer"));

  /* The protocol's own refusals. */
  g_assert_true (json_object_get_boolean_member (test_step (steps, "unknown-tool"), "thrown"));
  g_assert_cmpint (json_object_get_int_member (test_step (steps, "unknown-tool"), "code"), ==, -32602);
  g_assert_true (is_error (steps, "bad-arguments"));
  g_assert_nonnull (strstr (text_of (steps, "bad-arguments"), "non-empty list of strings"));

  /* Cancelled, and abandoned: the command ran, then died. */
  object = test_step (steps, "cancel-effect");
  g_assert_true (json_object_get_boolean_member (object, "running_before"));
  g_assert_true (json_object_get_boolean_member (object, "gone_after"));
  object = test_step (steps, "disconnect-effect");
  g_assert_true (json_object_get_boolean_member (object, "running_before"));
  g_assert_true (json_object_get_boolean_member (object, "gone_after"));

  /* Every call is on record with the client that made it. */
  g_assert_cmpint (count_events ("SELECT count(*) FROM events WHERE name = 'paddock.mcp_call' AND "
                                 "json_extract(attributes, '$.\"mcp.client.name\"') = 'paddock-test-client' AND "
                                 "json_extract(attributes, '$.\"mcp.client.version\"') = '1.2.3'"), >=, 15);
  g_assert_cmpint (count_events ("SELECT count(*) FROM events WHERE name = 'paddock.tool_decision' AND "
                                 "json_extract(attributes, '$.\"mcp.client.name\"') = 'paddock-test-client' AND "
                                 "json_extract(attributes, '$.decision') = 'deny'"), >=, 4);
  g_assert_cmpint (count_events ("SELECT count(*) FROM events WHERE name = 'paddock.tool_result' AND "
                                 "json_extract(attributes, '$.\"mcp.client.name\"') = 'paddock-test-client'"), >=, 3);

  /* And they left for the collector while the session lasted, or as it
   * ended: the client ends its server with a signal. */
  g_assert_true (test_collector_wait_for_records (collector, 15, 10000));
  {
    g_autoptr(GPtrArray) records = test_collector_dup_accepted_records (collector);
    guint calls = 0;

    for (guint i = 0; i < records->len; i++)
      if (g_strcmp0 (json_object_get_string_member_with_default (g_ptr_array_index (records, i), "eventName", ""),
                     "paddock.mcp_call") == 0 &&
          g_strcmp0 (test_log_record_get_string (g_ptr_array_index (records, i), "mcp.client.name"),
                     "paddock-test-client") == 0)
        calls++;
    g_assert_cmpuint (calls, >=, 15);
  }

  broker_stop (&broker);
  g_test_dbus_down (bus);
}

/* --- the raw protocol ---------------------------------------------------- */

static JsonObject *
exchange (GOutputStream    *to,
          GDataInputStream *from,
          const char       *line)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_assert_true (g_output_stream_write_all (to, line, strlen (line), NULL, NULL, &error));
  g_assert_true (g_output_stream_write_all (to, "\n", 1, NULL, NULL, &error));
  g_assert_no_error (error);
  answer = g_data_input_stream_read_line_utf8 (from, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (answer);
  node = json_from_string (answer, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

static gint64
error_code (JsonObject *answer)
{
  return json_object_get_int_member (json_object_get_object_member (answer, "error"), "code");
}

static void
test_raw (void)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) from = NULL;
  g_auto(GStrv) env = test_environment (base);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) huge = g_string_new ("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":"
                                          "{\"name\":\"exec\",\"arguments\":{\"script\":\"");
  GOutputStream *to;
  struct { const char *line; gint64 code; } cases[] = {
    { "not json", -32700 },
    { "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", -32600 },
    { "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", -32600 },  /* before initialize */
    { "{\"jsonrpc\":\"1.0\",\"id\":2,\"method\":\"ping\"}", -32600 },
    { "{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":\"ping\"}", -32600 },
  };

  g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_set_cwd (launcher, project);
  server = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("PADDOCKCTL"), "mcp", NULL);
  g_assert_no_error (error);
  to = g_subprocess_get_stdin_pipe (server);
  from = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) answer = exchange (to, from, cases[i].line);

      g_test_message ("%s → %s", cases[i].line,
                      json_object_get_string_member (json_object_get_object_member (answer, "error"), "message"));
      g_assert_cmpint (error_code (answer), ==, cases[i].code);
    }
  {
    g_autoptr(JsonObject) answer = exchange (to, from, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"initialize\","
                                                       "\"params\":{\"protocolVersion\":\"2024-11-05\","
                                                       "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\","
                                                       "\"version\":\"0\"}}}");
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (answer, "result"),
                                                    "protocolVersion"), ==, "2024-11-05");
  }
  {
    g_autoptr(JsonObject) answer = exchange (to, from, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"no/such\"}");
    g_assert_cmpint (error_code (answer), ==, -32601);
  }
  /* Too big: refused unread, and the server goes on (the ping). */
  for (guint i = 0; i < 5 * 1024 * 1024 / 64; i++)
    g_string_append (huge, "echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx;");
  g_string_append (huge, "\"}}}");
  {
    g_autoptr(JsonObject) answer = exchange (to, from, huge->str);
    g_autoptr(JsonObject) pong = NULL;

    g_assert_cmpint (error_code (answer), ==, -32600);
    g_assert_nonnull (strstr (json_object_get_string_member (json_object_get_object_member (answer, "error"),
                                                             "message"), "at most 4194304 bytes"));
    pong = exchange (to, from, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"}");
    g_assert_true (json_object_has_member (pong, "result"));
    g_assert_cmpint (json_object_get_int_member (pong, "id"), ==, 5);
  }

  g_output_stream_close (to, NULL, NULL);
  g_subprocess_wait_check (server, NULL, &error);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("PADDOCK_MCP_MODULES") == NULL || g_getenv ("PADDOCKCTL") == NULL)
    {
      g_test_message ("PADDOCK_MCP_MODULES and PADDOCKCTL are not set (meson test sets them)");
      return 77;
    }
  setup_files ();

  g_test_add_func ("/mcp/raw", test_raw);
  g_test_add_func ("/mcp/sdk", test_sdk);
  return g_test_run ();
}
