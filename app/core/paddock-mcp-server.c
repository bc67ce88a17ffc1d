/* paddock-mcp-server.c
 *
 * JSON-RPC 2.0 over newline-delimited messages (the MCP stdio
 * transport). Every tool goes through PaddockRunner: commands run in the
 * sandbox; files are read and written by this process only after the
 * policy judged the path as resolved, with every link already followed,
 * and opened so that no link can be swapped in since (RESOLVE_NO_SYMLINKS).
 * A refusal is a tool error that names the layer and the rule, so the
 * agent can change course instead of retrying.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib-unix.h>
#include <gio/gunixinputstream.h>

#include "paddock-json.h"
#include "paddock-mcp-server.h"
#include "paddock-patch.h"
#include "paddock-path.h"
#include "paddock-mcp-gateway.h"
#include "paddock-runner.h"

/* What a tool hands back at most: more is cut, and says so. */
#define MAX_OUTPUT (1024 * 1024)
#define DEFAULT_TIMEOUT_S 120
#define MAX_TIMEOUT_S 3600

/* JSON-RPC 2.0 §5.1 */
#define PARSE_ERROR -32700
#define INVALID_REQUEST -32600
#define METHOD_NOT_FOUND -32601
#define INVALID_PARAMS -32602

static const char * const protocol_versions[] = { PADDOCK_MCP_PROTOCOL_VERSION, "2025-03-26", "2024-11-05", NULL };

struct _PaddockMcpServer
{
  GObject parent_instance;

  PaddockPolicy *policy;
  PaddockWorkspace *workspace;
  PaddockGrants *grants;
  PaddockAuditSession *session;

  GInputStream *input;
  GOutputStream *output;
  GTask *task;              /* the serving, until the input ends */
  GByteArray *buffer;
  gboolean discarding;      /* the rest of a message too long */
  gboolean initialized;
  gboolean ended;           /* the input ended */
  char *client;             /* who asks, for the approval dialog */
  gboolean accepts_prompts;
  PaddockMcpGateway *gateway; /* nullable */
  GHashTable *calls;        /* the id as JSON → Call */
};

G_DEFINE_FINAL_TYPE (PaddockMcpServer, paddock_mcp_server, G_TYPE_OBJECT)

enum
{
  APPROVAL_NEEDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* --- sending ------------------------------------------------------------ */

static void
send_message (PaddockMcpServer *self,
              JsonBuilder      *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, FALSE);
  g_autoptr(GError) error = NULL;

  /* One line each: json-glib escapes the line breaks inside strings. */
  if (!g_output_stream_write_all (self->output, text, strlen (text), NULL, NULL, &error) ||
      !g_output_stream_write_all (self->output, "\n", 1, NULL, NULL, &error) ||
      !g_output_stream_flush (self->output, NULL, &error))
    g_debug ("the client is gone: %s", error->message);
}

static JsonBuilder *
begin_reply (JsonNode *id)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, "id");
  if (id != NULL)
    json_builder_add_value (builder, json_node_copy (id));
  else
    json_builder_add_null_value (builder);
  return builder;
}

static void
send_error (PaddockMcpServer *self,
            JsonNode         *id,
            int               code,
            const char       *message)
{
  g_autoptr(JsonBuilder) builder = begin_reply (id);

  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  send_message (self, builder);
}

static void
send_result (PaddockMcpServer *self,
             JsonNode         *id,
             JsonNode         *result)
{
  g_autoptr(JsonBuilder) builder = begin_reply (id);

  json_builder_set_member_name (builder, "result");
  json_builder_add_value (builder, result);
  json_builder_end_object (builder);
  send_message (self, builder);
}

/* A tools/call result: @text for the agent, and whether it is an error. */
static JsonNode *
tool_result (const char *text,
             gboolean    is_error,
             JsonNode   *structured)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "content");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "text");
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  if (structured != NULL)
    {
      json_builder_set_member_name (builder, "structuredContent");
      json_builder_add_value (builder, structured);
    }
  json_builder_set_member_name (builder, "isError");
  json_builder_add_boolean_value (builder, is_error);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* --- calls --------------------------------------------------------------- */

typedef struct
{
  PaddockMcpServer *server;  /* weak: the server outlives its calls */
  char *key;
  JsonNode *id;
  char *tool;
  JsonObject *arguments;
  JsonNode *progress_token;
  GCancellable *cancellable;
  PaddockRunner *runner;
  /* exec */
  int pipe[2];
  GInputStream *output;
  GString *text;
  gboolean truncated;
  PaddockRunResult *result;
  char *failure;            /* why it did not run */
  gboolean ran_done;
  gboolean output_done;
  /* files */
  char *path;               /* resolved */
  /* apply_patch */
  GPtrArray *patch;         /* PaddockPatchFile, as parsed */
  GPtrArray *patch_paths;   /* each file's path, resolved and allowed */
  /* a gateway server's tool */
  char *upstream;
  char *upstream_tool;
} Call;

static void
call_free (Call *call)
{
  g_free (call->key);
  g_clear_pointer (&call->id, json_node_unref);
  g_free (call->tool);
  g_clear_pointer (&call->arguments, json_object_unref);
  g_clear_pointer (&call->progress_token, json_node_unref);
  g_clear_object (&call->cancellable);
  g_clear_object (&call->runner);
  for (guint i = 0; i < 2; i++)
    if (call->pipe[i] >= 0)
      close (call->pipe[i]);
  g_clear_object (&call->output);
  if (call->text != NULL)
    g_string_free (call->text, TRUE);
  g_clear_pointer (&call->result, paddock_run_result_free);
  g_free (call->failure);
  g_free (call->path);
  g_clear_pointer (&call->patch, g_ptr_array_unref);
  g_clear_pointer (&call->patch_paths, g_ptr_array_unref);
  g_free (call->upstream);
  g_free (call->upstream_tool);
  g_free (call);
}

static void maybe_end (PaddockMcpServer *self);

/* The answer to @call, unless the client cancelled it (then it wants
 * none: MCP's cancellation). */
static void
answer (Call     *call,
        JsonNode *result)
{
  PaddockMcpServer *self = call->server;
  g_autoptr(JsonNode) owned = result;

  if (!g_cancellable_is_cancelled (call->cancellable) && !self->ended)
    send_result (self, call->id, g_steal_pointer (&owned));
  g_hash_table_remove (self->calls, call->key);
  maybe_end (self);
}

