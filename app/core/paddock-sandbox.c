/* paddock-sandbox.c
 *
 * The core decides; the helper enforces. This object turns a policy's
 * layout into the helper's spec and runs the helper, which is what
 * every front door uses, so the sandbox is the same whoever asks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>

#include "paddock-errors.h"
#include "paddock-sandbox.h"

/* Stop a command that floods its output long before it fills a disk. */
#define DEFAULT_OUTPUT_LIMIT (100 * 1024 * 1024)

G_DEFINE_QUARK (paddock-sandbox-error-quark, paddock_sandbox_error)

struct _PaddockSandbox
{
  GObject parent_instance;

  PaddockPolicy *policy;
  guint timeout;
  guint64 output_limit;
  char *proxy_socket;
  char *proxy_token;
  int output_fd;         /* -1: our own stdio */
  int input_fd;          /* with output_fd; -1: /dev/null */
  int error_fd;          /* with output_fd; -1: output_fd */
  char **environment;    /* NAME=VALUE the front door adds: an agent's own key */
  char *mcp_socket;      /* Paddock's MCP server for the agent; nullable */
  char *agent_settings;  /* nullable */
  gboolean watch_files;
};

G_DEFINE_FINAL_TYPE (PaddockSandbox, paddock_sandbox, G_TYPE_OBJECT)

static void
paddock_sandbox_dispose (GObject *object)
{
  PaddockSandbox *self = PADDOCK_SANDBOX (object);

  g_clear_object (&self->policy);

  G_OBJECT_CLASS (paddock_sandbox_parent_class)->dispose (object);
}

static void
paddock_sandbox_finalize (GObject *object)
{
  PaddockSandbox *self = PADDOCK_SANDBOX (object);

  g_free (self->proxy_socket);
  g_free (self->proxy_token);
  g_strfreev (self->environment);
  g_free (self->mcp_socket);
  g_free (self->agent_settings);

  G_OBJECT_CLASS (paddock_sandbox_parent_class)->finalize (object);
}

static void
paddock_sandbox_class_init (PaddockSandboxClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = paddock_sandbox_dispose;
  G_OBJECT_CLASS (klass)->finalize = paddock_sandbox_finalize;
}

static void
paddock_sandbox_init (PaddockSandbox *self)
{
  self->output_limit = DEFAULT_OUTPUT_LIMIT;
  self->output_fd = -1;
  self->input_fd = -1;
  self->error_fd = -1;
}

PaddockSandbox *
paddock_sandbox_new (PaddockPolicy *policy)
{
  PaddockSandbox *self;

  g_return_val_if_fail (PADDOCK_IS_POLICY (policy), NULL);

  self = g_object_new (PADDOCK_TYPE_SANDBOX, NULL);
  self->policy = g_object_ref (policy);
  return self;
}

void
paddock_sandbox_set_timeout (PaddockSandbox *self,
                             guint           seconds)
{
  g_return_if_fail (PADDOCK_IS_SANDBOX (self));
  self->timeout = seconds;
}

void
paddock_sandbox_set_output_fd (PaddockSandbox *self,
                               int             fd)
{
  g_return_if_fail (PADDOCK_IS_SANDBOX (self));
  self->output_fd = fd;
}

void
paddock_sandbox_set_input_fd (PaddockSandbox *self,
                              int             fd)
{
  g_return_if_fail (PADDOCK_IS_SANDBOX (self));
  self->input_fd = fd;
}

void
paddock_sandbox_set_error_fd (PaddockSandbox *self,
                              int             fd)
{
  g_return_if_fail (PADDOCK_IS_SANDBOX (self));
  self->error_fd = fd;
}

void
paddock_sandbox_set_output_limit (PaddockSandbox *self,
                                  guint64         bytes)
{
  g_return_if_fail (PADDOCK_IS_SANDBOX (self));
  self->output_limit = bytes;
}

void
paddock_sandbox_set_proxy (PaddockSandbox *self,
                           const char     *socket_path,
                           const char     *token)
{
  g_return_if_fail (PADDOCK_IS_SANDBOX (self));
  g_return_if_fail ((socket_path == NULL) == (token == NULL));

  g_free (self->proxy_socket);
  g_free (self->proxy_token);
  self->proxy_socket = g_strdup (socket_path);
  self->proxy_token = g_strdup (token);
}

void
paddock_sandbox_set_environment (PaddockSandbox     *self,
                                 const char * const *environment)
{
  g_return_if_fail (PADDOCK_IS_SANDBOX (self));

  for (guint i = 0; environment != NULL && environment[i] != NULL; i++)
    g_return_if_fail (strchr (environment[i], '=') != NULL && environment[i][0] != '=');
  g_strfreev (self->environment);
  self->environment = g_strdupv ((char **) environment);
}

