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
#include <signal.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "paddock-audit.h"
#include "paddock-audit-session.h"
#include "paddock-errors.h"

G_DEFINE_QUARK (paddock-audit-error-quark, paddock_audit_error)

/* The most events one transaction commits: enough to keep a burst
 * cheap, few enough that acknowledgements keep flowing. */
#define MAX_BATCH 2048

/* Events between two prunings by the writer. */
#define PRUNE_EVERY 10000

/* What the writer thread is asked to do. */
typedef enum
{
  OP_APPEND,
  OP_MARK,
  OP_LEASE,
  OP_PRUNE,
  OP_STOP,
} OpKind;

typedef struct
{
  OpKind kind;
  char *name;           /* OP_APPEND: the event */
  char *attributes;     /* JSON text */
  char *session_id;
  char *workspace_id;
  gint64 time_unix_nano;
  GArray *ids;          /* OP_MARK: gint64, and the state they take */
  int state;
  char *endpoint;       /* OP_MARK, OP_LEASE; OP_PRUNE: whose unsent events stay */
  char *holder;
  guint seconds;
  guint max_age_days;   /* OP_PRUNE */
  guint64 max_bytes;
  GTask *task;
} Op;

struct _PaddockAudit
{
  GObject parent_instance;

  char *path;
  sqlite3 *writer;      /* the writer thread's alone once it runs */
  sqlite3 *reader;
  GMutex reader_lock;   /* readers come from any thread */
  GMutex queue_lock;    /* @closed, and pushing onto @queue */
  GAsyncQueue *queue;   /* Op* */
  GThread *thread;
  GMutex notify_lock;   /* so a notify never outlives its unsetting; guards retention too */
  guint retention_days;
  guint64 retention_bytes;
  char *retention_endpoint;
  guint since_prune;    /* the writer's: events appended since it last pruned */
  PaddockAuditNotify notify;
  gpointer notify_data;
  gboolean closed;
};

G_DEFINE_FINAL_TYPE (PaddockAudit, paddock_audit, G_TYPE_OBJECT)

static void
op_free (Op *op)
{
  g_free (op->name);
  g_free (op->attributes);
  g_free (op->session_id);
  g_free (op->workspace_id);
  g_clear_pointer (&op->ids, g_array_unref);
  g_free (op->endpoint);
  g_free (op->holder);
  g_clear_object (&op->task);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Op, op_free)

