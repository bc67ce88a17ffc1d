/* paddock-application.c
 *
 * The app owns the broker: while it runs, every front door's questions
 * come here and are answered in the same dialog, one at a time. Ask()
 * only raises a dialog; nothing on the bus can answer it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "paddock-accounts-page.h"
#include "paddock-application.h"
#include "paddock-approval-dialog.h"
#include "paddock-broker-client.h"
#include "paddock-dbus-broker.h"
#include "paddock-errors.h"
#include "paddock-policy-loader.h"
#include "paddock-telemetry.h"
#include "paddock-window.h"

struct _PaddockApplication
{
  AdwApplication parent_instance;

  GListStore *workspaces;
  GHashTable *grants;              /* workspace id → PaddockGrants */
  GListStore *events;
  PaddockAudit *audit;
  PaddockTelemetry *telemetry;
  char *audit_problem;             /* why nothing may run; NULL while the store works */
  GHashTable *sessions;            /* workspace id → PaddockAuditSession */
  GHashTable *call_subjects;       /* call.id → what its decision was about */
  GHashTable *call_outputs;        /* call.id → the output of this process's runs */
  GQueue output_order;             /* call.id, oldest first */
  gint64 last_id;                  /* of the newest event in the list */
  gboolean reading;
  gboolean first_read;
  guint refresh_id;
  guint reopen_ticks;

  PaddockDBusBroker *broker;
  GQueue waiting;                  /* PaddockApprovalRequest* */
  PaddockApprovalRequest *asking;  /* the one on screen */
};

G_DEFINE_FINAL_TYPE (PaddockApplication, paddock_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_AUDIT_PROBLEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The outputs kept for the activity list: the newest runs'; and the
 * subjects of decisions whose results have not been read yet. */
#define OUTPUTS_KEPT 64
#define SUBJECTS_KEPT 4096
/* How many events the activity list starts with, and reads at a time. */
#define EVENTS_SHOWN 500
#define EVENTS_READ 10000

static void ask_next (PaddockApplication *self);

/* --- workspaces ----------------------------------------------------------- */

GListModel *
paddock_application_get_workspaces (PaddockApplication *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPLICATION (self), NULL);
  return G_LIST_MODEL (self->workspaces);
}

static PaddockWorkspace *
find_workspace (PaddockApplication *self,
                const char         *id)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->workspaces)); i++)
    {
      g_autoptr(PaddockWorkspace) workspace = g_list_model_get_item (G_LIST_MODEL (self->workspaces), i);

      if (g_str_equal (paddock_workspace_get_id (workspace), id))
        return workspace;
    }
  return NULL;
}

PaddockWorkspace *
paddock_application_add_workspace (PaddockApplication  *self,
                                   const char          *path,
                                   GError             **error)
{
  g_autoptr(PaddockWorkspace) workspace = NULL;
  PaddockWorkspace *known;

  g_return_val_if_fail (PADDOCK_IS_APPLICATION (self), NULL);

  workspace = paddock_workspace_new_for_path (path, error);
  if (workspace == NULL)
    return NULL;
  known = find_workspace (self, paddock_workspace_get_id (workspace));
  if (known != NULL)
    return known;
  if (!paddock_workspace_save (workspace, error))
    return NULL;
  g_list_store_insert_sorted (self->workspaces, workspace, paddock_workspace_compare, NULL);
  return workspace;
}

gboolean
paddock_application_remove_workspace (PaddockApplication  *self,
                                      PaddockWorkspace    *workspace,
                                      GError             **error)
{
  guint position;

  g_return_val_if_fail (PADDOCK_IS_APPLICATION (self), FALSE);

  if (!paddock_workspace_forget (workspace, error))
    return FALSE;
  if (g_list_store_find (self->workspaces, workspace, &position))
    g_list_store_remove (self->workspaces, position);
  g_hash_table_remove (self->grants, paddock_workspace_get_id (workspace));
  return TRUE;
}

PaddockGrants *
paddock_application_get_grants (PaddockApplication *self,
                                PaddockWorkspace   *workspace)
{
  PaddockGrants *grants;

  g_return_val_if_fail (PADDOCK_IS_APPLICATION (self), NULL);

  grants = g_hash_table_lookup (self->grants, paddock_workspace_get_id (workspace));
  if (grants == NULL)
    {
      grants = paddock_grants_new ();
      g_hash_table_insert (self->grants, g_strdup (paddock_workspace_get_id (workspace)), grants);
    }
  return grants;
}

