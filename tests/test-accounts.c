/* test-accounts.c: logins kept in a real Secret Service (gnome-keyring
 * in a session bus of the test's own), against a real OpenID provider
 * on loopback; the CLI's login, logout and accounts; no Secret Service;
 * and the token found nowhere it must not be
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <libsecret/secret.h>
#include <libsoup/soup.h>

#include "paddock-accounts.h"
#include "paddock-keychain.h"
#include "test-collector.h"
#include "test-provider.h"
#include "test-util.h"

#define CLIENT "paddock-test"
#define MCP_SERVER "https://mcp.example.test/api"

static TestProvider *provider;
static const char *issuer;
static SoupSession *browser;

/* --- the person, and waiting ------------------------------------------- */

typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
  guint shown;
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

/* A browser that goes to the provider and follows it back. */
static void
show (const char *uri,
      const char *user_code,
      gpointer    user_data)
{
  Wait *wait = user_data;
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, uri);

  wait->shown++;
  soup_session_send_and_read_async (browser, message, G_PRIORITY_DEFAULT, NULL, on_page, NULL);
}

static PaddockLogin *
sign_in (const char     *resource,
         PaddockPolicy  *policy,
         Wait           *wait,
         GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PaddockSignIn) sign_in = paddock_sign_in_new (issuer, CLIENT, &local_error);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GAsyncResult) result = NULL;

  g_assert_no_error (local_error);
  wait->loop = loop;
  paddock_sign_in_set_show_func (sign_in, show, wait);
  paddock_accounts_sign_in_async (sign_in, resource, FALSE, policy, NULL, on_done, wait);
  g_main_loop_run (loop);
  result = g_steal_pointer (&wait->result);
  return paddock_accounts_sign_in_finish (result, error);
}

static PaddockLogin *
sign_in_ok (const char *resource)
{
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };
  PaddockLogin *login = sign_in (resource, NULL, &wait, &error);

  g_assert_no_error (error);
  g_assert_nonnull (login);
  return login;
}

/* --- the keychain ------------------------------------------------------- */

