/* paddock-event.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "paddock-audit-session.h"
#include "paddock-event.h"

struct _PaddockEvent
{
  GObject parent_instance;

  PaddockEventKind kind;
  gint64 id;
  char *call_id;
  GDateTime *time;
  char *workspace;
  char *subject;      /* already escaped for display */
  char *outcome;
  gboolean good;
  char *layer;
  char *location;
  char *rule;
  char *detail;
};

G_DEFINE_FINAL_TYPE (PaddockEvent, paddock_event, G_TYPE_OBJECT)

static void
paddock_event_finalize (GObject *object)
{
  PaddockEvent *self = PADDOCK_EVENT (object);

  g_date_time_unref (self->time);
  g_free (self->call_id);
  g_free (self->workspace);
  g_free (self->subject);
  g_free (self->outcome);
  g_free (self->layer);
  g_free (self->location);
  g_free (self->rule);
  g_free (self->detail);

  G_OBJECT_CLASS (paddock_event_parent_class)->finalize (object);
}

static void
paddock_event_class_init (PaddockEventClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = paddock_event_finalize;
}

static void
paddock_event_init (PaddockEvent *self)
{
  self->time = g_date_time_new_now_local ();
}

PaddockEvent *
paddock_event_new (PaddockEventKind  kind,
                   const char       *workspace,
                   const char       *subject)
{
  PaddockEvent *self = g_object_new (PADDOCK_TYPE_EVENT, NULL);

  self->kind = kind;
  self->workspace = g_strdup (workspace);
  self->subject = paddock_escape_for_display (subject ? subject : "");
  return self;
}

static PaddockEvent *
new_displayed (PaddockEventKind  kind,
               const char       *workspace,
               char             *subject)
{
  PaddockEvent *self = g_object_new (PADDOCK_TYPE_EVENT, NULL);

  self->kind = kind;
  self->workspace = g_strdup (workspace);
  self->subject = subject;
  return self;
}

PaddockEvent *
paddock_event_new_for_action (PaddockEventKind     kind,
                              const char          *workspace,
                              const PaddockAction *action)
{
  return new_displayed (kind, workspace, paddock_action_to_display (action));
}

PaddockEvent *
paddock_event_new_for_answer (PaddockApprovalRequest *request)
{
  g_autofree char *workspace = paddock_approval_request_dup_workspace (request);
  g_autofree char *location = paddock_approval_request_dup_location (request);
  g_autofree char *rule = paddock_approval_request_dup_rule (request);
  PaddockAnswer answer = paddock_approval_request_get_answer (request);
  const char *who = paddock_approval_request_get_who (request);
  g_autofree char *outcome = NULL;
  PaddockEvent *self;

  self = new_displayed (PADDOCK_EVENT_APPROVAL, workspace, paddock_approval_request_dup_subject (request));
  switch (answer)
    {
    case PADDOCK_ANSWER_ONCE:
      outcome = g_strdup_printf ("allowed once by %s", who);
      break;
    case PADDOCK_ANSWER_SESSION:
      outcome = g_strdup_printf ("allowed for the session by %s", who);
      break;
    case PADDOCK_ANSWER_ALWAYS:
      outcome = g_strdup_printf ("always allowed by %s", who);
      break;
    case PADDOCK_ANSWER_DENY:
    default:
      outcome = g_str_equal (who, "timeout") ? g_strdup ("denied: nobody answered in time")
                : g_str_equal (who, "nobody") ? g_strdup ("denied: withdrawn")
                : g_strdup_printf ("denied by %s", who);
      break;
    }
  paddock_event_set_outcome (self, outcome, answer != PADDOCK_ANSWER_DENY);
  self->layer = g_strdup (paddock_approval_request_get_layer (request));
  self->location = g_steal_pointer (&location);
  self->rule = g_steal_pointer (&rule);
  self->detail = paddock_approval_request_dup_trace (request);
  return self;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}

static gint64
member_int (JsonObject *object,
            const char *name,
            gint64      fallback)
{
  JsonNode *node = json_object_get_member (object, name);

  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64
         ? json_node_get_int (node) : fallback;
}

/* What a decision's action was about, from its attributes. */
static char *
action_subject (JsonObject *attributes)
{
  JsonNode *argv = json_object_get_member (attributes, "action.argv");

  if (argv != NULL && JSON_NODE_HOLDS_ARRAY (argv))
    {
      JsonArray *array = json_node_get_array (argv);
      g_autoptr(GPtrArray) strv = g_ptr_array_new ();

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
            g_ptr_array_add (strv, (gpointer) json_node_get_string (element));
        }
      g_ptr_array_add (strv, NULL);
      return paddock_argv_to_display ((const char * const *) strv->pdata);
    }
  if (member_string (attributes, "action.path") != NULL)
    return paddock_escape_for_display (member_string (attributes, "action.path"));
  if (member_string (attributes, "action.host") != NULL)
    {
      g_autofree char *host = g_strdup_printf ("%s:%" G_GINT64_FORMAT, member_string (attributes, "action.host"),
                                               member_int (attributes, "action.port", 0));
      return paddock_escape_for_display (host);
    }
  return g_strdup ("");
}

