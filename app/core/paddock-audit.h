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
} PaddockAuditError;

GQuark paddock_audit_error_quark (void);

/* The schema this build writes; older stores are migrated on open. */
#define PADDOCK_AUDIT_SCHEMA_VERSION 1

#define PADDOCK_TYPE_AUDIT (paddock_audit_get_type ())

G_DECLARE_FINAL_TYPE (PaddockAudit, paddock_audit, PADDOCK, AUDIT, GObject)

/* Opens (creating it and its folder, 0700/0600) the SQLite store at
 * @path in WAL mode, migrating an older schema; a store from a newer
 * Paddock, or one that cannot be written, is an error that names the
 * file and the reason. */
PaddockAudit *paddock_audit_open          (const char           *path,
                                           GError              **error);

/* Queues event @name ("paddock.tool_decision"…) with @attributes (a
 * JSON object; copied) for the single writer thread, which commits
 * whatever is queued in one transaction. The callback runs, in the
 * caller's main context, only once the event is committed to disk:
 * then, and only then, is it acknowledged. The result has no source
 * object; keep the store until the callbacks have run. */
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

/* Events with ids above @after_id, oldest first, at most @limit (0: no
 * limit), as JSON objects {"id", "time_unix_nano", "name",
 * "attributes"}; read on a connection of its own, so the writer never
 * waits for it. */
GPtrArray    *paddock_audit_list          (PaddockAudit         *self,
                                           gint64                after_id,
                                           guint                 limit,
                                           GError              **error);

/* Waits for everything queued, then closes; later appends fail. */
void          paddock_audit_close         (PaddockAudit         *self);

G_END_DECLS