static void
progress (Call       *call,
          double      done,
          const char *message)
{
  g_autoptr(JsonBuilder) builder = NULL;

  if (call->progress_token == NULL || g_cancellable_is_cancelled (call->cancellable))
    return;
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, "notifications/progress");
  json_builder_set_member_name (builder, "params");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "progressToken");
  json_builder_add_value (builder, json_node_copy (call->progress_token));
  json_builder_set_member_name (builder, "progress");
  json_builder_add_double_value (builder, done);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  send_message (call->server, builder);
}

/* Why Paddock said no, with the layer and the rule, for the agent. */
static char *
refusal_text (PaddockRunResult *result)
{
  const PaddockDecision *decision = result->decision;
  g_autofree char *subject = paddock_action_to_display (decision->action);
  g_autofree char *location = paddock_rule_dup_location (decision->decisive);
  g_autofree char *rule = paddock_rule_dup_display_text (decision->decisive);

  return g_strdup_printf ("Paddock did not allow %s: %s. Decided by the %s layer (%s), rule %s%s%s. Do not retry "
                          "the same action; change course or ask the person to change the policy.",
                          subject, result->refused, paddock_layer_to_string (decision->decisive->layer), location,
                          rule, decision->decisive->reason ? ": " : "",
                          decision->decisive->reason ? decision->decisive->reason : "");
}

static void
fail_call (Call       *call,
           const char *message)
{
  answer (call, tool_result (message, TRUE, NULL));
}

/* Whether the decision @result brings lets @call go on; if not, @call
 * is answered with why. */
static gboolean
go_on (Call         *call,
       GObject      *source,
       GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockRunResult) decided = paddock_runner_decide_finish (PADDOCK_RUNNER (source), result, &error);

  if (decided == NULL)
    {
      fail_call (call, error->message);
      return FALSE;
    }
  if (decided->refused != NULL)
    {
      g_autofree char *text = refusal_text (decided);
      fail_call (call, text);
      return FALSE;
    }
  return TRUE;
}

/* A person is asked through whoever serves this server; nobody there
 * means nobody allows it. */
static void
on_approval_needed (PaddockRunner          *runner,
                    PaddockApprovalRequest *request,
                    PaddockMcpServer       *self)
{
  paddock_approval_request_pass_on (request, self, signals[APPROVAL_NEEDED]);
}

static PaddockRunner *
runner_for (PaddockMcpServer *self)
{
  PaddockRunner *runner = paddock_runner_new (self->policy, self->workspace, self->grants, self->session,
                                              self->client ? self->client : "an MCP client (paddockctl mcp)");

  g_signal_connect_object (runner, "approval-needed", G_CALLBACK (on_approval_needed), self, 0);
  return runner;
}

/* --- exec --------------------------------------------------------------- */

static void
exec_maybe_done (Call *call)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *text = NULL;
  PaddockRunResult *result = call->result;

  if (!call->ran_done || !call->output_done)
    return;
  if (call->failure != NULL)
    {
      fail_call (call, call->failure);
      return;
    }
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "exit_code");
  json_builder_add_int_value (builder, result->exit_code);
  json_builder_set_member_name (builder, "output");
  json_builder_add_string_value (builder, call->text->str);
  json_builder_set_member_name (builder, "output_truncated");
  json_builder_add_boolean_value (builder, call->truncated);
  json_builder_end_object (builder);
  text = g_strdup_printf ("exit code %d%s\n%s", result->exit_code,
                          call->truncated ? " (output cut at 1 MiB)" : "", call->text->str);
  answer (call, tool_result (text, result->exit_code != 0, json_builder_get_root (builder)));
}

static void
on_output (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, NULL);
  gsize size = bytes ? g_bytes_get_size (bytes) : 0;

  if (size == 0)
    {
      call->output_done = TRUE;
      exec_maybe_done (call);
      return;
    }
  if (call->text->len < MAX_OUTPUT)
    {
      gsize room = MAX_OUTPUT - call->text->len;
      g_autofree char *valid = g_utf8_make_valid (g_bytes_get_data (bytes, NULL), MIN (size, room));

      g_string_append (call->text, valid);
      call->truncated |= size > room;
    }
  else
    call->truncated = TRUE;
  progress (call, call->text->len, "output");
  g_input_stream_read_bytes_async (call->output, 65536, G_PRIORITY_DEFAULT, NULL, on_output, call);
}

static void
on_exec_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(GError) error = NULL;

  call->result = paddock_runner_run_finish (PADDOCK_RUNNER (source), result, &error);
  call->ran_done = TRUE;
  /* Every process of the sandbox is gone: the output ends once our copy
   * of its end is closed. */
  if (call->pipe[1] >= 0)
    close (call->pipe[1]);
  call->pipe[1] = -1;
  if (call->result == NULL)
    call->failure = g_strdup (error->message);
  else if (call->result->refused != NULL)
    call->failure = refusal_text (call->result);
  exec_maybe_done (call);
}

/* Runs @argv in the sandbox, judged as itself or as @action, its
 * output gathered for the answer. */
static void
start_command (Call               *call,
               PaddockAction      *action,
               const char * const *argv,
               const char         *dir,
               guint               timeout)
{
  g_autoptr(GError) error = NULL;

  if (!g_unix_open_pipe (call->pipe, FD_CLOEXEC, &error))
    {
      fail_call (call, error->message);
      return;
    }
  call->text = g_string_new (NULL);
  call->output = g_unix_input_stream_new (call->pipe[0], TRUE);
  call->pipe[0] = -1;
  call->runner = runner_for (call->server);
  paddock_runner_set_timeout (call->runner, timeout);
  paddock_runner_set_output_limit (call->runner, 8 * MAX_OUTPUT);
  paddock_runner_set_output_fd (call->runner, call->pipe[1]);
  progress (call, 0, "deciding");
  g_input_stream_read_bytes_async (call->output, 65536, G_PRIORITY_DEFAULT, NULL, on_output, call);
  if (action != NULL)
    paddock_runner_run_for_async (call->runner, action, argv, dir, call->cancellable, on_exec_done, call);
  else
    paddock_runner_run_async (call->runner, argv, dir, call->cancellable, on_exec_done, call);
}

