/* paddock-tls-sni.h: the server name a TLS client asks for
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  PADDOCK_TLS_SNI_NEED_MORE,  /* the ClientHello is not complete yet */
  PADDOCK_TLS_SNI_FOUND,
  PADDOCK_TLS_SNI_ABSENT,     /* a ClientHello without a server name */
  PADDOCK_TLS_SNI_NOT_TLS,    /* not a TLS ClientHello, or a malformed one */
} PaddockTlsSniResult;

/* Reads the server name from the first bytes a TLS client sends, which
 * may span several records. @name is set, lower-cased, with FOUND. */
PaddockTlsSniResult paddock_tls_sni_parse (const guint8  *data,
                                           gsize          length,
                                           char         **name);

G_END_DECLS