static gboolean
fail_sql (GError     **error,
          int          code,
          const char  *path,
          sqlite3     *db)
{
  return paddock_fail (error, PADDOCK_AUDIT_ERROR, code, "the audit store %s: %s", path, sqlite3_errmsg (db));
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
  /* A short-lived paddockctl should not pay a checkpoint, nor make the
   * next one create (and sync) the WAL again: SQLite checkpoints on its
   * own as the WAL grows. */
  sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  {
    int persist = 1;
    sqlite3_file_control (db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  }
  return db;
}

/* The one integer @sql selects, or @fallback. */
static gint64
query_int (sqlite3    *db,
           const char *sql,
           gint64      fallback)
{
  sqlite3_stmt *statement = NULL;
  gint64 value = fallback;

  if (sqlite3_prepare_v2 (db, sql, -1, &statement, NULL) == SQLITE_OK && sqlite3_step (statement) == SQLITE_ROW)
    value = sqlite3_column_int64 (statement, 0);
  sqlite3_finalize (statement);
  return value;
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
  /* 1 → 2: what queries filter on, and the exporter's lease */
  "ALTER TABLE events ADD COLUMN session_id TEXT;"
  "ALTER TABLE events ADD COLUMN workspace_id TEXT;"
  "UPDATE events SET session_id = json_extract (attributes, '$.\"session.id\"'),"
  "                  workspace_id = json_extract (attributes, '$.\"workspace.id\"');"
  "CREATE INDEX events_time ON events (time_unix_nano);"
  "CREATE INDEX events_session ON events (session_id, id);"
  "CREATE INDEX events_workspace ON events (workspace_id, id);"
  "CREATE TABLE export_lease ("
  "  id INTEGER PRIMARY KEY CHECK (id = 1),"
  "  holder TEXT NOT NULL,"
  "  expires_unix INTEGER NOT NULL);",
  /* 2 → 3: each collector its own place in the outbox, and its own
   * lease: one that an OTEL_* variable points at for one run never
   * takes events from the collector the policy names */
  "DROP TABLE export_lease;"
  "CREATE TABLE export_cursor ("
  "  endpoint TEXT PRIMARY KEY,"
  "  last_id INTEGER NOT NULL,"
  "  holder TEXT,"
  "  expires_unix INTEGER NOT NULL DEFAULT 0);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == PADDOCK_AUDIT_SCHEMA_VERSION);

static gboolean
migrate (sqlite3     *db,
         const char  *path,
         GError     **error)
{
  /* Each step reads the version inside its own transaction: another
   * process opening the store at the same time may have taken it. */
  for (;;)
    {
      g_autofree char *bump = NULL;
      int version;

      if (!exec (db, "BEGIN IMMEDIATE", path, PADDOCK_AUDIT_ERROR_WRITE, error))
        return FALSE;
      version = query_int (db, "PRAGMA user_version", -1);
      if (version < 0 || version >= PADDOCK_AUDIT_SCHEMA_VERSION)
        {
          exec (db, "ROLLBACK", path, PADDOCK_AUDIT_ERROR_WRITE, NULL);
          if (version < 0)
            return paddock_fail (error, PADDOCK_AUDIT_ERROR, PADDOCK_AUDIT_ERROR_OPEN,
                                 "the audit store %s cannot be read: %s", path, sqlite3_errmsg (db));
          if (version > PADDOCK_AUDIT_SCHEMA_VERSION)
            return paddock_fail (error, PADDOCK_AUDIT_ERROR, PADDOCK_AUDIT_ERROR_VERSION,
                                 "the audit store %s has schema version %d, newer than this Paddock knows (%d); "
                                 "it is left as it is", path, version, PADDOCK_AUDIT_SCHEMA_VERSION);
          return TRUE;
        }
      bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);
      if (!exec (db, migrations[version], path, PADDOCK_AUDIT_ERROR_WRITE, error) ||
          !exec (db, bump, path, PADDOCK_AUDIT_ERROR_WRITE, error) ||
          !exec (db, "COMMIT", path, PADDOCK_AUDIT_ERROR_WRITE, error))
        {
          exec (db, "ROLLBACK", path, PADDOCK_AUDIT_ERROR_WRITE, NULL);
          return FALSE;
        }
    }
}

/* --- the writer thread ---------------------------------------------------- */

static gboolean
begin (PaddockAudit  *self,
       GError       **error)
{
  return exec (self->writer, "BEGIN IMMEDIATE", self->path, PADDOCK_AUDIT_ERROR_WRITE, error);
}

static gboolean
commit (PaddockAudit  *self,
        gboolean       ok,
        GError       **error)
{
  if (ok && exec (self->writer, "COMMIT", self->path, PADDOCK_AUDIT_ERROR_WRITE, error))
    return TRUE;
  exec (self->writer, "ROLLBACK", self->path, PADDOCK_AUDIT_ERROR_WRITE, NULL);
  return FALSE;
}

/* A batch's acknowledgements, for the main context they belong to. */
typedef struct
{
  GMainContext *context;
  GPtrArray *tasks;
  GArray *ids;          /* gint64, one per task when committed */
  GError *error;        /* else why not */
} Acks;

static void
acks_free (Acks *acks)
{
  g_ptr_array_unref (acks->tasks);
  g_array_unref (acks->ids);
  g_clear_error (&acks->error);
  g_free (acks);
}

static gboolean
deliver_acks (gpointer data)
{
  Acks *acks = data;

  for (guint i = 0; i < acks->tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (acks->tasks, i);

      if (acks->error != NULL)
        g_task_return_error (task, g_error_copy (acks->error));
      else
        g_task_return_int (task, g_array_index (acks->ids, gint64, i));
    }
  return G_SOURCE_REMOVE;
}

static void
commit_batch (PaddockAudit *self,
              GPtrArray    *batch)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *insert = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) groups = g_ptr_array_new ();
  gboolean ok;

  ok = begin (self, &error);
  if (ok && sqlite3_prepare_v2 (self->writer,
                                "INSERT INTO events (time_unix_nano, name, attributes, session_id, workspace_id)"
                                " VALUES (?, ?, ?, ?, ?)", -1, &insert, NULL) != SQLITE_OK)
    ok = fail_sql (&error, PADDOCK_AUDIT_ERROR_WRITE, self->path, self->writer);
  for (guint i = 0; ok && i < batch->len; i++)
    {
      Op *op = g_ptr_array_index (batch, i);
      gint64 id;

      sqlite3_reset (insert);
      sqlite3_bind_int64 (insert, 1, op->time_unix_nano);
      sqlite3_bind_text (insert, 2, op->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 3, op->attributes, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 4, op->session_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 5, op->workspace_id, -1, SQLITE_STATIC);
      if (sqlite3_step (insert) != SQLITE_DONE)
        {
          ok = fail_sql (&error, PADDOCK_AUDIT_ERROR_WRITE, self->path, self->writer);
          break;
        }
      id = sqlite3_last_insert_rowid (self->writer);
      g_array_append_val (ids, id);
    }
  sqlite3_finalize (insert);
  ok = commit (self, ok, &error);

  /* Acknowledged only now, after the commit: never before. One call
   * per caller's main context for the whole batch, not one per event,
   * keeps a burst from flooding the UI's main loop. */
  for (guint i = 0; i < batch->len; i++)
    {
      Op *op = g_ptr_array_index (batch, i);
      GMainContext *context = g_task_get_context (op->task);
      Acks *acks = NULL;

      for (guint g = 0; g < groups->len && acks == NULL; g++)
        if (((Acks *) g_ptr_array_index (groups, g))->context == context)
          acks = g_ptr_array_index (groups, g);
      if (acks == NULL)
        {
          acks = g_new0 (Acks, 1);
          acks->context = context;
          acks->tasks = g_ptr_array_new_with_free_func (g_object_unref);
          acks->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
          acks->error = ok ? NULL : g_error_copy (error);
          g_ptr_array_add (groups, acks);
        }
      g_ptr_array_add (acks->tasks, g_steal_pointer (&op->task));
      if (ok)
        g_array_append_val (acks->ids, g_array_index (ids, gint64, i));
    }
  for (guint g = 0; g < groups->len; g++)
    {
      Acks *acks = g_ptr_array_index (groups, g);
      g_autoptr(GSource) source = g_idle_source_new ();

      /* Below redrawing: a burst's acknowledgements never hold a frame
       * back; whole batches, so they arrive in the order of the ids. */
      g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
      g_source_set_callback (source, deliver_acks, acks, (GDestroyNotify) acks_free);
      g_source_attach (source, acks->context);
    }

  g_mutex_lock (&self->notify_lock);
  if (ok && self->notify != NULL)
    self->notify (self->notify_data);
  g_mutex_unlock (&self->notify_lock);
  self->since_prune += batch->len;
}

