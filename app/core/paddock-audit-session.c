/* paddock-audit-session.c
 *
 * Every event carries the attributes that tie it to who, where and
 * which run; a decision and its result share a call.id. What goes in
 * is raw (argv as given): escaping is for whoever displays it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <unistd.h>

#include "paddock-audit-session.h"

struct _PaddockAuditSession
{
  GObject parent_instance;

  PaddockAudit *audit;
  char *id;
  char *workspace_id;
  char *workspace_path;
  char *client;
  gboolean log_user_prompts;
  JsonObject *extra;        /* the front door's own, on every event */
};

G_DEFINE_FINAL_TYPE (PaddockAuditSession, paddock_audit_session, G_TYPE_OBJECT)

PaddockAuditSession *
paddock_audit_session_new (PaddockAudit     *audit,
                           PaddockPolicy    *policy,
                           PaddockWorkspace *workspace,
                           const char       *client)
{
  PaddockAuditSession *self;
  const PaddockSetting *prompts = paddock_policy_get_setting (policy, "telemetry.log_user_prompts", NULL);

  g_return_val_if_fail (PADDOCK_IS_AUDIT (audit), NULL);
  g_return_val_if_fail (workspace == NULL || PADDOCK_IS_WORKSPACE (workspace), NULL);
  g_return_val_if_fail (client != NULL, NULL);

  self = g_object_new (PADDOCK_TYPE_AUDIT_SESSION, NULL);
  self->audit = g_object_ref (audit);
  self->id = g_uuid_string_random ();
  self->client = g_strdup (client);
  self->log_user_prompts = prompts != NULL && g_variant_get_boolean (prompts->value);
  if (workspace != NULL)
    {
      self->workspace_id = g_strdup (paddock_workspace_get_id (workspace));
      self->workspace_path = g_strdup (paddock_workspace_get_path (workspace));
    }
  return self;
}

void
paddock_audit_session_set_attribute (PaddockAuditSession *self,
                                     const char          *name,
                                     const char          *value)
{
  g_return_if_fail (PADDOCK_IS_AUDIT_SESSION (self));

  if (self->extra == NULL)
    self->extra = json_object_new ();
  if (value != NULL)
    json_object_set_string_member (self->extra, name, value);
  else
    json_object_remove_member (self->extra, name);
}

const char *
paddock_audit_session_get_id (PaddockAuditSession *self)
{
  g_return_val_if_fail (PADDOCK_IS_AUDIT_SESSION (self), NULL);

  return self->id;
}

static JsonObject *
with_common (PaddockAuditSession *self,
             JsonObject          *attributes)
{
  JsonObject *all = json_object_new ();

  if (attributes != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, attributes);
      while (json_object_iter_next (&iter, &name, &value))
        json_object_set_member (all, name, json_node_copy (value));
    }
  if (self->extra != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, self->extra);
      while (json_object_iter_next (&iter, &name, &value))
        json_object_set_member (all, name, json_node_copy (value));
    }
  json_object_set_string_member (all, "session.id", self->id);
  if (self->workspace_id != NULL)
    json_object_set_string_member (all, "workspace.id", self->workspace_id);
  json_object_set_string_member (all, "user.id", g_get_user_name ());
  json_object_set_string_member (all, "app.version", PACKAGE_VERSION);
  return all;
}

void
paddock_audit_session_record_async (PaddockAuditSession *self,
                                    const char          *name,
                                    JsonObject          *attributes,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(JsonObject) all = NULL;

  g_return_if_fail (PADDOCK_IS_AUDIT_SESSION (self));

  all = with_common (self, attributes);
  paddock_audit_append_async (self->audit, name, all, cancellable, callback, user_data);
}

gint64
paddock_audit_session_record_finish (PaddockAuditSession *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  return paddock_audit_append_finish (self->audit, result, error);
}

gint64
paddock_audit_session_record (PaddockAuditSession *self,
                              const char          *name,
                              JsonObject          *attributes,
                              GError             **error)
{
  g_autoptr(JsonObject) all = NULL;

  g_return_val_if_fail (PADDOCK_IS_AUDIT_SESSION (self), 0);

  all = with_common (self, attributes);
  return paddock_audit_append (self->audit, name, all, error);
}

/* --- the events' own attributes ------------------------------------ */

