/* paddock-inspector.c
 *
 * Flatseal's idea for every setting: each value says where it came
 * from, and a value that a higher layer overrides is struck through with
 * the layer that overrides it. Nothing here decides: "Try an action"
 * calls the same paddock_policy_evaluate() with the same session grants
 * as the broker.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "paddock-inspector.h"
#include "paddock-policy-loader.h"
#include "paddock-telemetry.h"

struct _PaddockInspector
{
  GtkWidget parent_instance;

  GtkWidget *scroller;
  AdwComboRow *kind_row;
  AdwEntryRow *action_row;
  GtkBox *result_box;
  AdwPreferencesGroup *grants_group;
  AdwPreferencesGroup *audit_group;
  GtkBox *layers_box;

  PaddockApplication *application;  /* weak */
  PaddockWorkspace *workspace;
  PaddockPolicy *policy;
  GPtrArray *grant_rows;            /* rows added to grants_group */
  GPtrArray *audit_rows;            /* rows added to audit_group */
};

G_DEFINE_FINAL_TYPE (PaddockInspector, paddock_inspector, GTK_TYPE_WIDGET)

static void reload_grants (PaddockInspector *self);

static void
clear_box (GtkBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_box_remove (box, child);
}

static GtkWidget *
row_new (const char *title,
         const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title_markup = g_markup_escape_text (title, -1);
  g_autofree char *subtitle_markup = subtitle ? g_markup_escape_text (subtitle, -1) : NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title_markup);
  if (subtitle_markup != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle_markup);
  return row;
}

static void
add_lock (GtkWidget  *row,
          const char *why)
{
  GtkWidget *lock = gtk_image_new_from_icon_name ("changes-prevent-symbolic");

  gtk_widget_set_tooltip_text (lock, why);
  gtk_accessible_update_property (GTK_ACCESSIBLE (lock), GTK_ACCESSIBLE_PROPERTY_LABEL, why, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), lock);
}

/* --- the layers ---------------------------------------------------------- */

static char *
document_title (PaddockInspector      *self,
                PaddockPolicyDocument *document)
{
  g_autofree char *project = paddock_workspace_dup_project_policy_path (self->workspace);

  if (document->layer == PADDOCK_LAYER_WORKSPACE && g_strcmp0 (document->source, project) == 0)
    return g_strdup (_("Project"));
  switch (document->layer)
    {
    case PADDOCK_LAYER_MANAGED:
      return g_strdup (_("Managed"));
    case PADDOCK_LAYER_SYSTEM:
      return g_strdup (_("System"));
    case PADDOCK_LAYER_USER:
      return g_strdup (_("User"));
    case PADDOCK_LAYER_WORKSPACE:
      return g_strdup (_("Workspace"));
    case PADDOCK_LAYER_DEFAULTS:
      return g_strdup (_("Defaults"));
    case PADDOCK_LAYER_SESSION:
    case PADDOCK_LAYER_IMPLICIT:
    case PADDOCK_N_LAYERS:
    default:
      return g_strdup (paddock_layer_to_string (document->layer));
    }
}

/* For the organisation's requirements: when they were fetched, and the
 * ETag they came with. */
static char *
fetch_note (void)
{
  g_autofree char *cache = paddock_policy_loader_dup_requirements_cache ();
  g_autofree char *meta = g_build_filename (cache, "meta.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *object;

  if (!json_parser_load_from_file (parser, meta, NULL) || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  object = json_node_get_object (json_parser_get_root (parser));
  return g_strdup_printf (_("fetched %s, ETag %s"),
                          json_object_get_string_member_with_default (object, "fetched", _("never")),
                          json_object_get_string_member_with_default (object, "etag", _("none")));
}

static GtkWidget *
setting_row (PaddockInspector     *self,
             const PaddockSetting *setting)
{
  const PaddockSetting *winner = paddock_policy_get_setting (self->policy, setting->key, NULL);
  g_autofree char *value = g_variant_print (setting->value, FALSE);
  g_autofree char *where = paddock_setting_dup_location (setting);
  GtkWidget *row;

  if (winner == setting || winner == NULL)
    {
      g_autofree char *subtitle = g_strdup_printf ("%s — %s", value, where);
      return row_new (setting->key, subtitle);
    }

  {
    g_autofree char *escaped = g_markup_escape_text (value, -1);
    g_autofree char *markup = g_strdup_printf (_("<s>%s</s> — overridden by the %s layer"), escaped,
                                               paddock_layer_to_string (winner->layer));
    g_autofree char *description = g_strdup_printf (_("%s, overridden by the %s layer (%s)"), value,
                                                    paddock_layer_to_string (winner->layer), winner->source);

    row = row_new (setting->key, NULL);
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), markup);
    gtk_widget_set_tooltip_text (row, description);
    gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
  }
  return row;
}

