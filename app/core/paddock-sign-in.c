/* paddock-sign-in.c
 *
 * One run: the issuer's discovery document (which must name that very
 * issuer), its keys, then either a browser sent to the authorization
 * endpoint with a PKCE challenge, a fresh state and nonce, and a
 * listener on 127.0.0.1 for the redirect; or a device code the person
 * types elsewhere while this polls as RFC 8628 says. The tokens are
 * kept only once the ID token's signature and claims check out.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "paddock-errors.h"
#include "paddock-json.h"
#include "paddock-sign-in.h"

/* How long a person has to finish in the browser. */
#define BROWSER_TIMEOUT_S (5 * 60)
#define SCOPE "openid offline_access"
#define DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

struct _PaddockSignIn
{
  GObject parent_instance;

  char *issuer;
  char *client_id;
  SoupSession *session;
  PaddockSignInShowFunc show;
  gpointer show_data;
};

G_DEFINE_FINAL_TYPE (PaddockSignIn, paddock_sign_in, G_TYPE_OBJECT)

void
paddock_tokens_free (PaddockTokens *tokens)
{
  if (tokens == NULL)
    return;
  g_free (tokens->access_token);
  g_free (tokens->refresh_token);
  g_free (tokens->id_token);
  g_clear_pointer (&tokens->claims, json_object_unref);
  g_free (tokens);
}

typedef enum
{
  RUN_BROWSER,
  RUN_DEVICE,
  RUN_REFRESH,
  RUN_REVOKE,
} RunMode;

typedef struct
{
  RunMode mode;
  PaddockOidcProvider *provider;
  JsonNode *jwks;
  /* the browser */
  SoupServer *server;
  char *redirect_uri;
  char *state;
  char *nonce;
  char *verifier;
  char *code;
  GSource *timeout;         /* set while waiting for the browser */
  GCancellable *cancellable;
  gulong cancelled_id;
  /* the device */
  char *device_code;
  guint interval;
  gint64 deadline;
  GSource *poll;
  /* a refresh or revocation */
  char *token;
  char *subject;            /* whose the refreshed tokens must be */
} Run;

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
run_free (Run *run)
{
  paddock_oidc_provider_free (run->provider);
  g_clear_pointer (&run->jwks, json_node_unref);
  if (run->server != NULL)
    soup_server_disconnect (run->server);
  g_clear_object (&run->server);
  g_free (run->redirect_uri);
  g_free (run->state);
  g_free (run->nonce);
  g_free (run->verifier);
  g_free (run->code);
  clear_source (&run->timeout);
  if (run->cancelled_id != 0)
    g_cancellable_disconnect (run->cancellable, run->cancelled_id);
  g_clear_object (&run->cancellable);
  g_free (run->device_code);
  clear_source (&run->poll);
  g_free (run->token);
  g_free (run->subject);
  g_free (run);
}

/* --- talking to the provider ---------------------------------------- */

/* The JSON answer of @result, and its status; an answer that is not a
 * JSON object is an error that says what came instead. */
static JsonObject *
read_json (SoupSession   *session,
           GAsyncResult  *result,
           guint         *status,
           GError       **error)
{
  SoupMessage *message = soup_session_get_async_result_message (session, result);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (session, result, &local_error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GUri) uri = NULL;

  if (body == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      uri = g_uri_ref (soup_message_get_uri (message));
      return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_PROVIDER,
                           "%s cannot be reached: %s", g_uri_get_host (uri), local_error->message), NULL;
    }
  *status = soup_message_get_status (message);
  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_autofree char *where = g_uri_to_string_partial (soup_message_get_uri (message), G_URI_HIDE_QUERY);
      return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_PROVIDER,
                           "%s answered %u without JSON", where, *status), NULL;
    }
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* A document the provider publishes (discovery, keys): JSON, and 200. */
static JsonObject *
read_document (SoupSession   *session,
               GAsyncResult  *result,
               const char    *what,
               GError       **error)
{
  guint status = 0;
  g_autoptr(JsonObject) document = read_json (session, result, &status, error);

  if (document != NULL && status != SOUP_STATUS_OK)
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_PROVIDER,
                         "%s could not be fetched (%u)", what, status), NULL;
  return g_steal_pointer (&document);
}

