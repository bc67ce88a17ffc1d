/* sandbox-run.c
 *
 * The helper stays the parent of bwrap for the whole run: it copies and
 * counts the output, enforces the wall-clock timeout, notes the host
 * PIDs of what runs inside, and removes its placeholders afterwards.
 * Killing bwrap ends everything inside: bwrap's --die-with-parent kills
 * the sandbox's init, and the kernel then kills every process of the
 * sandbox's PID namespace, daemons and double forks included.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox-bwrap.h"
#include "sandbox-errors.h"
#include "sandbox-flatpak.h"
#include "sandbox-json.h"
#include "sandbox-run.h"
#include "sandbox-seccomp.h"
#include "sandbox-userns.h"
#include "sandbox-watch.h"

/* How often the PIDs inside are noted while the command runs. */
#define SCAN_INTERVAL_MS 200
/* How long output may still arrive after the command ended, when
 * nothing kills its children for us (full-access). */
#define DRAIN_GRACE_MS 200

void
sandbox_outcome_free (SandboxOutcome *outcome)
{
  if (outcome == NULL)
    return;

  g_clear_pointer (&outcome->pids, g_array_unref);
  g_clear_pointer (&outcome->refusals, g_ptr_array_unref);
  g_free (outcome->error);
  g_free (outcome);
}

static void
note_pid (GArray *pids,
          pid_t   pid)
{
  for (guint i = 0; i < pids->len; i++)
    if (g_array_index (pids, pid_t, i) == pid)
      return;
  g_array_append_val (pids, pid);
}

/* Adds every descendant of the PIDs already noted, read from /proc. */
static void
scan_descendants (GArray *pids)
{
  g_autoptr(GHashTable) parents = g_hash_table_new (NULL, NULL);
  DIR *proc;
  struct dirent *entry;
  gboolean grew;

  if (pids->len == 0 || (proc = opendir ("/proc")) == NULL)
    return;

  while ((entry = readdir (proc)) != NULL)
    {
      char path[64], buffer[512];
      const char *close_paren;
      pid_t pid, ppid;
      ssize_t n;
      int fd;

      if (!g_ascii_isdigit (entry->d_name[0]))
        continue;
      pid = atoi (entry->d_name);
      g_snprintf (path, sizeof path, "/proc/%d/stat", pid);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        continue;
      n = read (fd, buffer, sizeof buffer - 1);
      close (fd);
      if (n <= 0)
        continue;
      buffer[n] = '\0';
      /* "pid (comm) state ppid …"; comm may hold spaces and parentheses. */
      close_paren = strrchr (buffer, ')');
      if (close_paren == NULL || sscanf (close_paren + 1, " %*c %d", &ppid) != 1)
        continue;
      g_hash_table_insert (parents, GINT_TO_POINTER (pid), GINT_TO_POINTER (ppid));
    }
  closedir (proc);

  do
    {
      GHashTableIter iter;
      gpointer key, value;

      grew = FALSE;
      g_hash_table_iter_init (&iter, parents);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          gboolean known_parent = FALSE, known = FALSE;

          for (guint i = 0; i < pids->len; i++)
            {
              known_parent |= g_array_index (pids, pid_t, i) == GPOINTER_TO_INT (value);
              known |= g_array_index (pids, pid_t, i) == GPOINTER_TO_INT (key);
            }
          if (known_parent && !known)
            {
              note_pid (pids, GPOINTER_TO_INT (key));
              grew = TRUE;
            }
        }
    }
  while (grew);
}

/* bwrap writes {"child-pid": N} and later {"exit-code": N}. */
/* bwrap's status: the sandbox's first process, and "exit-code" only
 * once the command was started and ended; without it, bwrap could not
 * set up the sandbox or start the command. */
static void
parse_status (GString        *status,
              SandboxOutcome *outcome)
{
  const char *found = strstr (status->str, "\"child-pid\"");
  GArray *pids = outcome->pids;
  const char *colon;

  if (strstr (status->str, "\"exit-code\"") != NULL)
    outcome->exit_reported = TRUE;

  if (found != NULL && (colon = strchr (found, ':')) != NULL)
    {
      pid_t pid = atoi (colon + 1);

      if (pid > 0)
        note_pid (pids, pid);
    }
}

