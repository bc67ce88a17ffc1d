/* paddock-approval-dialog.c
 *
 * The dialog follows polkit and the portals: deny is the default and the
 * Escape response, the buttons say what they allow, and it always says
 * who asks, for exactly what, and which layer and rule made it ask.
 * Everything shown from the request is escaped by the core first, so a
 * command cannot hide or reorder what the person reads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "paddock-approval-dialog.h"

struct _PaddockApprovalDialog
{
  AdwMessageDialog parent_instance;

  GtkGrid *facts;
  GtkExpander *details_expander;
  GtkLabel *trace_label;
  GtkLabel *countdown_label;

  PaddockApprovalRequest *request;
  gulong answered_id;
  guint countdown_id;
  guint remaining;
  guint n_facts;
  gboolean answering;   /* the answer is this dialog's own */
};

G_DEFINE_FINAL_TYPE (PaddockApprovalDialog, paddock_approval_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
paddock_approval_dialog_dispose (GObject *object)
{
  PaddockApprovalDialog *self = PADDOCK_APPROVAL_DIALOG (object);

  g_clear_handle_id (&self->countdown_id, g_source_remove);
  g_clear_signal_handler (&self->answered_id, self->request);
  g_clear_object (&self->request);

  G_OBJECT_CLASS (paddock_approval_dialog_parent_class)->dispose (object);
}

static void
on_response (PaddockApprovalDialog *self,
             const char            *response)
{
  PaddockAnswer answer;

  if (!paddock_answer_from_string (response, &answer))
    answer = PADDOCK_ANSWER_DENY;
  self->answering = TRUE;
  paddock_approval_request_answer (self->request, answer, g_get_user_name ());
  self->answering = FALSE;
}

static void
paddock_approval_dialog_class_init (PaddockApprovalDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = paddock_approval_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/paddock/Paddock/ui/paddock-approval-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PaddockApprovalDialog, facts);
  gtk_widget_class_bind_template_child (widget_class, PaddockApprovalDialog, details_expander);
  gtk_widget_class_bind_template_child (widget_class, PaddockApprovalDialog, trace_label);
  gtk_widget_class_bind_template_child (widget_class, PaddockApprovalDialog, countdown_label);
}

static void
paddock_approval_dialog_init (PaddockApprovalDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self, "response", G_CALLBACK (on_response), NULL);
}

/* A fact is a name and a value; the value is labelled by its name for
 * screen readers, and selectable so it can be copied. */
