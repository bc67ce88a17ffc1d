/* paddock-login: `paddockctl login`, `logout` and `accounts`
 *
 * A program of its own so that paddockctl does not load libsoup and
 * libsecret. Tokens are never printed: only who signed in, where, and
 * until when.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "paddock-accounts.h"
#include "paddock-keychain.h"
#include "paddock-paths.h"
#include "paddock-policy-document.h"
#include "paddock-policy-loader.h"

#define EXIT_REFUSED 1
#define EXIT_ERROR 2

static int G_GNUC_PRINTF (1, 2)
fail (const char *format,
      ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("paddockctl: %s\n", message);
  return EXIT_ERROR;
}

static PaddockPolicy *
load_policy (GError **error)
{
  g_autoptr(PaddockPolicyLoader) loader = paddock_policy_loader_new ();

  return paddock_policy_loader_load (loader, NULL, error);
}

/* Removes the logins the policy no longer allows, and says so. */
static gboolean
enforce (PaddockPolicy  *policy,
         GError        **error)
{
  g_autoptr(GPtrArray) removed = paddock_accounts_enforce (policy, error);

  if (removed == NULL)
    return FALSE;
  for (guint i = 0; i < removed->len; i++)
    g_printerr ("paddockctl: %s\n", (char *) g_ptr_array_index (removed, i));
  return TRUE;
}

static char *
format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_time);

  return time ? g_date_time_format (time, "%Y-%m-%d %H:%M %Z") : g_strdup ("?");
}

/* --- login ----------------------------------------------------------- */

typedef struct
{
  GMainLoop *loop;
  GCancellable *cancellable;
  PaddockLogin *login;
  GError *error;
} Login;

static void
show (const char *uri,
      const char *user_code,
      gpointer    user_data)
{
  g_autoptr(GError) error = NULL;

  if (user_code != NULL)
    {
      g_print (_("To sign in, open %s on any device and enter the code %s\n"), uri, user_code);
      g_print (_("Waiting for the code to be entered… (Ctrl+C to stop)\n"));
      return;
    }
  g_print (_("To sign in, open this address in a browser on this computer:\n  %s\n"), uri);
  /* Only with a desktop: elsewhere the person opens the address. */
  if ((g_getenv ("DISPLAY") != NULL || g_getenv ("WAYLAND_DISPLAY") != NULL) &&
      !g_app_info_launch_default_for_uri (uri, NULL, &error))
    g_printerr (_("paddockctl: no browser could be opened (%s); open the address yourself\n"), error->message);
  g_print (_("Waiting for the browser… (Ctrl+C to stop)\n"));
}

static void
on_signed_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Login *login = user_data;

  login->login = paddock_accounts_sign_in_finish (result, &login->error);
  g_main_loop_quit (login->loop);
}

static gboolean
on_interrupt (gpointer user_data)
{
  Login *login = user_data;

  g_cancellable_cancel (login->cancellable);
  return G_SOURCE_CONTINUE;
}

