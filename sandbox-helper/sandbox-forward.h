/* sandbox-forward.h: the sandbox's side of the proxy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Where the forwarder finds its pieces inside the sandbox. */
#define SANDBOX_FORWARD_BINARY "/run/paddock/forward"
#define SANDBOX_FORWARD_SOCKET "/run/paddock/proxy.sock"
/* Where Paddock's MCP server is, for an agent's own MCP client. */
#define SANDBOX_MCP_SOCKET "/run/paddock/mcp.sock"
/* Where an agent finds the settings that name that server. */
#define SANDBOX_AGENT_SETTINGS "/run/paddock/settings.json"
/* Past this, a prompt is cut: the MCP server takes 4 MiB a message. */
#define SANDBOX_PROMPT_LIMIT (1024 * 1024)

/* Runs inside the sandbox, as the command's parent:
 *   paddock-sandbox --forward SOCKET --token-fd FD -- PROGRAM [ARG]…
 * Listens on 127.0.0.1, points the proxy variables of PROGRAM's
 * environment there, and hands every connection it accepts to the proxy
 * at SOCKET. Returns PROGRAM's exit status (128 + signal). */
int sandbox_forward_main (int    argc,
                          char **argv);

/* Runs inside the sandbox, as the MCP server an agent's own client
 * starts:
 *   paddock-sandbox --mcp-bridge
 * Carries its stdin and stdout to Paddock's MCP server at
 * SANDBOX_MCP_SOCKET until the server closes. */
int sandbox_mcp_bridge_main (void);

/* Runs inside the sandbox, as an agent's prompt hook:
 *   paddock-sandbox --record-prompt SOURCE [PAYLOAD]
 * Hands PAYLOAD (else its stdin), what the agent says of the prompt, to
 * Paddock's MCP server as a "notifications/paddock/user_prompt", which
 * reads it as SOURCE ("claude", "codex") writes it. Always exits 0: a
 * prompt not recorded must not stop the agent. */
int sandbox_record_prompt_main (int    argc,
                                char **argv);

G_END_DECLS
