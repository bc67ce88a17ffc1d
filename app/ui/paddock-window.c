/* paddock-window.c
 *
 * The window decides nothing: a run goes through the same policy
 * loader, evaluation, approval request, proxy and sandbox as
 * paddockctl run, and the answers go through the application's one
 * queue of dialogs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <glib/gi18n.h>

#include "paddock-activity-row.h"
#include "paddock-agent-page.h"
#include "paddock-inspector.h"
#include "paddock-workspace-settings.h"
#include "paddock-policy-loader.h"
#include "paddock-runner.h"
#include "paddock-window.h"

/* How much of a command's output the activity list keeps: the end. */
#define OUTPUT_KEPT (64 * 1024)

typedef struct
{
  PaddockWindow *window;          /* weak: the window outlives its run */
  PaddockRunner *runner;
  PaddockRunResult *result;
  GCancellable *cancellable;
  GInputStream *output_stream;
  int write_end;                  /* the sandbox's end of the output, ours to close once it is done */
  GString *output;                /* the end of it, for the activity list */
  gboolean output_done;
  gboolean run_done;
  char *error;
} Run;

struct _PaddockWindow
{
  AdwApplicationWindow parent_instance;

  AdwToastOverlay *toasts;
  AdwLeaflet *leaflet;
  GtkListBox *workspace_list;
  AdwViewSwitcherTitle *switcher_title;
  GtkStack *content_stack;
  GtkStack *activity_stack;
  GtkListView *activity_view;
  GtkLabel *activity_detail;
  GtkEntry *command_entry;
  GtkLabel *run_status;
  GtkTextView *output_view;
  GtkRevealer *audit_banner;
  GtkLabel *audit_problem;
  AdwBin *settings_bin;
  AdwBin *agent_bin;
  PaddockAgentPage *agent;      /* made when first shown */
  AdwBin *policy_bin;
  PaddockInspector *inspector;          /* made when first shown */
  PaddockWorkspaceSettings *settings;   /* made when first shown */
  AdwViewStack *view_stack;
  gboolean settings_stale;      /* shows another workspace than the selected one */

  GSettings *state;
  PaddockWorkspace *workspace;    /* the selected one */
  GtkCustomFilter *filter;
  GtkFilterListModel *activity;
  GtkSingleSelection *selection;
  Run *run;
};

G_DEFINE_FINAL_TYPE (PaddockWindow, paddock_window, ADW_TYPE_APPLICATION_WINDOW)

static PaddockApplication *
get_app (PaddockWindow *self)
{
  return PADDOCK_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

static void
toast (PaddockWindow *self,
       const char    *message)
{
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (message));
}

/* --- workspaces --------------------------------------------------------- */

static GtkWidget *
create_workspace_row (gpointer item,
                      gpointer user_data)
{
  PaddockWorkspace *workspace = item;
  GtkWidget *label = gtk_label_new (paddock_workspace_get_name (workspace));
  GtkWidget *row = gtk_list_box_row_new ();

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_tooltip_text (row, paddock_workspace_get_path (workspace));
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
  g_object_set_data_full (G_OBJECT (row), "workspace", g_object_ref (workspace), g_object_unref);
  return row;
}

static void
update_actions (PaddockWindow *self)
{
  gboolean have = self->workspace != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.rename-workspace", have);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.remove-workspace", have);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.run", have && self->run == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop", self->run != NULL);
}

static void
update_activity_page (PaddockWindow *self)
{
  gtk_stack_set_visible_child_name (self->activity_stack,
                                    g_list_model_get_n_items (G_LIST_MODEL (self->activity)) > 0 ? "list" : "empty");
}

/* The policy pages are made, and load the whole policy, only when they
 * come on screen, so starting and switching stay quick. The inspector
 * loads again each time it is shown: answers and settings change what
 * it shows. */
