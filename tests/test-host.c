/* test-host.c: canonical hosts, authorities and network patterns
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "paddock-errors.h"
#include "paddock-host.h"

#define ACCEPTED_PATTERNS \
  "accepted: example.com, *.example.com, **.example.com, 10.0.0.0/8, [::1]:8080"

typedef struct
{
  const char      *input;
  const char      *canonical;
  PaddockHostKind  kind;
} CanonicalCase;

typedef struct
{
  const char *input;
  const char *problem; /* a substring the message must contain */
  const char *control; /* a neighbour that is accepted */
} RejectCase;

/* Escapes control characters only, so the TAP output stays one line per
 * message and UTF-8 stays readable. */
static char *
escape_controls (const char *text)
{
  char exceptions[129];

  for (int i = 0; i < 128; i++)
    exceptions[i] = (char) (0x80 + i);
  exceptions[128] = '\0';

  return g_strescape (text, exceptions);
}

static void
assert_message_contains (const GError *error,
                         const char   *input,
                         const char   *needle)
{
  g_autofree char *escaped = escape_controls (input);

  g_test_message ("“%s” → %s", escaped, error->message);
  g_assert_nonnull (strstr (error->message, needle));
}

static void
assert_canonical (const char      *input,
                  const char      *expected,
                  PaddockHostKind  expected_kind)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *canonical = NULL;
  PaddockHostKind kind = (PaddockHostKind) -1;

  canonical = paddock_host_canonicalize (input, &kind, &error);
  if (error != NULL)
    {
      g_autofree char *escaped = escape_controls (input);

      g_test_message ("“%s” → %s", escaped, error->message);
    }
  g_assert_no_error (error);
  g_assert_cmpstr (canonical, ==, expected);
  g_assert_cmpint (kind, ==, expected_kind);
}

static void
assert_canonical_table (const CanonicalCase *cases,
                        gsize                n_cases)
{
  for (gsize i = 0; i < n_cases; i++)
    assert_canonical (cases[i].input, cases[i].canonical, cases[i].kind);
}

static void
assert_host_rejected (const char *input,
                      const char *problem)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *canonical = NULL;
  PaddockHostKind kind = PADDOCK_HOST_IPV6;

  canonical = paddock_host_canonicalize (input, &kind, &error);
  g_assert_error (error, PADDOCK_HOST_ERROR, PADDOCK_HOST_ERROR_INVALID);
  g_assert_null (canonical);
  g_assert_cmpint (kind, ==, PADDOCK_HOST_IPV6); /* untouched on failure */
  assert_message_contains (error, input, problem);
}

static void
test_canonicalize_ipv4 (void)
{
  static const CanonicalCase cases[] = {
    { "127.0.0.1", "127.0.0.1", PADDOCK_HOST_IPV4 },
    { "127.1", "127.0.0.1", PADDOCK_HOST_IPV4 },
    { "127.0.1", "127.0.0.1", PADDOCK_HOST_IPV4 },
    { "2130706433", "127.0.0.1", PADDOCK_HOST_IPV4 },
    { "0x7f000001", "127.0.0.1", PADDOCK_HOST_IPV4 },
    { "0X7F000001", "127.0.0.1", PADDOCK_HOST_IPV4 },
    { "0177.0.0.1", "127.0.0.1", PADDOCK_HOST_IPV4 },
    { "0x7f.1", "127.0.0.1", PADDOCK_HOST_IPV4 },
    { "0x7f.0.0.1", "127.0.0.1", PADDOCK_HOST_IPV4 },
    { "017700000001", "127.0.0.1", PADDOCK_HOST_IPV4 },
    { "127.0.0.1.", "127.0.0.1", PADDOCK_HOST_IPV4 },
    /* Fullwidth digits and dot become ASCII under IDNA, so they are IPv4. */
    { "１２７．０．０．１", "127.0.0.1", PADDOCK_HOST_IPV4 },
    { "0", "0.0.0.0", PADDOCK_HOST_IPV4 },
    { "4294967295", "255.255.255.255", PADDOCK_HOST_IPV4 },
    { "10.1.2.3", "10.1.2.3", PADDOCK_HOST_IPV4 },
    /* A leading zero means octal, even with many of them: 0127 = 87. */
    { "00000000000000000000127.0.0.1", "87.0.0.1", PADDOCK_HOST_IPV4 },
  };

  assert_canonical_table (cases, G_N_ELEMENTS (cases));
}