static GtkWidget *
rule_row (PaddockRule *rule)
{
  g_autofree char *text = paddock_rule_dup_display_text (rule);
  g_autofree char *location = paddock_rule_dup_location (rule);
  g_autofree char *subtitle = g_strdup_printf ("%s — %s", paddock_verdict_to_string (rule->verdict), location);
  return row_new (text, subtitle);
}

static void
show_layers (PaddockInspector *self)
{
  GPtrArray *documents = paddock_policy_get_documents (self->policy);

  for (guint d = 0; d < documents->len; d++)
    {
      PaddockPolicyDocument *document = g_ptr_array_index (documents, d);
      GtkWidget *group = adw_preferences_group_new ();
      g_autofree char *title = document_title (self, document);
      g_autoptr(GString) description = g_string_new (document->source);
      gboolean locked = paddock_layer_is_enforced (document->layer);

      if (document->layer == PADDOCK_LAYER_MANAGED && g_str_has_prefix (document->source, "http"))
        {
          g_autofree char *note = fetch_note ();
          if (note != NULL)
            g_string_append_printf (description, " (%s)", note);
        }
      if (locked)
        g_string_append (description, _(" — locked: neither you nor an agent can loosen it"));
      if (document->error != NULL)
        g_string_append_printf (description, _("\nFailed, so this layer forbids everything: %s"), document->error);

      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description->str);

      for (guint i = 0; i < document->settings->len; i++)
        {
          GtkWidget *row = setting_row (self, g_ptr_array_index (document->settings, i));
          if (locked)
            add_lock (row, _("Set by your administrator"));
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
        }
      for (guint i = 0; i < document->rules->len; i++)
        {
          GtkWidget *row = rule_row (g_ptr_array_index (document->rules, i));
          if (locked)
            add_lock (row, _("Set by your administrator"));
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
        }
      if (document->settings->len == 0 && document->rules->len == 0 && document->error == NULL)
        adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row_new (_("Nothing set here"), NULL));

      gtk_box_append (self->layers_box, group);
    }
}

/* --- session grants -------------------------------------------------------- */

static void
on_revoke (GtkButton        *button,
           PaddockInspector *self)
{
  PaddockRule *rule = g_object_get_data (G_OBJECT (button), "rule");
  PaddockGrants *grants;

  if (self->application == NULL || self->workspace == NULL)
    return;
  grants = paddock_application_get_grants (self->application, self->workspace);
  paddock_grants_revoke (grants, rule);
  reload_grants (self);
}

