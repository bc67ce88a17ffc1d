/* paddock-requirements-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Parses @url when it can name the requirements (see
 * paddock_requirements_check_url()), else NULL with @reason set. */
GUri *_paddock_requirements_parse_url      (const char  *url,
                                            const char  *display_url,
                                            char       **reason);
/* @uri without its userinfo, which would be a credential. */
char *_paddock_requirements_uri_to_display (GUri        *uri);

G_END_DECLS
