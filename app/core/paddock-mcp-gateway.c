/* paddock-mcp-gateway.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>

#include "paddock-accounts.h"
#include "paddock-approval-request.h"
#include "paddock-keychain.h"
#include "paddock-mcp-client.h"
#include "paddock-mcp-gateway.h"
#include "paddock-proxy.h"
#include "paddock-runner.h"

typedef struct _Upstream Upstream;

struct _PaddockMcpGateway
{
  GObject parent_instance;

  PaddockPolicy *policy;
  PaddockWorkspace *workspace;
  PaddockGrants *grants;
  PaddockAuditSession *session;
  int error_fd;
  GCancellable *stopping;
  GHashTable *upstreams;    /* name → Upstream */
  GPtrArray *names;         /* sorted */
};

G_DEFINE_FINAL_TYPE (PaddockMcpGateway, paddock_mcp_gateway, G_TYPE_OBJECT)

enum
{
  APPROVAL_NEEDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _Upstream
{
  PaddockMcpGateway *gateway;  /* weak: it owns us */
  char *name;
  char **command;              /* or */
  char *url;
  PaddockMcpClient *client;
  gboolean started;
  gboolean ready;
  char *failure;               /* why it cannot be used; then for good */
  GPtrArray *waiting;          /* GTask*: for it to be ready */
  JsonArray *tools;            /* as it listed them, once */
  /* a command */
  PaddockRunner *runner;
  int input[2];                /* its stdin */
  int output[2];               /* its stdout */
  /* a URL */
  PaddockProxy *proxy;
  GSocketService *forwarder;
  SoupSession *soup;
};

static void
upstream_free (Upstream *upstream)
{
  g_free (upstream->name);
  g_strfreev (upstream->command);
  g_free (upstream->url);
  g_clear_object (&upstream->client);
  g_free (upstream->failure);
  g_ptr_array_unref (upstream->waiting);
  g_clear_pointer (&upstream->tools, json_array_unref);
  g_clear_object (&upstream->runner);
  for (guint i = 0; i < 2; i++)
    {
      if (upstream->input[i] >= 0)
        close (upstream->input[i]);
      if (upstream->output[i] >= 0)
        close (upstream->output[i]);
    }
  if (upstream->proxy != NULL)
    paddock_proxy_stop (upstream->proxy);
  g_clear_object (&upstream->proxy);
  if (upstream->forwarder != NULL)
    g_socket_service_stop (upstream->forwarder);
  g_clear_object (&upstream->forwarder);
  g_clear_object (&upstream->soup);
  g_free (upstream);
}

/* Every caller waiting for @upstream learns how it went. */
static void
settle (Upstream   *upstream,
        const char *failure)
{
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&upstream->waiting);

  upstream->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  if (failure != NULL && upstream->failure == NULL)
    upstream->failure = g_strdup (failure);
  upstream->ready = upstream->failure == NULL;
  for (guint i = 0; i < waiting->len; i++)
    {
      GTask *task = g_ptr_array_index (waiting, i);

      if (upstream->ready)
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_new_error (task, PADDOCK_MCP_CLIENT_ERROR, PADDOCK_MCP_CLIENT_ERROR_CLOSED,
                                 "the MCP server %s cannot be used: %s", upstream->name, upstream->failure);
    }
}

/* What a callback holds: the gateway alive, and the server by name. */
typedef struct
{
  PaddockMcpGateway *gateway;
  char *name;
} Held;

static Held *
hold (Upstream *upstream)
{
  Held *held = g_new0 (Held, 1);

  held->gateway = g_object_ref (upstream->gateway);
  held->name = g_strdup (upstream->name);
  return held;
}

/* The server, unless the gateway stopped meanwhile; frees @held. */
static Upstream *
release (Held *held)
{
  Upstream *upstream = g_cancellable_is_cancelled (held->gateway->stopping)
                       ? NULL : g_hash_table_lookup (held->gateway->upstreams, held->name);

  g_object_unref (held->gateway);
  g_free (held->name);
  g_free (held);
  return upstream;
}

