/* paddock-workspace-settings.c
 *
 * Every control writes the workspace's own policy layer through
 * paddock-policy-file (which refuses what the policy reader would), and
 * reads back what is in force from the loaded policy, so what it shows
 * is what the core decides with. A control that an enforced layer
 * decides is insensitive, with a lock and the layer and source in its
 * tooltip.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "paddock-policy-file.h"
#include "paddock-policy-loader.h"
#include "paddock-workspace-settings.h"

typedef struct
{
  const char *section;
  const char *const *values;   /* by position in the combo; [0] is NULL: unset */
} ModeChoice;

static const char * const sandbox_values[] = { NULL, "read-only", "workspace-write", "full-access" };
static const char * const approval_values[] = { NULL, "untrusted", "on-request", "never", "auto-review" };
static const char * const network_values[] = { NULL, "disabled", "allowlist", "full" };

static const ModeChoice mode_choices[] = {
  { "sandbox", sandbox_values },
  { "approval", approval_values },
  { "network", network_values },
};

static const guint n_mode_values[] = {
  G_N_ELEMENTS (sandbox_values), G_N_ELEMENTS (approval_values), G_N_ELEMENTS (network_values),
};

typedef struct
{
  const char *section;
  const char *key;
  gboolean is_allow;  /* an allow rule: off when personal allow rules are off */
} ListChoice;

static const ListChoice list_choices[] = {
  { "sandbox", "writable", TRUE },
  { "network", "allow", TRUE },
  { "network", "deny", FALSE },
};

struct _PaddockWorkspaceSettings
{
  GtkWidget parent_instance;

  GtkWidget *page;
  AdwComboRow *sandbox_row;
  AdwComboRow *approval_row;
  AdwComboRow *network_row;
  AdwPreferencesGroup *writable_group;
  AdwEntryRow *writable_entry;
  AdwPreferencesGroup *allow_group;
  AdwEntryRow *allow_entry;
  AdwPreferencesGroup *deny_group;
  AdwEntryRow *deny_entry;
  AdwActionRow *project_row;
  GtkButton *project_button;

  AdwComboRow *mode_rows[3];
  GtkWidget *mode_locks[3];
  AdwPreferencesGroup *list_groups[3];
  AdwEntryRow *list_entries[3];
  GPtrArray *list_rows[3];

  PaddockWorkspace *workspace;
  PaddockPolicy *policy;
  gboolean loading;
};

G_DEFINE_FINAL_TYPE (PaddockWorkspaceSettings, paddock_workspace_settings, GTK_TYPE_WIDGET)

static void reload (PaddockWorkspaceSettings *self);

static void
report (PaddockWorkspaceSettings *self,
        const char               *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
  else
    g_message ("%s", message);
}

static char *
settings_path (PaddockWorkspaceSettings *self)
{
  return paddock_workspace_dup_settings_policy_path (self->workspace);
}

/* --- modes ---------------------------------------------------------------- */

static char *
setting_where (const PaddockSetting *setting)
{
  g_autofree char *location = paddock_setting_dup_location (setting);

  return g_strdup_printf (_("the %s layer, %s"), paddock_layer_to_string (setting->layer), location);
}

static const char *
mode_in_force (PaddockWorkspaceSettings *self,
               guint                     which)
{
  switch (which)
    {
    case 0:
      return paddock_sandbox_mode_to_string (paddock_policy_get_sandbox_mode (self->policy));
    case 1:
      return paddock_approval_mode_to_string (paddock_policy_get_approval_mode (self->policy));
    case 2:
    default:
      return paddock_network_mode_to_string (paddock_policy_get_network_mode (self->policy));
    }
}

/* Whether @value may be chosen: the enforced layers' allowed modes say.
 * Asking sets the mode on the loaded policy, which is loaded again after
 * every change. */
