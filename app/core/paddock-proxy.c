/* paddock-proxy.c
 *
 * The sandbox has a network namespace of its own with nothing but
 * loopback in it; the only way out is this proxy's unix socket, reached
 * through paddock-sandbox's forwarder, which hands over each accepted
 * TCP connection as a descriptor. A client speaks HTTP CONNECT, plain
 * HTTP with absolute URLs, or SOCKS5 with names resolved here.
 *
 * For every destination, in this order:
 *   1. the policy decides, on the name as the client gave it, before any
 *      DNS query (a denied name must cause none), asking a person when
 *      the decision is a prompt;
 *   2. an allowed name is resolved once; addresses that lead back into
 *      this machine, its neighbours or a cloud's metadata service are
 *      dropped, and one that survives is dialled, so DNS cannot be made
 *      to point an allowed name elsewhere later (no second lookup);
 *   3. a tunnel to port 443 must greet, in its TLS ClientHello, the host
 *      it asked for;
 *   4. bytes then flow through PaddockRelay, by splice(2).
 * Plain HTTP is forwarded one request per connection, so that each
 * request is judged and none rides on another's connection.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#include "paddock-audit-session.h"
#include "paddock-errors.h"
#include "paddock-http-request.h"
#include "paddock-net-address.h"
#include "paddock-policy-file.h"
#include "paddock-proxy.h"
#include "paddock-relay.h"
#include "paddock-tls-sni.h"

#define PREAMBLE "PADDOCK "
#define MAX_PREAMBLE 128
#define MAX_HEAD (64 * 1024)
#define MAX_HELLO (64 * 1024)
#define MAX_BODY (16 * 1024 * 1024)
#define IO_TIMEOUT_S 30

G_DEFINE_QUARK (paddock-proxy-error-quark, paddock_proxy_error)

/* --- events ---------------------------------------------------------- */

G_DEFINE_BOXED_TYPE (PaddockNetworkEvent, paddock_network_event, paddock_network_event_ref,
                     paddock_network_event_unref)

PaddockNetworkEvent *
paddock_network_event_ref (PaddockNetworkEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  g_atomic_ref_count_inc (&event->ref_count);
  return event;
}

void
paddock_network_event_unref (PaddockNetworkEvent *event)
{
  if (event == NULL || !g_atomic_ref_count_dec (&event->ref_count))
    return;

  g_free (event->host);
  g_free (event->protocol);
  g_free (event->layer);
  g_free (event->source);
  g_free (event->rule);
  g_free (event->reason);
  g_free (event->violation);
  g_free (event->answer);
  g_free (event->address);
  g_free (event);
}

/* --- the proxy ------------------------------------------------------- */

typedef enum
{
  PROTOCOL_UNKNOWN,  /* not read yet */
  PROTOCOL_CONNECT,
  PROTOCOL_PLAIN,
  PROTOCOL_SOCKS,
} Protocol;

typedef struct _Connection Connection;
typedef void (*Step) (Connection *conn);

/* What a reader made of the bytes so far. GONE means the connection
 * was closed and freed: the caller must not touch it again. */
typedef enum
{
  READ_MORE,
  READ_DONE,
  READ_GONE,
} ReadResult;

struct _PaddockProxy
{
  GObject parent_instance;

  PaddockPolicy *policy;
  PaddockGrants *grants;
  PaddockAuditSession *audit_session;
  GResolver *resolver;
  char *workspace_policy;
  guint approval_timeout;

  GMainContext *context;
  char *dir;
  char *socket_path;
  char *token;
  int listen_fd;
  GSource *listen_source;
  PaddockRelay *relay;
  GHashTable *connections;  /* Connection* */
  guint n_relayed;
};

G_DEFINE_FINAL_TYPE (PaddockProxy, paddock_proxy, G_TYPE_OBJECT)

enum {
  APPROVAL_NEEDED,
  EVENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _Connection
{
  PaddockProxy *proxy;
  int control_fd;          /* the unix connection from the sandbox */
  int client_fd;           /* the client's stream: handed over, or control_fd itself */
  int upstream_fd;
  GByteArray *in;          /* read from the client, not used yet */
  gboolean preamble_done;
  gboolean socks_greeted;
  GSource *watch;          /* reading */
  GSource *write_watch;
  GSource *timer;
  GCancellable *cancellable;

  Protocol protocol;
  PaddockHttpRequest *request;
  char *host;
  PaddockHostKind host_kind;
  guint16 port;
  PaddockDecision *decision;
  PaddockApprovalRequest *approval;
  char *answer;
  GList *addresses;        /* GInetAddress*: those that may be dialled */
  char *address_text;

  PaddockHttpChunked chunked;

  /* A write in progress: then @next. */
  GBytes *out;
  gsize out_at;
  int out_fd;
  Step next;
};

static void connection_free (Connection *conn);
static void connection_fail (Connection *conn, int http_status, guint8 socks_reply, const char *x_error,
                             const char *message);

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
connection_close (Connection *conn)
{
  g_hash_table_remove (conn->proxy->connections, conn);
  connection_free (conn);
}

static void
connection_free (Connection *conn)
{
  clear_source (&conn->watch);
  clear_source (&conn->write_watch);
  clear_source (&conn->timer);
  g_cancellable_cancel (conn->cancellable);
  g_clear_object (&conn->cancellable);
  if (conn->approval != NULL)
    g_signal_handlers_disconnect_by_data (conn->approval, conn);
  g_clear_object (&conn->approval);
  if (conn->client_fd >= 0 && conn->client_fd != conn->control_fd)
    close (conn->client_fd);
  if (conn->control_fd >= 0)
    close (conn->control_fd);
  if (conn->upstream_fd >= 0)
    close (conn->upstream_fd);
  g_byte_array_unref (conn->in);
  g_clear_pointer (&conn->request, paddock_http_request_free);
  g_free (conn->host);
  g_clear_pointer (&conn->decision, paddock_decision_unref);
  g_free (conn->answer);
  g_list_free_full (conn->addresses, g_object_unref);
  g_free (conn->address_text);
  g_clear_pointer (&conn->out, g_bytes_unref);
  g_free (conn);
}

/* Text from a rule or a reason, on one line and without controls: it
 * goes into an HTTP header's neighbourhood and a person's terminal. */
static char *
one_line (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *c = text ? text : ""; *c; c++)
    g_string_append_c (out, (guchar) *c < 0x20 || *c == 0x7f ? ' ' : *c);
  return g_string_free (out, FALSE);
}

