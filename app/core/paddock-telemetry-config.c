/* paddock-telemetry-config.c
 *
 * Where the audit store's events go and what an OTLP/HTTP JSON logs
 * request holds: no network here, so the command-line tools that only
 * read or show them never load libsoup.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "paddock-audit-session.h"
#include "paddock-telemetry-config.h"

/* --- configuration ------------------------------------------------------- */

void
paddock_telemetry_config_free (PaddockTelemetryConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->endpoint);
  g_free (config->endpoint_shown);
  g_free (config->endpoint_from);
  g_free (config->policy_endpoint);
  g_strfreev (config->headers);
  g_free (config->token_header);
  g_clear_object (&config->login_policy);
  g_strfreev (config->resource);
  g_strfreev (config->notes);
  g_free (config);
}

/* The logs URL for a base endpoint, as OTLP/HTTP exporters build it. */
static char *
logs_url (const char *base)
{
  if (g_str_has_suffix (base, "/v1/logs"))
    return g_strdup (base);
  return g_strconcat (base, g_str_has_suffix (base, "/") ? "v1/logs" : "/v1/logs", NULL);
}

/* A URL as it may be shown: without a password or a query, which
 * can hold credentials. */
static char *
display_url (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  return uri ? g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO | G_URI_HIDE_QUERY | G_URI_HIDE_FRAGMENT)
             : g_strdup ("(not a URL)");
}

static gboolean
is_http_url (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  return uri != NULL && g_uri_get_host (uri) != NULL &&
         (g_str_equal (g_uri_get_scheme (uri), "https") || g_str_equal (g_uri_get_scheme (uri), "http"));
}

/* "k1=v1,k2=v2" with percent-encoded values, as the OTEL_* variables
 * write lists; a malformed entry is set aside with a note. */
static void
parse_pairs (const char *text,
             const char *variable,
             GPtrArray  *out,
             GPtrArray  *notes)
{
  g_auto(GStrv) entries = g_strsplit (text, ",", -1);

  for (guint i = 0; entries[i] != NULL; i++)
    {
      char *equals;
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      if (g_strstrip (entries[i])[0] == '\0')
        continue;
      equals = strchr (entries[i], '=');
      if (equals != NULL)
        {
          key = g_strstrip (g_strndup (entries[i], equals - entries[i]));
          value = g_uri_unescape_string (g_strstrip (equals + 1), NULL);
        }
      if (key == NULL || key[0] == '\0' || value == NULL || strpbrk (value, "\r\n") != NULL)
        {
          /* The entry may hold a secret: say where, not what. */
          g_ptr_array_add (notes, g_strdup_printf ("%s: entry %u is not KEY=VALUE (percent-encoded); set aside",
                                                   variable, i + 1));
          continue;
        }
      g_ptr_array_add (out, g_steal_pointer (&key));
      g_ptr_array_add (out, g_steal_pointer (&value));
    }
}

static void
set_pair (GPtrArray  *pairs,
          const char *key,
          const char *value)
{
  for (guint i = 0; i + 1 < pairs->len; i += 2)
    if (g_str_equal (g_ptr_array_index (pairs, i), key))
      {
        g_free (g_ptr_array_index (pairs, i + 1));
        pairs->pdata[i + 1] = g_strdup (value);
        return;
      }
  g_ptr_array_add (pairs, g_strdup (key));
  g_ptr_array_add (pairs, g_strdup (value));
}

static char **
pairs_to_strv (GPtrArray *pairs)
{
  g_ptr_array_add (pairs, NULL);
  return (char **) g_ptr_array_free (pairs, FALSE);
}

