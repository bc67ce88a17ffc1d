/* paddock-shell.c: split a shell script into simple commands, statically
 *
 * Paddock judges `bash -c SCRIPT` one simple command at a time. This file
 * reads SCRIPT the way bash's parser does (quote removal, here-documents,
 * compound commands, nested substitutions) without expanding anything, and
 * reports every construct whose effect cannot be known before the script
 * runs as a hazard, so that the caller can insist on a prompt.
 *
 * The input is untrusted. Recursion follows only nested expansions and is
 * bounded by MAX_DEPTH; anything deeper is skipped by an iterative scanner
 * and reported. Compound commands ({ }, ( ), if, loops, case) nest on a
 * heap-allocated stack, so no input can exhaust the C stack. Nothing is
 * dropped silently: what cannot be classified is a hazard or an error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "paddock-errors.h"
#include "paddock-shell.h"

/* Nested expansions ($( ), ` `, ${ }, $(( )), <( )) parsed in full;
 * deeper ones are skipped and reported as "nesting too deep". */
#define MAX_DEPTH 8

/* Enclosing constructs looked at when a command inherits their hazards. */
#define MAX_INHERITED 32

#define HAZARD_COMMAND_SUBST   "command substitution"
#define HAZARD_PROCESS_SUBST   "process substitution"
#define HAZARD_ARITHMETIC      "arithmetic expansion"
#define HAZARD_TOO_DEEP        "nesting too deep"

/* ------------------------------------------------------------------ */
/* Public structures                                                  */
/* ------------------------------------------------------------------ */

void
paddock_shell_redir_free (PaddockShellRedir *redir)
{
  if (redir == NULL)
    return;

  g_free (redir->target);
  g_free (redir);
}

void
paddock_shell_hazard_free (PaddockShellHazard *hazard)
{
  if (hazard == NULL)
    return;

  g_free (hazard->construct);
  g_free (hazard);
}

void
paddock_shell_command_free (PaddockShellCommand *command)
{
  if (command == NULL)
    return;

  g_strfreev (command->argv);
  g_strfreev (command->assignments);
  g_clear_pointer (&command->redirs, g_ptr_array_unref);
  g_clear_pointer (&command->hazards, g_ptr_array_unref);
  g_free (command);
}

static PaddockShellHazard *
hazard_new (const char *construct,
            guint       line,
            guint       column)
{
  PaddockShellHazard *hazard = g_new0 (PaddockShellHazard, 1);

  hazard->construct = g_strdup (construct);
  hazard->line = line;
  hazard->column = column;

  return hazard;
}

/* ------------------------------------------------------------------ */
/* Parser state                                                       */
/* ------------------------------------------------------------------ */

typedef struct
{
  PaddockShellRedir *redir;      /* target receives the body */
  PaddockShellCommand *command;  /* hazards in the body go here */
  char *delimiter;
  gsize offset;                  /* of the operator, for errors */
  gboolean strip_tabs;           /* <<- */
  gboolean quoted;               /* no expansion in the body */
} PendingHeredoc;

static void
pending_heredoc_free (PendingHeredoc *heredoc)
{
  g_free (heredoc->delimiter);
  g_free (heredoc);
}

typedef struct
{
  GError **error;
  GArray *line_starts;       /* gsize: script offset where each line begins */

  /* The text being read: the script itself, or the body of a backquoted
   * substitution once its escapes are removed. Reading stops at len,
   * which is lowered to bound a here-document body or an arithmetic
   * expression. */
  const char *text;
  gsize len;
  gsize pos;
  const gsize *map;          /* text offset -> script offset; NULL: same */
  gsize map_len;

  GPtrArray *commands;       /* the result */
  GPtrArray *inherit;        /* PaddockShellHazard*: copied onto every command
                              * of the enclosing case, function, coproc or
                              * substitution */
  GPtrArray *heredocs;       /* PendingHeredoc*, read at the next newline */
  PaddockShellCommand *owner;/* where hazards found now are reported */
  guint depth;
  gsize probe_budget;        /* bytes is_arithmetic() may still scan */
} Parser;

static gsize
script_offset (Parser *p,
               gsize   i)
{
  if (p->map != NULL)
    return p->map[MIN (i, p->map_len)];
  return i;
}

static void
locate (Parser *p,
        gsize   i,
        guint  *line,
        guint  *column)
{
  gsize offset = script_offset (p, i);
  guint lo = 0;
  guint hi = p->line_starts->len - 1;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo + 1) / 2;

      if (g_array_index (p->line_starts, gsize, mid) <= offset)
        lo = mid;
      else
        hi = mid - 1;
    }

  *line = lo + 1;
  *column = offset - g_array_index (p->line_starts, gsize, lo) + 1;
}

static gboolean syntax_error (Parser     *p,
                              gsize       at,
                              const char *format,
                              ...) G_GNUC_PRINTF (3, 4);

static gboolean
syntax_error (Parser     *p,
              gsize       at,
              const char *format,
              ...)
{
  g_autofree char *message = NULL;
  guint line, column;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  locate (p, at, &line, &column);
  return paddock_fail (p->error, PADDOCK_SHELL_ERROR, PADDOCK_SHELL_ERROR_SYNTAX,
                       "line %u, column %u: %s", line, column, message);
}

static PaddockShellCommand *
command_new (Parser *p,
             gsize   at)
{
  PaddockShellCommand *command = g_new0 (PaddockShellCommand, 1);

  command->argv = g_new0 (char *, 1);
  command->assignments = g_new0 (char *, 1);
  command->redirs = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_shell_redir_free);
  command->hazards = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_shell_hazard_free);
  locate (p, at, &command->line, &command->column);
  g_ptr_array_add (p->commands, command);

  return command;
}

static void
add_hazard (Parser     *p,
            const char *construct,
            gsize       at)
{
  guint line, column;

  /* Never lose a hazard: with no command to carry it, make one. */
  if (p->owner == NULL)
    p->owner = command_new (p, at);

  locate (p, at, &line, &column);
  g_ptr_array_add (p->owner->hazards, hazard_new (construct, line, column));
}

static guint
push_inherit (Parser     *p,
              const char *construct,
              gsize       at)
{
  guint n = p->inherit->len;
  guint line, column;

  locate (p, at, &line, &column);
  g_ptr_array_add (p->inherit, hazard_new (construct, line, column));

  return n;
}

static void
pop_inherit (Parser *p,
             guint   n)
{
  g_ptr_array_set_size (p->inherit, n);
}

/* Ends a command: drops it if nothing was found in it, otherwise adds
 * the hazards of the constructs around it. */
static void
close_command (Parser              *p,
               PaddockShellCommand *command)
{
  guint first;

  if (command->argv[0] == NULL &&
      command->assignments[0] == NULL &&
      command->redirs->len == 0 &&
      command->hazards->len == 0)
    {
      /* It was opened last, or nearly so: look from the end. */
      for (guint i = p->commands->len; i > 0; i--)
        if (g_ptr_array_index (p->commands, i - 1) == command)
          {
            g_ptr_array_remove_index (p->commands, i - 1);
            break;
          }
      return;
    }

  /* The innermost enclosing construct of each kind is enough to flag the
   * command; copying all of them would be quadratic in the nesting. */
  first = command->hazards->len;
  for (guint i = p->inherit->len, seen = 0; i > 0 && seen < MAX_INHERITED; i--, seen++)
    {
      PaddockShellHazard *hazard = g_ptr_array_index (p->inherit, i - 1);
      gboolean duplicate = FALSE;

      for (guint j = first; j < command->hazards->len && !duplicate; j++)
        duplicate = g_str_equal (((PaddockShellHazard *) g_ptr_array_index (command->hazards, j))->construct,
                                 hazard->construct);
      if (!duplicate)
        g_ptr_array_add (command->hazards,
                         hazard_new (hazard->construct, hazard->line, hazard->column));
    }
}

/* ------------------------------------------------------------------ */
/* Reading characters                                                 */
/* ------------------------------------------------------------------ */

/* Bash removes backslash-newline before it splits words, everywhere but
 * in single quotes, comments and quoted here-documents. Looking through
 * it keeps "$\<newline>(" a substitution and "&\<newline>&" an operator. */
static gsize
skip_continuations (Parser *p,
                    gsize   i)
{
  while (i + 1 < p->len && p->text[i] == '\\' && p->text[i + 1] == '\n')
    i += 2;
  return i;
}

/* Offset of the k-th character ahead, line continuations skipped. */
static gsize
logical_index (Parser *p,
               guint   k)
{
  gsize i = skip_continuations (p, p->pos);

  for (; k > 0 && i < p->len; k--)
    i = skip_continuations (p, i + 1);

  return i;
}

/* The text holds no NUL (it comes from a C string), so '\0' means the end. */
static char
peek_n (Parser *p,
        guint   k)
{
  gsize i = logical_index (p, k);

  return i < p->len ? p->text[i] : '\0';
}

static char
peek (Parser *p)
{
  return peek_n (p, 0);
}

static gsize
here (Parser *p)
{
  return skip_continuations (p, p->pos);
}

static void
advance (Parser *p,
         guint   k)
{
  for (; k > 0; k--)
    {
      p->pos = skip_continuations (p, p->pos);
      if (p->pos < p->len)
        p->pos++;
    }
}

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

/* The characters that end an unquoted word. */
static gboolean
is_delimiter (char c)
{
  return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == ';' ||
         c == '&' || c == '|' || c == '(' || c == ')' || c == '<' || c == '>';
}

static gboolean
is_name_start (char c)
{
  return g_ascii_isalpha (c) || c == '_';
}

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

static gboolean
is_name (const char *s)
{
  if (!is_name_start (s[0]))
    return FALSE;
  for (s++; *s != '\0'; s++)
    if (!is_name_char (*s))
      return FALSE;
  return TRUE;
}

static void
skip_blanks (Parser *p)
{
  for (;;)
    {
      gsize i = here (p);

      if (i < p->len && is_blank (p->text[i]))
        {
          p->pos = i + 1;
        }
      else
        {
          p->pos = i;
          return;
        }
    }
}

static void
skip_comment (Parser *p)
{
  const char *newline;

  p->pos = here (p);
  newline = memchr (p->text + p->pos, '\n', p->len - p->pos);
  p->pos = newline != NULL ? (gsize) (newline - p->text) : p->len;
}

/* An unquoted WORD here, followed by a delimiter. */
static gboolean
match_word (Parser     *p,
            const char *word)
{
  guint n = strlen (word);

  for (guint k = 0; k < n; k++)
    if (peek_n (p, k) != word[k])
      return FALSE;

  return is_delimiter (peek_n (p, n));
}

/* ------------------------------------------------------------------ */
/* Skipping without parsing                                           */
/* ------------------------------------------------------------------ */

static gboolean
at_word_start (Parser *p,
               gsize   from,
               gsize   i)
{
  return i == from || is_delimiter (p->text[i - 1]);
}

/* Finds the end of a nested construct without reporting anything in it:
 * used beyond MAX_DEPTH, to tell "$((" arithmetic from "$( (" and to find
 * the end of an arithmetic expression. @kind is the construct being
 * closed: '(' shell text up to ')', '{' a ${ } expansion, '[' a $[ ]
 * expression, 'a' the parentheses of "((" as bash matches them (quotes
 * and nested substitutions count; comments and case patterns do not).
 * The stack is on the heap: no input exhausts the C stack.
 * On success *end is the offset of the closing character. */
