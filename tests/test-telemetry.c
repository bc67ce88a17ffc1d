/* test-telemetry.c: the audit store's events reach an OTLP collector,
 * once each, in order, without a secret, whatever the collector and the
 * processes do
 *
 * The collector is a real OTLP/HTTP server on loopback
 * (test-collector.c); the bodies it receives are checked here for their
 * shape and, with PADDOCK_OTLP_MODULES, against the official
 * opentelemetry-proto files by tests/otlp/check-otlp-json.mjs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "paddock-audit-session.h"
#include "paddock-keychain.h"
#include "paddock-policy-document.h"
#include "paddock-telemetry.h"
#include "test-collector.h"
#include "test-util.h"

/* Short, so that a test's retries take milliseconds, not minutes. */
#define BACKOFF_FIRST_MS 10
#define BACKOFF_MAX_MS 100
/* Generous: only a broken exporter comes near these. */
#define WAIT_MS 20000

static char *workspace;

/* --- helpers ---------------------------------------------------------------- */

/* A policy of the given (layer, JSON) pairs, ended by -1; no defaults, so
 * only what the test writes has a say. */
static PaddockPolicy *
policy_new (int first_layer,
            ...)
{
  g_autoptr(GPtrArray) documents = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_policy_document_unref);
  va_list args;

  va_start (args, first_layer);
  for (int layer = first_layer; layer != -1; layer = va_arg (args, int))
    {
      const char *json = va_arg (args, const char *);
      g_autofree char *source = g_strdup_printf ("/etc/paddock/%s.json", paddock_layer_to_string (layer));
      g_autoptr(GError) error = NULL;
      PaddockPolicyDocument *document = paddock_policy_document_new_from_json (layer, source, json, -1, &error);

      g_assert_no_error (error);
      g_ptr_array_add (documents, document);
    }
  va_end (args);
  return paddock_policy_new (workspace, workspace, documents);
}

static gboolean
strv_has_substring (char       **strv,
                    const char  *needle)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    if (strstr (strv[i], needle) != NULL)
      return TRUE;
  return FALSE;
}

/* The value of @key in a key, value, key, value… list. */
static const char *
pairs_get (char       **pairs,
           const char  *key)
{
  for (guint i = 0; pairs != NULL && pairs[i] != NULL; i += 2)
    if (g_str_equal (pairs[i], key))
      return pairs[i + 1];
  return NULL;
}

static void
log_notes (const PaddockTelemetryConfig *config)
{
  g_autofree char *text = paddock_telemetry_config_to_text (config);

  g_test_message ("%s", text);
}

/* A config that sends to @collector, from a user layer @user_json
 * (nullable) and the OTEL_* variables in @extra_env (NULL-terminated
 * "NAME=value" strings, nullable). The machine's own OTEL_* variables
 * are never consulted. */
static PaddockTelemetryConfig *
config_for (TestCollector      *collector,
            const char         *user_json,
            const char * const *extra_env)
{
  g_autoptr(PaddockPolicy) policy = NULL;
  g_autofree char *url = test_collector_dup_url (collector);
  g_auto(GStrv) envp = g_environ_setenv (NULL, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", url, TRUE);
  PaddockTelemetryConfig *config;

  for (guint i = 0; extra_env != NULL && extra_env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (extra_env[i], "=", 2);
      envp = g_environ_setenv (envp, pair[0], pair[1], TRUE);
    }
  policy = user_json ? policy_new (PADDOCK_LAYER_USER, user_json, -1) : policy_new (-1);
  config = paddock_telemetry_config_new (policy, (const char * const *) envp);
  g_assert_true (config->enabled);
  g_assert_cmpstr (config->endpoint, ==, url);
  return config;
}

static PaddockTelemetry *
exporter_new (PaddockAudit                 *audit,
              const PaddockTelemetryConfig *config,
              guint                         batch_size)
{
  PaddockTelemetry *telemetry = paddock_telemetry_new (audit, config);

  paddock_telemetry_set_backoff (telemetry, BACKOFF_FIRST_MS, BACKOFF_MAX_MS);
  paddock_telemetry_set_batch_size (telemetry, batch_size);
  return telemetry;
}

static PaddockAudit *
store_open (const char  *name,
            char       **path_out)
{
  g_autofree char *dir = test_make_dir (name);
  g_autofree char *path = g_build_filename (dir, "audit.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  PaddockAudit *audit = paddock_audit_open (path, &error);

  g_assert_no_error (error);
  if (path_out != NULL)
    *path_out = g_steal_pointer (&path);
  return audit;
}

/* Every kind of value an attribute can hold, so that each AnyValue
 * member is exercised; every tenth event is a denial (a WARN). */
static JsonObject *
sample_attributes (guint n)
{
  JsonObject *attributes = json_object_new ();
  JsonArray *argv = json_array_new ();
  JsonObject *nested = json_object_new ();

  json_object_set_string_member (attributes, "session.id", "session-1");
  json_object_set_int_member (attributes, "n", n);
  json_object_set_boolean_member (attributes, "allowed", n % 10 != 0);
  json_object_set_string_member (attributes, "decision", n % 10 == 0 ? "deny" : "allow");
  json_array_add_string_element (argv, "echo");
  json_array_add_int_element (argv, n);
  json_object_set_array_member (attributes, "action.argv", argv);
  json_object_set_double_member (attributes, "ratio", 0.25);
  json_object_set_string_member (nested, "rule", "commands[0]");
  json_object_set_object_member (attributes, "rule", nested);
  return attributes;
}

typedef struct
{
  PaddockAudit *audit;
  guint outstanding;
  GArray *ids;
} Appends;

static void
on_appended (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Appends *appends = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id = paddock_audit_append_finish (appends->audit, result, &error);

  g_assert_no_error (error);
  g_array_append_val (appends->ids, id);
  appends->outstanding--;
}

/* Appends @n sample events numbered from @first, queued together so the
 * writer commits them in few transactions; returns their ids. */
static GArray *
append_events (PaddockAudit *audit,
               guint         first,
               guint         n)
{
  Appends appends = { audit, n, g_array_new (FALSE, FALSE, sizeof (gint64)) };

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonObject) attributes = sample_attributes (first + i);
      paddock_audit_append_async (audit, "paddock.tool_decision", attributes, NULL, on_appended, &appends);
    }
  while (appends.outstanding > 0)
    g_main_context_iteration (NULL, TRUE);
  return appends.ids;
}

/* Polls (the exporter sets it from its own thread) until the problem
 * holds @needle; returns the problem. */
static char *
wait_for_problem (PaddockTelemetry *telemetry,
                  const char       *needle)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;

  for (;;)
    {
      g_autofree char *problem = paddock_telemetry_dup_problem (telemetry);

      if (problem != NULL && strstr (problem, needle) != NULL)
        return g_steal_pointer (&problem);
      if (g_get_monotonic_time () > deadline)
        g_error ("the exporter's problem is still “%s”, without “%s”", problem ? problem : "(none)", needle);
      g_usleep (5000);
    }
}

/* n_sent counts what the exporter's thread saw answered; it may lag the
 * collector's count by one answer. */
static void
wait_for_n_sent (PaddockTelemetry *telemetry,
                 guint64           n)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;

  while (paddock_telemetry_get_n_sent (telemetry) < n && g_get_monotonic_time () < deadline)
    g_usleep (5000);
  g_assert_cmpuint (paddock_telemetry_get_n_sent (telemetry), ==, n);
}

/* The ids of @records, in the order received. */
static GArray *
record_ids (GPtrArray *records)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < records->len; i++)
    {
      gint64 id = test_log_record_get_audit_id (g_ptr_array_index (records, i));

      g_assert_cmpint (id, >, 0);
      g_array_append_val (ids, id);
    }
  return ids;
}

/* Every one of @expected arrived exactly once, in increasing order. */
static void
assert_received_once_in_order (TestCollector *collector,
                               GArray        *expected)
{
  g_autoptr(GPtrArray) records = test_collector_dup_accepted_records (collector);
  g_autoptr(GArray) ids = record_ids (records);

  g_assert_cmpuint (ids->len, ==, expected->len);
  for (guint i = 0; i < ids->len; i++)
    {
      if (i > 0 && g_array_index (ids, gint64, i) <= g_array_index (ids, gint64, i - 1))
        g_error ("record %u: id %" G_GINT64_FORMAT " came after %" G_GINT64_FORMAT, i,
                 g_array_index (ids, gint64, i), g_array_index (ids, gint64, i - 1));
      g_assert_cmpint (g_array_index (ids, gint64, i), ==, g_array_index (expected, gint64, i));
    }
}

static void
assert_nothing_pending (PaddockAudit *audit)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (paddock_audit_count_pending (audit, NULL, &error), ==, 0);
  g_assert_no_error (error);
}

static const char *
header (TestCollectorRequest *request,
        const char           *name)
{
  return soup_message_headers_get_one (request->headers, name);
}

/* Checks the bodies against opentelemetry-proto with the node validator,
 * when PADDOCK_OTLP_MODULES says where its modules are. */
static void
validate_with_node (GPtrArray *paths)
{
  const char *modules = g_getenv ("PADDOCK_OTLP_MODULES");
  g_autofree char *checker = g_test_build_filename (G_TEST_DIST, "otlp", "check-otlp-json.mjs", NULL);
  g_autofree char *protobufjs = NULL;
  g_autofree char *dd_trace = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (modules == NULL)
    {
      g_test_skip ("PADDOCK_OTLP_MODULES is not set: the bodies were not checked against opentelemetry-proto "
                   "(set it to a node_modules folder with protobufjs@7.6.6 and dd-trace@5.132.0)");
      return;
    }
  /* Set but missing means the install failed: that must not pass as a
   * skip. */
  protobufjs = g_build_filename (modules, "protobufjs", NULL);
  dd_trace = g_build_filename (modules, "dd-trace", NULL);
  if (!g_file_test (protobufjs, G_FILE_TEST_IS_DIR) || !g_file_test (dd_trace, G_FILE_TEST_IS_DIR))
    g_error ("PADDOCK_OTLP_MODULES is %s, but it holds no protobufjs and dd-trace: install them with "
             "`npm install --prefix .deps/npm-otlp protobufjs@7.6.6 dd-trace@5.132.0` (scripts/test.sh does)",
             modules);

  g_ptr_array_add (argv, (gpointer) "node");
  g_ptr_array_add (argv, checker);
  g_ptr_array_add (argv, (gpointer) "--modules");
  g_ptr_array_add (argv, (gpointer) modules);
  for (guint i = 0; i < paths->len; i++)
    g_ptr_array_add (argv, g_ptr_array_index (paths, i));
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("check-otlp-json: %s%s", out, err);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("check-otlp-json.mjs refused a body (%s): %s", error->message, err);
}

