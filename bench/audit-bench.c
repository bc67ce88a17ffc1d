/* audit-bench.c: how fast the audit store records, and the exporter
 * sends, side by side with a bare SQLite baseline
 *
 *   meson compile -C build audit-bench
 *   ./build/bench/audit-bench [--events N] [--rounds R]
 *
 * Each round, interleaved: (A) Paddock's store with the exporter
 * sending to a loopback OTLP receiver, (B) the store alone, (C) bare
 * SQLite, the same rows in transactions of the same size with the same
 * durability (WAL, synchronous=FULL) — the floor any store pays. Events
 * are appended from a main loop that also ticks every millisecond; the
 * longest gap between ticks is how long the "UI" waited.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

#include "bench-util.h"
#include "paddock-audit-session.h"
#include "paddock-telemetry.h"

/* Events appended per main-loop iteration, as a busy UI would. */
#define PER_IDLE 256

typedef struct
{
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  SoupServer *server;
  guint port;
  gint64 records;       /* log records received */
  gint64 bytes;
} Receiver;

static void
on_logs (SoupServer        *server,
         SoupServerMessage *message,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Receiver *receiver = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  const char *data = g_bytes_get_data (bytes, NULL);
  gsize size = g_bytes_get_size (bytes);
  gint64 n = 0;

  /* Counting is enough here; the tests check the content. */
  for (const char *p = data; p != NULL && (p = g_strstr_len (p, size - (p - data), "\"timeUnixNano\"")) != NULL; p++)
    n++;
  g_atomic_int_add ((gint *) &receiver->records, (gint) n);
  receiver->bytes += size;
  soup_server_message_set_status (message, 200, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
}

static gpointer
receiver_main (gpointer data)
{
  Receiver *receiver = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;

  g_main_context_push_thread_default (receiver->context);
  receiver->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (receiver->server, "/v1/logs", on_logs, receiver, NULL);
  if (!soup_server_listen_local (receiver->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("the receiver cannot listen: %s", error->message);
  uris = soup_server_get_uris (receiver->server);
  receiver->port = g_uri_get_port (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  g_main_loop_run (receiver->loop);
  g_clear_object (&receiver->server);
  g_main_context_pop_thread_default (receiver->context);
  return NULL;
}

static Receiver *
receiver_start (void)
{
  Receiver *receiver = g_new0 (Receiver, 1);

  receiver->context = g_main_context_new ();
  receiver->loop = g_main_loop_new (receiver->context, FALSE);
  receiver->thread = g_thread_new ("receiver", receiver_main, receiver);
  while (g_atomic_int_get ((gint *) &receiver->port) == 0)
    g_usleep (1000);
  return receiver;
}

/* --- recording from a main loop ------------------------------------ */

typedef struct
{
  PaddockAudit *audit;
  JsonObject *attributes;
  guint to_send;
  guint acked;
  guint total;
  gint64 last_tick;
  GArray *gaps;         /* double, ms between ticks */
  GArray *calls;        /* double, µs each append took */
  GMainLoop *loop;
} Recording;

static void
on_acked (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Recording *recording = user_data;
  g_autoptr(GError) error = NULL;

  if (paddock_audit_append_finish (recording->audit, result, &error) == 0)
    g_error ("%s", error->message);
  if (++recording->acked == recording->total)
    g_main_loop_quit (recording->loop);
}

static gboolean
on_idle (gpointer user_data)
{
  Recording *recording = user_data;

  for (guint i = 0; i < PER_IDLE && recording->to_send > 0; i++, recording->to_send--)
    {
      gint64 start = g_get_monotonic_time ();

      double took;

      paddock_audit_append_async (recording->audit, "paddock.tool_decision", recording->attributes, NULL, on_acked,
                                  recording);
      took = g_get_monotonic_time () - start;
      g_array_append_val (recording->calls, took);
    }
  return recording->to_send > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
on_tick (gpointer user_data)
{
  Recording *recording = user_data;
  gint64 now = g_get_monotonic_time ();

  if (recording->last_tick != 0)
    {
      double gap = (now - recording->last_tick) / 1000.0;
      g_array_append_val (recording->gaps, gap);
    }
  recording->last_tick = now;
  return G_SOURCE_CONTINUE;
}

static JsonObject *
sample_attributes (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  /* As big as a real decision's. */
  json_parser_load_from_data (parser,
                              "{\"action.kind\": \"exec\", \"action.argv\": [\"git\", \"push\", \"origin\", \"main\"],"
                              " \"action.cwd\": \"/home/me/src/project\", \"decision\": \"allow\","
                              " \"policy.verdict\": \"prompt\", \"layer\": \"user\","
                              " \"source\": \"/home/me/.config/paddock/policy.json:12:7\","
                              " \"rule\": \"{\\\"match\\\": [\\\"git\\\", \\\"push\\\"], \\\"decision\\\": \\\"prompt\\\"}\","
                              " \"reason\": \"publishes commits\", \"approval.mode\": \"on-request\","
                              " \"approver\": \"user\", \"scope\": \"once\", \"answered_by\": \"me\","
                              " \"call.id\": \"0b7d9a8e-5a9c-4c59-a8c3-6f3e0f1d2c3b\","
                              " \"session.id\": \"7f1c1a3e-2b4d-4e5f-8a9b-0c1d2e3f4a5b\", \"workspace.id\": \"c809e1eaf9c8e1b4\","
                              " \"user.id\": \"me\", \"app.version\": \"0.1.0\"}", -1, NULL);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

typedef struct
{
  double events_per_s;
  double gap_p99_ms;
  double gap_max_ms;
  double call_p50_us;
  double call_p99_us;
  double call_max_us;
} Result;

static Result
record_paddock (const char *dir,
                guint       n,
                Receiver   *receiver,
                double     *export_per_s)
{
  g_autofree char *path = g_build_filename (dir, "audit.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockAudit) audit = paddock_audit_open (path, &error);
  g_autoptr(PaddockTelemetry) telemetry = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(JsonObject) attributes = sample_attributes ();
  Recording recording = { audit, attributes, n, 0, n, 0, g_array_new (FALSE, FALSE, sizeof (double)),
                          g_array_new (FALSE, FALSE, sizeof (double)), loop };
  gint64 start;
  guint tick;
  Result result;

  if (audit == NULL)
    g_error ("%s", error->message);
  if (receiver != NULL)
    {
      PaddockTelemetryConfig config = { 0 };
      char *no_strings[] = { NULL };
      g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/v1/logs", receiver->port);

      config.endpoint = url;
      config.headers = no_strings;
      config.resource = no_strings;
      telemetry = paddock_telemetry_new (audit, &config);
      paddock_telemetry_start (telemetry);
    }

  start = g_get_monotonic_time ();
  tick = g_timeout_add (1, on_tick, &recording);
  g_idle_add (on_idle, &recording);
  g_main_loop_run (loop);
  g_source_remove (tick);
  result.events_per_s = n / ((g_get_monotonic_time () - start) / 1e6);
  result.gap_p99_ms = bench_quantile (recording.gaps, 0.99);
  result.gap_max_ms = bench_quantile (recording.gaps, 1.0);
  result.call_p50_us = bench_quantile (recording.calls, 0.5);
  result.call_p99_us = bench_quantile (recording.calls, 0.99);
  result.call_max_us = bench_quantile (recording.calls, 1.0);
  g_array_unref (recording.gaps);
  g_array_unref (recording.calls);

  if (telemetry != NULL)
    {
      /* Whatever is left, then the rate over the whole run. */
      if (!paddock_telemetry_flush (telemetry, 120 * 1000))
        g_error ("the exporter did not finish: %s", paddock_telemetry_dup_problem (telemetry));
      *export_per_s = n / ((g_get_monotonic_time () - start) / 1e6);
      paddock_telemetry_stop (telemetry);
    }
  paddock_audit_close (audit);
  return result;
}

/* The floor: the same rows, the same durability, no queue, no thread. */
static double
record_bare (const char *dir,
             guint       n)
{
  g_autofree char *path = g_build_filename (dir, "bare.sqlite", NULL);
  g_autoptr(JsonObject) attributes = sample_attributes ();
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), attributes);
  sqlite3 *db = NULL;
  sqlite3_stmt *insert = NULL;
  gint64 start;

  sqlite3_open (path, &db);
  sqlite3_exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, time_unix_nano INTEGER, name TEXT,"
                " attributes TEXT, exported INTEGER DEFAULT 0, session_id TEXT, workspace_id TEXT)", NULL, NULL, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO events (time_unix_nano, name, attributes, session_id, workspace_id)"
                      " VALUES (?, ?, ?, ?, ?)", -1, &insert, NULL);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = json_to_string (node, FALSE);

      if (i % 512 == 0)
        sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
      sqlite3_reset (insert);
      sqlite3_bind_int64 (insert, 1, g_get_real_time () * 1000);
      sqlite3_bind_text (insert, 2, "paddock.tool_decision", -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 3, text, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 4, "7f1c1a3e-2b4d-4e5f-8a9b-0c1d2e3f4a5b", -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 5, "c809e1eaf9c8e1b4", -1, SQLITE_STATIC);
      sqlite3_step (insert);
      if (i % 512 == 511 || i == n - 1)
        sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
    }
  sqlite3_finalize (insert);
  sqlite3_close (db);
  return n / ((g_get_monotonic_time () - start) / 1e6);
}

int
main (int   argc,
      char *argv[])
{
  int events = 200000;
  int rounds = 3;
  const GOptionEntry entries[] = {
    { "events", 'n', 0, G_OPTION_ARG_INT, &events, "Events per run (default 200000)", "N" },
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds, "Interleaved rounds (default 3)", "R" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) with_export = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) alone = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bare = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) exported = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) gap_p99 = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) gap_max = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) call_p50 = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) call_p99 = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) call_max = g_array_new (FALSE, FALSE, sizeof (double));
  Receiver *receiver;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  receiver = receiver_start ();

  for (int r = 0; r < rounds; r++)
    {
      g_autofree char *dir_a = g_dir_make_tmp ("audit-bench-XXXXXX", NULL);
      g_autofree char *dir_b = g_dir_make_tmp ("audit-bench-XXXXXX", NULL);
      g_autofree char *dir_c = g_dir_make_tmp ("audit-bench-XXXXXX", NULL);
      double export_rate = 0, rate;
      Result a, b;

      a = record_paddock (dir_a, events, receiver, &export_rate);
      b = record_paddock (dir_b, events, NULL, NULL);
      rate = record_bare (dir_c, events);
      g_array_append_val (with_export, a.events_per_s);
      g_array_append_val (alone, b.events_per_s);
      g_array_append_val (bare, rate);
      g_array_append_val (exported, export_rate);
      g_array_append_val (gap_p99, a.gap_p99_ms);
      g_array_append_val (gap_max, a.gap_max_ms);
      g_array_append_val (call_p50, a.call_p50_us);
      g_array_append_val (call_p99, a.call_p99_us);
      g_array_append_val (call_max, a.call_max_us);
      g_print ("round %d: recorded %.0f/s with export, %.0f/s alone, bare SQLite %.0f/s; exported %.0f/s; "
               "with export, main loop gap p99 %.1f ms (max %.1f), append p50 %.1f µs p99 %.1f µs (max %.0f)\n",
               r + 1, a.events_per_s, b.events_per_s, rate, export_rate, a.gap_p99_ms, a.gap_max_ms,
               a.call_p50_us, a.call_p99_us, a.call_max_us);
      for (const char *d = dir_a; d != NULL; d = d == dir_a ? dir_b : d == dir_b ? dir_c : NULL)
        {
          g_autoptr(GDir) listing = g_dir_open (d, 0, NULL);
          const char *name;

          while (listing && (name = g_dir_read_name (listing)) != NULL)
            {
              g_autofree char *file = g_build_filename (d, name, NULL);
              g_unlink (file);
            }
          g_rmdir (d);
        }
    }

  g_print ("\n%d events a run, %d rounds, medians:\n", events, rounds);
  g_print ("  recorded with the exporter running: %.0f events/s\n", bench_median (with_export));
  g_print ("  recorded, store alone:              %.0f events/s\n", bench_median (alone));
  g_print ("  bare SQLite, same durability:       %.0f events/s\n", bench_median (bare));
  g_print ("  ratio with export / bare:           %.2f\n", bench_median (with_export) / bench_median (bare));
  g_print ("  exported to loopback (whole run):   %.0f events/s\n", bench_median (exported));
  g_print ("  main loop with export: gap between 1 ms ticks p99 %.1f ms, max %.1f ms\n",
           bench_median (gap_p99), bench_median (gap_max));
  g_print ("  one append call: p50 %.1f µs, p99 %.1f µs, max %.0f µs\n",
           bench_median (call_p50), bench_median (call_p99), bench_median (call_max));
  g_print ("  the receiver took %" G_GINT64_FORMAT " records in all\n", receiver->records);
  return 0;
}
