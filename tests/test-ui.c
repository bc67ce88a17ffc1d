/* test-ui.c: the approval dialog, the activity list and the workspace
 * list, in process under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "paddock-activity-row.h"
#include "paddock-application.h"
#include "paddock-approval-dialog.h"
#include "paddock-inspector.h"
#include "paddock-paths.h"
#include "paddock-policy-loader.h"
#include "paddock-policy-file.h"
#include "paddock-window.h"
#include "paddock-workspace-settings.h"

#include <glib/gstdio.h>
#include "test-util.h"

static char *workspace;
static char *home;

static const char *policy_json =
  "{\"commands\": [{\"match\": [\"git\", \"push\"], \"decision\": \"prompt\", \"reason\": \"publishes\"},\n"
  "                {\"match\": [\"deploy\"], \"decision\": \"prompt\", \"grant\": \"once\"}],\n"
  " \"network\": {\"unknown\": \"prompt\"}}";

static PaddockApprovalRequest *
request_for_argv (const char * const *argv)
{
  g_autoptr(PaddockPolicy) policy = test_policy_new (workspace, home, PADDOCK_LAYER_USER, policy_json, -1);
  g_autoptr(PaddockDecision) decision = test_check_argv (policy, argv);
  PaddockApprovalRequest *request = paddock_approval_request_new (decision, FALSE);

  paddock_approval_request_set_asker (request, workspace, "test-ui");
  return request;
}

static void
spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

/* Every label in @widget's tree, in order. */
static void
collect_labels (GtkWidget *widget,
                GString   *out)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget))
    g_string_append_printf (out, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect_labels (child, out);
}

static char *
labels_of (GtkWidget *widget)
{
  GString *out = g_string_new (NULL);

  collect_labels (widget, out);
  return g_string_free (out, FALSE);
}

/* Who asks, for what, and which layer and rule: all on screen; deny is
 * the default and the Escape response. */
static void
test_dialog_says_why (void)
{
  const char *argv[] = { "git", "push", "origin", "main", NULL };
  g_autoptr(PaddockApprovalRequest) request = request_for_argv (argv);
  PaddockApprovalDialog *dialog = paddock_approval_dialog_new (request, NULL);
  g_autofree char *labels = NULL;

  gtk_window_present (GTK_WINDOW (dialog));
  labels = labels_of (GTK_WIDGET (dialog));
  g_assert_nonnull (strstr (labels, "Run This Command?"));
  g_assert_nonnull (strstr (labels, "\ngit push origin main\n"));
  g_assert_nonnull (strstr (labels, "\"match\": [\"git\", \"push\"]"));
  g_assert_nonnull (strstr (labels, "\npublishes\n"));
  g_assert_nonnull (strstr (labels, "test-ui"));

  g_assert_cmpstr (adw_message_dialog_get_default_response (ADW_MESSAGE_DIALOG (dialog)), ==, "deny");
  g_assert_cmpstr (adw_message_dialog_get_close_response (ADW_MESSAGE_DIALOG (dialog)), ==, "deny");
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "once"));
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "session"));
  g_assert_false (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "always"));

  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_dialog_location_shown (void)
{
  const char *argv[] = { "git", "push", NULL };
  g_autoptr(PaddockApprovalRequest) request = request_for_argv (argv);
  PaddockApprovalDialog *dialog = paddock_approval_dialog_new (request, NULL);
  g_autofree char *labels = labels_of (GTK_WIDGET (dialog));
  const char *line = strstr (labels, "\nthe user layer, ");
  const char *end = line ? strchr (line + 1, '\n') : NULL;

  /* The deciding layer and the rule's file, line and column, on one line. */
  g_assert_nonnull (end);
  g_assert_true (end - line > 14 && strncmp (end - 14, "user.json:1:15", 14) == 0);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* "grant": "once" leaves no session button; hosts offer "always". */
static void
test_dialog_offers (void)
{
  const char *argv[] = { "deploy", NULL };
  g_autoptr(PaddockApprovalRequest) once = request_for_argv (argv);
  g_autoptr(PaddockPolicy) policy = test_policy_new (workspace, home, PADDOCK_LAYER_USER, policy_json, -1);
  g_autoptr(PaddockAction) action = paddock_action_new_net ("api.example.org", 443, "https");
  g_autoptr(PaddockDecision) decision = paddock_policy_evaluate (policy, action, NULL);
  g_autoptr(PaddockApprovalRequest) host = paddock_approval_request_new (decision, TRUE);
  PaddockApprovalDialog *dialog;
  g_autofree char *labels = NULL;

  dialog = paddock_approval_dialog_new (once, NULL);
  g_assert_false (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "session"));
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "once"));
  gtk_window_destroy (GTK_WINDOW (dialog));

  g_assert_cmpint (decision->verdict, ==, PADDOCK_VERDICT_PROMPT);
  dialog = paddock_approval_dialog_new (host, NULL);
  labels = labels_of (GTK_WIDGET (dialog));
  g_assert_nonnull (strstr (labels, "Connect to This Host?"));
  g_assert_nonnull (strstr (labels, "\napi.example.org:443\n"));
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "always"));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* What a command hides from a person is shown escaped. */
static void
test_dialog_escapes (void)
{
  const char *argv[] = { "git", "push", "origin", "main\u202e\x1b[2J", NULL };
  g_autoptr(PaddockApprovalRequest) request = request_for_argv (argv);
  PaddockApprovalDialog *dialog = paddock_approval_dialog_new (request, NULL);
  g_autofree char *labels = labels_of (GTK_WIDGET (dialog));

  g_assert_nonnull (strstr (labels, "main\\u202e\\e[2J"));
  g_assert_null (strstr (labels, "\u202e"));
  g_assert_null (strchr (labels, '\x1b'));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
on_asked (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(int *) user_data = paddock_approval_dialog_ask_finish (result, NULL);
}

/* The dialog showing @request, or any when NULL. */
static PaddockApprovalDialog *
find_dialog_for (PaddockApprovalRequest *request)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (PADDOCK_IS_APPROVAL_DIALOG (window) &&
          (request == NULL || paddock_approval_dialog_get_request (PADDOCK_APPROVAL_DIALOG (window)) == request))
        return PADDOCK_APPROVAL_DIALOG (window);
    }
  return NULL;
}