static gboolean
skip_nested_within (Parser *p,
                    gsize   from,
                    gsize   limit,
                    char    kind,
                    gsize  *end)
{
  g_autoptr(GByteArray) stack = g_byte_array_new ();
  guint8 frame = kind;
  gsize i = from;
  gsize len = limit < p->len - MIN (from, p->len) ? from + limit : p->len;

  g_byte_array_append (stack, &frame, 1);

  while (i < len)
    {
      char top = stack->data[stack->len - 1];
      char c = p->text[i];
      char next = i + 1 < p->len ? p->text[i + 1] : '\0';
      gboolean popped = FALSE;

      if (top == '`')
        {
          if (c == '\\')
            i++;
          else if (c == '`')
            popped = TRUE;
          i++;
        }
      else if (top == '"')
        {
          if (c == '\\')
            {
              i += 2;
              continue;
            }
          if (c == '"')
            popped = TRUE;
          else if (c == '`')
            g_byte_array_append (stack, (const guint8 *) "`", 1);
          else if (c == '$' && (next == '(' || next == '{' || next == '['))
            {
              g_byte_array_append (stack, (const guint8 *) &next, 1);
              i++;
            }
          i++;
        }
      else
        {
          /* Shell text: '(' a substitution or subshell, 'c' a case
           * statement (whose patterns end in an unbalanced ')'), '{' and
           * '[' the inside of an expansion. */
          gboolean shell = top == '(' || top == 'c';

          switch (c)
            {
            case '\\':
              i++;
              break;

            case '\'':
              {
                const char *q = memchr (p->text + i + 1, '\'', p->len - i - 1);

                if (q == NULL)
                  return FALSE;
                i = q - p->text;
              }
              break;

            case '"':
            case '`':
              g_byte_array_append (stack, (const guint8 *) &c, 1);
              break;

            case '$':
              if (next == '(' || next == '{' || next == '[')
                {
                  g_byte_array_append (stack, (const guint8 *) &next, 1);
                  i++;
                }
              else if (next == '\'')
                {
                  for (i += 2; i < p->len && p->text[i] != '\''; i++)
                    if (p->text[i] == '\\')
                      i++;
                  if (i >= p->len)
                    return FALSE;
                }
              break;

            case '(':
              if (shell || top == 'a')
                g_byte_array_append (stack, (const guint8 *) &top, 1);
              break;

            case ')':
              popped = top == '(' || top == 'a';
              break;

            case '}':
              popped = top == '{';
              break;

            case '[':
              if (top == '[')
                g_byte_array_append (stack, (const guint8 *) "[", 1);
              break;

            case ']':
              popped = top == '[';
              break;

            case '#':
              if (shell && at_word_start (p, from, i))
                {
                  const char *newline = memchr (p->text + i, '\n', p->len - i);

                  i = newline != NULL ? (gsize) (newline - p->text) - 1 : p->len - 1;
                }
              break;

            case 'c':
              if (shell && at_word_start (p, from, i) && i + 4 <= p->len &&
                  memcmp (p->text + i, "case", 4) == 0 &&
                  (i + 4 == p->len || is_delimiter (p->text[i + 4])))
                {
                  g_byte_array_append (stack, (const guint8 *) "c", 1);
                  i += 3;
                }
              break;

            case 'e':
              if (top == 'c' && at_word_start (p, from, i) && i + 4 <= p->len &&
                  memcmp (p->text + i, "esac", 4) == 0 &&
                  (i + 4 == p->len || is_delimiter (p->text[i + 4])))
                {
                  g_byte_array_set_size (stack, stack->len - 1);
                  i += 3;
                }
              break;

            default:
              break;
            }
          i++;
        }

      if (popped)
        {
          g_byte_array_set_size (stack, stack->len - 1);
          if (stack->len == 0)
            {
              *end = i - 1;
              return TRUE;
            }
        }
    }

  return FALSE;
}

static gboolean
skip_nested (Parser *p,
             gsize   from,
             char    kind,
             gsize  *end)
{
  return skip_nested_within (p, from, G_MAXSIZE, kind, end);
}

/* ------------------------------------------------------------------ */
/* Words                                                              */
/* ------------------------------------------------------------------ */

typedef enum
{
  WORD_NORMAL,   /* an argument, assignment, pattern or redirection target */
  WORD_COND,     /* inside [[ ]]: a regular expression may hold ( ) and | */
  WORD_LITERAL,  /* a here-document delimiter: quotes removed, nothing expanded */
} WordMode;

typedef struct
{
  GString *text;          /* after quote removal; expansions kept as written */
  gsize start;
  gsize plain_len;        /* leading bytes that were unquoted literals */
  gboolean plain;         /* nothing quoted or expanded yet */
  char prev;              /* last character if an unquoted literal, else 0 */
  gsize prev_at;

  gboolean quoted;
  gboolean param;         /* parameter or arithmetic expansion, quoted or not */
  gsize param_at;
  gboolean subst;         /* command or process substitution */
  gsize subst_at;
  gboolean glob;          /* unquoted * ? [...] or extended glob */
  gsize glob_at;
  gboolean brace;         /* unquoted {a,b} or {1..3} */
  gsize brace_at;

  gboolean bracket_open;
  gsize bracket_at;
  guint brace_depth;
  gsize brace_open_at;
  guint64 brace_list;     /* bit n: the brace at depth n+1 holds , or .. */

  gboolean eq_seen;
  gboolean assignment;    /* NAME=, NAME+= or NAME[...]= */
  gboolean array_assignment;
  gsize assign_end;       /* text length just after the '=' */
} Word;

static void
word_init (Word  *w,
           gsize  start)
{
  memset (w, 0, sizeof *w);
  w->text = g_string_new (NULL);
  w->start = start;
  w->plain = TRUE;
}

static void
word_clear (Word *w)
{
  if (w->text != NULL)
    g_string_free (w->text, TRUE);
  w->text = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Word, word_clear)

static void
word_literal (Word  *w,
              char   c,
              gsize  at)
{
  g_string_append_c (w->text, c);
  if (w->plain)
    w->plain_len = w->text->len;
  w->prev = c;
  w->prev_at = at;
}

static void
word_quoted (Word       *w,
             const char *s,
             gsize       n)
{
  g_string_append_len (w->text, s, n);
  w->quoted = TRUE;
  w->plain = FALSE;
  w->prev = 0;
}

static void
word_expansion (Word       *w,
                const char *s,
                gsize       n)
{
  g_string_append_len (w->text, s, n);
  w->plain = FALSE;
  w->prev = 0;
}

static void
word_param (Word  *w,
            gsize  at)
{
  if (!w->param)
    w->param_at = at;
  w->param = TRUE;
}

static void
word_subst (Word  *w,
            gsize  at)
{
  if (!w->subst)
    w->subst_at = at;
  w->subst = TRUE;
}

/* The first expansion of any kind, for a hazard's position. */
static gsize
word_expansion_at (const Word *w)
{
  gsize at = G_MAXSIZE;

  if (w->param)
    at = MIN (at, w->param_at);
  if (w->subst)
    at = MIN (at, w->subst_at);
  if (w->glob)
    at = MIN (at, w->glob_at);
  if (w->brace)
    at = MIN (at, w->brace_at);

  return at != G_MAXSIZE ? at : w->start;
}

/* Called on the first unquoted '=', before it is appended. */
static void
check_assignment (Word *w)
{
  const char *t = w->text->str;
  gsize len = w->text->len;
  gsize n = 0;

  if (len == 0 || !is_name_start (t[0]))
    return;
  while (n < len && is_name_char (t[n]))
    n++;
  if (n > w->plain_len)
    return;

  if (n == len)
    {
      w->assignment = TRUE;
    }
  else if (t[n] == '+' && n + 1 == len && w->plain_len == len)
    {
      w->assignment = TRUE;
    }
  else if (t[n] == '[' && w->plain_len > n)
    {
      gsize end = len;

      if (t[end - 1] == '+')
        end--;
      if (end > n + 1 && t[end - 1] == ']')
        {
          w->assignment = TRUE;
          w->array_assignment = TRUE;
        }
    }
}

/* Bash evaluates the array subscripts in a variable's value wherever it
 * does arithmetic ((( x )), [[ $x -eq 1 ]], unset, declare, [[ -v ]]), so
 * a quoted 'a[$(cmd)]' is code waiting to run. Real substitutions are
 * reported already; this catches the literal form. */
static void
check_deferred_code (Parser     *p,
                     const char *text,
                     gboolean    has_subst,
                     gsize       at)
{
  const char *bracket = strchr (text, '[');

  if (has_subst || bracket == NULL)
    return;
  if (strstr (bracket, "$(") != NULL || strchr (bracket, '`') != NULL)
    add_hazard (p, "code in string", at);
}

static gboolean parse_nested_list (Parser *p,
                                   gboolean to_paren,
                                   gsize    open);
static gboolean parse_dollar (Parser   *p,
                              Word     *w,
                              gboolean  in_dquote,
                              WordMode  mode);
static gboolean parse_backtick (Parser   *p,
                                Word     *w,
                                gboolean  in_dquote,
                                WordMode  mode);
static gboolean parse_word (Parser   *p,
                            Word     *w,
                            WordMode  mode,
                            gboolean  allow_array);

static gboolean
skip_too_deep (Parser *p,
               gsize   at,
               char    kind)
{
  gsize close;

  add_hazard (p, HAZARD_TOO_DEEP, at);
  if (!skip_nested (p, p->pos, kind, &close))
    return syntax_error (p, at, "unterminated %s", kind == '{' ? "'${'" : kind == '[' ? "'$['" : "'('");
  p->pos = close + 1;

  return TRUE;
}

static gboolean
parse_single_quote (Parser *p,
                    Word   *w)
{
  gsize at = here (p);
  const char *close = memchr (p->text + at + 1, '\'', p->len - at - 1);

  if (close == NULL)
    return syntax_error (p, at, "unterminated single quote");

  word_quoted (w, p->text + at + 1, close - (p->text + at + 1));
  p->pos = close - p->text + 1;

  return TRUE;
}

static gboolean
parse_dquote (Parser   *p,
              Word     *w,
              WordMode  mode)
{
  gsize open = here (p);

  advance (p, 1);
  w->quoted = TRUE;
  w->plain = FALSE;
  w->prev = 0;

  for (;;)
    {
      gsize at = here (p);
      char c = peek (p);

      if (c == '\0')
        return syntax_error (p, open, "unterminated double quote");

      if (c == '"')
        {
          advance (p, 1);
          return TRUE;
        }

      if (c == '\\')
        {
          /* Inside double quotes a backslash only escapes these. */
          char next = at + 1 < p->len ? p->text[at + 1] : '\0';

          if (next == '$' || next == '`' || next == '"' || next == '\\')
            {
              g_string_append_c (w->text, next);
              p->pos = at + 2;
            }
          else
            {
              g_string_append_c (w->text, '\\');
              p->pos = at + 1;
            }
        }
      else if (c == '$')
        {
          if (!parse_dollar (p, w, TRUE, mode))
            return FALSE;
        }
      else if (c == '`')
        {
          if (!parse_backtick (p, w, TRUE, mode))
            return FALSE;
        }
      else
        {
          g_string_append_c (w->text, c);
          advance (p, 1);
        }
    }
}

static guint
read_digits (const char *s,
             gsize       n,
             guint       base,
             guint       max_digits,
             guint32    *value)
{
  guint k = 0;

  *value = 0;
  for (; k < max_digits && k < n; k++)
    {
      int digit = g_ascii_xdigit_value (s[k]);

      if (digit < 0 || (guint) digit >= base)
        break;
      *value = *value * base + digit;
    }

  return k;
}

