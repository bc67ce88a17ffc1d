/* test-shell.c: the static shell analyser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "paddock-errors.h"
#include "paddock-shell.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

static GPtrArray *
parse_ok (const char *script)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *commands = paddock_shell_parse (script, &error);

  g_assert_no_error (error);
  g_assert_nonnull (commands);

  return commands;
}

static PaddockShellCommand *
cmd (GPtrArray *commands,
     guint      i)
{
  g_assert_cmpuint (i, <, commands->len);
  return g_ptr_array_index (commands, i);
}

static PaddockShellRedir *
redir (PaddockShellCommand *command,
       guint                i)
{
  g_assert_cmpuint (i, <, command->redirs->len);
  return g_ptr_array_index (command->redirs, i);
}

#define ARGV(...) ((const char * const[]) { __VA_ARGS__, NULL })
#define NO_WORDS  ((const char * const[]) { NULL })

static void
assert_argv (PaddockShellCommand *command,
             const char * const  *expected)
{
  g_assert_cmpstrv (command->argv, expected);
}

static void
assert_position (PaddockShellCommand *command,
                 guint                line,
                 guint                column)
{
  g_assert_cmpuint (command->line, ==, line);
  g_assert_cmpuint (command->column, ==, column);
}

static guint
count_hazards (PaddockShellCommand *command,
               const char          *construct)
{
  guint n = 0;

  for (guint i = 0; i < command->hazards->len; i++)
    {
      PaddockShellHazard *hazard = g_ptr_array_index (command->hazards, i);

      if (construct == NULL || g_str_equal (hazard->construct, construct))
        n++;
    }

  return n;
}

static void
assert_hazard (PaddockShellCommand *command,
               const char          *construct,
               guint                line,
               guint                column)
{
  for (guint i = 0; i < command->hazards->len; i++)
    {
      PaddockShellHazard *hazard = g_ptr_array_index (command->hazards, i);

      if (g_str_equal (hazard->construct, construct) &&
          hazard->line == line && hazard->column == column)
        return;
    }

  g_error ("no hazard \"%s\" at %u:%u on the command at %u:%u (it has %u hazards)",
           construct, line, column, command->line, command->column,
           command->hazards->len);
}

static guint
total_hazards (GPtrArray *commands)
{
  guint n = 0;

  for (guint i = 0; i < commands->len; i++)
    n += cmd (commands, i)->hazards->len;

  return n;
}

static void
assert_syntax_error (const char *script,
                     const char *position)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) commands = paddock_shell_parse (script, &error);

  g_assert_null (commands);
  g_assert_error (error, PADDOCK_SHELL_ERROR, PADDOCK_SHELL_ERROR_SYNTAX);
  if (!g_str_has_prefix (error->message, position))
    g_error ("expected \"%s\" at the start of \"%s\"", position, error->message);
}

/* ------------------------------------------------------------------ */
/* Splitting                                                          */
/* ------------------------------------------------------------------ */

static void
test_split_and_or (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("make && make install || echo failed");

  g_assert_cmpuint (commands->len, ==, 3);
  assert_argv (cmd (commands, 0), ARGV ("make"));
  assert_argv (cmd (commands, 1), ARGV ("make", "install"));
  assert_argv (cmd (commands, 2), ARGV ("echo", "failed"));
  assert_position (cmd (commands, 1), 1, 9);
  assert_position (cmd (commands, 2), 1, 25);
  for (guint i = 0; i < 3; i++)
    g_assert_false (cmd (commands, i)->stdin_pipe);
  g_assert_cmpuint (total_hazards (commands), ==, 0);
}

static void
test_split_semicolon_background (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("a;b & c;d&");

  g_assert_cmpuint (commands->len, ==, 4);
  assert_argv (cmd (commands, 0), ARGV ("a"));
  assert_argv (cmd (commands, 1), ARGV ("b"));
  assert_argv (cmd (commands, 2), ARGV ("c"));
  assert_argv (cmd (commands, 3), ARGV ("d"));
  assert_position (cmd (commands, 3), 1, 9);
}

static void
test_split_newline (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("ls\n\n  pwd -P\nwhoami\n");

  g_assert_cmpuint (commands->len, ==, 3);
  assert_argv (cmd (commands, 0), ARGV ("ls"));
  assert_argv (cmd (commands, 1), ARGV ("pwd", "-P"));
  assert_argv (cmd (commands, 2), ARGV ("whoami"));
  assert_position (cmd (commands, 1), 3, 3);
  assert_position (cmd (commands, 2), 4, 1);
}

static void
test_split_pipe (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("cat f | grep x |& sort; wc");

  g_assert_cmpuint (commands->len, ==, 4);
  assert_argv (cmd (commands, 0), ARGV ("cat", "f"));
  assert_argv (cmd (commands, 1), ARGV ("grep", "x"));
  assert_argv (cmd (commands, 2), ARGV ("sort"));
  assert_argv (cmd (commands, 3), ARGV ("wc"));
  g_assert_false (cmd (commands, 0)->stdin_pipe);
  g_assert_true (cmd (commands, 1)->stdin_pipe);
  g_assert_true (cmd (commands, 2)->stdin_pipe);
  g_assert_false (cmd (commands, 3)->stdin_pipe);
}

static void
test_split_continued_operator (void)
{
  /* A newline after | && || continues the pipeline or list. */
  g_autoptr(GPtrArray) commands = parse_ok ("ls |\n  grep x &&\n  echo ok");

  g_assert_cmpuint (commands->len, ==, 3);
  assert_argv (cmd (commands, 1), ARGV ("grep", "x"));
  g_assert_true (cmd (commands, 1)->stdin_pipe);
  assert_position (cmd (commands, 2), 3, 3);
  g_assert_false (cmd (commands, 2)->stdin_pipe);
}

static void
test_split_operators_without_blanks (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("a&&b||c|d>e");

  g_assert_cmpuint (commands->len, ==, 4);
  assert_argv (cmd (commands, 2), ARGV ("c"));
  assert_argv (cmd (commands, 3), ARGV ("d"));
  g_assert_cmpstr (redir (cmd (commands, 3), 0)->target, ==, "e");
}

/* ------------------------------------------------------------------ */
/* Quote removal                                                      */
/* ------------------------------------------------------------------ */

static void
test_quote_obfuscated_rm (void)
{
  const char *scripts[] = { "r''m -rf x", "\\rm -rf x", "\"r\"m -rf x", "$'\\x72m' -rf x",
                            "$'\\162'm -rf x", "r\"\"m -rf x", "'rm' -rf x" };

  for (guint i = 0; i < G_N_ELEMENTS (scripts); i++)
    {
      g_autoptr(GPtrArray) commands = parse_ok (scripts[i]);

      g_assert_cmpuint (commands->len, ==, 1);
      assert_argv (cmd (commands, 0), ARGV ("rm", "-rf", "x"));
      g_assert_cmpuint (total_hazards (commands), ==, 0);
    }
}

static void
test_quote_single (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("echo 'a b' 'x\"y\\z' '$(id)' '' end");

  assert_argv (cmd (commands, 0), ARGV ("echo", "a b", "x\"y\\z", "$(id)", "", "end"));
  /* Single quotes make a substitution plain text. */
  g_assert_cmpuint (commands->len, ==, 1);
  g_assert_cmpuint (total_hazards (commands), ==, 0);
}

static void
test_quote_double (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("echo \"$x\" \"a \\\"b\\\" \\$c \\\\ \\n\" \"${y}z\"");

  g_assert_cmpuint (commands->len, ==, 1);
  assert_argv (cmd (commands, 0), ARGV ("echo", "$x", "a \"b\" $c \\ \\n", "${y}z"));
  g_assert_cmpuint (total_hazards (commands), ==, 0);
}