static void
send (GTask               *task,
      SoupMessage         *message,
      GAsyncReadyCallback  next)
{
  PaddockSignIn *self = g_task_get_source_object (task);

  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                    next, task);
}

static void
post_form (GTask               *task,
           const char          *url,
           char                *form,
           GAsyncReadyCallback  next)
{
  g_autoptr(SoupMessage) message = soup_message_new_from_encoded_form (SOUP_METHOD_POST, url, form);

  soup_message_headers_replace (soup_message_get_request_headers (message), "Accept", "application/json");
  send (task, message, next);
}

/* --- the tokens ----------------------------------------------------- */

static void
on_tokens (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data);

static void
take_tokens (GTask      *task,
             JsonObject *answer)
{
  PaddockSignIn *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(PaddockTokens) tokens = g_new0 (PaddockTokens, 1);
  g_autoptr(GError) error = NULL;
  JsonNode *expires_in = json_object_get_member (answer, "expires_in");

  tokens->access_token = g_strdup (paddock_json_get_string (answer, "access_token", NULL));
  tokens->refresh_token = g_strdup (paddock_json_get_string (answer, "refresh_token", NULL));
  tokens->id_token = g_strdup (paddock_json_get_string (answer, "id_token", NULL));
  /* A refresh may leave the ID token as it was (OpenID Connect Core §12.2). */
  if (tokens->access_token == NULL || (tokens->id_token == NULL && run->mode != RUN_REFRESH))
    {
      g_task_return_new_error (task, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_PROVIDER,
                               "%s gave no access and ID tokens", self->issuer);
      return;
    }
  if (expires_in != NULL && JSON_NODE_HOLDS_VALUE (expires_in) &&
      json_node_get_value_type (expires_in) == G_TYPE_INT64)
    tokens->expires_at = g_get_real_time () / G_USEC_PER_SEC + json_node_get_int (expires_in);
  if (tokens->id_token == NULL)
    {
      g_task_return_pointer (task, g_steal_pointer (&tokens), (GDestroyNotify) paddock_tokens_free);
      return;
    }

  tokens->claims = paddock_id_token_verify (tokens->id_token, run->jwks, self->issuer, self->client_id,
                                            g_get_real_time () / G_USEC_PER_SEC, &error);
  if (tokens->claims == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The ID token must answer this request, not an earlier one. */
  if (run->nonce != NULL && g_strcmp0 (paddock_json_get_string (tokens->claims, "nonce", NULL), run->nonce) != 0)
    {
      g_task_return_new_error (task, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_REPLAY,
                               "the ID token does not carry the nonce of this sign-in");
      return;
    }
  if (run->subject != NULL && g_strcmp0 (paddock_json_get_string (tokens->claims, "sub", NULL), run->subject) != 0)
    {
      g_task_return_new_error (task, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_REPLAY,
                               "the refreshed ID token is for someone else than the one signed in");
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&tokens), (GDestroyNotify) paddock_tokens_free);
}

static void
return_oauth_error (GTask      *task,
                    JsonObject *answer,
                    guint       status)
{
  Run *run = g_task_get_task_data (task);
  const char *code = paddock_json_get_string (answer, "error", NULL);
  const char *description = paddock_json_get_string (answer, "error_description", NULL);
  PaddockIdentityError kind = PADDOCK_IDENTITY_ERROR_PROVIDER;

  if (g_strcmp0 (code, "access_denied") == 0)
    kind = PADDOCK_IDENTITY_ERROR_DENIED;
  /* RFC 6749 §5.2: the grant is no good any more, only a person can
   * get a new one. */
  else if (run->mode == RUN_REFRESH && status >= 400 && status < 500)
    kind = PADDOCK_IDENTITY_ERROR_SIGN_IN_AGAIN;
  g_task_return_new_error (task, PADDOCK_IDENTITY_ERROR, kind, "the %s was refused (%u %s%s%s)",
                           run->mode == RUN_REFRESH ? "renewal of the login" : "sign-in", status,
                           code ? code : "no error given", description ? ": " : "", description ? description : "");
}

