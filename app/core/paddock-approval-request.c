/* paddock-approval-request.c
 *
 * The proxy (and, later, every other asker) asks the same way: it makes
 * a request and waits for ::answered; whoever can ask a person (the
 * terminal, the app's dialog) is handed the request and answers it. An
 * answer the request does not offer becomes deny.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "paddock-approval-request.h"

struct _PaddockApprovalRequest
{
  GObject parent_instance;

  PaddockDecision *decision;
  gboolean always_possible;
  gboolean answered;
  PaddockAnswer answer;
  char *who;
};

G_DEFINE_FINAL_TYPE (PaddockApprovalRequest, paddock_approval_request, G_TYPE_OBJECT)

enum {
  ANSWERED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

const char *
paddock_answer_to_string (PaddockAnswer answer)
{
  switch (answer)
    {
    case PADDOCK_ANSWER_ONCE:
      return "once";
    case PADDOCK_ANSWER_SESSION:
      return "session";
    case PADDOCK_ANSWER_ALWAYS:
      return "always";
    case PADDOCK_ANSWER_DENY:
    default:
      return "deny";
    }
}

static void
paddock_approval_request_finalize (GObject *object)
{
  PaddockApprovalRequest *self = PADDOCK_APPROVAL_REQUEST (object);

  g_clear_pointer (&self->decision, paddock_decision_unref);
  g_free (self->who);

  G_OBJECT_CLASS (paddock_approval_request_parent_class)->finalize (object);
}

static void
paddock_approval_request_class_init (PaddockApprovalRequestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = paddock_approval_request_finalize;

  signals[ANSWERED] = g_signal_new ("answered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
paddock_approval_request_init (PaddockApprovalRequest *self)
{
}

PaddockApprovalRequest *
paddock_approval_request_new (PaddockDecision *decision,
                              gboolean         always_possible)
{
  PaddockApprovalRequest *self;

  g_return_val_if_fail (decision != NULL, NULL);

  self = g_object_new (PADDOCK_TYPE_APPROVAL_REQUEST, NULL);
  self->decision = paddock_decision_ref (decision);
  self->always_possible = always_possible;
  return self;
}

PaddockDecision *
paddock_approval_request_get_decision (PaddockApprovalRequest *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), NULL);

  return self->decision;
}

gboolean
paddock_approval_request_offers (PaddockApprovalRequest *self,
                                 PaddockAnswer           answer)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), FALSE);

  switch (answer)
    {
    case PADDOCK_ANSWER_DENY:
    case PADDOCK_ANSWER_ONCE:
      return TRUE;
    case PADDOCK_ANSWER_SESSION:
      return !self->decision->decisive->grant_once;
    case PADDOCK_ANSWER_ALWAYS:
      return self->always_possible && !self->decision->decisive->grant_once;
    default:
      return FALSE;
    }
}

void
paddock_approval_request_answer (PaddockApprovalRequest *self,
                                 PaddockAnswer           answer,
                                 const char             *who)
{
  g_return_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self));

  if (self->answered)
    return;

  self->answered = TRUE;
  self->answer = paddock_approval_request_offers (self, answer) ? answer : PADDOCK_ANSWER_DENY;
  self->who = g_strdup (who ? who : "nobody");
  g_signal_emit (self, signals[ANSWERED], 0);
}

gboolean
paddock_approval_request_is_answered (PaddockApprovalRequest *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), FALSE);

  return self->answered;
}

PaddockAnswer
paddock_approval_request_get_answer (PaddockApprovalRequest *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), PADDOCK_ANSWER_DENY);

  return self->answered ? self->answer : PADDOCK_ANSWER_DENY;
}

const char *
paddock_approval_request_get_who (PaddockApprovalRequest *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), NULL);

  return self->who;
}