static const char *
protocol_name (Protocol protocol)
{
  switch (protocol)
    {
    case PROTOCOL_PLAIN:
      return "http";
    case PROTOCOL_SOCKS:
      return "socks5_tcp";
    case PROTOCOL_CONNECT:
      return "https";
    case PROTOCOL_UNKNOWN:
    default:
      return "unknown";
    }
}

static PaddockNetworkEvent *
make_event (Connection     *conn,
            PaddockVerdict  verdict,
            const char     *violation,
            const char     *reason)
{
  PaddockNetworkEvent *event = g_new0 (PaddockNetworkEvent, 1);
  const PaddockRule *rule = conn->decision ? conn->decision->decisive : NULL;

  g_atomic_ref_count_init (&event->ref_count);
  event->host = g_strdup (conn->host ? conn->host : "");
  event->port = conn->port;
  event->protocol = g_strdup (protocol_name (conn->protocol));
  event->verdict = verdict;
  if (rule != NULL && violation == NULL)
    {
      event->layer = g_strdup (paddock_layer_to_string (rule->layer));
      event->source = paddock_rule_dup_location (rule);
      event->rule = paddock_rule_dup_display_text (rule);
    }
  else
    {
      event->layer = g_strdup ("proxy");
      event->source = g_strdup ("paddock proxy");
    }
  event->reason = g_strdup (reason);
  event->violation = g_strdup (violation);
  event->answer = g_strdup (conn->answer);
  event->address = g_strdup (conn->address_text);

  g_signal_emit (conn->proxy, signals[EVENT], 0, event);
  return event;
}

typedef struct
{
  PaddockAuditSession *session;
  GCancellable *cancellable;
  Connection *conn;        /* gone once @cancellable is cancelled */
  Step next;
} Recording;

static void
on_recorded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Recording *recording = user_data;
  g_autoptr(GError) error = NULL;

  paddock_audit_session_record_finish (recording->session, result, &error);
  if (!g_cancellable_is_cancelled (recording->cancellable) && recording->next != NULL)
    {
      if (error != NULL)
        {
          g_autofree char *message = g_strdup_printf ("not connected: %s", error->message);
          connection_fail (recording->conn, 503, 0x01, "audit-unavailable", message);
        }
      else
        recording->next (recording->conn);
    }
  g_object_unref (recording->session);
  g_object_unref (recording->cancellable);
  g_free (recording);
}

/* Tells the listeners and the audit store; a connection that may go on
 * does so, with @next, only once its record is acknowledged: nothing
 * leaves unrecorded. */
static void
emit_event_then (Connection     *conn,
                 PaddockVerdict  verdict,
                 const char     *violation,
                 const char     *reason,
                 Step            next)
{
  g_autoptr(PaddockNetworkEvent) event = make_event (conn, verdict, violation, reason);
  PaddockAuditSession *session = conn->proxy->audit_session;
  g_autoptr(JsonObject) attributes = NULL;
  Recording *recording;

  if (session == NULL)
    {
      if (next != NULL)
        next (conn);
      return;
    }

  recording = g_new0 (Recording, 1);
  recording->session = g_object_ref (session);
  recording->cancellable = g_object_ref (conn->cancellable);
  recording->conn = conn;
  recording->next = next;
  attributes = paddock_audit_network_attributes (event);
  paddock_audit_session_record_async (session, violation ? "paddock.sandbox_violation" : "paddock.network_decision",
                                      attributes, NULL, on_recorded, recording);
}

static void
emit_event (Connection     *conn,
            PaddockVerdict  verdict,
            const char     *violation,
            const char     *reason)
{
  emit_event_then (conn, verdict, violation, reason, NULL);
}

/* --- watching -------------------------------------------------------- */

static void
watch_fd (Connection        *conn,
          GSource          **slot,
          int                fd,
          GIOCondition       condition,
          GUnixFDSourceFunc  callback)
{
  clear_source (slot);
  *slot = g_unix_fd_source_new (fd, condition | G_IO_HUP | G_IO_ERR);
  g_source_set_callback (*slot, (GSourceFunc) (void (*) (void)) callback, conn, NULL);
  g_source_attach (*slot, conn->proxy->context);
}

/* Reads from @fd when it has something. */
static void
watch (Connection        *conn,
       int                fd,
       GUnixFDSourceFunc  callback)
{
  watch_fd (conn, &conn->watch, fd, G_IO_IN, callback);
}

static void
arm_timer (Connection  *conn,
           guint        seconds,
           GSourceFunc  callback)
{
  clear_source (&conn->timer);
  conn->timer = g_timeout_source_new_seconds (seconds);
  g_source_set_callback (conn->timer, callback, conn, NULL);
  g_source_attach (conn->timer, conn->proxy->context);
}

static gboolean
on_io_timeout (gpointer user_data)
{
  Connection *conn = user_data;

  g_clear_pointer (&conn->timer, g_source_unref);
  connection_fail (conn, 408, 0x01, "timeout", "the client or the server took too long");
  return G_SOURCE_REMOVE;
}

/* --- writing --------------------------------------------------------- */

static gboolean on_writable (int fd, GIOCondition condition, gpointer user_data);

static void
continue_write (Connection *conn)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (conn->out, &length);

  while (conn->out_at < length)
    {
      ssize_t n = send (conn->out_fd, data + conn->out_at, length - conn->out_at, MSG_NOSIGNAL);

      if (n > 0)
        conn->out_at += n;
      else if (n < 0 && errno == EINTR)
        continue;
      else if (n < 0 && errno == EAGAIN)
        {
          watch_fd (conn, &conn->write_watch, conn->out_fd, G_IO_OUT, on_writable);
          return;
        }
      else
        {
          connection_close (conn);
          return;
        }
    }

  g_clear_pointer (&conn->out, g_bytes_unref);
  clear_source (&conn->write_watch);
  conn->next (conn);
}

