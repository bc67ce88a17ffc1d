/* paddock-application.h: the app, its workspaces, and the approval broker
 * that other front doors reach on the session bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "paddock-approval-request.h"
#include "paddock-audit-session.h"
#include "paddock-telemetry.h"
#include "paddock-event.h"
#include "paddock-grants.h"
#include "paddock-workspace.h"

G_BEGIN_DECLS

#define PADDOCK_TYPE_APPLICATION (paddock_application_get_type ())

G_DECLARE_FINAL_TYPE (PaddockApplication, paddock_application, PADDOCK, APPLICATION, AdwApplication)

PaddockApplication *paddock_application_new            (void);

/* PaddockWorkspace items, by name. */
GListModel         *paddock_application_get_workspaces (PaddockApplication  *self);
/* Adds the folder @path (once) and returns its workspace. */
PaddockWorkspace   *paddock_application_add_workspace  (PaddockApplication  *self,
                                                        const char          *path,
                                                        GError             **error);
gboolean            paddock_application_remove_workspace (PaddockApplication *self,
                                                          PaddockWorkspace   *workspace,
                                                          GError            **error);
/* The session's grants for @workspace, for as long as the app runs. */
PaddockGrants      *paddock_application_get_grants     (PaddockApplication  *self,
                                                        PaddockWorkspace    *workspace);

/* PaddockEvent items, oldest first, every workspace. */
GListModel         *paddock_application_get_events     (PaddockApplication  *self);
/* Reads what is new in the audit store into the events (it also does
 * so every second, for other processes' events). */
void                paddock_application_refresh_events (PaddockApplication  *self);
/* The session that records @workspace's events, or NULL with @error
 * when the audit store cannot be written: then nothing may run. */
PaddockAuditSession *paddock_application_get_audit_session (PaddockApplication *self,
                                                            PaddockWorkspace   *workspace,
                                                            PaddockPolicy      *policy,
                                                            GError            **error);
/* Says whether recording worked (@error NULL) or not; the windows show
 * the problem ("audit-problem") and refuse to run anything meanwhile. */
void                paddock_application_report_audit  (PaddockApplication  *self,
                                                        const GError        *error);
const char         *paddock_application_get_audit_problem (PaddockApplication *self);
/* The audit store, NULL when it could not be opened. */
PaddockAudit       *paddock_application_get_audit      (PaddockApplication  *self);
/* Its exporter, NULL when nothing is sent. */
PaddockTelemetry   *paddock_application_get_telemetry  (PaddockApplication  *self);
/* The output of this process's run @call_id, for its result's row:
 * output never goes into the audit store. */
void                paddock_application_keep_output    (PaddockApplication  *self,
                                                        const char          *call_id,
                                                        const char          *output);
void                paddock_application_add_event      (PaddockApplication  *self,
                                                        PaddockEvent        *event);

/* Queues @request for a person: one dialog at a time, none lost. The
 * answer is recorded as an event. */
void                paddock_application_ask            (PaddockApplication     *self,
                                                        PaddockApprovalRequest *request);

G_END_DECLS