static gboolean
mode_allowed (PaddockWorkspaceSettings  *self,
              guint                      which,
              const char                *value,
              GError                   **error)
{
  PaddockPolicy *policy = self->policy;
  switch (which)
    {
    case 0:
      {
        PaddockSandboxMode mode;
        return paddock_sandbox_mode_from_string (value, &mode) && paddock_policy_set_sandbox_mode (policy, mode, error);
      }
    case 1:
      {
        PaddockApprovalMode mode;
        return paddock_approval_mode_from_string (value, &mode) && paddock_policy_set_approval_mode (policy, mode, error);
      }
    case 2:
    default:
      {
        PaddockNetworkMode mode;
        return paddock_network_mode_from_string (value, &mode) && paddock_policy_set_network_mode (policy, mode, error);
      }
    }
}

static void
on_mode_selected (AdwComboRow              *row,
                  GParamSpec               *pspec,
                  PaddockWorkspaceSettings *self)
{
  guint which;
  guint selected = adw_combo_row_get_selected (row);
  const char *value;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (self->loading || self->workspace == NULL || self->policy == NULL)
    return;
  for (which = 0; which < G_N_ELEMENTS (self->mode_rows) && self->mode_rows[which] != row; which++)
    ;
  if (which == G_N_ELEMENTS (self->mode_rows) || selected >= n_mode_values[which])
    return;

  value = mode_choices[which].values[selected];
  path = settings_path (self);
  if ((value != NULL && !mode_allowed (self, which, value, &error)) ||
      !paddock_policy_file_set_string (path, mode_choices[which].section, "mode", value, &error))
    {
      report (self, error->message);
      reload (self);
      return;
    }
  reload (self);
}

static void
show_mode (PaddockWorkspaceSettings *self,
           guint                     which,
           PaddockPolicyDocument    *own)
{
  g_autofree char *key = g_strdup_printf ("%s.mode", mode_choices[which].section);
  gboolean locked = FALSE;
  const PaddockSetting *setting = paddock_policy_get_setting (self->policy, key, &locked);
  g_autofree char *where = setting ? setting_where (setting) : g_strdup (_("built in"));
  g_autofree char *subtitle = NULL;
  g_autofree char *escaped = NULL;
  guint selected = 0;

  for (guint i = 0; own != NULL && i < own->settings->len; i++)
    {
      const PaddockSetting *mine = g_ptr_array_index (own->settings, i);

      if (g_str_equal (mine->key, key))
        for (guint v = 1; v < n_mode_values[which]; v++)
          if (g_str_equal (g_variant_get_string (mine->value, NULL), mode_choices[which].values[v]))
            selected = v;
    }
  adw_combo_row_set_selected (self->mode_rows[which], selected);

  subtitle = g_strdup_printf (_("In force: %s, from %s"), mode_in_force (self, which), where);
  escaped = g_markup_escape_text (subtitle, -1);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->mode_rows[which]), escaped);

  gtk_widget_set_sensitive (GTK_WIDGET (self->mode_rows[which]), !locked);
  gtk_widget_set_visible (self->mode_locks[which], locked);
  if (locked)
    {
      g_autofree char *why = g_strdup_printf (_("Locked by %s"), where);

      gtk_widget_set_tooltip_text (GTK_WIDGET (self->mode_rows[which]), why);
      gtk_widget_set_tooltip_text (self->mode_locks[which], why);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->mode_locks[which]),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, why, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->mode_rows[which]),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, why, -1);
    }
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->mode_rows[which]), NULL);
}

/* --- lists ------------------------------------------------------------------ */

static void
on_remove_entry (GtkButton                *button,
                 PaddockWorkspaceSettings *self)
{
  guint which = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "list"));
  const char *entry = g_object_get_data (G_OBJECT (button), "entry");
  g_autofree char *path = settings_path (self);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) values = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) kept = NULL;

  if (!paddock_policy_file_get_list (path, list_choices[which].section, list_choices[which].key, &values, &error))
    {
      report (self, error->message);
      return;
    }
  for (guint i = 0; values[i] != NULL; i++)
    if (!g_str_equal (values[i], entry))
      g_strv_builder_add (builder, values[i]);
  kept = g_strv_builder_end (builder);
  if (!paddock_policy_file_set_list (path, list_choices[which].section, list_choices[which].key,
                                     (const char * const *) kept, &error))
    {
      report (self, error->message);
      return;
    }
  reload (self);
}

