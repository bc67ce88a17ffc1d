/* paddock-approval-request.h: one question to a person, or to whoever
 * answers for one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "paddock-decision.h"

G_BEGIN_DECLS

/* How long a person has to answer before the request is denied. */
#define PADDOCK_APPROVAL_DEFAULT_TIMEOUT_S 120

typedef enum
{
  PADDOCK_ANSWER_DENY,
  PADDOCK_ANSWER_ONCE,
  PADDOCK_ANSWER_SESSION,  /* the same action again, until the session ends */
  PADDOCK_ANSWER_ALWAYS,   /* written to the workspace layer, revocable there */
} PaddockAnswer;

const char *paddock_answer_to_string   (PaddockAnswer  answer);
gboolean    paddock_answer_from_string (const char    *str,
                                        PaddockAnswer *answer);

#define PADDOCK_TYPE_APPROVAL_REQUEST (paddock_approval_request_get_type ())

G_DECLARE_FINAL_TYPE (PaddockApprovalRequest, paddock_approval_request, PADDOCK, APPROVAL_REQUEST, GObject)

/* A question about @decision, a prompt. @always_possible says whether
 * "always for this workspace" can be offered (it can for hosts). */
PaddockApprovalRequest *paddock_approval_request_new         (PaddockDecision        *decision,
                                                              gboolean                always_possible);
/* The request as another process sent it (paddock_approval_request_to_variant()),
 * for a person to answer there; it has no decision. Anything missing,
 * of the wrong type or unknown is an error that names it. */
PaddockApprovalRequest *paddock_approval_request_new_from_variant (GVariant      *variant,
                                                                   GError       **error);
/* a{sv}: the action and the deciding rule as they are, unescaped (the
 * receiver escapes what it shows), and what may be answered. */
GVariant               *paddock_approval_request_to_variant  (PaddockApprovalRequest *self);

/* NULL for a request from another process. */
PaddockDecision        *paddock_approval_request_get_decision (PaddockApprovalRequest *self);
PaddockAction          *paddock_approval_request_get_action  (PaddockApprovalRequest *self);

/* Who asks: the workspace folder and the front door ("paddockctl run"). */
void                    paddock_approval_request_set_asker   (PaddockApprovalRequest *self,
                                                              const char             *workspace,
                                                              const char             *client);
/* For a request from another process: the process the bus says sent
 * it (pid 0 when it would not say), shown beside the name the sender
 * gave itself. */
void                    paddock_approval_request_set_process (PaddockApprovalRequest *self,
                                                              guint32                 pid,
                                                              const char             *name);
/* What people read, every hidden or control character escaped. */
char                   *paddock_approval_request_dup_workspace (PaddockApprovalRequest *self);
char                   *paddock_approval_request_dup_client  (PaddockApprovalRequest *self);
char                   *paddock_approval_request_dup_subject (PaddockApprovalRequest *self);
char                   *paddock_approval_request_dup_cwd     (PaddockApprovalRequest *self);
const char             *paddock_approval_request_get_layer   (PaddockApprovalRequest *self);
char                   *paddock_approval_request_dup_location (PaddockApprovalRequest *self);
char                   *paddock_approval_request_dup_rule    (PaddockApprovalRequest *self);
/* NULL when the rule gives none. */
char                   *paddock_approval_request_dup_reason  (PaddockApprovalRequest *self);
char                   *paddock_approval_request_dup_approval_effect (PaddockApprovalRequest *self);
char                   *paddock_approval_request_dup_trace   (PaddockApprovalRequest *self);

/* Seconds the asker waits before it denies; 0: no limit. */
void                    paddock_approval_request_set_timeout (PaddockApprovalRequest *self,
                                                              guint                   seconds);
guint                   paddock_approval_request_get_timeout (PaddockApprovalRequest *self);

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
/* Hands @self on as @instance's signal @signal_id, for whoever asks a
 * person there; with nobody connected, nobody allows it: deny. */
void                    paddock_approval_request_pass_on     (PaddockApprovalRequest *self,
                                                              gpointer                instance,
                                                              guint                   signal_id);
gboolean                paddock_approval_request_is_answered (PaddockApprovalRequest *self);
PaddockAnswer           paddock_approval_request_get_answer  (PaddockApprovalRequest *self);
/* Who answered: a person's user name, "timeout", "nobody". */
const char             *paddock_approval_request_get_who     (PaddockApprovalRequest *self);

G_END_DECLS