static void
on_approval_needed (GObject                *source,
                    PaddockApprovalRequest *request,
                    PaddockMcpGateway      *self)
{
  paddock_approval_request_pass_on (request, self, signals[APPROVAL_NEEDED]);
}

static void
on_initialized (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Upstream *upstream = release (user_data);
  g_autoptr(GError) error = NULL;

  if (!paddock_mcp_client_initialize_finish (PADDOCK_MCP_CLIENT (source), result, &error))
    {
      if (upstream == NULL)
        return;  /* stopped: the gateway is going */
      g_prefix_error (&error, "it did not answer initialize: ");
      settle (upstream, error->message);
      return;
    }
  if (upstream != NULL)
    settle (upstream, NULL);
}

/* --- a command, in the sandbox ------------------------------------------ */

static void
on_command_ended (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockRunResult) outcome = paddock_runner_run_finish (PADDOCK_RUNNER (source), result, &error);
  g_autofree char *why = NULL;
  Upstream *upstream = release (user_data);

  if (upstream == NULL)
    return;  /* stopped: the gateway is going */
  if (outcome == NULL)
    why = g_strdup_printf ("its command did not run: %s", error->message);
  else if (outcome->refused != NULL)
    why = g_strdup_printf ("Paddock did not start its command: %s", outcome->refused);
  else
    why = g_strdup_printf ("its command ended (exit status %d)", outcome->exit_code);
  settle (upstream, why);
  if (upstream->client != NULL)
    paddock_mcp_client_close (upstream->client);
}

static void
start_command (Upstream *upstream)
{
  PaddockMcpGateway *self = upstream->gateway;
  g_autofree char *client = g_strdup_printf ("the MCP server %s (through Paddock)", upstream->name);
  g_autoptr(GInputStream) from = NULL;
  g_autoptr(GOutputStream) to = NULL;

  if (!g_unix_open_pipe (upstream->input, FD_CLOEXEC, NULL) || !g_unix_open_pipe (upstream->output, FD_CLOEXEC, NULL))
    {
      g_autofree char *why = g_strdup_printf ("pipe: %s", g_strerror (errno));
      settle (upstream, why);
      return;
    }
  upstream->runner = paddock_runner_new (self->policy, self->workspace, self->grants, self->session, client);
  g_signal_connect_object (upstream->runner, "approval-needed", G_CALLBACK (on_approval_needed), self, 0);
  paddock_runner_set_input_fd (upstream->runner, upstream->input[0]);
  paddock_runner_set_output_fd (upstream->runner, upstream->output[1]);
  paddock_runner_set_error_fd (upstream->runner, self->error_fd >= 0 ? self->error_fd : STDERR_FILENO);
  /* It serves for as long as the session lasts, and says as much as it
   * needs to. */
  paddock_runner_set_timeout (upstream->runner, 0);
  paddock_runner_set_output_limit (upstream->runner, 0);
  paddock_runner_run_async (upstream->runner, (const char * const *) upstream->command,
                            paddock_workspace_get_path (self->workspace), self->stopping, on_command_ended,
                            hold (upstream));

  from = g_unix_input_stream_new (upstream->output[0], TRUE);
  to = g_unix_output_stream_new (upstream->input[1], TRUE);
  upstream->output[0] = upstream->input[1] = -1;
  upstream->client = paddock_mcp_client_new_for_streams (from, to);
  paddock_mcp_client_initialize_async (upstream->client, self->stopping, on_initialized, hold (upstream));
}

/* --- a URL, through the proxy -------------------------------------------- */

typedef struct
{
  GIOStream *client;
  char *preamble;
} Forward;

static void
forward_free (Forward *forward)
{
  g_clear_object (&forward->client);
  g_free (forward->preamble);
  g_free (forward);
}