PaddockTelemetryConfig *
paddock_telemetry_config_new (PaddockPolicy      *policy,
                              const char * const *envp)
{
  PaddockTelemetryConfig *config = g_new0 (PaddockTelemetryConfig, 1);
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) resource = g_ptr_array_new_with_free_func (g_free);
  const char *logs_endpoint = g_environ_getenv ((char **) envp, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT");
  const char *base_endpoint = g_environ_getenv ((char **) envp, "OTEL_EXPORTER_OTLP_ENDPOINT");
  const char *env_headers = g_environ_getenv ((char **) envp, "OTEL_EXPORTER_OTLP_HEADERS");
  const char *env_logs_headers = g_environ_getenv ((char **) envp, "OTEL_EXPORTER_OTLP_LOGS_HEADERS");
  const char *env_resource = g_environ_getenv ((char **) envp, "OTEL_RESOURCE_ATTRIBUTES");
  const char *service_name = g_environ_getenv ((char **) envp, "OTEL_SERVICE_NAME");
  const char *sdk_disabled = g_environ_getenv ((char **) envp, "OTEL_SDK_DISABLED");
  const PaddockSetting *endpoint = paddock_policy_get_setting (policy, "telemetry.otlp_endpoint", NULL);
  const PaddockSetting *export = paddock_policy_get_setting (policy, "telemetry.export", NULL);
  const PaddockSetting *policy_headers = paddock_policy_get_setting (policy, "telemetry.headers", NULL);
  const PaddockSetting *token_header = paddock_policy_get_setting (policy, "telemetry.token_header", NULL);
  const PaddockSetting *prompts = paddock_policy_get_setting (policy, "telemetry.log_user_prompts", NULL);
  const PaddockSetting *login_token = paddock_policy_get_setting (policy, "telemetry.login_token", NULL);
  gboolean endpoint_fixed = endpoint != NULL && paddock_layer_is_enforced (endpoint->layer);

  /* The endpoint: an administrator's is fixed; otherwise the variables,
   * as OpenTelemetry users expect, and then the person's policy. */
  if (endpoint_fixed)
    {
      config->endpoint = logs_url (g_variant_get_string (endpoint->value, NULL));
      config->endpoint_from = paddock_setting_dup_origin (endpoint);
      if (logs_endpoint != NULL || base_endpoint != NULL)
        g_ptr_array_add (notes, g_strdup_printf ("OTEL_EXPORTER_OTLP_*ENDPOINT set aside: %s fixes the endpoint",
                                                 config->endpoint_from));
    }
  else if (logs_endpoint != NULL && is_http_url (logs_endpoint))
    {
      config->endpoint = g_strdup (logs_endpoint);
      config->endpoint_from = g_strdup ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT");
    }
  else if (base_endpoint != NULL && is_http_url (base_endpoint))
    {
      config->endpoint = logs_url (base_endpoint);
      config->endpoint_from = g_strdup ("OTEL_EXPORTER_OTLP_ENDPOINT");
    }
  else if (endpoint != NULL)
    {
      config->endpoint = logs_url (g_variant_get_string (endpoint->value, NULL));
      config->endpoint_from = paddock_setting_dup_origin (endpoint);
    }
  if (!endpoint_fixed && ((logs_endpoint != NULL && !is_http_url (logs_endpoint)) ||
                          (base_endpoint != NULL && !is_http_url (base_endpoint))))
    g_ptr_array_add (notes, g_strdup ("an OTEL_EXPORTER_OTLP_*ENDPOINT is not an http(s) URL; set aside"));

  /* Export: an enforced layer's word is final; else on once an
   * endpoint is known, unless the person or OTEL_SDK_DISABLED says no. */
  if (export != NULL && paddock_layer_is_enforced (export->layer))
    {
      config->enabled = g_variant_get_boolean (export->value);
      config->forced = config->enabled;
    }
  else if (export != NULL && !g_variant_get_boolean (export->value))
    config->enabled = FALSE;
  else
    config->enabled = config->endpoint != NULL;
  if (config->enabled && !config->forced && g_strcmp0 (sdk_disabled, "true") == 0)
    {
      config->enabled = FALSE;
      g_ptr_array_add (notes, g_strdup ("OTEL_SDK_DISABLED=true: nothing is sent"));
    }
  if (config->forced && config->endpoint == NULL)
    {
      g_autofree char *origin = paddock_setting_dup_origin (export);
      g_ptr_array_add (notes, g_strdup_printf ("export is required by %s, but no endpoint is set; events wait in the "
                                               "audit store", origin));
    }

  /* An administrator's headers go only to the administrator's
   * endpoint: never where a variable points. */
  if (policy_headers != NULL && paddock_layer_is_enforced (policy_headers->layer) && !endpoint_fixed)
    {
      g_autofree char *origin = paddock_setting_dup_origin (policy_headers);
      g_ptr_array_add (notes, g_strdup_printf ("the headers from %s set aside: they go only to an endpoint that "
                                               "layer fixes", origin));
    }
  else if (policy_headers != NULL)
    {
      GVariantIter iter;
      const char *name, *value;

      g_variant_iter_init (&iter, policy_headers->value);
      while (g_variant_iter_next (&iter, "{&s&s}", &name, &value))
        set_pair (headers, name, value);
    }
  /* Headers from the environment go only to an endpoint the person
   * chose: they never redirect an administrator's collector's auth. */
  if (endpoint_fixed && (env_headers != NULL || env_logs_headers != NULL))
    g_ptr_array_add (notes, g_strdup_printf ("OTEL_EXPORTER_OTLP_*HEADERS set aside: %s fixes the endpoint",
                                             config->endpoint_from));
  else
    {
      g_autoptr(GPtrArray) pairs = g_ptr_array_new_with_free_func (g_free);

      if (env_headers != NULL)
        parse_pairs (env_headers, "OTEL_EXPORTER_OTLP_HEADERS", pairs, notes);
      if (env_logs_headers != NULL)
        parse_pairs (env_logs_headers, "OTEL_EXPORTER_OTLP_LOGS_HEADERS", pairs, notes);
      for (guint i = 0; i + 1 < pairs->len; i += 2)
        set_pair (headers, g_ptr_array_index (pairs, i), g_ptr_array_index (pairs, i + 1));
    }
  if (token_header != NULL)
    config->token_header = g_variant_dup_string (token_header->value, NULL);
  /* The organisation's login goes only to a collector an administrator
   * fixed, never to one a variable or the person's file names. */
  if (login_token != NULL && g_variant_get_boolean (login_token->value))
    {
      g_autofree char *origin = paddock_setting_dup_origin (login_token);

      if (!endpoint_fixed)
        g_ptr_array_add (notes, g_strdup_printf ("login_token from %s set aside: the organisation's login goes only "
                                                 "to an endpoint the managed or system layer fixes", origin));
      else
        {
          config->login_token = TRUE;
          config->login_policy = g_object_ref (policy);
        }
    }

  set_pair (resource, "service.name", "paddock");
  set_pair (resource, "service.version", PACKAGE_VERSION);
  set_pair (resource, "host.name", g_get_host_name ());
  set_pair (resource, "os.type", "linux");
  if (env_resource != NULL)
    {
      g_autoptr(GPtrArray) pairs = g_ptr_array_new_with_free_func (g_free);

      parse_pairs (env_resource, "OTEL_RESOURCE_ATTRIBUTES", pairs, notes);
      for (guint i = 0; i + 1 < pairs->len; i += 2)
        set_pair (resource, g_ptr_array_index (pairs, i), g_ptr_array_index (pairs, i + 1));
    }
  if (service_name != NULL && service_name[0] != '\0')
    set_pair (resource, "service.name", service_name);

  /* What the store keeps for: the policy's collector, whatever this
   * process's variables say. */
  if (endpoint != NULL && !(export != NULL && !g_variant_get_boolean (export->value)))
    config->policy_endpoint = logs_url (g_variant_get_string (endpoint->value, NULL));
  if (config->endpoint != NULL)
    config->endpoint_shown = display_url (config->endpoint);

  config->log_user_prompts = prompts != NULL && g_variant_get_boolean (prompts->value);
  config->headers = pairs_to_strv (g_steal_pointer (&headers));
  config->resource = pairs_to_strv (g_steal_pointer (&resource));
  config->notes = pairs_to_strv (g_steal_pointer (&notes));
  return config;
}

