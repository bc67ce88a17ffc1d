/* test-proxy.c: the proxy with real sockets, real servers on loopback
 * and the real policy engine
 *
 * Names are turned into addresses by a resolver of the test's own, which
 * also records every lookup: a denied name must cause none. Tunnels that
 * must reach a server here are allowed by an explicit IP rule (loopback
 * is otherwise never dialled); tunnels through names to hosts that look
 * remote are in test-proxy-bypass, which makes network namespaces.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <unistd.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "paddock-audit-session.h"
#include "paddock-proxy.h"
#include "test-proxy-util.h"
#include "test-util.h"

typedef struct
{
  char *workspace;
  TestServer *echo;
  TestServer *http;
  TestResolver *resolver;
  PaddockPolicy *policy;
  PaddockGrants *grants;
  PaddockProxy *proxy;
  GPtrArray *events;
  gboolean answering;
  PaddockAnswer answer;
  guint asked;
} Fixture;

static void
on_event (PaddockProxy        *proxy,
          PaddockNetworkEvent *event,
          Fixture             *fixture)
{
  g_test_message ("event: %s %s:%u %s layer=%s violation=%s reason=%s answer=%s address=%s", event->protocol,
                  event->host, event->port, paddock_verdict_to_string (event->verdict), event->layer,
                  event->violation ? event->violation : "-", event->reason ? event->reason : "-",
                  event->answer ? event->answer : "-", event->address ? event->address : "-");
  g_ptr_array_add (fixture->events, paddock_network_event_ref (event));
}

static void
on_approval_needed (PaddockProxy           *proxy,
                    PaddockApprovalRequest *request,
                    Fixture                *fixture)
{
  fixture->asked++;
  if (fixture->answering)
    paddock_approval_request_answer (request, fixture->answer, "tester");
  /* Else nobody answers, and the timeout denies. */
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->workspace = test_make_dir ("proxy");
  fixture->echo = test_server_new (TEST_SERVER_ECHO, "127.0.0.1", 0);
  fixture->http = test_server_new (TEST_SERVER_HTTP, "127.0.0.1", 0);
  fixture->resolver = test_resolver_new ();
  fixture->events = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_network_event_unref);
}

/* Starts the proxy with the user policy @text, where $ECHO and $HTTP
 * stand for the echo and HTTP servers' ports. */
