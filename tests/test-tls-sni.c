/* test-tls-sni.c: the server name in a real ClientHello
 *
 * The hellos come from GnuTLS through GIO, as a client in the sandbox
 * would send them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>

#include "paddock-tls-sni.h"
#include "test-proxy-util.h"
#include "test-util.h"

static void
test_real_hello (void)
{
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("Paddock.Example.COM", 443);
  g_autoptr(GBytes) hello = test_client_hello (identity);
  g_autofree char *name = NULL;
  const guint8 *data;
  gsize length;

  if (hello == NULL)
    {
      g_test_skip ("no TLS backend (glib-networking)");
      return;
    }
  data = g_bytes_get_data (hello, &length);
  g_assert_cmpint (paddock_tls_sni_parse (data, length, &name), ==, PADDOCK_TLS_SNI_FOUND);
  g_assert_cmpstr (name, ==, "paddock.example.com");

  /* Every shorter prefix only asks for more. */
  for (gsize i = 0; i < length; i++)
    {
      g_autofree char *partial = NULL;

      g_assert_cmpint (paddock_tls_sni_parse (data, i, &partial), ==, PADDOCK_TLS_SNI_NEED_MORE);
      g_assert_null (partial);
    }
}

/* The same handshake cut into two records, as a client may send it. */
static void
test_split_records (void)
{
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("split.example.org", 443);
  g_autoptr(GBytes) hello = test_client_hello (identity);
  g_autoptr(GByteArray) split = g_byte_array_new ();
  g_autofree char *name = NULL;
  const guint8 *data;
  gsize length, body, first;
  guint8 header[5];

  if (hello == NULL)
    {
      g_test_skip ("no TLS backend (glib-networking)");
      return;
    }
  data = g_bytes_get_data (hello, &length);
  body = (data[3] << 8) | data[4];
  g_assert_cmpuint (length, ==, 5 + body);
  first = 3;  /* not even the handshake header fits in the first record */

  memcpy (header, data, 3);
  header[3] = first >> 8;
  header[4] = first & 0xff;
  g_byte_array_append (split, header, 5);
  g_byte_array_append (split, data + 5, first);
  header[3] = (body - first) >> 8;
  header[4] = (body - first) & 0xff;
  g_byte_array_append (split, header, 5);
  g_byte_array_append (split, data + 5 + first, body - first);

  g_assert_cmpint (paddock_tls_sni_parse (split->data, split->len, &name), ==, PADDOCK_TLS_SNI_FOUND);
  g_assert_cmpstr (name, ==, "split.example.org");
}

/* A client that greets an IP address sends no name (RFC 6066). */
static void
test_no_name (void)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketConnectable) identity = G_SOCKET_CONNECTABLE (g_inet_socket_address_new (loopback, 443));
  g_autoptr(GBytes) hello = test_client_hello (identity);
  g_autofree char *name = NULL;
  gsize length;
  const guint8 *data;

  if (hello == NULL)
    {
      g_test_skip ("no TLS backend (glib-networking)");
      return;
    }
  data = g_bytes_get_data (hello, &length);
  g_assert_cmpint (paddock_tls_sni_parse (data, length, &name), ==, PADDOCK_TLS_SNI_ABSENT);
  g_assert_null (name);
}

static void
test_not_tls (void)
{
  static const struct
  {
    const char *data;
    gsize length;
  } others[] = {
    { "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", 37 },
    { "SSH-2.0-OpenSSH_9.2\r\n", 21 },
    { "\x16\x02\x00\x00\x05hello", 10 },              /* SSL 2 version */
    { "\x17\x03\x03\x00\x05hello", 10 },              /* application data first */
    { "\x16\x03\x01\x00\x04\x02\x00\x00\x00", 9 },   /* a ServerHello */
  };

  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    {
      g_autofree char *name = NULL;

      g_assert_cmpint (paddock_tls_sni_parse ((const guint8 *) others[i].data, others[i].length, &name),
                       ==, PADDOCK_TLS_SNI_NOT_TLS);
      g_assert_null (name);
    }
}

/* Damaged hellos are refused or asked to go on, never read past their
 * end (the sanitizer builds would see it). */
static void
test_damaged (void)
{
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("damaged.example.net", 443);
  g_autoptr(GBytes) hello = test_client_hello (identity);
  const guint8 *data;
  gsize length;

  if (hello == NULL)
    {
      g_test_skip ("no TLS backend (glib-networking)");
      return;
    }
  data = g_bytes_get_data (hello, &length);
  for (guint round = 0; round < 20000; round++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, length);
      g_autofree char *name = NULL;
      gsize cut = g_random_int_range (1, length + 1);

      copy[g_random_int_range (5, length)] = g_random_int_range (0, 256);
      paddock_tls_sni_parse (copy, cut, &name);
      if (name != NULL)
        g_assert_cmpuint (strlen (name), >, 0);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tls-sni/real-hello", test_real_hello);
  g_test_add_func ("/tls-sni/split-records", test_split_records);
  g_test_add_func ("/tls-sni/no-name", test_no_name);
  g_test_add_func ("/tls-sni/not-tls", test_not_tls);
  g_test_add_func ("/tls-sni/damaged", test_damaged);

  return g_test_run ();
}
