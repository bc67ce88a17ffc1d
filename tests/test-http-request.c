/* test-http-request.c: the proxy's strict request reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "paddock-http-request.h"
#include "test-util.h"

static PaddockHttpRequest *
parse_ok (const char *text)
{
  g_autofree char *message = NULL;
  PaddockHttpRequest *request = NULL;
  PaddockHttpParseResult result = paddock_http_request_parse (text, strlen (text), 65536, &request, &message);

  if (result != PADDOCK_HTTP_PARSE_DONE)
    g_test_message ("%s: %s", text, message);
  g_assert_cmpint (result, ==, PADDOCK_HTTP_PARSE_DONE);
  g_assert_nonnull (request);
  return request;
}

static void
test_connect (void)
{
  g_autoptr(PaddockHttpRequest) plain = parse_ok ("CONNECT GitHub.COM:443 HTTP/1.1\r\nHost: github.com:443\r\n\r\n");
  g_autoptr(PaddockHttpRequest) v6 = parse_ok ("CONNECT [2001:db8::1]:8443 HTTP/1.1\r\n\r\n");
  g_autoptr(PaddockHttpRequest) idn = parse_ok ("CONNECT xn--bcher-kva.example:443 HTTP/1.0\r\n\r\n");

  g_assert_cmpstr (plain->method, ==, "CONNECT");
  g_assert_cmpstr (plain->host, ==, "github.com");
  g_assert_cmpint (plain->port, ==, 443);
  g_assert_null (plain->origin_form);
  g_assert_cmpint (plain->head_length, ==, strlen ("CONNECT GitHub.COM:443 HTTP/1.1\r\nHost: github.com:443\r\n\r\n"));
  g_assert_cmpstr (v6->host, ==, "2001:db8::1");
  g_assert_cmpint (v6->host_kind, ==, PADDOCK_HOST_IPV6);
  g_assert_cmpint (v6->port, ==, 8443);
  g_assert_cmpstr (idn->host, ==, "xn--bcher-kva.example");
}

static void
test_absolute (void)
{
  g_autoptr(PaddockHttpRequest) request =
    parse_ok ("GET http://deb.debian.org/debian/dists/bookworm/Release?x=1 HTTP/1.1\r\n"
              "Host: deb.debian.org\r\n"
              "User-Agent: apt\r\n"
              "Proxy-Authorization: Basic c2VjcmV0\r\n"
              "Connection: keep-alive, X-Private\r\n"
              "X-Private: 1\r\n"
              "\r\n");
  g_autoptr(PaddockHttpRequest) root = parse_ok ("GET http://example.com:8080 HTTP/1.0\r\n\r\n");
  g_autofree char *upstream = paddock_http_request_to_upstream (request);

  g_assert_cmpstr (request->host, ==, "deb.debian.org");
  g_assert_cmpint (request->port, ==, 80);
  g_assert_cmpstr (request->origin_form, ==, "/debian/dists/bookworm/Release?x=1");
  g_assert_cmpstr (paddock_http_request_get_header (request, "user-agent"), ==, "apt");
  /* Proxy credentials and hop-by-hop fields stay here; one answer only. */
  g_assert_cmpstr (upstream, ==,
                   "GET /debian/dists/bookworm/Release?x=1 HTTP/1.1\r\n"
                   "Host: deb.debian.org\r\n"
                   "User-Agent: apt\r\n"
                   "Connection: close\r\n\r\n");
  g_assert_cmpstr (root->origin_form, ==, "/");
  g_assert_cmpint (root->port, ==, 8080);
}

static void
test_need_more_and_too_large (void)
{
  const char *partial = "CONNECT example.com:443 HTTP/1.1\r\nHost: exa";
  g_autofree char *big = g_strnfill (70000, 'a');
  g_autoptr(PaddockHttpRequest) request = NULL;
  g_autofree char *message = NULL;

  g_assert_cmpint (paddock_http_request_parse (partial, strlen (partial), 65536, &request, &message),
                   ==, PADDOCK_HTTP_PARSE_NEED_MORE);
  g_assert_null (request);
  g_assert_cmpint (paddock_http_request_parse (big, strlen (big), 65536, &request, &message),
                   ==, PADDOCK_HTTP_PARSE_TOO_LARGE);
}