/* Whether any of the store's files (the database, its WAL and shared
 * memory) holds @needle, byte for byte. */
static gboolean
store_files_contain (const char *path,
                     const char *needle)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *contents = NULL;
      gsize size;

      if (g_file_get_contents (file, &contents, &size, NULL) &&
          memmem (contents, size, needle, strlen (needle)) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* --- configuration ---------------------------------------------------------- */

/* OTEL_EXPORTER_OTLP_LOGS_ENDPOINT as it is, else
 * OTEL_EXPORTER_OTLP_ENDPOINT + /v1/logs, else the person's policy; an
 * administrator's endpoint beats them all and sets the variables aside,
 * saying so. */
static void
test_config_endpoint (void)
{
  const char *user = "{\"telemetry\": {\"otlp_endpoint\": \"https://user.example:4318\"}}";
  const char *managed = "{\"telemetry\": {\"otlp_endpoint\": \"https://org.example/otlp\"}}";
  const char *system = "{\"telemetry\": {\"otlp_endpoint\": \"https://system.example\"}}";
  const char *base_env[] = { "OTEL_EXPORTER_OTLP_ENDPOINT=http://base.example:4318/", NULL };
  const char *both_env[] = { "OTEL_EXPORTER_OTLP_ENDPOINT=http://base.example:4318/",
                             "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT=http://logs.example/custom/path", NULL };
  const char *bad_env[] = { "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT=logs.example:4318", NULL };
  g_autoptr(PaddockPolicy) user_policy = policy_new (PADDOCK_LAYER_USER, user, -1);
  g_autoptr(PaddockPolicy) managed_policy = policy_new (PADDOCK_LAYER_MANAGED, managed, PADDOCK_LAYER_USER, user, -1);
  g_autoptr(PaddockPolicy) system_policy = policy_new (PADDOCK_LAYER_SYSTEM, system, PADDOCK_LAYER_USER, user, -1);
  g_autoptr(PaddockPolicy) empty = policy_new (-1);

  {
    g_autoptr(PaddockTelemetryConfig) config = paddock_telemetry_config_new (user_policy, NULL);

    g_assert_cmpstr (config->endpoint, ==, "https://user.example:4318/v1/logs");
    g_assert_true (g_str_has_prefix (config->endpoint_from, "the user layer, /etc/paddock/user.json"));
    g_assert_true (config->enabled);
    g_assert_false (config->forced);
    g_assert_cmpuint (g_strv_length (config->notes), ==, 0);
  }
  {
    g_autoptr(PaddockTelemetryConfig) config = paddock_telemetry_config_new (user_policy, base_env);

    g_assert_cmpstr (config->endpoint, ==, "http://base.example:4318/v1/logs");
    g_assert_cmpstr (config->endpoint_from, ==, "OTEL_EXPORTER_OTLP_ENDPOINT");
  }
  {
    g_autoptr(PaddockTelemetryConfig) config = paddock_telemetry_config_new (user_policy, both_env);

    /* The logs variable is the whole URL: nothing is appended. */
    g_assert_cmpstr (config->endpoint, ==, "http://logs.example/custom/path");
    g_assert_cmpstr (config->endpoint_from, ==, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT");
  }
  {
    g_autoptr(PaddockTelemetryConfig) config = paddock_telemetry_config_new (user_policy, bad_env);

    log_notes (config);
    g_assert_cmpstr (config->endpoint, ==, "https://user.example:4318/v1/logs");
    g_assert_true (strv_has_substring (config->notes, "not an http(s) URL; set aside"));
  }
  {
    g_autoptr(PaddockTelemetryConfig) config = paddock_telemetry_config_new (managed_policy, both_env);

    log_notes (config);
    g_assert_cmpstr (config->endpoint, ==, "https://org.example/otlp/v1/logs");
    g_assert_true (g_str_has_prefix (config->endpoint_from, "the managed layer, /etc/paddock/managed.json"));
    g_assert_true (strv_has_substring (config->notes, "OTEL_EXPORTER_OTLP_*ENDPOINT set aside: the managed layer"));
  }
  {
    g_autoptr(PaddockTelemetryConfig) config = paddock_telemetry_config_new (system_policy, base_env);

    g_assert_cmpstr (config->endpoint, ==, "https://system.example/v1/logs");
    g_assert_true (g_str_has_prefix (config->endpoint_from, "the system layer"));
    g_assert_true (strv_has_substring (config->notes, "set aside: the system layer"));
  }
  {
    g_autoptr(PaddockTelemetryConfig) config = paddock_telemetry_config_new (empty, NULL);

    g_assert_null (config->endpoint);
    g_assert_false (config->enabled);
  }
}

/* "k=v,k2=v2", percent-decoded; a malformed entry is set aside with a
 * note that says where it was and not what it held; a value that would
 * break the header line is refused; the logs variable wins over the
 * general one; and with an administrator's endpoint the variables' headers
 * are not sent at all. */
static void
test_config_headers (void)
{
  const char *user = "{\"telemetry\": {\"otlp_endpoint\": \"https://user.example\","
                     " \"headers\": {\"X-Org\": \"org-1\"}}}";
  const char *managed = "{\"telemetry\": {\"otlp_endpoint\": \"https://org.example\","
                        " \"headers\": {\"X-Org\": \"org-2\"}}}";
  const char *env[] = {
    "OTEL_EXPORTER_OTLP_HEADERS=api-key=abc%20def%3D, malformed-secret-entry ,x-tenant=t1,=orphan-value,"
      "x-split=a%0D%0AInjected: yes",
    "OTEL_EXPORTER_OTLP_LOGS_HEADERS=x-tenant=t2",
    NULL,
  };
  g_autoptr(PaddockPolicy) user_policy = policy_new (PADDOCK_LAYER_USER, user, -1);
  g_autoptr(PaddockPolicy) managed_policy = policy_new (PADDOCK_LAYER_MANAGED, managed, -1);

  {
    g_autoptr(PaddockTelemetryConfig) config = paddock_telemetry_config_new (user_policy, env);

    log_notes (config);
    g_assert_cmpstr (pairs_get (config->headers, "X-Org"), ==, "org-1");
    g_assert_cmpstr (pairs_get (config->headers, "api-key"), ==, "abc def=");
    g_assert_cmpstr (pairs_get (config->headers, "x-tenant"), ==, "t2");
    g_assert_null (pairs_get (config->headers, "x-split"));
    g_assert_null (pairs_get (config->headers, "Injected"));
    g_assert_cmpuint (g_strv_length (config->headers), ==, 6);
    g_assert_true (strv_has_substring (config->notes, "OTEL_EXPORTER_OTLP_HEADERS: entry 2 is not KEY=VALUE"));
    g_assert_true (strv_has_substring (config->notes, "OTEL_EXPORTER_OTLP_HEADERS: entry 4 is not KEY=VALUE"));
    g_assert_true (strv_has_substring (config->notes, "OTEL_EXPORTER_OTLP_HEADERS: entry 5 is not KEY=VALUE"));
    /* A malformed entry may be a secret typed wrong. */
    g_assert_false (strv_has_substring (config->notes, "malformed-secret-entry"));
    g_assert_false (strv_has_substring (config->notes, "orphan-value"));
  }
  {
    g_autoptr(PaddockTelemetryConfig) config = paddock_telemetry_config_new (managed_policy, env);

    log_notes (config);
    g_assert_cmpstr (pairs_get (config->headers, "X-Org"), ==, "org-2");
    g_assert_null (pairs_get (config->headers, "api-key"));
    g_assert_null (pairs_get (config->headers, "x-tenant"));
    g_assert_true (strv_has_substring (config->notes, "OTEL_EXPORTER_OTLP_*HEADERS set aside: the managed layer"));
  }
  /* An administrator's headers never follow an endpoint a variable
   * chose; the person's own do (the control above: X-Org org-1). */
  {
    const char *managed_headers = "{\"telemetry\": {\"headers\": {\"X-Api-Key\": \"org-secret\"}}}";
    const char *env_endpoint[] = { "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:1", NULL };
    g_autoptr(PaddockPolicy) policy = policy_new (PADDOCK_LAYER_MANAGED, managed_headers, -1);
    g_autoptr(PaddockTelemetryConfig) config = paddock_telemetry_config_new (policy, env_endpoint);

    log_notes (config);
    g_assert_cmpstr (config->endpoint, ==, "http://127.0.0.1:1/v1/logs");
    g_assert_null (pairs_get (config->headers, "X-Api-Key"));
    g_assert_true (strv_has_substring (config->notes, "the headers from the managed layer"));
    g_assert_false (strv_has_substring (config->notes, "org-secret"));
  }
}

/* service.name and the rest by default; OTEL_RESOURCE_ATTRIBUTES adds
 * and overrides (percent-decoded); OTEL_SERVICE_NAME wins for
 * service.name. */
static void
test_config_resource (void)
{
  g_autoptr(PaddockPolicy) policy = policy_new (PADDOCK_LAYER_USER,
                                                "{\"telemetry\": {\"otlp_endpoint\": \"https://user.example\"}}", -1);
  const char *attributes_env[] = {
    "OTEL_RESOURCE_ATTRIBUTES=deployment.environment=prod,service.name=from-attributes,team=a%2Cb,broken", NULL,
  };
  const char *both_env[] = {
    "OTEL_RESOURCE_ATTRIBUTES=service.name=from-attributes", "OTEL_SERVICE_NAME=from-service-name", NULL,
  };

  {
    g_autoptr(PaddockTelemetryConfig) config = paddock_telemetry_config_new (policy, NULL);

    g_assert_cmpstr (pairs_get (config->resource, "service.name"), ==, "paddock");
    g_assert_cmpstr (pairs_get (config->resource, "service.version"), ==, PACKAGE_VERSION);
    g_assert_cmpstr (pairs_get (config->resource, "host.name"), ==, g_get_host_name ());
    g_assert_cmpstr (pairs_get (config->resource, "os.type"), ==, "linux");
  }
  {
    g_autoptr(PaddockTelemetryConfig) config = paddock_telemetry_config_new (policy, attributes_env);

    g_assert_cmpstr (pairs_get (config->resource, "deployment.environment"), ==, "prod");
    g_assert_cmpstr (pairs_get (config->resource, "service.name"), ==, "from-attributes");
    g_assert_cmpstr (pairs_get (config->resource, "team"), ==, "a,b");
    g_assert_cmpstr (pairs_get (config->resource, "service.version"), ==, PACKAGE_VERSION);
    g_assert_true (strv_has_substring (config->notes, "OTEL_RESOURCE_ATTRIBUTES: entry 4 is not KEY=VALUE"));
  }
  {
    g_autoptr(PaddockTelemetryConfig) config = paddock_telemetry_config_new (policy, both_env);

    g_assert_cmpstr (pairs_get (config->resource, "service.name"), ==, "from-service-name");
  }
}

/* On once an endpoint is known; off when the person or
 * OTEL_SDK_DISABLED=true says so; an enforced layer's "export": true
 * overrides both, and its "export": false cannot be undone below. */
static void
test_config_export_switch (void)
{
  const char *user = "{\"telemetry\": {\"otlp_endpoint\": \"https://user.example\"}}";
  const char *user_off = "{\"telemetry\": {\"otlp_endpoint\": \"https://user.example\", \"export\": false}}";
  const char *forced = "{\"telemetry\": {\"export\": true, \"otlp_endpoint\": \"https://org.example\"}}";
  const char *forbidden = "{\"telemetry\": {\"export\": false}}";
  const char *disabled_env[] = { "OTEL_SDK_DISABLED=true", NULL };
  const char *endpoint_env[] = { "OTEL_EXPORTER_OTLP_ENDPOINT=http://base.example", NULL };

  {
    g_autoptr(PaddockPolicy) policy = policy_new (PADDOCK_LAYER_USER, user, -1);
    g_autoptr(PaddockTelemetryConfig) on = paddock_telemetry_config_new (policy, NULL);
    g_autoptr(PaddockTelemetryConfig) off = paddock_telemetry_config_new (policy, disabled_env);

    g_assert_true (on->enabled);
    g_assert_false (off->enabled);
    g_assert_true (strv_has_substring (off->notes, "OTEL_SDK_DISABLED=true: nothing is sent"));
  }
  {
    g_autoptr(PaddockPolicy) policy = policy_new (PADDOCK_LAYER_USER, user_off, -1);
    g_autoptr(PaddockTelemetryConfig) config = paddock_telemetry_config_new (policy, endpoint_env);

    g_assert_false (config->enabled);
  }
  {
    g_autoptr(PaddockPolicy) policy = policy_new (PADDOCK_LAYER_MANAGED, forced, PADDOCK_LAYER_USER, user_off, -1);
    g_autoptr(PaddockTelemetryConfig) config = paddock_telemetry_config_new (policy, disabled_env);
    g_autofree char *text = paddock_telemetry_config_to_text (config);

    g_assert_true (config->enabled);
    g_assert_true (config->forced);
    g_assert_cmpstr (config->endpoint, ==, "https://org.example/v1/logs");
    g_assert_false (strv_has_substring (config->notes, "OTEL_SDK_DISABLED"));
    g_assert_nonnull (strstr (text, "export: on (required by policy)"));
  }
  {
    g_autoptr(PaddockPolicy) policy = policy_new (PADDOCK_LAYER_MANAGED, forbidden, PADDOCK_LAYER_USER, user, -1);
    g_autoptr(PaddockTelemetryConfig) config = paddock_telemetry_config_new (policy, endpoint_env);

    g_assert_false (config->enabled);
    g_assert_false (config->forced);
  }
}

/* An enforced "export": true with no endpoint anywhere: required, and a
 * note says that the events wait in the store. */
static void
forced_without_endpoint (void)
{
  g_autoptr(PaddockPolicy) policy = policy_new (PADDOCK_LAYER_SYSTEM, "{\"telemetry\": {\"export\": true}}", -1);
  g_autoptr(PaddockTelemetryConfig) config = paddock_telemetry_config_new (policy, NULL);

  log_notes (config);
  g_assert_true (config->forced);
  g_assert_null (config->endpoint);
  g_assert_true (strv_has_substring (config->notes, "export is required by the system layer, /etc/paddock/system.json"));
  g_assert_true (strv_has_substring (config->notes, "no endpoint is set; events wait in the audit store"));
}

static void
test_config_forced_without_endpoint (void)
{
  forced_without_endpoint ();
}

/* The organisation's login authenticates only a collector an enforced
 * layer fixes: with the managed endpoint it is used (the control), with
 * the person's own endpoint it is set aside, with a note. */
static void
test_config_login_token (void)
{
  const char *managed = "{\"telemetry\": {\"otlp_endpoint\": \"https://org.example\", \"login_token\": true},"
                        " \"identity\": {\"issuer\": \"https://login.example.com\"}}";
  const char *managed_token_only = "{\"telemetry\": {\"login_token\": true}}";
  const char *user = "{\"telemetry\": {\"otlp_endpoint\": \"https://user.example\"}}";
  const char *env[] = { NULL };
  g_autoptr(PaddockPolicy) fixed = policy_new (PADDOCK_LAYER_MANAGED, managed, -1);
  g_autoptr(PaddockPolicy) loose = policy_new (PADDOCK_LAYER_MANAGED, managed_token_only, PADDOCK_LAYER_USER, user, -1);
  g_autoptr(PaddockTelemetryConfig) used = paddock_telemetry_config_new (fixed, env);
  g_autoptr(PaddockTelemetryConfig) set_aside = paddock_telemetry_config_new (loose, env);
  g_autofree char *text = paddock_telemetry_config_to_text (used);

  g_assert_true (used->login_token);
  g_assert_true (used->login_policy == fixed);
  g_assert_nonnull (strstr (text, "header: Authorization (the organisation's login, from the keychain)"));
  g_assert_false (set_aside->login_token);
  g_assert_true (strv_has_substring (set_aside->notes, "login_token from the managed layer, /etc/paddock/managed.json"));
  g_assert_true (strv_has_substring (set_aside->notes, "goes only to an endpoint the managed or system layer fixes"));
}

/* `paddockctl telemetry status` names every header and shows no value,
 * nor a malformed entry that may hold one; the names are the control. */
static void
test_config_text_hides_values (void)
{
  const char *user = "{\"telemetry\": {\"otlp_endpoint\": \"https://user.example\","
                     " \"token_header\": \"Authorization\","
                     " \"headers\": {\"X-Org-Key\": \"org-secret-6b1f\"}}}";
  const char *env[] = { "OTEL_EXPORTER_OTLP_HEADERS=x-api-key=env-secret-93ad,leaky-secret-c0de", NULL };
  g_autoptr(PaddockPolicy) policy = policy_new (PADDOCK_LAYER_USER, user, -1);
  g_autoptr(PaddockTelemetryConfig) config = paddock_telemetry_config_new (policy, env);
  g_autofree char *text = paddock_telemetry_config_to_text (config);

  g_test_message ("%s", text);
  g_assert_cmpstr (pairs_get (config->headers, "X-Org-Key"), ==, "org-secret-6b1f");
  g_assert_cmpstr (pairs_get (config->headers, "x-api-key"), ==, "env-secret-93ad");
  g_assert_nonnull (strstr (text, "header: X-Org-Key (value not shown)"));
  g_assert_nonnull (strstr (text, "header: x-api-key (value not shown)"));
  g_assert_nonnull (strstr (text, "header: Authorization (from the keychain)"));
  g_assert_null (strstr (text, "org-secret"));
  g_assert_null (strstr (text, "env-secret"));
  g_assert_null (strstr (text, "leaky-secret"));
}

/* --- export ----------------------------------------------------------------- */

static JsonObject *
body_root (TestCollectorRequest *request,
           JsonParser           *parser)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body),
                              &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

static void
assert_digits (const char *text)
{
  g_assert_nonnull (text);
  g_assert_cmpuint (strlen (text), >, 0);
  for (const char *c = text; *c; c++)
    g_assert_true (g_ascii_isdigit (*c));
}

/* The shape of one request, beyond what the schema says: the resource,
 * the scope, and each record's time, severity, name and typed
 * attributes. */
static void
assert_request_shape (TestCollectorRequest *request)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root = body_root (request, parser);
  JsonArray *resource_logs = json_object_get_array_member (root, "resourceLogs");
  JsonObject *resource_log, *scope_log;
  JsonArray *resource, *records;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpstr (header (request, "Content-Type"), ==, "application/json");
  g_assert_cmpuint (json_array_get_length (resource_logs), ==, 1);
  resource_log = json_array_get_object_element (resource_logs, 0);
  resource = json_object_get_array_member (json_object_get_object_member (resource_log, "resource"), "attributes");
  for (guint i = 0; i < json_array_get_length (resource); i++)
    {
      JsonObject *pair = json_array_get_object_element (resource, i);
      JsonObject *value = json_object_get_object_member (pair, "value");

      g_assert_true (json_object_has_member (value, "stringValue"));
      g_hash_table_insert (seen, (gpointer) json_object_get_string_member (pair, "key"),
                           (gpointer) json_object_get_string_member (value, "stringValue"));
    }
  g_assert_cmpstr (g_hash_table_lookup (seen, "service.name"), ==, "paddock");
  g_assert_cmpstr (g_hash_table_lookup (seen, "service.version"), ==, PACKAGE_VERSION);
  g_assert_cmpstr (g_hash_table_lookup (seen, "host.name"), ==, g_get_host_name ());
  g_assert_cmpstr (g_hash_table_lookup (seen, "os.type"), ==, "linux");
  g_assert_cmpstr (g_hash_table_lookup (seen, "deployment.environment"), ==, "test");

  scope_log = json_array_get_object_element (json_object_get_array_member (resource_log, "scopeLogs"), 0);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (scope_log, "scope"), "name"), !=, "");
  records = json_object_get_array_member (scope_log, "logRecords");
  g_assert_cmpuint (json_array_get_length (records), >, 0);

  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);
      JsonNode *time = json_object_get_member (record, "timeUnixNano");
      JsonNode *severity = json_object_get_member (record, "severityNumber");
      JsonObject *n = test_log_record_get_attribute (record, "n");
      JsonObject *allowed = test_log_record_get_attribute (record, "allowed");
      JsonObject *argv = test_log_record_get_attribute (record, "action.argv");
      JsonObject *ratio = test_log_record_get_attribute (record, "ratio");
      JsonObject *rule = test_log_record_get_attribute (record, "rule");
      JsonObject *id = test_log_record_get_attribute (record, "paddock.audit.id");
      JsonArray *values;
      gint64 number;
      gboolean denied;

      /* 64-bit integers are decimal strings in OTLP's JSON. */
      g_assert_true (JSON_NODE_HOLDS_VALUE (time) && json_node_get_value_type (time) == G_TYPE_STRING);
      assert_digits (json_node_get_string (time));
      g_assert_cmpint (g_ascii_strtoll (json_node_get_string (time), NULL, 10), >, 1700000000LL * 1000000000LL);
      g_assert_cmpstr (json_object_get_string_member (record, "eventName"), ==, "paddock.tool_decision");
      g_assert_true (json_object_has_member (json_object_get_object_member (record, "body"), "stringValue"));

      g_assert_nonnull (id);
      assert_digits (json_object_get_string_member (id, "intValue"));
      g_assert_nonnull (n);
      g_assert_true (json_node_get_value_type (json_object_get_member (n, "intValue")) == G_TYPE_STRING);
      assert_digits (json_object_get_string_member (n, "intValue"));
      number = g_ascii_strtoll (json_object_get_string_member (n, "intValue"), NULL, 10);
      denied = number % 10 == 0;

      g_assert_true (JSON_NODE_HOLDS_VALUE (severity) && json_node_get_value_type (severity) == G_TYPE_INT64);
      g_assert_cmpint (json_node_get_int (severity), ==, denied ? 13 : 9);
      g_assert_cmpstr (json_object_get_string_member (record, "severityText"), ==, denied ? "WARN" : "INFO");

      g_assert_nonnull (allowed);
      g_assert_true (json_node_get_value_type (json_object_get_member (allowed, "boolValue")) == G_TYPE_BOOLEAN);
      g_assert_cmpint (json_object_get_boolean_member (allowed, "boolValue"), ==, !denied);

      g_assert_nonnull (argv);
      values = json_object_get_array_member (json_object_get_object_member (argv, "arrayValue"), "values");
      g_assert_cmpuint (json_array_get_length (values), ==, 2);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (values, 0), "stringValue"), ==,
                       "echo");
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (values, 1), "intValue"), ==,
                       json_object_get_string_member (n, "intValue"));

      g_assert_nonnull (ratio);
      g_assert_cmpfloat (json_object_get_double_member (ratio, "doubleValue"), ==, 0.25);
      g_assert_nonnull (rule);
      g_assert_true (json_object_has_member (rule, "kvlistValue"));
      g_assert_cmpstr (test_log_record_get_string (record, "session.id"), ==, "session-1");
    }
}