static void
on_preamble_written (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GIOStream) proxy = user_data;
  Forward *forward = g_object_get_data (G_OBJECT (proxy), "paddock-forward");

  if (g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    g_io_stream_splice_async (forward->client, proxy,
                              G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                              G_PRIORITY_DEFAULT, NULL, NULL, NULL);
}

static void
on_proxy_connected (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Forward *forward = user_data;
  g_autoptr(GSocketConnection) proxy = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, NULL);

  if (proxy == NULL)
    {
      forward_free (forward);
      return;
    }
  g_object_set_data_full (G_OBJECT (proxy), "paddock-forward", forward, (GDestroyNotify) forward_free);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (proxy)), forward->preamble,
                                   strlen (forward->preamble), G_PRIORITY_DEFAULT, NULL, on_preamble_written,
                                   g_object_ref (proxy));
}

/* The inode of the TCP socket bound to @address:@port on loopback, from
 * /proc/net/tcp, or 0. */
static guint64
tcp_socket_inode (GInetSocketAddress *address)
{
  g_autofree char *table = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *local = NULL;
  guint32 ip;

  if (g_inet_address_get_family (g_inet_socket_address_get_address (address)) != G_SOCKET_FAMILY_IPV4 ||
      !g_file_get_contents ("/proc/net/tcp", &table, NULL, NULL))
    return 0;
  memcpy (&ip, g_inet_address_to_bytes (g_inet_socket_address_get_address (address)), sizeof ip);
  local = g_strdup_printf ("%08X:%04X", ip, g_inet_socket_address_get_port (address));
  lines = g_strsplit (table, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
      g_autoptr(GPtrArray) columns = g_ptr_array_new ();

      for (guint j = 0; fields[j] != NULL; j++)
        if (*fields[j] != '\0')
          g_ptr_array_add (columns, fields[j]);
      /* sl local rem st queues tr retrnsmt uid timeout inode */
      if (columns->len > 9 && g_str_equal (g_ptr_array_index (columns, 1), local))
        return g_ascii_strtoull (g_ptr_array_index (columns, 9), NULL, 10);
    }
  return 0;
}

/* Whether the other end of @connection is a socket of this very process:
 * libsoup's, and not another program's, which would borrow the proxy's
 * token. */
static gboolean
peer_is_ours (GSocketConnection *connection)
{
  g_autoptr(GSocketAddress) peer = g_socket_connection_get_remote_address (connection, NULL);
  g_autofree char *wanted = NULL;
  g_autoptr(GDir) fds = NULL;
  const char *name;
  guint64 inode;

  if (peer == NULL || !G_IS_INET_SOCKET_ADDRESS (peer) ||
      (inode = tcp_socket_inode (G_INET_SOCKET_ADDRESS (peer))) == 0)
    return FALSE;
  wanted = g_strdup_printf ("socket:[%" G_GUINT64_FORMAT "]", inode);
  fds = g_dir_open ("/proc/self/fd", 0, NULL);
  while (fds != NULL && (name = g_dir_read_name (fds)) != NULL)
    {
      g_autofree char *link = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (link, NULL);

      if (g_strcmp0 (target, wanted) == 0)
        return TRUE;
    }
  return FALSE;
}

/* A connection to the loopback port: on to the proxy's socket, after
 * the token only this process knows. */
static gboolean
on_forward (GSocketService    *service,
            GSocketConnection *connection,
            GObject           *source_object,
            Upstream          *upstream)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (paddock_proxy_get_socket_path (upstream->proxy));
  Forward *forward;

  if (!peer_is_ours (connection))
    {
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }
  forward = g_new0 (Forward, 1);
  forward->client = G_IO_STREAM (g_object_ref (connection));
  forward->preamble = g_strdup_printf ("PADDOCK %s\n", paddock_proxy_get_token (upstream->proxy));
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (address), NULL, on_proxy_connected, forward);
  return TRUE;
}