static char *
keychain_secret (const char *resource,
                 const char *kind)
{
  PaddockKeychainEntry match = { issuer, NULL, resource, kind };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = paddock_keychain_search (&match, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (items->len, <=, 1);
  return items->len ? g_strdup (((PaddockKeychainItem *) g_ptr_array_index (items, 0))->secret) : NULL;
}

static guint
keychain_count (const char *resource)
{
  PaddockKeychainEntry match = { NULL, NULL, resource, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = paddock_keychain_search (&match, &error);

  g_assert_no_error (error);
  return items->len;
}

static void
clear_keychain (void)
{
  PaddockKeychainEntry all = { NULL, NULL, NULL, NULL };
  g_autoptr(GError) error = NULL;

  paddock_keychain_clear (&all, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keychain_count (NULL), ==, 0);
}

static PaddockPolicy *
managed_policy (const char *identity)
{
  g_autofree char *json = g_strdup_printf ("{\"identity\": %s}", identity);

  return test_policy_new ("/nonexistent", "/nonexistent", PADDOCK_LAYER_MANAGED, json, -1);
}

/* --- the library ------------------------------------------------------- */

/* Through the browser: the tokens and what describes them go to the
 * keychain, each labelled for people; the description holds no token. */
static void
test_browser (void)
{
  g_autoptr(PaddockLogin) login = NULL;
  g_autoptr(GPtrArray) logins = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *id = NULL;
  g_autofree char *description = NULL;
  PaddockKeychainEntry match = { issuer, NULL, PADDOCK_ACCOUNTS_ORGANIZATION, NULL };
  g_autoptr(GPtrArray) items = NULL;

  clear_keychain ();
  login = sign_in_ok (PADDOCK_ACCOUNTS_ORGANIZATION);
  g_assert_cmpstr (login->name, ==, "johndoe");
  g_assert_true (login->can_refresh);
  g_assert_cmpint (login->expires_at, >, g_get_real_time () / G_USEC_PER_SEC);

  logins = paddock_accounts_list (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (logins->len, ==, 1);
  login = g_ptr_array_steal_index (logins, 0);
  g_assert_cmpstr (login->issuer, ==, issuer);
  g_assert_cmpstr (login->account, ==, "johndoe");
  g_assert_cmpstr (login->client_id, ==, CLIENT);
  g_assert_true (login->can_refresh);
  g_assert_null (login->ended);
  {
    g_autofree char *organization = paddock_login_dup_organization (login, NULL);
    g_assert_cmpstr (organization, ==, "acme");
  }

  access = keychain_secret (PADDOCK_ACCOUNTS_ORGANIZATION, "access");
  refresh = keychain_secret (PADDOCK_ACCOUNTS_ORGANIZATION, "refresh");
  id = keychain_secret (PADDOCK_ACCOUNTS_ORGANIZATION, "id");
  description = keychain_secret (PADDOCK_ACCOUNTS_ORGANIZATION, "login");
  g_assert_nonnull (access);
  g_assert_nonnull (refresh);
  g_assert_nonnull (id);
  g_assert_nonnull (description);
  g_assert_null (strstr (description, access));
  g_assert_null (strstr (description, refresh));
  g_assert_null (strstr (description, id));

  /* Seahorse shows the label: what it is, whose, where. */
  items = paddock_keychain_search (&match, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 4);
  {
    g_autoptr(GError) lookup_error = NULL;
    g_autofree char *label = NULL;
    g_autoptr(GList) found = NULL;
    SecretSchema schema = { "org.paddock.Token", SECRET_SCHEMA_NONE,
                            { { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } } };
    g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);

    g_hash_table_insert (attributes, (char *) "kind", (char *) "access");
    found = secret_password_searchv_sync (&schema, attributes, SECRET_SEARCH_ALL, NULL, &lookup_error);
    g_assert_no_error (lookup_error);
    g_assert_cmpuint (g_list_length (found), ==, 1);
    label = secret_item_get_label (found->data);
    g_test_message ("label: %s", label);
    g_assert_true (g_str_has_prefix (label, "Paddock access token of johndoe at http://localhost:"));
    g_list_free_full (g_steal_pointer (&found), g_object_unref);
  }
}

/* A token about to expire is renewed before it is handed out, and the
 * renewed tokens replace the old in the keychain; one with time left
 * is handed out as it is (the control). */
static void
test_refresh (void)
{
  g_autoptr(PaddockLogin) login = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *refresh_before = NULL;
  g_autofree char *refresh_after = NULL;
  g_autofree char *stored = NULL;
  g_autoptr(GPtrArray) logins = NULL;
  char *token;

  clear_keychain ();
  login = sign_in_ok (PADDOCK_ACCOUNTS_ORGANIZATION);
  refresh_before = keychain_secret (PADDOCK_ACCOUNTS_ORGANIZATION, "refresh");
  token = paddock_accounts_get_access_token (issuer, PADDOCK_ACCOUNTS_ORGANIZATION, NULL, &error);
  g_assert_no_error (error);
  refresh_after = keychain_secret (PADDOCK_ACCOUNTS_ORGANIZATION, "refresh");
  g_assert_cmpstr (refresh_after, ==, refresh_before);
  paddock_keychain_free (token);
  g_clear_pointer (&refresh_after, g_free);
  g_clear_pointer (&login, paddock_login_free);

  clear_keychain ();
  test_provider_set_mode (provider, "short-ttl");
  login = sign_in_ok (PADDOCK_ACCOUNTS_ORGANIZATION);
  g_assert_cmpint (login->expires_at - g_get_real_time () / G_USEC_PER_SEC, <=, 5);
  g_free (refresh_before);
  refresh_before = keychain_secret (PADDOCK_ACCOUNTS_ORGANIZATION, "refresh");
  test_provider_set_mode (provider, "");

  token = paddock_accounts_get_access_token (issuer, PADDOCK_ACCOUNTS_ORGANIZATION, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  refresh_after = keychain_secret (PADDOCK_ACCOUNTS_ORGANIZATION, "refresh");
  stored = keychain_secret (PADDOCK_ACCOUNTS_ORGANIZATION, "access");
  g_assert_cmpstr (refresh_after, !=, refresh_before);
  g_assert_cmpstr (stored, ==, token);
  paddock_keychain_free (token);

  logins = paddock_accounts_list (PADDOCK_ACCOUNTS_ORGANIZATION, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((PaddockLogin *) g_ptr_array_index (logins, 0))->expires_at - g_get_real_time () / G_USEC_PER_SEC,
                   >, PADDOCK_ACCOUNTS_REFRESH_MARGIN_S);
}

/* A refresh token the provider revoked: the login ends, says why, and
 * its tokens leave the keychain; it stays ended. */
static void
test_revoked (void)
{
  g_autoptr(PaddockLogin) login = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again = NULL;
  g_autoptr(GPtrArray) logins = NULL;
  g_autofree char *refresh = NULL;
  char *token;

  clear_keychain ();
  test_provider_set_mode (provider, "short-ttl");
  login = sign_in_ok (PADDOCK_ACCOUNTS_ORGANIZATION);
  test_provider_set_mode (provider, "");
  refresh = keychain_secret (PADDOCK_ACCOUNTS_ORGANIZATION, "refresh");
  g_assert_cmpuint (test_provider_post (provider, "/revoke", NULL, "token", refresh, NULL), ==, 200);

  token = paddock_accounts_get_access_token (issuer, PADDOCK_ACCOUNTS_ORGANIZATION, NULL, &error);
  g_assert_null (token);
  g_assert_error (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_SIGN_IN_AGAIN);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "invalid_grant"));
  g_assert_nonnull (strstr (error->message, "sign in again"));
  g_clear_error (&error);

  g_assert_null (keychain_secret (PADDOCK_ACCOUNTS_ORGANIZATION, "access"));
  g_assert_null (keychain_secret (PADDOCK_ACCOUNTS_ORGANIZATION, "refresh"));
  g_assert_null (keychain_secret (PADDOCK_ACCOUNTS_ORGANIZATION, "id"));
  logins = paddock_accounts_list (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (logins->len, ==, 1);
  g_assert_nonnull (strstr (((PaddockLogin *) g_ptr_array_index (logins, 0))->ended, "invalid_grant"));

  token = paddock_accounts_get_access_token (issuer, PADDOCK_ACCOUNTS_ORGANIZATION, NULL, &again);
  g_assert_null (token);
  g_assert_error (again, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_SIGN_IN_AGAIN);
}

/* An access token that expires with nothing to renew it. */
static void
test_expired (void)
{
  g_autoptr(PaddockLogin) login = NULL;
  g_autoptr(GError) error = NULL;
  char *token;

  clear_keychain ();
  test_provider_set_mode (provider, "no-refresh");
  login = sign_in_ok (PADDOCK_ACCOUNTS_ORGANIZATION);
  test_provider_set_mode (provider, "");
  g_assert_false (login->can_refresh);

  token = paddock_accounts_get_access_token (issuer, PADDOCK_ACCOUNTS_ORGANIZATION, NULL, &error);
  g_assert_null (token);
  g_assert_error (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_SIGN_IN_AGAIN);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "gave no way to renew it"));
}