#define find_dialog() find_dialog_for (NULL)

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);
      if (found)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_button_by_tooltip (GtkWidget  *widget,
                        const char *tooltip)
{
  const char *mine = GTK_IS_BUTTON (widget) ? gtk_widget_get_tooltip_text (widget) : NULL;

  if (g_strcmp0 (mine, tooltip) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_by_tooltip (child, tooltip);
      if (found)
        return found;
    }
  return NULL;
}

/* A click answers with the person's name and closes the dialog. */
static void
test_dialog_answer (void)
{
  const char *argv[] = { "git", "push", NULL };
  g_autoptr(PaddockApprovalRequest) request = request_for_argv (argv);
  int answer = -1;

  paddock_approval_dialog_ask_async (request, NULL, NULL, on_asked, &answer);
  spin (50);
  g_assert_nonnull (find_dialog ());
  gtk_widget_activate (find_button (GTK_WIDGET (find_dialog ()), "Allow _Once"));
  while (answer < 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (answer, ==, PADDOCK_ANSWER_ONCE);
  g_assert_cmpstr (paddock_approval_request_get_who (request), ==, g_get_user_name ());
  spin (50);
  g_assert_null (find_dialog ());
}

/* Escape (closing the dialog) is deny. */
static void
test_dialog_close_denies (void)
{
  const char *argv[] = { "git", "push", NULL };
  g_autoptr(PaddockApprovalRequest) request = request_for_argv (argv);
  int answer = -1;

  paddock_approval_dialog_ask_async (request, NULL, NULL, on_asked, &answer);
  spin (50);
  gtk_window_close (GTK_WINDOW (find_dialog ()));
  while (answer < 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (answer, ==, PADDOCK_ANSWER_DENY);
  g_assert_cmpstr (paddock_approval_request_get_who (request), ==, g_get_user_name ());
}

/* The countdown denies, as "timeout"; the control is a request with time
 * left, still waiting. */
static void
test_dialog_countdown (void)
{
  const char *argv[] = { "git", "push", NULL };
  g_autoptr(PaddockApprovalRequest) request = request_for_argv (argv);
  g_autoptr(PaddockApprovalRequest) control = request_for_argv (argv);
  int answer = -1, control_answer = -1;
  g_autofree char *labels = NULL;

  paddock_approval_request_set_timeout (request, 2);
  paddock_approval_request_set_timeout (control, 60);
  paddock_approval_dialog_ask_async (control, NULL, NULL, on_asked, &control_answer);
  paddock_approval_dialog_ask_async (request, NULL, NULL, on_asked, &answer);
  spin (50);
  labels = labels_of (GTK_WIDGET (find_dialog_for (request)));
  g_assert_nonnull (strstr (labels, "Denied automatically in 0:02"));
  while (answer < 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (answer, ==, PADDOCK_ANSWER_DENY);
  g_assert_cmpstr (paddock_approval_request_get_who (request), ==, "timeout");
  g_assert_cmpint (control_answer, ==, -1);
  g_assert_false (paddock_approval_request_is_answered (control));
  paddock_approval_request_answer (control, PADDOCK_ANSWER_DENY, "nobody");
  spin (50);
}

/* Answered elsewhere (the asker withdrew): the dialog goes away. */
static void
test_dialog_withdrawn (void)
{
  const char *argv[] = { "git", "push", NULL };
  g_autoptr(PaddockApprovalRequest) request = request_for_argv (argv);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  int answer = -1;

  paddock_approval_dialog_ask_async (request, NULL, cancellable, on_asked, &answer);
  spin (50);
  g_assert_nonnull (find_dialog ());
  g_cancellable_cancel (cancellable);
  while (answer < 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (answer, ==, PADDOCK_ANSWER_DENY);
  g_assert_cmpstr (paddock_approval_request_get_who (request), ==, "nobody");
  spin (50);
  g_assert_null (find_dialog ());
}

/* --- the window ------------------------------------------------------ */

static PaddockApplication *app;

static guint
count_rows (GtkWidget *widget)
{
  guint n = PADDOCK_IS_ACTIVITY_ROW (widget) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    n += count_rows (child);
  return n;
}

static GtkWidget *
find_type (GtkWidget *widget,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type);
      if (found)
        return found;
    }
  return NULL;
}

/* 100,000 events: the list holds them all and builds rows only for what
 * is on screen. */
static void
test_activity_many (void)
{
  PaddockWindow *window;
  PaddockWorkspace *ws;
  GtkListView *view;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = test_make_dir ("many");
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *model;

  ws = paddock_application_add_workspace (app, folder, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 100000; i++)
    {
      g_autofree char *subject = g_strdup_printf ("make target-%u", i);
      PaddockEvent *event = paddock_event_new (PADDOCK_EVENT_DECISION, paddock_workspace_get_id (ws), subject);

      paddock_event_set_outcome (event, i % 2 ? "allowed" : "forbidden", i % 2);
      paddock_event_set_decided_by (event, "user", "/etc/user.json:1:1", "{\"match\": [\"make\"]}");
      g_ptr_array_add (events, event);
    }
  /* One change for the lot, as a store filled from the audit log would be. */
  g_list_store_splice (G_LIST_STORE (paddock_application_get_events (app)), 0, 0, events->pdata, events->len);

  window = paddock_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  paddock_window_select_workspace (window, ws);
  spin (300);

  view = GTK_LIST_VIEW (find_type (GTK_WIDGET (window), GTK_TYPE_LIST_VIEW));
  model = G_LIST_MODEL (gtk_list_view_get_model (view));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 100000);
  g_assert_cmpuint (count_rows (GTK_WIDGET (view)), >, 0);
  g_assert_cmpuint (count_rows (GTK_WIDGET (view)), <, 500);

  gtk_window_destroy (GTK_WINDOW (window));
  g_list_store_remove_all (G_LIST_STORE (paddock_application_get_events (app)));
}

/* The list shows only the selected workspace's events. */
static void
test_activity_per_workspace (void)
{
  g_autofree char *a_dir = test_make_dir ("ws-a");
  g_autofree char *b_dir = test_make_dir ("ws-b");
  PaddockWorkspace *a = paddock_application_add_workspace (app, a_dir, NULL);
  PaddockWorkspace *b = paddock_application_add_workspace (app, b_dir, NULL);
  g_autoptr(PaddockEvent) in_a = paddock_event_new (PADDOCK_EVENT_DECISION, paddock_workspace_get_id (a), "ls");
  g_autoptr(PaddockEvent) in_b = paddock_event_new (PADDOCK_EVENT_DECISION, paddock_workspace_get_id (b), "ls");
  g_autoptr(PaddockEvent) in_b2 = paddock_event_new (PADDOCK_EVENT_DECISION, paddock_workspace_get_id (b), "ls");
  PaddockWindow *window = paddock_window_new (app);
  GtkListView *view;

  paddock_application_add_event (app, in_a);
  paddock_application_add_event (app, in_b);
  paddock_application_add_event (app, in_b2);
  gtk_window_present (GTK_WINDOW (window));
  view = GTK_LIST_VIEW (find_type (GTK_WIDGET (window), GTK_TYPE_LIST_VIEW));

  paddock_window_select_workspace (window, a);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (view))), ==, 1);
  paddock_window_select_workspace (window, b);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (view))), ==, 2);

  gtk_window_destroy (GTK_WINDOW (window));
  g_list_store_remove_all (G_LIST_STORE (paddock_application_get_events (app)));
}