static char *
find_token (const char  *url,
            GError     **error)
{
  g_autoptr(GPtrArray) logins = paddock_accounts_list (url, error);

  for (guint i = logins ? logins->len : 0; i > 0; i--)
    {
      PaddockLogin *login = g_ptr_array_index (logins, i - 1);

      if (login->ended == NULL)
        return paddock_accounts_get_access_token (login->issuer, url, NULL, error);
    }
  return NULL;
}

static void
token_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  char *token = find_token (task_data, &error);

  /* No keychain or no login: the server is asked without one, and says
   * itself whether it needs one. */
  if (error != NULL)
    g_debug ("no login for %s: %s", (const char *) task_data, error->message);
  g_task_return_pointer (task, token, (GDestroyNotify) paddock_keychain_free);
}

static void
on_token (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  PaddockMcpGateway *self = PADDOCK_MCP_GATEWAY (source);
  Upstream *upstream = user_data;
  g_autofree char *token = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) loopback = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GInetAddress) address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GProxyResolver) resolver = NULL;
  g_autofree char *proxy_uri = NULL;

  if (g_cancellable_is_cancelled (self->stopping))
    {
      if (token != NULL)
        paddock_keychain_free (g_steal_pointer (&token));
      return;
    }

  upstream->proxy = paddock_proxy_new (self->policy, self->grants);
  paddock_proxy_set_audit_session (upstream->proxy, self->session);
  g_signal_connect_object (upstream->proxy, "approval-needed", G_CALLBACK (on_approval_needed), self, 0);
  loopback = g_inet_socket_address_new (address, 0);
  upstream->forwarder = g_socket_service_new ();
  if (!paddock_proxy_start (upstream->proxy, &error) ||
      !g_socket_listener_add_address (G_SOCKET_LISTENER (upstream->forwarder), loopback, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error))
    {
      g_autofree char *why = g_strdup_printf ("its proxy did not start: %s", error->message);
      if (token != NULL)
        paddock_keychain_free (g_steal_pointer (&token));
      settle (upstream, why);
      return;
    }
  g_signal_connect (upstream->forwarder, "incoming", G_CALLBACK (on_forward), upstream);
  g_socket_service_start (upstream->forwarder);

  proxy_uri = g_strdup_printf ("http://127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  resolver = g_simple_proxy_resolver_new (proxy_uri, NULL);
  /* A call that never ends must not hold the agent for good. */
  upstream->soup = soup_session_new_with_options ("proxy-resolver", resolver, "timeout", 600, NULL);
  upstream->client = paddock_mcp_client_new_for_http (upstream->soup, upstream->url, token);
  if (token != NULL)
    paddock_keychain_free (g_steal_pointer (&token));
  paddock_mcp_client_initialize_async (upstream->client, self->stopping, on_initialized, hold (upstream));
}

static void
start_url (Upstream *upstream)
{
  PaddockMcpGateway *self = upstream->gateway;
  g_autoptr(GTask) task = g_task_new (self, self->stopping, on_token, upstream);

  /* The keychain blocks; the token is renewed first when it must be. */
  g_task_set_task_data (task, g_strdup (upstream->url), g_free);
  g_task_run_in_thread (task, token_thread);
}

/* --- readiness ----------------------------------------------------------- */

static void
when_ready (Upstream            *upstream,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  PaddockMcpGateway *self = upstream->gateway;
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  if (g_cancellable_is_cancelled (self->stopping))
    {
      g_task_return_new_error (task, PADDOCK_MCP_CLIENT_ERROR, PADDOCK_MCP_CLIENT_ERROR_CLOSED,
                               "Paddock is stopping");
      g_object_unref (task);
      return;
    }
  if (upstream->ready && paddock_mcp_client_is_closed (upstream->client))
    settle (upstream, "it closed its end");
  if (upstream->ready || upstream->failure != NULL)
    {
      g_ptr_array_add (upstream->waiting, task);
      settle (upstream, NULL);
      return;
    }
  g_ptr_array_add (upstream->waiting, task);
  if (upstream->started)
    return;
  upstream->started = TRUE;
  if (upstream->command != NULL)
    start_command (upstream);
  else
    start_url (upstream);
}

