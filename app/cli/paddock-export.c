/* paddock-export: sends the audit store's events to the OpenTelemetry
 * collector, for `paddockctl run` and `paddockctl telemetry`
 *
 *   paddock-export follow           export until standard input closes,
 *                                   then flush (a bounded wait) and exit
 *   paddock-export status|flush|token set|token clear
 *
 * A program of its own so that paddockctl never loads libsoup or the
 * keychain: every other command starts that much quicker.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "paddock-audit-session.h"
#include "paddock-keychain.h"
#include "paddock-paths.h"
#include "paddock-policy-loader.h"
#include "paddock-telemetry.h"

#define USAGE N_("usage: paddockctl telemetry status|flush|token set|token clear")
/* How long `follow` waits for the collector once its run is over. */
#define FOLLOW_FLUSH_MS 3000

static int
fail (const char *format,
      ...) G_GNUC_PRINTF (1, 2);

static int
fail (const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("paddockctl: %s\n", message);
  return 2;
}

/* A secret from standard input: never from the command line, where
 * every process could read it. Not echoed on a terminal. */
static char *
read_secret (GError **error)
{
  g_autoptr(GString) line = g_string_new (NULL);
  struct termios saved, quiet;
  gboolean hidden = FALSE;
  int c;

  if (isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved) == 0)
    {
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      hidden = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
      g_printerr (_("Value (not shown): "));
    }
  while ((c = getchar ()) != EOF && c != '\n')
    g_string_append_c (line, (char) c);
  if (hidden)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }
  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);
  if (line->len == 0 || strpbrk (line->str, "\r\n") != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("no value given: write it on standard input, one line"));
      return NULL;
    }
  return g_string_free (g_steal_pointer (&line), FALSE);
}

static gboolean
on_stdin (int          fd,
          GIOCondition condition,
          gpointer     user_data)
{
  char buffer[256];
  ssize_t n = read (fd, buffer, sizeof buffer);

  if (n > 0 || (n < 0 && errno == EINTR))
    return G_SOURCE_CONTINUE;
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

/* Exports while paddockctl runs its command, then flushes: what is
 * still pending after the bounded wait goes with the next Paddock
 * process. */
static int
follow (PaddockPolicy          *policy,
        PaddockTelemetryConfig *config)
{

  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockAudit) audit = paddock_audit_open_for_policy (policy, config->policy_endpoint, &error);
  g_autoptr(PaddockTelemetry) telemetry = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  if (audit == NULL)
    return fail ("%s", error->message);
  if (!config->enabled || config->endpoint == NULL)
    return 0;
  /* Ctrl-C is for the command; the run's end still gets its flush. */
  signal (SIGINT, SIG_IGN);
  telemetry = paddock_telemetry_new (audit, config);
  paddock_telemetry_start (telemetry);
  g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, loop);
  g_main_loop_run (loop);

  if (!paddock_telemetry_flush (telemetry, FOLLOW_FLUSH_MS))
    {
      g_autofree char *problem = paddock_telemetry_dup_problem (telemetry);
      g_printerr (_("paddockctl: events wait in the audit store for the collector (%s); the next Paddock "
                    "process sends them\n"), problem ? problem : _("it is slow to answer"));
    }
  paddock_telemetry_stop (telemetry);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(PaddockPolicyLoader) loader = paddock_policy_loader_new ();
  g_autoptr(PaddockPolicy) policy = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(PaddockTelemetryConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  const char *verb = argc >= 2 ? argv[1] : "";

  paddock_paths_init ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("paddockctl telemetry");

  policy = paddock_policy_loader_load (loader, NULL, &error);
  if (policy == NULL)
    return fail ("%s", error->message);
  config = paddock_telemetry_config_new (policy, (const char * const *) envp);

  if (g_str_equal (verb, "follow") && argc == 2)
    return follow (policy, config);

  if (g_str_equal (verb, "status") && argc == 2)
    {
      g_autofree char *text = paddock_telemetry_config_to_text (config);
      g_autoptr(PaddockAudit) audit = paddock_audit_open_for_policy (policy, config->policy_endpoint, &error);
      gint64 pending;

      g_print ("%s", text);
      if (audit == NULL)
        return fail ("%s", error->message);
      pending = paddock_audit_count_pending (audit, config->enabled ? config->endpoint : NULL, &error);
      if (pending < 0)
        return fail ("%s", error->message);
      g_print (_("not exported yet: %" G_GINT64_FORMAT " events in %s\n"), pending, paddock_audit_get_path (audit));
      return 0;
    }

  if (g_str_equal (verb, "flush") && argc == 2)
    {
      g_autoptr(PaddockTelemetry) telemetry = NULL;
      g_autoptr(PaddockAudit) audit = paddock_audit_open_for_policy (policy, config->policy_endpoint, &error);
      gboolean done;

      if (audit == NULL)
        return fail ("%s", error->message);
      if (!config->enabled || config->endpoint == NULL)
        return fail (_("export is off: no endpoint is set (see `paddockctl telemetry status`)"));
      telemetry = paddock_telemetry_new (audit, config);
      paddock_telemetry_start (telemetry);
      done = paddock_telemetry_flush (telemetry, 30 * 1000);
      paddock_telemetry_stop (telemetry);
      if (!done)
        {
          g_autofree char *problem = paddock_telemetry_dup_problem (telemetry);
          return fail (_("not everything was sent: %s"), problem ? problem : _("the collector is slow"));
        }
      g_print (_("sent: %" G_GUINT64_FORMAT " events\n"), paddock_telemetry_get_n_sent (telemetry));
      return 0;
    }

  if (g_str_equal (verb, "token") && argc == 3 &&
      (g_str_equal (argv[2], "set") || g_str_equal (argv[2], "clear")))
    {
      PaddockKeychainEntry entry = { "otlp", config->token_header, config->endpoint, PADDOCK_TELEMETRY_TOKEN_KIND };

      if (config->endpoint == NULL || config->token_header == NULL)
        return fail (_("the policy names no endpoint and token_header for telemetry, so there is no "
                                   "token to keep; see `paddockctl telemetry status`"));
      if (g_str_equal (argv[2], "set"))
        {
          g_autofree char *label = g_strdup_printf (_("Paddock telemetry: %s for %s"), config->token_header,
                                                    config->endpoint_shown);
          char *secret = read_secret (&error);
          gboolean stored;

          if (secret == NULL)
            return fail ("%s", error->message);
          stored = paddock_keychain_store (&entry, label, secret, &error);
          memset (secret, 0, strlen (secret));
          g_free (secret);
          if (!stored)
            return fail ("%s", error->message);
          g_print (_("stored in the keychain: %s\n"), label);
          return 0;
        }
      if (!paddock_keychain_clear (&entry, &error) && error != NULL)
        return fail ("%s", error->message);
      g_print (_("removed from the keychain, if it was there\n"));
      return 0;
    }

  return fail ("%s", _(USAGE));
}
