/* paddock-telemetry.c
 *
 * The audit store is the outbox. One thread per process reads the
 * pending events in order, posts them as an OTLP/HTTP JSON logs request
 * and moves past them only after a 2xx; a collector that is down or
 * busy is retried with exponential backoff, honouring Retry-After. Each
 * collector's place in the store comes with a lease, so two Paddock
 * processes never send it the same events.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <libsoup/soup.h>

#include "paddock-accounts.h"
#include "paddock-keychain.h"
#include "paddock-telemetry.h"

#define DEFAULT_BATCH 512
/* A request that takes longer is given up; the lease outlives it, so no
 * other process sends the same events meanwhile. */
#define REQUEST_TIMEOUT_S 60
#define LEASE_SECONDS (2 * REQUEST_TIMEOUT_S)
#define LEASE_RETRY_MS 10000
/* OTLP collectors commonly take up to 4 MiB a request. */
#define MAX_REQUEST_BYTES (4 * 1024 * 1024)
/* How often an idle exporter looks for events other processes wrote. */
#define POLL_MS 2000

/* --- the exporter ---------------------------------------------------------- */

struct _PaddockTelemetry
{
  GObject parent_instance;

  PaddockAudit *audit;
  char *endpoint;
  char *endpoint_shown;     /* without userinfo or query: for messages */
  char **headers;
  char *token_header;
  PaddockPolicy *login_policy;  /* read-only here: the identity rules */
  char **resource;
  char *holder;
  guint batch_size;
  guint first_backoff_ms;
  guint max_backoff_ms;

  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GCancellable *cancellable;

  /* The exporter thread's alone. */
  SoupSession *session;
  GSource *timer;
  gboolean in_flight;
  gboolean stopped;         /* what is still dispatched after the thread ends does nothing */
  guint backoff_ms;         /* 0: not backing off */
  gint64 lease_until;       /* wall time, as the store's lease: a suspend counts */
  gint64 cursor;            /* the last event this collector took */
  guint batch_limit;        /* smaller after a request too big */
  GArray *batch_ids;
  GCancellable *request;    /* the request in flight, cancelled when it takes too long */
  GSource *watchdog;
  char *token;

  /* Shared with the callers, under @lock. */
  GMutex lock;
  GCond cond;
  guint64 wanted;           /* flushes asked for */
  guint64 drained;          /* the last flush whose wish the exporter saw met */
  gboolean held_elsewhere;
  guint64 lease_seen;       /* the last flush after which the lease was looked at */
  guint64 failed;           /* the last flush after which an attempt failed */
  guint64 attempt;          /* the flushes asked for when the last attempt began */
  char *problem;
  guint64 n_sent;
};

G_DEFINE_FINAL_TYPE (PaddockTelemetry, paddock_telemetry, G_TYPE_OBJECT)

static void export_step (PaddockTelemetry *self);

static void
set_problem (PaddockTelemetry *self,
             char             *problem)
{
  g_mutex_lock (&self->lock);
  g_free (self->problem);
  self->problem = problem;
  g_mutex_unlock (&self->lock);
}

static gboolean
on_timer (gpointer user_data)
{
  PaddockTelemetry *self = user_data;

  g_clear_pointer (&self->timer, g_source_unref);
  if (!self->stopped)
    export_step (self);
  return G_SOURCE_REMOVE;
}