/* --- listing ------------------------------------------------------------- */

typedef struct
{
  guint next;               /* in names */
  Upstream *upstream;       /* being listed */
  JsonArray *tools;
  GString *notes;
  JsonArray *listed;        /* the upstream's, pages so far */
} Listing;

static void
listing_free (Listing *listing)
{
  json_array_unref (listing->tools);
  g_string_free (listing->notes, TRUE);
  g_clear_pointer (&listing->listed, json_array_unref);
  g_free (listing);
}

static void list_next (GTask *task);

static void
add_tools (Listing *listing)
{
  Upstream *upstream = listing->upstream;
  PaddockMcpGateway *self = upstream->gateway;

  for (guint i = 0; i < json_array_get_length (upstream->tools); i++)
    {
      JsonNode *node = json_array_get_element (upstream->tools, i);
      JsonObject *tool;
      g_autofree char *name = NULL;
      g_autofree char *description = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          paddock_json_get_string (json_node_get_object (node), "name", NULL) == NULL)
        continue;
      /* What the policy forbids is not offered (and refused if called). */
      {
        g_autoptr(PaddockAction) action = paddock_action_new_mcp (upstream->name,
                                                                  paddock_json_get_string (json_node_get_object (node),
                                                                                           "name", NULL));
        g_autoptr(PaddockDecision) decision = paddock_policy_evaluate (self->policy, action, self->grants);

        if (decision->verdict == PADDOCK_VERDICT_FORBIDDEN)
          continue;
      }
      tool = json_object_new ();
      /* Its own members first (inputSchema, annotations…), then ours. */
      {
        JsonObject *source = json_node_get_object (node);
        g_autoptr(GList) members = json_object_get_members (source);

        for (GList *l = members; l != NULL; l = l->next)
          json_object_set_member (tool, l->data, json_node_copy (json_object_get_member (source, l->data)));
        name = g_strconcat (upstream->name, PADDOCK_MCP_GATEWAY_SEPARATOR,
                            paddock_json_get_string (source, "name", ""), NULL);
        description = g_strdup_printf ("[%s, through Paddock] %s", upstream->name,
                                       paddock_json_get_string (source, "description", ""));
      }
      json_object_set_string_member (tool, "name", name);
      json_object_set_string_member (tool, "description", description);
      json_array_add_object_element (listing->tools, tool);
    }
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Listing *listing = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = paddock_mcp_client_request_finish (PADDOCK_MCP_CLIENT (source), result, &error);
  JsonObject *object = answer && JSON_NODE_HOLDS_OBJECT (answer) ? json_node_get_object (answer) : NULL;
  JsonNode *tools = object ? json_object_get_member (object, "tools") : NULL;
  const char *cursor = paddock_json_get_string (object, "nextCursor", NULL);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (tools == NULL || !JSON_NODE_HOLDS_ARRAY (tools))
    {
      g_string_append_printf (listing->notes, "%s: its tools could not be listed: %s\n", listing->upstream->name,
                              error ? error->message : "the answer has no tools");
      g_clear_pointer (&listing->listed, json_array_unref);
      list_next (g_steal_pointer (&task));
      return;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (tools)); i++)
    json_array_add_element (listing->listed, json_node_copy (json_array_get_element (json_node_get_array (tools), i)));
  if (cursor != NULL && json_array_get_length (listing->listed) < 10000)
    {
      JsonObject *params = json_object_new ();

      json_object_set_string_member (params, "cursor", cursor);
      paddock_mcp_client_request_async (listing->upstream->client, "tools/list",
                                        json_node_init_object (json_node_alloc (), params),
                                        cancellable, on_listed, g_steal_pointer (&task));
      json_object_unref (params);
      return;
    }
  /* Another listing may have been first: its tools stand. */
  if (listing->upstream->tools == NULL)
    listing->upstream->tools = g_steal_pointer (&listing->listed);
  g_clear_pointer (&listing->listed, json_array_unref);
  add_tools (listing);
  list_next (g_steal_pointer (&task));
}

