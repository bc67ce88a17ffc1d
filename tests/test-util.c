/* test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <sys/resource.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "test-util.h"

static char *test_base;

void
test_remove_tree (const char *path)
{
  GStatBuf st;
  GDir *dir;
  const char *name;

  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode) && (dir = g_dir_open (path, 0, NULL)) != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          test_remove_tree (child);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

static void
remove_test_base (void)
{
  test_remove_tree (test_base);
}

/* Every folder a test makes lives in one, removed when the test ends. */
char *
test_make_dir (const char *name)
{
  g_autofree char *fresh = NULL;
  char *dir;

  if (test_base == NULL)
    {
      test_base = g_dir_make_tmp ("paddock-test-XXXXXX", NULL);
      g_assert_nonnull (test_base);
      atexit (remove_test_base);
    }
  fresh = g_build_filename (test_base, "XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (fresh));
  dir = g_build_filename (fresh, name, NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return dir;
}

gboolean
test_raise_fd_limit (guint wanted)
{
  struct rlimit limit;

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  if (limit.rlim_cur >= wanted)
    return TRUE;
  if (limit.rlim_max < wanted)
    {
      g_test_skip_printf ("needs %u descriptors; the hard limit is %lu", wanted, (unsigned long) limit.rlim_max);
      return FALSE;
    }
  limit.rlim_cur = wanted;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  return TRUE;
}

char *
test_write_file (const char *dir,
                 const char *name,
                 const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static PaddockPolicy *
policy_new_valist (const char *workspace,
                   const char *home,
                   gboolean    with_defaults,
                   va_list     args)
{
  g_autoptr(GPtrArray) documents = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_policy_document_unref);
  int layer;

  while ((layer = va_arg (args, int)) != -1)
    {
      const char *json = va_arg (args, const char *);
      g_autofree char *source = g_strdup_printf ("%s.json", paddock_layer_to_string (layer));
      g_autoptr(GError) error = NULL;
      PaddockPolicyDocument *document;

      document = paddock_policy_document_new_from_json (layer, source, json, -1, &error);
      g_assert_no_error (error);
      g_ptr_array_add (documents, document);
    }

  if (with_defaults)
    {
      g_autoptr(GError) error = NULL;
      PaddockPolicyDocument *document =
        paddock_policy_document_new_from_file (PADDOCK_LAYER_DEFAULTS,
                                               PADDOCK_SOURCE_DATADIR "/default-policy.json", &error);
      g_assert_no_error (error);
      g_ptr_array_add (documents, document);
    }

  return paddock_policy_new (workspace, home, documents);
}

PaddockPolicy *
test_policy_new (const char *workspace,
                 const char *home,
                 ...)
{
  PaddockPolicy *policy;
  va_list args;

  va_start (args, home);
  policy = policy_new_valist (workspace, home, FALSE, args);
  va_end (args);
  return policy;
}

PaddockPolicy *
test_policy_new_with_defaults (const char *workspace,
                               const char *home,
                               ...)
{
  PaddockPolicy *policy;
  va_list args;

  va_start (args, home);
  policy = policy_new_valist (workspace, home, TRUE, args);
  va_end (args);
  return policy;
}

PaddockDecision *
test_check_argv (PaddockPolicy      *policy,
                 const char * const *argv)
{
  g_autoptr(PaddockAction) action = paddock_action_new_exec (argv, NULL);
  return paddock_policy_evaluate (policy, action, NULL);
}

PaddockDecision *
test_check_script (PaddockPolicy *policy,
                   const char    *script)
{
  const char *argv[] = { "bash", "-c", script, NULL };
  return test_check_argv (policy, argv);
}

gboolean
test_sandbox_usable (char **why)
{
  const char *argv[] = { "bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all",
                         "--die-with-parent", "true", NULL };
  g_autofree char *bwrap = g_find_program_in_path ("bwrap");
  g_autofree char *err = NULL;
  int status;

  if (bwrap == NULL)
    {
      *why = g_strdup ("bwrap is not installed");
      return FALSE;
    }
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                     NULL, &err, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      *why = g_strdup_printf ("bwrap cannot make a sandbox here: %s", err ? err : "");
      return FALSE;
    }
  return TRUE;
}

char **
test_environment (const char *base)
{
  char **env = g_get_environ ();
  static const char * const names[] = { "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR",
                                        "PADDOCK_SYSCONFDIR" };
  static const char * const dirs[] = { "config", "state", "cache", "runtime", "etc" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *dir = g_build_filename (base, dirs[i], NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      env = g_environ_setenv (env, names[i], dir, TRUE);
    }
  env = g_environ_setenv (env, "HOME", base, TRUE);
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  env = g_environ_unsetenv (env, "OTEL_EXPORTER_OTLP_ENDPOINT");
  return env;
}

char *
test_store_query (const char *base,
                  const char *sql)
{
  g_autofree char *path = g_build_filename (base, "state", "paddock", "audit.sqlite", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *statement = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &statement, NULL), ==, SQLITE_OK);
  if (sqlite3_step (statement) == SQLITE_ROW && sqlite3_column_text (statement, 0) != NULL)
    value = g_strdup ((const char *) sqlite3_column_text (statement, 0));
  sqlite3_finalize (statement);
  sqlite3_close (db);
  return value;
}

gboolean
test_tree_contains (const char *dir,
                    const char *needle)
{
  g_autoptr(GDir) entries = g_dir_open (dir, 0, NULL);
  const char *name;

  while (entries != NULL && (name = g_dir_read_name (entries)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR) ? test_tree_contains (path, needle)
          : (g_file_get_contents (path, &contents, &length, NULL) &&
             memmem (contents, length, needle, strlen (needle)) != NULL))
        return TRUE;
    }
  return FALSE;
}

GHashTable *
test_steps_parse (const char *output)
{
  GHashTable *steps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_object_unref);
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = *lines[i] ? json_from_string (lines[i], NULL) : NULL;
      JsonObject *object = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *name = object ? json_object_get_string_member_with_default (object, "step", NULL) : NULL;

      if (name != NULL)
        g_hash_table_insert (steps, g_strdup (name), json_object_ref (object));
    }
  return steps;
}

JsonObject *
test_step (GHashTable *steps,
           const char *name)
{
  JsonObject *found = g_hash_table_lookup (steps, name);

  if (found == NULL)
    g_error ("the client never reported the step “%s”", name);
  return found;
}
