/* test-sign-in.c: signing in against a real OpenID provider on
 * loopback (oauth2-mock-server from npm, with tests/oidc/provider.mjs
 * adding a device endpoint and forgeries); each refusal beside the
 * genuine sign-in, which must succeed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <libsoup/soup.h>

#include "paddock-sign-in.h"
#include "test-provider.h"

#define CLIENT "paddock-test"

static TestProvider *provider;
static const char *issuer;
static SoupSession *browser;

typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
  gboolean forge_state;
  gboolean away;          /* the person never comes back */
} Wait;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static void
on_page (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GBytes) page = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
}

/* The person: a browser that follows the provider back to Paddock (or,
 * to forge, comes back with another state); for a device code, the
 * person approving it on the provider's page. */
static void
show (const char *uri,
      const char *user_code,
      gpointer    user_data)
{
  Wait *wait = user_data;
  g_autoptr(SoupMessage) message = NULL;

  g_test_message ("shown: %s %s", uri, user_code ? user_code : "");
  if (wait->away)
    return;
  if (user_code != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/device?user_code=%s%s", user_code,
                                               wait->forge_state ? "&deny=1" : "");
      g_autofree char *answer = test_provider_get (provider, path);
      return;
    }
  if (wait->forge_state)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SoupMessage) authorize = soup_message_new (SOUP_METHOD_GET, uri);
      g_autoptr(GBytes) ignored = NULL;
      g_autoptr(GString) location = NULL;
      char *state;

      soup_message_add_flags (authorize, SOUP_MESSAGE_NO_REDIRECT);
      ignored = soup_session_send_and_read (browser, authorize, NULL, &error);
      g_assert_no_error (error);
      location = g_string_new (soup_message_headers_get_one (soup_message_get_response_headers (authorize),
                                                             "Location"));
      state = strstr (location->str, "state=");
      g_assert_nonnull (state);
      g_string_truncate (location, state - location->str);
      g_string_append (location, "state=forged");
      message = soup_message_new (SOUP_METHOD_GET, location->str);
    }
  else
    message = soup_message_new (SOUP_METHOD_GET, uri);
  soup_session_send_and_read_async (browser, message, G_PRIORITY_DEFAULT, NULL, on_page, NULL);
}

static gboolean
on_cancel (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static PaddockTokens *
sign_in_full (gboolean       device,
              gboolean       forge,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PaddockSignIn) sign_in = paddock_sign_in_new (issuer, CLIENT, &local_error);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait = { loop, NULL, forge, cancellable != NULL };

  g_assert_no_error (local_error);
  paddock_sign_in_set_show_func (sign_in, show, &wait);
  paddock_sign_in_run_async (sign_in, device, cancellable, on_done, &wait);
  g_main_loop_run (loop);
  result = wait.result;
  return paddock_sign_in_run_finish (sign_in, result, error);
}

static PaddockTokens *
sign_in (gboolean   device,
         gboolean   forge,
         GError   **error)
{
  return sign_in_full (device, forge, NULL, error);
}

/* Cancelled while the browser is away: the wait ends then, not after
 * minutes. */
static void
test_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockTokens) tokens = NULL;

  g_timeout_add (200, on_cancel, cancellable);
  tokens = sign_in_full (FALSE, FALSE, cancellable, &error);
  g_assert_null (tokens);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Through the browser: PKCE with S256, and an ID token that checks out
 * (the control for the forgeries below). */
static void
test_browser (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockTokens) tokens = sign_in (FALSE, FALSE, &error);
  g_autofree char *authorize = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (tokens->access_token);
  g_assert_nonnull (tokens->refresh_token);
  g_assert_cmpint (tokens->expires_at, >, g_get_real_time () / G_USEC_PER_SEC);
  g_assert_cmpstr (json_object_get_string_member (tokens->claims, "sub"), ==, "johndoe");
  g_assert_cmpstr (json_object_get_string_member (tokens->claims, "org"), ==, "acme");
  g_assert_cmpstr (json_object_get_string_member (tokens->claims, "aud"), ==, CLIENT);

  authorize = test_provider_get (provider, "/__test/last-authorize");
  g_assert_nonnull (strstr (authorize, "\"code_challenge_method\":\"S256\""));
  g_assert_nonnull (strstr (authorize, "\"redirect_uri\":\"http://127.0.0.1:"));
  g_assert_nonnull (strstr (authorize, "\"nonce\":\""));
}

/* A browser that comes back with a state this sign-in did not send. */
static void
test_wrong_state (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockTokens) tokens = sign_in (FALSE, TRUE, &error);

  g_assert_null (tokens);
  g_assert_error (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_REPLAY);
}

