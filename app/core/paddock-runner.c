/* paddock-runner.c
 *
 * The order matters and is the point: nothing runs before its decision
 * is acknowledged by the audit store, a person's "allow for the
 * session" becomes a grant only once it is on record, and the command's
 * only way out is a proxy that asks through the same signal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "paddock-proxy.h"
#include "paddock-runner.h"
#include "paddock-sandbox.h"
#include "paddock-tripwire.h"

struct _PaddockRunner
{
  GObject parent_instance;

  PaddockPolicy *policy;
  PaddockWorkspace *workspace;
  PaddockGrants *grants;
  PaddockAuditSession *session;
  char *client;
  guint timeout;
  gint64 output_limit;      /* -1: the sandbox's default */
  int output_fd;
  int input_fd;
  int error_fd;
  char **environment;
  char *mcp_socket;
  char *agent_settings;
  gboolean watch_files;
};

G_DEFINE_FINAL_TYPE (PaddockRunner, paddock_runner, G_TYPE_OBJECT)

enum
{
  APPROVAL_NEEDED,
  NETWORK_EVENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
paddock_run_result_free (PaddockRunResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->decision, paddock_decision_unref);
  g_free (result->refused);
  g_free (result->answered_by);
  g_free (result->scope);
  g_clear_pointer (&result->report, json_node_unref);
  g_strfreev (result->hazards);
  g_free (result->call_id);
  g_free (result);
}

typedef struct
{
  char **argv;
  char *cwd;
  PaddockRunResult *result;
  PaddockApprovalRequest *request;
  gulong answered_id;
  gulong cancelled_id;
  GSource *timer;
  PaddockTripwire *tripwire;
  PaddockSandbox *sandbox;
  PaddockProxy *proxy;
  GError *error;            /* the sandbox's failure, returned once its result is on record */
  GCancellable *cancellable;  /* watched while a person is asked */
} Run;

static void
run_free (Run *run)
{
  g_strfreev (run->argv);
  g_free (run->cwd);
  paddock_run_result_free (run->result);
  if (run->answered_id != 0)
    g_signal_handler_disconnect (run->request, run->answered_id);
  if (run->cancelled_id != 0)
    g_cancellable_disconnect (run->cancellable, run->cancelled_id);
  g_clear_object (&run->request);
  if (run->timer != NULL)
    {
      g_source_destroy (run->timer);
      g_source_unref (run->timer);
    }
  g_clear_object (&run->tripwire);
  g_clear_object (&run->sandbox);
  if (run->proxy != NULL)
    paddock_proxy_stop (run->proxy);
  g_clear_object (&run->proxy);
  g_clear_error (&run->error);
  g_clear_object (&run->cancellable);
  g_free (run);
}

static void
finish (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  if (run->proxy != NULL)
    paddock_proxy_stop (run->proxy);
  g_task_return_pointer (task, g_steal_pointer (&run->result), (GDestroyNotify) paddock_run_result_free);
}

/* --- after the command ------------------------------------------------ */

static void
on_result_recorded (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaddockRunner *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* The command has run: a result the store did not take is said, not
   * a reason to pretend it did not. */
  if (paddock_audit_session_record_finish (self->session, result, &error) == 0)
    g_warning ("the result was not recorded: %s", error->message);
  if (run->error != NULL)
    g_task_return_error (task, g_steal_pointer (&run->error));
  else
    finish (task);
}

static const char *
refusal_text (const char *access,
              const char *why)
{
  gboolean read = g_str_equal (access, "read");

  if (g_str_equal (why, "hidden"))
    return read ? "read refused: hidden by the sandbox" : "write refused: hidden by the sandbox";
  if (g_str_equal (why, "read-only"))
    return "write refused: read-only in the sandbox";
  return read ? "read refused by the file's permissions" : "write refused by the file's permissions";
}

/* What the command tried and the sandbox refused: the mounts already
 * said no; this is for the person reading the record. */