/* Runs @sql with @holder, @endpoint and @number bound as ?1, ?2 and ?3. */
static gboolean
run_sql (PaddockAudit  *self,
         const char    *sql,
         const char    *holder,
         const char    *endpoint,
         gint64         number,
         GError       **error)
{
  sqlite3_stmt *statement = NULL;
  gboolean ok;

  if (sqlite3_prepare_v2 (self->writer, sql, -1, &statement, NULL) != SQLITE_OK)
    return fail_sql (error, PADDOCK_AUDIT_ERROR_WRITE, self->path, self->writer);
  sqlite3_bind_text (statement, 1, holder, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 2, endpoint, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (statement, 3, number);
  ok = sqlite3_step (statement) == SQLITE_DONE || fail_sql (error, PADDOCK_AUDIT_ERROR_WRITE, self->path, self->writer);
  sqlite3_finalize (statement);
  return ok;
}

/* The holder and end of @endpoint's lease, and how far it has sent:
 * FALSE when it has no cursor yet. */
static gboolean
read_cursor (PaddockAudit  *self,
             const char    *endpoint,
             char         **holder,
             gint64        *expires,
             gint64        *last_id)
{
  sqlite3_stmt *select = NULL;
  gboolean found = FALSE;

  if (sqlite3_prepare_v2 (self->writer, "SELECT holder, expires_unix, last_id FROM export_cursor WHERE endpoint = ?",
                          -1, &select, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (select, 1, endpoint, -1, SQLITE_STATIC);
      if ((found = sqlite3_step (select) == SQLITE_ROW))
        {
          *holder = g_strdup ((const char *) sqlite3_column_text (select, 0));
          *expires = sqlite3_column_int64 (select, 1);
          *last_id = sqlite3_column_int64 (select, 2);
        }
    }
  sqlite3_finalize (select);
  return found;
}

/* Where a collector never seen before starts: after everything some
 * collector already took, before the oldest event none did. */
#define FIRST_CURSOR "SELECT coalesce ((SELECT min (id) - 1 FROM events WHERE exported = 0)," \
                     " (SELECT max (id) FROM events), 0)"

/* Marks the events sent to (or refused by) op->endpoint and moves its
 * cursor past them, only while op->holder still holds its lease: 1, or
 * 0 when the lease was lost and nothing changed. */
static int
run_mark (PaddockAudit  *self,
          Op            *op,
          GError       **error)
{
  g_autofree char *holder = NULL;
  gint64 expires, last_id, newest = 0;
  sqlite3_stmt *update = NULL;
  gboolean ok = begin (self, error);
  gboolean held = FALSE;

  if (ok)
    held = read_cursor (self, op->endpoint, &holder, &expires, &last_id) && g_strcmp0 (holder, op->holder) == 0;
  if (ok && held && sqlite3_prepare_v2 (self->writer,
                                        "UPDATE events SET exported = ? WHERE id = ? AND exported = 0", -1,
                                        &update, NULL) != SQLITE_OK)
    ok = fail_sql (error, PADDOCK_AUDIT_ERROR_WRITE, self->path, self->writer);
  for (guint i = 0; ok && held && i < op->ids->len; i++)
    {
      sqlite3_reset (update);
      sqlite3_bind_int (update, 1, op->state);
      sqlite3_bind_int64 (update, 2, g_array_index (op->ids, gint64, i));
      newest = MAX (newest, g_array_index (op->ids, gint64, i));
      if (sqlite3_step (update) != SQLITE_DONE)
        ok = fail_sql (error, PADDOCK_AUDIT_ERROR_WRITE, self->path, self->writer);
    }
  sqlite3_finalize (update);
  if (ok && held)
    ok = run_sql (self, "UPDATE export_cursor SET last_id = max (last_id, ?3) WHERE holder = ?1 AND endpoint = ?2",
                  op->holder, op->endpoint, newest, error);
  if (!commit (self, ok, error))
    return -1;
  return held ? 1 : 0;
}

/* A holder ("HOST PID …") on this machine whose process has ended:
 * killed, it never gave the lease back, and nobody need wait for it to
 * expire. A holder elsewhere, or one that lives, keeps it. */
static gboolean
holder_is_gone (const char *holder)
{
  g_auto(GStrv) parts = holder ? g_strsplit (holder, " ", 3) : NULL;
  guint64 pid;

  if (parts == NULL || g_strv_length (parts) < 2 || !g_str_equal (parts[0], g_get_host_name ()) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 1, G_MAXINT32, &pid, NULL))
    return FALSE;
  return kill ((pid_t) pid, 0) != 0 && errno == ESRCH;
}

/* Takes, renews or (seconds 0) gives back op->endpoint's lease: its
 * cursor + 1 when held, 0 when another live holder has it, -1 on error. */
static gint64
run_lease (PaddockAudit  *self,
           Op            *op,
           GError       **error)
{
  g_autofree char *holder = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 expires = 0, last_id = 0;
  gboolean ok = begin (self, error);
  gboolean found = ok && read_cursor (self, op->endpoint, &holder, &expires, &last_id);
  gboolean free_to_take = !found || g_strcmp0 (holder, op->holder) == 0 || expires <= now ||
                          holder_is_gone (holder);

  if (ok && !found)
    {
      last_id = query_int (self->writer, FIRST_CURSOR, 0);
      ok = run_sql (self, "INSERT INTO export_cursor (holder, endpoint, last_id) VALUES (?1, ?2, ?3)",
                    op->holder, op->endpoint, last_id, error);
    }
  if (ok && free_to_take)
    ok = run_sql (self, "UPDATE export_cursor SET holder = ?1, expires_unix = ?3 WHERE endpoint = ?2",
                  op->holder, op->endpoint, op->seconds > 0 ? now + op->seconds : 0, error);
  if (!commit (self, ok, error))
    return -1;
  return free_to_take && op->seconds > 0 ? last_id + 1 : 0;
}

/* What the events take on disk: the pages that are not free. */
#define LIVE_BYTES "SELECT (page_count - freelist_count) * page_size" \
                   " FROM pragma_page_count (), pragma_freelist_count (), pragma_page_size ()"

static gint64
run_prune (PaddockAudit  *self,
           Op            *op,
           GError       **error)
{
  sqlite3_stmt *statement = NULL;
  gint64 deleted = 0;
  gint64 live;
  gint64 keep_above = G_MAXINT64;  /* what the collector has not taken stays */
  gboolean ok = TRUE;

  /* The policy's collector gets its place now, before another takes
   * events it has not seen. */
  if (op->endpoint != NULL)
    {
      g_autofree char *holder = NULL;
      gint64 expires;

      if (!begin (self, error))
        return -1;
      if (!read_cursor (self, op->endpoint, &holder, &expires, &keep_above))
        {
          keep_above = query_int (self->writer, FIRST_CURSOR, 0);
          ok = run_sql (self, "INSERT INTO export_cursor (holder, endpoint, last_id) VALUES (?1, ?2, ?3)", NULL,
                        op->endpoint, keep_above, error);
        }
      if (!commit (self, ok, error))
        return -1;
    }

  if (op->max_age_days > 0)
    {
      gint64 cutoff = (g_get_real_time () - (gint64) op->max_age_days * 24 * 3600 * G_USEC_PER_SEC) * 1000;

      ok = begin (self, error);
      if (ok && sqlite3_prepare_v2 (self->writer,
                                    "DELETE FROM events WHERE time_unix_nano < ? AND id <= ?",
                                    -1, &statement, NULL) != SQLITE_OK)
        ok = fail_sql (error, PADDOCK_AUDIT_ERROR_WRITE, self->path, self->writer);
      if (ok)
        {
          sqlite3_bind_int64 (statement, 1, cutoff);
          sqlite3_bind_int64 (statement, 2, keep_above);
          if (sqlite3_step (statement) != SQLITE_DONE)
            ok = fail_sql (error, PADDOCK_AUDIT_ERROR_WRITE, self->path, self->writer);
          deleted += sqlite3_changes (self->writer);
        }
      g_clear_pointer (&statement, sqlite3_finalize);
      if (!commit (self, ok, error))
        return -1;
    }

  /* Oldest first, about as many as the excess holds, until the live
   * pages fit. */
  while (op->max_bytes > 0 && (guint64) (live = query_int (self->writer, LIVE_BYTES, 0)) > op->max_bytes)
    {
      gint64 count = query_int (self->writer, "SELECT count(*) FROM events", 0);
      gint64 slice = count > 0 ? ((live - (gint64) op->max_bytes) / MAX (live / count, 1)) + 16 : 0;
      int changes = 0;

      ok = begin (self, error);
      if (ok && sqlite3_prepare_v2 (self->writer,
                                    "DELETE FROM events WHERE id IN (SELECT id FROM events"
                                    " WHERE id <= ? ORDER BY id LIMIT ?)",
                                    -1, &statement, NULL) != SQLITE_OK)
        ok = fail_sql (error, PADDOCK_AUDIT_ERROR_WRITE, self->path, self->writer);
      if (ok)
        {
          sqlite3_bind_int64 (statement, 1, keep_above);
          sqlite3_bind_int64 (statement, 2, MIN (slice, count));
          if (sqlite3_step (statement) != SQLITE_DONE)
            ok = fail_sql (error, PADDOCK_AUDIT_ERROR_WRITE, self->path, self->writer);
          changes = sqlite3_changes (self->writer);
        }
      g_clear_pointer (&statement, sqlite3_finalize);
      if (!commit (self, ok, error))
        return -1;
      deleted += changes;
      /* Nothing left that may go: what remains waits for the collector. */
      if (changes == 0)
        break;
    }

  if (deleted > 0 &&
      (!exec (self->writer, "PRAGMA incremental_vacuum", self->path, PADDOCK_AUDIT_ERROR_WRITE, error) ||
       !exec (self->writer, "PRAGMA wal_checkpoint (TRUNCATE)", self->path, PADDOCK_AUDIT_ERROR_WRITE, error)))
    return -1;
  return deleted;
}

/* The retention in force, as an op of the writer's own. */
static Op *
retention_op (PaddockAudit *self)
{
  Op *op = g_new0 (Op, 1);

  op->kind = OP_PRUNE;
  g_mutex_lock (&self->notify_lock);
  op->max_age_days = self->retention_days;
  op->max_bytes = self->retention_bytes;
  op->endpoint = g_strdup (self->retention_endpoint);
  g_mutex_unlock (&self->notify_lock);
  return op;
}

static void
run_op (PaddockAudit *self,
        Op           *op)
{
  g_autoptr(GError) error = NULL;
  gint64 value;

  switch (op->kind)
    {
    case OP_MARK:
      value = run_mark (self, op, &error);
      break;
    case OP_LEASE:
      value = run_lease (self, op, &error);
      break;
    case OP_PRUNE:
      value = run_prune (self, op, &error);
      break;
    case OP_APPEND:
    case OP_STOP:
    default:
      g_assert_not_reached ();
    }
  if (op->task == NULL)
    {
      /* The writer's own pruning: a failure shows at the next append. */
      if (error != NULL)
        g_debug ("%s", error->message);
      return;
    }
  if (value < 0)
    g_task_return_error (op->task, g_steal_pointer (&error));
  else
    g_task_return_int (op->task, value);
}

static gpointer
writer_main (gpointer data)
{
  PaddockAudit *self = data;
  Op *next = NULL;

  for (;;)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) op_free);
      g_autoptr(Op) op = next ? next : g_async_queue_pop (self->queue);

      next = NULL;
      if (op->kind == OP_STOP)
        return NULL;
      if (op->kind != OP_APPEND)
        {
          run_op (self, op);
          continue;
        }

      /* Appends queued together are committed together. */
      g_ptr_array_add (batch, g_steal_pointer (&op));
      while (batch->len < MAX_BATCH && (next = g_async_queue_try_pop (self->queue)) != NULL &&
             next->kind == OP_APPEND)
        {
          g_ptr_array_add (batch, next);
          next = NULL;
        }
      commit_batch (self, batch);

      /* Retention is kept as the store grows, not only when opened. */
      if (self->since_prune >= PRUNE_EVERY)
        {
          g_autoptr(Op) prune = retention_op (self);

          self->since_prune = 0;
          run_op (self, prune);
        }
    }
}