/* JSON holds text: bytes that are not UTF-8 (an argument, a file
 * name) are kept as U+FFFD rather than lose the whole event. */
static char *
as_text (const char *value)
{
  return g_utf8_make_valid (value, -1);
}

static void
set_strv (JsonObject         *object,
          const char         *name,
          const char * const *strv)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    {
      g_autofree char *text = as_text (strv[i]);
      json_array_add_string_element (array, text);
    }
  json_object_set_array_member (object, name, array);
}

static void
set_string_if (JsonObject *object,
               const char *name,
               const char *value)
{
  g_autofree char *text = NULL;

  if (value == NULL)
    return;
  text = as_text (value);
  json_object_set_string_member (object, name, text);
}

JsonObject *
paddock_audit_session_start_attributes (PaddockAuditSession *self)
{
  JsonObject *attributes = json_object_new ();

  g_return_val_if_fail (PADDOCK_IS_AUDIT_SESSION (self), NULL);

  json_object_set_string_member (attributes, "client", self->client);
  set_string_if (attributes, "workspace.path", self->workspace_path);
  json_object_set_int_member (attributes, "process.pid", getpid ());
  json_object_set_boolean_member (attributes, "log_user_prompts", self->log_user_prompts);
  return attributes;
}

JsonObject *
paddock_audit_decision_attributes (const PaddockDecision *decision,
                                   gboolean               allowed,
                                   const char            *approver,
                                   const char            *scope,
                                   const char            *call_id)
{
  JsonObject *attributes = json_object_new ();
  const PaddockAction *action = decision->action;
  const PaddockRule *rule = decision->decisive;
  g_autofree char *location = paddock_rule_dup_location (rule);
  g_autofree char *text = paddock_rule_dup_display_text (rule);

  json_object_set_string_member (attributes, "action.kind", paddock_action_kind_to_string (action->kind));
  switch (action->kind)
    {
    case PADDOCK_ACTION_EXEC:
      set_strv (attributes, "action.argv", (const char * const *) action->argv);
      set_string_if (attributes, "action.cwd", action->cwd);
      break;
    case PADDOCK_ACTION_READ:
    case PADDOCK_ACTION_WRITE:
      set_string_if (attributes, "action.path", action->path);
      break;
    case PADDOCK_ACTION_NET:
      set_string_if (attributes, "action.host", action->host);
      json_object_set_int_member (attributes, "action.port", action->port);
      break;
    case PADDOCK_ACTION_MCP:
    default:
      set_strv (attributes, "action.argv", (const char * const *) action->argv);
      break;
    }
  json_object_set_string_member (attributes, "decision", allowed ? "allow" : "deny");
  json_object_set_string_member (attributes, "policy.verdict", paddock_verdict_to_string (decision->verdict));
  json_object_set_string_member (attributes, "layer", paddock_layer_to_string (rule->layer));
  json_object_set_string_member (attributes, "source", location);
  json_object_set_string_member (attributes, "rule", text);
  set_string_if (attributes, "reason", rule->reason);
  json_object_set_string_member (attributes, "approval.mode", paddock_approval_mode_to_string (decision->approval_mode));
  json_object_set_string_member (attributes, "approver", approver);
  set_string_if (attributes, "scope", scope);
  set_string_if (attributes, "call.id", call_id);
  return attributes;
}

JsonObject *
paddock_audit_result_attributes (JsonNode   *report,
                                 int         exit_code,
                                 const char *call_id)
{
  JsonObject *attributes = json_object_new ();
  JsonObject *object = report && JSON_NODE_HOLDS_OBJECT (report) ? json_node_get_object (report) : NULL;
  static const char * const copied[] = {
    "started", "exit_status", "signal", "timed_out", "output_truncated", "output_bytes", "duration_ms", "pids",
  };

  json_object_set_int_member (attributes, "exit_code", exit_code);
  for (guint i = 0; object != NULL && i < G_N_ELEMENTS (copied); i++)
    {
      JsonNode *member = json_object_get_member (object, copied[i]);

      if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
        json_object_set_member (attributes, copied[i], json_node_copy (member));
    }
  set_string_if (attributes, "call.id", call_id);
  return attributes;
}

