/* sandbox-flatpak.c
 *
 * Inside Flatpak the helper cannot start bwrap: the app's own sandbox
 * refuses nested user namespaces. It asks the Flatpak portal instead,
 * through flatpak-spawn --sandbox, to start the command in a new sandbox
 * of the same app with no permissions but the folders we expose.
 *
 * flatpak-spawn does not parse its command line the usual way: every
 * argument up to the first one that does not start with "-" is its own
 * option, and the command starts there. Two rules follow. Every option
 * we pass carries its value after "=", since a separate value would
 * become the command. And the command must not start with "-": it would
 * be read as an option ("--host" runs it outside any sandbox). The "--"
 * before the command is accepted (GOptionContext ends option parsing
 * there) but cannot protect on its own: flatpak-spawn has already split
 * the command line before GOptionContext sees it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "sandbox-errors.h"
#include "sandbox-flatpak.h"

gboolean
sandbox_flatpak_detect (const char *root)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (root != NULL, FALSE);

  path = g_build_filename (root, ".flatpak-info", NULL);
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

gboolean
sandbox_flatpak_check_spec (const SandboxSpec  *spec,
                            GError            **error)
{
  g_return_val_if_fail (spec != NULL, FALSE);

  if (spec->argv == NULL || spec->argv[0] == NULL)
    return sandbox_fail (error, SANDBOX_ERROR_SPEC, "no command to run");

  /* The portal reads an empty command as "the app's own command", which
   * would start Paddock itself in the sandbox. */
  if (spec->argv[0][0] == '\0')
    return sandbox_fail (error, SANDBOX_ERROR_SPEC, "the command name is empty");

  if (spec->argv[0][0] == '-')
    return sandbox_fail (error, SANDBOX_ERROR_SPEC,
                         "flatpak-spawn would read the command “%s” as one of its own options, "
                         "because it starts with “-”; name it by its path (./%s) instead",
                         spec->argv[0], spec->argv[0]);

  for (guint i = 0; spec->env != NULL && spec->env[i] != NULL; i++)
    {
      const char *equals = strchr (spec->env[i], '=');

      if (equals == NULL || equals == spec->env[i])
        return sandbox_fail (error, SANDBOX_ERROR_SPEC,
                             "flatpak-spawn --env takes NAME=VALUE, not “%s”", spec->env[i]);
    }

  return TRUE;
}

static void
add_expose (GPtrArray  *argv,
            const char *option,
            const char *path)
{
  /* The same folder twice would be two identical mounts. */
  for (guint i = 0; i < argv->len; i++)
    {
      const char *arg = g_ptr_array_index (argv, i);

      if (g_str_has_prefix (arg, option) && g_str_equal (arg + strlen (option), path))
        return;
    }
  g_ptr_array_add (argv, g_strconcat (option, path, NULL));
}

