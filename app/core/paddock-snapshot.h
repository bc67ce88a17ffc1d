/* paddock-snapshot.h: what an agent session changed in the workspace
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PaddockSnapshot PaddockSnapshot;

/* Every file under @root (not following links, .git's objects left
 * out), at most @max_files of them. */
PaddockSnapshot *paddock_snapshot_take    (const char      *root,
                                           guint            max_files);
/* "A path", "M path" or "D path" for each file created, changed or
 * removed from @before to @after, sorted; relative to the root. */
GStrv            paddock_snapshot_compare (PaddockSnapshot *before,
                                           PaddockSnapshot *after);
gboolean         paddock_snapshot_is_partial (PaddockSnapshot *self);
void             paddock_snapshot_free    (PaddockSnapshot *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaddockSnapshot, paddock_snapshot_free)

G_END_DECLS
