/* paddock-sandbox.h: runs commands through paddock-sandbox, as the
 * policy lays the sandbox out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "paddock-policy.h"

G_BEGIN_DECLS

#define PADDOCK_SANDBOX_ERROR (paddock_sandbox_error_quark ())

typedef enum
{
  PADDOCK_SANDBOX_ERROR_HELPER,   /* paddock-sandbox is missing or failed to report */
  PADDOCK_SANDBOX_ERROR_FAILED,   /* the sandbox could not run the command */
  PADDOCK_SANDBOX_ERROR_NOT_FOUND, /* no such program */
} PaddockSandboxError;

GQuark paddock_sandbox_error_quark (void);

#define PADDOCK_TYPE_SANDBOX (paddock_sandbox_get_type ())

G_DECLARE_FINAL_TYPE (PaddockSandbox, paddock_sandbox, PADDOCK, SANDBOX, GObject)

PaddockSandbox *paddock_sandbox_new               (PaddockPolicy      *policy);
/* Seconds of wall clock for the whole process tree; 0: none. */
void            paddock_sandbox_set_timeout       (PaddockSandbox     *self,
                                                   guint               seconds);
/* Bytes of output before the command is stopped; 0: none. */
void            paddock_sandbox_set_output_limit  (PaddockSandbox     *self,
                                                   guint64             bytes);

/* Where the command's output and errors go instead of our stdout and
 * stderr, its stdin then being /dev/null (for the app). The caller
 * keeps @fd open until the run ends; -1 restores our stdio. */
void            paddock_sandbox_set_output_fd     (PaddockSandbox     *self,
                                                   int                 fd);
/* With an output descriptor: the command's stdin instead of /dev/null,
 * and its stderr apart from its output (an MCP server's stdio). -1 for
 * the defaults; the caller keeps them open until the run ends. */
void            paddock_sandbox_set_input_fd      (PaddockSandbox     *self,
                                                   int                 fd);
void            paddock_sandbox_set_error_fd      (PaddockSandbox     *self,
                                                   int                 fd);

/* The way out of the sandbox: a PaddockProxy's socket and token. Without
 * it (the default) the command has no network at all. */
void            paddock_sandbox_set_proxy         (PaddockSandbox     *self,
                                                   const char         *socket_path,
                                                   const char         *token);

/* The helper: the installed one, or the build tree's in a development
 * build (PADDOCK_SANDBOX_HELPER overrides it there, for tests). */
/* Variables the command gets beyond the few passed from this process,
 * as NAME=VALUE: what an agent needs, such as its provider's key. They
 * travel to the helper on a descriptor, never on a command line. */
void            paddock_sandbox_set_environment   (PaddockSandbox     *self,
                                                   const char * const *environment);
/* A unix socket the command reaches at PADDOCK_SANDBOX_MCP_SOCKET:
 * Paddock's MCP server, for an agent's own MCP client. */
#define PADDOCK_SANDBOX_MCP_SOCKET "/run/paddock/mcp.sock"
/* What carries an MCP client's stdio there, inside the sandbox: the
 * helper itself, with this option. */
#define PADDOCK_SANDBOX_MCP_BRIDGE "/run/paddock/forward"
#define PADDOCK_SANDBOX_MCP_BRIDGE_OPTION "--mcp-bridge"
void            paddock_sandbox_set_mcp_socket    (PaddockSandbox     *self,
                                                   const char         *path);
/* A file the command reads at PADDOCK_SANDBOX_AGENT_SETTINGS: the agent's
 * settings that name Paddock's MCP server. */
#define PADDOCK_SANDBOX_AGENT_SETTINGS "/run/paddock/settings.json"
void            paddock_sandbox_set_agent_settings (PaddockSandbox    *self,
                                                    const char        *path);
/* Notes in the report ("refused_files") each file access the sandbox
 * refuses: what tried to read or write where, and why it could not.
 * Costs a round trip to the helper for each open. */
void            paddock_sandbox_set_watch_files   (PaddockSandbox     *self,
                                                   gboolean            watch);
const char     *paddock_sandbox_get_helper_path   (void);

/* The spec paddock-sandbox reads, as JSON text. The environment is
 * @environ reduced to what the sandbox may see. */
char           *paddock_sandbox_build_spec        (PaddockSandbox     *self,
                                                   const char * const *argv,
                                                   const char         *cwd,
                                                   const char * const *environ);

/* Runs @argv in the sandbox with our stdin, stdout and stderr. The main
 * context keeps running meanwhile, for the proxy and for prompts.
 * Cancelling stops the command and everything it started; the run then
 * finishes as a signal-ended one. */
void            paddock_sandbox_run_async         (PaddockSandbox      *self,
                                                   const char * const  *argv,
                                                   const char          *cwd,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean        paddock_sandbox_run_finish        (PaddockSandbox      *self,
                                                   GAsyncResult        *result,
                                                   int                 *exit_code,
                                                   JsonNode           **report,
                                                   GError             **error);

/* Runs @argv in the sandbox with our stdin, stdout and stderr, and
 * waits. @exit_code gets the command's status (128 + signal when a
 * signal ended it); @report the helper's report. Fails when the
 * sandbox could not run the command at all, saying why. */
gboolean        paddock_sandbox_run               (PaddockSandbox     *self,
                                                   const char * const *argv,
                                                   const char         *cwd,
                                                   int                *exit_code,
                                                   JsonNode          **report,
                                                   GError            **error);

G_END_DECLS
