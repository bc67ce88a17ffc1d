/* paddock-snapshot.c
 *
 * A file counts as changed when its size, modification time (to the
 * nanosecond) or inode differs: cheap enough for a large tree, and what
 * an editor's rewrite or an agent's edit both change.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sys/stat.h>

#include "paddock-snapshot.h"

struct _PaddockSnapshot
{
  char *root;
  GHashTable *files;        /* relative path → "size:mtime:ino" */
  guint max_files;
  gboolean partial;         /* more files than it may hold */
};

static void
walk (PaddockSnapshot *self,
      const char      *relative)
{
  g_autofree char *path = relative ? g_build_filename (self->root, relative, NULL) : g_strdup (self->root);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = relative ? g_build_filename (relative, name, NULL) : g_strdup (name);
      g_autofree char *full = g_build_filename (self->root, child, NULL);
      struct stat st;

      if (lstat (full, &st) != 0)
        continue;
      /* What git keeps of itself changes with every command it runs. */
      if (S_ISDIR (st.st_mode))
        {
          if (!g_str_equal (child, ".git/objects") && !g_str_equal (child, ".git/logs"))
            walk (self, child);
          continue;
        }
      if (g_hash_table_size (self->files) >= self->max_files)
        {
          self->partial = TRUE;
          return;
        }
      g_hash_table_insert (self->files, g_steal_pointer (&child),
                           g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT ".%09ld:%" G_GUINT64_FORMAT,
                                            (gint64) st.st_size, (gint64) st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                                            (guint64) st.st_ino));
    }
}

PaddockSnapshot *
paddock_snapshot_take (const char *root,
                       guint       max_files)
{
  PaddockSnapshot *self = g_new0 (PaddockSnapshot, 1);

  self->root = g_strdup (root);
  self->files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->max_files = max_files;
  walk (self, NULL);
  return self;
}

static gint
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 ((*(const char **) a) + 2, (*(const char **) b) + 2);
}

GStrv
paddock_snapshot_compare (PaddockSnapshot *before,
                          PaddockSnapshot *after)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new ();
  GHashTableIter iter;
  const char *path, *state;

  g_hash_table_iter_init (&iter, after->files);
  while (g_hash_table_iter_next (&iter, (gpointer *) &path, (gpointer *) &state))
    {
      const char *old = g_hash_table_lookup (before->files, path);

      if (old == NULL)
        g_ptr_array_add (changes, g_strconcat ("A ", path, NULL));
      else if (!g_str_equal (old, state))
        g_ptr_array_add (changes, g_strconcat ("M ", path, NULL));
    }
  g_hash_table_iter_init (&iter, before->files);
  while (g_hash_table_iter_next (&iter, (gpointer *) &path, NULL))
    if (!g_hash_table_contains (after->files, path))
      g_ptr_array_add (changes, g_strconcat ("D ", path, NULL));
  g_ptr_array_sort (changes, compare_entries);
  g_ptr_array_add (changes, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&changes), FALSE);
}

gboolean
paddock_snapshot_is_partial (PaddockSnapshot *self)
{
  return self->partial;
}

void
paddock_snapshot_free (PaddockSnapshot *self)
{
  if (self == NULL)
    return;
  g_free (self->root);
  g_hash_table_unref (self->files);
  g_free (self);
}