static void
start (Fixture    *fixture,
       const char *text,
       gboolean    with_approver)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) policy = g_string_new (text);
  g_autofree char *echo = g_strdup_printf ("%u", test_server_get_port (fixture->echo));
  g_autofree char *http = g_strdup_printf ("%u", test_server_get_port (fixture->http));
  const char *json;

  g_string_replace (policy, "$ECHO", echo, 0);
  g_string_replace (policy, "$HTTP", http, 0);
  json = policy->str;

  fixture->policy = test_policy_new (fixture->workspace, NULL, PADDOCK_LAYER_USER, json, -1);
  fixture->grants = paddock_grants_new ();
  fixture->proxy = paddock_proxy_new (fixture->policy, fixture->grants);
  paddock_proxy_set_resolver (fixture->proxy, G_RESOLVER (fixture->resolver));
  paddock_proxy_set_approval_timeout (fixture->proxy, 1);
  g_signal_connect (fixture->proxy, "event", G_CALLBACK (on_event), fixture);
  if (with_approver)
    g_signal_connect (fixture->proxy, "approval-needed", G_CALLBACK (on_approval_needed), fixture);
  g_assert_true (paddock_proxy_start (fixture->proxy, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->proxy != NULL)
    {
      g_autofree char *socket_path = g_strdup (paddock_proxy_get_socket_path (fixture->proxy));

      /* Every connection ends; none is left behind by any test. */
      test_wait_until (paddock_proxy_get_n_connections (fixture->proxy) == 0);
      paddock_proxy_stop (fixture->proxy);
      g_assert_false (g_file_test (socket_path, G_FILE_TEST_EXISTS));
      g_assert_finalize_object (fixture->proxy);
    }
  g_clear_pointer (&fixture->echo, test_server_free);
  g_clear_pointer (&fixture->http, test_server_free);
  g_clear_object (&fixture->resolver);
  g_clear_object (&fixture->policy);
  g_clear_object (&fixture->grants);
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
client (Fixture  *fixture,
        gboolean  pass_fd)
{
  return test_client_new (paddock_proxy_get_socket_path (fixture->proxy),
                          paddock_proxy_get_token (fixture->proxy), pass_fd);
}

/* CONNECT @authority and read the proxy's answer to it. */
static TestClient *
connect_to (Fixture    *fixture,
            const char *authority,
            gboolean    pass_fd)
{
  TestClient *c = client (fixture, pass_fd);
  g_autofree char *request = g_strdup_printf ("CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", authority, authority);

  test_client_send (c, request, strlen (request));
  test_wait_until ((test_client_read_at_least (c, 12), strstr (test_client_get_text (c), "\r\n\r\n") != NULL ||
                                                       c->closed));
  return c;
}

#define ALLOW_ECHO "{\"network\": {\"unknown\": \"prompt\", \"allow\": [\"127.0.0.1:$ECHO\", \"127.0.0.1:$HTTP\"]}}"

/* A tunnel to an allowed place carries bytes both ways, whether the
 * client's descriptor is handed over (as the forwarder does) or the
 * client talks on the proxy's own socket. */
static void
test_tunnel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *authority = NULL;

  start (fixture, ALLOW_ECHO, FALSE);
  authority = g_strdup_printf ("127.0.0.1:%u", test_server_get_port (fixture->echo));

  for (guint pass_fd = 0; pass_fd < 2; pass_fd++)
    {
      g_autoptr(TestClient) c = connect_to (fixture, authority, pass_fd);
      gsize answer_length;

      g_assert_true (g_str_has_prefix (test_client_get_text (c), "HTTP/1.1 200 Connection established\r\n\r\n"));
      answer_length = c->received->len;
      test_client_send (c, "ping through the tunnel", 23);
      test_client_read_at_least (c, answer_length + 23);
      g_assert_cmpstr (test_client_get_text (c) + answer_length, ==, "ping through the tunnel");

      g_assert_cmpint (last_event (fixture)->verdict, ==, PADDOCK_VERDICT_ALLOW);
      g_assert_cmpstr (last_event (fixture)->layer, ==, "user");
      g_assert_cmpstr (last_event (fixture)->address, ==, "127.0.0.1");
      g_assert_null (last_event (fixture)->violation);
    }
  g_assert_cmpuint (test_server_get_n_accepted (fixture->echo), ==, 2);
}

/* Without the token, nothing; the control is the token itself. */
static void
test_token (Fixture       *fixture,
            gconstpointer  data)
{
  static const char * const wrong[] = { NULL, "0000", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" };
  g_autofree char *authority = NULL;

  start (fixture, ALLOW_ECHO, FALSE);
  authority = g_strdup_printf ("127.0.0.1:%u", test_server_get_port (fixture->echo));

  for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      g_autoptr(TestClient) c = test_client_new (paddock_proxy_get_socket_path (fixture->proxy), wrong[i], FALSE);
      g_autofree char *request = g_strdup_printf ("CONNECT %s HTTP/1.1\r\n\r\n", authority);

      test_client_send (c, request, strlen (request));
      test_client_read_to_end (c);
      g_assert_cmpuint (c->received->len, ==, 0);
      g_assert_cmpstr (last_event (fixture)->violation, ==, "token");
    }
  g_assert_cmpuint (test_server_get_n_accepted (fixture->echo), ==, 0);

  {
    g_autoptr(TestClient) c = connect_to (fixture, authority, FALSE);
    g_assert_true (g_str_has_prefix (test_client_get_text (c), "HTTP/1.1 200 "));
  }
}