/* Removing a workspace forgets Paddock's record of it and never touches
 * the folder. */
static void
test_remove_workspace (void)
{
  g_autofree char *dir = test_make_dir ("removed");
  g_autofree char *kept = test_write_file (dir, "keep.txt", "mine");
  g_autoptr(GError) error = NULL;
  PaddockWorkspace *ws = paddock_application_add_workspace (app, dir, &error);
  g_autoptr(PaddockWorkspace) held = g_object_ref (ws);
  g_autoptr(GPtrArray) known = NULL;

  g_assert_true (paddock_workspace_is_known (held));
  g_assert_true (paddock_application_remove_workspace (app, held, &error));
  g_assert_no_error (error);
  g_assert_false (paddock_workspace_is_known (held));
  g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));
  known = paddock_workspace_list_known ();
  for (guint i = 0; i < known->len; i++)
    g_assert_cmpstr (paddock_workspace_get_path (g_ptr_array_index (known, i)), !=, dir);
}

/* A notification server on the test's own session bus, the desktop's
 * part: it records what it was asked to show. */
static GPtrArray *notifications;

static const char notifications_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "  <method name='Notify'>"
  "    <arg type='s' direction='in'/><arg type='u' direction='in'/><arg type='s' direction='in'/>"
  "    <arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "    <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/><arg type='u' direction='out'/>"
  "  </method>"
  "  <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "</interface></node>";