/* 1,000 events in batches of 100: each arrives once, in order, in a body
 * OTLP defines, and each is marked exported. */
static void
test_export_in_order (void)
{
  g_autoptr(TestCollector) collector = test_collector_new (0);
  g_autoptr(PaddockAudit) audit = store_open ("export", NULL);
  const char *env[] = { "OTEL_RESOURCE_ATTRIBUTES=deployment.environment=test", NULL };
  g_autoptr(PaddockTelemetryConfig) config = config_for (collector, NULL, env);
  g_autoptr(PaddockTelemetry) telemetry = exporter_new (audit, config, 100);
  g_autoptr(GArray) ids = append_events (audit, 1, 1000);
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) paths = NULL;
  g_autofree char *bodies = test_make_dir ("bodies");
  g_autoptr(GError) error = NULL;

  paddock_telemetry_start (telemetry);
  g_assert_true (paddock_telemetry_flush (telemetry, WAIT_MS));
  g_assert_true (test_collector_wait_for_records (collector, 1000, WAIT_MS));
  paddock_telemetry_stop (telemetry);

  assert_received_once_in_order (collector, ids);
  g_assert_cmpuint (paddock_telemetry_get_n_sent (telemetry), ==, 1000);
  requests = test_collector_dup_requests (collector);
  g_assert_cmpuint (requests->len, ==, 10);
  for (guint i = 0; i < requests->len; i++)
    {
      TestCollectorRequest *request = g_ptr_array_index (requests, i);

      g_assert_cmpuint (request->log_records->len, ==, 100);
      assert_request_shape (request);
    }

  assert_nothing_pending (audit);
  events = paddock_audit_list (audit, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1000);
  for (guint i = 0; i < events->len; i++)
    g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (events, i), "exported"), ==,
                     PADDOCK_AUDIT_EXPORTED);

  paths = test_collector_save_bodies (collector, bodies);
  g_assert_cmpuint (paths->len, ==, 10);
  validate_with_node (paths);
}

