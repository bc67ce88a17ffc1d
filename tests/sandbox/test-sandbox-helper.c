/* test-sandbox-helper.c: paddock-sandbox itself, its exit status and its
 * report, run as a caller runs it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <glib-unix.h>

#include <json-glib/json-glib.h>

typedef struct
{
  int status;       /* the helper's exit status */
  char *err;
  JsonParser *parser;
  JsonObject *report;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->err, g_free);
  g_clear_object (&run->parser);
  run->report = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs the helper on a spec for @argv in @cwd, with the spec on
 * descriptor 3 and the report on 4. @members (nullable) replace the
 * read-only defaults: "mode", "workspace" and what goes with them. */
static void
run_helper_with (const char * const *argv,
                 const char         *cwd,
                 const char         *members,
                 Run                *run)
{
  const char *helper = g_getenv ("PADDOCK_SANDBOX_HELPER");
  g_autofree char *dir = g_dir_make_tmp ("paddock-helper-XXXXXX", NULL);
  g_autofree char *spec_path = g_build_filename (dir, "spec.json", NULL);
  g_autofree char *report_path = g_build_filename (dir, "report.json", NULL);
  g_autoptr(GString) spec = g_string_new ("{\"version\": 1, \"argv\": [");
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;
  g_autofree char *report = NULL;
  const char *sh[] = { "/bin/sh", "-c", NULL, NULL };
  gsize length;
  int wait_status;

  g_assert_nonnull (helper);
  for (guint i = 0; argv[i] != NULL; i++)
    g_string_append_printf (spec, "%s\"%s\"", i ? ", " : "", argv[i]);
  g_string_append_printf (spec, "], \"cwd\": \"%s\", %s,"
                                " \"env\": {\"PATH\": \"/usr/bin:/bin\"}, \"timeout_ms\": 30000}", cwd,
                          members ? members : "\"mode\": \"read-only\", \"workspace\": \"/\"");
  g_assert_true (g_file_set_contents (spec_path, spec->str, -1, NULL));

  script = g_strdup_printf ("exec '%s' --spec-fd 3 --report-fd 4 3<'%s' 4>'%s'", helper, spec_path, report_path);
  sh[2] = script;
  g_assert_true (g_spawn_sync (NULL, (char **) sh, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &run->err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  run->status = WEXITSTATUS (wait_status);
  g_test_message ("%s: status %d, stderr: %s", argv[0], run->status, run->err);

  g_assert_true (g_file_get_contents (report_path, &report, &length, NULL));
  run->parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (run->parser, report, length, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (run->parser)));
  run->report = json_node_get_object (json_parser_get_root (run->parser));

  g_unlink (spec_path);
  g_unlink (report_path);
  g_rmdir (dir);
}

static void
run_helper (const char * const *argv,
            const char         *cwd,
            Run                *run)
{
  run_helper_with (argv, cwd, NULL, run);
}

static gboolean
report_bool (Run        *run,
             const char *key)
{
  JsonNode *value = json_object_get_member (run->report, key);

  g_assert_nonnull (value);
  g_assert_cmpint (json_node_get_value_type (value), ==, G_TYPE_BOOLEAN);
  return json_node_get_boolean (value);
}

static const char *
report_error (Run *run)
{
  return json_object_get_string_member_with_default (run->report, "error", NULL);
}

static void
test_exit_status (void)
{
  const char *exit3[] = { "sh", "-c", "exit 3", NULL };
  const char *killed[] = { "sh", "-c", "kill -TERM $$", NULL };
  const char *ok[] = { "true", NULL };
  g_auto(Run) run3 = { 0 };
  g_auto(Run) run_killed = { 0 };
  g_auto(Run) run_ok = { 0 };
  JsonArray *pids;

  run_helper (ok, "/", &run_ok);
  g_assert_cmpint (run_ok.status, ==, 0);
  g_assert_true (report_bool (&run_ok, "started"));

  /* The command's own status, as a shell gives it. */
  run_helper (exit3, "/", &run3);
  g_assert_cmpint (run3.status, ==, 3);
  g_assert_true (report_bool (&run3, "started"));
  g_assert_false (report_bool (&run3, "not_found"));
  g_assert_null (report_error (&run3));
  /* The sandbox's processes, by their host PIDs, for later triage. */
  pids = json_object_get_array_member (run3.report, "pids");
  g_assert_nonnull (pids);
  g_assert_cmpuint (json_array_get_length (pids), >=, 1);
  g_assert_cmpint (json_array_get_int_element (pids, 0), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (run3.report, "duration_ms"), >, 0);

  run_helper (killed, "/", &run_killed);
  g_assert_cmpint (run_killed.status, ==, 128 + 15);
}

/* "Command not found" is 127, as from a shell, never bwrap's 1. */
static void
test_not_found (void)
{
  const char *missing[] = { "no-such-program-paddock", NULL };
  const char *option[] = { "--bind", "/", "/", NULL };
  g_auto(Run) run = { 0 };
  g_auto(Run) run_option = { 0 };

  run_helper (missing, "/", &run);
  g_assert_cmpint (run.status, ==, 127);
  g_assert_true (report_bool (&run, "not_found"));
  g_assert_false (report_bool (&run, "started"));
  g_assert_nonnull (strstr (report_error (&run), "no-such-program-paddock: command not found"));
  /* With a report to write, the caller says it: nothing on stderr. */
  g_assert_cmpstr (run.err, ==, "");

  /* A command named like a bwrap option is a command. */
  run_helper (option, "/", &run_option);
  g_assert_cmpint (run_option.status, ==, 127);
  g_assert_true (report_bool (&run_option, "not_found"));
}

/* When bwrap fails before the command starts, the status is 125 and the
 * report says so: not 1, which the command could have returned. */
static void
test_setup_failure (void)
{
  const char *ok[] = { "true", NULL };
  g_auto(Run) run = { 0 };

  run_helper (ok, "/nonexistent-paddock-folder", &run);
  g_assert_cmpint (run.status, ==, 125);
  g_assert_false (report_bool (&run, "started"));
  g_assert_false (report_bool (&run, "not_found"));
  g_assert_nonnull (strstr (report_error (&run), "could not set up the sandbox"));
  /* bwrap's own line is kept for the person. */
  g_assert_nonnull (strstr (run.err, "nonexistent-paddock-folder"));
}

static gboolean
wait_for_exit (GPid  pid,
               int  *wait_status,
               guint seconds)
{
  for (guint i = 0; i < seconds * 20; i++)
    {
      if (waitpid (pid, wait_status, WNOHANG) == pid)
        return TRUE;
      g_usleep (50 * 1000);
    }
  return FALSE;
}

/* When its caller dies (the read end of the report pipe goes), the
 * helper stops the command: nobody is left to watch it. */
static void
test_caller_gone (void)
{
  const char *helper = g_getenv ("PADDOCK_SANDBOX_HELPER");
  g_autofree char *dir = g_dir_make_tmp ("paddock-helper-XXXXXX", NULL);
  g_autofree char *resolved = realpath (dir, NULL);
  g_autofree char *spec_path = g_build_filename (resolved, "spec.json", NULL);
  g_autofree char *started = g_build_filename (resolved, "started", NULL);
  g_autofree char *spec = g_strdup_printf ("{\"version\": 1, \"argv\": [\"sh\", \"-c\", \": > started; exec sleep 120\"],"
                                           " \"cwd\": \"%s\", \"mode\": \"workspace-write\", \"workspace\": \"%s\","
                                           " \"writable\": [\"%s\"], \"env\": {\"PATH\": \"/usr/bin:/bin\"}}",
                                           resolved, resolved, resolved);
  const char *argv[] = { helper, "--spec-fd", "3", "--report-fd", "4", NULL };
  g_autoptr(GError) error = NULL;
  int report[2], source_fds[2], target_fds[2] = { 3, 4 };
  int spec_fd, wait_status = 0;
  GPid pid;

  g_assert_true (g_file_set_contents (spec_path, spec, -1, NULL));
  spec_fd = open (spec_path, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (spec_fd, >=, 0);
  g_assert_true (g_unix_open_pipe (report, FD_CLOEXEC, NULL));
  source_fds[0] = spec_fd;
  source_fds[1] = report[1];

  g_assert_true (g_spawn_async_with_pipes_and_fds (NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                                   -1, -1, -1, source_fds, target_fds, 2,
                                                   &pid, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  close (spec_fd);
  close (report[1]);

  for (guint i = 0; i < 200 && !g_file_test (started, G_FILE_TEST_EXISTS); i++)
    g_usleep (50 * 1000);
  g_assert_true (g_file_test (started, G_FILE_TEST_EXISTS));
  /* The control: with its caller there, it keeps running. */
  g_usleep (300 * 1000);
  g_assert_cmpint (waitpid (pid, &wait_status, WNOHANG), ==, 0);

  close (report[0]);
  g_assert_true (wait_for_exit (pid, &wait_status, 20));
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 128 + SIGKILL);

  g_unlink (started);
  g_unlink (spec_path);
  g_rmdir (dir);
}

/* The refusals of one run, as "access path reason syscall" lines. */
static char *
refusals_of (Run *run)
{
  JsonArray *refused = json_object_get_array_member (run->report, "refused_files");
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (refused); i++)
    {
      JsonObject *file = json_array_get_object_element (refused, i);

      g_string_append_printf (text, "%s %s %s %s\n", json_object_get_string_member (file, "access"),
                              json_object_get_string_member (file, "path"),
                              json_object_get_string_member (file, "reason"),
                              json_object_get_string_member (file, "syscall"));
      g_assert_cmpint (json_object_get_int_member (file, "pid"), >, 0);
    }
  return g_string_free (text, FALSE);
}

/* With watch_files, what the sandbox refused is in the report: a read
 * of a hidden key (by a relative path too), a write and a mkdir where
 * the sandbox is read-only. The controls, a read and a write in the
 * workspace, go through and are not reported. */
static void
test_watch_files (void)
{
  /* In the home folder: /tmp is the sandbox's own. */
  g_autofree char *base = g_build_filename (g_get_home_dir (), "paddock-watch-XXXXXX", NULL);
  g_autofree char *ws = NULL, *secret = NULL, *members = NULL, *unwatched = NULL;
  g_autofree char *refusals = NULL, *expected = NULL, *made = NULL;
  g_autofree char *script = NULL;
  const char *argv[] = { "sh", "-c", NULL, NULL };
  g_auto(Run) run = { 0 };
  g_auto(Run) control = { 0 };

  g_assert_nonnull (g_mkdtemp (base));
  ws = g_build_filename (base, "ws", NULL);
  secret = g_build_filename (base, "secret", NULL);
  g_assert_cmpint (g_mkdir (ws, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (secret, 0700), ==, 0);
  {
    g_autofree char *key = g_build_filename (secret, "key", NULL);
    g_autofree char *readme = g_build_filename (ws, "readme", NULL);

    g_assert_true (g_file_set_contents (key, "SECRET", -1, NULL));
    g_assert_true (g_file_set_contents (readme, "README", -1, NULL));
  }

  script = g_strdup_printf ("cat ../secret/key; echo x > %s/out; mkdir %s/dir; ls %s; "
                            "cat readme; echo y > made; true", base, base, secret);
  argv[2] = script;
  members = g_strdup_printf ("\"mode\": \"workspace-write\", \"workspace\": \"%s\", \"writable\": [\"%s\"],"
                             " \"hidden\": [\"%s\"], \"watch_files\": true", ws, ws, secret);
  run_helper_with (argv, ws, members, &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (report_error (&run));

  refusals = refusals_of (&run);
  g_test_message ("refused: %s", refusals);
  expected = g_strdup_printf ("read %s/key hidden openat\n", secret);
  g_assert_nonnull (strstr (refusals, expected));
  g_free (expected);
  expected = g_strdup_printf ("write %s/out read-only openat\n", base);
  g_assert_nonnull (strstr (refusals, expected));
  g_free (expected);
  expected = g_strdup_printf ("write %s/dir read-only mkdir\n", base);
  g_assert_nonnull (strstr (refusals, expected));
  g_free (expected);
  expected = g_strdup_printf ("read %s hidden openat\n", secret);
  g_assert_nonnull (strstr (refusals, expected));
  g_assert_cmpint (json_object_get_int_member (run.report, "refused_files_dropped"), ==, 0);

  /* The controls. */
  g_assert_null (strstr (refusals, "/readme"));
  g_assert_null (strstr (refusals, "/made"));
  made = g_build_filename (ws, "made", NULL);
  g_assert_true (g_file_test (made, G_FILE_TEST_IS_REGULAR));

  /* Unwatched, nothing is reported, and the same command still fails
   * to read the key. */
  g_free (members);
  members = g_strdup_printf ("\"mode\": \"workspace-write\", \"workspace\": \"%s\", \"writable\": [\"%s\"],"
                             " \"hidden\": [\"%s\"]", ws, ws, secret);
  run_helper_with (argv, ws, members, &control);
  g_assert_cmpint (control.status, ==, 0);
  g_assert_false (json_object_has_member (control.report, "refused_files"));
  unwatched = g_strdup (control.err);
  g_assert_nonnull (strstr (unwatched, "Permission denied"));

  {
    g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", base);
    g_assert_cmpint (system (rm), ==, 0);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sandbox/helper/exit-status", test_exit_status);
  g_test_add_func ("/sandbox/helper/not-found", test_not_found);
  g_test_add_func ("/sandbox/helper/setup-failure", test_setup_failure);
  g_test_add_func ("/sandbox/helper/caller-gone", test_caller_gone);
  g_test_add_func ("/sandbox/helper/watch-files", test_watch_files);

  return g_test_run ();
}
