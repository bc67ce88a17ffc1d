/* paddock-json.h: reading JSON that came from elsewhere (a store, a
 * provider), where a member may be missing or of another type
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Member @name of @object (nullable) when it is a string, else @fallback. */
const char *paddock_json_get_string (JsonObject *object,
                                     const char *name,
                                     const char *fallback);
/* Member @name of @object (nullable) when it is an integer, else @fallback. */
gint64      paddock_json_get_int    (JsonObject *object,
                                     const char *name,
                                     gint64      fallback);

G_END_DECLS