static void
tool_exec (Call *call)
{
  PaddockMcpServer *self = call->server;
  JsonNode *command = json_object_get_member (call->arguments, "command");
  const char *script = paddock_json_get_string (call->arguments, "script", NULL);
  const char *cwd = paddock_json_get_string (call->arguments, "cwd", NULL);
  gint64 timeout = paddock_json_get_int (call->arguments, "timeout", DEFAULT_TIMEOUT_S);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir = NULL;

  if ((command != NULL) == (script != NULL))
    {
      fail_call (call, "give either \"command\" (a list of strings: the program and its arguments) or \"script\" "
                       "(a string run by bash -c), not both or neither");
      return;
    }
  if (command != NULL)
    {
      JsonArray *array = JSON_NODE_HOLDS_ARRAY (command) ? json_node_get_array (command) : NULL;

      for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
            break;
          g_ptr_array_add (argv, g_strdup (json_node_get_string (element)));
        }
      if (array == NULL || argv->len == 0 || argv->len != json_array_get_length (array))
        {
          fail_call (call, "\"command\" must be a non-empty list of strings, such as [\"ls\", \"-l\"]");
          return;
        }
    }
  else
    {
      g_ptr_array_add (argv, g_strdup ("bash"));
      g_ptr_array_add (argv, g_strdup ("-c"));
      g_ptr_array_add (argv, g_strdup (script));
    }
  g_ptr_array_add (argv, NULL);
  if (timeout <= 0 || timeout > MAX_TIMEOUT_S)
    {
      fail_call (call, "\"timeout\" is a number of seconds from 1 to 3600");
      return;
    }

  dir = paddock_path_normalize (cwd ? cwd : ".", paddock_workspace_get_path (self->workspace), g_get_home_dir ());
  if (dir == NULL || !paddock_path_is_within (dir, paddock_workspace_get_path (self->workspace)))
    {
      fail_call (call, "\"cwd\" must be a folder inside the workspace");
      return;
    }

  start_command (call, NULL, (const char * const *) argv->pdata, dir, timeout);
}

/* --- fetch -------------------------------------------------------------- */

/* Judged as its host; then curl, in the sandbox, fetches it through the
 * proxy, which judges every host a redirect leads to as well. */
static void
tool_fetch (Call *call)
{
  PaddockMcpServer *self = call->server;
  const char *url = paddock_json_get_string (call->arguments, "url", NULL);
  g_autoptr(GUri) uri = url ? g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL) : NULL;
  g_autoptr(PaddockAction) action = NULL;
  const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;
  const char *argv[] = { "curl", "--silent", "--show-error", "--fail-with-body", "--location", "--max-redirs", "5",
                         "--proto", "=http,https", "--max-time", "60", "--", url, NULL };
  int port;

  if (uri == NULL || g_uri_get_host (uri) == NULL || (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0))
    {
      fail_call (call, "\"url\" must be an http:// or https:// URL");
      return;
    }
  port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : g_str_equal (scheme, "https") ? 443 : 80;
  action = paddock_action_new_net (g_uri_get_host (uri), port, scheme);
  start_command (call, action, argv, paddock_workspace_get_path (self->workspace), 90);
}

/* --- files -------------------------------------------------------------- */

/* Opens @path, which has no link left in it, so that none can be put
 * there meanwhile. */
static int
open_resolved (const char *path,
               int         flags,
               mode_t      mode)
{
  struct open_how how = { .flags = flags | O_CLOEXEC | O_NOCTTY, .mode = mode,
                          .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };

  return syscall (SYS_openat2, AT_FDCWD, path, &how, sizeof how);
}

/* The path the tool names, resolved: every link followed, relative
 * paths from the workspace. For a write, the file itself may not exist
 * yet: its folder is resolved instead. */
static char *
resolve (PaddockMcpServer  *self,
         const char        *path,
         gboolean           for_write,
         char             **why)
{
  const char *workspace = paddock_workspace_get_path (self->workspace);
  g_autofree char *normal = paddock_path_normalize (path, workspace, g_get_home_dir ());
  g_autofree char *parent = NULL;
  g_autofree char *name = NULL;
  g_autofree char *real_parent = NULL;
  char *real;

  if (normal == NULL)
    {
      *why = g_strdup_printf ("“%s” is not a path Paddock can judge", path);
      return NULL;
    }
  if (!for_write)
    {
      real = realpath (normal, NULL);
      if (real == NULL)
        *why = g_strdup_printf ("%s: %s", path, g_strerror (errno));
      return real;
    }
  parent = g_path_get_dirname (normal);
  name = g_path_get_basename (normal);
  if (g_str_equal (name, "/") || g_str_equal (name, ".") || g_str_equal (name, ".."))
    {
      *why = g_strdup_printf ("“%s” names no file", path);
      return NULL;
    }
  real_parent = realpath (parent, NULL);
  if (real_parent == NULL)
    {
      *why = g_strdup_printf ("%s: %s (the folder must exist)", parent, g_strerror (errno));
      return NULL;
    }
  return g_build_filename (real_parent, name, NULL);
}

/* The file's bytes, at most @max of them (0: all) with @truncated set
 * when there were more; NULL with @error, or without when the file is
 * not there. */
static GBytes *
read_resolved (const char  *path,
               gsize        max,
               gboolean    *truncated,
               GError     **error)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  guint8 buffer[65536];
  ssize_t n;
  int fd = open_resolved (path, O_RDONLY, 0);

  if (fd < 0)
    {
      if (errno != ENOENT)
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s cannot be read: %s", path,
                     g_strerror (errno));
      return NULL;
    }
  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    {
      if (max > 0 && bytes->len + n > max)
        {
          g_byte_array_append (bytes, buffer, max - bytes->len);
          *truncated = TRUE;
          break;
        }
      g_byte_array_append (bytes, buffer, n);
    }
  close (fd);
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

static gboolean
write_resolved (const char  *path,
                GBytes      *content,
                gboolean     create,
                GError     **error)
{
  gsize length;
  const char *data = g_bytes_get_data (content, &length);
  gsize done = 0;
  int fd = open_resolved (path, O_WRONLY | O_CREAT | (create ? O_EXCL : O_TRUNC), 0644);

  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s cannot be written: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  while (done < length)
    {
      ssize_t n = write (fd, data + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      done += n;
    }
  if (close (fd) != 0 || done < length)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s was not written completely", path);
      return FALSE;
    }
  return TRUE;
}