static void
test_quote_adjacent (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("echo a'b c'\"d\"e\\ f");

  assert_argv (cmd (commands, 0), ARGV ("echo", "ab cde f"));
}

static void
test_quote_ansi_c (void)
{
  g_autoptr(GPtrArray) commands =
    parse_ok ("printf $'a\\tb\\n' $'\\x41\\102\\u00e9\\U0001F600' $'\\'q\\'' $'\\e\\cA' $'\\z' $'x\\0y'z");

  assert_argv (cmd (commands, 0),
               ARGV ("printf", "a\tb\n", "AB\xc3\xa9\xf0\x9f\x98\x80", "'q'", "\x1b\x01", "\\z", "xz"));
}

static void
test_quote_ansi_c_end (void)
{
  /* Bash ends $'...' at the first quote not preceded by a backslash;
   * "\c" must not swallow it and hide the next command. */
  g_autoptr(GPtrArray) commands = parse_ok ("echo $'a\\c' ; rm -rf / # '");

  g_assert_cmpuint (commands->len, ==, 2);
  assert_argv (cmd (commands, 0), ARGV ("echo", "a\\c"));
  assert_argv (cmd (commands, 1), ARGV ("rm", "-rf", "/"));
  assert_position (cmd (commands, 1), 1, 15);
}

static void
test_quote_locale (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("echo $\"hello $USER\"");

  assert_argv (cmd (commands, 0), ARGV ("echo", "hello $USER"));
}

static void
test_quote_continuation (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("ec\\\nho a\\\nb \\\n  c; ls\\\n -l");

  g_assert_cmpuint (commands->len, ==, 2);
  assert_argv (cmd (commands, 0), ARGV ("echo", "ab", "c"));
  assert_argv (cmd (commands, 1), ARGV ("ls", "-l"));
  assert_position (cmd (commands, 1), 4, 6);
}

static void
test_quote_continuation_hides_nothing (void)
{
  /* "$\<newline>(" is still "$(" to bash. */
  g_autoptr(GPtrArray) commands = parse_ok ("echo $\\\n(id)");

  g_assert_cmpuint (commands->len, ==, 2);
  assert_hazard (cmd (commands, 0), "command substitution", 1, 6);
  assert_argv (cmd (commands, 1), ARGV ("id"));
}

static void
test_quote_utf8 (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("echo \"héllo\" wörld; ls");

  assert_argv (cmd (commands, 0), ARGV ("echo", "héllo", "wörld"));
  /* Columns count bytes. */
  assert_position (cmd (commands, 1), 1, 23);
}

static void
test_quote_expansions_kept (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("cp $HOME/x ~/y ${A:-b} *.c");

  assert_argv (cmd (commands, 0), ARGV ("cp", "$HOME/x", "~/y", "${A:-b}", "*.c"));
  g_assert_cmpuint (total_hazards (commands), ==, 0);
}

/* ------------------------------------------------------------------ */
/* Comments and assignments                                           */
/* ------------------------------------------------------------------ */

static void
test_comment (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("# $(rm -rf /)\nls a#b # c $(id)\n  # x\npwd");

  g_assert_cmpuint (commands->len, ==, 2);
  assert_argv (cmd (commands, 0), ARGV ("ls", "a#b"));
  assert_argv (cmd (commands, 1), ARGV ("pwd"));
  assert_position (cmd (commands, 1), 4, 1);
  g_assert_cmpuint (total_hazards (commands), ==, 0);
}

static void
test_assign_leading (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("A=1 B=\"x y\" C+=z make -j4; D=2");

  g_assert_cmpuint (commands->len, ==, 2);
  assert_argv (cmd (commands, 0), ARGV ("make", "-j4"));
  g_assert_cmpstrv (cmd (commands, 0)->assignments, ARGV ("A=1", "B=x y", "C+=z"));
  assert_argv (cmd (commands, 1), NO_WORDS);
  g_assert_cmpstrv (cmd (commands, 1)->assignments, ARGV ("D=2"));
  g_assert_cmpuint (total_hazards (commands), ==, 0);
}

static void
test_assign_after_program (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("export EDITOR=vim; env X=1 ls; 'A'=1 x; A\\=1");

  assert_argv (cmd (commands, 0), ARGV ("export", "EDITOR=vim"));
  g_assert_cmpstrv (cmd (commands, 0)->assignments, NO_WORDS);
  assert_argv (cmd (commands, 1), ARGV ("env", "X=1", "ls"));
  /* A quoted name or '=' is not an assignment. */
  assert_argv (cmd (commands, 2), ARGV ("A=1", "x"));
  assert_argv (cmd (commands, 3), ARGV ("A=1"));
  g_assert_cmpuint (total_hazards (commands), ==, 0);
}

static void
test_assign_array (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("a[$i]=1 b=(x 'y z') ls");
  g_autoptr(GPtrArray) control = parse_ok ("a=1 b=2 ls");

  g_assert_cmpuint (commands->len, ==, 1);
  assert_argv (cmd (commands, 0), ARGV ("ls"));
  g_assert_cmpstrv (cmd (commands, 0)->assignments, ARGV ("a[$i]=1", "b=(x y z)"));
  assert_hazard (cmd (commands, 0), "array assignment", 1, 1);
  assert_hazard (cmd (commands, 0), "array assignment", 1, 9);
  g_assert_cmpuint (total_hazards (control), ==, 0);
}

static void
test_assign_special_variable (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("PATH=/tmp/evil ls; export PS4='$(id)'");
  g_autoptr(GPtrArray) control = parse_ok ("LANG=C ls; export CC=gcc");

  assert_hazard (cmd (commands, 0), "special variable assignment", 1, 1);
  assert_hazard (cmd (commands, 1), "special variable assignment", 1, 27);
  g_assert_cmpuint (total_hazards (control), ==, 0);
}

/* ------------------------------------------------------------------ */
/* Redirections                                                       */
/* ------------------------------------------------------------------ */

static void
assert_redir (PaddockShellRedir *r,
              PaddockRedirKind   kind,
              int                fd,
              const char        *target,
              guint              column)
{
  g_assert_cmpint (r->kind, ==, kind);
  g_assert_cmpint (r->fd, ==, fd);
  g_assert_cmpstr (r->target, ==, target);
  g_assert_cmpuint (r->line, ==, 1);
  g_assert_cmpuint (r->column, ==, column);
}

static void
test_redir_files (void)
{
  g_autoptr(GPtrArray) commands =
    parse_ok ("cmd <in >out 2>err >>log 3>>l3 >|clob <>rw 4<>rw4 &>both &>>both2");
  PaddockShellCommand *c = cmd (commands, 0);

  g_assert_cmpuint (commands->len, ==, 1);
  assert_argv (c, ARGV ("cmd"));
  g_assert_cmpuint (c->redirs->len, ==, 10);
  assert_redir (redir (c, 0), PADDOCK_REDIR_READ, 0, "in", 5);
  assert_redir (redir (c, 1), PADDOCK_REDIR_WRITE, 1, "out", 9);
  assert_redir (redir (c, 2), PADDOCK_REDIR_WRITE, 2, "err", 14);
  assert_redir (redir (c, 3), PADDOCK_REDIR_APPEND, 1, "log", 20);
  assert_redir (redir (c, 4), PADDOCK_REDIR_APPEND, 3, "l3", 26);
  assert_redir (redir (c, 5), PADDOCK_REDIR_WRITE, 1, "clob", 32);
  assert_redir (redir (c, 6), PADDOCK_REDIR_READ_WRITE, 0, "rw", 39);
  assert_redir (redir (c, 7), PADDOCK_REDIR_READ_WRITE, 4, "rw4", 44);
  assert_redir (redir (c, 8), PADDOCK_REDIR_WRITE, -1, "both", 51);
  assert_redir (redir (c, 9), PADDOCK_REDIR_APPEND, -1, "both2", 58);
  g_assert_false (c->stdin_pipe);
  g_assert_cmpuint (total_hazards (commands), ==, 0);
}