char *
paddock_telemetry_config_to_text (const PaddockTelemetryConfig *config)
{
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "export: %s%s\n", config->enabled ? "on" : "off",
                          config->forced ? " (required by policy)" : "");
  g_string_append_printf (text, "endpoint: %s\n", config->endpoint ? config->endpoint_shown : "(none)");
  if (config->endpoint_from != NULL)
    g_string_append_printf (text, "  from %s\n", config->endpoint_from);
  for (guint i = 0; config->headers[i] != NULL; i += 2)
    g_string_append_printf (text, "header: %s (value not shown)\n", config->headers[i]);
  if (config->token_header != NULL)
    g_string_append_printf (text, "header: %s (from the keychain)\n", config->token_header);
  if (config->login_token)
    g_string_append (text, "header: Authorization (the organisation's login, from the keychain)\n");
  for (guint i = 0; config->resource[i] != NULL; i += 2)
    g_string_append_printf (text, "resource: %s=%s\n", config->resource[i], config->resource[i + 1]);
  g_string_append_printf (text, "user prompts: %s\n", config->log_user_prompts ? "text kept and sent" : "length only");
  for (guint i = 0; config->notes[i] != NULL; i++)
    g_string_append_printf (text, "note: %s\n", config->notes[i]);
  return g_string_free (text, FALSE);
}

/* --- the OTLP request ----------------------------------------------------- */

/* Written straight into a string: a JsonBuilder costs several times
 * as much, and the exporter shares two cores with everything else. */

static void
append_string (GString    *out,
               const char *text)
{
  g_string_append_c (out, '"');
  for (const char *c = text; *c; c++)
    switch (*c)
      {
      case '"':
        g_string_append (out, "\\\"");
        break;
      case '\\':
        g_string_append (out, "\\\\");
        break;
      default:
        if ((guchar) *c < 0x20)
          g_string_append_printf (out, "\\u%04x", (guchar) *c);
        else
          g_string_append_c (out, *c);
      }
  g_string_append_c (out, '"');
}

static void append_any_value (GString *out, JsonNode *node);

