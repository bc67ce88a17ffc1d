/* paddock-codex-rules.c: Codex CLI execpolicy .rules files
 *
 * Codex evaluates .rules files with a full Starlark interpreter. Paddock
 * reads a small, safe subset instead: literals, lists, tuples, +, top-level
 * assignments and calls to the three Codex builtins. There is no control
 * flow, so the file is evaluated while it is parsed, in one pass. Anything
 * outside the subset fails the whole file: the caller then fails the layer
 * closed, which is safer than guessing what a construct we do not read
 * would have done.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "paddock-codex-rules.h"
#include "paddock-errors.h"

#define SUBSET_ACCEPTED \
  "Paddock reads only NAME = expr assignments and calls to prefix_rule(), " \
  "network_rule() and host_executable(), with strings, integers, " \
  "True/False/None, lists, tuples, names and +"

#define ESCAPES_ACCEPTED \
  "accepted escapes: \\n \\t \\r \\\\ \\' \\\" \\xHH \\uXXXX"

#define PATTERN_ACCEPTED \
  "accepted: a non-empty list of strings or of non-empty lists of strings"

#define EXAMPLE_ACCEPTED \
  "accepted: a command line string or a non-empty list of strings"

#define MAX_PARAMS 5

/* A rules file may come with an untrusted repository, so evaluating it
 * must stay cheap: brackets nest at most this deep (the parser recurses
 * once per level), and the work of evaluation is bounded. */
#define MAX_DEPTH 64
#define WORK_BUDGET (1 << 22)
#define WORK_PER_BYTE 64

/* Values */

typedef enum
{
  VALUE_NONE,
  VALUE_BOOL,
  VALUE_INT,
  VALUE_STRING,
  VALUE_LIST,
  VALUE_TUPLE,
} ValueKind;

/* Immutable once built, so lists can be shared between names. */
typedef struct
{
  ValueKind kind;
  guint line;     /* where the value was written */
  guint column;
  gboolean boolean;
  gint64 integer;
  char *string;
  GPtrArray *items; /* Value*, for lists and tuples */
} Value;

static void
value_clear (gpointer data)
{
  Value *value = data;

  g_free (value->string);
  g_clear_pointer (&value->items, g_ptr_array_unref);
}

static void
value_unref (Value *value)
{
  g_rc_box_release_full (value, value_clear);
}

static Value *
value_ref (Value *value)
{
  return g_rc_box_acquire (value);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Value, value_unref)

static Value *
value_new (ValueKind kind,
           guint     line,
           guint     column)
{
  Value *value = g_rc_box_new0 (Value);

  value->kind = kind;
  value->line = line;
  value->column = column;
  if (kind == VALUE_LIST || kind == VALUE_TUPLE)
    value->items = g_ptr_array_new_with_free_func ((GDestroyNotify) value_unref);

  return value;
}

/* Starlark's names for the types, as Codex reports them. */
static const char *
value_type_name (const Value *value)
{
  switch (value->kind)
    {
    case VALUE_NONE:
      return "NoneType";
    case VALUE_BOOL:
      return "bool";
    case VALUE_INT:
      return "int";
    case VALUE_STRING:
      return "string";
    case VALUE_LIST:
      return "list";
    case VALUE_TUPLE:
      return "tuple";
    default:
      g_assert_not_reached ();
    }
}

/* Quotes @str for a message, escaping what would confuse a reader. */
static void
append_quoted (GString    *out,
               const char *str)
{
  g_string_append_c (out, '"');
  for (const char *s = str; *s != '\0'; s++)
    {
      guchar c = *s;

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_c (out, c);
    }
  g_string_append_c (out, '"');
}

static char *
quote (const char *str)
{
  GString *out = g_string_new (NULL);

  append_quoted (out, str);
  return g_string_free (out, FALSE);
}

/* Lexer */

typedef enum
{
  TOKEN_EOF,
  TOKEN_NEWLINE,
  TOKEN_NAME,
  TOKEN_STRING,
  TOKEN_INT,
  TOKEN_OP,
} TokenKind;

typedef struct
{
  TokenKind kind;
  guint line;
  guint column;
  gsize start;  /* byte offsets into the contents */
  gsize end;
  char *text;   /* the name, the decoded string or the operator */
  gint64 integer;
} Token;

static void
token_clear (gpointer data)
{
  Token *token = data;

  g_free (token->text);
}

typedef struct
{
  const char *source;
  const char *contents;
  gsize length;
  gsize pos;
  guint line;
  guint column;
  int depth;
  GArray *tokens;
} Lexer;

/* Longest first, so "**=" wins over "**" and "*". Most are here only so
 * that the parser can name the operator it does not support. */
static const char * const operators[] = {
  "**=", "//=", "<<=", ">>=",
  "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
  "**", "//", "<<", ">>", "->",
  "+", "-", "*", "/", "%", "<", ">", "=", "!", "&", "|", "^", "~", "@",
  ".", ",", ":", ";", "(", ")", "[", "]", "{", "}",
};

/* Reserved by Starlark (or by Python, which Starlark keeps reserved). */
static const char * const keywords[] = {
  "and", "as", "assert", "async", "await", "break", "class", "continue",
  "def", "del", "elif", "else", "except", "finally", "for", "from",
  "global", "if", "import", "in", "is", "lambda", "load", "nonlocal", "not",
  "or", "pass", "raise", "return", "try", "while", "with", "yield",
};

static gboolean lexer_fail (const Lexer *lexer,
                            guint        line,
                            guint        column,
                            GError     **error,
                            const char  *format,
                            ...) G_GNUC_PRINTF (5, 6);

static gboolean
lexer_fail (const Lexer *lexer,
            guint        line,
            guint        column,
            GError     **error,
            const char  *format,
            ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SYNTAX,
                       "%s:%u:%u: %s", lexer->source, line, column, message);
}

static guchar
lexer_peek (const Lexer *lexer,
            gsize        offset)
{
  if (lexer->pos + offset >= lexer->length)
    return '\0';
  return lexer->contents[lexer->pos + offset];
}

/* Columns count characters, not bytes: a column is advanced when the
 * next byte starts a new UTF-8 sequence. */
static void
lexer_advance (Lexer *lexer)
{
  guchar c = lexer_peek (lexer, 0);

  g_assert (lexer->pos < lexer->length);

  lexer->pos++;
  if (c == '\n')
    {
      lexer->line++;
      lexer->column = 1;
    }
  else if ((lexer_peek (lexer, 0) & 0xc0) != 0x80)
    {
      lexer->column++;
    }
}

static Token *
lexer_emit (Lexer     *lexer,
            TokenKind  kind,
            guint      line,
            guint      column,
            gsize      start,
            char      *text)
{
  Token token = { kind, line, column, start, lexer->pos, text, 0 };

  g_array_append_val (lexer->tokens, token);
  return &g_array_index (lexer->tokens, Token, lexer->tokens->len - 1);
}

static gboolean
last_token_is (const Lexer *lexer,
               TokenKind    kind)
{
  return lexer->tokens->len > 0 &&
         g_array_index (lexer->tokens, Token, lexer->tokens->len - 1).kind == kind;
}

static int
hex_value (guchar c)
{
  if (g_ascii_isxdigit (c))
    return g_ascii_xdigit_value (c);
  return -1;
}

static gboolean
lex_escape (Lexer    *lexer,
            GString  *out,
            GError  **error)
{
  guint line = lexer->line;
  guint column = lexer->column;
  guchar c;
  guint n_digits;
  gunichar value = 0;

  lexer_advance (lexer); /* the backslash */
  c = lexer_peek (lexer, 0);
  if (lexer->pos >= lexer->length)
    return lexer_fail (lexer, line, column, error,
                       "unterminated string; strings end with their opening quote");

  switch (c)
    {
    case 'n':
      g_string_append_c (out, '\n');
      lexer_advance (lexer);
      return TRUE;
    case 't':
      g_string_append_c (out, '\t');
      lexer_advance (lexer);
      return TRUE;
    case 'r':
      g_string_append_c (out, '\r');
      lexer_advance (lexer);
      return TRUE;
    case '\\':
    case '\'':
    case '"':
      g_string_append_c (out, c);
      lexer_advance (lexer);
      return TRUE;
    case 'x':
      n_digits = 2;
      break;
    case 'u':
      n_digits = 4;
      break;
    default:
      if (c < 0x20 || c >= 0x7f)
        return lexer_fail (lexer, line, column, error,
                           "unknown escape sequence; " ESCAPES_ACCEPTED);
      return lexer_fail (lexer, line, column, error,
                         "unknown escape sequence \\%c; " ESCAPES_ACCEPTED, c);
    }

  lexer_advance (lexer);
  for (guint i = 0; i < n_digits; i++)
    {
      int digit = hex_value (lexer_peek (lexer, 0));

      if (digit < 0)
        return lexer_fail (lexer, line, column, error,
                           "\\%c needs %u hexadecimal digits; " ESCAPES_ACCEPTED,
                           n_digits == 2 ? 'x' : 'u', n_digits);
      value = value * 16 + digit;
      lexer_advance (lexer);
    }

  /* A NUL would silently cut the C string; Starlark's \x only reaches
   * ASCII, and surrogates are not characters. */
  if (value == 0)
    return lexer_fail (lexer, line, column, error,
                       "a NUL character is not accepted in strings; " ESCAPES_ACCEPTED
                       " except \\x00 and \\u0000");
  if (n_digits == 2 && value > 0x7f)
    return lexer_fail (lexer, line, column, error,
                       "\\x%02x is not an ASCII character; \\xHH accepts 01 to 7f, "
                       "use \\uXXXX for other characters", value);
  if (value >= 0xd800 && value <= 0xdfff)
    return lexer_fail (lexer, line, column, error,
                       "\\u%04x is a UTF-16 surrogate, not a character; "
                       "accepted: \\uXXXX outside d800 to dfff", value);

  g_string_append_unichar (out, value);
  return TRUE;
}