static void
on_ready_to_list (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Listing *listing = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_string_append_printf (listing->notes, "%s\n", error->message);
      list_next (g_steal_pointer (&task));
      return;
    }
  if (listing->upstream->tools != NULL)
    {
      add_tools (listing);
      list_next (g_steal_pointer (&task));
      return;
    }
  listing->listed = json_array_new ();
  paddock_mcp_client_request_async (listing->upstream->client, "tools/list", NULL, cancellable, on_listed,
                                    g_steal_pointer (&task));
}

static void
list_next (GTask *task)
{
  g_autoptr(GTask) owned = task;
  PaddockMcpGateway *self = g_task_get_source_object (task);
  Listing *listing = g_task_get_task_data (task);

  while (listing->next < self->names->len)
    {
      const char *name = g_ptr_array_index (self->names, listing->next++);
      g_autoptr(PaddockAction) action = paddock_action_new_mcp (name, NULL);
      g_autoptr(PaddockDecision) decision = paddock_policy_evaluate (self->policy, action, self->grants);

      /* A server the policy forbids whole is not started, and offers
       * nothing; one with some tools forbidden offers the rest. */
      if (decision->verdict == PADDOCK_VERDICT_FORBIDDEN &&
          (decision->decisive->tool == NULL || g_str_equal (decision->decisive->tool, "*")))
        {
          g_autofree char *location = paddock_rule_dup_location (decision->decisive);

          g_string_append_printf (listing->notes, "%s: forbidden by the %s layer (%s)%s%s\n", name,
                                  paddock_layer_to_string (decision->decisive->layer), location,
                                  decision->decisive->reason ? ": " : "",
                                  decision->decisive->reason ? decision->decisive->reason : "");
          continue;
        }
      listing->upstream = g_hash_table_lookup (self->upstreams, name);
      when_ready (listing->upstream, g_task_get_cancellable (task), on_ready_to_list, g_steal_pointer (&owned));
      return;
    }
  g_task_return_pointer (task, json_array_ref (listing->tools), (GDestroyNotify) json_array_unref);
}

void
paddock_mcp_gateway_list_tools_async (PaddockMcpGateway   *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task;
  Listing *listing;

  g_return_if_fail (PADDOCK_IS_MCP_GATEWAY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, paddock_mcp_gateway_list_tools_async);
  listing = g_new0 (Listing, 1);
  listing->tools = json_array_new ();
  listing->notes = g_string_new (NULL);
  g_task_set_task_data (task, listing, (GDestroyNotify) listing_free);
  list_next (task);
}

JsonArray *
paddock_mcp_gateway_list_tools_finish (PaddockMcpGateway  *self,
                                       GAsyncResult       *result,
                                       char              **notes)
{
  Listing *listing;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  listing = g_task_get_task_data (G_TASK (result));
  if (notes != NULL)
    *notes = listing->notes->len ? g_strdup (listing->notes->str) : NULL;
  return g_task_propagate_pointer (G_TASK (result), NULL);
}

/* --- calls --------------------------------------------------------------- */

gboolean
paddock_mcp_gateway_split_name (PaddockMcpGateway  *self,
                                const char         *name,
                                char              **server,
                                char              **tool)
{
  const char *found = NULL;

  g_return_val_if_fail (PADDOCK_IS_MCP_GATEWAY (self), FALSE);

  /* The longest server name that starts it: names may hold "_". */
  for (guint i = 0; name != NULL && i < self->names->len; i++)
    {
      const char *candidate = g_ptr_array_index (self->names, i);
      gsize length = strlen (candidate);

      if (strncmp (name, candidate, length) == 0 &&
          g_str_has_prefix (name + length, PADDOCK_MCP_GATEWAY_SEPARATOR) &&
          name[length + strlen (PADDOCK_MCP_GATEWAY_SEPARATOR)] != '\0' &&
          (found == NULL || length > strlen (found)))
        found = candidate;
    }
  if (found == NULL)
    return FALSE;
  *server = g_strdup (found);
  *tool = g_strdup (name + strlen (found) + strlen (PADDOCK_MCP_GATEWAY_SEPARATOR));
  return TRUE;
}

