/* paddock-net-address.c
 *
 * A name the policy allows may still lead somewhere no command should
 * go: the machine itself, its neighbours, or a cloud's metadata service
 * that hands out credentials. The proxy resolves an allowed name once,
 * drops every address classed here as not allowed, and dials one that
 * survives, so a name that resolves to 127.0.0.1 (or is made to, by DNS
 * rebinding) reaches nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

#include "paddock-net-address.h"

#define IPV4(a, b, c, d) (((guint32) (a) << 24) | ((guint32) (b) << 16) | ((guint32) (c) << 8) | (guint32) (d))

static gboolean
in_range (guint32 address,
          guint32 network,
          guint   prefix)
{
  guint32 mask = prefix == 0 ? 0 : ~(guint32) 0 << (32 - prefix);

  return (address & mask) == (network & mask);
}

static PaddockAddressClass
classify_ipv4 (guint32 a)
{
  static const struct
  {
    guint32 network;
    guint prefix;
    PaddockAddressClass klass;
  } ranges[] = {
    /* Exact addresses first: they sit inside wider ranges. */
    { IPV4 (169, 254, 169, 254), 32, PADDOCK_ADDRESS_METADATA },  /* AWS, GCP, Azure, OpenStack, … */
    { IPV4 (169, 254, 170, 2), 32, PADDOCK_ADDRESS_METADATA },    /* AWS ECS task credentials */
    { IPV4 (100, 100, 100, 200), 32, PADDOCK_ADDRESS_METADATA },  /* Alibaba Cloud */
    { IPV4 (255, 255, 255, 255), 32, PADDOCK_ADDRESS_BROADCAST },
    { IPV4 (0, 0, 0, 0), 32, PADDOCK_ADDRESS_UNSPECIFIED },
    { IPV4 (0, 0, 0, 0), 8, PADDOCK_ADDRESS_RESERVED },
    { IPV4 (127, 0, 0, 0), 8, PADDOCK_ADDRESS_LOOPBACK },
    { IPV4 (10, 0, 0, 0), 8, PADDOCK_ADDRESS_PRIVATE },
    { IPV4 (172, 16, 0, 0), 12, PADDOCK_ADDRESS_PRIVATE },
    { IPV4 (192, 168, 0, 0), 16, PADDOCK_ADDRESS_PRIVATE },
    { IPV4 (100, 64, 0, 0), 10, PADDOCK_ADDRESS_SHARED },
    { IPV4 (169, 254, 0, 0), 16, PADDOCK_ADDRESS_LINK_LOCAL },
    { IPV4 (192, 0, 0, 0), 24, PADDOCK_ADDRESS_RESERVED },
    { IPV4 (192, 0, 2, 0), 24, PADDOCK_ADDRESS_RESERVED },
    { IPV4 (192, 88, 99, 0), 24, PADDOCK_ADDRESS_RESERVED },
    { IPV4 (198, 18, 0, 0), 15, PADDOCK_ADDRESS_RESERVED },
    { IPV4 (198, 51, 100, 0), 24, PADDOCK_ADDRESS_RESERVED },
    { IPV4 (203, 0, 113, 0), 24, PADDOCK_ADDRESS_RESERVED },
    { IPV4 (224, 0, 0, 0), 4, PADDOCK_ADDRESS_MULTICAST },
    { IPV4 (240, 0, 0, 0), 4, PADDOCK_ADDRESS_RESERVED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    if (in_range (a, ranges[i].network, ranges[i].prefix))
      return ranges[i].klass;
  return PADDOCK_ADDRESS_PUBLIC;
}

static guint32
read_ipv4 (const guint8 *bytes)
{
  return IPV4 (bytes[0], bytes[1], bytes[2], bytes[3]);
}

static gboolean
has_prefix (const guint8 *bytes,
            const guint8 *prefix,
            guint         bits)
{
  guint whole = bits / 8, rest = bits % 8;

  if (memcmp (bytes, prefix, whole) != 0)
    return FALSE;
  return rest == 0 || ((bytes[whole] ^ prefix[whole]) & (0xff << (8 - rest))) == 0;
}

/* The IPv4 address an IPv6 address stands for, if it is one of the
 * forms that carry one. Teredo carries two: the server and the client. */
