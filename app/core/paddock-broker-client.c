/* paddock-broker-client.c
 *
 * The front doors that are not the app ask through it when it runs, so
 * that a person answers every question in one place, with the same
 * dialog. The call is not auto-started: starting the app is the
 * person's choice, and a question nobody is there to see must fall
 * through to the terminal or to deny at once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "paddock-broker-client.h"
#include "paddock-errors.h"

typedef struct
{
  PaddockApprovalRequest *request;
  GCancellable *cancellable;   /* ours: cancelled when the request is answered here */
  gulong cancelled_id;         /* on the caller's cancellable */
  gulong answered_id;
} Ask;

static void
ask_free (Ask *ask)
{
  if (ask->answered_id != 0)
    g_signal_handler_disconnect (ask->request, ask->answered_id);
  g_object_unref (ask->request);
  g_object_unref (ask->cancellable);
  g_free (ask);
}

const char *
paddock_broker_get_bus_name (void)
{
  return APPLICATION_ID;
}

static void
on_request_answered (PaddockApprovalRequest *request,
                     gpointer                user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void
on_caller_cancelled (GCancellable *caller,
                     gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void
on_call_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Ask *ask = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *answer_text = NULL;
  const char *who = NULL;
  PaddockAnswer answer;

  if (g_task_get_cancellable (task) != NULL)
    g_cancellable_disconnect (g_task_get_cancellable (task), ask->cancelled_id);

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
          g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER))
        g_task_return_new_error (task, PADDOCK_BROKER_ERROR, PADDOCK_BROKER_ERROR_NO_APP,
                                 "Paddock is not running on this session bus");
      else if (paddock_approval_request_is_answered (ask->request))
        g_task_return_boolean (task, TRUE);
      else
        {
          g_dbus_error_strip_remote_error (error);
          g_task_return_new_error (task, PADDOCK_BROKER_ERROR, PADDOCK_BROKER_ERROR_INVALID,
                                   "the app did not take the request: %s", error->message);
        }
      return;
    }

  g_variant_get (reply, "(&s&s)", &answer_text, &who);
  if (!paddock_answer_from_string (answer_text, &answer))
    answer = PADDOCK_ANSWER_DENY;
  paddock_approval_request_answer (ask->request, answer, who);
  g_task_return_boolean (task, TRUE);
}

static void
on_bus (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Ask *ask = g_task_get_task_data (task);
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) request = NULL;

  bus = g_bus_get_finish (result, &error);
  if (bus == NULL)
    {
      g_task_return_new_error (task, PADDOCK_BROKER_ERROR, PADDOCK_BROKER_ERROR_NO_APP,
                               "no session bus: %s", error->message);
      return;
    }

  request = paddock_approval_request_to_variant (ask->request);
  g_dbus_connection_call (bus, paddock_broker_get_bus_name (), PADDOCK_BROKER_OBJECT_PATH,
                          "org.paddock.Paddock.Broker", "Ask",
                          g_variant_new ("(@a{sv})", request), G_VARIANT_TYPE ("(ss)"),
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, G_MAXINT, ask->cancellable,
                          on_call_done, g_steal_pointer (&task));
}

void
paddock_broker_client_ask_async (PaddockApprovalRequest *request,
                                 GCancellable           *cancellable,
                                 GAsyncReadyCallback     callback,
                                 gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  Ask *ask;

  g_return_if_fail (PADDOCK_IS_APPROVAL_REQUEST (request));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, paddock_broker_client_ask_async);

  ask = g_new0 (Ask, 1);
  ask->request = g_object_ref (request);
  ask->cancellable = g_cancellable_new ();
  ask->answered_id = g_signal_connect_object (request, "answered", G_CALLBACK (on_request_answered),
                                              ask->cancellable, 0);
  if (cancellable != NULL)
    ask->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled),
                                               ask->cancellable, NULL);
  g_task_set_task_data (task, ask, (GDestroyNotify) ask_free);

  g_bus_get (G_BUS_TYPE_SESSION, ask->cancellable, on_bus, g_steal_pointer (&task));
}

gboolean
paddock_broker_client_ask_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
