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

#define CLIENT "paddock-test"

static char *issuer;
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

/* GET @url on the provider, and wait for the answer. */
static char *
provider_get (const char *path)
{
  g_autofree char *url = g_strconcat (issuer, path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read (browser, message, NULL, &error);

  g_assert_no_error (error);
  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
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
      g_autofree char *answer = provider_get (path);
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

static void
set_mode (const char *mode)
{
  g_autofree char *path = g_strdup_printf ("/__test/mode?m=%s", mode);
  g_autofree char *answer = provider_get (path);
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

  authorize = provider_get ("/__test/last-authorize");
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

      set_mode (cases[i].mode);
      tokens = sign_in (FALSE, FALSE, &error);
      set_mode ("");
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

int
main (int   argc,
      char *argv[])
{
  const char *modules = g_getenv ("PADDOCK_OIDC_MODULES");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) provider = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *module = NULL;
  g_autofree char *script = NULL;
  g_autofree char *first = NULL;
  g_autoptr(JsonNode) hello = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  if (modules == NULL)
    {
      g_test_message ("PADDOCK_OIDC_MODULES names no node_modules with oauth2-mock-server");
      return 77;
    }
  module = g_build_filename (modules, "oauth2-mock-server", "dist", "index.mjs", NULL);
  if (!g_file_test (module, G_FILE_TEST_EXISTS))
    g_error ("%s is missing: scripts/test.sh installs oauth2-mock-server into .deps/npm-oidc", module);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_setenv (launcher, "OIDC_MOCK_MODULE", module, TRUE);
  script = g_test_build_filename (G_TEST_DIST, "oidc", "provider.mjs", NULL);
  provider = g_subprocess_launcher_spawn (launcher, &error, "node", script, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (provider));
  first = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  hello = json_from_string (first, &error);
  g_assert_no_error (error);
  issuer = g_strdup (json_object_get_string_member (json_node_get_object (hello), "issuer"));
  browser = soup_session_new ();

  g_test_add_func ("/sign-in/browser", test_browser);
  g_test_add_func ("/sign-in/wrong-state", test_wrong_state);
  g_test_add_func ("/sign-in/forged-id-tokens", test_forged_id_tokens);
  g_test_add_func ("/sign-in/device", test_device);
  g_test_add_func ("/sign-in/cancelled", test_cancelled);

  status = g_test_run ();
  g_subprocess_send_signal (provider, SIGTERM);
  g_subprocess_wait (provider, NULL, NULL);
  g_clear_object (&browser);
  g_free (issuer);
  return status;
}