static int
login_main (int    argc,
            char **argv)
{
  g_autofree char *issuer = NULL;
  g_autofree char *client_id = NULL;
  g_autofree char *mcp_server = NULL;
  gboolean device = FALSE;
  const GOptionEntry entries[] = {
    { "issuer", 0, 0, G_OPTION_ARG_STRING, &issuer, N_("The OpenID provider (default: the policy's identity.issuer)"), "URL" },
    { "client-id", 0, 0, G_OPTION_ARG_STRING, &client_id, N_("Paddock's client ID there (default: identity.client_id)"), "ID" },
    { "device", 0, 0, G_OPTION_ARG_NONE, &device, N_("Sign in with a code typed on another device"), NULL },
    { "mcp-server", 0, 0, G_OPTION_ARG_STRING, &mcp_server, N_("Sign in for this MCP server instead of the organisation"), "URL" },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockPolicy) policy = NULL;
  g_autoptr(PaddockSignIn) sign_in = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *organization = NULL;
  Login login = { loop, cancellable, NULL, NULL };
  guint interrupt;

  g_set_prgname ("paddockctl login");
  g_option_context_set_summary (context, _("Sign in with OpenID Connect; the tokens go to the keychain only."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fail ("%s", error->message);
  if (argc > 1)
    return fail (_("unexpected “%s”"), argv[1]);

  policy = load_policy (&error);
  if (policy == NULL)
    return fail (_("the policy cannot be loaded, so nobody signs in: %s"), error->message);
  if (issuer == NULL && mcp_server == NULL)
    issuer = paddock_accounts_dup_default_issuer (policy);
  if (client_id == NULL && mcp_server == NULL)
    client_id = paddock_accounts_dup_default_client_id (policy);
  if (issuer == NULL)
    return fail (_("no provider to sign in with: pass --issuer URL (administrators set identity.issuer)"));
  if (client_id == NULL)
    return fail (_("no client ID: pass --client-id ID (administrators set identity.client_id)"));
  if (!enforce (policy, &error))
    return fail ("%s", error->message);

  sign_in = paddock_sign_in_new (issuer, client_id, &error);
  if (sign_in == NULL)
    return fail ("%s", error->message);
  paddock_sign_in_set_show_func (sign_in, show, NULL);
  interrupt = g_unix_signal_add (SIGINT, on_interrupt, &login);
  paddock_accounts_sign_in_async (sign_in, mcp_server ? mcp_server : PADDOCK_ACCOUNTS_ORGANIZATION, device,
                                  policy, cancellable, on_signed_in, &login);
  g_main_loop_run (loop);
  g_source_remove (interrupt);

  if (login.login == NULL)
    {
      g_autoptr(GError) failure = login.error;
      int status = g_error_matches (failure, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_FORBIDDEN) ||
                   g_error_matches (failure, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_DENIED)
                   ? EXIT_REFUSED : EXIT_ERROR;

      g_printerr (_("paddockctl: not signed in: %s\n"), failure->message);
      return status;
    }

  organization = paddock_login_dup_organization (login.login, policy);
  if (organization != NULL)
    g_print (_("Signed in as %s (organisation %s) at %s.\n"), login.login->name, organization, issuer);
  else
    g_print (_("Signed in as %s at %s.\n"), login.login->name, issuer);
  if (login.login->expires_at != 0)
    {
      g_autofree char *until = format_time (login.login->expires_at);

      g_print (login.login->can_refresh ? _("The access token lasts until %s and is renewed before then.\n")
                                        : _("The access token lasts until %s; then sign in again.\n"),
               until);
    }
  paddock_login_free (login.login);
  return 0;
}

/* --- logout ----------------------------------------------------------- */

static int
logout_main (int    argc,
             char **argv)
{
  g_autofree char *issuer = NULL;
  g_autofree char *mcp_server = NULL;
  const GOptionEntry entries[] = {
    { "issuer", 0, 0, G_OPTION_ARG_STRING, &issuer, N_("The provider to sign out of (default: the only one)"), "URL" },
    { "mcp-server", 0, 0, G_OPTION_ARG_STRING, &mcp_server, N_("Sign out of this MCP server's login"), "URL" },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) logins = NULL;
  g_autofree char *note = NULL;
  const char *resource;

  g_set_prgname ("paddockctl logout");
  g_option_context_set_summary (context, _("Sign out: the provider revokes the login, and the keychain forgets it."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fail ("%s", error->message);
  if (argc > 1)
    return fail (_("unexpected “%s”"), argv[1]);

  resource = mcp_server ? mcp_server : PADDOCK_ACCOUNTS_ORGANIZATION;
  if (issuer == NULL)
    {
      logins = paddock_accounts_list (resource, &error);
      if (logins == NULL)
        return fail ("%s", error->message);
      if (logins->len == 0)
        {
          g_print (_("Nobody is signed in.\n"));
          return 0;
        }
      if (logins->len > 1)
        return fail (_("more than one provider has a login here; say which with --issuer URL "
                       "(“paddockctl accounts” lists them)"));
      issuer = g_strdup (((PaddockLogin *) g_ptr_array_index (logins, 0))->issuer);
    }
  if (!paddock_accounts_remove (issuer, resource, &note, &error))
    {
      if (g_error_matches (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_NOT_SIGNED_IN))
        {
          g_print (_("Nobody is signed in with %s.\n"), issuer);
          return 0;
        }
      return fail ("%s", error->message);
    }
  g_print (_("Signed out of %s.\n"), issuer);
  if (note != NULL)
    g_printerr ("paddockctl: %s\n", note);
  return 0;
}

/* --- accounts --------------------------------------------------------- */

static const char * const forced_keys[] = { "identity.issuer", "identity.organization" };

static void
print_forced (PaddockPolicy *policy)
{
  for (guint i = 0; i < G_N_ELEMENTS (forced_keys); i++)
    {
      const PaddockSetting *setting = paddock_policy_get_setting (policy, forced_keys[i], NULL);
      g_autofree char *origin = NULL;

      if (setting == NULL)
        continue;
      origin = paddock_setting_dup_origin (setting);
      g_print (_("Forced: %s (%s)\n"), setting->text, origin);
    }
}

static JsonNode *
accounts_to_json (GPtrArray     *logins,
                  PaddockPolicy *policy)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "accounts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < logins->len; i++)
    {
      PaddockLogin *login = g_ptr_array_index (logins, i);
      g_autofree char *organization = paddock_login_dup_organization (login, policy);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, login->name);
      json_builder_set_member_name (builder, "account");
      json_builder_add_string_value (builder, login->account);
      json_builder_set_member_name (builder, "issuer");
      json_builder_add_string_value (builder, login->issuer);
      json_builder_set_member_name (builder, "resource");
      json_builder_add_string_value (builder, login->resource);
      json_builder_set_member_name (builder, "organization");
      if (organization != NULL)
        json_builder_add_string_value (builder, organization);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "signed_in_at");
      json_builder_add_int_value (builder, login->signed_in_at);
      json_builder_set_member_name (builder, "expires_at");
      if (login->expires_at != 0)
        json_builder_add_int_value (builder, login->expires_at);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "renewable");
      json_builder_add_boolean_value (builder, login->can_refresh);
      json_builder_set_member_name (builder, "ended");
      if (login->ended != NULL)
        json_builder_add_string_value (builder, login->ended);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "forced");
  json_builder_begin_object (builder);
  for (guint i = 0; i < G_N_ELEMENTS (forced_keys); i++)
    {
      const char *key = forced_keys[i];
      const PaddockSetting *setting = paddock_policy_get_setting (policy, key, NULL);
      g_autofree char *location = NULL;

      if (setting == NULL)
        continue;
      location = paddock_setting_dup_location (setting);
      json_builder_set_member_name (builder, key);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "value");
      json_builder_add_value (builder, json_gvariant_serialize (setting->value));
      json_builder_set_member_name (builder, "layer");
      json_builder_add_string_value (builder, paddock_layer_to_string (setting->layer));
      json_builder_set_member_name (builder, "source");
      json_builder_add_string_value (builder, location);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static int
accounts_main (int    argc,
               char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockPolicy) policy = NULL;
  g_autoptr(GPtrArray) logins = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_set_prgname ("paddockctl accounts");
  g_option_context_set_summary (context, _("Who is signed in, where, and until when; never a token."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fail ("%s", error->message);
  if (argc > 1)
    return fail (_("unexpected “%s”"), argv[1]);

  policy = load_policy (&error);
  if (policy == NULL)
    return fail (_("the policy cannot be loaded: %s"), error->message);
  if (!enforce (policy, &error))
    return fail ("%s", error->message);
  logins = paddock_accounts_list (NULL, &error);
  if (logins == NULL)
    return fail ("%s", error->message);

  if (json)
    {
      g_autoptr(JsonNode) root = accounts_to_json (logins, policy);
      g_autofree char *text = json_to_string (root, TRUE);

      g_print ("%s\n", text);
      return 0;
    }

  print_forced (policy);
  if (logins->len == 0)
    g_print (_("Nobody is signed in.\n"));
  for (guint i = 0; i < logins->len; i++)
    {
      PaddockLogin *login = g_ptr_array_index (logins, i);
      g_autofree char *organization = paddock_login_dup_organization (login, policy);
      g_autofree char *until = format_time (login->expires_at);

      g_print ("%s\n", login->name);
      g_print (_("  provider:     %s\n"), login->issuer);
      if (g_str_equal (login->resource, PADDOCK_ACCOUNTS_ORGANIZATION))
        g_print (_("  for:          the organisation\n"));
      else
        g_print (_("  for:          the MCP server %s\n"), login->resource);
      if (organization != NULL)
        g_print (_("  organisation: %s\n"), organization);
      if (login->ended != NULL)
        g_print (_("  state:        ended, sign in again (%s)\n"), login->ended);
      else if (login->expires_at == 0)
        g_print (_("  state:        signed in, no expiry given\n"));
      else if (login->expires_at > now)
        g_print (_("  state:        signed in until %s%s\n"), until,
                 login->can_refresh ? _(", renewed before then") : "");
      else
        g_print (_("  state:        expired at %s%s\n"), until,
                 login->can_refresh ? _(", renewed when next used") : _("; sign in again"));
    }
  return 0;
}

int
main (int    argc,
      char **argv)
{
  paddock_paths_init ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc >= 2 && g_str_equal (argv[1], "login"))
    return login_main (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "logout"))
    return logout_main (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "accounts"))
    return accounts_main (argc - 1, argv + 1);
  return fail (_("usage: paddock-login login|logout|accounts [OPTION…]"));
}