static guint
embedded_ipv4 (const guint8 *b,
               guint32       out[2])
{
  static const guint8 zero[12] = { 0 };
  static const guint8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  static const guint8 nat64[12] = { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 };
  static const guint8 nat64_local[6] = { 0, 0x64, 0xff, 0x9b, 0, 0x01 };
  static const guint8 six_to_four[2] = { 0x20, 0x02 };
  static const guint8 teredo[4] = { 0x20, 0x01, 0, 0 };

  if (memcmp (b, mapped, 12) == 0 || memcmp (b, nat64, 12) == 0 || has_prefix (b, nat64_local, 48))
    {
      out[0] = read_ipv4 (b + 12);
      return 1;
    }
  /* IPv4-compatible, ::a.b.c.d, but not :: or ::1. */
  if (memcmp (b, zero, 12) == 0 && read_ipv4 (b + 12) > 1)
    {
      out[0] = read_ipv4 (b + 12);
      return 1;
    }
  if (has_prefix (b, six_to_four, 16))
    {
      out[0] = read_ipv4 (b + 2);
      return 1;
    }
  if (has_prefix (b, teredo, 32))
    {
      out[0] = read_ipv4 (b + 4);
      out[1] = ~read_ipv4 (b + 12);
      return 2;
    }
  return 0;
}

