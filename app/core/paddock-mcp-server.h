/* paddock-mcp-server.h: Paddock as a Model Context Protocol server, so
 * that any MCP client (Codex CLI, Claude Code, Gemini CLI, editors) works
 * in a workspace through the same policy, approvals, sandbox, proxy and
 * audit log as every other front door
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "paddock-audit-session.h"
#include "paddock-grants.h"
#include "paddock-policy.h"
#include "paddock-workspace.h"

G_BEGIN_DECLS

/* The newest protocol revision spoken; older ones a client asks for
 * are spoken too. */
#define PADDOCK_MCP_PROTOCOL_VERSION "2025-06-18"
/* A message longer than this is refused, unread. */
#define PADDOCK_MCP_MAX_MESSAGE (4 * 1024 * 1024)

#define PADDOCK_TYPE_MCP_SERVER (paddock_mcp_server_get_type ())

G_DECLARE_FINAL_TYPE (PaddockMcpServer, paddock_mcp_server, PADDOCK, MCP_SERVER, GObject)

/* ::approval-needed (PaddockApprovalRequest *request): as
 * PaddockRunner's, for every call and host that needs a person. */
PaddockMcpServer *paddock_mcp_server_new        (PaddockPolicy        *policy,
                                                 PaddockWorkspace     *workspace,
                                                 PaddockGrants        *grants,
                                                 PaddockAuditSession  *session);
/* Serves JSON-RPC messages, one per line, from @input to @output until
 * @input ends; calls still running then are cancelled, their commands
 * stopped. */
void              paddock_mcp_server_run_async  (PaddockMcpServer     *self,
                                                 GInputStream         *input,
                                                 GOutputStream        *output,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean          paddock_mcp_server_run_finish (PaddockMcpServer     *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* As if the input ended: running calls are cancelled, and the run
 * finishes once they are gone. */
void              paddock_mcp_server_stop       (PaddockMcpServer     *self);
/* Records the prompts an agent's hook reports on this connection
 * ("notifications/paddock/user_prompt", from `paddock-sandbox
 * --record-prompt`) as paddock.user_prompt. Only for the server an
 * agent started by Paddock reaches: anyone else's are ignored. */
void              paddock_mcp_server_set_accepts_prompts (PaddockMcpServer *self,
                                                          gboolean          accepts);
/* Offers the tools of @gateway's servers too, each call judged as
 * "mcp" SERVER/TOOL and recorded before it goes on. */
typedef struct _PaddockMcpGateway PaddockMcpGateway;
void              paddock_mcp_server_set_gateway (PaddockMcpServer  *self,
                                                  PaddockMcpGateway *gateway);

G_END_DECLS
