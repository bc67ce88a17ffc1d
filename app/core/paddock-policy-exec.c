/* paddock-policy-exec.c: what a command really runs and touches
 *
 * A command is judged as written, and so is everything inside it: the
 * simple commands of a `bash -c` script, the command behind a wrapper
 * such as sudo, env or xargs, and every file it redirects to or names
 * as a target. The strictest answer wins. What cannot be known without
 * running it is at least a prompt.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "paddock-path.h"
#include "paddock-policy-private.h"
#include "paddock-shell.h"

/* Shells, wrappers and nested scripts deeper than this are not unwrapped
 * further; the command is then asked about. */
#define MAX_DEPTH 8

/* Commands that run another command given in their arguments. */
static const char * const wrappers[] = {
  "env", "sudo", "doas", "nohup", "builtin", "timeout", "nice", "ionice", "stdbuf", "setsid",
  "time", "command", "exec", "xargs", NULL,
};

static const char * const shells[] = {
  "sh", "bash", "dash", "zsh", "ksh", "mksh", "lksh", "ash", "yash", "posh", NULL,
};

/* Shells whose syntax the analyser does not read. */
static const char * const foreign_shells[] = {
  "fish", "csh", "tcsh", "nu", "xonsh", "elvish", "pwsh", "rc", "es", NULL,
};

/* Variables that change which program runs or what it loads. */
static const char * const dangerous_variables[] = {
  "PATH", "BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS", "PROMPT_COMMAND", "PS4", "IFS",
  "CDPATH", "GLOBIGNORE", "ZDOTDIR", "HOME", "XDG_CONFIG_HOME", "TMPDIR",
  "GIT_SSH", "GIT_SSH_COMMAND", "GIT_EXEC_PATH", "GIT_ASKPASS", "GIT_EDITOR", "GIT_PAGER",
  "GIT_PROXY_COMMAND", "GIT_EXTERNAL_DIFF", "GIT_SEQUENCE_EDITOR", "GIT_TEMPLATE_DIR",
  "GIT_DIR", "GIT_WORK_TREE",
  "SSH_ASKPASS", "SUDO_ASKPASS", "EDITOR", "VISUAL", "PAGER", "MANPAGER", "LESSOPEN",
  "LESSCLOSE", "BROWSER",
  "PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME", "PYTHONUSERBASE", "PERL5LIB", "PERL5OPT",
  "PERLLIB", "RUBYOPT", "RUBYLIB", "NODE_OPTIONS", "NODE_PATH", "JAVA_TOOL_OPTIONS",
  "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "CLASSPATH", "DOTNET_STARTUP_HOOKS", "GCONV_PATH",
  "MAKEFLAGS", "CARGO_HOME", "RUSTC_WRAPPER", "GOFLAGS",
  NULL,
};

static const char * const dangerous_prefixes[] = {
  "LD_", "DYLD_", "GIT_CONFIG", "npm_config_", "NPM_CONFIG_", "BASH_FUNC_", "PIP_", NULL,
};

static gboolean
is_dangerous_variable (const char *name)
{
  if (g_strv_contains (dangerous_variables, name))
    return TRUE;
  for (guint i = 0; dangerous_prefixes[i] != NULL; i++)
    if (g_str_has_prefix (name, dangerous_prefixes[i]))
      return TRUE;
  return FALSE;
}

/* "NAME=value" → "NAME"; NULL when @word is no assignment. */
static char *
assignment_name (const char *word)
{
  const char *eq = strchr (word, '=');

  if (eq == NULL || eq == word)
    return NULL;
  for (const char *c = word; c < eq; c++)
    if (!g_ascii_isalnum (*c) && *c != '_' && !(*c == '+' && c + 1 == eq) && *c != '[' && *c != ']')
      return NULL;
  if (g_ascii_isdigit (*word))
    return NULL;
  return g_strndup (word, eq - word - (eq[-1] == '+'));
}

/* Floors are created on first use: most commands have none. */
static void
add_floor (GPtrArray     **floors,
           const char     *what,
           PaddockVerdict  verdict,
           const char     *format,
           ...) G_GNUC_PRINTF (4, 5);

static void
add_floor (GPtrArray     **floors,
           const char     *what,
           PaddockVerdict  verdict,
           const char     *format,
           ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  if (*floors == NULL)
    *floors = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_rule_unref);
  g_ptr_array_add (*floors, _paddock_policy_new_floor (what, reason, verdict));
}

static const char *
base_name (const char *program)
{
  const char *slash = strrchr (program, '/');
  return slash ? slash + 1 : program;
}

/* --- options ------------------------------------------------------- */

static gboolean
long_takes_value (const char         *arg,
                  const char * const *long_with_value)
{
  return long_with_value != NULL && strchr (arg, '=') == NULL &&
         g_strv_contains (long_with_value, arg);
}

/* Skips the options of a wrapper and returns the index of its first
 * operand. Short options listed in @short_with_value take a value,
 * attached or in the next word. */