static void
reload_grants (PaddockInspector *self)
{
  GPtrArray *rules;

  for (guint i = 0; i < self->grant_rows->len; i++)
    adw_preferences_group_remove (self->grants_group, g_ptr_array_index (self->grant_rows, i));
  g_ptr_array_set_size (self->grant_rows, 0);
  if (self->application == NULL || self->workspace == NULL)
    return;

  rules = paddock_grants_get_rules (paddock_application_get_grants (self->application, self->workspace));
  for (guint i = 0; i < rules->len; i++)
    {
      PaddockRule *rule = g_ptr_array_index (rules, i);
      g_autofree char *text = paddock_rule_dup_display_text (rule);
      g_autofree char *who = paddock_rule_dup_location (rule);
      GtkWidget *row = row_new (text, who);
      GtkWidget *button = gtk_button_new_with_mnemonic (_("_Revoke"));
      g_autofree char *label = g_strdup_printf (_("Revoke %s"), text);

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      g_object_set_data_full (G_OBJECT (button), "rule", paddock_rule_ref (rule), (GDestroyNotify) paddock_rule_unref);
      g_signal_connect (button, "clicked", G_CALLBACK (on_revoke), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      adw_preferences_group_add (self->grants_group, row);
      g_ptr_array_add (self->grant_rows, row);
    }
  if (self->grant_rows->len == 0)
    {
      GtkWidget *row = row_new (_("No grants yet"), NULL);
      adw_preferences_group_add (self->grants_group, row);
      g_ptr_array_add (self->grant_rows, row);
    }
}

/* --- the audit log --------------------------------------------------------------- */

static void
add_audit_row (PaddockInspector *self,
               const char       *title,
               const char       *subtitle)
{
  GtkWidget *row = row_new (title, subtitle);

  adw_preferences_group_add (self->audit_group, row);
  g_ptr_array_add (self->audit_rows, row);
}

static char *
retention_text (PaddockPolicy *policy)
{
  guint days;
  guint64 bytes;
  g_autofree char *age = NULL;

  paddock_audit_retention_for_policy (policy, &days, &bytes);
  age = days ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Kept %u day", "Kept %u days", days), days)
             : g_strdup (_("Kept for good"));
  /* In the unit the setting is written in. */
  return bytes ? g_strdup_printf (_("%s, up to %" G_GUINT64_FORMAT " MB"), age, bytes / (1024 * 1024))
               : g_steal_pointer (&age);
}

static void
on_pending_counted (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GtkWidget) row = user_data;
  gint64 pending = paddock_audit_count_pending_finish (PADDOCK_AUDIT (source), result, NULL);
  g_autofree char *waiting = NULL;

  /* Reloaded meanwhile: the row is gone. */
  if (gtk_widget_get_parent (row) == NULL || pending < 0)
    return;
  waiting = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" G_GINT64_FORMAT " event waits to be sent",
                                          "%" G_GINT64_FORMAT " events wait to be sent", pending), pending);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), waiting);
}

/* What the person can check: the store, its retention, the export and
 * what waits for it, each with where its setting came from. */
static void
reload_audit (PaddockInspector *self)
{
  PaddockAudit *audit;
  PaddockTelemetry *telemetry;
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(PaddockTelemetryConfig) config = NULL;
  g_autofree char *retention = NULL;

  for (guint i = 0; i < self->audit_rows->len; i++)
    adw_preferences_group_remove (self->audit_group, g_ptr_array_index (self->audit_rows, i));
  g_ptr_array_set_size (self->audit_rows, 0);
  if (self->application == NULL || self->policy == NULL)
    return;

  audit = paddock_application_get_audit (self->application);
  telemetry = paddock_application_get_telemetry (self->application);
  retention = retention_text (self->policy);
  if (audit == NULL)
    add_audit_row (self, _("The audit log cannot be written"), paddock_application_get_audit_problem (self->application));
  else
    add_audit_row (self, paddock_audit_get_path (audit), retention);

  config = paddock_telemetry_config_new (self->policy, (const char * const *) envp);
  if (config->enabled && config->endpoint != NULL)
    {
      g_autofree char *from = g_strdup_printf (config->forced ? _("Sent, as %s requires") : _("Sent, as %s says"),
                                               config->endpoint_from);
      add_audit_row (self, config->endpoint_shown, from);
    }
  else
    add_audit_row (self, _("Not sent anywhere"), config->forced ? _("Required by policy, but no endpoint is set")
                                                                : _("No OpenTelemetry endpoint is set"));
  if (audit != NULL && config->enabled)
    {
      g_autofree char *problem = telemetry ? paddock_telemetry_dup_problem (telemetry) : NULL;

      /* Counted off the UI thread; the row says so meanwhile. */
      add_audit_row (self, _("Counting the events that wait to be sent…"), problem);
      paddock_audit_count_pending_async (audit, config->endpoint, NULL, on_pending_counted,
                                         g_object_ref (g_ptr_array_index (self->audit_rows, self->audit_rows->len - 1)));
    }
  for (guint i = 0; config->notes[i] != NULL; i++)
    add_audit_row (self, config->notes[i], NULL);
}

/* --- try an action ------------------------------------------------------------ */

static const char *
verdict_title (PaddockVerdict verdict)
{
  switch (verdict)
    {
    case PADDOCK_VERDICT_ALLOW:
      return _("Allowed");
    case PADDOCK_VERDICT_PROMPT:
      return _("Asks a person");
    case PADDOCK_VERDICT_FORBIDDEN:
    default:
      return _("Forbidden");
    }
}

