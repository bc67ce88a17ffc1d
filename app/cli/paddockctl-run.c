/* paddockctl-run.c: `paddockctl run`
 *
 * Decides the command with the policy, asks a person on the terminal
 * when the decision is a prompt, runs it through paddock-sandbox, and
 * says afterwards what it left that the host would run later.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "paddock-path.h"
#include "paddock-policy-loader.h"
#include "paddock-sandbox.h"
#include "paddock-tripwire.h"
#include "paddockctl.h"

/* A person said no, or the policy did: not the command's own status. */
#define EXIT_DENIED 126

typedef enum
{
  ANSWER_NO_TERMINAL,
  ANSWER_DENY,
  ANSWER_ONCE,
  ANSWER_SESSION,
} Answer;

static void
describe (FILE                  *out,
          const PaddockDecision *decision)
{
  g_autofree char *command = paddock_action_to_display (decision->action);
  g_autofree char *location = paddock_rule_dup_location (decision->decisive);
  g_autofree char *rule = paddock_rule_dup_display_text (decision->decisive);
  g_autofree char *reason = decision->decisive->reason ? paddock_escape_for_display (decision->decisive->reason)
                                                       : g_strdup (_("(none given)"));

  fprintf (out, _("  command:    %s\n"), command);
  fprintf (out, _("  decided by: the %s layer, %s\n"), paddock_layer_to_string (decision->decisive->layer), location);
  fprintf (out, _("  rule:       %s\n"), rule);
  fprintf (out, _("  reason:     %s\n"), reason);
  if (decision->approval_effect != NULL)
    fprintf (out, _("  approval:   %s\n"), decision->approval_effect);
}

/* Asks on the controlling terminal, never on stdin: stdin may be the
 * agent's, and an agent must not answer for a person. No terminal means
 * no. */
