/* paddock-patch.c
 *
 * Lines keep their line breaks, so a file without a final newline
 * (marked "\ No newline at end of file") comes out as it should.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "paddock-errors.h"
#include "paddock-patch.h"

G_DEFINE_QUARK (paddock-patch-error-quark, paddock_patch_error)

typedef struct
{
  guint old_start;
  guint old_count;
  guint new_count;
  GPtrArray *old_lines;    /* what must be there, line breaks kept */
  GPtrArray *new_lines;    /* what replaces it */
} Hunk;

static void
hunk_free (Hunk *hunk)
{
  g_ptr_array_unref (hunk->old_lines);
  g_ptr_array_unref (hunk->new_lines);
  g_free (hunk);
}

static void
file_free (PaddockPatchFile *file)
{
  g_free (file->old_path);
  g_free (file->new_path);
  g_ptr_array_unref (file->hunks);
  g_free (file);
}

const char *
paddock_patch_file_get_path (PaddockPatchFile *file)
{
  return file->new_path ? file->new_path : file->old_path;
}

/* "a/src/x.c\t2024-…" → "src/x.c"; "/dev/null" → NULL. */
static char *
header_path (const char *text,
             gboolean   *ok)
{
  g_autofree char *path = g_strndup (text, strcspn (text, "\t\n"));

  *ok = *path != '\0';
  if (g_str_equal (path, "/dev/null"))
    return NULL;
  if (g_str_has_prefix (path, "a/") || g_str_has_prefix (path, "b/"))
    return g_strdup (path + 2);
  return g_steal_pointer (&path);
}

static gboolean
parse_range (const char  *text,
             guint       *start,
             guint       *count)
{
  char *end;

  *start = strtoul (text, &end, 10);
  *count = 1;
  if (*end == ',')
    *count = strtoul (end + 1, &end, 10);
  return end != text;
}

static gboolean
fail_at (GError     **error,
         guint        line,
         const char  *why)
{
  return paddock_fail (error, PADDOCK_PATCH_ERROR, PADDOCK_PATCH_ERROR_MALFORMED,
                       "the patch is not a unified diff at line %u: %s", line, why);
}

GPtrArray *
paddock_patch_parse (const char  *text,
                     GError     **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) file_free);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);
  PaddockPatchFile *file = NULL;

  for (guint i = 0; i < n; i++)
    {
      const char *line = lines[i];
      Hunk *hunk;
      guint old_seen = 0, new_seen = 0, new_start;
      gboolean ok_old, ok_new;

      if (g_str_has_prefix (line, "--- ") && i + 1 < n && g_str_has_prefix (lines[i + 1], "+++ "))
        {
          file = g_new0 (PaddockPatchFile, 1);
          file->hunks = g_ptr_array_new_with_free_func ((GDestroyNotify) hunk_free);
          file->old_path = header_path (line + 4, &ok_old);
          file->new_path = header_path (lines[i + 1] + 4, &ok_new);
          g_ptr_array_add (files, file);
          if (!ok_old || !ok_new || (file->old_path == NULL && file->new_path == NULL))
            return fail_at (error, i + 1, "a file header names no file"), NULL;
          i++;
          continue;
        }
      if (!g_str_has_prefix (line, "@@ "))
        continue;  /* "diff --git", "index …" and other words around the hunks */
      if (file == NULL)
        return fail_at (error, i + 1, "a hunk before any ---/+++ header"), NULL;

      hunk = g_new0 (Hunk, 1);
      hunk->old_lines = g_ptr_array_new_with_free_func (g_free);
      hunk->new_lines = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (file->hunks, hunk);
      if (line[3] != '-' || !parse_range (line + 4, &hunk->old_start, &hunk->old_count) ||
          strstr (line + 4, " +") == NULL ||
          !parse_range (strstr (line + 4, " +") + 2, &new_start, &hunk->new_count))
        return fail_at (error, i + 1, "a hunk header is not “@@ -START,COUNT +START,COUNT @@”"), NULL;

      while (old_seen < hunk->old_count || new_seen < hunk->new_count)
        {
          const char *body;

          if (++i >= n || (i == n - 1 && lines[i][0] == '\0'))
            return fail_at (error, i + 1, "a hunk ends before its counts say"), NULL;
          body = lines[i];
          switch (body[0])
            {
            case ' ':
            case '\0':  /* an empty context line whose space was trimmed */
              g_ptr_array_add (hunk->old_lines, g_strconcat (body[0] ? body + 1 : "", "\n", NULL));
              g_ptr_array_add (hunk->new_lines, g_strconcat (body[0] ? body + 1 : "", "\n", NULL));
              old_seen++;
              new_seen++;
              break;
            case '-':
              g_ptr_array_add (hunk->old_lines, g_strconcat (body + 1, "\n", NULL));
              old_seen++;
              break;
            case '+':
              g_ptr_array_add (hunk->new_lines, g_strconcat (body + 1, "\n", NULL));
              new_seen++;
              break;
            default:
              return fail_at (error, i + 1, "a hunk line starts with neither a space, - nor +"), NULL;
            }
          /* The line just read has no final newline in its file. */
          if (i + 1 < n && g_str_has_prefix (lines[i + 1], "\\ "))
            {
              GPtrArray *sides[] = { body[0] != '+' ? hunk->old_lines : NULL, body[0] != '-' ? hunk->new_lines : NULL };

              for (guint s = 0; s < 2; s++)
                if (sides[s] != NULL && sides[s]->len > 0)
                  {
                    char *last = g_ptr_array_index (sides[s], sides[s]->len - 1);
                    last[strlen (last) - 1] = '\0';
                  }
              i++;
            }
        }
      if (old_seen != hunk->old_count || new_seen != hunk->new_count)
        return fail_at (error, i + 1, "a hunk has more lines than its counts say"), NULL;
    }

  if (files->len == 0)
    return paddock_fail (error, PADDOCK_PATCH_ERROR, PADDOCK_PATCH_ERROR_MALFORMED,
                         "the patch changes no file: give a unified diff, as `git diff` prints it"), NULL;
  return g_steal_pointer (&files);
}