static void
on_notification_call (GDBusConnection       *connection,
                      const char            *sender,
                      const char            *path,
                      const char            *interface,
                      const char            *method,
                      GVariant              *parameters,
                      GDBusMethodInvocation *invocation,
                      gpointer               user_data)
{
  if (g_str_equal (method, "Notify"))
    {
      const char *summary = NULL;

      g_variant_get_child (parameters, 3, "&s", &summary);
      g_ptr_array_add (notifications, g_strdup (summary));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", notifications->len));
      return;
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static GDBusConnection *
start_notification_server (void)
{
  static const GDBusInterfaceVTable vtable = { on_notification_call, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  GDBusConnection *connection;
  g_autoptr(GVariant) reply = NULL;

  g_assert_no_error (error);
  connection = g_dbus_connection_new_for_address_sync (address,
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (connection, "/org/freedesktop/Notifications", info->interfaces[0],
                                     &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.Notifications", 4),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  notifications = g_ptr_array_new_with_free_func (g_free);
  return connection;
}

static guint
count_dialogs (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (PADDOCK_IS_APPROVAL_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        n++;
    }
  return n;
}

/* The first event of @kind in the list (about @subject, unless NULL). */
static PaddockEvent *
find_event (PaddockEventKind  kind,
            const char       *subject)
{
  GListModel *events = paddock_application_get_events (app);

  for (guint i = 0; i < g_list_model_get_n_items (events); i++)
    {
      g_autoptr(PaddockEvent) event = g_list_model_get_item (events, i);
      g_autofree char *shown = paddock_event_dup_subject (event);

      if (paddock_event_get_kind (event) == kind && (subject == NULL || g_str_equal (shown, subject)))
        return g_steal_pointer (&event);
    }
  return NULL;
}

/* Events reach the list from the audit store, once it acknowledged them. */
static PaddockEvent *
wait_for_event (PaddockEventKind kind)
{
  PaddockEvent *event;

  while ((event = find_event (kind, NULL)) == NULL)
    g_main_context_iteration (NULL, TRUE);
  return event;
}

/* Requests queue: one dialog at a time, in order; the askers record the
 * answers they act on, and a request withdrawn before it was shown is
 * recorded by the app, since its asker is gone. */
static void
test_queue (void)
{
  const char *a[] = { "git", "push", "a", NULL };
  const char *b[] = { "git", "push", "b", NULL };
  const char *c[] = { "git", "push", "c", NULL };
  g_autoptr(PaddockApprovalRequest) first = request_for_argv (a);
  g_autoptr(PaddockApprovalRequest) second = request_for_argv (b);
  g_autoptr(PaddockApprovalRequest) third = request_for_argv (c);
  g_autoptr(PaddockEvent) withdrawn = NULL;
  g_autofree char *subject = NULL;

  paddock_application_ask (app, first);
  paddock_application_ask (app, second);
  paddock_application_ask (app, third);
  spin (100);
  g_assert_cmpuint (count_dialogs (), ==, 1);
  g_assert_nonnull (find_dialog_for (first));

  gtk_widget_activate (find_button (GTK_WIDGET (find_dialog_for (first)), "Allow _Once"));
  while (find_dialog_for (second) == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (paddock_approval_request_get_answer (first), ==, PADDOCK_ANSWER_ONCE);
  g_assert_cmpuint (count_dialogs (), ==, 1);

  /* The third one's asker gives up while it waits. */
  paddock_approval_request_answer (third, PADDOCK_ANSWER_DENY, "nobody");
  gtk_widget_activate (find_button (GTK_WIDGET (find_dialog_for (second)), "_Deny"));
  withdrawn = wait_for_event (PADDOCK_EVENT_APPROVAL);
  spin (100);
  g_assert_cmpuint (count_dialogs (), ==, 0);
  g_assert_null (find_dialog_for (third));

  /* From the store, the one answer nobody else could record. */
  g_assert_cmpint (paddock_event_get_id (withdrawn), >, 0);
  subject = paddock_event_dup_subject (withdrawn);
  g_assert_cmpstr (subject, ==, "git push c");
  g_assert_cmpstr (paddock_event_get_outcome (withdrawn), ==, "denied: withdrawn");
  g_assert_null (find_event (PADDOCK_EVENT_APPROVAL, "git push a"));
  g_list_store_remove_all (G_LIST_STORE (paddock_application_get_events (app)));

  /* Nobody had the window focused: the desktop was told, each time. */
  g_assert_cmpuint (notifications->len, >=, 2);
  g_assert_cmpstr (g_ptr_array_index (notifications, 0), ==, "Paddock is waiting for your answer");
  for (GtkWindow *w = gtk_application_get_active_window (GTK_APPLICATION (app)); w != NULL;
       w = gtk_application_get_active_window (GTK_APPLICATION (app)))
    gtk_window_destroy (w);
}

/* --- the Run page ------------------------------------------------------- */

static char *
text_view_text (GtkWidget *root)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (find_type (root, GTK_TYPE_TEXT_VIEW)));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static PaddockWindow *
run_in_window (const char  *name,
               const char  *command)
{
  g_autofree char *dir = test_make_dir (name);
  PaddockWorkspace *ws = paddock_application_add_workspace (app, dir, NULL);
  PaddockWindow *window = paddock_window_new (app);

  gtk_window_present (GTK_WINDOW (window));
  paddock_window_select_workspace (window, ws);
  gtk_editable_set_text (GTK_EDITABLE (find_type (GTK_WIDGET (window), GTK_TYPE_ENTRY)), command);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  return window;
}

static PaddockEvent *
wait_for_result (void)
{
  return wait_for_event (PADDOCK_EVENT_RESULT);
}

/* A command from the Run page runs in the sandbox; its output streams
 * into the page and is kept, escaped, with its result. */
static void
test_run_page (void)
{
  PaddockWindow *window = run_in_window ("run", "sh -c 'echo hello; printf \"\\033[2J\"; exit 3'");
  g_autoptr(PaddockEvent) result = wait_for_result ();
  g_autofree char *shown = text_view_text (GTK_WIDGET (window));
  g_autofree char *detail = paddock_event_dup_detail (result);
  g_autofree char *labels = labels_of (GTK_WIDGET (window));

  g_assert_cmpstr (paddock_event_get_outcome (result), ==, "exit status 3");
  g_assert_nonnull (strstr (shown, "hello"));
  g_assert_nonnull (strstr (detail, "hello\n\\e[2J"));
  g_assert_nonnull (strstr (labels, "Finished: exit status 3"));

  gtk_window_destroy (GTK_WINDOW (window));
  g_list_store_remove_all (G_LIST_STORE (paddock_application_get_events (app)));
}

/* The store holds the run's decision and result, linked by call.id. */
static void
test_run_recorded (void)
{
  PaddockWindow *window = run_in_window ("recorded", "echo recorded");
  g_autoptr(PaddockEvent) result = wait_for_result ();
  g_autoptr(PaddockEvent) decision = find_event (PADDOCK_EVENT_DECISION, "echo recorded");

  g_assert_nonnull (decision);
  g_assert_cmpint (paddock_event_get_id (decision), >, 0);
  g_assert_cmpint (paddock_event_get_id (result), >, paddock_event_get_id (decision));
  g_assert_cmpstr (paddock_event_get_call_id (result), ==, paddock_event_get_call_id (decision));
  g_assert_cmpstr (paddock_event_get_outcome (result), ==, "exit status 0");

  gtk_window_destroy (GTK_WINDOW (window));
  g_list_store_remove_all (G_LIST_STORE (paddock_application_get_events (app)));
}

/* A store that stops taking events stops the runs: the window says
 * why, and the command does not run unrecorded. */
static void
test_audit_fail_closed (void)
{
  PaddockWindow *window;
  g_autofree char *labels = NULL;
  g_autofree char *output = NULL;
  GtkWidget *banner;

  paddock_audit_close (paddock_application_get_audit (app));
  window = run_in_window ("fail-closed", "echo ran-unrecorded");
  while (paddock_application_get_audit_problem (app) == NULL)
    g_main_context_iteration (NULL, TRUE);
  spin (500);

  labels = labels_of (GTK_WIDGET (window));
  g_assert_nonnull (strstr (labels, "Not run: the audit log cannot be written"));
  g_assert_nonnull (strstr (labels, "is closed"));
  banner = find_type (GTK_WIDGET (window), GTK_TYPE_REVEALER);
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (banner)));
  output = text_view_text (GTK_WIDGET (window));
  g_assert_null (strstr (output, "ran-unrecorded"));

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
press_stop (gpointer user_data)
{
  gtk_widget_activate_action (GTK_WIDGET (user_data), "win.stop", NULL);
  return G_SOURCE_REMOVE;
}

/* Stop ends the command (and what it started) well before it would end. */
static void
test_run_stop (void)
{
  PaddockWindow *window = run_in_window ("stop", "sh -c 'sleep 60 & sleep 60'");
  g_autoptr(PaddockEvent) result = NULL;
  gint64 start = g_get_monotonic_time ();

  g_timeout_add (500, press_stop, window);
  result = wait_for_result ();
  g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
  g_assert_true (g_str_has_prefix (paddock_event_get_outcome (result), "ended by signal"));
  g_assert_false (paddock_event_get_good (result));

  gtk_window_destroy (GTK_WINDOW (window));
  g_list_store_remove_all (G_LIST_STORE (paddock_application_get_events (app)));
}

/* --- workspace settings ------------------------------------------------ */

static char *sysconfdir;

static GtkWidget *
find_row (GtkWidget  *widget,
          const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, title);
      if (found)
        return found;
    }
  return NULL;
}

static PaddockWorkspaceSettings *
settings_for (const char        *name,
              PaddockWorkspace **out)
{
  g_autofree char *dir = test_make_dir (name);
  PaddockWorkspaceSettings *settings = g_object_new (PADDOCK_TYPE_WORKSPACE_SETTINGS, NULL);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *toasts = adw_toast_overlay_new ();

  *out = paddock_workspace_new_for_path (dir, NULL);
  g_assert_nonnull (*out);
  /* As in the window: refusals are told in a toast. */
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (toasts), GTK_WIDGET (settings));
  gtk_window_set_child (GTK_WINDOW (window), toasts);
  gtk_window_present (GTK_WINDOW (window));
  paddock_workspace_settings_set_workspace (settings, *out);
  return settings;
}

/* What the system layer decides is locked, with the layer and the file
 * in the tooltip; what it leaves open is the control and stays open. */
static void
test_settings_locked (void)
{
  g_autoptr(PaddockWorkspace) ws = NULL;
  g_autofree char *system = test_write_file (sysconfdir, "policy.d/10-test.json",
                                             "{\"sandbox\": {\"mode\": \"read-only\"}}");
  PaddockWorkspaceSettings *settings = settings_for ("locked", &ws);
  GtkWidget *sandbox = find_row (GTK_WIDGET (settings), "_Sandbox");
  GtkWidget *approval = find_row (GTK_WIDGET (settings), "A_pprovals");
  const char *tooltip;

  g_assert_nonnull (sandbox);
  g_assert_false (gtk_widget_get_sensitive (sandbox));
  tooltip = gtk_widget_get_tooltip_text (sandbox);
  g_assert_nonnull (tooltip);
  g_assert_nonnull (strstr (tooltip, "Locked by the system layer"));
  g_assert_nonnull (strstr (tooltip, system));
  g_assert_true (gtk_widget_get_sensitive (approval));
  g_assert_null (gtk_widget_get_tooltip_text (approval));

  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (settings))));
  g_assert_cmpint (g_unlink (system), ==, 0);
}