static void
read_file (Call *call)
{
  g_autoptr(GError) error = NULL;
  gboolean truncated = FALSE;
  g_autoptr(GBytes) bytes = read_resolved (call->path, MAX_OUTPUT, &truncated, &error);
  g_autoptr(GString) text = NULL;
  gsize length;
  const char *data;

  if (bytes == NULL)
    {
      g_autofree char *message = error ? g_strdup (error->message)
                                       : g_strdup_printf ("%s cannot be read: it is gone", call->path);
      fail_call (call, message);
      return;
    }
  data = g_bytes_get_data (bytes, &length);
  if (!g_utf8_validate_len (data ? data : "", length, NULL))
    {
      g_autofree char *message = g_strdup_printf ("%s is not UTF-8 text", call->path);
      fail_call (call, message);
      return;
    }
  text = g_string_new_len (data, length);
  if (truncated)
    g_string_append (text, "\n[cut at 1 MiB]");
  answer (call, tool_result (text->str, FALSE, NULL));
}

static void
write_file (Call *call)
{
  const char *content = paddock_json_get_string (call->arguments, "content", "");
  g_autoptr(GBytes) bytes = g_bytes_new_static (content, strlen (content));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!write_resolved (call->path, bytes, FALSE, &error))
    {
      fail_call (call, error->message);
      return;
    }
  message = g_strdup_printf ("wrote %" G_GSIZE_FORMAT " bytes to %s", g_bytes_get_size (bytes), call->path);
  answer (call, tool_result (message, FALSE, NULL));
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

static void
list_dir (Call *call)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;
  int fd = open_resolved (call->path, O_RDONLY | O_DIRECTORY, 0);

  if (fd < 0)
    {
      g_autofree char *message = g_strdup_printf ("%s cannot be listed: %s", call->path, g_strerror (errno));
      fail_call (call, message);
      return;
    }
  /* Read through the descriptor opened without links. */
  {
    g_autofree char *by_fd = g_strdup_printf ("/proc/self/fd/%d", fd);

    dir = g_dir_open (by_fd, 0, NULL);
  }
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      struct stat st;

      if (fstatat (fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        continue;
      g_ptr_array_add (lines, S_ISDIR (st.st_mode) ? g_strdup_printf ("%s/", name)
                              : S_ISLNK (st.st_mode) ? g_strdup_printf ("%s@", name)
                              : g_strdup_printf ("%s\t%" G_GINT64_FORMAT " bytes", name, (gint64) st.st_size));
    }
  close (fd);
  g_ptr_array_sort (lines, compare_names);
  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (text, "%s\n", (char *) g_ptr_array_index (lines, i));
  answer (call, tool_result (text->len ? text->str : "(empty)", FALSE, NULL));
}

static void
on_path_decided (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Call *call = user_data;

  if (!go_on (call, source, result))
    return;
  if (g_str_equal (call->tool, "read_file"))
    read_file (call);
  else if (g_str_equal (call->tool, "write_file"))
    write_file (call);
  else
    list_dir (call);
}

static void
tool_path (Call *call)
{
  PaddockMcpServer *self = call->server;
  gboolean write = g_str_equal (call->tool, "write_file");
  const char *path = paddock_json_get_string (call->arguments, "path", NULL);
  g_autofree char *why = NULL;
  g_autoptr(PaddockAction) action = NULL;

  if (path == NULL || *path == '\0')
    {
      fail_call (call, "\"path\" is required: a file's path, relative to the workspace or absolute");
      return;
    }
  if (write && paddock_json_get_string (call->arguments, "content", NULL) == NULL)
    {
      fail_call (call, "\"content\" is required: the file's whole new text");
      return;
    }
  call->path = resolve (self, path, write, &why);
  if (call->path == NULL)
    {
      fail_call (call, why);
      return;
    }
  action = paddock_action_new_path (write ? PADDOCK_ACTION_WRITE : PADDOCK_ACTION_READ, call->path,
                                    paddock_workspace_get_path (self->workspace));
  call->runner = runner_for (self);
  paddock_runner_decide_async (call->runner, action, call->cancellable, on_path_decided, call);
}

/* --- apply_patch -------------------------------------------------------- */

/* Every file judged and allowed: the new contents are all made first,
 * so a hunk that does not apply leaves every file as it was. */
static void
apply_patch (Call *call)
{
  g_autoptr(GPtrArray) contents = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < call->patch->len; i++)
    {
      PaddockPatchFile *file = g_ptr_array_index (call->patch, i);
      const char *path = g_ptr_array_index (call->patch_paths, i);
      gboolean truncated = FALSE;
      g_autoptr(GBytes) old = read_resolved (path, 0, &truncated, &error);
      GBytes *changed;

      if (error != NULL || (old == NULL) != (file->old_path == NULL))
        {
          g_autofree char *message = error ? g_strdup (error->message)
                                   : old ? g_strdup_printf ("%s already exists; the patch creates it", path)
                                   : g_strdup_printf ("%s does not exist; the patch changes it", path);
          fail_call (call, message);
          return;
        }
      changed = file->new_path ? paddock_patch_apply_file (file, old, &error) : g_bytes_new (NULL, 0);
      if (changed == NULL)
        {
          fail_call (call, error->message);
          return;
        }
      g_ptr_array_add (contents, changed);
    }

  for (guint i = 0; i < call->patch->len; i++)
    {
      PaddockPatchFile *file = g_ptr_array_index (call->patch, i);
      const char *path = g_ptr_array_index (call->patch_paths, i);

      if (file->new_path == NULL)
        {
          g_autofree char *parent = g_path_get_dirname (path);
          g_autofree char *name = g_path_get_basename (path);
          int dir = open_resolved (parent, O_PATH | O_DIRECTORY, 0);

          if (dir < 0 || unlinkat (dir, name, 0) != 0)
            g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (errno), "%s cannot be deleted: %s", path,
                         g_strerror (errno));
          if (dir >= 0)
            close (dir);
        }
      else
        write_resolved (path, g_ptr_array_index (contents, i), file->old_path == NULL, &error);
      if (error != NULL)
        {
          g_autofree char *message = g_strdup_printf ("%s (the files before it in the patch were changed)",
                                                      error->message);
          fail_call (call, message);
          return;
        }
      g_string_append_printf (text, "%s %s\n", file->old_path == NULL ? "created" : file->new_path == NULL
                                                ? "deleted" : "patched", path);
    }
  answer (call, tool_result (text->str, FALSE, NULL));
}