static gboolean
on_writable (int          fd,
             GIOCondition condition,
             gpointer     user_data)
{
  Connection *conn = user_data;

  g_clear_pointer (&conn->write_watch, g_source_unref);
  continue_write (conn);
  return G_SOURCE_REMOVE;
}

/* Sends @bytes to @fd without blocking the main loop, then runs @next. */
static void
send_then (Connection *conn,
           int         fd,
           GBytes     *bytes,
           Step        next)
{
  conn->out = bytes;
  conn->out_at = 0;
  conn->out_fd = fd;
  conn->next = next;
  continue_write (conn);
}

static void
step_close (Connection *conn)
{
  connection_close (conn);
}

/* Refuses the connection in the client's protocol, then closes it. */
static void
connection_fail (Connection *conn,
                 int         http_status,
                 guint8      socks_reply,
                 const char *x_error,
                 const char *message)
{
  g_autofree char *line = one_line (message);

  clear_source (&conn->timer);
  g_cancellable_cancel (conn->cancellable);

  if (conn->client_fd < 0)
    {
      connection_close (conn);
      return;
    }

  if (conn->protocol == PROTOCOL_SOCKS)
    {
      guint8 reply[10] = { 5, socks_reply, 0, 1, 0, 0, 0, 0, 0, 0 };

      send_then (conn, conn->client_fd, g_bytes_new (reply, sizeof reply), step_close);
    }
  else
    {
      static const struct { int status; const char *text; } reasons[] = {
        { 400, "Bad Request" }, { 403, "Forbidden" }, { 408, "Request Timeout" }, { 413, "Content Too Large" },
        { 431, "Request Header Fields Too Large" }, { 501, "Not Implemented" }, { 502, "Bad Gateway" },
        { 504, "Gateway Timeout" },
      };
      const char *status_text = "Error";
      g_autofree char *body = g_strdup_printf ("%s\n", line);
      char *response;

      for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
        if (reasons[i].status == http_status)
          status_text = reasons[i].text;
      response = g_strdup_printf ("HTTP/1.1 %d %s\r\nX-Proxy-Error: %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                                  "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                                  http_status, status_text, x_error, strlen (body), body);
      send_then (conn, conn->client_fd, g_bytes_new_take (response, strlen (response)), step_close);
    }
}

/* --- relaying -------------------------------------------------------- */

static void
on_relay_done (guint64  sent,
               guint64  received,
               gpointer user_data)
{
  PaddockProxy *self = user_data;

  self->n_relayed--;
}

/* The client and the server are connected: from now on the relay owns
 * their sockets. */
static void
step_relay (Connection *conn)
{
  PaddockProxy *self = conn->proxy;
  int client = conn->client_fd, upstream = conn->upstream_fd;

  if (conn->client_fd == conn->control_fd)
    conn->control_fd = -1;
  conn->client_fd = conn->upstream_fd = -1;
  self->n_relayed++;
  paddock_relay_add (self->relay, client, upstream,
                     conn->protocol == PROTOCOL_PLAIN ? PADDOCK_RELAY_ONLY_BACK : PADDOCK_RELAY_BOTH,
                     on_relay_done, self);
  connection_close (conn);
}

/* What the client sent beyond its request goes first. */
static void
step_flush_to_upstream (Connection *conn)
{
  GBytes *rest = g_bytes_new (conn->in->data, conn->in->len);

  g_byte_array_set_size (conn->in, 0);
  send_then (conn, conn->upstream_fd, rest, step_relay);
}

/* --- the TLS greeting ------------------------------------------------ */

static gboolean on_client_readable (int fd, GIOCondition condition, gpointer user_data);

static gboolean
hello_needed (Connection *conn)
{
  return conn->port == 443 && conn->host_kind == PADDOCK_HOST_NAME && conn->protocol != PROTOCOL_PLAIN;
}

static gboolean
check_hello (Connection *conn)
{
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;
  PaddockTlsSniResult result;
  gsize length;

  result = paddock_tls_sni_parse (conn->in->data, conn->in->len, &name);
  if (result == PADDOCK_TLS_SNI_NEED_MORE)
    {
      if (conn->in->len > MAX_HELLO)
        result = PADDOCK_TLS_SNI_NOT_TLS;
      else
        return FALSE;
    }

  if (name != NULL && (length = strlen (name)) > 0 && name[length - 1] == '.')
    name[length - 1] = '\0';

  if (result == PADDOCK_TLS_SNI_FOUND && g_str_equal (name, conn->host))
    {
      step_flush_to_upstream (conn);
      return TRUE;
    }

  if (result == PADDOCK_TLS_SNI_FOUND)
    message = g_strdup_printf ("the tunnel to %s:%u greeted %s instead (TLS server name)", conn->host, conn->port, name);
  else if (result == PADDOCK_TLS_SNI_ABSENT)
    message = g_strdup_printf ("the tunnel to %s:%u sent TLS without a server name", conn->host, conn->port);
  else
    message = g_strdup_printf ("the tunnel to %s:%u did not start with TLS", conn->host, conn->port);
  emit_event (conn, PADDOCK_VERDICT_FORBIDDEN,
              result == PADDOCK_TLS_SNI_FOUND ? "sni-mismatch" : "sni-missing", message);
  connection_close (conn);
  return TRUE;
}

/* After "200 Connection established": read the greeting, then relay. */
static void
step_established (Connection *conn)
{
  if (!hello_needed (conn))
    {
      step_flush_to_upstream (conn);
      return;
    }
  arm_timer (conn, IO_TIMEOUT_S, on_io_timeout);
  if (!check_hello (conn))
    watch (conn, conn->client_fd, on_client_readable);
}

/* --- plain HTTP ------------------------------------------------------ */

