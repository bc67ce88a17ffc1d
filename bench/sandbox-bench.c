/* sandbox-bench.c: what a sandboxed run costs, beside the alternatives
 *
 *   sandbox-bench [--paddockctl PATH] [--helper PATH] [--codex PATH]
 *                 [--srt PATH] [--rounds N] [--workspace DIR]
 *
 * Times, in one run and interleaved round by round so that all see the
 * same machine load: /bin/true bare; bare `bwrap --unshare-all --ro-bind
 * / / --dev /dev --proc /proc true`; bwrap with the very options and
 * seccomp filter Paddock builds, run directly, which is what the
 * sandbox's mounts cost before any of Paddock's own work; paddock-sandbox
 * alone with the spec `paddockctl run` would send; `paddockctl run --
 * true` (workspace-write,
 * the whole policy, seccomp); `codex sandbox -- true`; `srt true`. Each
 * must succeed once before it is timed; one that cannot is left out, and
 * the table says why. Prints medians, quartiles and ratios; asserts
 * nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "paddock-paths.h"
#include "paddock-policy-loader.h"
#include "paddock-sandbox.h"
#include "paddock-workspace.h"
#include "sandbox-bwrap.h"
#include "sandbox-seccomp.h"
#include "sandbox-spec.h"
#include "bench-util.h"


typedef struct
{
  const char *name;
  GStrv argv;
  char *spec_path;   /* given as file descriptor 3 when set */
  int rewind[2];     /* read by each run from the start, or -1 */
  GArray *times;     /* milliseconds */
  char *skipped;     /* why it is not timed, or NULL */
} Contender;

/* Runs @contender once, its output thrown away unless @output is given.
 * Returns the wall-clock time in milliseconds, or a negative number
 * with @output holding what it said. */
