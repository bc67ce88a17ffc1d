/* paddock-accounts.h: the logins Paddock keeps, in the keychain only,
 * and the organisation's rules about them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "paddock-policy.h"
#include "paddock-sign-in.h"

G_BEGIN_DECLS

/* The resource of the organisation's login; an MCP server's login has
 * the server's URL instead. */
#define PADDOCK_ACCOUNTS_ORGANIZATION "paddock"

/* A token is renewed when it has less than this left, in seconds. */
#define PADDOCK_ACCOUNTS_REFRESH_MARGIN_S 60

/* One login, as the keychain keeps it; never a token. */
typedef struct
{
  char *issuer;
  char *resource;
  char *account;        /* the ID token's subject */
  char *client_id;
  char *name;           /* for people: e-mail, user name, name, or the subject */
  JsonObject *claims;   /* of the ID token, verified when it came */
  gint64 signed_in_at;  /* unix time */
  gint64 expires_at;    /* of the access token; 0 when the provider did not say */
  gboolean can_refresh;
  char *ended;          /* nullable: why it must be signed in again */
} PaddockLogin;

void          paddock_login_free (PaddockLogin *login);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaddockLogin, paddock_login_free)

/* The value of the claim @policy names as the organisation ("org"
 * unless identity.organization_claim says otherwise), or NULL. */
char         *paddock_login_dup_organization (PaddockLogin  *login,
                                              PaddockPolicy *policy);

/* The enforced layers' identity rules, for the organisation's login:
 * whether @issuer may be used at all, and whether an ID token's
 * @claims are for the required organisation. Refusals
 * (PADDOCK_IDENTITY_ERROR_FORBIDDEN) name the layer, file and line. */
gboolean      paddock_accounts_check_issuer  (PaddockPolicy  *policy,
                                              const char     *issuer,
                                              GError        **error);
gboolean      paddock_accounts_check_claims  (PaddockPolicy  *policy,
                                              JsonObject     *claims,
                                              GError        **error);
/* What `login` uses when not told: identity.issuer's first entry and
 * identity.client_id; NULL when the policy names none. */
char         *paddock_accounts_dup_default_issuer    (PaddockPolicy *policy);
char         *paddock_accounts_dup_default_client_id (PaddockPolicy *policy);

/* Keeps @tokens as the login to @issuer for @resource, replacing any
 * earlier one there. */
PaddockLogin *paddock_accounts_save          (const char     *issuer,
                                              const char     *client_id,
                                              const char     *resource,
                                              PaddockTokens  *tokens,
                                              GError        **error);
/* The logins for @resource (NULL: all), oldest first. */
GPtrArray    *paddock_accounts_list          (const char     *resource,
                                              GError        **error);
/* The organisation's login: the newest that @policy's identity rules
 * allow. NULL without @error when there is none. */
PaddockLogin *paddock_accounts_find_organization (PaddockPolicy  *policy,
                                                  GError        **error);
/* Removes the organisation's logins @policy no longer allows; the
 * reasons, one per login removed. */
GPtrArray    *paddock_accounts_enforce       (PaddockPolicy  *policy,
                                              GError        **error);
/* Signs out: the provider is asked to revoke the refresh token, then
 * every entry of the login goes. @note says when the provider could not
 * be told. FALSE with @error only when the keychain failed; no login
 * there is PADDOCK_IDENTITY_ERROR_NOT_SIGNED_IN. */
gboolean      paddock_accounts_remove        (const char     *issuer,
                                              const char     *resource,
                                              char          **note,
                                              GError        **error);
/* A valid access token for the login, renewed first when it has less
 * than PADDOCK_ACCOUNTS_REFRESH_MARGIN_S left; free it with
 * paddock_keychain_free(). A renewal the provider refuses ends the login
 * (PADDOCK_IDENTITY_ERROR_SIGN_IN_AGAIN, saying why); one it cannot be
 * asked keeps the login. Blocks: call it from a thread or a CLI. */
char         *paddock_accounts_get_access_token (const char     *issuer,
                                                 const char     *resource,
                                                 GCancellable   *cancellable,
                                                 GError        **error);

/* paddock_accounts_get_access_token() for
 * paddock_accounts_find_organization()'s login. */
char         *paddock_accounts_get_organization_token (PaddockPolicy  *policy,
                                                       GCancellable   *cancellable,
                                                       GError        **error);

/* paddock_accounts_enforce() (when @policy is not NULL), then
 * paddock_accounts_list() for every resource, in a thread. */
void          paddock_accounts_list_async     (PaddockPolicy       *policy,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
GPtrArray    *paddock_accounts_list_finish    (GAsyncResult        *result,
                                               GPtrArray          **removed,
                                               GError             **error);
/* paddock_accounts_remove(), in a thread. */
void          paddock_accounts_remove_async   (const char          *issuer,
                                               const char          *resource,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean      paddock_accounts_remove_finish  (GAsyncResult        *result,
                                               char               **note,
                                               GError             **error);

/* Signs in with @sign_in and keeps the login for @resource: the issuer
 * is checked before the person is asked, the claims before anything is
 * kept. */
void          paddock_accounts_sign_in_async  (PaddockSignIn       *sign_in,
                                               const char          *resource,
                                               gboolean             device,
                                               PaddockPolicy       *policy,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
PaddockLogin *paddock_accounts_sign_in_finish (GAsyncResult        *result,
                                               GError             **error);

G_END_DECLS