/* Everything a lenient server could read another way is refused. */
static void
test_bad (void)
{
  static const struct
  {
    const char *text;
    PaddockHttpParseResult result;
    const char *says;
  } cases[] = {
    { "CONNECT example.com:443 HTTP/1.1\nHost: example.com\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "CRLF" },
    { "GET http://a.example/ HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "more than one Host" },
    { "GET http://a.example/ HTTP/1.1\r\nHost: b.example\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "another place" },
    { "GET http://a.example/ HTTP/1.1\r\nHost: a.example:81\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "another place" },
    { "CONNECT a.example:443 HTTP/1.1\r\nHost: b.example:443\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "another place" },
    { "GET http://allowed.example@evil.example/ HTTP/1.1\r\nHost: evil.example\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "user names" },
    { "GET /index.html HTTP/1.1\r\nHost: a.example\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "absolute http://" },
    { "GET https://a.example/ HTTP/1.1\r\nHost: a.example\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "CONNECT" },
    { "GET http://a.example/ HTTP/1.1\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "needs a Host" },
    { "GET http://a.example/ HTTP/1.1\r\nHost: a.example\r\n X-Folded: yes\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "folded" },
    { "GET http://a.example/ HTTP/2.0\r\nHost: a.example\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "HTTP/1.0 and HTTP/1.1" },
    { "GET  http://a.example/ HTTP/1.1\r\nHost: a.example\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "METHOD TARGET" },
    { "POST http://a.example/ HTTP/1.1\r\nHost: a.example\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "both" },
    { "POST http://a.example/ HTTP/1.1\r\nHost: a.example\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "more than once" },
    { "POST http://a.example/ HTTP/1.1\r\nHost: a.example\r\nContent-Length: -1\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "number of bytes" },
    { "POST http://a.example/ HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", PADDOCK_HTTP_PARSE_UNSUPPORTED, "only chunked" },
    { "CONNECT a.example HTTP/1.1\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "no port" },
    { "CONNECT a.example:99999 HTTP/1.1\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "" },
    { "CONNECT *.example:443 HTTP/1.1\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "" },
    { "CONNECT a.example%00.evil:443 HTTP/1.1\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "" },
    { "GET http://a.example/\x01 HTTP/1.1\r\nHost: a.example\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "outside ASCII" },
    { "GET http://a.example/ HTTP/1.1\r\nHost: a.example\r\nX: a\x01" "b\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "control character" },
    { "GET http://a.example/#frag HTTP/1.1\r\nHost: a.example\r\n\r\n", PADDOCK_HTTP_PARSE_BAD, "fragment" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PaddockHttpRequest) request = NULL;
      g_autofree char *message = NULL;
      PaddockHttpParseResult result;

      result = paddock_http_request_parse (cases[i].text, strlen (cases[i].text), 65536, &request, &message);
      g_test_message ("%u: %s", i, message ? message : "(no message)");
      g_assert_cmpint (result, ==, cases[i].result);
      g_assert_null (request);
      g_assert_nonnull (message);
      g_assert_nonnull (strstr (message, cases[i].says));
    }
}

static void
test_framing (void)
{
  g_autoptr(PaddockHttpRequest) sized = parse_ok ("POST http://a.example/up HTTP/1.1\r\nHost: a.example\r\nContent-Length: 12\r\n\r\n");
  g_autoptr(PaddockHttpRequest) chunked = parse_ok ("POST http://a.example/up HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: Chunked\r\n\r\n");

  g_assert_false (sized->chunked);
  g_assert_cmpuint (sized->content_length, ==, 12);
  g_assert_true (chunked->chunked);
}

static void
test_chunked (void)
{
  const char *body = "4\r\nWiki\r\n5;name=x\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: yes\r\n\r\nGET http://next/";
  gsize body_length = strstr (body, "GET") - body;
  PaddockHttpChunked chunked = { 0 };
  gsize consumed = 0, total = 0;

  /* One byte at a time: the end is found exactly, the next request not
   * taken for part of the body. */
  for (gsize i = 0; i < strlen (body); i++)
    {
      PaddockHttpChunkedResult result = paddock_http_chunked_feed (&chunked, body + i, 1, &consumed);

      total += consumed;
      if (result == PADDOCK_HTTP_CHUNKED_DONE)
        break;
      g_assert_cmpint (result, ==, PADDOCK_HTTP_CHUNKED_MORE);
    }
  g_assert_cmpuint (total, ==, body_length);

  /* And all at once. */
  memset (&chunked, 0, sizeof chunked);
  g_assert_cmpint (paddock_http_chunked_feed (&chunked, body, strlen (body), &consumed), ==, PADDOCK_HTTP_CHUNKED_DONE);
  g_assert_cmpuint (consumed, ==, body_length);

  {
    static const char * const broken[] = {
      "x\r\n", "4\nWiki", "4\r\nWikiX\r\n", "\r\n", "FFFFFFFFFFFFFFFFFF\r\n", "0\r\nTrailer\n",
    };

    for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
      {
        memset (&chunked, 0, sizeof chunked);
        g_assert_cmpint (paddock_http_chunked_feed (&chunked, broken[i], strlen (broken[i]), &consumed),
                         ==, PADDOCK_HTTP_CHUNKED_BAD);
      }
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/http-request/connect", test_connect);
  g_test_add_func ("/http-request/absolute", test_absolute);
  g_test_add_func ("/http-request/need-more-and-too-large", test_need_more_and_too_large);
  g_test_add_func ("/http-request/bad", test_bad);
  g_test_add_func ("/http-request/framing", test_framing);
  g_test_add_func ("/http-request/chunked", test_chunked);

  return g_test_run ();
}
