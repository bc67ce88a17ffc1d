/* paddockctl.h: the command-line front door
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdio.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "paddock-approval-request.h"
#include "paddock-audit-session.h"
#include "paddock-runner.h"
#include "paddock-policy.h"

G_BEGIN_DECLS

/* Exit statuses: 0 when the command did its job (whatever the decision),
 * 1 when it found problems (lint), 2 for bad input or a failure. */
#define PADDOCKCTL_EXIT_OK       0
#define PADDOCKCTL_EXIT_PROBLEMS 1
#define PADDOCKCTL_EXIT_ERROR    2

int  paddockctl_audit     (int argc, char **argv);
int  paddockctl_check     (int argc, char **argv);
int  paddockctl_mcp       (int argc, char **argv);
int  paddockctl_policy    (int argc, char **argv);
int  paddockctl_run       (int argc, char **argv);
int  paddockctl_telemetry (int argc, char **argv);
int  paddockctl_workspace (int argc, char **argv);

/* Prints "paddockctl: MESSAGE" on stderr and returns PADDOCKCTL_EXIT_ERROR. */
int  paddockctl_error     (const char *format, ...) G_GNUC_PRINTF (1, 2);
void paddockctl_print_json (JsonNode *node);
/* Runs @helper (a program of Paddock's own) in place of this one, with
 * @argv after it; returns only when it cannot be started. */
int  paddockctl_exec_helper (const char *helper, int argc, char **argv);
/* --mode MODE, as check and run take it: a name the policy may refuse. */
gboolean paddockctl_set_approval_mode (PaddockPolicy  *policy,
                                       const char     *mode,
                                       GError        **error);

/* Who answers approvals: the app, else the terminal, else nobody. */
typedef struct _PaddockctlAsker PaddockctlAsker;

PaddockctlAsker *paddockctl_asker_new        (void);
/* Whether to ask on the terminal when no app runs (the default); not
 * when an agent's interface is on it. */
void             paddockctl_asker_set_terminal (PaddockctlAsker      *asker,
                                                gboolean              use_terminal);
/* Asks about @request (its asker already set); it is answered, one
 * way or another. */
void             paddockctl_asker_ask        (PaddockctlAsker        *asker,
                                              PaddockApprovalRequest *request);
/* An ::approval-needed handler (of a runner or an MCP server) that asks
 * the asker given as its data. */
void             paddockctl_asker_on_approval_needed (GObject                *emitter,
                                                      PaddockApprovalRequest *request,
                                                      PaddockctlAsker        *asker);
/* Denies what is still waiting, and lets go. */
void             paddockctl_asker_close      (PaddockctlAsker        *asker);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaddockctlAsker, paddockctl_asker_close)

/* paddock-export following the store while paddockctl works, when
 * telemetry is on. */
typedef struct
{
  GSubprocess *exporter;
} PaddockctlExport;

void             paddockctl_export_start     (PaddockctlExport       *export,
                                              const char             *endpoint);
/* Flushes for a bounded time, then lets go. */
void             paddockctl_export_finish    (PaddockctlExport       *export);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PaddockctlExport, paddockctl_export_finish)

/* The workspace at @workspace_dir (NULL: the current folder) and its
 * policy. */
PaddockPolicy       *paddockctl_open_policy  (const char        *workspace_dir,
                                              PaddockWorkspace **workspace,
                                              GError           **error);
/* The audit session @client records in, with the exporter started when
 * telemetry is on; refused when the store cannot be opened. */
PaddockAuditSession *paddockctl_open_session (PaddockPolicy     *policy,
                                              PaddockWorkspace  *workspace,
                                              const char        *client,
                                              PaddockctlExport  *export,
                                              GError           **error);

/* paddock_runner_run_async(), waited for in the thread-default main
 * context (whose other sources go on meanwhile). */
PaddockRunResult    *paddockctl_run_and_wait (PaddockRunner       *runner,
                                              const char * const  *argv,
                                              const char          *cwd,
                                              GCancellable        *cancellable,
                                              GError             **error);

/* The decision, its layer, source, rule and reason, for a person. */
void             paddockctl_describe         (FILE                   *out,
                                              const PaddockDecision  *decision);

G_END_DECLS
