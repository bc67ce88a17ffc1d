/* test-sandbox-attacks.c: an attacker inside `paddockctl run`
 *
 * Each test runs a probe script from probes/ as the command of
 * `paddockctl run`, the way an agent's command runs: a fresh workspace,
 * a fake home folder with secrets in the places sandbox.deny_read hides,
 * empty system and user configuration, no terminal. The policy judges
 * only the command line ("sh probes/x.sh"), so whatever the script then
 * does must be stopped by the sandbox.
 *
 * Every attack has a harmless control in the same run that must
 * succeed, so a sandbox that breaks everything cannot pass. The script
 * prints "ATTACK label: blocked|SUCCEEDED" and "CONTROL label:
 * ok|FAILED"; the test checks those lines and then looks at the host
 * itself: files unchanged, no process left, no connection made.
 *
 * The test's folders are never under /tmp: inside the sandbox /tmp is a
 * private tmpfs, so a fake home there would be missing rather than
 * hidden, and every attack on it would "fail" for the wrong reason.
 *
 * Assertions are not fatal: one hole does not hide the next. With
 * PADDOCK_ATTACK_KEEP set, a failed test keeps its folder for a look.
 *
 * Run by hand: PADDOCK_PADDOCKCTL and PADDOCK_TRY_SYSCALL name the built
 * programs; the probes are found where the build put them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

/* A run that takes longer is stuck: the sandbox failed to end it. */
#define WATCHDOG_SECONDS 60

static const char *paddockctl_path;
static const char *try_syscall_path;
static const char *attack_probe_path;
static const char *probes_dir;
static char *test_program_name;

typedef struct
{
  char *base;         /* everything of this test */
  char *home;         /* the fake $HOME */
  char *workspace;
  char *outside;      /* a folder beside the workspace */
  char *sysconfdir;
  char *config;
  char *runtime;
  char *secret;       /* in every hidden file; must never come out */
  char *mark;         /* names files an attack would create on the host */
  GPtrArray *litter;  /* host paths a broken sandbox could leave */
} Fixture;

typedef struct
{
  int status;         /* the exit status, 128 + signal, or -1 if stuck */
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

typedef struct
{
  const char * const *options;  /* for `paddockctl run`, before "--" */
  const char * const *env;      /* NAME, VALUE, … NULL */
  const char *workspace;        /* default: the fixture's */
  int stdin_fd;                 /* -1: /dev/null */
  const int *fds;               /* source, target, … given to paddockctl */
  guint n_fds;
} RunOptions;

#define RUN_OPTIONS_INIT { NULL, NULL, NULL, -1, NULL, 0 }

/* Files and folders */

static char *
write_file (const char *dir,
            const char *name,
            const char *contents,
            int         mode)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_no_errno (g_mkdir_with_parents (parent, 0755));
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_no_errno (g_chmod (path, mode));
  return g_steal_pointer (&path);
}

/* Makes the folder @relative under @dir, and its parents. */
static void
make_dir (const char *dir,
          const char *relative)
{
  g_autofree char *path = g_build_filename (dir, relative, NULL);

  g_assert_no_errno (g_mkdir_with_parents (path, 0755));
}

static char *
read_file (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

/* Removes @path and everything below it, folders the tests took the
 * read permission from included. */
static void
remove_tree (const char *path)
{
  GStatBuf st;
  GDir *dir;
  const char *name;

  if (g_lstat (path, &st) != 0)
    return;
  if (!S_ISDIR (st.st_mode))
    {
      g_unlink (path);
      return;
    }

  g_chmod (path, 0700);
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      remove_tree (child);
    }
  if (dir != NULL)
    g_dir_close (dir);
  g_rmdir (path);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* A line for every entry below @path, in order: its type, mode, size,
 * modification time and contents (or link target). Two snapshots are
 * equal when nothing below @path changed. */
static void
snapshot_into (GString    *out,
               const char *path,
               const char *relative)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    {
      g_string_append_printf (out, "%s missing\n", relative);
      return;
    }

  /* A folder's size and time change when the helper's placeholders come
   * and go; its entries tell what matters. */
  g_string_append_printf (out, "%s %o", relative, (unsigned) st.st_mode);
  if (!S_ISDIR (st.st_mode))
    g_string_append_printf (out, " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT ".%09ld",
                            (gint64) st.st_size, (gint64) st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  if (S_ISLNK (st.st_mode))
    {
      g_autofree char *target = g_file_read_link (path, NULL);

      g_string_append_printf (out, " -> %s\n", target ? target : "?");
    }
  else if (S_ISREG (st.st_mode))
    {
      g_autofree char *contents = NULL;
      gsize length = 0;
      g_autofree char *digest = NULL;

      if (g_file_get_contents (path, &contents, &length, NULL))
        digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
      g_string_append_printf (out, " %s\n", digest ? digest : "unreadable");
    }
  else if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      g_string_append (out, dir ? "\n" : " unreadable\n");
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, compare_names);
      for (guint i = 0; i < names->len; i++)
        {
          const char *child = g_ptr_array_index (names, i);
          g_autofree char *child_path = g_build_filename (path, child, NULL);
          g_autofree char *child_relative = g_build_filename (relative, child, NULL);

          snapshot_into (out, child_path, child_relative);
        }
    }
  else
    g_string_append_c (out, '\n');
}

static char *
snapshot (const char *path)
{
  GString *out = g_string_new (NULL);

  snapshot_into (out, path, ".");
  return g_string_free (out, FALSE);
}

/* Several paths under @dir at once. */
static char *
snapshot_paths (const char         *dir,
                const char * const *names)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      snapshot_into (out, path, names[i]);
    }
  return g_string_free (out, FALSE);
}

static gboolean
is_private_in_sandbox (const char *path)
{
  return g_str_has_prefix (path, "/tmp/") || g_str_has_prefix (path, "/var/tmp/") ||
         g_str_has_prefix (path, "/dev/shm/") || g_str_has_prefix (path, "/run/");
}

/* Where the test's folders go: not /tmp (see the top). Beside the test
 * program when that is writable and not itself under /tmp (the build
 * tree of a clone elsewhere), else in the user's own home folder. */
static char *
make_base_dir (void)
{
  g_autofree char *parent = NULL;
  g_autofree char *template = NULL;
  g_autofree char *built = g_canonicalize_filename (g_test_get_dir (G_TEST_BUILT), NULL);
  const char *override = g_getenv ("PADDOCK_ATTACK_TMPDIR");
  char *base;

  if (override != NULL)
    parent = g_strdup (override);
  else if (access (built, W_OK) == 0 && !is_private_in_sandbox (built))
    parent = g_steal_pointer (&built);
  else
    parent = g_strdup (getpwuid (getuid ())->pw_dir);

  template = g_build_filename (parent, "paddock-attacks-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp_full (template, 0755));
  base = g_steal_pointer (&template);
  g_assert_false (is_private_in_sandbox (base));
  return base;
}

/* Copies @path into @dir, keeping its mode, and returns the copy. */
static char *
stage_file (const char *dir,
            const char *path)
{
  g_autofree char *name = g_path_get_basename (path);
  char *copy = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;
  gsize length;

  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_true (g_file_set_contents_full (copy, contents, length, G_FILE_SET_CONTENTS_NONE,
                                           st.st_mode & 0777, &error));
  g_assert_no_error (error);
  return copy;
}

/* What runs inside the sandbox must be where the sandbox sees it: a
 * build tree under /tmp is not. The probes and probe programs are
 * copied where the test's folders go. */
static char *
stage_tools (void)
{
  char *dir = make_base_dir ();
  g_autoptr(GDir) probes = g_dir_open (probes_dir, 0, NULL);
  const char *name;

  g_assert_nonnull (probes);
  while ((name = g_dir_read_name (probes)) != NULL)
    if (g_str_has_suffix (name, ".sh"))
      {
        g_autofree char *path = g_build_filename (probes_dir, name, NULL);
        g_free (stage_file (dir, path));
      }
  probes_dir = dir;
  try_syscall_path = stage_file (dir, try_syscall_path);
  attack_probe_path = stage_file (dir, attack_probe_path);
  return dir;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  static const char * const hidden[] = {
    ".ssh/id_ed25519", ".aws/credentials", ".netrc", ".config/gh/hosts.yml",
    ".gnupg/private-keys-v1.d/key.key", ".local/share/keyrings/login.keyring",
  };

  fixture->base = make_base_dir ();
  fixture->home = g_build_filename (fixture->base, "home", NULL);
  fixture->workspace = g_build_filename (fixture->base, "workspace", NULL);
  fixture->outside = g_build_filename (fixture->base, "outside", NULL);
  fixture->sysconfdir = g_build_filename (fixture->base, "sysconfdir", NULL);
  fixture->config = g_build_filename (fixture->base, "config", NULL);
  fixture->runtime = g_build_filename (fixture->base, "runtime", NULL);
  fixture->secret = g_strdup_printf ("PADDOCK-SECRET-%08x%08x", g_random_int (), g_random_int ());
  fixture->mark = g_strdup_printf ("paddock-attack-%d-%08x", (int) getpid (), g_random_int ());
  fixture->litter = g_ptr_array_new_with_free_func (g_free);

  g_assert_no_errno (g_mkdir_with_parents (fixture->workspace, 0755));
  g_assert_no_errno (g_mkdir_with_parents (fixture->sysconfdir, 0755));
  g_assert_no_errno (g_mkdir_with_parents (fixture->config, 0700));
  g_assert_no_errno (g_mkdir_with_parents (fixture->runtime, 0700));

  for (guint i = 0; i < G_N_ELEMENTS (hidden); i++)
    {
      g_autofree char *contents = g_strdup_printf ("%s %s\n", fixture->secret, hidden[i]);

      g_free (write_file (fixture->home, hidden[i], contents, 0600));
    }
  g_free (write_file (fixture->home, ".bashrc", "# PADDOCK-BASHRC-ORIGINAL\n", 0644));
  g_free (write_file (fixture->home, "notes.txt", "home notes\n", 0644));
  g_free (write_file (fixture->workspace, "README", "a workspace\n", 0644));
  g_free (write_file (fixture->outside, "outside.txt", "PADDOCK-OUTSIDE-ORIGINAL\n", 0644));

  /* What an attack would create on the host if the sandbox let it. */
  g_ptr_array_add (fixture->litter, g_build_filename ("/etc", fixture->mark, NULL));
  g_ptr_array_add (fixture->litter, g_build_filename ("/usr/local/bin", fixture->mark, NULL));
  g_ptr_array_add (fixture->litter, g_build_filename ("/", fixture->mark, NULL));
  g_ptr_array_add (fixture->litter, g_build_filename ("/tmp", fixture->mark, NULL));
  g_ptr_array_add (fixture->litter, g_build_filename ("/var/tmp", fixture->mark, NULL));
  g_ptr_array_add (fixture->litter, g_build_filename ("/dev/shm", fixture->mark, NULL));
}

/* The host PIDs of processes whose command line holds @marker. */
static GArray *
find_processes (const char *marker)
{
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *cmdline = NULL;
      gsize length;
      int pid = atoi (name);

      if (pid <= 0 || pid == getpid ())
        continue;
      path = g_strdup_printf ("/proc/%d/cmdline", pid);
      if (!g_file_get_contents (path, &cmdline, &length, NULL))
        continue;
      for (gsize i = 0; i < length; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      if (strstr (cmdline, marker) != NULL)
        g_array_append_val (pids, pid);
    }
  return pids;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GArray) leftovers = find_processes (fixture->mark);

  /* A sandbox that let a process escape must not leave it running. */
  for (guint i = 0; i < leftovers->len; i++)
    kill (g_array_index (leftovers, int, i), SIGKILL);
  for (guint i = 0; i < fixture->litter->len; i++)
    remove_tree (g_ptr_array_index (fixture->litter, i));

  if (!g_test_failed () || g_getenv ("PADDOCK_ATTACK_KEEP") == NULL)
    remove_tree (fixture->base);
  else
    g_test_message ("kept %s", fixture->base);

  g_ptr_array_unref (fixture->litter);
  g_free (fixture->mark);
  g_free (fixture->secret);
  g_free (fixture->runtime);
  g_free (fixture->config);
  g_free (fixture->sysconfdir);
  g_free (fixture->outside);
  g_free (fixture->workspace);
  g_free (fixture->home);
  g_free (fixture->base);
}