/* Runs the next step after @delay_ms, unless one is already due. */
static void
schedule (PaddockTelemetry *self,
          guint             delay_ms)
{
  if (self->in_flight)
    return;
  if (self->timer != NULL)
    {
      if (delay_ms > 0)
        return;
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  self->timer = delay_ms > 0 ? g_timeout_source_new (delay_ms) : g_idle_source_new ();
  g_source_set_callback (self->timer, on_timer, self, NULL);
  g_source_attach (self->timer, self->context);
}

static gboolean
on_kick (gpointer user_data)
{
  PaddockTelemetry *self = user_data;

  /* New events do not cut a collector's backoff short. */
  if (self->backoff_ms == 0 && !self->stopped)
    schedule (self, 0);
  return G_SOURCE_REMOVE;
}

/* From any thread, the audit writer's included. */
static void
kick (gpointer data)
{
  PaddockTelemetry *self = data;

  g_main_context_invoke (self->context, on_kick, self);
}

static void
retry_later (PaddockTelemetry *self,
             guint             retry_after_ms,
             char             *problem)
{
  guint delay = retry_after_ms;

  /* Doubling, with jitter that keeps many Paddocks from returning
   * together; the collector's own Retry-After wins. */
  self->backoff_ms = self->backoff_ms ? MIN (self->backoff_ms * 2, self->max_backoff_ms) : self->first_backoff_ms;
  if (delay == 0)
    delay = self->backoff_ms / 2 + g_random_int_range (0, self->backoff_ms / 2 + 1);
  set_problem (self, g_strdup_printf ("%s; trying again in %u.%u s", problem, delay / 1000, delay % 1000 / 100));
  g_free (problem);
  /* A flush that began before this attempt need not wait out the backoff. */
  g_mutex_lock (&self->lock);
  self->failed = self->attempt;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  schedule (self, delay);
}

/* Retry-After as seconds or as an HTTP date; 0 when absent. */
static guint
retry_after_ms (SoupMessage *message)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (message), "Retry-After");
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GDateTime) now = NULL;
  char *end;
  guint64 seconds;

  if (value == NULL)
    return 0;
  seconds = g_ascii_strtoull (value, &end, 10);
  if (end != value && *end == '\0')
    return (guint) MIN (seconds, 3600) * 1000;
  date = soup_date_time_new_from_http_string (value);
  if (date == NULL)
    return 0;
  now = g_date_time_new_now_utc ();
  return (guint) CLAMP (g_date_time_difference (date, now) / 1000, 0, 3600 * 1000);
}

/* Moves this collector's place past the batch; a lease lost meanwhile
 * moves nothing, and the next holder sends the batch again (OTLP is at
 * least once). */
static void
mark_batch (PaddockTelemetry   *self,
            PaddockAuditExport  state)
{
  g_autoptr(GError) error = NULL;

  if (paddock_audit_mark_exported (self->audit, self->endpoint, self->holder,
                                   (const gint64 *) (gpointer) self->batch_ids->data, self->batch_ids->len, state,
                                   &error))
    {
      self->cursor = MAX (self->cursor, g_array_index (self->batch_ids, gint64, self->batch_ids->len - 1));
    }
  else
    {
      self->lease_until = 0;
      if (error != NULL)
        set_problem (self, g_strdup (error->message));
    }
  g_array_set_size (self->batch_ids, 0);
}

/* OTLP's partial success: the collector took the request but dropped
 * some records, which sending again would not change. */
static char *
partial_success (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root, *partial;
  gint64 rejected = 0;

  if (body == NULL || g_bytes_get_size (body) == 0 ||
      !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  root = json_node_get_object (json_parser_get_root (parser));
  partial = json_object_get_member (root, "partialSuccess") &&
            JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "partialSuccess"))
            ? json_object_get_object_member (root, "partialSuccess") : NULL;
  if (partial == NULL)
    return NULL;
  if (json_object_has_member (partial, "rejectedLogRecords"))
    {
      JsonNode *node = json_object_get_member (partial, "rejectedLogRecords");
      rejected = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
                 ? g_ascii_strtoll (json_node_get_string (node), NULL, 10) : json_node_get_int (node);
    }
  if (rejected <= 0)
    return NULL;
  return g_strdup_printf ("the collector rejected %" G_GINT64_FORMAT " records: %s", rejected,
                          json_object_get_string_member_with_default (partial, "errorMessage", "no reason given"));
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  PaddockTelemetry *self = user_data;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  guint status = error ? 0 : soup_message_get_status (message);
  guint n = self->batch_ids->len;

  self->in_flight = FALSE;
  if (self->watchdog != NULL)
    {
      g_source_destroy (self->watchdog);
      g_clear_pointer (&self->watchdog, g_source_unref);
    }
  g_clear_object (&self->request);
  if (self->stopped)
    {
      /* Taken just as we stopped: not sent again by the next process. */
      if (status >= 200 && status < 300)
        mark_batch (self, PADDOCK_AUDIT_EXPORTED);
      g_array_set_size (self->batch_ids, 0);
      return;
    }

  if (status >= 200 && status < 300)
    {
      char *partial = partial_success (body);

      mark_batch (self, PADDOCK_AUDIT_EXPORTED);
      self->backoff_ms = 0;
      self->batch_limit = MIN (self->batch_limit * 2, self->batch_size);
      g_mutex_lock (&self->lock);
      self->n_sent += n;
      g_mutex_unlock (&self->lock);
      set_problem (self, partial);
      schedule (self, 0);
    }
  else if ((status == SOUP_STATUS_BAD_REQUEST || status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE) && n > 1)
    {
      /* One event may be what the collector cannot take: halve the
       * batch until it stands alone. */
      g_array_set_size (self->batch_ids, 0);
      self->batch_limit = MAX (n / 2, 1);
      schedule (self, 0);
    }
  else if (status == SOUP_STATUS_BAD_REQUEST || status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE)
    {
      /* The collector will never take this one: kept here, not retried. */
      gint64 id = g_array_index (self->batch_ids, gint64, 0);

      mark_batch (self, PADDOCK_AUDIT_REJECTED);
      self->batch_limit = self->batch_size;
      set_problem (self, g_strdup_printf ("the collector refused event %" G_GINT64_FORMAT " (%u %s); it stays in "
                                          "the audit store", id, status, soup_message_get_reason_phrase (message)));
      schedule (self, 0);
    }
  else if (error != NULL)
    {
      g_array_set_size (self->batch_ids, 0);
      retry_later (self, 0, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                            ? g_strdup_printf ("the collector %s did not answer in %d s", self->endpoint_shown,
                                               REQUEST_TIMEOUT_S)
                            : g_strdup_printf ("the collector %s cannot be reached: %s", self->endpoint_shown,
                                               error->message));
    }
  else
    {
      /* 429, 502, 503, 504 are OTLP's retryable answers; anything else
       * (401, 403, 404…) is a setting to fix, and the events wait for it
       * in the store rather than being dropped. A refused credential is
       * read from the keychain again, in case it was replaced. */
      if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
        g_clear_pointer (&self->token, paddock_keychain_free);
      g_array_set_size (self->batch_ids, 0);
      retry_later (self, retry_after_ms (message),
                   g_strdup_printf ("the collector %s answered %u %s", self->endpoint_shown, status,
                                    soup_message_get_reason_phrase (message)));
    }
}

