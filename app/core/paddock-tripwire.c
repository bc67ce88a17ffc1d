/* paddock-tripwire.c
 *
 * The sandbox keeps a command inside; what it writes in the workspace
 * stays there, and some files are run by the host later: by direnv, by
 * git, by an editor, by make or npm. A person should know before trusting
 * the tree again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "paddock-tripwire.h"

/* package.json is read to compare its scripts; a larger one is compared
 * like any other file. */
#define MAX_PACKAGE_SIZE (4 * 1024 * 1024)
#define NESTED_DEPTH 3

static const struct
{
  const char *path;
  const char *why;
} watched_files[] = {
  { ".envrc", "direnv runs it when you enter the folder" },
  { "Makefile", "make runs it" },
  { "makefile", "make runs it" },
  { "GNUmakefile", "make runs it" },
  { ".vscode/tasks.json", "VS Code runs its tasks" },
  { ".vscode/settings.json", "VS Code applies it, and it can name programs to run" },
  { ".pre-commit-config.yaml", "pre-commit runs its hooks on commit" },
  { ".mcp.json", "agents and editors start the MCP servers it names" },
  { ".gitmodules", "git fetches and checks out what it names" },
  { ".git/config", "git reads it, and it can name programs to run" },
  { "package.json", "npm runs its scripts" },
};

static const struct
{
  const char *path;
  const char *why;
} watched_dirs[] = {
  { ".husky", "husky's git hooks run on commit" },
  { ".git/hooks", "git runs its hooks" },
};

static const char * const nested_skip[] = {
  "node_modules", ".venv", "venv", "target", "__pycache__", ".tox", ".cache", ".gradle", ".git", NULL,
};

struct _PaddockTripwire
{
  GObject parent_instance;

  char *workspace;
  GHashTable *state;  /* relative path → fingerprint */
};

G_DEFINE_FINAL_TYPE (PaddockTripwire, paddock_tripwire, G_TYPE_OBJECT)

static void
paddock_tripwire_finalize (GObject *object)
{
  PaddockTripwire *self = PADDOCK_TRIPWIRE (object);

  g_free (self->workspace);
  g_clear_pointer (&self->state, g_hash_table_unref);

  G_OBJECT_CLASS (paddock_tripwire_parent_class)->finalize (object);
}

static void
paddock_tripwire_class_init (PaddockTripwireClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = paddock_tripwire_finalize;
}

static void
paddock_tripwire_init (PaddockTripwire *self)
{
}

/* Only the scripts of package.json run anything. */
static char *
package_scripts (const char *contents,
                 gsize       length)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, contents, length, NULL))
    return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root) || !json_object_has_member (json_node_get_object (root), "scripts"))
    return g_strdup ("no scripts");
  json_generator_set_root (generator, json_object_get_member (json_node_get_object (root), "scripts"));
  return json_generator_to_data (generator, NULL);
}

/* The inode, size and times tell a change without reading the file: a
 * process can set the modification time back, never the change time. */