/* Whether the body the request announced is all in @in. */
static gboolean
body_complete (Connection *conn,
               gsize      *body_length,
               gboolean   *bad)
{
  PaddockHttpRequest *request = conn->request;

  *bad = FALSE;
  if (request->chunked)
    {
      PaddockHttpChunked chunked = { 0 };
      gsize consumed = 0;
      PaddockHttpChunkedResult result = paddock_http_chunked_feed (&chunked, (const char *) conn->in->data,
                                                                   conn->in->len, &consumed);

      *bad = result == PADDOCK_HTTP_CHUNKED_BAD;
      *body_length = consumed;
      return result == PADDOCK_HTTP_CHUNKED_DONE;
    }
  *body_length = request->content_length;
  return conn->in->len >= request->content_length;
}

static void
step_send_request (Connection *conn)
{
  g_autofree char *head = paddock_http_request_to_upstream (conn->request);
  gsize body_length;
  gboolean bad;
  GByteArray *all;

  if (!body_complete (conn, &body_length, &bad))
    {
      if (bad)
        {
          connection_fail (conn, 400, 0, "bad-request", "the request's chunked body is malformed");
          return;
        }
      if (conn->in->len > MAX_BODY)
        {
          connection_fail (conn, 413, 0, "too-large", "a plain HTTP request body larger than 16 MiB; use https");
          return;
        }
      arm_timer (conn, IO_TIMEOUT_S, on_io_timeout);
      watch (conn, conn->client_fd, on_client_readable);
      return;
    }

  clear_source (&conn->timer);
  /* Exactly this request: anything the client sent after it is never
   * forwarded, so a second request cannot ride past the decision. */
  all = g_byte_array_sized_new (strlen (head) + body_length);
  g_byte_array_append (all, (const guint8 *) head, strlen (head));
  g_byte_array_append (all, conn->in->data, body_length);
  g_byte_array_set_size (conn->in, 0);
  send_then (conn, conn->upstream_fd, g_byte_array_free_to_bytes (all), step_relay);
}

/* --- connecting ------------------------------------------------------ */

static void try_next_address (Connection *conn);

static void
step_reply_success (Connection *conn)
{
  switch (conn->protocol)
    {
    case PROTOCOL_UNKNOWN:
      g_assert_not_reached ();
    case PROTOCOL_CONNECT:
      {
        static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
        send_then (conn, conn->client_fd, g_bytes_new_static (ok, sizeof ok - 1), step_established);
      }
      break;
    case PROTOCOL_SOCKS:
      {
        static const guint8 ok[10] = { 5, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
        send_then (conn, conn->client_fd, g_bytes_new_static (ok, sizeof ok), step_established);
      }
      break;
    case PROTOCOL_PLAIN:
    default:
      step_send_request (conn);
      break;
    }
}

static gboolean
on_connected (int          fd,
              GIOCondition condition,
              gpointer     user_data)
{
  Connection *conn = user_data;
  int error = 0;
  socklen_t length = sizeof error;

  g_clear_pointer (&conn->write_watch, g_source_unref);
  if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0)
    error = errno;
  if (error != 0)
    {
      close (conn->upstream_fd);
      conn->upstream_fd = -1;
      try_next_address (conn);
      return G_SOURCE_REMOVE;
    }

  clear_source (&conn->timer);
  step_reply_success (conn);
  return G_SOURCE_REMOVE;
}

static gboolean
on_connect_timeout (gpointer user_data)
{
  Connection *conn = user_data;

  g_clear_pointer (&conn->timer, g_source_unref);
  connection_fail (conn, 504, 0x04, "timeout", "the server did not answer in time");
  return G_SOURCE_REMOVE;
}

static void
try_next_address (Connection *conn)
{
  while (conn->addresses != NULL)
    {
      g_autoptr(GInetAddress) address = conn->addresses->data;
      g_autoptr(GSocketAddress) socket_address = NULL;
      struct sockaddr_storage native;
      int fd;

      conn->addresses = g_list_delete_link (conn->addresses, conn->addresses);
      socket_address = g_inet_socket_address_new (address, conn->port);
      if (!g_socket_address_to_native (socket_address, &native, sizeof native, NULL))
        continue;

      g_free (conn->address_text);
      conn->address_text = g_inet_address_to_string (address);
      fd = socket (native.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0)
        continue;
      if (connect (fd, (struct sockaddr *) &native, g_socket_address_get_native_size (socket_address)) == 0 ||
          errno == EINPROGRESS)
        {
          conn->upstream_fd = fd;
          arm_timer (conn, IO_TIMEOUT_S, on_connect_timeout);
          watch_fd (conn, &conn->write_watch, fd, G_IO_OUT, on_connected);
          return;
        }
      close (fd);
    }

  {
    g_autofree char *message = g_strdup_printf ("%s:%u cannot be reached", conn->host, conn->port);
    connection_fail (conn, 502, 0x05, "connect-failed", message);
  }
}

/* --- resolving ------------------------------------------------------- */

static gboolean
private_allowed (PaddockProxy *self)
{
  const PaddockSetting *setting = paddock_policy_get_setting (self->policy, "network.private_addresses", NULL);

  return setting == NULL || !g_str_equal (g_variant_get_string (setting->value, NULL), "deny");
}

/* An IP literal the policy allows by a rule of its own is what someone
 * chose; anything else is checked like a name's addresses. */
static gboolean
explicitly_allowed_literal (Connection *conn)
{
  const PaddockRule *rule = conn->decision->decisive;

  return conn->host_kind != PADDOCK_HOST_NAME && rule->kind == PADDOCK_RULE_NETWORK &&
         rule->verdict == PADDOCK_VERDICT_ALLOW && rule->host != NULL;
}