static char *
decision_outcome (JsonObject *attributes)
{
  gboolean allowed = g_strcmp0 (member_string (attributes, "decision"), "allow") == 0;
  const char *approver = member_string (attributes, "approver");
  const char *scope = member_string (attributes, "scope");
  const char *who = member_string (attributes, "answered_by");

  if (g_strcmp0 (approver, "user") != 0)
    return g_strdup (allowed ? "allowed" : "forbidden");
  if (who == NULL)
    who = "a person";
  if (allowed)
    return g_strdup_printf ("%s by %s", g_strcmp0 (scope, "session") == 0 ? "allowed for the session"
                            : g_strcmp0 (scope, "workspace") == 0 ? "always allowed" : "allowed once", who);
  if (g_str_equal (who, "timeout"))
    return g_strdup ("denied: nobody answered in time");
  if (g_str_equal (who, "withdrawn"))
    return g_strdup ("denied: withdrawn");
  if (g_str_equal (who, "nobody"))
    return g_strdup ("denied: nobody could be asked");
  return g_strdup_printf ("denied by %s", who);
}

static char *
result_outcome (JsonObject *attributes,
                gboolean   *good)
{
  gint64 exit_code = member_int (attributes, "exit_code", -1);
  gint64 signal = member_int (attributes, "signal", 0);
  JsonNode *timed_out = json_object_get_member (attributes, "timed_out");

  *good = exit_code == 0;
  if (timed_out != NULL && JSON_NODE_HOLDS_VALUE (timed_out) && json_node_get_boolean (timed_out))
    return g_strdup ("stopped: out of time");
  if (signal > 0)
    return g_strdup_printf ("ended by signal %" G_GINT64_FORMAT, signal);
  if (exit_code > 128)
    return g_strdup_printf ("ended by signal %" G_GINT64_FORMAT, exit_code - 128);
  return g_strdup_printf ("exit status %" G_GINT64_FORMAT, exit_code);
}

PaddockEvent *
paddock_event_new_from_record (JsonObject *record)
{
  PaddockEvent *self = g_object_new (PADDOCK_TYPE_EVENT, NULL);
  const char *name = json_object_get_string_member (record, "name");
  JsonObject *attributes = json_object_get_object_member (record, "attributes");
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (json_object_get_int_member (record, "time_unix_nano") /
                                                            G_GINT64_CONSTANT (1000000000));
  g_autofree char *outcome = NULL;
  gboolean good = TRUE;

  self->id = json_object_get_int_member (record, "id");
  self->call_id = g_strdup (member_string (attributes, "call.id"));
  self->workspace = g_strdup (member_string (attributes, "workspace.id"));
  if (utc != NULL)
    {
      g_date_time_unref (self->time);
      self->time = g_date_time_to_local (utc);
    }

  if (g_str_equal (name, "paddock.tool_decision"))
    {
      self->kind = g_strcmp0 (member_string (attributes, "approver"), "user") == 0 ? PADDOCK_EVENT_APPROVAL
                                                                                   : PADDOCK_EVENT_DECISION;
      self->subject = action_subject (attributes);
      outcome = decision_outcome (attributes);
      good = g_strcmp0 (member_string (attributes, "decision"), "allow") == 0;
      paddock_event_set_decided_by (self, member_string (attributes, "layer"), member_string (attributes, "source"),
                                    member_string (attributes, "rule"));
      paddock_event_set_detail (self, member_string (attributes, "reason"));
    }
  else if (g_str_equal (name, "paddock.tool_result"))
    {
      self->kind = PADDOCK_EVENT_RESULT;
      self->subject = g_strdup ("");
      outcome = result_outcome (attributes, &good);
    }
  else if (g_str_equal (name, "paddock.network_decision") || g_str_equal (name, "paddock.sandbox_violation"))
    {
      const char *host = member_string (attributes, "host");
      const char *violation = member_string (attributes, "violation");
      g_autofree char *subject = host ? g_strdup_printf ("%s:%" G_GINT64_FORMAT, host, member_int (attributes, "port", 0))
                                      : g_strdup (member_string (attributes, "finding"));

      self->kind = violation ? PADDOCK_EVENT_VIOLATION : PADDOCK_EVENT_NETWORK;
      self->subject = paddock_escape_for_display (subject ? subject : "");
      good = g_strcmp0 (member_string (attributes, "decision"), "allow") == 0;
      outcome = g_strdup (member_string (attributes, "reason") ? member_string (attributes, "reason")
                          : violation ? violation : good ? "allowed" : "denied");
      if (violation == NULL)
        paddock_event_set_decided_by (self, member_string (attributes, "layer"), member_string (attributes, "source"),
                                      member_string (attributes, "rule"));
    }
  else if (g_str_equal (name, "paddock.session_start"))
    {
      self->kind = PADDOCK_EVENT_SESSION;
      self->subject = paddock_escape_for_display (member_string (attributes, "client") ? member_string (attributes, "client") : "");
      outcome = g_strdup ("started");
    }
  else
    {
      g_autofree char *summary = paddock_audit_event_summary (name, attributes);

      self->kind = PADDOCK_EVENT_OTHER;
      self->subject = paddock_escape_for_display (summary);
    }
  paddock_event_set_outcome (self, outcome, good);
  return self;
}