static void
record_refused_files (PaddockRunner *self,
                      Run           *run)
{
  JsonObject *report = run->result->report && JSON_NODE_HOLDS_OBJECT (run->result->report)
                       ? json_node_get_object (run->result->report) : NULL;
  JsonNode *member = report ? json_object_get_member (report, "refused_files") : NULL;
  JsonArray *refused = member && JSON_NODE_HOLDS_ARRAY (member) ? json_node_get_array (member) : NULL;

  for (guint i = 0; refused != NULL && i < json_array_get_length (refused); i++)
    {
      JsonNode *element = json_array_get_element (refused, i);
      JsonObject *file = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      g_autoptr(JsonObject) attributes = NULL;
      const char *access = paddock_json_get_string (file, "access", "");

      if (file == NULL)
        continue;
      attributes = paddock_audit_violation_attributes ("file-access-refused",
                                                       paddock_json_get_string (file, "path", ""),
                                                       run->result->call_id);
      json_object_set_string_member (attributes, "file.access", access);
      json_object_set_string_member (attributes, "reason",
                                     refusal_text (access, paddock_json_get_string (file, "reason", "")));
      json_object_set_string_member (attributes, "syscall", paddock_json_get_string (file, "syscall", ""));
      json_object_set_int_member (attributes, "process.pid", paddock_json_get_int (file, "pid", 0));
      paddock_audit_session_record_async (self->session, "paddock.sandbox_violation", attributes, NULL, NULL, NULL);
      run->result->refused_files++;
    }
  run->result->refused_files += paddock_json_get_int (report, "refused_files_dropped", 0);
}

static void
on_ran (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaddockRunner *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) attributes = NULL;

  if (run->proxy != NULL)
    paddock_proxy_stop (run->proxy);
  /* A sandbox that failed is a result too, with the status a shell
   * would give: the record says the command never ran properly. */
  if (!paddock_sandbox_run_finish (run->sandbox, result, &run->result->exit_code, &run->result->report, &error))
    {
      run->result->exit_code = g_error_matches (error, PADDOCK_SANDBOX_ERROR, PADDOCK_SANDBOX_ERROR_NOT_FOUND)
                               ? 127 : 125;
      run->error = g_steal_pointer (&error);
    }
  else
    run->result->ran = TRUE;

  /* The result, then what it left behind: the store keeps that order. */
  attributes = paddock_audit_result_attributes (run->result->report, run->result->exit_code, run->result->call_id);
  run->result->hazards = paddock_tripwire_check (run->tripwire);
  paddock_audit_session_record_async (self->session, "paddock.tool_result", attributes, NULL, on_result_recorded,
                                      g_object_ref (task));
  for (guint i = 0; run->result->hazards[i] != NULL; i++)
    {
      g_autoptr(JsonObject) hazard = paddock_audit_violation_attributes ("host-execution-hazard",
                                                                         run->result->hazards[i],
                                                                         run->result->call_id);

      paddock_audit_session_record_async (self->session, "paddock.sandbox_violation", hazard, NULL, NULL, NULL);
    }
  record_refused_files (self, run);
}

static void
on_host_approval (PaddockProxy           *proxy,
                  PaddockApprovalRequest *request,
                  PaddockRunner          *self)
{
  paddock_approval_request_set_asker (request, paddock_workspace_get_path (self->workspace), self->client);
  g_signal_emit (self, signals[APPROVAL_NEEDED], 0, request);
}

static void
on_network_event (PaddockProxy        *proxy,
                  PaddockNetworkEvent *event,
                  PaddockRunner       *self)
{
  g_signal_emit (self, signals[NETWORK_EVENT], 0, event);
}

