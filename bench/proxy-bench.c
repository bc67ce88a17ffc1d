/* proxy-bench.c: what the proxy costs a connection
 *
 *   proxy-bench [--megabytes N] [--requests N] [--tunnels N] [--rounds N]
 *
 * Measures, side by side in one run, each figure through PaddockProxy
 * (clients hand their socket over as the sandbox's forwarder does, then
 * CONNECT) and directly to the same server on loopback:
 *   - bulk transfer, megabytes per second;
 *   - small requests per second on one kept-alive connection;
 *   - time to the first byte of an answer, from connect() (the median of
 *     100 connections);
 *   - many tunnels open at once, each carrying a message both ways, and
 *     the descriptors back where they were afterwards.
 * Prints medians of the rounds and the ratios; asserts nothing.
 *
 * With --paddockctl and --srt it also runs itself as a client inside
 * `paddockctl run` and inside `srt`, each reaching the same server
 * through its own sandbox's proxy (HTTP CONNECT from the environment's
 * https_proxy), beside the same client run directly:
 *   proxy-bench --client HOST:PORT   (the client; what the others start)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "paddock-policy-document.h"
#include "paddock-proxy.h"
#include "bench-util.h"

/* --- the server: bulk, request-answer, or echo, per first byte ------ */

static guint64 bulk_bytes;

static gboolean
write_all (int         fd,
           const void *data,
           gsize       length)
{
  const char *at = data;

  while (length > 0)
    {
      ssize_t n = write (fd, at, length);

      if (n <= 0)
        return FALSE;
      at += n;
      length -= n;
    }
  return TRUE;
}

static gpointer
serve (gpointer data)
{
  int fd = GPOINTER_TO_INT (data);
  char buffer[65536];
  ssize_t n = read (fd, buffer, 1);

  if (n == 1 && buffer[0] == 'B')
    {
      /* Bulk: the number of bytes asked for, then the end. */
      static char block[1 << 18];
      guint64 left = bulk_bytes;

      memset (block, 'x', sizeof block);
      while (left > 0 && write_all (fd, block, MIN (left, sizeof block)))
        left -= MIN (left, sizeof block);
    }
  else if (n == 1 && buffer[0] == 'G')
    {
      /* Requests: each line "GET …\n" gets a small answer. */
      static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
      gboolean open = TRUE;

      while (open && (n = read (fd, buffer, sizeof buffer)) > 0)
        for (ssize_t i = 0; i < n && open; i++)
          if (buffer[i] == '\n')
            open = write_all (fd, answer, sizeof answer - 1);
    }
  else if (n == 1 && write_all (fd, buffer, 1))
    {
      /* Echo. */
      while ((n = read (fd, buffer, sizeof buffer)) > 0)
        if (!write_all (fd, buffer, n))
          break;
    }
  close (fd);
  return NULL;
}

static gpointer
accept_loop (gpointer data)
{
  int listener = GPOINTER_TO_INT (data);
  int fd;

  while ((fd = accept (listener, NULL, NULL)) >= 0)
    g_thread_unref (g_thread_new ("serve", serve, GINT_TO_POINTER (fd)));
  return NULL;
}

static guint16
start_server (void)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t length = sizeof address;
  int listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (bind (listener, (struct sockaddr *) &address, sizeof address) != 0 || listen (listener, 4096) != 0 ||
      getsockname (listener, (struct sockaddr *) &address, &length) != 0)
    g_error ("cannot listen: %s", g_strerror (errno));
  g_thread_unref (g_thread_new ("accept", accept_loop, GINT_TO_POINTER (listener)));
  return ntohs (address.sin_port);
}

/* --- clients, in threads: the main thread runs the proxy ------------- */

typedef struct
{
  const char *socket_path;
  const char *token;
  guint16 port;            /* the server's */
  int forwarder_port;      /* the stand-in for the sandbox's forwarder */
  int bare_port;           /* a bare splice relay, the floor for any relay */
  gboolean through_proxy;
  gboolean through_bare;
} Route;

