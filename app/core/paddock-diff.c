/* paddock-diff.c
 *
 * The longest common subsequence of the lines between the common start
 * and end: an agent's edits are mostly small, so what is left to
 * compare is too. Past MAX_CELLS the file is only said to differ.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "paddock-diff.h"

#define CONTEXT 3
#define MAX_CELLS (4u * 1024 * 1024)
#define BINARY_PROBE 8000

typedef struct
{
  const char *start;
  gsize length;       /* with its newline, when it has one */
} Line;

typedef struct
{
  char op;            /* ' ', '-' or '+' */
  const Line *line;
} Edit;

static GArray *
split_lines (GBytes *bytes)
{
  GArray *lines = g_array_new (FALSE, FALSE, sizeof (Line));
  gsize size = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &size) : NULL;
  const char *end = data + size;

  while (data != NULL && data < end)
    {
      const char *newline = memchr (data, '\n', end - data);
      Line line = { data, newline ? (gsize) (newline - data + 1) : (gsize) (end - data) };

      g_array_append_val (lines, line);
      data += line.length;
    }
  return lines;
}

static gboolean
is_binary (GBytes *bytes)
{
  gsize size = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &size) : NULL;

  return data != NULL && memchr (data, '\0', MIN (size, BINARY_PROBE)) != NULL;
}

static gboolean
same (const Line *a,
      const Line *b)
{
  return a->length == b->length && memcmp (a->start, b->start, a->length) == 0;
}

/* The edits from @a to @b, or NULL when they are too different. */
static GArray *
edits_of (GArray *a,
          GArray *b)
{
  guint n = a->len, m = b->len, prefix = 0, suffix = 0, rows, columns;
  g_autofree guint32 *lcs = NULL;
  GArray *edits = g_array_new (FALSE, FALSE, sizeof (Edit));

#define A(i) (&g_array_index (a, Line, (i)))
#define B(j) (&g_array_index (b, Line, (j)))
#define ADD(o, l) G_STMT_START { Edit e = { (o), (l) }; g_array_append_val (edits, e); } G_STMT_END

  while (prefix < n && prefix < m && same (A (prefix), B (prefix)))
    prefix++;
  while (suffix < n - prefix && suffix < m - prefix && same (A (n - 1 - suffix), B (m - 1 - suffix)))
    suffix++;
  rows = n - prefix - suffix;
  columns = m - prefix - suffix;
  if ((guint64) (rows + 1) * (columns + 1) > MAX_CELLS)
    {
      g_array_unref (edits);
      return NULL;
    }

  /* lcs[i][j]: the longest common run of the middles from i and j on. */
  lcs = g_new0 (guint32, (gsize) (rows + 1) * (columns + 1));
  for (guint i = rows; i-- > 0;)
    for (guint j = columns; j-- > 0;)
      lcs[i * (columns + 1) + j] = same (A (prefix + i), B (prefix + j))
                                   ? lcs[(i + 1) * (columns + 1) + j + 1] + 1
                                   : MAX (lcs[(i + 1) * (columns + 1) + j], lcs[i * (columns + 1) + j + 1]);

  for (guint i = 0; i < prefix; i++)
    ADD (' ', A (i));
  for (guint i = 0, j = 0; i < rows || j < columns;)
    {
      if (i < rows && j < columns && same (A (prefix + i), B (prefix + j)))
        {
          ADD (' ', A (prefix + i));
          i++, j++;
        }
      else if (i < rows && (j == columns || lcs[(i + 1) * (columns + 1) + j] >= lcs[i * (columns + 1) + j + 1]))
        ADD ('-', A (prefix + i++));
      else
        ADD ('+', B (prefix + j++));
    }
  for (guint i = n - suffix; i < n; i++)
    ADD (' ', A (i));

#undef A
#undef B
#undef ADD
  return edits;
}

static void
append_line (GString    *out,
             char        op,
             const Line *line)
{
  g_string_append_c (out, op);
  g_string_append_len (out, line->start, line->length);
  if (line->length == 0 || line->start[line->length - 1] != '\n')
    g_string_append (out, "\n\\ No newline at end of file\n");
}

/* "start,count" as unified diffs count: from 1, or the line before an
 * empty range. */
static void
append_range (GString *out,
              guint    first,
              guint    count)
{
  g_string_append_printf (out, "%u,%u", count ? first + 1 : first, count);
}

static void
append_hunks (GString *out,
              GArray  *edits)
{
  guint old_line = 0, new_line = 0, i = 0;

  while (i < edits->len)
    {
      guint start, end, old_start, new_start, old_count = 0, new_count = 0;

      /* The next change, then as far as changes keep coming within
       * twice the context of each other. */
      while (i < edits->len && g_array_index (edits, Edit, i).op == ' ')
        i++, old_line++, new_line++;
      if (i == edits->len)
        break;
      start = i - MIN (i, CONTEXT);
      for (guint k = start; k < i; k++)
        old_line--, new_line--;
      end = i;
      for (guint k = i, unchanged = 0; k < edits->len && unchanged <= 2 * CONTEXT; k++)
        {
          if (g_array_index (edits, Edit, k).op == ' ')
            unchanged++;
          else
            {
              unchanged = 0;
              end = k;
            }
        }
      end = MIN (end + CONTEXT + 1, edits->len);

      old_start = old_line;
      new_start = new_line;
      for (guint k = start; k < end; k++)
        {
          char op = g_array_index (edits, Edit, k).op;

          old_count += op != '+';
          new_count += op != '-';
        }
      g_string_append (out, "@@ -");
      append_range (out, old_start, old_count);
      g_string_append (out, " +");
      append_range (out, new_start, new_count);
      g_string_append (out, " @@\n");
      for (guint k = start; k < end; k++)
        append_line (out, g_array_index (edits, Edit, k).op, g_array_index (edits, Edit, k).line);

      old_line = old_start + old_count;
      new_line = new_start + new_count;
      i = end;
    }
}

void
paddock_diff_append (GString    *out,
                     const char *path,
                     GBytes     *before,
                     GBytes     *after)
{
  g_autoptr(GArray) old_lines = NULL;
  g_autoptr(GArray) new_lines = NULL;
  g_autoptr(GArray) edits = NULL;

  g_return_if_fail (out != NULL && path != NULL);

  if (is_binary (before) || is_binary (after))
    {
      g_string_append_printf (out, "Binary file %s %s\n", path,
                              before == NULL ? "created" : after == NULL ? "removed" : "changed");
      return;
    }

  old_lines = split_lines (before);
  new_lines = split_lines (after);
  edits = edits_of (old_lines, new_lines);
  if (edits == NULL)
    {
      g_string_append_printf (out, "File %s changed too much to compare line by line (%u lines, then %u)\n",
                              path, old_lines->len, new_lines->len);
      return;
    }

  if (before == NULL)
    g_string_append (out, "--- /dev/null\n");
  else
    g_string_append_printf (out, "--- a/%s\n", path);
  if (after == NULL)
    g_string_append (out, "+++ /dev/null\n");
  else
    g_string_append_printf (out, "+++ b/%s\n", path);
  append_hunks (out, edits);
}