/* A denied name: 403 naming the layer, the file and the rule, and no
 * DNS query at all. */
static void
test_denied_name (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(TestClient) c = NULL;
  const char *text;

  start (fixture, "{\"network\": {\"deny\": [\"*.evil.test\"], \"allow\": [\"127.0.0.1:$ECHO\", \"127.0.0.1:$HTTP\"]}}", FALSE);
  c = connect_to (fixture, "tracker.evil.test:443", FALSE);
  text = test_client_get_text (c);
  g_assert_true (g_str_has_prefix (text, "HTTP/1.1 403 Forbidden\r\n"));
  g_assert_nonnull (strstr (text, "X-Proxy-Error: blocked-by-policy\r\n"));
  g_assert_nonnull (strstr (text, "Paddock denied tracker.evil.test:443 (forbidden): the user layer, user.json:1:"));
  g_assert_nonnull (strstr (text, "*.evil.test"));
  g_assert_cmpuint (test_resolver_get_queries (fixture->resolver)->len, ==, 0);
  g_assert_cmpint (last_event (fixture)->verdict, ==, PADDOCK_VERDICT_FORBIDDEN);
  g_assert_cmpstr (last_event (fixture)->layer, ==, "user");
  g_assert_nonnull (strstr (last_event (fixture)->rule, "*.evil.test"));
}

/* Unknown destinations ask; the answer decides, and a session answer
 * is not asked again. Names here resolve to loopback, so an allowed one
 * then ends at the address check: that tells an allowed name from a
 * denied one without a remote server. */
static void
test_prompt (Fixture       *fixture,
             gconstpointer  data)
{
  static const char * const loopback[] = { "127.0.0.1", NULL };
  g_autoptr(TestClient) nobody = NULL;
  g_autoptr(TestClient) denied = NULL;
  g_autoptr(TestClient) once = NULL;
  g_autoptr(TestClient) session = NULL;
  g_autoptr(TestClient) again = NULL;

  start (fixture, ALLOW_ECHO, TRUE);
  test_resolver_add (fixture->resolver, "unknown.test", loopback);

  /* Nobody answers: the timeout denies, and no lookup happened. */
  nobody = connect_to (fixture, "unknown.test:443", FALSE);
  g_assert_nonnull (strstr (test_client_get_text (nobody), "nobody answered in time"));
  g_assert_cmpstr (last_event (fixture)->answer, ==, "timeout");
  g_assert_cmpuint (test_resolver_get_queries (fixture->resolver)->len, ==, 0);

  fixture->answering = TRUE;
  fixture->answer = PADDOCK_ANSWER_DENY;
  denied = connect_to (fixture, "unknown.test:443", FALSE);
  g_assert_nonnull (strstr (test_client_get_text (denied), "a person denied it"));
  g_assert_nonnull (strstr (test_client_get_text (denied), "X-Proxy-Error: blocked-by-policy"));
  g_assert_cmpuint (test_resolver_get_queries (fixture->resolver)->len, ==, 0);

  fixture->answer = PADDOCK_ANSWER_ONCE;
  once = connect_to (fixture, "unknown.test:443", FALSE);
  g_assert_nonnull (strstr (test_client_get_text (once), "X-Proxy-Error: blocked-address"));
  g_assert_cmpuint (test_resolver_get_queries (fixture->resolver)->len, ==, 1);
  g_assert_cmpuint (fixture->asked, ==, 3);

  fixture->answer = PADDOCK_ANSWER_SESSION;
  session = connect_to (fixture, "unknown.test:443", FALSE);
  g_assert_nonnull (strstr (test_client_get_text (session), "X-Proxy-Error: blocked-address"));
  g_assert_cmpuint (fixture->asked, ==, 4);
  /* Granted for the session: decided without asking. */
  fixture->answer = PADDOCK_ANSWER_DENY;
  again = connect_to (fixture, "unknown.test:443", FALSE);
  g_assert_nonnull (strstr (test_client_get_text (again), "X-Proxy-Error: blocked-address"));
  g_assert_cmpuint (fixture->asked, ==, 4);
}