static void judge_next_file (Call *call);

static void
on_file_decided (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Call *call = user_data;

  if (go_on (call, source, result))
    judge_next_file (call);
}

/* Each file is judged as a write, one after the other; the first one
 * refused refuses the patch. */
static void
judge_next_file (Call *call)
{
  PaddockMcpServer *self = call->server;
  PaddockPatchFile *file;
  g_autoptr(PaddockAction) action = NULL;
  g_autofree char *why = NULL;
  char *path;

  if (call->patch_paths->len == call->patch->len)
    {
      apply_patch (call);
      return;
    }
  file = g_ptr_array_index (call->patch, call->patch_paths->len);
  if (file->old_path != NULL && file->new_path != NULL && !g_str_equal (file->old_path, file->new_path))
    {
      g_autofree char *message = g_strdup_printf ("the patch renames %s to %s: give the rename as a deletion and "
                                                  "a creation", file->old_path, file->new_path);
      fail_call (call, message);
      return;
    }
  path = resolve (self, paddock_patch_file_get_path (file), TRUE, &why);
  if (path == NULL)
    {
      fail_call (call, why);
      return;
    }
  g_ptr_array_add (call->patch_paths, path);
  action = paddock_action_new_path (PADDOCK_ACTION_WRITE, path, paddock_workspace_get_path (self->workspace));
  paddock_runner_decide_async (call->runner, action, call->cancellable, on_file_decided, call);
}

static void
tool_apply_patch (Call *call)
{
  const char *patch = paddock_json_get_string (call->arguments, "patch", NULL);
  g_autoptr(GError) error = NULL;

  if (patch == NULL)
    {
      fail_call (call, "\"patch\" is required: a unified diff, as `git diff` prints it");
      return;
    }
  call->patch = paddock_patch_parse (patch, &error);
  if (call->patch == NULL)
    {
      fail_call (call, error->message);
      return;
    }
  call->patch_paths = g_ptr_array_new_with_free_func (g_free);
  call->runner = runner_for (call->server);
  judge_next_file (call);
}

/* --- tools/list ------------------------------------------------------- */

static void
add_property (JsonBuilder *builder,
              const char  *name,
              const char  *type,
              const char  *description)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  if (g_str_equal (type, "array"))
    {
      json_builder_set_member_name (builder, "items");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "string");
      json_builder_end_object (builder);
    }
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder, description);
  json_builder_end_object (builder);
}

static void
add_tool (JsonBuilder        *builder,
          const char         *name,
          const char         *title,
          const char         *description,
          const char * const *properties,   /* name, type, description… */
          const char * const *required)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, title);
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder, description);
  json_builder_set_member_name (builder, "inputSchema");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "object");
  json_builder_set_member_name (builder, "properties");
  json_builder_begin_object (builder);
  for (guint i = 0; properties[i] != NULL; i += 3)
    add_property (builder, properties[i], properties[i + 1], properties[i + 2]);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "required");
  json_builder_begin_array (builder);
  for (guint i = 0; required[i] != NULL; i++)
    json_builder_add_string_value (builder, required[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "additionalProperties");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

/* What the sandbox allows, said to the agent up front. */
static char *
describe_sandbox (PaddockMcpServer *self)
{
  g_auto(GStrv) writable = NULL;
  g_auto(GStrv) protected_names = NULL;
  g_auto(GStrv) hidden = NULL;
  g_autofree char *roots = NULL;
  g_autofree char *names = NULL;
  PaddockNetworkMode network = paddock_policy_get_network_mode (self->policy);

  paddock_policy_get_sandbox_layout (self->policy, &writable, &protected_names, &hidden);
  roots = g_strjoinv (", ", writable);
  names = g_strjoinv (", ", protected_names);
  return g_strdup_printf ("Commands run in a sandbox (mode %s): writable only %s; protected names (%s) stay "
                          "read-only; private folders such as ~/.ssh are hidden. Network: %s. Some commands ask a "
                          "person first; a refusal names the policy layer and rule that decided, so change course "
                          "rather than retry.",
                          paddock_sandbox_mode_to_string (paddock_policy_get_sandbox_mode (self->policy)),
                          *roots ? roots : "nothing", names,
                          network == PADDOCK_NETWORK_DISABLED ? "none"
                          : network == PADDOCK_NETWORK_FULL ? "any host, through Paddock's proxy"
                          : "only the hosts the policy allows, through Paddock's proxy; others are refused or asked about");
}

static JsonNode *
tools_list (PaddockMcpServer *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *sandbox = describe_sandbox (self);
  g_autofree char *exec = g_strdup_printf ("Run a command in the workspace. %s", sandbox);
  static const char * const exec_properties[] = {
    "command", "array", "The program and its arguments, such as [\"git\", \"status\"]",
    "script", "string", "Instead of command: a bash script, run with bash -c",
    "cwd", "string", "The folder to run in, inside the workspace (default: its top)",
    "timeout", "integer", "Seconds before the command and all it started are stopped (default 120, at most 3600)",
    NULL,
  };
  static const char * const path_properties[] = {
    "path", "string", "The path, relative to the workspace or absolute", NULL,
  };
  static const char * const write_properties[] = {
    "path", "string", "The file, relative to the workspace or absolute; its folder must exist",
    "content", "string", "The file's whole new text",
    NULL,
  };
  static const char * const fetch_properties[] = {
    "url", "string", "The http:// or https:// URL", NULL,
  };
  static const char * const fetch_required[] = { "url", NULL };
  static const char * const patch_properties[] = {
    "patch", "string", "A unified diff: ---/+++ headers and @@ hunks, paths relative to the workspace", NULL,
  };
  static const char * const patch_required[] = { "patch", NULL };
  static const char * const no_required[] = { NULL };
  static const char * const path_required[] = { "path", NULL };
  static const char * const write_required[] = { "path", "content", NULL };

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "tools");
  json_builder_begin_array (builder);
  add_tool (builder, "exec", "Run a command", exec, exec_properties, no_required);
  add_tool (builder, "read_file", "Read a file",
            "Read a UTF-8 text file (up to 1 MiB). Hidden and private paths are refused with the rule that says so.",
            path_properties, path_required);
  add_tool (builder, "write_file", "Write a file",
            "Write a whole file. Writes outside the writable folders and to protected names (such as .git) are "
            "refused; some ask a person first.", write_properties, write_required);
  add_tool (builder, "apply_patch", "Apply a patch",
            "Apply a unified diff (as `git diff` prints it) to files in the workspace. Each file is judged as a "
            "write; the first refused, or a hunk that does not match the file exactly, changes nothing.",
            patch_properties, patch_required);
  add_tool (builder, "list_dir", "List a folder", "List a folder's entries: folders end in /, links in @.",
            path_properties, path_required);
  add_tool (builder, "fetch", "Fetch a URL",
            "Fetch an http(s) URL through Paddock's proxy and return its body (up to 1 MiB). Only the hosts the "
            "policy allows are reached; others are refused with the rule, or asked about.",
            fetch_properties, fetch_required);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* --- requests ------------------------------------------------------------- */

static JsonNode *
initialize (PaddockMcpServer *self,
            JsonObject       *params)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char *asked = paddock_json_get_string (params, "protocolVersion", NULL);
  JsonNode *info = params ? json_object_get_member (params, "clientInfo") : NULL;
  JsonObject *client = info && JSON_NODE_HOLDS_OBJECT (info) ? json_node_get_object (info) : NULL;
  g_autoptr(JsonObject) attributes = NULL;

  /* The client is named on every event from now on. */
  paddock_audit_session_set_attribute (self->session, "mcp.client.name",
                                       paddock_json_get_string (client, "name", "unnamed"));
  paddock_audit_session_set_attribute (self->session, "mcp.client.version",
                                       paddock_json_get_string (client, "version", "unknown"));
  g_free (self->client);
  self->client = g_strdup_printf ("%s %s (through paddockctl mcp)", paddock_json_get_string (client, "name", "unnamed"),
                                  paddock_json_get_string (client, "version", ""));
  attributes = paddock_audit_session_start_attributes (self->session);
  paddock_audit_session_record_async (self->session, "paddock.session_start", attributes, NULL, NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "protocolVersion");
  json_builder_add_string_value (builder, asked && g_strv_contains (protocol_versions, asked)
                                          ? asked : PADDOCK_MCP_PROTOCOL_VERSION);
  json_builder_set_member_name (builder, "capabilities");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "tools");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "listChanged");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "serverInfo");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "paddock");
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, "Paddock");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "instructions");
  json_builder_add_string_value (builder, "Work in this workspace through these tools: every action is judged by "
                                          "the workspace's policy, may ask a person, runs sandboxed and is recorded.");
  json_builder_end_object (builder);
  self->initialized = TRUE;
  return json_builder_get_root (builder);
}