/* --- the store ------------------------------------------------------------------ */

char *
paddock_audit_dup_default_path (void)
{
  return g_build_filename (g_get_user_state_dir (), "paddock", "audit.sqlite", NULL);
}

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
  /* Pruning gives pages back to the file system; this only takes on a
   * store with no table yet (setting it again would write the header
   * each time), and older ones are vacuumed into it below. */
  if ((query_int (self->writer, "PRAGMA user_version", -1) == 0 &&
       !exec (self->writer, "PRAGMA auto_vacuum = INCREMENTAL", path, PADDOCK_AUDIT_ERROR_OPEN, error)) ||
      !exec (self->writer, "PRAGMA journal_mode = WAL", path, PADDOCK_AUDIT_ERROR_OPEN, error) ||
      !exec (self->writer, "PRAGMA synchronous = FULL", path, PADDOCK_AUDIT_ERROR_OPEN, error) ||
      !migrate (self->writer, path, error) ||
      /* A store that can be read but not written is refused now, not at
       * the first event. */
      !exec (self->writer, "BEGIN IMMEDIATE; COMMIT", path, PADDOCK_AUDIT_ERROR_WRITE, error))
    return NULL;
  if (query_int (self->writer, "PRAGMA auto_vacuum", -1) != 2 &&
      !exec (self->writer, "PRAGMA auto_vacuum = INCREMENTAL; VACUUM", path, PADDOCK_AUDIT_ERROR_WRITE, error))
    return NULL;
  self->reader = open_connection (path, SQLITE_OPEN_READONLY, error);
  if (self->reader == NULL)
    return NULL;

  self->queue = g_async_queue_new ();
  self->thread = g_thread_new ("paddock-audit", writer_main, self);
  return g_steal_pointer (&self);
}

