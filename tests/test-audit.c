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

  return g_test_run ();
}