/* A forced issuer refuses any other before the person is sent anywhere;
 * the forced issuer itself is the control. */
static void
test_forced_issuer (void)
{
  g_autoptr(PaddockPolicy) other = managed_policy ("{\"issuer\": \"https://login.example.com\"}");
  g_autofree char *ours_json = g_strdup_printf ("{\"issuer\": [\"https://login.example.com\", \"%s\"]}", issuer);
  g_autoptr(PaddockPolicy) ours = managed_policy (ours_json);
  g_autoptr(PaddockLogin) refused = NULL;
  g_autoptr(PaddockLogin) accepted = NULL;
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };

  clear_keychain ();
  refused = sign_in (PADDOCK_ACCOUNTS_ORGANIZATION, other, &wait, &error);
  g_assert_null (refused);
  g_assert_error (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_FORBIDDEN);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "the managed layer, managed.json:1:"));
  g_assert_nonnull (strstr (error->message, "identity.issuer"));
  g_assert_nonnull (strstr (error->message, "https://login.example.com"));
  g_assert_cmpuint (wait.shown, ==, 0);
  g_assert_cmpuint (keychain_count (NULL), ==, 0);

  /* An MCP server's login is not the organisation's: not forced. */
  g_clear_error (&error);
  accepted = sign_in (MCP_SERVER, other, &wait, &error);
  g_assert_no_error (error);
  g_clear_pointer (&accepted, paddock_login_free);

  accepted = sign_in (PADDOCK_ACCOUNTS_ORGANIZATION, ours, &wait, &error);
  g_assert_no_error (error);
  g_assert_nonnull (accepted);
}

/* A forced organisation: a sign-in for another is refused and nothing
 * is kept; the right one is kept; a policy that changes removes the
 * stored login that no longer matches, and only that one. */