const char *
paddock_audit_get_path (PaddockAudit *self)
{
  g_return_val_if_fail (PADDOCK_IS_AUDIT (self), NULL);

  return self->path;
}

void
paddock_audit_set_commit_notify (PaddockAudit       *self,
                                 PaddockAuditNotify  func,
                                 gpointer            data)
{
  g_return_if_fail (PADDOCK_IS_AUDIT (self));

  g_mutex_lock (&self->notify_lock);
  self->notify = func;
  self->notify_data = data;
  g_mutex_unlock (&self->notify_lock);
}

/* Hands @op to the writer, or fails its task if the store is closed. */
static void
fail_closed_op (PaddockAudit *self,
                Op           *op)
{
  if (op->task != NULL)
    g_task_return_new_error (op->task, PADDOCK_AUDIT_ERROR, PADDOCK_AUDIT_ERROR_CLOSED,
                             "the audit store %s is closed", self->path);
  op_free (op);
}

static void
queue_op (PaddockAudit *self,
          Op           *op)
{
  /* Under the lock that closing takes: nothing lands behind the stop. */
  g_mutex_lock (&self->queue_lock);
  if (self->closed)
    {
      g_mutex_unlock (&self->queue_lock);
      fail_closed_op (self, op);
      return;
    }
  /* The outbox's own work jumps the queue: it only touches committed
   * events, and an exporter should not wait behind a burst. */
  if (op->kind == OP_APPEND)
    g_async_queue_push (self->queue, op);
  else
    g_async_queue_push_front (self->queue, op);
  g_mutex_unlock (&self->queue_lock);
}