/* $'...': ANSI-C quoting, decoded as bash does. */
static gboolean
parse_ansi_c (Parser *p,
              Word   *w)
{
  gsize at = here (p);
  gsize i = logical_index (p, 2);
  gsize end = i;
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean truncated = FALSE;

  /* Find the end first, as bash's lexer does: a backslash skips the next
   * character whatever it is. Decoding must never move that end, or
   * "$'\c' ; rm -rf / # '" would hide a command inside the string. */
  while (end < p->len && p->text[end] != '\'')
    end += p->text[end] == '\\' ? 2 : 1;
  if (end >= p->len)
    return syntax_error (p, at, "unterminated $'...' string");

  while (i < end)
    {
      guint32 value = 0;
      gsize escape;
      gboolean is_char = FALSE;
      gboolean is_unicode = FALSE;
      char e;
      guint k;

      if (p->text[i] != '\\')
        {
          if (!truncated)
            g_string_append_c (out, p->text[i]);
          i++;
          continue;
        }

      escape = i;
      e = p->text[i + 1];
      i += 2;
      is_char = TRUE;

      switch (e)
        {
        case 'n': value = '\n'; break;
        case 't': value = '\t'; break;
        case 'r': value = '\r'; break;
        case 'a': value = 0x07; break;
        case 'b': value = 0x08; break;
        case 'f': value = 0x0c; break;
        case 'v': value = 0x0b; break;
        case 'e':
        case 'E': value = 0x1b; break;
        case '\\': value = '\\'; break;
        case '\'': value = '\''; break;
        case '"': value = '"'; break;
        case '?': value = '?'; break;

        case 'x':
          k = read_digits (p->text + i, end - i, 16, 2, &value);
          if (k == 0)
            is_char = FALSE;
          i += k;
          break;

        case 'u':
        case 'U':
          k = read_digits (p->text + i, end - i, 16, e == 'u' ? 4 : 8, &value);
          if (k == 0 || value > 0x10FFFF)
            is_char = FALSE;
          i += k;
          is_unicode = TRUE;
          break;

        case '0': case '1': case '2': case '3':
        case '4': case '5': case '6': case '7':
          k = read_digits (p->text + i - 1, end - i + 1, 8, 3, &value);
          value &= 0xff;
          i += k - 1;
          break;

        case 'c':
          /* \c at the very end stays as written. */
          if (i >= end)
            {
              is_char = FALSE;
              break;
            }
          value = p->text[i] == '?' ? 0x7f : (guint32) (g_ascii_toupper (p->text[i]) & 0x1f);
          /* \c\\ is one control character. */
          i += p->text[i] == '\\' && i + 1 < end && p->text[i + 1] == '\\' ? 2 : 1;
          break;

        default:
          is_char = FALSE;
          break;
        }

      if (truncated)
        continue;

      if (!is_char)
        {
          /* Unknown escapes stay as written, backslash included. */
          g_string_append_len (out, p->text + escape, i - escape);
          continue;
        }

      /* Bash cuts the string at a NUL byte. */
      if (value == 0)
        truncated = TRUE;
      else if (is_unicode)
        g_string_append_unichar (out, value);
      else
        g_string_append_c (out, (char) value);
    }

  p->pos = end + 1;
  word_quoted (w, out->str, out->len);

  return TRUE;
}

/* Reads text in which only expansions matter, up to p->len. */
typedef enum
{
  SCAN_HEREDOC,   /* an unquoted here-document body: quotes are literal */
  SCAN_ARITH,     /* an arithmetic expression: double quotes are removed */
  SCAN_PATTERN,   /* an extended glob pattern: quoting as in a word */
} ScanMode;

static gboolean
scan_expansions (Parser   *p,
                 ScanMode  mode)
{
  g_auto(Word) scratch = { 0 };

  word_init (&scratch, here (p));

  for (;;)
    {
      gsize at = here (p);
      char c = peek (p);
      gboolean ok = TRUE;

      if (c == '\0')
        return TRUE;

      if (c == '\\')
        p->pos = MIN (at + 2, p->len);
      else if (c == '$')
        ok = parse_dollar (p, &scratch, mode != SCAN_PATTERN, WORD_NORMAL);
      else if (c == '`')
        ok = parse_backtick (p, &scratch, FALSE, WORD_NORMAL);
      else if (c == '"' && mode != SCAN_HEREDOC)
        ok = parse_dquote (p, &scratch, WORD_NORMAL);
      else if (c == '\'' && mode == SCAN_PATTERN)
        ok = parse_single_quote (p, &scratch);
      else
        advance (p, 1);

      if (!ok)
        return FALSE;
      g_string_truncate (scratch.text, 0);
    }
}

/* Reports the expansions in [from, to) as if they stood at @at's depth. */
static gboolean
scan_region (Parser   *p,
             gsize     at,
             gsize     from,
             gsize     to,
             ScanMode  mode)
{
  gsize saved_len = p->len;
  gboolean ok;

  if (p->depth >= MAX_DEPTH)
    {
      add_hazard (p, HAZARD_TOO_DEEP, at);
      p->pos = to;
      return TRUE;
    }

  p->len = to;
  p->pos = from;
  p->depth++;
  ok = scan_expansions (p, mode);
  p->depth--;
  p->len = saved_len;

  return ok;
}

/* Arithmetic in [body, body_end), written at @at. Array subscripts and
 * substitutions in it are evaluated: a[$(cmd)] runs cmd. */
static gboolean
scan_arithmetic (Parser *p,
                 gsize   at,
                 gsize   body,
                 gsize   body_end)
{
  for (gsize i = body; i < body_end; i++)
    {
      char c = p->text[i];

      if (c == '`' || c == '[' ||
          (c == '$' && i + 1 < body_end && p->text[i + 1] == '(' &&
           !(i + 2 < body_end && p->text[i + 2] == '(')))
        {
          add_hazard (p, HAZARD_ARITHMETIC, at);
          break;
        }
    }

  return scan_region (p, at, body, body_end, SCAN_ARITH);
}

/* After "((" or "$((" at @body: is it arithmetic, closed by "))"?
 * Otherwise it is a subshell inside a subshell or substitution. */
static gboolean
is_arithmetic (Parser *p,
               gsize   body,
               gsize  *body_end,
               gsize  *end)
{
  gsize close;
  gsize next;

  /* Each "((" looks ahead to its end: a budget keeps "((((..." linear.
   * Once spent, "((" is read as two subshells, which still reports
   * every command and substitution inside. */
  if (p->probe_budget == 0)
    return FALSE;
  if (!skip_nested_within (p, body, p->probe_budget, 'a', &close))
    {
      p->probe_budget -= MIN (p->probe_budget, p->len - MIN (body, p->len));
      return FALSE;
    }
  p->probe_budget -= MIN (p->probe_budget, close - body);

  next = skip_continuations (p, close + 1);
  if (next >= p->len || p->text[next] != ')')
    return FALSE;

  *body_end = close;
  *end = next + 1;
  return TRUE;
}

/* $( ), <( ), >( ): the inside is a script of its own, parsed in full. */
static gboolean
parse_substitution (Parser     *p,
                    Word       *w,
                    const char *construct)
{
  gsize at = here (p);

  add_hazard (p, construct, at);
  advance (p, 2);

  if (p->depth >= MAX_DEPTH)
    {
      if (!skip_too_deep (p, at, '('))
        return FALSE;
    }
  else
    {
      guint n = push_inherit (p, construct, at);
      gboolean ok;

      p->depth++;
      ok = parse_nested_list (p, TRUE, at);
      p->depth--;
      pop_inherit (p, n);
      if (!ok)
        return FALSE;
    }

  word_expansion (w, p->text + at, p->pos - at);
  word_subst (w, at);

  return TRUE;
}

/* Inside ${ }, up to @stop ('}' or the ']' of a subscript). */
static gboolean
scan_parameter_word (Parser *p,
                     Word   *scratch,
                     char    stop,
                     gsize   open)
{
  guint brackets = 0;

  for (;;)
    {
      gsize at = here (p);
      char c = peek (p);
      gboolean ok = TRUE;

      if (c == '\0')
        return syntax_error (p, open, "unterminated '${'");

      if (c == stop && brackets == 0)
        return TRUE;

      if (c == '\\')
        {
          p->pos = MIN (at + 2, p->len);
        }
      else if (c == '\'')
        {
          ok = parse_single_quote (p, scratch);
        }
      else if (c == '"')
        {
          ok = parse_dquote (p, scratch, WORD_NORMAL);
        }
      else if (c == '$')
        {
          ok = parse_dollar (p, scratch, FALSE, WORD_NORMAL);
        }
      else if (c == '`')
        {
          ok = parse_backtick (p, scratch, FALSE, WORD_NORMAL);
        }
      else
        {
          if (stop == ']' && c == '[')
            brackets++;
          else if (stop == ']' && c == ']')
            brackets--;
          advance (p, 1);
        }

      if (!ok)
        return FALSE;
    }
}

static gboolean
is_harmless_subscript (const char *s,
                       gsize       n)
{
  gsize i = 0;

  if (n == 1 && (s[0] == '@' || s[0] == '*'))
    return TRUE;
  if (n > 0 && s[0] == '-')
    i++;
  if (i == n)
    return FALSE;
  for (; i < n; i++)
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
  return TRUE;
}

static guint
read_name (Parser *p)
{
  guint n = 0;

  if (!is_name_start (peek (p)))
    return 0;
  while (is_name_char (peek (p)))
    {
      advance (p, 1);
      n++;
    }
  return n;
}

static gboolean
parse_braced_inside (Parser *p,
                     gsize   at)
{
  g_auto(Word) scratch = { 0 };
  char c = peek (p);

  word_init (&scratch, at);

  if (c == '!')
    {
      guint n;

      advance (p, 1);
      n = read_name (p);
      c = peek (p);

      /* ${!prefix*} and ${!array[@]} list names; ${!} is a process id.
       * Anything else reads the variable named by a value, and an array
       * subscript in that value is evaluated and can run a command. */
      if (!((n > 0 && (c == '*' || c == '@') && peek_n (p, 1) == '}') ||
            (n > 0 && c == '[' && (peek_n (p, 1) == '@' || peek_n (p, 1) == '*') &&
             peek_n (p, 2) == ']' && peek_n (p, 3) == '}') ||
            (n == 0 && c == '}')))
        add_hazard (p, "indirect expansion", at);
    }
  else if (c == '(')
    {
      /* zsh parameter flags such as (e) evaluate the value. */
      add_hazard (p, "unsupported syntax", at);
    }
  else
    {
      if (c == '#' && peek_n (p, 1) != '}')
        advance (p, 1);

      c = peek (p);
      if (is_name_start (c))
        read_name (p);
      else if (g_ascii_isdigit (c))
        while (g_ascii_isdigit (peek (p)))
          advance (p, 1);
      else if (c != '\0' && strchr ("@*#?-$!", c) != NULL)
        advance (p, 1);

      if (peek (p) == '[')
        {
          gsize sub;

          advance (p, 1);
          sub = here (p);
          if (!scan_parameter_word (p, &scratch, ']', at))
            return FALSE;
          if (!is_harmless_subscript (p->text + sub, here (p) - sub))
            add_hazard (p, "array subscript", at);
          advance (p, 1);
        }

      /* ${x@P} expands the value as a prompt, which runs $( ) in it. */
      if (peek (p) == '@' && peek_n (p, 1) == 'P')
        add_hazard (p, "prompt expansion", at);
    }

  if (!scan_parameter_word (p, &scratch, '}', at))
    return FALSE;
  advance (p, 1);

  return TRUE;
}