static void
use_addresses (Connection *conn,
               GList      *addresses)
{
  g_autoptr(GPtrArray) host_addresses = paddock_net_address_list_host ();
  g_autoptr(GString) refused = g_string_new (NULL);
  gboolean allow_private = private_allowed (conn->proxy);
  gboolean chosen = explicitly_allowed_literal (conn);

  for (GList *l = addresses; l != NULL; l = l->next)
    {
      GInetAddress *address = l->data;
      PaddockAddressClass klass = paddock_net_address_classify (address, host_addresses);
      g_autofree char *text = g_inet_address_to_string (address);

      if (chosen || paddock_net_address_class_is_allowed (klass, allow_private))
        conn->addresses = g_list_append (conn->addresses, g_object_ref (address));
      else
        g_string_append_printf (refused, "%s%s (%s)", refused->len ? ", " : "", text,
                                paddock_net_address_class_to_string (klass));
    }

  if (conn->addresses == NULL)
    {
      g_autofree char *message = g_strdup_printf ("%s leads only to addresses no sandbox may reach: %s",
                                                  conn->host, refused->str);
      conn->address_text = g_strdup (refused->str);
      emit_event (conn, PADDOCK_VERDICT_FORBIDDEN, "address", message);
      connection_fail (conn, 403, 0x02, "blocked-address", message);
      return;
    }

  g_free (conn->address_text);
  conn->address_text = g_inet_address_to_string (conn->addresses->data);
  emit_event_then (conn, PADDOCK_VERDICT_ALLOW, NULL, conn->decision->decisive->reason, try_next_address);
}

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GList *addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);
  Connection *conn;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  conn = user_data;
  if (addresses == NULL)
    {
      g_autofree char *message = g_strdup_printf ("%s cannot be resolved: %s", conn->host,
                                                  error ? error->message : "no address");
      connection_fail (conn, 502, 0x04, "resolve-failed", message);
      return;
    }
  use_addresses (conn, addresses);
  g_resolver_free_addresses (addresses);
}

static void
step_resolve (Connection *conn)
{
  if (conn->host_kind != PADDOCK_HOST_NAME)
    {
      g_autoptr(GInetAddress) literal = g_inet_address_new_from_string (conn->host);
      GList single = { literal, NULL, NULL };

      use_addresses (conn, &single);
      return;
    }

  if (paddock_net_address_is_metadata_name (conn->host))
    {
      g_autofree char *message = g_strdup_printf ("%s is a cloud metadata service", conn->host);
      emit_event (conn, PADDOCK_VERDICT_FORBIDDEN, "address", message);
      connection_fail (conn, 403, 0x02, "blocked-address", message);
      return;
    }

  g_resolver_lookup_by_name_async (conn->proxy->resolver, conn->host, conn->cancellable, on_resolved, conn);
}

/* --- deciding -------------------------------------------------------- */

static char *
denial_text (Connection *conn,
             const char *why)
{
  const PaddockRule *rule = conn->decision->decisive;
  g_autofree char *location = paddock_rule_dup_location (rule);
  g_autofree char *text = paddock_rule_dup_display_text (rule);

  return g_strdup_printf ("Paddock denied %s:%u (%s): the %s layer, %s, rule %s%s%s", conn->host, conn->port, why,
                          paddock_layer_to_string (rule->layer), location, text,
                          rule->reason ? ": " : "", rule->reason ? rule->reason : "");
}

static void
deny (Connection *conn,
      const char *why)
{
  g_autofree char *message = denial_text (conn, why);

  emit_event (conn, PADDOCK_VERDICT_FORBIDDEN, NULL, why);
  connection_fail (conn, 403, 0x02, "blocked-by-policy", message);
}

static void
on_answered (PaddockApprovalRequest *request,
             gpointer                user_data)
{
  Connection *conn = user_data;
  PaddockProxy *self = conn->proxy;
  PaddockAnswer answer = paddock_approval_request_get_answer (request);
  const char *who = paddock_approval_request_get_who (request);
  g_autoptr(GError) error = NULL;

  clear_source (&conn->timer);
  g_free (conn->answer);
  conn->answer = g_strdup (g_str_equal (who, "timeout") ? "timeout" : paddock_answer_to_string (answer));

  if (answer == PADDOCK_ANSWER_DENY)
    {
      deny (conn, g_str_equal (who, "timeout") ? "nobody answered in time"
                  : g_str_equal (who, "nobody") ? "nobody can be asked" : "a person denied it");
      return;
    }

  if (answer == PADDOCK_ANSWER_ALWAYS && self->workspace_policy != NULL &&
      !paddock_policy_file_add_network_allow (self->workspace_policy, conn->host, conn->port, &error))
    {
      g_warning ("cannot keep “always allow %s” in %s: %s", conn->host, self->workspace_policy, error->message);
      g_clear_error (&error);
    }
  if ((answer == PADDOCK_ANSWER_SESSION || answer == PADDOCK_ANSWER_ALWAYS) && self->grants != NULL &&
      !paddock_grants_add_prompted (self->grants, conn->decision, who, &error))
    {
      g_warning ("cannot grant %s:%u for the session: %s", conn->host, conn->port, error->message);
      g_clear_error (&error);
    }

  step_resolve (conn);
}

static gboolean
on_approval_timeout (gpointer user_data)
{
  Connection *conn = user_data;

  g_clear_pointer (&conn->timer, g_source_unref);
  paddock_approval_request_answer (conn->approval, PADDOCK_ANSWER_DENY, "timeout");
  return G_SOURCE_REMOVE;
}

static void
step_decide (Connection *conn)
{
  PaddockProxy *self = conn->proxy;
  g_autoptr(PaddockAction) action = paddock_action_new_net (conn->host, conn->port, protocol_name (conn->protocol));

  clear_source (&conn->watch);
  clear_source (&conn->timer);
  conn->decision = paddock_policy_evaluate (self->policy, action, self->grants);

  switch (conn->decision->verdict)
    {
    case PADDOCK_VERDICT_ALLOW:
      step_resolve (conn);
      return;

    case PADDOCK_VERDICT_PROMPT:
      if (!g_signal_has_handler_pending (self, signals[APPROVAL_NEEDED], 0, TRUE))
        {
          deny (conn, "nobody can be asked");
          return;
        }
      conn->approval = paddock_approval_request_new (conn->decision, self->workspace_policy != NULL);
      paddock_approval_request_set_timeout (conn->approval, self->approval_timeout);
      g_signal_connect (conn->approval, "answered", G_CALLBACK (on_answered), conn);
      arm_timer (conn, self->approval_timeout, on_approval_timeout);
      g_signal_emit (self, signals[APPROVAL_NEEDED], 0, conn->approval);
      return;

    case PADDOCK_VERDICT_FORBIDDEN:
    default:
      deny (conn, "forbidden");
      return;
    }
}