static gboolean
on_watchdog (gpointer user_data)
{
  PaddockTelemetry *self = user_data;

  g_clear_pointer (&self->watchdog, g_source_unref);
  g_cancellable_cancel (self->request);
  return G_SOURCE_REMOVE;
}

/* Holds this collector's lease for longer than a request can take,
 * renewing it before it runs short, and learns where its place is. */
static gboolean
hold_lease (PaddockTelemetry *self)
{
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time ();
  guint64 seen;
  gboolean held;

  if (now + (REQUEST_TIMEOUT_S + 10) * G_USEC_PER_SEC < self->lease_until)
    return TRUE;
  g_mutex_lock (&self->lock);
  seen = self->wanted;
  g_mutex_unlock (&self->lock);
  held = paddock_audit_lease_export (self->audit, self->endpoint, self->holder, LEASE_SECONDS, &self->cursor, &error);
  if (error != NULL)
    set_problem (self, g_strdup (error->message));
  self->lease_until = held ? now + LEASE_SECONDS * G_USEC_PER_SEC : 0;
  g_mutex_lock (&self->lock);
  self->held_elsewhere = !held && error == NULL;
  self->lease_seen = seen;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  return held;
}

static void
export_step (PaddockTelemetry *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  char *text;
  PaddockAuditFilter filter = { 0 };
  guint64 wanted;

  if (self->in_flight)
    return;
  g_mutex_lock (&self->lock);
  wanted = self->attempt = self->wanted;
  g_mutex_unlock (&self->lock);
  if (!hold_lease (self))
    {
      schedule (self, LEASE_RETRY_MS);
      return;
    }

  if (self->login_policy != NULL)
    {
      char *token;

      /* Read each time: the login renews itself, and may end. */
      g_clear_pointer (&self->token, paddock_keychain_free);
      token = paddock_accounts_get_organization_token (self->login_policy, NULL, &error);
      if (token == NULL)
        {
          retry_later (self, 60 * 1000,
                       g_strdup_printf ("the organisation's login cannot authenticate the export to %s: %s",
                                        self->endpoint_shown,
                                        error ? error->message : "nobody is signed in; sign in with `paddockctl login`"));
          return;
        }
      self->token = g_strconcat ("Bearer ", token, NULL);
      paddock_keychain_free (token);
    }
  else if (self->token_header != NULL && self->token == NULL)
    {
      PaddockKeychainEntry entry = { "otlp", self->token_header, self->endpoint, PADDOCK_TELEMETRY_TOKEN_KIND };

      self->token = paddock_keychain_lookup (&entry, &error);
      if (self->token != NULL && strpbrk (self->token, "\r\n") != NULL)
        {
          /* A header is one line; the value is not shown. */
          g_clear_pointer (&self->token, paddock_keychain_free);
          retry_later (self, 60 * 1000,
                       g_strdup_printf ("the keychain's %s for %s has a line break: store it again with `paddockctl "
                                        "telemetry token set`", self->token_header, self->endpoint_shown));
          return;
        }
      if (self->token == NULL)
        {
          /* Sent without its credential, an event would only be refused. */
          retry_later (self, 60 * 1000,
                       error ? g_strdup (error->message)
                             : g_strdup_printf ("no %s for %s in the keychain: store it with `paddockctl telemetry "
                                                "token set`", self->token_header, self->endpoint_shown));
          return;
        }
    }

  filter.after_id = self->cursor;
  filter.limit = self->batch_limit;
  events = paddock_audit_query (self->audit, &filter, &error);
  if (events == NULL)
    {
      retry_later (self, 0, g_strdup (error->message));
      return;
    }
  if (events->len == 0)
    {
      g_mutex_lock (&self->lock);
      self->drained = wanted;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
      schedule (self, POLL_MS);
      return;
    }

  /* Within what a collector takes in one request. */
  text = paddock_telemetry_build_request (events, (const char * const *) self->resource);
  while (strlen (text) > MAX_REQUEST_BYTES && events->len > 1)
    {
      g_ptr_array_set_size (events, events->len / 2);
      g_free (text);
      text = paddock_telemetry_build_request (events, (const char * const *) self->resource);
    }
  body = g_bytes_new_take (text, strlen (text));
  for (guint i = 0; i < events->len; i++)
    {
      gint64 id = json_object_get_int_member (g_ptr_array_index (events, i), "id");
      g_array_append_val (self->batch_ids, id);
    }

  message = soup_message_new (SOUP_METHOD_POST, self->endpoint);
  if (message == NULL)
    {
      g_array_set_size (self->batch_ids, 0);
      retry_later (self, 60 * 1000, g_strdup_printf ("“%s” is not a URL", self->endpoint_shown));
      return;
    }
  soup_message_set_request_body_from_bytes (message, "application/json", body);
  for (guint i = 0; self->headers[i] != NULL; i += 2)
    soup_message_headers_replace (soup_message_get_request_headers (message), self->headers[i], self->headers[i + 1]);
  if (self->token != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (message), self->token_header, self->token);

  self->in_flight = TRUE;
  self->request = g_cancellable_new ();
  g_signal_connect_object (self->cancellable, "cancelled", G_CALLBACK (g_cancellable_cancel), self->request,
                           G_CONNECT_SWAPPED);
  self->watchdog = g_timeout_source_new_seconds (REQUEST_TIMEOUT_S);
  g_source_set_callback (self->watchdog, on_watchdog, self, NULL);
  g_source_attach (self->watchdog, self->context);
  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT, self->request, on_sent, self);
}

