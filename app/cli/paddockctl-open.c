/* paddockctl-open.c: what every front door that runs something shares:
 * the workspace, its policy, the audit store with its exporter, and
 * waiting for the runner
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "paddock-policy-loader.h"
#include "paddock-telemetry-config.h"
#include "paddockctl.h"

int
paddockctl_error (const char *format,
                  ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("paddockctl: %s\n", message);
  return PADDOCKCTL_EXIT_ERROR;
}

PaddockPolicy *
paddockctl_open_policy (const char        *workspace_dir,
                        PaddockWorkspace **workspace,
                        GError           **error)
{
  g_autoptr(PaddockPolicyLoader) loader = paddock_policy_loader_new ();
  g_autofree char *cwd = g_get_current_dir ();

  *workspace = paddock_workspace_new_for_path (workspace_dir ? workspace_dir : cwd, error);
  if (*workspace == NULL)
    return NULL;
  return paddock_policy_loader_load (loader, *workspace, error);
}

PaddockAuditSession *
paddockctl_open_session (PaddockPolicy     *policy,
                         PaddockWorkspace  *workspace,
                         const char        *client,
                         PaddockctlExport  *export,
                         GError           **error)
{
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(PaddockTelemetryConfig) config = paddock_telemetry_config_new (policy, (const char * const *) envp);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PaddockAudit) audit = paddock_audit_open_for_policy (policy, config->policy_endpoint, &local_error);

  /* Nothing runs unrecorded: no store, nothing. */
  if (audit == NULL)
    {
      g_set_error (error, local_error->domain, local_error->code, _("%s; nothing runs unrecorded"),
                   local_error->message);
      return NULL;
    }
  if (config->enabled && config->endpoint != NULL)
    paddockctl_export_start (export, config->endpoint_shown);
  return paddock_audit_session_new (audit, policy, workspace, client);
}

static void
on_ran (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

PaddockRunResult *
paddockctl_run_and_wait (PaddockRunner       *runner,
                         const char * const  *argv,
                         const char          *cwd,
                         GCancellable        *cancellable,
                         GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  paddock_runner_run_async (runner, argv, cwd, cancellable, on_ran, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return paddock_runner_run_finish (runner, result, error);
}