static gboolean
parse_braced (Parser *p,
              Word   *w)
{
  gsize at = here (p);

  advance (p, 2);

  if (p->depth >= MAX_DEPTH)
    {
      if (!skip_too_deep (p, at, '{'))
        return FALSE;
    }
  else
    {
      gboolean ok;

      p->depth++;
      ok = parse_braced_inside (p, at);
      p->depth--;
      if (!ok)
        return FALSE;
    }

  word_expansion (w, p->text + at, p->pos - at);
  word_param (w, at);

  return TRUE;
}

/* The expansions of a here-document delimiter are never performed:
 * find their end and keep them as written. */
static gboolean
skip_literal_expansion (Parser *p,
                        Word   *w)
{
  gsize at = here (p);

  if (peek (p) == '`')
    {
      gsize i = at + 1;

      while (i < p->len && p->text[i] != '`')
        i += p->text[i] == '\\' ? 2 : 1;
      if (i >= p->len)
        return syntax_error (p, at, "unterminated backquote");
      p->pos = i + 1;
    }
  else
    {
      char kind = peek_n (p, 1);
      gsize close;

      if (!skip_nested (p, logical_index (p, 2), kind, &close))
        return syntax_error (p, at, "unterminated '$%c'", kind);
      p->pos = close + 1;
    }

  word_expansion (w, p->text + at, p->pos - at);

  return TRUE;
}

static gboolean
parse_dollar (Parser   *p,
              Word     *w,
              gboolean  in_dquote,
              WordMode  mode)
{
  gsize at = here (p);
  char next = peek_n (p, 1);

  if (next == '\'' && !in_dquote)
    return parse_ansi_c (p, w);

  if (next == '"' && !in_dquote)
    {
      /* $"..." is translated, otherwise like "...". */
      advance (p, 1);
      return parse_dquote (p, w, mode);
    }

  if (mode == WORD_LITERAL && (next == '(' || next == '{' || next == '['))
    return skip_literal_expansion (p, w);

  if (next == '(')
    {
      gsize body_end, end;
      gsize body = logical_index (p, 3);

      if (peek_n (p, 2) == '(' && is_arithmetic (p, body, &body_end, &end))
        {
          if (!scan_arithmetic (p, at, body, body_end))
            return FALSE;
          p->pos = end;
          word_expansion (w, p->text + at, end - at);
          word_param (w, at);
          return TRUE;
        }

      return parse_substitution (p, w, HAZARD_COMMAND_SUBST);
    }

  if (next == '{')
    return parse_braced (p, w);

  if (next == '[')
    {
      /* $[ ] is the obsolete spelling of $(( )). */
      gsize close;

      advance (p, 2);
      if (!skip_nested (p, p->pos, '[', &close))
        return syntax_error (p, at, "unterminated '$['");
      add_hazard (p, HAZARD_ARITHMETIC, at);
      if (!scan_region (p, at, p->pos, close, SCAN_ARITH))
        return FALSE;
      p->pos = close + 1;
      word_expansion (w, p->text + at, p->pos - at);
      word_param (w, at);
      return TRUE;
    }

  if (is_name_start (next))
    {
      advance (p, 1);
      read_name (p);
    }
  else if (g_ascii_isdigit (next) || (next != '\0' && strchr ("@*#?-$!", next) != NULL))
    {
      advance (p, 2);
    }
  else
    {
      word_literal (w, '$', at);
      advance (p, 1);
      return TRUE;
    }

  word_expansion (w, p->text + at, p->pos - at);
  word_param (w, at);

  return TRUE;
}

/* `...`: backslash escapes $ ` \ (and " inside double quotes); what is
 * left is parsed as a script of its own, mapped back to script offsets. */
static gboolean
parse_backtick (Parser   *p,
                Word     *w,
                gboolean  in_dquote,
                WordMode  mode)
{
  gsize at = here (p);
  g_autoptr(GString) body = NULL;
  g_autoptr(GArray) map = NULL;
  gsize i;

  if (mode == WORD_LITERAL)
    return skip_literal_expansion (p, w);

  body = g_string_new (NULL);
  map = g_array_new (FALSE, FALSE, sizeof (gsize));

  for (i = at + 1; ; )
    {
      gsize offset;
      char c;

      if (i >= p->len)
        return syntax_error (p, at, "unterminated backquote");

      c = p->text[i];
      if (c == '`')
        break;

      if (c == '\\' && i + 1 < p->len)
        {
          char next = p->text[i + 1];

          if (next == '\n')
            {
              i += 2;
              continue;
            }
          if (next == '$' || next == '`' || next == '\\' || (in_dquote && next == '"'))
            {
              offset = script_offset (p, i + 1);
              g_string_append_c (body, next);
              g_array_append_val (map, offset);
              i += 2;
              continue;
            }
        }

      offset = script_offset (p, i);
      g_string_append_c (body, c);
      g_array_append_val (map, offset);
      i++;
    }

  {
    gsize offset = script_offset (p, i);

    g_array_append_val (map, offset);
  }

  add_hazard (p, HAZARD_COMMAND_SUBST, at);

  if (p->depth >= MAX_DEPTH)
    {
      add_hazard (p, HAZARD_TOO_DEEP, at);
    }
  else
    {
      const char *saved_text = p->text;
      gsize saved_len = p->len;
      const gsize *saved_map = p->map;
      gsize saved_map_len = p->map_len;
      guint n = push_inherit (p, HAZARD_COMMAND_SUBST, at);
      gboolean ok;

      p->text = body->str;
      p->len = body->len;
      p->pos = 0;
      p->map = &g_array_index (map, gsize, 0);
      p->map_len = body->len;
      p->depth++;

      ok = parse_nested_list (p, FALSE, 0);

      p->depth--;
      p->text = saved_text;
      p->len = saved_len;
      p->map = saved_map;
      p->map_len = saved_map_len;
      pop_inherit (p, n);

      if (!ok)
        return FALSE;
    }

  p->pos = i + 1;
  word_expansion (w, p->text + at, p->pos - at);
  word_subst (w, at);

  return TRUE;
}

/* NAME=( ... ): the words of a compound array assignment. */
static gboolean
parse_array_literal (Parser *p,
                     Word   *w)
{
  gsize open = here (p);
  gboolean first = TRUE;

  advance (p, 1);
  g_string_append_c (w->text, '(');
  w->plain = FALSE;
  w->array_assignment = TRUE;

  for (;;)
    {
      g_auto(Word) element = { 0 };
      gsize at;
      char c;

      skip_blanks (p);
      at = here (p);
      c = peek (p);

      if (c == '\0')
        return syntax_error (p, open, "unterminated array assignment");

      if (c == ')')
        {
          advance (p, 1);
          g_string_append_c (w->text, ')');
          break;
        }

      if (c == '\n')
        {
          /* A here-document body would start here. */
          if (p->heredocs->len > 0)
            return syntax_error (p, at, "here-document inside an array assignment");
          advance (p, 1);
          continue;
        }

      if (c == '#')
        {
          skip_comment (p);
          continue;
        }

      if (is_delimiter (c))
        return syntax_error (p, at, "unexpected '%c' in array assignment", c);

      word_init (&element, at);
      if (!parse_word (p, &element, WORD_NORMAL, FALSE))
        return FALSE;
      if (!first)
        g_string_append_c (w->text, ' ');
      g_string_append_len (w->text, element.text->str, element.text->len);
      first = FALSE;
    }

  w->prev = 0;
  return TRUE;
}

/* ?(...) *(...) +(...) @(...) !(...) */
static gboolean
parse_extglob (Parser *p,
               Word   *w)
{
  gsize at = w->prev_at;
  gsize open = here (p);
  gsize close;

  if (!skip_nested (p, open + 1, '(', &close))
    return syntax_error (p, open, "unterminated pattern");

  /* Bash rejects it unless extglob is set; zsh glob qualifiers in this
   * position can run code. Either way the arguments are unknown. */
  add_hazard (p, "extended glob", at);
  if (!scan_region (p, at, open + 1, close, SCAN_PATTERN))
    return FALSE;

  p->pos = close + 1;
  word_expansion (w, p->text + open, close + 1 - open);
  if (!w->glob)
    w->glob_at = at;
  w->glob = TRUE;

  return TRUE;
}

