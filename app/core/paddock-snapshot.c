/* paddock-snapshot.c
 *
 * A file counts as changed when its size, modification time (to the
 * nanosecond) or inode differs: cheap enough for a large tree, and what
 * an editor's rewrite or an agent's edit both change.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paddock-diff.h"
#include "paddock-snapshot.h"

#define MAX_FILE_BYTES (1024 * 1024)

struct _PaddockSnapshot
{
  char *root;
  GHashTable *files;        /* relative path → "size:mtime:ino" */
  guint max_files;
  gboolean partial;         /* more files than it may hold */
  GHashTable *contents;     /* relative path → GBytes; nullable */
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

/* A regular file's contents, never through a link. */
static GBytes *
read_file (const char *root,
           const char *relative,
           gsize       limit)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autoptr(GByteArray) data = NULL;
  struct stat st;
  int fd = open (path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || (gsize) st.st_size > limit)
    {
      close (fd);
      return NULL;
    }
  data = g_byte_array_sized_new (st.st_size);
  for (;;)
    {
      guint8 buffer[65536];
      ssize_t n = read (fd, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || data->len + n > limit)
        break;
      g_byte_array_append (data, buffer, n);
    }
  close (fd);
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

void
paddock_snapshot_keep_contents (PaddockSnapshot *self,
                                gsize            max_bytes)
{
  GHashTableIter iter;
  const char *path;
  gsize total = 0;

  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->contents, g_hash_table_unref);
  self->contents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  g_hash_table_iter_init (&iter, self->files);
  while (g_hash_table_iter_next (&iter, (gpointer *) &path, NULL))
    {
      GBytes *bytes = read_file (self->root, path, MIN (MAX_FILE_BYTES, max_bytes - total));

      if (bytes == NULL)
        continue;
      total += g_bytes_get_size (bytes);
      g_hash_table_insert (self->contents, g_strdup (path), bytes);
      if (total >= max_bytes)
        break;
    }
}

static const char *
hazard_for (const char * const *hazards,
            const char         *path)
{
  for (guint i = 0; hazards != NULL && hazards[i] != NULL; i++)
    {
      /* "created PATH (why)" */
      const char *space = strchr (hazards[i], ' ');
      gsize length = strlen (path);

      if (space != NULL && strncmp (space + 1, path, length) == 0 && g_str_has_prefix (space + 1 + length, " ("))
        return hazards[i];
    }
  return NULL;
}

char *
paddock_snapshot_diff (PaddockSnapshot    *before,
                       PaddockSnapshot    *after,
                       const char * const *hazards)
{
  g_auto(GStrv) changes = paddock_snapshot_compare (before, after);
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (before != NULL && after != NULL, NULL);

  for (guint i = 0; changes[i] != NULL; i++)
    {
      const char *path = changes[i] + 2;
      const char *hazard = hazard_for (hazards, path);
      GBytes *old = before->contents ? g_hash_table_lookup (before->contents, path) : NULL;
      g_autoptr(GBytes) now = changes[i][0] == 'D' ? NULL : read_file (before->root, path, MAX_FILE_BYTES);

      if (hazard != NULL)
        g_string_append_printf (out, "# Hazard: %s\n", hazard);
      if ((changes[i][0] != 'A' && old == NULL) || (changes[i][0] != 'D' && now == NULL))
        g_string_append_printf (out, "File %s %s (not kept: not a regular file, or too large)\n", path,
                                changes[i][0] == 'A' ? "created" : changes[i][0] == 'D' ? "removed" : "changed");
      else
        paddock_diff_append (out, path, old, now);
    }
  return g_string_free (out, FALSE);
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
  g_clear_pointer (&self->contents, g_hash_table_unref);
  g_free (self);
}
