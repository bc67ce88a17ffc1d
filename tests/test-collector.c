/* test-collector.c
 *
 * The server lives in a thread with a main context of its own, so a test
 * can block (in a flush, a waitpid, a g_spawn_sync) while the collector
 * keeps answering. Everything it shares with the test is under one lock.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "test-collector.h"

typedef struct
{
  guint status;
  char *retry_after;
  guint delay_ms;
} Scripted;

struct _TestCollector
{
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  guint16 port;

  /* The collector thread's alone. */
  SoupServer *server;

  GMutex lock;
  GCond cond;
  GQueue script;            /* Scripted */
  GPtrArray *requests;      /* TestCollectorRequest */
  guint n_accepted_records;
};

static void
request_clear (TestCollectorRequest *request)
{
  g_bytes_unref (request->body);
  soup_message_headers_unref (request->headers);
  g_ptr_array_unref (request->log_records);
}

TestCollectorRequest *
test_collector_request_ref (TestCollectorRequest *request)
{
  return g_atomic_rc_box_acquire (request);
}

void
test_collector_request_unref (TestCollectorRequest *request)
{
  g_atomic_rc_box_release_full (request, (GDestroyNotify) request_clear);
}

static void
scripted_free (Scripted *scripted)
{
  g_free (scripted->retry_after);
  g_free (scripted);
}

/* The log records of an ExportLogsServiceRequest body; a body that is
 * not one has none (the test then fails on its own checks). */
static GPtrArray *
parse_log_records (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  JsonNode *root;
  JsonArray *resource_logs;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL))
    return records;
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "resourceLogs"))
    return records;
  resource_logs = json_object_get_array_member (json_node_get_object (root), "resourceLogs");
  for (guint i = 0; resource_logs != NULL && i < json_array_get_length (resource_logs); i++)
    {
      JsonObject *resource = json_array_get_object_element (resource_logs, i);
      JsonArray *scope_logs = resource && json_object_has_member (resource, "scopeLogs")
                              ? json_object_get_array_member (resource, "scopeLogs") : NULL;

      for (guint j = 0; scope_logs != NULL && j < json_array_get_length (scope_logs); j++)
        {
          JsonObject *scope = json_array_get_object_element (scope_logs, j);
          JsonArray *log_records = scope && json_object_has_member (scope, "logRecords")
                                   ? json_object_get_array_member (scope, "logRecords") : NULL;

          for (guint k = 0; log_records != NULL && k < json_array_get_length (log_records); k++)
            {
              JsonObject *record = json_array_get_object_element (log_records, k);

              if (record != NULL)
                g_ptr_array_add (records, json_object_ref (record));
            }
        }
    }
  return records;
}

typedef struct
{
  SoupServerMessage *message;
  guint status;
  char *retry_after;
} Answer;