static gboolean
lex_string (Lexer    *lexer,
            gboolean  raw,
            guint     line,
            guint     column,
            gsize     start,
            GError  **error)
{
  guchar quote_char = lexer_peek (lexer, 0);
  gboolean triple = lexer_peek (lexer, 1) == quote_char && lexer_peek (lexer, 2) == quote_char;
  g_autoptr(GString) value = g_string_new (NULL);

  for (guint i = 0; i < (triple ? 3 : 1); i++)
    lexer_advance (lexer);

  for (;;)
    {
      guchar c = lexer_peek (lexer, 0);

      if (lexer->pos >= lexer->length)
        return lexer_fail (lexer, line, column, error,
                           "unterminated string; strings end with their opening quote");

      if (c == quote_char &&
          (!triple || (lexer_peek (lexer, 1) == quote_char && lexer_peek (lexer, 2) == quote_char)))
        {
          for (guint i = 0; i < (triple ? 3 : 1); i++)
            lexer_advance (lexer);
          break;
        }

      if (c == '\n' && !triple)
        return lexer_fail (lexer, line, column, error,
                           "unterminated string; a '...' or \"...\" string ends on "
                           "its line, use '''...''' or \"\"\"...\"\"\" for more lines");

      if (c == '\\' && raw)
        {
          /* A raw string keeps the backslash, but it still protects the
           * next character from ending the string. */
          g_string_append_c (value, c);
          lexer_advance (lexer);
          if (lexer->pos < lexer->length && (lexer_peek (lexer, 0) != '\n' || triple))
            {
              g_string_append_c (value, lexer_peek (lexer, 0));
              lexer_advance (lexer);
            }
        }
      else if (c == '\\')
        {
          if (!lex_escape (lexer, value, error))
            return FALSE;
        }
      else
        {
          g_string_append_c (value, c);
          lexer_advance (lexer);
        }
    }

  lexer_emit (lexer, TOKEN_STRING, line, column, start,
              g_string_free (g_steal_pointer (&value), FALSE));
  return TRUE;
}

static gboolean
lex_name (Lexer   *lexer,
          GError **error)
{
  guint line = lexer->line;
  guint column = lexer->column;
  gsize start = lexer->pos;
  g_autofree char *name = NULL;
  guchar next;

  while (g_ascii_isalnum (lexer_peek (lexer, 0)) || lexer_peek (lexer, 0) == '_')
    lexer_advance (lexer);

  name = g_strndup (lexer->contents + start, lexer->pos - start);
  next = lexer_peek (lexer, 0);

  if (next == '\'' || next == '"')
    {
      if (strcmp (name, "r") == 0)
        return lex_string (lexer, TRUE, line, column, start, error);
      if (strchr (name, 'f') != NULL || strchr (name, 'F') != NULL)
        return lexer_fail (lexer, line, column, error,
                           "f-strings are not supported; build strings with + instead");
      return lexer_fail (lexer, line, column, error,
                         "string prefix '%s' is not supported; accepted: plain strings "
                         "and r'...' raw strings", name);
    }

  for (guint i = 0; i < G_N_ELEMENTS (keywords); i++)
    {
      if (strcmp (name, keywords[i]) != 0)
        continue;

      if (strcmp (name, "def") == 0 || strcmp (name, "lambda") == 0)
        return lexer_fail (lexer, line, column, error,
                           "function definitions ('%s') are not supported; " SUBSET_ACCEPTED,
                           name);
      if (strcmp (name, "load") == 0)
        return lexer_fail (lexer, line, column, error,
                           "load() is not supported, a rules file cannot include other "
                           "files; " SUBSET_ACCEPTED);
      if (strcmp (name, "for") == 0 || strcmp (name, "while") == 0)
        return lexer_fail (lexer, line, column, error,
                           "loops and comprehensions ('%s') are not supported; " SUBSET_ACCEPTED,
                           name);
      if (strcmp (name, "if") == 0 || strcmp (name, "elif") == 0 || strcmp (name, "else") == 0)
        return lexer_fail (lexer, line, column, error,
                           "conditions ('%s') are not supported; " SUBSET_ACCEPTED, name);
      return lexer_fail (lexer, line, column, error,
                         "keyword '%s' is not supported; " SUBSET_ACCEPTED, name);
    }

  lexer_emit (lexer, TOKEN_NAME, line, column, start, g_steal_pointer (&name));
  return TRUE;
}

static gboolean
lex_int (Lexer   *lexer,
         GError **error)
{
  guint line = lexer->line;
  guint column = lexer->column;
  gsize start = lexer->pos;
  g_autofree char *digits = NULL;
  guint64 value;

  while (g_ascii_isdigit (lexer_peek (lexer, 0)))
    lexer_advance (lexer);

  if (g_ascii_isalpha (lexer_peek (lexer, 0)) || lexer_peek (lexer, 0) == '_' ||
      lexer_peek (lexer, 0) == '.')
    return lexer_fail (lexer, line, column, error,
                       "unsupported number; accepted: decimal integers such as 42");

  digits = g_strndup (lexer->contents + start, lexer->pos - start);
  if (digits[0] == '0' && digits[1] != '\0')
    return lexer_fail (lexer, line, column, error,
                       "integer %s has a leading zero; accepted: decimal integers such as 42",
                       digits);
  if (!g_ascii_string_to_unsigned (digits, 10, 0, G_MAXINT64, &value, NULL))
    return lexer_fail (lexer, line, column, error,
                       "integer %s is too large; accepted: integers up to %" G_GINT64_FORMAT,
                       digits, G_MAXINT64);

  lexer_emit (lexer, TOKEN_INT, line, column, start, NULL)->integer = value;
  return TRUE;
}

static gboolean
lex_operator (Lexer   *lexer,
              GError **error)
{
  guint line = lexer->line;
  guint column = lexer->column;
  gsize start = lexer->pos;
  gsize remaining = lexer->length - lexer->pos;
  const char *here = lexer->contents + lexer->pos;

  for (guint i = 0; i < G_N_ELEMENTS (operators); i++)
    {
      gsize len = strlen (operators[i]);

      if (len > remaining || strncmp (here, operators[i], len) != 0)
        continue;

      for (gsize j = 0; j < len; j++)
        lexer_advance (lexer);

      if (strchr ("([{", operators[i][0]) != NULL && len == 1 && ++lexer->depth > MAX_DEPTH)
        return lexer_fail (lexer, line, column, error,
                           "brackets nest more than %d levels deep; accepted: up to %d levels",
                           MAX_DEPTH, MAX_DEPTH);
      else if (strchr (")]}", operators[i][0]) != NULL && len == 1 && lexer->depth > 0)
        lexer->depth--;

      lexer_emit (lexer, TOKEN_OP, line, column, start, g_strdup (operators[i]));
      return TRUE;
    }

  if (here[0] == '\\')
    return lexer_fail (lexer, line, column, error,
                       "a backslash outside a string is not accepted; break long lines "
                       "inside brackets instead");

  if ((guchar) here[0] < 0x20 || (guchar) here[0] == 0x7f)
    return lexer_fail (lexer, line, column, error,
                       "unexpected control character 0x%02x; " SUBSET_ACCEPTED,
                       (guchar) here[0]);

  return lexer_fail (lexer, line, column, error,
                     "unexpected character '%.*s'; " SUBSET_ACCEPTED,
                     (int) (g_utf8_next_char (here) - here), here);
}

