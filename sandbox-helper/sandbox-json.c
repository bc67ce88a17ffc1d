/* sandbox-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "sandbox-errors.h"
#include "sandbox-json.h"

#define MAX_DEPTH 32

typedef struct
{
  const char *text;
  gsize length;
  gsize pos;
} Reader;

static gboolean G_GNUC_PRINTF (3, 4)
fail_at (Reader      *reader,
         GError     **error,
         const char  *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  return sandbox_fail (error, SANDBOX_ERROR_SPEC, "offset %" G_GSIZE_FORMAT ": %s", reader->pos, message);
}

static void
skip_whitespace (Reader *reader)
{
  while (reader->pos < reader->length && strchr (" \t\r\n", reader->text[reader->pos]) != NULL &&
         reader->text[reader->pos] != '\0')
    reader->pos++;
}

void
sandbox_json_free (SandboxJson *json)
{
  if (json == NULL)
    return;

  g_free (json->string);
  g_clear_pointer (&json->items, g_ptr_array_unref);
  g_clear_pointer (&json->keys, g_ptr_array_unref);
  g_free (json);
}

const char *
sandbox_json_type_name (SandboxJsonType type)
{
  switch (type)
    {
    case SANDBOX_JSON_NULL: return "null";
    case SANDBOX_JSON_BOOLEAN: return "true/false";
    case SANDBOX_JSON_INTEGER: return "a number";
    case SANDBOX_JSON_STRING: return "a string";
    case SANDBOX_JSON_ARRAY: return "a list";
    case SANDBOX_JSON_OBJECT: return "an object";
    default: g_assert_not_reached ();
    }
}

static SandboxJson *
json_new (SandboxJsonType type)
{
  SandboxJson *json = g_new0 (SandboxJson, 1);

  json->type = type;
  if (type == SANDBOX_JSON_ARRAY || type == SANDBOX_JSON_OBJECT)
    json->items = g_ptr_array_new_with_free_func ((GDestroyNotify) sandbox_json_free);
  if (type == SANDBOX_JSON_OBJECT)
    json->keys = g_ptr_array_new_with_free_func (g_free);
  return json;
}

static gboolean
read_hex4 (Reader   *reader,
           gunichar *value)
{
  *value = 0;
  if (reader->length - reader->pos < 4)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    {
      char c = reader->text[reader->pos + i];

      if (!g_ascii_isxdigit (c))
        return FALSE;
      *value = (*value << 4) | g_ascii_xdigit_value (c);
    }
  reader->pos += 4;
  return TRUE;
}

static char *
read_string (Reader  *reader,
             GError **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  g_assert (reader->text[reader->pos] == '"');
  reader->pos++;

  while (reader->pos < reader->length)
    {
      guchar c = reader->text[reader->pos];

      if (c == '"')
        {
          reader->pos++;
          if (!g_utf8_validate (out->str, out->len, NULL))
            {
              fail_at (reader, error, "a string is not valid UTF-8");
              return NULL;
            }
          return g_string_free (g_steal_pointer (&out), FALSE);
        }
      if (c < 0x20)
        {
          fail_at (reader, error, "a control character inside a string must be escaped");
          return NULL;
        }
      if (c != '\\')
        {
          g_string_append_c (out, c);
          reader->pos++;
          continue;
        }

      reader->pos++;
      if (reader->pos >= reader->length)
        break;
      c = reader->text[reader->pos++];
      switch (c)
        {
        case '"': case '\\': case '/':
          g_string_append_c (out, c);
          break;
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'u':
          {
            gunichar ch, low;

            if (!read_hex4 (reader, &ch))
              {
                fail_at (reader, error, "\\u needs four hexadecimal digits");
                return NULL;
              }
            if (ch >= 0xD800 && ch <= 0xDBFF)
              {
                if (reader->length - reader->pos < 2 || reader->text[reader->pos] != '\\' ||
                    reader->text[reader->pos + 1] != 'u')
                  {
                    fail_at (reader, error, "an unpaired surrogate");
                    return NULL;
                  }
                reader->pos += 2;
                if (!read_hex4 (reader, &low) || low < 0xDC00 || low > 0xDFFF)
                  {
                    fail_at (reader, error, "an unpaired surrogate");
                    return NULL;
                  }
                ch = 0x10000 + ((ch - 0xD800) << 10) + (low - 0xDC00);
              }
            else if (ch >= 0xDC00 && ch <= 0xDFFF)
              {
                fail_at (reader, error, "an unpaired surrogate");
                return NULL;
              }
            /* A NUL would cut an argument or a path short in C. */
            if (ch == 0)
              {
                fail_at (reader, error, "\\u0000 is not accepted");
                return NULL;
              }
            g_string_append_unichar (out, ch);
          }
          break;
        default:
          fail_at (reader, error, "unknown escape \\%c", c);
          return NULL;
        }
    }

  fail_at (reader, error, "unterminated string");
  return NULL;
}

static SandboxJson *read_value (Reader *reader, guint depth, GError **error);