static void
sync_pages (PaddockWindow *self)
{
  const char *page = adw_view_stack_get_visible_child_name (self->view_stack);

  if (g_strcmp0 (page, "policy") == 0)
    {
      if (self->inspector == NULL)
        {
          self->inspector = g_object_new (PADDOCK_TYPE_INSPECTOR, NULL);
          adw_bin_set_child (self->policy_bin, GTK_WIDGET (self->inspector));
        }
      paddock_inspector_set_workspace (self->inspector, get_app (self), self->workspace);
    }
  if (g_strcmp0 (page, "agent") == 0 && self->agent == NULL)
    {
      self->agent = g_object_new (PADDOCK_TYPE_AGENT_PAGE, NULL);
      adw_bin_set_child (self->agent_bin, GTK_WIDGET (self->agent));
    }
  if (self->agent != NULL)
    paddock_agent_page_set_workspace (self->agent, self->workspace);
  if (g_strcmp0 (page, "settings") == 0 && self->settings == NULL)
    {
      self->settings = g_object_new (PADDOCK_TYPE_WORKSPACE_SETTINGS, NULL);
      adw_bin_set_child (self->settings_bin, GTK_WIDGET (self->settings));
      self->settings_stale = TRUE;
    }
  if (self->settings_stale && g_strcmp0 (page, "settings") == 0)
    {
      paddock_workspace_settings_set_workspace (self->settings, self->workspace);
      self->settings_stale = FALSE;
    }
}

static void
show_workspace (PaddockWindow    *self,
                PaddockWorkspace *workspace)
{
  if (self->workspace == workspace)
    return;
  g_set_object (&self->workspace, workspace);

  gtk_stack_set_visible_child_name (self->content_stack, workspace ? "workspace" : "empty");
  adw_view_switcher_title_set_title (self->switcher_title,
                                     workspace ? paddock_workspace_get_name (workspace) : _("Paddock"));
  adw_view_switcher_title_set_subtitle (self->switcher_title, workspace ? paddock_workspace_get_path (workspace) : "");
  if (workspace != NULL)
    g_settings_set_string (self->state, "last-workspace", paddock_workspace_get_path (workspace));
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  gtk_label_set_text (self->activity_detail, "");
  self->settings_stale = TRUE;
  sync_pages (self);
  update_activity_page (self);
  update_actions (self);
}

static void
on_workspace_row_selected (GtkListBox    *list,
                           GtkListBoxRow *row,
                           PaddockWindow *self)
{
  show_workspace (self, row ? g_object_get_data (G_OBJECT (row), "workspace") : NULL);
  if (row != NULL)
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

void
paddock_window_select_workspace (PaddockWindow    *self,
                                 PaddockWorkspace *workspace)
{
  GtkListBoxRow *row;

  g_return_if_fail (PADDOCK_IS_WINDOW (self));

  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->workspace_list, i)) != NULL; i++)
    if (g_object_get_data (G_OBJECT (row), "workspace") == workspace)
      {
        gtk_list_box_select_row (self->workspace_list, row);
        return;
      }
}

/* The list is rebuilt when workspaces come and go: keep the selection,
 * or take the first one. */
static void
on_workspaces_changed (GListModel    *model,
                       guint          position,
                       guint          removed,
                       guint          added,
                       PaddockWindow *self)
{
  PaddockWorkspace *keep = self->workspace;
  guint index;

  if (keep != NULL && g_list_store_find (G_LIST_STORE (model), keep, &index))
    paddock_window_select_workspace (self, keep);
  else if (g_list_model_get_n_items (model) > 0)
    gtk_list_box_select_row (self->workspace_list, gtk_list_box_get_row_at_index (self->workspace_list, 0));
  else
    show_workspace (self, NULL);
}

static void
on_folder_chosen (GtkNativeDialog *chooser,
                  int              response,
                  PaddockWindow   *self)
{
  g_autoptr(GFile) folder = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  PaddockWorkspace *workspace;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      path = folder ? g_file_get_path (folder) : NULL;
      if (path == NULL)
        toast (self, _("Only local folders can be workspaces"));
      else if ((workspace = paddock_application_add_workspace (get_app (self), path, &error)) == NULL)
        toast (self, error->message);
      else
        paddock_window_select_workspace (self, workspace);
    }
  g_object_unref (chooser);
}

