/* paddock-action.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "paddock-action.h"

G_DEFINE_BOXED_TYPE (PaddockAction, paddock_action, paddock_action_ref, paddock_action_unref)

static PaddockAction *
action_new (PaddockActionKind kind)
{
  PaddockAction *action = g_new0 (PaddockAction, 1);

  g_atomic_ref_count_init (&action->ref_count);
  action->kind = kind;
  return action;
}

PaddockAction *
paddock_action_new_exec (const char * const *argv,
                         const char         *cwd)
{
  PaddockAction *action;

  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);

  action = action_new (PADDOCK_ACTION_EXEC);
  action->argv = g_strdupv ((char **) argv);
  action->cwd = g_strdup (cwd);
  return action;
}

PaddockAction *
paddock_action_new_path (PaddockActionKind  kind,
                         const char        *path,
                         const char        *cwd)
{
  PaddockAction *action;

  g_return_val_if_fail (kind == PADDOCK_ACTION_READ || kind == PADDOCK_ACTION_WRITE, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  action = action_new (kind);
  action->path = g_strdup (path);
  action->cwd = g_strdup (cwd);
  return action;
}

PaddockAction *
paddock_action_new_net (const char *host,
                        guint16     port,
                        const char *protocol)
{
  PaddockAction *action;

  g_return_val_if_fail (host != NULL, NULL);

  action = action_new (PADDOCK_ACTION_NET);
  action->host = g_strdup (host);
  action->port = port;
  action->protocol = g_strdup (protocol);
  return action;
}

PaddockAction *
paddock_action_new_mcp (const char *server,
                        const char *tool)
{
  PaddockAction *action;

  g_return_val_if_fail (server != NULL, NULL);

  action = action_new (PADDOCK_ACTION_MCP);
  action->server = g_strdup (server);
  action->tool = g_strdup (tool);
  return action;
}

PaddockAction *
paddock_action_ref (PaddockAction *action)
{
  g_return_val_if_fail (action != NULL, NULL);

  g_atomic_ref_count_inc (&action->ref_count);
  return action;
}

void
paddock_action_unref (PaddockAction *action)
{
  g_return_if_fail (action != NULL);

  if (!g_atomic_ref_count_dec (&action->ref_count))
    return;

  g_strfreev (action->argv);
  g_free (action->cwd);
  g_free (action->path);
  g_free (action->host);
  g_free (action->protocol);
  g_free (action->server);
  g_free (action->tool);
  g_free (action);
}

static gboolean
is_hidden_character (gunichar ch)
{
  /* C0, DEL and C1 controls. */
  if (ch < 0x20 || (ch >= 0x7F && ch <= 0x9F))
    return TRUE;

  switch (ch)
    {
    case 0x00AD:                   /* soft hyphen */
    case 0x034F:                   /* combining grapheme joiner */
    case 0x061C:                   /* Arabic letter mark */
    case 0x115F: case 0x1160:      /* Hangul fillers */
    case 0x180E:                   /* Mongolian vowel separator */
    case 0x200B: case 0x200C: case 0x200D: case 0x200E: case 0x200F:
    case 0x2028: case 0x2029:      /* line and paragraph separators */
    case 0x202A: case 0x202B: case 0x202C: case 0x202D: case 0x202E:
    case 0x2060: case 0x2061: case 0x2062: case 0x2063: case 0x2064:
    case 0x2066: case 0x2067: case 0x2068: case 0x2069:
    case 0x206A: case 0x206B: case 0x206C: case 0x206D: case 0x206E: case 0x206F:
    case 0x3164:                   /* Hangul filler */
    case 0xFEFF:                   /* zero-width no-break space */
    case 0xFFA0:                   /* halfwidth Hangul filler */
      return TRUE;
    default:
      break;
    }

  /* Variation selectors and tag characters carry invisible payloads. */
  if ((ch >= 0xFE00 && ch <= 0xFE0F) || (ch >= 0xE0000 && ch <= 0xE0FFF))
    return TRUE;

  /* Everything else Unicode calls a format character. */
  return g_unichar_type (ch) == G_UNICODE_FORMAT;
}

gboolean
paddock_text_has_hidden_characters (const char *text)
{
  const char *end;

  g_return_val_if_fail (text != NULL, FALSE);

  /* Most words are printable ASCII: nothing to look up. */
  for (end = text; *end >= 0x20 && *end < 0x7F; end++)
    ;
  if (*end == '\0')
    return FALSE;

  if (!g_utf8_validate (text, -1, &end))
    return TRUE;

  /* Line breaks and tabs are ordinary in scripts and messages, and every
   * display escapes them anyway; a carriage return is not. */
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar ch = g_utf8_get_char (p);

      if (ch != '\n' && ch != '\t' && is_hidden_character (ch))
        return TRUE;
    }

  return FALSE;
}