static void
test_canonicalize_ipv6 (void)
{
  static const CanonicalCase cases[] = {
    { "::1", "::1", PADDOCK_HOST_IPV6 },
    { "[::1]", "::1", PADDOCK_HOST_IPV6 },
    { "0:0:0:0:0:0:0:1", "::1", PADDOCK_HOST_IPV6 },
    { "[0000:0000:0000:0000:0000:0000:0000:0001]", "::1", PADDOCK_HOST_IPV6 },
    { "2001:0DB8::0001", "2001:db8::1", PADDOCK_HOST_IPV6 },
    { "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", PADDOCK_HOST_IPV6 },
    { "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1", PADDOCK_HOST_IPV6 },
    { "FD00::", "fd00::", PADDOCK_HOST_IPV6 },
    { "::", "::", PADDOCK_HOST_IPV6 },
    /* IPv4-mapped addresses are the IPv4 host, in every spelling. */
    { "::ffff:127.0.0.1", "127.0.0.1", PADDOCK_HOST_IPV4 },
    { "::ffff:7f00:1", "127.0.0.1", PADDOCK_HOST_IPV4 },
    { "[::FFFF:7F00:0001]", "127.0.0.1", PADDOCK_HOST_IPV4 },
    { "0:0:0:0:0:ffff:127.0.0.1", "127.0.0.1", PADDOCK_HOST_IPV4 },
    { "[0:0:0:0:0:FFFF:7f00:1]", "127.0.0.1", PADDOCK_HOST_IPV4 },
    /* The deprecated IPv4-compatible form is not mapped: it stays IPv6,
     * in hex (glibc's inet_ntop would write ::0.1.0.128 for ::1:80). */
    { "::127.0.0.1", "::7f00:1", PADDOCK_HOST_IPV6 },
    { "::1:80", "::1:80", PADDOCK_HOST_IPV6 },
    { "::0.1.0.128", "::1:80", PADDOCK_HOST_IPV6 },
    { "1:0:0:1:0:0:0:1", "1:0:0:1::1", PADDOCK_HOST_IPV6 },
    { "1:0:0:1:0:0:1:1", "1::1:0:0:1:1", PADDOCK_HOST_IPV6 },
    { "1:0:1:1:1:1:1:1", "1:0:1:1:1:1:1:1", PADDOCK_HOST_IPV6 },
    { "0:0:1:1:1:1:1:0", "::1:1:1:1:1:0", PADDOCK_HOST_IPV6 },
    { "1:1:1:1:1:1:0:0", "1:1:1:1:1:1::", PADDOCK_HOST_IPV6 },
    { "1:1:1:1:1:1:1:0", "1:1:1:1:1:1:1:0", PADDOCK_HOST_IPV6 },
    { "64:ff9b::7f00:1", "64:ff9b::7f00:1", PADDOCK_HOST_IPV6 },
    { "FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", PADDOCK_HOST_IPV6 },
  };

  assert_canonical_table (cases, G_N_ELEMENTS (cases));
}

static void
test_canonicalize_names (void)
{
  g_autofree char *label63 = g_strnfill (63, 'a');
  g_autofree char *name_label63 = g_strconcat (label63, ".com", NULL);
  g_autofree char *label61 = g_strnfill (61, 'd');
  g_autofree char *name253 = g_strjoin (".", label63, label63, label63, label61, NULL);
  g_autofree char *name253_dot = g_strconcat (name253, ".", NULL);
  static const CanonicalCase cases[] = {
    { "example.com", "example.com", PADDOCK_HOST_NAME },
    { "Example.COM", "example.com", PADDOCK_HOST_NAME },
    { "example.com.", "example.com", PADDOCK_HOST_NAME },
    { "bücher.example", "xn--bcher-kva.example", PADDOCK_HOST_NAME },
    { "BÜCHER.Example.", "xn--bcher-kva.example", PADDOCK_HOST_NAME },
    { "Bücher.EXAMPLE", "xn--bcher-kva.example", PADDOCK_HOST_NAME },
    { "bücher。example", "xn--bcher-kva.example", PADDOCK_HOST_NAME },
    { "bücher.example。", "xn--bcher-kva.example", PADDOCK_HOST_NAME },
    { "xn--bcher-kva.example", "xn--bcher-kva.example", PADDOCK_HOST_NAME },
    { "XN--BCHER-KVA.EXAMPLE.", "xn--bcher-kva.example", PADDOCK_HOST_NAME },
    { "faß.de", "xn--fa-hia.de", PADDOCK_HOST_NAME },
    { "пример.рф", "xn--e1afmkfd.xn--p1ai", PADDOCK_HOST_NAME },
    { "ｅｘａｍｐｌｅ．ｃｏｍ", "example.com", PADDOCK_HOST_NAME },
    { "a_b.com", "a_b.com", PADDOCK_HOST_NAME },
    { "_dmarc.Example.com", "_dmarc.example.com", PADDOCK_HOST_NAME },
    { "localhost", "localhost", PADDOCK_HOST_NAME },
    { "a-b.example", "a-b.example", PADDOCK_HOST_NAME },
    { "1.2.3.4.example", "1.2.3.4.example", PADDOCK_HOST_NAME },
    { "123abc.com", "123abc.com", PADDOCK_HOST_NAME },
    { "0x7g.example", "0x7g.example", PADDOCK_HOST_NAME },
    { "r3---sn-abc.googlevideo.com", "r3---sn-abc.googlevideo.com", PADDOCK_HOST_NAME },
  };

  assert_canonical_table (cases, G_N_ELEMENTS (cases));

  assert_canonical (name_label63, name_label63, PADDOCK_HOST_NAME);
  g_assert_cmpuint (strlen (name253), ==, 253);
  assert_canonical (name253, name253, PADDOCK_HOST_NAME);
  assert_canonical (name253_dot, name253, PADDOCK_HOST_NAME);
}