static void
on_add_entry (AdwEntryRow              *entry,
              PaddockWorkspaceSettings *self)
{
  guint which;
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) values = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;

  for (which = 0; which < G_N_ELEMENTS (self->list_entries) && self->list_entries[which] != entry; which++)
    ;
  if (which == G_N_ELEMENTS (self->list_entries) || *text == '\0' || self->workspace == NULL)
    return;

  path = settings_path (self);
  if (!paddock_policy_file_get_list (path, list_choices[which].section, list_choices[which].key, &values, &error))
    {
      report (self, error->message);
      return;
    }
  if (!g_strv_contains ((const char * const *) values, text))
    {
      g_strv_builder_addv (builder, (const char **) values);
      g_strv_builder_add (builder, text);
      updated = g_strv_builder_end (builder);
      if (!paddock_policy_file_set_list (path, list_choices[which].section, list_choices[which].key,
                                         (const char * const *) updated, &error))
        {
          report (self, error->message);
          return;
        }
    }
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  reload (self);
}

static void
show_list (PaddockWorkspaceSettings *self,
           guint                     which)
{
  AdwPreferencesGroup *group = self->list_groups[which];
  g_autofree char *path = settings_path (self);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) values = NULL;
  gboolean locked = FALSE;
  const PaddockSetting *personal = NULL;

  for (guint i = 0; i < self->list_rows[which]->len; i++)
    adw_preferences_group_remove (group, g_ptr_array_index (self->list_rows[which], i));
  g_ptr_array_set_size (self->list_rows[which], 0);

  if (list_choices[which].is_allow)
    personal = paddock_policy_get_setting (self->policy, "personal_allow_rules", &locked);
  locked = locked && personal != NULL && !g_variant_get_boolean (personal->value);
  gtk_widget_set_sensitive (GTK_WIDGET (group), !locked);
  if (locked)
    {
      g_autofree char *where = setting_where (personal);
      g_autofree char *why = g_strdup_printf (_("Locked by %s: allow rules of your own are off"), where);

      gtk_widget_set_tooltip_text (GTK_WIDGET (group), why);
      gtk_accessible_update_property (GTK_ACCESSIBLE (group), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, why, -1);
    }
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (group), NULL);

  if (!paddock_policy_file_get_list (path, list_choices[which].section, list_choices[which].key, &values, &error))
    {
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
      adw_preferences_group_add (group, row);
      g_ptr_array_add (self->list_rows[which], row);
      return;
    }
  for (guint i = 0; values[i] != NULL; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
      g_autofree char *escaped = g_markup_escape_text (values[i], -1);
      g_autofree char *label = g_strdup_printf (_("Remove %s"), values[i]);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      g_object_set_data (G_OBJECT (remove), "list", GUINT_TO_POINTER (which));
      g_object_set_data_full (G_OBJECT (remove), "entry", g_strdup (values[i]), g_free);
      g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_entry), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      adw_preferences_group_add (group, row);
      g_ptr_array_add (self->list_rows[which], row);
    }
}

/* --- the project's own policy -------------------------------------------------- */

static void
on_trust_response (AdwMessageDialog         *dialog,
                   const char               *response,
                   PaddockWorkspaceSettings *self)
{
  GBytes *seen = g_object_get_data (G_OBJECT (dialog), "seen");
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (response, "trust") || self->workspace == NULL)
    return;
  if (!paddock_workspace_trust_project_policy_as_seen (self->workspace, seen, &error))
    {
      report (self, error->message);
      return;
    }
  reload (self);
}

