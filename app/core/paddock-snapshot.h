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
/* Keeps, from now on, the contents of regular files up to 1 MiB each
 * and @max_bytes in all, for paddock_snapshot_diff(). Call before
 * anything changes; only a snapshot taken as "before" needs them. */
void             paddock_snapshot_keep_contents (PaddockSnapshot *self,
                                                 gsize            max_bytes);
/* The unified diff from @before (with its contents kept) to the files
 * as they are now, for the changes @after shows. A change named in
 * @hazards (paddock_tripwire_check's lines; nullable) is preceded by a
 * line "# Hazard: " and the hazard. */
char            *paddock_snapshot_diff    (PaddockSnapshot    *before,
                                           PaddockSnapshot    *after,
                                           const char * const *hazards);
gboolean         paddock_snapshot_is_partial (PaddockSnapshot *self);
void             paddock_snapshot_free    (PaddockSnapshot *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaddockSnapshot, paddock_snapshot_free)

G_END_DECLS
