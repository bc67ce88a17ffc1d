/* paddock-accounts.c
 *
 * A login is a handful of keychain entries of the schema
 * org.paddock.Token, all with the same issuer, account and resource:
 * "access", "refresh" and "id" hold the tokens, and "login" holds what
 * is not secret but must not be lost either (the client, the expiry,
 * the ID token's claims) as JSON, so that nothing about a login is
 * ever in a file. The "login" entry is written last and read first: a
 * login half written by a crash shows as one that needs a new sign-in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "paddock-accounts.h"
#include "paddock-errors.h"
#include "paddock-json.h"
#include "paddock-keychain.h"
#include "paddock-policy-document.h"

#define KIND_LOGIN "login"
#define KIND_ACCESS "access"
#define KIND_REFRESH "refresh"
#define KIND_ID "id"
#define DEFAULT_ORGANIZATION_CLAIM "org"

void
paddock_login_free (PaddockLogin *login)
{
  if (login == NULL)
    return;
  g_free (login->issuer);
  g_free (login->resource);
  g_free (login->account);
  g_free (login->client_id);
  g_free (login->name);
  g_clear_pointer (&login->claims, json_object_unref);
  g_free (login->ended);
  g_free (login);
}

static const char *
name_in (JsonObject *claims)
{
  static const char * const names[] = { "email", "preferred_username", "name", "sub" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *name = paddock_json_get_string (claims, names[i], NULL);

      if (name != NULL && *name != '\0')
        return name;
    }
  return "someone without a name";
}

static const char *
setting_string (PaddockPolicy *policy,
                const char    *key)
{
  const PaddockSetting *setting = policy ? paddock_policy_get_setting (policy, key, NULL) : NULL;

  return setting ? g_variant_get_string (setting->value, NULL) : NULL;
}

/* The organisation in @claims: the claim may be a string or a list of
 * them (groups, tenants); a list yields @wanted when it holds it. */
static char *
organization_in (JsonObject    *claims,
                 PaddockPolicy *policy,
                 const char    *wanted)
{
  const char *claim = setting_string (policy, "identity.organization_claim");
  JsonNode *node = claims ? json_object_get_member (claims, claim ? claim : DEFAULT_ORGANIZATION_CLAIM) : NULL;
  g_autoptr(GString) all = NULL;

  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  all = g_string_new (NULL);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (node), i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        continue;
      if (g_strcmp0 (json_node_get_string (element), wanted) == 0)
        return g_strdup (wanted);
      g_string_append_printf (all, "%s%s", all->len ? ", " : "", json_node_get_string (element));
    }
  return all->len ? g_string_free (g_steal_pointer (&all), FALSE) : NULL;
}

char *
paddock_login_dup_organization (PaddockLogin  *login,
                                PaddockPolicy *policy)
{
  return organization_in (login->claims, policy, setting_string (policy, "identity.organization"));
}

/* --- the organisation's rules ------------------------------------------ */

gboolean
paddock_accounts_check_issuer (PaddockPolicy  *policy,
                               const char     *issuer,
                               GError        **error)
{
  const PaddockSetting *setting = paddock_policy_get_setting (policy, "identity.issuer", NULL);
  g_autofree const char **allowed = NULL;
  g_autofree char *origin = NULL;
  g_autofree char *list = NULL;

  if (setting == NULL)
    return TRUE;
  allowed = g_variant_get_strv (setting->value, NULL);
  if (g_strv_contains (allowed, issuer))
    return TRUE;
  origin = paddock_setting_dup_origin (setting);
  list = g_strjoinv (", ", (char **) allowed);
  return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_FORBIDDEN,
                       "signing in with %s is not allowed: %s (identity.issuer) allows only %s", issuer, origin,
                       list);
}