/* "Always for this workspace" is written to the workspace's own policy,
 * where it can be read and taken back; and it holds for this session. */
static void
test_prompt_always (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const loopback[] = { "127.0.0.1", NULL };
  g_autofree char *path = g_build_filename (fixture->workspace, "settings", "policy.json", NULL);
  g_autoptr(TestClient) first = NULL;
  g_autoptr(TestClient) second = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *allow;

  start (fixture, ALLOW_ECHO, TRUE);
  paddock_proxy_set_workspace_policy (fixture->proxy, path);
  test_resolver_add (fixture->resolver, "always.test", loopback);
  fixture->answering = TRUE;
  fixture->answer = PADDOCK_ANSWER_ALWAYS;

  first = connect_to (fixture, "always.test:8443", FALSE);
  g_assert_nonnull (strstr (test_client_get_text (first), "X-Proxy-Error: blocked-address"));
  g_assert_cmpstr (last_event (fixture)->answer, ==, "always");

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  allow = json_object_get_array_member (json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                                                       "network"), "allow");
  g_assert_cmpuint (json_array_get_length (allow), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (allow, 0), ==, "always.test:8443");

  /* The file is a policy the workspace layer reads, and it allows just
   * that host and port. */
  {
    g_autofree char *text = NULL;
    g_autoptr(PaddockPolicy) written = NULL;
    g_autoptr(PaddockAction) same = paddock_action_new_net ("always.test", 8443, "https");
    g_autoptr(PaddockAction) other_port = paddock_action_new_net ("always.test", 443, "https");
    g_autoptr(PaddockDecision) allowed = NULL;
    g_autoptr(PaddockDecision) asked = NULL;

    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    written = test_policy_new (fixture->workspace, NULL, PADDOCK_LAYER_WORKSPACE, text, -1);
    allowed = paddock_policy_evaluate (written, same, NULL);
    asked = paddock_policy_evaluate (written, other_port, NULL);
    test_assert_verdict (allowed, PADDOCK_VERDICT_ALLOW);
    g_assert_cmpint (allowed->decisive->layer, ==, PADDOCK_LAYER_WORKSPACE);
    g_assert_cmpint (asked->verdict, !=, PADDOCK_VERDICT_ALLOW);
  }

  fixture->answer = PADDOCK_ANSWER_DENY;
  second = connect_to (fixture, "always.test:8443", FALSE);
  g_assert_nonnull (strstr (test_client_get_text (second), "X-Proxy-Error: blocked-address"));
  g_assert_cmpuint (fixture->asked, ==, 1);
}

/* A preamble that comes in pieces is read to its end. */
static void
test_preamble_in_pieces (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(TestClient) c = NULL;
  g_autofree char *preamble = NULL;
  g_autofree char *request = NULL;

  start (fixture, ALLOW_ECHO, FALSE);
  preamble = g_strdup_printf ("PADDOCK %s\n", paddock_proxy_get_token (fixture->proxy));
  request = g_strdup_printf ("CONNECT 127.0.0.1:%u HTTP/1.1\r\n\r\n", test_server_get_port (fixture->echo));

  c = test_client_new_raw (paddock_proxy_get_socket_path (fixture->proxy));
  test_client_send (c, preamble, 10);
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  test_client_send (c, preamble + 10, strlen (preamble) - 10);
  test_client_send (c, request, strlen (request));
  test_client_read_at_least (c, 12);
  g_assert_true (g_str_has_prefix (test_client_get_text (c), "HTTP/1.1 200 "));
}

/* Without anybody to ask, a prompt is a denial at once. */
static void
test_prompt_without_approver (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(TestClient) c = NULL;

  start (fixture, ALLOW_ECHO, FALSE);
  c = connect_to (fixture, "unknown.test:443", FALSE);
  g_assert_nonnull (strstr (test_client_get_text (c), "nobody can be asked"));
  g_assert_cmpuint (test_resolver_get_queries (fixture->resolver)->len, ==, 0);
}