static void
test_redir_dup (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("cmd 2>&1 >&2 <&3 3>&- 4<&5- >& file 2>&\"log\"");
  PaddockShellCommand *c = cmd (commands, 0);

  g_assert_cmpuint (c->redirs->len, ==, 7);
  assert_redir (redir (c, 0), PADDOCK_REDIR_DUP, 2, "1", 5);
  assert_redir (redir (c, 1), PADDOCK_REDIR_DUP, 1, "2", 10);
  assert_redir (redir (c, 2), PADDOCK_REDIR_DUP, 0, "3", 14);
  assert_redir (redir (c, 3), PADDOCK_REDIR_DUP, 3, "-", 18);
  assert_redir (redir (c, 4), PADDOCK_REDIR_DUP, 4, "5-", 23);
  /* >& FILE sends stdout and stderr to the file. */
  assert_redir (redir (c, 5), PADDOCK_REDIR_WRITE, -1, "file", 29);
  assert_redir (redir (c, 6), PADDOCK_REDIR_WRITE, 2, "log", 37);
}

static void
test_redir_anywhere (void)
{
  g_autoptr(GPtrArray) commands = parse_ok (">out echo a 2>/dev/null b <'in file'");
  PaddockShellCommand *c = cmd (commands, 0);

  assert_argv (c, ARGV ("echo", "a", "b"));
  assert_position (c, 1, 1);
  g_assert_cmpuint (c->redirs->len, ==, 3);
  assert_redir (redir (c, 0), PADDOCK_REDIR_WRITE, 1, "out", 1);
  assert_redir (redir (c, 1), PADDOCK_REDIR_WRITE, 2, "/dev/null", 13);
  assert_redir (redir (c, 2), PADDOCK_REDIR_READ, 0, "in file", 27);
}

static void
test_redir_only (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("> empty; exec 3>log 2>&1");

  g_assert_cmpuint (commands->len, ==, 2);
  assert_argv (cmd (commands, 0), NO_WORDS);
  assert_redir (redir (cmd (commands, 0), 0), PADDOCK_REDIR_WRITE, 1, "empty", 1);
  /* exec with only redirections changes descriptors, nothing more. */
  assert_argv (cmd (commands, 1), ARGV ("exec"));
  g_assert_cmpuint (cmd (commands, 1)->redirs->len, ==, 2);
  g_assert_cmpuint (total_hazards (commands), ==, 0);
}

static void
test_redir_herestring (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("grep x <<< \"a b\"; grep y <<<$z");

  assert_argv (cmd (commands, 0), ARGV ("grep", "x"));
  assert_redir (redir (cmd (commands, 0), 0), PADDOCK_REDIR_HERESTRING, 0, "a b", 8);
  g_assert_true (cmd (commands, 0)->stdin_pipe);
  g_assert_cmpstr (redir (cmd (commands, 1), 0)->target, ==, "$z");
  g_assert_true (cmd (commands, 1)->stdin_pipe);
  g_assert_cmpuint (total_hazards (commands), ==, 0);
}

/* ------------------------------------------------------------------ */
/* Here-documents                                                     */
/* ------------------------------------------------------------------ */

static void
test_heredoc_unquoted (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("cat <<EOF > out\nhello $USER \\$x\nrm -rf /\nEOF\necho done");
  PaddockShellCommand *c = cmd (commands, 0);

  /* The body is input, never commands. */
  g_assert_cmpuint (commands->len, ==, 2);
  assert_argv (c, ARGV ("cat"));
  g_assert_true (c->stdin_pipe);
  g_assert_cmpuint (c->redirs->len, ==, 2);
  assert_redir (redir (c, 0), PADDOCK_REDIR_HEREDOC, 0, "hello $USER $x\nrm -rf /\n", 5);
  assert_redir (redir (c, 1), PADDOCK_REDIR_WRITE, 1, "out", 11);
  assert_argv (cmd (commands, 1), ARGV ("echo", "done"));
  assert_position (cmd (commands, 1), 5, 1);
  g_assert_cmpuint (total_hazards (commands), ==, 0);
}

static void
test_heredoc_quoted (void)
{
  const char *scripts[] = {
    "sh <<'EOF'\n$(id) `id` \\$x\nEOF\nls",
    "sh <<\"EOF\"\n$(id) `id` \\$x\nEOF\nls",
    "sh <<\\EOF\n$(id) `id` \\$x\nEOF\nls",
    "sh <<E\"O\"F\n$(id) `id` \\$x\nEOF\nls",
  };

  for (guint i = 0; i < G_N_ELEMENTS (scripts); i++)
    {
      g_autoptr(GPtrArray) commands = parse_ok (scripts[i]);

      g_assert_cmpuint (commands->len, ==, 2);
      assert_argv (cmd (commands, 0), ARGV ("sh"));
      assert_redir (redir (cmd (commands, 0), 0), PADDOCK_REDIR_HEREDOC, 0, "$(id) `id` \\$x\n", 4);
      assert_argv (cmd (commands, 1), ARGV ("ls"));
      /* Nothing in a quoted body is expanded. */
      g_assert_cmpuint (total_hazards (commands), ==, 0);
    }
}

static void
test_heredoc_substitution (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("cat <<EOF\nuser: $(whoami)\nhost: `hostname`\nEOF");
  PaddockShellCommand *c = cmd (commands, 0);

  g_assert_cmpuint (commands->len, ==, 3);
  assert_hazard (c, "command substitution", 2, 7);
  assert_hazard (c, "command substitution", 3, 7);
  assert_argv (cmd (commands, 1), ARGV ("whoami"));
  assert_position (cmd (commands, 1), 2, 9);
  assert_argv (cmd (commands, 2), ARGV ("hostname"));
  assert_position (cmd (commands, 2), 3, 8);
}

static void
test_heredoc_strip_tabs (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("cat <<-END\n\t\tindented\n\tEND\nls");

  g_assert_cmpuint (commands->len, ==, 2);
  g_assert_cmpstr (redir (cmd (commands, 0), 0)->target, ==, "indented\n");
  assert_argv (cmd (commands, 1), ARGV ("ls"));
}

static void
test_heredoc_two_on_a_line (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("cat <<A; cat <<'B' | wc\none\nA\ntwo $(x)\nB\nls");

  g_assert_cmpuint (commands->len, ==, 4);
  g_assert_cmpstr (redir (cmd (commands, 0), 0)->target, ==, "one\n");
  g_assert_cmpstr (redir (cmd (commands, 1), 0)->target, ==, "two $(x)\n");
  assert_redir (redir (cmd (commands, 1), 0), PADDOCK_REDIR_HEREDOC, 0, "two $(x)\n", 14);
  assert_argv (cmd (commands, 2), ARGV ("wc"));
  g_assert_true (cmd (commands, 2)->stdin_pipe);
  assert_argv (cmd (commands, 3), ARGV ("ls"));
  assert_position (cmd (commands, 3), 6, 1);
  g_assert_cmpuint (total_hazards (commands), ==, 0);
}

