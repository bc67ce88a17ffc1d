/* test-proxy-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "paddock-tls-sni.h"
#include "test-proxy-util.h"

/* --- the resolver ---------------------------------------------------- */

struct _TestResolver
{
  GResolver parent_instance;

  GHashTable *table;    /* name → GList* of GInetAddress* */
  GPtrArray *queries;
};

G_DEFINE_FINAL_TYPE (TestResolver, test_resolver, G_TYPE_RESOLVER)

static GList *
copy_addresses (GList *addresses)
{
  return g_list_copy_deep (addresses, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
}

static GList *
test_resolver_lookup_by_name (GResolver     *resolver,
                              const char    *hostname,
                              GCancellable  *cancellable,
                              GError       **error)
{
  TestResolver *self = TEST_RESOLVER (resolver);
  GList *addresses = g_hash_table_lookup (self->table, hostname);

  g_ptr_array_add (self->queries, g_strdup (hostname));
  if (addresses == NULL)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "%s: no such name in the test", hostname);
      return NULL;
    }
  return copy_addresses (addresses);
}

static void
test_resolver_lookup_by_name_async (GResolver           *resolver,
                                    const char          *hostname,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  GList *addresses = test_resolver_lookup_by_name (resolver, hostname, cancellable, &error);

  if (addresses == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, addresses, (GDestroyNotify) g_resolver_free_addresses);
}

static GList *
test_resolver_lookup_by_name_finish (GResolver     *resolver,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
free_addresses (gpointer addresses)
{
  g_list_free_full (addresses, g_object_unref);
}

static void
test_resolver_finalize (GObject *object)
{
  TestResolver *self = TEST_RESOLVER (object);

  g_hash_table_unref (self->table);
  g_ptr_array_unref (self->queries);
  G_OBJECT_CLASS (test_resolver_parent_class)->finalize (object);
}

static void
test_resolver_class_init (TestResolverClass *klass)
{
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_resolver_finalize;
  resolver_class->lookup_by_name = test_resolver_lookup_by_name;
  resolver_class->lookup_by_name_async = test_resolver_lookup_by_name_async;
  resolver_class->lookup_by_name_finish = test_resolver_lookup_by_name_finish;
}

static void
test_resolver_init (TestResolver *self)
{
  self->table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_addresses);
  self->queries = g_ptr_array_new_with_free_func (g_free);
}

TestResolver *
test_resolver_new (void)
{
  return g_object_new (TEST_TYPE_RESOLVER, NULL);
}

void
test_resolver_add (TestResolver       *self,
                   const char         *name,
                   const char * const *addresses)
{
  GList *list = NULL;

  for (guint i = 0; addresses[i] != NULL; i++)
    {
      GInetAddress *address = g_inet_address_new_from_string (addresses[i]);

      g_assert_nonnull (address);
      list = g_list_append (list, address);
    }
  g_hash_table_replace (self->table, g_strdup (name), list);
}

GPtrArray *
test_resolver_get_queries (TestResolver *self)
{
  return self->queries;
}

/* --- the server ------------------------------------------------------ */

struct _TestServer
{
  TestServerMode mode;
  int listen_fd;
  guint16 port;
  GThread *thread;
  GMutex lock;
  GString *received;
  guint n_accepted;
  gboolean stopping;
};

static void
server_note (TestServer   *server,
             const char   *data,
             gsize         length)
{
  g_mutex_lock (&server->lock);
  g_string_append_len (server->received, data, length);
  g_mutex_unlock (&server->lock);
}

static void
serve_one (TestServer *server,
           int         fd)
{
  char buffer[65536];
  GString *request = g_string_new (NULL);
  ssize_t n;

  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    {
      server_note (server, buffer, n);
      if (server->mode == TEST_SERVER_ECHO)
        {
          if (write (fd, buffer, n) != n)
            break;
          continue;
        }
      g_string_append_len (request, buffer, n);
      if (strstr (request->str, "\r\n\r\n") != NULL)
        {
          static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";

          if (write (fd, answer, sizeof answer - 1) < 0)
            break;
          /* Let whatever else comes arrive, to see that it does not. */
          shutdown (fd, SHUT_WR);
        }
    }
  g_string_free (request, TRUE);
  close (fd);
}

static gpointer
serve_one_thread (gpointer data)
{
  gpointer *pair = data;

  serve_one (pair[0], GPOINTER_TO_INT (pair[1]));
  g_free (pair);
  return NULL;
}