static PaddockAction *
action_from_entry (PaddockInspector  *self,
                   const char        *text,
                   GError           **error)
{
  const char *cwd = paddock_workspace_get_path (self->workspace);

  switch (adw_combo_row_get_selected (self->kind_row))
    {
    case 1:
      {
        /* host, host:port, [v6] or [v6]:port */
        g_autofree char *host = NULL;
        const char *port_text = NULL;
        const char *close = text[0] == '[' ? strchr (text, ']') : NULL;
        const char *colon = strchr (text, ':');
        guint64 port = 443;

        if (close != NULL)
          {
            host = g_strndup (text + 1, close - text - 1);
            port_text = close[1] == ':' ? close + 2 : NULL;
          }
        else if (colon != NULL && strchr (colon + 1, ':') == NULL)
          {
            host = g_strndup (text, colon - text);
            port_text = colon + 1;
          }
        else
          host = g_strdup (text);
        if (port_text != NULL && !g_ascii_string_to_unsigned (port_text, 10, 1, 65535, &port, error))
          return NULL;
        return paddock_action_new_net (host, (guint16) port, NULL);
      }
    case 2:
      return paddock_action_new_path (PADDOCK_ACTION_WRITE, text, cwd);
    case 3:
      return paddock_action_new_path (PADDOCK_ACTION_READ, text, cwd);
    case 0:
    default:
      {
        g_auto(GStrv) argv = NULL;

        if (!g_shell_parse_argv (text, NULL, &argv, error))
          return NULL;
        return paddock_action_new_exec ((const char * const *) argv, cwd);
      }
    }
}

static GtkWidget *
label_new (const char *text,
           const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static void
show_decision (PaddockInspector *self,
               PaddockDecision  *decision)
{
  g_autofree char *location = paddock_rule_dup_location (decision->decisive);
  g_autofree char *rule = paddock_rule_dup_display_text (decision->decisive);
  g_autofree char *decided = g_strdup_printf (_("Decided by the %s layer, %s"),
                                              paddock_layer_to_string (decision->decisive->layer), location);
  g_autofree char *reason = decision->decisive->reason ? paddock_escape_for_display (decision->decisive->reason)
                                                       : NULL;
  GtkWidget *verdict = label_new (verdict_title (decision->verdict), "title-3");
  g_autoptr(GString) silent = g_string_new (NULL);

  gtk_widget_add_css_class (verdict, decision->verdict == PADDOCK_VERDICT_ALLOW ? "success"
                                     : decision->verdict == PADDOCK_VERDICT_PROMPT ? "warning" : "error");
  gtk_box_append (self->result_box, verdict);
  gtk_box_append (self->result_box, label_new (decided, NULL));
  gtk_box_append (self->result_box, label_new (rule, "monospace"));
  if (reason != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Reason: %s"), reason);
      gtk_box_append (self->result_box, label_new (text, NULL));
    }
  if (decision->approval_effect != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Approval mode %s: %s"),
                                               paddock_approval_mode_to_string (decision->approval_mode),
                                               decision->approval_effect);
      gtk_box_append (self->result_box, label_new (text, NULL));
    }

  /* What each layer's rules say, highest authority first; the layers
   * with nothing to say share one line. */
  for (guint layer = 0; layer < PADDOCK_N_LAYERS; layer++)
    {
      GtkWidget *group = NULL;

      for (guint i = 0; i < decision->matched->len; i++)
        {
          const PaddockMatch *match = g_ptr_array_index (decision->matched, i);
          g_autofree char *text = NULL;
          g_autofree char *where = NULL;
          g_autofree char *subtitle = NULL;
          GtkWidget *row;

          if (match->rule->layer != (PaddockLayer) layer)
            continue;
          if (group == NULL)
            {
              g_autofree char *title = g_strdup_printf (_("The %s layer"), paddock_layer_to_string ((PaddockLayer) layer));
              group = adw_preferences_group_new ();
              adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
            }
          text = paddock_rule_dup_display_text (match->rule);
          where = paddock_rule_dup_location (match->rule);
          subtitle = g_strdup_printf ("%s — %s%s%s%s", paddock_verdict_to_string (match->rule->verdict), where,
                                      match->rule == decision->decisive ? _(" — decisive") : "",
                                      match->note ? " — " : "", match->note ? match->note : "");
          row = row_new (text, subtitle);
          if (match->rule == decision->decisive)
            adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("emblem-ok-symbolic"));
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
        }
      if (group != NULL)
        gtk_box_append (self->result_box, group);
      else
        g_string_append_printf (silent, "%s%s", silent->len ? ", " : "", paddock_layer_to_string ((PaddockLayer) layer));
    }
  if (silent->len > 0)
    {
      g_autofree char *text = g_strdup_printf (_("No rule matched in: %s"), silent->str);
      gtk_box_append (self->result_box, label_new (text, "dim-label"));
    }
}