/* Running paddockctl */

typedef struct
{
  GSubprocess *process;
  GBytes *out;
  GBytes *err;
  GError *error;
  gboolean done;
  gboolean stuck;
} Wait;

static void
communicated (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Wait *wait = user_data;

  g_subprocess_communicate_finish (G_SUBPROCESS (source), result, &wait->out, &wait->err, &wait->error);
  wait->done = TRUE;
  g_main_context_wakeup (NULL);
}

static gboolean
watchdog (gpointer user_data)
{
  Wait *wait = user_data;
  const char *identifier = g_subprocess_get_identifier (wait->process);

  /* paddockctl leads its own session; its group holds the helper and
   * bwrap, whose death ends the sandbox. */
  wait->stuck = TRUE;
  if (identifier != NULL)
    kill (-atoi (identifier), SIGKILL);
  return G_SOURCE_REMOVE;
}

/* No controlling terminal: a prompt is then a denial. */
static void
new_session (gpointer user_data)
{
  setsid ();
}

/* The output as text; the NULs of a /proc file a probe printed become
 * spaces, so that what follows them is still seen. */
static char *
bytes_to_string (GBytes *bytes)
{
  gsize length = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &length) : NULL;
  char *text = g_malloc (length + 1);

  for (gsize i = 0; i < length; i++)
    text[i] = data[i] != '\0' ? data[i] : ' ';
  text[length] = '\0';
  return text;
}

static char **
fixture_environment (Fixture            *fixture,
                     const char * const *extra)
{
  char **env = g_get_environ ();
  g_autofree char *cache = g_build_filename (fixture->base, "cache", NULL);
  g_autofree char *data = g_build_filename (fixture->base, "data", NULL);
  g_autofree char *state = g_build_filename (fixture->base, "state", NULL);

  env = g_environ_setenv (env, "HOME", fixture->home, TRUE);
  env = g_environ_setenv (env, "PADDOCK_SYSCONFDIR", fixture->sysconfdir, TRUE);
  env = g_environ_setenv (env, "XDG_CONFIG_HOME", fixture->config, TRUE);
  env = g_environ_setenv (env, "XDG_CACHE_HOME", cache, TRUE);
  env = g_environ_setenv (env, "XDG_DATA_HOME", data, TRUE);
  env = g_environ_setenv (env, "XDG_STATE_HOME", state, TRUE);
  env = g_environ_setenv (env, "XDG_RUNTIME_DIR", fixture->runtime, TRUE);
  env = g_environ_setenv (env, "GSETTINGS_BACKEND", "memory", TRUE);
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i += 2)
    env = g_environ_setenv (env, extra[i], extra[i + 1], TRUE);
  return env;
}

static void
log_output (const char *what,
            const char *text)
{
  gsize length = strlen (text);

  if (length > 6000)
    g_test_message ("%s (%" G_GSIZE_FORMAT " bytes, the first 6000):\n%.6000s", what, length, text);
  else if (length > 0)
    g_test_message ("%s:\n%s", what, text);
}

/* Runs `paddockctl run OPTIONS… -- COMMAND…` in the workspace, waiting
 * in the main loop, never longer than the watchdog allows. */
static void
run_paddockctl (Fixture            *fixture,
                const RunOptions   *options,
                const char * const *command,
                Run                *run)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = fixture_environment (fixture, options->env);
  g_autofree char *display = NULL;
  const char *workspace = options->workspace ? options->workspace : fixture->workspace;
  Wait wait = { 0 };
  guint watchdog_id;

  g_ptr_array_add (argv, (gpointer) paddockctl_path);
  g_ptr_array_add (argv, (gpointer) "run");
  g_ptr_array_add (argv, (gpointer) "--workspace");
  g_ptr_array_add (argv, (gpointer) workspace);
  for (guint i = 0; options->options != NULL && options->options[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) options->options[i]);
  g_ptr_array_add (argv, (gpointer) "--");
  for (guint i = 0; command[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) command[i]);
  g_ptr_array_add (argv, NULL);

  display = g_strjoinv (" ", (char **) argv->pdata);
  g_test_message ("$ %s", display);

  g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_set_cwd (launcher, workspace);
  g_subprocess_launcher_set_child_setup (launcher, new_session, NULL, NULL);
  if (options->stdin_fd >= 0)
    g_subprocess_launcher_take_stdin_fd (launcher, dup (options->stdin_fd));
  for (guint i = 0; i < options->n_fds; i++)
    g_subprocess_launcher_take_fd (launcher, dup (options->fds[2 * i]), options->fds[2 * i + 1]);

  wait.process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &wait.error);
  g_assert_no_error (wait.error);
  if (wait.process == NULL)
    {
      run->status = -1;
      run->out = g_strdup ("");
      run->err = g_strdup ("");
      return;
    }

  watchdog_id = g_timeout_add_seconds (WATCHDOG_SECONDS, watchdog, &wait);
  g_subprocess_communicate_async (wait.process, NULL, NULL, communicated, &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  if (!wait.stuck)
    g_source_remove (watchdog_id);
  g_assert_no_error (wait.error);
  g_clear_error (&wait.error);

  if (!g_subprocess_get_if_exited (wait.process))
    g_subprocess_wait (wait.process, NULL, NULL);
  if (wait.stuck)
    run->status = -1;
  else if (g_subprocess_get_if_exited (wait.process))
    run->status = g_subprocess_get_exit_status (wait.process);
  else
    run->status = 128 + g_subprocess_get_term_sig (wait.process);
  run->out = bytes_to_string (wait.out);
  run->err = bytes_to_string (wait.err);

  g_test_message ("exit status %d", run->status);
  log_output ("stdout", run->out);
  log_output ("stderr", run->err);
  g_assert_false (wait.stuck);

  g_clear_pointer (&wait.out, g_bytes_unref);
  g_clear_pointer (&wait.err, g_bytes_unref);
  g_clear_object (&wait.process);
}

