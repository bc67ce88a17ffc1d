/* paddock-oidc.h: the parts of OpenID Connect sign-in that need no
 * network: an issuer's discovery document, checked, and PKCE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "paddock-id-token.h"

G_BEGIN_DECLS

/* What an issuer's /.well-known/openid-configuration says, once checked. */
typedef struct
{
  char *issuer;
  char *authorization_endpoint;
  char *token_endpoint;
  char *jwks_uri;
  char *device_authorization_endpoint;  /* nullable: RFC 8628 is optional */
  char *revocation_endpoint;            /* nullable */
  gboolean supports_s256;               /* PKCE with SHA-256 */
} PaddockOidcProvider;

void                 paddock_oidc_provider_free  (PaddockOidcProvider *provider);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaddockOidcProvider, paddock_oidc_provider_free)

/* An issuer URL Paddock signs in with: https, or http on localhost for
 * tests; no query or fragment (OpenID Connect Discovery §2). */
gboolean             paddock_oidc_issuer_is_valid (const char  *issuer,
                                                   GError     **error);
/* Where @issuer's discovery document is. */
char                *paddock_oidc_discovery_url  (const char  *issuer);
/* Checks @document, fetched from @issuer's discovery URL: its "issuer"
 * must be @issuer exactly (OpenID Connect Discovery §4.3), and every
 * endpoint https on the same rules as the issuer. @length -1: up to
 * the NUL. */
PaddockOidcProvider *paddock_oidc_provider_new_from_discovery (const char  *issuer,
                                                              const char  *document,
                                                              gssize       length,
                                                              GError     **error);

/* A fresh PKCE verifier (RFC 7636: 43 characters from 32 random bytes)
 * and its S256 challenge. */
void                 paddock_oidc_pkce_new       (char       **verifier,
                                                  char       **challenge);
/* A fresh value for "state" or "nonce": 32 random bytes, base64url. */
char                *paddock_oidc_random_token   (void);
/* The S256 challenge of @verifier. */
char                *paddock_oidc_pkce_challenge (const char  *verifier);

G_END_DECLS
