/* paddock-mcp-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "paddock-json.h"
#include "paddock-mcp-client.h"
#include "paddock-mcp-server.h"

/* A line or an answer past this is not read: a server gone wrong. */
#define MAX_MESSAGE (16 * 1024 * 1024)

G_DEFINE_QUARK (paddock-mcp-client-error-quark, paddock_mcp_client_error)

struct _PaddockMcpClient
{
  GObject parent_instance;

  /* stdio */
  GDataInputStream *input;
  GOutputStream *output;
  GQueue writes;            /* GBytes*, one written at a time */
  GBytes *writing;          /* what is being written; nullable */
  GCancellable *reading;

  /* streamable HTTP */
  SoupSession *session;
  char *url;
  char *shown_url;          /* without its query, for messages */
  char *bearer;
  char *session_id;         /* Mcp-Session-Id, once the server gives one */
  char *protocol;           /* the version initialize agreed on */

  gint64 next_id;
  GHashTable *pending;      /* id → Pending (stdio) */
  gboolean closed;
};

G_DEFINE_FINAL_TYPE (PaddockMcpClient, paddock_mcp_client, G_TYPE_OBJECT)

typedef struct
{
  PaddockMcpClient *client;  /* weak */
  gint64 id;
  GTask *task;
  GCancellable *cancellable;
  gulong cancelled_id;
} Pending;

static void
pending_free (Pending *pending)
{
  if (pending->cancelled_id != 0)
    g_cancellable_disconnect (pending->cancellable, pending->cancelled_id);
  g_clear_object (&pending->cancellable);
  g_clear_object (&pending->task);
  g_free (pending);
}

static char *
message_text (gint64      id,
              const char *method,
              JsonNode   *params)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  if (id > 0)
    {
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, id);
    }
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, method);
  if (params != NULL)
    {
      json_builder_set_member_name (builder, "params");
      json_builder_add_value (builder, json_node_copy (params));
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* The result of an answer, or why there is none. */
static JsonNode *
result_of (JsonObject  *answer,
           GError     **error)
{
  JsonNode *result = json_object_get_member (answer, "result");
  JsonNode *failure = json_object_get_member (answer, "error");

  if (failure != NULL && JSON_NODE_HOLDS_OBJECT (failure))
    {
      g_set_error (error, PADDOCK_MCP_CLIENT_ERROR, PADDOCK_MCP_CLIENT_ERROR_REMOTE, "the server answered: %s",
                   paddock_json_get_string (json_node_get_object (failure), "message", "an error"));
      return NULL;
    }
  if (result == NULL)
    {
      g_set_error_literal (error, PADDOCK_MCP_CLIENT_ERROR, PADDOCK_MCP_CLIENT_ERROR_PROTOCOL,
                           "the server's answer has neither a result nor an error");
      return NULL;
    }
  return json_node_copy (result);
}

/* --- stdio --------------------------------------------------------------- */

static void write_next (PaddockMcpClient *self);

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PaddockMcpClient) self = user_data;

  g_clear_pointer (&self->writing, g_bytes_unref);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    {
      paddock_mcp_client_close (self);
      return;
    }
  write_next (self);
}

static void
write_next (PaddockMcpClient *self)
{
  if (self->writing != NULL || self->closed || g_queue_is_empty (&self->writes))
    return;
  self->writing = g_queue_pop_head (&self->writes);
  g_output_stream_write_all_async (self->output, g_bytes_get_data (self->writing, NULL),
                                   g_bytes_get_size (self->writing), G_PRIORITY_DEFAULT, NULL, on_written,
                                   g_object_ref (self));
}

static void
send_line (PaddockMcpClient *self,
           char             *text)
{
  gsize length = strlen (text);

  text = g_realloc (text, length + 2);
  text[length] = '\n';
  text[length + 1] = '\0';
  g_queue_push_tail (&self->writes, g_bytes_new_take (text, length + 1));
  write_next (self);
}

/* What the server asks of us: a ping is answered, the rest refused. */
static void
answer_server (PaddockMcpClient *self,
               JsonNode         *id,
               const char       *method)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, "id");
  json_builder_add_value (builder, json_node_copy (id));
  if (g_str_equal (method, "ping"))
    {
      json_builder_set_member_name (builder, "result");
      json_builder_begin_object (builder);
      json_builder_end_object (builder);
    }
  else
    {
      json_builder_set_member_name (builder, "error");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_int_value (builder, -32601);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, "Paddock offers its MCP servers no capabilities");
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  send_line (self, json_to_string (root, FALSE));
}