/* A collector that is down: nothing is lost or marked, the problem says
 * so; once it listens again on its port, everything arrives, in order,
 * once. */
static void
test_export_collector_down (void)
{
  g_autoptr(TestCollector) collector = test_collector_new (0);
  g_autoptr(PaddockAudit) audit = store_open ("down", NULL);
  g_autoptr(PaddockTelemetryConfig) config = config_for (collector, NULL, NULL);
  g_autoptr(PaddockTelemetry) telemetry = exporter_new (audit, config, 20);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *after = NULL;

  test_collector_stop_listening (collector);
  paddock_telemetry_start (telemetry);
  ids = append_events (audit, 1, 100);

  problem = wait_for_problem (telemetry, "cannot be reached");
  g_test_message ("while down: %s", problem);
  /* Several attempts have failed by now: still nothing is marked. */
  g_assert_false (paddock_telemetry_flush (telemetry, 300));
  g_assert_cmpint (paddock_audit_count_pending (audit, NULL, &error), ==, 100);
  g_assert_cmpuint (test_collector_get_n_requests (collector), ==, 0);
  g_assert_cmpuint (paddock_telemetry_get_n_sent (telemetry), ==, 0);

  test_collector_listen (collector);
  g_assert_true (test_collector_wait_for_records (collector, 100, WAIT_MS));
  g_assert_true (paddock_telemetry_flush (telemetry, WAIT_MS));
  paddock_telemetry_stop (telemetry);

  assert_received_once_in_order (collector, ids);
  assert_nothing_pending (audit);
  after = paddock_telemetry_dup_problem (telemetry);
  g_assert_null (after);
}

/* 503 and then 429, each with Retry-After: 1, then 200: with a backoff
 * of 10 ms, the retries still wait for the collector's second. A
 * behaviour check with a lower bound only. */
static void
test_export_retry_after (void)
{
  g_autoptr(TestCollector) collector = test_collector_new (0);
  g_autoptr(PaddockAudit) audit = store_open ("retry-after", NULL);
  g_autoptr(PaddockTelemetryConfig) config = config_for (collector, NULL, NULL);
  g_autoptr(PaddockTelemetry) telemetry = exporter_new (audit, config, 100);
  g_autoptr(GArray) ids = append_events (audit, 1, 30);
  g_autoptr(GPtrArray) requests = NULL;

  test_collector_push_response (collector, SOUP_STATUS_SERVICE_UNAVAILABLE, "1");
  test_collector_push_response (collector, 429, "1");
  paddock_telemetry_start (telemetry);
  g_assert_true (test_collector_wait_for_records (collector, 30, WAIT_MS));
  g_assert_true (paddock_telemetry_flush (telemetry, WAIT_MS));
  paddock_telemetry_stop (telemetry);

  requests = test_collector_dup_requests (collector);
  g_assert_cmpuint (requests->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      TestCollectorRequest *request = g_ptr_array_index (requests, i);
      static const guint statuses[] = { 503, 429, 200 };

      g_assert_cmpuint (request->status, ==, statuses[i]);
      g_assert_cmpuint (request->log_records->len, ==, 30);
      if (i > 0)
        {
          TestCollectorRequest *previous = g_ptr_array_index (requests, i - 1);
          gint64 gap_ms = (request->arrival_us - previous->arrival_us) / 1000;

          g_test_message ("request %u came %" G_GINT64_FORMAT " ms after the one before", i + 1, gap_ms);
          g_assert_cmpint (gap_ms, >=, 900);
        }
    }
  assert_received_once_in_order (collector, ids);
  assert_nothing_pending (audit);
}

/* Retry-After as an HTTP date two seconds ahead (whole seconds, so at
 * least one second away) is honoured the same way. */
static void
test_export_retry_after_date (void)
{
  g_autoptr(TestCollector) collector = test_collector_new (0);
  g_autoptr(PaddockAudit) audit = store_open ("retry-after-date", NULL);
  g_autoptr(PaddockTelemetryConfig) config = config_for (collector, NULL, NULL);
  g_autoptr(PaddockTelemetry) telemetry = exporter_new (audit, config, 100);
  g_autoptr(GArray) ids = append_events (audit, 1, 5);
  g_autoptr(GDateTime) later = g_date_time_add_seconds (g_date_time_new_now_utc (), 2);
  g_autofree char *date = soup_date_time_to_string (later, SOUP_DATE_HTTP);
  g_autoptr(GPtrArray) requests = NULL;
  gint64 gap_ms;

  test_collector_push_response (collector, SOUP_STATUS_SERVICE_UNAVAILABLE, date);
  paddock_telemetry_start (telemetry);
  g_assert_true (test_collector_wait_for_records (collector, 5, WAIT_MS));
  g_assert_true (paddock_telemetry_flush (telemetry, WAIT_MS));
  paddock_telemetry_stop (telemetry);

  requests = test_collector_dup_requests (collector);
  g_assert_cmpuint (requests->len, ==, 2);
  gap_ms = (((TestCollectorRequest *) g_ptr_array_index (requests, 1))->arrival_us -
            ((TestCollectorRequest *) g_ptr_array_index (requests, 0))->arrival_us) / 1000;
  g_test_message ("Retry-After: %s; the retry came %" G_GINT64_FORMAT " ms later", date, gap_ms);
  g_assert_cmpint (gap_ms, >=, 900);
  assert_received_once_in_order (collector, ids);
}

/* 400 (or 413): the collector will not take the batch. It is halved
 * until the one event the collector refuses stands alone; that one is
 * marked rejected and kept, never sent again, and every other event
 * goes, in order. */