/* --- reading the client's request ----------------------------------- */

static ReadResult
socks_host (Connection   *conn,
            const guint8 *data,
            gsize         length,
            guint8        type,
            gsize        *used)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  char buffer[INET6_ADDRSTRLEN];

  switch (type)
    {
    case 1:
      if (length < 4 + 2)
        return READ_MORE;
      text = g_strdup (inet_ntop (AF_INET, data, buffer, sizeof buffer));
      *used = 4;
      break;
    case 4:
      if (length < 16 + 2)
        return READ_MORE;
      text = g_strdup (inet_ntop (AF_INET6, data, buffer, sizeof buffer));
      *used = 16;
      break;
    case 3:
    default:
      if (length < 1 || length < 1u + data[0] + 2)
        return READ_MORE;
      text = g_strndup ((const char *) data + 1, data[0]);
      /* A NUL inside would cut the name where strings end. */
      if (strlen (text) != data[0])
        text[0] = '\x01';
      *used = 1 + data[0];
      break;
    }

  conn->host = paddock_host_canonicalize (text, &conn->host_kind, &error);
  if (conn->host == NULL)
    {
      g_autofree char *message = g_strdup_printf ("SOCKS destination: %s", error->message);
      emit_event (conn, PADDOCK_VERDICT_FORBIDDEN, "bad-request", message);
      connection_fail (conn, 0, 0x01, "bad-request", message);
      return READ_GONE;
    }
  conn->port = (data[*used] << 8) | data[*used + 1];
  *used += 2;
  return READ_DONE;
}

static void process (Connection *conn);

/* SOCKS5 (RFC 1928): the greeting, answered at once, then one CONNECT
 * request. The token came with the descriptor, so no SOCKS
 * authentication is asked for. */
static void
process_socks (Connection *conn)
{
  const guint8 *d = conn->in->data;
  gsize length = conn->in->len, used = 0;

  if (!conn->socks_greeted)
    {
      static const guint8 no_auth[2] = { 5, 0 };
      static const guint8 no_method[2] = { 5, 0xff };
      gsize greeting;

      if (length < 2)
        return;
      greeting = 2 + d[1];
      if (length < greeting)
        return;
      if (memchr (d + 2, 0x00, d[1]) == NULL)
        {
          clear_source (&conn->watch);
          send_then (conn, conn->client_fd, g_bytes_new_static (no_method, 2), step_close);
          return;
        }
      g_byte_array_remove_range (conn->in, 0, greeting);
      conn->socks_greeted = TRUE;
      send_then (conn, conn->client_fd, g_bytes_new_static (no_auth, 2), process);
      return;
    }

  if (length < 4)
    return;
  if (d[0] != 5 || d[2] != 0)
    {
      connection_fail (conn, 0, 0x01, "bad-request", "a malformed SOCKS request");
      return;
    }
  if (d[1] != 1)
    {
      connection_fail (conn, 0, 0x07, "bad-request", "only SOCKS CONNECT is offered");
      return;
    }
  if (d[3] != 1 && d[3] != 3 && d[3] != 4)
    {
      connection_fail (conn, 0, 0x08, "bad-request", "an unknown SOCKS address type");
      return;
    }
  if (socks_host (conn, d + 4, length - 4, d[3], &used) != READ_DONE)
    return;

  g_byte_array_remove_range (conn->in, 0, 4 + used);
  step_decide (conn);
}

static void
process_http (Connection *conn)
{
  g_autofree char *message = NULL;
  PaddockHttpRequest *request = NULL;
  PaddockHttpParseResult result;

  result = paddock_http_request_parse ((const char *) conn->in->data, conn->in->len, MAX_HEAD, &request, &message);
  switch (result)
    {
    case PADDOCK_HTTP_PARSE_NEED_MORE:
      return;
    case PADDOCK_HTTP_PARSE_DONE:
      conn->request = request;
      conn->protocol = g_str_equal (request->method, "CONNECT") ? PROTOCOL_CONNECT : PROTOCOL_PLAIN;
      conn->host = g_strdup (request->host);
      conn->host_kind = request->host_kind;
      conn->port = request->port;
      g_byte_array_remove_range (conn->in, 0, request->head_length);
      step_decide (conn);
      return;
    case PADDOCK_HTTP_PARSE_TOO_LARGE:
      connection_fail (conn, 431, 0, "bad-request", message);
      return;
    case PADDOCK_HTTP_PARSE_UNSUPPORTED:
      connection_fail (conn, 501, 0, "bad-request", message);
      return;
    case PADDOCK_HTTP_PARSE_BAD:
    default:
      emit_event (conn, PADDOCK_VERDICT_FORBIDDEN, "bad-request", message);
      connection_fail (conn, 400, 0, "bad-request", message);
      return;
    }
}

static ReadResult
refuse_client (Connection *conn)
{
  emit_event (conn, PADDOCK_VERDICT_FORBIDDEN, "token", "a client of the proxy socket without its token");
  connection_close (conn);
  return READ_GONE;
}

/* The first line: "PADDOCK <token>\n", with the client's descriptor on
 * it, or followed by the client's own bytes. */