/* A choice lands in the workspace's own layer; a choice the enforced
 * layer's allowed modes refuse does not. */
static void
test_settings_modes (void)
{
  g_autoptr(PaddockWorkspace) ws = NULL;
  g_autofree char *system = test_write_file (sysconfdir, "policy.d/10-test.json",
                                             "{\"approval\": {\"allowed_modes\": [\"untrusted\", \"on-request\"]}}");
  PaddockWorkspaceSettings *settings = settings_for ("modes", &ws);
  AdwComboRow *approval = ADW_COMBO_ROW (find_row (GTK_WIDGET (settings), "A_pprovals"));
  g_autofree char *path = paddock_workspace_dup_settings_policy_path (ws);
  g_autofree char *written = NULL;
  g_autofree char *after = NULL;

  adw_combo_row_set_selected (approval, 1);  /* untrusted */
  g_assert_true (g_file_get_contents (path, &written, NULL, NULL));
  g_assert_nonnull (strstr (written, "\"untrusted\""));

  adw_combo_row_set_selected (approval, 3);  /* never: refused */
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, written);
  g_assert_cmpuint (adw_combo_row_get_selected (approval), ==, 1);

  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (settings))));
  g_assert_cmpint (g_unlink (system), ==, 0);
}

/* Hosts are added and removed through the rows. */
static void
test_settings_hosts (void)
{
  g_autoptr(PaddockWorkspace) ws = NULL;
  PaddockWorkspaceSettings *settings = settings_for ("hosts", &ws);
  GtkWidget *entry = find_row (GTK_WIDGET (settings), "Allow a _host");
  g_autofree char *path = paddock_workspace_dup_settings_policy_path (ws);
  g_auto(GStrv) allow = NULL;
  g_auto(GStrv) after = NULL;

  gtk_editable_set_text (GTK_EDITABLE (entry), "pypi.org");
  g_signal_emit_by_name (entry, "apply");
  g_assert_true (paddock_policy_file_get_list (path, "network", "allow", &allow, NULL));
  g_assert_cmpstrv (allow, ((const char * const[]) { "pypi.org", NULL }));
  g_assert_nonnull (find_row (GTK_WIDGET (settings), "pypi.org"));

  g_signal_emit_by_name (find_button_by_tooltip (GTK_WIDGET (settings), "Remove pypi.org"), "clicked");
  g_assert_true (paddock_policy_file_get_list (path, "network", "allow", &after, NULL));
  g_assert_cmpuint (g_strv_length (after), ==, 0);
  g_assert_null (find_row (GTK_WIDGET (settings), "pypi.org"));

  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (settings))));
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && !PADDOCK_IS_APPROVAL_DIALOG (window))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