typedef struct
{
  Upstream *upstream;
  char *tool;
  JsonObject *arguments;
  gboolean renewed;         /* the token was read again once already */
} Calling;

static void
calling_free (Calling *calling)
{
  g_free (calling->tool);
  json_object_unref (calling->arguments);
  g_free (calling);
}

static void send_call (GTask *task);

static void
on_token_renewed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Calling *calling = g_task_get_task_data (task);
  g_autofree char *token = g_task_propagate_pointer (G_TASK (result), NULL);

  paddock_mcp_client_set_bearer (calling->upstream->client, token);
  if (token != NULL)
    paddock_keychain_free (g_steal_pointer (&token));
  send_call (g_steal_pointer (&task));
}

static void
on_called (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Calling *calling = g_task_get_task_data (task);
  GError *error = NULL;
  JsonNode *answer = paddock_mcp_client_request_finish (PADDOCK_MCP_CLIENT (source), result, &error);

  /* A token that expired since: read again (renewed when it must be),
   * and asked once more. */
  if (answer == NULL && calling->upstream->url != NULL && !calling->renewed &&
      g_error_matches (error, PADDOCK_MCP_CLIENT_ERROR, PADDOCK_MCP_CLIENT_ERROR_UNAUTHORIZED))
    {
      gpointer gateway = g_task_get_source_object (task);
      GCancellable *cancellable = g_task_get_cancellable (task);
      GTask *renewal = g_task_new (gateway, cancellable, on_token_renewed, g_steal_pointer (&task));

      g_clear_error (&error);
      calling->renewed = TRUE;
      g_task_set_task_data (renewal, g_strdup (calling->upstream->url), g_free);
      g_task_run_in_thread (renewal, token_thread);
      g_object_unref (renewal);
      return;
    }
  if (answer == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, answer, (GDestroyNotify) json_node_unref);
}

/* tools/call, for @task (taken). */
static void
send_call (GTask *task)
{
  Calling *calling = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  JsonObject *params = json_object_new ();

  json_object_set_string_member (params, "name", calling->tool);
  json_object_set_object_member (params, "arguments", json_object_ref (calling->arguments));
  paddock_mcp_client_request_async (calling->upstream->client, "tools/call",
                                    json_node_init_object (json_node_alloc (), params), cancellable, on_called,
                                    task);
  json_object_unref (params);
}

static void
on_ready_to_call (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  send_call (g_steal_pointer (&task));
}

void
paddock_mcp_gateway_call_async (PaddockMcpGateway   *self,
                                const char          *server,
                                const char          *tool,
                                JsonObject          *arguments,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;
  Calling *calling;
  Upstream *upstream;

  g_return_if_fail (PADDOCK_IS_MCP_GATEWAY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, paddock_mcp_gateway_call_async);
  upstream = g_hash_table_lookup (self->upstreams, server);
  if (upstream == NULL)
    {
      g_task_return_new_error (task, PADDOCK_MCP_CLIENT_ERROR, PADDOCK_MCP_CLIENT_ERROR_CLOSED,
                               "no MCP server is named %s", server);
      g_object_unref (task);
      return;
    }
  calling = g_new0 (Calling, 1);
  calling->upstream = upstream;
  calling->tool = g_strdup (tool);
  calling->arguments = arguments ? json_object_ref (arguments) : json_object_new ();
  g_task_set_task_data (task, calling, (GDestroyNotify) calling_free);
  when_ready (upstream, cancellable, on_ready_to_call, task);
}