static double
run_once (Contender  *contender,
          char      **output)
{
  posix_spawn_file_actions_t actions;
  g_autofree char *log_path = NULL;
  struct timespec start, end;
  int log_fd = -1, status = 0;
  pid_t pid;
  int ret;

  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_addopen (&actions, 0, "/dev/null", O_RDONLY, 0);
  if (output != NULL)
    {
      log_fd = g_file_open_tmp ("sandbox-bench-XXXXXX", &log_path, NULL);
      posix_spawn_file_actions_adddup2 (&actions, log_fd, 1);
      posix_spawn_file_actions_adddup2 (&actions, log_fd, 2);
    }
  else
    {
      posix_spawn_file_actions_addopen (&actions, 1, "/dev/null", O_WRONLY, 0);
      posix_spawn_file_actions_addopen (&actions, 2, "/dev/null", O_WRONLY, 0);
    }
  if (contender->spec_path != NULL)
    posix_spawn_file_actions_addopen (&actions, 3, contender->spec_path, O_RDONLY, 0);
  for (guint i = 0; i < G_N_ELEMENTS (contender->rewind); i++)
    if (contender->rewind[i] >= 0)
      lseek (contender->rewind[i], 0, SEEK_SET);

  clock_gettime (CLOCK_MONOTONIC, &start);
  ret = posix_spawn (&pid, contender->argv[0], &actions, NULL, contender->argv, environ);
  if (ret == 0)
    while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
      ;
  clock_gettime (CLOCK_MONOTONIC, &end);
  posix_spawn_file_actions_destroy (&actions);

  if (log_fd >= 0)
    {
      close (log_fd);
      g_file_get_contents (log_path, output, NULL, NULL);
      g_unlink (log_path);
      if (ret != 0)
        {
          g_free (*output);
          *output = g_strdup_printf ("cannot start %s: %s", contender->argv[0], g_strerror (ret));
        }
    }

  if (ret != 0 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return -1;
  return (end.tv_sec - start.tv_sec) * 1e3 + (end.tv_nsec - start.tv_nsec) / 1e6;
}

static Contender *
add (GPtrArray  *contenders,
     const char *name,
     const char *spec_path,
     ...)
{
  Contender *contender = g_new0 (Contender, 1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  va_list args;
  const char *arg;

  va_start (args, spec_path);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_strv_builder_add (builder, arg);
  va_end (args);

  contender->name = name;
  contender->argv = g_strv_builder_end (builder);
  contender->spec_path = g_strdup (spec_path);
  contender->times = g_array_new (FALSE, FALSE, sizeof (double));
  contender->rewind[0] = contender->rewind[1] = -1;
  g_ptr_array_add (contenders, contender);
  return contender;
}

static void
contender_free (Contender *contender)
{
  g_strfreev (contender->argv);
  g_free (contender->spec_path);
  g_array_unref (contender->times);
  g_free (contender->skipped);
  g_free (contender);
}

/* A workspace like a small project: a repository, some files. */
static char *
make_workspace (void)
{
  g_autofree char *dir = g_dir_make_tmp ("paddock-sandbox-bench-XXXXXX", NULL);
  g_autofree char *hooks = g_build_filename (dir, ".git", "hooks", NULL);
  g_autofree char *config = g_build_filename (dir, ".git", "config", NULL);

  g_mkdir_with_parents (hooks, 0755);
  g_file_set_contents (config, "[core]\n\trepositoryformatversion = 0\n", -1, NULL);
  for (int i = 0; i < 50; i++)
    {
      g_autofree char *name = g_strdup_printf ("file%d.c", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_file_set_contents (path, "int x;\n", -1, NULL);
    }
  return g_steal_pointer (&dir);
}

static void
remove_tree (const char *path)
{
  const char *rm[] = { "rm", "-rf", "--", path, NULL };

  g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

/* The spec `paddockctl run -- true` sends the helper for @workspace. */
static char *
write_spec (const char *workspace)
{
  g_autoptr(PaddockPolicyLoader) loader = paddock_policy_loader_new ();
  g_autoptr(PaddockWorkspace) ws = NULL;
  g_autoptr(PaddockPolicy) policy = NULL;
  g_autoptr(PaddockSandbox) sandbox = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *spec = NULL;
  const char *true_argv[] = { "true", NULL };
  char *path = NULL;
  int fd;

  ws = paddock_workspace_new_for_path (workspace, &error);
  if (ws != NULL)
    policy = paddock_policy_loader_load (loader, ws, &error);
  if (policy == NULL)
    g_error ("cannot load the policy for %s: %s", workspace, error->message);
  sandbox = paddock_sandbox_new (policy);
  paddock_sandbox_set_output_limit (sandbox, 100 * 1024 * 1024);
  spec = paddock_sandbox_build_spec (sandbox, true_argv, workspace, (const char * const *) environ);
  fd = g_file_open_tmp ("paddock-sandbox-bench-XXXXXX.json", &path, &error);
  if (fd < 0 || !g_file_set_contents (path, spec, -1, &error))
    g_error ("%s", error->message);
  close (fd);
  return path;
}

/* The options paddock-sandbox would give bwrap for the spec at
 * @spec_path, in a descriptor for --args, with the seccomp filter's. The
 * placeholders they need stay until @bwrap is freed. */
static SandboxBwrap *
build_profile (const char  *spec_path,
               int         *args_fd,
               int         *seccomp_fd)
{
  g_autoptr(SandboxSpec) spec = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  SandboxBwrap *bwrap;
  gsize length;

  if (!g_file_get_contents (spec_path, &text, &length, &error) ||
      (spec = sandbox_spec_new_from_json (text, length, &error)) == NULL ||
      (*seccomp_fd = sandbox_seccomp_create_fd (&error)) < 0 ||
      (bwrap = sandbox_bwrap_new (spec, *seccomp_fd, -1, &error)) == NULL)
    g_error ("cannot build the sandbox's options: %s", error->message);

  *args_fd = memfd_create ("sandbox-bench-args", 0);
  for (guint i = 0; i < bwrap->args->len; i++)
    {
      const char *arg = g_ptr_array_index (bwrap->args, i);
      if (write (*args_fd, arg, strlen (arg) + 1) < 0)
        g_error ("cannot write the options: %s", g_strerror (errno));
    }
  return bwrap;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *paddockctl = g_strdup (BENCH_PADDOCKCTL);
  g_autofree char *helper = g_strdup (paddock_sandbox_get_helper_path ());
  g_autofree char *codex = NULL;
  g_autofree char *srt = NULL;
  g_autofree char *workspace = NULL;
  g_autofree char *bwrap = g_find_program_in_path ("bwrap");
  g_autofree char *true_path = g_find_program_in_path ("true");
  g_autofree char *spec_path = NULL;
  g_autofree char *profile_workspace = make_workspace ();
  g_autofree char *profile_spec_path = NULL;
  g_autoptr(SandboxBwrap) profile = NULL;
  g_autofree char *args_number = NULL;
  Contender *direct;
  int args_fd, seccomp_fd;
  int rounds = 60;
  const GOptionEntry entries[] = {
    { "paddockctl", 0, 0, G_OPTION_ARG_FILENAME, &paddockctl, "paddockctl to time (default: the build tree's)", "PATH" },
    { "helper", 0, 0, G_OPTION_ARG_FILENAME, &helper, "paddock-sandbox to time alone", "PATH" },
    { "codex", 0, 0, G_OPTION_ARG_FILENAME, &codex, "codex, for `codex sandbox -- true`", "PATH" },
    { "srt", 0, 0, G_OPTION_ARG_FILENAME, &srt, "srt, for `srt true`", "PATH" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Runs of each (default 60)", "N" },
    { "workspace", 0, 0, G_OPTION_ARG_FILENAME, &workspace, "Workspace to run in (default: a small new one)", "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- time a sandboxed run beside the alternatives");
  g_autoptr(GPtrArray) contenders = g_ptr_array_new_with_free_func ((GDestroyNotify) contender_free);
  g_autoptr(GError) error = NULL;
  gboolean made_workspace = FALSE;
  double bare_bwrap = 0, ours = 0;

  paddock_paths_init ();
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  if (bwrap == NULL || true_path == NULL)
    g_error ("bwrap and true must be on PATH");

  if (workspace == NULL)
    {
      workspace = make_workspace ();
      made_workspace = TRUE;
    }
  if (g_chdir (workspace) != 0)
    g_error ("%s: %s", workspace, g_strerror (errno));
  spec_path = write_spec (workspace);
  /* The direct run keeps its placeholders for the whole benchmark: in a
   * workspace of its own, so that the others still make theirs. */
  profile_spec_path = write_spec (profile_workspace);
  profile = build_profile (profile_spec_path, &args_fd, &seccomp_fd);
  args_number = g_strdup_printf ("%d", args_fd);

  add (contenders, "/bin/true, bare", NULL, true_path, NULL);
  add (contenders, "bwrap, bare", NULL, bwrap, "--unshare-all", "--ro-bind", "/", "/",
       "--dev", "/dev", "--proc", "/proc", "true", NULL);
  direct = add (contenders, "bwrap, Paddock's options", NULL, bwrap, "--args", args_number, "--", "true", NULL);
  direct->rewind[0] = args_fd;
  direct->rewind[1] = seccomp_fd;
  add (contenders, "paddock-sandbox alone", spec_path, helper, "--spec-fd", "3", NULL);
  add (contenders, "paddockctl run -- true", NULL, paddockctl, "run", "--", "true", NULL);
  if (codex != NULL)
    add (contenders, "codex sandbox -- true", NULL, codex, "sandbox", "--", "true", NULL);
  if (srt != NULL)
    add (contenders, "srt true", NULL, srt, "true", NULL);

  /* Each must work before it is timed, and this warms the caches. */
  for (guint i = 0; i < contenders->len; i++)
    {
      Contender *contender = g_ptr_array_index (contenders, i);
      g_autofree char *output = NULL;

      if (run_once (contender, &output) < 0)
        contender->skipped = output ? g_strdup (g_strstrip (output)) : g_strdup ("failed");
    }

  for (int r = 0; r < rounds; r++)
    for (guint k = 0; k < contenders->len; k++)
      {
        /* A different first contender each round. */
        Contender *contender = g_ptr_array_index (contenders, (k + r) % contenders->len);
        double t;

        if (contender->skipped != NULL)
          continue;
        t = run_once (contender, NULL);
        if (t < 0)
          {
            contender->skipped = g_strdup ("failed during the timing");
            continue;
          }
        g_array_append_val (contender->times, t);
      }

  g_print ("Machine: %u cores; %d runs of each, interleaved; workspace %s\n\n",
           g_get_num_processors (), rounds, workspace);
  g_print ("%-26s %9s %9s %9s %10s %12s\n", "", "median", "25 %", "75 %", "vs bwrap", "vs paddock");

  for (guint i = 0; i < contenders->len; i++)
    {
      Contender *contender = g_ptr_array_index (contenders, i);

      if (contender->skipped == NULL)
        {
          if (i == 1)
            bare_bwrap = bench_quantile (contender->times, 0.5);
          if (i == 4)
            ours = bench_quantile (contender->times, 0.5);
        }
    }

  for (guint i = 0; i < contenders->len; i++)
    {
      Contender *contender = g_ptr_array_index (contenders, i);
      double m;

      if (contender->skipped != NULL)
        {
          g_print ("%-26s not timed: %s\n", contender->name, contender->skipped);
          continue;
        }
      m = bench_quantile (contender->times, 0.5);
      g_print ("%-26s %6.2f ms %6.2f ms %6.2f ms %9.2fx %11.2fx\n", contender->name, m,
               bench_quantile (contender->times, 0.25), bench_quantile (contender->times, 0.75),
               bare_bwrap > 0 ? m / bare_bwrap : 0, ours > 0 ? m / ours : 0);
    }

  close (args_fd);
  g_clear_pointer (&profile, sandbox_bwrap_free);
  g_unlink (spec_path);
  g_unlink (profile_spec_path);
  remove_tree (profile_workspace);
  if (made_workspace)
    remove_tree (workspace);
  return 0;
}
