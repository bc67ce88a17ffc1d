/* paddockctl-run.c: `paddockctl run`
 *
 * The core's runner decides the command, asks a person (the app's
 * dialog, else the terminal) when the decision is a prompt, runs it
 * through paddock-sandbox with Paddock's proxy as its only way out
 * (asking the same way about hosts while it runs); this says what
 * happened, and what it left that the host would run later.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "paddock-audit-session.h"
#include "paddock-path.h"
#include "paddock-runner.h"
#include "paddock-sandbox.h"
#include "paddockctl.h"

/* A person said no, or the policy did: not the command's own status. */
#define EXIT_DENIED 126

/* A refused destination, said where the person sees it. */
static void
on_network_event (PaddockRunner       *runner,
                  PaddockNetworkEvent *event,
                  gpointer             user_data)
{
  g_autofree char *reason = NULL;

  if (event->verdict == PADDOCK_VERDICT_ALLOW)
    return;
  reason = paddock_escape_for_display (event->reason ? event->reason : "");
  if (event->violation != NULL)
    g_printerr (_("paddockctl: network: refused %s:%u: %s\n"), event->host, event->port, reason);
  else
    g_printerr (_("paddockctl: network: denied %s:%u by the %s layer (%s): %s\n"), event->host, event->port,
                event->layer, event->source, reason);
}