static gboolean
parse_word (Parser   *p,
            Word     *w,
            WordMode  mode,
            gboolean  allow_array)
{
  gsize first = here (p);
  guint cond_parens = 0;

  for (;;)
    {
      gsize at = here (p);
      char c = peek (p);
      gboolean ok = TRUE;

      if (c == '\0' || is_blank (c) || c == '\n' || c == ';' || c == '&')
        break;

      if (c == '|')
        {
          if (mode == WORD_COND && cond_parens > 0)
            {
              word_literal (w, c, at);
              advance (p, 1);
              continue;
            }
          break;
        }

      if (c == '<' || c == '>')
        {
          if (at == first && peek_n (p, 1) == '(' && mode != WORD_LITERAL)
            {
              if (!parse_substitution (p, w, HAZARD_PROCESS_SUBST))
                return FALSE;
              continue;
            }
          break;
        }

      if (c == ')')
        {
          if (mode == WORD_COND && cond_parens > 0)
            {
              cond_parens--;
              word_literal (w, c, at);
              advance (p, 1);
              continue;
            }
          break;
        }

      if (c == '(')
        {
          if (allow_array && w->assignment && w->text->len == w->assign_end)
            ok = parse_array_literal (p, w);
          else if (mode == WORD_COND && at != first)
            {
              /* A regular expression or a pattern, never file names. */
              cond_parens++;
              word_literal (w, c, at);
              advance (p, 1);
            }
          else if (w->prev != 0 && strchr ("?*+@!", w->prev) != NULL && mode != WORD_LITERAL)
            ok = parse_extglob (p, w);
          else
            break;

          if (!ok)
            return FALSE;
          continue;
        }

      switch (c)
        {
        case '\\':
          if (at + 1 < p->len)
            {
              word_quoted (w, p->text + at + 1, 1);
              p->pos = at + 2;
            }
          else
            {
              word_literal (w, '\\', at);
              p->pos = at + 1;
            }
          break;

        case '\'':
          ok = parse_single_quote (p, w);
          break;

        case '"':
          ok = parse_dquote (p, w, mode);
          break;

        case '$':
          ok = parse_dollar (p, w, FALSE, mode);
          break;

        case '`':
          ok = parse_backtick (p, w, FALSE, mode);
          break;

        case '*':
        case '?':
          if (!w->glob)
            w->glob_at = at;
          w->glob = TRUE;
          word_literal (w, c, at);
          advance (p, 1);
          break;

        case '[':
          if (!w->bracket_open)
            w->bracket_at = at;
          w->bracket_open = TRUE;
          word_literal (w, c, at);
          advance (p, 1);
          break;

        case ']':
          if (w->bracket_open && !w->glob)
            {
              w->glob = TRUE;
              w->glob_at = w->bracket_at;
            }
          word_literal (w, c, at);
          advance (p, 1);
          break;

        case '{':
          if (w->brace_depth == 0)
            w->brace_open_at = at;
          if (w->brace_depth < 64)
            w->brace_list &= ~(G_GUINT64_CONSTANT (1) << w->brace_depth);
          w->brace_depth++;
          word_literal (w, c, at);
          advance (p, 1);
          break;

        case ',':
        case '.':
          if (w->brace_depth > 0 && w->brace_depth <= 64 &&
              (c == ',' || peek_n (p, 1) == '.'))
            w->brace_list |= G_GUINT64_CONSTANT (1) << (w->brace_depth - 1);
          word_literal (w, c, at);
          advance (p, 1);
          break;

        case '}':
          if (w->brace_depth > 0)
            {
              if (w->brace_depth > 64 ||
                  (w->brace_list & (G_GUINT64_CONSTANT (1) << (w->brace_depth - 1))) != 0)
                {
                  if (!w->brace)
                    w->brace_at = w->brace_open_at;
                  w->brace = TRUE;
                }
              w->brace_depth--;
            }
          word_literal (w, c, at);
          advance (p, 1);
          break;

        case '=':
          if (!w->eq_seen)
            {
              w->eq_seen = TRUE;
              check_assignment (w);
            }
          word_literal (w, c, at);
          if (w->assignment && w->assign_end == 0)
            w->assign_end = w->text->len;
          advance (p, 1);
          break;

        default:
          word_literal (w, c, at);
          advance (p, 1);
          break;
        }

      if (!ok)
        return FALSE;
    }

  if (here (p) == first)
    return syntax_error (p, first, "unexpected '%c'", peek (p));

  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Here-documents                                                     */
/* ------------------------------------------------------------------ */

static char *
unescape_heredoc (const char *body,
                  gsize       len)
{
  GString *out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    {
      if (body[i] == '\\' && i + 1 < len &&
          (body[i + 1] == '$' || body[i + 1] == '`' || body[i + 1] == '\\'))
        i++;
      g_string_append_c (out, body[i]);
    }

  return g_string_free (out, FALSE);
}

static gboolean
read_heredoc (Parser         *p,
              PendingHeredoc *heredoc)
{
  g_autoptr(GString) body = g_string_new (NULL);
  gsize body_start = p->pos;
  gsize body_end;
  gsize delimiter_len = strlen (heredoc->delimiter);

  for (;;)
    {
      g_autoptr(GString) line = g_string_new (NULL);
      gsize line_start = p->pos;
      gboolean first = TRUE;

      if (p->pos >= p->len)
        return syntax_error (p, heredoc->offset,
                             "here-document delimited by '%s' is not terminated",
                             heredoc->delimiter);

      /* One logical line: with an unquoted delimiter, backslash-newline
       * joins lines before the delimiter is looked for. */
      for (;;)
        {
          const char *start = p->text + p->pos;
          const char *newline = memchr (start, '\n', p->len - p->pos);
          gsize n = newline != NULL ? (gsize) (newline - start) : p->len - p->pos;
          gsize from = 0;
          gsize backslashes = 0;

          if (heredoc->strip_tabs && first)
            while (from < n && start[from] == '\t')
              from++;
          first = FALSE;

          g_string_append_len (line, start + from, n - from);
          p->pos += n + (newline != NULL ? 1 : 0);

          while (backslashes < line->len && line->str[line->len - 1 - backslashes] == '\\')
            backslashes++;
          if (!heredoc->quoted && newline != NULL && backslashes % 2 == 1 && p->pos < p->len)
            {
              g_string_truncate (line, line->len - 1);
              continue;
            }
          break;
        }

      if (line->len == delimiter_len && memcmp (line->str, heredoc->delimiter, delimiter_len) == 0)
        {
          body_end = line_start;
          break;
        }

      g_string_append_len (body, line->str, line->len);
      g_string_append_c (body, '\n');
    }

  g_free (heredoc->redir->target);

  if (heredoc->quoted)
    {
      PaddockShellCommand *saved_owner = p->owner;

      heredoc->redir->target = g_strndup (body->str, body->len);
      p->owner = heredoc->command;
      check_deferred_code (p, heredoc->redir->target, FALSE, heredoc->offset);
      p->owner = saved_owner;
    }
  else
    {
      /* Expanded like a double-quoted string: substitutions run. */
      PaddockShellCommand *saved_owner = p->owner;
      gsize saved_pos = p->pos;
      gboolean ok;

      heredoc->redir->target = unescape_heredoc (body->str, body->len);

      p->owner = heredoc->command;
      ok = scan_region (p, heredoc->offset, body_start, body_end, SCAN_HEREDOC);
      p->owner = saved_owner;
      p->pos = saved_pos;
      if (!ok)
        return FALSE;
    }

  return TRUE;
}

static gboolean
read_heredocs (Parser *p)
{
  g_autoptr(GPtrArray) pending = p->heredocs;

  p->heredocs = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_heredoc_free);

  for (guint i = 0; i < pending->len; i++)
    if (!read_heredoc (p, g_ptr_array_index (pending, i)))
      return FALSE;

  return TRUE;
}

/* At a newline: the bodies of the here-documents opened on the line
 * that it ends follow it. */