static void
start (GTask *task)
{
  PaddockRunner *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  run->tripwire = paddock_tripwire_new (paddock_workspace_get_path (self->workspace));
  run->sandbox = paddock_sandbox_new (self->policy);
  paddock_sandbox_set_timeout (run->sandbox, self->timeout);
  if (self->output_limit >= 0)
    paddock_sandbox_set_output_limit (run->sandbox, self->output_limit);
  if (self->output_fd >= 0)
    paddock_sandbox_set_output_fd (run->sandbox, self->output_fd);
  paddock_sandbox_set_input_fd (run->sandbox, self->input_fd);
  paddock_sandbox_set_error_fd (run->sandbox, self->error_fd);
  paddock_sandbox_set_environment (run->sandbox, (const char * const *) self->environment);
  paddock_sandbox_set_mcp_socket (run->sandbox, self->mcp_socket);
  paddock_sandbox_set_agent_settings (run->sandbox, self->agent_settings);
  paddock_sandbox_set_watch_files (run->sandbox, self->watch_files);

  /* The way out, unless there is none to give or no sandbox to give it. */
  if (paddock_policy_get_network_mode (self->policy) != PADDOCK_NETWORK_DISABLED &&
      paddock_policy_get_sandbox_mode (self->policy) != PADDOCK_SANDBOX_FULL_ACCESS)
    {
      g_autofree char *workspace_policy = paddock_workspace_dup_settings_policy_path (self->workspace);

      run->proxy = paddock_proxy_new (self->policy, self->grants);
      paddock_proxy_set_workspace_policy (run->proxy, workspace_policy);
      paddock_proxy_set_audit_session (run->proxy, self->session);
      g_signal_connect_object (run->proxy, "approval-needed", G_CALLBACK (on_host_approval), self, 0);
      g_signal_connect_object (run->proxy, "event", G_CALLBACK (on_network_event), self, 0);
      if (!paddock_proxy_start (run->proxy, &error))
        {
          g_task_return_new_error (task, PADDOCK_SANDBOX_ERROR, PADDOCK_SANDBOX_ERROR_FAILED,
                                   "the network proxy cannot start, so the command does not run: %s",
                                   error->message);
          g_object_unref (task);
          return;
        }
      paddock_sandbox_set_proxy (run->sandbox, paddock_proxy_get_socket_path (run->proxy),
                                 paddock_proxy_get_token (run->proxy));
    }
  paddock_sandbox_run_async (run->sandbox, (const char * const *) run->argv, run->cwd, g_task_get_cancellable (task),
                             on_ran, task);
}

/* --- the decision, on record --------------------------------------------- */

