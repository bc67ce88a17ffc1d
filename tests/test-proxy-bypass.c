/* test-proxy-bypass.c: ways around the proxy's allowlist, each tried
 * against the real proxy with a harmless control that must get through
 *
 * The allowed hosts live in a network namespace of the test's own,
 * joined to this one by a veth pair, so that they look remote: loopback
 * is never dialled. Making the namespace needs root; without it the
 * suite is skipped (the unit tests in test-proxy still run).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <unistd.h>

#include <gio/gio.h>

#include "paddock-proxy.h"
#include "test-proxy-util.h"
#include "test-util.h"

static TestNetns *netns;
static TestServer *remote_tls;    /* echo, port 443 in the namespace */
static TestServer *remote_ssh;    /* echo, port 22 */
static TestServer *remote_http;   /* HTTP, port 80 */
static TestServer *host_echo;     /* echo on our end of the veth: this machine */
static TestServer *loopback_echo; /* echo on 127.0.0.1 */

typedef struct
{
  char *workspace;
  TestResolver *resolver;
  PaddockPolicy *policy;
  PaddockProxy *proxy;
  GPtrArray *events;
} Fixture;

static void
on_event (PaddockProxy        *proxy,
          PaddockNetworkEvent *event,
          Fixture             *fixture)
{
  g_test_message ("event: %s %s:%u %s violation=%s reason=%s address=%s", event->protocol, event->host, event->port,
                  paddock_verdict_to_string (event->verdict), event->violation ? event->violation : "-",
                  event->reason ? event->reason : "-", event->address ? event->address : "-");
  g_ptr_array_add (fixture->events, paddock_network_event_ref (event));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char *remote[] = { netns->remote_address, NULL };
  static const char * const names[] = {
    "allowed.test", "allowed.test.evil.test", "evilallowed.test", "a.wild.test", "wild.test", "evil-wild.test",
    "good.test", "evil.test", "apple.test", "xn--pple-43d.test",
  };

  fixture->workspace = test_make_dir ("bypass");
  fixture->resolver = test_resolver_new ();
  fixture->events = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_network_event_unref);
  /* Every name leads to the remote host: what stops a probe is the
   * decision, never a name that does not resolve. */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    test_resolver_add (fixture->resolver, names[i], remote);
}