/* --- a gateway server's tool ------------------------------------------- */

static void
on_upstream_called (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(GError) error = NULL;
  JsonNode *answered = paddock_mcp_gateway_call_finish (PADDOCK_MCP_GATEWAY (source), result, &error);

  if (answered == NULL)
    fail_call (call, error->message);
  else
    answer (call, answered);  /* the server's own CallToolResult */
}

static void
on_upstream_decided (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Call *call = user_data;

  if (go_on (call, source, result))
    paddock_mcp_gateway_call_async (call->server->gateway, call->upstream, call->upstream_tool, call->arguments,
                                    call->cancellable, on_upstream_called, call);
}

static void
tool_upstream (Call *call)
{
  g_autoptr(PaddockAction) action = paddock_action_new_mcp (call->upstream, call->upstream_tool);

  call->runner = runner_for (call->server);
  paddock_runner_decide_async (call->runner, action, call->cancellable, on_upstream_decided, call);
}

/* A call under way for request @id, or NULL when one with the same id
 * still runs (the client is told). */
static Call *
start_call (PaddockMcpServer *self,
            JsonNode         *id,
            const char       *key)
{
  Call *call;

  if (g_hash_table_contains (self->calls, key))
    {
      send_error (self, id, INVALID_REQUEST, "a request with this id is still running");
      return NULL;
    }
  call = g_new0 (Call, 1);
  call->server = self;
  call->pipe[0] = call->pipe[1] = -1;
  call->key = g_strdup (key);
  call->id = json_node_copy (id);
  call->cancellable = g_cancellable_new ();
  g_hash_table_insert (self->calls, call->key, call);
  return call;
}

/* tools/list with the gateway's servers: Paddock's own tools, then
 * theirs. A pseudo-call, so that an ended input waits for it. */
static void
on_upstream_listed (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Call *call = user_data;
  g_autofree char *notes = NULL;
  g_autoptr(JsonArray) theirs = paddock_mcp_gateway_list_tools_finish (PADDOCK_MCP_GATEWAY (source), result, &notes);
  JsonNode *listed = tools_list (call->server);
  JsonArray *tools = json_object_get_array_member (json_node_get_object (listed), "tools");

  if (notes != NULL)
    g_printerr ("paddock: %s", notes);
  for (guint i = 0; theirs != NULL && i < json_array_get_length (theirs); i++)
    json_array_add_element (tools, json_node_copy (json_array_get_element (theirs, i)));
  answer (call, listed);
}

static void
list_tools (PaddockMcpServer *self,
            JsonNode         *id,
            const char       *key)
{
  Call *call;

  if (self->gateway == NULL)
    {
      send_result (self, id, tools_list (self));
      return;
    }
  call = start_call (self, id, key);
  if (call != NULL)
    paddock_mcp_gateway_list_tools_async (self->gateway, call->cancellable, on_upstream_listed, call);
}