static void
dispatch_line (PaddockMcpClient *self,
               const char       *line)
{
  g_autoptr(JsonNode) root = json_from_string (line, NULL);
  JsonObject *message = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  JsonNode *id = message ? json_object_get_member (message, "id") : NULL;
  const char *method = paddock_json_get_string (message, "method", NULL);
  Pending *pending;
  gint64 number;

  /* Not JSON-RPC: a server that logs to its stdout. Skipped. */
  if (message == NULL)
    return;
  if (method != NULL)
    {
      if (id != NULL)
        answer_server (self, id, method);
      return;
    }
  if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_INT64)
    return;
  number = json_node_get_int (id);
  pending = g_hash_table_lookup (self->pending, &number);
  if (pending == NULL)
    return;  /* cancelled meanwhile */
  g_hash_table_remove (self->pending, &number);  /* the key only: values are ours */
  {
    GError *error = NULL;
    JsonNode *result = result_of (message, &error);

    if (result != NULL)
      g_task_return_pointer (pending->task, result, (GDestroyNotify) json_node_unref);
    else
      g_task_return_error (pending->task, error);
  }
  pending_free (pending);
}

static void read_next (PaddockMcpClient *self);

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PaddockMcpClient) self = user_data;
  gsize length = 0;
  /* Not UTF-8 is not JSON either: skipped below, like a log line. */
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result, &length, NULL);

  if (line == NULL || length > MAX_MESSAGE)
    {
      paddock_mcp_client_close (self);
      return;
    }
  dispatch_line (self, line);
  read_next (self);
}

static void
read_next (PaddockMcpClient *self)
{
  if (self->closed)
    return;
  g_data_input_stream_read_line_async (self->input, G_PRIORITY_DEFAULT, self->reading, on_line,
                                       g_object_ref (self));
}

static gboolean
free_pending (gpointer data)
{
  pending_free (data);
  return G_SOURCE_REMOVE;
}

static void
on_cancelled (GCancellable *cancellable,
              Pending      *pending)
{
  PaddockMcpClient *self = pending->client;
  g_autoptr(JsonNode) params = json_node_init_object (json_node_alloc (), json_object_new ());
  gint64 id = pending->id;

  /* MCP's cancellation: the server may stop; we stop waiting. */
  json_object_set_int_member (json_node_get_object (params), "requestId", id);
  send_line (self, message_text (0, "notifications/cancelled", params));
  if (g_hash_table_remove (self->pending, &id))
    {
      g_task_return_new_error (pending->task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "the call was cancelled");
      /* Disconnecting from inside the handler would deadlock. */
      g_idle_add (free_pending, pending);
    }
}

/* --- streamable HTTP ----------------------------------------------------- */

/* The answer with @id among the events of a server-sent stream. */
static JsonNode *
answer_in_events (const char  *body,
                  gint64       id,
                  GError     **error)
{
  g_auto(GStrv) lines = g_strsplit (body, "\n", -1);
  g_autoptr(GString) data = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = g_strchomp (lines[i]);

      if (g_str_has_prefix (line, "data:"))
        {
          const char *value = line + 5;

          if (*value == ' ')
            value++;
          if (data->len > 0)
            g_string_append_c (data, '\n');
          g_string_append (data, value);
        }
      else if (*line == '\0' && data->len > 0)
        {
          g_autoptr(JsonNode) root = json_from_string (data->str, NULL);
          JsonObject *message = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;

          g_string_truncate (data, 0);
          if (message != NULL && paddock_json_get_int (message, "id", -1) == id &&
              !json_object_has_member (message, "method"))
            return result_of (message, error);
        }
    }
  g_set_error_literal (error, PADDOCK_MCP_CLIENT_ERROR, PADDOCK_MCP_CLIENT_ERROR_PROTOCOL,
                       "the server's event stream ended without the answer");
  return NULL;
}

static void
on_http_answer (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaddockMcpClient *self = g_task_get_source_object (task);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  gint64 id = GPOINTER_TO_SIZE (g_task_get_task_data (task));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  const char *type;
  const char *session_id;
  g_autofree char *text = NULL;
  JsonNode *answer;

  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (message)))
    {
      g_task_return_new_error (task, PADDOCK_MCP_CLIENT_ERROR,
                               soup_message_get_status (message) == SOUP_STATUS_UNAUTHORIZED
                               ? PADDOCK_MCP_CLIENT_ERROR_UNAUTHORIZED : PADDOCK_MCP_CLIENT_ERROR_REMOTE,
                               "%s answered HTTP %u %s", self->shown_url, soup_message_get_status (message),
                               soup_message_get_reason_phrase (message));
      return;
    }
  if (g_bytes_get_size (body) > MAX_MESSAGE)
    {
      g_task_return_new_error (task, PADDOCK_MCP_CLIENT_ERROR, PADDOCK_MCP_CLIENT_ERROR_PROTOCOL,
                               "%s answered more than %d bytes", self->shown_url, MAX_MESSAGE);
      return;
    }
  session_id = soup_message_headers_get_one (soup_message_get_response_headers (message), "Mcp-Session-Id");
  if (session_id != NULL && self->session_id == NULL)
    self->session_id = g_strdup (session_id);
  if (id == 0)
    {
      g_task_return_pointer (task, NULL, NULL);  /* a notification: nothing comes back */
      return;
    }

  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  type = soup_message_headers_get_content_type (soup_message_get_response_headers (message), NULL);
  if (g_strcmp0 (type, "text/event-stream") == 0)
    answer = answer_in_events (text, id, &error);
  else
    {
      g_autoptr(JsonNode) root = json_from_string (text, &error);

      answer = root && JSON_NODE_HOLDS_OBJECT (root) ? result_of (json_node_get_object (root), &error) : NULL;
      if (answer == NULL && error == NULL)
        g_set_error_literal (&error, PADDOCK_MCP_CLIENT_ERROR, PADDOCK_MCP_CLIENT_ERROR_PROTOCOL,
                             "the server's answer is not a JSON object");
    }
  if (answer == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, answer, (GDestroyNotify) json_node_unref);
}

