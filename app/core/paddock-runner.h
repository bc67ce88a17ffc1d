/* paddock-runner.h: one command, end to end, as every front door runs
 * it: the policy's decision, a person's approval when it asks, the
 * decision on record before anything runs, the sandbox with the proxy
 * as its only way out, the result and the hazards it left on record
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "paddock-approval-request.h"
#include "paddock-audit-session.h"
#include "paddock-grants.h"
#include "paddock-policy.h"
#include "paddock-workspace.h"

G_BEGIN_DECLS

/* What became of one command. */
typedef struct
{
  PaddockDecision *decision;
  gboolean ran;
  char *refused;           /* why it did not run: the policy, a person, nobody; NULL when it ran */
  char *answered_by;       /* who approved or refused it when it asked; nullable */
  char *scope;             /* what a person allowed: "once" or "session"; nullable */
  int exit_code;           /* as a shell says it: 128 + N for signal N */
  JsonNode *report;        /* the sandbox's; nullable */
  char **hazards;          /* files left that the host runs later */
  guint refused_files;     /* file accesses the sandbox refused, when watched */
  char *call_id;
} PaddockRunResult;

void paddock_run_result_free (PaddockRunResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaddockRunResult, paddock_run_result_free)

#define PADDOCK_TYPE_RUNNER (paddock_runner_get_type ())

G_DECLARE_FINAL_TYPE (PaddockRunner, paddock_runner, PADDOCK, RUNNER, GObject)

/* ::network-event (PaddockNetworkEvent *event): what the proxy decided
 * about a host the command wanted (already on record).
 *
 * ::approval-needed (PaddockApprovalRequest *request): the command, or
 * a host it wants, needs a person. The handler sees that the request is
 * answered; unanswered at its timeout it is denied, and with no handler
 * at all nobody is there to allow it. */
PaddockRunner    *paddock_runner_new          (PaddockPolicy        *policy,
                                               PaddockWorkspace     *workspace,
                                               PaddockGrants        *grants,
                                               PaddockAuditSession  *session,
                                               const char           *client);
/* Stops the command after @seconds (0: never). */
void              paddock_runner_set_timeout  (PaddockRunner        *self,
                                               guint                 seconds);
void              paddock_runner_set_output_limit (PaddockRunner    *self,
                                                   guint64           bytes);
/* As paddock_sandbox_set_environment(). */
void              paddock_runner_set_environment (PaddockRunner      *self,
                                                  const char * const *environment);
/* As paddock_sandbox_set_mcp_socket(). */
void              paddock_runner_set_mcp_socket  (PaddockRunner      *self,
                                                  const char         *path);
void              paddock_runner_set_agent_settings (PaddockRunner   *self,
                                                     const char      *path);
/* Where the command's stdout and stderr go (its stdin is then
 * /dev/null); -1: this process's own. */
void              paddock_runner_set_watch_files (PaddockRunner      *self,
                                                  gboolean            watch);
void              paddock_runner_set_output_fd (PaddockRunner       *self,
                                                int                  fd);
/* As paddock_sandbox_set_input_fd() and paddock_sandbox_set_error_fd(). */
void              paddock_runner_set_input_fd  (PaddockRunner       *self,
                                                int                  fd);
void              paddock_runner_set_error_fd  (PaddockRunner       *self,
                                                int                  fd);
/* Runs @argv in @cwd; cancelling stops the command and all it started. */
void              paddock_runner_run_async    (PaddockRunner        *self,
                                               const char * const   *argv,
                                               const char           *cwd,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
/* As paddock_runner_run_async(), with @action judged instead of @argv:
 * Paddock's own command that carries out what the client asked (a
 * fetch is judged as its host; curl, in the sandbox, fetches it through
 * the proxy, which judges every host it reaches). Finish it with
 * paddock_runner_run_finish(). */
void              paddock_runner_run_for_async (PaddockRunner       *self,
                                                PaddockAction       *action,
                                                const char * const  *argv,
                                                const char          *cwd,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
/* The decision alone, asked and on record as for a command, for an
 * action this process then carries out itself (a file read or write):
 * the result says whether it may. */
void              paddock_runner_decide_async (PaddockRunner        *self,
                                               PaddockAction        *action,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
PaddockRunResult *paddock_runner_decide_finish (PaddockRunner       *self,
                                                GAsyncResult        *result,
                                                GError             **error);
/* NULL with @error when the command could not be run as it must be:
 * the audit store did not take the decision, the proxy or the sandbox
 * could not start (then @error is PADDOCK_SANDBOX_ERROR's). A denial is
 * a result, not an error. */
PaddockRunResult *paddock_runner_run_finish   (PaddockRunner        *self,
                                               GAsyncResult         *result,
                                               GError              **error);

G_END_DECLS