static void
add_workspace (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PaddockWindow *self = PADDOCK_WINDOW (widget);
  GtkFileChooserNative *chooser;

  /* The native chooser goes through the file chooser portal when there
   * is one, and the folder is then what the person picked. */
  chooser = gtk_file_chooser_native_new (_("Add Workspace"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Add"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_folder_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_rename_response (AdwMessageDialog *dialog,
                    const char       *response,
                    PaddockWindow    *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  PaddockWorkspace *workspace = g_object_get_data (G_OBJECT (dialog), "workspace");
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  g_autoptr(GError) error = NULL;
  GListModel *workspaces = paddock_application_get_workspaces (get_app (self));
  guint position;

  if (!g_str_equal (response, "rename") || *name == '\0')
    return;
  paddock_workspace_set_name (workspace, name);
  if (!paddock_workspace_save (workspace, &error))
    {
      toast (self, error->message);
      return;
    }
  /* Re-inserted so the list shows the new name, in order. */
  if (g_list_store_find (G_LIST_STORE (workspaces), workspace, &position))
    {
      g_autoptr(PaddockWorkspace) keep = g_object_ref (workspace);

      g_list_store_remove (G_LIST_STORE (workspaces), position);
      g_list_store_insert_sorted (G_LIST_STORE (workspaces), keep, paddock_workspace_compare, NULL);
      paddock_window_select_workspace (self, keep);
    }
  adw_view_switcher_title_set_title (self->switcher_title, paddock_workspace_get_name (self->workspace));
}

static void
rename_workspace (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PaddockWindow *self = PADDOCK_WINDOW (widget);
  GtkWidget *dialog;
  GtkWidget *entry;

  if (self->workspace == NULL)
    return;
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Rename Workspace"),
                                   _("The name is Paddock’s only; the folder keeps its own."));
  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), paddock_workspace_get_name (self->workspace));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Workspace name"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "rename", _("_Rename"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "rename", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "rename");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "workspace", g_object_ref (self->workspace), g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (on_rename_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_remove_response (AdwMessageDialog *dialog,
                    const char       *response,
                    PaddockWindow    *self)
{
  PaddockWorkspace *workspace = g_object_get_data (G_OBJECT (dialog), "workspace");
  g_autoptr(GError) error = NULL;

  if (g_str_equal (response, "remove") &&
      !paddock_application_remove_workspace (get_app (self), workspace, &error))
    toast (self, error->message);
}