static gboolean
send_answer (gpointer data)
{
  Answer *answer = data;

  soup_server_message_set_status (answer->message, answer->status, NULL);
  if (answer->retry_after != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (answer->message), "Retry-After",
                                  answer->retry_after);
  soup_server_message_set_response (answer->message, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
  return G_SOURCE_REMOVE;
}

static gboolean
send_late_answer (gpointer data)
{
  Answer *answer = data;

  send_answer (answer);
  soup_server_message_unpause (answer->message);
  return G_SOURCE_REMOVE;
}

static void
answer_free (Answer *answer)
{
  g_object_unref (answer->message);
  g_free (answer->retry_after);
  g_free (answer);
}

static void
copy_header (const char *name,
             const char *value,
             gpointer    user_data)
{
  soup_message_headers_append (user_data, name, value);
}

static void
handle_logs (SoupServer        *server,
             SoupServerMessage *message,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  TestCollector *self = user_data;
  TestCollectorRequest *request;
  Scripted *scripted;
  Answer *answer = g_new0 (Answer, 1);
  guint delay_ms = 0;

  if (!g_str_equal (soup_server_message_get_method (message), SOUP_METHOD_POST) ||
      !g_str_equal (path, "/v1/logs"))
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  request = g_atomic_rc_box_new0 (TestCollectorRequest);
  request->arrival_us = g_get_monotonic_time ();
  request->body = soup_message_body_flatten (soup_server_message_get_request_body (message));
  request->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  soup_message_headers_foreach (soup_server_message_get_request_headers (message), copy_header, request->headers);
  request->log_records = parse_log_records (request->body);

  answer->message = g_object_ref (message);
  answer->status = SOUP_STATUS_OK;
  g_mutex_lock (&self->lock);
  scripted = g_queue_pop_head (&self->script);
  if (scripted != NULL)
    {
      answer->status = scripted->status;
      answer->retry_after = g_steal_pointer (&scripted->retry_after);
      delay_ms = scripted->delay_ms;
      scripted_free (scripted);
    }
  request->status = answer->status;
  g_ptr_array_add (self->requests, request);
  if (SOUP_STATUS_IS_SUCCESSFUL (answer->status))
    self->n_accepted_records += request->log_records->len;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  if (delay_ms == 0)
    {
      send_answer (answer);
      answer_free (answer);
      return;
    }
  soup_server_message_pause (message);
  {
    g_autoptr(GSource) later = g_timeout_source_new (delay_ms);

    g_source_set_callback (later, send_late_answer, answer, (GDestroyNotify) answer_free);
    g_source_attach (later, self->context);
  }
}

/* --- calls into the collector thread --------------------------------------- */

typedef struct
{
  TestCollector *self;
  GSourceFunc func;
  gboolean done;
} Call;

static gboolean
run_call (gpointer data)
{
  Call *call = data;

  call->func (call->self);
  g_mutex_lock (&call->self->lock);
  call->done = TRUE;
  g_cond_broadcast (&call->self->cond);
  g_mutex_unlock (&call->self->lock);
  return G_SOURCE_REMOVE;
}

/* Runs @func in the collector thread and waits for it: SoupServer is
 * not thread-safe. */
static void
call_in_thread (TestCollector *self,
                GSourceFunc    func)
{
  Call call = { self, func, FALSE };

  g_main_context_invoke (self->context, run_call, &call);
  g_mutex_lock (&self->lock);
  while (!call.done)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

static gboolean
do_listen (gpointer data)
{
  TestCollector *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;

  g_assert_null (self->server);
  self->server = soup_server_new ("server-header", "test-collector", NULL);
  soup_server_add_handler (self->server, "/v1/logs", handle_logs, self, NULL);
  soup_server_listen_local (self->server, self->port, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (self->server);
  g_assert_nonnull (uris);
  self->port = g_uri_get_port (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  return G_SOURCE_REMOVE;
}

static gboolean
do_stop_listening (gpointer data)
{
  TestCollector *self = data;

  /* Closes the listener and the kept-alive connections too: a client
   * must find the collector gone, not an old connection still open. */
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  return G_SOURCE_REMOVE;
}

static gboolean
do_quit (gpointer data)
{
  TestCollector *self = data;

  do_stop_listening (self);
  g_main_loop_quit (self->loop);
  return G_SOURCE_REMOVE;
}

static gpointer
collector_main (gpointer data)
{
  TestCollector *self = data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

TestCollector *
test_collector_new (guint16 port)
{
  TestCollector *self = g_new0 (TestCollector, 1);

  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_queue_init (&self->script);
  self->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) test_collector_request_unref);
  self->port = port;
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("test-collector", collector_main, self);
  call_in_thread (self, do_listen);
  return self;
}

void
test_collector_free (TestCollector *self)
{
  if (self == NULL)
    return;
  call_in_thread (self, do_quit);
  g_thread_join (self->thread);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_queue_clear_full (&self->script, (GDestroyNotify) scripted_free);
  g_ptr_array_unref (self->requests);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}

guint16
test_collector_get_port (TestCollector *self)
{
  return self->port;
}

char *
test_collector_dup_url (TestCollector *self)
{
  return g_strdup_printf ("http://127.0.0.1:%u/v1/logs", self->port);
}

void
test_collector_stop_listening (TestCollector *self)
{
  call_in_thread (self, do_stop_listening);
}

void
test_collector_listen (TestCollector *self)
{
  call_in_thread (self, do_listen);
}

void
test_collector_push_response (TestCollector *self,
                              guint          status,
                              const char    *retry_after)
{
  test_collector_push_slow_response (self, status, retry_after, 0);
}

void
test_collector_push_slow_response (TestCollector *self,
                                   guint          status,
                                   const char    *retry_after,
                                   guint          delay_ms)
{
  Scripted *scripted = g_new0 (Scripted, 1);

  scripted->status = status;
  scripted->retry_after = g_strdup (retry_after);
  scripted->delay_ms = delay_ms;
  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->script, scripted);
  g_mutex_unlock (&self->lock);
}

GPtrArray *
test_collector_dup_requests (TestCollector *self)
{
  GPtrArray *requests = g_ptr_array_new_with_free_func ((GDestroyNotify) test_collector_request_unref);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->requests->len; i++)
    g_ptr_array_add (requests, test_collector_request_ref (g_ptr_array_index (self->requests, i)));
  g_mutex_unlock (&self->lock);
  return requests;
}

guint
test_collector_get_n_requests (TestCollector *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->requests->len;
  g_mutex_unlock (&self->lock);
  return n;
}

GPtrArray *
test_collector_dup_accepted_records (TestCollector *self)
{
  g_autoptr(GPtrArray) requests = test_collector_dup_requests (self);
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  for (guint i = 0; i < requests->len; i++)
    {
      TestCollectorRequest *request = g_ptr_array_index (requests, i);

      if (!SOUP_STATUS_IS_SUCCESSFUL (request->status))
        continue;
      for (guint j = 0; j < request->log_records->len; j++)
        g_ptr_array_add (records, json_object_ref (g_ptr_array_index (request->log_records, j)));
    }
  return records;
}

gboolean
test_collector_wait_for_requests (TestCollector *self,
                                  guint          n,
                                  guint          timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean reached;

  g_mutex_lock (&self->lock);
  while (self->requests->len < n && g_cond_wait_until (&self->cond, &self->lock, deadline))
    ;
  reached = self->requests->len >= n;
  g_mutex_unlock (&self->lock);
  return reached;
}

gboolean
test_collector_wait_for_records (TestCollector *self,
                                 guint          n_log_records,
                                 guint          timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean reached;

  g_mutex_lock (&self->lock);
  while (self->n_accepted_records < n_log_records && g_cond_wait_until (&self->cond, &self->lock, deadline))
    ;
  reached = self->n_accepted_records >= n_log_records;
  g_mutex_unlock (&self->lock);
  return reached;
}

GPtrArray *
test_collector_save_bodies (TestCollector *self,
                            const char    *dir)
{
  g_autoptr(GPtrArray) requests = test_collector_dup_requests (self);
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint i = 0; i < requests->len; i++)
    {
      TestCollectorRequest *request = g_ptr_array_index (requests, i);
      g_autofree char *name = g_strdup_printf ("request-%04u.json", i);
      char *path = g_build_filename (dir, name, NULL);
      g_autoptr(GError) error = NULL;
      gsize size;
      const char *data = g_bytes_get_data (request->body, &size);

      g_file_set_contents (path, data, size, &error);
      g_assert_no_error (error);
      g_ptr_array_add (paths, path);
    }
  return paths;
}

