/* test-net-address.c: the addresses the proxy never dials
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "paddock-net-address.h"
#include "test-util.h"

static void
test_classes (void)
{
  static const struct
  {
    const char *address;
    PaddockAddressClass klass;
  } cases[] = {
    /* The controls: ordinary public addresses. */
    { "93.184.216.34", PADDOCK_ADDRESS_PUBLIC },
    { "2606:2800:220:1:248:1893:25c8:1946", PADDOCK_ADDRESS_PUBLIC },
    { "8.8.8.8", PADDOCK_ADDRESS_PUBLIC },
    { "2002:5db8:d822::1", PADDOCK_ADDRESS_PUBLIC },       /* 6to4 of a public address */
    { "64:ff9b::5db8:d822", PADDOCK_ADDRESS_PUBLIC },      /* NAT64 of a public address */

    { "127.0.0.1", PADDOCK_ADDRESS_LOOPBACK },
    { "127.255.0.9", PADDOCK_ADDRESS_LOOPBACK },
    { "::1", PADDOCK_ADDRESS_LOOPBACK },
    { "::ffff:127.0.0.1", PADDOCK_ADDRESS_LOOPBACK },      /* mapped */
    { "::127.0.0.1", PADDOCK_ADDRESS_LOOPBACK },           /* compatible */
    { "64:ff9b::7f00:1", PADDOCK_ADDRESS_LOOPBACK },       /* NAT64 */
    { "64:ff9b:1::7f00:1", PADDOCK_ADDRESS_LOOPBACK },     /* local-use NAT64 */
    { "2002:7f00:1::", PADDOCK_ADDRESS_LOOPBACK },         /* 6to4 */
    { "2001:0:5db8:d822:0:0:80ff:fffe", PADDOCK_ADDRESS_LOOPBACK },  /* Teredo client 127.0.0.1 */
    { "0.0.0.0", PADDOCK_ADDRESS_UNSPECIFIED },
    { "::", PADDOCK_ADDRESS_UNSPECIFIED },
    { "::ffff:0.0.0.0", PADDOCK_ADDRESS_UNSPECIFIED },
    { "0.1.2.3", PADDOCK_ADDRESS_RESERVED },
    { "10.1.2.3", PADDOCK_ADDRESS_PRIVATE },
    { "172.31.255.1", PADDOCK_ADDRESS_PRIVATE },
    { "172.32.0.1", PADDOCK_ADDRESS_PUBLIC },
    { "192.168.1.1", PADDOCK_ADDRESS_PRIVATE },
    { "fd12:3456::1", PADDOCK_ADDRESS_PRIVATE },
    { "::ffff:10.0.0.1", PADDOCK_ADDRESS_PRIVATE },
    { "169.254.1.1", PADDOCK_ADDRESS_LINK_LOCAL },
    { "fe80::1", PADDOCK_ADDRESS_LINK_LOCAL },
    { "169.254.169.254", PADDOCK_ADDRESS_METADATA },
    { "::ffff:169.254.169.254", PADDOCK_ADDRESS_METADATA },
    { "64:ff9b::a9fe:a9fe", PADDOCK_ADDRESS_METADATA },
    { "fd00:ec2::254", PADDOCK_ADDRESS_METADATA },
    { "100.100.100.200", PADDOCK_ADDRESS_METADATA },
    { "169.254.170.2", PADDOCK_ADDRESS_METADATA },
    { "100.64.0.1", PADDOCK_ADDRESS_SHARED },
    { "100.127.255.254", PADDOCK_ADDRESS_SHARED },
    { "224.0.0.1", PADDOCK_ADDRESS_MULTICAST },
    { "ff02::1", PADDOCK_ADDRESS_MULTICAST },
    { "255.255.255.255", PADDOCK_ADDRESS_BROADCAST },
    { "240.0.0.1", PADDOCK_ADDRESS_RESERVED },
    { "192.0.2.1", PADDOCK_ADDRESS_RESERVED },
    { "198.18.0.1", PADDOCK_ADDRESS_RESERVED },
    { "2001:db8::1", PADDOCK_ADDRESS_RESERVED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (cases[i].address);
      PaddockAddressClass klass;

      g_assert_nonnull (address);
      klass = paddock_net_address_classify (address, NULL);
      if (klass != cases[i].klass)
        g_test_message ("%s: %s, expected %s", cases[i].address, paddock_net_address_class_to_string (klass),
                        paddock_net_address_class_to_string (cases[i].klass));
      g_assert_cmpint (klass, ==, cases[i].klass);
    }
}

static void
test_allowed (void)
{
  g_assert_true (paddock_net_address_class_is_allowed (PADDOCK_ADDRESS_PUBLIC, FALSE));
  g_assert_true (paddock_net_address_class_is_allowed (PADDOCK_ADDRESS_PRIVATE, TRUE));
  g_assert_false (paddock_net_address_class_is_allowed (PADDOCK_ADDRESS_PRIVATE, FALSE));
  for (PaddockAddressClass klass = PADDOCK_ADDRESS_LOOPBACK; klass <= PADDOCK_ADDRESS_HOST_INTERFACE; klass++)
    g_assert_false (paddock_net_address_class_is_allowed (klass, TRUE));
}

/* This machine's own addresses are never public, whatever range they
 * are in, and neither is their IPv4-mapped form. */
static void
test_host_interfaces (void)
{
  g_autoptr(GPtrArray) host = paddock_net_address_list_host ();
  gboolean found_loopback = FALSE;

  g_assert_cmpuint (host->len, >, 0);
  for (guint i = 0; i < host->len; i++)
    {
      GInetAddress *address = g_ptr_array_index (host, i);
      PaddockAddressClass klass = paddock_net_address_classify (address, host);
      g_autofree char *text = g_inet_address_to_string (address);

      g_test_message ("%s: %s", text, paddock_net_address_class_to_string (klass));
      g_assert_false (paddock_net_address_class_is_allowed (klass, TRUE));
      found_loopback |= klass == PADDOCK_ADDRESS_LOOPBACK;

      if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4 && klass == PADDOCK_ADDRESS_HOST_INTERFACE)
        {
          g_autofree char *mapped_text = g_strdup_printf ("::ffff:%s", text);
          g_autoptr(GInetAddress) mapped = g_inet_address_new_from_string (mapped_text);

          g_assert_cmpint (paddock_net_address_classify (mapped, host), ==, PADDOCK_ADDRESS_HOST_INTERFACE);
        }
    }
  g_assert_true (found_loopback);
}

static void
test_metadata_names (void)
{
  g_assert_true (paddock_net_address_is_metadata_name ("metadata.google.internal"));
  g_assert_true (paddock_net_address_is_metadata_name ("METADATA.Google.Internal."));
  g_assert_true (paddock_net_address_is_metadata_name ("metadata"));
  g_assert_false (paddock_net_address_is_metadata_name ("metadata.example.com"));
  g_assert_false (paddock_net_address_is_metadata_name ("github.com"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/net-address/classes", test_classes);
  g_test_add_func ("/net-address/allowed", test_allowed);
  g_test_add_func ("/net-address/host-interfaces", test_host_interfaces);
  g_test_add_func ("/net-address/metadata-names", test_metadata_names);

  return g_test_run ();
}
