/* paddock-policy-file.h: changes Paddock makes to a policy file of its
 * own keeping
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Each change creates the file and its folders when missing, replaces it
 * atomically, keeps it private (0600), and is refused (the file left as
 * it was) when the result would not load as a policy or the file does
 * not hold a JSON object. */

/* Adds "host:port" (or "host" for port 0) to network.allow; adding what
 * is there already changes nothing. */
gboolean paddock_policy_file_add_network_allow (const char          *path,
                                                const char          *host,
                                                guint16              port,
                                                GError             **error);
/* @section.@key = @value ("sandbox", "mode", "read-only"); NULL removes
 * it, so the layers below decide again. */
gboolean paddock_policy_file_set_string        (const char          *path,
                                                const char          *section,
                                                const char          *key,
                                                const char          *value,
                                                GError             **error);
/* The strings of the list @section.@key; none when the file or the key
 * is missing. */
gboolean paddock_policy_file_get_list          (const char          *path,
                                                const char          *section,
                                                const char          *key,
                                                GStrv               *values,
                                                GError             **error);
/* Replaces the list @section.@key; an empty or NULL list removes it. */
gboolean paddock_policy_file_set_list          (const char          *path,
                                                const char          *section,
                                                const char          *key,
                                                const char * const  *values,
                                                GError             **error);

G_END_DECLS
