/* paddock-audit.c
 *
 * One SQLite store in WAL mode, written by one thread: callers queue
 * events and are acknowledged only after the transaction holding them
 * is committed (synchronous=FULL), so a crash, even kill -9, loses
 * nothing that was acknowledged, and the UI thread never waits for the
 * disk. Readers use a connection of their own; WAL lets them read while
 * the writer writes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "paddock-audit.h"
#include "paddock-errors.h"

G_DEFINE_QUARK (paddock-audit-error-quark, paddock_audit_error)

/* The most events one transaction commits: enough to keep a burst
 * cheap, few enough that acknowledgements keep flowing. */
#define MAX_BATCH 512

typedef struct
{
  char *name;
  char *attributes;     /* JSON text */
  gint64 time_unix_nano;
  GTask *task;          /* NULL: the writer is asked to stop */
} Pending;

struct _PaddockAudit
{
  GObject parent_instance;

  char *path;
  sqlite3 *writer;      /* the writer thread's alone once it runs */
  sqlite3 *reader;
  GAsyncQueue *queue;   /* Pending* */
  GThread *thread;
  gboolean closed;
};

G_DEFINE_FINAL_TYPE (PaddockAudit, paddock_audit, G_TYPE_OBJECT)

static void
pending_free (Pending *pending)
{
  g_free (pending->name);
  g_free (pending->attributes);
  g_clear_object (&pending->task);
  g_free (pending);
}

static gboolean
exec (sqlite3     *db,
      const char  *sql,
      const char  *path,
      int          code,
      GError     **error)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) == SQLITE_OK)
    return TRUE;
  g_set_error (error, PADDOCK_AUDIT_ERROR, code, "the audit store %s: %s", path,
               message ? message : sqlite3_errmsg (db));
  sqlite3_free (message);
  return FALSE;
}

static sqlite3 *
open_connection (const char  *path,
                 int          flags,
                 GError     **error)
{
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db, flags | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK)
    {
      g_set_error (error, PADDOCK_AUDIT_ERROR, PADDOCK_AUDIT_ERROR_OPEN, "the audit store %s cannot be opened: %s",
                   path, db ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 5000);
  return db;
}

static int
user_version (sqlite3 *db)
{
  sqlite3_stmt *statement = NULL;
  int version = -1;

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &statement, NULL) == SQLITE_OK &&
      sqlite3_step (statement) == SQLITE_ROW)
    version = sqlite3_column_int (statement, 0);
  sqlite3_finalize (statement);
  return version;
}

/* Each step takes the schema from version N to N + 1, in one
 * transaction with the version bump. */
static const char * const migrations[] = {
  /* 0 → 1 */
  "CREATE TABLE events ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  time_unix_nano INTEGER NOT NULL,"
  "  name TEXT NOT NULL,"
  "  attributes TEXT NOT NULL,"
  "  exported INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX events_unexported ON events (id) WHERE exported = 0;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == PADDOCK_AUDIT_SCHEMA_VERSION);

static gboolean
migrate (sqlite3     *db,
         const char  *path,
         GError     **error)
{
  int version = user_version (db);

  if (version < 0)
    return paddock_fail (error, PADDOCK_AUDIT_ERROR, PADDOCK_AUDIT_ERROR_OPEN,
                         "the audit store %s cannot be read: %s", path, sqlite3_errmsg (db));
  if (version > PADDOCK_AUDIT_SCHEMA_VERSION)
    return paddock_fail (error, PADDOCK_AUDIT_ERROR, PADDOCK_AUDIT_ERROR_VERSION,
                         "the audit store %s has schema version %d, newer than this Paddock knows (%d); "
                         "it is left as it is", path, version, PADDOCK_AUDIT_SCHEMA_VERSION);

  for (int v = version; v < PADDOCK_AUDIT_SCHEMA_VERSION; v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", v + 1);

      if (!exec (db, "BEGIN IMMEDIATE", path, PADDOCK_AUDIT_ERROR_WRITE, error))
        return FALSE;
      if (!exec (db, migrations[v], path, PADDOCK_AUDIT_ERROR_WRITE, error) ||
          !exec (db, bump, path, PADDOCK_AUDIT_ERROR_WRITE, error) ||
          !exec (db, "COMMIT", path, PADDOCK_AUDIT_ERROR_WRITE, error))
        {
          exec (db, "ROLLBACK", path, PADDOCK_AUDIT_ERROR_WRITE, NULL);
          return FALSE;
        }
    }
  return TRUE;
}

/* --- the writer thread ---------------------------------------------------- */

static void
commit_batch (PaddockAudit *self,
              GPtrArray    *batch)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *insert = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean ok;

  ok = exec (self->writer, "BEGIN IMMEDIATE", self->path, PADDOCK_AUDIT_ERROR_WRITE, &error);
  if (ok && sqlite3_prepare_v2 (self->writer,
                                "INSERT INTO events (time_unix_nano, name, attributes) VALUES (?, ?, ?)",
                                -1, &insert, NULL) != SQLITE_OK)
    {
      g_set_error (&error, PADDOCK_AUDIT_ERROR, PADDOCK_AUDIT_ERROR_WRITE, "the audit store %s: %s",
                   self->path, sqlite3_errmsg (self->writer));
      ok = FALSE;
    }
  for (guint i = 0; ok && i < batch->len; i++)
    {
      Pending *pending = g_ptr_array_index (batch, i);
      gint64 id;

      sqlite3_reset (insert);
      sqlite3_bind_int64 (insert, 1, pending->time_unix_nano);
      sqlite3_bind_text (insert, 2, pending->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 3, pending->attributes, -1, SQLITE_STATIC);
      if (sqlite3_step (insert) != SQLITE_DONE)
        {
          g_set_error (&error, PADDOCK_AUDIT_ERROR, PADDOCK_AUDIT_ERROR_WRITE, "the audit store %s: %s",
                       self->path, sqlite3_errmsg (self->writer));
          ok = FALSE;
          break;
        }
      id = sqlite3_last_insert_rowid (self->writer);
      g_array_append_val (ids, id);
    }
  sqlite3_finalize (insert);
  if (ok)
    ok = exec (self->writer, "COMMIT", self->path, PADDOCK_AUDIT_ERROR_WRITE, &error);
  if (!ok)
    exec (self->writer, "ROLLBACK", self->path, PADDOCK_AUDIT_ERROR_WRITE, NULL);

  /* Acknowledged only now, after the commit: never before. */
  for (guint i = 0; i < batch->len; i++)
    {
      Pending *pending = g_ptr_array_index (batch, i);

      if (ok)
        g_task_return_int (pending->task, g_array_index (ids, gint64, i));
      else
        g_task_return_error (pending->task, g_error_copy (error));
    }
}