static ReadResult
process_preamble (Connection *conn)
{
  const char *data = (const char *) conn->in->data;
  const char *newline = memchr (data, '\n', conn->in->len);
  const char *token = conn->proxy->token;
  gsize prefix = strlen (PREAMBLE), token_length = strlen (token);
  guint8 difference = 0;

  if (newline == NULL)
    return conn->in->len > MAX_PREAMBLE ? refuse_client (conn) : READ_MORE;

  if ((gsize) (newline - data) != prefix + token_length || memcmp (data, PREAMBLE, prefix) != 0)
    return refuse_client (conn);
  /* In constant time: a guess learns nothing from how long a no takes. */
  for (gsize i = 0; i < token_length; i++)
    difference |= data[prefix + i] ^ token[i];
  if (difference != 0)
    return refuse_client (conn);

  g_byte_array_remove_range (conn->in, 0, newline - data + 1);
  conn->preamble_done = TRUE;
  if (conn->client_fd < 0)
    conn->client_fd = conn->control_fd;
  else
    {
      /* The descriptor is the client now; the unix connection only
       * carried it. */
      g_byte_array_set_size (conn->in, 0);
      close (conn->control_fd);
      conn->control_fd = -1;
    }
  return READ_DONE;
}

static void
process (Connection *conn)
{
  if (conn->in->len == 0 || conn->decision != NULL)
    return;
  if (conn->protocol == PROTOCOL_SOCKS || (!conn->socks_greeted && conn->in->data[0] == 5))
    {
      conn->protocol = PROTOCOL_SOCKS;
      process_socks (conn);
    }
  else
    process_http (conn);
}

/* Receives what the client sent; on the control connection, also a
 * descriptor passed with it. Returns FALSE when the connection is gone. */