static void
test_export_rejected (void)
{
  g_autoptr(TestCollector) collector = test_collector_new (0);
  g_autoptr(PaddockAudit) audit = store_open ("rejected", NULL);
  g_autoptr(PaddockTelemetryConfig) config = config_for (collector, NULL, NULL);
  g_autoptr(PaddockTelemetry) telemetry = exporter_new (audit, config, 100);
  g_autoptr(GArray) ids = append_events (audit, 1, 10);
  g_autoptr(GArray) later = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  static const guint sizes[] = { 10, 5, 2, 1 };

  /* The first event is the one the collector refuses. */
  test_collector_push_response (collector, SOUP_STATUS_BAD_REQUEST, NULL);
  test_collector_push_response (collector, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL);
  test_collector_push_response (collector, SOUP_STATUS_BAD_REQUEST, NULL);
  test_collector_push_response (collector, SOUP_STATUS_BAD_REQUEST, NULL);
  paddock_telemetry_start (telemetry);
  g_assert_true (test_collector_wait_for_requests (collector, G_N_ELEMENTS (sizes) + 1, WAIT_MS));
  g_assert_true (paddock_telemetry_flush (telemetry, WAIT_MS));

  later = append_events (audit, 11, 10);
  g_assert_true (paddock_telemetry_flush (telemetry, WAIT_MS));
  g_assert_true (test_collector_wait_for_records (collector, 19, WAIT_MS));
  paddock_telemetry_stop (telemetry);

  requests = test_collector_dup_requests (collector);
  g_assert_cmpuint (requests->len, >=, G_N_ELEMENTS (sizes) + 1);
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      TestCollectorRequest *request = g_ptr_array_index (requests, i);
      g_autoptr(GArray) request_ids = record_ids (request->log_records);

      g_assert_cmpuint (request->status, ==, i == 1 ? 413 : 400);
      g_assert_cmpuint (request_ids->len, ==, sizes[i]);
      g_assert_cmpint (g_array_index (request_ids, gint64, 0), ==, 1);
    }
  for (guint i = G_N_ELEMENTS (sizes); i < requests->len; i++)
    g_assert_cmpuint (((TestCollectorRequest *) g_ptr_array_index (requests, i))->status, ==, 200);
  /* The refused one never went again; the rest went once each. */
  g_array_remove_index (ids, 0);
  g_array_append_vals (ids, later->data, later->len);
  assert_received_once_in_order (collector, ids);

  assert_nothing_pending (audit);
  events = paddock_audit_list (audit, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 20);
  for (guint i = 0; i < events->len; i++)
    g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (events, i), "exported"), ==,
                     i == 0 ? PADDOCK_AUDIT_REJECTED : PADDOCK_AUDIT_EXPORTED);
}

/* Stopped while the collector has not answered yet, as paddockctl stops
 * it when its flush times out: the process goes on, nothing is marked
 * exported without an answer, and the next exporter sends it again. */
static void
stop_in_flight (void)
{
  g_autoptr(TestCollector) collector = test_collector_new (0);
  g_autoptr(PaddockAudit) audit = store_open ("stop-in-flight", NULL);
  g_autoptr(PaddockTelemetryConfig) config = config_for (collector, NULL, NULL);
  g_autoptr(PaddockTelemetry) slow = exporter_new (audit, config, 100);
  g_autoptr(PaddockTelemetry) next = NULL;
  g_autoptr(GArray) ids = append_events (audit, 1, 10);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GArray) received = NULL;
  g_autoptr(GError) error = NULL;
  gint64 pending;

  test_collector_push_slow_response (collector, SOUP_STATUS_OK, NULL, 1500);
  paddock_telemetry_start (slow);
  g_assert_true (test_collector_wait_for_requests (collector, 1, WAIT_MS));
  g_assert_false (paddock_telemetry_flush (slow, 100));
  paddock_telemetry_stop (slow);
  /* Whether the stop waited for the answer or not, the events are
   * either marked or still pending: never lost. */
  pending = paddock_audit_count_pending (audit, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pending == 0 || pending == 10);

  next = exporter_new (audit, config, 100);
  paddock_telemetry_start (next);
  g_assert_true (paddock_telemetry_flush (next, WAIT_MS));
  paddock_telemetry_stop (next);
  assert_nothing_pending (audit);
  records = test_collector_dup_accepted_records (collector);
  received = record_ids (records);
  g_assert_cmpuint (received->len, >=, ids->len);
  for (guint i = 0; i < ids->len; i++)
    g_assert_cmpint (g_array_index (received, gint64, i), ==, g_array_index (ids, gint64, i));
}

static void
test_export_stop_in_flight (void)
{
  if (g_test_subprocess ())
    {
      stop_in_flight ();
      return;
    }

  /* In a subprocess: ending a request from the wrong thread aborts in
   * libsoup, and must not take the suite with it. */
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Two processes' stores on one file, an exporter each: the lease lets
 * one send, the other's flush returns at once, the collector never sees
 * an id twice; when the holder stops, the other takes over. */
static void
test_export_lease (void)
{
  g_autoptr(TestCollector) collector = test_collector_new (0);
  g_autofree char *path = NULL;
  g_autoptr(PaddockAudit) first = store_open ("lease", &path);
  g_autoptr(PaddockAudit) second = paddock_audit_open (path, NULL);
  g_autoptr(PaddockTelemetryConfig) config = config_for (collector, NULL, NULL);
  g_autoptr(PaddockTelemetry) a = exporter_new (first, config, 20);
  g_autoptr(PaddockTelemetry) b = exporter_new (second, config, 20);
  g_autoptr(GArray) ids = append_events (first, 1, 200);
  g_autoptr(GArray) more = NULL;
  PaddockTelemetry *holder, *other;
  PaddockAudit *other_audit;

  g_assert_nonnull (second);
  /* Both start with 200 events waiting and race for the lease. */
  paddock_telemetry_start (a);
  paddock_telemetry_start (b);
  g_assert_true (paddock_telemetry_flush (a, WAIT_MS));
  g_assert_true (paddock_telemetry_flush (b, WAIT_MS));
  g_assert_true (test_collector_wait_for_records (collector, 200, WAIT_MS));
  g_assert_cmpuint (paddock_telemetry_get_n_sent (a) + paddock_telemetry_get_n_sent (b), ==, 200);
  g_assert_true (paddock_telemetry_get_n_sent (a) == 0 || paddock_telemetry_get_n_sent (b) == 0);
  holder = paddock_telemetry_get_n_sent (a) > 0 ? a : b;
  other = holder == a ? b : a;
  other_audit = holder == a ? second : first;

  /* Events written through the other process: its flush returns TRUE
   * without sending, as the holder is the one to send them (it finds
   * them when it next looks). */
  more = append_events (other_audit, 201, 100);
  g_array_append_vals (ids, more->data, more->len);
  g_clear_pointer (&more, g_array_unref);
  g_assert_true (paddock_telemetry_flush (other, WAIT_MS));
  g_assert_true (test_collector_wait_for_records (collector, 300, WAIT_MS));
  g_assert_cmpuint (paddock_telemetry_get_n_sent (other), ==, 0);

  /* The holder gives the lease back; the other takes it. */
  g_assert_true (paddock_telemetry_flush (holder, WAIT_MS));
  paddock_telemetry_stop (holder);
  more = append_events (other_audit, 301, 50);
  g_array_append_vals (ids, more->data, more->len);
  g_assert_true (test_collector_wait_for_records (collector, 350, WAIT_MS));
  g_assert_true (paddock_telemetry_flush (other, WAIT_MS));
  wait_for_n_sent (other, 50);
  paddock_telemetry_stop (other);

  assert_received_once_in_order (collector, ids);
  assert_nothing_pending (first);
}

/* Once the holder has stopped, the other exporter's flush sends what
 * is pending before it returns TRUE: nobody else will. */
static void
test_export_lease_handover (void)
{
  g_autoptr(TestCollector) collector = test_collector_new (0);
  g_autofree char *path = NULL;
  g_autoptr(PaddockAudit) first = store_open ("handover", &path);
  g_autoptr(PaddockAudit) second = paddock_audit_open (path, NULL);
  g_autoptr(PaddockTelemetryConfig) config = config_for (collector, NULL, NULL);
  g_autoptr(PaddockTelemetry) holder = exporter_new (first, config, 20);
  g_autoptr(PaddockTelemetry) other = exporter_new (second, config, 20);
  g_autoptr(GArray) ids = append_events (first, 1, 10);
  g_autoptr(GArray) more = NULL;
  g_autoptr(GError) error = NULL;
  gboolean flushed;
  gint64 pending;

  paddock_telemetry_start (holder);
  g_assert_true (paddock_telemetry_flush (holder, WAIT_MS));
  paddock_telemetry_start (other);
  /* TRUE at once: the holder is the one to send. */
  g_assert_true (paddock_telemetry_flush (other, WAIT_MS));
  g_assert_true (paddock_telemetry_flush (holder, WAIT_MS));
  paddock_telemetry_stop (holder);

  /* Written through the stopped holder's store, which wakes nobody: the
   * other exporter finds them only when it is asked to flush. */
  more = append_events (first, 11, 20);
  g_array_append_vals (ids, more->data, more->len);
  /* A slow answer: a flush that returns before it cannot find them all
   * marked by chance. */
  test_collector_push_slow_response (collector, SOUP_STATUS_OK, NULL, 300);
  flushed = paddock_telemetry_flush (other, WAIT_MS);
  pending = paddock_audit_count_pending (second, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("the other exporter's flush: %s with %" G_GINT64_FORMAT " events pending",
                  flushed ? "TRUE" : "FALSE", pending);

  /* Either way, the events go, once each. */
  g_assert_true (test_collector_wait_for_records (collector, 30, WAIT_MS));
  g_assert_true (paddock_telemetry_flush (other, WAIT_MS));
  wait_for_n_sent (other, 20);
  paddock_telemetry_stop (other);
  assert_received_once_in_order (collector, ids);
  assert_nothing_pending (second);

  /* A lease seen before the holder stopped does not count. */
  g_assert_true (flushed);
  g_assert_cmpint (pending, ==, 0);
}

/* --- kill -9 ---------------------------------------------------------------- */

/* The child writes in waves of KILL_WAVE until killed, KILL_BURST at
 * most; waves let the exporter's turn at the store come between them. */
#define KILL_BURST 200000
#define KILL_WAVE 200
#define KILL_BATCH 50

static int kill_child_acks = -1;
static guint kill_child_outstanding;

static void
on_child_appended (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  gint64 id = paddock_audit_append_finish (PADDOCK_AUDIT (user_data), result, NULL);

  if (id <= 0 || write (kill_child_acks, &id, sizeof id) != sizeof id)
    _exit (3);
  kill_child_outstanding--;
}

/* The process that is killed: a store, an exporter to @url, and a burst
 * of writes, each acknowledged id written to descriptor 3. */
static int
kill_child_main (const char *path,
                 const char *url)
{
  g_autoptr(PaddockAudit) audit = paddock_audit_open (path, NULL);
  g_autoptr(PaddockTelemetryConfig) config = g_new0 (PaddockTelemetryConfig, 1);
  g_autoptr(PaddockTelemetry) telemetry = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  char *empty[] = { NULL };
  char *sender[] = { (char *) "x-test-sender", (char *) "child", NULL };

  if (audit == NULL)
    return 2;
  kill_child_acks = 3;
  config->enabled = TRUE;
  config->endpoint = g_strdup (url);
  config->headers = g_strdupv (sender);
  config->resource = g_strdupv (empty);
  config->notes = g_strdupv (empty);
  telemetry = exporter_new (audit, config, KILL_BATCH);
  paddock_telemetry_start (telemetry);

  g_main_context_push_thread_default (context);
  for (guint i = 0; i < KILL_BURST; i++)
    {
      g_autoptr(JsonObject) attributes = sample_attributes (i + 1);

      paddock_audit_append_async (audit, "paddock.tool_decision", attributes, NULL, on_child_appended, audit);
      kill_child_outstanding++;
      if (i % KILL_WAVE == KILL_WAVE - 1)
        while (kill_child_outstanding > 0)
          g_main_context_iteration (context, TRUE);
    }
  /* Not killed in time: the parent fails. */
  return 4;
}

static char *
dup_lease_holder (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *select = NULL;
  char *holder = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT holder FROM export_cursor", -1, &select, NULL), ==,
                   SQLITE_OK);
  if (sqlite3_step (select) == SQLITE_ROW)
    holder = g_strdup ((const char *) sqlite3_column_text (select, 0));
  sqlite3_finalize (select);
  sqlite3_close (db);
  return holder;
}

static void
assert_integrity (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *check = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &check, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (check), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (check, 0), ==, "ok");
  sqlite3_finalize (check);
  sqlite3_close (db);
}