static void
add_fact (PaddockApprovalDialog *self,
          const char            *name,
          const char            *value,
          gboolean               monospace)
{
  GtkWidget *name_label;
  GtkWidget *value_label;

  if (value == NULL || *value == '\0')
    return;

  name_label = gtk_label_new (name);
  gtk_label_set_xalign (GTK_LABEL (name_label), 1);
  gtk_label_set_yalign (GTK_LABEL (name_label), 0);
  gtk_widget_add_css_class (name_label, "dim-label");

  value_label = gtk_label_new (value);
  gtk_label_set_xalign (GTK_LABEL (value_label), 0);
  gtk_label_set_wrap (GTK_LABEL (value_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (value_label), PANGO_WRAP_WORD_CHAR);
  /* A wrapping label asks for one character per line unless told how
   * wide it may be, and the dialog would grow off the screen. */
  gtk_label_set_width_chars (GTK_LABEL (value_label), 30);
  gtk_label_set_max_width_chars (GTK_LABEL (value_label), 60);
  gtk_label_set_selectable (GTK_LABEL (value_label), TRUE);
  gtk_widget_set_hexpand (value_label, TRUE);
  if (monospace)
    gtk_widget_add_css_class (value_label, "monospace");
  gtk_accessible_update_relation (GTK_ACCESSIBLE (value_label),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, name_label, NULL, -1);

  gtk_grid_attach (self->facts, name_label, 0, self->n_facts, 1, 1);
  gtk_grid_attach (self->facts, value_label, 1, self->n_facts, 1, 1);
  self->n_facts++;
}

static void
update_countdown (PaddockApprovalDialog *self)
{
  g_autofree char *text = g_strdup_printf (_("Denied automatically in %u:%02u"),
                                           self->remaining / 60, self->remaining % 60);

  gtk_label_set_text (self->countdown_label, text);
}

static gboolean
on_countdown (gpointer user_data)
{
  PaddockApprovalDialog *self = user_data;

  if (--self->remaining > 0)
    {
      update_countdown (self);
      return G_SOURCE_CONTINUE;
    }

  self->countdown_id = 0;
  paddock_approval_request_answer (self->request, PADDOCK_ANSWER_DENY, "timeout");
  return G_SOURCE_REMOVE;
}

static void
on_request_answered (PaddockApprovalDialog *self)
{
  g_clear_handle_id (&self->countdown_id, g_source_remove);
  /* A response closes the dialog by itself; any other answer (the
   * countdown, a withdrawn request) closes it here. */
  if (!self->answering)
    gtk_window_destroy (GTK_WINDOW (self));
}

static const char *
heading_for (PaddockActionKind kind)
{
  switch (kind)
    {
    case PADDOCK_ACTION_WRITE:
      return _("Write to This File?");
    case PADDOCK_ACTION_READ:
      return _("Read This File?");
    case PADDOCK_ACTION_NET:
      return _("Connect to This Host?");
    case PADDOCK_ACTION_MCP:
      return _("Call This Tool?");
    case PADDOCK_ACTION_EXEC:
    default:
      return _("Run This Command?");
    }
}

PaddockApprovalDialog *
paddock_approval_dialog_new (PaddockApprovalRequest *request,
                             GtkWindow              *parent)
{
  PaddockApprovalDialog *self;
  PaddockAction *action;
  g_autofree char *workspace = NULL;
  g_autofree char *client = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *cwd = NULL;
  g_autofree char *location = NULL;
  g_autofree char *decided_by = NULL;
  g_autofree char *rule = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *effect = NULL;
  g_autofree char *trace = NULL;
  g_autofree char *body = NULL;
  g_autofree char *workspace_name = NULL;

  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (request), NULL);

  self = g_object_new (PADDOCK_TYPE_APPROVAL_DIALOG, "transient-for", parent, NULL);
  self->request = g_object_ref (request);
  action = paddock_approval_request_get_action (request);

  workspace = paddock_approval_request_dup_workspace (request);
  client = paddock_approval_request_dup_client (request);
  subject = paddock_approval_request_dup_subject (request);
  cwd = paddock_approval_request_dup_cwd (request);
  location = paddock_approval_request_dup_location (request);
  rule = paddock_approval_request_dup_rule (request);
  reason = paddock_approval_request_dup_reason (request);
  effect = paddock_approval_request_dup_approval_effect (request);
  trace = paddock_approval_request_dup_trace (request);

  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), heading_for (action->kind));
  workspace_name = workspace ? g_path_get_basename (workspace) : g_strdup (_("an unknown workspace"));
  body = g_strdup_printf (_("%s asks for workspace “%s”. A rule of the %s layer says a person decides."),
                          client ? client : _("A program"), workspace_name,
                          paddock_approval_request_get_layer (request));
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), body);

  add_fact (self, _("Workspace"), workspace, FALSE);
  add_fact (self, _("Asked by"), client, FALSE);
  switch (action->kind)
    {
    case PADDOCK_ACTION_NET:
      add_fact (self, _("Host"), subject, TRUE);
      break;
    case PADDOCK_ACTION_READ:
    case PADDOCK_ACTION_WRITE:
      add_fact (self, _("File"), subject, TRUE);
      break;
    case PADDOCK_ACTION_MCP:
      add_fact (self, _("Tool"), subject, TRUE);
      break;
    case PADDOCK_ACTION_EXEC:
    default:
      add_fact (self, _("Command"), subject, TRUE);
      add_fact (self, _("Folder"), cwd, TRUE);
      break;
    }
  decided_by = g_strdup_printf (_("the %s layer, %s"), paddock_approval_request_get_layer (request), location);
  add_fact (self, _("Decided by"), decided_by, FALSE);
  add_fact (self, _("Rule"), rule, TRUE);
  add_fact (self, _("Reason"), reason ? reason : _("(none given)"), FALSE);
  add_fact (self, _("Approval mode"), effect, FALSE);
  gtk_label_set_text (self->trace_label, trace);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (self), "deny", _("_Deny"));
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (self), "once", _("Allow _Once"));
  if (paddock_approval_request_offers (request, PADDOCK_ANSWER_SESSION))
    adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (self), "session", _("Allow for This _Session"));
  if (paddock_approval_request_offers (request, PADDOCK_ANSWER_ALWAYS))
    adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (self), "always", _("_Always Allow for This Workspace"));
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (self), "deny", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (self), "deny");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (self), "deny");

  self->remaining = paddock_approval_request_get_timeout (request);
  gtk_widget_set_visible (GTK_WIDGET (self->countdown_label), self->remaining > 0);
  if (self->remaining > 0)
    {
      update_countdown (self);
      self->countdown_id = g_timeout_add_seconds (1, on_countdown, self);
    }
  self->answered_id = g_signal_connect_swapped (request, "answered", G_CALLBACK (on_request_answered), self);

  return self;
}

PaddockApprovalRequest *
paddock_approval_dialog_get_request (PaddockApprovalDialog *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_DIALOG (self), NULL);
  return self->request;
}

static void
on_task_request_answered (PaddockApprovalRequest *request,
                          GTask                  *task)
{
  g_signal_handlers_disconnect_by_func (request, on_task_request_answered, task);
  g_task_return_int (task, paddock_approval_request_get_answer (request));
  g_object_unref (task);
}

/* Whoever asked gave up: nobody answered. */
static void
on_cancelled (GCancellable           *cancellable,
              PaddockApprovalRequest *request)
{
  paddock_approval_request_answer (request, PADDOCK_ANSWER_DENY, "nobody");
}

void
paddock_approval_dialog_ask_async (PaddockApprovalRequest *request,
                                   GtkWindow              *parent,
                                   GCancellable           *cancellable,
                                   GAsyncReadyCallback     callback,
                                   gpointer                user_data)
{
  GTask *task;
  PaddockApprovalDialog *dialog;

  g_return_if_fail (PADDOCK_IS_APPROVAL_REQUEST (request));

  task = g_task_new (request, cancellable, callback, user_data);
  g_task_set_source_tag (task, paddock_approval_dialog_ask_async);
  /* Cancelling is an answer too (deny, by nobody), not an error. */
  g_task_set_check_cancellable (task, FALSE);

  if (paddock_approval_request_is_answered (request))
    {
      g_task_return_int (task, paddock_approval_request_get_answer (request));
      g_object_unref (task);
      return;
    }

  g_signal_connect (request, "answered", G_CALLBACK (on_task_request_answered), task);
  if (cancellable != NULL)
    g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), g_object_ref (request), g_object_unref);
  dialog = paddock_approval_dialog_new (request, parent);
  gtk_window_present (GTK_WINDOW (dialog));
}

PaddockAnswer
paddock_approval_dialog_ask_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), PADDOCK_ANSWER_DENY);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == paddock_approval_dialog_ask_async,
                        PADDOCK_ANSWER_DENY);

  return (PaddockAnswer) g_task_propagate_int (G_TASK (result), error);
}