/* The project's policy is trusted after a dialog that shows what it
 * changes, and only as it was shown: a file changed meanwhile is not. */
static void
test_settings_trust (void)
{
  g_autoptr(PaddockWorkspace) ws = NULL;
  PaddockWorkspaceSettings *settings = settings_for ("trust", &ws);
  g_autofree char *project = paddock_workspace_dup_project_policy_path (ws);
  g_autofree char *labels = NULL;
  AdwMessageDialog *dialog;

  g_free (test_write_file (paddock_workspace_get_path (ws), ".paddock/policy.json",
                           "{\"sandbox\": {\"mode\": \"read-only\"}}"));
  paddock_workspace_settings_set_workspace (settings, ws);

  /* Shown, then changed behind the person's back: not trusted. */
  g_signal_emit_by_name (find_button (GTK_WIDGET (settings), "_Review…"), "clicked");
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  labels = labels_of (GTK_WIDGET (dialog));
  g_assert_nonnull (strstr (labels, "+   sandbox.mode"));
  g_assert_nonnull (strstr (labels, "read-only"));
  g_free (test_write_file (paddock_workspace_get_path (ws), ".paddock/policy.json",
                           "{\"sandbox\": {\"mode\": \"full-access\"}}"));
  adw_message_dialog_response (dialog, "trust");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpint (paddock_workspace_get_project_policy_state (ws), ==, PADDOCK_PROJECT_POLICY_UNTRUSTED);

  /* Shown and unchanged: trusted. */
  g_signal_emit_by_name (find_button (GTK_WIDGET (settings), "_Review…"), "clicked");
  dialog = find_message_dialog ();
  adw_message_dialog_response (dialog, "trust");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpint (paddock_workspace_get_project_policy_state (ws), ==, PADDOCK_PROJECT_POLICY_TRUSTED);
  g_assert_nonnull (find_button (GTK_WIDGET (settings), "Stop _Trusting"));

  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (settings))));
}