static void
add_id (GHashTable *set,
        gint64      id)
{
  g_hash_table_add (set, g_memdup2 (&id, sizeof id));
}

/* kill -9 while events are written and exported: the store is whole and
 * holds every acknowledged event, and a new exporter sends what is
 * pending, so the collector has every stored event. Each exporter says
 * who it is in a header, so the collector's requests can be told apart
 * however late the dead child's last one is read. */
static void
test_kill_during_export (void)
{
  g_autoptr(TestCollector) collector = test_collector_new (0);
  g_autofree char *dir = test_make_dir ("kill");
  g_autofree char *path = g_build_filename (dir, "audit.sqlite", NULL);
  g_autofree char *url = test_collector_dup_url (collector);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GArray) acknowledged = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GHashTable) stored = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GHashTable) from_child = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GHashTable) from_parent = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GHashTable) in_flight = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(PaddockAudit) audit = NULL;
  g_autoptr(PaddockTelemetryConfig) config = NULL;
  g_autoptr(PaddockTelemetry) telemetry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *holder = NULL;
  g_autofree char *child_mark = NULL;
  const char *parent_env[] = { "OTEL_EXPORTER_OTLP_HEADERS=x-test-sender=parent", NULL };
  guint duplicates = 0;
  int fds[2];
  gint64 id;

  g_assert_cmpint (pipe (fds), ==, 0);
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  child = g_subprocess_launcher_spawn (launcher, &error, "/proc/self/exe", "--kill-child", path, url, NULL);
  g_assert_no_error (error);
  child_mark = g_strdup_printf (" %s ", g_subprocess_get_identifier (child));
  g_clear_object (&launcher);  /* closes our copy of the write end */

  /* Kill once writes are acknowledged and the export is under way. */
  while ((acknowledged->len < 2000 || test_collector_get_n_requests (collector) < 3) &&
         read (fds[0], &id, sizeof id) == sizeof id)
    g_array_append_val (acknowledged, id);
  g_subprocess_send_signal (child, SIGKILL);
  while (read (fds[0], &id, sizeof id) == sizeof id)
    g_array_append_val (acknowledged, id);
  close (fds[0]);
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);
  g_assert_cmpuint (acknowledged->len, >=, 2000);
  g_assert_cmpuint (acknowledged->len, <, KILL_BURST);

  assert_integrity (path);
  audit = paddock_audit_open (path, &error);
  g_assert_no_error (error);
  events = paddock_audit_list (audit, 0, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    add_id (stored, json_object_get_int_member (g_ptr_array_index (events, i), "id"));
  for (guint i = 0; i < acknowledged->len; i++)
    if (!g_hash_table_contains (stored, &g_array_index (acknowledged, gint64, i)))
      g_error ("event %" G_GINT64_FORMAT " was acknowledged and is gone", g_array_index (acknowledged, gint64, i));

  /* The dead child's lease (holder "HOST PID UUID") would stand until it
   * expires (30 s): a holder on this machine whose process is gone gives
   * it up at once, so the flush below sends rather than waits. */
  holder = dup_lease_holder (path);
  g_test_message ("the lease after the kill: %s%s", holder ? holder : "(none)",
                  holder && strstr (holder, child_mark) ? " (the dead child's)" : "");

  config = config_for (collector, NULL, parent_env);
  telemetry = exporter_new (audit, config, 500);
  paddock_telemetry_start (telemetry);
  /* Well within the 30 s the dead child's lease would otherwise stand. */
  g_assert_true (paddock_telemetry_flush (telemetry, 20000));
  paddock_telemetry_stop (telemetry);
  assert_nothing_pending (audit);

  /* Neither exporter sends an id twice. */
  requests = test_collector_dup_requests (collector);
  for (guint i = 0; i < requests->len; i++)
    {
      TestCollectorRequest *request = g_ptr_array_index (requests, i);
      gboolean is_child = g_strcmp0 (header (request, "x-test-sender"), "child") == 0;
      GHashTable *seen = is_child ? from_child : from_parent;

      g_assert_cmpstr (header (request, "x-test-sender"), ==, is_child ? "child" : "parent");
      g_assert_cmpuint (request->status, ==, 200);
      if (is_child)
        g_hash_table_remove_all (in_flight);
      for (guint j = 0; j < request->log_records->len; j++)
        {
          gint64 received_id = test_log_record_get_audit_id (g_ptr_array_index (request->log_records, j));

          if (g_hash_table_contains (seen, &received_id))
            g_error ("the %s sent id %" G_GINT64_FORMAT " twice", is_child ? "child" : "parent", received_id);
          add_id (seen, received_id);
          if (is_child)
            add_id (in_flight, received_id);
        }
    }
  g_assert_cmpuint (g_hash_table_size (from_child), >, 0);

  /* OTLP delivers at least once: the child's last request may have
   * reached the collector without the child living to mark it
   * exported, and then the new exporter sends it again. Only those ids
   * may come twice. */
  {
    GHashTableIter iter;
    gint64 *parent_id;

    g_hash_table_iter_init (&iter, from_parent);
    while (g_hash_table_iter_next (&iter, (gpointer *) &parent_id, NULL))
      if (g_hash_table_contains (from_child, parent_id))
        {
          if (!g_hash_table_contains (in_flight, parent_id))
            g_error ("id %" G_GINT64_FORMAT " came twice and was not in flight at the kill", *parent_id);
          duplicates++;
        }
  }
  g_test_message ("acknowledged %u; the child sent %u, the new exporter %u, %u of them again",
                  acknowledged->len, g_hash_table_size (from_child), g_hash_table_size (from_parent), duplicates);
  g_assert_cmpuint (duplicates, <=, KILL_BATCH);
  for (guint i = 0; i < events->len; i++)
    {
      gint64 stored_id = json_object_get_int_member (g_ptr_array_index (events, i), "id");

      if (!g_hash_table_contains (from_child, &stored_id) && !g_hash_table_contains (from_parent, &stored_id))
        g_error ("stored event %" G_GINT64_FORMAT " never reached the collector", stored_id);
    }
}

/* --- secrets ---------------------------------------------------------------- */

#define PROMPT_SECRET "prompt-secret-4f1c9e"
#define VISIBLE_PROMPT "visible-prompt-7a2b"
#define ENV_SECRET "env-header-secret-81d0"
#define POLICY_SECRET "policy-header-secret-5e37"

/* A prompt, with log_user_prompts off, is stored and sent as its length
 * only; header values (from OTEL_EXPORTER_OTLP_HEADERS and the policy)
 * go as headers and never into a body. The controls: the same search
 * finds a prompt whose policy keeps it, and the headers do arrive. */