static void
test_forced_organization (void)
{
  g_autoptr(PaddockPolicy) globex = managed_policy ("{\"organization\": \"globex\"}");
  g_autoptr(PaddockPolicy) acme = managed_policy ("{\"organization\": \"acme\"}");
  g_autoptr(PaddockPolicy) by_group = managed_policy ("{\"organization\": \"acme\", \"organization_claim\": \"tenant\"}");
  g_autoptr(PaddockLogin) refused = NULL;
  g_autoptr(PaddockLogin) accepted = NULL;
  g_autoptr(PaddockLogin) mcp = NULL;
  g_autoptr(GPtrArray) removed = NULL;
  g_autoptr(GPtrArray) left = NULL;
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };

  clear_keychain ();
  refused = sign_in (PADDOCK_ACCOUNTS_ORGANIZATION, globex, &wait, &error);
  g_assert_null (refused);
  g_assert_error (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_FORBIDDEN);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "johndoe belongs to the organisation “acme”: the managed layer, "
                                            "managed.json:1:"));
  g_assert_nonnull (strstr (error->message, "(identity.organization) requires “globex”"));
  g_assert_cmpuint (keychain_count (NULL), ==, 0);
  g_clear_error (&error);

  /* The claim the policy names must be there. */
  refused = sign_in (PADDOCK_ACCOUNTS_ORGANIZATION, by_group, &wait, &error);
  g_assert_null (refused);
  g_assert_error (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (error->message, "without the “tenant” claim"));
  g_clear_error (&error);

  accepted = sign_in (PADDOCK_ACCOUNTS_ORGANIZATION, acme, &wait, &error);
  g_assert_no_error (error);
  mcp = sign_in_ok (MCP_SERVER);

  /* What hands the login out (requirements, exporter) picks only one
   * the rules allow. */
  {
    g_autoptr(PaddockLogin) found = paddock_accounts_find_organization (acme, &error);
    g_autoptr(PaddockLogin) none = NULL;
    char *token;

    g_assert_no_error (error);
    g_assert_nonnull (found);
    none = paddock_accounts_find_organization (globex, &error);
    g_assert_no_error (error);
    g_assert_null (none);
    token = paddock_accounts_get_organization_token (globex, NULL, &error);
    g_assert_null (token);
    g_assert_error (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_NOT_SIGNED_IN);
    g_clear_error (&error);
  }

  removed = paddock_accounts_enforce (acme, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (removed->len, ==, 0);
  g_clear_pointer (&removed, g_ptr_array_unref);

  removed = paddock_accounts_enforce (globex, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (removed->len, ==, 1);
  g_test_message ("%s", (char *) g_ptr_array_index (removed, 0));
  g_assert_nonnull (strstr (g_ptr_array_index (removed, 0), "requires “globex”"));
  left = paddock_accounts_list (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (left->len, ==, 1);
  g_assert_cmpstr (((PaddockLogin *) g_ptr_array_index (left, 0))->resource, ==, MCP_SERVER);
  g_assert_cmpuint (keychain_count (PADDOCK_ACCOUNTS_ORGANIZATION), ==, 0);
}

/* Signing out revokes at the provider: the refresh token that worked
 * before (the control) is refused after; the keychain forgets it all. */
static void
test_sign_out (void)
{
  g_autoptr(PaddockLogin) login = NULL;
  g_autoptr(PaddockLogin) mcp = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *note = NULL;
  char *mcp_token;

  clear_keychain ();
  login = sign_in_ok (PADDOCK_ACCOUNTS_ORGANIZATION);
  mcp = sign_in_ok (MCP_SERVER);
  refresh = keychain_secret (PADDOCK_ACCOUNTS_ORGANIZATION, "refresh");
  g_assert_cmpuint (test_provider_post (provider, "/token", NULL, "grant_type", "refresh_token", "refresh_token",
                                        refresh, "client_id", CLIENT, NULL), ==, 200);

  g_assert_true (paddock_accounts_remove (issuer, PADDOCK_ACCOUNTS_ORGANIZATION, &note, &error));
  g_assert_no_error (error);
  g_assert_null (note);
  g_assert_cmpuint (test_provider_post (provider, "/token", NULL, "grant_type", "refresh_token", "refresh_token",
                                        refresh, "client_id", CLIENT, NULL), ==, 400);
  g_assert_cmpuint (keychain_count (PADDOCK_ACCOUNTS_ORGANIZATION), ==, 0);

  /* The MCP server's login is its own. */
  mcp_token = paddock_accounts_get_access_token (issuer, MCP_SERVER, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mcp_token);
  paddock_keychain_free (mcp_token);

  g_assert_false (paddock_accounts_remove (issuer, PADDOCK_ACCOUNTS_ORGANIZATION, NULL, &error));
  g_assert_error (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_NOT_SIGNED_IN);
}

/* --- the command line -------------------------------------------------- */

typedef struct
{
  char *base;
  char **env;
} Cli;

static void
cli_free (Cli *cli)
{
  g_free (cli->base);
  g_strfreev (cli->env);
  g_free (cli);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Cli, cli_free)

static Cli *
cli_new (const char *name)
{
  Cli *cli = g_new0 (Cli, 1);
  static const char * const dirs[] = { "etc", "config", "cache", "state", "runtime", "project" };

  cli->base = test_make_dir (name);
  cli->env = g_get_environ ();
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = g_build_filename (cli->base, dirs[i], NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
    }
  for (guint i = 0; i < 5; i++)
    {
      static const char * const names[] = { "PADDOCK_SYSCONFDIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
                                             "XDG_STATE_HOME", "XDG_RUNTIME_DIR" };
      g_autofree char *dir = g_build_filename (cli->base, dirs[i], NULL);

      cli->env = g_environ_setenv (cli->env, names[i], dir, TRUE);
    }
  cli->env = g_environ_setenv (cli->env, "HOME", cli->base, TRUE);
  cli->env = g_environ_setenv (cli->env, "LC_ALL", "C.UTF-8", TRUE);
  cli->env = g_environ_unsetenv (cli->env, "DISPLAY");
  cli->env = g_environ_unsetenv (cli->env, "WAYLAND_DISPLAY");
  cli->env = g_environ_unsetenv (cli->env, "OTEL_EXPORTER_OTLP_ENDPOINT");
  return cli;
}

static GSubprocess *
cli_spawn (Cli                *cli,
           const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *project = g_build_filename (cli->base, "project", NULL);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, (gpointer) "setsid");
  g_ptr_array_add (argv, (gpointer) "-w");
  g_ptr_array_add (argv, (gpointer) g_getenv ("PADDOCKCTL"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_set_environ (launcher, cli->env);
  g_subprocess_launcher_set_cwd (launcher, project);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

static void
on_communicated (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

/* Waits for @process while this test's own servers keep answering. */
static int
cli_finish (GSubprocess  *process,
            char        **out,
            char        **err)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Wait wait = { loop, NULL, 0 };

  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_communicated, &wait);
  g_main_loop_run (loop);
  result = wait.result;
  g_subprocess_communicate_utf8_finish (process, result, out, err, &error);
  g_assert_no_error (error);
  g_test_message ("stdout: %s\nstderr: %s", *out, *err);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

static int
cli_run (Cli                *cli,
         const char * const *args,
         char              **out,
         char              **err)
{
  g_autoptr(GSubprocess) process = cli_spawn (cli, args);

  return cli_finish (process, out, err);
}

/* `paddockctl login`: reads the code it prints and enters it as the
 * person would; or, with @browser, opens the address it prints in a
 * browser that follows the provider back. */
static int
cli_login_full (Cli       *cli,
                gboolean   use_browser,
                char     **out,
                char     **err)
{
  const char *device_args[] = { "login", "--device", "--issuer", issuer, "--client-id", CLIENT, NULL };
  const char *browser_args[] = { "login", "--issuer", issuer, "--client-id", CLIENT, NULL };
  g_autoptr(GSubprocess) process = cli_spawn (cli, use_browser ? browser_args : device_args);
  g_autoptr(GDataInputStream) lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autofree char *rest = NULL;
  int status;

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, NULL);
      const char *code;

      if (line == NULL)
        break;
      g_string_append_printf (seen, "%s\n", line);
      if ((code = strstr (line, "enter the code ")) != NULL)
        {
          g_autofree char *path = g_strdup_printf ("/device?user_code=%s", code + strlen ("enter the code "));
          g_autofree char *answer = test_provider_get (provider, path);
          break;
        }
      if (use_browser && g_str_has_prefix (line, "  http://"))
        {
          g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, line + 2);
          g_autoptr(GBytes) page = soup_session_send_and_read (browser, message, NULL, NULL);

          g_assert_nonnull (page);
          g_assert_cmpuint (soup_message_get_status (message), ==, 200);
          break;
        }
    }
  status = cli_finish (process, &rest, err);
  g_string_append (seen, rest);
  *out = g_string_free (g_steal_pointer (&seen), FALSE);
  return status;
}

static int
cli_login (Cli   *cli,
           char **out,
           char **err)
{
  return cli_login_full (cli, FALSE, out, err);
}

/* login, accounts (text and JSON, never a token), the forced issuer
 * from the managed layer's file, and logout. */
static void
test_cli (void)
{
  g_autoptr(Cli) cli = cli_new ("cli");
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *access = NULL;
  g_autofree char *requirements = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *account;
  const char *accounts[] = { "accounts", "--json", NULL };
  const char *accounts_text[] = { "accounts", NULL };
  const char *logout[] = { "logout", NULL };
  int status;

  clear_keychain ();
  status = cli_login (cli, &out, &err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "enter the code"));
  g_assert_nonnull (strstr (out, "Signed in as johndoe (organisation acme) at http://localhost:"));
  access = keychain_secret (PADDOCK_ACCOUNTS_ORGANIZATION, "access");
  g_assert_nonnull (access);
  g_assert_null (strstr (out, access));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (cli_run (cli, accounts, &out, &err), ==, 0);
  g_assert_null (strstr (out, access));
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  account = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "accounts"), 0);
  g_assert_cmpstr (json_object_get_string_member (account, "name"), ==, "johndoe");
  g_assert_cmpstr (json_object_get_string_member (account, "issuer"), ==, issuer);
  g_assert_cmpstr (json_object_get_string_member (account, "organization"), ==, "acme");
  g_assert_cmpstr (json_object_get_string_member (account, "resource"), ==, PADDOCK_ACCOUNTS_ORGANIZATION);
  g_assert_true (json_object_get_boolean_member (account, "renewable"));
  g_assert_cmpint (json_object_get_int_member (account, "expires_at"), >, g_get_real_time () / G_USEC_PER_SEC);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The managed layer forces another organisation: the stored login
   * goes, with the rule; signing in again is refused, with the rule. */
  requirements = g_build_filename (cli->base, "etc", NULL);
  g_free (test_write_file (requirements, "requirements.json",
                           "{\n  \"identity\": {\n    \"organization\": \"globex\"\n  }\n}\n"));
  g_assert_cmpint (cli_run (cli, accounts_text, &out, &err), ==, 0);
  g_assert_nonnull (strstr (err, "The login of johndoe at"));
  g_assert_nonnull (strstr (err, "requirements.json:3:21 (identity.organization) requires “globex”"));
  g_assert_nonnull (strstr (out, "Forced: \"identity.organization\": \"globex\" (the managed layer,"));
  g_assert_nonnull (strstr (out, "Nobody is signed in."));
  g_assert_cmpuint (keychain_count (NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = cli_login (cli, &out, &err);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "not signed in: johndoe belongs to the organisation “acme”"));
  g_assert_cmpuint (keychain_count (NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_free (test_write_file (requirements, "requirements.json",
                           "{\"identity\": {\"issuer\": \"https://login.example.com\"}}"));
  status = cli_login (cli, &out, &err);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "identity.issuer) allows only https://login.example.com"));
  g_assert_null (strstr (out, "enter the code"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Allowed again: signed in, then signed out. */
  g_free (test_write_file (requirements, "requirements.json", "{}"));
  g_assert_cmpint (cli_login (cli, &out, &err), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpuint (keychain_count (PADDOCK_ACCOUNTS_ORGANIZATION), ==, 4);
  g_assert_cmpint (cli_run (cli, logout, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "Signed out of http://localhost:"));
  g_assert_cmpuint (keychain_count (NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Through a browser: the address it prints leads back to it. */
  g_assert_cmpint (cli_login_full (cli, TRUE, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "open this address in a browser on this computer"));
  g_assert_nonnull (strstr (out, "Signed in as johndoe (organisation acme)"));
  g_assert_cmpuint (keychain_count (PADDOCK_ACCOUNTS_ORGANIZATION), ==, 4);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  clear_keychain ();

  /* On a desktop it opens the desktop's browser itself: here a
   * .desktop for http that follows the provider back. */
  {
    g_autofree char *data = g_build_filename (cli->base, "data", NULL);
    g_autofree char *config = g_build_filename (cli->base, "config", NULL);
    const char *args[] = { "login", "--issuer", issuer, "--client-id", CLIENT, NULL };

    g_free (test_write_file (data, "applications/test-browser.desktop",
                             "[Desktop Entry]\nType=Application\nName=Test Browser\n"
                             "Exec=curl -sSL -o /dev/null %u\nMimeType=x-scheme-handler/http;\n"));
    g_free (test_write_file (config, "mimeapps.list",
                             "[Default Applications]\nx-scheme-handler/http=test-browser.desktop\n"));
    cli->env = g_environ_setenv (cli->env, "XDG_DATA_HOME", data, TRUE);
    cli->env = g_environ_setenv (cli->env, "DISPLAY", ":404", TRUE);
    g_assert_cmpint (cli_run (cli, args, &out, &err), ==, 0);
    g_assert_nonnull (strstr (out, "Signed in as johndoe (organisation acme)"));
    g_assert_cmpuint (keychain_count (PADDOCK_ACCOUNTS_ORGANIZATION), ==, 4);
  }
}

/* No Secret Service: login fails before anyone is asked, and says why;
 * nothing is written anywhere instead. test_cli is the control. */
static void
test_no_keychain (void)
{
  g_autoptr(Cli) cli = cli_new ("no-keychain");
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *listing = NULL;
  const char *ls[] = { "find", cli->base, "-type", "f", NULL };
  int status;

  cli->env = g_environ_setenv (cli->env, "DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus", TRUE);
  status = cli_login (cli, &out, &err);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "the keychain (the Secret Service on the session bus) cannot be used"));
  g_assert_nonnull (strstr (err, "never keeps a secret in a file"));
  g_assert_null (strstr (out, "enter the code"));

  g_assert_true (g_spawn_sync (NULL, (char **) ls, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &listing, NULL, NULL,
                               NULL));
  g_assert_cmpstr (listing, ==, "");
}

/* --- nowhere but the keychain ------------------------------------------- */

#define REQUIREMENTS_DOC "{\"version\": 1, \"network\": {\"deny\": [\"leak-test.example\"]}}"

typedef struct
{
  char *token;
  guint authorized;
  guint refused;
} Requirements;

static void
on_requirements (SoupServer        *server,
                 SoupServerMessage *message,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  Requirements *requirements = user_data;
  const char *authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (message),
                                                            "Authorization");
  g_autofree char *expected = g_strconcat ("Bearer ", requirements->token, NULL);

  if (g_strcmp0 (authorization, expected) != 0)
    {
      requirements->refused++;
      soup_server_message_set_status (message, SOUP_STATUS_UNAUTHORIZED, NULL);
      return;
    }
  requirements->authorized++;
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC, REQUIREMENTS_DOC,
                                    strlen (REQUIREMENTS_DOC));
}

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;
  return memmem (contents, length, needle, strlen (needle)) != NULL;
}