/* --- events ------------------------------------------------------------- */

GListModel *
paddock_application_get_events (PaddockApplication *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPLICATION (self), NULL);
  return G_LIST_MODEL (self->events);
}

void
paddock_application_add_event (PaddockApplication *self,
                               PaddockEvent       *event)
{
  g_return_if_fail (PADDOCK_IS_APPLICATION (self));
  g_list_store_append (self->events, event);
}

/* The store's events as the list shows them: a result takes its
 * decision's subject, and this process's output. */
static PaddockEvent *
event_for_record (PaddockApplication *self,
                  JsonObject         *record)
{
  PaddockEvent *event = paddock_event_new_from_record (record);
  const char *call_id = paddock_event_get_call_id (event);
  const char *output;

  if (call_id == NULL)
    return event;
  if (paddock_event_get_kind (event) == PADDOCK_EVENT_RESULT)
    {
      g_autofree char *key = NULL;
      g_autofree char *subject = NULL;

      /* A decision has one result: its subject is needed no more. */
      if (g_hash_table_steal_extended (self->call_subjects, call_id, (gpointer *) &key, (gpointer *) &subject))
        paddock_event_set_subject (event, subject);
      if ((output = g_hash_table_lookup (self->call_outputs, call_id)) != NULL)
        paddock_event_set_detail (event, output);
    }
  else if (paddock_event_get_kind (event) == PADDOCK_EVENT_DECISION ||
           paddock_event_get_kind (event) == PADDOCK_EVENT_APPROVAL)
    {
      /* Denials have no result to take theirs: keep the map small. */
      if (g_hash_table_size (self->call_subjects) >= SUBJECTS_KEPT)
        g_hash_table_remove_all (self->call_subjects);
      g_hash_table_insert (self->call_subjects, g_strdup (call_id), paddock_event_dup_subject (event));
    }
  return event;
}

static void
on_events_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(PaddockApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = paddock_audit_query_finish (PADDOCK_AUDIT (source), result, &error);
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);

  self->reading = FALSE;
  if (records == NULL)
    {
      /* Closed while reading: the app is going away. */
      if (!g_error_matches (error, PADDOCK_AUDIT_ERROR, PADDOCK_AUDIT_ERROR_CLOSED))
        g_warning ("The activity list cannot be read: %s", error->message);
      return;
    }
  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *record = g_ptr_array_index (records, i);
      gint64 id = json_object_get_int_member (record, "id");

      if (id <= self->last_id)
        continue;
      self->last_id = id;
      g_ptr_array_add (events, event_for_record (self, record));
    }
  g_list_store_splice (self->events, g_list_model_get_n_items (G_LIST_MODEL (self->events)), 0, events->pdata,
                       events->len);
  /* A burst from elsewhere is read a slice at a time, without a pause. */
  if (records->len == EVENTS_READ && !self->first_read)
    paddock_application_refresh_events (self);
  self->first_read = FALSE;
}

void
paddock_application_refresh_events (PaddockApplication *self)
{
  PaddockAuditFilter filter = { 0 };

  g_return_if_fail (PADDOCK_IS_APPLICATION (self));

  if (self->audit == NULL || self->reading)
    return;
  self->reading = TRUE;
  filter.after_id = self->last_id;
  /* The first read shows the newest; later ones, everything new. */
  self->first_read = self->last_id == 0;
  filter.newest_first = self->first_read;
  filter.limit = self->first_read ? EVENTS_SHOWN : EVENTS_READ;
  paddock_audit_query_async (self->audit, &filter, NULL, on_events_read, g_object_ref (self));
}

static void open_audit (PaddockApplication *self);

/* Other processes (paddockctl) write to the same store; a store that
 * could not be opened is tried again now and then (the disk may have
 * room again). */
static gboolean
on_refresh (gpointer user_data)
{
  PaddockApplication *self = user_data;

  if (self->audit != NULL)
    paddock_application_refresh_events (self);
  else if (++self->reopen_ticks % 5 == 0)
    open_audit (self);
  return G_SOURCE_CONTINUE;
}

/* --- the audit store ------------------------------------------------------ */

PaddockAudit *
paddock_application_get_audit (PaddockApplication *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPLICATION (self), NULL);
  return self->audit;
}

PaddockTelemetry *
paddock_application_get_telemetry (PaddockApplication *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPLICATION (self), NULL);
  return self->telemetry;
}

const char *
paddock_application_get_audit_problem (PaddockApplication *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPLICATION (self), NULL);
  return self->audit_problem;
}