/* The event, ready for the writer; its task is the caller's to add. */
static Op *
append_op (const char *name,
           JsonObject *attributes)
{
  g_autoptr(JsonNode) node = NULL;
  Op *op = g_new0 (Op, 1);

  node = json_node_init_object (json_node_alloc (), attributes ? attributes : json_object_new ());
  op->kind = OP_APPEND;
  op->name = g_strdup (name);
  op->attributes = json_to_string (node, FALSE);
  op->session_id = g_strdup (paddock_json_get_string (attributes, "session.id", NULL));
  op->workspace_id = g_strdup (paddock_json_get_string (attributes, "workspace.id", NULL));
  op->time_unix_nano = g_get_real_time () * 1000;
  if (attributes == NULL)
    json_object_unref (json_node_get_object (node));
  return op;
}

void
paddock_audit_append_async (PaddockAudit        *self,
                            const char          *name,
                            JsonObject          *attributes,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  Op *op;

  g_return_if_fail (PADDOCK_IS_AUDIT (self));
  g_return_if_fail (name != NULL);

  op = append_op (name, attributes);
  /* No source object: the writer thread drops its task, and the last
   * reference to the store must never be dropped there (closing joins
   * that very thread). The store outlives its tasks: closing waits. */
  op->task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (op->task, paddock_audit_append_async);
  /* Once queued, an event is written whatever happens to the caller. */
  g_task_set_check_cancellable (op->task, FALSE);
  queue_op (self, op);
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
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

/* Queues @op and waits, in a main context of its own, for its result. */
static gint64
run_and_wait (PaddockAudit  *self,
              Op            *op,
              GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait = { loop, NULL };

  g_main_context_push_thread_default (context);
  op->task = g_task_new (NULL, NULL, on_done, &wait);
  queue_op (self, op);
  g_main_loop_run (loop);
  result = wait.result;
  g_main_context_pop_thread_default (context);
  return g_task_propagate_int (G_TASK (result), error);
}

gint64
paddock_audit_append (PaddockAudit  *self,
                      const char    *name,
                      JsonObject    *attributes,
                      GError       **error)
{
  gint64 id;

  g_return_val_if_fail (PADDOCK_IS_AUDIT (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  id = run_and_wait (self, append_op (name, attributes), error);
  return id < 0 ? 0 : id;
}

gboolean
paddock_audit_mark_exported (PaddockAudit        *self,
                             const char          *endpoint,
                             const char          *holder,
                             const gint64        *ids,
                             guint                n_ids,
                             PaddockAuditExport   state,
                             GError             **error)
{
  Op *op;

  g_return_val_if_fail (PADDOCK_IS_AUDIT (self), FALSE);
  g_return_val_if_fail (endpoint != NULL && holder != NULL, FALSE);

  op = g_new0 (Op, 1);
  op->kind = OP_MARK;
  op->endpoint = g_strdup (endpoint);
  op->holder = g_strdup (holder);
  op->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_ids);
  g_array_append_vals (op->ids, ids, n_ids);
  op->state = state;
  return run_and_wait (self, op, error) > 0;
}

gboolean
paddock_audit_lease_export (PaddockAudit  *self,
                            const char    *endpoint,
                            const char    *holder,
                            guint          seconds,
                            gint64        *after_id,
                            GError       **error)
{
  Op *op;
  gint64 value;

  g_return_val_if_fail (PADDOCK_IS_AUDIT (self), FALSE);
  g_return_val_if_fail (endpoint != NULL && holder != NULL, FALSE);

  op = g_new0 (Op, 1);
  op->kind = OP_LEASE;
  op->endpoint = g_strdup (endpoint);
  op->holder = g_strdup (holder);
  op->seconds = seconds;
  value = run_and_wait (self, op, error);
  if (after_id != NULL)
    *after_id = MAX (value - 1, 0);
  return value > 0;
}

void
paddock_audit_set_retention (PaddockAudit *self,
                             guint         max_age_days,
                             guint64       max_bytes,
                             const char   *keep_for_endpoint)
{
  g_return_if_fail (PADDOCK_IS_AUDIT (self));

  g_mutex_lock (&self->notify_lock);
  self->retention_days = max_age_days;
  self->retention_bytes = max_bytes;
  g_free (self->retention_endpoint);
  self->retention_endpoint = g_strdup (keep_for_endpoint);
  g_mutex_unlock (&self->notify_lock);
  queue_op (self, retention_op (self));
}

gint64
paddock_audit_prune (PaddockAudit  *self,
                     guint          max_age_days,
                     guint64        max_bytes,
                     const char    *keep_for_endpoint,
                     GError       **error)
{
  Op *op;

  g_return_val_if_fail (PADDOCK_IS_AUDIT (self), -1);

  op = g_new0 (Op, 1);
  op->kind = OP_PRUNE;
  op->max_age_days = max_age_days;
  op->max_bytes = max_bytes;
  op->endpoint = g_strdup (keep_for_endpoint);
  return run_and_wait (self, op, error);
}

/* --- reading -------------------------------------------------------------------- */

static JsonObject *
row_to_event (sqlite3_stmt *select)
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
  json_object_set_int_member (event, "exported", sqlite3_column_int (select, 4));
  return event;
}

GPtrArray *
paddock_audit_query (PaddockAudit              *self,
                     const PaddockAuditFilter  *filter,
                     GError                   **error)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GString) sql = g_string_new ("SELECT id, time_unix_nano, name, attributes, exported FROM events"
                                         " WHERE id > ?1");
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *select = NULL;
  int status;

  g_return_val_if_fail (PADDOCK_IS_AUDIT (self), NULL);
  g_return_val_if_fail (filter != NULL, NULL);

  if (filter->since_unix_nano)
    g_string_append (sql, " AND time_unix_nano >= ?2");
  if (filter->until_unix_nano)
    g_string_append (sql, " AND time_unix_nano < ?3");
  if (filter->session_id)
    g_string_append (sql, " AND session_id = ?4");
  if (filter->workspace_id)
    g_string_append (sql, " AND workspace_id = ?5");
  g_string_append (sql, filter->newest_first ? " ORDER BY id DESC LIMIT ?6" : " ORDER BY id LIMIT ?6");

  locker = g_mutex_locker_new (&self->reader_lock);
  if (self->reader == NULL)
    return paddock_fail (error, PADDOCK_AUDIT_ERROR, PADDOCK_AUDIT_ERROR_CLOSED, "the audit store %s is closed",
                         self->path), NULL;
  if (sqlite3_prepare_v2 (self->reader, sql->str, -1, &select, NULL) != SQLITE_OK)
    return fail_sql (error, PADDOCK_AUDIT_ERROR_OPEN, self->path, self->reader), NULL;
  sqlite3_bind_int64 (select, 1, filter->after_id);
  sqlite3_bind_int64 (select, 2, filter->since_unix_nano);
  sqlite3_bind_int64 (select, 3, filter->until_unix_nano);
  sqlite3_bind_text (select, 4, filter->session_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (select, 5, filter->workspace_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (select, 6, filter->limit ? (gint64) filter->limit : -1);
  while ((status = sqlite3_step (select)) == SQLITE_ROW)
    g_ptr_array_add (events, row_to_event (select));
  sqlite3_finalize (select);
  if (status != SQLITE_DONE)
    return fail_sql (error, PADDOCK_AUDIT_ERROR_OPEN, self->path, self->reader), NULL;

  if (filter->newest_first)
    for (guint i = 0; i < events->len / 2; i++)
      {
        gpointer swap = events->pdata[i];
        events->pdata[i] = events->pdata[events->len - 1 - i];
        events->pdata[events->len - 1 - i] = swap;
      }
  return g_steal_pointer (&events);
}

typedef struct
{
  PaddockAuditFilter filter;
  char *session_id;
  char *workspace_id;
} QueryData;

static void
query_data_free (QueryData *data)
{
  g_free (data->session_id);
  g_free (data->workspace_id);
  g_free (data);
}

static void
query_in_thread (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  QueryData *data = task_data;
  GError *error = NULL;
  GPtrArray *events = paddock_audit_query (source, &data->filter, &error);

  if (events == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, events, (GDestroyNotify) g_ptr_array_unref);
}

void
paddock_audit_query_async (PaddockAudit             *self,
                           const PaddockAuditFilter *filter,
                           GCancellable             *cancellable,
                           GAsyncReadyCallback       callback,
                           gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  QueryData *data;

  g_return_if_fail (PADDOCK_IS_AUDIT (self));
  g_return_if_fail (filter != NULL);

  data = g_new0 (QueryData, 1);
  data->filter = *filter;
  data->session_id = g_strdup (filter->session_id);
  data->workspace_id = g_strdup (filter->workspace_id);
  data->filter.session_id = data->session_id;
  data->filter.workspace_id = data->workspace_id;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, paddock_audit_query_async);
  g_task_set_task_data (task, data, (GDestroyNotify) query_data_free);
  g_task_run_in_thread (task, query_in_thread);
}