JsonObject *
paddock_audit_network_attributes (const PaddockNetworkEvent *event)
{
  JsonObject *attributes = json_object_new ();

  json_object_set_string_member (attributes, "host", event->host);
  json_object_set_int_member (attributes, "port", event->port);
  json_object_set_string_member (attributes, "protocol", event->protocol);
  json_object_set_string_member (attributes, "decision", event->verdict == PADDOCK_VERDICT_ALLOW ? "allow" : "deny");
  json_object_set_string_member (attributes, "layer", event->layer);
  set_string_if (attributes, "source", event->source);
  set_string_if (attributes, "rule", event->rule);
  set_string_if (attributes, "reason", event->reason);
  set_string_if (attributes, "violation", event->violation);
  set_string_if (attributes, "answer", event->answer);
  set_string_if (attributes, "address", event->address);
  return attributes;
}

JsonObject *
paddock_audit_violation_attributes (const char *violation,
                                    const char *finding,
                                    const char *call_id)
{
  JsonObject *attributes = json_object_new ();

  json_object_set_string_member (attributes, "violation", violation);
  set_string_if (attributes, "finding", finding);
  set_string_if (attributes, "call.id", call_id);
  return attributes;
}

JsonObject *
paddock_audit_prompt_attributes (PaddockAuditSession *self,
                                 const char          *prompt)
{
  JsonObject *attributes = json_object_new ();

  g_return_val_if_fail (PADDOCK_IS_AUDIT_SESSION (self), NULL);

  json_object_set_int_member (attributes, "prompt.length", g_utf8_strlen (prompt, -1));
  if (self->log_user_prompts)
    json_object_set_string_member (attributes, "prompt", prompt);
  return attributes;
}

/* The strings of attribute @name, an array, as a NULL-terminated array
 * (of borrowed strings), or NULL. */
static const char **
attribute_strv (JsonObject *attributes,
                const char *name)
{
  JsonNode *node = json_object_get_member (attributes, name);
  GPtrArray *strv;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  strv = g_ptr_array_new ();
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (node), i);

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        g_ptr_array_add (strv, (gpointer) json_node_get_string (element));
    }
  g_ptr_array_add (strv, NULL);
  return (const char **) g_ptr_array_free (strv, FALSE);
}

char *
paddock_audit_action_subject (JsonObject *attributes)
{
  g_autofree const char **argv = attribute_strv (attributes, "action.argv");
  const char *host = paddock_json_get_string (attributes, "action.host", NULL);

  if (argv != NULL)
    return paddock_argv_to_display (argv);
  if (host != NULL)
    {
      g_autofree char *authority = g_strdup_printf ("%s:%" G_GINT64_FORMAT, host,
                                                    paddock_json_get_int (attributes, "action.port", 0));
      return paddock_escape_for_display (authority);
    }
  return paddock_escape_for_display (paddock_json_get_string (attributes, "action.path", ""));
}