void
paddock_application_report_audit (PaddockApplication *self,
                                  const GError       *error)
{
  g_return_if_fail (PADDOCK_IS_APPLICATION (self));

  if (error == NULL)
    paddock_application_refresh_events (self);
  if (g_strcmp0 (self->audit_problem, error ? error->message : NULL) == 0)
    return;
  g_free (self->audit_problem);
  self->audit_problem = error ? g_strdup (error->message) : NULL;
  /* Said on stderr too, for whoever reads the journal. */
  if (error != NULL)
    g_message ("%s", error->message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUDIT_PROBLEM]);
}

static void
on_recorded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PaddockApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  paddock_audit_append_finish (self->audit, result, &error);
  paddock_application_report_audit (self, error);
}

PaddockAuditSession *
paddock_application_get_audit_session (PaddockApplication  *self,
                                       PaddockWorkspace    *workspace,
                                       PaddockPolicy       *policy,
                                       GError             **error)
{
  PaddockAuditSession *session;
  g_autoptr(JsonObject) attributes = NULL;

  g_return_val_if_fail (PADDOCK_IS_APPLICATION (self), NULL);

  if (self->audit == NULL)
    {
      g_set_error (error, PADDOCK_AUDIT_ERROR, PADDOCK_AUDIT_ERROR_OPEN, "%s", self->audit_problem);
      return NULL;
    }
  session = g_hash_table_lookup (self->sessions, paddock_workspace_get_id (workspace));
  if (session != NULL)
    return session;

  session = paddock_audit_session_new (self->audit, policy, workspace, "paddock");
  g_hash_table_insert (self->sessions, g_strdup (paddock_workspace_get_id (workspace)), session);
  attributes = paddock_audit_session_start_attributes (session);
  paddock_audit_session_record_async (session, "paddock.session_start", attributes, NULL, on_recorded,
                                      g_object_ref (self));
  return session;
}

void
paddock_application_keep_output (PaddockApplication *self,
                                 const char         *call_id,
                                 const char         *output)
{
  g_return_if_fail (PADDOCK_IS_APPLICATION (self));

  if (g_hash_table_contains (self->call_outputs, call_id))
    return;
  g_queue_push_tail (&self->output_order, g_strdup (call_id));
  g_hash_table_insert (self->call_outputs, g_strdup (call_id), g_strdup (output));
  while (g_queue_get_length (&self->output_order) > OUTPUTS_KEPT)
    {
      g_autofree char *oldest = g_queue_pop_head (&self->output_order);
      g_hash_table_remove (self->call_outputs, oldest);
    }
}

/* A question whose asker left: nobody else can record how it ended. */
static void
record_withdrawn (PaddockApplication     *self,
                  PaddockApprovalRequest *request)
{
  g_autofree char *path = paddock_approval_request_dup_workspace (request);
  g_autoptr(PaddockWorkspace) workspace = path ? paddock_workspace_new_for_path (path, NULL) : NULL;
  g_autoptr(PaddockPolicyLoader) loader = NULL;
  g_autoptr(PaddockPolicy) policy = NULL;
  g_autoptr(JsonObject) attributes = NULL;
  g_autofree char *call_id = g_uuid_string_random ();
  PaddockAuditSession *session;

  if (workspace == NULL || !g_str_equal (paddock_approval_request_get_who (request), "nobody"))
    return;
  loader = paddock_policy_loader_new ();
  policy = paddock_policy_loader_load (loader, workspace, NULL);
  session = policy ? paddock_application_get_audit_session (self, workspace, policy, NULL) : NULL;
  if (session == NULL)
    return;
  attributes = paddock_audit_decision_attributes (paddock_approval_request_get_decision (request), FALSE, "user",
                                                  NULL, call_id);
  json_object_set_string_member (attributes, "answered_by", "withdrawn");
  paddock_audit_session_record_async (session, "paddock.tool_decision", attributes, NULL, on_recorded,
                                      g_object_ref (self));
}

/* --- asking a person ---------------------------------------------------- */

static GtkWindow *
main_window (PaddockApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  /* Over the main window, not over another dialog. */
  while (window != NULL && gtk_window_get_transient_for (window) != NULL)
    window = gtk_window_get_transient_for (window);
  if (window == NULL)
    {
      window = GTK_WINDOW (paddock_window_new (self));
      gtk_window_present (window);
    }
  return window;
}

