/* paddockctl-mcp.c: `paddockctl mcp`, Paddock as an MCP server on
 * stdin and stdout for any MCP client
 *
 * Standard output carries the protocol and nothing else; what people
 * should read goes to standard error, questions to the app or the
 * terminal that started the client.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>

#include "paddock-audit-session.h"
#include "paddock-mcp-gateway.h"
#include "paddock-mcp-server.h"
#include "paddockctl.h"

static void
on_served (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_main_loop_quit (user_data);
}

/* A client that ends its server with a signal: the same as closing
 * its input, so the events still leave with the exporter. */
static gboolean
on_terminate (gpointer user_data)
{
  paddock_mcp_server_stop (user_data);
  return G_SOURCE_CONTINUE;
}

int
paddockctl_mcp (int    argc,
                char **argv)
{
  g_autofree char *workspace_dir = NULL;
  const GOptionEntry entries[] = {
    { "workspace", 'w', 0, G_OPTION_ARG_FILENAME, &workspace_dir, N_("The workspace (default: the current folder)"), N_("DIR") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockWorkspace) workspace = NULL;
  g_autoptr(PaddockPolicy) policy = NULL;
  g_auto(PaddockctlExport) export = { NULL };
  g_autoptr(PaddockAuditSession) session = NULL;
  g_autoptr(PaddockGrants) grants = NULL;
  g_autoptr(PaddockMcpServer) server = NULL;
  g_autoptr(PaddockMcpGateway) gateway = NULL;
  g_autoptr(PaddockctlAsker) asker = NULL;
  g_autoptr(GInputStream) input = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  g_autoptr(GOutputStream) output = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *session_path = paddock_grants_dup_session_path ();
  guint terminate, interrupt;

  g_set_prgname ("paddockctl mcp");
  g_option_context_set_summary (context, _("Serve the Model Context Protocol on stdin and stdout: an MCP client's "
                                           "commands and file edits go through the workspace's policy, approvals "
                                           "and sandbox."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return paddockctl_error ("%s", error->message);
  if (argc > 1)
    return paddockctl_error (_("unexpected “%s”"), argv[1]);

  policy = paddockctl_open_policy (workspace_dir, &workspace, &error);
  if (policy == NULL)
    return paddockctl_error ("%s", error->message);
  session = paddockctl_open_session (policy, workspace, "paddockctl mcp", &export, &error);
  if (session == NULL)
    return paddockctl_error ("%s", error->message);
  grants = session_path != NULL ? paddock_grants_new_from_file (session_path, &error) : paddock_grants_new ();
  if (grants == NULL)
    return paddockctl_error ("%s", error->message);

  asker = paddockctl_asker_new ();
  server = paddock_mcp_server_new (policy, workspace, grants, session);
  g_signal_connect (server, "approval-needed", G_CALLBACK (paddockctl_asker_on_approval_needed), asker);
  /* The MCP servers the policy names, behind this one. */
  gateway = paddock_mcp_gateway_new (policy, workspace, grants, session);
  g_signal_connect (gateway, "approval-needed", G_CALLBACK (paddockctl_asker_on_approval_needed), asker);
  paddock_mcp_server_set_gateway (server, gateway);
  paddock_mcp_server_run_async (server, input, output, NULL, on_served, loop);
  terminate = g_unix_signal_add (SIGTERM, on_terminate, server);
  interrupt = g_unix_signal_add (SIGINT, on_terminate, server);
  g_main_loop_run (loop);
  g_source_remove (terminate);
  g_source_remove (interrupt);
  paddock_mcp_gateway_stop (gateway);

  if (session_path != NULL && !paddock_grants_save (grants, session_path, &error))
    g_printerr ("paddockctl: %s\n", error->message);
  return PADDOCKCTL_EXIT_OK;
}
