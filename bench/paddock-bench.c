/* paddock-bench.c: how fast the policy engine decides
 *
 *   paddock-bench [--paddockctl PATH] [--codex PATH] [--runs N]
 *
 * Measures decisions per second for plain commands and for `bash -lc`
 * scripts against policies of 10, 1,000 and 10,000 rules, then the
 * whole-process time of `paddockctl check` beside `codex execpolicy
 * check` on the same rules file, interleaved so both see the same
 * machine load. Prints medians and ratios; asserts nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "paddock-policy.h"
#include "bench-util.h"

static const char *plain_commands[][6] = {
  { "git", "status", NULL },
  { "git", "push", "origin", "main", NULL },
  { "tool500", "sub3", "--flag", NULL },
  { "ls", "-la", NULL },
  { "unknown-program", "x", NULL },
  { "tool9", "sub1", NULL },
  { "rm", "-rf", "build", NULL },
  { "cargo", "build", "--release", NULL },
};

static const char *scripts[] = {
  "git status && ls -la | wc -l",
  "cd src; grep -rn TODO . > /tmp/todo.txt; tool42 sub2",
  "for f in *.c; do echo $f; done",
  "npm test 2>&1 | tee build/test.log",
};

/* A policy of @n_rules command rules over distinct programs, in the
 * JSON format, plus the same rules as a Codex .rules file. */
static void
generate_rules (guint   n_rules,
                char  **json,
                char  **starlark)
{
  GString *j = g_string_new ("{\"version\": 1, \"commands\": [\n");
  GString *s = g_string_new (NULL);
  static const char *verdicts[] = { "allow", "prompt", "forbidden" };

  for (guint i = 0; i < n_rules; i++)
    {
      const char *verdict = verdicts[i % 3];

      g_string_append_printf (j, "%s{\"match\": [\"tool%u\", \"sub%u\"], \"decision\": \"%s\"}\n",
                              i ? "," : "", i / 4, i % 4, verdict);
      g_string_append_printf (s, "prefix_rule(pattern=[\"tool%u\", \"sub%u\"], decision=\"%s\")\n",
                              i / 4, i % 4, verdict);
    }
  g_string_append (j, ",{\"match\": [\"git\", \"push\"], \"decision\": \"prompt\"}"
                      ",{\"match\": [\"git\", \"status\"], \"decision\": \"allow\"}"
                      ",{\"match\": [\"rm\"], \"decision\": \"prompt\", \"when_any\": [\"-r\", \"-f\"]}]}\n");
  g_string_append (s, "prefix_rule(pattern=[\"git\", \"push\"], decision=\"prompt\")\n"
                      "prefix_rule(pattern=[\"git\", \"status\"], decision=\"allow\")\n");

  *json = g_string_free (j, FALSE);
  *starlark = g_string_free (s, FALSE);
}

static PaddockPolicy *
policy_for (const char *json,
            const char *workspace)
{
  g_autoptr(GPtrArray) documents = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_policy_document_unref);
  g_autoptr(GError) error = NULL;
  PaddockPolicyDocument *document;

  document = paddock_policy_document_new_from_json (PADDOCK_LAYER_USER, "bench.json", json, -1, &error);
  g_assert_no_error (error);
  g_ptr_array_add (documents, document);
  return paddock_policy_new (workspace, g_get_home_dir (), documents);
}

/* With --count, a fixed number of decisions, for instruction counts
 * under callgrind that do not depend on the machine's speed. */
static guint64 fixed_count;

/* Decisions per second over about @seconds. */
static double
measure (PaddockPolicy  *policy,
         PaddockAction **actions,
         guint           n_actions,
         double          seconds)
{
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + (gint64) (seconds * G_USEC_PER_SEC);
  guint64 count = 0;
  gint64 now;

  do
    {
      for (guint i = 0; i < 1000; i++)
        {
          PaddockDecision *decision = paddock_policy_evaluate (policy, actions[(count + i) % n_actions], NULL);
          paddock_decision_unref (decision);
        }
      count += 1000;
      now = g_get_monotonic_time ();
    }
  while (fixed_count ? count < fixed_count : now < deadline);

  return count / ((now - start) / (double) G_USEC_PER_SEC);
}