static void
on_try (PaddockInspector *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->action_row));
  g_autoptr(PaddockAction) action = NULL;
  g_autoptr(PaddockDecision) decision = NULL;
  g_autoptr(GError) error = NULL;

  clear_box (self->result_box);
  gtk_widget_set_visible (GTK_WIDGET (self->result_box), TRUE);
  if (self->policy == NULL || *text == '\0')
    {
      gtk_widget_set_visible (GTK_WIDGET (self->result_box), FALSE);
      return;
    }
  action = action_from_entry (self, text, &error);
  if (action == NULL)
    {
      gtk_box_append (self->result_box, label_new (error->message, "error"));
      return;
    }
  decision = paddock_policy_evaluate (self->policy, action,
                                      paddock_application_get_grants (self->application, self->workspace));
  show_decision (self, decision);
}

/* --- the widget --------------------------------------------------------------- */

void
paddock_inspector_reload (PaddockInspector *self)
{
  g_autoptr(PaddockPolicyLoader) loader = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PADDOCK_IS_INSPECTOR (self));

  clear_box (self->layers_box);
  clear_box (self->result_box);
  gtk_widget_set_visible (GTK_WIDGET (self->result_box), FALSE);
  g_clear_object (&self->policy);
  reload_grants (self);
  if (self->workspace == NULL)
    return;

  loader = paddock_policy_loader_new ();
  self->policy = paddock_policy_loader_load (loader, self->workspace, &error);
  if (self->policy == NULL)
    {
      gtk_box_append (self->layers_box, label_new (error->message, "error"));
      return;
    }
  show_layers (self);
  reload_audit (self);
  if (*gtk_editable_get_text (GTK_EDITABLE (self->action_row)) != '\0')
    on_try (self);
}

void
paddock_inspector_set_workspace (PaddockInspector   *self,
                                 PaddockApplication *application,
                                 PaddockWorkspace   *workspace)
{
  g_return_if_fail (PADDOCK_IS_INSPECTOR (self));

  g_set_weak_pointer (&self->application, application);
  g_set_object (&self->workspace, workspace);
  paddock_inspector_reload (self);
}

static void
paddock_inspector_dispose (GObject *object)
{
  PaddockInspector *self = PADDOCK_INSPECTOR (object);

  g_clear_weak_pointer (&self->application);
  g_clear_object (&self->workspace);
  g_clear_object (&self->policy);
  g_clear_pointer (&self->grant_rows, g_ptr_array_unref);
  g_clear_pointer (&self->audit_rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), PADDOCK_TYPE_INSPECTOR);
  g_clear_pointer (&self->scroller, gtk_widget_unparent);

  G_OBJECT_CLASS (paddock_inspector_parent_class)->dispose (object);
}

static void
paddock_inspector_class_init (PaddockInspectorClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = paddock_inspector_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/paddock/Paddock/ui/paddock-inspector.ui");
  gtk_widget_class_bind_template_child (widget_class, PaddockInspector, scroller);
  gtk_widget_class_bind_template_child (widget_class, PaddockInspector, kind_row);
  gtk_widget_class_bind_template_child (widget_class, PaddockInspector, action_row);
  gtk_widget_class_bind_template_child (widget_class, PaddockInspector, result_box);
  gtk_widget_class_bind_template_child (widget_class, PaddockInspector, grants_group);
  gtk_widget_class_bind_template_child (widget_class, PaddockInspector, audit_group);
  gtk_widget_class_bind_template_child (widget_class, PaddockInspector, layers_box);
  gtk_widget_class_bind_template_callback (widget_class, on_try);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
paddock_inspector_init (PaddockInspector *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->grant_rows = g_ptr_array_new ();
  self->audit_rows = g_ptr_array_new ();
}