static void
on_dialog_answered (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(PaddockApplication) self = user_data;
  PaddockApprovalRequest *request = PADDOCK_APPROVAL_REQUEST (source);

  paddock_approval_dialog_ask_finish (result, NULL);
  /* The asker records the answer it acts on; only a question left
   * behind is recorded here. */
  record_withdrawn (self, request);
  g_clear_object (&self->asking);
  g_application_withdraw_notification (G_APPLICATION (self), "approval-waiting");
  ask_next (self);
}

static void
ask_next (PaddockApplication *self)
{
  GtkWindow *window;

  if (self->asking != NULL)
    return;
  /* Withdrawn while waiting: recorded, never shown. */
  while (!g_queue_is_empty (&self->waiting))
    {
      g_autoptr(PaddockApprovalRequest) request = g_queue_pop_head (&self->waiting);

      if (paddock_approval_request_is_answered (request))
        {
          record_withdrawn (self, request);
          continue;
        }
      self->asking = g_steal_pointer (&request);
      break;
    }
  if (self->asking == NULL)
    return;

  window = main_window (self);
  paddock_approval_dialog_ask_async (self->asking, window, NULL, on_dialog_answered, g_object_ref (self));

  /* Somebody else's window may have the focus: say that a request waits. */
  if (!gtk_window_is_active (window))
    {
      g_autoptr(GNotification) notification = g_notification_new (_("Paddock is waiting for your answer"));
      g_autofree char *subject = paddock_approval_request_dup_subject (self->asking);

      g_notification_set_body (notification, subject);
      g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_URGENT);
      g_notification_set_default_action (notification, "app.show-request");
      g_application_send_notification (G_APPLICATION (self), "approval-waiting", notification);
    }
}

void
paddock_application_ask (PaddockApplication     *self,
                         PaddockApprovalRequest *request)
{
  g_return_if_fail (PADDOCK_IS_APPLICATION (self));
  g_return_if_fail (PADDOCK_IS_APPROVAL_REQUEST (request));

  g_queue_push_tail (&self->waiting, g_object_ref (request));
  ask_next (self);
}

/* --- the broker on the session bus ------------------------------------------ */

typedef struct
{
  PaddockDBusBroker *broker;
  GDBusMethodInvocation *invocation;
  PaddockApprovalRequest *request;
  guint watch_id;
} Remote;

static void
remote_free (Remote *remote)
{
  if (remote->watch_id != 0)
    g_bus_unwatch_name (remote->watch_id);
  g_object_unref (remote->broker);
  g_clear_object (&remote->invocation);
  g_object_unref (remote->request);
  g_free (remote);
}

static void
on_remote_answered (PaddockApprovalRequest *request,
                    Remote                 *remote)
{
  g_signal_handlers_disconnect_by_func (request, on_remote_answered, remote);
  paddock_dbus_broker_complete_ask (remote->broker, g_steal_pointer (&remote->invocation),
                                    paddock_answer_to_string (paddock_approval_request_get_answer (request)),
                                    paddock_approval_request_get_who (request));
  remote_free (remote);
}

/* The asker left the bus: nobody is waiting for this answer any more. */
static void
on_asker_vanished (GDBusConnection *connection,
                   const char      *name,
                   gpointer         user_data)
{
  Remote *remote = user_data;

  paddock_approval_request_answer (remote->request, PADDOCK_ANSWER_DENY, "nobody");
}

/* The client names itself in the request; the bus says which process
 * it is, and that is what the person is shown beside the name. */
typedef struct
{
  PaddockApplication *self;
  PaddockApprovalRequest *request;
} Arriving;

static void
on_asker_pid (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Arriving *arriving = user_data;
  g_autoptr(PaddockApplication) self = arriving->self;
  g_autoptr(PaddockApprovalRequest) request = arriving->request;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, NULL);
  guint32 pid = 0;
  g_autofree char *comm = NULL;

  if (reply != NULL)
    {
      g_autofree char *comm_path = NULL;

      g_variant_get (reply, "(u)", &pid);
      comm_path = g_strdup_printf ("/proc/%u/comm", pid);
      if (g_file_get_contents (comm_path, &comm, NULL, NULL))
        g_strstrip (comm);
    }
  g_free (arriving);
  paddock_approval_request_set_process (request, pid, comm);
  paddock_application_ask (self, request);
}