static void
call_tool (PaddockMcpServer *self,
           JsonNode         *id,
           const char       *key,
           JsonObject       *params)
{
  const char *name = paddock_json_get_string (params, "name", NULL);
  JsonNode *arguments = params ? json_object_get_member (params, "arguments") : NULL;
  JsonNode *meta = params ? json_object_get_member (params, "_meta") : NULL;
  static const char * const tools[] = { "exec", "read_file", "write_file", "apply_patch", "list_dir", "fetch", NULL };
  g_autoptr(JsonObject) attributes = json_object_new ();
  g_autofree char *upstream = NULL, *upstream_tool = NULL;
  Call *call;

  if (name != NULL && !g_strv_contains (tools, name) && self->gateway != NULL)
    paddock_mcp_gateway_split_name (self->gateway, name, &upstream, &upstream_tool);
  if (name == NULL || (!g_strv_contains (tools, name) && upstream == NULL))
    {
      g_autofree char *message = g_strdup_printf ("Unknown tool: %s", name ? name : "(none named)");
      send_error (self, id, INVALID_PARAMS, message);
      return;
    }
  if (arguments != NULL && !JSON_NODE_HOLDS_OBJECT (arguments))
    {
      send_error (self, id, INVALID_PARAMS, "\"arguments\" must be an object");
      return;
    }
  call = start_call (self, id, key);
  if (call == NULL)
    return;
  call->tool = g_strdup (name);
  call->arguments = arguments ? json_object_ref (json_node_get_object (arguments)) : json_object_new ();
  if (meta != NULL && JSON_NODE_HOLDS_OBJECT (meta) &&
      json_object_has_member (json_node_get_object (meta), "progressToken"))
    call->progress_token = json_node_copy (json_object_get_member (json_node_get_object (meta), "progressToken"));

  /* The call as the client made it; a file's new content is not kept. */
  json_object_set_string_member (attributes, "mcp.tool", upstream_tool ? upstream_tool : name);
  if (upstream != NULL)
    json_object_set_string_member (attributes, "mcp.server", upstream);
  json_object_set_string_member (attributes, "mcp.request_id", key);
  if (paddock_json_get_string (call->arguments, "url", NULL) != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (paddock_json_get_string (call->arguments, "url", NULL), G_URI_FLAGS_NONE,
                                         NULL);

      /* The host only: a URL's path and query may carry what is not ours to keep. */
      if (uri != NULL && g_uri_get_host (uri) != NULL)
        json_object_set_string_member (attributes, "mcp.host", g_uri_get_host (uri));
    }
  if (paddock_json_get_string (call->arguments, "path", NULL) != NULL)
    json_object_set_string_member (attributes, "mcp.path", paddock_json_get_string (call->arguments, "path", NULL));
  paddock_audit_session_record_async (self->session, "paddock.mcp_call", attributes, NULL, NULL, NULL);

  if (upstream != NULL)
    {
      call->upstream = g_steal_pointer (&upstream);
      call->upstream_tool = g_steal_pointer (&upstream_tool);
      tool_upstream (call);
    }
  else if (g_str_equal (name, "exec"))
    tool_exec (call);
  else if (g_str_equal (name, "fetch"))
    tool_fetch (call);
  else if (g_str_equal (name, "apply_patch"))
    tool_apply_patch (call);
  else
    tool_path (call);
}

static void
handle_request (PaddockMcpServer *self,
                JsonNode         *id,
                const char       *method,
                JsonObject       *params)
{
  g_autoptr(JsonNode) key_node = json_node_copy (id);
  g_autofree char *key = json_to_string (key_node, FALSE);

  if (g_str_equal (method, "initialize"))
    send_result (self, id, initialize (self, params));
  else if (g_str_equal (method, "ping"))
    send_result (self, id, json_node_init_object (json_node_alloc (), json_object_new ()));
  else if (!self->initialized)
    send_error (self, id, INVALID_REQUEST, "the session is not initialized: send initialize first");
  else if (g_str_equal (method, "tools/list"))
    list_tools (self, id, key);
  else if (g_str_equal (method, "tools/call"))
    call_tool (self, id, key, params);
  else
    {
      g_autofree char *message = g_strdup_printf ("Method not found: %s", method);
      send_error (self, id, METHOD_NOT_FOUND, message);
    }
}

static void
record_prompt (PaddockMcpServer *self,
               const char       *prompt,
               const char       *source)
{
  g_autoptr(JsonObject) attributes = paddock_audit_prompt_attributes (self->session, prompt);

  json_object_set_string_member (attributes, "prompt.source", source);
  paddock_audit_session_record_async (self->session, "paddock.user_prompt", attributes, NULL, NULL, NULL);
}

/* What the agent's own hook says, as the agent writes it: Claude Code's
 * UserPromptSubmit hook input, or Codex CLI's notify payload. */
static void
record_prompts (PaddockMcpServer *self,
                JsonObject       *params)
{
  const char *source = paddock_json_get_string (params, "source", "");
  const char *payload = paddock_json_get_string (params, "payload", NULL);
  g_autoptr(JsonNode) root = payload ? json_from_string (payload, NULL) : NULL;
  JsonObject *object = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;

  if (object == NULL)
    return;
  if (g_str_equal (source, "claude"))
    {
      const char *prompt = paddock_json_get_string (object, "prompt", NULL);

      if (prompt != NULL)
        record_prompt (self, prompt, "Claude Code UserPromptSubmit hook");
    }
  else if (g_str_equal (source, "codex") &&
           g_str_equal (paddock_json_get_string (object, "type", ""), "agent-turn-complete"))
    {
      JsonNode *messages = json_object_get_member (object, "input-messages");
      JsonArray *array = messages && JSON_NODE_HOLDS_ARRAY (messages) ? json_node_get_array (messages) : NULL;

      for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
        {
          JsonNode *message = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (message) && json_node_get_value_type (message) == G_TYPE_STRING)
            record_prompt (self, json_node_get_string (message), "Codex CLI notify");
        }
    }
}

static void
handle_notification (PaddockMcpServer *self,
                     const char       *method,
                     JsonObject       *params)
{
  if (g_str_equal (method, "notifications/cancelled"))
    {
      JsonNode *request_id = params ? json_object_get_member (params, "requestId") : NULL;
      g_autofree char *key = request_id ? json_to_string (request_id, FALSE) : NULL;
      Call *call = key ? g_hash_table_lookup (self->calls, key) : NULL;

      if (call != NULL)
        g_cancellable_cancel (call->cancellable);
    }
  else if (g_str_equal (method, "notifications/paddock/user_prompt") && self->accepts_prompts)
    record_prompts (self, params);
  /* notifications/initialized and the rest need nothing. */
}

static gboolean
valid_id (JsonNode *id)
{
  return JSON_NODE_HOLDS_VALUE (id) &&
         (json_node_get_value_type (id) == G_TYPE_STRING || json_node_get_value_type (id) == G_TYPE_INT64);
}