gboolean
paddock_accounts_check_claims (PaddockPolicy  *policy,
                               JsonObject     *claims,
                               GError        **error)
{
  const PaddockSetting *setting = paddock_policy_get_setting (policy, "identity.organization", NULL);
  const char *wanted = setting ? g_variant_get_string (setting->value, NULL) : NULL;
  const char *claim = setting_string (policy, "identity.organization_claim");
  g_autofree char *found = NULL;
  g_autofree char *origin = NULL;

  if (setting == NULL)
    return TRUE;
  found = organization_in (claims, policy, wanted);
  if (g_strcmp0 (found, wanted) == 0)
    return TRUE;
  origin = paddock_setting_dup_origin (setting);
  if (found == NULL)
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_FORBIDDEN,
                         "%s signed in without the “%s” claim: %s (identity.organization) requires the "
                         "organisation “%s”", name_in (claims), claim ? claim : DEFAULT_ORGANIZATION_CLAIM,
                         origin, wanted);
  return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_FORBIDDEN,
                       "%s belongs to the organisation “%s”: %s (identity.organization) requires “%s”",
                       name_in (claims), found, origin, wanted);
}

char *
paddock_accounts_dup_default_issuer (PaddockPolicy *policy)
{
  const PaddockSetting *setting = paddock_policy_get_setting (policy, "identity.issuer", NULL);
  g_autofree const char **allowed = setting ? g_variant_get_strv (setting->value, NULL) : NULL;

  return allowed && allowed[0] ? g_strdup (allowed[0]) : NULL;
}

char *
paddock_accounts_dup_default_client_id (PaddockPolicy *policy)
{
  return g_strdup (setting_string (policy, "identity.client_id"));
}

/* --- the keychain ---------------------------------------------------- */

static char *
label_for (const char *kind,
           const char *name,
           const char *issuer,
           const char *resource)
{
  const char *what = g_str_equal (kind, KIND_ACCESS) ? "access token"
                   : g_str_equal (kind, KIND_REFRESH) ? "refresh token"
                   : g_str_equal (kind, KIND_ID) ? "ID token" : "sign-in";

  if (g_str_equal (resource, PADDOCK_ACCOUNTS_ORGANIZATION))
    return g_strdup_printf ("Paddock %s of %s at %s", what, name, issuer);
  return g_strdup_printf ("Paddock %s of %s at %s, for the MCP server %s", what, name, issuer, resource);
}

static gboolean
store (PaddockLogin  *login,
       const char    *kind,
       const char    *secret,
       GError       **error)
{
  PaddockKeychainEntry entry = { login->issuer, login->account, login->resource, kind };
  g_autofree char *label = label_for (kind, login->name, login->issuer, login->resource);

  return paddock_keychain_store (&entry, label, secret, error);
}

static gboolean
store_login (PaddockLogin  *login,
             GError       **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "client_id");
  json_builder_add_string_value (builder, login->client_id);
  json_builder_set_member_name (builder, "signed_in_at");
  json_builder_add_int_value (builder, login->signed_in_at);
  json_builder_set_member_name (builder, "expires_at");
  json_builder_add_int_value (builder, login->expires_at);
  json_builder_set_member_name (builder, "claims");
  json_builder_add_value (builder, json_node_init_object (json_node_alloc (), login->claims));
  if (login->ended != NULL)
    {
      json_builder_set_member_name (builder, "ended");
      json_builder_add_string_value (builder, login->ended);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  return store (login, KIND_LOGIN, text, error);
}

/* The login an entry of kind "login" describes; NULL when its JSON is
 * not Paddock's, which is left alone. */