gboolean
sandbox_write_all (int         fd,
                   const char *data,
                   gsize       length)
{
  while (length > 0)
    {
      ssize_t n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= n;
    }
  return TRUE;
}

static int
compare_ints (gconstpointer a,
              gconstpointer b)
{
  return *(const int *) a - *(const int *) b;
}

/* In the child between fork and exec: only async-signal-safe calls. */
static void
close_all_but (const int *keep,
               guint      n_keep)
{
  int from = 3;

  for (guint i = 0; i < n_keep; i++)
    {
      if (keep[i] > from)
        close_range (from, keep[i] - 1, 0);
      if (keep[i] >= from)
        {
          fcntl (keep[i], F_SETFD, 0);
          from = keep[i] + 1;
        }
    }
  close_range (from, ~0U, 0);
}

typedef struct
{
  char **argv;
  char **envp;
  const char *cwd;
  GArray *keep;             /* int: descriptors the program inherits */
  int status_fd;            /* bwrap's --json-status-fd, read end; -1 */
  int caller_fd;            /* the caller's end of the report; -1 */
  gboolean own_group;       /* no PID namespace: kill the process group */
  SandboxWatch *watch;      /* nullable */
} Launch;

static void
supervise (const SandboxSpec *spec,
           Launch            *launch,
           SandboxOutcome    *outcome)
{
  int out[2] = { -1, -1 }, err[2] = { -1, -1 };
  g_autoptr(GString) status = g_string_new (NULL);
  gint64 deadline = spec->timeout_ms ? g_get_monotonic_time () + spec->timeout_ms * 1000 : G_MAXINT64;
  gint64 next_scan = g_get_monotonic_time () + SCAN_INTERVAL_MS * 1000;
  gint64 drain_until = G_MAXINT64;
  sigset_t mask, old_mask;
  gboolean killed = FALSE, reaped = FALSE;
  int signal_fd, wait_status = 0;
  pid_t pid;

  g_array_sort (launch->keep, compare_ints);

  if (pipe2 (out, O_CLOEXEC) != 0 || pipe2 (err, O_CLOEXEC) != 0)
    {
      outcome->error = g_strdup_printf ("pipe: %s", g_strerror (errno));
      return;
    }

  /* A person's Ctrl-C or a TERM ends the run through us, so the
   * placeholders are still removed and the report still written. */
  sigemptyset (&mask);
  sigaddset (&mask, SIGINT);
  sigaddset (&mask, SIGTERM);
  sigaddset (&mask, SIGHUP);
  sigaddset (&mask, SIGCHLD);
  sigprocmask (SIG_BLOCK, &mask, &old_mask);
  signal_fd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

  pid = fork ();
  if (pid < 0)
    {
      outcome->error = g_strdup_printf ("fork: %s", g_strerror (errno));
      return;
    }

  if (pid == 0)
    {
      struct rlimit no_core = { 0, 0 };

      sigprocmask (SIG_SETMASK, &old_mask, NULL);
      signal (SIGPIPE, SIG_DFL);
      if (launch->own_group)
        setpgid (0, 0);
      dup2 (out[1], STDOUT_FILENO);
      dup2 (err[1], STDERR_FILENO);
      /* No core dumps from anything inside. */
      setrlimit (RLIMIT_CORE, &no_core);
      close_all_but ((const int *) (const void *) launch->keep->data, launch->keep->len);
      if (launch->cwd != NULL && chdir (launch->cwd) != 0)
        _exit (126);
      environ = launch->envp;
      execvp (launch->argv[0], launch->argv);
      _exit (127);
    }

  close (out[1]);
  close (err[1]);
  for (guint i = 0; i < launch->keep->len; i++)
    if (g_array_index (launch->keep, int, i) != launch->status_fd)
      close (g_array_index (launch->keep, int, i));
  g_array_set_size (launch->keep, 0);
  fcntl (out[0], F_SETFL, O_NONBLOCK);
  fcntl (err[0], F_SETFL, O_NONBLOCK);
  if (launch->status_fd >= 0)
    fcntl (launch->status_fd, F_SETFL, O_NONBLOCK);

  note_pid (outcome->pids, pid);
  outcome->started = TRUE;

  while (out[0] >= 0 || err[0] >= 0 || !reaped)
    {
      struct pollfd fds[6];
      int *owners[6];
      int watch_fd = launch->watch ? sandbox_watch_get_fd (launch->watch) : -1;
      guint n_fds = 0;
      gint64 now = g_get_monotonic_time ();
      gint64 wake = MIN (MIN (deadline, next_scan), drain_until);
      int timeout = wake <= now ? 0 : (int) MIN ((wake - now + 999) / 1000, 1000);

      if (out[0] >= 0)
        {
          fds[n_fds] = (struct pollfd) { out[0], POLLIN, 0 };
          owners[n_fds++] = &out[0];
        }
      if (err[0] >= 0)
        {
          fds[n_fds] = (struct pollfd) { err[0], POLLIN, 0 };
          owners[n_fds++] = &err[0];
        }
      if (launch->status_fd >= 0)
        {
          fds[n_fds] = (struct pollfd) { launch->status_fd, POLLIN, 0 };
          owners[n_fds++] = &launch->status_fd;
        }
      if (signal_fd >= 0)
        {
          fds[n_fds] = (struct pollfd) { signal_fd, POLLIN, 0 };
          owners[n_fds++] = &signal_fd;
        }
      if (watch_fd >= 0)
        {
          fds[n_fds] = (struct pollfd) { watch_fd, POLLIN, 0 };
          owners[n_fds++] = &watch_fd;
        }
      /* Only errors: the write end of a pipe reports POLLERR once its
       * reader is gone, that is, once the caller died. */
      if (launch->caller_fd >= 0)
        {
          fds[n_fds] = (struct pollfd) { launch->caller_fd, 0, 0 };
          owners[n_fds++] = &launch->caller_fd;
        }

      if (poll (fds, n_fds, timeout) < 0 && errno != EINTR)
        break;

      for (guint i = 0; i < n_fds; i++)
        {
          char buffer[65536];
          ssize_t n;

          if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;

          if (owners[i] == &launch->caller_fd)
            {
              /* Nobody is left to watch the command or read its
               * output: it ends with its caller. */
              launch->caller_fd = -1;
              if (!killed)
                {
                  kill (launch->own_group ? -pid : pid, SIGKILL);
                  killed = TRUE;
                }
              continue;
            }

          if (owners[i] == &watch_fd)
            {
              sandbox_watch_handle (launch->watch);
              continue;
            }

          if (owners[i] == &signal_fd)
            {
              struct signalfd_siginfo info;

              while (read (signal_fd, &info, sizeof info) == sizeof info)
                if (info.ssi_signo != SIGCHLD && !killed)
                  {
                    kill (launch->own_group ? -pid : pid, SIGKILL);
                    killed = TRUE;
                  }
              continue;
            }

          n = read (*owners[i], buffer, sizeof buffer);
          if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
          if (n <= 0)
            {
              close (*owners[i]);
              *owners[i] = -1;
              continue;
            }

          if (owners[i] == &launch->status_fd)
            {
              g_string_append_len (status, buffer, n);
              parse_status (status, outcome);
              continue;
            }

          if (spec->output_limit != 0 && outcome->output_bytes + n > spec->output_limit)
            {
              n = spec->output_limit - outcome->output_bytes;
              outcome->output_truncated = TRUE;
            }
          sandbox_write_all (owners[i] == &out[0] ? STDOUT_FILENO : STDERR_FILENO, buffer, n);
          outcome->output_bytes += n;

          if (outcome->output_truncated && !killed)
            {
              kill (launch->own_group ? -pid : pid, SIGKILL);
              killed = TRUE;
            }
        }

      now = g_get_monotonic_time ();
      if (now >= deadline && !killed)
        {
          outcome->timed_out = TRUE;
          kill (launch->own_group ? -pid : pid, SIGKILL);
          killed = TRUE;
        }
      if (now >= next_scan && !reaped)
        {
          scan_descendants (outcome->pids);
          next_scan = now + SCAN_INTERVAL_MS * 1000;
        }

      if (!reaped && wait4 (pid, &wait_status, WNOHANG, &outcome->usage) == pid)
        {
          reaped = TRUE;
          /* Output still held by leftovers of an unsandboxed command. */
          drain_until = g_get_monotonic_time () + DRAIN_GRACE_MS * 1000;
        }
      if (reaped && g_get_monotonic_time () >= drain_until)
        break;
    }

  if (out[0] >= 0)
    close (out[0]);
  if (err[0] >= 0)
    close (err[0]);
  if (launch->status_fd >= 0)
    {
      close (launch->status_fd);
      launch->status_fd = -1;
    }
  if (!reaped)
    {
      kill (launch->own_group ? -pid : pid, SIGKILL);
      wait4 (pid, &wait_status, 0, &outcome->usage);
    }
  if (signal_fd >= 0)
    close (signal_fd);
  sigprocmask (SIG_SETMASK, &old_mask, NULL);

  if (WIFEXITED (wait_status))
    outcome->exit_status = WEXITSTATUS (wait_status);
  else
    {
      outcome->exit_status = -1;
      outcome->signal = WTERMSIG (wait_status);
    }
}