static gboolean
on_handle_ask (PaddockDBusBroker     *broker,
               GDBusMethodInvocation *invocation,
               GVariant              *variant,
               PaddockApplication    *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockApprovalRequest) request = paddock_approval_request_new_from_variant (variant, &error);
  Remote *remote;
  Arriving *arriving;

  if (request == NULL)
    {
      g_dbus_method_invocation_return_error_literal (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                                     error->message);
      return TRUE;
    }

  remote = g_new0 (Remote, 1);
  remote->broker = g_object_ref (broker);
  remote->invocation = g_object_ref (invocation);
  remote->request = g_object_ref (request);
  g_signal_connect (request, "answered", G_CALLBACK (on_remote_answered), remote);
  remote->watch_id = g_bus_watch_name_on_connection (g_dbus_method_invocation_get_connection (invocation),
                                                     g_dbus_method_invocation_get_sender (invocation),
                                                     G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
                                                     on_asker_vanished, remote, NULL);
  arriving = g_new0 (Arriving, 1);
  arriving->self = g_object_ref (self);
  arriving->request = g_object_ref (request);
  g_dbus_connection_call (g_dbus_method_invocation_get_connection (invocation), "org.freedesktop.DBus",
                          "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                          g_variant_new ("(s)", g_dbus_method_invocation_get_sender (invocation)),
                          G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_asker_pid, arriving);
  return TRUE;
}

static gboolean
paddock_application_dbus_register (GApplication     *application,
                                   GDBusConnection  *connection,
                                   const char       *object_path,
                                   GError          **error)
{
  PaddockApplication *self = PADDOCK_APPLICATION (application);

  if (!G_APPLICATION_CLASS (paddock_application_parent_class)->dbus_register (application, connection,
                                                                              object_path, error))
    return FALSE;

  self->broker = paddock_dbus_broker_skeleton_new ();
  g_signal_connect (self->broker, "handle-ask", G_CALLBACK (on_handle_ask), self);
  return g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->broker), connection,
                                           PADDOCK_BROKER_OBJECT_PATH, error);
}

static void
paddock_application_dbus_unregister (GApplication    *application,
                                     GDBusConnection *connection,
                                     const char      *object_path)
{
  PaddockApplication *self = PADDOCK_APPLICATION (application);

  if (self->broker != NULL)
    {
      g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->broker));
      g_clear_object (&self->broker);
    }

  G_APPLICATION_CLASS (paddock_application_parent_class)->dbus_unregister (application, connection, object_path);
}

/* --- the application ----------------------------------------------------- */

static void
paddock_application_activate (GApplication *application)
{
  gtk_window_present (main_window (PADDOCK_APPLICATION (application)));
}

static int
paddock_application_command_line (GApplication            *application,
                                  GApplicationCommandLine *command_line)
{
  PaddockApplication *self = PADDOCK_APPLICATION (application);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  const char *path = NULL;
  GtkWindow *window;

  window = main_window (self);
  if (g_variant_dict_lookup (options, "workspace", "^&ay", &path))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (command_line, path);
      g_autofree char *absolute = g_file_get_path (file);
      PaddockWorkspace *workspace = paddock_application_add_workspace (self, absolute, &error);

      if (workspace == NULL)
        {
          g_application_command_line_printerr (command_line, "paddock: %s\n", error->message);
          return EXIT_FAILURE;
        }
      paddock_window_select_workspace (PADDOCK_WINDOW (window), workspace);
    }
  gtk_window_present (window);
  return EXIT_SUCCESS;
}

/* Without its store Paddock runs nothing: the windows say why. */
static void
open_audit (PaddockApplication *self)
{
  g_autoptr(PaddockPolicyLoader) loader = paddock_policy_loader_new ();
  g_autoptr(PaddockPolicy) policy = paddock_policy_loader_load (loader, NULL, NULL);
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(PaddockTelemetryConfig) config = paddock_telemetry_config_new (policy, (const char * const *) envp);
  g_autoptr(GError) error = NULL;

  self->audit = paddock_audit_open_for_policy (policy, config->policy_endpoint, &error);
  if (self->audit == NULL)
    {
      g_autoptr(GError) refusal = g_error_new (PADDOCK_AUDIT_ERROR, error->code,
                                               _("%s. Nothing runs until the audit log can be written."),
                                               error->message);
      paddock_application_report_audit (self, refusal);
      return;
    }
  if (config->enabled && config->endpoint != NULL)
    {
      self->telemetry = paddock_telemetry_new (self->audit, config);
      paddock_telemetry_start (self->telemetry);
    }
  paddock_application_report_audit (self, NULL);
}