static guint
skip_options (const char * const *argv,
              guint               i,
              const char         *short_with_value,
              const char * const *long_with_value)
{
  while (argv[i] != NULL)
    {
      const char *arg = argv[i];

      if (g_str_equal (arg, "--"))
        return i + 1;
      if (arg[0] != '-' || arg[1] == '\0')
        return i;

      if (arg[1] == '-')
        {
          i += long_takes_value (arg, long_with_value) ? 2 : 1;
          continue;
        }

      i++;
      for (const char *c = arg + 1; *c; c++)
        if (short_with_value != NULL && strchr (short_with_value, *c) != NULL)
          {
            if (c[1] == '\0' && argv[i] != NULL)
              i++;
            break;
          }
    }

  return i;
}

static gboolean
has_short_flag (const char * const *argv,
                guint               from,
                guint               to,
                char                flag,
                const char         *long_name)
{
  for (guint i = from; i < to && argv[i] != NULL; i++)
    {
      const char *arg = argv[i];

      if (long_name != NULL && g_str_equal (arg, long_name))
        return TRUE;
      if (arg[0] == '-' && arg[1] != '-' && strchr (arg + 1, flag) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* The value of option -X / --long / --long=value, wherever it is. */
static void
collect_option_values (const char * const *argv,
                       const char         *short_opts,
                       const char * const *long_opts,
                       GPtrArray          *out)
{
  for (guint i = 1; argv[i] != NULL; i++)
    {
      const char *arg = argv[i];

      if (g_str_equal (arg, "--"))
        return;
      if (arg[0] != '-' || arg[1] == '\0')
        continue;

      if (arg[1] == '-')
        {
          for (guint l = 0; long_opts != NULL && long_opts[l] != NULL; l++)
            {
              gsize len = strlen (long_opts[l]);

              if (strncmp (arg, long_opts[l], len) != 0)
                continue;
              if (arg[len] == '=')
                g_ptr_array_add (out, (gpointer) (arg + len + 1));
              else if (arg[len] == '\0' && argv[i + 1] != NULL)
                g_ptr_array_add (out, (gpointer) argv[i + 1]);
            }
          continue;
        }

      if (short_opts != NULL && arg[2] == '\0' && strchr (short_opts, arg[1]) && argv[i + 1] != NULL)
        g_ptr_array_add (out, (gpointer) argv[i + 1]);
      else if (short_opts != NULL && arg[2] != '\0' && strchr (short_opts, arg[1]))
        g_ptr_array_add (out, (gpointer) (arg + 2));
    }
}

/* Operands of a GNU-style command, whose options may follow operands. */
static void
collect_operands (const char * const *argv,
                  const char         *short_with_value,
                  const char * const *long_with_value,
                  GPtrArray          *out)
{
  gboolean options_done = FALSE;

  for (guint i = 1; argv[i] != NULL; i++)
    {
      const char *arg = argv[i];

      if (!options_done && g_str_equal (arg, "--"))
        {
          options_done = TRUE;
          continue;
        }
      if (options_done || arg[0] != '-' || arg[1] == '\0')
        {
          g_ptr_array_add (out, (gpointer) arg);
          continue;
        }
      if (arg[1] == '-')
        {
          if (long_takes_value (arg, long_with_value))
            i++;
          continue;
        }
      for (const char *c = arg + 1; *c; c++)
        if (short_with_value != NULL && strchr (short_with_value, *c) != NULL)
          {
            if (c[1] == '\0' && argv[i + 1] != NULL)
              i++;
            break;
          }
    }
}

/* --- file targets -------------------------------------------------- */

typedef enum
{
  TARGETS_ALL,         /* every operand is written */
  TARGETS_LAST,        /* the last operand (or -t DIR) is written */
  TARGETS_ALL_MOVE,    /* mv: sources vanish, the destination is written */
  TARGETS_AFTER_FIRST, /* chmod MODE FILE… */
} TargetKind;

typedef struct
{
  const char *program;
  TargetKind targets;
  const char *short_with_value;
  const char * const *long_with_value;
} Writer;

static const char * const no_long[] = { NULL };
static const char * const touch_long[] = { "--date", "--reference", NULL };
static const char * const mkdir_long[] = { "--mode", "--context", NULL };
static const char * const shred_long[] = { "--iterations", "--size", "--random-source", NULL };
static const char * const truncate_long[] = { "--size", "--reference", NULL };
static const char * const copy_long[] = { "--target-directory", "--suffix", NULL };
static const char * const install_long[] = { "--target-directory", "--suffix", "--mode", "--group", "--owner", NULL };
static const char * const chmod_long[] = { "--reference", NULL };

static const Writer writers[] = {
  { "tee", TARGETS_ALL, "", no_long },
  { "touch", TARGETS_ALL, "dtr", touch_long },
  { "mkdir", TARGETS_ALL, "mZ", mkdir_long },
  { "rmdir", TARGETS_ALL, "", no_long },
  { "rm", TARGETS_ALL, "", no_long },
  { "unlink", TARGETS_ALL, "", no_long },
  { "shred", TARGETS_ALL, "ns", shred_long },
  { "truncate", TARGETS_ALL, "sr", truncate_long },
  { "cp", TARGETS_LAST, "tS", copy_long },
  { "ln", TARGETS_LAST, "tS", copy_long },
  { "install", TARGETS_LAST, "tmgoS", install_long },
  { "mv", TARGETS_ALL_MOVE, "tS", copy_long },
  { "chmod", TARGETS_AFTER_FIRST, "", chmod_long },
  { "chown", TARGETS_AFTER_FIRST, "", chmod_long },
  { "chgrp", TARGETS_AFTER_FIRST, "", chmod_long },
};

static const Writer *
find_writer (const char *base)
{
  for (guint i = 0; i < G_N_ELEMENTS (writers); i++)
    if (g_str_equal (writers[i].program, base))
      return &writers[i];
  return NULL;
}

typedef enum
{
  PROGRAM_SHELL         = 1 << 0,
  PROGRAM_FOREIGN_SHELL = 1 << 1,
  PROGRAM_WRAPPER       = 1 << 2,
  PROGRAM_DECLARES      = 1 << 3, /* export and its kin */
  PROGRAM_WRITES        = 1 << 4, /* collect_write_targets() knows its files */
  PROGRAM_CD            = 1 << 5,
  PROGRAM_FIND          = 1 << 6,
  PROGRAM_GIT           = 1 << 7,
} ProgramClass;

/* One hash lookup tells what a program needs beyond rule matching; the
 * common command needs nothing more. */
static ProgramClass
classify (const char *base)
{
  static GHashTable *table;

  if (g_once_init_enter (&table))
    {
      GHashTable *t = g_hash_table_new (g_str_hash, g_str_equal);
      static const char * const declares[] = { "export", "declare", "typeset", "local", "readonly", NULL };
      static const char * const other_writers[] = { "sed", "dd", "curl", "wget", NULL };
      static const char * const cds[] = { "cd", "pushd", NULL };
      const struct { const char * const *names; ProgramClass class; } groups[] = {
        { shells, PROGRAM_SHELL },
        { foreign_shells, PROGRAM_FOREIGN_SHELL },
        { wrappers, PROGRAM_WRAPPER },
        { declares, PROGRAM_DECLARES },
        { other_writers, PROGRAM_WRITES },
        { cds, PROGRAM_CD },
      };

      for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
        for (guint i = 0; groups[g].names[i] != NULL; i++)
          {
            guint class = GPOINTER_TO_UINT (g_hash_table_lookup (t, groups[g].names[i]));
            g_hash_table_insert (t, (gpointer) groups[g].names[i], GUINT_TO_POINTER (class | groups[g].class));
          }
      for (guint i = 0; i < G_N_ELEMENTS (writers); i++)
        {
          guint class = GPOINTER_TO_UINT (g_hash_table_lookup (t, writers[i].program));
          g_hash_table_insert (t, (gpointer) writers[i].program, GUINT_TO_POINTER (class | PROGRAM_WRITES));
        }
      g_hash_table_insert (t, (gpointer) "find", GUINT_TO_POINTER (PROGRAM_FIND));
      g_hash_table_insert (t, (gpointer) "git", GUINT_TO_POINTER (PROGRAM_GIT));

      g_once_init_leave (&table, t);
    }

  return GPOINTER_TO_UINT (g_hash_table_lookup (table, base));
}

static gboolean
has_glob (const char *text)
{
  return strpbrk (text, "*?[") != NULL;
}

static void
judge_write (Evaluation *ev,
             guint       command,
             const char *path)
{
  _paddock_policy_judge_path (ev, command, PADDOCK_ACTION_WRITE, path, FALSE);
}

/* The files a command writes, found from its operands and options. */
static void
collect_write_targets (const char * const *argv,
                       GPtrArray          *targets)
{
  const char *base = base_name (argv[0]);
  const Writer *writer = find_writer (base);

  if (writer != NULL)
    {
      g_autoptr(GPtrArray) operands = g_ptr_array_new ();
      g_autoptr(GPtrArray) target_dirs = g_ptr_array_new ();

      collect_operands (argv, writer->short_with_value, writer->long_with_value, operands);

      switch (writer->targets)
        {
        case TARGETS_ALL:
        case TARGETS_ALL_MOVE:
          g_ptr_array_extend (targets, operands, NULL, NULL);
          break;
        case TARGETS_LAST:
          collect_option_values (argv, "t", (const char * const []) { "--target-directory", NULL }, target_dirs);
          if (target_dirs->len > 0)
            g_ptr_array_extend (targets, target_dirs, NULL, NULL);
          else if (operands->len == 1)
            g_ptr_array_add (targets, (gpointer) ".");
          else if (operands->len > 1)
            g_ptr_array_add (targets, g_ptr_array_index (operands, operands->len - 1));
          break;
        case TARGETS_AFTER_FIRST:
          for (guint i = 1; i < operands->len; i++)
            g_ptr_array_add (targets, g_ptr_array_index (operands, i));
          break;
        default:
          g_assert_not_reached ();
        }

      if (writer->targets == TARGETS_ALL_MOVE)
        {
          collect_option_values (argv, "t", (const char * const []) { "--target-directory", NULL }, targets);
        }
      return;
    }

  if (g_str_equal (base, "sed"))
    {
      static const char * const sed_long[] = { "--expression", "--file", "--line-length", NULL };
      g_autoptr(GPtrArray) operands = g_ptr_array_new ();
      gboolean in_place = FALSE, script_option = FALSE;

      for (guint i = 1; argv[i] != NULL; i++)
        {
          const char *arg = argv[i];

          if (g_str_has_prefix (arg, "--in-place") ||
              (arg[0] == '-' && arg[1] != '-' && arg[1] == 'i') ||
              (arg[0] == '-' && arg[1] != '-' && strchr (arg + 1, 'i') && !strpbrk (arg + 1, "ef")))
            in_place = TRUE;
          if (g_str_equal (arg, "-e") || g_str_equal (arg, "-f") ||
              g_str_has_prefix (arg, "--expression") || g_str_has_prefix (arg, "--file"))
            script_option = TRUE;
        }
      if (!in_place)
        return;

      collect_operands (argv, "efl", sed_long, operands);
      for (guint i = script_option ? 0 : 1; i < operands->len; i++)
        g_ptr_array_add (targets, g_ptr_array_index (operands, i));
      return;
    }

  if (g_str_equal (base, "dd"))
    {
      for (guint i = 1; argv[i] != NULL; i++)
        if (g_str_has_prefix (argv[i], "of="))
          g_ptr_array_add (targets, (gpointer) (argv[i] + 3));
      return;
    }

  if (g_str_equal (base, "curl"))
    {
      collect_option_values (argv, "ocD",
                             (const char * const []) { "--output", "--cookie-jar", "--dump-header",
                                                       "--output-dir", "--trace", "--trace-ascii",
                                                       "--stderr", "--etag-save", NULL },
                             targets);
      return;
    }

  if (g_str_equal (base, "wget"))
    {
      collect_option_values (argv, "OPoa",
                             (const char * const []) { "--output-document", "--directory-prefix",
                                                       "--output-file", "--append-output", NULL },
                             targets);
      return;
    }
}

static gboolean
looks_like_path (const char *arg)
{
  return arg[0] == '/' || arg[0] == '~' || strchr (arg, '/') != NULL;
}

/* Reads are checked only against hidden paths: everything else is
 * readable in the sandbox, so only a match is worth showing. */
static void
judge_read_arguments (Evaluation         *ev,
                      guint               command,
                      const char * const *argv)
{
  for (guint i = 1; argv[i] != NULL; i++)
    {
      const char *arg = argv[i];
      const char *eq;

      /* "--key=~/.ssh/id" and "if=/x": the value is the path. */
      if (arg[0] == '-' && (eq = strchr (arg, '=')) != NULL)
        arg = eq + 1;
      else if (arg[0] != '-' && (eq = strchr (arg, '=')) != NULL && !looks_like_path (arg))
        arg = eq + 1;
      else if (arg[0] == '-')
        continue;

      if (*arg != '\0' && looks_like_path (arg) && !has_glob (arg) && strpbrk (arg, " \t\n") == NULL)
        _paddock_policy_judge_path (ev, command, PADDOCK_ACTION_READ, arg, TRUE);
    }
}

/* --- wrappers ------------------------------------------------------ */

typedef struct
{
  guint start;              /* index of the inner command in argv; 0: none */
  gboolean unknown_args;
  const char *floor;        /* why the inner command cannot be known */
  GPtrArray *assignments;   /* env NAME=VALUE */
  GPtrArray *writes;        /* files the wrapper itself writes */
  GPtrArray *reads;
} Unwrapped;

static void
unwrap (const char * const *argv,
        Unwrapped          *out)
{
  const char *base = base_name (argv[0]);
  guint i;

  if (g_str_equal (base, "env"))
    {
      static const char * const env_long[] = { "--unset", "--chdir", "--split-string", NULL };

      if (has_short_flag (argv, 1, G_MAXUINT, 'S', "--split-string") ||
          (argv[1] != NULL && g_str_has_prefix (argv[1], "--split-string=")))
        {
          out->floor = "env -S splits a string into a command that is not analysed";
          return;
        }
      i = skip_options (argv, 1, "uC", env_long);
      for (; argv[i] != NULL && strchr (argv[i], '=') != NULL; i++)
        g_ptr_array_add (out->assignments, (gpointer) argv[i]);
      out->start = argv[i] ? i : 0;
      return;
    }

  if (g_str_equal (base, "sudo"))
    {
      static const char * const sudo_long[] = {
        "--user", "--group", "--prompt", "--close-from", "--chdir", "--role", "--type",
        "--command-timeout", "--other-user", "--host", "--chroot", NULL,
      };

      i = skip_options (argv, 1, "ugpCDhrtTUR", sudo_long);
      if (has_short_flag (argv, 1, i, 'e', "--edit"))
        {
          out->floor = "sudo -e edits files as another user";
          return;
        }
      for (; argv[i] != NULL && assignment_name (argv[i]) != NULL; i++)
        g_ptr_array_add (out->assignments, (gpointer) argv[i]);
      out->start = argv[i] ? i : 0;
      return;
    }

  if (g_str_equal (base, "doas"))
    {
      i = skip_options (argv, 1, "uC", NULL);
      out->start = argv[i] ? i : 0;
      return;
    }

  if (g_str_equal (base, "nohup") || g_str_equal (base, "builtin"))
    {
      i = skip_options (argv, 1, "", NULL);
      out->start = argv[i] ? i : 0;
      return;
    }

  if (g_str_equal (base, "timeout"))
    {
      static const char * const timeout_long[] = { "--signal", "--kill-after", NULL };

      i = skip_options (argv, 1, "sk", timeout_long);
      if (argv[i] != NULL)
        i++; /* the duration */
      out->start = argv[i] ? i : 0;
      return;
    }

  if (g_str_equal (base, "nice"))
    {
      static const char * const nice_long[] = { "--adjustment", NULL };

      i = skip_options (argv, 1, "n", nice_long);
      out->start = argv[i] ? i : 0;
      return;
    }

  if (g_str_equal (base, "ionice"))
    {
      static const char * const ionice_long[] = { "--class", "--classdata", "--pid", "--pgid", "--uid", NULL };

      i = skip_options (argv, 1, "cnpPu", ionice_long);
      /* With -p, -P or -u it changes running processes and runs nothing. */
      if (has_short_flag (argv, 1, i, 'p', "--pid") || has_short_flag (argv, 1, i, 'P', "--pgid") ||
          has_short_flag (argv, 1, i, 'u', "--uid"))
        return;
      out->start = argv[i] ? i : 0;
      return;
    }

  if (g_str_equal (base, "stdbuf"))
    {
      static const char * const stdbuf_long[] = { "--input", "--output", "--error", NULL };

      i = skip_options (argv, 1, "ioe", stdbuf_long);
      out->start = argv[i] ? i : 0;
      return;
    }

  if (g_str_equal (base, "setsid"))
    {
      i = skip_options (argv, 1, "", NULL);
      out->start = argv[i] ? i : 0;
      return;
    }

  if (g_str_equal (base, "time"))
    {
      static const char * const time_long[] = { "--format", "--output", NULL };

      i = skip_options (argv, 1, "fo", time_long);
      collect_option_values (argv, "o", (const char * const []) { "--output", NULL }, out->writes);
      out->start = argv[i] ? i : 0;
      return;
    }

  if (g_str_equal (base, "command"))
    {
      i = skip_options (argv, 1, "", NULL);
      /* command -v and -V only look the name up. */
      if (has_short_flag (argv, 1, i, 'v', NULL) || has_short_flag (argv, 1, i, 'V', NULL))
        return;
      out->start = argv[i] ? i : 0;
      return;
    }

  if (g_str_equal (base, "exec"))
    {
      i = skip_options (argv, 1, "a", NULL);
      out->start = argv[i] ? i : 0;
      return;
    }

  if (g_str_equal (base, "xargs"))
    {
      static const char * const xargs_long[] = {
        "--arg-file", "--delimiter", "--max-args", "--max-procs", "--max-chars",
        "--process-slot-var", NULL,
      };

      i = skip_options (argv, 1, "adEILnPs", xargs_long);
      collect_option_values (argv, "a", (const char * const []) { "--arg-file", NULL }, out->reads);
      /* The arguments come from stdin, so they are unknown here. */
      out->unknown_args = TRUE;
      out->start = argv[i] ? i : 0;
      return;
    }
}

/* find -exec/-execdir/-ok/-okdir COMMAND… ; (or +): each inner command,
 * with {} standing for the starting points it will be given. Also the
 * files find writes itself. */
static void
judge_find (Evaluation           *ev,
            guint                 command,
            const char * const   *argv,
            const CommandContext *context)
{
  g_autoptr(GPtrArray) starts = g_ptr_array_new ();
  guint i = 1;

  /* -H -L -P -D debugopts -Olevel come first. */
  while (argv[i] != NULL && argv[i][0] == '-' &&
         (g_str_equal (argv[i], "-H") || g_str_equal (argv[i], "-L") || g_str_equal (argv[i], "-P") ||
          g_str_equal (argv[i], "-D") || g_str_has_prefix (argv[i], "-O")))
    i += g_str_equal (argv[i], "-D") && argv[i + 1] ? 2 : 1;

  for (; argv[i] != NULL && argv[i][0] != '-' && !g_str_equal (argv[i], "(") &&
         !g_str_equal (argv[i], "!") && !g_str_equal (argv[i], ","); i++)
    g_ptr_array_add (starts, (gpointer) argv[i]);
  if (starts->len == 0)
    g_ptr_array_add (starts, (gpointer) ".");

  for (; argv[i] != NULL; i++)
    {
      const char *arg = argv[i];

      if (g_str_equal (arg, "-delete"))
        for (guint s = 0; s < starts->len; s++)
          judge_write (ev, command, g_ptr_array_index (starts, s));

      if ((g_str_equal (arg, "-fprint") || g_str_equal (arg, "-fprint0") ||
           g_str_equal (arg, "-fprintf") || g_str_equal (arg, "-fls")) && argv[i + 1] != NULL)
        judge_write (ev, command, argv[i + 1]);

      if (g_str_equal (arg, "-exec") || g_str_equal (arg, "-execdir") ||
          g_str_equal (arg, "-ok") || g_str_equal (arg, "-okdir"))
        {
          guint first = i + 1, end = first;

          while (argv[end] != NULL && !g_str_equal (argv[end], ";") && !g_str_equal (argv[end], "+"))
            end++;

          if (end > first)
            for (guint s = 0; s < starts->len; s++)
              {
                g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
                g_auto(GStrv) inner = NULL;
                CommandContext inner_context = *context;

                for (guint k = first; k < end; k++)
                  {
                    g_auto(GStrv) pieces = g_strsplit (argv[k], "{}", -1);
                    g_autofree char *replaced = g_strjoinv (g_ptr_array_index (starts, s), pieces);

                    /* {} is each file found: unknown here, like xargs input. */
                    if (pieces[0] != NULL && pieces[1] != NULL)
                      inner_context.unknown_args = TRUE;
                    g_strv_builder_add (builder, replaced);
                  }
                inner = g_strv_builder_end (builder);
                inner_context.assignments = NULL;
                inner_context.redirs = NULL;
                inner_context.hazards = NULL;
                inner_context.stdin_pipe = FALSE;
                inner_context.stdin_heredoc = FALSE;
                inner_context.depth = context->depth + 1;
                _paddock_policy_evaluate_exec (ev, (const char * const *) inner, &inner_context);
              }
          i = argv[end] ? end : end - 1;
        }
    }
}

/* --- git ----------------------------------------------------------- */

/* Configuration keys that make git run a program or talk elsewhere. */
static gboolean
git_key_runs_programs (const char *key)
{
  static const char * const parts[] = {
    "alias.", "command", "program", "helper", "editor", "pager", "hook", "proxy",
    "external", "textconv", "filter.", "fsmonitor", "askpass", "exec", "url.", NULL,
  };
  g_autofree char *lower = g_ascii_strdown (key, -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (strstr (lower, parts[i]) != NULL)
      return TRUE;
  return FALSE;
}

/* git's global options come before the subcommand, so "git -C . push
 * --force" does not start with "git push". The command is judged again
 * without them; configuration that runs programs is asked about. */
static void
judge_git (Evaluation           *ev,
           const char * const   *argv,
           const CommandContext *context,
           GPtrArray           **floors,
           GStrv                *without_options)
{
  static const char * const with_value[] = { "-C", "-c", "--git-dir", "--work-tree", "--namespace",
                                             "--super-prefix", "--config-env", "--exec-path", NULL };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint i = 1;

  g_strv_builder_add (builder, argv[0]);
  while (argv[i] != NULL && argv[i][0] == '-')
    {
      const char *arg = argv[i];
      const char *value = NULL;
      gboolean takes_value = g_strv_contains (with_value, arg);

      if (takes_value)
        value = argv[i + 1];
      else if (g_str_has_prefix (arg, "-c") && arg[2] != '\0')
        value = arg + 2;
      else if (strchr (arg, '=') != NULL)
        value = strchr (arg, '=') + 1;

      if ((g_str_equal (arg, "-c") || g_str_has_prefix (arg, "-c")) && value != NULL)
        {
          g_autofree char *key = g_strndup (value, strcspn (value, "="));

          if (git_key_runs_programs (key))
            add_floor (floors, "git configuration that runs programs", PADDOCK_VERDICT_PROMPT,
                       "git -c %s can make git run another program", key);
        }
      else if (g_str_has_prefix (arg, "--config-env") || g_str_has_prefix (arg, "--exec-path"))
        add_floor (floors, "git configuration that runs programs", PADDOCK_VERDICT_PROMPT,
                   "git %s can make git run another program", arg);

      i += takes_value && argv[i + 1] != NULL ? 2 : 1;
    }

  if (i == 1 || argv[i] == NULL)
    return;

  for (; argv[i] != NULL; i++)
    g_strv_builder_add (builder, argv[i]);
  *without_options = g_strv_builder_end (builder);
}

/* --- shells -------------------------------------------------------- */

typedef struct
{
  const char *script;      /* the -c script */
  gboolean reads_stdin;    /* no -c and no script file */
} ShellCall;

static void
parse_shell_call (const char * const *argv,
                  ShellCall          *call)
{
  gboolean has_c = FALSE, has_s = FALSE;
  guint i = 1;

  while (argv[i] != NULL)
    {
      const char *arg = argv[i];
      guint values = 0;

      if (g_str_equal (arg, "--") || g_str_equal (arg, "-"))
        {
          i++;
          break;
        }
      if (arg[0] != '-' && arg[0] != '+')
        break;
      i++;

      if (arg[1] == '-')
        {
          if (g_str_equal (arg, "--rcfile") || g_str_equal (arg, "--init-file"))
            values = 1;
        }
      else
        for (const char *c = arg + 1; *c; c++)
          {
            if (*c == 'c')
              has_c = TRUE;
            else if (*c == 's')
              has_s = TRUE;
            else if (*c == 'o' || *c == 'O')
              values++;
          }

      while (values-- > 0 && argv[i] != NULL)
        i++;
    }

  call->script = has_c ? argv[i] : NULL;
  call->reads_stdin = !has_c && (has_s || argv[i] == NULL);
}

static gboolean
redirs_have_heredoc (GPtrArray *redirs)
{
  for (guint i = 0; redirs != NULL && i < redirs->len; i++)
    {
      const PaddockShellRedir *redir = g_ptr_array_index (redirs, i);

      if ((redir->kind == PADDOCK_REDIR_HEREDOC || redir->kind == PADDOCK_REDIR_HERESTRING) &&
          redir->fd == 0)
        return TRUE;
    }
  return FALSE;
}

static void
evaluate_script (Evaluation           *ev,
                 guint                 command,
                 const char           *script,
                 const CommandContext *context)
{
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GError) error = NULL;

  commands = paddock_shell_parse (script, &error);
  if (commands == NULL)
    {
      g_autoptr(GPtrArray) floors = NULL;
      const char *no_argv[] = { NULL };
      CommandContext empty = { 0 };

      add_floor (&floors, "script cannot be parsed", PADDOCK_VERDICT_PROMPT,
                 "the shell script cannot be parsed: %s", error->message);
      _paddock_policy_judge_command (ev, command, no_argv, &empty, floors);
      return;
    }

  for (guint i = 0; i < commands->len; i++)
    {
      const PaddockShellCommand *inner = g_ptr_array_index (commands, i);
      CommandContext inner_context = { 0 };

      inner_context.assignments = (const char * const *) inner->assignments;
      inner_context.redirs = inner->redirs;
      inner_context.hazards = inner->hazards;
      inner_context.stdin_heredoc = redirs_have_heredoc (inner->redirs);
      inner_context.stdin_pipe = inner->stdin_pipe && !inner_context.stdin_heredoc;
      inner_context.depth = context->depth + 1;

      _paddock_policy_evaluate_exec (ev, (const char * const *) inner->argv, &inner_context);
    }
}

/* --- cd ------------------------------------------------------------ */

static void
track_directory_change (Evaluation         *ev,
                        const char * const *argv)
{
  PaddockPolicy *self = ev->policy;
  const char *target = NULL;
  guint n;

  if (ev->cwds == NULL)
    {
      ev->cwds = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (ev->cwds, g_strdup (ev->cwd));
    }
  n = ev->cwds->len;

  for (guint i = 1; argv[i] != NULL; i++)
    {
      if (g_str_equal (argv[i], "--"))
        {
          target = argv[i + 1];
          break;
        }
      if (argv[i][0] != '-' || g_str_equal (argv[i], "-"))
        {
          target = argv[i];
          break;
        }
    }

  /* Any cd may or may not have happened by the time a later command
   * runs, so every directory seen stays possible. */
  for (guint i = 0; i < n; i++)
    {
      const char *cwd = g_ptr_array_index (ev->cwds, i);
      char *next;

      if (target == NULL)
        next = g_strdup (self->home);
      else if (g_str_equal (target, "-") || strchr (target, '$') || strchr (target, '`') || has_glob (target))
        next = NULL;
      else
        next = paddock_path_resolve (target, cwd, self->home);

      if (next == NULL)
        {
          if (!g_ptr_array_find (ev->cwds, NULL, NULL))
            g_ptr_array_add (ev->cwds, NULL);
          continue;
        }
      if (g_ptr_array_find_with_equal_func (ev->cwds, next, g_str_equal, NULL))
        g_free (next);
      else
        g_ptr_array_add (ev->cwds, next);
    }
}

/* --- the command --------------------------------------------------- */

static void
check_hidden_characters (const char * const *words,
                         GPtrArray         **floors)
{
  for (guint i = 0; words != NULL && words[i] != NULL; i++)
    if (paddock_text_has_hidden_characters (words[i]))
      {
        g_autofree char *shown = paddock_escape_for_display (words[i]);
        add_floor (floors, "hidden characters", PADDOCK_VERDICT_PROMPT,
                   "“%s” contains control, bidirectional or zero-width characters (shown escaped)",
                   shown);
        return;
      }
}

static void
check_assignments (const char * const *assignments,
                   GPtrArray         **floors)
{
  for (guint i = 0; assignments != NULL && assignments[i] != NULL; i++)
    {
      g_autofree char *name = assignment_name (assignments[i]);

      if (name != NULL && is_dangerous_variable (name))
        add_floor (floors, "assignment changes what runs", PADDOCK_VERDICT_PROMPT,
                   "it sets %s, which changes which programs run or what they load", name);
    }
}

void
_paddock_policy_evaluate_exec (Evaluation           *ev,
                               const char * const   *argv,
                               const CommandContext *context)
{
  g_autoptr(GPtrArray) floors = NULL;
  g_autoptr(GPtrArray) targets = NULL;
  guint command = ev->n_commands++;
  const char *base = argv[0] ? base_name (argv[0]) : NULL;
  ProgramClass class = base ? classify (base) : 0;
  gboolean too_deep = context->depth >= MAX_DEPTH;
  ShellCall call = { 0 };
  Unwrapped unwrapped = { 0 };
  g_auto(GStrv) git_command = NULL;

  check_hidden_characters (argv, &floors);
  check_hidden_characters (context->assignments, &floors);
  check_assignments (context->assignments, &floors);

  for (guint i = 0; context->redirs != NULL && i < context->redirs->len; i++)
    {
      const PaddockShellRedir *redir = g_ptr_array_index (context->redirs, i);
      const char *words[] = { redir->target, NULL };

      if (redir->kind != PADDOCK_REDIR_HEREDOC && redir->kind != PADDOCK_REDIR_HERESTRING)
        check_hidden_characters (words, &floors);
    }

  /* export PATH=…, declare -x LD_PRELOAD=… */
  if (class & PROGRAM_DECLARES)
    check_assignments (argv + 1, &floors);

  /* The analyser's own findings come after the named ones above, so a
   * tie names the variable rather than the construct. */
  for (guint i = 0; context->hazards != NULL && i < context->hazards->len; i++)
    {
      const PaddockShellHazard *hazard = g_ptr_array_index (context->hazards, i);
      add_floor (&floors, hazard->construct, PADDOCK_VERDICT_PROMPT,
                 "cannot be judged statically: %s at line %u, column %u",
                 hazard->construct, hazard->line, hazard->column);
    }

  if (base != NULL)
    {
      if (too_deep)
        add_floor (&floors, "nested too deeply", PADDOCK_VERDICT_PROMPT,
                   "shells and wrappers are nested more than %d deep", MAX_DEPTH);

      if (class & PROGRAM_SHELL)
        {
          parse_shell_call (argv, &call);
          if (call.reads_stdin && context->stdin_heredoc)
            add_floor (&floors, "here-document feeding a shell", PADDOCK_VERDICT_PROMPT,
                       "the commands a here-document feeds to %s cannot be judged here", base);
        }
      else if ((class & PROGRAM_FOREIGN_SHELL) && has_short_flag (argv, 1, G_MAXUINT, 'c', NULL))
        add_floor (&floors, "script in a foreign shell", PADDOCK_VERDICT_PROMPT,
                   "%s scripts are not analysed", base);

      if (class & PROGRAM_WRAPPER)
        {
          unwrapped.assignments = g_ptr_array_new ();
          unwrapped.writes = g_ptr_array_new ();
          unwrapped.reads = g_ptr_array_new ();
          unwrap (argv, &unwrapped);
          if (unwrapped.floor != NULL)
            add_floor (&floors, "wrapper cannot be unwrapped", PADDOCK_VERDICT_PROMPT, "%s", unwrapped.floor);
          g_ptr_array_add (unwrapped.assignments, NULL);
          check_assignments ((const char * const *) unwrapped.assignments->pdata, &floors);
        }

      if (class & PROGRAM_GIT)
        judge_git (ev, argv, context, &floors, &git_command);

      if (class & PROGRAM_WRITES)
        {
          targets = g_ptr_array_new ();
          collect_write_targets (argv, targets);
          if (context->unknown_args)
            add_floor (&floors, "unknown files", PADDOCK_VERDICT_PROMPT,
                       "%s gets file names at run time (from xargs or find), so the files it writes cannot be judged",
                       base);
        }
    }

  _paddock_policy_judge_command (ev, command, argv, context, floors);

  /* Redirections are writes and reads of their targets. */
  for (guint i = 0; context->redirs != NULL && i < context->redirs->len; i++)
    {
      const PaddockShellRedir *redir = g_ptr_array_index (context->redirs, i);

      switch (redir->kind)
        {
        case PADDOCK_REDIR_WRITE:
        case PADDOCK_REDIR_APPEND:
        case PADDOCK_REDIR_READ_WRITE:
          judge_write (ev, command, redir->target);
          break;
        case PADDOCK_REDIR_READ:
          _paddock_policy_judge_path (ev, command, PADDOCK_ACTION_READ, redir->target, FALSE);
          break;
        case PADDOCK_REDIR_DUP:
        case PADDOCK_REDIR_HEREDOC:
        case PADDOCK_REDIR_HERESTRING:
        default:
          break;
        }
    }

  if (base == NULL)
    return;

  for (guint i = 0; targets != NULL && i < targets->len; i++)
    {
      const char *target = g_ptr_array_index (targets, i);
      g_autofree char *dir = g_path_get_dirname (target);

      if (has_glob (dir))
        {
          g_autoptr(GPtrArray) glob_floors = NULL;
          const char *no_argv[] = { NULL };
          CommandContext empty = { 0 };
          g_autofree char *shown = paddock_escape_for_display (target);

          add_floor (&glob_floors, "glob in a write target", PADDOCK_VERDICT_PROMPT,
                     "the directories “%s” writes to depend on a glob", shown);
          _paddock_policy_judge_command (ev, command, no_argv, &empty, glob_floors);
        }
      else
        judge_write (ev, command, target);
    }
  for (guint i = 0; unwrapped.writes && i < unwrapped.writes->len; i++)
    judge_write (ev, command, g_ptr_array_index (unwrapped.writes, i));
  for (guint i = 0; unwrapped.reads && i < unwrapped.reads->len; i++)
    _paddock_policy_judge_path (ev, command, PADDOCK_ACTION_READ, g_ptr_array_index (unwrapped.reads, i), FALSE);
  judge_read_arguments (ev, command, argv);

  if (class & PROGRAM_CD)
    track_directory_change (ev, argv);

  if (!too_deep)
    {
      if (call.script != NULL)
        evaluate_script (ev, command, call.script, context);

      if (unwrapped.start > 0)
        {
          CommandContext inner_context = *context;

          inner_context.assignments = (const char * const *) unwrapped.assignments->pdata;
          inner_context.redirs = NULL;
          inner_context.hazards = NULL;
          inner_context.unknown_args = context->unknown_args || unwrapped.unknown_args;
          inner_context.depth = context->depth + 1;
          _paddock_policy_evaluate_exec (ev, argv + unwrapped.start, &inner_context);
        }

      if (class & PROGRAM_FIND)
        judge_find (ev, command, argv, context);

      if (git_command != NULL)
        {
          CommandContext inner_context = *context;

          inner_context.assignments = NULL;
          inner_context.redirs = NULL;
          inner_context.hazards = NULL;
          inner_context.depth = context->depth + 1;
          _paddock_policy_evaluate_exec (ev, (const char * const *) git_command, &inner_context);
        }
    }

  g_clear_pointer (&unwrapped.assignments, g_ptr_array_unref);
  g_clear_pointer (&unwrapped.writes, g_ptr_array_unref);
  g_clear_pointer (&unwrapped.reads, g_ptr_array_unref);
}