/* The arguments for bwrap in a memfd, NUL-separated, for --args. */
static int
args_fd (GPtrArray  *args,
         GError    **error)
{
  g_autoptr(GString) data = g_string_new (NULL);
  int fd = memfd_create ("paddock-bwrap-args", 0);

  if (fd < 0)
    {
      int saved_errno = errno;
      sandbox_fail (error, SANDBOX_ERROR_IO, "memfd_create: %s", g_strerror (saved_errno));
      return -1;
    }

  for (guint i = 0; i < args->len; i++)
    g_string_append_len (data, g_ptr_array_index (args, i), strlen (g_ptr_array_index (args, i)) + 1);
  if (!sandbox_write_all (fd, data->str, data->len) || lseek (fd, 0, SEEK_SET) != 0)
    {
      int saved_errno = errno;
      close (fd);
      sandbox_fail (error, SANDBOX_ERROR_IO, "writing bwrap's arguments: %s", g_strerror (saved_errno));
      return -1;
    }
  return fd;
}

static char **
filtered_env (const SandboxSpec *spec)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; spec->env[i] != NULL; i++)
    if (sandbox_env_is_allowed (spec->env[i]))
      g_strv_builder_add (builder, spec->env[i]);
  return g_strv_builder_end (builder);
}

static void
run_bwrap (const SandboxSpec *spec,
           const char        *bwrap_path,
           int                caller_fd,
           SandboxOutcome    *outcome)
{
  g_autoptr(SandboxBwrap) bwrap = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  char *no_env[] = { NULL };
  Launch launch = { 0 };
  struct stat st;
  int status[2], seccomp_fd, args;

  outcome->sandbox = "bwrap";

  /* bwrap must be the system's and unprivileged: a setuid bwrap would
   * set up the sandbox with root's powers, which this helper never
   * wants and never needs. */
  if (stat (bwrap_path, &st) != 0)
    {
      outcome->error = g_strdup_printf ("bubblewrap is not installed (%s: %s); install the “bubblewrap” package",
                                        bwrap_path, g_strerror (errno));
      return;
    }
  if (st.st_mode & (S_ISUID | S_ISGID))
    {
      outcome->error = g_strdup_printf ("%s is setuid or setgid; paddock-sandbox only runs an "
                                        "unprivileged bwrap (remove the bit with “chmod u-s %s”)",
                                        bwrap_path, bwrap_path);
      return;
    }

  seccomp_fd = sandbox_seccomp_create_fd (&error);
  if (seccomp_fd < 0)
    {
      outcome->error = g_strdup (error->message);
      return;
    }
  if (pipe2 (status, O_CLOEXEC) != 0)
    {
      outcome->error = g_strdup_printf ("pipe: %s", g_strerror (errno));
      close (seccomp_fd);
      return;
    }

  bwrap = sandbox_bwrap_new (spec, seccomp_fd, status[1], &error);
  if (bwrap == NULL)
    {
      outcome->error = g_strdup (error->message);
      close (seccomp_fd);
      close (status[0]);
      close (status[1]);
      return;
    }
  outcome->protected_mounts = bwrap->protected_mounts;

  args = args_fd (bwrap->args, &error);
  if (args < 0)
    {
      outcome->error = g_strdup (error->message);
      close (status[0]);
      sandbox_bwrap_cleanup (bwrap);
      return;
    }

  /* Everything bwrap needs comes through the args descriptor; "--" ends
   * bwrap's options, so a command named like one of them is a command. */
  g_ptr_array_add (argv, g_strdup (bwrap_path));
  g_ptr_array_add (argv, g_strdup ("--args"));
  g_ptr_array_add (argv, g_strdup_printf ("%d", args));
  g_ptr_array_add (argv, g_strdup ("--"));
  for (guint i = 0; bwrap->command_prefix != NULL && i < bwrap->command_prefix->len; i++)
    g_ptr_array_add (argv, g_strdup (g_ptr_array_index (bwrap->command_prefix, i)));
  for (guint i = 0; spec->argv[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (spec->argv[i]));
  g_ptr_array_add (argv, NULL);

  launch.argv = (char **) argv->pdata;
  launch.envp = no_env;
  launch.keep = g_array_copy (bwrap->fds);
  g_array_append_val (launch.keep, args);
  launch.status_fd = status[0];
  launch.caller_fd = caller_fd;
  if (bwrap->watch_fd >= 0)
    {
      launch.watch = sandbox_watch_new (bwrap->watch_fd, spec->hidden);
      bwrap->watch_fd = -1;
    }
  /* The fds now belong to the launch, which closes them after fork. */
  g_array_set_size (bwrap->fds, 0);

  supervise (spec, &launch, outcome);
  g_array_unref (launch.keep);
  if (launch.watch != NULL)
    {
      outcome->refusals = g_ptr_array_ref (sandbox_watch_get_refusals (launch.watch));
      outcome->refusals_dropped = sandbox_watch_get_dropped (launch.watch);
      sandbox_watch_free (launch.watch);
    }
  sandbox_bwrap_cleanup (bwrap);

  /* Without an exit code from bwrap, the command never ran: bwrap
   * failed, most often because user namespaces are refused. Explain
   * that rather than leave bwrap's one line. A run we stopped has none
   * either, and says so itself. */
  if (!outcome->exit_reported && outcome->signal == 0 && !outcome->timed_out && !outcome->output_truncated)
    {
      g_autoptr(SandboxUsernsStatus) userns = sandbox_userns_check ("/", TRUE);

      outcome->started = FALSE;
      if (!userns->available)
        outcome->error = g_strdup_printf ("user namespaces are refused on this machine: %s; fix: %s",
                                          userns->cause, userns->fix);
      else
        outcome->error = g_strdup ("bwrap could not set up the sandbox or start the command "
                                   "(see its message above)");
    }
}

static void
run_unsandboxed (const SandboxSpec *spec,
                 int                caller_fd,
                 SandboxOutcome    *outcome)
{
  g_auto(GStrv) envp = filtered_env (spec);
  Launch launch = { 0 };

  outcome->sandbox = "none";
  g_printerr ("paddock-sandbox: WARNING: running “%s” WITHOUT ANY SANDBOX: the policy allows full-access, "
              "so it can read and change everything you can\n", spec->argv[0]);

  launch.argv = spec->argv;
  launch.envp = envp;
  launch.cwd = spec->cwd;
  launch.keep = g_array_new (FALSE, FALSE, sizeof (int));
  launch.status_fd = -1;
  launch.caller_fd = caller_fd;
  launch.own_group = TRUE;
  supervise (spec, &launch, outcome);
  g_array_unref (launch.keep);
  if (launch.watch != NULL)
    {
      outcome->refusals = g_ptr_array_ref (sandbox_watch_get_refusals (launch.watch));
      outcome->refusals_dropped = sandbox_watch_get_dropped (launch.watch);
      sandbox_watch_free (launch.watch);
    }
}

static void
run_flatpak_spawn (const SandboxSpec *spec,
                   int                caller_fd,
                   SandboxOutcome    *outcome)
{
  g_auto(GStrv) argv = sandbox_flatpak_build_argv (spec);
  g_auto(GStrv) missing = sandbox_flatpak_missing_features (spec);
  g_auto(GStrv) envp = NULL;
  Launch launch = { 0 };
  const char *bus = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");

  outcome->sandbox = "flatpak-spawn";
  if (argv == NULL)
    {
      outcome->error = g_strdup ("flatpak-spawn cannot run this spec");
      return;
    }
  for (guint i = 0; missing != NULL && missing[i] != NULL; i++)
    g_printerr ("paddock-sandbox: inside Flatpak, the sandbox cannot %s\n", missing[i]);

  /* flatpak-spawn talks to the portal on the session bus; the command
   * itself gets only what --clear-env and --env= give it. */
  envp = g_new0 (char *, 3);
  if (bus != NULL)
    envp[0] = g_strconcat ("DBUS_SESSION_BUS_ADDRESS=", bus, NULL);
  if (runtime != NULL)
    envp[bus != NULL ? 1 : 0] = g_strconcat ("XDG_RUNTIME_DIR=", runtime, NULL);

  launch.argv = argv;
  launch.envp = envp;
  launch.keep = g_array_new (FALSE, FALSE, sizeof (int));
  launch.status_fd = -1;
  launch.caller_fd = caller_fd;
  launch.own_group = TRUE;
  supervise (spec, &launch, outcome);
  g_array_unref (launch.keep);
  if (launch.watch != NULL)
    {
      outcome->refusals = g_ptr_array_ref (sandbox_watch_get_refusals (launch.watch));
      outcome->refusals_dropped = sandbox_watch_get_dropped (launch.watch);
      sandbox_watch_free (launch.watch);
    }
}

static gboolean
is_program (const char *path)
{
  struct stat st;

  return stat (path, &st) == 0 && S_ISREG (st.st_mode) && access (path, X_OK) == 0;
}

/* Whether argv[0] names a program, looked up as a shell would, on the
 * host: the sandbox sees the same programs. "Not found" is then exit
 * status 127, as a shell gives, and never a failure of bwrap's that the
 * command's own status 1 could not be told from. */
static gboolean
program_exists (const SandboxSpec *spec)
{
  const char *name = spec->argv[0];
  const char *search = "/usr/local/bin:/usr/bin:/bin";
  g_auto(GStrv) dirs = NULL;

  if (strchr (name, '/') != NULL)
    {
      g_autofree char *path = g_path_is_absolute (name) ? g_strdup (name) : g_build_filename (spec->cwd, name, NULL);
      return is_program (path);
    }

  for (guint i = 0; spec->env[i] != NULL; i++)
    if (g_str_has_prefix (spec->env[i], "PATH="))
      search = spec->env[i] + strlen ("PATH=");
  dirs = g_strsplit (search, ":", -1);
  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (*dirs[i] ? dirs[i] : spec->cwd, name, NULL);

      if (is_program (path))
        return TRUE;
    }
  return FALSE;
}