static void
on_decision_recorded (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaddockRunner *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;

  if (paddock_audit_session_record_finish (self->session, result, &error) == 0)
    {
      g_task_return_new_error (task, error->domain, error->code, "%s; nothing runs unrecorded", error->message);
      g_error_free (error);
      return;
    }
  if (run->result->refused != NULL)
    {
      finish (task);
      return;
    }
  /* Granted only once the consent is on record. */
  if (g_strcmp0 (run->result->scope, "session") == 0 &&
      !paddock_grants_add_prompted (self->grants, run->result->decision, run->result->answered_by, &error))
    {
      g_warning ("the session grant was not kept: %s", error->message);
      g_clear_error (&error);
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  if (run->argv == NULL)
    finish (task);
  else
    start (g_steal_pointer (&task));
}

static void
record_decision (GTask *task)
{
  PaddockRunner *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(JsonObject) attributes =
    paddock_audit_decision_attributes (run->result->decision, run->result->refused == NULL,
                                       run->request ? "user" : "policy", run->result->scope,
                                       run->result->call_id);

  if (run->request != NULL)
    json_object_set_string_member (attributes, "answered_by", run->result->answered_by);
  paddock_audit_session_record_async (self->session, "paddock.tool_decision", attributes, NULL, on_decision_recorded,
                                      task);
}

static void
on_answered (PaddockApprovalRequest *request,
             GTask                  *task)
{
  Run *run = g_task_get_task_data (task);
  const char *who = paddock_approval_request_get_who (request);

  g_signal_handler_disconnect (request, run->answered_id);
  run->answered_id = 0;
  if (run->cancelled_id != 0)
    g_cancellable_disconnect (run->cancellable, run->cancelled_id);
  run->cancelled_id = 0;
  g_source_destroy (run->timer);
  g_clear_pointer (&run->timer, g_source_unref);
  run->result->answered_by = g_strdup (who);
  switch (paddock_approval_request_get_answer (request))
    {
    case PADDOCK_ANSWER_ONCE:
      run->result->scope = g_strdup ("once");
      break;
    case PADDOCK_ANSWER_SESSION:
      run->result->scope = g_strdup ("session");
      break;
    case PADDOCK_ANSWER_DENY:
    case PADDOCK_ANSWER_ALWAYS:  /* never offered for commands */
    default:
      run->result->refused = g_strdup (g_str_equal (who, "timeout") ? "nobody answered in time"
                                       : g_str_equal (who, "nobody") ? "nobody was there to allow it"
                                       : g_str_equal (who, "withdrawn") ? "the caller withdrew the question"
                                       : "denied");
      break;
    }
  record_decision (task);
}

static gboolean
on_ask_timeout (gpointer user_data)
{
  Run *run = g_task_get_task_data (user_data);

  paddock_approval_request_answer (run->request, PADDOCK_ANSWER_DENY, "timeout");
  return G_SOURCE_REMOVE;
}

static gboolean
withdraw (gpointer user_data)
{
  Run *run = g_task_get_task_data (user_data);

  if (!paddock_approval_request_is_answered (run->request))
    paddock_approval_request_answer (run->request, PADDOCK_ANSWER_DENY, "withdrawn");
  return G_SOURCE_REMOVE;
}

/* Cancelled while a person is asked: the question is withdrawn, from
 * the task's own context (the handler may not disconnect itself). */
static void
on_cancelled (GCancellable *cancellable,
              GTask        *task)
{
  g_autoptr(GSource) idle = g_idle_source_new ();

  /* Never at once, even on this thread: answering disconnects this handler. */
  g_source_set_callback (idle, withdraw, g_object_ref (task), g_object_unref);
  g_source_attach (idle, g_task_get_context (task));
}

static void
ask (GTask *task)
{
  PaddockRunner *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  run->request = paddock_approval_request_new (run->result->decision, FALSE);
  paddock_approval_request_set_asker (run->request, paddock_workspace_get_path (self->workspace), self->client);
  paddock_approval_request_set_timeout (run->request, PADDOCK_APPROVAL_DEFAULT_TIMEOUT_S);
  run->answered_id = g_signal_connect (run->request, "answered", G_CALLBACK (on_answered), task);
  run->timer = g_timeout_source_new_seconds (PADDOCK_APPROVAL_DEFAULT_TIMEOUT_S);
  g_source_set_callback (run->timer, on_ask_timeout, task, NULL);
  g_source_attach (run->timer, g_task_get_context (task));

  if (!g_signal_has_handler_pending (self, signals[APPROVAL_NEEDED], 0, FALSE))
    {
      paddock_approval_request_answer (run->request, PADDOCK_ANSWER_DENY, "nobody");
      return;
    }
  if (g_task_get_cancellable (task) != NULL)
    {
      run->cancellable = g_object_ref (g_task_get_cancellable (task));
      run->cancelled_id = g_cancellable_connect (run->cancellable, G_CALLBACK (on_cancelled), task, NULL);
    }
  g_signal_emit (self, signals[APPROVAL_NEEDED], 0, run->request);
}

static void
decide (PaddockRunner       *self,
        PaddockAction       *action,
        const char * const  *argv,
        const char          *cwd,
        gpointer             source_tag,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Run *run = g_new0 (Run, 1);

  g_task_set_source_tag (task, source_tag);
  run->argv = g_strdupv ((char **) argv);
  run->cwd = g_strdup (cwd);
  run->result = g_new0 (PaddockRunResult, 1);
  run->result->call_id = g_uuid_string_random ();
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);

  run->result->decision = paddock_policy_evaluate (self->policy, action, self->grants);
  switch (run->result->decision->verdict)
    {
    case PADDOCK_VERDICT_FORBIDDEN:
      run->result->refused = g_strdup ("the policy forbids it");
      record_decision (task);
      break;
    case PADDOCK_VERDICT_PROMPT:
      ask (task);
      break;
    case PADDOCK_VERDICT_ALLOW:
    default:
      record_decision (task);
      break;
    }
}

void
paddock_runner_run_async (PaddockRunner       *self,
                          const char * const  *argv,
                          const char          *cwd,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(PaddockAction) action = NULL;

  g_return_if_fail (PADDOCK_IS_RUNNER (self));
  g_return_if_fail (argv != NULL && argv[0] != NULL);

  action = paddock_action_new_exec (argv, cwd);
  decide (self, action, argv, cwd, paddock_runner_run_async, cancellable, callback, user_data);
}