void
paddock_sandbox_set_mcp_socket (PaddockSandbox *self,
                                const char     *path)
{
  g_return_if_fail (PADDOCK_IS_SANDBOX (self));

  g_free (self->mcp_socket);
  self->mcp_socket = g_strdup (path);
}

void
paddock_sandbox_set_agent_settings (PaddockSandbox *self,
                                    const char     *path)
{
  g_return_if_fail (PADDOCK_IS_SANDBOX (self));

  g_free (self->agent_settings);
  self->agent_settings = g_strdup (path);
}

void
paddock_sandbox_set_watch_files (PaddockSandbox *self,
                                 gboolean        watch)
{
  g_return_if_fail (PADDOCK_IS_SANDBOX (self));

  self->watch_files = watch;
}

const char *
paddock_sandbox_get_helper_path (void)
{
#if PADDOCK_DEVELOPMENT
  const char *override = g_getenv ("PADDOCK_SANDBOX_HELPER");

  if (override != NULL && g_path_is_absolute (override))
    return override;
  return PADDOCK_BUILD_SANDBOX_HELPER;
#else
  return PADDOCK_SANDBOX_HELPER;
#endif
}

/* What a command may see of the caller's environment: how to find
 * programs, who and where the user is, language and terminal. Nothing
 * that reaches a host service or carries a credential. */
static gboolean
is_passed_variable (const char *name)
{
  static const char * const names[] = {
    "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TERM", "COLORTERM", "TZ",
    "NO_COLOR", "FORCE_COLOR", "SHELL", NULL,
  };

  return g_strv_contains (names, name) || g_str_has_prefix (name, "LC_");
}

static void
add_strv_member (JsonBuilder        *builder,
                 const char         *name,
                 const char * const *strv)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
}

/* The audit store is never the agent's to read, wherever
 * XDG_STATE_HOME puts it and whatever a policy says. */
static void
hide_own_state (GStrv *hidden)
{
  g_autofree char *state = g_build_filename (g_get_user_state_dir (), "paddock", NULL);
  guint n = g_strv_length (*hidden);

  if (!g_file_test (state, G_FILE_TEST_IS_DIR) || g_strv_contains ((const char * const *) *hidden, state))
    return;
  *hidden = g_renew (char *, *hidden, n + 2);
  (*hidden)[n] = g_steal_pointer (&state);
  (*hidden)[n + 1] = NULL;
}

char *
paddock_sandbox_build_spec (PaddockSandbox     *self,
                            const char * const *argv,
                            const char         *cwd,
                            const char * const *environ_)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_auto(GStrv) writable = NULL;
  g_auto(GStrv) protected_names = NULL;
  g_auto(GStrv) hidden = NULL;

  g_return_val_if_fail (PADDOCK_IS_SANDBOX (self), NULL);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);

  paddock_policy_get_sandbox_layout (self->policy, &writable, &protected_names, &hidden);
  hide_own_state (&hidden);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  add_strv_member (builder, "argv", argv);
  json_builder_set_member_name (builder, "cwd");
  json_builder_add_string_value (builder, cwd ? cwd : paddock_policy_get_workspace (self->policy));
  json_builder_set_member_name (builder, "mode");
  json_builder_add_string_value (builder,
                                 paddock_sandbox_mode_to_string (paddock_policy_get_sandbox_mode (self->policy)));
  json_builder_set_member_name (builder, "workspace");
  json_builder_add_string_value (builder, paddock_policy_get_workspace (self->policy));
  add_strv_member (builder, "writable", (const char * const *) writable);
  add_strv_member (builder, "protected", (const char * const *) protected_names);
  add_strv_member (builder, "hidden", (const char * const *) hidden);

  json_builder_set_member_name (builder, "env");
  json_builder_begin_object (builder);
  for (guint i = 0; environ_ != NULL && environ_[i] != NULL; i++)
    {
      const char *eq = strchr (environ_[i], '=');
      g_autofree char *name = eq ? g_strndup (environ_[i], eq - environ_[i]) : NULL;

      if (name == NULL || !is_passed_variable (name))
        continue;
      json_builder_set_member_name (builder, name);
      json_builder_add_string_value (builder, eq + 1);
    }
  json_builder_set_member_name (builder, "TMPDIR");
  json_builder_add_string_value (builder, "/tmp");
  json_builder_end_object (builder);
  /* Handed over on purpose: the helper's filter of credentials does
   * not apply to these. */
  json_builder_set_member_name (builder, "granted_env");
  json_builder_begin_object (builder);
  for (guint i = 0; self->environment != NULL && self->environment[i] != NULL; i++)
    {
      const char *eq = strchr (self->environment[i], '=');
      g_autofree char *name = g_strndup (self->environment[i], eq - self->environment[i]);

      json_builder_set_member_name (builder, name);
      json_builder_add_string_value (builder, eq + 1);
    }
  json_builder_end_object (builder);

  if (self->watch_files)
    {
      json_builder_set_member_name (builder, "watch_files");
      json_builder_add_boolean_value (builder, TRUE);
    }
  if (self->agent_settings != NULL)
    {
      json_builder_set_member_name (builder, "agent_settings");
      json_builder_add_string_value (builder, self->agent_settings);
    }
  if (self->mcp_socket != NULL)
    {
      json_builder_set_member_name (builder, "mcp_socket");
      json_builder_add_string_value (builder, self->mcp_socket);
    }
  if (self->proxy_socket != NULL)
    {
      json_builder_set_member_name (builder, "proxy");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "socket");
      json_builder_add_string_value (builder, self->proxy_socket);
      json_builder_set_member_name (builder, "token");
      json_builder_add_string_value (builder, self->proxy_token);
      json_builder_end_object (builder);
    }

  json_builder_set_member_name (builder, "timeout_ms");
  json_builder_add_int_value (builder, (gint64) self->timeout * 1000);
  json_builder_set_member_name (builder, "output_limit");
  json_builder_add_int_value (builder, self->output_limit);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static gboolean