static void
append_key_value (GString    *out,
                  const char *key,
                  JsonNode   *node)
{
  g_string_append (out, "{\"key\":");
  append_string (out, key);
  g_string_append (out, ",\"value\":");
  append_any_value (out, node);
  g_string_append_c (out, '}');
}

/* JSON as OTLP's AnyValue: integers as decimal strings, as the proto3
 * JSON mapping writes 64-bit numbers; a null is left out. */
static void
append_any_value (GString  *out,
                  JsonNode *node)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      gboolean first = TRUE;

      g_string_append (out, "{\"arrayValue\":{\"values\":[");
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_NULL (element))
            continue;
          if (!first)
            g_string_append_c (out, ',');
          first = FALSE;
          append_any_value (out, element);
        }
      g_string_append (out, "]}}");
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;
      gboolean first = TRUE;

      g_string_append (out, "{\"kvlistValue\":{\"values\":[");
      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &name, &member))
        {
          if (JSON_NODE_HOLDS_NULL (member))
            continue;
          if (!first)
            g_string_append_c (out, ',');
          first = FALSE;
          append_key_value (out, name, member);
        }
      g_string_append (out, "]}}");
    }
  else
    {
      char number[G_ASCII_DTOSTR_BUF_SIZE];

      switch (json_node_get_value_type (node))
        {
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "{\"boolValue\":true}" : "{\"boolValue\":false}");
          break;
        case G_TYPE_INT64:
          g_string_append_printf (out, "{\"intValue\":\"%" G_GINT64_FORMAT "\"}", json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE:
          g_string_append_printf (out, "{\"doubleValue\":%s}",
                                  g_ascii_dtostr (number, sizeof number, json_node_get_double (node)));
          break;
        default:
          g_string_append (out, "{\"stringValue\":");
          append_string (out, json_node_get_string (node));
          g_string_append_c (out, '}');
          break;
        }
    }
}

/* OTLP's severity numbers: INFO is 9, WARN 13. */
static int
severity_for (const char *name,
              JsonObject *attributes)
{
  if (g_str_equal (name, "paddock.sandbox_violation") ||
      g_str_equal (paddock_json_get_string (attributes, "decision", ""), "deny"))
    return 13;
  return 9;
}

static void
append_log_record (GString    *out,
                   JsonObject *event)
{
  const char *name = json_object_get_string_member (event, "name");
  JsonObject *attributes = json_object_get_object_member (event, "attributes");
  gint64 time = json_object_get_int_member (event, "time_unix_nano");
  g_autofree char *body = paddock_audit_event_summary (name, attributes);
  int severity = severity_for (name, attributes);
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  g_string_append_printf (out, "{\"timeUnixNano\":\"%" G_GINT64_FORMAT "\",\"observedTimeUnixNano\":\"%"
                          G_GINT64_FORMAT "\",\"severityNumber\":%d,\"severityText\":\"%s\",\"eventName\":",
                          time, time, severity, severity == 13 ? "WARN" : "INFO");
  append_string (out, name);
  g_string_append (out, ",\"body\":{\"stringValue\":");
  append_string (out, body);
  g_string_append (out, "},\"attributes\":[");
  json_object_iter_init (&iter, attributes);
  while (json_object_iter_next (&iter, &key, &value))
    {
      if (JSON_NODE_HOLDS_NULL (value))
        continue;
      append_key_value (out, key, value);
      g_string_append_c (out, ',');
    }
  /* The store's id: with host.name, lets a receiver drop a repeat. */
  g_string_append_printf (out, "{\"key\":\"paddock.audit.id\",\"value\":{\"intValue\":\"%" G_GINT64_FORMAT
                          "\"}}]}", json_object_get_int_member (event, "id"));
}

char *
paddock_telemetry_build_request (GPtrArray          *events,
                                 const char * const *resource)
{
  GString *out = g_string_sized_new (1024 + events->len * 1536);

  g_string_append (out, "{\"resourceLogs\":[{\"resource\":{\"attributes\":[");
  for (guint i = 0; resource != NULL && resource[i] != NULL; i += 2)
    {
      g_string_append (out, i ? ",{\"key\":" : "{\"key\":");
      append_string (out, resource[i]);
      g_string_append (out, ",\"value\":{\"stringValue\":");
      append_string (out, resource[i + 1]);
      g_string_append (out, "}}");
    }
  g_string_append (out, "]},\"scopeLogs\":[{\"scope\":{\"name\":\"org.paddock.Paddock\",\"version\":\""
                   PACKAGE_VERSION "\"},\"logRecords\":[");
  for (guint i = 0; i < events->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_log_record (out, g_ptr_array_index (events, i));
    }
  g_string_append (out, "]}]}]}");
  return g_string_free (out, FALSE);
}