/* `paddockctl run -- sh probes/SCRIPT ARG…` */
static void
probe_with_options (Fixture          *fixture,
                    const RunOptions *options,
                    Run              *run,
                    const char       *script,
                    ...)
{
  g_autoptr(GPtrArray) command = g_ptr_array_new_with_free_func (g_free);
  const char *arg;
  va_list args;

  g_ptr_array_add (command, g_strdup ("sh"));
  g_ptr_array_add (command, g_build_filename (probes_dir, script, NULL));
  va_start (args, script);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (command, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (command, NULL);

  run_paddockctl (fixture, options, (const char * const *) command->pdata, run);
}

#define probe(fixture, run, ...) \
  G_STMT_START { \
    RunOptions _options = RUN_OPTIONS_INIT; \
    probe_with_options ((fixture), &_options, (run), __VA_ARGS__, NULL); \
  } G_STMT_END

/* Reading what the probes said */

static gboolean
has_line (const char *text,
          const char *line)
{
  gsize length = strlen (line);

  for (const char *at = text; (at = strstr (at, line)) != NULL; at += length)
    if ((at == text || at[-1] == '\n') && (at[length] == '\n' || at[length] == '\0'))
      return TRUE;
  return FALSE;
}

/* A line that starts with @prefix and goes on with nothing, or with a
 * space ("blocked (EPERM)"). */
static gboolean
has_line_starting (const char *text,
                   const char *prefix)
{
  gsize length = strlen (prefix);

  for (const char *at = text; (at = strstr (at, prefix)) != NULL; at += length)
    if ((at == text || at[-1] == '\n') && (at[length] == '\n' || at[length] == '\0' || at[length] == ' '))
      return TRUE;
  return FALSE;
}

/* The labels of the lines "KIND label: …". */
static GPtrArray *
labels_of (const char *text,
           const char *kind)
{
  GPtrArray *labels = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *prefix = g_strconcat (kind, " ", NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *colon;

      if (!g_str_has_prefix (lines[i], prefix) || (colon = strstr (lines[i], ": ")) == NULL)
        continue;
      g_ptr_array_add (labels, g_strndup (lines[i] + strlen (prefix), colon - lines[i] - strlen (prefix)));
    }
  return labels;
}

static void
assert_attack_blocked (const Run  *run,
                       const char *label)
{
  g_autofree char *blocked = g_strdup_printf ("ATTACK %s: blocked", label);
  g_autofree char *succeeded = g_strdup_printf ("ATTACK %s: SUCCEEDED", label);

  if (has_line_starting (run->out, succeeded))
    g_test_message ("HOLE: the attack “%s” succeeded", label);
  g_assert_false (has_line_starting (run->out, succeeded));
  g_assert_true (has_line_starting (run->out, blocked));
}

static void
assert_control_ok (const Run  *run,
                   const char *label)
{
  g_autofree char *ok = g_strdup_printf ("CONTROL %s: ok", label);

  if (!has_line (run->out, ok))
    g_test_message ("the control “%s” did not succeed", label);
  g_assert_true (has_line (run->out, ok));
}

/* The probe ran to its end; each of @attacks was blocked and each of
 * @controls succeeded, and the script reported nothing else. */
static void
assert_probe (const Run          *run,
              const char * const *attacks,
              const char * const *controls)
{
  g_autoptr(GPtrArray) attack_labels = labels_of (run->out, "ATTACK");
  g_autoptr(GPtrArray) control_labels = labels_of (run->out, "CONTROL");

  g_assert_cmpint (run->status, ==, 0);
  g_assert_true (has_line (run->out, "DONE"));

  for (guint i = 0; attacks != NULL && attacks[i] != NULL; i++)
    assert_attack_blocked (run, attacks[i]);
  for (guint i = 0; controls != NULL && controls[i] != NULL; i++)
    assert_control_ok (run, controls[i]);

  /* Every line the script printed is one the test expects. */
  for (guint i = 0; i < attack_labels->len; i++)
    g_assert_true (attacks != NULL &&
                   g_strv_contains (attacks, g_ptr_array_index (attack_labels, i)));
  for (guint i = 0; i < control_labels->len; i++)
    g_assert_true (controls != NULL &&
                   g_strv_contains (controls, g_ptr_array_index (control_labels, i)));
  g_assert_cmpuint (control_labels->len, >, 0);
}

static void
assert_no_secret (Fixture   *fixture,
                  const Run *run)
{
  g_assert_null (strstr (run->out, fixture->secret));
  g_assert_null (strstr (run->err, fixture->secret));
}

static void
assert_file_contents (const char *path,
                      const char *expected)
{
  g_autofree char *contents = read_file (path);

  g_assert_cmpstr (contents, ==, expected);
}

static void
assert_no_litter (Fixture *fixture)
{
  for (guint i = 0; i < fixture->litter->len; i++)
    {
      const char *path = g_ptr_array_index (fixture->litter, i);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        g_test_message ("HOLE: %s exists on the host", path);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
}

/* Sockets on the host */

static int
listen_unix (const char *address)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  socklen_t length = sizeof addr;
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpuint (strlen (address), <, sizeof addr.sun_path);
  memcpy (addr.sun_path, address, strlen (address));
  if (address[0] == '@')
    {
      addr.sun_path[0] = '\0';
      length = offsetof (struct sockaddr_un, sun_path) + strlen (address);
    }
  if (bind (fd, (struct sockaddr *) &addr, length) != 0 || listen (fd, 8) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static int
listen_inet (int  type,
             int *port)
{
  struct sockaddr_in addr = { .sin_family = AF_INET };
  socklen_t length = sizeof addr;
  int fd = socket (AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (fd, >=, 0);
  g_assert_no_errno (bind (fd, (struct sockaddr *) &addr, sizeof addr));
  if (type == SOCK_STREAM)
    g_assert_no_errno (listen (fd, 8));
  g_assert_no_errno (getsockname (fd, (struct sockaddr *) &addr, &length));
  *port = ntohs (addr.sin_port);
  return fd;
}

/* Nobody connected to the listening socket @fd. */
static void
assert_no_connection (int         fd,
                      const char *what)
{
  int client = accept4 (fd, NULL, NULL, SOCK_CLOEXEC);

  if (client >= 0)
    {
      g_test_message ("HOLE: something in the sandbox connected to %s", what);
      close (client);
    }
  else
    g_assert_cmpint (errno, ==, EAGAIN);
  g_assert_cmpint (client, <, 0);
}

/* The tests */

static void
test_write_outside (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const attacks[] = {
    "append-beside-workspace", "truncate-beside-workspace", "remove-beside-workspace",
    "rename-beside-workspace", "chmod-beside-workspace", "touch-beside-workspace",
    "create-beside-workspace", "rename-workspace", "append-bashrc", "create-profile",
    "create-autostart", "create-in-etc", "create-in-usr-local", "create-in-root", NULL,
  };
  static const char * const controls[] = {
    "write-workspace", "write-workspace-subfolder", "read-bashrc", "write-private-tmp",
    "write-private-var-tmp", "write-private-dev-shm", NULL,
  };
  g_autofree char *outside_file = g_build_filename (fixture->outside, "outside.txt", NULL);
  g_autofree char *home_before = snapshot (fixture->home);
  g_autofree char *outside_before = snapshot (fixture->outside);
  g_autofree char *home_after = NULL;
  g_autofree char *outside_after = NULL;
  g_autofree char *notes = g_build_filename (fixture->workspace, "notes.txt", NULL);
  g_autofree char *deep = g_build_filename (fixture->workspace, "src", "deep", "file.c", NULL);
  g_auto(Run) run = { 0 };

  probe (fixture, &run, "write-outside.sh", outside_file, fixture->outside, fixture->home, fixture->mark);
  assert_probe (&run, attacks, controls);

  home_after = snapshot (fixture->home);
  outside_after = snapshot (fixture->outside);
  g_assert_cmpstr (home_after, ==, home_before);
  g_assert_cmpstr (outside_after, ==, outside_before);
  /* The private /tmp, /var/tmp and /dev/shm took the writes; the host's
   * did not. */
  assert_no_litter (fixture);
  assert_file_contents (notes, "written\n");
  assert_file_contents (deep, "written\n");
}

static void
test_read_only_sandbox (Fixture       *fixture,
                        gconstpointer  data)
{
  static const char * const attacks[] = { "write-workspace", "create-in-workspace", "remove-in-workspace", NULL };
  static const char * const controls[] = { "read-workspace", "write-private-tmp", NULL };
  static const char * const read_only[] = { "--sandbox", "read-only", NULL };
  g_autofree char *before = snapshot (fixture->workspace);
  g_autofree char *after = NULL;
  RunOptions options = RUN_OPTIONS_INIT;
  g_auto(Run) run = { 0 };

  options.options = read_only;
  probe_with_options (fixture, &options, &run, "read-only.sh", NULL);
  assert_probe (&run, attacks, controls);
  after = snapshot (fixture->workspace);
  g_assert_cmpstr (after, ==, before);
}

static const char * const protected_names[] = {
  ".git", ".paddock", ".envrc", ".vscode", ".idea", ".husky", ".mcp.json", ".gitmodules", ".github/workflows", NULL,
};

static void
make_git_dir (const char *dir)
{
  g_free (write_file (dir, "HEAD", "ref: refs/heads/main\n", 0644));
  g_free (write_file (dir, "config", "[core]\n\trepositoryformatversion = 0\n\tbare = false\n", 0644));
  g_free (write_file (dir, "hooks/pre-commit.sample", "#!/bin/sh\n", 0644));
  g_free (write_file (dir, "info/exclude", "", 0644));
  make_dir (dir, "objects");
  make_dir (dir, "refs/heads");
}

static void
test_protected_existing (Fixture       *fixture,
                         gconstpointer  data)
{
  static const char * const attacks[] = {
    "git-config", "git-config-by-git", "git-head", "git-hooks-create", "git-hooks-chmod",
    "git-hooks-remove", "git-commondir", "git-info-attributes", "git-remove", "git-rename",
    "paddock-policy", "paddock-create", "envrc-append", "envrc-remove", "envrc-rename",
    "envrc-chmod", "vscode-settings", "vscode-tasks-create", "vscode-rename", "idea-workspace",
    "husky-pre-commit", "husky-create", "mcp-json", "mcp-json-rename", "gitmodules",
    "workflows-append", "workflows-create", "workflows-rename", NULL,
  };
  static const char * const controls[] = {
    "write-source", "write-github-readme", "read-git-config", "git-reads-repository", NULL,
  };
  g_autofree char *git = g_build_filename (fixture->workspace, ".git", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_auto(Run) run = { 0 };

  make_git_dir (git);
  g_free (write_file (fixture->workspace, ".paddock/policy.json", "{}\n", 0644));
  g_free (write_file (fixture->workspace, ".envrc", "export A=1\n", 0644));
  g_free (write_file (fixture->workspace, ".vscode/settings.json", "{}\n", 0644));
  g_free (write_file (fixture->workspace, ".idea/workspace.xml", "<project/>\n", 0644));
  g_free (write_file (fixture->workspace, ".husky/pre-commit", "npm test\n", 0755));
  g_free (write_file (fixture->workspace, ".mcp.json", "{}\n", 0644));
  g_free (write_file (fixture->workspace, ".gitmodules", "", 0644));
  g_free (write_file (fixture->workspace, ".github/workflows/ci.yml", "on: push\n", 0644));
  before = snapshot_paths (fixture->workspace, protected_names);

  probe (fixture, &run, "protected-existing.sh");
  assert_probe (&run, attacks, controls);

  after = snapshot_paths (fixture->workspace, protected_names);
  g_assert_cmpstr (after, ==, before);
}

static void
test_protected_absent (Fixture       *fixture,
                       gconstpointer  data)
{
  static const char * const attacks[] = {
    "git-mkdir", "git-init", "git-config", "git-file", "paddock-create", "envrc-create",
    "envrc-remove-placeholder", "vscode-tasks", "idea-create", "husky-create",
    "mcp-json-create", "gitmodules-create", "workflows-create", NULL,
  };
  static const char * const controls[] = { "write-source", "write-dotfile", NULL };
  static const char * const tops[] = {
    ".git", ".paddock", ".envrc", ".vscode", ".idea", ".husky", ".mcp.json", ".gitmodules", ".github", NULL,
  };
  g_autofree char *main_c = g_build_filename (fixture->workspace, "src", "main.c", NULL);
  g_auto(Run) run = { 0 };

  probe (fixture, &run, "protected-absent.sh");
  assert_probe (&run, attacks, controls);

  /* Nothing created, and the placeholders that kept the names are gone. */
  for (guint i = 0; tops[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (fixture->workspace, tops[i], NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        g_test_message ("%s exists after the run", path);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
  assert_file_contents (main_c, "int main;\n");
}

static void
test_protected_nested (Fixture       *fixture,
                       gconstpointer  data)
{
  static const char * const attacks[] = {
    "nested-git-config", "nested-git-hook", "nested-git-remove", "nested-envrc", "nested-vscode", NULL,
  };
  static const char * const controls[] = { "write-vendored-source", "write-subproject", NULL };
  static const char * const nested[] = { "vendor/lib/.git", "sub/.envrc", "sub/.vscode", NULL };
  g_autofree char *git = g_build_filename (fixture->workspace, "vendor", "lib", ".git", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_auto(Run) run = { 0 };

  make_git_dir (git);
  g_free (write_file (fixture->workspace, "sub/.envrc", "export A=1\n", 0644));
  g_free (write_file (fixture->workspace, "sub/.vscode/settings.json", "{}\n", 0644));
  before = snapshot_paths (fixture->workspace, nested);

  probe (fixture, &run, "protected-nested.sh");
  assert_probe (&run, attacks, controls);

  after = snapshot_paths (fixture->workspace, nested);
  g_assert_cmpstr (after, ==, before);
}

static void
test_protected_gitdir_file (Fixture       *fixture,
                            gconstpointer  data)
{
  static const char * const attacks[] = {
    "rewrite-gitdir-file", "append-gitdir-file", "remove-gitdir-file", "gitdir-config",
    "gitdir-hooks", "gitdir-commondir", NULL,
  };
  static const char * const controls[] = { "read-gitdir-file", "write-source", NULL };
  g_autofree char *gitdir = g_build_filename (fixture->outside, "repo.git", "worktrees", "ws", NULL);
  g_autofree char *pointer = g_strdup_printf ("gitdir: %s\n", gitdir);
  g_autofree char *dot_git = g_build_filename (fixture->workspace, ".git", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_auto(Run) run = { 0 };

  /* A linked worktree: .git is a file naming the real git folder. */
  make_git_dir (gitdir);
  g_free (write_file (fixture->workspace, ".git", pointer, 0644));
  before = snapshot (fixture->outside);

  probe (fixture, &run, "gitdir-file.sh", gitdir);
  assert_probe (&run, attacks, controls);

  assert_file_contents (dot_git, pointer);
  after = snapshot (fixture->outside);
  g_assert_cmpstr (after, ==, before);
}

/* The same, with the git folder inside the workspace under another
 * name: git on the host would honour its config and hooks. */
static void
test_protected_gitdir_inside (Fixture       *fixture,
                              gconstpointer  data)
{
  static const char * const attacks[] = {
    "rewrite-gitdir-file", "append-gitdir-file", "remove-gitdir-file", "gitdir-config",
    "gitdir-hooks", "gitdir-commondir", NULL,
  };
  static const char * const controls[] = { "read-gitdir-file", "write-source", NULL };
  g_autofree char *gitdir = g_build_filename (fixture->workspace, "store", "repo-git", NULL);
  g_autofree char *dot_git = g_build_filename (fixture->workspace, ".git", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_auto(Run) run = { 0 };

  make_git_dir (gitdir);
  g_free (write_file (fixture->workspace, ".git", "gitdir: store/repo-git\n", 0644));
  before = snapshot (gitdir);

  probe (fixture, &run, "gitdir-file.sh", gitdir);
  assert_probe (&run, attacks, controls);

  assert_file_contents (dot_git, "gitdir: store/repo-git\n");
  after = snapshot (gitdir);
  g_assert_cmpstr (after, ==, before);
}

/* A protected path is kept by a mount at that path; the folder that
 * holds it, when it is not the writable root itself, can be renamed
 * with the mount inside, and a new folder put in its place. */
static void
run_rename_parent (Fixture    *fixture,
                   const char *which,
                   const char *attack,
                   const char *path)
{
  const char * const attacks[] = { attack, NULL };
  static const char * const controls[] = { "write-source", NULL };
  const char * const paths[] = { path, NULL };
  g_autofree char *git = g_build_filename (fixture->workspace, "vendor", "lib", ".git", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_auto(Run) run = { 0 };

  make_git_dir (git);
  g_free (write_file (fixture->workspace, ".github/workflows/ci.yml", "on: push\n", 0644));
  before = snapshot_paths (fixture->workspace, paths);

  probe (fixture, &run, "protected-rename.sh", which);
  assert_probe (&run, attacks, controls);

  after = snapshot_paths (fixture->workspace, paths);
  g_assert_cmpstr (after, ==, before);
}

static void
test_protected_rename_workflows_parent (Fixture       *fixture,
                                        gconstpointer  data)
{
  run_rename_parent (fixture, "workflows", "workflows-by-renaming-parent", ".github/workflows/ci.yml");
}

/* The post-run report names vendor/lib-old/.git as created; the changed
 * vendor/lib/.git, where git will look, goes unmentioned. */
static void
test_protected_rename_nested_git_parent (Fixture       *fixture,
                                         gconstpointer  data)
{
  run_rename_parent (fixture, "nested-git", "nested-git-by-renaming-parent", "vendor/lib/.git/config");
}

/* The walk that finds nested protected names and hard-linked files
 * stops after SCAN_MAX_ENTRIES (200 000) entries and the run goes on. A
 * node_modules can hold that many; an attacker can make them in a first
 * run. Past the limit, nothing is kept read-only. */
#define SCAN_LIMIT_ENTRIES 200001

static void
test_protected_scan_limit (Fixture       *fixture,
                           gconstpointer  data)
{
  static const char * const attacks[] = { "nested-git-past-the-walk", "hard-link-past-the-walk", NULL };
  static const char * const controls[] = { "write-source", NULL };
  g_autofree char *shm = NULL;
  g_autofree char *workspace = NULL;
  g_autofree char *git = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *linked = NULL;
  g_autofree char *git_config = NULL;
  g_autofree char *config_before = NULL;
  RunOptions options = RUN_OPTIONS_INIT;
  g_auto(Run) run = { 0 };
  int dir_fd;

  /* Two hundred thousand files take a second or two on tmpfs and can
   * take a minute on a disk: /dev/shm when it can be had. */
  if (access ("/dev/shm", W_OK) == 0)
    shm = g_mkdtemp (g_strdup ("/dev/shm/paddock-attacks-XXXXXX"));
  if (shm == NULL && !g_test_slow ())
    {
      g_test_skip ("no writable /dev/shm; run with -m slow to make the files on disk");
      return;
    }
  if (shm == NULL)
    shm = g_build_filename (fixture->base, "big", NULL);
  g_ptr_array_add (fixture->litter, g_strdup (shm));

  workspace = g_build_filename (shm, "workspace", NULL);
  git = g_build_filename (workspace, "vendor", "lib", ".git", NULL);
  make_git_dir (git);
  git_config = g_build_filename (git, "config", NULL);
  config_before = read_file (git_config);
  stored = write_file (shm, "store/pkg/index.js", "module.exports = 1;\n", 0644);
  linked = g_build_filename (workspace, "node_modules", "pkg", "index.js", NULL);
  make_dir (workspace, "node_modules/pkg");
  g_assert_no_errno (link (stored, linked));

  /* At the top: the walk counts a folder's entries before it enters
   * any of its subfolders. */
  dir_fd = open (workspace, O_PATH | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (dir_fd, >=, 0);
  for (guint i = 0; i < SCAN_LIMIT_ENTRIES; i++)
    {
      char name[32];
      int fd;

      g_snprintf (name, sizeof name, "file-%06u", i);
      fd = openat (dir_fd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
      g_assert_cmpint (fd, >=, 0);
      close (fd);
    }
  close (dir_fd);

  options.workspace = workspace;
  probe_with_options (fixture, &options, &run, "scan-limit.sh", NULL);
  assert_probe (&run, attacks, controls);
  assert_file_contents (git_config, config_before);
  assert_file_contents (stored, "module.exports = 1;\n");
}

/* The first run takes the read permission from two folders; the second
 * writes to a vendored repository and a hard link inside them. */
static void
test_protected_unreadable_folder (Fixture       *fixture,
                                  gconstpointer  data)
{
  static const char * const first_controls[] = { "hide-folders", "write-source", NULL };
  static const char * const attacks[] = { "nested-git-in-unreadable-folder", "hard-link-in-unreadable-folder", NULL };
  static const char * const controls[] = { "write-source", NULL };
  g_autofree char *git = g_build_filename (fixture->workspace, "vendor", "lib", ".git", NULL);
  g_autofree char *git_config = g_build_filename (git, "config", NULL);
  g_autofree char *store = g_build_filename (fixture->base, "pnpm-store", NULL);
  g_autofree char *stored = write_file (store, "pkg.js", "module.exports = 1;\n", 0644);
  g_autofree char *linked = g_build_filename (fixture->workspace, "store", "linked.txt", NULL);
  g_autofree char *config_before = NULL;
  g_auto(Run) first = { 0 };
  g_auto(Run) second = { 0 };

  make_git_dir (git);
  config_before = read_file (git_config);
  make_dir (fixture->workspace, "store");
  g_assert_no_errno (link (stored, linked));

  probe (fixture, &first, "unreadable-folder.sh", "1");
  assert_probe (&first, NULL, first_controls);
  probe (fixture, &second, "unreadable-folder.sh", "2");
  assert_probe (&second, attacks, controls);

  /* Root reads every folder whatever its mode, so the sandbox sees them
   * when root runs it; a user's sandbox must see them too. The second
   * control (the path exists) holds for both. */
  assert_file_contents (git_config, config_before);
  assert_file_contents (stored, "module.exports = 1;\n");
}

static void
test_symlink_planted (Fixture       *fixture,
                      gconstpointer  data)
{
  static const char * const attacks[] = {
    "create-through-etc-link", "append-through-home-link", "create-through-home-link",
    "read-key-through-home-link", "read-key-through-file-link", "append-through-outside-file-link",
    "replace-link-target", NULL,
  };
  static const char * const controls[] = {
    "read-through-etc-link", "read-bashrc-through-home-link", "write-through-inner-link", NULL,
  };
  g_autofree char *key = g_build_filename (fixture->home, ".ssh", "id_ed25519", NULL);
  g_autofree char *outside_file = g_build_filename (fixture->outside, "outside.txt", NULL);
  g_autofree char *home_before = snapshot (fixture->home);
  g_autofree char *outside_before = snapshot (fixture->outside);
  g_autofree char *home_after = NULL;
  g_autofree char *outside_after = NULL;
  g_autofree char *inner = g_build_filename (fixture->workspace, "inner.txt", NULL);
  struct
  {
    const char *name;
    const char *target;
  } links[] = {
    { "etc-link", "/etc" },
    { "home-link", fixture->home },
    { "key-link", key },
    { "outside-link", outside_file },
    { "inner-link", "inner.txt" },
  };
  g_auto(Run) run = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    {
      g_autofree char *path = g_build_filename (fixture->workspace, links[i].name, NULL);

      g_assert_no_errno (symlink (links[i].target, path));
    }

  probe (fixture, &run, "symlink-planted.sh", fixture->mark);
  assert_probe (&run, attacks, controls);
  assert_no_secret (fixture, &run);

  home_after = snapshot (fixture->home);
  outside_after = snapshot (fixture->outside);
  g_assert_cmpstr (home_after, ==, home_before);
  g_assert_cmpstr (outside_after, ==, outside_before);
  assert_no_litter (fixture);
  assert_file_contents (inner, "PADDOCK-ATTACK\n");
}

static void
test_symlink_created (Fixture       *fixture,
                      gconstpointer  data)
{
  static const char * const attacks[] = {
    "append-through-made-home-link", "create-through-made-etc-link",
    "create-through-made-outside-link", "read-through-made-key-link", NULL,
  };
  static const char * const controls[] = { "make-inner-link", "write-through-made-inner-link", NULL };
  g_autofree char *home_before = snapshot (fixture->home);
  g_autofree char *outside_before = snapshot (fixture->outside);
  g_autofree char *home_after = NULL;
  g_autofree char *outside_after = NULL;
  g_auto(Run) run = { 0 };
  g_auto(Run) again = { 0 };

  probe (fixture, &run, "symlink-created.sh", fixture->home, fixture->outside, fixture->mark);
  assert_probe (&run, attacks, controls);
  assert_no_secret (fixture, &run);

  /* The links stay in the workspace; the next run, which finds them
   * there, must not go through them either. */
  probe (fixture, &again, "symlink-created.sh", fixture->home, fixture->outside, fixture->mark);
  assert_probe (&again, attacks, controls);
  assert_no_secret (fixture, &again);
  home_after = snapshot (fixture->home);
  outside_after = snapshot (fixture->outside);
  g_assert_cmpstr (home_after, ==, home_before);
  g_assert_cmpstr (outside_after, ==, outside_before);
  assert_no_litter (fixture);
}

/* A protected name that is a symbolic link out of the workspace cannot
 * be kept read-only: the run is refused, not run without it. */
static void
test_symlink_protected_name (Fixture       *fixture,
                             gconstpointer  data)
{
  static const char * const controls[] = { "write-notes", "read-source", NULL };
  g_autofree char *target = g_build_filename (fixture->home, ".config", "Code", "User", NULL);
  g_autofree char *settings = write_file (target, "settings.json", "{}\n", 0644);
  g_autofree char *vscode = g_build_filename (fixture->workspace, ".vscode", NULL);
  g_autofree char *before = snapshot (fixture->home);
  g_autofree char *after = NULL;
  g_auto(Run) refused = { 0 };
  g_auto(Run) run = { 0 };

  g_assert_no_errno (symlink (target, vscode));
  probe (fixture, &refused, "harmless.sh");
  g_assert_cmpint (refused.status, ==, 125);
  g_assert_nonnull (strstr (refused.err, "symbolic link"));
  g_assert_null (strstr (refused.out, "CONTROL"));
  after = snapshot (fixture->home);
  g_assert_cmpstr (after, ==, before);

  /* The control: the same workspace with a real folder runs. */
  g_assert_no_errno (g_unlink (vscode));
  g_assert_no_errno (g_mkdir (vscode, 0755));
  probe (fixture, &run, "harmless.sh");
  assert_probe (&run, NULL, controls);
}

static void
test_hardlink_planted (Fixture       *fixture,
                       gconstpointer  data)
{
  static const char * const attacks[] = {
    "append-hard-link", "truncate-hard-link", "append-deep-hard-link", "append-bashrc-hard-link",
    "chmod-hard-link", NULL,
  };
  static const char * const controls[] = { "read-hard-link", "write-own-file", NULL };
  g_autofree char *outside_file = g_build_filename (fixture->outside, "outside.txt", NULL);
  g_autofree char *bashrc = g_build_filename (fixture->home, ".bashrc", NULL);
  g_autofree char *linked = g_build_filename (fixture->workspace, "linked.txt", NULL);
  g_autofree char *deep = g_build_filename (fixture->workspace, "deep", "er", "linked.txt", NULL);
  g_autofree char *bashrc_link = g_build_filename (fixture->workspace, "bashrc-link", NULL);
  g_autofree char *own = g_build_filename (fixture->workspace, "own.txt", NULL);
  g_autofree char *home_before = NULL;
  g_autofree char *outside_before = NULL;
  g_autofree char *home_after = NULL;
  g_autofree char *outside_after = NULL;
  g_auto(Run) run = { 0 };

  /* Same filesystem: the workspace and the files are under one base. */
  make_dir (fixture->workspace, "deep/er");
  g_assert_no_errno (link (outside_file, linked));
  g_assert_no_errno (link (outside_file, deep));
  g_assert_no_errno (link (bashrc, bashrc_link));
  home_before = snapshot (fixture->home);
  outside_before = snapshot (fixture->outside);

  probe (fixture, &run, "hardlink-planted.sh");
  assert_probe (&run, attacks, controls);

  home_after = snapshot (fixture->home);
  outside_after = snapshot (fixture->outside);
  g_assert_cmpstr (home_after, ==, home_before);
  g_assert_cmpstr (outside_after, ==, outside_before);
  assert_file_contents (own, "PADDOCK-ATTACK\n");
}

static void
test_hardlink_created (Fixture       *fixture,
                       gconstpointer  data)
{
  static const char * const attacks[] = {
    "link-bashrc", "link-outside-file", "link-etc-passwd", "write-made-bashrc-link", NULL,
  };
  static const char * const controls[] = { "link-inside", "make-inner-hard-link", "write-inner-hard-link", NULL };
  g_autofree char *outside_file = g_build_filename (fixture->outside, "outside.txt", NULL);
  g_autofree char *home_before = snapshot (fixture->home);
  g_autofree char *outside_before = snapshot (fixture->outside);
  g_autofree char *home_after = NULL;
  g_autofree char *outside_after = NULL;
  g_auto(Run) run = { 0 };

  probe (fixture, &run, "hardlink-created.sh", fixture->home, outside_file);
  assert_probe (&run, attacks, controls);

  home_after = snapshot (fixture->home);
  outside_after = snapshot (fixture->outside);
  g_assert_cmpstr (home_after, ==, home_before);
  g_assert_cmpstr (outside_after, ==, outside_before);
}

static void
test_read_deny_read (Fixture       *fixture,
                     gconstpointer  data)
{
  static const char * const attacks[] = {
    "read-ssh-key", "list-ssh", "read-aws-credentials", "read-netrc", "read-gh-hosts", "read-gnupg",
    "read-keyring", "read-through-proc-root", "grep-home", "write-authorized-keys", NULL,
  };
  static const char * const controls[] = { "read-bashrc", "read-home-notes", NULL };
  g_autofree char *home_before = snapshot (fixture->home);
  g_autofree char *home_after = NULL;
  g_auto(Run) run = { 0 };

  probe (fixture, &run, "read-hidden.sh", fixture->home);
  assert_probe (&run, attacks, controls);
  assert_no_secret (fixture, &run);
  g_assert_nonnull (strstr (run.out, "PADDOCK-BASHRC-ORIGINAL"));

  home_after = snapshot (fixture->home);
  g_assert_cmpstr (home_after, ==, home_before);
}

/* The workspace is the home folder itself, as when an agent is started
 * in ~: the writable workspace is mounted over the home folder, and what
 * deny_read hid in it must stay hidden. */
static void
run_hidden_in_workspace (Fixture            *fixture,
                         const char * const *hidden)
{
  static const char * const attacks[] = {
    "read-ssh-key", "write-ssh-authorized-keys", "read-netrc", "write-netrc", "read-npmrc", "write-npmrc", NULL,
  };
  static const char * const controls[] = { "read-bashrc", "write-notes", NULL };
  static const char * const all_hidden[] = { ".ssh", ".netrc", ".npmrc", NULL };
  g_autofree char *home = g_build_filename (fixture->base, "home-workspace", NULL);
  const char * const env[] = { "HOME", home, NULL };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  RunOptions options = RUN_OPTIONS_INIT;
  g_auto(Run) run = { 0 };

  g_free (write_file (home, ".bashrc", "# PADDOCK-BASHRC-ORIGINAL\n", 0644));
  for (guint i = 0; hidden[i] != NULL; i++)
    {
      g_autofree char *contents = g_strdup_printf ("%s %s\n", fixture->secret, hidden[i]);

      g_free (write_file (home, hidden[i], contents, 0600));
    }
  before = snapshot_paths (home, all_hidden);

  options.env = env;
  options.workspace = home;
  probe_with_options (fixture, &options, &run, "read-hidden-in-workspace.sh", NULL);
  assert_probe (&run, attacks, controls);
  assert_no_secret (fixture, &run);

  after = snapshot_paths (home, all_hidden);
  g_assert_cmpstr (after, ==, before);
}

static void
test_read_hidden_file_in_workspace (Fixture       *fixture,
                                    gconstpointer  data)
{
  static const char * const hidden[] = { ".netrc", ".npmrc", NULL };

  run_hidden_in_workspace (fixture, hidden);
}

static void
test_read_hidden_folder_in_workspace (Fixture       *fixture,
                                      gconstpointer  data)
{
  static const char * const hidden[] = { ".ssh/id_ed25519", NULL };

  run_hidden_in_workspace (fixture, hidden);
}

static void
test_read_other_users (Fixture       *fixture,
                       gconstpointer  data)
{
  static const char * const controls[] = { "read-etc-passwd", "write-source", NULL };
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) attacks = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) command = g_ptr_array_new ();
  RunOptions options = RUN_OPTIONS_INIT;
  g_auto(Run) run = { 0 };

  if (getuid () == 0)
    {
      /* Root in the sandbox is root on the host (uid 0 maps to itself)
       * without capabilities: files of another user stay closed to it,
       * but root's own files, /etc/shadow included, are its own. */
      struct passwd *nobody = getpwnam ("nobody");

      g_assert_nonnull (nobody);
      g_ptr_array_add (files, write_file (fixture->outside, "other/nobody-secret", fixture->secret, 0600));
      g_ptr_array_add (files, write_file (fixture->workspace, "other/nobody-in-workspace", fixture->secret, 0600));
      for (guint i = 0; i < files->len; i++)
        g_assert_no_errno (chown (g_ptr_array_index (files, i), nobody->pw_uid, nobody->pw_gid));
    }
  else
    {
      /* A user cannot make a file of another user: take root's. */
      static const char * const root_files[] = { "/etc/shadow", "/etc/gshadow", NULL };

      for (guint i = 0; root_files[i] != NULL; i++)
        if (g_file_test (root_files[i], G_FILE_TEST_EXISTS) && access (root_files[i], R_OK) != 0)
          g_ptr_array_add (files, g_strdup (root_files[i]));
      g_assert_cmpuint (files->len, >, 0);
    }

  g_ptr_array_add (command, (gpointer) "sh");
  g_ptr_array_add (command, g_build_filename (probes_dir, "read-other-user.sh", NULL));
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *name = g_path_get_basename (g_ptr_array_index (files, i));

      g_ptr_array_add (command, g_ptr_array_index (files, i));
      g_ptr_array_add (attacks, g_strdup_printf ("read-%s", name));
    }
  g_ptr_array_add (command, NULL);
  g_ptr_array_add (attacks, NULL);

  run_paddockctl (fixture, &options, (const char * const *) command->pdata, &run);
  g_free (g_ptr_array_index (command, 1));
  assert_probe (&run, (const char * const *) attacks->pdata, controls);
  assert_no_secret (fixture, &run);
  g_assert_null (strstr (run.out, "root:"));
}

static void
test_proc_host_pid (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const attacks[] = {
    "host-cmdline", "host-environ", "host-cwd", "host-root", "host-fd", "host-listed", NULL,
  };
  static const char * const controls[] = { "own-cmdline", "own-status", "sandbox-init", NULL };
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  g_auto(Run) run = { 0 };

  probe (fixture, &run, "proc-host.sh", pid);
  assert_probe (&run, attacks, controls);
  g_assert_null (strstr (run.out, test_program_name));
}

static gboolean
process_is_running (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *contents = read_file (path);
  const char *close_paren = contents ? strrchr (contents, ')') : NULL;

  /* "pid (comm) STATE …": a zombie has died. */
  return close_paren != NULL && close_paren[1] == ' ' && close_paren[2] != 'Z';
}

static void
test_proc_kill_ptrace (Fixture       *fixture,
                       gconstpointer  data)
{
  static const char * const attacks[] = {
    "kill-probe", "kill-term", "kill-kill", "ptrace-attach", "ptrace-seize",
    "strace-attach", "process-vm-readv", NULL,
  };
  static const char * const controls[] = { "kill-own-child", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) victim = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "sleep", "60", NULL);
  g_autofree char *pid = NULL;
  g_auto(Run) run = { 0 };

  g_assert_no_error (error);
  pid = g_strdup (g_subprocess_get_identifier (victim));
  g_assert_true (process_is_running (atoi (pid)));

  probe (fixture, &run, "kill-ptrace.sh", pid, try_syscall_path);
  assert_probe (&run, attacks, controls);

  if (!process_is_running (atoi (pid)))
    g_test_message ("HOLE: the host process %s died", pid);
  g_assert_true (process_is_running (atoi (pid)));
  g_subprocess_force_exit (victim);
  g_subprocess_wait (victim, NULL, NULL);
}

static void
test_proc_self_exe (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const attacks[] = {
    "open-self-exe", "open-shell-exe", "open-init-exe", "open-shell-binary", "copy-over-self-exe", NULL,
  };
  static const char * const controls[] = { "read-self-exe", "readlink-init-exe", NULL };
  g_auto(Run) run = { 0 };

  probe (fixture, &run, "proc-exe.sh");
  assert_probe (&run, attacks, controls);
}

static void
test_nested_userns (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const attacks[] = {
    "unshare-r", "unshare-U", "unshare-mount", "unshare-net", "unshare-pid", "nested-bwrap", "clone-newuser", NULL,
  };
  static const char * const controls[] = { "clone-plain", "run-program", NULL };
  g_auto(Run) run = { 0 };

  probe (fixture, &run, "userns.sh", try_syscall_path);
  assert_probe (&run, attacks, controls);
}

/* try-syscall's names, from its usage message. */
static GStrv
try_syscall_names (void)
{
  const char *argv[] = { try_syscall_path, NULL };
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  char *names;

  /* It exits 2 after the usage: no status to check. */
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, NULL, &error);
  g_assert_no_error (error);
  names = err ? strstr (err, "Names:") : NULL;
  g_assert_nonnull (names);
  if (names == NULL)
    return g_new0 (char *, 1);
  return g_strsplit_set (g_strstrip (names + strlen ("Names:")), " \n", -1);
}

/* The answer inside the sandbox: what the host says for the controls,
 * the filter's errno for the rest. */
static const char *
expected_answer (const char *name)
{
  static const char * const controls[] = {
    "getpid", "clone-plain", "ioctl-tcgets", "personality-linux", "personality-query", "socket-unix",
    "socket-inet", "socket-inet6", "socket-netlink-route", NULL,
  };
  static const char * const enosys[] = {
    "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "clone3",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "int80-getpid", "x32-getpid", NULL,
  };
  static const char * const eafnosupport[] = {
    "socket-netlink-audit", "socket-packet", "socket-bluetooth", "socket-unix-high", NULL,
  };

  if (g_strv_contains (controls, name))
    return NULL;
  if (g_strv_contains (enosys, name))
    return "errno ENOSYS (38)";
  if (g_strv_contains (eafnosupport, name))
    return "errno EAFNOSUPPORT (97)";
  return "errno EPERM (1)";
}

static char *
answer_of (const char *output,
           const char *name)
{
  g_autofree char *prefix = g_strdup_printf ("%s: ", name);
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strdup (lines[i] + strlen (prefix));
  return NULL;
}

static void
test_blocked_syscalls (Fixture       *fixture,
                       gconstpointer  data)
{
  g_auto(GStrv) names = try_syscall_names ();
  g_autoptr(GPtrArray) command = g_ptr_array_new ();
  RunOptions options = RUN_OPTIONS_INIT;
  g_auto(Run) run = { 0 };
  guint n_blocked = 0, n_controls = 0;

  g_ptr_array_add (command, (gpointer) "sh");
  g_ptr_array_add (command, g_build_filename (probes_dir, "syscalls.sh", NULL));
  g_ptr_array_add (command, (gpointer) try_syscall_path);
  for (guint i = 0; names[i] != NULL; i++)
    if (names[i][0] != '\0')
      g_ptr_array_add (command, names[i]);
  g_ptr_array_add (command, NULL);
  run_paddockctl (fixture, &options, (const char * const *) command->pdata, &run);
  g_free (g_ptr_array_index (command, 1));
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (has_line (run.out, "DONE"));

  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *argv[] = { try_syscall_path, names[i], NULL };
      const char *expected = expected_answer (names[i]);
      g_autofree char *inside = NULL;
      g_autofree char *host_out = NULL;
      g_autofree char *host = NULL;
      g_autoptr(GError) error = NULL;

      if (names[i][0] == '\0')
        continue;
      inside = answer_of (run.out, names[i]);
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &host_out, NULL, NULL, &error);
      g_assert_no_error (error);
      host = answer_of (host_out ? host_out : "", names[i]);
      g_test_message ("%s: inside %s, on the host %s", names[i], inside, host);

      g_assert_nonnull (inside);
      if (expected == NULL)
        {
          /* A control: the filter changes nothing. */
          g_assert_cmpstr (inside, ==, host);
          n_controls++;
        }
      else
        {
          if (g_strcmp0 (inside, expected) != 0)
            g_test_message ("HOLE: %s answered “%s” inside, not “%s”", names[i], inside, expected);
          g_assert_cmpstr (inside, ==, expected);
          if (g_strcmp0 (host, expected) == 0)
            g_test_message ("%s: the kernel says the same without the filter here", names[i]);
          n_blocked++;
        }
    }
  g_assert_cmpuint (n_controls, >=, 5);
  g_assert_cmpuint (n_blocked, >=, 40);
}

static int
open_pty (int *slave)
{
  struct termios termios;
  int master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);

  g_assert_cmpint (master, >=, 0);
  g_assert_no_errno (grantpt (master));
  g_assert_no_errno (unlockpt (master));
  *slave = open (ptsname (master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (*slave, >=, 0);
  /* Raw: a pushed character is readable at once, line or not. */
  g_assert_no_errno (tcgetattr (*slave, &termios));
  cfmakeraw (&termios);
  g_assert_no_errno (tcsetattr (*slave, TCSANOW, &termios));
  return master;
}

/* What is waiting on the terminal's input side. */
static char *
drain_input (int slave)
{
  GString *input = g_string_new (NULL);
  char buffer[256];
  ssize_t n;
  int flags = fcntl (slave, F_GETFL);

  fcntl (slave, F_SETFL, flags | O_NONBLOCK);
  while ((n = read (slave, buffer, sizeof buffer)) > 0)
    g_string_append_len (input, buffer, n);
  fcntl (slave, F_SETFL, flags);
  return g_string_free (input, FALSE);
}

static void
make_controlling_terminal (gpointer user_data)
{
  setsid ();
  ioctl (STDIN_FILENO, TIOCSCTTY, 0);
}

static void
test_tty (Fixture       *fixture,
          gconstpointer  data)
{
  static const char * const attacks[] = { "tiocsti", "tiocsti-high-bits", "tioclinux-pastesel", NULL };
  static const char * const controls[] = { "tty-tcgets", NULL };
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) bare = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bare_out = NULL;
  g_autofree char *injected = NULL;
  g_autofree char *left = NULL;
  RunOptions options = RUN_OPTIONS_INIT;
  g_auto(Run) run = { 0 };
  int slave;
  int master = open_pty (&slave);

  /* Without the sandbox, with the terminal as its controlling terminal,
   * the probe does type into it where the kernel still allows TIOCSTI:
   * the attack is real. */
  g_subprocess_launcher_take_stdin_fd (launcher, dup (slave));
  g_subprocess_launcher_set_child_setup (launcher, make_controlling_terminal, NULL, NULL);
  bare = g_subprocess_launcher_spawn (launcher, &error, attack_probe_path, "tty", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (bare, NULL, NULL, &bare_out, NULL, &error);
  g_assert_no_error (error);
  injected = drain_input (slave);
  g_test_message ("without the sandbox:\n%stheir input: %s", bare_out, injected);
  if (strstr (bare_out, "ATTACK tiocsti: SUCCEEDED") != NULL)
    g_assert_nonnull (strstr (injected, "PADDOCK-INJECTED"));
  else
    g_test_message ("this kernel refuses TIOCSTI by itself (dev.tty.legacy_tiocsti = 0)");

  /* In the sandbox the same terminal is standard input. */
  options.stdin_fd = slave;
  probe_with_options (fixture, &options, &run, "tty.sh", attack_probe_path, try_syscall_path, NULL);
  assert_probe (&run, attacks, controls);
  g_assert_true (has_line_starting (run.out, "ATTACK tiocsti: blocked (EPERM)"));
  g_assert_true (has_line (run.out, "ioctl-tiocsti: errno EPERM (1)"));
  g_assert_true (has_line (run.out, "ioctl-tioclinux: errno EPERM (1)"));

  left = drain_input (slave);
  g_assert_cmpstr (left, ==, "");
  close (slave);
  close (master);
}

static void
test_io_uring (Fixture       *fixture,
               gconstpointer  data)
{
  static const char * const attacks[] = { "io_uring_setup", NULL };
  static const char * const controls[] = { "classic-read", NULL };
  const char *argv[] = { attack_probe_path, "io-uring", NULL };
  g_autofree char *bare = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Run) run = { 0 };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &bare, NULL, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("without the sandbox: %s", bare);

  probe (fixture, &run, "io-uring.sh", attack_probe_path);
  assert_probe (&run, attacks, controls);
  /* ENOSYS, as on a kernel without io_uring, so that libraries fall
   * back to the classic calls. */
  g_assert_true (has_line (run.out, "ATTACK io_uring_setup: blocked (ENOSYS)"));
}

static void
test_int80 (Fixture       *fixture,
            gconstpointer  data)
{
  static const char * const attacks[] = { "int80-socketcall", NULL };
  static const char * const controls[] = { "int80-setup", NULL };
  const char *argv[] = { attack_probe_path, "int80-socketcall", NULL };
  g_autofree char *bare = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Run) run = { 0 };

#if !defined(__x86_64__)
  g_test_skip ("the i386 entry point is an x86_64 matter");
  return;
#endif

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &bare, NULL, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("without the sandbox: %s", bare);

  probe (fixture, &run, "int80.sh", attack_probe_path, try_syscall_path);
  assert_probe (&run, attacks, controls);
  /* The filter rejects the i386 and x32 ABIs as a whole. */
  g_assert_true (has_line (run.out, "ATTACK int80-socketcall: blocked (ENOSYS)"));
  g_assert_true (has_line (run.out, "int80-getpid: errno ENOSYS (38)"));
  g_assert_true (has_line (run.out, "x32-getpid: errno ENOSYS (38)"));
  g_assert_true (has_line (run.out, "getpid: ok"));
}

/* Connects to the sockets the test listens on, and to its own. */
static void
run_connect_probe (Fixture            *fixture,
                   const RunOptions   *options,
                   const char * const *labels,
                   const char * const *addresses,
                   Run                *run)
{
  static const char * const controls[] = { "own-socket", "own-socket-abstract", "own-tcp", NULL };
  g_autoptr(GPtrArray) command = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (command, g_strdup ("sh"));
  g_ptr_array_add (command, g_build_filename (probes_dir, "connect.sh", NULL));
  g_ptr_array_add (command, g_strdup (attack_probe_path));
  for (guint i = 0; labels[i] != NULL; i++)
    g_ptr_array_add (command, g_strdup_printf ("%s=%s", labels[i], addresses[i]));
  g_ptr_array_add (command, NULL);

  run_paddockctl (fixture, options, (const char * const *) command->pdata, run);
  assert_probe (run, labels, controls);
}

/* The session bus where it lives, in /run/user/$UID, or another folder
 * of /run: the sandbox's /run is empty. */
static void
test_socket_session_bus (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *user_runtime = g_strdup_printf ("/run/user/%d", (int) getuid ());
  g_autofree char *dir = NULL;
  g_autofree char *bus = NULL;
  g_autofree char *address = NULL;
  const char *env[] = { "DBUS_SESSION_BUS_ADDRESS", NULL, "XDG_RUNTIME_DIR", NULL, NULL };
  const char *labels[] = { "session-bus", NULL };
  const char *addresses[] = { NULL, NULL };
  RunOptions options = RUN_OPTIONS_INIT;
  g_auto(Run) run = { 0 };
  int fd;

  if (access (user_runtime, W_OK) == 0)
    {
      g_autofree char *template = g_build_filename (user_runtime, "paddock-attack-XXXXXX", NULL);

      dir = g_mkdtemp (g_steal_pointer (&template));
    }
  else if (access ("/run", W_OK) == 0)
    dir = g_mkdtemp (g_strdup ("/run/paddock-attack-XXXXXX"));
  if (dir == NULL)
    {
      g_test_skip ("neither /run/user/$UID nor /run is writable here; "
                   "/sandbox/attack/socket/home covers a path socket");
      return;
    }
  g_ptr_array_add (fixture->litter, g_strdup (dir));

  bus = g_build_filename (dir, "bus", NULL);
  fd = listen_unix (bus);
  g_assert_cmpint (fd, >=, 0);
  address = g_strdup_printf ("unix:path=%s", bus);
  env[1] = address;
  env[3] = dir;
  addresses[0] = bus;
  options.env = env;

  run_connect_probe (fixture, &options, labels, addresses, &run);
  assert_no_connection (fd, bus);
  close (fd);
}

/* A socket under the home folder: git's credential cache keeps its
 * daemon's there, and anyone who connects may ask it for passwords. */
static void
test_socket_home (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (fixture->home, ".cache", "git", "credential", NULL);
  g_autofree char *path = g_build_filename (dir, "socket", NULL);
  const char *labels[] = { "credential-cache", NULL };
  const char *addresses[] = { path, NULL };
  RunOptions options = RUN_OPTIONS_INIT;
  g_auto(Run) run = { 0 };
  int fd;

  g_assert_no_errno (g_mkdir_with_parents (dir, 0700));
  fd = listen_unix (path);
  g_assert_cmpint (fd, >=, 0);

  run_connect_probe (fixture, &options, labels, addresses, &run);
  assert_no_connection (fd, path);
  close (fd);
}

/* X11: the abstract socket lives in the host's network namespace, the
 * path one in the host's /tmp. */
static void
test_socket_x11 (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp_dir = g_dir_make_tmp ("paddock-x11-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *abstract = NULL;
  g_autofree char *display = NULL;
  const char *labels[] = { "x11-abstract", "x11-path", NULL };
  const char *addresses[] = { NULL, NULL, NULL };
  const char *env[] = { "DISPLAY", NULL, NULL };
  RunOptions options = RUN_OPTIONS_INIT;
  g_auto(Run) run = { 0 };
  int abstract_fd = -1, path_fd;

  g_assert_no_error (error);
  g_ptr_array_add (fixture->litter, g_strdup (tmp_dir));

  /* @/tmp/.X11-unix/X42, or the next free display. */
  for (int n = 42; n < 100 && abstract_fd < 0; n++)
    {
      g_free (abstract);
      abstract = g_strdup_printf ("@/tmp/.X11-unix/X%d", n);
      abstract_fd = listen_unix (abstract);
      g_free (display);
      display = g_strdup_printf (":%d", n);
    }
  g_assert_cmpint (abstract_fd, >=, 0);
  path = g_build_filename (tmp_dir, "X42", NULL);
  path_fd = listen_unix (path);
  g_assert_cmpint (path_fd, >=, 0);

  addresses[0] = abstract;
  addresses[1] = path;
  env[1] = display;
  options.env = env;
  run_connect_probe (fixture, &options, labels, addresses, &run);

  assert_no_connection (abstract_fd, abstract);
  assert_no_connection (path_fd, path);
  close (abstract_fd);
  close (path_fd);
}

static void
test_network (Fixture       *fixture,
              gconstpointer  data)
{
  static const char * const attacks[] = {
    "host-tcp", "internet-tcp", "dns-stub-resolver", "dns-internet", "resolve-name", NULL,
  };
  static const char * const controls[] = { "own-tcp", "own-udp", "resolve-localhost", NULL };
  g_autofree char *tcp = NULL;
  g_autofree char *udp = NULL;
  char buffer[64];
  g_auto(Run) run = { 0 };
  int tcp_port, udp_port;
  int tcp_fd = listen_inet (SOCK_STREAM, &tcp_port);
  int udp_fd = listen_inet (SOCK_DGRAM, &udp_port);

  tcp = g_strdup_printf ("%d", tcp_port);
  udp = g_strdup_printf ("%d", udp_port);
  probe (fixture, &run, "net.sh", attack_probe_path, tcp, udp);
  assert_probe (&run, attacks, controls);
  /* The sandbox has a loopback of its own: a datagram may leave the
   * socket, but not reach the host's. */
  g_assert_true (has_line_starting (run.out, "SENT host-udp:"));

  assert_no_connection (tcp_fd, "the host's TCP server");
  g_assert_cmpint (recv (udp_fd, buffer, sizeof buffer, MSG_DONTWAIT), <, 0);
  g_assert_cmpint (errno, ==, EAGAIN);
  close (tcp_fd);
  close (udp_fd);
}

static void
test_inherited_fds (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const attacks[] = { "read-fd-5", "read-fd-42", NULL };
  static const char * const controls[] = { "list-fds", "read-stdin-path", NULL };
  g_autofree char *key = g_build_filename (fixture->home, ".ssh", "id_ed25519", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) bare = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bare_out = NULL;
  RunOptions options = RUN_OPTIONS_INIT;
  g_auto(Run) run = { 0 };
  /* Not close-on-exec: the way a careless parent leaks it. */
  int secret = open (key, O_RDONLY);
  int fds[] = { secret, 5, secret, 42 };

  g_assert_cmpint (secret, >=, 0);

  /* The control for the descriptors themselves: a program started the
   * same way, outside the sandbox, does have them. */
  g_subprocess_launcher_take_fd (launcher, dup (secret), 5);
  g_subprocess_launcher_take_fd (launcher, dup (secret), 42);
  bare = g_subprocess_launcher_spawn (launcher, &error, attack_probe_path, "fds", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (bare, NULL, NULL, &bare_out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (has_line (bare_out, "FDS: 0 1 2 5 42"));

  options.fds = fds;
  options.n_fds = 2;
  probe_with_options (fixture, &options, &run, "fds.sh", attack_probe_path, "5", "42", NULL);
  assert_probe (&run, attacks, controls);
  g_assert_true (has_line (run.out, "FDS: 0 1 2"));
  assert_no_secret (fixture, &run);
  close (secret);
}

static void
test_environment (Fixture       *fixture,
                  gconstpointer  data)
{
  static const char * const attacks[] = { "secrets-in-proc", NULL };
  static const char * const controls[] = { "home-set", "path-set", NULL };
  static const char * const leaked[] = {
    "SSH_AUTH_SOCK", "/run/user/1000/keyring/ssh.PADDOCK-LEAK",
    "DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1000/bus,guid=PADDOCK-LEAK",
    "DISPLAY", ":0.PADDOCK-LEAK",
    "WAYLAND_DISPLAY", "wayland-PADDOCK-LEAK",
    "XAUTHORITY", "/run/user/1000/.Xauthority-PADDOCK-LEAK",
    "GITHUB_TOKEN", "ghp_PADDOCK-LEAK",
    "AWS_SECRET_ACCESS_KEY", "PADDOCK-LEAK-aws",
    "AWS_ACCESS_KEY_ID", "AKIAPADDOCK-LEAK",
    "MY_API_KEY", "PADDOCK-LEAK-api",
    "OPENAI_API_KEY", "sk-PADDOCK-LEAK",
    "NPM_TOKEN", "PADDOCK-LEAK-npm",
    "DATABASE_PASSWORD", "PADDOCK-LEAK-db",
    "GPG_AGENT_INFO", "/run/user/1000/gnupg/S.gpg-agent.PADDOCK-LEAK",
    "PULSE_SERVER", "unix:/run/user/1000/pulse/native.PADDOCK-LEAK",
    "DOCKER_HOST", "unix:///run/docker.sock.PADDOCK-LEAK",
    "BASH_ENV", "/tmp/PADDOCK-LEAK.sh",
    "PROMPT_COMMAND", "echo PADDOCK-LEAK",
    "LD_LIBRARY_PATH", "/nonexistent/PADDOCK-LEAK",
    /* A library that is there anyway, so that every program on the
     * way still starts. */
    "LD_PRELOAD", "libc.so.6",
    /* Not on any deny list: only an allowlist keeps it out. */
    "PADDOCK_UNLISTED_CANARY", "PADDOCK-LEAK-canary",
    NULL,
  };
  g_autofree char *home_line = g_strdup_printf ("HOME=%s", fixture->home);
  g_autofree char *env_text = NULL;
  const char *begin, *end;
  RunOptions options = RUN_OPTIONS_INIT;
  g_auto(Run) run = { 0 };

  options.env = leaked;
  probe_with_options (fixture, &options, &run, "environment.sh", NULL);
  assert_probe (&run, attacks, controls);

  begin = strstr (run.out, "BEGIN ENV\n");
  end = strstr (run.out, "END ENV\n");
  g_assert_nonnull (begin);
  g_assert_nonnull (end);
  if (begin == NULL || end == NULL)
    return;
  env_text = g_strndup (begin, end - begin);
  for (guint i = 0; leaked[i] != NULL; i += 2)
    {
      g_autofree char *prefix = g_strdup_printf ("\n%s=", leaked[i]);

      if (strstr (env_text, prefix) != NULL)
        g_test_message ("HOLE: %s reached the sandbox", leaked[i]);
      g_assert_null (strstr (env_text, prefix));
    }
  g_assert_null (strstr (run.out, "PADDOCK-LEAK"));
  g_assert_true (has_line (env_text, home_line));
  g_assert_nonnull (strstr (env_text, "\nPATH="));
}

static void
test_setuid (Fixture       *fixture,
             gconstpointer  data)
{
  static const char * const user_attacks[] = { "su-root", "passwd-status", "mount-tmpfs", "chown-to-root", NULL };
  /* passwd -S reads /etc/shadow, which root owns: for root that is no
   * gain, and the script does not try. su still fails for root: it
   * cannot set groups without CAP_SETGID. */
  static const char * const root_attacks[] = { "su-root", "mount-tmpfs", "chown-to-root", NULL };
  static const char * const controls[] = { "setuid-program-runs", "read-own-status", NULL };
  static const char * const zero_lines[] = {
    "NoNewPrivs:\t1", "CapInh:\t0000000000000000", "CapPrm:\t0000000000000000",
    "CapEff:\t0000000000000000", "CapBnd:\t0000000000000000", "CapAmb:\t0000000000000000", NULL,
  };
  g_autofree char *uid_line = g_strdup_printf ("UID %d", (int) getuid ());
  gboolean root = getuid () == 0;
  g_auto(Run) run = { 0 };

  probe (fixture, &run, "privileges.sh", root ? "root" : "user");
  assert_probe (&run, root ? root_attacks : user_attacks, controls);
  for (guint i = 0; zero_lines[i] != NULL; i++)
    g_assert_true (has_line (run.out, zero_lines[i]));
  /* The same user inside: nobody became anybody else. */
  g_assert_true (has_line (run.out, uid_line));
}

/* No host process has @marker in its command line. */
static void
assert_no_process (const char *marker)
{
  g_autoptr(GArray) pids = find_processes (marker);

  for (guint i = 0; i < pids->len; i++)
    g_test_message ("HOLE: process %d with “%s” outlived the sandbox", g_array_index (pids, int, i), marker);
  g_assert_cmpuint (pids->len, ==, 0);
}

static void
test_background_processes (Fixture       *fixture,
                           gconstpointer  data)
{
  static const char * const controls[] = { "lingerers-started", NULL };
  const char * const safety_timeout[] = { "--timeout", "30", NULL };
  RunOptions options = RUN_OPTIONS_INIT;
  g_auto(Run) run = { 0 };

  /* The timeout only keeps a broken sandbox from holding the test for
   * five minutes; the run must end with its script, long before. */
  options.options = safety_timeout;
  probe_with_options (fixture, &options, &run, "background.sh", fixture->mark, NULL);
  assert_probe (&run, NULL, controls);
  g_assert_null (strstr (run.err, "ran longer"));
  assert_no_process (fixture->mark);
}

static void
test_timeout (Fixture       *fixture,
              gconstpointer  data)
{
  const char * const one_second[] = { "--timeout", "1", NULL };
  RunOptions options = RUN_OPTIONS_INIT;
  g_auto(Run) run = { 0 };

  options.options = one_second;
  probe_with_options (fixture, &options, &run, "timeout.sh", fixture->mark, NULL);
  /* It ran (the control), was stopped before its end, and nothing it
   * started is left: no process carries the marker. */
  assert_control_ok (&run, "started");
  g_assert_false (has_line (run.out, "DONE"));
  g_assert_cmpint (run.status, !=, 0);
  g_assert_nonnull (strstr (run.err, "ran longer than 1000 ms"));
  assert_no_process (fixture->mark);
}

static void
test_output_limit (Fixture       *fixture,
                   gconstpointer  data)
{
  const char * const limit[] = { "--output-limit", "1000", NULL };
  RunOptions options = RUN_OPTIONS_INIT;
  g_auto(Run) flood = { 0 };
  g_auto(Run) small = { 0 };

  options.options = limit;
  probe_with_options (fixture, &options, &flood, "flood.sh", "1000000", NULL);
  g_assert_cmpuint (strlen (flood.out), ==, 1000);
  g_assert_true (g_str_has_prefix (flood.out, "CONTROL started: ok\n"));
  g_assert_cmpint (flood.status, !=, 0);
  g_assert_nonnull (strstr (flood.err, "more than 1000 bytes"));

  /* The control: under the limit, everything and a clean exit. */
  probe_with_options (fixture, &options, &small, "flood.sh", "100", NULL);
  g_assert_cmpint (small.status, ==, 0);
  g_assert_true (has_line (small.out, "DONE"));
}

static void
test_core_dumps (Fixture       *fixture,
                 gconstpointer  data)
{
  static const char * const attacks[] = { "raise-core-limit", NULL };
  static const char * const controls[] = { "write-source", NULL };
  g_autoptr(GDir) dir = NULL;
  const char *name;
  g_auto(Run) run = { 0 };

  probe (fixture, &run, "core.sh");
  assert_probe (&run, attacks, controls);
  g_assert_true (has_line (run.out, "CORE LIMIT 0"));
  /* The control for the crash: it happened. */
  g_assert_true (has_line (run.out, "CRASH STATUS 139"));

  dir = g_dir_open (fixture->workspace, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_str_has_prefix (name, "core"));
}

/* bwrap's options come through a descriptor and end with "--": a
 * command named like one is a command, and there is none by that name. */
static void
test_bwrap_option_command (Fixture       *fixture,
                           gconstpointer  data)
{
  static const char * const bind[] = { "--bind", "/", "/", NULL };
  static const char * const version[] = { "--version", NULL };
  static const char * const true_[] = { "true", NULL };
  g_autofree char *before = snapshot (fixture->workspace);
  g_autofree char *after = NULL;
  RunOptions options = RUN_OPTIONS_INIT;
  g_auto(Run) bind_run = { 0 };
  g_auto(Run) version_run = { 0 };
  g_auto(Run) control = { 0 };

  run_paddockctl (fixture, &options, bind, &bind_run);
  g_assert_cmpint (bind_run.status, ==, 127);
  g_assert_nonnull (strstr (bind_run.err, "--bind"));

  run_paddockctl (fixture, &options, version, &version_run);
  g_assert_cmpint (version_run.status, ==, 127);
  g_assert_null (strstr (version_run.out, "bubblewrap"));

  run_paddockctl (fixture, &options, true_, &control);
  g_assert_cmpint (control.status, ==, 0);

  after = snapshot (fixture->workspace);
  g_assert_cmpstr (after, ==, before);
}

static void
test_report_host_run_files (Fixture       *fixture,
                            gconstpointer  data)
{
  static const char * const controls[] = { "wrote-makefile", NULL };
  static const char * const harmless_controls[] = { "write-notes", "read-source", NULL };
  g_auto(Run) run = { 0 };
  g_auto(Run) harmless = { 0 };

  probe (fixture, &run, "host-run-files.sh");
  assert_probe (&run, NULL, controls);
  g_assert_nonnull (strstr (run.err, "left files that the host runs later"));
  g_assert_nonnull (strstr (run.err, "Makefile"));
  g_assert_nonnull (strstr (run.err, "package.json"));

  /* The control: a run that changes nothing the host runs says nothing. */
  probe (fixture, &harmless, "harmless.sh");
  assert_probe (&harmless, NULL, harmless_controls);
  g_assert_null (strstr (harmless.err, "left files"));
  g_assert_null (strstr (harmless.err, "Makefile"));
}

static const char *
required_env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || !g_path_is_absolute (value) || !g_file_test (value, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("set %s to the full path of the built program", name);
  return value;
}

#define add_test(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_autofree char *tools = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  paddockctl_path = required_env ("PADDOCK_PADDOCKCTL");
  try_syscall_path = required_env ("PADDOCK_TRY_SYSCALL");
  attack_probe_path = g_getenv ("PADDOCK_ATTACK_PROBE") ? g_getenv ("PADDOCK_ATTACK_PROBE") : PADDOCK_ATTACK_PROBE;
  probes_dir = g_getenv ("PADDOCK_ATTACK_PROBES") ? g_getenv ("PADDOCK_ATTACK_PROBES") : PADDOCK_ATTACK_PROBES;
  test_program_name = g_path_get_basename (argv[0]);

  add_test ("/sandbox/attack/write/outside-workspace", test_write_outside);
  add_test ("/sandbox/attack/write/read-only-sandbox", test_read_only_sandbox);
  add_test ("/sandbox/attack/protected/existing", test_protected_existing);
  add_test ("/sandbox/attack/protected/absent", test_protected_absent);
  add_test ("/sandbox/attack/protected/nested", test_protected_nested);
  add_test ("/sandbox/attack/protected/gitdir-file", test_protected_gitdir_file);
  add_test ("/sandbox/attack/protected/gitdir-inside", test_protected_gitdir_inside);
  add_test ("/sandbox/attack/protected/rename-workflows-parent", test_protected_rename_workflows_parent);
  add_test ("/sandbox/attack/protected/rename-nested-git-parent", test_protected_rename_nested_git_parent);
  add_test ("/sandbox/attack/protected/scan-limit", test_protected_scan_limit);
  add_test ("/sandbox/attack/protected/unreadable-folder", test_protected_unreadable_folder);
  add_test ("/sandbox/attack/symlink/planted", test_symlink_planted);
  add_test ("/sandbox/attack/symlink/created", test_symlink_created);
  add_test ("/sandbox/attack/symlink/protected-name", test_symlink_protected_name);
  add_test ("/sandbox/attack/hardlink/planted", test_hardlink_planted);
  add_test ("/sandbox/attack/hardlink/created", test_hardlink_created);
  add_test ("/sandbox/attack/read/deny-read", test_read_deny_read);
  add_test ("/sandbox/attack/read/hidden-file-in-workspace", test_read_hidden_file_in_workspace);
  add_test ("/sandbox/attack/read/hidden-folder-in-workspace", test_read_hidden_folder_in_workspace);
  add_test ("/sandbox/attack/read/other-users", test_read_other_users);
  add_test ("/sandbox/attack/proc/host-pid", test_proc_host_pid);
  add_test ("/sandbox/attack/proc/kill-ptrace", test_proc_kill_ptrace);
  add_test ("/sandbox/attack/proc/self-exe", test_proc_self_exe);
  add_test ("/sandbox/attack/namespaces/nested-userns", test_nested_userns);
  add_test ("/sandbox/attack/seccomp/blocked-syscalls", test_blocked_syscalls);
  add_test ("/sandbox/attack/seccomp/tty", test_tty);
  add_test ("/sandbox/attack/seccomp/io-uring", test_io_uring);
  add_test ("/sandbox/attack/seccomp/int80", test_int80);
  add_test ("/sandbox/attack/socket/session-bus", test_socket_session_bus);
  add_test ("/sandbox/attack/socket/home", test_socket_home);
  add_test ("/sandbox/attack/socket/x11", test_socket_x11);
  add_test ("/sandbox/attack/net/loopback-udp-dns", test_network);
  add_test ("/sandbox/attack/fds/inherited", test_inherited_fds);
  add_test ("/sandbox/attack/env/leaks", test_environment);
  add_test ("/sandbox/attack/privileges/setuid", test_setuid);
  add_test ("/sandbox/attack/processes/background", test_background_processes);
  add_test ("/sandbox/attack/processes/timeout", test_timeout);
  add_test ("/sandbox/attack/output/limit", test_output_limit);
  add_test ("/sandbox/attack/core-dumps", test_core_dumps);
  add_test ("/sandbox/attack/argv/bwrap-option", test_bwrap_option_command);
  add_test ("/sandbox/attack/report/host-run-files", test_report_host_run_files);

  tools = stage_tools ();
  status = g_test_run ();
  remove_tree (tools);
  g_free (test_program_name);
  return status;
}