static int
connect_tcp (guint16 port)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (port),
                                 .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (connect (fd, (struct sockaddr *) &address, sizeof address) != 0)
    g_error ("connect: %s", g_strerror (errno));
  return fd;
}

/* What the sandbox's forwarder does: hand each accepted TCP socket to
 * the proxy, with the token, over its unix socket. */
static void
hand_over (const Route *route,
           int          client)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  g_autofree char *preamble = g_strdup_printf ("PADDOCK %s\n", route->token);
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  struct iovec iov = { preamble, strlen (preamble) };
  struct msghdr msg = { 0 };
  struct cmsghdr *c;
  int proxy = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_strlcpy (address.sun_path, route->socket_path, sizeof address.sun_path);
  if (connect (proxy, (struct sockaddr *) &address, sizeof address) != 0)
    g_error ("connect to the proxy: %s", g_strerror (errno));
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  c = CMSG_FIRSTHDR (&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &client, sizeof (int));
  if (sendmsg (proxy, &msg, MSG_NOSIGNAL) < 0)
    g_error ("sendmsg: %s", g_strerror (errno));
  close (proxy);
  close (client);
}

static gpointer
forwarder_loop (gpointer data)
{
  Route *route = data;
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  int listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int client;

  if (bind (listener, (struct sockaddr *) &address, sizeof address) != 0 || listen (listener, 4096) != 0)
    g_error ("the forwarder cannot listen: %s", g_strerror (errno));
  {
    socklen_t length = sizeof address;
    getsockname (listener, (struct sockaddr *) &address, &length);
    g_atomic_int_set (&route->forwarder_port, ntohs (address.sin_port));
  }
  while ((client = accept (listener, NULL, NULL)) >= 0)
    hand_over (route, client);
  return NULL;
}

/* The least any relay does: a thread per direction, blocking splice(2)
 * through a pipe, no policy, no event loop. */
static gpointer
bare_pump (gpointer data)
{
  int *fds = data;
  int pipe_fds[2];
  ssize_t n;

  if (pipe2 (pipe_fds, O_CLOEXEC) != 0)
    return NULL;
  fcntl (pipe_fds[1], F_SETPIPE_SZ, 256 * 1024);
  while ((n = splice (fds[0], NULL, pipe_fds[1], NULL, 256 * 1024, SPLICE_F_MOVE)) > 0)
    while (n > 0)
      {
        ssize_t m = splice (pipe_fds[0], NULL, fds[1], NULL, n, SPLICE_F_MOVE);
        if (m <= 0)
          break;
        n -= m;
      }
  shutdown (fds[1], SHUT_WR);
  close (pipe_fds[0]);
  close (pipe_fds[1]);
  return NULL;
}

static gpointer
bare_connection (gpointer data)
{
  int *pair = data;
  int there[2] = { pair[0], pair[1] }, back[2] = { pair[1], pair[0] };
  GThread *other = g_thread_new ("bare-back", bare_pump, back);

  bare_pump (there);
  g_thread_join (other);
  close (pair[0]);
  close (pair[1]);
  g_free (pair);
  return NULL;
}


static gpointer
bare_relay_loop (gpointer data)
{
  Route *route = data;
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t length = sizeof address;
  int listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int client;

  if (bind (listener, (struct sockaddr *) &address, sizeof address) != 0 || listen (listener, 64) != 0)
    g_error ("the bare relay cannot listen: %s", g_strerror (errno));
  getsockname (listener, (struct sockaddr *) &address, &length);
  g_atomic_int_set (&route->bare_port, ntohs (address.sin_port));
  while ((client = accept (listener, NULL, NULL)) >= 0)
    {
      int *pair = g_new (int, 2);

      pair[0] = client;
      pair[1] = connect_tcp (route->port);
      g_thread_unref (g_thread_new ("bare", bare_connection, pair));
    }
  return NULL;
}

