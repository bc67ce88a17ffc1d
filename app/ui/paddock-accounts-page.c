/* paddock-accounts-page.c
 *
 * Everything here goes through the core's accounts: the same checks of
 * the organisation's rules as `paddockctl login`, the same keychain
 * entries. The provider's page opens in the person's browser, and the
 * address is shown too, for when no browser opens.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "paddock-accounts.h"
#include "paddock-accounts-page.h"
#include "paddock-policy-document.h"
#include "paddock-policy-loader.h"

struct _PaddockAccountsPage
{
  AdwPreferencesPage parent_instance;

  AdwPreferencesGroup *sign_in_group;
  AdwEntryRow *issuer_row;
  AdwEntryRow *client_row;
  GtkSpinner *spinner;
  GtkButton *cancel_button;
  GtkButton *sign_in_button;
  GtkLabel *status_label;
  AdwPreferencesGroup *logins_group;

  PaddockPolicy *policy;
  GCancellable *cancellable;        /* everything this page waits for */
  GCancellable *sign_in;            /* the sign-in under way, or NULL */
  GPtrArray *login_rows;            /* rows added to logins_group */
};

G_DEFINE_FINAL_TYPE (PaddockAccountsPage, paddock_accounts_page, ADW_TYPE_PREFERENCES_PAGE)

static void reload (PaddockAccountsPage *self);

static void
set_status (PaddockAccountsPage *self,
            const char          *text)
{
  gtk_label_set_text (self->status_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL);
}

static void
set_busy (PaddockAccountsPage *self,
          gboolean             busy)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_in_button), !busy && self->policy != NULL);
}

static char *
format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_time);

  return time ? g_date_time_format (time, "%Y-%m-%d %H:%M") : g_strdup ("?");
}

/* --- the logins ------------------------------------------------------ */

static char *
describe (PaddockLogin  *login,
          PaddockPolicy *policy)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *organization = paddock_login_dup_organization (login, policy);
  g_autofree char *until = format_time (login->expires_at);

  if (g_str_equal (login->resource, PADDOCK_ACCOUNTS_ORGANIZATION))
    g_string_append_printf (text, _("The organisation, through %s"), login->issuer);
  else
    g_string_append_printf (text, _("The MCP server %s, through %s"), login->resource, login->issuer);
  if (organization != NULL)
    g_string_append_printf (text, _(" · organisation %s"), organization);
  g_string_append (text, "\n");
  if (login->ended != NULL)
    g_string_append_printf (text, _("Ended: %s. Sign in again."), login->ended);
  else if (login->expires_at == 0)
    g_string_append (text, _("Signed in; the provider gave no expiry"));
  else if (login->can_refresh)
    g_string_append_printf (text, _("Signed in until %s, renewed before then"), until);
  else
    g_string_append_printf (text, _("Signed in until %s; then sign in again"), until);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
on_removed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PaddockAccountsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;

  if (!paddock_accounts_remove_finish (result, &note, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_status (self, error->message);
    }
  else
    set_status (self, note ? note : _("Signed out."));
  reload (self);
}

static void
on_sign_out (GtkButton           *button,
             PaddockAccountsPage *self)
{
  const char *issuer = g_object_get_data (G_OBJECT (button), "issuer");
  const char *resource = g_object_get_data (G_OBJECT (button), "resource");

  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  paddock_accounts_remove_async (issuer, resource, self->cancellable, on_removed, g_object_ref (self));
}

