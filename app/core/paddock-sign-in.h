/* paddock-sign-in.h: signing in with OpenID Connect, by a browser on
 * this machine (authorization code with PKCE, RFC 8252) or a code typed
 * elsewhere (device authorization, RFC 8628)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "paddock-oidc.h"

G_BEGIN_DECLS

/* What a sign-in yields; the ID token's claims are checked. */
typedef struct
{
  char *access_token;
  char *refresh_token;      /* nullable; after a refresh, NULL keeps the old one */
  char *id_token;           /* nullable after a refresh, which may keep the old one */
  gint64 expires_at;        /* unix time of the access token's end; 0 when not said */
  JsonObject *claims;       /* of the verified ID token; NULL without one */
} PaddockTokens;

void paddock_tokens_free (PaddockTokens *tokens);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaddockTokens, paddock_tokens_free)

/* Takes the person to @uri: a browser for the authorization code flow;
 * for the device flow, somewhere to type @user_code (non-NULL then). */
typedef void (*PaddockSignInShowFunc) (const char *uri,
                                       const char *user_code,
                                       gpointer    user_data);

#define PADDOCK_TYPE_SIGN_IN (paddock_sign_in_get_type ())

G_DECLARE_FINAL_TYPE (PaddockSignIn, paddock_sign_in, PADDOCK, SIGN_IN, GObject)

/* A sign-in with @issuer (checked as paddock_oidc_issuer_is_valid()
 * checks it) as the client @client_id. */
PaddockSignIn *paddock_sign_in_new         (const char             *issuer,
                                            const char             *client_id,
                                            GError                **error);
const char    *paddock_sign_in_get_issuer    (PaddockSignIn        *self);
const char    *paddock_sign_in_get_client_id (PaddockSignIn        *self);
void           paddock_sign_in_set_show_func (PaddockSignIn        *self,
                                              PaddockSignInShowFunc func,
                                              gpointer              user_data);
/* Signs in, with the device flow when @device; the browser flow waits
 * for the redirect on 127.0.0.1 at a random port. */
void           paddock_sign_in_run_async   (PaddockSignIn          *self,
                                            gboolean                device,
                                            GCancellable           *cancellable,
                                            GAsyncReadyCallback     callback,
                                            gpointer                user_data);
PaddockTokens *paddock_sign_in_run_finish  (PaddockSignIn          *self,
                                            GAsyncResult           *result,
                                            GError                **error);

/* New tokens for @refresh_token. An ID token that comes with them must
 * be for @subject (nullable: anyone). */
void           paddock_sign_in_refresh_async  (PaddockSignIn       *self,
                                               const char          *refresh_token,
                                               const char          *subject,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
PaddockTokens *paddock_sign_in_refresh_finish (PaddockSignIn       *self,
                                               GAsyncResult        *result,
                                               GError             **error);
/* Tells the provider to forget @refresh_token (RFC 7009). */
void           paddock_sign_in_revoke_async   (PaddockSignIn       *self,
                                               const char          *refresh_token,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean       paddock_sign_in_revoke_finish  (PaddockSignIn       *self,
                                               GAsyncResult        *result,
                                               GError             **error);

G_END_DECLS