static void
paddock_application_shutdown (GApplication *application)
{
  PaddockApplication *self = PADDOCK_APPLICATION (application);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  /* A short wait: what is left, the next Paddock process sends. */
  if (self->telemetry != NULL)
    {
      paddock_telemetry_flush (self->telemetry, 1000);
      paddock_telemetry_stop (self->telemetry);
    }
  g_hash_table_remove_all (self->sessions);
  if (self->audit != NULL)
    paddock_audit_close (self->audit);

  G_APPLICATION_CLASS (paddock_application_parent_class)->shutdown (application);
}

static void
paddock_application_startup (GApplication *application)
{
  PaddockApplication *self = PADDOCK_APPLICATION (application);
  g_autoptr(GPtrArray) known = NULL;
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (paddock_application_parent_class)->startup (application);

  known = paddock_workspace_list_known ();
  for (guint i = 0; i < known->len; i++)
    g_list_store_append (self->workspaces, g_ptr_array_index (known, i));

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);

  open_audit (self);
  self->refresh_id = g_timeout_add_seconds (1, on_refresh, self);
}

static void
paddock_application_dispose (GObject *object)
{
  PaddockApplication *self = PADDOCK_APPLICATION (object);

  g_queue_clear_full (&self->waiting, g_object_unref);
  g_clear_object (&self->asking);
  g_clear_object (&self->workspaces);
  g_clear_object (&self->events);
  g_clear_pointer (&self->grants, g_hash_table_unref);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_object (&self->telemetry);
  g_clear_object (&self->audit);
  g_clear_pointer (&self->audit_problem, g_free);
  g_clear_pointer (&self->call_subjects, g_hash_table_unref);
  g_clear_pointer (&self->call_outputs, g_hash_table_unref);
  g_queue_clear_full (&self->output_order, g_free);

  G_OBJECT_CLASS (paddock_application_parent_class)->dispose (object);
}

static void
paddock_application_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  PaddockApplication *self = PADDOCK_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_AUDIT_PROBLEM:
      g_value_set_string (value, self->audit_problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
paddock_application_class_init (PaddockApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = paddock_application_dispose;
  object_class->get_property = paddock_application_get_property;
  app_class->startup = paddock_application_startup;
  app_class->shutdown = paddock_application_shutdown;
  app_class->activate = paddock_application_activate;
  app_class->command_line = paddock_application_command_line;
  app_class->dbus_register = paddock_application_dbus_register;
  app_class->dbus_unregister = paddock_application_dbus_unregister;

  /* Why the audit log cannot be written, so nothing may run; NULL
   * while it works. */
  properties[PROP_AUDIT_PROBLEM] =
    g_param_spec_string ("audit-problem", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
on_about (GSimpleAction *action,
          GVariant      *parameter,
          gpointer       user_data)
{
  PaddockApplication *self = user_data;
  static const char *developers[] = { "The Paddock developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (GTK_APPLICATION (self)),
                         "application-name", _("Paddock"),
                         "application-icon", APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "comments", _("Run AI coding agents on your projects, safely"),
                         NULL);
}

static void
on_preferences (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  PaddockApplication *self = user_data;
  GtkWidget *window = adw_preferences_window_new ();

  gtk_window_set_transient_for (GTK_WINDOW (window), gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (window), ADW_PREFERENCES_PAGE (paddock_accounts_page_new ()));
  gtk_window_present (GTK_WINDOW (window));
}

static void
on_quit (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
on_show_request (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  PaddockApplication *self = user_data;

  gtk_window_present (main_window (self));
}

static void
paddock_application_init (PaddockApplication *self)
{
  static const GActionEntry actions[] = {
    { "about", on_about },
    { "preferences", on_preferences },
    { "quit", on_quit },
    { "show-request", on_show_request },
  };
  static const GOptionEntry options[] = {
    { "workspace", 'w', 0, G_OPTION_ARG_FILENAME, NULL, N_("Open this folder's workspace, adding it if needed"),
      N_("DIR") },
    { NULL }
  };

  self->workspaces = g_list_store_new (PADDOCK_TYPE_WORKSPACE);
  self->events = g_list_store_new (PADDOCK_TYPE_EVENT);
  self->grants = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->call_subjects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->call_outputs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_queue_init (&self->output_order);
  g_queue_init (&self->waiting);

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

PaddockApplication *
paddock_application_new (void)
{
  return g_object_new (PADDOCK_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/org/paddock/Paddock",
                       NULL);
}