static void
test_canonicalize_rejected (void)
{
  g_autofree char *label64 = g_strnfill (64, 'a');
  g_autofree char *label63 = g_strnfill (63, 'a');
  g_autofree char *label62 = g_strnfill (62, 'd');
  g_autofree char *label61 = g_strnfill (61, 'd');
  g_autofree char *name_label64 = g_strconcat (label64, ".com", NULL);
  g_autofree char *name_label63 = g_strconcat (label63, ".com", NULL);
  g_autofree char *name254 = g_strjoin (".", label63, label63, label63, label62, NULL);
  g_autofree char *name253 = g_strjoin (".", label63, label63, label63, label61, NULL);
  static const RejectCase cases[] = {
    { "", "empty host", "a" },
    { "exa\rmple.com", "line break", "example.com" },
    { "example.com\r\n", "line break", "example.com" },
    { "exa\nmple.com", "line break", "example.com" },
    { "exa\tmple.com", "whitespace (U+0009)", "example.com" },
    { "exa mple.com", "whitespace (U+0020)", "example.com" },
    { " example.com", "whitespace", "example.com" },
    { "example.com ", "whitespace", "example.com" },
    { "exa\u00A0mple.com", "whitespace (U+00A0)", "example.com" },
    { "exa\u3000mple.com", "whitespace (U+3000)", "example.com" },
    { "exa\001mple.com", "control character U+0001", "example.com" },
    { "exa\177mple.com", "control character U+007F", "example.com" },
    { "fe80::1%25eth0", "zone IDs", "fe80::1" },
    { "fe80::1%eth0", "zone IDs", "fe80::1" },
    { "[fe80::1%eth0]", "zone IDs", "[fe80::1]" },
    { "exa%2emple.com", "percent-encoding", "example.com" },
    { "exa\u200Dmple.com", "invisible formatting character U+200D", "example.com" },
    { "exa\u00ADmple.com", "invisible formatting character U+00AD", "example.com" },
    { "exa\u202Emple.com", "invisible formatting character U+202E", "example.com" },
    { "exa\uE000mple.com", "private-use character U+E000", "example.com" },
    { "ex\xff" "ample.com", "not valid UTF-8", "example.com" },
    { "a..b", "empty label", "a.b" },
    { ".a.b", "empty label", "a.b" },
    { "example.com..", "at most one dot", "example.com." },
    { "example.com.。", "at most one dot", "example.com。" },
    { ".", "at least one label", "a." },
    { "-a.com", "label “-a” starts or ends with “-”", "a.com" },
    { "a-.com", "label “a-” starts or ends with “-”", "a.com" },
    { "a.-com", "label “-com” starts or ends with “-”", "a.com" },
    { "a/b.com", "character “/” is not allowed", "ab.com" },
    { "*.example.com", "character “*” is not allowed", "www.example.com" },
    { "a@b.com", "character “@” is not allowed", "b.com" },
    { "exa＠mple.com", "character “@” is not allowed", "example.com" },
    { "256.0.0.1", "must be an IPv4 address", "255.0.0.1" },
    { "1.2.3.4.5", "must be an IPv4 address", "1.2.3.4" },
    { "1.2.3.256", "must be an IPv4 address", "1.2.3.255" },
    { "08.0.0.1", "must be an IPv4 address", "07.0.0.1" },
    { "4294967296", "must be an IPv4 address", "4294967295" },
    { "1.2.3.0x100", "must be an IPv4 address", "1.2.3.0xff" },
    { "example.0x", "must be an IPv4 address", "example.0xg" },
    { "example.123", "must be an IPv4 address", "example.123a" },
    { "1..2", "must be an IPv4 address", "1.2" },
    { "a:b", "not a valid IPv6 address", "a" },
    { "example.com:443", "not a valid IPv6 address", "example.com" },
    { "1:2:3:4:5:6:7:8:9", "not a valid IPv6 address", "1:2:3:4:5:6:7:8" },
    { "[::1", "without a closing", "[::1]" },
    { "::1]", "without an opening", "::1" },
    { "[]", "brackets may only hold an IPv6 address", "[::]" },
    { "[127.0.0.1]", "brackets may only hold an IPv6 address", "127.0.0.1" },
    { "[example.com]", "brackets may only hold an IPv6 address", "example.com" },
    { "[::1]:80", "unexpected text after “]”; a host has no port here", "[::1]" },
    { "::ffff:127.1", "not a valid IPv6 address", "::ffff:127.0.0.1" },
    { "xn--zz.example", "not valid punycode", "xn--bcher-kva.example" },
    { "xn--abc.example", "not valid punycode", "abc.example" },
    { "xn--abc-.example", "label “xn--abc-” starts or ends with “-”", "abc.example" },
    { "xn--ab-c.example", "not valid punycode", "ab-c.example" },
    { "xn--.example", "label “xn--” starts or ends with “-”", "xn--bcher-kva.example" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *control = NULL;

      assert_host_rejected (cases[i].input, cases[i].problem);

      control = paddock_host_canonicalize (cases[i].control, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (control);
    }

  assert_host_rejected (name_label64, "is 64 bytes long; at most 63");
  assert_canonical (name_label63, name_label63, PADDOCK_HOST_NAME);
  g_assert_cmpuint (strlen (name254), ==, 254);
  assert_host_rejected (name254, "the name is 254 bytes long; at most 253");
  assert_canonical (name253, name253, PADDOCK_HOST_NAME);
}

static void
test_canonicalize_message (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *canonical = NULL;

  /* The refused value is quoted with its control characters escaped, so a
   * hostile host cannot start a new line in a log. */
  canonical = paddock_host_canonicalize ("evil.com\r\nX-Injected: 1", NULL, &error);
  g_assert_null (canonical);
  g_assert_error (error, PADDOCK_HOST_ERROR, PADDOCK_HOST_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "“evil.com\\r\\nX-Injected: 1”: a line break (CR/LF) is not allowed; "
                   "accepted: a name such as example.com, an IPv4 address such as "
                   "10.0.0.1, an IPv6 address such as ::1 or [::1]");
  g_assert_null (strchr (error->message, '\n'));
  g_assert_null (strchr (error->message, '\r'));
  g_clear_error (&error);

  canonical = paddock_host_canonicalize ("exa\u202Emple.com", NULL, &error);
  g_assert_null (canonical);
  g_assert_true (g_str_has_prefix (error->message,
                                   "“exa\\u202Emple.com”: invisible formatting character U+202E"));
  g_clear_error (&error);

  canonical = paddock_host_canonicalize ("ex\xff" "ample.com", NULL, &error);
  g_assert_null (canonical);
  g_assert_true (g_str_has_prefix (error->message, "“ex\\xFFample.com”: not valid UTF-8"));
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_clear_error (&error);

  canonical = paddock_host_canonicalize ("Example.COM", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (canonical, ==, "example.com");
}

static void
test_authority (void)
{
  static const struct
  {
    const char      *input;
    const char      *host;
    guint16          port;
    PaddockHostKind  kind;
  } cases[] = {
    { "example.com", "example.com", 0, PADDOCK_HOST_NAME },
    { "Example.com:443", "example.com", 443, PADDOCK_HOST_NAME },
    { "example.com.:80", "example.com", 80, PADDOCK_HOST_NAME },
    { "bücher.example:8443", "xn--bcher-kva.example", 8443, PADDOCK_HOST_NAME },
    { "host:1", "host", 1, PADDOCK_HOST_NAME },
    { "host:65535", "host", 65535, PADDOCK_HOST_NAME },
    { "host:080", "host", 80, PADDOCK_HOST_NAME },
    { "127.1:22", "127.0.0.1", 22, PADDOCK_HOST_IPV4 },
    { "0x7f000001:8080", "127.0.0.1", 8080, PADDOCK_HOST_IPV4 },
    { "[::1]", "::1", 0, PADDOCK_HOST_IPV6 },
    { "[::1]:8080", "::1", 8080, PADDOCK_HOST_IPV6 },
    { "[2001:DB8::1]:443", "2001:db8::1", 443, PADDOCK_HOST_IPV6 },
    { "[::ffff:127.0.0.1]:80", "127.0.0.1", 80, PADDOCK_HOST_IPV4 },
    /* Without brackets, every colon belongs to the IPv6 address. */
    { "::1", "::1", 0, PADDOCK_HOST_IPV6 },
    { "::1:80", "::1:80", 0, PADDOCK_HOST_IPV6 },
    { "2001:db8::1:443", "2001:db8::1:443", 0, PADDOCK_HOST_IPV6 },
    { "::ffff:7f00:1", "127.0.0.1", 0, PADDOCK_HOST_IPV4 },
  };
  static const RejectCase rejected[] = {
    { "host:", "the port after “:” is empty", "host:1" },
    { "host:0", "port 0 is not a destination", "host:1" },
    { "host:65536", "port “65536” is out of range", "host:65535" },
    { "host:99999999999999999999", "is out of range", "host:9999" },
    { "host:+1", "port “+1” is not a number", "host:1" },
    { "host:-1", "port “-1” is not a number", "host:1" },
    { "host:1a", "port “1a” is not a number", "host:1" },
    { "host:0x50", "port “0x50” is not a number", "host:80" },
    { "host: 80", "whitespace", "host:80" },
    { "host:80 ", "whitespace", "host:80" },
    { "host:80\r\n", "line break", "host:80" },
    { "[::1", "without a closing", "[::1]" },
    { "[::1]80", "unexpected text after “]”", "[::1]:80" },
    { "[::1]:", "the port after “:” is empty", "[::1]:1" },
    { "[::1]:65536", "out of range", "[::1]:65535" },
    { ":80", "empty host", "a:80" },
    { "", "empty host", "a" },
    { "[example.com]:80", "brackets may only hold an IPv6 address", "example.com:80" },
    { "[127.0.0.1]:80", "brackets may only hold an IPv6 address", "127.0.0.1:80" },
    { "a:b:c", "not a valid IPv6 address", "a:1" },
    { "256.1.1.1:80", "must be an IPv4 address", "255.1.1.1:80" },
    { "fe80::1%eth0", "zone IDs", "fe80::1" },
    { "[fe80::1%25eth0]:80", "zone IDs", "[fe80::1]:80" },
    { "exa mple.com:80", "whitespace", "example.com:80" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *host = NULL;
      guint16 port = 12345;
      PaddockHostKind kind = (PaddockHostKind) -1;

      g_assert_true (paddock_host_parse_authority (cases[i].input, &host, &port, &kind, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (host, ==, cases[i].host);
      g_assert_cmpuint (port, ==, cases[i].port);
      g_assert_cmpint (kind, ==, cases[i].kind);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (rejected); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *host = NULL;
      guint16 port = 12345;

      g_assert_false (paddock_host_parse_authority (rejected[i].input, &host, &port, NULL, &error));
      g_assert_error (error, PADDOCK_HOST_ERROR, PADDOCK_HOST_ERROR_INVALID);
      g_assert_null (host);
      g_assert_cmpuint (port, ==, 12345);
      assert_message_contains (error, rejected[i].input, rejected[i].problem);
      assert_message_contains (error, rejected[i].input,
                               "accepted: example.com, example.com:443, 10.0.0.1:80, [::1]:8080");
      g_clear_error (&error);

      g_assert_true (paddock_host_parse_authority (rejected[i].control, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
    }
}

typedef struct
{
  const char      *host;
  PaddockHostKind  kind;
  guint16          port;
  gboolean         strict;
  gboolean         matches;
} MatchCase;

static void
assert_matches (const char      *pattern_text,
                const MatchCase *cases,
                gsize            n_cases)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockHostPattern) pattern = paddock_host_pattern_new (pattern_text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (pattern);

  for (gsize i = 0; i < n_cases; i++)
    {
      gboolean matched = paddock_host_pattern_match (pattern, cases[i].host, cases[i].kind,
                                                     cases[i].port, cases[i].strict);

      g_test_message ("%s vs %s port %u strict %d: %d",
                      pattern_text, cases[i].host, cases[i].port, cases[i].strict, matched);
      g_assert_cmpint (matched, ==, cases[i].matches);
    }
}

static void
test_pattern_exact (void)
{
  static const MatchCase cases[] = {
    { "example.com", PADDOCK_HOST_NAME, 0, TRUE, TRUE },
    { "example.com", PADDOCK_HOST_NAME, 443, TRUE, TRUE },
    { "www.example.com", PADDOCK_HOST_NAME, 0, FALSE, FALSE },
    { "evil-example.com", PADDOCK_HOST_NAME, 0, FALSE, FALSE },
    { "example.com.evil.org", PADDOCK_HOST_NAME, 0, FALSE, FALSE },
    { "xample.com", PADDOCK_HOST_NAME, 0, FALSE, FALSE },
    { "com", PADDOCK_HOST_NAME, 0, FALSE, FALSE },
  };

  assert_matches ("example.com", cases, G_N_ELEMENTS (cases));
  assert_matches ("EXAMPLE.com.", cases, G_N_ELEMENTS (cases));
}

static void
test_pattern_subdomains (void)
{
  static const MatchCase cases[] = {
    { "www.example.com", PADDOCK_HOST_NAME, 0, TRUE, TRUE },
    { "a.b.c.example.com", PADDOCK_HOST_NAME, 0, TRUE, TRUE },
    { "_acme.example.com", PADDOCK_HOST_NAME, 0, TRUE, TRUE },
    { "example.com", PADDOCK_HOST_NAME, 0, FALSE, FALSE },
    { "evil-example.com", PADDOCK_HOST_NAME, 0, FALSE, FALSE },
    { "wwwexample.com", PADDOCK_HOST_NAME, 0, FALSE, FALSE },
    { "example.com.evil.org", PADDOCK_HOST_NAME, 0, FALSE, FALSE },
    { "www.example.com.evil.org", PADDOCK_HOST_NAME, 0, FALSE, FALSE },
    { "example.org", PADDOCK_HOST_NAME, 0, FALSE, FALSE },
  };

  assert_matches ("*.example.com", cases, G_N_ELEMENTS (cases));
  assert_matches ("*.Example.COM.", cases, G_N_ELEMENTS (cases));
}

static void
test_pattern_subdomains_and_apex (void)
{
  static const MatchCase cases[] = {
    { "example.com", PADDOCK_HOST_NAME, 0, TRUE, TRUE },
    { "www.example.com", PADDOCK_HOST_NAME, 0, TRUE, TRUE },
    { "a.b.c.d.example.com", PADDOCK_HOST_NAME, 0, TRUE, TRUE },
    { "evil-example.com", PADDOCK_HOST_NAME, 0, FALSE, FALSE },
    { "wwwexample.com", PADDOCK_HOST_NAME, 0, FALSE, FALSE },
    { "example.com.evil.org", PADDOCK_HOST_NAME, 0, FALSE, FALSE },
    { "com", PADDOCK_HOST_NAME, 0, FALSE, FALSE },
  };
  static const MatchCase idn_cases[] = {
    { "xn--bcher-kva.example", PADDOCK_HOST_NAME, 0, TRUE, TRUE },
    { "shop.xn--bcher-kva.example", PADDOCK_HOST_NAME, 0, TRUE, TRUE },
    { "bcher.example", PADDOCK_HOST_NAME, 0, FALSE, FALSE },
  };

  assert_matches ("**.example.com", cases, G_N_ELEMENTS (cases));
  assert_matches ("**.bücher.example", idn_cases, G_N_ELEMENTS (idn_cases));
  assert_matches ("**.xn--bcher-kva.example", idn_cases, G_N_ELEMENTS (idn_cases));
}

static void
test_pattern_ports (void)
{
  static const MatchCase with_port[] = {
    { "example.com", PADDOCK_HOST_NAME, 443, TRUE, TRUE },
    { "example.com", PADDOCK_HOST_NAME, 443, FALSE, TRUE },
    { "example.com", PADDOCK_HOST_NAME, 80, TRUE, FALSE },
    { "example.com", PADDOCK_HOST_NAME, 80, FALSE, FALSE },
    /* Unknown port: an allow rule must not assume it is 443, a deny rule must. */
    { "example.com", PADDOCK_HOST_NAME, 0, TRUE, FALSE },
    { "example.com", PADDOCK_HOST_NAME, 0, FALSE, TRUE },
    { "other.com", PADDOCK_HOST_NAME, 443, FALSE, FALSE },
    { "other.com", PADDOCK_HOST_NAME, 0, FALSE, FALSE },
  };
  static const MatchCase wildcard_port[] = {
    { "api.example.com", PADDOCK_HOST_NAME, 8443, TRUE, TRUE },
    { "api.example.com", PADDOCK_HOST_NAME, 443, TRUE, FALSE },
    { "api.example.com", PADDOCK_HOST_NAME, 0, TRUE, FALSE },
    { "api.example.com", PADDOCK_HOST_NAME, 0, FALSE, TRUE },
    { "example.com", PADDOCK_HOST_NAME, 8443, TRUE, FALSE },
  };
  static const MatchCase apex_port[] = {
    { "example.com", PADDOCK_HOST_NAME, 22, TRUE, TRUE },
    { "git.example.com", PADDOCK_HOST_NAME, 22, TRUE, TRUE },
    { "git.example.com", PADDOCK_HOST_NAME, 2222, FALSE, FALSE },
  };
  static const MatchCase any_port[] = {
    { "example.com", PADDOCK_HOST_NAME, 0, TRUE, TRUE },
    { "example.com", PADDOCK_HOST_NAME, 0, FALSE, TRUE },
    { "example.com", PADDOCK_HOST_NAME, 1, TRUE, TRUE },
    { "example.com", PADDOCK_HOST_NAME, 65535, TRUE, TRUE },
  };
  static const MatchCase ip_port[] = {
    { "::1", PADDOCK_HOST_IPV6, 8080, TRUE, TRUE },
    { "::1", PADDOCK_HOST_IPV6, 8081, FALSE, FALSE },
    { "::1", PADDOCK_HOST_IPV6, 0, TRUE, FALSE },
    { "::1", PADDOCK_HOST_IPV6, 0, FALSE, TRUE },
    { "::2", PADDOCK_HOST_IPV6, 8080, TRUE, FALSE },
  };

  assert_matches ("example.com:443", with_port, G_N_ELEMENTS (with_port));
  assert_matches ("*.example.com:8443", wildcard_port, G_N_ELEMENTS (wildcard_port));
  assert_matches ("**.example.com:22", apex_port, G_N_ELEMENTS (apex_port));
  assert_matches ("example.com", any_port, G_N_ELEMENTS (any_port));
  assert_matches ("[::1]:8080", ip_port, G_N_ELEMENTS (ip_port));
}

static void
test_pattern_ip (void)
{
  static const MatchCase loopback[] = {
    { "127.0.0.1", PADDOCK_HOST_IPV4, 0, TRUE, TRUE },
    { "127.0.0.2", PADDOCK_HOST_IPV4, 0, FALSE, FALSE },
    { "::1", PADDOCK_HOST_IPV6, 0, FALSE, FALSE },
    /* A name never meets an IP pattern, whatever it resolves to. */
    { "localhost", PADDOCK_HOST_NAME, 0, FALSE, FALSE },
    /* Non-canonical mapped IPv6 handed in as IPv6 still is the IPv4 host. */
    { "::ffff:127.0.0.1", PADDOCK_HOST_IPV6, 0, TRUE, TRUE },
  };
  static const MatchCase v6[] = {
    { "2001:db8::1", PADDOCK_HOST_IPV6, 0, TRUE, TRUE },
    { "2001:db8::2", PADDOCK_HOST_IPV6, 0, FALSE, FALSE },
    { "2001:db8::1", PADDOCK_HOST_NAME, 0, FALSE, FALSE },
  };
  static const MatchCase net10[] = {
    { "10.0.0.0", PADDOCK_HOST_IPV4, 0, TRUE, TRUE },
    { "10.255.255.255", PADDOCK_HOST_IPV4, 0, TRUE, TRUE },
    { "10.1.2.3", PADDOCK_HOST_IPV4, 22, TRUE, TRUE },
    { "11.0.0.0", PADDOCK_HOST_IPV4, 0, FALSE, FALSE },
    { "9.255.255.255", PADDOCK_HOST_IPV4, 0, FALSE, FALSE },
    /* Mapped addresses meet IPv4 ranges. */
    { "::ffff:10.1.2.3", PADDOCK_HOST_IPV6, 0, FALSE, TRUE },
    { "::ffff:a01:203", PADDOCK_HOST_IPV6, 0, FALSE, TRUE },
    { "::ffff:11.1.2.3", PADDOCK_HOST_IPV6, 0, FALSE, FALSE },
    { "::10.1.2.3", PADDOCK_HOST_IPV6, 0, FALSE, FALSE },
    { "10.example.com", PADDOCK_HOST_NAME, 0, FALSE, FALSE },
  };
  static const MatchCase net172[] = {
    { "172.16.0.1", PADDOCK_HOST_IPV4, 0, TRUE, TRUE },
    { "172.31.255.255", PADDOCK_HOST_IPV4, 0, TRUE, TRUE },
    { "172.32.0.0", PADDOCK_HOST_IPV4, 0, FALSE, FALSE },
    { "172.15.255.255", PADDOCK_HOST_IPV4, 0, FALSE, FALSE },
  };
  static const MatchCase ula[] = {
    { "fd00::1", PADDOCK_HOST_IPV6, 0, TRUE, TRUE },
    { "fdff:ffff::1", PADDOCK_HOST_IPV6, 0, TRUE, TRUE },
    { "fe00::1", PADDOCK_HOST_IPV6, 0, FALSE, FALSE },
    { "fc00::1", PADDOCK_HOST_IPV6, 0, FALSE, FALSE },
    { "253.0.0.1", PADDOCK_HOST_IPV4, 0, FALSE, FALSE },
  };
  static const MatchCase doc48[] = {
    { "2001:db8:1::5", PADDOCK_HOST_IPV6, 0, TRUE, TRUE },
    { "2001:db8:1:ffff::", PADDOCK_HOST_IPV6, 0, TRUE, TRUE },
    { "2001:db8:2::", PADDOCK_HOST_IPV6, 0, FALSE, FALSE },
  };
  static const MatchCase all_v4[] = {
    { "1.2.3.4", PADDOCK_HOST_IPV4, 0, TRUE, TRUE },
    { "255.255.255.255", PADDOCK_HOST_IPV4, 0, TRUE, TRUE },
    { "::1", PADDOCK_HOST_IPV6, 0, FALSE, FALSE },
    { "example.com", PADDOCK_HOST_NAME, 0, FALSE, FALSE },
  };

  assert_matches ("127.0.0.1", loopback, G_N_ELEMENTS (loopback));
  assert_matches ("0x7f.1", loopback, G_N_ELEMENTS (loopback));
  assert_matches ("[::ffff:7f00:1]", loopback, G_N_ELEMENTS (loopback));
  assert_matches ("2001:DB8:0::1", v6, G_N_ELEMENTS (v6));
  assert_matches ("[2001:db8::1]", v6, G_N_ELEMENTS (v6));
  assert_matches ("10.0.0.0/8", net10, G_N_ELEMENTS (net10));
  assert_matches ("012.0.0.0/8", net10, G_N_ELEMENTS (net10));
  assert_matches ("::ffff:10.0.0.0/104", net10, G_N_ELEMENTS (net10));
  assert_matches ("172.16.0.0/12", net172, G_N_ELEMENTS (net172));
  assert_matches ("fd00::/8", ula, G_N_ELEMENTS (ula));
  assert_matches ("2001:db8:1::/48", doc48, G_N_ELEMENTS (doc48));
  assert_matches ("0.0.0.0/0", all_v4, G_N_ELEMENTS (all_v4));
}

static void
test_pattern_kinds_do_not_cross (void)
{
  static const MatchCase ip_hosts_vs_names[] = {
    { "127.0.0.1", PADDOCK_HOST_IPV4, 0, FALSE, FALSE },
    { "::1", PADDOCK_HOST_IPV6, 0, FALSE, FALSE },
    { "localhost", PADDOCK_HOST_NAME, 0, FALSE, TRUE },
  };
  static const MatchCase wildcard_vs_ip[] = {
    { "1.0.0.127.in-addr.arpa", PADDOCK_HOST_NAME, 0, FALSE, TRUE },
    { "127.0.0.1", PADDOCK_HOST_IPV4, 0, FALSE, FALSE },
  };

  assert_matches ("localhost", ip_hosts_vs_names, G_N_ELEMENTS (ip_hosts_vs_names));
  assert_matches ("**.0.0.127.in-addr.arpa", wildcard_vs_ip, G_N_ELEMENTS (wildcard_vs_ip));
}

/* The point of the module: every spelling of loopback meets a deny rule
 * written in any spelling of loopback. */
static void
test_pattern_spellings_of_loopback (void)
{
  static const char *hosts[] = {
    "127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "0x7f.1",
    "017700000001", "127.0.0.1.", "::ffff:127.0.0.1", "::ffff:7f00:1",
    "[::FFFF:7F00:0001]", "１２７．０．０．１", "127.0.0.254",
  };
  static const char *patterns[] = {
    "127.0.0.0/8", "0177.0.0.0/8", "::ffff:127.0.0.0/104", "[::ffff:7f00:0]/104",
  };

  for (gsize p = 0; p < G_N_ELEMENTS (patterns); p++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PaddockHostPattern) pattern = paddock_host_pattern_new (patterns[p], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (paddock_host_pattern_get_text (pattern), ==, "127.0.0.0/8");

      for (gsize h = 0; h < G_N_ELEMENTS (hosts); h++)
        {
          g_autofree char *host = NULL;
          PaddockHostKind kind;

          host = paddock_host_canonicalize (hosts[h], &kind, &error);
          g_assert_no_error (error);
          g_assert_cmpint (kind, ==, PADDOCK_HOST_IPV4);
          g_assert_true (paddock_host_pattern_match (pattern, host, kind, 0, FALSE));
          g_assert_true (paddock_host_pattern_match (pattern, host, kind, 443, TRUE));
        }
    }
}

static void
test_pattern_canonical_text (void)
{
  static const struct
  {
    const char *input;
    const char *text;
    const char *base;
    guint16     port;
    gboolean    is_ip;
  } cases[] = {
    { "EXAMPLE.com.", "example.com", "example.com", 0, FALSE },
    { "example.com:443", "example.com:443", "example.com", 443, FALSE },
    { "*.Example.COM", "*.example.com", "example.com", 0, FALSE },
    { "**.example.com:22", "**.example.com:22", "example.com", 22, FALSE },
    { "*.Bücher.Example:443", "*.xn--bcher-kva.example:443", "xn--bcher-kva.example", 443, FALSE },
    { "*.example.co.uk", "*.example.co.uk", "example.co.uk", 0, FALSE },
    { "**.app.localhost", "**.app.localhost", "app.localhost", 0, FALSE },
    { "*.github.com", "*.github.com", "github.com", 0, FALSE },
    { "*.user.github.io", "*.user.github.io", "user.github.io", 0, FALSE },
    { "com", "com", "com", 0, FALSE },
    { "0x7f.1:80", "127.0.0.1:80", NULL, 80, TRUE },
    { "2130706433", "127.0.0.1", NULL, 0, TRUE },
    { "[::FFFF:127.0.0.1]:80", "127.0.0.1:80", NULL, 80, TRUE },
    { "[2001:DB8::1]:8080", "[2001:db8::1]:8080", NULL, 8080, TRUE },
    { "[2001:DB8::1]", "2001:db8::1", NULL, 0, TRUE },
    { "2001:db8:0:0:0:0:0:1", "2001:db8::1", NULL, 0, TRUE },
    { "0177.0.0.0/8", "127.0.0.0/8", NULL, 0, TRUE },
    { "FD00::/8", "fd00::/8", NULL, 0, TRUE },
    { "[fd00::]/8", "fd00::/8", NULL, 0, TRUE },
    { "::ffff:10.0.0.0/104", "10.0.0.0/8", NULL, 0, TRUE },
    { "0.0.0.0/0", "0.0.0.0/0", NULL, 0, TRUE },
    { "::/0", "::/0", NULL, 0, TRUE },
    { "10.1.2.3/32", "10.1.2.3/32", NULL, 0, TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PaddockHostPattern) pattern = paddock_host_pattern_new (cases[i].input, &error);

      g_test_message ("%s", cases[i].input);
      g_assert_no_error (error);
      g_assert_cmpstr (paddock_host_pattern_get_text (pattern), ==, cases[i].text);
      g_assert_cmpstr (paddock_host_pattern_get_base (pattern), ==, cases[i].base);
      g_assert_cmpuint (paddock_host_pattern_get_port (pattern), ==, cases[i].port);
      g_assert_cmpint (paddock_host_pattern_is_ip (pattern), ==, cases[i].is_ip);
    }
}

static void
test_pattern_rejected (void)
{
  static const RejectCase cases[] = {
    { "", "empty pattern", "example.com" },
    { "*", "a bare “*” would match every host", "*.example.com" },
    { "**", "a bare “**” would match every host", "**.example.com" },
    { "*:443", "a bare “*” would match every host", "*.example.com:443" },
    { "*.com", "got public suffix “com”", "*.example.com" },
    { "**.com", "got public suffix “com”", "**.example.com" },
    { "**.co.uk", "got public suffix “co.uk”", "**.example.co.uk" },
    { "*.CO.UK.", "got public suffix “co.uk”", "*.example.co.uk" },
    { "*.github.io", "got public suffix “github.io”", "*.user.github.io" },
    { "*.рф", "got public suffix “xn--p1ai”", "*.пример.рф" },
    { "*.localhost", "got single label “localhost”", "*.app.localhost" },
    { "*.corp", "got single label “corp”", "*.internal.corp" },
    { "*example.com", "only accepted as a leading “*.” or “**.”", "*.example.com" },
    { "www.*.example.com", "only accepted as a leading", "*.example.com" },
    { "*.*.example.com", "only accepted as a leading", "*.example.com" },
    { "***.example.com", "only accepted as a leading", "**.example.com" },
    { "ex*ample.com", "only accepted as a leading", "example.com" },
    { "example.*", "only accepted as a leading", "example.com" },
    { "*.10.0.0.1", "a wildcard applies to names, not IP addresses", "10.0.0.0/8" },
    { "**.[::1]", "a wildcard applies to names, not IP addresses", "[::1]" },
    { "example.com:0", "port 0 is not a destination", "example.com:1" },
    { "example.com:65536", "port “65536” is out of range", "example.com:65535" },
    { "*.example.com:", "the port after “:” is empty", "*.example.com:443" },
    { "example.com:https", "port “https” is not a number", "example.com:443" },
    { "[::1]:0", "port 0", "[::1]:1" },
    { "10.0.0.0/33", "prefix /33 is out of range for an IPv4 address (/0 to /32)", "10.0.0.0/32" },
    { "fd00::/129", "prefix /129 is out of range for an IPv6 address (/0 to /128)", "fd00::/128" },
    { "10.0.0.0/", "CIDR prefix “” is not a number", "10.0.0.0/8" },
    { "10.0.0.0/08", "CIDR prefix “08” is not a number", "10.0.0.0/8" },
    { "10.0.0.0/-1", "CIDR prefix “-1” is not a number", "0.0.0.0/1" },
    { "10.0.0.0/1000", "CIDR prefix “1000” is not a number", "10.0.0.0/10" },
    { "10.0.0.1/8", "host bits are set beyond /8; the range is written 10.0.0.0/8", "10.0.0.0/8" },
    { "fd00::1/8", "the range is written fd00::/8", "fd00::/8" },
    { "10.0.0.0/8/8", "more than one “/”", "10.0.0.0/8" },
    { "10.0.0.0/8:443", "a CIDR range takes no port", "10.0.0.0:443" },
    { "::ffff:10.0.0.0/8", "an IPv4-mapped range needs a prefix of /96 to /128", "::ffff:10.0.0.0/104" },
    { "example.com/8", "“/” may only follow an IP address", "example.com" },
    { "example.com/path", "patterns hold no URL paths", "example.com" },
    { "https://example.com", "a pattern is a host, not a URL", "example.com" },
    { "256.0.0.1", "must be an IPv4 address", "255.0.0.1" },
    { "256.0.0.0/8", "must be an IPv4 address", "255.0.0.0/8" },
    { "exa mple.com", "whitespace", "example.com" },
    { "example.com\n", "line break", "example.com" },
    { "*.exa\tmple.com", "whitespace", "*.example.com" },
    { "[::1", "without a closing", "[::1]" },
    { "fe80::1%eth0", "zone IDs", "fe80::1" },
    { "-bad.example.com", "starts or ends with “-”", "good.example.com" },
    { "*.a..b.com", "empty label", "*.a.b.com" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PaddockHostPattern) pattern = paddock_host_pattern_new (cases[i].input, &error);
      g_autoptr(PaddockHostPattern) control = NULL;

      g_assert_null (pattern);
      g_assert_error (error, PADDOCK_HOST_ERROR, PADDOCK_HOST_ERROR_INVALID);
      assert_message_contains (error, cases[i].input, cases[i].problem);
      assert_message_contains (error, cases[i].input, "; " ACCEPTED_PATTERNS);
      g_clear_error (&error);

      control = paddock_host_pattern_new (cases[i].control, &error);
      g_assert_no_error (error);
      g_assert_nonnull (control);
    }
}

static void
test_pattern_message (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockHostPattern) pattern = NULL;

  pattern = paddock_host_pattern_new ("*.com", &error);
  g_assert_null (pattern);
  g_assert_error (error, PADDOCK_HOST_ERROR, PADDOCK_HOST_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "“*.com”: a wildcard must sit on a registrable domain "
                   "(got public suffix “com”); " ACCEPTED_PATTERNS);
  g_clear_error (&error);

  pattern = paddock_host_pattern_new ("10.0.0.0/33", &error);
  g_assert_null (pattern);
  g_assert_cmpstr (error->message, ==,
                   "“10.0.0.0/33”: prefix /33 is out of range for an IPv4 address "
                   "(/0 to /32); " ACCEPTED_PATTERNS);
  g_clear_error (&error);

  pattern = paddock_host_pattern_new ("*.example.com", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (paddock_host_pattern_get_text (pattern), ==, "*.example.com");
}

int
main (int   argc,
      char *argv[])
{
  /* Only so that g_test_message() shows the quoted values readably. */
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/host/canonicalize/ipv4", test_canonicalize_ipv4);
  g_test_add_func ("/host/canonicalize/ipv6", test_canonicalize_ipv6);
  g_test_add_func ("/host/canonicalize/names", test_canonicalize_names);
  g_test_add_func ("/host/canonicalize/rejected", test_canonicalize_rejected);
  g_test_add_func ("/host/canonicalize/message", test_canonicalize_message);
  g_test_add_func ("/host/authority", test_authority);
  g_test_add_func ("/host/pattern/exact", test_pattern_exact);
  g_test_add_func ("/host/pattern/subdomains", test_pattern_subdomains);
  g_test_add_func ("/host/pattern/subdomains-and-apex", test_pattern_subdomains_and_apex);
  g_test_add_func ("/host/pattern/ports", test_pattern_ports);
  g_test_add_func ("/host/pattern/ip", test_pattern_ip);
  g_test_add_func ("/host/pattern/kinds-do-not-cross", test_pattern_kinds_do_not_cross);
  g_test_add_func ("/host/pattern/spellings-of-loopback", test_pattern_spellings_of_loopback);
  g_test_add_func ("/host/pattern/canonical-text", test_pattern_canonical_text);
  g_test_add_func ("/host/pattern/rejected", test_pattern_rejected);
  g_test_add_func ("/host/pattern/message", test_pattern_message);

  return g_test_run ();
}