/* An allowed name that leads back into this machine or to a metadata
 * service reaches nothing; the control is an allowed literal. */
static void
test_address_check (Fixture       *fixture,
                    gconstpointer  data)
{
  static const struct
  {
    const char *name;
    const char *addresses[3];
  } cases[] = {
    { "loopback.allowed.test", { "127.0.0.1", NULL } },
    { "mapped.allowed.test", { "::ffff:127.0.0.1", NULL } },
    { "nat64.allowed.test", { "64:ff9b::7f00:1", NULL } },
    { "metadata.allowed.test", { "169.254.169.254", NULL } },
    { "ipv6.allowed.test", { "::1", "fe80::1", NULL } },
    { "zero.allowed.test", { "0.0.0.0", NULL } },
  };
  g_autofree char *control = NULL;

  start (fixture, "{\"network\": {\"allow\": [\"**.allowed.test\", \"metadata.google.internal\", "
                  "\"127.0.0.1:$ECHO\", \"127.0.0.1:$HTTP\"]}}", FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *authority = g_strdup_printf ("%s:%u", cases[i].name, test_server_get_port (fixture->echo));
      g_autoptr(TestClient) c = NULL;

      test_resolver_add (fixture->resolver, cases[i].name, cases[i].addresses);
      c = connect_to (fixture, authority, FALSE);
      g_assert_true (g_str_has_prefix (test_client_get_text (c), "HTTP/1.1 403 "));
      g_assert_nonnull (strstr (test_client_get_text (c), "X-Proxy-Error: blocked-address"));
      g_assert_cmpstr (last_event (fixture)->violation, ==, "address");
    }

  /* A metadata name is refused before any lookup. */
  {
    g_autoptr(TestClient) c = connect_to (fixture, "metadata.google.internal:80", FALSE);
    g_assert_nonnull (strstr (test_client_get_text (c), "cloud metadata service"));
    g_assert_false (g_ptr_array_find_with_equal_func (test_resolver_get_queries (fixture->resolver),
                                                      "metadata.google.internal", g_str_equal, NULL));
  }
  g_assert_cmpuint (test_server_get_n_accepted (fixture->echo), ==, 0);

  control = g_strdup_printf ("127.0.0.1:%u", test_server_get_port (fixture->echo));
  {
    g_autoptr(TestClient) c = connect_to (fixture, control, FALSE);
    g_assert_true (g_str_has_prefix (test_client_get_text (c), "HTTP/1.1 200 "));
  }
}

/* Plain HTTP: the request goes on in origin form without the proxy's
 * fields, one request per connection: a second one sent behind it on
 * the same connection never reaches the server. */
static void
test_plain_http (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(TestClient) c = NULL;
  g_autofree char *request = NULL;
  g_autofree char *received = NULL;
  guint16 port;

  start (fixture, ALLOW_ECHO, FALSE);
  port = test_server_get_port (fixture->http);
  request = g_strdup_printf ("GET http://127.0.0.1:%u/first?q=1 HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                             "Proxy-Authorization: Basic c2VjcmV0\r\nConnection: keep-alive\r\n\r\n"
                             "GET http://127.0.0.1:%u/second HTTP/1.1\r\nHost: evil.test\r\n\r\n",
                             port, port, port);
  c = client (fixture, TRUE);
  test_client_send (c, request, strlen (request));
  test_client_read_to_end (c);

  g_assert_true (g_str_has_prefix (test_client_get_text (c), "HTTP/1.1 200 OK\r\n"));
  g_assert_true (g_str_has_suffix (test_client_get_text (c), "\r\n\r\nhello"));
  test_wait_until (strstr ((g_free (received), received = test_server_dup_received (fixture->http)), "\r\n\r\n"));
  g_assert_true (g_str_has_prefix (received, "GET /first?q=1 HTTP/1.1\r\n"));
  g_assert_nonnull (strstr (received, "Connection: close\r\n"));
  g_assert_null (strstr (received, "Proxy-Authorization"));
  g_assert_null (strstr (received, "keep-alive"));
  g_assert_null (strstr (received, "second"));
  g_assert_cmpstr (last_event (fixture)->protocol, ==, "http");
}