static gpointer
writer_main (gpointer data)
{
  PaddockAudit *self = data;
  gboolean stop = FALSE;

  while (!stop)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free);
      Pending *pending = g_async_queue_pop (self->queue);

      do
        {
          if (pending->task == NULL)
            {
              pending_free (pending);
              stop = TRUE;
              break;
            }
          g_ptr_array_add (batch, pending);
        }
      while (batch->len < MAX_BATCH && (pending = g_async_queue_try_pop (self->queue)) != NULL);

      if (batch->len > 0)
        commit_batch (self, batch);
    }
  return NULL;
}

/* --- the store ------------------------------------------------------------------ */

PaddockAudit *
paddock_audit_open (const char  *path,
                    GError     **error)
{
  g_autoptr(PaddockAudit) self = NULL;
  g_autofree char *folder = NULL;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  folder = g_path_get_dirname (path);
  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, PADDOCK_AUDIT_ERROR, PADDOCK_AUDIT_ERROR_OPEN, "the audit store's folder %s cannot be made: %s",
                   folder, g_strerror (saved_errno));
      return NULL;
    }
  /* Made private before SQLite opens it: the WAL and its index take the
   * same mode. */
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, PADDOCK_AUDIT_ERROR, PADDOCK_AUDIT_ERROR_WRITE, "the audit store %s cannot be written: %s",
                   path, g_strerror (saved_errno));
      return NULL;
    }
  close (fd);

  self = g_object_new (PADDOCK_TYPE_AUDIT, NULL);
  self->path = g_strdup (path);
  self->writer = open_connection (path, SQLITE_OPEN_READWRITE, error);
  if (self->writer == NULL)
    return NULL;
  if (!exec (self->writer, "PRAGMA journal_mode = WAL", path, PADDOCK_AUDIT_ERROR_OPEN, error) ||
      !exec (self->writer, "PRAGMA synchronous = FULL", path, PADDOCK_AUDIT_ERROR_OPEN, error) ||
      !migrate (self->writer, path, error) ||
      /* A store that can be read but not written is refused now, not at
       * the first event. */
      !exec (self->writer, "BEGIN IMMEDIATE; COMMIT", path, PADDOCK_AUDIT_ERROR_WRITE, error))
    return NULL;
  self->reader = open_connection (path, SQLITE_OPEN_READONLY, error);
  if (self->reader == NULL)
    return NULL;

  self->queue = g_async_queue_new ();
  self->thread = g_thread_new ("paddock-audit", writer_main, self);
  return g_steal_pointer (&self);
}