static gpointer
server_thread (gpointer data)
{
  TestServer *server = data;
  GPtrArray *threads = g_ptr_array_new ();

  for (;;)
    {
      struct pollfd pfd = { server->listen_fd, POLLIN, 0 };
      gpointer *pair;
      int fd;

      if (poll (&pfd, 1, 50) <= 0)
        {
          if (g_atomic_int_get (&server->stopping))
            break;
          continue;
        }
      fd = accept (server->listen_fd, NULL, NULL);
      if (fd < 0)
        continue;
      g_atomic_int_inc (&server->n_accepted);
      pair = g_new (gpointer, 2);
      pair[0] = server;
      pair[1] = GINT_TO_POINTER (fd);
      g_ptr_array_add (threads, g_thread_new ("test-server-connection", serve_one_thread, pair));
    }

  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));
  g_ptr_array_free (threads, TRUE);
  return NULL;
}

typedef struct
{
  const char *netns_path;
  struct sockaddr_storage native;
  socklen_t length;
  int fd;
} Listen;

/* A socket belongs to the namespace it was made in, whichever thread
 * uses it later: make it in a thread that joined the namespace. */
static gpointer
listen_thread (gpointer data)
{
  Listen *l = data;
  int one = 1;

  if (l->netns_path != NULL)
    {
      int ns = open (l->netns_path, O_RDONLY | O_CLOEXEC);

      g_assert_cmpint (ns, >=, 0);
      g_assert_cmpint (setns (ns, CLONE_NEWNET), ==, 0);
      close (ns);
    }
  l->fd = socket (l->native.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  setsockopt (l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  g_assert_cmpint (bind (l->fd, (struct sockaddr *) &l->native, l->length), ==, 0);
  g_assert_cmpint (listen (l->fd, 1024), ==, 0);
  return NULL;
}

TestServer *
test_server_new_in (TestServerMode  mode,
                    const char     *netns_path,
                    const char     *address_text,
                    guint16         port)
{
  TestServer *server = g_new0 (TestServer, 1);
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (address_text);
  g_autoptr(GSocketAddress) socket_address = g_inet_socket_address_new (address, port);
  struct sockaddr_storage native;
  socklen_t length;
  Listen l = { netns_path };

  g_assert_true (g_socket_address_to_native (socket_address, &l.native, sizeof l.native, NULL));
  l.length = g_socket_address_get_native_size (socket_address);
  g_thread_join (g_thread_new ("test-server-listen", listen_thread, &l));
  server->mode = mode;
  server->received = g_string_new (NULL);
  g_mutex_init (&server->lock);
  server->listen_fd = l.fd;
  length = sizeof native;
  g_assert_cmpint (getsockname (server->listen_fd, (struct sockaddr *) &native, &length), ==, 0);
  server->port = ntohs (native.ss_family == AF_INET ? ((struct sockaddr_in *) &native)->sin_port
                                                    : ((struct sockaddr_in6 *) &native)->sin6_port);
  server->thread = g_thread_new ("test-server", server_thread, server);
  return server;
}

TestServer *
test_server_new (TestServerMode  mode,
                 const char     *address,
                 guint16         port)
{
  return test_server_new_in (mode, NULL, address, port);
}

guint16
test_server_get_port (TestServer *server)
{
  return server->port;
}

char *
test_server_dup_received (TestServer *server)
{
  char *copy;

  g_mutex_lock (&server->lock);
  copy = g_strndup (server->received->str, server->received->len);
  g_mutex_unlock (&server->lock);
  return copy;
}

guint
test_server_get_n_accepted (TestServer *server)
{
  return g_atomic_int_get (&server->n_accepted);
}

void
test_server_free (TestServer *server)
{
  if (server == NULL)
    return;
  g_atomic_int_set (&server->stopping, TRUE);
  g_thread_join (server->thread);
  close (server->listen_fd);
  g_string_free (server->received, TRUE);
  g_mutex_clear (&server->lock);
  g_free (server);
}

/* --- a TLS greeting --------------------------------------------------- */

/* The first bytes a GIO TLS client sends for @identity. */
GBytes *
test_client_hello (GSocketConnectable *identity)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  int fds[2];

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    return NULL;

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  socket = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  connection = g_socket_connection_factory_create_connection (socket);
  tls = g_tls_client_connection_new (G_IO_STREAM (connection), identity, &error);
  g_assert_no_error (error);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, cancellable, NULL, NULL);

  /* Until the hello is whole: the parser itself says when. */
  for (;;)
    {
      guint8 buffer[4096];
      g_autofree char *name = NULL;
      ssize_t n;

      g_main_context_iteration (NULL, FALSE);
      n = recv (fds[1], buffer, sizeof buffer, MSG_DONTWAIT);
      if (n > 0)
        g_byte_array_append (bytes, buffer, n);
      if (bytes->len > 0 && paddock_tls_sni_parse (bytes->data, bytes->len, &name) != PADDOCK_TLS_SNI_NEED_MORE)
        break;
    }

  g_cancellable_cancel (cancellable);
  g_io_stream_close (tls, NULL, NULL);
  close (fds[1]);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

/* --- a network namespace ------------------------------------------- */

static gboolean
ip (char       **why,
    const char  *format,
    ...) G_GNUC_PRINTF (2, 3);

static gboolean
ip (char       **why,
    const char  *format,
    ...)
{
  g_autofree char *arguments = NULL;
  g_autofree char *command = NULL;
  g_autofree char *err = NULL;
  va_list args;
  int status;

  va_start (args, format);
  arguments = g_strdup_vprintf (format, args);
  va_end (args);
  command = g_strdup_printf ("ip %s", arguments);
  if (!g_spawn_command_line_sync (command, NULL, &err, &status, NULL) || !g_spawn_check_wait_status (status, NULL))
    {
      if (why != NULL)
        *why = g_strdup_printf ("“%s” failed: %s", command, err ? g_strstrip (err) : "");
      return FALSE;
    }
  return TRUE;
}

/* What an aborted run left behind: namespaces of processes gone. */
static void
remove_stale_namespaces (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/run/netns", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      int pid;

      if (sscanf (name, "paddock-test-%d", &pid) == 1 && kill (pid, 0) != 0 && errno == ESRCH)
        {
          ip (NULL, "link del pdkh%d", pid);
          ip (NULL, "netns del %s", name);
        }
    }
}