static void
review_project_policy (PaddockWorkspaceSettings *self)
{
  g_autofree char *project = paddock_workspace_dup_project_policy_path (self->workspace);
  g_autoptr(PaddockPolicyLoader) loader = paddock_policy_loader_new ();
  g_autoptr(PaddockPolicy) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) seen = NULL;
  g_autofree char *diff = NULL;
  g_autofree char *text = NULL;
  gsize length;
  GtkWidget *dialog, *scroller, *label;

  if (!g_file_get_contents (project, &text, &length, &error))
    {
      report (self, error->message);
      return;
    }
  seen = g_bytes_new_take (g_steal_pointer (&text), length);
  paddock_policy_loader_preview_project (loader, seen);
  after = paddock_policy_loader_load (loader, self->workspace, &error);
  if (after == NULL)
    {
      report (self, error->message);
      return;
    }
  diff = paddock_policy_diff_text (self->policy, after);

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   _("Trust This Project’s Policy?"),
                                   _("The project’s own .paddock/policy.json would change what Paddock allows "
                                     "in this workspace as below (+ added, − taken away). Anyone who can "
                                     "change the project can change this file: trust it only after reading it."));
  label = gtk_label_new (*diff ? diff : _("It changes nothing."));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_yalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "monospace");
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("What trusting would change"), -1);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), label);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 200);
  gtk_scrolled_window_set_min_content_width (GTK_SCROLLED_WINDOW (scroller), 480);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scroller);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "trust", _("_Trust This Policy"), NULL);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "seen", g_bytes_ref (seen), (GDestroyNotify) g_bytes_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (on_trust_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_project_clicked (PaddockWorkspaceSettings *self)
{
  g_autoptr(GError) error = NULL;

  if (self->workspace == NULL)
    return;
  if (paddock_workspace_get_project_policy_state (self->workspace) == PADDOCK_PROJECT_POLICY_TRUSTED)
    {
      if (!paddock_workspace_untrust_project_policy (self->workspace, &error))
        report (self, error->message);
      else
        reload (self);
      return;
    }
  review_project_policy (self);
}

static void
show_project (PaddockWorkspaceSettings *self)
{
  const char *state;
  const char *button = NULL;

  switch (paddock_workspace_get_project_policy_state (self->workspace))
    {
    case PADDOCK_PROJECT_POLICY_UNTRUSTED:
      state = _("Not trusted: Paddock ignores it");
      button = _("_Review…");
      break;
    case PADDOCK_PROJECT_POLICY_TRUSTED:
      state = _("Trusted: it is part of the workspace layer");
      button = _("Stop _Trusting");
      break;
    case PADDOCK_PROJECT_POLICY_CHANGED:
      state = _("Changed since you trusted it: Paddock ignores it until you review it again");
      button = _("_Review…");
      break;
    case PADDOCK_PROJECT_POLICY_NONE:
    default:
      state = _("This project has none");
      break;
    }
  adw_action_row_set_subtitle (self->project_row, state);
  gtk_widget_set_visible (GTK_WIDGET (self->project_button), button != NULL);
  if (button != NULL)
    gtk_button_set_label (self->project_button, button);
}

/* --- the widget ------------------------------------------------------------------ */

static void
reload (PaddockWorkspaceSettings *self)
{
  g_autoptr(PaddockPolicyLoader) loader = NULL;
  g_autoptr(PaddockPolicyDocument) own = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  g_clear_object (&self->policy);
  gtk_widget_set_sensitive (self->page, self->workspace != NULL);
  if (self->workspace == NULL)
    return;

  loader = paddock_policy_loader_new ();
  self->policy = paddock_policy_loader_load (loader, self->workspace, &error);
  if (self->policy == NULL)
    {
      report (self, error->message);
      gtk_widget_set_sensitive (self->page, FALSE);
      return;
    }
  path = settings_path (self);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    own = paddock_policy_document_new_from_file (PADDOCK_LAYER_WORKSPACE, path, NULL);

  self->loading = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (self->mode_rows); i++)
    show_mode (self, i, own);
  for (guint i = 0; i < G_N_ELEMENTS (self->list_groups); i++)
    show_list (self, i);
  show_project (self);
  self->loading = FALSE;
}