PaddockRunResult *
paddock_runner_run_finish (PaddockRunner  *self,
                           GAsyncResult   *result,
                           GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
paddock_runner_run_for_async (PaddockRunner       *self,
                              PaddockAction       *action,
                              const char * const  *argv,
                              const char          *cwd,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (PADDOCK_IS_RUNNER (self));
  g_return_if_fail (action != NULL && argv != NULL && argv[0] != NULL);

  decide (self, action, argv, cwd, paddock_runner_run_async, cancellable, callback, user_data);
}

void
paddock_runner_decide_async (PaddockRunner       *self,
                             PaddockAction       *action,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (PADDOCK_IS_RUNNER (self));
  g_return_if_fail (action != NULL);

  decide (self, action, NULL, action->cwd, paddock_runner_decide_async, cancellable, callback, user_data);
}

PaddockRunResult *
paddock_runner_decide_finish (PaddockRunner  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
paddock_runner_set_timeout (PaddockRunner *self,
                            guint          seconds)
{
  g_return_if_fail (PADDOCK_IS_RUNNER (self));

  self->timeout = seconds;
}

void
paddock_runner_set_output_limit (PaddockRunner *self,
                                 guint64        bytes)
{
  g_return_if_fail (PADDOCK_IS_RUNNER (self));

  self->output_limit = bytes;
}

void
paddock_runner_set_environment (PaddockRunner      *self,
                                const char * const *environment)
{
  g_return_if_fail (PADDOCK_IS_RUNNER (self));

  g_strfreev (self->environment);
  self->environment = g_strdupv ((char **) environment);
}

void
paddock_runner_set_agent_settings (PaddockRunner *self,
                                   const char    *path)
{
  g_return_if_fail (PADDOCK_IS_RUNNER (self));

  g_free (self->agent_settings);
  self->agent_settings = g_strdup (path);
}

void
paddock_runner_set_watch_files (PaddockRunner *self,
                                gboolean       watch)
{
  g_return_if_fail (PADDOCK_IS_RUNNER (self));

  self->watch_files = watch;
}

void
paddock_runner_set_mcp_socket (PaddockRunner *self,
                               const char    *path)
{
  g_return_if_fail (PADDOCK_IS_RUNNER (self));

  g_free (self->mcp_socket);
  self->mcp_socket = g_strdup (path);
}

void
paddock_runner_set_input_fd (PaddockRunner *self,
                             int            fd)
{
  g_return_if_fail (PADDOCK_IS_RUNNER (self));

  self->input_fd = fd;
}

void
paddock_runner_set_error_fd (PaddockRunner *self,
                             int            fd)
{
  g_return_if_fail (PADDOCK_IS_RUNNER (self));

  self->error_fd = fd;
}

void
paddock_runner_set_output_fd (PaddockRunner *self,
                              int            fd)
{
  g_return_if_fail (PADDOCK_IS_RUNNER (self));

  self->output_fd = fd;
}

PaddockRunner *
paddock_runner_new (PaddockPolicy       *policy,
                    PaddockWorkspace    *workspace,
                    PaddockGrants       *grants,
                    PaddockAuditSession *session,
                    const char          *client)
{
  PaddockRunner *self;

  g_return_val_if_fail (PADDOCK_IS_POLICY (policy), NULL);
  g_return_val_if_fail (PADDOCK_IS_WORKSPACE (workspace), NULL);
  g_return_val_if_fail (PADDOCK_IS_AUDIT_SESSION (session), NULL);

  self = g_object_new (PADDOCK_TYPE_RUNNER, NULL);
  self->policy = g_object_ref (policy);
  self->workspace = g_object_ref (workspace);
  self->grants = grants ? g_object_ref (grants) : paddock_grants_new ();
  self->session = g_object_ref (session);
  self->client = g_strdup (client);
  return self;
}

static void
paddock_runner_finalize (GObject *object)
{
  PaddockRunner *self = PADDOCK_RUNNER (object);

  g_clear_object (&self->policy);
  g_clear_object (&self->workspace);
  g_clear_object (&self->grants);
  g_clear_object (&self->session);
  g_free (self->client);
  g_strfreev (self->environment);
  g_free (self->mcp_socket);
  g_free (self->agent_settings);

  G_OBJECT_CLASS (paddock_runner_parent_class)->finalize (object);
}

static void
paddock_runner_class_init (PaddockRunnerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = paddock_runner_finalize;

  signals[APPROVAL_NEEDED] =
    g_signal_new ("approval-needed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, PADDOCK_TYPE_APPROVAL_REQUEST);
  signals[NETWORK_EVENT] =
    g_signal_new ("network-event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, PADDOCK_TYPE_NETWORK_EVENT);
}

static void
paddock_runner_init (PaddockRunner *self)
{
  self->output_limit = -1;
  self->output_fd = -1;
  self->input_fd = -1;
  self->error_fd = -1;
}