TestNetns *
test_netns_new (char **why)
{
  g_autoptr(TestNetns) netns = NULL;
  g_autofree char *peer = NULL;
  g_autofree char *ip_path = g_find_program_in_path ("ip");
  guint subnet = getpid () % 250;

  if (getuid () != 0 || ip_path == NULL)
    {
      *why = g_strdup ("making network namespaces needs root and ip(8)");
      return NULL;
    }

  remove_stale_namespaces ();
  netns = g_new0 (TestNetns, 1);
  netns->name = g_strdup_printf ("paddock-test-%d", getpid ());
  netns->path = g_strdup_printf ("/run/netns/%s", netns->name);
  netns->host_link = g_strdup_printf ("pdkh%d", getpid ());
  peer = g_strdup_printf ("pdkn%d", getpid ());
  netns->host_address = g_strdup_printf ("10.254.%u.1", subnet);
  netns->remote_address = g_strdup_printf ("10.254.%u.2", subnet);

  if (!ip (why, "netns add %s", netns->name))
    {
      g_clear_pointer (&netns->name, g_free);
      return NULL;
    }
  if (!ip (why, "link add %s type veth peer name %s", netns->host_link, peer) ||
      !ip (why, "link set %s netns %s", peer, netns->name) ||
      !ip (why, "addr add %s/24 dev %s", netns->host_address, netns->host_link) ||
      !ip (why, "link set %s up", netns->host_link) ||
      !ip (why, "-n %s addr add %s/24 dev %s", netns->name, netns->remote_address, peer) ||
      !ip (why, "-n %s link set %s up", netns->name, peer) ||
      !ip (why, "-n %s link set lo up", netns->name))
    return NULL;
  return g_steal_pointer (&netns);
}

void
test_netns_free (TestNetns *netns)
{
  if (netns == NULL)
    return;
  if (netns->host_link != NULL)
    ip (NULL, "link del %s", netns->host_link);
  if (netns->name != NULL)
    ip (NULL, "netns del %s", netns->name);
  g_free (netns->name);
  g_free (netns->path);
  g_free (netns->host_address);
  g_free (netns->remote_address);
  g_free (netns->host_link);
  g_free (netns);
}

/* --- the client ------------------------------------------------------ */