static void
test_secrets (void)
{
  g_autoptr(TestCollector) collector = test_collector_new (0);
  g_autofree char *path = NULL;
  g_autoptr(PaddockAudit) audit = store_open ("secrets", &path);
  const char *user = "{\"telemetry\": {\"log_user_prompts\": false,"
                     " \"headers\": {\"X-Policy-Key\": \"" POLICY_SECRET "\"}}}";
  const char *env[] = { "OTEL_EXPORTER_OTLP_HEADERS=x-api-key=" ENV_SECRET, NULL };
  g_autoptr(PaddockTelemetryConfig) config = config_for (collector, user, env);
  g_autoptr(PaddockTelemetry) telemetry = exporter_new (audit, config, 100);
  g_autoptr(PaddockPolicy) quiet_policy = policy_new (PADDOCK_LAYER_USER, user, -1);
  g_autoptr(PaddockPolicy) keeping_policy = policy_new (PADDOCK_LAYER_USER,
                                                        "{\"telemetry\": {\"log_user_prompts\": true}}", -1);
  g_autoptr(PaddockAuditSession) quiet = paddock_audit_session_new (audit, quiet_policy, NULL, "test-telemetry");
  g_autoptr(PaddockAuditSession) keeping = paddock_audit_session_new (audit, keeping_policy, NULL, "test-telemetry");
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  gboolean found_quiet = FALSE, found_keeping = FALSE;

  g_assert_false (config->log_user_prompts);
  {
    g_autoptr(JsonObject) start = paddock_audit_session_start_attributes (quiet);
    g_autoptr(JsonObject) prompt = paddock_audit_prompt_attributes (quiet, PROMPT_SECRET);
    g_autoptr(JsonObject) kept = paddock_audit_prompt_attributes (keeping, VISIBLE_PROMPT);

    g_assert_cmpint (paddock_audit_session_record (quiet, "paddock.session_start", start, &error), >, 0);
    g_assert_cmpint (paddock_audit_session_record (quiet, "paddock.user_prompt", prompt, &error), >, 0);
    g_assert_cmpint (paddock_audit_session_record (keeping, "paddock.user_prompt", kept, &error), >, 0);
    g_assert_no_error (error);
  }

  paddock_telemetry_start (telemetry);
  g_assert_true (paddock_telemetry_flush (telemetry, WAIT_MS));
  g_assert_true (test_collector_wait_for_records (collector, 3, WAIT_MS));
  paddock_telemetry_stop (telemetry);

  requests = test_collector_dup_requests (collector);
  g_assert_cmpuint (requests->len, >, 0);
  for (guint i = 0; i < requests->len; i++)
    {
      TestCollectorRequest *request = g_ptr_array_index (requests, i);

      g_assert_cmpstr (header (request, "x-api-key"), ==, ENV_SECRET);
      g_assert_cmpstr (header (request, "X-Policy-Key"), ==, POLICY_SECRET);
    }

  records = test_collector_dup_accepted_records (collector);
  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *record = g_ptr_array_index (records, i);
      JsonObject *length = test_log_record_get_attribute (record, "prompt.length");

      if (g_strcmp0 (json_object_get_string_member (record, "eventName"), "paddock.user_prompt") != 0)
        continue;
      g_assert_nonnull (length);
      if (g_strcmp0 (test_log_record_get_string (record, "session.id"), paddock_audit_session_get_id (quiet)) == 0)
        {
          g_autofree char *expected = g_strdup_printf ("%zu", strlen (PROMPT_SECRET));

          found_quiet = TRUE;
          g_assert_cmpstr (json_object_get_string_member (length, "intValue"), ==, expected);
          g_assert_null (test_log_record_get_attribute (record, "prompt"));
        }
      else
        {
          found_keeping = TRUE;
          g_assert_cmpstr (test_log_record_get_string (record, "prompt"), ==, VISIBLE_PROMPT);
        }
    }
  g_assert_true (found_quiet && found_keeping);

  g_assert_true (test_collector_bodies_contain (collector, VISIBLE_PROMPT));
  g_assert_false (test_collector_bodies_contain (collector, PROMPT_SECRET));
  g_assert_false (test_collector_bodies_contain (collector, ENV_SECRET));
  g_assert_false (test_collector_bodies_contain (collector, POLICY_SECRET));

  /* Nor is the prompt kept on disk; the kept one is, as the control. */
  g_assert_true (store_files_contain (path, VISIBLE_PROMPT));
  g_assert_false (store_files_contain (path, PROMPT_SECRET));
}

/* --- the keychain ------------------------------------------------------------ */

#define KEYCHAIN_TOKEN "Bearer keychain-token-2c8e51"
#define DECOY_TOKEN "Bearer decoy-token-90ff"

/* With a real Secret Service (the test-telemetry-keychain test runs this
 * in a session bus with gnome-keyring): the token stored for this
 * endpoint goes as the token header, never into a body; one stored for
 * another endpoint is never sent. */
static void
test_keychain (void)
{
  g_autoptr(TestCollector) collector = NULL;
  g_autoptr(PaddockAudit) audit = NULL;
  g_autoptr(PaddockTelemetryConfig) config = NULL;
  g_autoptr(PaddockTelemetry) telemetry = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  if (g_getenv ("PADDOCK_TEST_KEYCHAIN") == NULL)
    {
      g_test_skip ("needs a Secret Service of the test's own: the test-telemetry-keychain test runs it "
                   "(PADDOCK_TEST_KEYCHAIN=1 under dbus-run-session with gnome-keyring-daemon)");
      return;
    }

  collector = test_collector_new (0);
  url = test_collector_dup_url (collector);
  {
    PaddockKeychainEntry entry = { "otlp", "Authorization", url, PADDOCK_TELEMETRY_TOKEN_KIND };
    PaddockKeychainEntry decoy = { "otlp", "Authorization", "http://127.0.0.1:1/v1/logs",
                                   PADDOCK_TELEMETRY_TOKEN_KIND };

    g_assert_true (paddock_keychain_store (&decoy, "decoy", DECOY_TOKEN, &error));
    g_assert_no_error (error);
    g_assert_true (paddock_keychain_store (&entry, "test-telemetry", KEYCHAIN_TOKEN, &error));
    g_assert_no_error (error);
  }

  audit = store_open ("keychain", NULL);
  config = config_for (collector, "{\"telemetry\": {\"token_header\": \"Authorization\"}}", NULL);
  g_assert_cmpstr (config->token_header, ==, "Authorization");
  telemetry = exporter_new (audit, config, 100);
  ids = append_events (audit, 1, 20);
  paddock_telemetry_start (telemetry);
  g_assert_true (paddock_telemetry_flush (telemetry, WAIT_MS));
  g_assert_true (test_collector_wait_for_records (collector, 20, WAIT_MS));
  paddock_telemetry_stop (telemetry);

  assert_received_once_in_order (collector, ids);
  requests = test_collector_dup_requests (collector);
  for (guint i = 0; i < requests->len; i++)
    g_assert_cmpstr (header (g_ptr_array_index (requests, i), "Authorization"), ==, KEYCHAIN_TOKEN);
  g_assert_false (test_collector_bodies_contain (collector, "keychain-token"));
  g_assert_false (test_collector_bodies_contain (collector, "decoy-token"));
}

/* Without a Secret Service nothing is sent (an event without its
 * credential would only be refused) and the problem names the keychain;
 * the control: the same events go once no token is asked for. Runs in a
 * subprocess whose session bus is a dead socket. */
static void
test_no_keychain (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *dir = test_make_dir ("no-bus");
      g_autofree char *bus = g_strdup_printf ("unix:path=%s/bus", dir);
      g_autoptr(TestCollector) collector = NULL;
      g_autoptr(PaddockAudit) audit = NULL;
      g_autoptr(PaddockTelemetryConfig) config = NULL;
      g_autoptr(PaddockTelemetryConfig) plain = NULL;
      g_autoptr(PaddockTelemetry) telemetry = NULL;
      g_autoptr(PaddockTelemetry) control = NULL;
      g_autoptr(GArray) ids = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *problem = NULL;

      g_setenv ("DBUS_SESSION_BUS_ADDRESS", bus, TRUE);
      collector = test_collector_new (0);
      audit = store_open ("no-keychain", NULL);
      config = config_for (collector, "{\"telemetry\": {\"token_header\": \"Authorization\"}}", NULL);
      telemetry = exporter_new (audit, config, 100);
      ids = append_events (audit, 1, 10);
      paddock_telemetry_start (telemetry);
      problem = wait_for_problem (telemetry, "keychain");
      g_test_message ("without a keychain: %s", problem);
      g_assert_false (paddock_telemetry_flush (telemetry, 200));
      paddock_telemetry_stop (telemetry);
      g_assert_cmpuint (test_collector_get_n_requests (collector), ==, 0);
      g_assert_cmpint (paddock_audit_count_pending (audit, NULL, &error), ==, 10);

      plain = config_for (collector, NULL, NULL);
      control = exporter_new (audit, plain, 100);
      paddock_telemetry_start (control);
      g_assert_true (paddock_telemetry_flush (control, WAIT_MS));
      g_assert_true (test_collector_wait_for_records (collector, 10, WAIT_MS));
      paddock_telemetry_stop (control);
      assert_received_once_in_order (collector, ids);
      return;
    }

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* --- paddockctl run, end to end ---------------------------------------------- */

#define CLI_HEADER_SECRET "cli-header-secret-d41b"
#define CLI_ENV_SECRET "cli-planted-env-secret-0e9a"
#define CLI_ARGV_MARKER "cli-argv-marker-77c3"

static JsonObject *
find_event (GPtrArray  *records,
            const char *name)
{
  for (guint i = 0; i < records->len; i++)
    if (g_strcmp0 (json_object_get_string_member (g_ptr_array_index (records, i), "eventName"), name) == 0)
      return g_ptr_array_index (records, i);
  g_error ("the collector received no %s", name);
}

/* The real paddockctl with the standard OTEL_* variables: its session's
 * start, decision and result arrive, linked by session.id and call.id,
 * and neither the header's value nor a planted environment variable is
 * in any body or in the store's files. The controls: the header arrives
 * as a header, and the command's own text is in both. */