GPtrArray *
paddock_audit_query_finish (PaddockAudit  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
count_in_thread (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GError *error = NULL;
  gint64 n = paddock_audit_count_pending (source, task_data, &error);

  if (n < 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, n);
}

void
paddock_audit_count_pending_async (PaddockAudit        *self,
                                   const char          *endpoint,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PADDOCK_IS_AUDIT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, paddock_audit_count_pending_async);
  g_task_set_task_data (task, g_strdup (endpoint), g_free);
  g_task_run_in_thread (task, count_in_thread);
}

gint64
paddock_audit_count_pending_finish (PaddockAudit  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);

  return g_task_propagate_int (G_TASK (result), error);
}

GPtrArray *
paddock_audit_list (PaddockAudit  *self,
                    gint64         after_id,
                    guint          limit,
                    GError       **error)
{
  PaddockAuditFilter filter = { .after_id = after_id, .limit = limit };

  return paddock_audit_query (self, &filter, error);
}

JsonObject *
paddock_audit_get (PaddockAudit  *self,
                   gint64         id,
                   GError       **error)
{
  PaddockAuditFilter filter = { .after_id = id - 1, .limit = 1 };
  g_autoptr(GPtrArray) events = paddock_audit_query (self, &filter, error);

  if (events == NULL)
    return NULL;
  if (events->len == 0 || json_object_get_int_member (g_ptr_array_index (events, 0), "id") != id)
    return paddock_fail (error, PADDOCK_AUDIT_ERROR, PADDOCK_AUDIT_ERROR_NOT_FOUND,
                         "the audit store %s holds no event %" G_GINT64_FORMAT, self->path, id), NULL;
  return json_object_ref (g_ptr_array_index (events, 0));
}