SandboxOutcome *
sandbox_run (const SandboxSpec *spec,
             const char        *bwrap,
             int                caller_fd)
{
  SandboxOutcome *outcome = g_new0 (SandboxOutcome, 1);
  gint64 start = g_get_monotonic_time ();

  g_return_val_if_fail (spec != NULL, NULL);

  outcome->pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  outcome->exit_status = -1;

  /* Our own stdout may close early (a pager quit): the command's output
   * then goes nowhere, but the run still ends and reports properly. */
  signal (SIGPIPE, SIG_IGN);

  if (!program_exists (spec))
    {
      outcome->sandbox = "none";
      outcome->not_found = TRUE;
      outcome->error = g_strdup_printf ("%s: command not found", spec->argv[0]);
    }
  else if (spec->mode == SANDBOX_MODE_FULL_ACCESS)
    run_unsandboxed (spec, caller_fd, outcome);
  else if (sandbox_flatpak_detect ("/"))
    run_flatpak_spawn (spec, caller_fd, outcome);
  else
    run_bwrap (spec, bwrap, caller_fd, outcome);

  outcome->duration_us = g_get_monotonic_time () - start;
  return outcome;
}

int
sandbox_outcome_exit_code (const SandboxOutcome *outcome)
{
  if (!outcome->started)
    return outcome->not_found ? 127 : 125;
  if (outcome->signal != 0)
    return 128 + outcome->signal;
  return outcome->exit_status;
}