static void
handle_line (PaddockMcpServer *self,
             const char       *line,
             gsize             length)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *message;
  JsonNode *id, *params_node;
  const char *method;
  JsonObject *params;

  if (length == 0)
    return;
  if (!json_parser_load_from_data (parser, line, length, &error))
    {
      g_autofree char *text = g_strdup_printf ("Parse error: %s", error->message);
      send_error (self, NULL, PARSE_ERROR, text);
      return;
    }
  if (JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    {
      send_error (self, NULL, INVALID_REQUEST, "Invalid Request: batches are not part of MCP");
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      send_error (self, NULL, INVALID_REQUEST, "Invalid Request: a message is a JSON object");
      return;
    }
  message = json_node_get_object (json_parser_get_root (parser));
  id = json_object_get_member (message, "id");
  method = paddock_json_get_string (message, "method", NULL);
  params_node = json_object_get_member (message, "params");
  params = params_node && JSON_NODE_HOLDS_OBJECT (params_node) ? json_node_get_object (params_node) : NULL;

  if (g_strcmp0 (paddock_json_get_string (message, "jsonrpc", NULL), "2.0") != 0 ||
      (id != NULL && !valid_id (id)) || (params_node != NULL && params == NULL))
    {
      send_error (self, id && valid_id (id) ? id : NULL, INVALID_REQUEST,
                  "Invalid Request: needs \"jsonrpc\": \"2.0\", an id that is a string or an integer, and "
                  "params that are an object");
      return;
    }
  if (method == NULL)
    return;  /* a response to nothing we asked */
  if (id == NULL)
    handle_notification (self, method, params);
  else
    handle_request (self, id, method, params);
}

/* --- reading --------------------------------------------------------------- */

static void
maybe_end (PaddockMcpServer *self)
{
  GTask *task;

  if (!self->ended || g_hash_table_size (self->calls) > 0 || self->task == NULL)
    return;
  task = g_steal_pointer (&self->task);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void read_more (PaddockMcpServer *self);

/* The client is gone: so is what it started. */
static void
end_input (PaddockMcpServer *self)
{
  GHashTableIter iter;
  Call *call;

  self->ended = TRUE;
  g_hash_table_iter_init (&iter, self->calls);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &call))
    g_cancellable_cancel (call->cancellable);
  maybe_end (self);
}

void
paddock_mcp_server_set_gateway (PaddockMcpServer  *self,
                                PaddockMcpGateway *gateway)
{
  g_return_if_fail (PADDOCK_IS_MCP_SERVER (self));

  g_set_object (&self->gateway, gateway);
}

void
paddock_mcp_server_set_accepts_prompts (PaddockMcpServer *self,
                                        gboolean          accepts)
{
  g_return_if_fail (PADDOCK_IS_MCP_SERVER (self));

  self->accepts_prompts = accepts;
}

void
paddock_mcp_server_stop (PaddockMcpServer *self)
{
  g_return_if_fail (PADDOCK_IS_MCP_SERVER (self));

  end_input (self);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PaddockMcpServer) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  const guint8 *data;
  gsize size;

  if (self->ended)
    return;
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      end_input (self);
      return;
    }

  data = g_bytes_get_data (bytes, &size);
  for (gsize i = 0; i < size; i++)
    {
      if (data[i] != '\n')
        {
          if (!self->discarding)
            g_byte_array_append (self->buffer, data + i, 1);
          if (self->buffer->len > PADDOCK_MCP_MAX_MESSAGE)
            {
              g_autofree char *text = g_strdup_printf ("Invalid Request: a message is at most %d bytes",
                                                       PADDOCK_MCP_MAX_MESSAGE);

              send_error (self, NULL, INVALID_REQUEST, text);
              g_byte_array_set_size (self->buffer, 0);
              self->discarding = TRUE;
            }
          continue;
        }
      if (!self->discarding)
        handle_line (self, (const char *) self->buffer->data, self->buffer->len);
      g_byte_array_set_size (self->buffer, 0);
      self->discarding = FALSE;
    }
  read_more (self);
}

static void
read_more (PaddockMcpServer *self)
{
  g_input_stream_read_bytes_async (self->input, 65536, G_PRIORITY_DEFAULT, NULL, on_read, g_object_ref (self));
}

void
paddock_mcp_server_run_async (PaddockMcpServer    *self,
                              GInputStream        *input,
                              GOutputStream       *output,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (PADDOCK_IS_MCP_SERVER (self));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, paddock_mcp_server_run_async);
  self->input = g_object_ref (input);
  self->output = g_object_ref (output);
  read_more (self);
}

gboolean
paddock_mcp_server_run_finish (PaddockMcpServer  *self,
                               GAsyncResult      *result,
                               GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

PaddockMcpServer *
paddock_mcp_server_new (PaddockPolicy       *policy,
                        PaddockWorkspace    *workspace,
                        PaddockGrants       *grants,
                        PaddockAuditSession *session)
{
  PaddockMcpServer *self = g_object_new (PADDOCK_TYPE_MCP_SERVER, NULL);

  self->policy = g_object_ref (policy);
  self->workspace = g_object_ref (workspace);
  self->grants = grants ? g_object_ref (grants) : paddock_grants_new ();
  self->session = g_object_ref (session);
  return self;
}

static void
paddock_mcp_server_finalize (GObject *object)
{
  PaddockMcpServer *self = PADDOCK_MCP_SERVER (object);

  g_clear_pointer (&self->calls, g_hash_table_unref);
  g_clear_object (&self->policy);
  g_clear_object (&self->workspace);
  g_clear_object (&self->grants);
  g_clear_object (&self->session);
  g_clear_object (&self->gateway);
  g_clear_object (&self->input);
  g_clear_object (&self->output);
  g_clear_pointer (&self->buffer, g_byte_array_unref);
  g_free (self->client);

  G_OBJECT_CLASS (paddock_mcp_server_parent_class)->finalize (object);
}

static void
paddock_mcp_server_class_init (PaddockMcpServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = paddock_mcp_server_finalize;

  signals[APPROVAL_NEEDED] =
    g_signal_new ("approval-needed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, PADDOCK_TYPE_APPROVAL_REQUEST);
}

static void
paddock_mcp_server_init (PaddockMcpServer *self)
{
  self->buffer = g_byte_array_new ();
  self->calls = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) call_free);
}
