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

static char *
decision_outcome (JsonObject *attributes)
{
  gboolean allowed = g_strcmp0 (paddock_json_get_string (attributes, "decision", NULL), "allow") == 0;
  const char *approver = paddock_json_get_string (attributes, "approver", NULL);
  const char *scope = paddock_json_get_string (attributes, "scope", NULL);
  const char *who = paddock_json_get_string (attributes, "answered_by", NULL);

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
  gint64 exit_code = paddock_json_get_int (attributes, "exit_code", -1);
  gint64 signal = paddock_json_get_int (attributes, "signal", 0);
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
  self->call_id = g_strdup (paddock_json_get_string (attributes, "call.id", NULL));
  self->workspace = g_strdup (paddock_json_get_string (attributes, "workspace.id", NULL));
  if (utc != NULL)
    {
      g_date_time_unref (self->time);
      self->time = g_date_time_to_local (utc);
    }

  if (g_str_equal (name, "paddock.tool_decision"))
    {
      gboolean asked = g_str_equal (paddock_json_get_string (attributes, "approver", ""), "user");

      self->kind = asked ? PADDOCK_EVENT_APPROVAL : PADDOCK_EVENT_DECISION;
      self->subject = paddock_audit_action_subject (attributes);
      outcome = decision_outcome (attributes);
      good = g_str_equal (paddock_json_get_string (attributes, "decision", ""), "allow");
      paddock_event_set_decided_by (self, paddock_json_get_string (attributes, "layer", NULL),
                                    paddock_json_get_string (attributes, "source", NULL),
                                    paddock_json_get_string (attributes, "rule", NULL));
      paddock_event_set_detail (self, paddock_json_get_string (attributes, "reason", NULL));
    }
  else if (g_str_equal (name, "paddock.tool_result"))
    {
      self->kind = PADDOCK_EVENT_RESULT;
      self->subject = g_strdup ("");
      outcome = result_outcome (attributes, &good);
    }
  else if (g_str_equal (name, "paddock.network_decision") || g_str_equal (name, "paddock.sandbox_violation"))
    {
      const char *host = paddock_json_get_string (attributes, "host", NULL);
      const char *violation = paddock_json_get_string (attributes, "violation", NULL);
      g_autofree char *subject = host ? g_strdup_printf ("%s:%" G_GINT64_FORMAT, host,
                                                         paddock_json_get_int (attributes, "port", 0))
                                      : g_strdup (paddock_json_get_string (attributes, "finding", ""));

      self->kind = violation ? PADDOCK_EVENT_VIOLATION : PADDOCK_EVENT_NETWORK;
      self->subject = paddock_escape_for_display (subject);
      good = g_strcmp0 (paddock_json_get_string (attributes, "decision", NULL), "allow") == 0;
      outcome = g_strdup (paddock_json_get_string (attributes, "reason",
                                                          violation ? violation : good ? "allowed" : "denied"));
      if (violation == NULL)
        paddock_event_set_decided_by (self, paddock_json_get_string (attributes, "layer", NULL),
                                      paddock_json_get_string (attributes, "source", NULL),
                                      paddock_json_get_string (attributes, "rule", NULL));
    }
  else if (g_str_equal (name, "paddock.session_start"))
    {
      self->kind = PADDOCK_EVENT_SESSION;
      self->subject = paddock_escape_for_display (paddock_json_get_string (attributes, "client", ""));
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