static void
post (PaddockMcpClient *self,
      GTask            *task,
      gint64            id,
      const char       *method,
      JsonNode         *params)
{
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_POST, self->url);
  g_autofree char *text = message_text (id, method, params);
  g_autoptr(GBytes) body = NULL;
  SoupMessageHeaders *headers;
  gsize length;

  if (message == NULL)
    {
      g_task_return_new_error (task, PADDOCK_MCP_CLIENT_ERROR, PADDOCK_MCP_CLIENT_ERROR_PROTOCOL,
                               "%s is not a URL", self->shown_url);
      g_object_unref (task);
      return;
    }
  /* The bearer is for this URL alone: never follow it elsewhere. */
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (message);
  soup_message_headers_replace (headers, "Accept", "application/json, text/event-stream");
  if (self->bearer != NULL)
    {
      g_autofree char *authorization = g_strdup_printf ("Bearer %s", self->bearer);
      soup_message_headers_replace (headers, "Authorization", authorization);
    }
  if (self->session_id != NULL)
    soup_message_headers_replace (headers, "Mcp-Session-Id", self->session_id);
  if (self->protocol != NULL)
    soup_message_headers_replace (headers, "MCP-Protocol-Version", self->protocol);
  length = strlen (text);
  body = g_bytes_new_take (g_steal_pointer (&text), length);
  soup_message_set_request_body_from_bytes (message, "application/json", body);
  g_task_set_task_data (task, GSIZE_TO_POINTER (id), NULL);
  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                    on_http_answer, task);
}

/* --- requests ------------------------------------------------------------ */

void
paddock_mcp_client_request_async (PaddockMcpClient    *self,
                                  const char          *method,
                                  JsonNode            *params,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(JsonNode) owned = params;
  GTask *task;
  Pending *pending;
  gint64 id;

  g_return_if_fail (PADDOCK_IS_MCP_CLIENT (self));
  g_return_if_fail (method != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, paddock_mcp_client_request_async);
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  if (self->closed)
    {
      g_task_return_new_error (task, PADDOCK_MCP_CLIENT_ERROR, PADDOCK_MCP_CLIENT_ERROR_CLOSED,
                               "the MCP server has gone");
      g_object_unref (task);
      return;
    }
  id = ++self->next_id;

  if (self->session != NULL)
    {
      post (self, task, id, method, owned);
      return;
    }

  pending = g_new0 (Pending, 1);
  pending->client = self;
  pending->id = id;
  pending->task = task;
  g_hash_table_insert (self->pending, g_memdup2 (&id, sizeof id), pending);
  send_line (self, message_text (id, method, owned));
  if (cancellable != NULL)
    {
      pending->cancellable = g_object_ref (cancellable);
      pending->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), pending, NULL);
    }
}