static char *
fingerprint (const char *path,
             const char *relative)
{
  struct stat st;

  if (lstat (path, &st) != 0)
    return NULL;
  if (S_ISLNK (st.st_mode))
    {
      g_autofree char *target = g_file_read_link (path, NULL);
      return g_strdup_printf ("link %s", target ? target : "?");
    }
  if (S_ISDIR (st.st_mode))
    return g_strdup ("folder");
  if (S_ISREG (st.st_mode) && st.st_size <= MAX_PACKAGE_SIZE && g_str_equal (relative, "package.json"))
    {
      g_autofree char *contents = NULL;
      gsize length;

      if (g_file_get_contents (path, &contents, &length, NULL))
        return package_scripts (contents, length);
    }
  return g_strdup_printf ("%o %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT ".%09ld %" G_GINT64_FORMAT ".%09ld",
                          (unsigned) st.st_mode, (guint64) st.st_ino, (gint64) st.st_size,
                          (gint64) st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                          (gint64) st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
}

static void
note (GHashTable *state,
      const char *workspace,
      const char *relative)
{
  g_autofree char *path = g_build_filename (workspace, relative, NULL);
  char *print = fingerprint (path, relative);

  if (print != NULL)
    g_hash_table_insert (state, g_strdup (relative), print);
}

static void
note_tree (GHashTable *state,
           const char *workspace,
           const char *relative,
           guint       depth)
{
  g_autofree char *path = g_build_filename (workspace, relative, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  note (state, workspace, relative);
  while (dir != NULL && depth < 4 && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (relative, name, NULL);
      g_autofree char *child_path = g_build_filename (workspace, child, NULL);

      if (g_file_test (child_path, G_FILE_TEST_IS_DIR) && !g_file_test (child_path, G_FILE_TEST_IS_SYMLINK))
        note_tree (state, workspace, child, depth + 1);
      else
        note (state, workspace, child);
    }
}

/* Nested repositories: a .git below the top, whose hooks and config git
 * would honour when someone works there. */
static void
note_nested (GHashTable *state,
             const char *workspace,
             const char *relative,
             guint       depth)
{
  g_autofree char *path = g_build_filename (workspace, relative, NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (depth > NESTED_DEPTH || (dir = g_dir_open (path, 0, NULL)) == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = *relative ? g_build_filename (relative, name, NULL) : g_strdup (name);
      g_autofree char *child_path = g_build_filename (workspace, child, NULL);

      if (g_str_equal (name, ".git") && depth > 0)
        note (state, workspace, child);
      else if (!g_strv_contains (nested_skip, name) && g_file_test (child_path, G_FILE_TEST_IS_DIR) &&
               !g_file_test (child_path, G_FILE_TEST_IS_SYMLINK))
        note_nested (state, workspace, child, depth + 1);
    }
}

static GHashTable *
snapshot (const char *workspace)
{
  GHashTable *state = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < G_N_ELEMENTS (watched_files); i++)
    note (state, workspace, watched_files[i].path);
  for (guint i = 0; i < G_N_ELEMENTS (watched_dirs); i++)
    note_tree (state, workspace, watched_dirs[i].path, 0);
  note_nested (state, workspace, "", 0);

  return state;
}

PaddockTripwire *
paddock_tripwire_new (const char *workspace)
{
  PaddockTripwire *self;

  g_return_val_if_fail (workspace != NULL, NULL);

  self = g_object_new (PADDOCK_TYPE_TRIPWIRE, NULL);
  self->workspace = g_strdup (workspace);
  self->state = snapshot (workspace);
  return self;
}

static const char *
why (const char *relative)
{
  for (guint i = 0; i < G_N_ELEMENTS (watched_files); i++)
    if (g_str_equal (relative, watched_files[i].path))
      return watched_files[i].why;
  for (guint i = 0; i < G_N_ELEMENTS (watched_dirs); i++)
    if (g_str_has_prefix (relative, watched_dirs[i].path))
      return watched_dirs[i].why;
  return "a nested git repository: git runs its hooks and reads its config there";
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GStrv
paddock_tripwire_check (PaddockTripwire *self)
{
  g_autoptr(GHashTable) now = NULL;
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (PADDOCK_IS_TRIPWIRE (self), NULL);

  now = snapshot (self->workspace);

  g_hash_table_iter_init (&iter, now);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *before = g_hash_table_lookup (self->state, key);

      if (before == NULL)
        g_ptr_array_add (lines, g_strdup_printf ("created %s (%s)", (const char *) key, why (key)));
      else if (!g_str_equal (before, value))
        g_ptr_array_add (lines, g_strdup_printf ("changed %s (%s)", (const char *) key,
                                                 g_str_equal (key, "package.json") ? "its scripts changed; npm runs them"
                                                                                   : why (key)));
    }
  g_hash_table_iter_init (&iter, self->state);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (now, key))
      g_ptr_array_add (lines, g_strdup_printf ("removed %s (%s)", (const char *) key, why (key)));

  g_ptr_array_sort (lines, compare_strings);
  g_ptr_array_add (lines, NULL);
  return (GStrv) g_ptr_array_steal (lines, NULL);
}