/* --- the inspector ------------------------------------------------------ */

static void
collect_rows (GtkWidget *widget,
              GString   *out)
{
  if (ADW_IS_ACTION_ROW (widget))
    g_string_append_printf (out, "%s | %s\n", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)),
                            adw_action_row_get_subtitle (ADW_ACTION_ROW (widget)) ?: "");
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect_rows (child, out);
}

/* A value a higher layer overrides is struck through and names that
 * layer; the value in force is not. Try an Action gives the broker's
 * answer, layer by layer, with the session's grants. */
static void
test_inspector (void)
{
  g_autofree char *dir = test_make_dir ("inspected");
  g_autofree char *system = test_write_file (sysconfdir, "policy.d/10-test.json",
                                             "{\"approval\": {\"mode\": \"untrusted\"},\n"
                                             " \"commands\": [{\"match\": [\"deploy\"], \"decision\": \"prompt\","
                                             " \"reason\": \"ships it\"}]}");
  PaddockWorkspace *ws = paddock_application_add_workspace (app, dir, NULL);
  g_autofree char *own = paddock_workspace_dup_settings_policy_path (ws);
  PaddockInspector *inspector = g_object_new (PADDOCK_TYPE_INSPECTOR, NULL);
  GtkWidget *window = gtk_window_new ();
  g_autoptr(GString) rows = g_string_new (NULL);
  g_autofree char *labels = NULL;
  GtkWidget *entry;

  g_assert_true (paddock_policy_file_set_string (own, "approval", "mode", "never", NULL));
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (inspector));
  gtk_window_present (GTK_WINDOW (window));
  paddock_inspector_set_workspace (inspector, app, ws);

  collect_rows (GTK_WIDGET (inspector), rows);
  g_assert_nonnull (strstr (rows->str, "approval.mode | 'untrusted' — "));
  /* (The subtitle reads back as text: the strike is markup.) */
  g_assert_nonnull (strstr (rows->str, "approval.mode | 'never' — overridden by the system layer"));
  g_assert_nonnull (strstr (rows->str, "approval.mode | 'on-request' — overridden by the system layer"));
  g_assert_nonnull (strstr (rows->str, "ships it"));
  labels = labels_of (GTK_WIDGET (inspector));
  g_assert_nonnull (strstr (labels, "locked: neither you nor an agent can loosen it"));

  entry = find_row (GTK_WIDGET (inspector), "_Action, e.g. git push origin main");
  gtk_editable_set_text (GTK_EDITABLE (entry), "deploy --now");
  g_signal_emit_by_name (entry, "apply");
  g_free (labels);
  labels = labels_of (GTK_WIDGET (inspector));
  g_assert_nonnull (strstr (labels, "Asks a person"));
  g_assert_nonnull (strstr (labels, "Decided by the system layer, "));
  g_assert_nonnull (strstr (labels, "The system layer"));

  /* A session grant changes the answer, and revoking it changes it back. */
  {
    g_autoptr(PaddockPolicyLoader) loader = paddock_policy_loader_new ();
    g_autoptr(PaddockPolicy) policy = paddock_policy_loader_load (loader, ws, NULL);
    const char *argv[] = { "deploy", "--now", NULL };
    g_autoptr(PaddockDecision) decision = test_check_argv (policy, argv);
    PaddockGrants *grants = paddock_application_get_grants (app, ws);

    g_assert_true (paddock_grants_add_from_decision (grants, decision, 0, "tester", NULL));
    paddock_inspector_reload (inspector);
    g_free (labels);
    labels = labels_of (GTK_WIDGET (inspector));
    g_assert_nonnull (strstr (labels, "Allowed"));
    g_signal_emit_by_name (find_button (GTK_WIDGET (inspector), "_Revoke"), "clicked");
    g_assert_cmpuint (paddock_grants_get_rules (grants)->len, ==, 0);
    paddock_inspector_reload (inspector);
    g_free (labels);
    labels = labels_of (GTK_WIDGET (inspector));
    g_assert_nonnull (strstr (labels, "Asks a person"));
  }

  /* The audit log: where it is, how long it keeps, where it goes and
   * by whose word. */
  g_string_truncate (rows, 0);
  collect_rows (GTK_WIDGET (inspector), rows);
  g_assert_nonnull (strstr (rows->str, "audit.sqlite | Kept 180 days, up to 1024 MB"));
  g_assert_nonnull (strstr (rows->str, "Not sent anywhere | No OpenTelemetry endpoint is set"));
  g_setenv ("OTEL_EXPORTER_OTLP_ENDPOINT", "https://otel.example.com", TRUE);
  paddock_inspector_reload (inspector);
  g_unsetenv ("OTEL_EXPORTER_OTLP_ENDPOINT");
  /* The count comes from a worker thread. */
  do
    {
      g_main_context_iteration (NULL, TRUE);
      g_string_truncate (rows, 0);
      collect_rows (GTK_WIDGET (inspector), rows);
    }
  while (strstr (rows->str, "wait to be sent") == NULL);
  g_assert_nonnull (strstr (rows->str, "https://otel.example.com/v1/logs | Sent, as OTEL_EXPORTER_OTLP_ENDPOINT says"));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_cmpint (g_unlink (system), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config = NULL;
  g_autofree char *state = NULL;
  g_autoptr(GDBusConnection) notification_server = NULL;
  int status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  workspace = test_make_dir ("workspace");
  home = test_make_dir ("home");
  config = test_make_dir ("config");
  state = test_make_dir ("state");
  sysconfdir = test_make_dir ("etc");
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("PADDOCK_SYSCONFDIR", sysconfdir, TRUE);
  paddock_paths_init ();

  notification_server = start_notification_server ();
  app = g_object_new (PADDOCK_TYPE_APPLICATION, "application-id", "org.paddock.Paddock.Test",
                      "flags", G_APPLICATION_NON_UNIQUE, NULL);
  g_application_register (G_APPLICATION (app), NULL, NULL);

  g_test_add_func ("/ui/dialog/says-why", test_dialog_says_why);
  g_test_add_func ("/ui/dialog/location", test_dialog_location_shown);
  g_test_add_func ("/ui/dialog/offers", test_dialog_offers);
  g_test_add_func ("/ui/dialog/escapes", test_dialog_escapes);
  g_test_add_func ("/ui/dialog/answer", test_dialog_answer);
  g_test_add_func ("/ui/dialog/close-denies", test_dialog_close_denies);
  g_test_add_func ("/ui/dialog/countdown", test_dialog_countdown);
  g_test_add_func ("/ui/dialog/withdrawn", test_dialog_withdrawn);
  g_test_add_func ("/ui/dialog/queue", test_queue);
  g_test_add_func ("/ui/run/output", test_run_page);
  g_test_add_func ("/ui/run/stop", test_run_stop);
  g_test_add_func ("/ui/run/recorded", test_run_recorded);
  g_test_add_func ("/ui/activity/many", test_activity_many);
  g_test_add_func ("/ui/activity/per-workspace", test_activity_per_workspace);
  g_test_add_func ("/ui/workspaces/remove", test_remove_workspace);
  g_test_add_func ("/ui/settings/locked", test_settings_locked);
  g_test_add_func ("/ui/settings/modes", test_settings_modes);
  g_test_add_func ("/ui/settings/hosts", test_settings_hosts);
  g_test_add_func ("/ui/settings/trust", test_settings_trust);
  g_test_add_func ("/ui/inspector", test_inspector);
  /* Last: it takes the app's audit store away. */
  g_test_add_func ("/ui/audit/fail-closed", test_audit_fail_closed);

  status = g_test_run ();
  g_clear_object (&app);
  return status;
}
