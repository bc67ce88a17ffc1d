/* paddock-audit.h: the audit store, where every event goes first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define PADDOCK_AUDIT_ERROR (paddock_audit_error_quark ())

typedef enum
{
  PADDOCK_AUDIT_ERROR_OPEN,     /* the store cannot be opened or created */
  PADDOCK_AUDIT_ERROR_VERSION,  /* written by a newer Paddock */
  PADDOCK_AUDIT_ERROR_WRITE,    /* an event was not stored: full disk, read-only folder… */
  PADDOCK_AUDIT_ERROR_CLOSED,
  PADDOCK_AUDIT_ERROR_NOT_FOUND,
} PaddockAuditError;

GQuark paddock_audit_error_quark (void);

/* The schema this build writes; older stores are migrated on open. */
#define PADDOCK_AUDIT_SCHEMA_VERSION 3

/* Where an event stands with the collectors: none took it yet, one
 * took it, or one refused it for good (it stays here). Each collector
 * also has its own place in the outbox (paddock_audit_lease_export()). */
typedef enum
{
  PADDOCK_AUDIT_PENDING = 0,
  PADDOCK_AUDIT_EXPORTED = 1,
  PADDOCK_AUDIT_REJECTED = 2,
} PaddockAuditExport;

/* Which events paddock_audit_query() returns; zero means "any". */
typedef struct
{
  gint64 after_id;
  gint64 since_unix_nano;       /* at or after */
  gint64 until_unix_nano;       /* before */
  const char *session_id;
  const char *workspace_id;
  gboolean newest_first;        /* the newest @limit, still oldest first */
  guint limit;
} PaddockAuditFilter;

#define PADDOCK_TYPE_AUDIT (paddock_audit_get_type ())

G_DECLARE_FINAL_TYPE (PaddockAudit, paddock_audit, PADDOCK, AUDIT, GObject)

/* $XDG_STATE_HOME/paddock/audit.sqlite */
char         *paddock_audit_dup_default_path (void);

/* Opens (creating it and its folder, 0700/0600) the SQLite store at
 * @path in WAL mode, migrating an older schema; a store from a newer
 * Paddock, or one that cannot be written, is an error that names the
 * file and the reason. */
PaddockAudit *paddock_audit_open          (const char           *path,
                                           GError              **error);
const char   *paddock_audit_get_path      (PaddockAudit         *self);

/* Queues event @name ("paddock.tool_decision"…) with @attributes (a
 * JSON object; copied) for the single writer thread, which commits
 * whatever is queued in one transaction. The callback runs, in the
 * caller's main context, only once the event is committed to disk:
 * then, and only then, is it acknowledged. The result has no source
 * object; keep the store until the callbacks have run. The attributes
 * "session.id" and "workspace.id" are also indexed for queries. */
void          paddock_audit_append_async  (PaddockAudit         *self,
                                           const char           *name,
                                           JsonObject           *attributes,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
/* The event's id in the store, or 0 with @error set. */
gint64        paddock_audit_append_finish (PaddockAudit         *self,
                                           GAsyncResult         *result,
                                           GError              **error);
/* For front doors without a main loop: queues and waits for the commit. */
gint64        paddock_audit_append        (PaddockAudit         *self,
                                           const char           *name,
                                           JsonObject           *attributes,
                                           GError              **error);

/* Events as JSON objects {"id", "time_unix_nano", "name", "attributes",
 * "exported"}, oldest first; read on a connection of its own, so the
 * writer never waits for it. */
GPtrArray    *paddock_audit_query         (PaddockAudit             *self,
                                           const PaddockAuditFilter *filter,
                                           GError                  **error);
/* The same, read in a worker thread: for a main loop that must never
 * wait for the disk. @filter is copied. */
void          paddock_audit_query_async   (PaddockAudit             *self,
                                           const PaddockAuditFilter *filter,
                                           GCancellable             *cancellable,
                                           GAsyncReadyCallback       callback,
                                           gpointer                  user_data);
GPtrArray    *paddock_audit_query_finish  (PaddockAudit             *self,
                                           GAsyncResult             *result,
                                           GError                  **error);
/* Events with ids above @after_id, at most @limit (0: no limit). */
GPtrArray    *paddock_audit_list          (PaddockAudit         *self,
                                           gint64                after_id,
                                           guint                 limit,
                                           GError              **error);
JsonObject   *paddock_audit_get           (PaddockAudit         *self,
                                           gint64                id,
                                           GError              **error);
/* Events @endpoint has not taken yet; with no endpoint, events no
 * collector took yet. */
gint64        paddock_audit_count_pending (PaddockAudit         *self,
                                           const char           *endpoint,
                                           GError              **error);
/* The same, counted in a worker thread. */
void          paddock_audit_count_pending_async  (PaddockAudit        *self,
                                                  const char          *endpoint,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gint64        paddock_audit_count_pending_finish (PaddockAudit        *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* The outbox, for the exporters; each waits for the writer thread.
 *
 * Takes or renews, for @seconds, the lease on @endpoint's place in the
 * outbox, so two Paddock processes never send the same events to one
 * collector, and sets @after_id to the last event it took; FALSE
 * without @error when another live holder has it. @seconds 0 gives it
 * back. A collector never seen before starts after the events some
 * other collector already took. */
gboolean      paddock_audit_lease_export  (PaddockAudit         *self,
                                           const char           *endpoint,
                                           const char           *holder,
                                           guint                 seconds,
                                           gint64               *after_id,
                                           GError              **error);
/* Marks events @endpoint took (or refused), and moves its place past
 * them: only while @holder holds its lease (FALSE without @error when
 * it lost it, and nothing changed). */
gboolean      paddock_audit_mark_exported (PaddockAudit         *self,
                                           const char           *endpoint,
                                           const char           *holder,
                                           const gint64         *ids,
                                           guint                 n_ids,
                                           PaddockAuditExport    state,
                                           GError              **error);

/* Deletes events older than @max_age_days and then the oldest until
 * the events take at most @max_bytes (0: no limit for either); never
 * one that @keep_for_endpoint (nullable) has not taken yet. Returns how
 * many were deleted, or -1 with @error set. */
gint64        paddock_audit_prune         (PaddockAudit         *self,
                                           guint                 max_age_days,
                                           guint64               max_bytes,
                                           const char           *keep_for_endpoint,
                                           GError              **error);

typedef void (*PaddockAuditNotify) (gpointer data);

/* Keeps to this retention (as paddock_audit_prune() takes it) now,
 * without waiting, and again every so many events. */
void          paddock_audit_set_retention (PaddockAudit         *self,
                                           guint                 max_age_days,
                                           guint64               max_bytes,
                                           const char           *keep_for_endpoint);

/* @func runs on the writer thread after each commit of new events:
 * only to wake somebody up. Set it before the first append. */
void          paddock_audit_set_commit_notify (PaddockAudit       *self,
                                               PaddockAuditNotify  func,
                                               gpointer            data);

/* Waits for everything queued, then closes; later appends fail. */
void          paddock_audit_close         (PaddockAudit         *self);

G_END_DECLS