char *
paddock_escape_for_display (const char *text)
{
  GString *out;
  const char *p;

  g_return_val_if_fail (text != NULL, NULL);

  out = g_string_sized_new (strlen (text));
  p = text;
  while (*p)
    {
      gunichar ch = g_utf8_get_char_validated (p, -1);

      if (ch == (gunichar) -1 || ch == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", (guchar) *p);
          p++;
          continue;
        }

      if (ch == '\\')
        g_string_append (out, "\\\\");
      else if (ch == '\n')
        g_string_append (out, "\\n");
      else if (ch == '\t')
        g_string_append (out, "\\t");
      else if (ch == '\r')
        g_string_append (out, "\\r");
      else if (ch == 0x1B)
        g_string_append (out, "\\e");
      else if (ch < 0x80 && is_hidden_character (ch))
        g_string_append_printf (out, "\\x%02x", ch);
      else if (is_hidden_character (ch))
        g_string_append_printf (out, ch > 0xFFFF ? "\\U%08x" : "\\u%04x", ch);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);

      p = g_utf8_next_char (p);
    }

  return g_string_free (out, FALSE);
}

static gboolean
needs_quoting (const char *word)
{
  if (*word == '\0')
    return TRUE;
  for (const char *c = word; *c; c++)
    if (!g_ascii_isalnum (*c) && strchr ("@%+=:,./-_~", *c) == NULL && (guchar) *c < 0x80)
      return TRUE;
  return FALSE;
}

char *
paddock_escape_keeping_lines (const char *text)
{
  g_auto(GStrv) lines = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *escaped = paddock_escape_for_display (lines[i]);

      g_free (lines[i]);
      lines[i] = escaped;
    }
  return g_strjoinv ("\n", lines);
}

char *
paddock_escape_as_one_line (const char *text)
{
  g_autoptr(GString) oneline = g_string_new (NULL);

  g_return_val_if_fail (text != NULL, NULL);

  for (const char *c = text; *c; c++)
    {
      if (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r')
        {
          if (oneline->len > 0 && oneline->str[oneline->len - 1] != ' ')
            g_string_append_c (oneline, ' ');
        }
      else
        g_string_append_c (oneline, *c);
    }

  return paddock_escape_for_display (oneline->str);
}

char *
paddock_argv_to_display (const char * const *argv)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (argv != NULL, NULL);

  for (guint i = 0; argv[i] != NULL; i++)
    {
      g_autofree char *escaped = paddock_escape_for_display (argv[i]);

      if (i > 0)
        g_string_append_c (out, ' ');
      if (needs_quoting (argv[i]))
        {
          g_autofree char *quoted = g_shell_quote (escaped);
          g_string_append (out, quoted);
        }
      else
        g_string_append (out, escaped);
    }

  return g_string_free (out, FALSE);
}

char *
paddock_action_to_display (const PaddockAction *action)
{
  g_return_val_if_fail (action != NULL, NULL);

  switch (action->kind)
    {
    case PADDOCK_ACTION_EXEC:
      return paddock_argv_to_display ((const char * const *) action->argv);

    case PADDOCK_ACTION_READ:
    case PADDOCK_ACTION_WRITE:
      {
        g_autofree char *path = paddock_escape_for_display (action->path);
        return g_strdup_printf ("%s %s", action->kind == PADDOCK_ACTION_READ ? "read" : "write", path);
      }

    case PADDOCK_ACTION_NET:
      {
        g_autofree char *host = paddock_escape_for_display (action->host);

        if (action->port == 0)
          return g_steal_pointer (&host);
        if (strchr (host, ':') != NULL)
          return g_strdup_printf ("[%s]:%u", host, action->port);
        return g_strdup_printf ("%s:%u", host, action->port);
      }

    case PADDOCK_ACTION_MCP:
      {
        g_autofree char *server = paddock_escape_for_display (action->server);
        g_autofree char *tool = action->tool ? paddock_escape_for_display (action->tool) : NULL;

        return tool ? g_strdup_printf ("mcp %s/%s", server, tool) : g_strdup_printf ("mcp %s", server);
      }

    default:
      g_assert_not_reached ();
    }
}
