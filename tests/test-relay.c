/* test-relay.c: the splice relay between pairs of sockets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>

#include "paddock-relay.h"
#include "test-util.h"

typedef struct
{
  int calls;
  guint64 sent;
  guint64 received;
} Done;

static void
on_done (guint64  sent,
         guint64  received,
         gpointer user_data)
{
  Done *done = user_data;

  done->calls++;
  done->sent = sent;
  done->received = received;
}

static guint
count_fds (void)
{
  DIR *dir = opendir ("/proc/self/fd");
  guint n = 0;

  while (readdir (dir) != NULL)
    n++;
  closedir (dir);
  return n;
}

/* A connected TCP pair on loopback: what the proxy relays. */
static void
tcp_pair (int fds[2])
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t length = sizeof address;
  int listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (bind (listener, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (listen (listener, 1), ==, 0);
  g_assert_cmpint (getsockname (listener, (struct sockaddr *) &address, &length), ==, 0);
  fds[0] = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (connect (fds[0], (struct sockaddr *) &address, sizeof address), ==, 0);
  fds[1] = accept (listener, NULL, NULL);
  g_assert_cmpint (fds[1], >=, 0);
  close (listener);
}

typedef struct
{
  int fd;
  GBytes *data;          /* to write, then shut the sending side */
  GChecksum *checksum;   /* of what was read until the end */
  guint64 read;
} Peer;

static gpointer
peer_write (gpointer user_data)
{
  Peer *peer = user_data;
  gsize length;
  const guint8 *data = g_bytes_get_data (peer->data, &length);

  while (length > 0)
    {
      ssize_t n = write (peer->fd, data, MIN (length, 100000));

      g_assert_cmpint (n, >, 0);
      data += n;
      length -= n;
    }
  shutdown (peer->fd, SHUT_WR);
  return NULL;
}

static gpointer
peer_read (gpointer user_data)
{
  Peer *peer = user_data;
  guint8 buffer[65536];
  ssize_t n;

  while ((n = read (peer->fd, buffer, sizeof buffer)) > 0)
    {
      g_checksum_update (peer->checksum, buffer, n);
      peer->read += n;
    }
  return NULL;
}

static GBytes *
random_bytes (gsize length)
{
  guint32 *data = g_new (guint32, length / 4);

  for (gsize i = 0; i < length / 4; i++)
    data[i] = g_random_int ();
  return g_bytes_new_take (data, length / 4 * 4);
}

static char *
checksum_of (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

/* Both ways at once, through TCP sockets as the proxy has them: every
 * byte arrives, in order, and the ends are passed on. */
static void
test_both_ways (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(PaddockRelay) relay = NULL;
  g_autoptr(GBytes) up = random_bytes (24 * 1024 * 1024);
  g_autoptr(GBytes) down = random_bytes (9 * 1024 * 1024 + 3);
  g_autofree char *up_sum = checksum_of (up);
  g_autofree char *down_sum = checksum_of (down);
  Peer client = { 0 }, server = { 0 };
  GThread *threads[4];
  int a[2], b[2];
  Done done = { 0 };
  guint fds_before = count_fds ();

  relay = paddock_relay_new (context, NULL);
  g_assert_nonnull (relay);
  tcp_pair (a);
  tcp_pair (b);

  client.fd = a[0];
  client.data = up;
  client.checksum = g_checksum_new (G_CHECKSUM_SHA256);
  server.fd = b[1];
  server.data = down;
  server.checksum = g_checksum_new (G_CHECKSUM_SHA256);
  paddock_relay_add (relay, a[1], b[0], PADDOCK_RELAY_BOTH, on_done, &done);
  g_assert_cmpuint (paddock_relay_get_size (relay), ==, 1);

  threads[0] = g_thread_new ("client-write", peer_write, &client);
  threads[1] = g_thread_new ("client-read", peer_read, &client);
  threads[2] = g_thread_new ("server-write", peer_write, &server);
  threads[3] = g_thread_new ("server-read", peer_read, &server);
  while (done.calls == 0)
    g_main_context_iteration (context, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_assert_cmpint (done.calls, ==, 1);
  g_assert_cmpuint (done.sent, ==, g_bytes_get_size (up));
  g_assert_cmpuint (done.received, ==, g_bytes_get_size (down));
  g_assert_cmpuint (server.read, ==, g_bytes_get_size (up));
  g_assert_cmpstr (g_checksum_get_string (server.checksum), ==, up_sum);
  g_assert_cmpuint (client.read, ==, g_bytes_get_size (down));
  g_assert_cmpstr (g_checksum_get_string (client.checksum), ==, down_sum);
  g_assert_cmpuint (paddock_relay_get_size (relay), ==, 0);

  close (a[0]);
  close (b[1]);
  g_checksum_free (client.checksum);
  g_checksum_free (server.checksum);
  /* The relay closed its two sockets and its pipes. */
  g_assert_cmpuint (count_fds (), ==, fds_before + 1);  /* its epoll set */
}

/* A request, the client's end of sending, then the answer: the other
 * way stays open after one side is shut. */
static void
test_half_close (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(PaddockRelay) relay = paddock_relay_new (context, NULL);
  char buffer[64];
  int a[2], b[2];
  Done done = { 0 };
  ssize_t n;

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, a), ==, 0);
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, b), ==, 0);
  paddock_relay_add (relay, a[1], b[0], PADDOCK_RELAY_BOTH, on_done, &done);

  g_assert_cmpint (write (a[0], "question", 8), ==, 8);
  shutdown (a[0], SHUT_WR);
  /* The server reads the question, then the end of it. */
  for (n = 0; n < 8;)
    {
      ssize_t got;

      g_main_context_iteration (context, FALSE);
      got = recv (b[1], buffer + n, sizeof buffer - n, MSG_DONTWAIT);
      if (got > 0)
        n += got;
    }
  g_assert_cmpmem (buffer, 8, "question", 8);
  while ((n = recv (b[1], buffer, sizeof buffer, MSG_DONTWAIT)) != 0)
    g_main_context_iteration (context, FALSE);

  g_assert_cmpint (done.calls, ==, 0);
  g_assert_cmpint (write (b[1], "answer", 6), ==, 6);
  shutdown (b[1], SHUT_WR);
  while (done.calls == 0)
    g_main_context_iteration (context, TRUE);
  n = read (a[0], buffer, sizeof buffer);
  g_assert_cmpmem (buffer, n, "answer", 6);
  g_assert_cmpint (read (a[0], buffer, sizeof buffer), ==, 0);
  g_assert_cmpuint (done.sent, ==, 8);
  g_assert_cmpuint (done.received, ==, 6);

  close (a[0]);
  close (b[1]);
}