static double
time_process (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL,
                     G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, &error))
    g_error ("%s: %s", argv[0], error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s failed: %s", argv[0], error->message);

  return (g_get_monotonic_time () - start) / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *paddockctl = NULL;
  g_autofree char *codex = NULL;
  int runs = 30;
  int rounds = 7;
  gint64 count = 0;
  gboolean plain_only = FALSE;
  double seconds = 0.3;
  const GOptionEntry entries[] = {
    { "paddockctl", 0, 0, G_OPTION_ARG_FILENAME, &paddockctl, "paddockctl to time", "PATH" },
    { "codex", 0, 0, G_OPTION_ARG_FILENAME, &codex, "codex to time beside it", "PATH" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Process runs of each (default 30)", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "Seconds per in-process measurement (default 0.3)", "S" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Rounds of in-process measurements (default 7)", "N" },
    { "count", 0, 0, G_OPTION_ARG_INT64, &count, "Make exactly N decisions per measurement instead", "N" },
    { "plain-only", 0, 0, G_OPTION_ARG_NONE, &plain_only, "Measure plain commands only", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- benchmark the policy engine");
  g_autoptr(GError) error = NULL;
  g_autofree char *workspace = g_dir_make_tmp ("paddock-bench-XXXXXX", NULL);
  static const guint sizes[] = { 10, 1000, 10000 };
  PaddockPolicy *policies[G_N_ELEMENTS (sizes)];
  GArray *plain_rates[G_N_ELEMENTS (sizes)];
  GArray *script_rates[G_N_ELEMENTS (sizes)];
  double plain_rate[G_N_ELEMENTS (sizes)];
  PaddockAction *plain[G_N_ELEMENTS (plain_commands)];
  PaddockAction *shell[G_N_ELEMENTS (scripts)];
  g_autofree char *rules_path = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  fixed_count = MAX (count, 0);

  g_print ("Machine: %u cores; median of %d rounds, each size measured for %.2f s per round,\n"
           "the sizes interleaved so they share the machine's load\n\n",
           g_get_num_processors (), rounds, seconds);

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autofree char *json = NULL;
      g_autofree char *starlark = NULL;

      generate_rules (sizes[s], &json, &starlark);
      policies[s] = policy_for (json, workspace);
      plain_rates[s] = g_array_new (FALSE, FALSE, sizeof (double));
      script_rates[s] = g_array_new (FALSE, FALSE, sizeof (double));
      if (sizes[s] == 1000)
        {
          rules_path = g_build_filename (workspace, "bench.rules", NULL);
          g_file_set_contents (rules_path, starlark, -1, NULL);
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (plain_commands); i++)
    plain[i] = paddock_action_new_exec (plain_commands[i], workspace);
  for (guint i = 0; i < G_N_ELEMENTS (scripts); i++)
    {
      const char *bash[] = { "bash", "-lc", scripts[i], NULL };
      shell[i] = paddock_action_new_exec (bash, workspace);
    }

  for (int r = 0; r < rounds; r++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      {
        double rate = measure (policies[s], plain, G_N_ELEMENTS (plain), seconds);

        g_array_append_val (plain_rates[s], rate);
        if (!plain_only)
          {
            rate = measure (policies[s], shell, G_N_ELEMENTS (shell), seconds);
            g_array_append_val (script_rates[s], rate);
          }
      }

  g_print ("%8s  %16s  %16s  %10s\n", "rules", "plain/s", "bash -lc/s", "ns/plain");
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      plain_rate[s] = bench_median (plain_rates[s]);
      g_print ("%8u  %16.0f  %16.0f  %10.0f\n", sizes[s], plain_rate[s],
               plain_only ? 0 : bench_median (script_rates[s]), 1e9 / plain_rate[s]);
      g_object_unref (policies[s]);
      g_array_unref (plain_rates[s]);
      g_array_unref (script_rates[s]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (plain); i++)
    paddock_action_unref (plain[i]);
  for (guint i = 0; i < G_N_ELEMENTS (shell); i++)
    paddock_action_unref (shell[i]);

  g_print ("\nCost per decision, 10,000 rules against 10 rules: %.2fx (1,000x more rules)\n",
           plain_rate[0] / plain_rate[2]);

  if (paddockctl != NULL && codex != NULL)
    {
      g_autoptr(GArray) ours = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) theirs = g_array_new (FALSE, FALSE, sizeof (double));
      const char *ours_argv[] = { paddockctl, "check", "--only", "--rules", rules_path, "--json",
                                  "--workspace", workspace, "--", "git", "push", "origin", NULL };
      const char *theirs_argv[] = { codex, "execpolicy", "check", "--rules", rules_path,
                                    "--", "git", "push", "origin", NULL };
      double a, b;

      /* Warm the page cache for both before timing. */
      time_process (ours_argv);
      time_process (theirs_argv);

      for (int i = 0; i < runs; i++)
        {
          double t;

          t = time_process (ours_argv);
          g_array_append_val (ours, t);
          t = time_process (theirs_argv);
          g_array_append_val (theirs, t);
        }

      a = bench_median (ours);
      b = bench_median (theirs);
      g_print ("\nWhole process, %d interleaved runs each, 1,002-rule Codex file:\n", runs);
      g_print ("  paddockctl check          median %7.2f ms\n", a);
      g_print ("  codex execpolicy check    median %7.2f ms\n", b);
      g_print ("  paddockctl is %.1fx faster\n", b / a);
    }
  else
    g_print ("\n(pass --paddockctl and --codex to time whole processes side by side)\n");

  g_unlink (rules_path);
  g_rmdir (workspace);
  return 0;
}