/* A TCP connection to the server: directly, or through the forwarder's
 * stand-in and the proxy, with CONNECT, as a client in the sandbox. */
static int
open_route (const Route *route)
{
  g_autofree char *request = NULL;
  char answer[256];
  gsize got = 0;
  int fd;

  if (route->through_bare)
    return connect_tcp (route->bare_port);
  if (!route->through_proxy)
    return connect_tcp (route->port);

  fd = connect_tcp (route->forwarder_port);
  request = g_strdup_printf ("CONNECT 127.0.0.1:%u HTTP/1.1\r\n\r\n", route->port);
  write_all (fd, request, strlen (request));
  while (got < sizeof answer - 1)
    {
      ssize_t n = read (fd, answer + got, 1);

      if (n <= 0)
        g_error ("the proxy closed the tunnel");
      got++;
      answer[got] = '\0';
      if (g_str_has_suffix (answer, "\r\n\r\n"))
        break;
    }
  if (!g_str_has_prefix (answer, "HTTP/1.1 200 "))
    g_error ("the proxy said: %s", answer);
  return fd;
}

typedef struct
{
  Route route;
  double result;
  gboolean done;
} Job;

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static gpointer
bulk_job (gpointer data)
{
  Job *job = data;
  char buffer[1 << 18];
  guint64 total = 0;
  double start = now_s ();
  int fd = open_route (&job->route);
  ssize_t n;

  write_all (fd, "B", 1);
  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    total += n;
  close (fd);
  job->result = total / (now_s () - start) / 1e6;
  if (total != bulk_bytes)
    g_error ("got %" G_GUINT64_FORMAT " bytes of %" G_GUINT64_FORMAT, total, bulk_bytes);
  g_atomic_int_set (&job->done, TRUE);
  return NULL;
}

static guint n_requests = 20000;

static gpointer
requests_job (gpointer data)
{
  Job *job = data;
  static const char request[] = "GET / HTTP/1.1\n";
  static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  char buffer[256];
  int fd = open_route (&job->route);
  double start = now_s ();

  write_all (fd, "G", 1);
  for (guint i = 0; i < n_requests; i++)
    {
      gsize got = 0;

      write_all (fd, request, sizeof request - 1);
      while (got < sizeof answer - 1)
        {
          ssize_t n = read (fd, buffer, sizeof answer - 1 - got);

          if (n <= 0)
            g_error ("the answer stopped");
          got += n;
        }
    }
  job->result = n_requests / (now_s () - start);
  close (fd);
  g_atomic_int_set (&job->done, TRUE);
  return NULL;
}

#define FIRST_BYTE_SAMPLES 100

/* From connect() to the first byte of the answer, in milliseconds: the
 * median of many connections, one after another. */
static gpointer
first_byte_job (gpointer data)
{
  Job *job = data;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < FIRST_BYTE_SAMPLES; i++)
    {
      char byte;
      double start = now_s (), t;
      int fd = open_route (&job->route);

      write_all (fd, "E", 1);
      if (read (fd, &byte, 1) != 1)
        g_error ("no first byte");
      t = (now_s () - start) * 1e3;
      g_array_append_val (times, t);
      close (fd);
    }
  job->result = bench_median (times);
  g_atomic_int_set (&job->done, TRUE);
  return NULL;
}

static guint n_tunnels = 1000;

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

/* Many tunnels at once: all open, then a message each way on each. */
static gpointer
many_job (gpointer data)
{
  Job *job = data;
  g_autofree int *fds = g_new (int, n_tunnels);
  double start = now_s ();
  guint ok = 0;

  for (guint i = 0; i < n_tunnels; i++)
    {
      fds[i] = open_route (&job->route);
      write_all (fds[i], "E", 1);
    }
  for (guint i = 0; i < n_tunnels; i++)
    {
      char byte;

      if (read (fds[i], &byte, 1) == 1 && byte == 'E')
        ok++;
    }
  for (guint i = 0; i < n_tunnels; i++)
    close (fds[i]);
  job->result = ok == n_tunnels ? (now_s () - start) * 1e3 : -1;
  g_atomic_int_set (&job->done, TRUE);
  return NULL;
}