/* Every file under @dir that holds @needle, one per line. */
static void
find_in_tree (const char *dir,
              const char *needle,
              GString    *found)
{
  g_autoptr(GDir) entries = g_dir_open (dir, 0, NULL);
  const char *name;

  while (entries != NULL && (name = g_dir_read_name (entries)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        find_in_tree (path, needle, found);
      else if (file_contains (path, needle))
        g_string_append_printf (found, "%s\n", path);
    }
}

/* Every process of ours whose arguments or environment hold @needle. */
static void
find_in_processes (const char *needle,
                   GString    *found)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (proc)) != NULL)
    {
      static const char * const files[] = { "cmdline", "environ" };

      if (!g_ascii_isdigit (name[0]))
        continue;
      for (guint i = 0; i < G_N_ELEMENTS (files); i++)
        {
          g_autofree char *path = g_build_filename ("/proc", name, files[i], NULL);

          if (file_contains (path, needle))
            g_string_append_printf (found, "%s\n", path);
        }
    }
}

static void
assert_nowhere (const char    *what,
                const char    *secret,
                Cli           *cli,
                TestCollector *collector,
                const char    *sandbox_output)
{
  g_autoptr(GString) found = g_string_new (NULL);

  g_assert_nonnull (secret);
  g_assert_cmpuint (strlen (secret), >=, 16);
  find_in_tree (cli->base, secret, found);
  find_in_processes (secret, found);
  if (test_collector_bodies_contain (collector, secret))
    g_string_append (found, "the exported telemetry\n");
  if (strstr (sandbox_output, secret) != NULL)
    g_string_append (found, "the sandbox's environment\n");
  if (found->len > 0)
    g_error ("the %s is in:\n%s", what, found->str);
}

