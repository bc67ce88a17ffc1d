/* test-audit.c: the audit store keeps what it acknowledged, whatever
 * happens to the process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "paddock-audit.h"
#include "paddock-audit-session.h"
#include "test-util.h"

static JsonObject *
attributes (const char *key,
            gint64      value)
{
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, key, value);
  json_object_set_string_member (object, "session.id", "s1");
  return object;
}

/* What is appended comes back in order after the store is opened again;
 * the file is private and in WAL mode. */
static void
test_round_trip (void)
{
  g_autofree char *dir = test_make_dir ("round-trip");
  g_autofree char *path = g_build_filename (dir, "state", "paddock", "audit.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  struct stat st;

  {
    g_autoptr(PaddockAudit) audit = paddock_audit_open (path, &error);

    g_assert_no_error (error);
    for (gint64 i = 1; i <= 100; i++)
      {
        g_autoptr(JsonObject) attrs = attributes ("n", i);
        g_assert_cmpint (paddock_audit_append (audit, "paddock.tool_decision", attrs, &error), ==, i);
        g_assert_no_error (error);
      }
  }

  {
    g_autoptr(PaddockAudit) audit = paddock_audit_open (path, &error);
    JsonObject *last;

    g_assert_no_error (error);
    events = paddock_audit_list (audit, 0, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (events->len, ==, 100);
    last = g_ptr_array_index (events, 99);
    g_assert_cmpstr (json_object_get_string_member (last, "name"), ==, "paddock.tool_decision");
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (last, "attributes"), "n"), ==, 100);
    g_assert_cmpint (json_object_get_int_member (last, "time_unix_nano"), >, 1700000000LL * 1000000000LL);
    g_clear_pointer (&events, g_ptr_array_unref);
    events = paddock_audit_list (audit, 90, 5, &error);
    g_assert_cmpuint (events->len, ==, 5);
    g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (events, 0), "id"), ==, 91);
  }

  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *mode = NULL;

    g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &mode, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (mode), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (mode, 0), ==, "wal");
    sqlite3_finalize (mode);
    sqlite3_close (db);
  }
}

/* A store written by a newer Paddock is left alone, and says why; the
 * store this build wrote is the control. */
static void
test_newer_schema (void)
{
  g_autofree char *dir = test_make_dir ("newer");
  g_autofree char *path = g_build_filename (dir, "audit.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockAudit) ok = paddock_audit_open (path, &error);
  g_autoptr(PaddockAudit) refused = NULL;
  sqlite3 *db = NULL;

  g_assert_no_error (error);
  paddock_audit_close (ok);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  refused = paddock_audit_open (path, &error);
  g_assert_null (refused);
  g_assert_error (error, PADDOCK_AUDIT_ERROR, PADDOCK_AUDIT_ERROR_VERSION);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "99"));
}

/* A store that cannot be written is refused at open, naming the file;
 * the round trip above is the control. */
static void
test_read_only (void)
{
  g_autofree char *dir = test_make_dir ("read-only");
  g_autofree char *path = g_build_filename (dir, "audit.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockAudit) refused = NULL;

  /* Root writes to read-only folders: a store path that is a folder
   * cannot be written by anybody. */
  if (geteuid () == 0)
    g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  g_assert_cmpint (chmod (dir, 0500), ==, 0);
  refused = paddock_audit_open (path, &error);
  g_assert_cmpint (chmod (dir, 0700), ==, 0);
  g_assert_null (refused);
  g_assert_error (error, PADDOCK_AUDIT_ERROR, PADDOCK_AUDIT_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, path));
}

static int acknowledgements = -1;  /* the writing child's pipe */

static void
on_appended (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gint64 id = paddock_audit_append_finish (PADDOCK_AUDIT (user_data), result, &error);

  g_assert_no_error (error);
  if (write (acknowledgements, &id, sizeof id) != sizeof id)
    _exit (3);
}

/* kill -9 in the middle of a burst of writes: the store opens cleanly and
 * holds every event that was acknowledged. */