gboolean
test_collector_bodies_contain (TestCollector *self,
                               const char    *needle)
{
  g_autoptr(GPtrArray) requests = test_collector_dup_requests (self);

  for (guint i = 0; i < requests->len; i++)
    {
      TestCollectorRequest *request = g_ptr_array_index (requests, i);
      gsize size;
      const char *data = g_bytes_get_data (request->body, &size);

      if (data != NULL && memmem (data, size, needle, strlen (needle)) != NULL)
        return TRUE;
    }
  return FALSE;
}

JsonObject *
test_log_record_get_attribute (JsonObject *record,
                               const char *key)
{
  JsonArray *attributes = json_object_has_member (record, "attributes")
                          ? json_object_get_array_member (record, "attributes") : NULL;

  for (guint i = 0; attributes != NULL && i < json_array_get_length (attributes); i++)
    {
      JsonObject *pair = json_array_get_object_element (attributes, i);

      if (pair != NULL && g_strcmp0 (json_object_get_string_member_with_default (pair, "key", NULL), key) == 0)
        return json_object_get_object_member (pair, "value");
    }
  return NULL;
}

const char *
test_log_record_get_string (JsonObject *record,
                            const char *key)
{
  JsonObject *value = test_log_record_get_attribute (record, key);

  return value != NULL ? json_object_get_string_member_with_default (value, "stringValue", NULL) : NULL;
}

gint64
test_log_record_get_audit_id (JsonObject *record)
{
  JsonObject *value = test_log_record_get_attribute (record, "paddock.audit.id");
  const char *text = value != NULL ? json_object_get_string_member_with_default (value, "intValue", NULL) : NULL;

  return text != NULL ? g_ascii_strtoll (text, NULL, 10) : 0;
}