static void
start (Fixture    *fixture,
       const char *policy_json)
{
  g_autoptr(GError) error = NULL;

  fixture->policy = test_policy_new (fixture->workspace, NULL, PADDOCK_LAYER_USER, policy_json, -1);
  fixture->proxy = paddock_proxy_new (fixture->policy, NULL);
  paddock_proxy_set_resolver (fixture->proxy, G_RESOLVER (fixture->resolver));
  g_signal_connect (fixture->proxy, "event", G_CALLBACK (on_event), fixture);
  g_assert_true (paddock_proxy_start (fixture->proxy, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->proxy != NULL)
    {
      test_wait_until (paddock_proxy_get_n_connections (fixture->proxy) == 0);
      paddock_proxy_stop (fixture->proxy);
      g_assert_finalize_object (fixture->proxy);
    }
  g_clear_object (&fixture->resolver);
  g_clear_object (&fixture->policy);
  g_clear_pointer (&fixture->events, g_ptr_array_unref);
  g_free (fixture->workspace);
}

static PaddockNetworkEvent *
last_event (Fixture *fixture)
{
  g_assert_cmpuint (fixture->events->len, >, 0);
  return g_ptr_array_index (fixture->events, fixture->events->len - 1);
}

static TestClient *
connect_to (Fixture    *fixture,
            const char *authority)
{
  TestClient *c = test_client_new (paddock_proxy_get_socket_path (fixture->proxy),
                                   paddock_proxy_get_token (fixture->proxy), TRUE);
  g_autofree char *request = g_strdup_printf ("CONNECT %s HTTP/1.1\r\n\r\n", authority);

  test_client_send (c, request, strlen (request));
  test_wait_until ((test_client_read_at_least (c, 12), strstr (test_client_get_text (c), "\r\n\r\n") != NULL ||
                                                       c->closed));
  g_test_message ("CONNECT %s: %.*s", authority, (int) (strstr (test_client_get_text (c), "\r\n") ?
                                                         strstr (test_client_get_text (c), "\r\n") - test_client_get_text (c) : 0),
                  test_client_get_text (c));
  return c;
}

/* The control of most probes: a tunnel that carries bytes there and back. */
static void
assert_tunnel_works (Fixture    *fixture,
                     const char *authority)
{
  g_autoptr(TestClient) c = connect_to (fixture, authority);
  gsize head;

  g_assert_true (g_str_has_prefix (test_client_get_text (c), "HTTP/1.1 200 "));
  head = c->received->len;
  /* Not TLS: the probes on port 443 send a real hello; this one goes to
   * a port where no name needs checking, or is an address. */
  test_client_send (c, "control", 7);
  test_client_read_at_least (c, head + 7);
  g_assert_cmpmem (c->received->data + head, 7, "control", 7);
}

static void
assert_refused (Fixture    *fixture,
                const char *authority,
                const char *x_error)
{
  g_autoptr(TestClient) c = connect_to (fixture, authority);
  g_autofree char *header = g_strdup_printf ("X-Proxy-Error: %s", x_error);

  g_assert_false (g_str_has_prefix (test_client_get_text (c), "HTTP/1.1 200 "));
  g_assert_nonnull (strstr (test_client_get_text (c), header));
}

static gboolean
was_queried (Fixture    *fixture,
             const char *name)
{
  return g_ptr_array_find_with_equal_func (test_resolver_get_queries (fixture->resolver), name, g_str_equal, NULL);
}

/* Every spelling of an IP address is that address: loopback spelled
 * any way is still never dialled, though the policy allows everything. */
static void
test_ip_literals (Fixture       *fixture,
                  gconstpointer  data)
{
  static const char * const spellings[] = {
    "127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "0x7f.1", "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]", "[64:ff9b::7f00:1]", "[::127.0.0.1]", "[2002:7f00:1::]", "[::1]", "0.0.0.0",
  };
  g_autofree char *control = g_strdup_printf ("%s:22", netns->remote_address);
  guint before = test_server_get_n_accepted (loopback_echo);

  start (fixture, "{\"network\": {\"unknown\": \"allow\"}}");
  for (guint i = 0; i < G_N_ELEMENTS (spellings); i++)
    {
      g_autofree char *authority = g_strdup_printf ("%s:%u", spellings[i], test_server_get_port (loopback_echo));

      assert_refused (fixture, authority, "blocked-address");
      g_assert_cmpstr (last_event (fixture)->violation, ==, "address");
    }
  g_assert_cmpuint (test_server_get_n_accepted (loopback_echo), ==, before);
  assert_tunnel_works (fixture, control);
}

/* A name that only ends like, or starts like, an allowed one is not it. */
static void
test_suffix_confusion (Fixture       *fixture,
                       gconstpointer  data)
{
  static const char * const probes[] = {
    "allowed.test.evil.test:22", "evilallowed.test:22", "allowed.test.:23",
  };

  start (fixture, "{\"network\": {\"allow\": [\"allowed.test:22\"]}}");
  for (guint i = 0; i < G_N_ELEMENTS (probes); i++)
    assert_refused (fixture, probes[i], "blocked-by-policy");
  g_assert_false (was_queried (fixture, "allowed.test.evil.test"));
  g_assert_false (was_queried (fixture, "evilallowed.test"));
  assert_tunnel_works (fixture, "allowed.test:22");
}

/* "*.wild.test" is the names below it: not the apex, not a name that
 * merely ends the same, not one that merely starts the same. */
static void
test_wildcard (Fixture       *fixture,
               gconstpointer  data)
{
  static const char * const probes[] = { "wild.test:22", "evil-wild.test:22", "wild.test.evil.test:22" };

  start (fixture, "{\"network\": {\"allow\": [\"*.wild.test:22\"]}}");
  for (guint i = 0; i < G_N_ELEMENTS (probes); i++)
    assert_refused (fixture, probes[i], "blocked-by-policy");
  assert_tunnel_works (fixture, "a.wild.test:22");
}

/* A trailing dot and capitals name the same host: a denied one stays
 * denied however it is written. */