static void
test_kill_during_burst (void)
{
  g_autofree char *dir = test_make_dir ("kill");
  g_autofree char *path = g_build_filename (dir, "audit.sqlite", NULL);
  g_autoptr(GArray) acknowledged = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockAudit) audit = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GHashTable) stored = g_hash_table_new (g_int64_hash, g_int64_equal);
  int fds[2];
  pid_t child;
  gint64 id;
  int status;

  g_assert_cmpint (pipe (fds), ==, 0);
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      g_autoptr(PaddockAudit) writer = paddock_audit_open (path, NULL);
      g_autoptr(GMainContext) context = g_main_context_new ();

      close (fds[0]);
      acknowledgements = fds[1];
      if (writer == NULL)
        _exit (2);
      g_main_context_push_thread_default (context);
      /* Queue far more than can be written before the kill, and keep
       * acknowledging as commits land. */
      for (gint64 i = 0; i < 200000; i++)
        {
          g_autoptr(JsonObject) attrs = attributes ("n", i);
          paddock_audit_append_async (writer, "paddock.tool_result", attrs, NULL, on_appended, writer);
          if (i % 64 == 0)
            while (g_main_context_iteration (context, FALSE))
              ;
        }
      for (;;)
        g_main_context_iteration (context, TRUE);
    }

  close (fds[1]);
  /* Let a good number of acknowledgements arrive, then kill. */
  while (acknowledged->len < 2000 && read (fds[0], &id, sizeof id) == sizeof id)
    g_array_append_val (acknowledged, id);
  g_assert_cmpint (kill (child, SIGKILL), ==, 0);
  while (read (fds[0], &id, sizeof id) == sizeof id)
    g_array_append_val (acknowledged, id);
  close (fds[0]);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
  g_assert_cmpuint (acknowledged->len, >=, 2000);

  audit = paddock_audit_open (path, &error);
  g_assert_no_error (error);
  events = paddock_audit_list (audit, 0, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      gint64 *stored_id = g_new (gint64, 1);

      *stored_id = json_object_get_int_member (g_ptr_array_index (events, i), "id");
      g_hash_table_add (stored, stored_id);
    }
  for (guint i = 0; i < acknowledged->len; i++)
    if (!g_hash_table_contains (stored, &g_array_index (acknowledged, gint64, i)))
      g_error ("event %" G_GINT64_FORMAT " was acknowledged and is gone", g_array_index (acknowledged, gint64, i));
  /* The kill came mid-burst: not everything queued was written. */
  g_assert_cmpuint (events->len, <, 200000);

  {
    sqlite3 *db = NULL;
    sqlite3_stmt *check = NULL;

    g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &check, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (check), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (check, 0), ==, "ok");
    sqlite3_finalize (check);
    sqlite3_close (db);
  }
  g_hash_table_foreach (stored, (GHFunc) (void (*) (void)) g_free, NULL);
}

