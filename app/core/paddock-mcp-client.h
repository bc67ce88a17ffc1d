/* paddock-mcp-client.h: Paddock as the client of an agent's MCP server
 *
 * JSON-RPC 2.0 to one MCP server: over a command's stdio (one message a
 * line), or over the streamable HTTP transport, with the answer as JSON
 * or as a stream of server-sent events.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define PADDOCK_MCP_CLIENT_ERROR (paddock_mcp_client_error_quark ())

typedef enum
{
  PADDOCK_MCP_CLIENT_ERROR_REMOTE,    /* the server answered with an error: its message */
  PADDOCK_MCP_CLIENT_ERROR_CLOSED,    /* the server went away */
  PADDOCK_MCP_CLIENT_ERROR_PROTOCOL,  /* what came back is not an answer */
  PADDOCK_MCP_CLIENT_ERROR_UNAUTHORIZED, /* HTTP 401: the bearer is missing, expired or refused */
} PaddockMcpClientError;

GQuark paddock_mcp_client_error_quark (void);

#define PADDOCK_TYPE_MCP_CLIENT (paddock_mcp_client_get_type ())

G_DECLARE_FINAL_TYPE (PaddockMcpClient, paddock_mcp_client, PADDOCK, MCP_CLIENT, GObject)

/* To a server on @output (its stdin) and @input (its stdout). */
PaddockMcpClient *paddock_mcp_client_new_for_streams (GInputStream        *input,
                                                      GOutputStream       *output);
/* To a server at @url, through @session; @bearer (nullable) goes in
 * every request's Authorization header. */
PaddockMcpClient *paddock_mcp_client_new_for_http    (SoupSession         *session,
                                                      const char          *url,
                                                      const char          *bearer);
/* initialize, then notifications/initialized. */
void              paddock_mcp_client_initialize_async (PaddockMcpClient  *self,
                                                       GCancellable      *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer           user_data);
gboolean          paddock_mcp_client_initialize_finish (PaddockMcpClient *self,
                                                        GAsyncResult     *result,
                                                        GError          **error);
/* @params (nullable) is taken. The result member of the answer. */
void              paddock_mcp_client_request_async   (PaddockMcpClient    *self,
                                                      const char          *method,
                                                      JsonNode            *params,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
JsonNode         *paddock_mcp_client_request_finish  (PaddockMcpClient    *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
/* The bearer for the requests from now on (nullable). */
void              paddock_mcp_client_set_bearer      (PaddockMcpClient    *self,
                                                      const char          *bearer);
/* Whether the server went away, or the session was ended. */
gboolean          paddock_mcp_client_is_closed       (PaddockMcpClient    *self);
/* Ends the session: requests still waiting fail as closed. */
void              paddock_mcp_client_close           (PaddockMcpClient    *self);

G_END_DECLS
