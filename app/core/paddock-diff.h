/* paddock-diff.h: unified diffs of what an agent changed, for a person
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Appends to @out the unified diff (3 lines of context) of @path from
 * @before to @after, either NULL for a file that did not exist. A
 * binary file, or one too different to compare line by line, gets a
 * line saying so instead of hunks. */
void paddock_diff_append (GString    *out,
                          const char *path,
                          GBytes     *before,
                          GBytes     *after);

G_END_DECLS