static PaddockLogin *
login_from_item (PaddockKeychainItem *item)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(PaddockLogin) login = NULL;
  JsonObject *object;
  JsonNode *claims;

  if (item->secret == NULL || !json_parser_load_from_data (parser, item->secret, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  object = json_node_get_object (json_parser_get_root (parser));
  claims = json_object_get_member (object, "claims");
  if (claims == NULL || !JSON_NODE_HOLDS_OBJECT (claims) || item->issuer == NULL || item->resource == NULL ||
      item->account == NULL)
    return NULL;

  login = g_new0 (PaddockLogin, 1);
  login->issuer = g_strdup (item->issuer);
  login->resource = g_strdup (item->resource);
  login->account = g_strdup (item->account);
  login->client_id = g_strdup (paddock_json_get_string (object, "client_id", ""));
  login->claims = json_object_ref (json_node_get_object (claims));
  login->name = g_strdup (name_in (login->claims));
  login->signed_in_at = paddock_json_get_int (object, "signed_in_at", 0);
  login->expires_at = paddock_json_get_int (object, "expires_at", 0);
  login->ended = g_strdup (paddock_json_get_string (object, "ended", NULL));
  return g_steal_pointer (&login);
}

static gint
compare_signed_in (gconstpointer a,
                   gconstpointer b)
{
  const PaddockLogin *x = *(PaddockLogin **) a, *y = *(PaddockLogin **) b;

  return (x->signed_in_at > y->signed_in_at) - (x->signed_in_at < y->signed_in_at);
}

GPtrArray *
paddock_accounts_list (const char  *resource,
                       GError     **error)
{
  PaddockKeychainEntry match = { NULL, NULL, resource, NULL };
  g_autoptr(GPtrArray) items = paddock_keychain_search (&match, error);
  g_autoptr(GPtrArray) logins = NULL;
  g_autoptr(GHashTable) refreshable = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (items == NULL)
    return NULL;
  for (guint i = 0; i < items->len; i++)
    {
      PaddockKeychainItem *item = g_ptr_array_index (items, i);

      if (g_strcmp0 (item->kind, KIND_REFRESH) == 0)
        g_hash_table_add (refreshable, g_strjoin ("\n", item->issuer, item->account, item->resource, NULL));
    }
  logins = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_login_free);
  for (guint i = 0; i < items->len; i++)
    {
      PaddockKeychainItem *item = g_ptr_array_index (items, i);
      g_autofree char *key = NULL;
      PaddockLogin *login;

      if (g_strcmp0 (item->kind, KIND_LOGIN) != 0 || (login = login_from_item (item)) == NULL)
        continue;
      key = g_strjoin ("\n", login->issuer, login->account, login->resource, NULL);
      login->can_refresh = g_hash_table_contains (refreshable, key);
      g_ptr_array_add (logins, login);
    }
  g_ptr_array_sort (logins, compare_signed_in);
  return g_steal_pointer (&logins);
}

static PaddockLogin *
find (const char  *issuer,
      const char  *resource,
      GError     **error)
{
  g_autoptr(GPtrArray) logins = paddock_accounts_list (resource, error);

  if (logins == NULL)
    return NULL;
  for (guint i = logins->len; i > 0; i--)
    {
      PaddockLogin *login = g_ptr_array_index (logins, i - 1);

      if (g_str_equal (login->issuer, issuer))
        return g_ptr_array_steal_index (logins, i - 1);
    }
  return NULL;
}

static gboolean
clear (const char  *issuer,
       const char  *resource,
       GError     **error)
{
  PaddockKeychainEntry entry = { issuer, NULL, resource, NULL };
  g_autoptr(GError) local_error = NULL;

  paddock_keychain_clear (&entry, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

PaddockLogin *
paddock_accounts_save (const char     *issuer,
                       const char     *client_id,
                       const char     *resource,
                       PaddockTokens  *tokens,
                       GError        **error)
{
  g_autoptr(PaddockLogin) login = g_new0 (PaddockLogin, 1);
  const char *subject = paddock_json_get_string (tokens->claims, "sub", NULL);

  g_return_val_if_fail (tokens->claims != NULL && tokens->id_token != NULL, NULL);

  if (subject == NULL || *subject == '\0')
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_PROVIDER,
                         "the ID token from %s names no subject", issuer), NULL;
  login->issuer = g_strdup (issuer);
  login->resource = g_strdup (resource);
  login->account = g_strdup (subject);
  login->client_id = g_strdup (client_id);
  login->claims = json_object_ref (tokens->claims);
  login->name = g_strdup (name_in (tokens->claims));
  login->signed_in_at = g_get_real_time () / G_USEC_PER_SEC;
  login->expires_at = tokens->expires_at;
  login->can_refresh = tokens->refresh_token != NULL;

  /* One login per issuer and resource: whoever signed in before goes. */
  if (!clear (issuer, resource, error) ||
      !store (login, KIND_ACCESS, tokens->access_token, error) ||
      (tokens->refresh_token != NULL && !store (login, KIND_REFRESH, tokens->refresh_token, error)) ||
      !store (login, KIND_ID, tokens->id_token, error) ||
      !store_login (login, error))
    return NULL;
  return g_steal_pointer (&login);
}

PaddockLogin *
paddock_accounts_find_organization (PaddockPolicy  *policy,
                                    GError        **error)
{
  g_autoptr(GPtrArray) logins = paddock_accounts_list (PADDOCK_ACCOUNTS_ORGANIZATION, error);

  if (logins == NULL)
    return NULL;
  for (guint i = logins->len; i > 0; i--)
    {
      PaddockLogin *login = g_ptr_array_index (logins, i - 1);

      if (paddock_accounts_check_issuer (policy, login->issuer, NULL) &&
          paddock_accounts_check_claims (policy, login->claims, NULL))
        return g_ptr_array_steal_index (logins, i - 1);
    }
  return NULL;
}

GPtrArray *
paddock_accounts_enforce (PaddockPolicy  *policy,
                          GError        **error)
{
  g_autoptr(GPtrArray) logins = paddock_accounts_list (PADDOCK_ACCOUNTS_ORGANIZATION, error);
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);

  if (logins == NULL)
    return NULL;
  for (guint i = 0; i < logins->len; i++)
    {
      PaddockLogin *login = g_ptr_array_index (logins, i);
      g_autoptr(GError) refusal = NULL;

      if (paddock_accounts_check_issuer (policy, login->issuer, &refusal) &&
          paddock_accounts_check_claims (policy, login->claims, &refusal))
        continue;
      if (!clear (login->issuer, login->resource, error))
        return NULL;
      g_ptr_array_add (removed, g_strdup_printf ("The login of %s at %s was removed: %s", login->name,
                                                 login->issuer, refusal->message));
    }
  return g_steal_pointer (&removed);
}