static void
test_dot_and_case (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char * const probes[] = { "EVIL.test:22", "evil.test.:22", "Evil.TEST.:22" };

  start (fixture, "{\"network\": {\"unknown\": \"allow\", \"deny\": [\"evil.test\"]}}");
  for (guint i = 0; i < G_N_ELEMENTS (probes); i++)
    assert_refused (fixture, probes[i], "blocked-by-policy");
  g_assert_false (was_queried (fixture, "evil.test"));
  assert_tunnel_works (fixture, "GOOD.test.:22");
}

/* A name in Cyrillic letters that look Latin is another name. */
static void
test_idn_homograph (Fixture       *fixture,
                    gconstpointer  data)
{
  start (fixture, "{\"network\": {\"allow\": [\"apple.test:22\"]}}");
  assert_refused (fixture, "\xd0\xb0pple.test:22", "bad-request");   /* raw UTF-8 on the wire */
  assert_refused (fixture, "xn--pple-43d.test:22", "blocked-by-policy");
  g_assert_false (was_queried (fixture, "xn--pple-43d.test"));
  assert_tunnel_works (fixture, "apple.test:22");
}

/* "allowed@evil" means evil; the proxy refuses the form outright. */
static void
test_userinfo (Fixture       *fixture,
               gconstpointer  data)
{
  static const char * const requests[] = {
    "GET http://allowed.test@evil.test/ HTTP/1.1\r\nHost: evil.test\r\n\r\n",
    "GET http://allowed.test:80@evil.test/ HTTP/1.1\r\nHost: evil.test\r\n\r\n",
    "CONNECT allowed.test@evil.test:22 HTTP/1.1\r\n\r\n",
  };
  guint before = test_server_get_n_accepted (remote_http);

  start (fixture, "{\"network\": {\"allow\": [\"allowed.test:80\", \"allowed.test:22\"]}}");
  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_autoptr(TestClient) c = test_client_new (paddock_proxy_get_socket_path (fixture->proxy),
                                                 paddock_proxy_get_token (fixture->proxy), TRUE);

      test_client_send (c, requests[i], strlen (requests[i]));
      test_client_read_to_end (c);
      g_assert_true (g_str_has_prefix (test_client_get_text (c), "HTTP/1.1 400 "));
    }
  g_assert_false (was_queried (fixture, "evil.test"));
  g_assert_cmpuint (test_server_get_n_accepted (remote_http), ==, before);

  {
    static const char control[] = "GET http://allowed.test/ HTTP/1.1\r\nHost: allowed.test\r\n\r\n";
    g_autoptr(TestClient) c = test_client_new (paddock_proxy_get_socket_path (fixture->proxy),
                                               paddock_proxy_get_token (fixture->proxy), TRUE);

    test_client_send (c, control, sizeof control - 1);
    test_client_read_to_end (c);
    g_assert_true (g_str_has_suffix (test_client_get_text (c), "hello"));
  }
}

/* The port is part of the decision. */
static void
test_port (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *literal = g_strdup_printf ("%s:22", netns->remote_address);
  guint before = test_server_get_n_accepted (remote_ssh);

  start (fixture, "{\"network\": {\"allow\": [\"allowed.test:443\"]}}");
  assert_refused (fixture, "allowed.test:22", "blocked-by-policy");
  assert_refused (fixture, "allowed.test:4430", "blocked-by-policy");
  assert_refused (fixture, literal, "blocked-by-policy");
  assert_refused (fixture, "allowed.test:443x", "bad-request");
  assert_refused (fixture, "allowed.test:65979", "bad-request");
  g_assert_cmpuint (test_server_get_n_accepted (remote_ssh), ==, before);

  /* The control: 443 with a proper greeting for the name. */
  {
    g_autoptr(GSocketConnectable) identity = g_network_address_new ("allowed.test", 443);
    g_autoptr(GBytes) hello = test_client_hello (identity);
    g_autoptr(TestClient) c = connect_to (fixture, "allowed.test:443");
    gsize head = c->received->len;

    g_assert_true (g_str_has_prefix (test_client_get_text (c), "HTTP/1.1 200 "));
    test_client_send (c, g_bytes_get_data (hello, NULL), g_bytes_get_size (hello));
    test_client_read_at_least (c, head + g_bytes_get_size (hello));
    g_assert_cmpmem (c->received->data + head, g_bytes_get_size (hello), g_bytes_get_data (hello, NULL),
                     g_bytes_get_size (hello));
  }
}

