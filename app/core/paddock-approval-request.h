/* paddock-approval-request.h: one question to a person, or to whoever
 * answers for one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "paddock-decision.h"

G_BEGIN_DECLS

typedef enum
{
  PADDOCK_ANSWER_DENY,
  PADDOCK_ANSWER_ONCE,
  PADDOCK_ANSWER_SESSION,  /* the same action again, until the session ends */
  PADDOCK_ANSWER_ALWAYS,   /* written to the workspace layer, revocable there */
} PaddockAnswer;

const char *paddock_answer_to_string (PaddockAnswer answer);

#define PADDOCK_TYPE_APPROVAL_REQUEST (paddock_approval_request_get_type ())

G_DECLARE_FINAL_TYPE (PaddockApprovalRequest, paddock_approval_request, PADDOCK, APPROVAL_REQUEST, GObject)

/* A question about @decision, a prompt. @always_possible says whether
 * "always for this workspace" can be offered (it can for hosts). */
PaddockApprovalRequest *paddock_approval_request_new         (PaddockDecision        *decision,
                                                              gboolean                always_possible);
PaddockDecision        *paddock_approval_request_get_decision (PaddockApprovalRequest *self);
/* Whether @answer may be given: a rule with "grant": "once" allows only
 * deny and once. */
gboolean                paddock_approval_request_offers      (PaddockApprovalRequest *self,
                                                              PaddockAnswer           answer);
/* The first answer counts; later ones, and answers the request does not
 * offer, are ignored (an answer not offered is taken as deny). Emits
 * ::answered. */
void                    paddock_approval_request_answer      (PaddockApprovalRequest *self,
                                                              PaddockAnswer           answer,
                                                              const char             *who);
gboolean                paddock_approval_request_is_answered (PaddockApprovalRequest *self);
PaddockAnswer           paddock_approval_request_get_answer  (PaddockApprovalRequest *self);
/* Who answered: a person's user name, "timeout", "nobody". */
const char             *paddock_approval_request_get_who     (PaddockApprovalRequest *self);

G_END_DECLS