/* --- the provider, from a thread ------------------------------------ */

typedef struct
{
  GAsyncResult *result;
} Wait;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
}

/* A refresh or a revocation. */
typedef enum
{
  ASK_REFRESH,
  ASK_REVOKE,
} Ask;

/* Asks @login's provider in a main context of this thread's own, so
 * that a thread or a command line can wait for the answer; the result,
 * and the sign-in that finishes it in @sign_in, or NULL with @error. */
static GAsyncResult *
ask_provider (PaddockLogin   *login,
              Ask             ask,
              const char     *refresh_token,
              GCancellable   *cancellable,
              PaddockSignIn **sign_in,
              GError        **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  Wait wait = { NULL };

  g_main_context_push_thread_default (context);
  *sign_in = paddock_sign_in_new (login->issuer, login->client_id, error);
  if (*sign_in != NULL)
    {
      if (ask == ASK_REFRESH)
        paddock_sign_in_refresh_async (*sign_in, refresh_token, login->account, cancellable, on_done, &wait);
      else
        paddock_sign_in_revoke_async (*sign_in, refresh_token, cancellable, on_done, &wait);
      while (wait.result == NULL)
        g_main_context_iteration (context, TRUE);
    }
  g_main_context_pop_thread_default (context);
  return wait.result;
}

static PaddockTokens *
refresh_login (PaddockLogin  *login,
               const char    *refresh_token,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(PaddockSignIn) sign_in = NULL;
  g_autoptr(GAsyncResult) result = ask_provider (login, ASK_REFRESH, refresh_token, cancellable, &sign_in, error);

  return result ? paddock_sign_in_refresh_finish (sign_in, result, error) : NULL;
}

static gboolean
revoke_login (PaddockLogin  *login,
              const char    *refresh_token,
              GError       **error)
{
  g_autoptr(PaddockSignIn) sign_in = NULL;
  g_autoptr(GAsyncResult) result = ask_provider (login, ASK_REVOKE, refresh_token, NULL, &sign_in, error);

  return result ? paddock_sign_in_revoke_finish (sign_in, result, error) : FALSE;
}

static char *
lookup (PaddockLogin  *login,
        const char    *kind,
        GError       **error)
{
  PaddockKeychainEntry entry = { login->issuer, login->account, login->resource, kind };

  return paddock_keychain_lookup (&entry, error);
}