void
paddock_workspace_settings_set_workspace (PaddockWorkspaceSettings *self,
                                          PaddockWorkspace         *workspace)
{
  g_return_if_fail (PADDOCK_IS_WORKSPACE_SETTINGS (self));

  g_set_object (&self->workspace, workspace);
  reload (self);
}

static void
paddock_workspace_settings_dispose (GObject *object)
{
  PaddockWorkspaceSettings *self = PADDOCK_WORKSPACE_SETTINGS (object);

  g_clear_object (&self->workspace);
  g_clear_object (&self->policy);
  for (guint i = 0; i < G_N_ELEMENTS (self->list_rows); i++)
    g_clear_pointer (&self->list_rows[i], g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), PADDOCK_TYPE_WORKSPACE_SETTINGS);

  G_OBJECT_CLASS (paddock_workspace_settings_parent_class)->dispose (object);
}

static void
paddock_workspace_settings_class_init (PaddockWorkspaceSettingsClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = paddock_workspace_settings_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/paddock/Paddock/ui/paddock-workspace-settings.ui");
  gtk_widget_class_bind_template_child (widget_class, PaddockWorkspaceSettings, page);
  gtk_widget_class_bind_template_child (widget_class, PaddockWorkspaceSettings, sandbox_row);
  gtk_widget_class_bind_template_child (widget_class, PaddockWorkspaceSettings, approval_row);
  gtk_widget_class_bind_template_child (widget_class, PaddockWorkspaceSettings, network_row);
  gtk_widget_class_bind_template_child (widget_class, PaddockWorkspaceSettings, writable_group);
  gtk_widget_class_bind_template_child (widget_class, PaddockWorkspaceSettings, writable_entry);
  gtk_widget_class_bind_template_child (widget_class, PaddockWorkspaceSettings, allow_group);
  gtk_widget_class_bind_template_child (widget_class, PaddockWorkspaceSettings, allow_entry);
  gtk_widget_class_bind_template_child (widget_class, PaddockWorkspaceSettings, deny_group);
  gtk_widget_class_bind_template_child (widget_class, PaddockWorkspaceSettings, deny_entry);
  gtk_widget_class_bind_template_child (widget_class, PaddockWorkspaceSettings, project_row);
  gtk_widget_class_bind_template_child (widget_class, PaddockWorkspaceSettings, project_button);
  gtk_widget_class_bind_template_callback (widget_class, on_project_clicked);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
paddock_workspace_settings_init (PaddockWorkspaceSettings *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->mode_rows[0] = self->sandbox_row;
  self->mode_rows[1] = self->approval_row;
  self->mode_rows[2] = self->network_row;
  self->list_groups[0] = self->writable_group;
  self->list_groups[1] = self->allow_group;
  self->list_groups[2] = self->deny_group;
  self->list_entries[0] = self->writable_entry;
  self->list_entries[1] = self->allow_entry;
  self->list_entries[2] = self->deny_entry;

  for (guint i = 0; i < G_N_ELEMENTS (self->mode_rows); i++)
    {
      self->mode_locks[i] = gtk_image_new_from_icon_name ("changes-prevent-symbolic");
      gtk_widget_set_visible (self->mode_locks[i], FALSE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (self->mode_rows[i]), self->mode_locks[i]);
      g_signal_connect (self->mode_rows[i], "notify::selected", G_CALLBACK (on_mode_selected), self);
    }
  for (guint i = 0; i < G_N_ELEMENTS (self->list_entries); i++)
    {
      self->list_rows[i] = g_ptr_array_new ();
      g_signal_connect (self->list_entries[i], "apply", G_CALLBACK (on_add_entry), self);
      g_signal_connect (self->list_entries[i], "entry-activated", G_CALLBACK (on_add_entry), self);
    }
}