/* A Host header that names another place than the request line. */
static void
test_host_header (Fixture       *fixture,
                  gconstpointer  data)
{
  static const char probe[] = "GET http://allowed.test/ HTTP/1.1\r\nHost: evil.test\r\n\r\n";
  static const char control[] = "GET http://allowed.test/ HTTP/1.1\r\nHost: allowed.test:80\r\n\r\n";
  guint before = test_server_get_n_accepted (remote_http);
  g_autoptr(TestClient) bad = NULL;
  g_autoptr(TestClient) good = NULL;

  start (fixture, "{\"network\": {\"allow\": [\"allowed.test:80\"]}}");
  bad = test_client_new (paddock_proxy_get_socket_path (fixture->proxy), paddock_proxy_get_token (fixture->proxy), TRUE);
  test_client_send (bad, probe, sizeof probe - 1);
  test_client_read_to_end (bad);
  g_assert_true (g_str_has_prefix (test_client_get_text (bad), "HTTP/1.1 400 "));
  g_assert_cmpuint (test_server_get_n_accepted (remote_http), ==, before);

  good = test_client_new (paddock_proxy_get_socket_path (fixture->proxy), paddock_proxy_get_token (fixture->proxy), TRUE);
  test_client_send (good, control, sizeof control - 1);
  test_client_read_to_end (good);
  g_assert_true (g_str_has_suffix (test_client_get_text (good), "hello"));
}

/* A second request sent on the same connection, to another host, never
 * reaches any server: one request per connection. */
static void
test_pipelining (Fixture       *fixture,
                 gconstpointer  data)
{
  static const char requests[] = "GET http://allowed.test/first HTTP/1.1\r\nHost: allowed.test\r\n\r\n"
                                 "GET http://evil.test/second HTTP/1.1\r\nHost: evil.test\r\n\r\n";
  g_autoptr(TestClient) c = NULL;
  g_autofree char *before = test_server_dup_received (remote_http);
  g_autofree char *after = NULL;

  start (fixture, "{\"network\": {\"allow\": [\"allowed.test:80\"]}}");
  c = test_client_new (paddock_proxy_get_socket_path (fixture->proxy), paddock_proxy_get_token (fixture->proxy), TRUE);
  test_client_send (c, requests, sizeof requests - 1);
  test_client_read_to_end (c);
  g_assert_true (g_str_has_suffix (test_client_get_text (c), "hello"));
  after = test_server_dup_received (remote_http);
  g_assert_nonnull (strstr (after + strlen (before), "GET /first "));
  g_assert_null (strstr (after + strlen (before), "second"));
  g_assert_false (was_queried (fixture, "evil.test"));
}

/* A tunnel to an allowed name must greet that name in TLS. */
static void
test_sni (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(GSocketConnectable) evil = g_network_address_new ("evil.test", 443);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketConnectable) no_name = G_SOCKET_CONNECTABLE (g_inet_socket_address_new (loopback, 443));
  g_autoptr(GBytes) evil_hello = test_client_hello (evil);
  g_autoptr(GBytes) nameless_hello = test_client_hello (no_name);
  GBytes *plain = g_bytes_new_static ("GET / HTTP/1.1\r\nHost: evil.test\r\n\r\n", 36);
  GBytes *probes[] = { evil_hello, nameless_hello, plain };
  const char *violations[] = { "sni-mismatch", "sni-missing", "sni-missing" };
  g_autofree char *before = test_server_dup_received (remote_tls);

  start (fixture, "{\"network\": {\"allow\": [\"allowed.test:443\"]}}");
  for (guint i = 0; i < G_N_ELEMENTS (probes); i++)
    {
      g_autoptr(TestClient) c = connect_to (fixture, "allowed.test:443");
      g_autofree char *now = NULL;

      g_assert_true (g_str_has_prefix (test_client_get_text (c), "HTTP/1.1 200 "));
      test_client_send (c, g_bytes_get_data (probes[i], NULL), g_bytes_get_size (probes[i]));
      test_client_read_to_end (c);
      g_assert_cmpstr (last_event (fixture)->violation, ==, violations[i]);
      now = test_server_dup_received (remote_tls);
      g_assert_cmpstr (now, ==, before);
    }
  g_bytes_unref (plain);
}

