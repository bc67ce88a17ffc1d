/* test-sandbox-flatpak.c: the flatpak-spawn command line
 *
 * flatpak-spawn is not installed here, so the tests read the command
 * line the way flatpak-spawn does: split at the first argument that does
 * not start with "-", then parse the options with a GOptionContext of
 * the same options.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "sandbox-errors.h"
#include "sandbox-flatpak.h"

static SandboxSpec *
spec_new (SandboxMode mode)
{
  SandboxSpec *spec = g_new0 (SandboxSpec, 1);
  const char * const argv[] = { "make", "-j4", "--keep-going", NULL };
  const char * const writable[] = { "/home/ada/.cache/ccache", NULL };
  const char * const protected_names[] = { ".git", ".paddock", NULL };
  const char * const env[] = { "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "CFLAGS=-O2 -g", NULL };

  spec->argv = g_strdupv ((char **) argv);
  spec->cwd = g_strdup ("/home/ada/src/proj/sub");
  spec->mode = mode;
  spec->workspace = g_strdup ("/home/ada/src/proj");
  spec->writable = g_strdupv ((char **) writable);
  spec->protected_names = g_strdupv ((char **) protected_names);
  spec->hidden = g_new0 (char *, 1);
  spec->env = g_strdupv ((char **) env);
  return spec;
}

static void
set_argv (SandboxSpec        *spec,
          const char * const *argv)
{
  g_strfreev (spec->argv);
  spec->argv = g_strdupv ((char **) argv);
}

/* What flatpak-spawn makes of @argv: the options it sees, and the
 * command it runs. */
typedef struct
{
  gboolean sandbox;
  gboolean watch_bus;
  gboolean no_network;
  gboolean clear_env;
  gboolean host;
  char **expose;
  char **expose_ro;
  char **env;
  char *directory;
  char **command;
} Spawn;

static void
spawn_clear (Spawn *spawn)
{
  g_strfreev (spawn->expose);
  g_strfreev (spawn->expose_ro);
  g_strfreev (spawn->env);
  g_free (spawn->directory);
  g_strfreev (spawn->command);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Spawn, spawn_clear)