static void
test_heredoc_in_substitution (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("x=$(cat <<EOF\na ) b\nEOF\n)\necho $x");

  g_assert_cmpuint (commands->len, ==, 3);
  g_assert_cmpstrv (cmd (commands, 0)->assignments, ARGV ("x=$(cat <<EOF\na ) b\nEOF\n)"));
  assert_argv (cmd (commands, 1), ARGV ("cat"));
  g_assert_cmpstr (redir (cmd (commands, 1), 0)->target, ==, "a ) b\n");
  assert_argv (cmd (commands, 2), ARGV ("echo", "$x"));
  assert_position (cmd (commands, 2), 5, 1);
}

static void
test_heredoc_delimiter_not_expanded (void)
{
  /* The delimiter is never expanded: no substitution runs. */
  g_autoptr(GPtrArray) commands = parse_ok ("cat <<$(id)\nbody\n$(id)\nls");

  g_assert_cmpuint (commands->len, ==, 2);
  g_assert_cmpstr (redir (cmd (commands, 0), 0)->target, ==, "body\n");
  assert_argv (cmd (commands, 1), ARGV ("ls"));
  g_assert_cmpuint (total_hazards (commands), ==, 0);
}

/* ------------------------------------------------------------------ */
/* stdin                                                              */
/* ------------------------------------------------------------------ */

static void
test_stdin_compound (void)
{
  g_autoptr(GPtrArray) commands =
    parse_ok ("find . | while read f; do rm \"$f\"; done; { a; b; } <<<x; c");

  g_assert_cmpuint (commands->len, ==, 7);
  assert_argv (cmd (commands, 1), ARGV ("read", "f"));
  g_assert_true (cmd (commands, 1)->stdin_pipe);
  assert_argv (cmd (commands, 2), ARGV ("rm", "$f"));
  g_assert_true (cmd (commands, 2)->stdin_pipe);
  /* Input given to a group feeds every command in it. */
  assert_argv (cmd (commands, 3), ARGV ("a"));
  g_assert_true (cmd (commands, 3)->stdin_pipe);
  assert_argv (cmd (commands, 4), ARGV ("b"));
  g_assert_true (cmd (commands, 4)->stdin_pipe);
  assert_argv (cmd (commands, 5), NO_WORDS);
  g_assert_cmpint (redir (cmd (commands, 5), 0)->kind, ==, PADDOCK_REDIR_HERESTRING);
  assert_argv (cmd (commands, 6), ARGV ("c"));
  g_assert_false (cmd (commands, 6)->stdin_pipe);
}

/* ------------------------------------------------------------------ */
/* Hazards                                                            */
/* ------------------------------------------------------------------ */

static void
test_hazard_command_substitution (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("echo \"today: $(date +%F)\" >$(mktemp)");
  g_autoptr(GPtrArray) control = parse_ok ("echo \"today: date +%F\" > out");

  g_assert_cmpuint (commands->len, ==, 3);
  assert_argv (cmd (commands, 0), ARGV ("echo", "today: $(date +%F)"));
  assert_hazard (cmd (commands, 0), "command substitution", 1, 14);
  assert_hazard (cmd (commands, 0), "command substitution", 1, 28);
  assert_hazard (cmd (commands, 0), "expansion in redirection target", 1, 28);
  assert_argv (cmd (commands, 1), ARGV ("date", "+%F"));
  assert_position (cmd (commands, 1), 1, 16);
  assert_hazard (cmd (commands, 1), "command substitution", 1, 14);
  assert_argv (cmd (commands, 2), ARGV ("mktemp"));

  g_assert_cmpuint (control->len, ==, 1);
  g_assert_cmpuint (total_hazards (control), ==, 0);
}

static void
test_hazard_backtick (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("x=`id -u`\necho \"`echo \\\"q\\\"`\"");

  g_assert_cmpuint (commands->len, ==, 4);
  g_assert_cmpstrv (cmd (commands, 0)->assignments, ARGV ("x=`id -u`"));
  assert_hazard (cmd (commands, 0), "command substitution", 1, 3);
  assert_argv (cmd (commands, 1), ARGV ("id", "-u"));
  assert_position (cmd (commands, 1), 1, 4);
  assert_hazard (cmd (commands, 2), "command substitution", 2, 7);
  assert_argv (cmd (commands, 3), ARGV ("echo", "q"));
  assert_position (cmd (commands, 3), 2, 8);
}

static void
test_hazard_nested_substitution (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("ls $(dirname $(which rm))");

  g_assert_cmpuint (commands->len, ==, 3);
  assert_argv (cmd (commands, 0), ARGV ("ls", "$(dirname $(which rm))"));
  assert_hazard (cmd (commands, 0), "command substitution", 1, 4);
  assert_argv (cmd (commands, 1), ARGV ("dirname", "$(which rm)"));
  assert_hazard (cmd (commands, 1), "command substitution", 1, 14);
  assert_argv (cmd (commands, 2), ARGV ("which", "rm"));
  assert_position (cmd (commands, 2), 1, 16);
  assert_hazard (cmd (commands, 2), "command substitution", 1, 14);
}

static void
test_hazard_nested_backticks (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("echo `echo \\`id\\``");

  g_assert_cmpuint (commands->len, ==, 3);
  assert_argv (cmd (commands, 1), ARGV ("echo", "`id`"));
  assert_hazard (cmd (commands, 1), "command substitution", 1, 13);
  assert_argv (cmd (commands, 2), ARGV ("id"));
  /* Positions map back through the removed backslashes. */
  assert_position (cmd (commands, 2), 1, 14);
}

static void
test_hazard_process_substitution (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("diff <(sort a) >(tee log)");
  g_autoptr(GPtrArray) control = parse_ok ("diff a b");

  g_assert_cmpuint (commands->len, ==, 3);
  assert_argv (cmd (commands, 0), ARGV ("diff", "<(sort a)", ">(tee log)"));
  assert_hazard (cmd (commands, 0), "process substitution", 1, 6);
  assert_hazard (cmd (commands, 0), "process substitution", 1, 16);
  assert_argv (cmd (commands, 1), ARGV ("sort", "a"));
  assert_hazard (cmd (commands, 1), "process substitution", 1, 6);
  assert_argv (cmd (commands, 2), ARGV ("tee", "log"));
  g_assert_cmpuint (total_hazards (control), ==, 0);
}

static void
test_hazard_arithmetic (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("echo $((a[1])) $(( $(id) + 1 ))\n(( x[2]++ ))");
  g_autoptr(GPtrArray) control = parse_ok ("echo $((i + 1)) $(( (2*3) ))\n(( i++ ))");

  assert_hazard (cmd (commands, 0), "arithmetic expansion", 1, 6);
  assert_hazard (cmd (commands, 0), "arithmetic expansion", 1, 16);
  assert_hazard (cmd (commands, 0), "command substitution", 1, 20);
  assert_argv (cmd (commands, 1), ARGV ("id"));
  assert_argv (cmd (commands, 2), ARGV ("((", " x[2]++ ", "))"));
  assert_hazard (cmd (commands, 2), "arithmetic expansion", 2, 1);

  g_assert_cmpuint (control->len, ==, 2);
  assert_argv (cmd (control, 0), ARGV ("echo", "$((i + 1))", "$(( (2*3) ))"));
  assert_argv (cmd (control, 1), ARGV ("((", " i++ ", "))"));
  g_assert_cmpuint (total_hazards (control), ==, 0);
}

static void
test_hazard_arithmetic_or_subshell (void)
{
  /* "$((" closed by ") )" is a substitution holding a subshell. */
  g_autoptr(GPtrArray) commands = parse_ok ("echo $((rm x) )");

  g_assert_cmpuint (commands->len, ==, 2);
  assert_hazard (cmd (commands, 0), "command substitution", 1, 6);
  assert_argv (cmd (commands, 1), ARGV ("rm", "x"));
}