static double
run_job (GThreadFunc func,
         Route      *route)
{
  Job job = { *route, 0, FALSE };
  GThread *thread = g_thread_new ("client", func, &job);

  while (!g_atomic_int_get (&job.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  return job.result;
}

/* Keeps the main loop awake, so that it notices a job ending. */
static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* --- the client inside a sandbox ------------------------------------- */

/* A connection to @target through the proxy the environment names (with
 * its credentials, as srt gives them), or directly without one. */
static int
client_open (const char *target)
{
  const char *proxy_url = g_getenv ("https_proxy") ? g_getenv ("https_proxy") : g_getenv ("HTTPS_PROXY");
  g_autoptr(GUri) uri = NULL;
  g_autofree char *request = NULL;
  g_autofree char *host = NULL;
  struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *found = NULL;
  g_autofree char *port = NULL;
  char answer[512];
  gsize got = 0;
  int fd;

  if (proxy_url == NULL)
    {
      const char *colon = strrchr (target, ':');
      host = g_strndup (target, colon - target);
      port = g_strdup (colon + 1);
    }
  else
    {
      uri = g_uri_parse (proxy_url, G_URI_FLAGS_HAS_PASSWORD, NULL);
      if (uri == NULL)
        g_error ("https_proxy “%s” is not a URL", proxy_url);
      host = g_strdup (g_uri_get_host (uri));
      port = g_strdup_printf ("%d", g_uri_get_port (uri));
    }
  if (getaddrinfo (host, port, &hints, &found) != 0)
    g_error ("cannot resolve %s", host);
  /* A sandbox's bridge to its proxy may come up a moment after the
   * command starts (srt's does). */
  for (guint attempt = 0;; attempt++)
    {
      fd = socket (found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (connect (fd, found->ai_addr, found->ai_addrlen) == 0)
        break;
      close (fd);
      if (attempt == 200)
        g_error ("connect %s:%s: %s", host, port, g_strerror (errno));
      g_usleep (10 * 1000);
    }
  freeaddrinfo (found);
  if (proxy_url == NULL)
    return fd;

  if (g_uri_get_user (uri) != NULL)
    {
      g_autofree char *user = g_uri_unescape_string (g_uri_get_user (uri), NULL);
      g_autofree char *password = g_uri_unescape_string (g_uri_get_password (uri) ? g_uri_get_password (uri) : "",
                                                         NULL);
      g_autofree char *pair = g_strdup_printf ("%s:%s", user, password);
      g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));

      request = g_strdup_printf ("CONNECT %s HTTP/1.1\r\nHost: %s\r\nProxy-Authorization: Basic %s\r\n\r\n",
                                 target, target, encoded);
    }
  else
    request = g_strdup_printf ("CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", target, target);
  write_all (fd, request, strlen (request));
  while (got < sizeof answer - 1)
    {
      if (read (fd, answer + got, 1) != 1)
        g_error ("the proxy closed the tunnel");
      answer[++got] = '\0';
      if (g_str_has_suffix (answer, "\r\n\r\n"))
        break;
    }
  if (strstr (answer, " 200 ") == NULL)
    g_error ("the proxy said: %s", answer);
  return fd;
}

static int
client_main (const char *target)
{
  static const char request[] = "GET / HTTP/1.1\n";
  static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  char buffer[1 << 18];
  guint64 total = 0;
  double start, bulk, first_byte, rate;
  ssize_t n;
  int fd;

  {
    g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

    for (guint i = 0; i < FIRST_BYTE_SAMPLES; i++)
      {
        double t;

        start = now_s ();
        fd = client_open (target);
        write_all (fd, "E", 1);
        if (read (fd, buffer, 1) != 1)
          g_error ("no first byte");
        t = (now_s () - start) * 1e3;
        g_array_append_val (times, t);
        close (fd);
      }
    first_byte = bench_median (times);
  }

  start = now_s ();
  fd = client_open (target);
  write_all (fd, "B", 1);
  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    total += n;
  bulk = total / (now_s () - start) / 1e6;
  close (fd);
  if (total != bulk_bytes)
    g_error ("got %" G_GUINT64_FORMAT " bytes of %" G_GUINT64_FORMAT, total, bulk_bytes);

  fd = client_open (target);
  write_all (fd, "G", 1);
  start = now_s ();
  for (guint i = 0; i < n_requests; i++)
    {
      gsize got = 0;

      write_all (fd, request, sizeof request - 1);
      while (got < sizeof answer - 1 && (n = read (fd, buffer, sizeof answer - 1 - got)) > 0)
        got += n;
      if (got < sizeof answer - 1)
        g_error ("the answer stopped");
    }
  rate = n_requests / (now_s () - start);
  close (fd);

  g_print ("RESULT %.1f %.3f %.0f\n", bulk, first_byte, rate);
  return 0;
}

/* Runs the client under @wrapper (NULL: directly) and reads its figures. */
static gboolean
run_client (const char * const *wrapper,
            const char         *self,
            const char         *target,
            int                 megabytes,
            int                 requests,
            double              figures[3])
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_get_environ ();
  const char *line;
  int status;

  for (guint i = 0; wrapper != NULL && wrapper[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (wrapper[i]));
  g_ptr_array_add (argv, g_strdup (self));
  g_ptr_array_add (argv, g_strdup ("--client"));
  g_ptr_array_add (argv, g_strdup (target));
  g_ptr_array_add (argv, g_strdup_printf ("--megabytes=%d", megabytes));
  g_ptr_array_add (argv, g_strdup_printf ("--requests=%d", requests));
  g_ptr_array_add (argv, NULL);
  env = g_environ_unsetenv (env, "https_proxy");
  env = g_environ_unsetenv (env, "HTTPS_PROXY");

  if (!g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error) ||
      (line = strstr (out, "RESULT ")) == NULL ||
      sscanf (line, "RESULT %lf %lf %lf", &figures[0], &figures[1], &figures[2]) != 3)
    {
      g_printerr ("%s: %s %s\n", (const char *) g_ptr_array_index (argv, 0), error ? error->message : "",
                  err ? err : "");
      return FALSE;
    }
  return TRUE;
}