/* A Host header that names another place than the request: 400, and
 * the server never hears of it. */
static void
test_host_mismatch (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(TestClient) c = NULL;
  g_autofree char *request = NULL;

  start (fixture, ALLOW_ECHO, FALSE);
  request = g_strdup_printf ("GET http://127.0.0.1:%u/ HTTP/1.1\r\nHost: evil.test\r\n\r\n",
                             test_server_get_port (fixture->http));
  c = client (fixture, FALSE);
  test_client_send (c, request, strlen (request));
  test_client_read_to_end (c);
  g_assert_true (g_str_has_prefix (test_client_get_text (c), "HTTP/1.1 400 Bad Request\r\n"));
  g_assert_nonnull (strstr (test_client_get_text (c), "names another place"));
  g_assert_cmpuint (test_server_get_n_accepted (fixture->http), ==, 0);
  g_assert_cmpstr (last_event (fixture)->violation, ==, "bad-request");
}

static TestClient *
socks_connect (Fixture      *fixture,
               const guint8 *request,
               gsize         length)
{
  static const guint8 greeting[] = { 5, 1, 0 };
  TestClient *c = client (fixture, TRUE);

  test_client_send (c, greeting, sizeof greeting);
  test_client_read_at_least (c, 2);
  g_assert_cmpmem (c->received->data, 2, "\x05\x00", 2);
  test_client_send (c, request, length);
  test_client_read_at_least (c, 2 + 10);
  return c;
}

static void
test_socks (Fixture       *fixture,
            gconstpointer  data)
{
  guint16 port;

  start (fixture, "{\"network\": {\"deny\": [\"evil.test\"], \"allow\": [\"127.0.0.1:$ECHO\", \"127.0.0.1:$HTTP\"]}}", FALSE);
  port = test_server_get_port (fixture->echo);

  /* The control: CONNECT to an allowed address, and bytes both ways. */
  {
    guint8 request[] = { 5, 1, 0, 1, 127, 0, 0, 1, port >> 8, port & 0xff };
    g_autoptr(TestClient) c = socks_connect (fixture, request, sizeof request);

    g_assert_cmpint (c->received->data[2 + 1], ==, 0);
    test_client_send (c, "socks ping", 10);
    test_client_read_at_least (c, 12 + 10);
    g_assert_cmpmem (c->received->data + 12, 10, "socks ping", 10);
    g_assert_cmpstr (last_event (fixture)->protocol, ==, "socks5_tcp");
  }

  /* A denied name: "not allowed by ruleset", and no lookup. */
  {
    guint8 request[] = { 5, 1, 0, 3, 9, 'e', 'v', 'i', 'l', '.', 't', 'e', 's', 't', 0, 80 };
    g_autoptr(TestClient) c = socks_connect (fixture, request, sizeof request);

    g_assert_cmpint (c->received->data[2 + 1], ==, 0x02);
    g_assert_cmpuint (test_resolver_get_queries (fixture->resolver)->len, ==, 0);
  }

  /* A name with a NUL in it is no name. */
  {
    guint8 request[] = { 5, 1, 0, 3, 9, 'a', 'b', 'c', 0, 'e', 'v', 'i', 'l', '.', 0, 80 };
    g_autoptr(TestClient) c = socks_connect (fixture, request, sizeof request);

    g_assert_cmpint (c->received->data[2 + 1], ==, 0x01);
  }

  /* BIND is not offered. */
  {
    guint8 request[] = { 5, 2, 0, 1, 127, 0, 0, 1, port >> 8, port & 0xff };
    g_autoptr(TestClient) c = socks_connect (fixture, request, sizeof request);

    g_assert_cmpint (c->received->data[2 + 1], ==, 0x07);
  }
  g_assert_cmpuint (test_server_get_n_accepted (fixture->echo), ==, 1);
}