static void
test_hazard_arithmetic_command_or_subshell (void)
{
  /* Bash matches the parentheses of "((" without knowing about case
   * patterns: this is two subshells, and echo runs. */
  g_autoptr(GPtrArray) commands = parse_ok ("((case x in x) echo RAN;; esac))");

  g_assert_cmpuint (commands->len, ==, 2);
  assert_hazard (cmd (commands, 0), "case statement", 1, 3);
  assert_argv (cmd (commands, 1), ARGV ("echo", "RAN"));
  assert_position (cmd (commands, 1), 1, 16);
}

static void
test_hazard_code_in_string (void)
{
  g_autoptr(GPtrArray) commands =
    parse_ok ("x='a[$(id)]'; (( x ))\nunset \"b[\\$(id)]\"; read y <<< 'c[`id`]'\ncat <<'E'\nd[$(id)]\nE");
  g_autoptr(GPtrArray) control = parse_ok ("x='a[1]'; (( x )); grep '[a-z]' f; echo '$(id)'");

  g_assert_cmpuint (commands->len, ==, 5);
  assert_hazard (cmd (commands, 0), "code in string", 1, 1);
  assert_argv (cmd (commands, 1), ARGV ("((", " x ", "))"));
  assert_argv (cmd (commands, 2), ARGV ("unset", "b[$(id)]"));
  assert_hazard (cmd (commands, 2), "code in string", 2, 7);
  assert_hazard (cmd (commands, 3), "code in string", 2, 31);
  assert_hazard (cmd (commands, 4), "code in string", 3, 5);
  g_assert_cmpuint (total_hazards (control), ==, 0);
}

static void
test_hazard_eval_source (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("eval \"$cmd\"; source ~/.env; X=1 . ./lib.sh; builtin eval x");
  g_autoptr(GPtrArray) control = parse_ok ("echo eval source .; evaluate x");

  g_assert_cmpuint (commands->len, ==, 4);
  assert_hazard (cmd (commands, 0), "eval", 1, 1);
  assert_hazard (cmd (commands, 1), "source", 1, 14);
  assert_argv (cmd (commands, 2), ARGV (".", "./lib.sh"));
  assert_hazard (cmd (commands, 2), "source", 1, 33);
  assert_hazard (cmd (commands, 3), "eval", 1, 53);
  g_assert_cmpuint (total_hazards (control), ==, 0);
}

static void
test_hazard_alias (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("alias ls='rm -rf'\nunalias ls");
  g_autoptr(GPtrArray) control = parse_ok ("ls -l");

  assert_argv (cmd (commands, 0), ARGV ("alias", "ls=rm -rf"));
  assert_hazard (cmd (commands, 0), "alias", 1, 1);
  assert_hazard (cmd (commands, 1), "alias", 2, 1);
  g_assert_cmpuint (total_hazards (control), ==, 0);
}

static void
test_hazard_variable_command (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("$EDITOR file; \"${tool}\" -x; /opt/$v/bin/x; command $c");
  g_autoptr(GPtrArray) control = parse_ok ("vim $EDITOR; /opt/bin/x \"${tool}\"");

  assert_hazard (cmd (commands, 0), "variable in command position", 1, 1);
  assert_argv (cmd (commands, 1), ARGV ("${tool}", "-x"));
  assert_hazard (cmd (commands, 1), "variable in command position", 1, 16);
  assert_hazard (cmd (commands, 2), "variable in command position", 1, 34);
  assert_hazard (cmd (commands, 3), "variable in command position", 1, 52);
  g_assert_cmpuint (total_hazards (control), ==, 0);
}

static void
test_hazard_glob_command (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("/usr/bin/py* x; ./[a-z]un; ?s");
  g_autoptr(GPtrArray) control = parse_ok ("[ -f x ] && ls *.c \"/bin/l?\"");

  assert_hazard (cmd (commands, 0), "glob in command position", 1, 12);
  assert_hazard (cmd (commands, 1), "glob in command position", 1, 19);
  assert_hazard (cmd (commands, 2), "glob in command position", 1, 28);
  assert_argv (cmd (control, 0), ARGV ("[", "-f", "x", "]"));
  g_assert_cmpuint (total_hazards (control), ==, 0);
}

static void
test_hazard_brace_expansion (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("{rm,-rf,/}; rm {-rf,/tmp}; echo x{1..3}");
  g_autoptr(GPtrArray) control = parse_ok ("find . -exec rm {} +; echo '{a,b}' \\{a,b\\} {x} ${a,b}");

  assert_argv (cmd (commands, 0), ARGV ("{rm,-rf,/}"));
  assert_hazard (cmd (commands, 0), "brace expansion in command position", 1, 1);
  assert_hazard (cmd (commands, 1), "brace expansion", 1, 16);
  assert_hazard (cmd (commands, 2), "brace expansion", 1, 34);
  g_assert_cmpuint (total_hazards (control), ==, 0);
}

static void
test_hazard_function_definition (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("ls() { rm -rf \"$@\"; }\nfunction g { id; }\nls");
  g_autoptr(GPtrArray) control = parse_ok ("ls -l; echo 'f() {' function");

  g_assert_cmpuint (commands->len, ==, 5);
  assert_argv (cmd (commands, 0), NO_WORDS);
  assert_hazard (cmd (commands, 0), "function definition", 1, 1);
  assert_argv (cmd (commands, 1), ARGV ("rm", "-rf", "$@"));
  assert_hazard (cmd (commands, 1), "function definition", 1, 1);
  assert_hazard (cmd (commands, 2), "function definition", 2, 1);
  assert_argv (cmd (commands, 3), ARGV ("id"));
  assert_hazard (cmd (commands, 3), "function definition", 2, 1);
  assert_argv (cmd (commands, 4), ARGV ("ls"));
  g_assert_cmpuint (cmd (commands, 4)->hazards->len, ==, 0);

  g_assert_cmpuint (control->len, ==, 2);
  assert_argv (cmd (control, 1), ARGV ("echo", "f() {", "function"));
  g_assert_cmpuint (total_hazards (control), ==, 0);
}

static void
test_hazard_redirection_target (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("echo x > $HOME/.bashrc; cat < *.txt; echo >\"$f\"");
  g_autoptr(GPtrArray) control = parse_ok ("echo x > ~/notes.txt; cat < 'a*.txt'");

  assert_hazard (cmd (commands, 0), "expansion in redirection target", 1, 10);
  g_assert_cmpstr (redir (cmd (commands, 0), 0)->target, ==, "$HOME/.bashrc");
  assert_hazard (cmd (commands, 1), "expansion in redirection target", 1, 31);
  assert_hazard (cmd (commands, 2), "expansion in redirection target", 1, 45);
  g_assert_cmpstr (redir (cmd (control, 1), 0)->target, ==, "a*.txt");
  g_assert_cmpuint (total_hazards (control), ==, 0);
}

static void
test_hazard_variable_fd (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("exec {fd}>log");
  g_autoptr(GPtrArray) control = parse_ok ("exec 3>log");

  assert_argv (cmd (commands, 0), ARGV ("exec"));
  assert_hazard (cmd (commands, 0), "variable file descriptor", 1, 6);
  g_assert_cmpint (redir (cmd (commands, 0), 0)->kind, ==, PADDOCK_REDIR_WRITE);
  g_assert_cmpstr (redir (cmd (commands, 0), 0)->target, ==, "log");
  g_assert_cmpuint (total_hazards (control), ==, 0);
}

static void
test_hazard_coproc (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("coproc nc -l 80; coproc W { cat; }; ls");

  g_assert_cmpuint (commands->len, ==, 3);
  assert_argv (cmd (commands, 0), ARGV ("nc", "-l", "80"));
  assert_hazard (cmd (commands, 0), "coproc", 1, 1);
  assert_argv (cmd (commands, 1), ARGV ("cat"));
  assert_hazard (cmd (commands, 1), "coproc", 1, 18);
  assert_argv (cmd (commands, 2), ARGV ("ls"));
  g_assert_cmpuint (cmd (commands, 2)->hazards->len, ==, 0);
}