/* A peer that goes away hard ends the pair, and the other peer sees its
 * end too. */
static void
test_reset (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(PaddockRelay) relay = paddock_relay_new (context, NULL);
  struct linger hard = { 1, 0 };
  char buffer[16];
  int a[2], b[2];
  Done done = { 0 };

  tcp_pair (a);
  tcp_pair (b);
  paddock_relay_add (relay, a[1], b[0], PADDOCK_RELAY_BOTH, on_done, &done);

  g_assert_cmpint (setsockopt (b[1], SOL_SOCKET, SO_LINGER, &hard, sizeof hard), ==, 0);
  close (b[1]);  /* sends a reset */
  g_assert_cmpint (write (a[0], "x", 1), ==, 1);
  while (done.calls == 0)
    g_main_context_iteration (context, TRUE);
  g_assert_cmpuint (paddock_relay_get_size (relay), ==, 0);
  g_assert_cmpint (read (a[0], buffer, sizeof buffer), <=, 0);
  close (a[0]);
}

/* A thousand tunnels at once, each carrying its own message both ways,
 * and no descriptor left behind. */
static void
test_many (void)
{
  enum { N = 1000 };
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(PaddockRelay) relay = paddock_relay_new (context, NULL);
  static int clients[N], servers[N];
  Done done[N];
  guint fds_before;
  guint finished = 0;

  if (!test_raise_fd_limit (8 * N))
    return;
  fds_before = count_fds ();
  memset (done, 0, sizeof done);
  for (guint i = 0; i < N; i++)
    {
      int a[2], b[2];

      g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, a), ==, 0);
      g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, b), ==, 0);
      clients[i] = a[0];
      servers[i] = b[1];
      paddock_relay_add (relay, a[1], b[0], PADDOCK_RELAY_BOTH, on_done, &done[i]);
    }
  g_assert_cmpuint (paddock_relay_get_size (relay), ==, N);

  for (guint i = 0; i < N; i++)
    {
      g_autofree char *up = g_strdup_printf ("up %u", i);
      g_autofree char *down = g_strdup_printf ("down %u", i);

      g_assert_cmpint (write (clients[i], up, strlen (up)), ==, strlen (up));
      shutdown (clients[i], SHUT_WR);
      g_assert_cmpint (write (servers[i], down, strlen (down)), ==, strlen (down));
      shutdown (servers[i], SHUT_WR);
    }

  while (finished < N)
    {
      g_main_context_iteration (context, TRUE);
      finished = 0;
      for (guint i = 0; i < N; i++)
        finished += done[i].calls;
    }

  for (guint i = 0; i < N; i++)
    {
      g_autofree char *up = g_strdup_printf ("up %u", i);
      g_autofree char *down = g_strdup_printf ("down %u", i);
      char buffer[32] = { 0 };

      g_assert_cmpint (done[i].calls, ==, 1);
      g_assert_cmpint (read (servers[i], buffer, sizeof buffer - 1), ==, strlen (up));
      g_assert_cmpstr (buffer, ==, up);
      memset (buffer, 0, sizeof buffer);
      g_assert_cmpint (read (clients[i], buffer, sizeof buffer - 1), ==, strlen (down));
      g_assert_cmpstr (buffer, ==, down);
      close (clients[i]);
      close (servers[i]);
    }
  g_assert_cmpuint (count_fds (), ==, fds_before);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/relay/both-ways", test_both_ways);
  g_test_add_func ("/relay/half-close", test_half_close);
  g_test_add_func ("/relay/reset", test_reset);
  g_test_add_func ("/relay/many", test_many);

  return g_test_run ();
}