/* After close, appends fail: nothing is silently dropped. */
static void
test_closed (void)
{
  g_autofree char *dir = test_make_dir ("closed");
  g_autofree char *path = g_build_filename (dir, "audit.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockAudit) audit = paddock_audit_open (path, &error);

  g_assert_cmpint (paddock_audit_append (audit, "paddock.session_start", NULL, &error), ==, 1);
  paddock_audit_close (audit);
  g_assert_cmpint (paddock_audit_append (audit, "paddock.session_start", NULL, &error), ==, 0);
  g_assert_error (error, PADDOCK_AUDIT_ERROR, PADDOCK_AUDIT_ERROR_CLOSED);
}

static void
exec_sql (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

/* A store written by the first schema opens migrated: its events keep
 * their ids and gain the indexed session and workspace, and the file
 * can give pages back when pruned. */
static void
test_migration (void)
{
  g_autofree char *dir = test_make_dir ("migration");
  g_autofree char *path = g_build_filename (dir, "audit.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockAudit) audit = NULL;
  g_autoptr(GPtrArray) events = NULL;
  PaddockAuditFilter filter = { .session_id = "old-session" };
  sqlite3 *db = NULL;
  sqlite3_stmt *statement = NULL;

  exec_sql (path,
            "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, time_unix_nano INTEGER NOT NULL,"
            " name TEXT NOT NULL, attributes TEXT NOT NULL, exported INTEGER NOT NULL DEFAULT 0);"
            "CREATE INDEX events_unexported ON events (id) WHERE exported = 0;"
            "INSERT INTO events (time_unix_nano, name, attributes) VALUES"
            " (1, 'paddock.session_start', '{\"session.id\": \"old-session\", \"workspace.id\": \"w1\"}'),"
            " (2, 'paddock.tool_decision', '{\"session.id\": \"other\"}');"
            "PRAGMA user_version = 1;");

  audit = paddock_audit_open (path, &error);
  g_assert_no_error (error);
  events = paddock_audit_query (audit, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (events, 0), "id"), ==, 1);
  g_clear_pointer (&events, g_ptr_array_unref);
  filter.session_id = NULL;
  filter.workspace_id = "w1";
  events = paddock_audit_query (audit, &filter, &error);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpint (paddock_audit_append (audit, "paddock.tool_result", NULL, &error), ==, 3);
  paddock_audit_close (audit);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA auto_vacuum", -1, &statement, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (statement), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (statement, 0), ==, 2);
  sqlite3_finalize (statement);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &statement, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (statement), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (statement, 0), ==, PADDOCK_AUDIT_SCHEMA_VERSION);
  sqlite3_finalize (statement);
  sqlite3_close (db);
}

static gint64
file_size (const char *path)
{
  struct stat st;

  return stat (path, &st) == 0 ? st.st_size : 0;
}

#define COLLECTOR "https://collector.example/v1/logs"

/* Old events go by age, the oldest by size, and an event the collector
 * has not received stays while export is on; the newest always stay. */
static void
test_prune (void)
{
  g_autofree char *dir = test_make_dir ("prune");
  g_autofree char *path = g_build_filename (dir, "audit.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockAudit) audit = paddock_audit_open (path, &error);
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *padding = g_strnfill (2000, 'x');
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  gint64 old_ids[2] = { 1, 2 };
  gint64 after = -1;
  gint64 big;

  g_assert_no_error (error);
  for (int i = 0; i < 10; i++)
    {
      g_autoptr(JsonObject) attrs = attributes ("n", i);
      g_assert_cmpint (paddock_audit_append (audit, "paddock.tool_decision", attrs, &error), >, 0);
    }
  /* Events 1-4 are a year old; 1 and 2 were exported, 3 and 4 not. */
  exec_sql (path, "UPDATE events SET time_unix_nano = time_unix_nano - 365 * 86400 * 1000000000 WHERE id <= 4");
  g_assert_true (paddock_audit_lease_export (audit, COLLECTOR, "me", 60, &after, &error));
  g_assert_cmpint (after, ==, 0);
  g_assert_true (paddock_audit_mark_exported (audit, COLLECTOR, "me", old_ids, 2, PADDOCK_AUDIT_EXPORTED, &error));

  /* Keeping what waits for the collector: only 1 and 2 go. */
  g_assert_cmpint (paddock_audit_prune (audit, 30, 0, COLLECTOR, &error), ==, 2);
  events = paddock_audit_list (audit, 0, 0, &error);
  g_assert_cmpuint (events->len, ==, 8);
  g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (events, 0), "id"), ==, 3);
  g_clear_pointer (&events, g_ptr_array_unref);
  /* Without export, 3 and 4 go too; a recent one never does. */
  g_assert_cmpint (paddock_audit_prune (audit, 30, 0, NULL, &error), ==, 2);
  g_assert_cmpint (paddock_audit_prune (audit, 30, 0, NULL, &error), ==, 0);

  /* By size: ~8 MB of events, cut to 1 MB, oldest first; the file shrinks. */
  for (int i = 0; i < 4000; i++)
    {
      g_autoptr(JsonObject) attrs = attributes ("n", i);
      json_object_set_string_member (attrs, "padding", padding);
      paddock_audit_append_async (audit, "paddock.tool_decision", attrs, NULL, NULL, NULL);
    }
  g_assert_cmpint ((big = paddock_audit_append (audit, "paddock.tool_result", NULL, &error)), >, 0);
  g_assert_cmpint (file_size (path) + file_size (wal), >, 4 * 1024 * 1024);
  g_assert_cmpint (paddock_audit_prune (audit, 0, 1024 * 1024, NULL, &error), >, 3000);
  g_assert_no_error (error);
  events = paddock_audit_list (audit, 0, 0, &error);
  g_assert_cmpuint (events->len, >, 100);
  g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (events, events->len - 1), "id"), ==, big);
  g_assert_cmpint (file_size (path), <, 2 * 1024 * 1024);
}

/* Each collector has its own place in the outbox and its own lease:
 * what one takes is still pending for another, and a holder's lease
 * keeps another process out until it is given back. */
