/* paddock-host.h: canonical host names, IP literals and network patterns
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  PADDOCK_HOST_NAME,
  PADDOCK_HOST_IPV4,
  PADDOCK_HOST_IPV6,
} PaddockHostKind;

char     *paddock_host_canonicalize      (const char       *host,
                                          PaddockHostKind  *kind,
                                          GError          **error);
gboolean  paddock_host_parse_authority   (const char       *authority,
                                          char            **host,
                                          guint16          *port,
                                          PaddockHostKind  *kind,
                                          GError          **error);

typedef struct _PaddockHostPattern PaddockHostPattern;

PaddockHostPattern *paddock_host_pattern_new      (const char               *text,
                                                   GError                  **error);
void                paddock_host_pattern_free     (PaddockHostPattern       *pattern);
const char         *paddock_host_pattern_get_text (const PaddockHostPattern *pattern);
guint16             paddock_host_pattern_get_port (const PaddockHostPattern *pattern);
gboolean            paddock_host_pattern_is_ip    (const PaddockHostPattern *pattern);
const char         *paddock_host_pattern_get_base (const PaddockHostPattern *pattern);
gboolean            paddock_host_pattern_match    (const PaddockHostPattern *pattern,
                                                   const char               *host,
                                                   PaddockHostKind           kind,
                                                   guint16                   port,
                                                   gboolean                  strict_port);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaddockHostPattern, paddock_host_pattern_free)

G_END_DECLS