static void
test_hazard_case (void)
{
  g_autoptr(GPtrArray) commands =
    parse_ok ("case \"$1\" in\n  start|run) ./app & ;;\n  (stop) kill $(cat pid);;\n  *) echo usage;;\nesac\nls");

  g_assert_cmpuint (commands->len, ==, 6);
  assert_argv (cmd (commands, 0), NO_WORDS);
  assert_hazard (cmd (commands, 0), "case statement", 1, 1);
  assert_argv (cmd (commands, 1), ARGV ("./app"));
  assert_hazard (cmd (commands, 1), "case statement", 1, 1);
  assert_argv (cmd (commands, 2), ARGV ("kill", "$(cat pid)"));
  assert_hazard (cmd (commands, 2), "command substitution", 3, 15);
  assert_hazard (cmd (commands, 2), "case statement", 1, 1);
  assert_argv (cmd (commands, 3), ARGV ("cat", "pid"));
  assert_argv (cmd (commands, 4), ARGV ("echo", "usage"));
  assert_position (cmd (commands, 4), 4, 6);
  assert_argv (cmd (commands, 5), ARGV ("ls"));
  g_assert_cmpuint (cmd (commands, 5)->hazards->len, ==, 0);
}

static void
test_hazard_case_fallthrough (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("case x in a) one;& b) two;;& c) three; esac");

  g_assert_cmpuint (commands->len, ==, 4);
  assert_argv (cmd (commands, 1), ARGV ("one"));
  assert_argv (cmd (commands, 2), ARGV ("two"));
  assert_argv (cmd (commands, 3), ARGV ("three"));
  assert_hazard (cmd (commands, 3), "case statement", 1, 1);
}

static void
test_hazard_arithmetic_for (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("for ((i = 0; i < 3; i++)); do echo $i; done");
  g_autoptr(GPtrArray) control = parse_ok ("for i in 0 1 2; do echo $i; done");

  g_assert_cmpuint (commands->len, ==, 2);
  assert_argv (cmd (commands, 0), NO_WORDS);
  assert_hazard (cmd (commands, 0), "arithmetic for loop", 1, 1);
  assert_argv (cmd (commands, 1), ARGV ("echo", "$i"));

  g_assert_cmpuint (control->len, ==, 1);
  assert_argv (cmd (control, 0), ARGV ("echo", "$i"));
  g_assert_cmpuint (total_hazards (control), ==, 0);
}

static void
test_hazard_trap (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("trap 'rm -rf ~' EXIT");
  g_autoptr(GPtrArray) control = parse_ok ("trap - EXIT; trap -l; trap '' INT");

  assert_hazard (cmd (commands, 0), "trap", 1, 1);
  g_assert_cmpuint (total_hazards (control), ==, 0);
}

static void
test_hazard_parameter_tricks (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("echo ${!ref} ${a[$i]} ${p@P}");
  g_autoptr(GPtrArray) control = parse_ok ("echo ${!pre*} ${!a[@]} ${a[@]} ${a[0]} ${#x} ${x:-d}");

  assert_hazard (cmd (commands, 0), "indirect expansion", 1, 6);
  assert_hazard (cmd (commands, 0), "array subscript", 1, 14);
  assert_hazard (cmd (commands, 0), "prompt expansion", 1, 23);
  g_assert_cmpuint (total_hazards (control), ==, 0);
}

static void
test_hazard_extended_glob (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("rm !(keep) @(a|$(id))");
  g_autoptr(GPtrArray) control = parse_ok ("rm keep [[ ]]; [[ $x == @(a|b) ]]");

  g_assert_cmpuint (commands->len, ==, 2);
  assert_argv (cmd (commands, 0), ARGV ("rm", "!(keep)", "@(a|$(id))"));
  assert_hazard (cmd (commands, 0), "extended glob", 1, 4);
  assert_hazard (cmd (commands, 0), "extended glob", 1, 12);
  assert_hazard (cmd (commands, 0), "command substitution", 1, 16);
  assert_argv (cmd (commands, 1), ARGV ("id"));
  g_assert_cmpuint (total_hazards (control), ==, 0);
}

static void
test_hazard_cond_arithmetic (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("[[ $n -gt a[$i] ]]");
  g_autoptr(GPtrArray) control = parse_ok ("[[ $n -gt 3 && $s =~ ^[a-z]+$ ]]");

  assert_hazard (cmd (commands, 0), "arithmetic expansion", 1, 11);
  assert_argv (cmd (control, 0), ARGV ("[[", "$n", "-gt", "3", "&&", "$s", "=~", "^[a-z]+$", "]]"));
  g_assert_cmpuint (total_hazards (control), ==, 0);
}

static void
test_hazard_not_inside_any_command (void)
{
  /* A hazard in a loop header has a command of its own. */
  g_autoptr(GPtrArray) commands = parse_ok ("for f in $(ls); do cat \"$f\"; done");

  g_assert_cmpuint (commands->len, ==, 3);
  assert_argv (cmd (commands, 0), NO_WORDS);
  assert_position (cmd (commands, 0), 1, 1);
  assert_hazard (cmd (commands, 0), "command substitution", 1, 10);
  assert_argv (cmd (commands, 1), ARGV ("ls"));
  assert_argv (cmd (commands, 2), ARGV ("cat", "$f"));
}

/* ------------------------------------------------------------------ */
/* Compound commands                                                  */
/* ------------------------------------------------------------------ */

static void
test_compound_subshell_group (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("(cd /tmp && rm -f x); { echo a; echo b; } > out");

  g_assert_cmpuint (commands->len, ==, 5);
  assert_argv (cmd (commands, 0), ARGV ("cd", "/tmp"));
  assert_position (cmd (commands, 0), 1, 2);
  assert_argv (cmd (commands, 1), ARGV ("rm", "-f", "x"));
  assert_argv (cmd (commands, 2), ARGV ("echo", "a"));
  assert_argv (cmd (commands, 3), ARGV ("echo", "b"));
  /* The group's redirection is reported on a command of its own. */
  assert_argv (cmd (commands, 4), NO_WORDS);
  assert_redir (redir (cmd (commands, 4), 0), PADDOCK_REDIR_WRITE, 1, "out", 43);
  g_assert_cmpuint (total_hazards (commands), ==, 0);
}

static void
test_compound_if (void)
{
  g_autoptr(GPtrArray) commands =
    parse_ok ("if test -f a; then\n  cat a\nelif ! grep -q x b; then :; else rm c; fi");

  g_assert_cmpuint (commands->len, ==, 5);
  assert_argv (cmd (commands, 0), ARGV ("test", "-f", "a"));
  assert_position (cmd (commands, 0), 1, 4);
  assert_argv (cmd (commands, 1), ARGV ("cat", "a"));
  assert_argv (cmd (commands, 2), ARGV ("grep", "-q", "x", "b"));
  assert_position (cmd (commands, 2), 3, 8);
  assert_argv (cmd (commands, 3), ARGV (":"));
  assert_argv (cmd (commands, 4), ARGV ("rm", "c"));
  g_assert_cmpuint (total_hazards (commands), ==, 0);
}