static void
on_tokens (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  guint status = 0;
  g_autoptr(JsonObject) answer = read_json (SOUP_SESSION (source), result, &status, &error);

  if (answer == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (status != SOUP_STATUS_OK)
    return_oauth_error (task, answer, status);
  else
    take_tokens (task, answer);
}

/* --- the browser ---------------------------------------------------- */

static void
exchange_code (GTask *task)
{
  PaddockSignIn *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  post_form (task, run->provider->token_endpoint,
             soup_form_encode ("grant_type", "authorization_code", "code", run->code, "redirect_uri",
                               run->redirect_uri, "client_id", self->client_id, "code_verifier", run->verifier,
                               NULL),
             on_tokens);
}

static void
on_callback_answered (SoupServerMessage *message,
                      gpointer           user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  /* Once the browser has its page: the listener is done. */
  soup_server_disconnect (run->server);
  if (run->code != NULL)
    exchange_code (task);
  else
    g_object_unref (task);
}

static void
answer_browser (SoupServerMessage *message,
                guint              status,
                const char        *text)
{
  g_autofree char *page = g_markup_printf_escaped ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
                                                   "<title>Paddock</title></head><body><p>%s</p></body></html>",
                                                   text);

  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "text/html; charset=utf-8", SOUP_MEMORY_COPY, page, strlen (page));
}

static void
on_redirect (SoupServer        *server,
             SoupServerMessage *message,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  const char *state = query ? g_hash_table_lookup (query, "state") : NULL;
  const char *code = query ? g_hash_table_lookup (query, "code") : NULL;
  const char *refusal = query ? g_hash_table_lookup (query, "error") : NULL;

  /* Only the first answer counts, and only with this sign-in's state. */
  if (!g_str_equal (path, "/callback") || run->timeout == NULL)
    {
      answer_browser (message, SOUP_STATUS_NOT_FOUND, "Nothing here.");
      return;
    }
  clear_source (&run->timeout);
  if (g_strcmp0 (state, run->state) != 0)
    {
      answer_browser (message, SOUP_STATUS_BAD_REQUEST, "This sign-in was not started by Paddock here.");
      g_task_return_new_error (task, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_REPLAY,
                               "the browser came back with a state this sign-in did not send");
    }
  else if (refusal != NULL || code == NULL)
    {
      answer_browser (message, SOUP_STATUS_OK, "The sign-in did not finish. You can close this window.");
      g_task_return_new_error (task, PADDOCK_IDENTITY_ERROR,
                               g_strcmp0 (refusal, "access_denied") == 0 ? PADDOCK_IDENTITY_ERROR_DENIED
                                                                         : PADDOCK_IDENTITY_ERROR_PROVIDER,
                               "the provider sent no code (%s)", refusal ? refusal : "no error given");
    }
  else
    {
      answer_browser (message, SOUP_STATUS_OK, "Signed in to Paddock. You can close this window.");
      run->code = g_strdup (code);
    }
  g_signal_connect (message, "finished", G_CALLBACK (on_callback_answered), task);
}

/* Ends the wait for the browser with @error, unless it is over. */
static void
stop_waiting (GTask  *task,
              GError *error)
{
  Run *run = g_task_get_task_data (task);

  if (run->timeout == NULL)
    {
      g_error_free (error);
      return;
    }
  clear_source (&run->timeout);
  soup_server_disconnect (run->server);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static gboolean
on_browser_timeout (gpointer user_data)
{
  stop_waiting (user_data, g_error_new (PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_DENIED,
                                        "nobody finished the sign-in in the browser within %d minutes",
                                        BROWSER_TIMEOUT_S / 60));
  return G_SOURCE_REMOVE;
}

static gboolean
on_cancelled_idle (gpointer user_data)
{
  stop_waiting (user_data, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "the sign-in was cancelled"));
  return G_SOURCE_REMOVE;
}

