/* test-proxy-util.h: the other ends of the proxy's connections, for the
 * proxy's tests and its benchmark
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Runs the thread-default main context until @condition holds, failing
 * the test after ten seconds. */
#define test_wait_until(condition)                                                  \
  G_STMT_START {                                                                    \
    gint64 _deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;               \
    while (!(condition))                                                            \
      {                                                                             \
        if (g_get_monotonic_time () > _deadline)                                    \
          g_error ("%s:%d: still not %s after 10 s", __FILE__, __LINE__, #condition); \
        if (!g_main_context_iteration (NULL, FALSE))                                \
          g_usleep (500);                                                           \
      }                                                                             \
  } G_STMT_END

/* A resolver with a table instead of DNS, which notes every name it is
 * asked for. */
#define TEST_TYPE_RESOLVER (test_resolver_get_type ())
G_DECLARE_FINAL_TYPE (TestResolver, test_resolver, TEST, RESOLVER, GResolver)

TestResolver *test_resolver_new         (void);
/* @addresses: a NULL-terminated list of address strings. */
void          test_resolver_add         (TestResolver       *self,
                                         const char         *name,
                                         const char * const *addresses);
/* The names looked up so far, in order. */
GPtrArray    *test_resolver_get_queries (TestResolver       *self);

typedef enum
{
  TEST_SERVER_ECHO,   /* sends back what it gets */
  TEST_SERVER_HTTP,   /* answers one request with "hello" and closes */
} TestServerMode;

/* A server in a thread of its own, with blocking sockets, so that the
 * test's main loop (the proxy's) never waits for it. */
typedef struct _TestServer TestServer;

TestServer *test_server_new            (TestServerMode  mode,
                                        const char     *address,
                                        guint16         port);
/* The same, listening inside the network namespace at @netns_path. */
TestServer *test_server_new_in         (TestServerMode  mode,
                                        const char     *netns_path,
                                        const char     *address,
                                        guint16         port);
guint16     test_server_get_port       (TestServer     *server);
/* Everything the server received, on every connection, in order. */
char       *test_server_dup_received   (TestServer     *server);
guint       test_server_get_n_accepted (TestServer     *server);
void        test_server_free           (TestServer     *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestServer, test_server_free)

/* An IPv4 address of this machine's that is not loopback: a server
 * there looks remote to the sandbox. NULL when there is none. */
char       *test_host_address          (void);

/* The first bytes a GIO TLS client (GnuTLS) sends for @identity: a real
 * ClientHello. NULL without a TLS backend. */
GBytes     *test_client_hello          (GSocketConnectable *identity);

/* A network namespace joined to this one by a veth pair: a host that
 * looks remote. Needs root and ip(8); NULL otherwise, with @why. */
typedef struct
{
  char *name;
  char *path;            /* /run/netns/NAME */
  char *host_address;    /* our end: one of this machine's addresses */
  char *remote_address;  /* the namespace's end */
  char *host_link;
} TestNetns;

TestNetns  *test_netns_new             (char          **why);
void        test_netns_free            (TestNetns      *netns);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestNetns, test_netns_free)

/* A client of the proxy: a unix connection with the preamble sent; the
 * bytes that follow are the client's own. Non-blocking: reading runs the
 * main loop. With @pass_fd, the client is instead one end of a socket
 * pair whose other end is handed to the proxy, as the forwarder does. */
typedef struct
{
  int fd;
  GByteArray *received;
  gboolean closed;
} TestClient;

TestClient *test_client_new            (const char     *socket_path,
                                        const char     *token,
                                        gboolean        pass_fd);
/* A connection to the proxy's socket with nothing sent yet. */
TestClient *test_client_new_raw        (const char     *socket_path);
void        test_client_send           (TestClient     *client,
                                        const void     *data,
                                        gsize           length);
/* Reads until @length bytes in all have come, or the end. */
void        test_client_read_at_least  (TestClient     *client,
                                        gsize           length);
/* Reads until the proxy closes the connection. */
void        test_client_read_to_end    (TestClient     *client);
/* What came so far, as text. */
const char *test_client_get_text       (TestClient     *client);
void        test_client_free           (TestClient     *client);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestClient, test_client_free)

G_END_DECLS