/* Signs in, fetches the requirements with the login's token (which the
 * server must see: the control that the token is in use), runs
 * commands in the sandbox while their processes are searched, exports
 * the events, then searches every file under the test's HOME and XDG
 * folders (the audit store among them), the exported telemetry, every
 * process's arguments and environment, and what the sandbox's
 * environment held, for each token. A copy planted on purpose must be
 * found, so the search is shown able to find one. */
static void
test_no_leak (void)
{
  g_autoptr(Cli) cli = cli_new ("no-leak");
  g_autoptr(TestCollector) collector = test_collector_new (0);
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GSList) uris = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *etc = g_build_filename (cli->base, "etc", NULL);
  g_autofree char *config = NULL;
  g_autofree char *sandbox_output = NULL;
  g_autofree char *why = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GString) planted_found = g_string_new (NULL);
  Requirements requirements = { 0 };
  const char *refresh_args[] = { "policy", "refresh", NULL };
  const char *run_args[] = { "run", "--", "sh", "-c", "env; tr '\\0' '\\n' < /proc/self/cmdline; sleep 1", NULL };

  if (!test_sandbox_usable (&why))
    {
      g_test_skip (why);
      return;
    }
  clear_keychain ();
  g_assert_cmpint (cli_login (cli, &out, &err), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  requirements.token = keychain_secret (PADDOCK_ACCOUNTS_ORGANIZATION, "access");
  refresh = keychain_secret (PADDOCK_ACCOUNTS_ORGANIZATION, "refresh");
  id = keychain_secret (PADDOCK_ACCOUNTS_ORGANIZATION, "id");

  /* The requirements, fetched with the token. */
  soup_server_add_handler (server, "/requirements.json", on_requirements, &requirements, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  config = g_strdup_printf ("{\"requirements_url\": \"http://127.0.0.1:%d/requirements.json\"}",
                            g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  g_free (test_write_file (etc, "config.json", config));
  g_assert_cmpint (cli_run (cli, refresh_args, &out, &err), ==, 0);
  g_assert_cmpuint (requirements.authorized, ==, 1);
  g_assert_cmpuint (requirements.refused, ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Commands in the sandbox, exported to the organisation's collector
   * with the login's token; searched while they run. */
  {
    g_autofree char *managed = g_strdup_printf ("{\"telemetry\": {\"otlp_endpoint\": \"http://127.0.0.1:%u\", "
                                                "\"login_token\": true}}", test_collector_get_port (collector));

    g_free (test_write_file (etc, "requirements.json", managed));
  }
  {
    g_autoptr(GSubprocess) run = cli_spawn (cli, run_args);
    g_autoptr(GString) running = g_string_new (NULL);

    g_usleep (500 * 1000);
    find_in_processes (requirements.token, running);
    find_in_processes (refresh, running);
    g_assert_cmpstr (running->str, ==, "");
    g_assert_cmpint (cli_finish (run, &sandbox_output, &err), ==, 0);
  }
  g_assert_nonnull (strstr (sandbox_output, "HOME="));
  g_assert_true (test_collector_wait_for_records (collector, 3, 10000));
  g_assert_true (test_collector_bodies_contain (collector, "sleep 1"));
  {
    g_autoptr(GPtrArray) requests = test_collector_dup_requests (collector);
    g_autofree char *bearer = g_strconcat ("Bearer ", requirements.token, NULL);

    g_assert_cmpuint (requests->len, >, 0);
    for (guint i = 0; i < requests->len; i++)
      g_assert_cmpstr (soup_message_headers_get_one (((TestCollectorRequest *) g_ptr_array_index (requests, i))->headers,
                                                     "Authorization"), ==, bearer);
  }

  assert_nowhere ("access token", requirements.token, cli, collector, sandbox_output);
  assert_nowhere ("refresh token", refresh, cli, collector, sandbox_output);
  assert_nowhere ("ID token", id, cli, collector, sandbox_output);

  /* The control: a copy put in a file on purpose is found. */
  {
    g_autofree char *state = g_build_filename (cli->base, "state", NULL);
    g_autofree char *planted = test_write_file (state, "planted/copy.txt", refresh);

    find_in_tree (cli->base, refresh, planted_found);
    g_assert_nonnull (strstr (planted_found->str, planted));
  }
  g_free (requirements.token);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("PADDOCK_TEST_KEYCHAIN") == NULL)
    {
      g_test_message ("not in a session bus with gnome-keyring of the test's own (meson test runs it in one)");
      return 77;
    }
  provider = test_provider_start ();
  if (provider == NULL)
    {
      g_test_message ("PADDOCK_OIDC_MODULES names no node_modules with oauth2-mock-server");
      return 77;
    }
  issuer = test_provider_get_issuer (provider);
  browser = soup_session_new ();

  g_test_add_func ("/accounts/browser", test_browser);
  g_test_add_func ("/accounts/refresh", test_refresh);
  g_test_add_func ("/accounts/revoked", test_revoked);
  g_test_add_func ("/accounts/expired", test_expired);
  g_test_add_func ("/accounts/forced-issuer", test_forced_issuer);
  g_test_add_func ("/accounts/forced-organization", test_forced_organization);
  g_test_add_func ("/accounts/sign-out", test_sign_out);
  g_test_add_func ("/accounts/cli", test_cli);
  g_test_add_func ("/accounts/no-keychain", test_no_keychain);
  g_test_add_func ("/accounts/no-leak", test_no_leak);

  status = g_test_run ();
  g_clear_object (&browser);
  test_provider_stop (provider);
  return status;
}