static gboolean
lex (Lexer   *lexer,
     GError **error)
{
  gboolean line_start = TRUE;

  while (lexer->pos < lexer->length)
    {
      guchar c = lexer_peek (lexer, 0);

      if (line_start && lexer->depth == 0)
        {
          /* Starlark reads an indented line as the body of a block, and
           * Paddock reads no blocks: top-level statements start in
           * column 1. Blank and comment lines do not count. */
          while (lexer_peek (lexer, 0) == ' ' || lexer_peek (lexer, 0) == '\t' ||
                 lexer_peek (lexer, 0) == '\f')
            lexer_advance (lexer);

          c = lexer_peek (lexer, 0);
          line_start = FALSE;
          if (lexer->column > 1 && lexer->pos < lexer->length &&
              c != '\n' && c != '\r' && c != '#')
            return lexer_fail (lexer, lexer->line, lexer->column, error,
                               "unexpected indentation; top-level statements start in "
                               "column 1, and blocks are not supported");
          continue;
        }

      if (c == ' ' || c == '\t' || c == '\f' || (c == '\r' && lexer_peek (lexer, 1) == '\n'))
        {
          lexer_advance (lexer);
        }
      else if (c == '\n')
        {
          if (lexer->depth == 0)
            {
              if (lexer->tokens->len > 0 && !last_token_is (lexer, TOKEN_NEWLINE))
                lexer_emit (lexer, TOKEN_NEWLINE, lexer->line, lexer->column, lexer->pos, NULL);
              line_start = TRUE;
            }
          lexer_advance (lexer);
        }
      else if (c == '#')
        {
          while (lexer->pos < lexer->length && lexer_peek (lexer, 0) != '\n')
            lexer_advance (lexer);
        }
      else if (g_ascii_isalpha (c) || c == '_')
        {
          if (!lex_name (lexer, error))
            return FALSE;
        }
      else if (g_ascii_isdigit (c))
        {
          if (!lex_int (lexer, error))
            return FALSE;
        }
      else if (c == '\'' || c == '"')
        {
          if (!lex_string (lexer, FALSE, lexer->line, lexer->column, lexer->pos, error))
            return FALSE;
        }
      else if (!lex_operator (lexer, error))
        {
          return FALSE;
        }
    }

  if (lexer->depth == 0 && lexer->tokens->len > 0 && !last_token_is (lexer, TOKEN_NEWLINE))
    lexer_emit (lexer, TOKEN_NEWLINE, lexer->line, lexer->column, lexer->pos, NULL);
  lexer_emit (lexer, TOKEN_EOF, lexer->line, lexer->column, lexer->pos, NULL);

  return TRUE;
}

/* Parser and evaluator */

typedef struct
{
  guint line;
  guint column;
  guint first_rule;     /* index into Parser.rules */
  guint n_rules;
  char *pattern;        /* rendered for messages */
  GPtrArray *matches;   /* GStrv */
  GPtrArray *not_matches;
} ExampleCheck;

static void
example_check_free (ExampleCheck *check)
{
  g_free (check->pattern);
  g_clear_pointer (&check->matches, g_ptr_array_unref);
  g_clear_pointer (&check->not_matches, g_ptr_array_unref);
  g_free (check);
}

typedef struct
{
  const char *source;
  const char *contents;
  PaddockLayer layer;
  GArray *tokens;               /* Token */
  guint pos;
  GHashTable *globals;          /* name → Value* */
  GPtrArray *rules;             /* PaddockRule*, in file order */
  GPtrArray *checks;            /* ExampleCheck* */
  GHashTable *host_executables; /* name → GStrv of absolute paths */
  guint64 work_left;            /* see parser_spend() */
} Parser;

static void
parser_clear (Parser *parser)
{
  g_clear_pointer (&parser->tokens, g_array_unref);
  g_clear_pointer (&parser->globals, g_hash_table_unref);
  g_clear_pointer (&parser->rules, g_ptr_array_unref);
  g_clear_pointer (&parser->checks, g_ptr_array_unref);
  g_clear_pointer (&parser->host_executables, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Parser, parser_clear)

typedef struct
{
  Value *value;   /* NULL when not given */
  guint line;
  guint column;
} Argument;

typedef struct _Builtin Builtin;

typedef struct
{
  const Builtin *builtin;
  guint line;
  guint column;
  gsize start;
  gsize end;
  Argument args[MAX_PARAMS];
} Call;

static void
call_clear (Call *call)
{
  for (guint i = 0; i < MAX_PARAMS; i++)
    g_clear_pointer (&call->args[i].value, value_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Call, call_clear)

struct _Builtin
{
  const char *name;
  const char * const *params;
  guint n_params;
  guint n_required;
  gboolean (*eval) (Parser      *parser,
                    const Call  *call,
                    GError     **error);
};

static gboolean eval_prefix_rule     (Parser      *parser,
                                      const Call  *call,
                                      GError     **error);
static gboolean eval_network_rule    (Parser      *parser,
                                      const Call  *call,
                                      GError     **error);
static gboolean eval_host_executable (Parser      *parser,
                                      const Call  *call,
                                      GError     **error);

/* In Codex's parameter order, which positional arguments follow. */
static const char * const prefix_rule_params[] = {
  "pattern", "decision", "match", "not_match", "justification",
};
static const char * const network_rule_params[] = {
  "host", "protocol", "decision", "justification",
};
static const char * const host_executable_params[] = {
  "name", "paths",
};

static const Builtin builtins[] = {
  { "prefix_rule", prefix_rule_params, G_N_ELEMENTS (prefix_rule_params), 1, eval_prefix_rule },
  { "network_rule", network_rule_params, G_N_ELEMENTS (network_rule_params), 3, eval_network_rule },
  { "host_executable", host_executable_params, G_N_ELEMENTS (host_executable_params), 2, eval_host_executable },
};

static const Builtin *
find_builtin (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (builtins); i++)
    {
      if (strcmp (builtins[i].name, name) == 0)
        return &builtins[i];
    }
  return NULL;
}

static char *
builtin_signature (const Builtin *builtin)
{
  GString *out = g_string_new (builtin->name);

  g_string_append_c (out, '(');
  for (guint i = 0; i < builtin->n_params; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, builtin->params[i]);
    }
  g_string_append_c (out, ')');

  return g_string_free (out, FALSE);
}

static gboolean parser_fail (const Parser *parser,
                             guint         line,
                             guint         column,
                             int           code,
                             GError      **error,
                             const char   *format,
                             ...) G_GNUC_PRINTF (6, 7);

static gboolean
parser_fail (const Parser *parser,
             guint         line,
             guint         column,
             int           code,
             GError      **error,
             const char   *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  return paddock_fail (error, PADDOCK_POLICY_ERROR, code,
                       "%s:%u:%u: %s", parser->source, line, column, message);
}

/* Doubling a list or string on every line grows it exponentially, and
 * alternatives in the first position multiply rules: each step of
 * evaluation spends from a budget proportional to the file's size, and an
 * exhausted budget fails the file. */
static gboolean
parser_spend (Parser   *parser,
              guint64   work,
              guint     line,
              guint     column,
              GError  **error)
{
  if (work > parser->work_left)
    return parser_fail (parser, line, column, PADDOCK_POLICY_ERROR_INVALID, error,
                        "the file expands to too many list items, characters, rules or "
                        "example checks; accepted: files whose evaluation stays roughly "
                        "proportional to their size");

  parser->work_left -= work;
  return TRUE;
}

static const Token *
parser_peek (const Parser *parser,
             guint         offset)
{
  guint index = MIN (parser->pos + offset, parser->tokens->len - 1);

  return &g_array_index (parser->tokens, Token, index);
}

static const Token *
parser_next (Parser *parser)
{
  const Token *token = parser_peek (parser, 0);

  if (token->kind != TOKEN_EOF)
    parser->pos++;
  return token;
}

static gboolean
token_is_op (const Token *token,
             const char  *op)
{
  return token->kind == TOKEN_OP && strcmp (token->text, op) == 0;
}

static char *
describe_token (const Token *token)
{
  switch (token->kind)
    {
    case TOKEN_EOF:
      return g_strdup ("end of file");
    case TOKEN_NEWLINE:
      return g_strdup ("end of line");
    case TOKEN_NAME:
      return g_strdup_printf ("'%s'", token->text);
    case TOKEN_STRING:
      return g_strdup ("string");
    case TOKEN_INT:
      return g_strdup ("number");
    case TOKEN_OP:
      return g_strdup_printf ("'%s'", token->text);
    default:
      g_assert_not_reached ();
    }
}

static gboolean
fail_unexpected (const Parser *parser,
                 const Token  *token,
                 const char   *expected,
                 GError      **error)
{
  g_autofree char *got = describe_token (token);

  return parser_fail (parser, token->line, token->column, PADDOCK_POLICY_ERROR_SYNTAX, error,
                      "unexpected %s; expected %s", got, expected);
}