static void
test_cursors (void)
{
  g_autofree char *dir = test_make_dir ("cursors");
  g_autofree char *path = g_build_filename (dir, "audit.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockAudit) audit = paddock_audit_open (path, &error);
  g_autoptr(GPtrArray) events = NULL;
  const gint64 first[] = { 1, 2, 3, 4, 5 }, rest[] = { 6, 7, 8, 9, 10 };
  const char *other = "https://other.example/v1/logs";
  gint64 after = -1;

  g_assert_no_error (error);
  for (int i = 0; i < 10; i++)
    g_assert_cmpint (paddock_audit_append (audit, "paddock.tool_decision", NULL, &error), ==, i + 1);

  g_assert_true (paddock_audit_lease_export (audit, COLLECTOR, "me", 60, &after, &error));
  g_assert_cmpint (after, ==, 0);
  g_assert_true (paddock_audit_mark_exported (audit, COLLECTOR, "me", first, 5, PADDOCK_AUDIT_EXPORTED, &error));
  /* Somebody else cannot take the lease, nor move the place. */
  g_assert_false (paddock_audit_lease_export (audit, COLLECTOR, "you", 60, &after, &error));
  g_assert_no_error (error);
  g_assert_false (paddock_audit_mark_exported (audit, COLLECTOR, "you", rest, 5, PADDOCK_AUDIT_EXPORTED, &error));
  g_assert_no_error (error);

  /* A collector never seen before starts after what was taken... */
  g_assert_true (paddock_audit_lease_export (audit, other, "you", 60, &after, &error));
  g_assert_cmpint (after, ==, 5);
  g_assert_true (paddock_audit_mark_exported (audit, other, "you", rest, 5, PADDOCK_AUDIT_EXPORTED, &error));
  g_assert_cmpint (paddock_audit_count_pending (audit, NULL, &error), ==, 0);
  /* ...and what it took is still the first collector's to send. */
  g_assert_true (paddock_audit_lease_export (audit, COLLECTOR, "me", 60, &after, &error));
  g_assert_cmpint (after, ==, 5);
  g_assert_cmpint (paddock_audit_prune (audit, 0, 1, COLLECTOR, &error), ==, 5);
  events = paddock_audit_list (audit, 0, 0, &error);
  g_assert_cmpuint (events->len, ==, 5);
  g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (events, 0), "id"), ==, 6);

  /* Given back, the lease is anybody's. */
  g_assert_false (paddock_audit_lease_export (audit, COLLECTOR, "me", 0, NULL, &error));
  g_assert_true (paddock_audit_lease_export (audit, COLLECTOR, "you", 60, &after, &error));
  g_assert_cmpint (after, ==, 5);
}

/* The person chooses the retention, but not below the organisation's. */
static void
test_retention_policy (void)
{
  g_autofree char *dir = test_make_dir ("retention");
  g_autoptr(PaddockPolicy) defaults = test_policy_new_with_defaults (dir, dir, -1);
  g_autoptr(PaddockPolicy) shorter = test_policy_new_with_defaults (dir, dir,
    PADDOCK_LAYER_USER, "{\"audit\": {\"retention_days\": 7, \"max_size_mb\": 10}}", -1);
  g_autoptr(PaddockPolicy) floor = test_policy_new_with_defaults (dir, dir,
    PADDOCK_LAYER_MANAGED, "{\"audit\": {\"retention_days\": 365}}",
    PADDOCK_LAYER_USER, "{\"audit\": {\"retention_days\": 7, \"max_size_mb\": 0}}", -1);
  g_autoptr(PaddockPolicy) longer = test_policy_new_with_defaults (dir, dir,
    PADDOCK_LAYER_SYSTEM, "{\"audit\": {\"retention_days\": 30}}",
    PADDOCK_LAYER_USER, "{\"audit\": {\"retention_days\": 400}}", -1);
  guint days;
  guint64 bytes;

  paddock_audit_retention_for_policy (defaults, &days, &bytes);
  g_assert_cmpuint (days, ==, 180);
  g_assert_cmpuint (bytes, ==, 1024 * 1024 * 1024);
  paddock_audit_retention_for_policy (shorter, &days, &bytes);
  g_assert_cmpuint (days, ==, 7);
  g_assert_cmpuint (bytes, ==, 10 * 1024 * 1024);
  paddock_audit_retention_for_policy (floor, &days, &bytes);
  g_assert_cmpuint (days, ==, 365);
  g_assert_cmpuint (bytes, ==, 0);
  paddock_audit_retention_for_policy (longer, &days, &bytes);
  g_assert_cmpuint (days, ==, 400);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/audit/round-trip", test_round_trip);
  g_test_add_func ("/audit/newer-schema", test_newer_schema);
  g_test_add_func ("/audit/read-only", test_read_only);
  g_test_add_func ("/audit/kill-during-burst", test_kill_during_burst);
  g_test_add_func ("/audit/closed", test_closed);
  g_test_add_func ("/audit/migration", test_migration);
  g_test_add_func ("/audit/prune", test_prune);
  g_test_add_func ("/audit/cursors", test_cursors);
  g_test_add_func ("/audit/retention-policy", test_retention_policy);

  return g_test_run ();
}
