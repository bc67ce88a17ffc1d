/* paddock-json-locator.c
 *
 * A small strict JSON scanner that does not build values, only remembers
 * where each one was written. json-glib parses the values; this gives
 * every error message its line and column.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "paddock-errors.h"
#include "paddock-json-locator.h"

/* Deep enough for any policy; bounded so a hostile file cannot exhaust
 * the stack. */
#define MAX_DEPTH 64

struct _PaddockJsonLocator
{
  const char *text;
  gsize length;
  gsize pos;
  guint line;
  gsize line_start;
  GHashTable *locations; /* pointer → PaddockJsonLocation */
  char *text_copy;
};

static guint
column_at (PaddockJsonLocator *self,
           gsize               offset)
{
  guint column = 1;

  /* Count characters, not bytes: editors show characters. */
  for (gsize i = self->line_start; i < offset; i++)
    if (((guchar) self->text[i] & 0xC0) != 0x80)
      column++;

  return column;
}

static gboolean
fail_here (PaddockJsonLocator  *self,
           GError             **error,
           const char          *what)
{
  return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SYNTAX,
                       "%u:%u: %s", self->line, column_at (self, self->pos), what);
}

static void
skip_whitespace (PaddockJsonLocator *self)
{
  while (self->pos < self->length)
    {
      char c = self->text[self->pos];

      if (c == '\n')
        {
          self->line++;
          self->line_start = self->pos + 1;
        }
      else if (c != ' ' && c != '\t' && c != '\r')
        break;
      self->pos++;
    }
}

static gboolean
read_hex4 (PaddockJsonLocator *self,
           gsize               at,
           gunichar           *value)
{
  *value = 0;
  for (guint i = 0; i < 4; i++)
    {
      if (at + i >= self->length || !g_ascii_isxdigit (self->text[at + i]))
        return FALSE;
      *value = (*value << 4) | g_ascii_xdigit_value (self->text[at + i]);
    }
  return TRUE;
}

/* Decodes \uXXXX (and a surrogate pair) so that two spellings of one
 * member name compare equal, as they do for json-glib. */
static gboolean
scan_unicode_escape (PaddockJsonLocator  *self,
                     gunichar            *ch,
                     GError             **error)
{
  gunichar low;

  if (!read_hex4 (self, self->pos + 2, ch))
    return fail_here (self, error, "\\u must be followed by four hexadecimal digits");
  self->pos += 6;

  if (*ch >= 0xD800 && *ch <= 0xDBFF)
    {
      if (self->pos + 1 < self->length && self->text[self->pos] == '\\' &&
          self->text[self->pos + 1] == 'u' &&
          read_hex4 (self, self->pos + 2, &low) && low >= 0xDC00 && low <= 0xDFFF)
        {
          *ch = 0x10000 + ((*ch - 0xD800) << 10) + (low - 0xDC00);
          self->pos += 6;
          return TRUE;
        }
      return fail_here (self, error, "unpaired UTF-16 surrogate in a \\u escape");
    }
  if (*ch >= 0xDC00 && *ch <= 0xDFFF)
    return fail_here (self, error, "unpaired UTF-16 surrogate in a \\u escape");
  if (*ch == 0)
    return fail_here (self, error, "\\u0000 is not accepted in a policy");

  return TRUE;
}