write_all (int         fd,
           const char *data,
           gsize       length)
{
  while (length > 0)
    {
      ssize_t n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= n;
    }
  return TRUE;
}

typedef struct
{
  GSubprocess *helper;
  GInputStream *report_stream;
  GByteArray *report;
  GCancellable *cancellable;
  gulong cancelled_id;
} RunData;

typedef struct
{
  int exit_code;
  JsonNode *report;
} RunResult;

static void
run_data_free (RunData *data)
{
  if (data->cancellable != NULL)
    g_cancellable_disconnect (data->cancellable, data->cancelled_id);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->helper);
  g_clear_object (&data->report_stream);
  g_byte_array_unref (data->report);
  g_free (data);
}

static void
run_result_free (RunResult *result)
{
  g_clear_pointer (&result->report, json_node_unref);
  g_free (result);
}

static void
on_helper_exited (GObject      *source,
                  GAsyncResult *async_result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RunData *data = g_task_get_task_data (task);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  RunResult *result;
  JsonObject *object;

  if (!g_subprocess_wait_finish (data->helper, async_result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (data->report->len == 0 ||
      !json_parser_load_from_data (parser, (const char *) data->report->data, data->report->len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_task_return_new_error (task, PADDOCK_SANDBOX_ERROR, PADDOCK_SANDBOX_ERROR_HELPER,
                               "the sandbox helper ended (status %d) without a report",
                               g_subprocess_get_exit_status (data->helper));
      return;
    }

  object = json_node_get_object (json_parser_get_root (parser));
  if (json_object_get_boolean_member_with_default (object, "not_found", FALSE))
    {
      g_task_return_new_error (task, PADDOCK_SANDBOX_ERROR, PADDOCK_SANDBOX_ERROR_NOT_FOUND, "%s",
                               json_object_get_string_member_with_default (object, "error", "command not found"));
      return;
    }
  if (!json_object_get_boolean_member_with_default (object, "started", FALSE))
    {
      g_task_return_new_error (task, PADDOCK_SANDBOX_ERROR, PADDOCK_SANDBOX_ERROR_FAILED,
                               "the sandbox could not run the command: %s",
                               json_object_get_string_member_with_default (object, "error", "no reason given"));
      return;
    }

  result = g_new0 (RunResult, 1);
  result->exit_code = g_subprocess_get_if_exited (data->helper) ? g_subprocess_get_exit_status (data->helper) : 125;
  result->report = json_node_copy (json_parser_get_root (parser));
  g_task_return_pointer (task, result, (GDestroyNotify) run_result_free);
}

/* The report comes when the helper is done; its end, then the helper's
 * own exit, end the run. */
static void
on_report_read (GObject      *source,
                GAsyncResult *async_result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RunData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), async_result, &error);

  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_bytes_get_size (bytes) > 0)
    {
      g_byte_array_append (data->report, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      g_input_stream_read_bytes_async (data->report_stream, 4096, G_PRIORITY_DEFAULT, NULL, on_report_read,
                                       g_steal_pointer (&task));
      return;
    }
  /* Not cancellable: the helper always ends, and always cleans up. */
  g_subprocess_wait_async (data->helper, NULL, on_helper_exited, g_steal_pointer (&task));
}

static void
on_cancelled (GCancellable *cancellable,
              GSubprocess  *helper)
{
  g_subprocess_send_signal (helper, SIGTERM);
}

void
paddock_sandbox_run_async (PaddockSandbox      *self,
                           const char * const  *argv,
                           const char          *cwd,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) environ_ = g_get_environ ();
  g_autofree char *spec = NULL;
  const char *helper_path = paddock_sandbox_get_helper_path ();
  int spec_pipe[2], report_pipe[2];
  RunData *data;

  g_return_if_fail (PADDOCK_IS_SANDBOX (self));
  g_return_if_fail (argv != NULL && argv[0] != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, paddock_sandbox_run_async);
  /* Cancelling stops the command; the run still ends with its report. */
  g_task_set_check_cancellable (task, FALSE);

  if (!g_file_test (helper_path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_task_return_new_error (task, PADDOCK_SANDBOX_ERROR, PADDOCK_SANDBOX_ERROR_HELPER,
                               "the sandbox helper %s is missing; Paddock never runs a command without it",
                               helper_path);
      return;
    }

  spec = paddock_sandbox_build_spec (self, argv, cwd, (const char * const *) environ_);

  if (!g_unix_open_pipe (spec_pipe, FD_CLOEXEC, NULL))
    {
      g_task_return_new_error (task, PADDOCK_SANDBOX_ERROR, PADDOCK_SANDBOX_ERROR_HELPER, "pipe: %s",
                               g_strerror (errno));
      return;
    }
  if (!g_unix_open_pipe (report_pipe, FD_CLOEXEC, NULL))
    {
      close (spec_pipe[0]);
      close (spec_pipe[1]);
      g_task_return_new_error (task, PADDOCK_SANDBOX_ERROR, PADDOCK_SANDBOX_ERROR_HELPER, "pipe: %s",
                               g_strerror (errno));
      return;
    }

  if (self->output_fd >= 0)
    {
      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
      if (self->input_fd >= 0)
        g_subprocess_launcher_take_stdin_fd (launcher, fcntl (self->input_fd, F_DUPFD_CLOEXEC, 3));
      else
        g_subprocess_launcher_set_stdin_file_path (launcher, "/dev/null");
      g_subprocess_launcher_take_stdout_fd (launcher, fcntl (self->output_fd, F_DUPFD_CLOEXEC, 3));
      g_subprocess_launcher_take_stderr_fd (launcher, fcntl (self->error_fd >= 0 ? self->error_fd : self->output_fd,
                                                             F_DUPFD_CLOEXEC, 3));
    }
  else
    launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);

  /* The spec travels on a descriptor: a command line would show it to
   * every user through /proc. */
  g_subprocess_launcher_take_fd (launcher, spec_pipe[0], 3);
  g_subprocess_launcher_take_fd (launcher, report_pipe[1], 4);
  data = g_new0 (RunData, 1);
  data->report = g_byte_array_new ();
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);
  data->helper = g_subprocess_launcher_spawn (launcher, &error, helper_path, "--spec-fd", "3", "--report-fd", "4",
                                              NULL);
  if (data->helper == NULL)
    {
      close (spec_pipe[1]);
      close (report_pipe[0]);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The launcher keeps its ends until it goes. The helper reads the
   * spec at once, so writing it does not wait for long. */
  g_clear_object (&launcher);
  write_all (spec_pipe[1], spec, strlen (spec));
  close (spec_pipe[1]);

  /* Stopping is the helper's job: TERM makes it end the whole tree,
   * remove what it placed and still write its report. */
  if (cancellable != NULL)
    {
      data->cancellable = g_object_ref (cancellable);
      data->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), data->helper, NULL);
    }

  data->report_stream = g_unix_input_stream_new (report_pipe[0], TRUE);
  g_input_stream_read_bytes_async (data->report_stream, 4096, G_PRIORITY_DEFAULT, NULL, on_report_read,
                                   g_steal_pointer (&task));
}

gboolean
paddock_sandbox_run_finish (PaddockSandbox  *self,
                            GAsyncResult    *result,
                            int             *exit_code,
                            JsonNode       **report,
                            GError         **error)
{
  RunResult *run;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == paddock_sandbox_run_async, FALSE);

  run = g_task_propagate_pointer (G_TASK (result), error);
  if (run == NULL)
    return FALSE;
  if (exit_code != NULL)
    *exit_code = run->exit_code;
  if (report != NULL)
    *report = g_steal_pointer (&run->report);
  run_result_free (run);
  return TRUE;
}

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

gboolean
paddock_sandbox_run (PaddockSandbox      *self,
                     const char * const  *argv,
                     const char          *cwd,
                     int                 *exit_code,
                     JsonNode           **report,
                     GError             **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (PADDOCK_IS_SANDBOX (self), FALSE);

  /* The same run, in a context of its own: nothing else runs meanwhile. */
  g_main_context_push_thread_default (context);
  paddock_sandbox_run_async (self, argv, cwd, NULL, on_run_done, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  return paddock_sandbox_run_finish (self, result, exit_code, report, error);
}
