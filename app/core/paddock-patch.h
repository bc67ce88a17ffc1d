/* paddock-patch.h: unified diffs, as `git diff` and `diff -u` write
 * them, read and applied exactly (no fuzz: a hunk whose context is not
 * there refuses the whole patch)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PADDOCK_PATCH_ERROR (paddock_patch_error_quark ())

typedef enum
{
  PADDOCK_PATCH_ERROR_MALFORMED,   /* not a unified diff; the message says where */
  PADDOCK_PATCH_ERROR_MISMATCH,    /* a hunk's lines are not in the file */
} PaddockPatchError;

GQuark paddock_patch_error_quark (void);

typedef struct
{
  char *old_path;      /* NULL: the file is created */
  char *new_path;      /* NULL: the file is deleted */
  GPtrArray *hunks;    /* private */
} PaddockPatchFile;

/* The files @text changes, in order; "a/" and "b/" are taken off. */
GPtrArray *paddock_patch_parse      (const char        *text,
                                     GError           **error);
/* @file's new content from @old (NULL when the file is created). */
GBytes    *paddock_patch_apply_file (PaddockPatchFile  *file,
                                     GBytes            *old,
                                     GError           **error);
/* The path @file is about: the new one, or the old one it deletes. */
const char *paddock_patch_file_get_path (PaddockPatchFile *file);

G_END_DECLS