static gboolean
scan_string (PaddockJsonLocator  *self,
             GString             *out,
             GError             **error)
{
  g_assert (self->text[self->pos] == '"');
  self->pos++;

  while (self->pos < self->length)
    {
      guchar c = self->text[self->pos];

      if (c == '"')
        {
          self->pos++;
          return TRUE;
        }
      if (c < 0x20)
        return fail_here (self, error, "control character inside a string; write it as an escape such as \\n or \\u0001");
      if (c == '\\')
        {
          char e;

          if (self->pos + 1 >= self->length)
            break;
          e = self->text[self->pos + 1];
          switch (e)
            {
            case '"': case '\\': case '/':
              g_string_append_c (out, e);
              break;
            case 'b': g_string_append_c (out, '\b'); break;
            case 'f': g_string_append_c (out, '\f'); break;
            case 'n': g_string_append_c (out, '\n'); break;
            case 'r': g_string_append_c (out, '\r'); break;
            case 't': g_string_append_c (out, '\t'); break;
            case 'u':
              {
                gunichar ch;

                if (!scan_unicode_escape (self, &ch, error))
                  return FALSE;
                g_string_append_unichar (out, ch);
                continue;
              }
            default:
              return fail_here (self, error, "unknown escape in a string; accepted: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
            }
          self->pos += 2;
          continue;
        }
      g_string_append_c (out, c);
      self->pos++;
    }

  return fail_here (self, error, "unterminated string");
}

static gboolean
scan_literal (PaddockJsonLocator  *self,
              const char          *word,
              GError             **error)
{
  gsize len = strlen (word);

  if (self->length - self->pos < len || memcmp (self->text + self->pos, word, len) != 0)
    return fail_here (self, error, "unexpected character; expected a value (string, number, object, array, true, false or null)");
  self->pos += len;
  return TRUE;
}

static gboolean
scan_number (PaddockJsonLocator  *self,
             GError             **error)
{
  gsize p = self->pos;
  const char *t = self->text;

  if (p < self->length && t[p] == '-')
    p++;
  if (p < self->length && t[p] == '0')
    p++;
  else if (p < self->length && t[p] >= '1' && t[p] <= '9')
    while (p < self->length && g_ascii_isdigit (t[p]))
      p++;
  else
    return fail_here (self, error, "malformed number");

  if (p < self->length && t[p] == '.')
    {
      p++;
      if (p >= self->length || !g_ascii_isdigit (t[p]))
        return fail_here (self, error, "malformed number: digits must follow the decimal point");
      while (p < self->length && g_ascii_isdigit (t[p]))
        p++;
    }
  if (p < self->length && (t[p] == 'e' || t[p] == 'E'))
    {
      p++;
      if (p < self->length && (t[p] == '+' || t[p] == '-'))
        p++;
      if (p >= self->length || !g_ascii_isdigit (t[p]))
        return fail_here (self, error, "malformed number: digits must follow the exponent");
      while (p < self->length && g_ascii_isdigit (t[p]))
        p++;
    }

  self->pos = p;
  return TRUE;
}

static void
escape_pointer_token (GString    *out,
                      const char *token)
{
  for (const char *c = token; *c; c++)
    {
      if (*c == '~')
        g_string_append (out, "~0");
      else if (*c == '/')
        g_string_append (out, "~1");
      else
        g_string_append_c (out, *c);
    }
}

static gboolean scan_value (PaddockJsonLocator *self, GString *pointer,
                            guint key_line, guint key_column, guint depth,
                            GError **error);

static gboolean
scan_object (PaddockJsonLocator  *self,
             GString             *pointer,
             guint                depth,
             GError             **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gsize base_len = pointer->len;

  self->pos++; /* { */
  skip_whitespace (self);
  if (self->pos < self->length && self->text[self->pos] == '}')
    {
      self->pos++;
      return TRUE;
    }

  for (;;)
    {
      g_autoptr(GString) key = g_string_new (NULL);
      guint key_line, key_column;

      skip_whitespace (self);
      if (self->pos < self->length && self->text[self->pos] == '}')
        return fail_here (self, error, "a trailing comma is not JSON; remove the “,” before it");
      if (self->pos >= self->length || self->text[self->pos] != '"')
        return fail_here (self, error, "expected a member name in double quotes");

      key_line = self->line;
      key_column = column_at (self, self->pos);
      if (!scan_string (self, key, error))
        return FALSE;

      if (g_hash_table_contains (seen, key->str))
        return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SYNTAX,
                             "%u:%u: duplicate member “%s”; each name may appear once in an object",
                             key_line, key_column, key->str);
      g_hash_table_add (seen, g_strdup (key->str));

      skip_whitespace (self);
      if (self->pos >= self->length || self->text[self->pos] != ':')
        return fail_here (self, error, "expected “:” after the member name");
      self->pos++;
      skip_whitespace (self);

      g_string_append_c (pointer, '/');
      escape_pointer_token (pointer, key->str);
      if (!scan_value (self, pointer, key_line, key_column, depth + 1, error))
        return FALSE;
      g_string_truncate (pointer, base_len);

      skip_whitespace (self);
      if (self->pos < self->length && self->text[self->pos] == ',')
        {
          self->pos++;
          continue;
        }
      if (self->pos < self->length && self->text[self->pos] == '}')
        {
          self->pos++;
          return TRUE;
        }
      return fail_here (self, error, "expected “,” or “}” (a trailing comma is not JSON)");
    }
}