static GtkWidget *
login_row_new (PaddockAccountsPage *self,
               PaddockLogin        *login)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (_("Sign _Out"));
  g_autofree char *title = g_markup_escape_text (login->name, -1);
  g_autofree char *text = describe (login, self->policy);
  g_autofree char *subtitle = g_markup_escape_text (text, -1);
  g_autofree char *what = g_strdup_printf (_("Sign out %s from %s"), login->name, login->issuer);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, what);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, what, -1);
  g_object_set_data_full (G_OBJECT (button), "issuer", g_strdup (login->issuer), g_free);
  g_object_set_data_full (G_OBJECT (button), "resource", g_strdup (login->resource), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_sign_out), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return row;
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PaddockAccountsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) removed = NULL;
  g_autoptr(GPtrArray) logins = paddock_accounts_list_finish (result, &removed, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  for (guint i = 0; i < self->login_rows->len; i++)
    adw_preferences_group_remove (self->logins_group, g_ptr_array_index (self->login_rows, i));
  g_ptr_array_set_size (self->login_rows, 0);

  if (logins == NULL)
    {
      set_status (self, error->message);
      gtk_widget_set_sensitive (GTK_WIDGET (self->sign_in_button), FALSE);
      return;
    }
  if (removed != NULL && removed->len > 0)
    {
      g_autofree char *text = NULL;

      g_ptr_array_add (removed, NULL);
      text = g_strjoinv ("\n", (char **) removed->pdata);
      set_status (self, text);
    }
  for (guint i = 0; i < logins->len; i++)
    g_ptr_array_add (self->login_rows, login_row_new (self, g_ptr_array_index (logins, i)));
  if (logins->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Nobody is signed in"));
      g_ptr_array_add (self->login_rows, row);
    }
  for (guint i = 0; i < self->login_rows->len; i++)
    adw_preferences_group_add (self->logins_group, g_ptr_array_index (self->login_rows, i));
}

static void
reload (PaddockAccountsPage *self)
{
  paddock_accounts_list_async (self->policy, self->cancellable, on_listed, g_object_ref (self));
}

/* --- signing in ------------------------------------------------------ */

static void
on_launched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PaddockAccountsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!gtk_show_uri_full_finish (GTK_WINDOW (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->sign_in != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("No browser could be opened (%s). Open the address above "
                                                 "in a browser on this computer."), error->message);
      g_autofree char *shown = g_strconcat (gtk_label_get_text (self->status_label), "\n", text, NULL);

      set_status (self, shown);
    }
}

static void
show (const char *uri,
      const char *user_code,
      gpointer    user_data)
{
  PaddockAccountsPage *self = user_data;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *text = g_strdup_printf (_("Waiting for the browser to come back. If none opened, go to %s"), uri);

  set_status (self, text);
  gtk_show_uri_full (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME, self->sign_in,
                     on_launched, g_object_ref (self));
}

static void
on_signed_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PaddockAccountsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockLogin) login = paddock_accounts_sign_in_finish (result, &error);

  g_clear_object (&self->sign_in);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  set_busy (self, FALSE);
  if (login == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_status (self, _("The sign-in was cancelled."));
      else
        {
          g_autofree char *text = g_strdup_printf (_("Not signed in: %s"), error->message);
          set_status (self, text);
        }
      return;
    }
  {
    g_autofree char *text = g_strdup_printf (_("Signed in as %s."), login->name);
    set_status (self, text);
  }
  reload (self);
}

static void
on_sign_in (PaddockAccountsPage *self)
{
  g_autofree char *issuer = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->issuer_row))));
  g_autofree char *client_id = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->client_row))));
  g_autoptr(PaddockSignIn) sign_in = NULL;
  g_autoptr(GError) error = NULL;

  if (*issuer == '\0' || *client_id == '\0')
    {
      set_status (self, _("Type the provider's address and Paddock's client ID there; your administrator "
                          "knows them."));
      return;
    }
  sign_in = paddock_sign_in_new (issuer, client_id, &error);
  if (sign_in == NULL)
    {
      set_status (self, error->message);
      return;
    }
  paddock_sign_in_set_show_func (sign_in, show, self);
  self->sign_in = g_cancellable_new ();
  set_busy (self, TRUE);
  set_status (self, _("Asking the provider…"));
  paddock_accounts_sign_in_async (sign_in, PADDOCK_ACCOUNTS_ORGANIZATION, FALSE, self->policy, self->sign_in,
                                  on_signed_in, g_object_ref (self));
}