/* With an audit session, every decision is recorded; an allowed tunnel
 * opens only once its record is acknowledged, and a store that cannot
 * take it keeps the tunnel shut (the control: the same tunnel, while the
 * store works). */
static void
test_recorded (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->workspace, "state", "audit.sqlite", NULL);
  g_autofree char *authority = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockAudit) audit = paddock_audit_open (path, &error);
  g_autoptr(PaddockAuditSession) session = NULL;
  g_autoptr(GPtrArray) events = NULL;
  JsonObject *attributes;

  g_assert_no_error (error);
  start (fixture, ALLOW_ECHO, FALSE);
  session = paddock_audit_session_new (audit, fixture->policy, NULL, "test-proxy");
  paddock_proxy_set_audit_session (fixture->proxy, session);
  authority = g_strdup_printf ("127.0.0.1:%u", test_server_get_port (fixture->echo));

  {
    g_autoptr(TestClient) c = connect_to (fixture, authority, TRUE);
    g_assert_true (g_str_has_prefix (test_client_get_text (c), "HTTP/1.1 200 Connection established"));
  }
  {
    g_autoptr(TestClient) c = connect_to (fixture, "denied.example:443", TRUE);
    g_assert_true (g_str_has_prefix (test_client_get_text (c), "HTTP/1.1 403"));
  }
  /* The denial's record may still be on its way. */
  for (;;)
    {
      events = paddock_audit_list (audit, 0, 0, NULL);
      if (events->len == 2)
        break;
      g_clear_pointer (&events, g_ptr_array_unref);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  attributes = json_object_get_object_member (g_ptr_array_index (events, 0), "attributes");
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (events, 0), "name"), ==,
                   "paddock.network_decision");
  g_assert_cmpstr (json_object_get_string_member (attributes, "decision"), ==, "allow");
  g_assert_cmpstr (json_object_get_string_member (attributes, "layer"), ==, "user");
  g_assert_cmpstr (json_object_get_string_member (attributes, "session.id"), ==,
                   paddock_audit_session_get_id (session));
  attributes = json_object_get_object_member (g_ptr_array_index (events, 1), "attributes");
  g_assert_cmpstr (json_object_get_string_member (attributes, "decision"), ==, "deny");
  g_assert_cmpstr (json_object_get_string_member (attributes, "host"), ==, "denied.example");
  g_assert_cmpuint (test_server_get_n_accepted (fixture->echo), ==, 1);

  paddock_audit_close (audit);
  {
    g_autoptr(TestClient) c = connect_to (fixture, authority, TRUE);
    g_assert_true (g_str_has_prefix (test_client_get_text (c), "HTTP/1.1 503"));
    g_assert_nonnull (strstr (test_client_get_text (c), "audit-unavailable"));
  }
  g_assert_cmpuint (test_server_get_n_accepted (fixture->echo), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/proxy/tunnel", test_tunnel);
  ADD ("/proxy/token", test_token);
  ADD ("/proxy/denied-name", test_denied_name);
  ADD ("/proxy/prompt", test_prompt);
  ADD ("/proxy/prompt-without-approver", test_prompt_without_approver);
  ADD ("/proxy/prompt-always", test_prompt_always);
  ADD ("/proxy/preamble-in-pieces", test_preamble_in_pieces);
  ADD ("/proxy/address-check", test_address_check);
  ADD ("/proxy/plain-http", test_plain_http);
  ADD ("/proxy/host-mismatch", test_host_mismatch);
  ADD ("/proxy/socks", test_socks);
  ADD ("/proxy/recorded", test_recorded);
#undef ADD

  return g_test_run ();
}