static void
remove_workspace (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PaddockWindow *self = PADDOCK_WINDOW (widget);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (self->workspace == NULL)
    return;
  heading = g_strdup_printf (_("Remove “%s”?"), paddock_workspace_get_name (self->workspace));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   _("Paddock forgets this workspace’s name, trust and settings. "
                                     "The folder and its files stay as they are."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "remove", _("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "workspace", g_object_ref (self->workspace), g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (on_remove_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_workspaces (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  adw_leaflet_navigate (PADDOCK_WINDOW (widget)->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* --- activity ----------------------------------------------------------- */

static gboolean
event_in_workspace (gpointer item,
                    gpointer user_data)
{
  PaddockWindow *self = user_data;

  return self->workspace != NULL &&
         g_strcmp0 (paddock_event_get_workspace (item), paddock_workspace_get_id (self->workspace)) == 0;
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item)
{
  gtk_list_item_set_child (item, paddock_activity_row_new ());
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item)
{
  paddock_activity_row_set_event (PADDOCK_ACTIVITY_ROW (gtk_list_item_get_child (item)),
                                  gtk_list_item_get_item (item));
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item)
{
  paddock_activity_row_set_event (PADDOCK_ACTIVITY_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
on_activity_selected (GtkSingleSelection *selection,
                      GParamSpec         *pspec,
                      PaddockWindow      *self)
{
  PaddockEvent *event = gtk_single_selection_get_selected_item (selection);
  g_autofree char *subject = NULL;
  g_autofree char *decided_by = NULL;
  g_autofree char *rule = NULL;
  g_autofree char *detail = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  if (event == NULL)
    {
      gtk_label_set_text (self->activity_detail, "");
      return;
    }
  subject = paddock_event_dup_subject (event);
  decided_by = paddock_event_dup_decided_by (event);
  rule = paddock_event_dup_rule (event);
  detail = paddock_event_dup_detail (event);
  g_string_append_printf (text, "%s\n%s\n", subject, paddock_event_get_outcome (event));
  if (decided_by != NULL)
    g_string_append_printf (text, _("Decided by %s\n"), decided_by);
  if (rule != NULL)
    g_string_append_printf (text, _("Rule: %s\n"), rule);
  if (detail != NULL)
    g_string_append_printf (text, "\n%s", detail);
  gtk_label_set_text (self->activity_detail, text->str);
}

static void
on_activity_changed (GListModel    *model,
                     guint          position,
                     guint          removed,
                     guint          added,
                     PaddockWindow *self)
{
  update_activity_page (self);
}

/* --- running a command ------------------------------------------------------ */

static void
run_free (Run *run)
{
  g_clear_weak_pointer (&run->window);
  g_clear_object (&run->runner);
  g_clear_pointer (&run->result, paddock_run_result_free);
  g_clear_object (&run->cancellable);
  g_clear_object (&run->output_stream);
  g_string_free (run->output, TRUE);
  g_free (run->error);
  g_free (run);
}

static void
set_status (PaddockWindow *self,
            const char    *status)
{
  gtk_label_set_text (self->run_status, status);
}

static void
append_output (PaddockWindow *self,
               const char    *data,
               gsize          length)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->output_view);
  GtkTextIter end;
  g_autofree char *valid = g_utf8_make_valid (data, length);

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, valid, -1);
}

/* Once the runner and the output are both done. */
static void
finish_run (Run *run)
{
  PaddockWindow *self = run->window;
  PaddockRunResult *result = run->result;
  g_autofree char *status = NULL;

  if (!run->output_done || !run->run_done)
    return;
  if (self == NULL)
    {
      run_free (run);
      return;
    }

  if (result != NULL && result->refused != NULL)
    {
      g_autofree char *location = paddock_rule_dup_location (result->decision->decisive);

      status = g_strdup_printf (_("Not run: %s (the %s layer, %s)"), result->refused,
                                paddock_decision_get_layer (result->decision), location);
    }
  else if (result == NULL && run->error != NULL)
    status = g_strdup_printf (_("Not run: %s"), run->error);
  else if (run->error != NULL)
    status = g_strdup_printf (_("Finished: %s"), run->error);
  else if (result->exit_code > 128)
    status = g_strdup_printf (_("Finished: ended by signal %d"), result->exit_code - 128);
  else
    status = g_strdup_printf (_("Finished: exit status %d"), result->exit_code);

  /* The output stays in this process; the store has the result. */
  if (result != NULL && result->ran)
    paddock_application_keep_output (get_app (self), result->call_id, run->output->str);
  set_status (self, status);
  self->run = NULL;
  update_actions (self);
  run_free (run);
}

static void
on_output_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, NULL);

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      run->output_done = TRUE;
      finish_run (run);
      return;
    }
  if (run->window != NULL)
    {
      append_output (run->window, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      set_status (run->window, _("Running in the sandbox…"));
    }
  g_string_append_len (run->output, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  if (run->output->len > OUTPUT_KEPT)
    g_string_erase (run->output, 0, run->output->len - OUTPUT_KEPT);
  g_input_stream_read_bytes_async (run->output_stream, 8192, G_PRIORITY_DEFAULT, NULL, on_output_read, run);
}

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;

  run->result = paddock_runner_run_finish (PADDOCK_RUNNER (source), result, &error);
  run->run_done = TRUE;
  /* Every process of the sandbox is gone: the output ends once our copy
   * of its end is closed. */
  if (run->write_end >= 0)
    close (run->write_end);
  run->write_end = -1;
  if (error != NULL)
    {
      if (run->window != NULL && error->domain == PADDOCK_AUDIT_ERROR)
        {
          paddock_application_report_audit (get_app (run->window), error);
          run->error = g_strdup (_("the audit log cannot be written"));
        }
      else
        run->error = g_strdup (error->message);
    }
  finish_run (run);
}

/* Questions go to the app's dialog; with the window gone, nobody is
 * there to say yes. */
static void
on_approval_needed (PaddockRunner          *runner,
                    PaddockApprovalRequest *request,
                    Run                    *run)
{
  if (run->window == NULL)
    {
      paddock_approval_request_answer (request, PADDOCK_ANSWER_DENY, "nobody");
      return;
    }
  if (paddock_approval_request_get_action (request)->kind == PADDOCK_ACTION_EXEC)
    set_status (run->window, _("Waiting for your answer…"));
  paddock_application_ask (get_app (run->window), request);
}