char *
sandbox_outcome_to_json (const SandboxOutcome *outcome)
{
  GString *out = g_string_new ("{");

  g_string_append (out, "\"sandbox\": ");
  sandbox_json_append_string (out, outcome->sandbox ? outcome->sandbox : "none");
  g_string_append_printf (out, ", \"started\": %s, \"not_found\": %s", outcome->started ? "true" : "false",
                          outcome->not_found ? "true" : "false");
  if (outcome->started && outcome->signal == 0)
    g_string_append_printf (out, ", \"exit_status\": %d, \"signal\": null", outcome->exit_status);
  else if (outcome->started)
    g_string_append_printf (out, ", \"exit_status\": null, \"signal\": %d", outcome->signal);
  else
    g_string_append (out, ", \"exit_status\": null, \"signal\": null");
  g_string_append_printf (out, ", \"timed_out\": %s, \"output_truncated\": %s, \"output_bytes\": %" G_GUINT64_FORMAT,
                          outcome->timed_out ? "true" : "false",
                          outcome->output_truncated ? "true" : "false",
                          outcome->output_bytes);
  g_string_append_printf (out, ", \"duration_ms\": %.3f", outcome->duration_us / 1000.0);
  g_string_append_printf (out, ", \"rusage\": {\"user_ms\": %.3f, \"system_ms\": %.3f, \"max_rss_kb\": %ld}",
                          outcome->usage.ru_utime.tv_sec * 1000.0 + outcome->usage.ru_utime.tv_usec / 1000.0,
                          outcome->usage.ru_stime.tv_sec * 1000.0 + outcome->usage.ru_stime.tv_usec / 1000.0,
                          outcome->usage.ru_maxrss);
  g_string_append (out, ", \"pids\": [");
  for (guint i = 0; i < outcome->pids->len; i++)
    g_string_append_printf (out, "%s%d", i ? ", " : "", g_array_index (outcome->pids, pid_t, i));
  g_string_append_printf (out, "], \"protected_mounts\": %u", outcome->protected_mounts);
  if (outcome->refusals != NULL)
    {
      g_string_append (out, ", \"refused_files\": [");
      for (guint i = 0; i < outcome->refusals->len; i++)
        {
          const SandboxRefusal *refusal = g_ptr_array_index (outcome->refusals, i);

          g_string_append (out, i ? ", {\"access\": " : "{\"access\": ");
          sandbox_json_append_string (out, refusal->access);
          g_string_append (out, ", \"path\": ");
          sandbox_json_append_string (out, refusal->path);
          g_string_append (out, ", \"reason\": ");
          sandbox_json_append_string (out, refusal->reason);
          g_string_append (out, ", \"syscall\": ");
          sandbox_json_append_string (out, refusal->syscall);
          g_string_append_printf (out, ", \"pid\": %d}", refusal->pid);
        }
      g_string_append_printf (out, "], \"refused_files_dropped\": %u", outcome->refusals_dropped);
    }
  g_string_append (out, ", \"error\": ");
  if (outcome->error != NULL)
    sandbox_json_append_string (out, outcome->error);
  else
    g_string_append (out, "null");
  g_string_append (out, "}\n");

  return g_string_free (out, FALSE);
}
