/* test-provider.h: a real OpenID provider on loopback for the tests
 * (oauth2-mock-server from npm, extended by tests/oidc/provider.mjs)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _TestProvider TestProvider;

/* Starts the provider; NULL when PADDOCK_OIDC_MODULES is not set (the
 * test program then skips). */
TestProvider *test_provider_start      (void);
void          test_provider_stop       (TestProvider *provider);
const char   *test_provider_get_issuer (TestProvider *provider);
/* GET @path there, as a person's browser would; the body. */
char         *test_provider_get        (TestProvider *provider,
                                        const char   *path);
/* POST the form @... (name, value pairs, NULL-ended) to @path; the
 * status, and the body in @body. */
guint         test_provider_post       (TestProvider *provider,
                                        const char   *path,
                                        char        **body,
                                        ...) G_GNUC_NULL_TERMINATED;
/* Sets the provider's forgery or quirk (tests/oidc/provider.mjs). */
void          test_provider_set_mode   (TestProvider *provider,
                                        const char   *mode);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestProvider, test_provider_stop)

G_END_DECLS
