/* paddockctl-run.c: `paddockctl run`
 *
 * Decides the command with the policy, asks a person on the terminal
 * when the decision is a prompt, runs it through paddock-sandbox with
 * Paddock's proxy as its only way out (asking on the terminal about
 * hosts while it runs), and says afterwards what it left that the host
 * would run later.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include <glib-unix.h>

#include "paddock-audit-session.h"
#include "paddock-broker-client.h"
#include "paddock-errors.h"
#include "paddock-path.h"
#include "paddock-policy-loader.h"
#include "paddock-proxy.h"
#include "paddock-sandbox.h"
#include "paddock-telemetry-config.h"
#include "paddock-tripwire.h"
#include "paddockctl.h"

/* A person said no, or the policy did: not the command's own status. */
#define EXIT_DENIED 126

/* How long a finished run waits for the collector before it leaves the
 * rest to the next Paddock process (paddock-export's own bound). */
#define FLUSH_TIMEOUT_MS 3000

/* Asks on the controlling terminal, never on stdin: stdin may be the
 * agent's, and an agent must not answer for a person. No terminal means
 * no. */
static void
ask_on_terminal (PaddockApprovalRequest *request)
{
  PaddockDecision *decision = paddock_approval_request_get_decision (request);
  gboolean session_possible = paddock_approval_request_offers (request, PADDOCK_ANSWER_SESSION);
  char line[64];
  FILE *tty;
  int fd = open ("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);

  if (fd < 0 || (tty = fdopen (fd, "r+")) == NULL)
    {
      if (fd >= 0)
        close (fd);
      paddock_approval_request_answer (request, PADDOCK_ANSWER_DENY, "nobody");
      return;
    }

  fprintf (tty, _("Paddock asks before running this:\n"));
  paddockctl_describe (tty, decision);
  if (session_possible)
    fprintf (tty, _("[d]eny, allow [o]nce, allow for this [s]ession? [d] "));
  else
    fprintf (tty, _("[d]eny, allow [o]nce (this rule asks every time)? [d] "));
  fflush (tty);

  if (fgets (line, sizeof line, tty) == NULL)
    line[0] = '\0';
  fclose (tty);

  if (line[0] == 'o' || line[0] == 'O')
    paddock_approval_request_answer (request, PADDOCK_ANSWER_ONCE, g_get_user_name ());
  else if (session_possible && (line[0] == 's' || line[0] == 'S'))
    paddock_approval_request_answer (request, PADDOCK_ANSWER_SESSION, g_get_user_name ());
  else
    paddock_approval_request_answer (request, PADDOCK_ANSWER_DENY, g_get_user_name ());
}

typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
} Wait;

static void
on_waited (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static gboolean
on_ask_timeout (gpointer user_data)
{
  paddock_approval_request_answer (user_data, PADDOCK_ANSWER_DENY, "timeout");
  return G_SOURCE_REMOVE;
}

/* The app's dialog when the app runs, else the terminal. An app that
 * cannot take the question is a denial, not a reason to ask elsewhere. */
static void
ask (PaddockApprovalRequest *request)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Wait wait = { loop, NULL };
  g_autoptr(GSource) timer = g_timeout_source_new_seconds (paddock_approval_request_get_timeout (request));

  g_source_set_callback (timer, on_ask_timeout, request, NULL);
  g_source_attach (timer, NULL);
  paddock_broker_client_ask_async (request, NULL, on_waited, &wait);
  g_main_loop_run (loop);
  result = wait.result;
  g_source_destroy (timer);

  if (paddock_broker_client_ask_finish (result, &error))
    return;
  if (g_error_matches (error, PADDOCK_BROKER_ERROR, PADDOCK_BROKER_ERROR_NO_APP))
    {
      ask_on_terminal (request);
      return;
    }
  g_printerr ("paddockctl: %s\n", error->message);
  paddock_approval_request_answer (request, PADDOCK_ANSWER_DENY, "nobody");
}