static gboolean
scan_array (PaddockJsonLocator  *self,
            GString             *pointer,
            guint                depth,
            GError             **error)
{
  gsize base_len = pointer->len;

  self->pos++; /* [ */
  skip_whitespace (self);
  if (self->pos < self->length && self->text[self->pos] == ']')
    {
      self->pos++;
      return TRUE;
    }

  for (guint index = 0;; index++)
    {
      skip_whitespace (self);
      g_string_append_printf (pointer, "/%u", index);
      if (!scan_value (self, pointer, 0, 0, depth + 1, error))
        return FALSE;
      g_string_truncate (pointer, base_len);

      skip_whitespace (self);
      if (self->pos < self->length && self->text[self->pos] == ',')
        {
          self->pos++;
          continue;
        }
      if (self->pos < self->length && self->text[self->pos] == ']')
        {
          self->pos++;
          return TRUE;
        }
      return fail_here (self, error, "expected “,” or “]” (a trailing comma is not JSON)");
    }
}

static gboolean
scan_value (PaddockJsonLocator  *self,
            GString             *pointer,
            guint                key_line,
            guint                key_column,
            guint                depth,
            GError             **error)
{
  PaddockJsonLocation *location;
  gboolean ok;

  if (depth > MAX_DEPTH)
    return fail_here (self, error, "nested too deeply");

  if (self->pos >= self->length)
    return fail_here (self, error, "unexpected end of the document; expected a value");

  location = g_new0 (PaddockJsonLocation, 1);
  location->line = self->line;
  location->column = column_at (self, self->pos);
  location->key_line = key_line ? key_line : location->line;
  location->key_column = key_line ? key_column : location->column;
  location->start = self->pos;
  g_hash_table_replace (self->locations, g_strdup (pointer->str), location);

  switch (self->text[self->pos])
    {
    case '{':
      ok = scan_object (self, pointer, depth, error);
      break;
    case '[':
      ok = scan_array (self, pointer, depth, error);
      break;
    case '"':
      {
        g_autoptr(GString) ignored = g_string_new (NULL);
        ok = scan_string (self, ignored, error);
      }
      break;
    case 't':
      ok = scan_literal (self, "true", error);
      break;
    case 'f':
      ok = scan_literal (self, "false", error);
      break;
    case 'n':
      ok = scan_literal (self, "null", error);
      break;
    case ']':
    case '}':
      ok = fail_here (self, error, "a trailing comma is not JSON; remove the “,” before it");
      break;
    default:
      if (self->text[self->pos] == '-' || g_ascii_isdigit (self->text[self->pos]))
        ok = scan_number (self, error);
      else
        ok = fail_here (self, error, "unexpected character; expected a value (string, number, object, array, true, false or null)");
      break;
    }

  location->end = self->pos;
  return ok;
}

PaddockJsonLocator *
paddock_json_locator_new (const char  *text,
                          gsize        length,
                          GError     **error)
{
  g_autoptr(PaddockJsonLocator) self = g_new0 (PaddockJsonLocator, 1);
  g_autoptr(GString) pointer = g_string_new (NULL);

  g_return_val_if_fail (text != NULL, NULL);

  self->text_copy = g_strndup (text, length);
  self->text = self->text_copy;
  self->length = length;
  self->line = 1;
  self->locations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (memchr (text, '\0', length) != NULL)
    {
      paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SYNTAX,
                    "the document contains a NUL byte; policy files are UTF-8 JSON text");
      return NULL;
    }
  if (!g_utf8_validate (text, length, NULL))
    {
      const char *end;
      g_utf8_validate (text, length, &end);
      self->pos = end - text;
      for (gsize i = 0; i < self->pos; i++)
        if (text[i] == '\n')
          {
            self->line++;
            self->line_start = i + 1;
          }
      fail_here (self, error, "invalid UTF-8; policy files are UTF-8 JSON text");
      return NULL;
    }

  skip_whitespace (self);
  if (!scan_value (self, pointer, 0, 0, 0, error))
    return NULL;
  skip_whitespace (self);
  if (self->pos != self->length)
    {
      fail_here (self, error, "unexpected text after the end of the document");
      return NULL;
    }

  return g_steal_pointer (&self);
}

void
paddock_json_locator_free (PaddockJsonLocator *locator)
{
  if (locator == NULL)
    return;

  g_clear_pointer (&locator->locations, g_hash_table_unref);
  g_free (locator->text_copy);
  g_free (locator);
}

const PaddockJsonLocation *
paddock_json_locator_lookup (PaddockJsonLocator *locator,
                             const char         *pointer)
{
  g_return_val_if_fail (locator != NULL, NULL);
  g_return_val_if_fail (pointer != NULL, NULL);

  return g_hash_table_lookup (locator->locations, pointer);
}

char *
paddock_json_locator_dup_text (PaddockJsonLocator *locator,
                               const char         *pointer)
{
  const PaddockJsonLocation *location = paddock_json_locator_lookup (locator, pointer);

  if (location == NULL)
    return NULL;

  return g_strndup (locator->text + location->start, location->end - location->start);
}