static gboolean
consume_newline (Parser *p)
{
  p->pos = here (p) + 1;

  if (p->heredocs->len > 0)
    return read_heredocs (p);

  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Command lists                                                      */
/* ------------------------------------------------------------------ */

typedef enum
{
  FRAME_GROUP,      /* { } */
  FRAME_SUBSHELL,   /* ( ) */
  FRAME_IF,
  FRAME_LOOP,       /* while, until, for, select */
  FRAME_CASE,
  FRAME_WRAPPER,    /* function definition or coproc: one command */
} FrameKind;

typedef struct
{
  FrameKind kind;
  const char *keyword;
  gsize offset;
  guint n_inherit;        /* p->inherit->len before it opened */
  guint first_command;    /* p->commands->len when it opened */
  gboolean stdin_pipe;
  gboolean in_body;       /* after then/do; a case branch; a wrapper's body begun */
  gboolean expect_do;     /* for/select header read */
  gboolean body_done;     /* wrapper: its command is complete */
  gboolean function;      /* wrapper: the body must be a compound command */
} Frame;

typedef enum
{
  STATE_START,   /* a new command: assignments, and reserved words if nothing yet */
  STATE_ARGS,    /* after the program name */
  STATE_DONE,    /* after a compound command: only redirections */
} CommandState;

typedef struct
{
  gboolean to_paren;
  GArray *frames;
  PaddockShellCommand *cmd;
  GPtrArray *argv;
  GPtrArray *assignments;
  CommandState state;
  gboolean pipe_in;        /* after | or |& */
  gboolean need_command;   /* after | || && */
  gboolean after_command;  /* there is something for ; or & to end */
  gint program;            /* argv index of the word in program position */
  gsize program_at;
  gboolean expect_program; /* after command, builtin, exec */
  guint closed_first;      /* first command of the compound just closed */
} List;

static void
list_clear (List *l)
{
  g_clear_pointer (&l->frames, g_array_unref);
  g_clear_pointer (&l->argv, g_ptr_array_unref);
  g_clear_pointer (&l->assignments, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (List, list_clear)

static Frame *
top_frame (List *l)
{
  if (l->frames->len == 0)
    return NULL;
  return &g_array_index (l->frames, Frame, l->frames->len - 1);
}

static const char *
program_name (List *l)
{
  if (l->program < 0)
    return NULL;
  return g_ptr_array_index (l->argv, l->program);
}

static gboolean
is_declaration (const char *name)
{
  return name != NULL &&
         (g_str_equal (name, "export") || g_str_equal (name, "declare") ||
          g_str_equal (name, "typeset") || g_str_equal (name, "local") ||
          g_str_equal (name, "readonly"));
}

/* Variables that change what later commands run or which code they load. */
static gboolean
is_special_assignment (const char *word)
{
  static const char * const names[] = {
    "PATH", "IFS", "ENV", "BASH_ENV", "CDPATH", "GLOBIGNORE", "SHELLOPTS",
    "BASHOPTS", "PS0", "PS1", "PS2", "PS3", "PS4", "PROMPT_COMMAND",
    "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "BASH_LOADABLES_PATH",
    "EXECIGNORE", "HISTFILE", NULL
  };
  gsize n = strcspn (word, "=+[");

  if (word[n] == '\0')
    return FALSE;
  if (n > 10 && strncmp (word, "BASH_FUNC_", 10) == 0)
    return TRUE;
  for (guint i = 0; names[i] != NULL; i++)
    if (strlen (names[i]) == n && strncmp (word, names[i], n) == 0)
      return TRUE;
  return FALSE;
}

static char **
steal_strv (GPtrArray **array)
{
  GPtrArray *old = *array;

  *array = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (old, NULL);
  return (char **) g_ptr_array_free (old, FALSE);
}

static PaddockShellCommand *
ensure_command (Parser *p,
                List   *l,
                gsize   at)
{
  if (l->cmd == NULL)
    {
      Frame *top = top_frame (l);

      l->cmd = command_new (p, at);
      l->cmd->stdin_pipe = l->pipe_in || (top != NULL && top->stdin_pipe);
      l->after_command = TRUE;
      l->need_command = FALSE;
    }
  p->owner = l->cmd;

  return l->cmd;
}

static void
check_trap (Parser *p,
            List   *l)
{
  char **argv = (char **) l->argv->pdata;
  guint i = l->program + 1;

  /* trap ACTION SIGNAL... stores ACTION to be evaluated later. */
  while (i < l->argv->len &&
         (g_str_equal (argv[i], "-l") || g_str_equal (argv[i], "-p") ||
          g_str_equal (argv[i], "--")))
    i++;
  if (i + 1 < l->argv->len && argv[i][0] != '\0' && !g_str_equal (argv[i], "-"))
    add_hazard (p, "trap", l->program_at);
}

static void
finish_command (Parser *p,
                List   *l)
{
  PaddockShellCommand *cmd = l->cmd;
  const char *program = program_name (l);

  if (cmd == NULL)
    return;

  p->owner = cmd;
  if (program != NULL && g_str_equal (program, "trap"))
    check_trap (p, l);

  g_strfreev (cmd->argv);
  cmd->argv = steal_strv (&l->argv);
  g_strfreev (cmd->assignments);
  cmd->assignments = steal_strv (&l->assignments);
  close_command (p, cmd);

  l->cmd = NULL;
  p->owner = NULL;
  l->program = -1;
  l->expect_program = FALSE;
}

static void
pop_frame (Parser *p,
           List   *l)
{
  Frame *frame = top_frame (l);
  Frame *parent;

  pop_inherit (p, frame->n_inherit);
  l->closed_first = frame->first_command;
  g_array_set_size (l->frames, l->frames->len - 1);

  parent = top_frame (l);
  if (parent != NULL && parent->kind == FRAME_WRAPPER && parent->in_body)
    parent->body_done = TRUE;
}

static void
pop_finished_wrappers (Parser *p,
                       List   *l)
{
  Frame *top;

  while ((top = top_frame (l)) != NULL && top->kind == FRAME_WRAPPER && top->body_done)
    pop_frame (p, l);
}

/* At a separator, a closing word or the end: the command is complete. */
static void
end_command (Parser *p,
             List   *l)
{
  gboolean had = l->cmd != NULL || l->state == STATE_DONE;
  Frame *top;

  finish_command (p, l);

  top = top_frame (l);
  if (had && top != NULL && top->kind == FRAME_WRAPPER && top->in_body)
    top->body_done = TRUE;
  pop_finished_wrappers (p, l);

  l->state = STATE_START;
}

static Frame *
push_frame (Parser     *p,
            List       *l,
            FrameKind   kind,
            const char *keyword,
            gsize       at)
{
  Frame frame = { 0 };
  Frame *top = top_frame (l);

  frame.kind = kind;
  frame.keyword = keyword;
  frame.offset = at;
  frame.n_inherit = p->inherit->len;
  frame.first_command = p->commands->len;
  frame.stdin_pipe = l->pipe_in || (top != NULL && top->stdin_pipe);
  g_array_append_val (l->frames, frame);

  l->need_command = FALSE;
  l->after_command = FALSE;
  l->state = STATE_START;

  return top_frame (l);
}

static gboolean
close_frame (Parser     *p,
             List       *l,
             FrameKind   kind,
             const char *keyword,
             gsize       at)
{
  Frame *top;

  if (l->need_command)
    return syntax_error (p, at, "expected a command before '%s'", keyword);

  end_command (p, l);
  top = top_frame (l);

  if (top == NULL || top->kind != kind ||
      ((kind == FRAME_IF || kind == FRAME_LOOP) && !top->in_body))
    return syntax_error (p, at, "unexpected '%s'", keyword);

  pop_frame (p, l);
  l->state = STATE_DONE;
  l->after_command = TRUE;

  return TRUE;
}

typedef struct
{
  const char *op;
  PaddockRedirKind kind;
  int fd;          /* the descriptor when none is written */
  gboolean dup;    /* <& and >&: a descriptor, or for >& a file */
} RedirOperator;

/* Longest first. */
static const RedirOperator redir_operators[] = {
  { "&>>", PADDOCK_REDIR_APPEND,     -1, FALSE },
  { "<<<", PADDOCK_REDIR_HERESTRING,  0, FALSE },
  { "<<-", PADDOCK_REDIR_HEREDOC,     0, FALSE },
  { "&>",  PADDOCK_REDIR_WRITE,      -1, FALSE },
  { "<<",  PADDOCK_REDIR_HEREDOC,     0, FALSE },
  { "<>",  PADDOCK_REDIR_READ_WRITE,  0, FALSE },
  { "<&",  PADDOCK_REDIR_READ,        0, TRUE },
  { ">>",  PADDOCK_REDIR_APPEND,      1, FALSE },
  { ">|",  PADDOCK_REDIR_WRITE,       1, FALSE },
  { ">&",  PADDOCK_REDIR_WRITE,       1, TRUE },
  { "<",   PADDOCK_REDIR_READ,        0, FALSE },
  { ">",   PADDOCK_REDIR_WRITE,       1, FALSE },
};

static const RedirOperator *
match_redir_operator (Parser *p)
{
  for (guint i = 0; i < G_N_ELEMENTS (redir_operators); i++)
    {
      const char *op = redir_operators[i].op;
      guint k = 0;

      while (op[k] != '\0' && peek_n (p, k) == op[k])
        k++;
      if (op[k] == '\0')
        return &redir_operators[i];
    }

  return NULL;
}

static gboolean
add_redirect (Parser *p,
              List   *l)
{
  gsize at = here (p);
  PaddockShellCommand *cmd = ensure_command (p, l, at);
  g_autoptr(PaddockShellRedir) redir = g_new0 (PaddockShellRedir, 1);
  g_auto(Word) w = { 0 };
  const RedirOperator *op;
  PaddockRedirKind kind;
  gboolean explicit_fd = FALSE;
  gboolean variable_fd = FALSE;
  int fd = 0;
  gsize target_at;
  char c;

  c = peek (p);
  if (g_ascii_isdigit (c))
    {
      guint64 value = 0;

      explicit_fd = TRUE;
      while (g_ascii_isdigit (peek (p)))
        {
          value = MIN (value * 10 + (peek (p) - '0'), (guint64) G_MAXINT + 1);
          advance (p, 1);
        }
      if (value > G_MAXINT)
        {
          add_hazard (p, "unsupported syntax", at);
          value = G_MAXINT;
        }
      fd = (int) value;
    }
  else if (c == '{')
    {
      /* {name}>file: the shell picks the descriptor and stores it. */
      variable_fd = TRUE;
      add_hazard (p, "variable file descriptor", at);
      while (peek (p) != '}' && peek (p) != '\0')
        advance (p, 1);
      advance (p, 1);
    }

  op = match_redir_operator (p);
  g_assert (op != NULL);   /* is_redirect_start() saw one */
  kind = op->kind;
  if (!explicit_fd)
    fd = op->fd;

  advance (p, strlen (op->op));
  skip_blanks (p);

  target_at = here (p);
  c = peek (p);
  if (is_delimiter (c) && !((c == '<' || c == '>') && peek_n (p, 1) == '('))
    return syntax_error (p, at, "expected a file name after the redirection operator");

  word_init (&w, target_at);
  if (!parse_word (p, &w, kind == PADDOCK_REDIR_HEREDOC ? WORD_LITERAL : WORD_NORMAL, FALSE))
    return FALSE;

  redir->kind = kind;
  redir->fd = fd;
  locate (p, at, &redir->line, &redir->column);

  if (kind == PADDOCK_REDIR_HEREDOC)
    {
      PendingHeredoc *heredoc = g_new0 (PendingHeredoc, 1);

      heredoc->redir = redir;
      heredoc->command = cmd;
      heredoc->delimiter = g_strdup (w.text->str);
      heredoc->offset = at;
      heredoc->strip_tabs = g_str_equal (op->op, "<<-");
      heredoc->quoted = w.quoted;
      g_ptr_array_add (p->heredocs, heredoc);

      redir->target = g_strdup ("");
      cmd->stdin_pipe = TRUE;
    }
  else if (kind == PADDOCK_REDIR_HERESTRING)
    {
      redir->target = g_strdup (w.text->str);
      cmd->stdin_pipe = TRUE;
      check_deferred_code (p, w.text->str, w.subst, target_at);
    }
  else
    {
      const char *t = w.text->str;
      gsize digits = strspn (t, "0123456789");
      gboolean expanded = w.param || w.subst || w.glob || w.brace;

      redir->target = g_strdup (t);

      /* N>&M, N<&M, >&-, N>&M-: descriptors only. Anything else after
       * >& is a file receiving both stdout and stderr. */
      if (op->dup && !expanded &&
          (g_str_equal (t, "-") || (digits > 0 && (t[digits] == '\0' ||
                                                   (t[digits] == '-' && t[digits + 1] == '\0')))))
        redir->kind = PADDOCK_REDIR_DUP;
      else if (op->dup && kind == PADDOCK_REDIR_WRITE && !explicit_fd && !variable_fd)
        redir->fd = -1;

      /* Which file is opened is only known at run time. */
      if (expanded)
        add_hazard (p, "expansion in redirection target", word_expansion_at (&w));
    }

  if ((kind == PADDOCK_REDIR_HEREDOC || kind == PADDOCK_REDIR_HERESTRING) &&
      l->state == STATE_DONE && l->closed_first != G_MAXUINT)
    {
      /* Input redirected into a compound command feeds all of it. */
      for (guint i = l->closed_first; i < p->commands->len; i++)
        ((PaddockShellCommand *) g_ptr_array_index (p->commands, i))->stdin_pipe = TRUE;
    }

  g_ptr_array_add (cmd->redirs, g_steal_pointer (&redir));

  return TRUE;
}

static gboolean
is_redirect_start (Parser *p)
{
  char c = peek (p);
  guint k = 0;

  if (c == '<' || c == '>')
    return peek_n (p, 1) != '(';

  if (c == '&')
    return peek_n (p, 1) == '>';

  if (g_ascii_isdigit (c))
    {
      while (g_ascii_isdigit (peek_n (p, k)))
        k++;
      c = peek_n (p, k);
      return c == '<' || c == '>';
    }

  if (c == '{' && is_name_start (peek_n (p, 1)))
    {
      for (k = 1; is_name_char (peek_n (p, k)); k++)
        ;
      if (peek_n (p, k) != '}')
        return FALSE;
      c = peek_n (p, k + 1);
      return c == '<' || c == '>';
    }

  return FALSE;
}

static void
add_argument (Parser *p,
              List   *l,
              Word   *w)
{
  const char *text = w->text->str;
  const char *program = program_name (l);

  if (l->program < 0 || (l->expect_program && text[0] != '-'))
    {
      /* What runs is only known at run time. */
      if (w->param)
        add_hazard (p, "variable in command position", w->param_at);
      if (w->glob)
        add_hazard (p, "glob in command position", w->glob_at);
      if (w->brace)
        add_hazard (p, "brace expansion in command position", w->brace_at);

      /* These run shell code that was never seen here. */
      if (g_str_equal (text, "eval"))
        add_hazard (p, "eval", w->start);
      else if (g_str_equal (text, "source") || g_str_equal (text, "."))
        add_hazard (p, "source", w->start);
      else if (g_str_equal (text, "alias") || g_str_equal (text, "unalias"))
        add_hazard (p, "alias", w->start);

      l->program = l->argv->len;
      l->program_at = w->start;
      /* The builtins that run their first argument as a command. */
      l->expect_program = g_str_equal (text, "command") || g_str_equal (text, "builtin") ||
                          g_str_equal (text, "exec");
    }
  else
    {
      /* rm {-rf,/} has more arguments than it shows. */
      if (w->brace)
        add_hazard (p, "brace expansion", w->brace_at);
      if (is_declaration (program))
        {
          if (w->array_assignment)
            add_hazard (p, "array assignment", w->start);
          if (is_special_assignment (text))
            add_hazard (p, "special variable assignment", w->start);
        }
    }

  check_deferred_code (p, text, w->subst, w->start);
  g_ptr_array_add (l->argv, g_strdup (text));
  l->state = STATE_ARGS;
}

static gboolean
parse_word_token (Parser *p,
                  List   *l)
{
  gsize at = here (p);
  g_auto(Word) w = { 0 };
  gboolean allow_array;

  if (l->state == STATE_DONE)
    return syntax_error (p, at, "unexpected word after a compound command");

  ensure_command (p, l, at);
  allow_array = l->state == STATE_START || is_declaration (program_name (l));

  word_init (&w, at);
  if (!parse_word (p, &w, WORD_NORMAL, allow_array))
    return FALSE;

  if (l->state == STATE_START && w.assignment)
    {
      if (w.array_assignment)
        add_hazard (p, "array assignment", at);
      if (is_special_assignment (w.text->str))
        add_hazard (p, "special variable assignment", at);
      check_deferred_code (p, w.text->str, w.subst, at);
      g_ptr_array_add (l->assignments, g_strdup (w.text->str));
      return TRUE;
    }

  add_argument (p, l, &w);

  return TRUE;
}

/* [[ ... ]]: one command; && || ( ) < > are its own words here. */
static gboolean
parse_cond (Parser *p,
            List   *l)
{
  gsize at = here (p);
  g_autoptr(GArray) offsets = g_array_new (FALSE, FALSE, sizeof (gsize));
  char **argv;

  ensure_command (p, l, at);
  g_ptr_array_add (l->argv, g_strdup ("[["));
  g_array_append_val (offsets, at);
  l->program = 0;
  l->program_at = at;
  advance (p, 2);

  for (;;)
    {
      g_auto(Word) w = { 0 };
      gsize word_at;
      char c;

      skip_blanks (p);
      word_at = here (p);
      c = peek (p);

      if (c == '\0')
        return syntax_error (p, at, "unterminated '[['");

      if (c == '\n')
        {
          if (!consume_newline (p))
            return FALSE;
          continue;
        }

      if (c == ']' && peek_n (p, 1) == ']' && is_delimiter (peek_n (p, 2)))
        {
          g_ptr_array_add (l->argv, g_strdup ("]]"));
          g_array_append_val (offsets, word_at);
          advance (p, 2);
          break;
        }

      if ((c == '&' && peek_n (p, 1) == '&') || (c == '|' && peek_n (p, 1) == '|'))
        {
          g_ptr_array_add (l->argv, g_strdup (c == '&' ? "&&" : "||"));
          g_array_append_val (offsets, word_at);
          advance (p, 2);
          continue;
        }

      if (c == '(' || c == ')' || ((c == '<' || c == '>') && peek_n (p, 1) != '('))
        {
          g_ptr_array_add (l->argv, g_strndup (&c, 1));
          g_array_append_val (offsets, word_at);
          advance (p, 1);
          continue;
        }

      if (c == ';' || c == '&' || c == '|')
        return syntax_error (p, word_at, "unexpected '%c' inside '[['", c);

      word_init (&w, word_at);
      if (!parse_word (p, &w, WORD_COND, FALSE))
        return FALSE;
      check_deferred_code (p, w.text->str, w.subst, word_at);
      g_ptr_array_add (l->argv, g_strdup (w.text->str));
      g_array_append_val (offsets, word_at);
    }

  /* The operands of -eq and friends, and of -v, are evaluated as
   * arithmetic: an array subscript in them can run a command. */
  argv = (char **) l->argv->pdata;
  for (guint i = 1; i + 1 < l->argv->len; i++)
    {
      static const char * const arith_ops[] = { "-eq", "-ne", "-lt", "-le", "-gt", "-ge", NULL };

      if (g_strv_contains (arith_ops, argv[i]))
        {
          if (strchr (argv[i - 1], '[') != NULL)
            add_hazard (p, HAZARD_ARITHMETIC, g_array_index (offsets, gsize, i - 1));
          if (strchr (argv[i + 1], '[') != NULL)
            add_hazard (p, HAZARD_ARITHMETIC, g_array_index (offsets, gsize, i + 1));
        }
      else if (g_str_equal (argv[i], "-v") && strchr (argv[i + 1], '[') != NULL)
        {
          add_hazard (p, HAZARD_ARITHMETIC, g_array_index (offsets, gsize, i + 1));
        }
    }

  l->state = STATE_DONE;
  l->closed_first = G_MAXUINT;

  return TRUE;
}

/* (( ... )) as a command, or a subshell. */
static gboolean
parse_paren_command (Parser *p,
                     List   *l)
{
  gsize at = here (p);
  gsize body = logical_index (p, 2);
  gsize body_end, end;

  if (peek_n (p, 1) == '(' && is_arithmetic (p, body, &body_end, &end))
    {
      ensure_command (p, l, at);
      g_ptr_array_add (l->argv, g_strdup ("(("));
      g_ptr_array_add (l->argv, g_strndup (p->text + body, body_end - body));
      g_ptr_array_add (l->argv, g_strdup ("))"));
      l->program = 0;
      l->program_at = at;
      if (!scan_arithmetic (p, at, body, body_end))
        return FALSE;
      p->pos = end;
      l->state = STATE_DONE;
      l->closed_first = G_MAXUINT;
      return TRUE;
    }

  push_frame (p, l, FRAME_SUBSHELL, "(", at);
  advance (p, 1);

  return TRUE;
}

/* A word that only serves as a header (a case subject, a loop variable,
 * a pattern): parsed for its hazards, then dropped. */
static gboolean
parse_header_word (Parser *p)
{
  g_auto(Word) w = { 0 };

  word_init (&w, here (p));
  return parse_word (p, &w, WORD_NORMAL, FALSE);
}

/* Blanks, newlines (with their here-documents) and comments. */
static gboolean
skip_newlines (Parser *p)
{
  for (;;)
    {
      char c;

      skip_blanks (p);
      c = peek (p);
      if (c == '#')
        skip_comment (p);
      else if (c == '\n')
        {
          if (!consume_newline (p))
            return FALSE;
        }
      else
        return TRUE;
    }
}

static gboolean
parse_case_header (Parser *p,
                   List   *l)
{
  gsize at = here (p);
  PaddockShellCommand *header = command_new (p, at);
  Frame *frame;

  /* The branch that runs depends on a value known only at run time. */
  p->owner = header;
  add_hazard (p, "case statement", at);

  advance (p, 4);
  skip_blanks (p);
  if (is_delimiter (peek (p)))
    return syntax_error (p, at, "expected a word after 'case'");
  if (!parse_header_word (p))
    return FALSE;
  if (!skip_newlines (p))
    return FALSE;
  if (!match_word (p, "in"))
    return syntax_error (p, here (p), "expected 'in' in case statement");
  advance (p, 2);

  close_command (p, header);
  p->owner = NULL;

  frame = push_frame (p, l, FRAME_CASE, "case", at);
  push_inherit (p, "case statement", at);
  frame->in_body = FALSE;

  return TRUE;
}

/* [(] PATTERN [| PATTERN]... ) or esac */
static gboolean
parse_case_pattern (Parser *p,
                    List   *l)
{
  gsize at = here (p);
  PaddockShellCommand *pattern;

  if (match_word (p, "esac"))
    {
      if (!close_frame (p, l, FRAME_CASE, "esac", at))
        return FALSE;
      advance (p, 4);
      return TRUE;
    }

  pattern = command_new (p, at);
  p->owner = pattern;

  if (peek (p) == '(')
    advance (p, 1);

  for (;;)
    {
      char c;

      skip_blanks (p);
      c = peek (p);

      if (c == ')')
        {
          advance (p, 1);
          break;
        }
      if (c == '|')
        {
          advance (p, 1);
          continue;
        }
      if (is_delimiter (c))
        return syntax_error (p, here (p), "expected ')' after a case pattern");
      if (!parse_header_word (p))
        return FALSE;
    }

  close_command (p, pattern);
  p->owner = NULL;
  top_frame (l)->in_body = TRUE;

  return TRUE;
}

/* for NAME [in WORDS] ; | for (( ... )) ; | select NAME [in WORDS] ; */
static gboolean
parse_for_header (Parser     *p,
                  List       *l,
                  const char *keyword)
{
  gsize at = here (p);
  PaddockShellCommand *header = command_new (p, at);
  Frame *frame;

  p->owner = header;
  advance (p, strlen (keyword));
  skip_blanks (p);

  if (keyword[0] == 'f' && peek (p) == '(' && peek_n (p, 1) == '(')
    {
      gsize body = logical_index (p, 2);
      gsize body_end, end;

      add_hazard (p, "arithmetic for loop", at);
      if (!is_arithmetic (p, body, &body_end, &end))
        return syntax_error (p, here (p), "unterminated '(('");
      if (!scan_arithmetic (p, here (p), body, body_end))
        return FALSE;
      p->pos = end;
      skip_blanks (p);
      if (peek (p) == ';')
        advance (p, 1);
    }
  else
    {
      gsize name_at = here (p);
      g_auto(Word) name = { 0 };

      if (is_delimiter (peek (p)))
        return syntax_error (p, at, "expected a variable name after '%s'", keyword);
      word_init (&name, name_at);
      if (!parse_word (p, &name, WORD_NORMAL, FALSE))
        return FALSE;
      if (name.quoted || !name.plain || !is_name (name.text->str))
        add_hazard (p, "unsupported syntax", name_at);

      skip_blanks (p);
      if (peek (p) == ';')
        {
          advance (p, 1);
        }
      else
        {
          if (!skip_newlines (p))
            return FALSE;

          if (match_word (p, "in"))
            {
              advance (p, 2);
              for (;;)
                {
                  char c;

                  skip_blanks (p);
                  c = peek (p);
                  if (c == ';')
                    {
                      advance (p, 1);
                      break;
                    }
                  if (c == '\n' || c == '\0' || c == '#')
                    break;
                  if (is_delimiter (c) && !((c == '<' || c == '>') && peek_n (p, 1) == '('))
                    return syntax_error (p, here (p), "unexpected '%c' in the word list of '%s'", c, keyword);
                  if (!parse_header_word (p))
                    return FALSE;
                }
            }
        }
    }

  close_command (p, header);
  p->owner = NULL;

  frame = push_frame (p, l, FRAME_LOOP, keyword, at);
  frame->expect_do = TRUE;

  return TRUE;
}

static gboolean
parse_function_keyword (Parser *p,
                        List   *l)
{
  gsize at = here (p);
  PaddockShellCommand *header = command_new (p, at);
  Frame *frame;

  /* Defining a function changes what a later command name runs. */
  p->owner = header;
  add_hazard (p, "function definition", at);

  advance (p, strlen ("function"));
  skip_blanks (p);
  if (is_delimiter (peek (p)))
    return syntax_error (p, at, "expected a name after 'function'");
  if (!parse_header_word (p))
    return FALSE;
  skip_blanks (p);
  if (peek (p) == '(')
    {
      advance (p, 1);
      skip_blanks (p);
      if (peek (p) != ')')
        return syntax_error (p, here (p), "expected ')' after '('");
      advance (p, 1);
    }

  close_command (p, header);
  p->owner = NULL;

  frame = push_frame (p, l, FRAME_WRAPPER, "function", at);
  frame->function = TRUE;
  push_inherit (p, "function definition", at);

  return TRUE;
}

/* NAME ( ) after the first word of a command. */
static gboolean
parse_function_parens (Parser *p,
                       List   *l)
{
  gsize at = here (p);
  gsize name_at = l->program_at;
  Frame *frame;

  if (l->state != STATE_ARGS || l->argv->len != 1 || l->assignments->len != 0 ||
      l->cmd->redirs->len != 0)
    return syntax_error (p, at, "unexpected '('");

  advance (p, 1);
  skip_blanks (p);
  if (peek (p) != ')')
    return syntax_error (p, at, "unexpected '('");
  advance (p, 1);

  /* The name is not a command: drop it, keep what was found in it. */
  g_ptr_array_set_size (l->argv, 0);
  l->program = -1;
  p->owner = l->cmd;
  add_hazard (p, "function definition", name_at);
  end_command (p, l);
  l->after_command = FALSE;

  frame = push_frame (p, l, FRAME_WRAPPER, "function", name_at);
  frame->function = TRUE;
  push_inherit (p, "function definition", name_at);

  return TRUE;
}

static gboolean
parse_coproc (Parser *p,
              List   *l)
{
  gsize at = here (p);
  guint k = 0;
  char c;

  advance (p, strlen ("coproc"));
  skip_blanks (p);

  /* coproc NAME { ...; } and coproc NAME ( ... ) */
  if (is_name_start (peek (p)))
    {
      for (k = 1; is_name_char (peek_n (p, k)); k++)
        ;
      while (is_blank (peek_n (p, k)))
        k++;
      c = peek_n (p, k);
      if (c == '(' || (c == '{' && is_delimiter (peek_n (p, k + 1))))
        {
          read_name (p);
          skip_blanks (p);
        }
    }

  push_frame (p, l, FRAME_WRAPPER, "coproc", at);
  push_inherit (p, "coproc", at);

  return TRUE;
}

static const char * const keywords[] = {
  "if", "then", "elif", "else", "fi", "do", "done", "while", "until",
  "for", "select", "case", "esac", "function", "coproc", "time", "!",
  "{", "}", "[[", NULL
};

static const char *
keyword_here (Parser *p)
{
  for (guint i = 0; keywords[i] != NULL; i++)
    if (match_word (p, keywords[i]))
      return keywords[i];
  return NULL;
}

static gboolean
is_closing_keyword (const char *keyword)
{
  static const char * const closing[] = {
    "then", "elif", "else", "fi", "do", "done", "esac", "}", NULL
  };

  return g_strv_contains (closing, keyword);
}

static gboolean
handle_keyword (Parser     *p,
                List       *l,
                const char *keyword)
{
  gsize at = here (p);
  Frame *top;

  if (is_closing_keyword (keyword) && l->need_command)
    return syntax_error (p, at, "expected a command before '%s'", keyword);

  if (g_str_equal (keyword, "!") || g_str_equal (keyword, "time"))
    {
      advance (p, strlen (keyword));
      skip_blanks (p);
      if (keyword[0] == 't' && match_word (p, "-p"))
        advance (p, 2);
      return TRUE;
    }

  if (g_str_equal (keyword, "{"))
    {
      push_frame (p, l, FRAME_GROUP, "{", at);
      advance (p, 1);
      return TRUE;
    }

  if (g_str_equal (keyword, "}"))
    {
      if (!close_frame (p, l, FRAME_GROUP, "}", at))
        return FALSE;
      advance (p, 1);
      return TRUE;
    }

  if (g_str_equal (keyword, "if") || g_str_equal (keyword, "while") ||
      g_str_equal (keyword, "until"))
    {
      push_frame (p, l, keyword[0] == 'i' ? FRAME_IF : FRAME_LOOP, keyword, at);
      advance (p, strlen (keyword));
      return TRUE;
    }

  if (g_str_equal (keyword, "fi") || g_str_equal (keyword, "done") ||
      g_str_equal (keyword, "esac"))
    {
      FrameKind kind = keyword[0] == 'f' ? FRAME_IF : keyword[0] == 'd' ? FRAME_LOOP : FRAME_CASE;

      if (!close_frame (p, l, kind, keyword, at))
        return FALSE;
      advance (p, strlen (keyword));
      return TRUE;
    }

  if (g_str_equal (keyword, "for") || g_str_equal (keyword, "select"))
    return parse_for_header (p, l, keyword);

  if (g_str_equal (keyword, "case"))
    return parse_case_header (p, l);

  if (g_str_equal (keyword, "function"))
    return parse_function_keyword (p, l);

  if (g_str_equal (keyword, "coproc"))
    return parse_coproc (p, l);

  if (g_str_equal (keyword, "[["))
    return parse_cond (p, l);

  /* then, elif, else, do */
  end_command (p, l);
  top = top_frame (l);
  if (g_str_equal (keyword, "do"))
    {
      if (top == NULL || top->kind != FRAME_LOOP || top->in_body)
        return syntax_error (p, at, "unexpected 'do'");
      top->in_body = TRUE;
      top->expect_do = FALSE;
    }
  else
    {
      gboolean then = g_str_equal (keyword, "then");

      if (top == NULL || top->kind != FRAME_IF || top->in_body == then)
        return syntax_error (p, at, "unexpected '%s'", keyword);
      top->in_body = !g_str_equal (keyword, "elif");
    }

  advance (p, strlen (keyword));
  l->after_command = FALSE;

  return TRUE;
}

/* Before the first word of a command: what the enclosing construct
 * expects there. */
static gboolean
check_command_start (Parser *p,
                     List   *l,
                     char    c)
{
  Frame *top = top_frame (l);

  if (top == NULL)
    return TRUE;

  if (top->kind == FRAME_LOOP && top->expect_do && !match_word (p, "do"))
    return syntax_error (p, here (p), "expected 'do' after '%s'", top->keyword);

  if (top->kind == FRAME_WRAPPER && !top->in_body)
    {
      static const char * const compound[] = {
        "{", "if", "while", "until", "for", "select", "case", "[[", NULL
      };
      const char *keyword = keyword_here (p);

      if (top->function && c != '(' &&
          (keyword == NULL || !g_strv_contains (compound, keyword)))
        return syntax_error (p, here (p), "the body of a function must be a compound command");
      top->in_body = TRUE;
    }

  return TRUE;
}

static gboolean
end_of_list (Parser *p,
             List   *l,
             gsize   at)
{
  Frame *top;

  if (l->need_command)
    return syntax_error (p, at, "expected a command");

  end_command (p, l);

  top = top_frame (l);
  if (top != NULL)
    return syntax_error (p, top->offset, "'%s' is not closed", top->keyword);

  if (p->heredocs->len > 0)
    {
      PendingHeredoc *heredoc = g_ptr_array_index (p->heredocs, 0);

      return syntax_error (p, heredoc->offset,
                           "here-document delimited by '%s' is not terminated",
                           heredoc->delimiter);
    }

  return TRUE;
}

static gboolean
separator (Parser     *p,
           List       *l,
           const char *op,
           gboolean    pipe,
           gboolean    and_or)
{
  gsize at = here (p);

  if (!l->after_command)
    return syntax_error (p, at, "unexpected '%s'", op);

  end_command (p, l);
  l->pipe_in = pipe;
  l->need_command = pipe || and_or;
  l->after_command = FALSE;
  advance (p, strlen (op));

  return TRUE;
}

static gboolean
case_separator (Parser     *p,
                List       *l,
                const char *op)
{
  gsize at = here (p);
  Frame *top;

  if (l->need_command)
    return syntax_error (p, at, "expected a command before '%s'", op);

  end_command (p, l);
  top = top_frame (l);
  if (top == NULL || top->kind != FRAME_CASE || !top->in_body)
    return syntax_error (p, at, "unexpected '%s' outside a case statement", op);

  top->in_body = FALSE;
  l->pipe_in = FALSE;
  l->after_command = FALSE;
  advance (p, strlen (op));

  return TRUE;
}

static gboolean
close_paren (Parser   *p,
             List     *l,
             gboolean *finished)
{
  gsize at = here (p);
  Frame *top;

  if (l->need_command)
    return syntax_error (p, at, "expected a command before ')'");

  end_command (p, l);
  top = top_frame (l);

  if (top != NULL && top->kind == FRAME_SUBSHELL)
    {
      if (!close_frame (p, l, FRAME_SUBSHELL, ")", at))
        return FALSE;
      advance (p, 1);
      return TRUE;
    }

  if (top == NULL && l->to_paren)
    {
      if (p->heredocs->len > 0)
        {
          PendingHeredoc *heredoc = g_ptr_array_index (p->heredocs, 0);

          return syntax_error (p, heredoc->offset,
                               "here-document delimited by '%s' is not terminated",
                               heredoc->delimiter);
        }
      advance (p, 1);
      *finished = TRUE;
      return TRUE;
    }

  if (top != NULL)
    return syntax_error (p, at, "unexpected ')': '%s' is not closed", top->keyword);
  return syntax_error (p, at, "unbalanced ')'");
}

/* Reads commands up to the end of the text, or up to the ')' matching
 * @open when @to_paren. Returns after consuming that ')'. */
static gboolean
parse_list (Parser   *p,
            gboolean  to_paren,
            gsize     open)
{
  g_auto(List) l = { 0 };

  l.to_paren = to_paren;
  l.frames = g_array_new (FALSE, FALSE, sizeof (Frame));
  l.argv = g_ptr_array_new_with_free_func (g_free);
  l.assignments = g_ptr_array_new_with_free_func (g_free);
  l.state = STATE_START;
  l.program = -1;
  l.closed_first = G_MAXUINT;

  for (;;)
    {
      gboolean ok = TRUE;
      gsize at;
      char c;

      skip_blanks (p);
      at = here (p);
      c = peek (p);

      if (c == '\0')
        {
          if (to_paren)
            {
              if (!end_of_list (p, &l, at))
                return FALSE;
              return syntax_error (p, open, "unterminated '%.2s'", p->text + open);
            }
          return end_of_list (p, &l, at);
        }

      if (c == '#')
        {
          skip_comment (p);
          continue;
        }

      if (c == '\n')
        {
          end_command (p, &l);
          if (!l.need_command)
            {
              l.pipe_in = FALSE;
              l.after_command = FALSE;
            }
          if (!consume_newline (p))
            return FALSE;
          continue;
        }

      if (l.cmd == NULL && l.state == STATE_START && c != ';' && c != '&' && c != '|' && c != ')')
        {
          Frame *top = top_frame (&l);

          if (top != NULL && top->kind == FRAME_CASE && !top->in_body)
            {
              if (!parse_case_pattern (p, &l))
                return FALSE;
              continue;
            }
          if (!check_command_start (p, &l, c))
            return FALSE;
        }

      if (is_redirect_start (p))
        {
          if (!add_redirect (p, &l))
            return FALSE;
          continue;
        }

      switch (c)
        {
        case ';':
          if (peek_n (p, 1) == ';')
            ok = case_separator (p, &l, peek_n (p, 2) == '&' ? ";;&" : ";;");
          else if (peek_n (p, 1) == '&')
            ok = case_separator (p, &l, ";&");
          else
            ok = separator (p, &l, ";", FALSE, FALSE);
          break;

        case '&':
          if (peek_n (p, 1) == '&')
            ok = separator (p, &l, "&&", FALSE, TRUE);
          else
            ok = separator (p, &l, "&", FALSE, FALSE);
          break;

        case '|':
          if (peek_n (p, 1) == '|')
            ok = separator (p, &l, "||", FALSE, TRUE);
          else if (peek_n (p, 1) == '&')
            ok = separator (p, &l, "|&", TRUE, FALSE);
          else
            ok = separator (p, &l, "|", TRUE, FALSE);
          break;

        case ')':
          {
            gboolean finished = FALSE;

            if (!close_paren (p, &l, &finished))
              return FALSE;
            if (finished)
              return TRUE;
          }
          break;

        case '(':
          if (l.state == STATE_START && l.cmd == NULL)
            ok = parse_paren_command (p, &l);
          else
            ok = parse_function_parens (p, &l);
          break;

        default:
          {
            const char *keyword = NULL;

            if (l.state == STATE_DONE || (l.state == STATE_START && l.cmd == NULL))
              keyword = keyword_here (p);

            if (l.state == STATE_DONE)
              {
                if (keyword == NULL || !is_closing_keyword (keyword))
                  return syntax_error (p, at, "unexpected word after a compound command");
                end_command (p, &l);
              }

            if (keyword != NULL)
              ok = handle_keyword (p, &l, keyword);
            else
              ok = parse_word_token (p, &l);
          }
          break;
        }

      if (!ok)
        return FALSE;
    }
}

static gboolean
parse_nested_list (Parser   *p,
                   gboolean  to_paren,
                   gsize     open)
{
  GPtrArray *saved_heredocs = p->heredocs;
  PaddockShellCommand *saved_owner = p->owner;
  gboolean ok;

  /* Here-documents opened inside a substitution end inside it. */
  p->heredocs = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_heredoc_free);
  p->owner = NULL;

  ok = parse_list (p, to_paren, open);

  g_ptr_array_unref (p->heredocs);
  p->heredocs = saved_heredocs;
  p->owner = saved_owner;

  return ok;
}

GPtrArray *
paddock_shell_parse (const char  *script,
                     GError     **error)
{
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GArray) line_starts = NULL;
  g_autoptr(GPtrArray) inherit = NULL;
  Parser p = { 0 };
  gboolean ok;
  gsize start = 0;

  g_return_val_if_fail (script != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  commands = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_shell_command_free);
  line_starts = g_array_new (FALSE, FALSE, sizeof (gsize));
  inherit = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_shell_hazard_free);

  p.error = error;
  p.text = script;
  p.len = strlen (script);
  p.probe_budget = 16 * p.len + 65536;
  p.line_starts = line_starts;
  p.commands = commands;
  p.inherit = inherit;
  /* Replaced whenever its here-documents are read: owned by p. */
  p.heredocs = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_heredoc_free);

  g_array_append_val (line_starts, start);
  for (gsize i = 0; i < p.len; i++)
    if (script[i] == '\n')
      {
        start = i + 1;
        g_array_append_val (line_starts, start);
      }

  ok = parse_list (&p, FALSE, 0);
  g_ptr_array_unref (p.heredocs);
  if (!ok)
    return NULL;

  return g_steal_pointer (&commands);
}