GStrv
sandbox_flatpak_build_argv (const SandboxSpec *spec)
{
  g_autoptr(GPtrArray) argv = NULL;
  const char *expose;

  g_return_val_if_fail (spec != NULL, NULL);

  switch (spec->mode)
    {
    case SANDBOX_MODE_FULL_ACCESS:
      return NULL;
    case SANDBOX_MODE_READ_ONLY:
      expose = "--sandbox-expose-path-ro=";
      break;
    case SANDBOX_MODE_WORKSPACE_WRITE:
      expose = "--sandbox-expose-path=";
      break;
    default:
      g_return_val_if_reached (NULL);
    }

  if (!sandbox_flatpak_check_spec (spec, NULL))
    return NULL;

  argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (argv, g_strdup ("flatpak-spawn"));
  /* A new sandbox with nothing shared (no display, sound, GPU, session
   * bus or accessibility bus); the command dies if we do; no network,
   * since Paddock's proxy cannot be reached from there; only the
   * variables we pass. */
  g_ptr_array_add (argv, g_strdup ("--sandbox"));
  g_ptr_array_add (argv, g_strdup ("--watch-bus"));
  g_ptr_array_add (argv, g_strdup ("--no-network"));
  g_ptr_array_add (argv, g_strdup ("--clear-env"));

  if (spec->workspace != NULL)
    add_expose (argv, expose, spec->workspace);
  for (guint i = 0; spec->writable != NULL && spec->writable[i] != NULL; i++)
    add_expose (argv, expose, spec->writable[i]);

  for (guint i = 0; spec->env != NULL && spec->env[i] != NULL; i++)
    g_ptr_array_add (argv, g_strconcat ("--env=", spec->env[i], NULL));

  if (spec->cwd != NULL)
    g_ptr_array_add (argv, g_strconcat ("--directory=", spec->cwd, NULL));

  g_ptr_array_add (argv, g_strdup ("--"));
  for (guint i = 0; spec->argv[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (spec->argv[i]));
  g_ptr_array_add (argv, NULL);

  return (GStrv) g_ptr_array_free (g_steal_pointer (&argv), FALSE);
}

static gboolean
path_is_under (const char *path,
               const char *root)
{
  gsize length = strlen (root);

  if (g_str_equal (root, "/"))
    return TRUE;
  return strncmp (path, root, length) == 0 && (path[length] == '\0' || path[length] == '/');
}

static gboolean
path_is_exposed (const SandboxSpec *spec,
                 const char        *path)
{
  if (spec->workspace != NULL && path_is_under (path, spec->workspace))
    return TRUE;
  for (guint i = 0; spec->writable != NULL && spec->writable[i] != NULL; i++)
    {
      if (path_is_under (path, spec->writable[i]))
        return TRUE;
    }
  return FALSE;
}

GStrv
sandbox_flatpak_missing_features (const SandboxSpec *spec)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) visible_hidden = g_ptr_array_new ();

  g_return_val_if_fail (spec != NULL, NULL);

  g_ptr_array_add (lines, g_strdup ("apply Paddock's own seccomp filter: the command runs under "
                                    "Flatpak's default filter only"));

  if (spec->mode == SANDBOX_MODE_WORKSPACE_WRITE &&
      spec->protected_names != NULL && spec->protected_names[0] != NULL)
    {
      g_autofree char *names = g_strjoinv (", ", spec->protected_names);

      g_ptr_array_add (lines, g_strdup_printf ("keep protected names (%s) read-only inside the "
                                               "writable folders: flatpak-spawn exposes whole "
                                               "folders, so the command can change or create them",
                                               names));
    }

  /* Paths outside the exposed folders are not in the new sandbox at all;
   * only those inside one stay readable. */
  for (guint i = 0; spec->hidden != NULL && spec->hidden[i] != NULL; i++)
    {
      if (path_is_exposed (spec, spec->hidden[i]))
        g_ptr_array_add (visible_hidden, spec->hidden[i]);
    }
  if (visible_hidden->len > 0)
    {
      g_autofree char *paths = NULL;

      g_ptr_array_add (visible_hidden, NULL);
      paths = g_strjoinv (", ", (char **) visible_hidden->pdata);
      g_ptr_array_add (lines, g_strdup_printf ("hide %s: flatpak-spawn exposes whole folders, and "
                                               "these lie inside one", paths));
    }

  g_ptr_array_add (lines, g_strdup ("reach the network through Paddock's proxy: the command has no "
                                    "network at all, so no host can be approved"));
  g_ptr_array_add (lines, g_strdup ("stop the command's processes itself: they are children of the "
                                    "Flatpak portal, so the timeout, the output limit and "
                                    "cancellation reach them only as signals forwarded by "
                                    "flatpak-spawn (never SIGKILL; if flatpak-spawn dies, the "
                                    "portal sends SIGINT)"));
  g_ptr_array_add (lines, g_strdup ("offer the host's programs: the command sees the Flatpak "
                                    "runtime's /usr, the app's /app and the exposed folders only"));
  g_ptr_array_add (lines, g_strdup ("keep the environment to the allowlist: flatpak run adds "
                                    "variables of its own (PATH, FLATPAK_ID, the XDG folders)"));
  g_ptr_array_add (lines, g_strdup ("report a folder the portal refuses to expose: it is left out "
                                    "without an error"));
  g_ptr_array_add (lines, NULL);

  return (GStrv) g_ptr_array_free (g_steal_pointer (&lines), FALSE);
}