static gboolean parse_expression (Parser  *parser,
                                  Value  **out,
                                  GError **error);

static gboolean
parse_call (Parser   *parser,
            Value   **out,
            GError  **error)
{
  const Token *name = parser_next (parser);
  const Token *open = parser_next (parser);
  g_auto(Call) call = { 0 };
  g_autofree char *signature = NULL;
  gboolean seen_keyword = FALSE;
  guint n_positional = 0;

  call.builtin = find_builtin (name->text);
  call.line = name->line;
  call.column = name->column;
  call.start = name->start;
  g_assert (call.builtin != NULL);
  g_assert (token_is_op (open, "("));

  signature = builtin_signature (call.builtin);

  for (;;)
    {
      const Token *token = parser_peek (parser, 0);
      Argument *arg;

      if (token_is_op (token, ")"))
        {
          call.end = token->end;
          parser_next (parser);
          break;
        }

      if (token_is_op (token, "*") || token_is_op (token, "**"))
        return parser_fail (parser, token->line, token->column, PADDOCK_POLICY_ERROR_SYNTAX, error,
                            "*args and **kwargs are not supported; accepted: arguments "
                            "by position or by name, as in %s", signature);

      if (token->kind == TOKEN_NAME && token_is_op (parser_peek (parser, 1), "="))
        {
          int index = -1;

          for (guint i = 0; i < call.builtin->n_params; i++)
            {
              if (strcmp (call.builtin->params[i], token->text) == 0)
                index = i;
            }

          if (index < 0)
            return parser_fail (parser, token->line, token->column, PADDOCK_POLICY_ERROR_INVALID, error,
                                "%s() has no argument '%s'; accepted: %s",
                                call.builtin->name, token->text, signature);
          if (call.args[index].value != NULL)
            return parser_fail (parser, token->line, token->column, PADDOCK_POLICY_ERROR_INVALID, error,
                                "argument '%s' of %s() is given more than once; accepted: "
                                "each argument once, as in %s",
                                token->text, call.builtin->name, signature);

          parser->pos += 2;
          arg = &call.args[index];
          seen_keyword = TRUE;
        }
      else
        {
          if (seen_keyword)
            return parser_fail (parser, token->line, token->column, PADDOCK_POLICY_ERROR_SYNTAX, error,
                                "positional argument after a keyword argument; accepted: "
                                "positional arguments first, then NAME=value");
          if (n_positional >= call.builtin->n_params)
            return parser_fail (parser, token->line, token->column, PADDOCK_POLICY_ERROR_INVALID, error,
                                "%s() takes at most %u arguments; accepted: %s",
                                call.builtin->name, call.builtin->n_params, signature);

          arg = &call.args[n_positional++];
        }

      arg->line = parser_peek (parser, 0)->line;
      arg->column = parser_peek (parser, 0)->column;
      if (!parse_expression (parser, &arg->value, error))
        return FALSE;

      token = parser_peek (parser, 0);
      if (token_is_op (token, ","))
        parser_next (parser);
      else if (!token_is_op (token, ")"))
        return fail_unexpected (parser, token, "',' or ')' in the call", error);
    }

  for (guint i = 0; i < call.builtin->n_required; i++)
    {
      if (call.args[i].value == NULL)
        return parser_fail (parser, call.line, call.column, PADDOCK_POLICY_ERROR_INVALID, error,
                            "%s() is missing the argument '%s'; accepted: %s",
                            call.builtin->name, call.builtin->params[i], signature);
    }

  if (!call.builtin->eval (parser, &call, error))
    return FALSE;

  *out = value_new (VALUE_NONE, call.line, call.column);
  return TRUE;
}

static gboolean
parse_name (Parser   *parser,
            Value   **out,
            GError  **error)
{
  const Token *token = parser_peek (parser, 0);
  gboolean is_call = token_is_op (parser_peek (parser, 1), "(");
  const Builtin *builtin = find_builtin (token->text);
  Value *value;

  if (builtin != NULL && is_call)
    return parse_call (parser, out, error);

  if (builtin != NULL)
    return parser_fail (parser, token->line, token->column, PADDOCK_POLICY_ERROR_SYNTAX, error,
                        "%s can only be called; accepted: %s(...)", token->text, token->text);

  if (is_call)
    return parser_fail (parser, token->line, token->column, PADDOCK_POLICY_ERROR_SYNTAX, error,
                        "call to unknown function '%s'; only prefix_rule(), network_rule() "
                        "and host_executable() can be called", token->text);

  if (strcmp (token->text, "None") == 0)
    {
      *out = value_new (VALUE_NONE, token->line, token->column);
    }
  else if (strcmp (token->text, "True") == 0 || strcmp (token->text, "False") == 0)
    {
      *out = value_new (VALUE_BOOL, token->line, token->column);
      (*out)->boolean = token->text[0] == 'T';
    }
  else if ((value = g_hash_table_lookup (parser->globals, token->text)) != NULL)
    {
      *out = value_ref (value);
    }
  else
    {
      return parser_fail (parser, token->line, token->column, PADDOCK_POLICY_ERROR_INVALID, error,
                          "name '%s' is not defined; accepted: names assigned earlier in "
                          "the file with NAME = expr", token->text);
    }

  parser_next (parser);
  return TRUE;
}

/* Parses the items of a list or tuple up to @close, the opening bracket
 * having been read. */
static gboolean
parse_items (Parser      *parser,
             Value       *container,
             const char  *close,
             GError     **error)
{
  g_autofree char *expected = g_strdup_printf ("',' or '%s'", close);

  for (;;)
    {
      const Token *token = parser_peek (parser, 0);
      Value *item = NULL;

      if (token_is_op (token, close))
        {
          parser_next (parser);
          return TRUE;
        }

      if (!parse_expression (parser, &item, error))
        return FALSE;
      g_ptr_array_add (container->items, item);

      token = parser_peek (parser, 0);
      if (token_is_op (token, ","))
        parser_next (parser);
      else if (!token_is_op (token, close))
        return fail_unexpected (parser, token, expected, error);
    }
}

static gboolean
parse_primary (Parser   *parser,
               Value   **out,
               GError  **error)
{
  const Token *token = parser_peek (parser, 0);
  g_autoptr(Value) value = NULL;

  switch (token->kind)
    {
    case TOKEN_STRING:
      value = value_new (VALUE_STRING, token->line, token->column);
      value->string = g_strdup (token->text);
      parser_next (parser);
      break;

    case TOKEN_INT:
      value = value_new (VALUE_INT, token->line, token->column);
      value->integer = token->integer;
      parser_next (parser);
      break;

    case TOKEN_NAME:
      if (!parse_name (parser, &value, error))
        return FALSE;
      break;

    case TOKEN_OP:
      if (token_is_op (token, "["))
        {
          value = value_new (VALUE_LIST, token->line, token->column);
          parser_next (parser);
          if (!parse_items (parser, value, "]", error))
            return FALSE;
        }
      else if (token_is_op (token, "("))
        {
          g_autoptr(Value) first = NULL;

          parser_next (parser);
          if (token_is_op (parser_peek (parser, 0), ")"))
            {
              parser_next (parser);
              value = value_new (VALUE_TUPLE, token->line, token->column);
              break;
            }

          if (!parse_expression (parser, &first, error))
            return FALSE;

          if (token_is_op (parser_peek (parser, 0), ")"))
            {
              /* Parentheses only group. */
              parser_next (parser);
              value = g_steal_pointer (&first);
            }
          else if (token_is_op (parser_peek (parser, 0), ","))
            {
              parser_next (parser);
              value = value_new (VALUE_TUPLE, token->line, token->column);
              g_ptr_array_add (value->items, g_steal_pointer (&first));
              if (!parse_items (parser, value, ")", error))
                return FALSE;
            }
          else
            {
              return fail_unexpected (parser, parser_peek (parser, 0), "',' or ')'", error);
            }
        }
      else if (token_is_op (token, "{"))
        {
          return parser_fail (parser, token->line, token->column, PADDOCK_POLICY_ERROR_SYNTAX, error,
                              "dicts and sets are not supported; " SUBSET_ACCEPTED);
        }
      else
        {
          return fail_unexpected (parser, token,
                                  "an expression (a string, integer, list, tuple, name or call)",
                                  error);
        }
      break;

    case TOKEN_NEWLINE:
    case TOKEN_EOF:
      return fail_unexpected (parser, token,
                              "an expression (a string, integer, list, tuple, name or call)",
                              error);

    default:
      g_assert_not_reached ();
    }

  token = parser_peek (parser, 0);
  if (token_is_op (token, "."))
    return parser_fail (parser, token->line, token->column, PADDOCK_POLICY_ERROR_SYNTAX, error,
                        "attributes and method calls are not supported; " SUBSET_ACCEPTED);
  if (token_is_op (token, "["))
    return parser_fail (parser, token->line, token->column, PADDOCK_POLICY_ERROR_SYNTAX, error,
                        "indexing and slicing are not supported; " SUBSET_ACCEPTED);
  if (token_is_op (token, "("))
    return parser_fail (parser, token->line, token->column, PADDOCK_POLICY_ERROR_SYNTAX, error,
                        "this value cannot be called; only prefix_rule(), network_rule() "
                        "and host_executable() can be called");

  *out = g_steal_pointer (&value);
  return TRUE;
}

