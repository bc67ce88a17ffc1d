/* paddock-policy-file.h: changes Paddock makes to a policy file of its
 * own keeping
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Adds "host:port" (or "host" for port 0) to network.allow in the JSON
 * policy at @path, creating the file and its folders when missing. The
 * file is replaced atomically and kept private (0600); one that does
 * not hold a JSON object is left alone and reported. Adding what is
 * there already changes nothing. */
gboolean paddock_policy_file_add_network_allow (const char  *path,
                                                const char  *host,
                                                guint16      port,
                                                GError     **error);

G_END_DECLS
