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
  g_autoptr(GString) out = NULL;
  const char *rest;

  g_return_val_if_fail (path != NULL, NULL);

  if (*path == '\0')
    return NULL;

  if (path[0] == '~')
    {
      /* "~user" names someone else's home: not knowable here. */
      if ((path[1] != '\0' && path[1] != '/') || home == NULL || !g_path_is_absolute (home))
        return NULL;
      out = g_string_new (home);
      rest = path + 1;
    }
  else if (g_path_is_absolute (path))
    {
      out = g_string_new (NULL);
      rest = path;
    }
  else if (cwd != NULL && g_path_is_absolute (cwd))
    {
      out = g_string_new (cwd);
      g_string_append_c (out, '/');
      rest = path;
    }
  else
    return NULL;

  /* Normalise what is there so far, then append @rest component by
   * component: "." vanishes, ".." drops the last one. */
  g_string_append (out, rest);
  {
    char *src = out->str;
    char *dst = out->str;
    gsize len = out->len;
    gsize i = 0;

    while (i < len)
      {
        gsize start, n;

        while (i < len && src[i] == '/')
          i++;
        start = i;
        while (i < len && src[i] != '/')
          i++;
        n = i - start;

        if (n == 0 || (n == 1 && src[start] == '.'))
          continue;
        if (n == 2 && src[start] == '.' && src[start + 1] == '.')
          {
            while (dst > out->str && *(dst - 1) != '/')
              dst--;
            if (dst > out->str)
              dst--;
            continue;
          }
        *dst++ = '/';
        memmove (dst, src + start, n);
        dst += n;
      }

    if (dst == out->str)
      *dst++ = '/';
    g_string_truncate (out, dst - out->str);
  }

  return g_string_free (g_steal_pointer (&out), FALSE);
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