int
paddockctl_run (int    argc,
                char **argv)
{
  g_autofree char *workspace_dir = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *sandbox_mode = NULL;
  g_autofree char *network_mode = NULL;
  g_auto(GStrv) allow_domains = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  g_auto(GStrv) command = NULL;
  int timeout = 0;
  gint64 output_limit = -1;
  const GOptionEntry entries[] = {
    { "workspace", 'w', 0, G_OPTION_ARG_FILENAME, &workspace_dir, N_("The workspace (default: the current folder)"), N_("DIR") },
    { "mode", 'm', 0, G_OPTION_ARG_STRING, &mode, N_("Approval mode: untrusted, on-request, never or auto-review"), N_("MODE") },
    { "sandbox", 's', 0, G_OPTION_ARG_STRING, &sandbox_mode, N_("Sandbox: read-only, workspace-write or full-access"), N_("MODE") },
    { "network", 'n', 0, G_OPTION_ARG_STRING, &network_mode, N_("Network: off, allowlist or full (through the proxy either way)"), N_("MODE") },
    { "allow-domain", 'a', 0, G_OPTION_ARG_STRING_ARRAY, &allow_domains, N_("Allow these hosts for the session where the policy would ask (repeatable)"), N_("PATTERN") },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, N_("Stop the command and everything it started after this long"), N_("SECONDS") },
    { "output-limit", 0, 0, G_OPTION_ARG_INT64, &output_limit, N_("Stop the command after this much output (default 100 MiB; 0: no limit)"), N_("BYTES") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &command, NULL, N_("-- PROGRAM [ARG…]") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockWorkspace) workspace = NULL;
  g_autoptr(PaddockPolicy) policy = NULL;
  g_autoptr(PaddockGrants) grants = NULL;
  g_autoptr(PaddockRunner) runner = NULL;
  g_autoptr(PaddockRunResult) outcome = NULL;
  g_autoptr(PaddockctlAsker) asker = NULL;
  guint n_grants;
  g_autofree char *session_path = paddock_grants_dup_session_path ();
  g_autofree char *run_dir = NULL;
  g_auto(PaddockctlExport) export = { NULL };
  g_autoptr(PaddockAuditSession) session = NULL;
  g_autoptr(JsonObject) attributes = NULL;
  int exit_code = 0;

  g_set_prgname ("paddockctl run");
  g_option_context_set_summary (context, _("Run a command in the sandbox, as the policy decides."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return paddockctl_error ("%s", error->message);
  if (command == NULL || command[0] == NULL)
    return paddockctl_error (_("name the command to run: paddockctl run [OPTION…] -- PROGRAM [ARG…]"));
  if (timeout < 0)
    return paddockctl_error (_("--timeout takes a number of seconds, 0 or more"));

  policy = paddockctl_open_policy (workspace_dir, &workspace, &error);
  if (policy == NULL)
    return paddockctl_error ("%s", error->message);

  if (mode != NULL && !paddockctl_set_approval_mode (policy, mode, &error))
    return paddockctl_error ("%s", error->message);
  if (sandbox_mode != NULL)
    {
      PaddockSandboxMode requested;

      if (!paddock_sandbox_mode_from_string (sandbox_mode, &requested))
        return paddockctl_error (_("“%s” is not a sandbox mode; accepted: read-only, workspace-write, full-access"),
                                 sandbox_mode);
      if (!paddock_policy_set_sandbox_mode (policy, requested, &error))
        return paddockctl_error ("%s", error->message);
    }
  if (network_mode != NULL)
    {
      PaddockNetworkMode requested;

      if (!paddock_network_mode_from_string (g_str_equal (network_mode, "off") ? "disabled" : network_mode, &requested))
        return paddockctl_error (_("“%s” is not a network mode; accepted: off, allowlist, full"), network_mode);
      if (!paddock_policy_set_network_mode (policy, requested, &error))
        return paddockctl_error ("%s", error->message);
    }

  session = paddockctl_open_session (policy, workspace, "paddockctl run", &export, &error);
  if (session == NULL)
    return paddockctl_error ("%s", error->message);

  /* A command started outside the workspace starts at its top. */
  run_dir = paddock_path_is_within (cwd, paddock_workspace_get_path (workspace))
            ? g_strdup (cwd) : g_strdup (paddock_workspace_get_path (workspace));
  grants = session_path != NULL ? paddock_grants_new_from_file (session_path, &error) : paddock_grants_new ();
  if (grants == NULL)
    return paddockctl_error ("%s", error->message);
  for (guint i = 0; allow_domains != NULL && allow_domains[i] != NULL; i++)
    if (!paddock_grants_add_network_pattern (grants, allow_domains[i], "paddockctl run --allow-domain", &error))
      return paddockctl_error ("--allow-domain: %s", error->message);
  n_grants = paddock_grants_get_rules (grants)->len;

  /* Queued just before the decision, so one commit holds both. */
  attributes = paddock_audit_session_start_attributes (session);
  paddock_audit_session_record_async (session, "paddock.session_start", attributes, NULL, NULL, NULL);

  asker = paddockctl_asker_new ();
  runner = paddock_runner_new (policy, workspace, grants, session, "paddockctl run");
  paddock_runner_set_timeout (runner, timeout);
  if (output_limit >= 0)
    paddock_runner_set_output_limit (runner, output_limit);
  g_signal_connect (runner, "approval-needed", G_CALLBACK (paddockctl_asker_on_approval_needed), asker);
  g_signal_connect (runner, "network-event", G_CALLBACK (on_network_event), NULL);

  outcome = paddockctl_run_and_wait (runner, (const char * const *) command, run_dir, NULL, &error);
  g_clear_pointer (&asker, paddockctl_asker_close);

  if (outcome == NULL)
    {
      paddockctl_error ("%s", error->message);
      if (error->domain != PADDOCK_SANDBOX_ERROR)
        return PADDOCKCTL_EXIT_ERROR;
      /* As a shell would say it. */
      return g_error_matches (error, PADDOCK_SANDBOX_ERROR, PADDOCK_SANDBOX_ERROR_NOT_FOUND) ? 127 : 125;
    }
  if (outcome->refused != NULL)
    {
      const char *who = outcome->answered_by;

      if (outcome->decision->verdict == PADDOCK_VERDICT_FORBIDDEN)
        g_printerr (_("paddockctl: the policy forbids this command\n"));
      else if (g_strcmp0 (who, "nobody") == 0)
        g_printerr (_("paddockctl: not run: nobody allowed it (without a terminal, nobody can be asked)\n"));
      else if (g_strcmp0 (who, "timeout") == 0)
        g_printerr (_("paddockctl: not run: nobody answered in time\n"));
      else
        g_printerr (_("paddockctl: not run: denied\n"));
      paddockctl_describe (stderr, outcome->decision);
      return EXIT_DENIED;
    }

  /* What a person allowed for the session outlives this run. */
  if (g_strcmp0 (outcome->scope, "session") == 0 && session_path == NULL)
    g_printerr (_("paddockctl: no $XDG_RUNTIME_DIR, so this is allowed once only\n"));
  if (session_path != NULL && paddock_grants_get_rules (grants)->len != n_grants &&
      !paddock_grants_save (grants, session_path, &error))
    {
      g_printerr ("paddockctl: %s\n", error->message);
      g_clear_error (&error);
    }

  if (outcome->hazards[0] != NULL)
    {
      g_printerr (_("paddockctl: the command left files that the host runs later; check them before you trust this folder again:\n"));
      for (guint i = 0; outcome->hazards[i] != NULL; i++)
        g_printerr ("  %s\n", outcome->hazards[i]);
    }
  exit_code = outcome->exit_code;
  return exit_code;
}