TestClient *
test_client_new (const char *socket_path,
                 const char *token,
                 gboolean    pass_fd)
{
  TestClient *client = g_new0 (TestClient, 1);
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  g_autofree char *preamble = token ? g_strdup_printf ("PADDOCK %s\n", token) : g_strdup ("HELLO\n");
  int control = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  client->received = g_byte_array_new ();
  g_assert_cmpuint (strlen (socket_path), <, sizeof address.sun_path);
  strcpy (address.sun_path, socket_path);
  g_assert_cmpint (connect (control, (struct sockaddr *) &address, sizeof address), ==, 0);

  if (!pass_fd)
    {
      g_assert_cmpint (send (control, preamble, strlen (preamble), MSG_NOSIGNAL), ==, strlen (preamble));
      client->fd = control;
    }
  else
    {
      union
      {
        char buf[CMSG_SPACE (sizeof (int))];
        struct cmsghdr align;
      } control_data;
      struct iovec iov = { preamble, strlen (preamble) };
      struct msghdr msg = { 0 };
      struct cmsghdr *c;
      int pair[2];

      g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), ==, 0);
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control_data.buf;
      msg.msg_controllen = sizeof control_data.buf;
      c = CMSG_FIRSTHDR (&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (c), &pair[1], sizeof (int));
      g_assert_cmpint (sendmsg (control, &msg, MSG_NOSIGNAL), ==, strlen (preamble));
      close (pair[1]);
      close (control);
      client->fd = pair[0];
    }
  return client;
}

TestClient *
test_client_new_raw (const char *socket_path)
{
  TestClient *client = g_new0 (TestClient, 1);
  struct sockaddr_un address = { .sun_family = AF_UNIX };

  client->received = g_byte_array_new ();
  g_assert_cmpuint (strlen (socket_path), <, sizeof address.sun_path);
  strcpy (address.sun_path, socket_path);
  client->fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (connect (client->fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  return client;
}

void
test_client_send (TestClient *client,
                  const void *data,
                  gsize       length)
{
  const char *at = data;

  while (length > 0)
    {
      ssize_t n = send (client->fd, at, length, MSG_NOSIGNAL | MSG_DONTWAIT);

      if (n > 0)
        {
          at += n;
          length -= n;
        }
      else if (n < 0 && errno == EAGAIN)
        g_main_context_iteration (NULL, FALSE);
      else
        return;  /* the proxy closed: what it said is read next */
    }
}

static gboolean
client_read_some (TestClient *client)
{
  char buffer[65536];
  ssize_t n = recv (client->fd, buffer, sizeof buffer, MSG_DONTWAIT);

  if (n > 0)
    {
      g_byte_array_append (client->received, (const guint8 *) buffer, n);
      return TRUE;
    }
  if (n == 0 || (errno != EAGAIN && errno != EINTR))
    client->closed = TRUE;
  return FALSE;
}

void
test_client_read_at_least (TestClient *client,
                           gsize       length)
{
  test_wait_until ((client_read_some (client), client->received->len >= length || client->closed));
}

void
test_client_read_to_end (TestClient *client)
{
  test_wait_until ((client_read_some (client), client->closed));
}

const char *
test_client_get_text (TestClient *client)
{
  /* Keep it a string without counting the NUL as received. */
  g_byte_array_append (client->received, (const guint8 *) "", 1);
  g_byte_array_set_size (client->received, client->received->len - 1);
  return (const char *) client->received->data;
}

void
test_client_free (TestClient *client)
{
  if (client == NULL)
    return;
  close (client->fd);
  g_byte_array_unref (client->received);
  g_free (client);
}

/* An IPv4 address of this machine's that is not loopback: a server
 * there looks remote to the sandbox. NULL when there is none. */
char *
test_host_address (void)
{
  struct ifaddrs *list = NULL;
  char *found = NULL;

  if (getifaddrs (&list) != 0)
    return NULL;
  for (struct ifaddrs *i = list; i != NULL && found == NULL; i = i->ifa_next)
    if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET &&
        ntohl (((struct sockaddr_in *) i->ifa_addr)->sin_addr.s_addr) >> 24 != 127)
      {
        char text[INET_ADDRSTRLEN];
        found = g_strdup (inet_ntop (AF_INET, &((struct sockaddr_in *) i->ifa_addr)->sin_addr, text, sizeof text));
      }
  freeifaddrs (list);
  return found;
}