static gboolean
concatenate (Parser       *parser,
             const Token  *plus,
             Value        *left,
             Value        *right,
             Value       **out,
             GError      **error)
{
  Value *result;
  guint64 size;

  if (left->kind != right->kind ||
      (left->kind != VALUE_STRING && left->kind != VALUE_LIST && left->kind != VALUE_TUPLE))
    return parser_fail (parser, plus->line, plus->column, PADDOCK_POLICY_ERROR_INVALID, error,
                        "cannot add %s and %s with +; accepted: two lists, two tuples or "
                        "two strings", value_type_name (left), value_type_name (right));

  if (left->kind == VALUE_STRING)
    size = (guint64) strlen (left->string) + strlen (right->string);
  else
    size = (guint64) left->items->len + right->items->len;
  if (!parser_spend (parser, size, plus->line, plus->column, error))
    return FALSE;

  result = value_new (left->kind, left->line, left->column);
  if (left->kind == VALUE_STRING)
    {
      result->string = g_strconcat (left->string, right->string, NULL);
    }
  else
    {
      for (guint i = 0; i < left->items->len; i++)
        g_ptr_array_add (result->items, value_ref (g_ptr_array_index (left->items, i)));
      for (guint i = 0; i < right->items->len; i++)
        g_ptr_array_add (result->items, value_ref (g_ptr_array_index (right->items, i)));
    }

  *out = result;
  return TRUE;
}

static const char * const unsupported_operators[] = {
  "-", "*", "/", "//", "%", "**", "==", "!=", "<", ">", "<=", ">=",
  "|", "&", "^", "<<", ">>", "@", "~", "!", "->", ":",
};

static gboolean
parse_expression (Parser   *parser,
                  Value   **out,
                  GError  **error)
{
  g_autoptr(Value) left = NULL;
  const Token *token;

  if (!parse_primary (parser, &left, error))
    return FALSE;

  while (token_is_op ((token = parser_peek (parser, 0)), "+"))
    {
      g_autoptr(Value) right = NULL;
      Value *sum = NULL;

      parser_next (parser);
      if (!parse_primary (parser, &right, error) ||
          !concatenate (parser, token, left, right, &sum, error))
        return FALSE;

      g_clear_pointer (&left, value_unref);
      left = sum;
    }

  for (guint i = 0; i < G_N_ELEMENTS (unsupported_operators); i++)
    {
      if (token_is_op (token, unsupported_operators[i]))
        return parser_fail (parser, token->line, token->column, PADDOCK_POLICY_ERROR_SYNTAX, error,
                            "operator '%s' is not supported; accepted: + to join two lists, "
                            "two tuples or two strings", token->text);
    }

  *out = g_steal_pointer (&left);
  return TRUE;
}

static const char * const augmented_assignments[] = {
  "+=", "-=", "*=", "/=", "//=", "%=", "**=", "&=", "|=", "^=", "<<=", ">>=", NULL,
};

static gboolean
parse_statement (Parser  *parser,
                 GError **error)
{
  const Token *token = parser_peek (parser, 0);
  const Token *next = parser_peek (parser, 1);
  g_autoptr(Value) value = NULL;

  if (token->kind == TOKEN_NAME && token_is_op (next, "="))
    {
      if (find_builtin (token->text) != NULL ||
          strcmp (token->text, "True") == 0 ||
          strcmp (token->text, "False") == 0 ||
          strcmp (token->text, "None") == 0)
        return parser_fail (parser, token->line, token->column, PADDOCK_POLICY_ERROR_INVALID, error,
                            "cannot assign to '%s'; accepted: assignments to other names",
                            token->text);

      parser->pos += 2;
      if (!parse_expression (parser, &value, error))
        return FALSE;

      g_hash_table_replace (parser->globals, g_strdup (token->text), g_steal_pointer (&value));
      return TRUE;
    }

  if (token->kind == TOKEN_NAME && next->kind == TOKEN_OP &&
      g_strv_contains (augmented_assignments, next->text))
    return parser_fail (parser, next->line, next->column, PADDOCK_POLICY_ERROR_SYNTAX, error,
                        "augmented assignment '%s' is not supported; accepted: NAME = NAME + expr",
                        next->text);

  if (token->kind == TOKEN_NAME && token_is_op (next, ","))
    return parser_fail (parser, next->line, next->column, PADDOCK_POLICY_ERROR_SYNTAX, error,
                        "unpacking assignments are not supported; accepted: one NAME = expr "
                        "per statement");

  if (!parse_expression (parser, &value, error))
    return FALSE;

  token = parser_peek (parser, 0);
  if (token_is_op (token, "="))
    return parser_fail (parser, token->line, token->column, PADDOCK_POLICY_ERROR_SYNTAX, error,
                        "only a plain name can be assigned to; accepted: NAME = expr");
  if (token_is_op (token, ","))
    return parser_fail (parser, token->line, token->column, PADDOCK_POLICY_ERROR_SYNTAX, error,
                        "tuples without parentheses are not supported; accepted: (a, b)");

  return TRUE;
}

static gboolean
parse_file (Parser  *parser,
            GError **error)
{
  for (;;)
    {
      const Token *token;

      while (parser_peek (parser, 0)->kind == TOKEN_NEWLINE)
        parser_next (parser);

      if (parser_peek (parser, 0)->kind == TOKEN_EOF)
        return TRUE;

      if (!parse_statement (parser, error))
        return FALSE;

      token = parser_peek (parser, 0);
      if (token_is_op (token, ";") || token->kind == TOKEN_NEWLINE)
        parser_next (parser);
      else if (token->kind != TOKEN_EOF)
        return fail_unexpected (parser, token, "a new line or ';' after the statement", error);
    }
}

/* shlex */

/* Splits @text into words like a POSIX shell without expansions, as the
 * Rust shlex crate Codex uses does: quotes, backslashes, and '#' starting
 * a comment at the beginning of a word. NULL on unbalanced quotes or a
 * trailing backslash. */
static char **
shlex_split (const char *text)
{
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  const char *s = text;

  for (;;)
    {
      g_autoptr(GString) word = NULL;

      while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '#')
        {
          if (*s == '#')
            {
              while (*s != '\0' && *s != '\n')
                s++;
            }
          else
            {
              s++;
            }
        }

      if (*s == '\0')
        break;

      word = g_string_new (NULL);
      while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\n')
        {
          char c = *s++;

          if (c == '\'')
            {
              while (*s != '\'')
                {
                  if (*s == '\0')
                    return NULL;
                  g_string_append_c (word, *s++);
                }
              s++;
            }
          else if (c == '"')
            {
              while (*s != '"')
                {
                  if (*s == '\0')
                    return NULL;

                  if (*s == '\\')
                    {
                      s++;
                      if (*s == '\0')
                        return NULL;
                      if (*s == '$' || *s == '`' || *s == '"' || *s == '\\')
                        g_string_append_c (word, *s);
                      else if (*s != '\n')
                        g_string_append_printf (word, "\\%c", *s);
                      s++;
                    }
                  else
                    {
                      g_string_append_c (word, *s++);
                    }
                }
              s++;
            }
          else if (c == '\\')
            {
              if (*s == '\0')
                return NULL;
              if (*s != '\n')
                g_string_append_c (word, *s);
              s++;
            }
          else
            {
              g_string_append_c (word, c);
            }
        }

      g_ptr_array_add (words, g_string_free (g_steal_pointer (&word), FALSE));
    }

  g_ptr_array_add (words, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&words), FALSE);
}

static char *
render_example (char **example)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; example[i] != NULL; i++)
    {
      const char *word = example[i];
      gboolean plain = word[0] != '\0';

      for (const char *s = word; *s != '\0' && plain; s++)
        plain = g_ascii_isalnum (*s) || strchr ("_@%+=:,./-", *s) != NULL;

      if (i > 0)
        g_string_append_c (out, ' ');
      if (plain)
        {
          g_string_append (out, word);
        }
      else
        {
          g_autofree char *quoted = g_shell_quote (word);
          g_string_append (out, quoted);
        }
    }

  return g_string_free (out, FALSE);
}

/* Builtins */

