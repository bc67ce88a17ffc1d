/* paddock-paths.h: where each layer lives on this machine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* /etc/paddock. Only a development build lets PADDOCK_SYSCONFDIR move
 * it (for tests); a production build offers no way to replace the
 * managed or system layers. */
const char *paddock_paths_get_sysconfdir   (void);
/* $XDG_CONFIG_HOME/paddock */
char       *paddock_paths_dup_user_config  (void);
/* $XDG_CACHE_HOME/paddock */
char       *paddock_paths_dup_cache        (void);

G_END_DECLS