static void
run_command (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PaddockWindow *self = PADDOCK_WINDOW (widget);
  g_autoptr(PaddockPolicyLoader) loader = paddock_policy_loader_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->command_entry));
  g_autoptr(PaddockPolicy) policy = NULL;
  PaddockAuditSession *session;
  Run *run;
  int fds[2];

  if (self->workspace == NULL || self->run != NULL)
    return;
  if (!g_shell_parse_argv (text, NULL, &argv, &error))
    {
      g_autofree char *status = g_strdup_printf (_("Not run: %s"), error->message);
      set_status (self, status);
      return;
    }
  policy = paddock_policy_loader_load (loader, self->workspace, &error);
  if (policy == NULL)
    {
      g_autofree char *status = g_strdup_printf (_("Not run: the policy cannot be read: %s"), error->message);
      set_status (self, status);
      return;
    }
  session = paddock_application_get_audit_session (get_app (self), self->workspace, policy, &error);
  if (session == NULL || !g_unix_open_pipe (fds, FD_CLOEXEC, &error))
    {
      g_autofree char *status = g_strdup_printf (_("Not run: %s"), error->message);
      set_status (self, status);
      return;
    }

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->output_view), "", 0);
  run = g_new0 (Run, 1);
  g_set_weak_pointer (&run->window, self);
  run->cancellable = g_cancellable_new ();
  run->output = g_string_new (NULL);
  run->output_stream = g_unix_input_stream_new (fds[0], TRUE);
  run->write_end = fds[1];
  run->runner = paddock_runner_new (policy, self->workspace,
                                    paddock_application_get_grants (get_app (self), self->workspace), session,
                                    _("Paddock"));
  paddock_runner_set_output_fd (run->runner, run->write_end);
  g_signal_connect (run->runner, "approval-needed", G_CALLBACK (on_approval_needed), run);
  self->run = run;
  update_actions (self);
  set_status (self, _("Deciding…"));
  g_input_stream_read_bytes_async (run->output_stream, 8192, G_PRIORITY_DEFAULT, NULL, on_output_read, run);
  paddock_runner_run_async (run->runner, (const char * const *) argv, paddock_workspace_get_path (self->workspace),
                            run->cancellable, on_run_done, run);
}

static void
on_command_activate (PaddockWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.run", NULL);
}

static void
stop_command (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  PaddockWindow *self = PADDOCK_WINDOW (widget);

  if (self->run != NULL)
    {
      g_cancellable_cancel (self->run->cancellable);
      set_status (self, _("Stopping…"));
    }
}

/* --- the window ------------------------------------------------------------- */

static void
update_audit_banner (PaddockWindow *self)
{
  const char *problem = paddock_application_get_audit_problem (get_app (self));

  if (problem != NULL)
    gtk_label_set_text (self->audit_problem, problem);
  gtk_revealer_set_reveal_child (self->audit_banner, problem != NULL);
}

/* After construction: the application is set only then. */
static void
setup (PaddockWindow      *self,
       PaddockApplication *app)
{
  GListModel *workspaces = paddock_application_get_workspaces (app);
  g_autofree char *last = g_settings_get_string (self->state, "last-workspace");
  GtkListItemFactory *factory;

  g_signal_connect_swapped (self->view_stack, "notify::visible-child", G_CALLBACK (sync_pages), self);
  g_signal_connect_object (app, "notify::audit-problem", G_CALLBACK (update_audit_banner), self, G_CONNECT_SWAPPED);
  update_audit_banner (self);
  gtk_list_box_bind_model (self->workspace_list, workspaces, create_workspace_row, NULL, NULL);
  g_signal_connect (self->workspace_list, "row-selected", G_CALLBACK (on_workspace_row_selected), self);
  g_signal_connect_object (workspaces, "items-changed", G_CALLBACK (on_workspaces_changed), self, G_CONNECT_AFTER);

  self->filter = gtk_custom_filter_new (event_in_workspace, self, NULL);
  self->activity = gtk_filter_list_model_new (g_object_ref (paddock_application_get_events (app)),
                                              GTK_FILTER (g_object_ref (self->filter)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->activity)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect (self->selection, "notify::selected-item", G_CALLBACK (on_activity_selected), self);
  g_signal_connect (self->activity, "items-changed", G_CALLBACK (on_activity_changed), self);
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), NULL);
  gtk_list_view_set_factory (self->activity_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->activity_view, GTK_SELECTION_MODEL (self->selection));

  /* The workspace used last, else the first. */
  for (guint i = 0; i < g_list_model_get_n_items (workspaces); i++)
    {
      g_autoptr(PaddockWorkspace) workspace = g_list_model_get_item (workspaces, i);

      if (g_str_equal (paddock_workspace_get_path (workspace), last))
        paddock_window_select_workspace (self, workspace);
    }
  if (self->workspace == NULL && g_list_model_get_n_items (workspaces) > 0)
    gtk_list_box_select_row (self->workspace_list, gtk_list_box_get_row_at_index (self->workspace_list, 0));
  if (self->workspace == NULL)
    show_workspace (self, NULL);
  gtk_stack_set_visible_child_name (self->content_stack, self->workspace ? "workspace" : "empty");
  update_actions (self);
}