static gpointer
exporter_main (gpointer data)
{
  PaddockTelemetry *self = data;

  g_main_context_push_thread_default (self->context);
  /* TLS is verified against the system's trust store: libsoup's default. */
  self->session = soup_session_new_with_options ("timeout", REQUEST_TIMEOUT_S, "user-agent", "Paddock/" PACKAGE_VERSION, NULL);
  schedule (self, 0);
  g_main_loop_run (self->loop);

  /* A request on its way ends, cancelled, here: in the thread that made it. */
  while (self->in_flight)
    g_main_context_iteration (self->context, TRUE);
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  if (self->lease_until > 0)
    paddock_audit_lease_export (self->audit, self->endpoint, self->holder, 0, NULL, NULL);
  g_clear_object (&self->session);
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

PaddockTelemetry *
paddock_telemetry_new (PaddockAudit                 *audit,
                       const PaddockTelemetryConfig *config)
{
  PaddockTelemetry *self;
  g_autofree char *uuid = g_uuid_string_random ();

  g_return_val_if_fail (PADDOCK_IS_AUDIT (audit), NULL);
  g_return_val_if_fail (config != NULL && config->endpoint != NULL, NULL);

  self = g_object_new (PADDOCK_TYPE_TELEMETRY, NULL);
  self->audit = g_object_ref (audit);
  self->endpoint = g_strdup (config->endpoint);
  self->endpoint_shown = g_strdup (config->endpoint_shown);
  self->headers = g_strdupv (config->headers);
  self->token_header = g_strdup (config->login_token ? "Authorization" : config->token_header);
  self->login_policy = config->login_policy ? g_object_ref (config->login_policy) : NULL;
  self->resource = g_strdupv (config->resource);
  self->holder = g_strdup_printf ("%s %d %s", g_get_host_name (), (int) getpid (), uuid);
  return self;
}

void
paddock_telemetry_start (PaddockTelemetry *self)
{
  g_return_if_fail (PADDOCK_IS_TELEMETRY (self));
  g_return_if_fail (self->thread == NULL);

  paddock_audit_set_commit_notify (self->audit, kick, self);
  self->thread = g_thread_new ("paddock-telemetry", exporter_main, self);
}

gboolean
paddock_telemetry_flush (PaddockTelemetry *self,
                         guint             timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint64 target;
  gboolean done;

  g_return_val_if_fail (PADDOCK_IS_TELEMETRY (self), FALSE);

  if (self->thread == NULL)
    return FALSE;
  g_mutex_lock (&self->lock);
  target = ++self->wanted;
  g_mutex_unlock (&self->lock);
  kick (self);

  /* Another holder counts only if the lease was looked at after this
   * flush began: the one that held it may have just let it go. An
   * attempt that began after it and failed ends the wait. */
  g_mutex_lock (&self->lock);
  while (!(done = self->drained >= target || (self->held_elsewhere && self->lease_seen >= target)) &&
         self->failed < target && g_cond_wait_until (&self->cond, &self->lock, deadline))
    ;
  g_mutex_unlock (&self->lock);
  return done;
}

static gboolean
on_quit (gpointer user_data)
{
  PaddockTelemetry *self = user_data;

  self->stopped = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_main_loop_quit (self->loop);
  return G_SOURCE_REMOVE;
}

void
paddock_telemetry_stop (PaddockTelemetry *self)
{
  g_return_if_fail (PADDOCK_IS_TELEMETRY (self));

  if (self->thread == NULL)
    return;
  paddock_audit_set_commit_notify (self->audit, NULL, NULL);
  g_main_context_invoke (self->context, on_quit, self);
  g_thread_join (self->thread);
  self->thread = NULL;
}

char *
paddock_telemetry_dup_problem (PaddockTelemetry *self)
{
  char *problem;

  g_return_val_if_fail (PADDOCK_IS_TELEMETRY (self), NULL);

  g_mutex_lock (&self->lock);
  problem = g_strdup (self->problem);
  g_mutex_unlock (&self->lock);
  return problem;
}

guint64
paddock_telemetry_get_n_sent (PaddockTelemetry *self)
{
  guint64 n;

  g_return_val_if_fail (PADDOCK_IS_TELEMETRY (self), 0);

  g_mutex_lock (&self->lock);
  n = self->n_sent;
  g_mutex_unlock (&self->lock);
  return n;
}

void
paddock_telemetry_set_backoff (PaddockTelemetry *self,
                               guint             first_ms,
                               guint             max_ms)
{
  g_return_if_fail (PADDOCK_IS_TELEMETRY (self));

  self->first_backoff_ms = MAX (first_ms, 1);
  self->max_backoff_ms = MAX (max_ms, self->first_backoff_ms);
}

void
paddock_telemetry_set_batch_size (PaddockTelemetry *self,
                                  guint             batch_size)
{
  g_return_if_fail (PADDOCK_IS_TELEMETRY (self));

  self->batch_size = self->batch_limit = MAX (batch_size, 1);
}

static void
paddock_telemetry_finalize (GObject *object)
{
  PaddockTelemetry *self = PADDOCK_TELEMETRY (object);

  paddock_telemetry_stop (self);
  g_clear_object (&self->audit);
  g_free (self->endpoint);
  g_free (self->endpoint_shown);
  g_strfreev (self->headers);
  g_free (self->token_header);
  g_clear_object (&self->login_policy);
  g_strfreev (self->resource);
  g_free (self->holder);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->cancellable);
  g_array_unref (self->batch_ids);
  g_clear_pointer (&self->token, paddock_keychain_free);
  g_free (self->problem);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (paddock_telemetry_parent_class)->finalize (object);
}

static void
paddock_telemetry_class_init (PaddockTelemetryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = paddock_telemetry_finalize;
}

static void
paddock_telemetry_init (PaddockTelemetry *self)
{
  self->batch_size = self->batch_limit = DEFAULT_BATCH;
  self->first_backoff_ms = 1000;
  self->max_backoff_ms = 5 * 60 * 1000;
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->cancellable = g_cancellable_new ();
  self->batch_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}