/* The export, by paddock-export beside the run: told on every way out
 * of it that the run is over, it flushes for a bounded time, and what
 * is left waits in the store for the next Paddock process. */
typedef struct
{
  GSubprocess *exporter;
} Export;

static void
on_exporter_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_main_loop_quit (user_data);
}

static gboolean
on_exporter_late (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
export_finish (Export *export)
{
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GSource) late = NULL;

  if (export->exporter == NULL)
    return;
  context = g_main_context_new ();
  loop = g_main_loop_new (context, FALSE);
  g_main_context_push_thread_default (context);
  g_output_stream_close (g_subprocess_get_stdin_pipe (export->exporter), NULL, NULL);
  g_subprocess_wait_async (export->exporter, NULL, on_exporter_done, loop);
  late = g_timeout_source_new (FLUSH_TIMEOUT_MS + 1000);
  g_source_set_callback (late, on_exporter_late, loop, NULL);
  g_source_attach (late, context);
  g_main_loop_run (loop);
  g_source_destroy (late);
  /* Still running after its bound (not reaped): it goes; the store
   * keeps what it had not sent. */
  if (g_subprocess_get_identifier (export->exporter) != NULL)
    g_subprocess_force_exit (export->exporter);
  g_main_context_pop_thread_default (context);
  g_clear_object (&export->exporter);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Export, export_finish)

static void
export_start (Export     *export,
              const char *endpoint)
{
  const char *exporter = PADDOCK_DEVELOPMENT ? PADDOCK_BUILD_EXPORTER : PADDOCK_EXPORTER;
  g_autoptr(GError) error = NULL;

  export->exporter = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE, &error, exporter, "follow", NULL);
  /* The events are in the store: the next Paddock process sends them. */
  if (export->exporter == NULL)
    g_printerr (_("paddockctl: events are not sent to %s now: %s\n"), endpoint, error->message);
}

/* Records what was decided; FALSE (said on stderr) when the audit
 * store did not take it. */
static gboolean
record_decision (PaddockAuditSession    *session,
                 const PaddockDecision  *decision,
                 gboolean                allowed,
                 PaddockApprovalRequest *request,
                 const char             *scope,
                 const char             *call_id)
{
  g_autoptr(JsonObject) attributes = paddock_audit_decision_attributes (decision, allowed, request ? "user" : "policy",
                                                                        scope, call_id);
  g_autoptr(GError) error = NULL;

  /* Who answered: a person's name, "timeout" or "nobody". */
  if (request != NULL)
    json_object_set_string_member (attributes, "answered_by", paddock_approval_request_get_who (request));

  if (paddock_audit_session_record (session, "paddock.tool_decision", attributes, &error) > 0)
    return TRUE;
  g_printerr ("paddockctl: %s\n", error->message);
  return FALSE;
}

static int
deny (PaddockAuditSession    *session,
      const PaddockDecision  *decision,
      PaddockApprovalRequest *request,
      const char             *why)
{
  g_autofree char *call_id = g_uuid_string_random ();

  record_decision (session, decision, FALSE, request, NULL, call_id);
  g_printerr ("paddockctl: %s\n", why);
  paddockctl_describe (stderr, decision);
  return EXIT_DENIED;
}

static void
on_approval_needed (PaddockProxy           *proxy,
                    PaddockApprovalRequest *request,
                    PaddockctlAsker        *asker)
{
  paddockctl_asker_ask (asker, request);
}

