/* paddock-sandbox.c: runs one command in a bubblewrap sandbox
 *
 *   paddock-sandbox --spec-fd FD [--report-fd FD]
 *   paddock-sandbox --spec-fd FD --print-bwrap-args
 *   paddock-sandbox --check
 *
 * The spec (JSON, see sandbox-spec.h) arrives on a descriptor, never on
 * the command line where other users could read it in /proc. The exit
 * status is the command's (128 + signal when a signal ended it), or 125
 * when the sandbox could not run it; the report says why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sandbox-bwrap.h"
#include "sandbox-errors.h"
#include "sandbox-forward.h"
#include "sandbox-run.h"
#include "sandbox-spec.h"
#include "sandbox-userns.h"
#include "sandbox-watch.h"

#define MAX_SPEC_SIZE (1024 * 1024)
#define EXIT_SANDBOX_FAILED 125

static char *
read_spec (int      fd,
           gsize   *length,
           GError **error)
{
  g_autoptr(GString) data = g_string_new (NULL);
  char buffer[8192];

  for (;;)
    {
      ssize_t n = read (fd, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;
          sandbox_fail (error, SANDBOX_ERROR_IO, "reading the spec from descriptor %d: %s",
                        fd, g_strerror (saved_errno));
          return NULL;
        }
      if (n == 0)
        break;
      if (data->len + n > MAX_SPEC_SIZE)
        {
          sandbox_fail (error, SANDBOX_ERROR_SPEC, "the spec is larger than %d bytes", MAX_SPEC_SIZE);
          return NULL;
        }
      g_string_append_len (data, buffer, n);
    }

  close (fd);
  *length = data->len;
  return g_string_free (g_steal_pointer (&data), FALSE);
}

static void
write_report (int         fd,
              const char *report)
{
  gsize length = strlen (report);

  if (fd < 0)
    return;
  while (length > 0)
    {
      ssize_t n = write (fd, report, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      report += n;
      length -= n;
    }
  close (fd);
}

static int
fail (int         report_fd,
      const char *message)
{
  g_autoptr(SandboxOutcome) outcome = g_new0 (SandboxOutcome, 1);
  g_autofree char *report = NULL;

  /* With a report, the caller says what went wrong. */
  if (report_fd < 0)
    g_printerr ("paddock-sandbox: %s\n", message);
  outcome->pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  outcome->error = g_strdup (message);
  report = sandbox_outcome_to_json (outcome);
  write_report (report_fd, report);
  return EXIT_SANDBOX_FAILED;
}

static const char *
system_bwrap (void)
{
  return g_file_test ("/usr/bin/bwrap", G_FILE_TEST_EXISTS) ? "/usr/bin/bwrap" : "/bin/bwrap";
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SandboxSpec) spec = NULL;
  g_autoptr(SandboxOutcome) outcome = NULL;
  g_autofree char *text = NULL;
  g_autofree char *report = NULL;
  const char *bwrap = system_bwrap ();
  gboolean print_args = FALSE, check = FALSE;
  int spec_fd = -1, report_fd = -1;
  gsize length = 0;

  /* Inside the sandbox, as its first process. */
  if (argc > 1 && g_str_equal (argv[1], "--forward"))
    return sandbox_forward_main (argc, argv);
  if (argc == 2 && g_str_equal (argv[1], "--mcp-bridge"))
    return sandbox_mcp_bridge_main ();
  if (argc > 1 && g_str_equal (argv[1], "--record-prompt"))
    return sandbox_record_prompt_main (argc, argv);
  if (argc > 1 && g_str_equal (argv[1], "--watch-files"))
    return sandbox_watch_main (argc, argv);

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--spec-fd") && i + 1 < argc)
        spec_fd = atoi (argv[++i]);
      else if (g_str_equal (argv[i], "--report-fd") && i + 1 < argc)
        report_fd = atoi (argv[++i]);
      else if (g_str_equal (argv[i], "--print-bwrap-args"))
        print_args = TRUE;
      else if (g_str_equal (argv[i], "--check"))
        check = TRUE;
#if PADDOCK_DEVELOPMENT
      /* Tests put a bwrap of their own in its place. */
      else if (g_str_equal (argv[i], "--bwrap") && i + 1 < argc)
        bwrap = argv[++i];
#endif
      else
        {
          g_printerr ("usage: paddock-sandbox --spec-fd FD [--report-fd FD] [--print-bwrap-args] | --check\n");
          return EXIT_SANDBOX_FAILED;
        }
    }

  if (check)
    {
      g_autoptr(SandboxUsernsStatus) status = sandbox_userns_check ("/", TRUE);

      if (status->available)
        {
          g_print ("user namespaces: available\n");
          return 0;
        }
      g_print ("user namespaces: refused: %s\nfix: %s\n", status->cause, status->fix);
      return 1;
    }

  if (spec_fd < 0)
    return fail (report_fd, "no spec: pass --spec-fd FD");

  text = read_spec (spec_fd, &length, &error);
  if (text != NULL)
    spec = sandbox_spec_new_from_json (text, length, &error);
  if (spec == NULL)
    return fail (report_fd, error->message);

  if (print_args)
    {
      g_autoptr(SandboxBwrap) args = NULL;

      if (spec->mode == SANDBOX_MODE_FULL_ACCESS)
        return fail (report_fd, "full-access runs without bwrap");
      args = sandbox_bwrap_new (spec, -1, -1, &error);
      if (args == NULL)
        return fail (report_fd, error->message);
      for (guint i = 0; i < args->args->len; i++)
        g_print ("%s\n", (const char *) g_ptr_array_index (args->args, i));
      sandbox_bwrap_cleanup (args);
      return 0;
    }

  outcome = sandbox_run (spec, bwrap, report_fd);
  if (outcome->error != NULL && report_fd < 0)
    g_printerr ("paddock-sandbox: %s\n", outcome->error);
  if (outcome->timed_out)
    g_printerr ("paddock-sandbox: the command ran longer than %" G_GUINT64_FORMAT " ms and was stopped, "
                "with everything it started\n", spec->timeout_ms);
  if (outcome->output_truncated)
    g_printerr ("paddock-sandbox: the command wrote more than %" G_GUINT64_FORMAT " bytes and was stopped\n",
                spec->output_limit);

  report = sandbox_outcome_to_json (outcome);
  write_report (report_fd, report);
  return sandbox_outcome_exit_code (outcome);
}