static gboolean
forget (PaddockLogin  *login,
        const char    *kind,
        GError       **error)
{
  PaddockKeychainEntry entry = { login->issuer, login->account, login->resource, kind };
  g_autoptr(GError) local_error = NULL;

  paddock_keychain_clear (&entry, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

gboolean
paddock_accounts_remove (const char     *issuer,
                         const char     *resource,
                         char          **note,
                         GError        **error)
{
  g_autoptr(PaddockLogin) login = NULL;
  g_autoptr(GError) local_error = NULL;
  char *refresh_token;

  login = find (issuer, resource, &local_error);
  if (login == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_NOT_SIGNED_IN,
                      "nobody is signed in with %s here", issuer);
      return FALSE;
    }
  refresh_token = lookup (login, KIND_REFRESH, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (refresh_token != NULL && !revoke_login (login, refresh_token, &local_error) && note != NULL)
    *note = g_strdup_printf ("The login is gone from this computer, but %s still holds it until it expires: %s",
                             issuer, local_error->message);
  paddock_keychain_free (refresh_token);
  return clear (issuer, resource, error);
}

/* Ends @login because of @why, keeping what people are shown. */
static char *
end (PaddockLogin  *login,
     const char    *why,
     GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  g_free (login->ended);
  login->ended = g_strdup (why);
  if (!forget (login, KIND_ACCESS, &local_error) || !forget (login, KIND_REFRESH, &local_error) ||
      !forget (login, KIND_ID, &local_error) || !store_login (login, &local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_SIGN_IN_AGAIN,
                       "the login of %s at %s has ended: %s; sign in again", login->name, login->issuer, why),
         NULL;
}

char *
paddock_accounts_get_access_token (const char     *issuer,
                                   const char     *resource,
                                   GCancellable   *cancellable,
                                   GError        **error)
{
  g_autoptr(PaddockLogin) login = NULL;
  g_autoptr(PaddockTokens) tokens = NULL;
  g_autoptr(GError) local_error = NULL;
  char *refresh_token;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  login = find (issuer, resource, &local_error);
  if (login == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_NOT_SIGNED_IN,
                      "nobody is signed in with %s here", issuer);
      return NULL;
    }
  if (login->ended != NULL)
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_SIGN_IN_AGAIN,
                         "the login of %s at %s has ended: %s; sign in again", login->name, issuer, login->ended),
           NULL;

  if (login->expires_at == 0 || login->expires_at - now > PADDOCK_ACCOUNTS_REFRESH_MARGIN_S)
    {
      char *access = lookup (login, KIND_ACCESS, &local_error);

      if (access != NULL || local_error != NULL)
        {
          if (local_error != NULL)
            g_propagate_error (error, g_steal_pointer (&local_error));
          return access;
        }
      return end (login, "its access token is missing from the keychain", error);
    }

  refresh_token = lookup (login, KIND_REFRESH, &local_error);
  if (refresh_token == NULL)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (login->expires_at);
      g_autofree char *time = when ? g_date_time_format (when, "%Y-%m-%d %H:%M") : g_strdup ("?");
      g_autofree char *why = NULL;

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      why = g_strdup_printf ("it %s at %s and the provider gave no way to renew it",
                             login->expires_at > now ? "expires" : "expired", time);
      return end (login, why, error);
    }
  tokens = refresh_login (login, refresh_token, cancellable, &local_error);
  if (tokens == NULL)
    {
      paddock_keychain_free (refresh_token);
      /* The provider unreachable, or the wait cancelled: the login stays. */
      if (g_error_matches (local_error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_PROVIDER) ||
          g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      return end (login, local_error->message, error);
    }

  login->expires_at = tokens->expires_at;
  if (tokens->claims != NULL)
    {
      json_object_unref (login->claims);
      login->claims = json_object_ref (tokens->claims);
    }
  if (!store (login, KIND_ACCESS, tokens->access_token, error) ||
      (tokens->refresh_token != NULL && !store (login, KIND_REFRESH, tokens->refresh_token, error)) ||
      (tokens->id_token != NULL && !store (login, KIND_ID, tokens->id_token, error)) ||
      !store_login (login, error))
    {
      paddock_keychain_free (refresh_token);
      return NULL;
    }
  paddock_keychain_free (refresh_token);
  return g_strdup (tokens->access_token);
}

char *
paddock_accounts_get_organization_token (PaddockPolicy  *policy,
                                         GCancellable   *cancellable,
                                         GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PaddockLogin) login = paddock_accounts_find_organization (policy, &local_error);

  if (login == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_NOT_SIGNED_IN,
                      "nobody is signed in to the organisation as its identity rules require; sign in with "
                      "`paddockctl login`");
      return NULL;
    }
  return paddock_accounts_get_access_token (login->issuer, PADDOCK_ACCOUNTS_ORGANIZATION, cancellable, error);
}