/* An allowed name whose addresses lead back here, or to the metadata
 * service, reaches nothing; among good and bad addresses, the good one
 * is dialled. */
static void
test_rebinding (Fixture       *fixture,
                gconstpointer  data)
{
  const char *to_loopback[] = { "127.0.0.1", NULL };
  const char *to_metadata[] = { "169.254.169.254", NULL };
  const char *to_this_machine[] = { netns->host_address, NULL };
  const char *to_ipv6_loopback[] = { "::1", NULL };
  const char *mixed[] = { "127.0.0.1", netns->remote_address, NULL };
  g_autofree char *host_port = g_strdup_printf ("this-machine.rebind.test:%u", test_server_get_port (host_echo));
  guint before = test_server_get_n_accepted (host_echo);

  start (fixture, "{\"network\": {\"allow\": [\"**.rebind.test\"]}}");
  test_resolver_add (fixture->resolver, "loopback.rebind.test", to_loopback);
  test_resolver_add (fixture->resolver, "metadata.rebind.test", to_metadata);
  test_resolver_add (fixture->resolver, "this-machine.rebind.test", to_this_machine);
  test_resolver_add (fixture->resolver, "ipv6.rebind.test", to_ipv6_loopback);
  test_resolver_add (fixture->resolver, "mixed.rebind.test", mixed);

  assert_refused (fixture, "loopback.rebind.test:22", "blocked-address");
  assert_refused (fixture, "metadata.rebind.test:80", "blocked-address");
  assert_refused (fixture, host_port, "blocked-address");
  assert_refused (fixture, "ipv6.rebind.test:22", "blocked-address");
  g_assert_cmpuint (test_server_get_n_accepted (host_echo), ==, before);

  assert_tunnel_works (fixture, "mixed.rebind.test:22");
  g_assert_cmpstr (last_event (fixture)->address, ==, netns->remote_address);
}

/* Private ranges are dialled by default (a company's mirror), and not
 * once the policy says network.private_addresses: deny. */
static void
test_private_addresses (Fixture       *fixture,
                        gconstpointer  data)
{
  start (fixture, "{\"network\": {\"allow\": [\"allowed.test:22\"], \"private_addresses\": \"deny\"}}");
  assert_refused (fixture, "allowed.test:22", "blocked-address");
  g_assert_nonnull (strstr (last_event (fixture)->reason, "(private)"));

  /* The control: the same without the setting. */
  paddock_proxy_stop (fixture->proxy);
  g_clear_object (&fixture->proxy);
  g_clear_object (&fixture->policy);
  start (fixture, "{\"network\": {\"allow\": [\"allowed.test:22\"]}}");
  assert_tunnel_works (fixture, "allowed.test:22");
}

/* Another process on the proxy's socket without the token gets nothing. */
static void
test_token (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(TestClient) c = NULL;
  static const char request[] = "CONNECT allowed.test:22 HTTP/1.1\r\n\r\n";

  start (fixture, "{\"network\": {\"allow\": [\"allowed.test:22\"]}}");
  c = test_client_new (paddock_proxy_get_socket_path (fixture->proxy), "not-the-token", FALSE);
  test_client_send (c, request, sizeof request - 1);
  test_client_read_to_end (c);
  g_assert_cmpuint (c->received->len, ==, 0);
  g_assert_false (was_queried (fixture, "allowed.test"));
  assert_tunnel_works (fixture, "allowed.test:22");
}

/* From inside the sandbox: the allowed host answers through the proxy;
 * with the proxy variables gone, a direct connection and a UDP datagram
 * (DNS) find no route at all. */
