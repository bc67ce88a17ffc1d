/* paddock-paths.h: where each layer lives on this machine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Call first in main(), before any thread or GSettings exists. In a
 * production build it drops the variables with which a user's
 * environment could swap the administrator's locked GSettings for
 * others (GSETTINGS_BACKEND, DCONF_PROFILE, GSETTINGS_SCHEMA_DIR); a
 * development build keeps them for the tests. */
void        paddock_paths_init             (void);

/* /etc/paddock. Only a development build lets PADDOCK_SYSCONFDIR move
 * it (for tests); a production build offers no way to replace the
 * managed or system layers. */
const char *paddock_paths_get_sysconfdir   (void);
/* $XDG_CONFIG_HOME/paddock */
char       *paddock_paths_dup_user_config  (void);
/* $XDG_CACHE_HOME/paddock */
char       *paddock_paths_dup_cache        (void);

G_END_DECLS