static Answer
ask (const PaddockDecision *decision)
{
  gboolean session_possible = !decision->decisive->grant_once;
  char line[64];
  FILE *tty;
  int fd = open ("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);

  if (fd < 0 || (tty = fdopen (fd, "r+")) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return ANSWER_NO_TERMINAL;
    }

  fprintf (tty, _("Paddock asks before running this:\n"));
  describe (tty, decision);
  if (session_possible)
    fprintf (tty, _("[d]eny, allow [o]nce, allow for this [s]ession? [d] "));
  else
    fprintf (tty, _("[d]eny, allow [o]nce (this rule asks every time)? [d] "));
  fflush (tty);

  if (fgets (line, sizeof line, tty) == NULL)
    line[0] = '\0';
  fclose (tty);

  if (line[0] == 'o' || line[0] == 'O')
    return ANSWER_ONCE;
  if (session_possible && (line[0] == 's' || line[0] == 'S'))
    return ANSWER_SESSION;
  return ANSWER_DENY;
}

static int
deny (const PaddockDecision *decision,
      const char            *why)
{
  g_printerr ("paddockctl: %s\n", why);
  describe (stderr, decision);
  return EXIT_DENIED;
}

int
paddockctl_run (int    argc,
                char **argv)
{
  g_autofree char *workspace_dir = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *sandbox_mode = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  g_auto(GStrv) command = NULL;
  int timeout = 0;
  gint64 output_limit = -1;
  const GOptionEntry entries[] = {
    { "workspace", 'w', 0, G_OPTION_ARG_FILENAME, &workspace_dir, N_("The workspace (default: the current folder)"), N_("DIR") },
    { "mode", 'm', 0, G_OPTION_ARG_STRING, &mode, N_("Approval mode: untrusted, on-request, never or auto-review"), N_("MODE") },
    { "sandbox", 's', 0, G_OPTION_ARG_STRING, &sandbox_mode, N_("Sandbox: read-only, workspace-write or full-access"), N_("MODE") },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, N_("Stop the command and everything it started after this long"), N_("SECONDS") },
    { "output-limit", 0, 0, G_OPTION_ARG_INT64, &output_limit, N_("Stop the command after this much output (default 100 MiB; 0: no limit)"), N_("BYTES") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &command, NULL, N_("-- PROGRAM [ARG…]") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockPolicyLoader) loader = paddock_policy_loader_new ();
  g_autoptr(PaddockWorkspace) workspace = NULL;
  g_autoptr(PaddockPolicy) policy = NULL;
  g_autoptr(PaddockAction) action = NULL;
  g_autoptr(PaddockDecision) decision = NULL;
  g_autoptr(PaddockGrants) grants = NULL;
  g_autoptr(PaddockSandbox) sandbox = NULL;
  g_autoptr(PaddockTripwire) tripwire = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_auto(GStrv) findings = NULL;
  g_autofree char *session_path = paddock_grants_dup_session_path ();
  g_autofree char *run_dir = NULL;
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

  workspace = paddock_workspace_new_for_path (workspace_dir ? workspace_dir : cwd, &error);
  if (workspace == NULL)
    return paddockctl_error ("%s", error->message);
  policy = paddock_policy_loader_load (loader, workspace, &error);
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

  /* A command started outside the workspace starts at its top. */
  run_dir = paddock_path_is_within (cwd, paddock_workspace_get_path (workspace))
            ? g_strdup (cwd) : g_strdup (paddock_workspace_get_path (workspace));
  if (session_path != NULL)
    grants = paddock_grants_new_from_file (session_path, &error);
  if (error != NULL)
    return paddockctl_error ("%s", error->message);

  action = paddock_action_new_exec ((const char * const *) command, run_dir);
  decision = paddock_policy_evaluate (policy, action, grants);

  switch (decision->verdict)
    {
    case PADDOCK_VERDICT_FORBIDDEN:
      return deny (decision, _("the policy forbids this command"));

    case PADDOCK_VERDICT_PROMPT:
      switch (ask (decision))
        {
        case ANSWER_NO_TERMINAL:
          return deny (decision, _("not run: nobody allowed it (without a terminal, nobody can be asked)"));
        case ANSWER_DENY:
          return deny (decision, _("not run: denied"));
        case ANSWER_SESSION:
          if (session_path == NULL)
            g_printerr (_("paddockctl: no $XDG_RUNTIME_DIR, so this is allowed once only\n"));
          else
            for (guint i = 0; i < decision->parts->len; i++)
              {
                const PaddockDecisionPart *part = g_ptr_array_index (decision->parts, i);

                if (part->verdict == PADDOCK_VERDICT_PROMPT &&
                    (!paddock_grants_add_from_decision (grants, decision, i, g_get_user_name (), &error) ||
                     !paddock_grants_save (grants, session_path, &error)))
                  {
                    g_printerr ("paddockctl: %s\n", error->message);
                    g_clear_error (&error);
                  }
              }
          break;
        case ANSWER_ONCE:
        default:
          break;
        }
      break;

    case PADDOCK_VERDICT_ALLOW:
    default:
      break;
    }

  tripwire = paddock_tripwire_new (paddock_workspace_get_path (workspace));
  sandbox = paddock_sandbox_new (policy);
  paddock_sandbox_set_timeout (sandbox, timeout);
  if (output_limit >= 0)
    paddock_sandbox_set_output_limit (sandbox, output_limit);
  if (!paddock_sandbox_run (sandbox, (const char * const *) command, run_dir, &exit_code, &report, &error))
    {
      paddockctl_error ("%s", error->message);
      /* As a shell would say it. */
      return g_error_matches (error, PADDOCK_SANDBOX_ERROR, PADDOCK_SANDBOX_ERROR_NOT_FOUND) ? 127 : 125;
    }

  findings = paddock_tripwire_check (tripwire);
  if (findings[0] != NULL)
    {
      g_printerr (_("paddockctl: the command left files that the host runs later; check them before you trust this folder again:\n"));
      for (guint i = 0; findings[i] != NULL; i++)
        g_printerr ("  %s\n", findings[i]);
    }

  return exit_code;
}