/* From whichever thread cancelled: the wait ends in the task's own. */
static void
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  GTask *task = user_data;

  g_main_context_invoke_full (g_task_get_context (task), G_PRIORITY_DEFAULT, on_cancelled_idle,
                              g_object_ref (task), g_object_unref);
}

static void
start_browser (GTask *task)
{
  PaddockSignIn *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *query = NULL;
  g_autofree char *url = NULL;

  run->server = soup_server_new (NULL, NULL);
  /* RFC 8252: the loopback address itself, at a port of the moment. */
  if (!soup_server_listen_local (run->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      g_task_return_new_error (task, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_PROVIDER,
                               "no port on 127.0.0.1 for the browser to come back to: %s", error->message);
      g_object_unref (task);
      return;
    }
  uris = soup_server_get_uris (run->server);
  run->redirect_uri = g_strdup_printf ("http://127.0.0.1:%d/callback", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  soup_server_add_handler (run->server, NULL, on_redirect, task, NULL);

  run->state = paddock_oidc_random_token ();
  run->nonce = paddock_oidc_random_token ();
  paddock_oidc_pkce_new (&run->verifier, &challenge);
  query = soup_form_encode ("response_type", "code", "client_id", self->client_id, "redirect_uri",
                            run->redirect_uri, "scope", SCOPE, "state", run->state, "nonce", run->nonce,
                            "code_challenge", challenge, "code_challenge_method", "S256", NULL);
  url = g_strconcat (run->provider->authorization_endpoint,
                     strchr (run->provider->authorization_endpoint, '?') ? "&" : "?", query, NULL);

  run->timeout = g_timeout_source_new_seconds (BROWSER_TIMEOUT_S);
  g_source_set_callback (run->timeout, on_browser_timeout, task, NULL);
  g_source_attach (run->timeout, g_task_get_context (task));
  if (g_task_get_cancellable (task) != NULL)
    {
      run->cancellable = g_object_ref (g_task_get_cancellable (task));
      run->cancelled_id = g_cancellable_connect (run->cancellable, G_CALLBACK (on_cancelled), task, NULL);
    }
  if (self->show != NULL)
    self->show (url, NULL, self->show_data);
}

/* --- the device ------------------------------------------------------ */

static void poll_device (GTask *task);

static void
on_polled (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  guint status = 0;
  g_autoptr(JsonObject) answer = read_json (SOUP_SESSION (source), result, &status, &error);
  const char *code = answer ? paddock_json_get_string (answer, "error", NULL) : NULL;

  if (answer == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (status == SOUP_STATUS_OK)
    take_tokens (task, answer);
  else if (g_strcmp0 (code, "authorization_pending") == 0 || g_strcmp0 (code, "slow_down") == 0)
    {
      /* RFC 8628 §3.5: slow down by five seconds, for good. */
      if (g_strcmp0 (code, "slow_down") == 0)
        run->interval += 5;
      if (g_get_monotonic_time () >= run->deadline)
        g_task_return_new_error (task, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_DENIED,
                                 "the code was not entered in time; sign in again");
      else
        poll_device (g_steal_pointer (&task));
    }
  else
    return_oauth_error (task, answer, status);
}

static gboolean
on_poll (gpointer user_data)
{
  GTask *task = user_data;
  PaddockSignIn *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  g_clear_pointer (&run->poll, g_source_unref);
  post_form (task, run->provider->token_endpoint,
             soup_form_encode ("grant_type", DEVICE_GRANT, "device_code", run->device_code, "client_id",
                               self->client_id, NULL),
             on_polled);
  return G_SOURCE_REMOVE;
}

static void
poll_device (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  run->poll = g_timeout_source_new_seconds (run->interval);
  g_source_set_callback (run->poll, on_poll, task, NULL);
  g_source_attach (run->poll, g_task_get_context (task));
}

static void
on_device_code (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaddockSignIn *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  guint status = 0;
  g_autoptr(JsonObject) answer = read_json (SOUP_SESSION (source), result, &status, &error);
  const char *user_code, *verification;

  if (answer == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (status != SOUP_STATUS_OK)
    {
      return_oauth_error (task, answer, status);
      return;
    }
  run->device_code = g_strdup (paddock_json_get_string (answer, "device_code", NULL));
  user_code = paddock_json_get_string (answer, "user_code", NULL);
  verification = paddock_json_get_string (answer, "verification_uri", NULL);
  if (run->device_code == NULL || user_code == NULL || verification == NULL)
    {
      g_task_return_new_error (task, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_PROVIDER,
                               "%s gave no device code, user code and verification address", self->issuer);
      return;
    }
  run->interval = MAX (json_object_get_int_member_with_default (answer, "interval", 5), 1);
  run->deadline = g_get_monotonic_time () +
                  MAX (json_object_get_int_member_with_default (answer, "expires_in", 600), 1) * G_USEC_PER_SEC;
  if (self->show != NULL)
    self->show (verification, user_code, self->show_data);
  poll_device (g_steal_pointer (&task));
}

static void
start_device (GTask *task)
{
  PaddockSignIn *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  if (run->provider->device_authorization_endpoint == NULL)
    {
      g_task_return_new_error (task, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_PROVIDER,
                               "%s offers no device sign-in; sign in with a browser instead", self->issuer);
      g_object_unref (task);
      return;
    }
  post_form (task, run->provider->device_authorization_endpoint,
             soup_form_encode ("client_id", self->client_id, "scope", SCOPE, NULL), on_device_code);
}

/* --- refresh and revocation ------------------------------------------ */

static void
start_refresh (GTask *task)
{
  PaddockSignIn *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  post_form (task, run->provider->token_endpoint,
             soup_form_encode ("grant_type", "refresh_token", "refresh_token", run->token, "client_id",
                               self->client_id, NULL),
             on_tokens);
}

static void
on_revoked (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  if (body == NULL)
    g_task_return_new_error (task, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_PROVIDER,
                             "the provider cannot be reached to revoke the login: %s", error->message);
  /* RFC 7009 §2.2: 200 even for a token it no longer knows. */
  else if (soup_message_get_status (message) != SOUP_STATUS_OK)
    g_task_return_new_error (task, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_PROVIDER,
                             "the provider refused to revoke the login (%u)", soup_message_get_status (message));
  else
    g_task_return_boolean (task, TRUE);
}

static void
start_revoke (GTask *task)
{
  PaddockSignIn *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  if (run->provider->revocation_endpoint == NULL)
    {
      g_task_return_new_error (task, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_PROVIDER,
                               "%s offers no way to revoke a login", self->issuer);
      return;
    }
  post_form (g_steal_pointer (&task), run->provider->revocation_endpoint,
             soup_form_encode ("token", run->token, "token_type_hint", "refresh_token", "client_id",
                               self->client_id, NULL),
             on_revoked);
}

/* --- discovery ------------------------------------------------------- */

static void
on_jwks (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) keys = read_document (SOUP_SESSION (source), result, "the issuer's keys", &error);

  if (keys == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  run->jwks = json_node_init_object (json_node_alloc (), keys);
  if (run->mode == RUN_DEVICE)
    start_device (g_steal_pointer (&task));
  else if (run->mode == RUN_REFRESH)
    start_refresh (g_steal_pointer (&task));
  else
    start_browser (g_steal_pointer (&task));
}

static void
on_discovery (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaddockSignIn *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) document = read_document (SOUP_SESSION (source), result,
                                                  "the issuer's OpenID Connect discovery document", &error);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  g_autoptr(SoupMessage) message = NULL;

  if (document == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  node = json_node_init_object (json_node_alloc (), document);
  text = json_to_string (node, FALSE);
  run->provider = paddock_oidc_provider_new_from_discovery (self->issuer, text, -1, &error);
  if (run->provider == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (run->mode == RUN_REVOKE)
    {
      start_revoke (g_steal_pointer (&task));
      return;
    }
  message = soup_message_new (SOUP_METHOD_GET, run->provider->jwks_uri);
  send (g_steal_pointer (&task), message, on_jwks);
}

/* Every run starts from the issuer's discovery document. */
static void
start (PaddockSignIn       *self,
       Run                 *run,
       gpointer             source_tag,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *url = paddock_oidc_discovery_url (self->issuer);
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, url);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  send (task, message, on_discovery);
}

void
paddock_sign_in_run_async (PaddockSignIn       *self,
                           gboolean             device,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  Run *run;

  g_return_if_fail (PADDOCK_IS_SIGN_IN (self));

  run = g_new0 (Run, 1);
  run->mode = device ? RUN_DEVICE : RUN_BROWSER;
  start (self, run, paddock_sign_in_run_async, cancellable, callback, user_data);
}

PaddockTokens *
paddock_sign_in_run_finish (PaddockSignIn  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
paddock_sign_in_refresh_async (PaddockSignIn       *self,
                               const char          *refresh_token,
                               const char          *subject,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  Run *run;

  g_return_if_fail (PADDOCK_IS_SIGN_IN (self));
  g_return_if_fail (refresh_token != NULL);

  run = g_new0 (Run, 1);
  run->mode = RUN_REFRESH;
  run->token = g_strdup (refresh_token);
  run->subject = g_strdup (subject);
  start (self, run, paddock_sign_in_refresh_async, cancellable, callback, user_data);
}

PaddockTokens *
paddock_sign_in_refresh_finish (PaddockSignIn  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
paddock_sign_in_revoke_async (PaddockSignIn       *self,
                              const char          *refresh_token,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  Run *run;

  g_return_if_fail (PADDOCK_IS_SIGN_IN (self));
  g_return_if_fail (refresh_token != NULL);

  run = g_new0 (Run, 1);
  run->mode = RUN_REVOKE;
  run->token = g_strdup (refresh_token);
  start (self, run, paddock_sign_in_revoke_async, cancellable, callback, user_data);
}

gboolean
paddock_sign_in_revoke_finish (PaddockSignIn  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

PaddockSignIn *
paddock_sign_in_new (const char  *issuer,
                     const char  *client_id,
                     GError     **error)
{
  PaddockSignIn *self;

  g_return_val_if_fail (issuer != NULL && client_id != NULL, NULL);

  if (!paddock_oidc_issuer_is_valid (issuer, error))
    return NULL;
  self = g_object_new (PADDOCK_TYPE_SIGN_IN, NULL);
  self->issuer = g_strdup (issuer);
  self->client_id = g_strdup (client_id);
  /* TLS is verified against the system's trust store: libsoup's default. */
  self->session = soup_session_new_with_options ("timeout", 30, "user-agent", "Paddock/" PACKAGE_VERSION, NULL);
  return self;
}

const char *
paddock_sign_in_get_issuer (PaddockSignIn *self)
{
  g_return_val_if_fail (PADDOCK_IS_SIGN_IN (self), NULL);

  return self->issuer;
}

const char *
paddock_sign_in_get_client_id (PaddockSignIn *self)
{
  g_return_val_if_fail (PADDOCK_IS_SIGN_IN (self), NULL);

  return self->client_id;
}

void
paddock_sign_in_set_show_func (PaddockSignIn         *self,
                               PaddockSignInShowFunc  func,
                               gpointer               user_data)
{
  g_return_if_fail (PADDOCK_IS_SIGN_IN (self));

  self->show = func;
  self->show_data = user_data;
}

static void
paddock_sign_in_finalize (GObject *object)
{
  PaddockSignIn *self = PADDOCK_SIGN_IN (object);

  g_free (self->issuer);
  g_free (self->client_id);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (paddock_sign_in_parent_class)->finalize (object);
}

static void
paddock_sign_in_class_init (PaddockSignInClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = paddock_sign_in_finalize;
}

static void
paddock_sign_in_init (PaddockSignIn *self)
{
}
