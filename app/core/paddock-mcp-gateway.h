/* paddock-mcp-gateway.h: the MCP servers an agent uses, behind Paddock's
 *
 * The servers the policy names (mcp.servers) and does not forbid: a
 * command is started inside the sandbox, as any command, and spoken to
 * on its stdio; a URL is reached through the proxy, with the login the
 * keychain holds for it. Their tools are offered as SERVER__TOOL by
 * Paddock's MCP server, which judges each call (mcp.allow, mcp.deny)
 * and records it before it goes on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "paddock-audit-session.h"
#include "paddock-grants.h"
#include "paddock-policy.h"
#include "paddock-workspace.h"

G_BEGIN_DECLS

/* Between the server's name and the tool's, in the names offered. */
#define PADDOCK_MCP_GATEWAY_SEPARATOR "__"

#define PADDOCK_TYPE_MCP_GATEWAY (paddock_mcp_gateway_get_type ())

G_DECLARE_FINAL_TYPE (PaddockMcpGateway, paddock_mcp_gateway, PADDOCK, MCP_GATEWAY, GObject)

/* ::approval-needed (PaddockApprovalRequest *request): a server's command
 * or a server's host that needs a person, as PaddockRunner's. */
PaddockMcpGateway *paddock_mcp_gateway_new        (PaddockPolicy        *policy,
                                                   PaddockWorkspace     *workspace,
                                                   PaddockGrants        *grants,
                                                   PaddockAuditSession  *session);
/* Where the commands' stderr goes; -1 (the default): ours. */
void               paddock_mcp_gateway_set_error_fd (PaddockMcpGateway  *self,
                                                     int                 fd);
/* Whether @name is SERVER__TOOL for a server the policy names; then
 * @server and @tool are set. */
gboolean           paddock_mcp_gateway_split_name (PaddockMcpGateway    *self,
                                                   const char           *name,
                                                   char                **server,
                                                   char                **tool);
/* The tools of every server not forbidden, as MCP Tool objects named
 * SERVER__TOOL. A server that cannot be started or reached adds no
 * tools; why is in @notes (nullable), one line each. Never fails. */
void               paddock_mcp_gateway_list_tools_async  (PaddockMcpGateway   *self,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
JsonArray         *paddock_mcp_gateway_list_tools_finish (PaddockMcpGateway   *self,
                                                          GAsyncResult        *result,
                                                          char               **notes);
/* tools/call on @server's @tool, already judged: its CallToolResult. */
void               paddock_mcp_gateway_call_async  (PaddockMcpGateway   *self,
                                                    const char          *server,
                                                    const char          *tool,
                                                    JsonObject          *arguments,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
JsonNode          *paddock_mcp_gateway_call_finish (PaddockMcpGateway   *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
/* Stops the commands it started. */
void               paddock_mcp_gateway_stop       (PaddockMcpGateway    *self);

G_END_DECLS