static SandboxJson *
read_container (Reader  *reader,
                guint    depth,
                GError **error)
{
  gboolean object = reader->text[reader->pos] == '{';
  char close = object ? '}' : ']';
  g_autoptr(SandboxJson) json = json_new (object ? SANDBOX_JSON_OBJECT : SANDBOX_JSON_ARRAY);

  reader->pos++;
  skip_whitespace (reader);
  if (reader->pos < reader->length && reader->text[reader->pos] == close)
    {
      reader->pos++;
      return g_steal_pointer (&json);
    }

  for (;;)
    {
      SandboxJson *item;

      skip_whitespace (reader);
      if (object)
        {
          char *key;

          if (reader->pos >= reader->length || reader->text[reader->pos] != '"')
            {
              fail_at (reader, error, "expected a member name");
              return NULL;
            }
          key = read_string (reader, error);
          if (key == NULL)
            return NULL;
          if (g_ptr_array_find_with_equal_func (json->keys, key, g_str_equal, NULL))
            {
              fail_at (reader, error, "member “%s” appears twice", key);
              g_free (key);
              return NULL;
            }
          g_ptr_array_add (json->keys, key);
          skip_whitespace (reader);
          if (reader->pos >= reader->length || reader->text[reader->pos] != ':')
            {
              fail_at (reader, error, "expected “:”");
              return NULL;
            }
          reader->pos++;
          skip_whitespace (reader);
        }

      item = read_value (reader, depth + 1, error);
      if (item == NULL)
        return NULL;
      g_ptr_array_add (json->items, item);

      skip_whitespace (reader);
      if (reader->pos < reader->length && reader->text[reader->pos] == ',')
        {
          reader->pos++;
          continue;
        }
      if (reader->pos < reader->length && reader->text[reader->pos] == close)
        {
          reader->pos++;
          return g_steal_pointer (&json);
        }
      fail_at (reader, error, "expected “,” or “%c”", close);
      return NULL;
    }
}

static SandboxJson *
read_integer (Reader  *reader,
              GError **error)
{
  gsize start = reader->pos;
  g_autofree char *digits = NULL;
  SandboxJson *json;
  char *end;
  gint64 value;

  if (reader->text[reader->pos] == '-')
    reader->pos++;
  while (reader->pos < reader->length && g_ascii_isdigit (reader->text[reader->pos]))
    reader->pos++;
  if (reader->pos < reader->length && strchr (".eE", reader->text[reader->pos]) != NULL &&
      reader->text[reader->pos] != '\0')
    {
      fail_at (reader, error, "only whole numbers are accepted");
      return NULL;
    }

  digits = g_strndup (reader->text + start, reader->pos - start);
  if (*digits == '\0' || g_str_equal (digits, "-") ||
      (digits[digits[0] == '-'] == '0' && digits[(digits[0] == '-') + 1] != '\0'))
    {
      reader->pos = start;
      fail_at (reader, error, "malformed number");
      return NULL;
    }

  errno = 0;
  value = g_ascii_strtoll (digits, &end, 10);
  if (errno != 0 || *end != '\0')
    {
      reader->pos = start;
      fail_at (reader, error, "the number %s does not fit in 64 bits", digits);
      return NULL;
    }

  json = json_new (SANDBOX_JSON_INTEGER);
  json->integer = value;
  return json;
}

static gboolean
read_word (Reader     *reader,
           const char *word)
{
  gsize len = strlen (word);

  if (reader->length - reader->pos < len || memcmp (reader->text + reader->pos, word, len) != 0)
    return FALSE;
  reader->pos += len;
  return TRUE;
}

static SandboxJson *
read_value (Reader  *reader,
            guint    depth,
            GError **error)
{
  SandboxJson *json;
  char c;

  if (depth > MAX_DEPTH)
    {
      fail_at (reader, error, "nested more than %d levels", MAX_DEPTH);
      return NULL;
    }
  if (reader->pos >= reader->length)
    {
      fail_at (reader, error, "unexpected end of the spec");
      return NULL;
    }

  c = reader->text[reader->pos];
  switch (c)
    {
    case '{':
    case '[':
      return read_container (reader, depth, error);
    case '"':
      {
        char *string = read_string (reader, error);

        if (string == NULL)
          return NULL;
        json = json_new (SANDBOX_JSON_STRING);
        json->string = string;
        return json;
      }
    case 't':
    case 'f':
      if (read_word (reader, c == 't' ? "true" : "false"))
        {
          json = json_new (SANDBOX_JSON_BOOLEAN);
          json->boolean = c == 't';
          return json;
        }
      break;
    case 'n':
      if (read_word (reader, "null"))
        return json_new (SANDBOX_JSON_NULL);
      break;
    default:
      if (c == '-' || g_ascii_isdigit (c))
        return read_integer (reader, error);
      break;
    }

  fail_at (reader, error, "expected a value");
  return NULL;
}

SandboxJson *
sandbox_json_parse (const char  *text,
                    gsize        length,
                    GError     **error)
{
  Reader reader = { text, length, 0 };
  g_autoptr(SandboxJson) json = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  if (memchr (text, '\0', length) != NULL)
    {
      sandbox_fail (error, SANDBOX_ERROR_SPEC, "the spec contains a NUL byte");
      return NULL;
    }

  skip_whitespace (&reader);
  json = read_value (&reader, 0, error);
  if (json == NULL)
    return NULL;
  skip_whitespace (&reader);
  if (reader.pos != reader.length)
    {
      fail_at (&reader, error, "unexpected text after the spec");
      return NULL;
    }

  return g_steal_pointer (&json);
}

SandboxJson *
sandbox_json_get (SandboxJson *object,
                  const char  *key)
{
  g_return_val_if_fail (object != NULL, NULL);

  if (object->type != SANDBOX_JSON_OBJECT)
    return NULL;
  for (guint i = 0; i < object->keys->len; i++)
    if (g_str_equal (g_ptr_array_index (object->keys, i), key))
      return g_ptr_array_index (object->items, i);
  return NULL;
}

void
sandbox_json_append_string (GString    *out,
                            const char *text)
{
  g_string_append_c (out, '"');
  for (const char *c = text; *c; c++)
    {
      guchar ch = *c;

      if (ch == '"' || ch == '\\')
        g_string_append_printf (out, "\\%c", ch);
      else if (ch < 0x20)
        g_string_append_printf (out, "\\u%04x", ch);
      else
        g_string_append_c (out, ch);
    }
  g_string_append_c (out, '"');
}