/* A refused destination, said where the person sees it. */
static void
on_network_event (PaddockProxy        *proxy,
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
  g_autoptr(PaddockPolicyLoader) loader = paddock_policy_loader_new ();
  g_autoptr(PaddockWorkspace) workspace = NULL;
  g_autoptr(PaddockPolicy) policy = NULL;
  g_autoptr(PaddockAction) action = NULL;
  g_autoptr(PaddockDecision) decision = NULL;
  g_autoptr(PaddockGrants) grants = NULL;
  g_autoptr(PaddockSandbox) sandbox = NULL;
  g_autoptr(PaddockTripwire) tripwire = NULL;
  g_autoptr(PaddockProxy) proxy = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PaddockctlAsker) asker = NULL;
  Wait wait = { NULL, NULL };
  g_autoptr(PaddockApprovalRequest) request = NULL;
  guint n_grants;
  g_auto(GStrv) findings = NULL;
  g_autofree char *session_path = paddock_grants_dup_session_path ();
  g_autofree char *run_dir = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(PaddockTelemetryConfig) config = NULL;
  g_autoptr(PaddockAudit) audit = NULL;
  g_auto(Export) export = { NULL };
  g_autoptr(PaddockAuditSession) session = NULL;
  g_autoptr(JsonObject) attributes = NULL;
  g_autofree char *call_id = g_uuid_string_random ();
  const char *scope = NULL;
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
  if (network_mode != NULL)
    {
      PaddockNetworkMode requested;

      if (!paddock_network_mode_from_string (g_str_equal (network_mode, "off") ? "disabled" : network_mode, &requested))
        return paddockctl_error (_("“%s” is not a network mode; accepted: off, allowlist, full"), network_mode);
      if (!paddock_policy_set_network_mode (policy, requested, &error))
        return paddockctl_error ("%s", error->message);
    }

  /* Nothing runs unrecorded: no store, no run. */
  config = paddock_telemetry_config_new (policy, (const char * const *) envp);
  audit = paddock_audit_open_for_policy (policy, config->policy_endpoint, &error);
  if (audit == NULL)
    return paddockctl_error (_("%s; nothing runs unrecorded"), error->message);
  if (config->enabled && config->endpoint != NULL)
    export_start (&export, config->endpoint_shown);
  session = paddock_audit_session_new (audit, policy, workspace, "paddockctl run");

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

  action = paddock_action_new_exec ((const char * const *) command, run_dir);
  decision = paddock_policy_evaluate (policy, action, grants);

  /* Queued just before the decision, so one commit holds both: the
   * decision's wait covers it. */
  attributes = paddock_audit_session_start_attributes (session);
  paddock_audit_session_record_async (session, "paddock.session_start", attributes, NULL, NULL, NULL);
  g_clear_pointer (&attributes, json_object_unref);

  switch (decision->verdict)
    {
    case PADDOCK_VERDICT_FORBIDDEN:
      return deny (session, decision, NULL, _("the policy forbids this command"));

    case PADDOCK_VERDICT_PROMPT:
      request = paddock_approval_request_new (decision, FALSE);
      paddock_approval_request_set_asker (request, paddock_workspace_get_path (workspace), "paddockctl run");
      paddock_approval_request_set_timeout (request, PADDOCK_APPROVAL_DEFAULT_TIMEOUT_S);
      ask (request);
      switch (paddock_approval_request_get_answer (request))
        {
        case PADDOCK_ANSWER_DENY:
        case PADDOCK_ANSWER_ALWAYS:  /* never offered for commands */
        default:
          if (g_str_equal (paddock_approval_request_get_who (request), "nobody"))
            return deny (session, decision, request, _("not run: nobody allowed it (without a terminal, nobody can be asked)"));
          if (g_str_equal (paddock_approval_request_get_who (request), "timeout"))
            return deny (session, decision, request, _("not run: nobody answered in time"));
          return deny (session, decision, request, _("not run: denied"));
        case PADDOCK_ANSWER_SESSION:
          scope = "session";
          break;
        case PADDOCK_ANSWER_ONCE:
          scope = "once";
          break;
        }
      break;

    case PADDOCK_VERDICT_ALLOW:
    default:
      break;
    }

  if (!record_decision (session, decision, TRUE, request, scope, call_id))
    return paddockctl_error (_("the command does not run unrecorded"));

  /* Granted only once the consent is on record. */
  if (g_strcmp0 (scope, "session") == 0 && session_path == NULL)
    g_printerr (_("paddockctl: no $XDG_RUNTIME_DIR, so this is allowed once only\n"));
  else if (g_strcmp0 (scope, "session") == 0 &&
           !paddock_grants_add_prompted (grants, decision, paddock_approval_request_get_who (request), &error))
    {
      g_printerr ("paddockctl: %s\n", error->message);
      g_clear_error (&error);
    }

  tripwire = paddock_tripwire_new (paddock_workspace_get_path (workspace));
  sandbox = paddock_sandbox_new (policy);
  paddock_sandbox_set_timeout (sandbox, timeout);
  if (output_limit >= 0)
    paddock_sandbox_set_output_limit (sandbox, output_limit);

  /* The way out, unless there is none to give or no sandbox to give it. */
  if (paddock_policy_get_network_mode (policy) != PADDOCK_NETWORK_DISABLED &&
      paddock_policy_get_sandbox_mode (policy) != PADDOCK_SANDBOX_FULL_ACCESS)
    {
      g_autofree char *workspace_policy = paddock_workspace_dup_settings_policy_path (workspace);

      proxy = paddock_proxy_new (policy, grants);
      paddock_proxy_set_workspace_policy (proxy, workspace_policy);
      asker = paddockctl_asker_new (paddock_workspace_get_path (workspace), "paddockctl run");
      g_signal_connect (proxy, "approval-needed", G_CALLBACK (on_approval_needed), asker);
      g_signal_connect (proxy, "event", G_CALLBACK (on_network_event), NULL);
      paddock_proxy_set_audit_session (proxy, session);
      if (!paddock_proxy_start (proxy, &error))
        return paddockctl_error (_("the network proxy cannot start, so the command does not run: %s"), error->message);
      paddock_sandbox_set_proxy (sandbox, paddock_proxy_get_socket_path (proxy), paddock_proxy_get_token (proxy));
    }

  loop = g_main_loop_new (NULL, FALSE);
  wait.loop = loop;
  paddock_sandbox_run_async (sandbox, (const char * const *) command, run_dir, NULL, on_waited, &wait);
  g_main_loop_run (loop);
  result = wait.result;

  if (proxy != NULL)
    paddock_proxy_stop (proxy);
  g_clear_pointer (&asker, paddockctl_asker_close);
  /* What a person allowed for the session outlives this run. */
  if (session_path != NULL && paddock_grants_get_rules (grants)->len != n_grants &&
      !paddock_grants_save (grants, session_path, &error))
    {
      g_printerr ("paddockctl: %s\n", error->message);
      g_clear_error (&error);
    }

  if (!paddock_sandbox_run_finish (sandbox, result, &exit_code, &report, &error))
    {
      paddockctl_error ("%s", error->message);
      /* As a shell would say it. */
      exit_code = g_error_matches (error, PADDOCK_SANDBOX_ERROR, PADDOCK_SANDBOX_ERROR_NOT_FOUND) ? 127 : 125;
      g_clear_error (&error);
    }

  attributes = paddock_audit_result_attributes (report, exit_code, call_id);
  if (paddock_audit_session_record (session, "paddock.tool_result", attributes, &error) == 0)
    {
      g_printerr ("paddockctl: %s\n", error->message);
      g_clear_error (&error);
    }

  findings = paddock_tripwire_check (tripwire);
  if (findings[0] != NULL)
    {
      g_printerr (_("paddockctl: the command left files that the host runs later; check them before you trust this folder again:\n"));
      for (guint i = 0; findings[i] != NULL; i++)
        {
          g_autoptr(JsonObject) hazard = paddock_audit_violation_attributes ("host-execution-hazard", findings[i],
                                                                             call_id);

          g_printerr ("  %s\n", findings[i]);
          paddock_audit_session_record (session, "paddock.sandbox_violation", hazard, NULL);
        }
    }

  return exit_code;
}