static void
test_compound_loops (void)
{
  g_autoptr(GPtrArray) commands =
    parse_ok ("while true; do sleep 1; done\nuntil false\ndo date\ndone\nfor x in a 'b c'; do echo $x; done\nselect s in y n; do break; done\nfor arg do echo; done");

  g_assert_cmpuint (commands->len, ==, 7);
  assert_argv (cmd (commands, 0), ARGV ("true"));
  assert_argv (cmd (commands, 1), ARGV ("sleep", "1"));
  assert_argv (cmd (commands, 2), ARGV ("false"));
  assert_argv (cmd (commands, 3), ARGV ("date"));
  assert_position (cmd (commands, 3), 3, 4);
  /* The for header is not a command. */
  assert_argv (cmd (commands, 4), ARGV ("echo", "$x"));
  assert_argv (cmd (commands, 5), ARGV ("break"));
  assert_argv (cmd (commands, 6), ARGV ("echo"));
  g_assert_cmpuint (total_hazards (commands), ==, 0);
}

static void
test_compound_reserved_words (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("time -p make; ! grep x f; time ls; echo if then fi");

  g_assert_cmpuint (commands->len, ==, 4);
  assert_argv (cmd (commands, 0), ARGV ("make"));
  assert_position (cmd (commands, 0), 1, 9);
  assert_argv (cmd (commands, 1), ARGV ("grep", "x", "f"));
  assert_argv (cmd (commands, 2), ARGV ("ls"));
  assert_argv (cmd (commands, 3), ARGV ("echo", "if", "then", "fi"));
}

static void
test_compound_cond (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("[[ -n $a && ( $b < c || $d =~ ^(x|y)$ ) ]] && echo ok");

  g_assert_cmpuint (commands->len, ==, 2);
  assert_argv (cmd (commands, 0),
               ARGV ("[[", "-n", "$a", "&&", "(", "$b", "<", "c", "||", "$d", "=~", "^(x|y)$", ")", "]]"));
  /* < inside [[ ]] compares strings: no redirection. */
  g_assert_cmpuint (cmd (commands, 0)->redirs->len, ==, 0);
  assert_argv (cmd (commands, 1), ARGV ("echo", "ok"));
}

static void
test_compound_nested (void)
{
  g_autoptr(GPtrArray) commands =
    parse_ok ("if [ -d x ]; then (cd x && { make || exit 1; }); fi | tee log");

  g_assert_cmpuint (commands->len, ==, 5);
  assert_argv (cmd (commands, 0), ARGV ("[", "-d", "x", "]"));
  assert_argv (cmd (commands, 1), ARGV ("cd", "x"));
  assert_argv (cmd (commands, 2), ARGV ("make"));
  assert_argv (cmd (commands, 3), ARGV ("exit", "1"));
  assert_argv (cmd (commands, 4), ARGV ("tee", "log"));
  g_assert_true (cmd (commands, 4)->stdin_pipe);
}

static void
test_compound_case_in_substitution (void)
{
  g_autoptr(GPtrArray) commands = parse_ok ("echo $(case $x in a) echo A;; b) echo B;; esac) done");

  g_assert_cmpuint (commands->len, ==, 4);
  assert_argv (cmd (commands, 0), ARGV ("echo", "$(case $x in a) echo A;; b) echo B;; esac)", "done"));
  assert_hazard (cmd (commands, 1), "case statement", 1, 8);
  assert_argv (cmd (commands, 2), ARGV ("echo", "A"));
  assert_argv (cmd (commands, 3), ARGV ("echo", "B"));
}

/* ------------------------------------------------------------------ */
/* Syntax errors                                                      */
/* ------------------------------------------------------------------ */

static void
test_error_unterminated (void)
{
  assert_syntax_error ("echo 'abc", "line 1, column 6:");
  assert_syntax_error ("echo ok\necho \"abc", "line 2, column 6:");
  assert_syntax_error ("echo `ls", "line 1, column 6:");
  assert_syntax_error ("echo $(ls", "line 1, column 6:");
  assert_syntax_error ("echo ${x:-a", "line 1, column 6:");
  assert_syntax_error ("echo $'abc", "line 1, column 6:");
  /* Inside $( ) a double quote opens a new string. */
  assert_syntax_error ("echo \"$(ls\"", "line 1, column 11:");
}

static void
test_error_heredoc (void)
{
  assert_syntax_error ("cat <<EOF\nbody\nEO", "line 1, column 5:");
  assert_syntax_error ("cat <<EOF", "line 1, column 5:");
  /* The delimiter must be alone on its line. */
  assert_syntax_error ("cat <<EOF\nbody\n EOF\n", "line 1, column 5:");
}

static void
test_error_parentheses (void)
{
  assert_syntax_error ("ls )", "line 1, column 4:");
  assert_syntax_error ("(ls; pwd", "line 1, column 1:");
  assert_syntax_error ("echo (x)", "line 1, column 6:");
}

static void
test_error_reserved_words (void)
{
  assert_syntax_error ("if true; then ls", "line 1, column 1:");
  assert_syntax_error ("ls; fi", "line 1, column 5:");
  assert_syntax_error ("while true; do ls; fi", "line 1, column 20:");
  assert_syntax_error ("{ ls }", "line 1, column 1:");
  assert_syntax_error ("case x in a) ls", "line 1, column 1:");
}

static void
test_error_operators (void)
{
  assert_syntax_error ("ls &&", "line 1, column 6:");
  assert_syntax_error ("| grep x", "line 1, column 1:");
  assert_syntax_error ("ls ;; pwd", "line 1, column 4:");
  assert_syntax_error ("cat >", "line 1, column 5:");
  assert_syntax_error ("cat > ; ls", "line 1, column 5:");
}

/* ------------------------------------------------------------------ */
/* Size and depth                                                     */
/* ------------------------------------------------------------------ */

static void
test_stress_long_script (void)
{
  g_autoptr(GString) script = g_string_new (NULL);
  g_autoptr(GPtrArray) commands = NULL;

  for (guint i = 0; i < 10000; i++)
    g_string_append_printf (script, "echo %u 'x' \"y\" >> log\n", i);

  commands = parse_ok (script->str);
  g_assert_cmpuint (commands->len, ==, 10000);
  assert_argv (cmd (commands, 9999), ARGV ("echo", "9999", "x", "y"));
  assert_position (cmd (commands, 9999), 10000, 1);
  g_assert_cmpstr (redir (cmd (commands, 9999), 0)->target, ==, "log");
  g_assert_cmpuint (total_hazards (commands), ==, 0);
}

static void
test_stress_deep_substitution (void)
{
  g_autoptr(GString) script = g_string_new ("echo ");
  g_autoptr(GPtrArray) commands = NULL;
  gboolean too_deep = FALSE;

  for (guint i = 0; i < 10000; i++)
    g_string_append (script, "$(");
  g_string_append (script, "ls");
  for (guint i = 0; i < 10000; i++)
    g_string_append_c (script, ')');

  commands = parse_ok (script->str);

  /* The outer levels are parsed, the rest skipped and reported. */
  g_assert_cmpuint (commands->len, >, 1);
  g_assert_cmpuint (commands->len, <, 20);
  assert_hazard (cmd (commands, 0), "command substitution", 1, 6);
  for (guint i = 0; i < commands->len; i++)
    too_deep |= count_hazards (cmd (commands, i), "nesting too deep") > 0;
  g_assert_true (too_deep);
}

static void
test_stress_deep_unterminated (void)
{
  g_autoptr(GString) script = g_string_new (NULL);

  for (guint i = 0; i < 10000; i++)
    g_string_append (script, "$(\"${x:-`");
  assert_syntax_error (script->str, "line 1, column ");
}

