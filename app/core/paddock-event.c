/* paddock-event.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "paddock-event.h"

struct _PaddockEvent
{
  GObject parent_instance;

  PaddockEventKind kind;
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