JsonNode *
paddock_mcp_client_request_finish (PaddockMcpClient  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
notify (PaddockMcpClient *self,
        const char       *method)
{
  if (self->session != NULL)
    post (self, g_task_new (self, NULL, NULL, NULL), 0, method, NULL);
  else
    send_line (self, message_text (0, method, NULL));
}

static void
on_initialized (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaddockMcpClient *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = paddock_mcp_client_request_finish (self, result, &error);
  JsonObject *object = answer && JSON_NODE_HOLDS_OBJECT (answer) ? json_node_get_object (answer) : NULL;

  if (answer == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_free (self->protocol);
  self->protocol = g_strdup (paddock_json_get_string (object, "protocolVersion", PADDOCK_MCP_PROTOCOL_VERSION));
  notify (self, "notifications/initialized");
  g_task_return_boolean (task, TRUE);
}

void
paddock_mcp_client_initialize_async (PaddockMcpClient    *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  JsonObject *params = json_object_new ();
  JsonObject *info = json_object_new ();

  g_task_set_source_tag (task, paddock_mcp_client_initialize_async);
  json_object_set_string_member (params, "protocolVersion", PADDOCK_MCP_PROTOCOL_VERSION);
  json_object_set_object_member (params, "capabilities", json_object_new ());
  json_object_set_string_member (info, "name", "paddock");
  json_object_set_string_member (info, "version", PACKAGE_VERSION);
  json_object_set_object_member (params, "clientInfo", info);
  paddock_mcp_client_request_async (self, "initialize", json_node_init_object (json_node_alloc (), params),
                                    cancellable, on_initialized, g_steal_pointer (&task));
  json_object_unref (params);
}

gboolean
paddock_mcp_client_initialize_finish (PaddockMcpClient  *self,
                                      GAsyncResult      *result,
                                      GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
forget_bearer (PaddockMcpClient *self)
{
  if (self->bearer != NULL)
    memset (self->bearer, 0, strlen (self->bearer));
  g_clear_pointer (&self->bearer, g_free);
}

void
paddock_mcp_client_set_bearer (PaddockMcpClient *self,
                               const char       *bearer)
{
  g_return_if_fail (PADDOCK_IS_MCP_CLIENT (self));

  forget_bearer (self);
  self->bearer = g_strdup (bearer);
}

gboolean
paddock_mcp_client_is_closed (PaddockMcpClient *self)
{
  g_return_val_if_fail (PADDOCK_IS_MCP_CLIENT (self), TRUE);

  return self->closed;
}

void
paddock_mcp_client_close (PaddockMcpClient *self)
{
  GHashTableIter iter;
  Pending *pending;

  g_return_if_fail (PADDOCK_IS_MCP_CLIENT (self));

  if (self->closed)
    return;
  self->closed = TRUE;
  g_cancellable_cancel (self->reading);
  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &pending))
    {
      g_hash_table_iter_remove (&iter);
      g_task_return_new_error (pending->task, PADDOCK_MCP_CLIENT_ERROR, PADDOCK_MCP_CLIENT_ERROR_CLOSED,
                               "the MCP server has gone");
      pending_free (pending);
    }
  if (self->output != NULL)
    g_output_stream_close_async (self->output, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
}

PaddockMcpClient *
paddock_mcp_client_new_for_streams (GInputStream  *input,
                                    GOutputStream *output)
{
  PaddockMcpClient *self = g_object_new (PADDOCK_TYPE_MCP_CLIENT, NULL);

  self->input = g_data_input_stream_new (input);
  g_data_input_stream_set_newline_type (self->input, G_DATA_STREAM_NEWLINE_TYPE_LF);
  self->output = g_object_ref (output);
  read_next (self);
  return self;
}

PaddockMcpClient *
paddock_mcp_client_new_for_http (SoupSession *session,
                                 const char  *url,
                                 const char  *bearer)
{
  PaddockMcpClient *self = g_object_new (PADDOCK_TYPE_MCP_CLIENT, NULL);

  self->session = g_object_ref (session);
  self->url = g_strdup (url);
  {
    g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

    /* Its query may carry what is not for the agent's eyes. */
    self->shown_url = uri ? g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
                                        g_uri_get_port (uri), g_uri_get_path (uri), NULL, NULL)
                          : g_strdup ("the MCP server");
  }
  self->bearer = g_strdup (bearer);
  return self;
}

static void
paddock_mcp_client_dispose (GObject *object)
{
  PaddockMcpClient *self = PADDOCK_MCP_CLIENT (object);

  paddock_mcp_client_close (self);
  G_OBJECT_CLASS (paddock_mcp_client_parent_class)->dispose (object);
}

static void
paddock_mcp_client_finalize (GObject *object)
{
  PaddockMcpClient *self = PADDOCK_MCP_CLIENT (object);

  g_clear_object (&self->input);
  g_clear_object (&self->output);
  g_queue_clear_full (&self->writes, (GDestroyNotify) g_bytes_unref);
  g_clear_pointer (&self->writing, g_bytes_unref);
  g_clear_object (&self->reading);
  g_clear_object (&self->session);
  g_free (self->url);
  g_free (self->shown_url);
  forget_bearer (self);
  g_free (self->session_id);
  g_free (self->protocol);
  g_hash_table_unref (self->pending);
  G_OBJECT_CLASS (paddock_mcp_client_parent_class)->finalize (object);
}

static void
paddock_mcp_client_class_init (PaddockMcpClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = paddock_mcp_client_dispose;
  object_class->finalize = paddock_mcp_client_finalize;
}

static void
paddock_mcp_client_init (PaddockMcpClient *self)
{
  self->reading = g_cancellable_new ();
  self->pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}