static gboolean
is_space (gunichar c)
{
  return g_unichar_isspace (c) || g_unichar_type (c) == G_UNICODE_SPACE_SEPARATOR;
}

/* Trims Unicode white space at both ends, like Rust's str::trim(). */
static char *
trim_unicode (const char *str)
{
  const char *start = str;
  const char *end = str + strlen (str);

  while (*start != '\0' && is_space (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);
  while (end > start)
    {
      const char *prev = g_utf8_prev_char (end);

      if (!is_space (g_utf8_get_char (prev)))
        break;
      end = prev;
    }

  return g_strndup (start, end - start);
}

static gboolean
fail_type (const Parser *parser,
           guint         line,
           guint         column,
           const char   *what,
           const Value  *value,
           const char   *accepted,
           GError      **error)
{
  return parser_fail (parser, line, column, PADDOCK_POLICY_ERROR_INVALID, error,
                      "%s has the wrong type (got %s); %s",
                      what, value_type_name (value), accepted);
}

static gboolean
arg_is_absent (const Argument *arg)
{
  return arg->value == NULL || arg->value->kind == VALUE_NONE;
}

/* Codex reads an optional string argument; None counts as not given. */
static gboolean
get_justification (Parser          *parser,
                   const Argument  *arg,
                   const char     **out,
                   GError         **error)
{
  g_autofree char *trimmed = NULL;

  *out = NULL;
  if (arg_is_absent (arg))
    return TRUE;

  if (arg->value->kind != VALUE_STRING)
    return fail_type (parser, arg->line, arg->column, "justification", arg->value,
                      "accepted: a non-empty string", error);

  trimmed = trim_unicode (arg->value->string);
  if (trimmed[0] == '\0')
    return parser_fail (parser, arg->line, arg->column, PADDOCK_POLICY_ERROR_INVALID, error,
                        "justification cannot be empty; accepted: a string with some text");

  *out = arg->value->string;
  return TRUE;
}

static gboolean
get_string (Parser          *parser,
            const Argument  *arg,
            const char      *what,
            const char      *accepted,
            const char     **out,
            GError         **error)
{
  if (arg->value->kind != VALUE_STRING)
    return fail_type (parser, arg->line, arg->column, what, arg->value, accepted, error);

  *out = arg->value->string;
  return TRUE;
}

static gboolean
parse_decision (Parser          *parser,
                const Argument  *arg,
                gboolean         allow_deny,
                PaddockVerdict  *verdict,
                GError         **error)
{
  const char *accepted = allow_deny
    ? "accepted: \"allow\", \"prompt\", \"forbidden\" or \"deny\""
    : "accepted: \"allow\", \"prompt\" or \"forbidden\"";
  const char *decision = NULL;
  g_autofree char *quoted = NULL;

  if (!get_string (parser, arg, "decision", accepted, &decision, error))
    return FALSE;

  if (strcmp (decision, "allow") == 0)
    *verdict = PADDOCK_VERDICT_ALLOW;
  else if (strcmp (decision, "prompt") == 0)
    *verdict = PADDOCK_VERDICT_PROMPT;
  else if (strcmp (decision, "forbidden") == 0)
    *verdict = PADDOCK_VERDICT_FORBIDDEN;
  else if (allow_deny && strcmp (decision, "deny") == 0)
    *verdict = PADDOCK_VERDICT_FORBIDDEN;
  else
    {
      quoted = quote (decision);
      return parser_fail (parser, arg->line, arg->column, PADDOCK_POLICY_ERROR_INVALID, error,
                          "invalid decision %s; %s", quoted, accepted);
    }

  return TRUE;
}

/* A list of strings, each checked as a pattern alternative or an example
 * word. */
static char **
strings_from_list (Parser       *parser,
                   const Value  *list,
                   const char   *what,
                   const char   *accepted,
                   GError      **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < list->items->len; i++)
    {
      const Value *item = g_ptr_array_index (list->items, i);

      if (item->kind != VALUE_STRING)
        {
          fail_type (parser, item->line, item->column, what, item, accepted, error);
          return NULL;
        }
      if (!parser_spend (parser, strlen (item->string) + 1, item->line, item->column, error))
        return NULL;
      g_strv_builder_add (builder, item->string);
    }

  return g_strv_builder_end (builder);
}

static GPtrArray *
parse_pattern (Parser          *parser,
               const Argument  *arg,
               GError         **error)
{
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  const Value *pattern = arg->value;

  if (pattern->kind != VALUE_LIST)
    {
      fail_type (parser, arg->line, arg->column, "pattern", pattern, PATTERN_ACCEPTED, error);
      return NULL;
    }

  if (pattern->items->len == 0)
    {
      parser_fail (parser, arg->line, arg->column, PADDOCK_POLICY_ERROR_INVALID, error,
                   "pattern cannot be empty; " PATTERN_ACCEPTED);
      return NULL;
    }

  for (guint i = 0; i < pattern->items->len; i++)
    {
      const Value *element = g_ptr_array_index (pattern->items, i);
      char **words;

      if (element->kind == VALUE_STRING)
        {
          const char *single[] = { element->string, NULL };

          if (!parser_spend (parser, strlen (element->string) + 1, element->line, element->column, error))
            return NULL;
          words = g_strdupv ((char **) single);
        }
      else if (element->kind == VALUE_LIST)
        {
          if (element->items->len == 0)
            {
              parser_fail (parser, element->line, element->column, PADDOCK_POLICY_ERROR_INVALID, error,
                           "pattern alternatives cannot be empty; accepted: a non-empty "
                           "list of strings");
              return NULL;
            }

          words = strings_from_list (parser, element, "a pattern alternative",
                                     "accepted: a string", error);
          if (words == NULL)
            return NULL;
        }
      else
        {
          fail_type (parser, element->line, element->column, "a pattern element", element,
                     "accepted: a string or a non-empty list of strings", error);
          return NULL;
        }

      g_ptr_array_add (tokens, words);
    }

  return g_steal_pointer (&tokens);
}

static char *
render_pattern (GPtrArray *tokens)
{
  GString *out = g_string_new ("[");

  for (guint i = 0; i < tokens->len; i++)
    {
      char **words = g_ptr_array_index (tokens, i);
      gboolean alternatives = words[1] != NULL;

      if (i > 0)
        g_string_append (out, ", ");
      if (alternatives)
        g_string_append_c (out, '[');
      for (guint j = 0; words[j] != NULL; j++)
        {
          if (j > 0)
            g_string_append (out, ", ");
          append_quoted (out, words[j]);
        }
      if (alternatives)
        g_string_append_c (out, ']');
    }
  g_string_append_c (out, ']');

  return g_string_free (out, FALSE);
}

/* Returns a GPtrArray of GStrv, or NULL with @error set. */
static GPtrArray *
parse_examples (Parser          *parser,
                const Argument  *arg,
                const char      *what,
                GError         **error)
{
  g_autoptr(GPtrArray) examples = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autofree char *what_example = g_strdup_printf ("a %s example", what);
  const Value *list = arg->value;

  if (arg_is_absent (arg))
    return g_steal_pointer (&examples);

  if (list->kind != VALUE_LIST)
    {
      fail_type (parser, arg->line, arg->column, what, list,
                 "accepted: a list of examples, each a command line string or a list of strings",
                 error);
      return NULL;
    }

  for (guint i = 0; i < list->items->len; i++)
    {
      const Value *item = g_ptr_array_index (list->items, i);
      char **words;

      if (item->kind == VALUE_STRING)
        {
          g_autofree char *quoted = NULL;

          if (!parser_spend (parser, strlen (item->string) + 1, item->line, item->column, error))
            return NULL;
          words = shlex_split (item->string);
          if (words == NULL)
            {
              quoted = quote (item->string);
              parser_fail (parser, item->line, item->column, PADDOCK_POLICY_ERROR_INVALID, error,
                           "%s example %s has unbalanced quotes or a trailing backslash; "
                           "accepted: a command line split like a POSIX shell does",
                           what, quoted);
              return NULL;
            }
        }
      else if (item->kind == VALUE_LIST)
        {
          words = strings_from_list (parser, item, "a word of an example", "accepted: a string", error);
          if (words == NULL)
            return NULL;
        }
      else
        {
          fail_type (parser, item->line, item->column, what_example, item, EXAMPLE_ACCEPTED, error);
          return NULL;
        }

      if (words[0] == NULL)
        {
          g_strfreev (words);
          parser_fail (parser, item->line, item->column, PADDOCK_POLICY_ERROR_INVALID, error,
                       "%s example cannot be empty; " EXAMPLE_ACCEPTED, what);
          return NULL;
        }

      g_ptr_array_add (examples, words);
    }

  return g_steal_pointer (&examples);
}