PaddockEvent *
paddock_event_new_for_decision (const PaddockDecision *decision,
                                const char            *workspace)
{
  PaddockEvent *self = new_displayed (PADDOCK_EVENT_DECISION, workspace,
                                      paddock_action_to_display (decision->action));

  paddock_event_set_outcome (self, decision->verdict == PADDOCK_VERDICT_ALLOW ? "allowed" : "forbidden",
                             decision->verdict == PADDOCK_VERDICT_ALLOW);
  self->layer = g_strdup (paddock_layer_to_string (decision->decisive->layer));
  self->location = paddock_rule_dup_location (decision->decisive);
  self->rule = paddock_rule_dup_display_text (decision->decisive);
  self->detail = paddock_decision_to_text (decision);
  return self;
}

void
paddock_event_set_decided_by (PaddockEvent *self,
                              const char   *layer,
                              const char   *location,
                              const char   *rule)
{
  g_return_if_fail (PADDOCK_IS_EVENT (self));

  g_free (self->layer);
  self->layer = g_strdup (layer);
  g_free (self->location);
  self->location = location ? paddock_escape_for_display (location) : NULL;
  g_free (self->rule);
  self->rule = rule ? paddock_escape_as_one_line (rule) : NULL;
}

void
paddock_event_set_outcome (PaddockEvent *self,
                           const char   *outcome,
                           gboolean      good)
{
  g_return_if_fail (PADDOCK_IS_EVENT (self));

  g_free (self->outcome);
  self->outcome = g_strdup (outcome);
  self->good = good;
}

void
paddock_event_set_detail (PaddockEvent *self,
                          const char   *detail)
{
  g_return_if_fail (PADDOCK_IS_EVENT (self));

  g_free (self->detail);
  self->detail = detail ? paddock_escape_keeping_lines (detail) : NULL;
}

PaddockEventKind
paddock_event_get_kind (PaddockEvent *self)
{
  g_return_val_if_fail (PADDOCK_IS_EVENT (self), PADDOCK_EVENT_DECISION);
  return self->kind;
}

gint64
paddock_event_get_id (PaddockEvent *self)
{
  g_return_val_if_fail (PADDOCK_IS_EVENT (self), 0);
  return self->id;
}

const char *
paddock_event_get_call_id (PaddockEvent *self)
{
  g_return_val_if_fail (PADDOCK_IS_EVENT (self), NULL);
  return self->call_id;
}

void
paddock_event_set_subject (PaddockEvent *self,
                           const char   *subject)
{
  g_return_if_fail (PADDOCK_IS_EVENT (self));

  g_free (self->subject);
  self->subject = g_strdup (subject);
}

GDateTime *
paddock_event_get_time (PaddockEvent *self)
{
  g_return_val_if_fail (PADDOCK_IS_EVENT (self), NULL);
  return self->time;
}

const char *
paddock_event_get_workspace (PaddockEvent *self)
{
  g_return_val_if_fail (PADDOCK_IS_EVENT (self), NULL);
  return self->workspace;
}

char *
paddock_event_dup_subject (PaddockEvent *self)
{
  g_return_val_if_fail (PADDOCK_IS_EVENT (self), NULL);
  return g_strdup (self->subject);
}

const char *
paddock_event_get_outcome (PaddockEvent *self)
{
  g_return_val_if_fail (PADDOCK_IS_EVENT (self), NULL);
  return self->outcome;
}

gboolean
paddock_event_get_good (PaddockEvent *self)
{
  g_return_val_if_fail (PADDOCK_IS_EVENT (self), FALSE);
  return self->good;
}

char *
paddock_event_dup_decided_by (PaddockEvent *self)
{
  g_return_val_if_fail (PADDOCK_IS_EVENT (self), NULL);

  if (self->layer == NULL)
    return NULL;
  if (self->location == NULL)
    return g_strdup_printf ("the %s layer", self->layer);
  return g_strdup_printf ("the %s layer, %s", self->layer, self->location);
}

const char *
paddock_event_get_layer (PaddockEvent *self)
{
  g_return_val_if_fail (PADDOCK_IS_EVENT (self), NULL);
  return self->layer;
}

char *
paddock_event_dup_rule (PaddockEvent *self)
{
  g_return_val_if_fail (PADDOCK_IS_EVENT (self), NULL);
  return g_strdup (self->rule);
}

char *
paddock_event_dup_detail (PaddockEvent *self)
{
  g_return_val_if_fail (PADDOCK_IS_EVENT (self), NULL);
  return g_strdup (self->detail);
}