static gboolean
receive (Connection *conn,
         int         fd)
{
  guint8 buffer[65536];
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  struct iovec iov = { buffer, sizeof buffer };
  struct msghdr msg = { 0 };
  ssize_t n;

  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;

  n = recvmsg (fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return TRUE;

  for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); n > 0 && c != NULL; c = CMSG_NXTHDR (&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      {
        int count = (c->cmsg_len - CMSG_LEN (0)) / sizeof (int);
        int *fds = (int *) CMSG_DATA (c);

        for (int i = 0; i < count; i++)
          {
            /* One descriptor, with the preamble, and never another. */
            if (fd == conn->control_fd && !conn->preamble_done && conn->client_fd < 0 && i == 0)
              conn->client_fd = fds[i];
            else
              close (fds[i]);
          }
      }
  if (msg.msg_flags & MSG_CTRUNC)
    {
      connection_close (conn);
      return FALSE;
    }

  if (n <= 0)
    {
      connection_close (conn);
      return FALSE;
    }
  g_byte_array_append (conn->in, buffer, n);
  return TRUE;
}

static gboolean
on_client_readable (int          fd,
                    GIOCondition condition,
                    gpointer     user_data)
{
  Connection *conn = user_data;

  if (!receive (conn, fd))
    return G_SOURCE_REMOVE;

  if (!conn->preamble_done)
    {
      switch (process_preamble (conn))
        {
        case READ_GONE:
          return G_SOURCE_REMOVE;
        case READ_MORE:
          return G_SOURCE_CONTINUE;
        case READ_DONE:
        default:
          break;
        }
      if (conn->client_fd != fd)
        {
          /* Now read the client itself. */
          g_unix_set_fd_nonblocking (conn->client_fd, TRUE, NULL);
          g_clear_pointer (&conn->watch, g_source_unref);
          watch (conn, conn->client_fd, on_client_readable);
          return G_SOURCE_REMOVE;
        }
    }

  if (conn->decision == NULL)
    {
      process (conn);
      return G_SOURCE_CONTINUE;
    }

  /* Reading on after the decision: the greeting of a tunnel, or the
   * body of a plain request. Each step watches again if it needs more. */
  g_clear_pointer (&conn->watch, g_source_unref);
  if (conn->protocol == PROTOCOL_PLAIN)
    step_send_request (conn);
  else if (!check_hello (conn))
    watch (conn, conn->client_fd, on_client_readable);
  return G_SOURCE_REMOVE;
}

static gboolean
on_incoming (int          fd,
             GIOCondition condition,
             gpointer     user_data)
{
  PaddockProxy *self = user_data;
  int client;

  while ((client = accept4 (fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
    {
      Connection *conn = g_new0 (Connection, 1);

      conn->proxy = self;
      conn->control_fd = client;
      conn->client_fd = -1;
      conn->upstream_fd = -1;
      conn->in = g_byte_array_new ();
      conn->cancellable = g_cancellable_new ();
      g_hash_table_add (self->connections, conn);
      arm_timer (conn, IO_TIMEOUT_S, on_io_timeout);
      watch (conn, client, on_client_readable);
    }
  return G_SOURCE_CONTINUE;
}

/* --- the object ------------------------------------------------------ */

static void
paddock_proxy_dispose (GObject *object)
{
  PaddockProxy *self = PADDOCK_PROXY (object);

  paddock_proxy_stop (self);
  g_clear_object (&self->policy);
  g_clear_object (&self->grants);
  g_clear_object (&self->audit_session);
  g_clear_object (&self->resolver);

  G_OBJECT_CLASS (paddock_proxy_parent_class)->dispose (object);
}

static void
paddock_proxy_finalize (GObject *object)
{
  PaddockProxy *self = PADDOCK_PROXY (object);

  g_hash_table_unref (self->connections);
  g_free (self->workspace_policy);
  g_free (self->dir);
  g_free (self->socket_path);
  g_free (self->token);

  G_OBJECT_CLASS (paddock_proxy_parent_class)->finalize (object);
}

static void
paddock_proxy_class_init (PaddockProxyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = paddock_proxy_dispose;
  object_class->finalize = paddock_proxy_finalize;

  /* Whoever can ask a person (a terminal, the app) answers the request;
   * without a handler, a prompt is a denial. */
  signals[APPROVAL_NEEDED] = g_signal_new ("approval-needed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 1, PADDOCK_TYPE_APPROVAL_REQUEST);
  signals[EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, PADDOCK_TYPE_NETWORK_EVENT);
}

static void
paddock_proxy_init (PaddockProxy *self)
{
  self->listen_fd = -1;
  self->approval_timeout = PADDOCK_APPROVAL_DEFAULT_TIMEOUT_S;
  self->connections = g_hash_table_new (NULL, NULL);
}

PaddockProxy *
paddock_proxy_new (PaddockPolicy *policy,
                   PaddockGrants *grants)
{
  PaddockProxy *self;

  g_return_val_if_fail (PADDOCK_IS_POLICY (policy), NULL);
  g_return_val_if_fail (grants == NULL || PADDOCK_IS_GRANTS (grants), NULL);

  self = g_object_new (PADDOCK_TYPE_PROXY, NULL);
  self->policy = g_object_ref (policy);
  self->grants = grants ? g_object_ref (grants) : NULL;
  self->resolver = g_resolver_get_default ();
  return self;
}

static char *
make_token (void)
{
  guint8 bytes[32];
  GString *token = g_string_new (NULL);

  if (getrandom (bytes, sizeof bytes, 0) != sizeof bytes)
    g_error ("getrandom: %s", g_strerror (errno));
  for (guint i = 0; i < sizeof bytes; i++)
    g_string_append_printf (token, "%02x", bytes[i]);
  return g_string_free (token, FALSE);
}

gboolean
paddock_proxy_start (PaddockProxy  *self,
                     GError       **error)
{
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");
  g_autofree char *base = NULL;
  g_autofree char *template = NULL;
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (PADDOCK_IS_PROXY (self), FALSE);
  g_return_val_if_fail (self->listen_fd < 0, FALSE);

  base = runtime != NULL && g_path_is_absolute (runtime) ? g_build_filename (runtime, "paddock", NULL)
                                                         : g_strdup (g_get_tmp_dir ());
  if (g_mkdir_with_parents (base, 0700) != 0)
    return paddock_fail (error, PADDOCK_PROXY_ERROR, PADDOCK_PROXY_ERROR_FAILED, "%s: %s", base, g_strerror (errno));
  template = g_build_filename (base, "proxy-XXXXXX", NULL);
  if (g_mkdtemp_full (template, 0700) == NULL)
    return paddock_fail (error, PADDOCK_PROXY_ERROR, PADDOCK_PROXY_ERROR_FAILED, "%s: %s", template, g_strerror (errno));
  self->dir = g_steal_pointer (&template);
  self->socket_path = g_build_filename (self->dir, "socket", NULL);
  if (strlen (self->socket_path) >= sizeof address.sun_path)
    return paddock_fail (error, PADDOCK_PROXY_ERROR, PADDOCK_PROXY_ERROR_FAILED,
                         "the socket path %s is too long for a unix socket", self->socket_path);
  strcpy (address.sun_path, self->socket_path);

  self->listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (self->listen_fd < 0 || bind (self->listen_fd, (struct sockaddr *) &address, sizeof address) != 0 ||
      chmod (self->socket_path, 0600) != 0 || listen (self->listen_fd, 256) != 0)
    {
      int saved_errno = errno;
      paddock_proxy_stop (self);
      return paddock_fail (error, PADDOCK_PROXY_ERROR, PADDOCK_PROXY_ERROR_FAILED, "cannot listen on %s: %s",
                           address.sun_path, g_strerror (saved_errno));
    }

  self->context = g_main_context_ref_thread_default ();
  self->relay = paddock_relay_new (self->context, &local_error);
  if (self->relay == NULL)
    {
      paddock_proxy_stop (self);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  self->token = make_token ();
  self->listen_source = g_unix_fd_source_new (self->listen_fd, G_IO_IN);
  g_source_set_callback (self->listen_source, (GSourceFunc) (void (*) (void)) on_incoming, self, NULL);
  g_source_attach (self->listen_source, self->context);
  return TRUE;
}

void
paddock_proxy_stop (PaddockProxy *self)
{
  GHashTableIter iter;
  gpointer conn;

  g_return_if_fail (PADDOCK_IS_PROXY (self));

  clear_source (&self->listen_source);
  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, &conn, NULL))
    {
      g_hash_table_iter_remove (&iter);
      connection_free (conn);
    }
  g_clear_pointer (&self->relay, paddock_relay_free);
  self->n_relayed = 0;
  if (self->listen_fd >= 0)
    close (self->listen_fd);
  self->listen_fd = -1;
  if (self->socket_path != NULL)
    g_unlink (self->socket_path);
  if (self->dir != NULL)
    g_rmdir (self->dir);
  g_clear_pointer (&self->context, g_main_context_unref);
}

const char *
paddock_proxy_get_socket_path (PaddockProxy *self)
{
  g_return_val_if_fail (PADDOCK_IS_PROXY (self), NULL);

  return self->socket_path;
}

const char *
paddock_proxy_get_token (PaddockProxy *self)
{
  g_return_val_if_fail (PADDOCK_IS_PROXY (self), NULL);

  return self->token;
}

guint
paddock_proxy_get_n_connections (PaddockProxy *self)
{
  g_return_val_if_fail (PADDOCK_IS_PROXY (self), 0);

  return g_hash_table_size (self->connections) + self->n_relayed;
}

void
paddock_proxy_set_resolver (PaddockProxy *self,
                            GResolver    *resolver)
{
  g_return_if_fail (PADDOCK_IS_PROXY (self));
  g_return_if_fail (G_IS_RESOLVER (resolver));

  g_set_object (&self->resolver, resolver);
}

void
paddock_proxy_set_approval_timeout (PaddockProxy *self,
                                    guint         seconds)
{
  g_return_if_fail (PADDOCK_IS_PROXY (self));

  self->approval_timeout = MAX (seconds, 1);
}

void
paddock_proxy_set_workspace_policy (PaddockProxy *self,
                                    const char   *path)
{
  g_return_if_fail (PADDOCK_IS_PROXY (self));

  g_free (self->workspace_policy);
  self->workspace_policy = g_strdup (path);
}

void
paddock_proxy_set_audit_session (PaddockProxy        *self,
                                 PaddockAuditSession *session)
{
  g_return_if_fail (PADDOCK_IS_PROXY (self));

  g_set_object (&self->audit_session, session);
}
