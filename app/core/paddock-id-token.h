/* paddock-id-token.h: an OpenID Connect ID token, checked before
 * anything in it is believed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define PADDOCK_IDENTITY_ERROR (paddock_identity_error_quark ())

typedef enum
{
  PADDOCK_IDENTITY_ERROR_MALFORMED,    /* not a JWS compact serialization, or bad JSON */
  PADDOCK_IDENTITY_ERROR_ALGORITHM,    /* not RS256 (none, HS256… are refused) */
  PADDOCK_IDENTITY_ERROR_UNKNOWN_KEY,  /* no key of the issuer's JWKS has its kid */
  PADDOCK_IDENTITY_ERROR_SIGNATURE,    /* the signature does not verify */
  PADDOCK_IDENTITY_ERROR_ISSUER,
  PADDOCK_IDENTITY_ERROR_AUDIENCE,
  PADDOCK_IDENTITY_ERROR_EXPIRED,
  PADDOCK_IDENTITY_ERROR_NOT_YET_VALID,
  PADDOCK_IDENTITY_ERROR_REPLAY,       /* a state or nonce that is not the one sent */
  PADDOCK_IDENTITY_ERROR_DENIED,       /* the person (or the provider) said no */
  PADDOCK_IDENTITY_ERROR_PROVIDER,     /* the provider cannot be reached or answered wrongly */
  PADDOCK_IDENTITY_ERROR_FORBIDDEN,    /* the enforced layers' identity rules refuse this login */
  PADDOCK_IDENTITY_ERROR_NOT_SIGNED_IN,
  PADDOCK_IDENTITY_ERROR_SIGN_IN_AGAIN, /* the login ended: refresh refused, or expired without one */
} PaddockIdentityError;

GQuark paddock_identity_error_quark (void);

/* How far clocks may disagree, in seconds. */
#define PADDOCK_ID_TOKEN_LEEWAY_S 60

/* Checks @jwt (an ID token) against the issuer's @jwks (its
 * jwks_uri document): an RS256 signature by the key its kid names, then
 * "iss" equal to @issuer, @client_id among "aud" (and "azp" when there
 * are several), "exp" not past and "nbf"/"iat" not in the future at
 * @now_unix (give a leeway of PADDOCK_ID_TOKEN_LEEWAY_S). Returns the
 * claims, or NULL with an error that says which check failed and why. */
JsonObject *paddock_id_token_verify (const char  *jwt,
                                     JsonNode    *jwks,
                                     const char  *issuer,
                                     const char  *client_id,
                                     gint64       now_unix,
                                     GError     **error);

G_END_DECLS