static void
parse_like_flatpak_spawn (char  **argv,
                          Spawn  *spawn)
{
  const GOptionEntry options[] = {
    { "sandbox", 0, 0, G_OPTION_ARG_NONE, &spawn->sandbox, NULL, NULL },
    { "watch-bus", 0, 0, G_OPTION_ARG_NONE, &spawn->watch_bus, NULL, NULL },
    { "no-network", 0, 0, G_OPTION_ARG_NONE, &spawn->no_network, NULL, NULL },
    { "clear-env", 0, 0, G_OPTION_ARG_NONE, &spawn->clear_env, NULL, NULL },
    { "host", 0, 0, G_OPTION_ARG_NONE, &spawn->host, NULL, NULL },
    { "sandbox-expose-path", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &spawn->expose, NULL, NULL },
    { "sandbox-expose-path-ro", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &spawn->expose_ro, NULL, NULL },
    { "env", 0, 0, G_OPTION_ARG_STRING_ARRAY, &spawn->env, NULL, NULL },
    { "directory", 0, 0, G_OPTION_ARG_FILENAME, &spawn->directory, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char **options_argv = NULL;
  int argc = g_strv_length (argv);
  int i = 1;

  while (i < argc && argv[i][0] == '-')
    i++;
  spawn->command = g_strdupv (argv + i);

  options_argv = g_new0 (char *, i + 1);
  memcpy (options_argv, argv, i * sizeof (char *));

  g_option_context_add_main_entries (context, options, NULL);
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_parse (context, &i, &options_argv, &error);
  g_assert_no_error (error);
}

static void
test_detect (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("paddock-flatpak-XXXXXX", &error);
  g_autofree char *info = NULL;

  g_assert_no_error (error);
  g_assert_false (sandbox_flatpak_detect (root));

  info = g_build_filename (root, ".flatpak-info", NULL);
  g_file_set_contents (info, "[Application]\nname=org.paddock.Paddock\n", -1, &error);
  g_assert_no_error (error);
  g_assert_true (sandbox_flatpak_detect (root));

  g_unlink (info);
  g_rmdir (root);
}

static void
test_argv_read_only (void)
{
  g_autoptr(SandboxSpec) spec = spec_new (SANDBOX_MODE_READ_ONLY);
  g_auto(GStrv) argv = sandbox_flatpak_build_argv (spec);
  const char * const expected[] = {
    "flatpak-spawn", "--sandbox", "--watch-bus", "--no-network", "--clear-env",
    "--sandbox-expose-path-ro=/home/ada/src/proj",
    "--sandbox-expose-path-ro=/home/ada/.cache/ccache",
    "--env=PATH=/usr/bin:/bin", "--env=LANG=C.UTF-8", "--env=CFLAGS=-O2 -g",
    "--directory=/home/ada/src/proj/sub",
    "--", "make", "-j4", "--keep-going", NULL,
  };

  g_assert_cmpstrv (argv, expected);
}

static void
test_argv_workspace_write (void)
{
  g_autoptr(SandboxSpec) spec = spec_new (SANDBOX_MODE_WORKSPACE_WRITE);
  g_auto(GStrv) argv = NULL;
  const char * const writable[] = { "/home/ada/.cache/ccache", "/home/ada/src/proj", "/tmp/build", NULL };
  const char * const expected[] = {
    "flatpak-spawn", "--sandbox", "--watch-bus", "--no-network", "--clear-env",
    "--sandbox-expose-path=/home/ada/src/proj",
    "--sandbox-expose-path=/home/ada/.cache/ccache",
    "--sandbox-expose-path=/tmp/build",
    "--env=PATH=/usr/bin:/bin", "--env=LANG=C.UTF-8", "--env=CFLAGS=-O2 -g",
    "--directory=/home/ada/src/proj/sub",
    "--", "make", "-j4", "--keep-going", NULL,
  };

  /* The workspace listed again among the writable roots is exposed once. */
  g_strfreev (spec->writable);
  spec->writable = g_strdupv ((char **) writable);
  argv = sandbox_flatpak_build_argv (spec);
  g_assert_cmpstrv (argv, expected);
}

static void
test_argv_full_access (void)
{
  g_autoptr(SandboxSpec) spec = spec_new (SANDBOX_MODE_FULL_ACCESS);
  g_auto(GStrv) argv = sandbox_flatpak_build_argv (spec);

  g_assert_null (argv);
}

static void
test_parsed_read_only (void)
{
  g_autoptr(SandboxSpec) spec = spec_new (SANDBOX_MODE_READ_ONLY);
  g_auto(GStrv) argv = sandbox_flatpak_build_argv (spec);
  g_auto(Spawn) spawn = { 0 };
  const char * const expose_ro[] = { "/home/ada/src/proj", "/home/ada/.cache/ccache", NULL };

  parse_like_flatpak_spawn (argv, &spawn);
  g_assert_true (spawn.sandbox);
  g_assert_true (spawn.watch_bus);
  g_assert_true (spawn.no_network);
  g_assert_true (spawn.clear_env);
  g_assert_false (spawn.host);
  g_assert_null (spawn.expose);
  g_assert_cmpstrv (spawn.expose_ro, expose_ro);
  g_assert_cmpstrv (spawn.env, spec->env);
  g_assert_cmpstr (spawn.directory, ==, spec->cwd);
  g_assert_cmpstrv (spawn.command, spec->argv);
}

static void
test_parsed_workspace_write (void)
{
  g_autoptr(SandboxSpec) spec = spec_new (SANDBOX_MODE_WORKSPACE_WRITE);
  g_auto(GStrv) argv = sandbox_flatpak_build_argv (spec);
  g_auto(Spawn) spawn = { 0 };
  const char * const expose[] = { "/home/ada/src/proj", "/home/ada/.cache/ccache", NULL };

  parse_like_flatpak_spawn (argv, &spawn);
  g_assert_cmpstrv (spawn.expose, expose);
  g_assert_null (spawn.expose_ro);
  g_assert_cmpstrv (spawn.command, spec->argv);
}

static void
test_env_values (void)
{
  g_autoptr(SandboxSpec) spec = spec_new (SANDBOX_MODE_READ_ONLY);
  g_auto(GStrv) argv = NULL;
  g_auto(Spawn) spawn = { 0 };
  const char * const env[] = { "EMPTY=", "DASH=--host", "SPACES=a b  c", "EQUALS=x=y", NULL };

  /* Values that look like options or hold "=" stay values. */
  g_strfreev (spec->env);
  spec->env = g_strdupv ((char **) env);
  argv = sandbox_flatpak_build_argv (spec);
  g_assert_true (g_strv_contains ((const char * const *) argv, "--env=DASH=--host"));

  parse_like_flatpak_spawn (argv, &spawn);
  g_assert_cmpstrv (spawn.env, env);
  g_assert_false (spawn.host);
  g_assert_cmpstrv (spawn.command, spec->argv);
}

static void
test_env_refused (void)
{
  g_autoptr(SandboxSpec) spec = spec_new (SANDBOX_MODE_READ_ONLY);
  g_autoptr(GError) error = NULL;
  const char * const env[] = { "LANG=C", "NOEQUALS", NULL };
  const char * const unnamed[] = { "=value", NULL };

  g_strfreev (spec->env);
  spec->env = g_strdupv ((char **) env);
  g_assert_false (sandbox_flatpak_check_spec (spec, &error));
  g_assert_error (error, SANDBOX_ERROR, SANDBOX_ERROR_SPEC);
  g_assert_true (strstr (error->message, "“NOEQUALS”") != NULL);
  g_assert_null (sandbox_flatpak_build_argv (spec));
  g_clear_error (&error);

  g_strfreev (spec->env);
  spec->env = g_strdupv ((char **) unnamed);
  g_assert_false (sandbox_flatpak_check_spec (spec, &error));
  g_assert_error (error, SANDBOX_ERROR, SANDBOX_ERROR_SPEC);
}

static void
test_dash_command_refused (void)
{
  g_autoptr(SandboxSpec) spec = spec_new (SANDBOX_MODE_WORKSPACE_WRITE);
  const char * const commands[] = { "--host", "-rf", "--", "-", NULL };

  /* flatpak-spawn would take these for its own options: "--host" would
   * run the rest on the host, outside any sandbox. */
  for (guint i = 0; commands[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      const char * const argv[] = { commands[i], "sh", "-c", "id", NULL };

      set_argv (spec, argv);
      g_assert_false (sandbox_flatpak_check_spec (spec, &error));
      g_assert_error (error, SANDBOX_ERROR, SANDBOX_ERROR_SPEC);
      g_assert_true (strstr (error->message, commands[i]) != NULL);
      g_assert_true (strstr (error->message, "starts with “-”") != NULL);
      g_assert_null (sandbox_flatpak_build_argv (spec));
    }
}

static void
test_empty_command_refused (void)
{
  g_autoptr(SandboxSpec) spec = spec_new (SANDBOX_MODE_READ_ONLY);
  g_autoptr(GError) error = NULL;
  const char * const argv[] = { "", "--version", NULL };

  /* The portal runs the app's own command for an empty name. */
  set_argv (spec, argv);
  g_assert_false (sandbox_flatpak_check_spec (spec, &error));
  g_assert_error (error, SANDBOX_ERROR, SANDBOX_ERROR_SPEC);
  g_assert_null (sandbox_flatpak_build_argv (spec));
}

static void
test_dash_arguments_kept (void)
{
  g_autoptr(SandboxSpec) spec = spec_new (SANDBOX_MODE_WORKSPACE_WRITE);
  g_auto(GStrv) argv = NULL;
  g_auto(Spawn) spawn = { 0 };
  const char * const command[] = { "git", "--host", "--sandbox-expose-path=/", "-c", "x", NULL };

  /* Once the command has started, the rest is its own. */
  set_argv (spec, command);
  g_assert_true (sandbox_flatpak_check_spec (spec, NULL));
  argv = sandbox_flatpak_build_argv (spec);
  parse_like_flatpak_spawn (argv, &spawn);
  g_assert_false (spawn.host);
  g_assert_false (g_strv_contains ((const char * const *) spawn.expose, "/"));
  g_assert_cmpstrv (spawn.command, command);
}

static void
test_missing_features (void)
{
  g_autoptr(SandboxSpec) spec = spec_new (SANDBOX_MODE_READ_ONLY);
  g_auto(GStrv) missing = sandbox_flatpak_missing_features (spec);
  gboolean seccomp = FALSE;

  g_assert_nonnull (missing);
  g_assert_cmpuint (g_strv_length (missing), >, 0);
  for (guint i = 0; missing[i] != NULL; i++)
    {
      g_assert_null (strchr (missing[i], '\n'));
      g_assert_cmpstr (missing[i], !=, "");
      if (strstr (missing[i], "seccomp") != NULL)
        seccomp = TRUE;
      /* Read-only mode has no writable folders to protect names in. */
      g_assert_null (strstr (missing[i], "protected names"));
    }
  g_assert_true (seccomp);
}

static void
test_missing_protected_and_hidden (void)
{
  g_autoptr(SandboxSpec) spec = spec_new (SANDBOX_MODE_WORKSPACE_WRITE);
  g_auto(GStrv) missing = NULL;
  g_autofree char *all = NULL;
  const char * const hidden[] = {
    "/home/ada/src/proj/.env", "/home/ada/.ssh", "/home/ada/.cache/ccache/keys", "/home/ada/src/project2",
    NULL,
  };

  g_strfreev (spec->hidden);
  spec->hidden = g_strdupv ((char **) hidden);
  missing = sandbox_flatpak_missing_features (spec);
  all = g_strjoinv ("\n", missing);

  g_assert_true (strstr (all, "keep protected names (.git, .paddock) read-only") != NULL);
  /* Only hidden paths inside an exposed folder stay visible; a sibling
   * that shares the workspace's prefix is not inside it. */
  g_assert_true (strstr (all, "hide /home/ada/src/proj/.env, /home/ada/.cache/ccache/keys:") != NULL);
  g_assert_null (strstr (all, "/home/ada/.ssh"));
  g_assert_null (strstr (all, "/home/ada/src/project2"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sandbox/flatpak/detect", test_detect);
  g_test_add_func ("/sandbox/flatpak/argv/read-only", test_argv_read_only);
  g_test_add_func ("/sandbox/flatpak/argv/workspace-write", test_argv_workspace_write);
  g_test_add_func ("/sandbox/flatpak/argv/full-access", test_argv_full_access);
  g_test_add_func ("/sandbox/flatpak/parsed/read-only", test_parsed_read_only);
  g_test_add_func ("/sandbox/flatpak/parsed/workspace-write", test_parsed_workspace_write);
  g_test_add_func ("/sandbox/flatpak/env/values", test_env_values);
  g_test_add_func ("/sandbox/flatpak/env/refused", test_env_refused);
  g_test_add_func ("/sandbox/flatpak/command/dash-refused", test_dash_command_refused);
  g_test_add_func ("/sandbox/flatpak/command/empty-refused", test_empty_command_refused);
  g_test_add_func ("/sandbox/flatpak/command/dash-arguments-kept", test_dash_arguments_kept);
  g_test_add_func ("/sandbox/flatpak/missing", test_missing_features);
  g_test_add_func ("/sandbox/flatpak/missing/protected-and-hidden", test_missing_protected_and_hidden);

  return g_test_run ();
}