static gboolean
eval_prefix_rule (Parser      *parser,
                  const Call  *call,
                  GError     **error)
{
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  g_autoptr(GPtrArray) not_matches = NULL;
  PaddockVerdict verdict = PADDOCK_VERDICT_ALLOW;
  const char *justification = NULL;
  char **programs;
  guint64 n_programs;
  guint64 pattern_size = 0;
  guint first_rule = parser->rules->len;

  if (call->args[1].value != NULL &&
      !parse_decision (parser, &call->args[1], FALSE, &verdict, error))
    return FALSE;

  if (!get_justification (parser, &call->args[4], &justification, error))
    return FALSE;

  tokens = parse_pattern (parser, &call->args[0], error);
  if (tokens == NULL)
    return FALSE;

  matches = parse_examples (parser, &call->args[2], "match", error);
  if (matches == NULL)
    return FALSE;

  not_matches = parse_examples (parser, &call->args[3], "not_match", error);
  if (not_matches == NULL)
    return FALSE;

  programs = g_ptr_array_index (tokens, 0);
  n_programs = g_strv_length (programs);
  for (guint i = 0; i < tokens->len; i++)
    {
      char **words = g_ptr_array_index (tokens, i);

      for (guint j = 0; words[j] != NULL; j++)
        pattern_size += strlen (words[j]) + 1;
    }

  /* Each rule copies the pattern, and each example is checked against
   * each rule. */
  if (!parser_spend (parser, n_programs * pattern_size, call->line, call->column, error) ||
      !parser_spend (parser, (guint64) (matches->len + not_matches->len) * n_programs * tokens->len,
                     call->line, call->column, error))
    return FALSE;

  /* Codex keys rules by program, so alternatives in the first position
   * make one rule per program. */
  for (guint i = 0; programs[i] != NULL; i++)
    {
      PaddockRule *rule = paddock_rule_new (PADDOCK_RULE_COMMAND, parser->layer, verdict);
      const char *program[] = { programs[i], NULL };

      paddock_rule_set_source (rule, parser->source, call->line, call->column);
      rule->text = g_strndup (parser->contents + call->start, call->end - call->start);
      rule->reason = g_strdup (justification);
      paddock_rule_add_words (rule, program);
      for (guint j = 1; j < tokens->len; j++)
        paddock_rule_add_words (rule, (const char * const *) g_ptr_array_index (tokens, j));

      g_ptr_array_add (parser->rules, rule);
    }

  if (matches->len > 0 || not_matches->len > 0)
    {
      ExampleCheck *check = g_new0 (ExampleCheck, 1);

      check->line = call->line;
      check->column = call->column;
      check->first_rule = first_rule;
      check->n_rules = parser->rules->len - first_rule;
      check->pattern = render_pattern (tokens);
      check->matches = g_steal_pointer (&matches);
      check->not_matches = g_steal_pointer (&not_matches);
      g_ptr_array_add (parser->checks, check);
    }

  return TRUE;
}

static gboolean
all_digits (const char *str)
{
  if (*str == '\0')
    return FALSE;
  for (; *str != '\0'; str++)
    {
      if (!g_ascii_isdigit (*str))
        return FALSE;
    }
  return TRUE;
}

/* Codex's network_rule host normalisation: one specific host, without
 * scheme, path, port, brackets or trailing dots. NULL with a message in
 * @problem otherwise. */
static char *
normalize_host (const char  *raw,
                const char **problem)
{
  g_autofree char *trimmed = trim_unicode (raw);
  g_autofree char *host = NULL;
  g_autofree char *stripped = NULL;
  char *end;

  if (trimmed[0] == '\0')
    {
      *problem = "network_rule host cannot be empty";
      return NULL;
    }

  if (strstr (trimmed, "://") != NULL || strpbrk (trimmed, "/?#") != NULL)
    {
      *problem = "network_rule host must be a host name or IP address without scheme or path";
      return NULL;
    }

  if (trimmed[0] == '[')
    {
      const char *close = strchr (trimmed, ']');
      const char *rest;

      if (close == NULL)
        {
          *problem = "network_rule host has an unterminated [IPv6] literal";
          return NULL;
        }

      rest = close + 1;
      if (rest[0] != '\0' && !(rest[0] == ':' && all_digits (rest + 1)))
        {
          *problem = "network_rule host has something other than a :port after the [IPv6] literal";
          return NULL;
        }
      host = g_strndup (trimmed + 1, close - trimmed - 1);
    }
  else
    {
      const char *colon = strchr (trimmed, ':');

      /* One colon and digits after it is a port; more colons is IPv6. */
      if (colon != NULL && strchr (colon + 1, ':') == NULL &&
          colon > trimmed && all_digits (colon + 1))
        host = g_strndup (trimmed, colon - trimmed);
      else
        host = g_strdup (trimmed);
    }

  end = host + strlen (host);
  while (end > host && end[-1] == '.')
    *--end = '\0';

  stripped = trim_unicode (host);
  g_clear_pointer (&host, g_free);
  host = g_ascii_strdown (stripped, -1);

  if (host[0] == '\0')
    {
      *problem = "network_rule host cannot be empty";
      return NULL;
    }
  if (strchr (host, '*') != NULL)
    {
      *problem = "network_rule host must be one specific host, wildcards are not allowed";
      return NULL;
    }
  for (const char *s = host; *s != '\0'; s = g_utf8_next_char (s))
    {
      if (is_space (g_utf8_get_char (s)))
        {
          *problem = "network_rule host cannot contain white space";
          return NULL;
        }
    }

  return g_steal_pointer (&host);
}

static gboolean
eval_network_rule (Parser      *parser,
                   const Call  *call,
                   GError     **error)
{
  const char *raw_host = NULL;
  const char *raw_protocol = NULL;
  const char *protocol;
  const char *justification = NULL;
  const char *problem = NULL;
  g_autofree char *host = NULL;
  g_autofree char *quoted = NULL;
  PaddockVerdict verdict;
  PaddockRule *rule;

  if (!get_string (parser, &call->args[0], "host", "accepted: a host name or IP address",
                   &raw_host, error) ||
      !get_string (parser, &call->args[1], "protocol",
                   "accepted: \"http\", \"https\", \"socks5_tcp\" or \"socks5_udp\"",
                   &raw_protocol, error))
    return FALSE;

  if (strcmp (raw_protocol, "http") == 0)
    protocol = "http";
  else if (strcmp (raw_protocol, "https") == 0 ||
           strcmp (raw_protocol, "https_connect") == 0 ||
           strcmp (raw_protocol, "http-connect") == 0)
    protocol = "https";
  else if (strcmp (raw_protocol, "socks5_tcp") == 0)
    protocol = "socks5_tcp";
  else if (strcmp (raw_protocol, "socks5_udp") == 0)
    protocol = "socks5_udp";
  else
    {
      quoted = quote (raw_protocol);
      return parser_fail (parser, call->args[1].line, call->args[1].column,
                          PADDOCK_POLICY_ERROR_INVALID, error,
                          "invalid network_rule protocol %s; accepted: \"http\", \"https\", "
                          "\"socks5_tcp\" or \"socks5_udp\"", quoted);
    }

  if (!parse_decision (parser, &call->args[2], TRUE, &verdict, error) ||
      !get_justification (parser, &call->args[3], &justification, error))
    return FALSE;

  host = normalize_host (raw_host, &problem);
  if (host == NULL)
    {
      quoted = quote (raw_host);
      return parser_fail (parser, call->args[0].line, call->args[0].column,
                          PADDOCK_POLICY_ERROR_INVALID, error,
                          "%s (got %s); accepted: one host name or IP address, optionally "
                          "with :port or as [IPv6]", problem, quoted);
    }

  rule = paddock_rule_new (PADDOCK_RULE_NETWORK, parser->layer, verdict);
  paddock_rule_set_source (rule, parser->source, call->line, call->column);
  rule->text = g_strndup (parser->contents + call->start, call->end - call->start);
  rule->reason = g_strdup (justification);
  rule->host = g_steal_pointer (&host);
  rule->port = 0;
  rule->protocol = g_strdup (protocol);
  g_ptr_array_add (parser->rules, rule);

  return TRUE;
}

/* Resolves "." and ".." and drops repeated and trailing slashes, lexically
 * only: the policy must not depend on what the file system holds when it
 * is loaded. */
static char *
normalize_path (const char *path)
{
  char *canonical = g_canonicalize_filename (path, "/");

  /* POSIX lets a leading "//" mean something else; Codex does not. */
  if (g_str_has_prefix (canonical, "//"))
    memmove (canonical, canonical + 1, strlen (canonical));
  return canonical;
}