static PaddockAddressClass
classify_ipv6 (const guint8 *b)
{
  static const guint8 any[16] = { 0 };
  static const guint8 loopback[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
  static const guint8 aws_metadata[16] = { 0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54 };
  static const struct
  {
    guint8 prefix[16];
    guint bits;
    PaddockAddressClass klass;
  } ranges[] = {
    { { 0xfe, 0x80 }, 10, PADDOCK_ADDRESS_LINK_LOCAL },
    { { 0xfe, 0xc0 }, 10, PADDOCK_ADDRESS_PRIVATE },   /* the old site-local */
    { { 0xfc }, 7, PADDOCK_ADDRESS_PRIVATE },
    { { 0xff }, 8, PADDOCK_ADDRESS_MULTICAST },
    { { 0x20, 0x01, 0x0d, 0xb8 }, 32, PADDOCK_ADDRESS_RESERVED },  /* documentation */
    { { 0x01, 0, 0, 0, 0, 0, 0, 0 }, 64, PADDOCK_ADDRESS_RESERVED }, /* discard */
  };
  guint32 inner[2];
  guint n_inner;

  if (memcmp (b, any, 16) == 0)
    return PADDOCK_ADDRESS_UNSPECIFIED;
  if (memcmp (b, loopback, 16) == 0)
    return PADDOCK_ADDRESS_LOOPBACK;
  if (memcmp (b, aws_metadata, 16) == 0)
    return PADDOCK_ADDRESS_METADATA;

  n_inner = embedded_ipv4 (b, inner);
  for (guint i = 0; i < n_inner; i++)
    {
      PaddockAddressClass klass = classify_ipv4 (inner[i]);

      if (klass != PADDOCK_ADDRESS_PUBLIC)
        return klass;
    }

  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    if (has_prefix (b, ranges[i].prefix, ranges[i].bits))
      return ranges[i].klass;
  return PADDOCK_ADDRESS_PUBLIC;
}

/* The same address, with an IPv4-mapped IPv6 one taken as its IPv4. */
static gboolean
same_address (GInetAddress *a,
              GInetAddress *b)
{
  guint8 a4[4], b4[4];
  const guint8 *ab = g_inet_address_to_bytes (a), *bb = g_inet_address_to_bytes (b);
  gsize al = g_inet_address_get_native_size (a), bl = g_inet_address_get_native_size (b);
  static const guint8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

  if (al == 16 && memcmp (ab, mapped, 12) == 0)
    {
      memcpy (a4, ab + 12, 4);
      ab = a4;
      al = 4;
    }
  if (bl == 16 && memcmp (bb, mapped, 12) == 0)
    {
      memcpy (b4, bb + 12, 4);
      bb = b4;
      bl = 4;
    }
  return al == bl && memcmp (ab, bb, al) == 0;
}

PaddockAddressClass
paddock_net_address_classify (GInetAddress *address,
                              GPtrArray    *host_addresses)
{
  const guint8 *bytes;
  PaddockAddressClass klass;

  g_return_val_if_fail (G_IS_INET_ADDRESS (address), PADDOCK_ADDRESS_RESERVED);

  bytes = g_inet_address_to_bytes (address);
  klass = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4 ? classify_ipv4 (read_ipv4 (bytes))
                                                                       : classify_ipv6 (bytes);

  if ((klass == PADDOCK_ADDRESS_PUBLIC || klass == PADDOCK_ADDRESS_PRIVATE) && host_addresses != NULL)
    for (guint i = 0; i < host_addresses->len; i++)
      if (same_address (address, g_ptr_array_index (host_addresses, i)))
        return PADDOCK_ADDRESS_HOST_INTERFACE;

  return klass;
}

gboolean
paddock_net_address_class_is_allowed (PaddockAddressClass klass,
                                      gboolean            allow_private)
{
  return klass == PADDOCK_ADDRESS_PUBLIC || (klass == PADDOCK_ADDRESS_PRIVATE && allow_private);
}

const char *
paddock_net_address_class_to_string (PaddockAddressClass klass)
{
  static const char * const names[] = {
    [PADDOCK_ADDRESS_PUBLIC] = "public",
    [PADDOCK_ADDRESS_PRIVATE] = "private",
    [PADDOCK_ADDRESS_LOOPBACK] = "loopback",
    [PADDOCK_ADDRESS_UNSPECIFIED] = "unspecified",
    [PADDOCK_ADDRESS_LINK_LOCAL] = "link-local",
    [PADDOCK_ADDRESS_MULTICAST] = "multicast",
    [PADDOCK_ADDRESS_BROADCAST] = "broadcast",
    [PADDOCK_ADDRESS_SHARED] = "shared (carrier-grade NAT)",
    [PADDOCK_ADDRESS_RESERVED] = "reserved",
    [PADDOCK_ADDRESS_METADATA] = "cloud metadata",
    [PADDOCK_ADDRESS_HOST_INTERFACE] = "this machine's own",
  };

  g_return_val_if_fail (klass < G_N_ELEMENTS (names), "reserved");
  return names[klass];
}

static GInetAddress *
address_from_sockaddr (const struct sockaddr *sa)
{
  g_autoptr(GSocketAddress) socket_address = NULL;

  if (sa == NULL || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
    return NULL;
  socket_address = g_socket_address_new_from_native ((gpointer) sa,
                                                     sa->sa_family == AF_INET ? sizeof (struct sockaddr_in)
                                                                              : sizeof (struct sockaddr_in6));
  if (!G_IS_INET_SOCKET_ADDRESS (socket_address))
    return NULL;
  return g_object_ref (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (socket_address)));
}

GPtrArray *
paddock_net_address_list_host (void)
{
  GPtrArray *addresses = g_ptr_array_new_with_free_func (g_object_unref);
  struct ifaddrs *list = NULL;

  if (getifaddrs (&list) != 0)
    return addresses;

  for (struct ifaddrs *i = list; i != NULL; i = i->ifa_next)
    {
      GInetAddress *address = address_from_sockaddr (i->ifa_addr);

      if (address != NULL)
        g_ptr_array_add (addresses, address);
      if ((i->ifa_flags & IFF_BROADCAST) && (address = address_from_sockaddr (i->ifa_broadaddr)) != NULL)
        g_ptr_array_add (addresses, address);
    }
  freeifaddrs (list);
  return addresses;
}

gboolean
paddock_net_address_is_metadata_name (const char *host)
{
  static const char * const names[] = {
    "metadata.google.internal", "metadata.goog", "metadata", "instance-data",
    "instance-data.ec2.internal", "metadata.tencentyun.com", "metadata.platformequinix.com",
    NULL,
  };
  g_autofree char *lower = NULL;
  gsize length;

  g_return_val_if_fail (host != NULL, TRUE);

  lower = g_ascii_strdown (host, -1);
  length = strlen (lower);
  if (length > 0 && lower[length - 1] == '.')
    lower[length - 1] = '\0';
  return g_strv_contains (names, lower);
}
