/* paddock-net-address.h: which addresses a sandboxed command must never
 * reach, whatever name led to them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  PADDOCK_ADDRESS_PUBLIC = 0,
  PADDOCK_ADDRESS_PRIVATE,         /* RFC 1918, fc00::/7: dialled unless policy denies private ranges */
  PADDOCK_ADDRESS_LOOPBACK,
  PADDOCK_ADDRESS_UNSPECIFIED,
  PADDOCK_ADDRESS_LINK_LOCAL,
  PADDOCK_ADDRESS_MULTICAST,
  PADDOCK_ADDRESS_BROADCAST,
  PADDOCK_ADDRESS_SHARED,          /* 100.64.0.0/10, carrier-grade NAT */
  PADDOCK_ADDRESS_RESERVED,        /* 0/8, 240/4, documentation and benchmarking ranges, … */
  PADDOCK_ADDRESS_METADATA,        /* cloud instance metadata */
  PADDOCK_ADDRESS_HOST_INTERFACE,  /* one of this machine's own addresses */
} PaddockAddressClass;

/* The class of @address. IPv6 forms that carry an IPv4 address
 * (mapped, compatible, NAT64, 6to4, Teredo) are judged by that address,
 * the stricter of the two. @host_addresses (GInetAddress*, nullable)
 * are this machine's own. */
PaddockAddressClass  paddock_net_address_classify       (GInetAddress *address,
                                                         GPtrArray    *host_addresses);
/* Whether a connection to an address of @klass may be made; private
 * ranges only when @allow_private. */
gboolean             paddock_net_address_class_is_allowed (PaddockAddressClass klass,
                                                           gboolean            allow_private);
const char          *paddock_net_address_class_to_string (PaddockAddressClass  klass);
/* This machine's interface addresses and their broadcast addresses,
 * GInetAddress*. */
GPtrArray           *paddock_net_address_list_host       (void);
/* Names that lead to cloud metadata services, refused before any lookup. */
gboolean             paddock_net_address_is_metadata_name (const char         *host);

G_END_DECLS