gint64
paddock_audit_count_pending (PaddockAudit  *self,
                             const char    *endpoint,
                             GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3_stmt *count = NULL;
  gint64 n = -1;

  g_return_val_if_fail (PADDOCK_IS_AUDIT (self), -1);

  locker = g_mutex_locker_new (&self->reader_lock);
  if (self->reader == NULL)
    return paddock_fail (error, PADDOCK_AUDIT_ERROR, PADDOCK_AUDIT_ERROR_CLOSED, "the audit store %s is closed",
                         self->path), -1;
  /* For a collector: what lies past its place (or where it would start). */
  if (sqlite3_prepare_v2 (self->reader,
                          endpoint == NULL
                          ? "SELECT count(*) FROM events WHERE exported = 0"
                          : "SELECT count(*) FROM events WHERE id > coalesce ("
                            " (SELECT last_id FROM export_cursor WHERE endpoint = ?1), (" FIRST_CURSOR "))",
                          -1, &count, NULL) == SQLITE_OK &&
      (endpoint == NULL || sqlite3_bind_text (count, 1, endpoint, -1, SQLITE_STATIC) == SQLITE_OK) &&
      sqlite3_step (count) == SQLITE_ROW)
    n = sqlite3_column_int64 (count, 0);
  else
    fail_sql (error, PADDOCK_AUDIT_ERROR_OPEN, self->path, self->reader);
  sqlite3_finalize (count);
  return n;
}

void
paddock_audit_close (PaddockAudit *self)
{
  Op *stop;

  g_return_if_fail (PADDOCK_IS_AUDIT (self));

  g_mutex_lock (&self->queue_lock);
  if (self->closed)
    {
      g_mutex_unlock (&self->queue_lock);
      return;
    }
  self->closed = TRUE;
  if (self->thread != NULL)
    {
      Op *left;

      stop = g_new0 (Op, 1);
      stop->kind = OP_STOP;
      g_async_queue_push (self->queue, stop);
      g_mutex_unlock (&self->queue_lock);
      g_thread_join (self->thread);
      self->thread = NULL;
      /* Outbox work that jumped ahead of the stop is answered, not lost. */
      while ((left = g_async_queue_try_pop (self->queue)) != NULL)
        fail_closed_op (self, left);
    }
  else
    g_mutex_unlock (&self->queue_lock);
  g_clear_pointer (&self->writer, sqlite3_close);
  g_mutex_lock (&self->reader_lock);
  g_clear_pointer (&self->reader, sqlite3_close);
  g_mutex_unlock (&self->reader_lock);
}

static void
paddock_audit_finalize (GObject *object)
{
  PaddockAudit *self = PADDOCK_AUDIT (object);

  paddock_audit_close (self);
  g_clear_pointer (&self->queue, g_async_queue_unref);
  g_mutex_clear (&self->reader_lock);
  g_mutex_clear (&self->notify_lock);
  g_mutex_clear (&self->queue_lock);
  g_free (self->retention_endpoint);
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
  g_mutex_init (&self->reader_lock);
  g_mutex_init (&self->notify_lock);
  g_mutex_init (&self->queue_lock);
}