static void
compare_sandboxes (const char *self,
                   const char *paddockctl,
                   const char *srt,
                   guint16     port,
                   int         rounds,
                   int         megabytes,
                   int         requests)
{
  g_autofree char *target = g_strdup_printf ("127.0.0.1:%u", port);
  g_autofree char *settings = NULL;
  g_autofree char *settings_json = NULL;
  const char *names[3] = { "direct", "paddockctl run", "srt" };
  const char *paddock_wrapper[] = { paddockctl, "run", "--allow-domain", target, "--", NULL };
  const char *srt_wrapper[] = { srt, "-s", NULL, NULL };
  const char * const *wrappers[3] = { NULL, paddock_wrapper, srt_wrapper };
  GArray *values[3][3];
  gboolean works[3] = { TRUE, paddockctl != NULL, srt != NULL };
  int fd;

  /* srt's own allowlist, for the same server. */
  fd = g_file_open_tmp ("proxy-bench-srt-XXXXXX.json", &settings, NULL);
  close (fd);
  settings_json = g_strdup_printf ("{\"network\": {\"allowedDomains\": [\"127.0.0.1\"], \"deniedDomains\": []},"
                                   " \"filesystem\": {\"denyRead\": [], \"allowWrite\": [], \"denyWrite\": []}}");
  g_file_set_contents (settings, settings_json, -1, NULL);
  srt_wrapper[2] = settings;

  for (guint w = 0; w < 3; w++)
    for (guint f = 0; f < 3; f++)
      values[w][f] = g_array_new (FALSE, FALSE, sizeof (double));

  for (int r = 0; r < rounds; r++)
    for (guint k = 0; k < 3; k++)
      {
        guint w = (k + r) % 3;
        double figures[3];

        if (!works[w])
          continue;
        if (!run_client (wrappers[w], self, target, megabytes, requests, figures))
          {
            works[w] = FALSE;
            continue;
          }
        for (guint f = 0; f < 3; f++)
          g_array_append_val (values[w][f], figures[f]);
      }

  g_print ("\nThe same client inside each sandbox, reaching the same server through the sandbox's proxy:\n\n");
  g_print ("%-16s %14s %16s %18s\n", "", "bulk MB/s", "first byte ms", "requests/s");
  for (guint w = 0; w < 3; w++)
    {
      if (!works[w] || values[w][0]->len == 0)
        {
          g_print ("%-16s not measured\n", names[w]);
          continue;
        }
      g_print ("%-16s %14.0f %16.3f %18.0f\n", names[w], bench_median (values[w][0]), bench_median (values[w][1]),
               bench_median (values[w][2]));
    }
  if (works[1] && works[2] && values[1][0]->len > 0 && values[2][0]->len > 0)
    g_print ("\nPaddock against srt: %.2fx the bulk throughput, %.2fx the requests per second, "
             "first byte in %.2fx the time\n",
             bench_median (values[1][0]) / bench_median (values[2][0]), bench_median (values[1][2]) / bench_median (values[2][2]),
             bench_median (values[1][1]) / bench_median (values[2][1]));
  g_unlink (settings);
}