/* --- for the app: the same, in a thread ------------------------------ */

typedef struct
{
  PaddockPolicy *policy;
  GPtrArray *logins;
  GPtrArray *removed;
  char *issuer;
  char *resource;
  char *note;
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->policy);
  g_clear_pointer (&job->logins, g_ptr_array_unref);
  g_clear_pointer (&job->removed, g_ptr_array_unref);
  g_free (job->issuer);
  g_free (job->resource);
  g_free (job->note);
  g_free (job);
}

static void
list_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;

  if (job->policy != NULL && (job->removed = paddock_accounts_enforce (job->policy, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  job->logins = paddock_accounts_list (NULL, &error);
  if (job->logins == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
paddock_accounts_list_async (PaddockPolicy       *policy,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  g_task_set_source_tag (task, paddock_accounts_list_async);
  job->policy = policy ? g_object_ref (policy) : NULL;
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, list_in_thread);
}

GPtrArray *
paddock_accounts_list_finish (GAsyncResult  *result,
                              GPtrArray    **removed,
                              GError       **error)
{
  Job *job = g_task_get_task_data (G_TASK (result));

  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == paddock_accounts_list_async, NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  if (removed != NULL)
    *removed = job->removed ? g_ptr_array_ref (job->removed) : NULL;
  return g_ptr_array_ref (job->logins);
}

static void
remove_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;

  if (paddock_accounts_remove (job->issuer, job->resource, &job->note, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
paddock_accounts_remove_async (const char          *issuer,
                               const char          *resource,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  g_task_set_source_tag (task, paddock_accounts_remove_async);
  job->issuer = g_strdup (issuer);
  job->resource = g_strdup (resource);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, remove_in_thread);
}

gboolean
paddock_accounts_remove_finish (GAsyncResult  *result,
                                char         **note,
                                GError       **error)
{
  Job *job = g_task_get_task_data (G_TASK (result));

  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == paddock_accounts_remove_async, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (note != NULL)
    *note = g_steal_pointer (&job->note);
  return TRUE;
}

/* --- signing in --------------------------------------------------------- */

typedef struct
{
  char *resource;
  PaddockPolicy *policy;
  PaddockTokens *tokens;
} SignIn;

static void
sign_in_free (SignIn *data)
{
  g_free (data->resource);
  g_clear_object (&data->policy);
  g_clear_pointer (&data->tokens, paddock_tokens_free);
  g_free (data);
}

static void
save_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PaddockSignIn *sign_in = source_object;
  SignIn *data = task_data;
  GError *error = NULL;
  PaddockLogin *login = paddock_accounts_save (paddock_sign_in_get_issuer (sign_in),
                                               paddock_sign_in_get_client_id (sign_in), data->resource,
                                               data->tokens, &error);

  if (login == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, login, (GDestroyNotify) paddock_login_free);
}

static void
on_signed_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SignIn *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->tokens = paddock_sign_in_run_finish (PADDOCK_SIGN_IN (source), result, &error);
  if (data->tokens == NULL ||
      (g_str_equal (data->resource, PADDOCK_ACCOUNTS_ORGANIZATION) && data->policy != NULL &&
       !paddock_accounts_check_claims (data->policy, data->tokens->claims, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_run_in_thread (task, save_in_thread);
}

void
paddock_accounts_sign_in_async (PaddockSignIn       *sign_in,
                                const char          *resource,
                                gboolean             device,
                                PaddockPolicy       *policy,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (sign_in, cancellable, callback, user_data);
  SignIn *data = g_new0 (SignIn, 1);
  GError *error = NULL;

  g_task_set_source_tag (task, paddock_accounts_sign_in_async);
  data->resource = g_strdup (resource);
  data->policy = policy ? g_object_ref (policy) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) sign_in_free);

  /* Refused before anyone is sent to a browser. */
  if (g_str_equal (resource, PADDOCK_ACCOUNTS_ORGANIZATION) && policy != NULL &&
      !paddock_accounts_check_issuer (policy, paddock_sign_in_get_issuer (sign_in), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  paddock_sign_in_run_async (sign_in, device, cancellable, on_signed_in, g_steal_pointer (&task));
}

PaddockLogin *
paddock_accounts_sign_in_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == paddock_accounts_sign_in_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