void
paddock_audit_append_async (PaddockAudit        *self,
                            const char          *name,
                            JsonObject          *attributes,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonNode) node = NULL;
  Pending *pending;

  g_return_if_fail (PADDOCK_IS_AUDIT (self));
  g_return_if_fail (name != NULL);

  /* No source object: the writer thread drops its task, and the last
   * reference to the store must never be dropped there (closing joins
   * that very thread). The store outlives its tasks: closing waits. */
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, paddock_audit_append_async);
  /* Once queued, an event is written whatever happens to the caller. */
  g_task_set_check_cancellable (task, FALSE);

  if (self->closed)
    {
      g_task_return_new_error (task, PADDOCK_AUDIT_ERROR, PADDOCK_AUDIT_ERROR_CLOSED,
                               "the audit store %s is closed", self->path);
      return;
    }

  node = json_node_init_object (json_node_alloc (), attributes ? attributes : json_object_new ());
  pending = g_new0 (Pending, 1);
  pending->name = g_strdup (name);
  pending->attributes = json_to_string (node, FALSE);
  pending->time_unix_nano = g_get_real_time () * 1000;
  pending->task = g_steal_pointer (&task);
  if (attributes == NULL)
    json_object_unref (json_node_get_object (node));
  g_async_queue_push (self->queue, pending);
}

gint64
paddock_audit_append_finish (PaddockAudit  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  gssize id;

  g_return_val_if_fail (g_task_is_valid (result, NULL), 0);

  id = g_task_propagate_int (G_TASK (result), error);
  return id < 0 ? 0 : id;
}

typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
} Wait;

static void
on_appended (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

gint64
paddock_audit_append (PaddockAudit  *self,
                      const char    *name,
                      JsonObject    *attributes,
                      GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait = { loop, NULL };

  g_return_val_if_fail (PADDOCK_IS_AUDIT (self), 0);

  g_main_context_push_thread_default (context);
  paddock_audit_append_async (self, name, attributes, NULL, on_appended, &wait);
  g_main_loop_run (loop);
  g_main_context_pop_thread_default (context);
  result = wait.result;
  return paddock_audit_append_finish (self, result, error);
}

GPtrArray *
paddock_audit_list (PaddockAudit  *self,
                    gint64         after_id,
                    guint          limit,
                    GError       **error)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  sqlite3_stmt *select = NULL;
  int status;

  g_return_val_if_fail (PADDOCK_IS_AUDIT (self), NULL);

  if (sqlite3_prepare_v2 (self->reader,
                          "SELECT id, time_unix_nano, name, attributes FROM events WHERE id > ? ORDER BY id LIMIT ?",
                          -1, &select, NULL) != SQLITE_OK)
    {
      g_set_error (error, PADDOCK_AUDIT_ERROR, PADDOCK_AUDIT_ERROR_OPEN, "the audit store %s: %s", self->path,
                   sqlite3_errmsg (self->reader));
      return NULL;
    }
  sqlite3_bind_int64 (select, 1, after_id);
  sqlite3_bind_int64 (select, 2, limit ? (gint64) limit : -1);
  while ((status = sqlite3_step (select)) == SQLITE_ROW)
    {
      JsonObject *event = json_object_new ();
      g_autoptr(JsonNode) attributes = json_from_string ((const char *) sqlite3_column_text (select, 3), NULL);

      json_object_set_int_member (event, "id", sqlite3_column_int64 (select, 0));
      json_object_set_int_member (event, "time_unix_nano", sqlite3_column_int64 (select, 1));
      json_object_set_string_member (event, "name", (const char *) sqlite3_column_text (select, 2));
      if (attributes != NULL && JSON_NODE_HOLDS_OBJECT (attributes))
        json_object_set_member (event, "attributes", g_steal_pointer (&attributes));
      else
        json_object_set_object_member (event, "attributes", json_object_new ());
      g_ptr_array_add (events, event);
    }
  sqlite3_finalize (select);
  if (status != SQLITE_DONE)
    {
      g_set_error (error, PADDOCK_AUDIT_ERROR, PADDOCK_AUDIT_ERROR_OPEN, "the audit store %s: %s", self->path,
                   sqlite3_errmsg (self->reader));
      return NULL;
    }
  return g_steal_pointer (&events);
}

void
paddock_audit_close (PaddockAudit *self)
{
  Pending *stop;

  g_return_if_fail (PADDOCK_IS_AUDIT (self));

  if (self->closed)
    return;
  self->closed = TRUE;
  if (self->thread != NULL)
    {
      stop = g_new0 (Pending, 1);
      g_async_queue_push (self->queue, stop);
      g_thread_join (self->thread);
      self->thread = NULL;
    }
  g_clear_pointer (&self->writer, sqlite3_close);
  g_clear_pointer (&self->reader, sqlite3_close);
}

static void
paddock_audit_finalize (GObject *object)
{
  PaddockAudit *self = PADDOCK_AUDIT (object);

  paddock_audit_close (self);
  g_clear_pointer (&self->queue, g_async_queue_unref);
  g_free (self->path);

  G_OBJECT_CLASS (paddock_audit_parent_class)->finalize (object);
}

static void
paddock_audit_class_init (PaddockAuditClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = paddock_audit_finalize;
}

static void
paddock_audit_init (PaddockAudit *self)
{
}