int
main (int   argc,
      char *argv[])
{
  int megabytes = 1024, rounds = 5, requests = 20000, tunnels = 1000;
  g_autofree char *client = NULL;
  g_autofree char *paddockctl = NULL;
  g_autofree char *srt = NULL;
  const GOptionEntry entries[] = {
    { "client", 0, 0, G_OPTION_ARG_STRING, &client, "Be the client of HOST:PORT, through $https_proxy", "HOST:PORT" },
    { "paddockctl", 0, 0, G_OPTION_ARG_FILENAME, &paddockctl, "Also run the client inside paddockctl run", "PATH" },
    { "srt", 0, 0, G_OPTION_ARG_FILENAME, &srt, "Also run the client inside srt", "PATH" },
    { "megabytes", 0, 0, G_OPTION_ARG_INT, &megabytes, "Bulk transfer size (default 1024)", "N" },
    { "requests", 0, 0, G_OPTION_ARG_INT, &requests, "Requests per round (default 20000)", "N" },
    { "tunnels", 0, 0, G_OPTION_ARG_INT, &tunnels, "Tunnels open at once (default 1000)", "N" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Rounds of each (default 5)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- what the proxy costs a connection");
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockPolicy) policy = NULL;
  g_autoptr(PaddockProxy) proxy = NULL;
  g_autoptr(GPtrArray) documents = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_policy_document_unref);
  g_autofree char *json = NULL;
  g_autofree char *workspace = g_dir_make_tmp ("proxy-bench-XXXXXX", NULL);
  GArray *values[4][2];
  const char *names[4] = { "bulk transfer", "requests, kept alive", "time to first byte", "tunnels at once" };
  const char *units[4] = { "MB/s", "requests/s", "ms", "ms" };
  struct rlimit limit;
  guint16 port;
  guint fds_before, fds_after;
  g_autoptr(GArray) bare = NULL;
  Route route;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  bulk_bytes = (guint64) megabytes << 20;
  n_requests = requests;
  n_tunnels = tunnels;
  if (client != NULL)
    return client_main (client);

  /* Each tunnel holds four descriptors here, two pipes and two sockets. */
  getrlimit (RLIMIT_NOFILE, &limit);
  limit.rlim_cur = MIN (limit.rlim_max, (rlim_t) n_tunnels * 8 + 1024);
  setrlimit (RLIMIT_NOFILE, &limit);

  port = start_server ();
  /* An explicit rule for the address: the one thing loopback is dialled for. */
  json = g_strdup_printf ("{\"network\": {\"allow\": [\"127.0.0.1:%u\"]}}", port);
  g_ptr_array_add (documents, paddock_policy_document_new_from_json (PADDOCK_LAYER_USER, "bench.json", json, -1, &error));
  g_assert_no_error (error);
  policy = paddock_policy_new (workspace, g_get_home_dir (), documents);
  proxy = paddock_proxy_new (policy, NULL);
  if (!paddock_proxy_start (proxy, &error))
    g_error ("%s", error->message);
  g_timeout_add (5, tick, NULL);

  route = (Route) { paddock_proxy_get_socket_path (proxy), paddock_proxy_get_token (proxy), port, 0, FALSE };
  g_thread_unref (g_thread_new ("forwarder", forwarder_loop, &route));
  g_thread_unref (g_thread_new ("bare-relay", bare_relay_loop, &route));
  while (g_atomic_int_get (&route.forwarder_port) == 0 || g_atomic_int_get (&route.bare_port) == 0)
    g_usleep (1000);
  for (guint f = 0; f < 4; f++)
    for (guint p = 0; p < 2; p++)
      values[f][p] = g_array_new (FALSE, FALSE, sizeof (double));

  bare = g_array_new (FALSE, FALSE, sizeof (double));
  fds_before = count_fds ();
  for (int r = 0; r < rounds; r++)
    {
      Route through_bare = route;
      double v;

      through_bare.through_bare = TRUE;
      v = run_job (bulk_job, &through_bare);
      g_array_append_val (bare, v);
    }
  for (int r = 0; r < rounds; r++)
    for (guint p = 0; p < 2; p++)
      {
        /* Alternate which goes first, so that both see the same load. */
        route.through_proxy = (p + r) % 2;
        for (guint f = 0; f < 4; f++)
          {
            GThreadFunc jobs[4] = { bulk_job, requests_job, first_byte_job, many_job };
            double v = run_job (jobs[f], &route);

            g_array_append_val (values[f][route.through_proxy], v);
          }
      }
  while (paddock_proxy_get_n_connections (proxy) > 0)
    g_main_context_iteration (NULL, TRUE);
  fds_after = count_fds ();

  g_print ("Machine: %u cores; median of %d rounds, direct and through the proxy interleaved\n\n",
           g_get_num_processors (), rounds);
  g_print ("%-24s %16s %16s %12s\n", "", "direct", "through proxy", "ratio");
  for (guint f = 0; f < 4; f++)
    {
      double direct = bench_median (values[f][0]), proxied = bench_median (values[f][1]);

      if (f == 3 && (direct < 0 || proxied < 0))
        g_print ("%-24s  some of the %u tunnels failed\n", names[f], n_tunnels);
      else if (f == 2)
        g_print ("%-24s %12.3f %-3s %12.3f %-3s %+9.3f ms\n", names[f], direct, units[f], proxied, units[f],
                 proxied - direct);
      else if (f == 3)
        g_print ("%-24s %12.1f %-3s %12.1f %-3s %10.2fx  (%u tunnels)\n", names[f], direct, units[f], proxied,
                 units[f], proxied / direct, n_tunnels);
      else
        g_print ("%-24s %12.0f %-3s %12.0f %-3s %10.2fx\n", names[f], direct, units[f], proxied, units[f],
                 proxied / direct);
    }
  g_print ("%-24s %12.0f MB/s through a bare splice relay, the floor of any relay here: %.2fx\n", "",
           bench_median (bare), bench_median (bare) / bench_median (values[0][0]));
  g_print ("\nDescriptors of this process: %u before, %u after every tunnel closed\n", fds_before, fds_after);

  if (paddockctl != NULL || srt != NULL)
    {
      g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
      compare_sandboxes (self, paddockctl, srt, port, rounds, megabytes, requests);
    }

  paddock_proxy_stop (proxy);
  g_rmdir (workspace);
  return 0;
}