JsonNode *
paddock_mcp_gateway_call_finish (PaddockMcpGateway  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- life ---------------------------------------------------------------- */

void
paddock_mcp_gateway_set_error_fd (PaddockMcpGateway *self,
                                  int                fd)
{
  g_return_if_fail (PADDOCK_IS_MCP_GATEWAY (self));

  self->error_fd = fd;
}

void
paddock_mcp_gateway_stop (PaddockMcpGateway *self)
{
  GHashTableIter iter;
  Upstream *upstream;

  g_return_if_fail (PADDOCK_IS_MCP_GATEWAY (self));

  /* The commands' sandboxes go with their runs. */
  g_cancellable_cancel (self->stopping);
  g_hash_table_iter_init (&iter, self->upstreams);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &upstream))
    {
      settle (upstream, "Paddock stopped it");
      if (upstream->client != NULL)
        paddock_mcp_client_close (upstream->client);
    }
}

PaddockMcpGateway *
paddock_mcp_gateway_new (PaddockPolicy       *policy,
                         PaddockWorkspace    *workspace,
                         PaddockGrants       *grants,
                         PaddockAuditSession *session)
{
  PaddockMcpGateway *self = g_object_new (PADDOCK_TYPE_MCP_GATEWAY, NULL);
  g_autoptr(GPtrArray) servers = paddock_policy_list_mcp_servers (policy);

  self->policy = g_object_ref (policy);
  self->workspace = g_object_ref (workspace);
  self->grants = g_object_ref (grants);
  self->session = g_object_ref (session);
  for (guint i = 0; i < servers->len; i++)
    {
      const PaddockSetting *setting = g_ptr_array_index (servers, i);
      Upstream *upstream = g_new0 (Upstream, 1);

      upstream->gateway = self;
      upstream->name = g_strdup (setting->key + strlen ("mcp.servers."));
      if (g_variant_is_of_type (setting->value, G_VARIANT_TYPE_STRING_ARRAY))
        upstream->command = g_variant_dup_strv (setting->value, NULL);
      else
        upstream->url = g_variant_dup_string (setting->value, NULL);
      upstream->waiting = g_ptr_array_new_with_free_func (g_object_unref);
      upstream->input[0] = upstream->input[1] = upstream->output[0] = upstream->output[1] = -1;
      g_hash_table_insert (self->upstreams, upstream->name, upstream);
      g_ptr_array_add (self->names, upstream->name);
    }
  return self;
}

static void
paddock_mcp_gateway_dispose (GObject *object)
{
  PaddockMcpGateway *self = PADDOCK_MCP_GATEWAY (object);

  if (self->upstreams != NULL)
    paddock_mcp_gateway_stop (self);
  G_OBJECT_CLASS (paddock_mcp_gateway_parent_class)->dispose (object);
}

static void
paddock_mcp_gateway_finalize (GObject *object)
{
  PaddockMcpGateway *self = PADDOCK_MCP_GATEWAY (object);

  g_ptr_array_unref (self->names);
  g_hash_table_unref (self->upstreams);
  g_clear_object (&self->stopping);
  g_clear_object (&self->policy);
  g_clear_object (&self->workspace);
  g_clear_object (&self->grants);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (paddock_mcp_gateway_parent_class)->finalize (object);
}

static void
paddock_mcp_gateway_class_init (PaddockMcpGatewayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = paddock_mcp_gateway_dispose;
  object_class->finalize = paddock_mcp_gateway_finalize;

  signals[APPROVAL_NEEDED] = g_signal_new ("approval-needed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                           NULL, NULL, NULL, G_TYPE_NONE, 1, PADDOCK_TYPE_APPROVAL_REQUEST);
}

static void
paddock_mcp_gateway_init (PaddockMcpGateway *self)
{
  self->error_fd = -1;
  self->stopping = g_cancellable_new ();
  self->upstreams = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) upstream_free);
  self->names = g_ptr_array_new ();
}