static void
test_cli_end_to_end (void)
{
  g_autoptr(TestCollector) collector = NULL;
  g_autofree char *base = test_make_dir ("cli");
  g_autofree char *project = g_build_filename (base, "project", NULL);
  g_autofree char *runtime = g_build_filename (base, "runtime", NULL);
  g_autofree char *state = g_build_filename (base, "state", NULL);
  g_autofree char *store = g_build_filename (state, "paddock", "audit.sqlite", NULL);
  g_autofree char *url = NULL;
  g_autofree char *why = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const dirs[] = { "etc", "config", "cache", "state", "runtime", "project" };
  static const char * const dropped[] = {
    "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_HEADERS", "OTEL_SDK_DISABLED",
    "OTEL_RESOURCE_ATTRIBUTES", "OTEL_SERVICE_NAME", "XDG_DATA_HOME",
  };
  JsonObject *start, *decision, *result;
  const char *session_id, *call_id;
  const char *paddockctl = g_getenv ("PADDOCKCTL");
  int status;

  if (paddockctl == NULL)
    {
      g_test_skip ("PADDOCKCTL is not set (meson test sets it)");
      return;
    }
#ifdef __SANITIZE_ADDRESS__
  /* The sanitizers' build: LeakSanitizer cannot work in the sandbox's
   * PID namespace and fails the helper there. The development build
   * runs this test. */
  g_test_skip ("paddockctl and paddock-sandbox are built with AddressSanitizer, which cannot run in the sandbox");
  return;
#endif
  if (!test_sandbox_usable (&why))
    {
      g_test_skip (why);
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = g_build_filename (base, dirs[i], NULL);
      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
    }
  collector = test_collector_new (0);
  url = test_collector_dup_url (collector);

  for (guint i = 0; i < G_N_ELEMENTS (dropped); i++)
    env = g_environ_unsetenv (env, dropped[i]);
  {
    g_autofree char *etc = g_build_filename (base, "etc", NULL);
    g_autofree char *config = g_build_filename (base, "config", NULL);
    g_autofree char *cache = g_build_filename (base, "cache", NULL);

    env = g_environ_setenv (env, "PADDOCK_SYSCONFDIR", etc, TRUE);
    env = g_environ_setenv (env, "XDG_CONFIG_HOME", config, TRUE);
    env = g_environ_setenv (env, "XDG_CACHE_HOME", cache, TRUE);
  }
  env = g_environ_setenv (env, "XDG_STATE_HOME", state, TRUE);
  env = g_environ_setenv (env, "HOME", base, TRUE);
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  env = g_environ_setenv (env, "XDG_RUNTIME_DIR", runtime, TRUE);
  env = g_environ_setenv (env, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", url, TRUE);
  env = g_environ_setenv (env, "OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=" CLI_HEADER_SECRET, TRUE);
  env = g_environ_setenv (env, "PLANTED_ENV", CLI_ENV_SECRET, TRUE);

  {
    /* setsid: no terminal, so nothing could wait for a person. */
    const char *argv[] = { "setsid", "-w", paddockctl, "run", "--", "sh", "-c", "printf %s \"$PLANTED_ENV\"",
                           CLI_ARGV_MARKER, NULL };

    g_spawn_sync (project, (char **) argv, env, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
    g_assert_no_error (error);
    g_test_message ("paddockctl run: status %d\nstdout: %s\nstderr: %s", status, out, err);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }

  /* paddockctl flushed before it exited. */
  g_assert_true (test_collector_wait_for_records (collector, 3, WAIT_MS));
  records = test_collector_dup_accepted_records (collector);
  start = find_event (records, "paddock.session_start");
  decision = find_event (records, "paddock.tool_decision");
  result = find_event (records, "paddock.tool_result");
  session_id = test_log_record_get_string (start, "session.id");
  call_id = test_log_record_get_string (decision, "call.id");
  g_assert_nonnull (session_id);
  g_assert_cmpstr (test_log_record_get_string (decision, "session.id"), ==, session_id);
  g_assert_cmpstr (test_log_record_get_string (result, "session.id"), ==, session_id);
  g_assert_nonnull (call_id);
  g_assert_cmpstr (test_log_record_get_string (result, "call.id"), ==, call_id);

  requests = test_collector_dup_requests (collector);
  for (guint i = 0; i < requests->len; i++)
    g_assert_cmpstr (header (g_ptr_array_index (requests, i), "x-api-key"), ==, CLI_HEADER_SECRET);
  g_assert_true (test_collector_bodies_contain (collector, CLI_ARGV_MARKER));
  g_assert_false (test_collector_bodies_contain (collector, CLI_HEADER_SECRET));
  g_assert_false (test_collector_bodies_contain (collector, CLI_ENV_SECRET));

  g_assert_true (g_file_test (store, G_FILE_TEST_EXISTS));
  g_assert_true (store_files_contain (store, CLI_ARGV_MARKER));
  g_assert_false (store_files_contain (store, CLI_HEADER_SECRET));
  g_assert_false (store_files_contain (store, CLI_ENV_SECRET));
}

/* A collector a variable points at for one run takes the events it is
 * sent, and the policy's collector still gets every one of them: each
 * has its own place in the outbox. */
static void
test_export_two_collectors (void)
{
  g_autoptr(TestCollector) policy_collector = test_collector_new (0);
  g_autoptr(TestCollector) local_collector = test_collector_new (0);
  g_autoptr(PaddockAudit) audit = store_open ("two-collectors", NULL);
  g_autoptr(GArray) ids = append_events (audit, 1, 40);
  g_autoptr(PaddockTelemetryConfig) local = config_for (local_collector, NULL, NULL);
  g_autoptr(PaddockTelemetryConfig) policy = config_for (policy_collector, NULL, NULL);
  g_autoptr(PaddockTelemetry) first = exporter_new (audit, local, 25);
  g_autoptr(PaddockTelemetry) second = exporter_new (audit, policy, 25);

  /* The policy's collector had its place before (as the app made it). */
  g_assert_false (paddock_audit_lease_export (audit, policy->endpoint, "the app", 0, NULL, NULL));
  paddock_telemetry_start (first);
  g_assert_true (paddock_telemetry_flush (first, WAIT_MS));
  paddock_telemetry_stop (first);
  assert_received_once_in_order (local_collector, ids);

  paddock_telemetry_start (second);
  g_assert_true (test_collector_wait_for_records (policy_collector, 40, WAIT_MS));
  paddock_telemetry_stop (second);
  assert_received_once_in_order (policy_collector, ids);
}

/* With the collector down, a flush ends at the first failed attempt
 * instead of waiting out its whole bound: paddockctl leaves the rest to
 * the next Paddock process without making the person wait. */
static void
test_export_flush_gives_up (void)
{
  g_autoptr(TestCollector) collector = test_collector_new (0);
  g_autoptr(PaddockAudit) audit = store_open ("flush-gives-up", NULL);
  g_autoptr(GArray) ids = append_events (audit, 1, 5);
  g_autoptr(PaddockTelemetryConfig) config = config_for (collector, NULL, NULL);
  g_autoptr(PaddockTelemetry) telemetry = exporter_new (audit, config, 100);
  gint64 start;

  test_collector_stop_listening (collector);
  paddock_telemetry_start (telemetry);
  start = g_get_monotonic_time ();
  g_assert_false (paddock_telemetry_flush (telemetry, 60 * 1000));
  /* Far below the bound: a behaviour, not a speed. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
  paddock_telemetry_stop (telemetry);
  g_assert_cmpint (paddock_audit_count_pending (audit, NULL, NULL), ==, 5);
}

static void
on_tls_logs (SoupServer        *server,
             SoupServerMessage *message,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  guint *n = user_data;

  (*n)++;
  soup_server_message_set_status (message, 200, NULL);
}

/* TLS is verified: a collector whose certificate nobody vouches for
 * gets no event, and the problem says why; the same exporter to a
 * collector it can trust is the control (every other test). */
static void
test_export_tls_verified (void)
{
  g_autofree char *dir = test_make_dir ("tls");
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autoptr(PaddockAudit) audit = store_open ("tls-store", NULL);
  g_autoptr(GArray) ids = append_events (audit, 1, 5);
  g_autoptr(PaddockTelemetryConfig) config = NULL;
  g_autoptr(PaddockTelemetry) telemetry = NULL;
  g_autofree char *problem = NULL;
  const char *argv[] = { "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                         "/CN=127.0.0.1", "-keyout", key, "-out", cert, NULL };
  guint requests = 0;
  int status;

#ifdef __SANITIZE_ADDRESS__
  /* LeakSanitizer's tracer crashes at exit with GnuTLS's threads alive
   * (as test-requirements found); the development suite runs this. */
  g_test_skip ("GnuTLS's threads and LeakSanitizer do not mix; the development build runs this test");
  return;
#endif
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                     G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL) || status != 0)
    {
      g_test_skip ("openssl could not make a certificate");
      return;
    }
  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (server, "/v1/logs", on_tls_logs, &requests, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS,
                                           &error));
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("https://127.0.0.1:%d/v1/logs", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  {
    const char *envp[] = { NULL, NULL };
    g_autofree char *variable = g_strconcat ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT=", url, NULL);
    g_autoptr(PaddockPolicy) policy = policy_new (PADDOCK_LAYER_USER, "{}", -1);

    envp[0] = variable;
    config = paddock_telemetry_config_new (policy, envp);
  }
  telemetry = exporter_new (audit, config, 100);
  paddock_telemetry_start (telemetry);
  /* The server is served from this thread's loop while we wait. */
  {
    gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;

    while (g_get_monotonic_time () < deadline)
      {
        g_free (problem);
        problem = paddock_telemetry_dup_problem (telemetry);
        if (problem != NULL)
          break;
        g_main_context_iteration (NULL, FALSE);
        g_usleep (1000);
      }
  }
  paddock_telemetry_stop (telemetry);
  g_test_message ("%s", problem ? problem : "(no problem)");
  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem, "certificate"));
  g_assert_cmpuint (requests, ==, 0);
  g_assert_cmpint (paddock_audit_count_pending (audit, NULL, NULL), ==, 5);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 4 && g_str_equal (argv[1], "--kill-child"))
    return kill_child_main (argv[2], argv[3]);

  g_test_init (&argc, &argv, NULL);

  workspace = test_make_dir ("workspace");

  g_test_add_func ("/telemetry/config/endpoint", test_config_endpoint);
  g_test_add_func ("/telemetry/config/headers", test_config_headers);
  g_test_add_func ("/telemetry/config/resource", test_config_resource);
  g_test_add_func ("/telemetry/config/export-switch", test_config_export_switch);
  g_test_add_func ("/telemetry/config/forced-without-endpoint", test_config_forced_without_endpoint);
  g_test_add_func ("/telemetry/config/text-hides-values", test_config_text_hides_values);
  g_test_add_func ("/telemetry/config/login-token", test_config_login_token);
  g_test_add_func ("/telemetry/export/in-order", test_export_in_order);
  g_test_add_func ("/telemetry/export/collector-down", test_export_collector_down);
  g_test_add_func ("/telemetry/export/retry-after", test_export_retry_after);
  g_test_add_func ("/telemetry/export/retry-after-date", test_export_retry_after_date);
  g_test_add_func ("/telemetry/export/rejected", test_export_rejected);
  g_test_add_func ("/telemetry/export/stop-in-flight", test_export_stop_in_flight);
  g_test_add_func ("/telemetry/export/lease", test_export_lease);
  g_test_add_func ("/telemetry/export/lease-handover", test_export_lease_handover);
  g_test_add_func ("/telemetry/export/kill", test_kill_during_export);
  g_test_add_func ("/telemetry/export/two-collectors", test_export_two_collectors);
  g_test_add_func ("/telemetry/export/flush-gives-up", test_export_flush_gives_up);
  g_test_add_func ("/telemetry/export/tls-verified", test_export_tls_verified);
  g_test_add_func ("/telemetry/secrets", test_secrets);
  g_test_add_func ("/telemetry/keychain", test_keychain);
  g_test_add_func ("/telemetry/no-keychain", test_no_keychain);
  g_test_add_func ("/telemetry/cli", test_cli_end_to_end);

  return g_test_run ();
}
