/* paddock-audit-session.h: one front door's session in the audit store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "paddock-audit.h"
#include "paddock-decision.h"
#include "paddock-json.h"
#include "paddock-proxy.h"
#include "paddock-workspace.h"

G_BEGIN_DECLS

#define PADDOCK_TYPE_AUDIT_SESSION (paddock_audit_session_get_type ())

G_DECLARE_FINAL_TYPE (PaddockAuditSession, paddock_audit_session, PADDOCK, AUDIT_SESSION, GObject)

/* A new session (a fresh session.id) of @client ("paddockctl run",
 * "paddock"…) in @workspace (nullable), recorded in @audit; @policy
 * says whether a prompt's text is kept or only its length. */
PaddockAuditSession *paddock_audit_session_new          (PaddockAudit        *audit,
                                                         PaddockPolicy       *policy,
                                                         PaddockWorkspace    *workspace,
                                                         const char          *client);
const char          *paddock_audit_session_get_id       (PaddockAuditSession *self);
/* An attribute every later event carries (NULL @value: no more), such
 * as the MCP client that makes the calls. */
void                 paddock_audit_session_set_attribute (PaddockAuditSession *self,
                                                          const char          *name,
                                                          const char          *value);

/* Records @name with @attributes (nullable, transfer none) and the
 * common ones: session.id, workspace.id, user.id, app.version. Done
 * only once the store acknowledged it. */
void                 paddock_audit_session_record_async  (PaddockAuditSession *self,
                                                          const char          *name,
                                                          JsonObject          *attributes,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gint64               paddock_audit_session_record_finish (PaddockAuditSession *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);
gint64               paddock_audit_session_record        (PaddockAuditSession *self,
                                                          const char          *name,
                                                          JsonObject          *attributes,
                                                          GError             **error);

/* The attributes of each kind of event; each returns a new object. */
JsonObject *paddock_audit_session_start_attributes  (PaddockAuditSession   *self);
/* What was decided about @decision's action: @allowed, by @approver
 * ("policy", "user" or "reviewer"); @scope: "once", "session",
 * "workspace" or NULL when nobody was asked; @call_id (a fresh
 * g_uuid_string_random()) links the decision to its result. */
JsonObject *paddock_audit_decision_attributes       (const PaddockDecision *decision,
                                                     gboolean               allowed,
                                                     const char            *approver,
                                                     const char            *scope,
                                                     const char            *call_id);
/* From the sandbox helper's report (nullable when it never started). */
JsonObject *paddock_audit_result_attributes         (JsonNode              *report,
                                                     int                    exit_code,
                                                     const char            *call_id);
JsonObject *paddock_audit_network_attributes        (const PaddockNetworkEvent *event);
/* Something the sandbox stopped, or found afterwards (@finding: a file
 * the host would run later…). */
JsonObject *paddock_audit_violation_attributes      (const char            *violation,
                                                     const char            *finding,
                                                     const char            *call_id);
JsonObject *paddock_audit_prompt_attributes         (PaddockAuditSession   *self,
                                                     const char            *prompt);

/* What a decision's action was about, escaped for display. */
char       *paddock_audit_action_subject            (JsonObject            *attributes);
/* One line about an event, as the collector's log view and `paddockctl
 * audit list` show it (a command's arguments escaped, the rest raw). */
char       *paddock_audit_event_summary             (const char            *name,
                                                     JsonObject            *attributes);

/* The retention @policy sets (0: no limit): the person's layers, else
 * the defaults, choose; an enforced layer's value is a minimum that
 * they cannot go below. */
void        paddock_audit_retention_for_policy      (PaddockPolicy         *policy,
                                                     guint                 *max_age_days,
                                                     guint64               *max_bytes);

/* Opens the user's audit store, keeping to @policy's retention and,
 * with @keep_for_endpoint (nullable), never pruning what that collector
 * has not taken. Every front door starts here. */
PaddockAudit *paddock_audit_open_for_policy         (PaddockPolicy         *policy,
                                                     const char            *keep_for_endpoint,
                                                     GError               **error);

G_END_DECLS
