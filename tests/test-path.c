/* test-path.c: path normalisation and resolution, and where layers live
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <unistd.h>

#include <glib/gstdio.h>

#include "paddock-path.h"
#include "paddock-paths.h"
#include "test-util.h"

static void
test_normalize (void)
{
  static const struct
  {
    const char *path, *cwd, *home, *expected;
  } cases[] = {
    { "a/b/../c", "/ws", NULL, "/ws/a/c" },
    { "/../..", "/", NULL, "/" },
    { "~/x/./y", "/ws", "/home/u", "/home/u/x/y" },
    { "~", "/ws", "/home/u", "/home/u" },
    { "~u/x", "/ws", "/home/u", NULL },        /* someone else's home */
    { "~/x", "/ws", NULL, NULL },
    { "..", "/ws/sub", NULL, "/ws" },
    { "//a//b/", "/", NULL, "/a/b" },
    { "x", "relative", NULL, NULL },           /* no absolute base */
    { "x", NULL, NULL, NULL },
    { "/a/b/../../..", NULL, NULL, "/" },
    { ".", "/ws", NULL, "/ws" },
    { "...", "/ws", NULL, "/ws/..." },
    { "a/./.././../b", "/ws/c", NULL, "/ws/b" },
    { "", "/ws", NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *result = paddock_path_normalize (cases[i].path, cases[i].cwd, cases[i].home);

      g_test_message ("%s in %s", cases[i].path, cases[i].cwd);
      g_assert_cmpstr (result, ==, cases[i].expected);
    }
}

static void
test_resolve_follows_links (void)
{
  g_autofree char *dir = test_make_dir ("resolve");
  g_autofree char *real = g_build_filename (dir, "real", NULL);
  g_autofree char *link = g_build_filename (dir, "link", NULL);
  g_autofree char *through = g_build_filename (dir, "link", "new", "file", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *resolved = NULL;
  g_autofree char *canonical_dir = paddock_path_resolve (dir, NULL, NULL);

  g_assert_cmpint (g_mkdir (real, 0700), ==, 0);
  g_assert_cmpint (symlink (real, link), ==, 0);

  /* The part that exists is resolved; the rest is kept as written. */
  resolved = paddock_path_resolve (through, NULL, NULL);
  expected = g_build_filename (canonical_dir, "real", "new", "file", NULL);
  g_assert_cmpstr (resolved, ==, expected);

  /* Control: a path without links stays itself. */
  {
    g_autofree char *plain = g_build_filename (canonical_dir, "real", "x", NULL);
    g_autofree char *same = paddock_path_resolve (plain, NULL, NULL);
    g_assert_cmpstr (same, ==, plain);
  }
}

static void
test_within_and_components (void)
{
  g_assert_true (paddock_path_is_within ("/ws", "/ws"));
  g_assert_true (paddock_path_is_within ("/ws/a", "/ws"));
  g_assert_false (paddock_path_is_within ("/wsx/a", "/ws"));
  g_assert_true (paddock_path_is_within ("/anything", "/"));

  g_assert_true (paddock_path_has_components ("/ws/.git/config", "/ws", ".git"));
  g_assert_true (paddock_path_has_components ("/ws/a/b/.git", "/ws", ".git"));
  g_assert_true (paddock_path_has_components ("/ws/.github/workflows/ci.yml", "/ws", ".github/workflows"));
  g_assert_false (paddock_path_has_components ("/ws/.github/ISSUE_TEMPLATE", "/ws", ".github/workflows"));
  g_assert_false (paddock_path_has_components ("/ws/.gitignore", "/ws", ".git"));
  g_assert_false (paddock_path_has_components ("/other/.git/config", "/ws", ".git"));
  /* The root's own components do not count: only what lies below it. */
  g_assert_false (paddock_path_has_components ("/home/.git/ws/x", "/home/.git/ws", ".git"));
}

static void
test_environment_kept_or_dropped (void)
{
  static const char * const variables[] = { "GSETTINGS_BACKEND", "DCONF_PROFILE", "GSETTINGS_SCHEMA_DIR" };

  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    g_setenv (variables[i], "/tmp/elsewhere", TRUE);
  paddock_paths_init ();
  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    {
#ifdef PADDOCK_PATHS_AS_PRODUCTION
      g_assert_null (g_getenv (variables[i]));
#else
      g_assert_cmpstr (g_getenv (variables[i]), ==, "/tmp/elsewhere");
#endif
    }
  /* Control: other variables are left alone. */
  g_setenv ("PADDOCK_TEST_OTHER", "x", TRUE);
  paddock_paths_init ();
  g_assert_cmpstr (g_getenv ("PADDOCK_TEST_OTHER"), ==, "x");
}

static void
test_sysconfdir (void)
{
  g_autofree char *dir = test_make_dir ("etc");

  g_setenv ("PADDOCK_SYSCONFDIR", dir, TRUE);
#ifdef PADDOCK_PATHS_AS_PRODUCTION
  /* A production build has no switch that replaces the managed and
   * system layers. */
  g_assert_cmpstr (paddock_paths_get_sysconfdir (), ==, "/etc/paddock");
#else
  g_assert_cmpstr (paddock_paths_get_sysconfdir (), ==, dir);
  g_setenv ("PADDOCK_SYSCONFDIR", "relative/etc", TRUE);
  g_assert_cmpstr (paddock_paths_get_sysconfdir (), ==, "/etc/paddock");
#endif
  g_unsetenv ("PADDOCK_SYSCONFDIR");
  g_assert_cmpstr (paddock_paths_get_sysconfdir (), ==, "/etc/paddock");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/path/normalize", test_normalize);
  g_test_add_func ("/path/resolve-links", test_resolve_follows_links);
  g_test_add_func ("/path/within-and-components", test_within_and_components);
  g_test_add_func ("/path/sysconfdir", test_sysconfdir);
  g_test_add_func ("/path/environment", test_environment_kept_or_dropped);

  return g_test_run ();
}