static void
test_stress_deep_compound (void)
{
  const char *openers[] = { "( ", "{ ", "if true; then ", "f() { ", "case x in x) " };
  const char *closers[] = { ") ", "; } ", "; fi ", "; } ", ";; esac " };

  for (guint k = 0; k < G_N_ELEMENTS (openers); k++)
    {
      g_autoptr(GString) script = g_string_new (NULL);
      g_autoptr(GPtrArray) commands = NULL;
      PaddockShellCommand *last;

      for (guint i = 0; i < 10000; i++)
        g_string_append (script, openers[k]);
      g_string_append (script, "ls");
      for (guint i = 0; i < 10000; i++)
        g_string_append (script, closers[k]);

      commands = parse_ok (script->str);
      last = cmd (commands, commands->len - 1);
      assert_argv (last, ARGV ("ls"));
      /* A command inherits each enclosing kind of hazard once. */
      g_assert_cmpuint (last->hazards->len, <=, 1);
    }
}

static void
test_stress_deep_parentheses (void)
{
  g_autoptr(GString) script = g_string_new (NULL);

  for (guint i = 0; i < 10000; i++)
    g_string_append (script, "((");
  assert_syntax_error (script->str, "line 1, column ");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/shell/split/and-or", test_split_and_or);
  g_test_add_func ("/shell/split/semicolon-background", test_split_semicolon_background);
  g_test_add_func ("/shell/split/newline", test_split_newline);
  g_test_add_func ("/shell/split/pipe", test_split_pipe);
  g_test_add_func ("/shell/split/continued-operator", test_split_continued_operator);
  g_test_add_func ("/shell/split/operators-without-blanks", test_split_operators_without_blanks);

  g_test_add_func ("/shell/quote/obfuscated-rm", test_quote_obfuscated_rm);
  g_test_add_func ("/shell/quote/single", test_quote_single);
  g_test_add_func ("/shell/quote/double", test_quote_double);
  g_test_add_func ("/shell/quote/adjacent", test_quote_adjacent);
  g_test_add_func ("/shell/quote/ansi-c", test_quote_ansi_c);
  g_test_add_func ("/shell/quote/ansi-c-end", test_quote_ansi_c_end);
  g_test_add_func ("/shell/quote/locale", test_quote_locale);
  g_test_add_func ("/shell/quote/continuation", test_quote_continuation);
  g_test_add_func ("/shell/quote/continuation-hides-nothing", test_quote_continuation_hides_nothing);
  g_test_add_func ("/shell/quote/utf8", test_quote_utf8);
  g_test_add_func ("/shell/quote/expansions-kept", test_quote_expansions_kept);

  g_test_add_func ("/shell/comment", test_comment);
  g_test_add_func ("/shell/assign/leading", test_assign_leading);
  g_test_add_func ("/shell/assign/after-program", test_assign_after_program);
  g_test_add_func ("/shell/assign/array", test_assign_array);
  g_test_add_func ("/shell/assign/special-variable", test_assign_special_variable);

  g_test_add_func ("/shell/redir/files", test_redir_files);
  g_test_add_func ("/shell/redir/dup", test_redir_dup);
  g_test_add_func ("/shell/redir/anywhere", test_redir_anywhere);
  g_test_add_func ("/shell/redir/only", test_redir_only);
  g_test_add_func ("/shell/redir/herestring", test_redir_herestring);

  g_test_add_func ("/shell/heredoc/unquoted", test_heredoc_unquoted);
  g_test_add_func ("/shell/heredoc/quoted", test_heredoc_quoted);
  g_test_add_func ("/shell/heredoc/substitution", test_heredoc_substitution);
  g_test_add_func ("/shell/heredoc/strip-tabs", test_heredoc_strip_tabs);
  g_test_add_func ("/shell/heredoc/two-on-a-line", test_heredoc_two_on_a_line);
  g_test_add_func ("/shell/heredoc/in-substitution", test_heredoc_in_substitution);
  g_test_add_func ("/shell/heredoc/delimiter-not-expanded", test_heredoc_delimiter_not_expanded);

  g_test_add_func ("/shell/stdin/compound", test_stdin_compound);

  g_test_add_func ("/shell/hazard/command-substitution", test_hazard_command_substitution);
  g_test_add_func ("/shell/hazard/backtick", test_hazard_backtick);
  g_test_add_func ("/shell/hazard/nested-substitution", test_hazard_nested_substitution);
  g_test_add_func ("/shell/hazard/nested-backticks", test_hazard_nested_backticks);
  g_test_add_func ("/shell/hazard/process-substitution", test_hazard_process_substitution);
  g_test_add_func ("/shell/hazard/arithmetic", test_hazard_arithmetic);
  g_test_add_func ("/shell/hazard/arithmetic-or-subshell", test_hazard_arithmetic_or_subshell);
  g_test_add_func ("/shell/hazard/arithmetic-command-or-subshell", test_hazard_arithmetic_command_or_subshell);
  g_test_add_func ("/shell/hazard/code-in-string", test_hazard_code_in_string);
  g_test_add_func ("/shell/hazard/eval-source", test_hazard_eval_source);
  g_test_add_func ("/shell/hazard/alias", test_hazard_alias);
  g_test_add_func ("/shell/hazard/variable-command", test_hazard_variable_command);
  g_test_add_func ("/shell/hazard/glob-command", test_hazard_glob_command);
  g_test_add_func ("/shell/hazard/brace-expansion", test_hazard_brace_expansion);
  g_test_add_func ("/shell/hazard/function-definition", test_hazard_function_definition);
  g_test_add_func ("/shell/hazard/redirection-target", test_hazard_redirection_target);
  g_test_add_func ("/shell/hazard/variable-fd", test_hazard_variable_fd);
  g_test_add_func ("/shell/hazard/coproc", test_hazard_coproc);
  g_test_add_func ("/shell/hazard/case", test_hazard_case);
  g_test_add_func ("/shell/hazard/case-fallthrough", test_hazard_case_fallthrough);
  g_test_add_func ("/shell/hazard/arithmetic-for", test_hazard_arithmetic_for);
  g_test_add_func ("/shell/hazard/trap", test_hazard_trap);
  g_test_add_func ("/shell/hazard/parameter-tricks", test_hazard_parameter_tricks);
  g_test_add_func ("/shell/hazard/extended-glob", test_hazard_extended_glob);
  g_test_add_func ("/shell/hazard/cond-arithmetic", test_hazard_cond_arithmetic);
  g_test_add_func ("/shell/hazard/not-inside-any-command", test_hazard_not_inside_any_command);

  g_test_add_func ("/shell/compound/subshell-group", test_compound_subshell_group);
  g_test_add_func ("/shell/compound/if", test_compound_if);
  g_test_add_func ("/shell/compound/loops", test_compound_loops);
  g_test_add_func ("/shell/compound/reserved-words", test_compound_reserved_words);
  g_test_add_func ("/shell/compound/cond", test_compound_cond);
  g_test_add_func ("/shell/compound/nested", test_compound_nested);
  g_test_add_func ("/shell/compound/case-in-substitution", test_compound_case_in_substitution);

  g_test_add_func ("/shell/error/unterminated", test_error_unterminated);
  g_test_add_func ("/shell/error/heredoc", test_error_heredoc);
  g_test_add_func ("/shell/error/parentheses", test_error_parentheses);
  g_test_add_func ("/shell/error/reserved-words", test_error_reserved_words);
  g_test_add_func ("/shell/error/operators", test_error_operators);

  g_test_add_func ("/shell/stress/long-script", test_stress_long_script);
  g_test_add_func ("/shell/stress/deep-substitution", test_stress_deep_substitution);
  g_test_add_func ("/shell/stress/deep-unterminated", test_stress_deep_unterminated);
  g_test_add_func ("/shell/stress/deep-compound", test_stress_deep_compound);
  g_test_add_func ("/shell/stress/deep-parentheses", test_stress_deep_parentheses);

  return g_test_run ();
}