/* @content as lines, each with its line break (the last may lack one). */
static GPtrArray *
split_lines (const char *content,
             gsize       length)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  const char *end = content + length;

  while (content < end)
    {
      const char *newline = memchr (content, '\n', end - content);
      const char *stop = newline ? newline + 1 : end;

      g_ptr_array_add (lines, g_strndup (content, stop - content));
      content = stop;
    }
  return lines;
}

GBytes *
paddock_patch_apply_file (PaddockPatchFile  *file,
                          GBytes            *old,
                          GError           **error)
{
  gsize length = 0;
  const char *content = old ? g_bytes_get_data (old, &length) : "";
  g_autoptr(GPtrArray) lines = split_lines (content, length);
  g_autoptr(GString) out = g_string_new (NULL);
  guint next = 0;   /* the first line of the old file not yet copied */

  for (guint h = 0; h < file->hunks->len; h++)
    {
      Hunk *hunk = g_ptr_array_index (file->hunks, h);
      /* A hunk that adds to an empty range starts after its line. */
      guint at = hunk->old_count == 0 ? hunk->old_start : hunk->old_start - (hunk->old_start > 0);

      if (at < next || at + hunk->old_lines->len > lines->len)
        return paddock_fail (error, PADDOCK_PATCH_ERROR, PADDOCK_PATCH_ERROR_MISMATCH,
                             "hunk %u of %s does not apply: the file has %u lines, the hunk wants lines %u to %u",
                             h + 1, paddock_patch_file_get_path (file), lines->len, at + 1,
                             at + hunk->old_lines->len), NULL;
      for (guint i = 0; i < hunk->old_lines->len; i++)
        if (!g_str_equal (g_ptr_array_index (lines, at + i), g_ptr_array_index (hunk->old_lines, i)))
          return paddock_fail (error, PADDOCK_PATCH_ERROR, PADDOCK_PATCH_ERROR_MISMATCH,
                               "hunk %u of %s does not apply: line %u is not what the patch expects there; read "
                               "the file again and make the patch from what it holds now",
                               h + 1, paddock_patch_file_get_path (file), at + i + 1), NULL;
      for (; next < at; next++)
        g_string_append (out, g_ptr_array_index (lines, next));
      for (guint i = 0; i < hunk->new_lines->len; i++)
        g_string_append (out, g_ptr_array_index (hunk->new_lines, i));
      next = at + hunk->old_lines->len;
    }
  for (; next < lines->len; next++)
    g_string_append (out, g_ptr_array_index (lines, next));
  return g_string_free_to_bytes (g_steal_pointer (&out));
}