/* Forged ID tokens: each refused with what is wrong. */
static void
test_forged_id_tokens (void)
{
  struct { const char *mode; int code; } cases[] = {
    { "bad-sig", PADDOCK_IDENTITY_ERROR_SIGNATURE },
    { "bad-iss", PADDOCK_IDENTITY_ERROR_ISSUER },
    { "bad-aud", PADDOCK_IDENTITY_ERROR_AUDIENCE },
    { "expired", PADDOCK_IDENTITY_ERROR_EXPIRED },
    { "unknown-kid", PADDOCK_IDENTITY_ERROR_UNKNOWN_KEY },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PaddockTokens) tokens = NULL;

      test_provider_set_mode (provider, cases[i].mode);
      tokens = sign_in (FALSE, FALSE, &error);
      test_provider_set_mode (provider, "");
      g_assert_null (tokens);
      g_assert_error (error, PADDOCK_IDENTITY_ERROR, cases[i].code);
      g_test_message ("%s: %s", cases[i].mode, error->message);
    }
}

/* The device flow: the person types the code elsewhere and approves;
 * or denies, and nothing is signed in. */
static void
test_device (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockTokens) tokens = sign_in (TRUE, FALSE, &error);
  g_autoptr(GError) denial = NULL;
  g_autoptr(PaddockTokens) none = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (tokens->claims, "sub"), ==, "johndoe");

  none = sign_in (TRUE, TRUE, &denial);
  g_assert_null (none);
  g_assert_error (denial, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_DENIED);
}

static PaddockTokens *
refresh (const char  *refresh_token,
         GError     **error)
{
  g_autoptr(PaddockSignIn) sign_in = paddock_sign_in_new (issuer, CLIENT, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait = { loop, NULL, FALSE, FALSE };

  paddock_sign_in_refresh_async (sign_in, refresh_token, "johndoe", NULL, on_done, &wait);
  g_main_loop_run (loop);
  result = wait.result;
  return paddock_sign_in_refresh_finish (sign_in, result, error);
}

static gboolean
revoke_token (const char  *refresh_token,
              GError     **error)
{
  g_autoptr(PaddockSignIn) sign_in = paddock_sign_in_new (issuer, CLIENT, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait = { loop, NULL, FALSE, FALSE };

  paddock_sign_in_revoke_async (sign_in, refresh_token, NULL, on_done, &wait);
  g_main_loop_run (loop);
  result = wait.result;
  return paddock_sign_in_revoke_finish (sign_in, result, error);
}

/* A refresh brings new tokens whose ID token is checked like the first
 * (a forged one is refused); once revoked, the refresh token is
 * refused, and the error says to sign in again. */
static void
test_refresh_and_revoke (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockTokens) first = sign_in (TRUE, FALSE, &error);
  g_autoptr(PaddockTokens) second = NULL;
  g_autoptr(PaddockTokens) forged = NULL;
  g_autoptr(PaddockTokens) revoked = NULL;

  g_assert_no_error (error);
  second = refresh (first->refresh_token, &error);
  g_assert_no_error (error);
  g_assert_nonnull (second->refresh_token);
  g_assert_cmpstr (second->refresh_token, !=, first->refresh_token);
  g_assert_cmpstr (json_object_get_string_member (second->claims, "sub"), ==, "johndoe");

  test_provider_set_mode (provider, "bad-sig");
  forged = refresh (second->refresh_token, &error);
  test_provider_set_mode (provider, "");
  g_assert_null (forged);
  g_assert_error (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_SIGNATURE);
  g_clear_error (&error);

  g_assert_true (revoke_token (second->refresh_token, &error));
  g_assert_no_error (error);
  revoked = refresh (second->refresh_token, &error);
  g_assert_null (revoked);
  g_assert_error (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_SIGN_IN_AGAIN);
  g_assert_nonnull (strstr (error->message, "invalid_grant"));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  provider = test_provider_start ();
  if (provider == NULL)
    {
      g_test_message ("PADDOCK_OIDC_MODULES names no node_modules with oauth2-mock-server");
      return 77;
    }
  issuer = test_provider_get_issuer (provider);
  browser = soup_session_new ();

  g_test_add_func ("/sign-in/browser", test_browser);
  g_test_add_func ("/sign-in/wrong-state", test_wrong_state);
  g_test_add_func ("/sign-in/forged-id-tokens", test_forged_id_tokens);
  g_test_add_func ("/sign-in/device", test_device);
  g_test_add_func ("/sign-in/cancelled", test_cancelled);
  g_test_add_func ("/sign-in/refresh-and-revoke", test_refresh_and_revoke);

  status = g_test_run ();
  g_clear_object (&browser);
  test_provider_stop (provider);
  return status;
}