static void
test_from_the_sandbox (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *paddockctl = g_getenv ("PADDOCKCTL");
  g_autofree char *config = g_build_filename (fixture->workspace, "config", NULL);
  g_autofree char *policy_dir = g_build_filename (config, "paddock", NULL);
  g_autofree char *url = g_strdup_printf ("http://%s/", netns->remote_address);
  g_autofree char *policy = g_strdup_printf ("{\"network\": {\"allow\": [\"%s:80\"]}}", netns->remote_address);
  g_autofree char *policy_path = NULL;
  static const char fetch[] = "import sys, urllib.request\n"
                              "sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())";
  static const char direct[] = "import os, socket, sys\n"
                               "for name in list(os.environ):\n"
                               "    if 'proxy' in name.lower(): del os.environ[name]\n"
                               "try:\n"
                               "    socket.create_connection((sys.argv[1], 80), timeout=5); print('tcp connected')\n"
                               "except OSError as e: print('tcp', e.errno)\n"
                               "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                               "try:\n"
                               "    s.sendto(b'query', (sys.argv[1], 53)); print('udp sent')\n"
                               "except OSError as e: print('udp', e.errno)\n";
  g_auto(GStrv) env = g_get_environ ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  guint before = test_server_get_n_accepted (remote_http);
  int status;

  if (paddockctl == NULL)
    {
      g_test_skip ("PADDOCKCTL is not set");
      return;
    }
  policy_path = test_write_file (policy_dir, "policy.json", policy);
  env = g_environ_setenv (env, "XDG_CONFIG_HOME", config, TRUE);

  {
    const char *argv[] = { paddockctl, "run", "--", "python3", "-c", fetch, url, NULL };

    g_assert_true (g_spawn_sync (fixture->workspace, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                                 &out, &err, &status, NULL));
    g_test_message ("through the proxy: %s %s", out, err);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_cmpstr (out, ==, "hello");
    g_assert_cmpuint (test_server_get_n_accepted (remote_http), ==, before + 1);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    const char *argv[] = { paddockctl, "run", "--", "python3", "-c", direct, netns->remote_address, NULL };

    g_assert_true (g_spawn_sync (fixture->workspace, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                                 &out, &err, &status, NULL));
    g_test_message ("without it: %s %s", out, err);
    /* ENETUNREACH (101): there is no route out of the namespace. */
    g_assert_cmpstr (out, ==, "tcp 101\nudp 101\n");
    g_assert_cmpuint (test_server_get_n_accepted (remote_http), ==, before + 1);
  }
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *why = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  netns = test_netns_new (&why);
  if (netns == NULL)
    {
      g_test_message ("%s", why);
      g_test_skip (why);
      return g_test_run ();
    }
  remote_tls = test_server_new_in (TEST_SERVER_ECHO, netns->path, netns->remote_address, 443);
  remote_ssh = test_server_new_in (TEST_SERVER_ECHO, netns->path, netns->remote_address, 22);
  remote_http = test_server_new_in (TEST_SERVER_HTTP, netns->path, netns->remote_address, 80);
  host_echo = test_server_new (TEST_SERVER_ECHO, netns->host_address, 0);
  loopback_echo = test_server_new (TEST_SERVER_ECHO, "127.0.0.1", 0);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/bypass/ip-literals", test_ip_literals);
  ADD ("/bypass/suffix-confusion", test_suffix_confusion);
  ADD ("/bypass/wildcard", test_wildcard);
  ADD ("/bypass/dot-and-case", test_dot_and_case);
  ADD ("/bypass/idn-homograph", test_idn_homograph);
  ADD ("/bypass/userinfo", test_userinfo);
  ADD ("/bypass/port", test_port);
  ADD ("/bypass/host-header", test_host_header);
  ADD ("/bypass/pipelining", test_pipelining);
  ADD ("/bypass/sni", test_sni);
  ADD ("/bypass/rebinding", test_rebinding);
  ADD ("/bypass/private-addresses", test_private_addresses);
  ADD ("/bypass/token", test_token);
  ADD ("/bypass/from-the-sandbox", test_from_the_sandbox);
#undef ADD

  status = g_test_run ();

  test_server_free (remote_tls);
  test_server_free (remote_ssh);
  test_server_free (remote_http);
  test_server_free (host_echo);
  test_server_free (loopback_echo);
  test_netns_free (netns);
  return status;
}
