/* paddock-path.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "paddock-path.h"

char *
paddock_path_normalize (const char *path,
                        const char *cwd,
                        const char *home)
{
  g_autofree char *absolute = NULL;
  g_autoptr(GPtrArray) parts = NULL;
  g_auto(GStrv) split = NULL;
  GString *out;

  g_return_val_if_fail (path != NULL, NULL);

  if (*path == '\0')
    return NULL;

  if (path[0] == '~')
    {
      /* "~user" names someone else's home: not knowable here. */
      if (path[1] != '\0' && path[1] != '/')
        return NULL;
      if (home == NULL)
        return NULL;
      absolute = g_strconcat (home, path + 1, NULL);
    }
  else if (g_path_is_absolute (path))
    absolute = g_strdup (path);
  else if (cwd != NULL && g_path_is_absolute (cwd))
    absolute = g_build_filename (cwd, path, NULL);
  else
    return NULL;

  split = g_strsplit (absolute, "/", -1);
  parts = g_ptr_array_new ();
  for (guint i = 0; split[i] != NULL; i++)
    {
      const char *part = split[i];

      if (*part == '\0' || g_str_equal (part, "."))
        continue;
      if (g_str_equal (part, ".."))
        {
          if (parts->len > 0)
            g_ptr_array_remove_index (parts, parts->len - 1);
          continue;
        }
      g_ptr_array_add (parts, (gpointer) part);
    }

  out = g_string_new (NULL);
  for (guint i = 0; i < parts->len; i++)
    {
      g_string_append_c (out, '/');
      g_string_append (out, g_ptr_array_index (parts, i));
    }
  if (out->len == 0)
    g_string_append_c (out, '/');

  return g_string_free (out, FALSE);
}

char *
paddock_path_resolve (const char *path,
                      const char *cwd,
                      const char *home)
{
  g_autofree char *normal = paddock_path_normalize (path, cwd, home);
  g_autofree char *prefix = NULL;
  g_autoptr(GString) rest = NULL;

  if (normal == NULL)
    return NULL;

  /* Walk up to the longest prefix that exists and let the kernel resolve
   * its links; the part that does not exist yet cannot be a link. */
  prefix = g_strdup (normal);
  rest = g_string_new (NULL);
  for (;;)
    {
      char resolved[PATH_MAX];

      if (realpath (prefix, resolved) != NULL)
        {
          if (rest->len == 0)
            return g_strdup (resolved);
          if (g_str_equal (resolved, "/"))
            return g_strdup (rest->str);
          return g_strconcat (resolved, rest->str, NULL);
        }

      if (errno != ENOENT && errno != ENOTDIR)
        return g_steal_pointer (&normal);

      {
        char *slash = strrchr (prefix, '/');

        if (slash == NULL || slash == prefix)
          return g_steal_pointer (&normal);
        g_string_prepend (rest, slash);
        *slash = '\0';
      }
    }
}

gboolean
paddock_path_is_within (const char *path,
                        const char *root)
{
  gsize len;

  g_return_val_if_fail (path != NULL && root != NULL, FALSE);

  if (g_str_equal (root, "/"))
    return path[0] == '/';

  len = strlen (root);
  return strncmp (path, root, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

gboolean
paddock_path_has_components (const char *path,
                             const char *root,
                             const char *relative)
{
  g_auto(GStrv) have = NULL;
  g_auto(GStrv) want = NULL;
  const char *below;
  guint n_have, n_want;

  if (!paddock_path_is_within (path, root))
    return FALSE;

  below = path + (g_str_equal (root, "/") ? 0 : strlen (root));
  while (*below == '/')
    below++;

  have = g_strsplit (below, "/", -1);
  want = g_strsplit (relative, "/", -1);
  n_have = g_strv_length (have);
  n_want = g_strv_length (want);

  /* Drop empty components of the pattern ("x/" or "./x"). */
  while (n_want > 0 && (*want[n_want - 1] == '\0'))
    {
      g_free (want[--n_want]);
      want[n_want] = NULL;
    }

  if (n_want == 0)
    return FALSE;

  for (guint i = 0; i + n_want <= n_have; i++)
    {
      gboolean all = TRUE;

      for (guint j = 0; j < n_want && all; j++)
        all = g_str_equal (have[i + j], want[j]);
      if (all)
        return TRUE;
    }

  return FALSE;
}