static void
paddock_window_dispose (GObject *object)
{
  PaddockWindow *self = PADDOCK_WINDOW (object);

  /* A run in progress is stopped; it cleans up after itself. */
  if (self->run != NULL)
    {
      g_cancellable_cancel (self->run->cancellable);
      self->run = NULL;
    }
  if (self->filter != NULL)
    gtk_custom_filter_set_filter_func (self->filter, NULL, NULL, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->activity);
  g_clear_object (&self->filter);
  g_clear_object (&self->workspace);
  g_clear_object (&self->state);

  G_OBJECT_CLASS (paddock_window_parent_class)->dispose (object);
}

static void
paddock_window_class_init (PaddockWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = paddock_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/paddock/Paddock/ui/paddock-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PaddockWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, PaddockWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, PaddockWindow, workspace_list);
  gtk_widget_class_bind_template_child (widget_class, PaddockWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, PaddockWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, PaddockWindow, activity_stack);
  gtk_widget_class_bind_template_child (widget_class, PaddockWindow, activity_view);
  gtk_widget_class_bind_template_child (widget_class, PaddockWindow, activity_detail);
  gtk_widget_class_bind_template_child (widget_class, PaddockWindow, command_entry);
  gtk_widget_class_bind_template_child (widget_class, PaddockWindow, run_status);
  gtk_widget_class_bind_template_child (widget_class, PaddockWindow, output_view);
  gtk_widget_class_bind_template_child (widget_class, PaddockWindow, audit_banner);
  gtk_widget_class_bind_template_child (widget_class, PaddockWindow, audit_problem);
  gtk_widget_class_bind_template_child (widget_class, PaddockWindow, policy_bin);
  gtk_widget_class_bind_template_child (widget_class, PaddockWindow, settings_bin);
  gtk_widget_class_bind_template_child (widget_class, PaddockWindow, agent_bin);
  gtk_widget_class_bind_template_child (widget_class, PaddockWindow, view_stack);
  gtk_widget_class_bind_template_callback (widget_class, on_command_activate);

  gtk_widget_class_install_action (widget_class, "win.add-workspace", NULL, add_workspace);
  gtk_widget_class_install_action (widget_class, "win.rename-workspace", NULL, rename_workspace);
  gtk_widget_class_install_action (widget_class, "win.remove-workspace", NULL, remove_workspace);
  gtk_widget_class_install_action (widget_class, "win.show-workspaces", NULL, show_workspaces);
  gtk_widget_class_install_action (widget_class, "win.run", NULL, run_command);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_command);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.add-workspace", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "win.rename-workspace", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_period, GDK_CONTROL_MASK, "win.stop", NULL);
}

static void
paddock_window_init (PaddockWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->state = g_settings_new ("org.paddock.Paddock.State");
  g_settings_bind (self->state, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->state, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->state, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
}

PaddockWindow *
paddock_window_new (PaddockApplication *application)
{
  PaddockWindow *self = g_object_new (PADDOCK_TYPE_WINDOW, "application", application, NULL);

  setup (self, application);
  return self;
}