static gboolean
eval_host_executable (Parser      *parser,
                      const Call  *call,
                      GError     **error)
{
  const Argument *paths_arg = &call->args[1];
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *quoted = NULL;
  const char *name = NULL;

  if (!get_string (parser, &call->args[0], "host_executable name",
                   "accepted: a bare executable name such as \"git\"", &name, error))
    return FALSE;

  if (name[0] == '\0' || strchr (name, '/') != NULL ||
      strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    {
      quoted = quote (name);
      return parser_fail (parser, call->args[0].line, call->args[0].column,
                          PADDOCK_POLICY_ERROR_INVALID, error,
                          "host_executable name %s is not a bare executable name; accepted: "
                          "a name without '/' such as \"git\"", quoted);
    }

  if (paths_arg->value->kind != VALUE_LIST)
    return fail_type (parser, paths_arg->line, paths_arg->column, "host_executable paths",
                      paths_arg->value, "accepted: a list of absolute paths", error);

  for (guint i = 0; i < paths_arg->value->items->len; i++)
    {
      const Value *item = g_ptr_array_index (paths_arg->value->items, i);
      g_autofree char *absolute = NULL;
      g_autofree char *canonical = NULL;
      g_autofree char *basename = NULL;

      if (item->kind != VALUE_STRING)
        return fail_type (parser, item->line, item->column, "a host_executable path", item,
                          "accepted: a string", error);

      if (g_str_has_prefix (item->string, "~/"))
        absolute = g_build_filename (g_get_home_dir (), item->string + 2, NULL);
      else if (item->string[0] == '/')
        absolute = g_strdup (item->string);
      else
        {
          quoted = quote (item->string);
          return parser_fail (parser, item->line, item->column, PADDOCK_POLICY_ERROR_INVALID, error,
                              "host_executable path %s is relative; accepted: an absolute "
                              "path or one starting with ~/", quoted);
        }

      canonical = normalize_path (absolute);
      basename = g_path_get_basename (canonical);
      if (strcmp (basename, name) != 0)
        {
          quoted = quote (item->string);
          return parser_fail (parser, item->line, item->column, PADDOCK_POLICY_ERROR_INVALID, error,
                              "host_executable path %s does not end in \"%s\"; accepted: "
                              "paths whose last component is the name", quoted, name);
        }

      if (g_hash_table_add (seen, g_strdup (canonical)))
        g_strv_builder_add (builder, canonical);
    }

  /* As in Codex, a later host_executable() for the same name wins. */
  g_hash_table_replace (parser->host_executables, g_strdup (name), g_strv_builder_end (builder));
  return TRUE;
}

/* Examples */

/* Codex's matching for examples: the program is the rule's exactly, or a
 * path to it. A path is accepted by its basename unless host_executable()
 * lists the paths for that name; then only those are. */
static gboolean
example_matches (const Parser      *parser,
                 const PaddockRule *rule,
                 char             **example)
{
  const char *program = rule->tokens[0].words[0];
  guint length = g_strv_length (example);

  if (length < rule->n_tokens)
    return FALSE;

  if (strcmp (example[0], program) != 0)
    {
      g_autofree char *canonical = NULL;
      g_autofree char *basename = NULL;
      char **paths;

      if (strchr (example[0], '/') == NULL)
        return FALSE;

      canonical = normalize_path (example[0]);
      basename = g_path_get_basename (canonical);
      if (strcmp (basename, program) != 0)
        return FALSE;

      paths = g_hash_table_lookup (parser->host_executables, program);
      /* A relative path's directory depends on the working directory, so
       * it cannot be one of the listed paths. */
      if (paths != NULL &&
          (example[0][0] != '/' || !g_strv_contains ((const char * const *) paths, canonical)))
        return FALSE;
    }

  for (guint i = 1; i < rule->n_tokens; i++)
    {
      if (!g_strv_contains ((const char * const *) rule->tokens[i].words, example[i]))
        return FALSE;
    }

  return TRUE;
}

static gboolean
check_examples (Parser  *parser,
                GError **error)
{
  for (guint i = 0; i < parser->checks->len; i++)
    {
      const ExampleCheck *check = g_ptr_array_index (parser->checks, i);

      /* Codex checks not_match before match; the first failure is the one
       * reported. */
      for (guint j = 0; j < check->not_matches->len; j++)
        {
          char **example = g_ptr_array_index (check->not_matches, j);

          for (guint k = 0; k < check->n_rules; k++)
            {
              const PaddockRule *rule = g_ptr_array_index (parser->rules, check->first_rule + k);
              g_autofree char *rendered = NULL;
              g_autofree char *quoted = NULL;

              if (!example_matches (parser, rule, example))
                continue;

              rendered = render_example (example);
              quoted = quote (rendered);
              return parser_fail (parser, check->line, check->column, PADDOCK_POLICY_ERROR_EXAMPLE, error,
                                  "not_match example %s matches prefix_rule(pattern=%s)",
                                  quoted, check->pattern);
            }
        }

      for (guint j = 0; j < check->matches->len; j++)
        {
          char **example = g_ptr_array_index (check->matches, j);
          gboolean matched = FALSE;
          g_autofree char *rendered = NULL;
          g_autofree char *quoted = NULL;

          for (guint k = 0; k < check->n_rules && !matched; k++)
            matched = example_matches (parser, g_ptr_array_index (parser->rules, check->first_rule + k),
                                       example);
          if (matched)
            continue;

          rendered = render_example (example);
          quoted = quote (rendered);
          return parser_fail (parser, check->line, check->column, PADDOCK_POLICY_ERROR_EXAMPLE, error,
                              "match example %s does not match prefix_rule(pattern=%s)",
                              quoted, check->pattern);
        }
    }

  return TRUE;
}

static void
apply_host_executables (Parser *parser)
{
  for (guint i = 0; i < parser->rules->len; i++)
    {
      PaddockRule *rule = g_ptr_array_index (parser->rules, i);
      char **paths;

      if (rule->kind != PADDOCK_RULE_COMMAND)
        continue;

      paths = g_hash_table_lookup (parser->host_executables, rule->tokens[0].words[0]);
      if (paths != NULL)
        rule->host_paths = g_strdupv (paths);
    }
}

static void
position_of (const char *contents,
             gsize       offset,
             guint      *line,
             guint      *column)
{
  *line = 1;
  *column = 1;
  for (gsize i = 0; i < offset; i++)
    {
      if (contents[i] == '\n')
        {
          (*line)++;
          *column = 1;
        }
      else if (((guchar) contents[i] & 0xc0) != 0x80)
        {
          (*column)++;
        }
    }
}

gboolean
paddock_codex_rules_parse (const char  *source,
                           const char  *contents,
                           gssize       length,
                           PaddockLayer layer,
                           GPtrArray   *rules,
                           GError     **error)
{
  g_auto(Parser) parser = { 0 };
  Lexer lexer = { 0 };
  const char *invalid = NULL;

  g_return_val_if_fail (source != NULL, FALSE);
  g_return_val_if_fail (contents != NULL || length == 0, FALSE);
  g_return_val_if_fail (layer < PADDOCK_N_LAYERS, FALSE);
  g_return_val_if_fail (rules != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (contents == NULL)
    contents = "";
  if (length < 0)
    length = strlen (contents);

  /* Also refuses NUL bytes, which would end a C string early. */
  if (!g_utf8_validate (contents, length, &invalid))
    {
      guint line;
      guint column;

      position_of (contents, invalid - contents, &line, &column);
      return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SYNTAX,
                           "%s:%u:%u: the file is not valid UTF-8 text; accepted: UTF-8 "
                           "without NUL bytes", source, line, column);
    }

  lexer.source = source;
  lexer.contents = contents;
  lexer.length = length;
  lexer.line = 1;
  lexer.column = 1;
  lexer.tokens = g_array_new (FALSE, TRUE, sizeof (Token));
  g_array_set_clear_func (lexer.tokens, token_clear);
  parser.tokens = lexer.tokens;

  if (!lex (&lexer, error))
    return FALSE;

  parser.source = source;
  parser.contents = contents;
  parser.layer = layer;
  parser.globals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) value_unref);
  parser.rules = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_rule_unref);
  parser.checks = g_ptr_array_new_with_free_func ((GDestroyNotify) example_check_free);
  parser.host_executables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                   (GDestroyNotify) g_strfreev);
  parser.work_left = WORK_BUDGET + (guint64) length * WORK_PER_BYTE;

  /* host_executable() applies to the whole file, wherever it is written,
   * so examples are checked only once everything has been read. */
  if (!parse_file (&parser, error) || !check_examples (&parser, error))
    return FALSE;

  apply_host_executables (&parser);

  for (guint i = 0; i < parser.rules->len; i++)
    g_ptr_array_add (rules, paddock_rule_ref (g_ptr_array_index (parser.rules, i)));

  return TRUE;
}