static void
on_cancel (PaddockAccountsPage *self)
{
  if (self->sign_in != NULL)
    g_cancellable_cancel (self->sign_in);
}

/* --- what the organisation forces ------------------------------------ */

static void
show_forced (PaddockAccountsPage *self)
{
  const PaddockSetting *issuer = paddock_policy_get_setting (self->policy, "identity.issuer", NULL);
  const PaddockSetting *organization = paddock_policy_get_setting (self->policy, "identity.organization", NULL);
  g_autofree char *default_issuer = paddock_accounts_dup_default_issuer (self->policy);
  g_autofree char *client_id = paddock_accounts_dup_default_client_id (self->policy);
  g_autoptr(GString) text = g_string_new (NULL);

  if (default_issuer != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->issuer_row), default_issuer);
  if (client_id != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->client_row), client_id);
  if (issuer == NULL && organization == NULL)
    return;

  g_string_append (text, _("Your organisation decides who signs in here."));
  if (issuer != NULL)
    {
      g_autofree char *origin = paddock_setting_dup_origin (issuer);
      g_autofree const char **allowed = g_variant_get_strv (issuer->value, NULL);
      g_autofree char *list = g_strjoinv (", ", (char **) allowed);

      g_string_append_printf (text, _("\nProvider: %s, as %s requires."), list, origin);
      /* One provider allowed: nothing to choose. */
      if (g_strv_length ((char **) allowed) == 1)
        gtk_editable_set_editable (GTK_EDITABLE (self->issuer_row), FALSE);
    }
  if (organization != NULL)
    {
      g_autofree char *origin = paddock_setting_dup_origin (organization);

      g_string_append_printf (text, _("\nOrganisation: %s, as %s requires."),
                              g_variant_get_string (organization->value, NULL), origin);
    }
  adw_preferences_group_set_description (self->sign_in_group, text->str);
}

/* --- the page -------------------------------------------------------- */

static void
paddock_accounts_page_dispose (GObject *object)
{
  PaddockAccountsPage *self = PADDOCK_ACCOUNTS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->sign_in != NULL)
    g_cancellable_cancel (self->sign_in);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->sign_in);
  g_clear_object (&self->policy);
  g_clear_pointer (&self->login_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (paddock_accounts_page_parent_class)->dispose (object);
}

static void
paddock_accounts_page_class_init (PaddockAccountsPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = paddock_accounts_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/paddock/Paddock/ui/paddock-accounts-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PaddockAccountsPage, sign_in_group);
  gtk_widget_class_bind_template_child (widget_class, PaddockAccountsPage, issuer_row);
  gtk_widget_class_bind_template_child (widget_class, PaddockAccountsPage, client_row);
  gtk_widget_class_bind_template_child (widget_class, PaddockAccountsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, PaddockAccountsPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, PaddockAccountsPage, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, PaddockAccountsPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, PaddockAccountsPage, logins_group);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_in);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel);
}

static void
paddock_accounts_page_init (PaddockAccountsPage *self)
{
  g_autoptr(PaddockPolicyLoader) loader = paddock_policy_loader_new ();
  g_autoptr(GError) error = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->login_rows = g_ptr_array_new ();

  /* The identity rules live in the machine's layers: no workspace. */
  self->policy = paddock_policy_loader_load (loader, NULL, &error);
  if (self->policy == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The policy cannot be loaded, so nobody can sign in: %s"),
                                               error->message);
      set_status (self, text);
    }
  else
    show_forced (self);
  set_busy (self, FALSE);
  reload (self);
}

GtkWidget *
paddock_accounts_page_new (void)
{
  return g_object_new (PADDOCK_TYPE_ACCOUNTS_PAGE, NULL);
}