char *
paddock_audit_event_summary (const char *name,
                             JsonObject *attributes)
{
  const char *decision = paddock_json_get_string (attributes, "decision", "?");
  const char *layer = paddock_json_get_string (attributes, "layer", "?");

  if (g_str_equal (name, "paddock.tool_decision"))
    {
      g_autofree char *subject = paddock_audit_action_subject (attributes);

      return g_strdup_printf ("%s %s %s (the %s layer)", decision,
                              paddock_json_get_string (attributes, "action.kind", ""), subject, layer);
    }
  if (g_str_equal (name, "paddock.network_decision") || g_str_equal (name, "paddock.sandbox_violation"))
    return g_strdup_printf ("%s %s:%" G_GINT64_FORMAT " (%s)", decision,
                            paddock_json_get_string (attributes, "host", ""),
                            paddock_json_get_int (attributes, "port", 0),
                            paddock_json_get_string (attributes, "violation", layer));
  if (g_str_equal (name, "paddock.tool_result"))
    return g_strdup_printf ("exit %" G_GINT64_FORMAT, paddock_json_get_int (attributes, "exit_code", 0));
  if (g_str_equal (name, "paddock.session_start"))
    return g_strdup_printf ("%s started in %s", paddock_json_get_string (attributes, "client", "?"),
                            paddock_json_get_string (attributes, "workspace.path", "no workspace"));
  if (g_str_equal (name, "paddock.mcp_call"))
    return g_strdup_printf ("%s called %s%s%s", paddock_json_get_string (attributes, "mcp.client.name", "an MCP client"),
                            paddock_json_get_string (attributes, "mcp.server", ""),
                            paddock_json_get_string (attributes, "mcp.server", NULL) ? "/" : "",
                            paddock_json_get_string (attributes, "mcp.tool", "?"));
  if (g_str_equal (name, "paddock.agent_start"))
    return g_strdup_printf ("agent started: %s", paddock_json_get_string (attributes, "agent.command", "?"));
  if (g_str_equal (name, "paddock.agent_end"))
    {
      JsonNode *changed = json_object_get_member (attributes, "files.changed");
      gint64 refused = paddock_json_get_int (attributes, "files.refused", 0);
      g_autofree char *refusals = refused > 0 ? g_strdup_printf (", %" G_GINT64_FORMAT " file accesses refused",
                                                                 refused) : NULL;

      return g_strdup_printf ("agent ended: exit %" G_GINT64_FORMAT ", %u files changed%s",
                              paddock_json_get_int (attributes, "exit_code", 0),
                              changed && JSON_NODE_HOLDS_ARRAY (changed)
                              ? json_array_get_length (json_node_get_array (changed)) : 0,
                              refusals ? refusals : "");
    }
  if (g_str_equal (name, "paddock.user_prompt"))
    return g_strdup_printf ("prompt of %" G_GINT64_FORMAT " characters",
                            paddock_json_get_int (attributes, "prompt.length", 0));
  return g_strdup (name);
}

/* @a or @b, whichever keeps more, with 0 keeping everything. */
static guint
keep_longer (guint a,
             guint b)
{
  return a == 0 || b == 0 ? 0 : MAX (a, b);
}

static guint
retention_setting (PaddockPolicy *policy,
                   const char    *key)
{
  static const PaddockLayer personal[] = { PADDOCK_LAYER_USER, PADDOCK_LAYER_DEFAULTS };
  static const PaddockLayer enforced[] = { PADDOCK_LAYER_MANAGED, PADDOCK_LAYER_SYSTEM };
  guint value = 0;

  for (guint i = 0; i < G_N_ELEMENTS (personal); i++)
    {
      const PaddockSetting *setting = paddock_policy_get_setting_in_layer (policy, personal[i], key);

      if (setting != NULL)
        {
          value = g_variant_get_uint32 (setting->value);
          break;
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (enforced); i++)
    {
      const PaddockSetting *setting = paddock_policy_get_setting_in_layer (policy, enforced[i], key);

      if (setting != NULL)
        value = keep_longer (value, g_variant_get_uint32 (setting->value));
    }
  return value;
}

void
paddock_audit_retention_for_policy (PaddockPolicy *policy,
                                    guint         *max_age_days,
                                    guint64       *max_bytes)
{
  g_return_if_fail (PADDOCK_IS_POLICY (policy));

  *max_age_days = retention_setting (policy, "audit.retention_days");
  *max_bytes = (guint64) retention_setting (policy, "audit.max_size_mb") * 1024 * 1024;
}

PaddockAudit *
paddock_audit_open_for_policy (PaddockPolicy  *policy,
                               const char     *keep_for_endpoint,
                               GError        **error)
{
  g_autofree char *path = paddock_audit_dup_default_path ();
  PaddockAudit *audit = paddock_audit_open (path, error);
  guint days;
  guint64 bytes;

  if (audit == NULL)
    return NULL;
  paddock_audit_retention_for_policy (policy, &days, &bytes);
  paddock_audit_set_retention (audit, days, bytes, keep_for_endpoint);
  return audit;
}

static void
paddock_audit_session_finalize (GObject *object)
{
  PaddockAuditSession *self = PADDOCK_AUDIT_SESSION (object);

  g_clear_object (&self->audit);
  g_free (self->id);
  g_free (self->workspace_id);
  g_free (self->workspace_path);
  g_free (self->client);
  g_clear_pointer (&self->extra, json_object_unref);

  G_OBJECT_CLASS (paddock_audit_session_parent_class)->finalize (object);
}

static void
paddock_audit_session_class_init (PaddockAuditSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = paddock_audit_session_finalize;
}

static void
paddock_audit_session_init (PaddockAuditSession *self)
{
}
