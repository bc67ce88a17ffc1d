/* test-approval-request.c: a request as it travels to the app, and the
 * broker client against a real (private) session bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "paddock-broker-client.h"
#include "paddock-dbus-broker.h"
#include "paddock-errors.h"
#include "test-util.h"

static char *workspace;
static char *home;

static const char *policy_json =
  "{\"commands\": [{\"match\": [\"git\", \"push\"], \"decision\": \"prompt\",\n"
  "                 \"reason\": \"pushing publishes\\u001b[2Jwork\"},\n"
  "                {\"match\": [\"deploy\"], \"decision\": \"prompt\", \"grant\": \"once\"}]}";

static PaddockApprovalRequest *
request_for (const char * const *argv)
{
  g_autoptr(PaddockPolicy) policy = test_policy_new (workspace, home, PADDOCK_LAYER_USER, policy_json, -1);
  g_autoptr(PaddockDecision) decision = test_check_argv (policy, argv);

  g_assert_cmpint (decision->verdict, ==, PADDOCK_VERDICT_PROMPT);
  return paddock_approval_request_new (decision, FALSE);
}

static PaddockApprovalRequest *
round_trip (PaddockApprovalRequest *request)
{
  g_autoptr(GVariant) variant = paddock_approval_request_to_variant (request);
  g_autoptr(GError) error = NULL;
  PaddockApprovalRequest *copy = paddock_approval_request_new_from_variant (variant, &error);

  g_assert_no_error (error);
  g_assert_nonnull (copy);
  return copy;
}

/* What the app shows is what the sender's decision said, escaped by the
 * app: a bidi override in the command and an escape sequence in the
 * reason arrive as visible text. */
static void
test_round_trip (void)
{
  const char *argv[] = { "git", "push", "origin", "main\u202e\x01", NULL };
  g_autoptr(PaddockApprovalRequest) request = request_for (argv);
  g_autoptr(PaddockApprovalRequest) copy = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *location = NULL;
  g_autofree char *rule = NULL;
  g_autofree char *workspace_shown = NULL;
  g_autofree char *client = NULL;
  g_autofree char *trace = NULL;

  paddock_approval_request_set_asker (request, "/home/me/proj\n", "paddockctl run");
  paddock_approval_request_set_timeout (request, 42);
  copy = round_trip (request);

  g_assert_null (paddock_approval_request_get_decision (copy));
  subject = paddock_approval_request_dup_subject (copy);
  g_assert_cmpstr (subject, ==, "git push origin 'main\\u202e\\x01'");
  reason = paddock_approval_request_dup_reason (copy);
  g_assert_cmpstr (reason, ==, "pushing publishes\\e[2Jwork");
  g_assert_cmpstr (paddock_approval_request_get_layer (copy), ==, "user");
  location = paddock_approval_request_dup_location (copy);
  g_assert_true (g_str_has_suffix (location, "user.json:1:15"));
  rule = paddock_approval_request_dup_rule (copy);
  g_assert_nonnull (strstr (rule, "\"match\": [\"git\", \"push\"]"));
  g_assert_null (strchr (rule, '\n'));
  workspace_shown = paddock_approval_request_dup_workspace (copy);
  g_assert_cmpstr (workspace_shown, ==, "/home/me/proj\\n");
  client = paddock_approval_request_dup_client (copy);
  g_assert_cmpstr (client, ==, "paddockctl run");
  g_assert_cmpuint (paddock_approval_request_get_timeout (copy), ==, 42);
  trace = paddock_approval_request_dup_trace (copy);
  g_assert_nonnull (strstr (trace, "Decided by the user layer"));
  g_assert_nonnull (strchr (trace, '\n'));
  g_assert_null (strchr (trace, '\x1b'));

  g_assert_true (paddock_approval_request_offers (copy, PADDOCK_ANSWER_DENY));
  g_assert_true (paddock_approval_request_offers (copy, PADDOCK_ANSWER_ONCE));
  g_assert_true (paddock_approval_request_offers (copy, PADDOCK_ANSWER_SESSION));
  g_assert_false (paddock_approval_request_offers (copy, PADDOCK_ANSWER_ALWAYS));
}

/* Beside the name a sender gives itself, the receiver shows the process
 * the bus says sent it, escaped like the rest. */
static void
test_process (void)
{
  const char *argv[] = { "git", "push", NULL };
  g_autoptr(PaddockApprovalRequest) request = request_for (argv);
  g_autoptr(PaddockApprovalRequest) copy = NULL;
  g_autofree char *named = NULL;
  g_autofree char *checked = NULL;
  g_autofree char *unknown = NULL;

  paddock_approval_request_set_asker (request, "/w", "paddockctl run");
  copy = round_trip (request);
  named = paddock_approval_request_dup_client (copy);
  g_assert_cmpstr (named, ==, "paddockctl run");
  paddock_approval_request_set_process (copy, 1234, "paddock\x1b" "ctl");
  checked = paddock_approval_request_dup_client (copy);
  g_assert_cmpstr (checked, ==, "paddockctl run (process 1234, paddock\\ectl)");
  paddock_approval_request_set_process (copy, 0, NULL);
  unknown = paddock_approval_request_dup_client (copy);
  g_assert_cmpstr (unknown, ==, "paddockctl run (the sending process is unknown)");
}

/* "grant": "once" travels too: the app cannot offer the session. */
static void
test_grant_once (void)
{
  const char *argv[] = { "deploy", NULL };
  g_autoptr(PaddockApprovalRequest) request = request_for (argv);
  g_autoptr(PaddockApprovalRequest) copy = round_trip (request);

  g_assert_false (paddock_approval_request_offers (copy, PADDOCK_ANSWER_SESSION));
  paddock_approval_request_answer (copy, PADDOCK_ANSWER_SESSION, "me");
  g_assert_cmpint (paddock_approval_request_get_answer (copy), ==, PADDOCK_ANSWER_DENY);
  g_assert_cmpstr (paddock_approval_request_get_who (copy), ==, "me");
}

static GVariant *
edited (PaddockApprovalRequest *request,
        const char             *key,
        GVariant               *value)
{
  g_autoptr(GVariant) variant = paddock_approval_request_to_variant (request);
  g_autoptr(GVariantDict) dict = g_variant_dict_new (variant);

  if (value != NULL)
    g_variant_dict_insert_value (dict, key, value);
  else
    g_variant_dict_remove (dict, key);
  return g_variant_ref_sink (g_variant_dict_end (dict));
}

/* A request that cannot be shown exactly as sent is refused and the
 * error names what is wrong; the unedited request is the control. */
static void
test_invalid (void)
{
  const char *argv[] = { "git", "push", NULL };
  g_autoptr(PaddockApprovalRequest) request = request_for (argv);
  static const char * const no_argv[] = { NULL };
  struct
  {
    const char *key;
    GVariant *value;
    const char *message;
  } cases[] = {
    { "colour", g_variant_new_string ("red"), "unknown key “colour”" },
    { "layer", g_variant_new_string ("god"), "“god” is not a layer" },
    { "layer", g_variant_new_uint32 (1), "“layer” is of type u" },
    { "rule", NULL, "“rule” is missing" },
    { "kind", g_variant_new_string ("teleport"), "not a kind of action" },
    { "argv", g_variant_new_bytestring_array (no_argv, -1), "non-empty “argv”" },
    { "offers", g_variant_new_strv ((const char * const[]) { "forever", NULL }, -1), "“forever” is not an answer" },
  };
  g_autoptr(GVariant) control = paddock_approval_request_to_variant (request);
  g_autoptr(PaddockApprovalRequest) ok = paddock_approval_request_new_from_variant (control, NULL);

  g_assert_nonnull (ok);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GVariant) variant = edited (request, cases[i].key, cases[i].value);
      g_autoptr(GError) error = NULL;
      g_autoptr(PaddockApprovalRequest) copy = paddock_approval_request_new_from_variant (variant, &error);

      g_assert_null (copy);
      g_assert_error (error, PADDOCK_BROKER_ERROR, PADDOCK_BROKER_ERROR_INVALID);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %u: “%s” does not say “%s”", i, error->message, cases[i].message);
    }
}

/* Deny is always possible, even when the sender leaves it out. */
static void
test_deny_always_offered (void)
{
  const char *argv[] = { "git", "push", NULL };
  g_autoptr(PaddockApprovalRequest) request = request_for (argv);
  g_autoptr(GVariant) variant =
    edited (request, "offers", g_variant_new_strv ((const char * const[]) { "once", NULL }, -1));
  g_autoptr(PaddockApprovalRequest) copy = paddock_approval_request_new_from_variant (variant, NULL);

  g_assert_true (paddock_approval_request_offers (copy, PADDOCK_ANSWER_DENY));
  g_assert_true (paddock_approval_request_offers (copy, PADDOCK_ANSWER_ONCE));
  g_assert_false (paddock_approval_request_offers (copy, PADDOCK_ANSWER_SESSION));
}

/* --- the broker client, against a stand-in app on a private bus ------ */

typedef struct
{
  GTestDBus *bus;
  GDBusConnection *app;                 /* the stand-in app's connection */
  PaddockDBusBroker *skeleton;
  guint owner_id;
  const char *reply;                    /* "once", "invalid", or NULL: never */
  PaddockApprovalRequest *received;
  GDBusMethodInvocation *pending;
} Broker;

static gboolean
on_handle_ask (PaddockDBusBroker     *skeleton,
               GDBusMethodInvocation *invocation,
               GVariant              *request,
               Broker                *broker)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&broker->received);
  broker->received = paddock_approval_request_new_from_variant (request, &error);
  g_assert_no_error (error);
  if (broker->reply == NULL)
    broker->pending = g_object_ref (invocation);
  else if (g_str_equal (broker->reply, "invalid"))
    g_dbus_method_invocation_return_error_literal (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                                   "not shown");
  else
    paddock_dbus_broker_complete_ask (skeleton, invocation, broker->reply, "tester");
  return TRUE;
}

static void
broker_setup (Broker        *broker,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;

  broker->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (broker->bus);
  address = g_strdup (g_test_dbus_get_bus_address (broker->bus));
  broker->app = g_dbus_connection_new_for_address_sync (address,
                                                        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                        G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                        NULL, NULL, &error);
  g_assert_no_error (error);
  broker->skeleton = paddock_dbus_broker_skeleton_new ();
  g_signal_connect (broker->skeleton, "handle-ask", G_CALLBACK (on_handle_ask), broker);
}

static void
broker_own (Broker *broker)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (broker->skeleton), broker->app,
                                    PADDOCK_BROKER_OBJECT_PATH, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (broker->app, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", paddock_broker_get_bus_name (), 4),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

static void
broker_teardown (Broker        *broker,
                 gconstpointer  data)
{
  if (broker->pending != NULL)
    g_dbus_method_invocation_return_error_literal (broker->pending, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, "gone");
  g_clear_object (&broker->pending);
  g_clear_object (&broker->received);
  if (g_dbus_interface_skeleton_has_connection (G_DBUS_INTERFACE_SKELETON (broker->skeleton), broker->app))
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (broker->skeleton));
  g_clear_object (&broker->skeleton);
  g_dbus_connection_close_sync (broker->app, NULL, NULL);
  g_clear_object (&broker->app);
  g_test_dbus_down (broker->bus);
  g_clear_object (&broker->bus);
}

static void
on_asked (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
ask_sync (PaddockApprovalRequest  *request,
          GError                 **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  paddock_broker_client_ask_async (request, NULL, on_asked, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return paddock_broker_client_ask_finish (result, error);
}

/* No app on the bus: the caller is told so, to ask elsewhere. */
static void
test_client_no_app (Broker        *broker,
                    gconstpointer  data)
{
  const char *argv[] = { "git", "push", NULL };
  g_autoptr(PaddockApprovalRequest) request = request_for (argv);
  g_autoptr(GError) error = NULL;

  g_assert_false (ask_sync (request, &error));
  g_assert_error (error, PADDOCK_BROKER_ERROR, PADDOCK_BROKER_ERROR_NO_APP);
  g_assert_false (paddock_approval_request_is_answered (request));
}

/* The app's answer and who gave it come back; what the app received is
 * the request as it was sent. */
static void
test_client_answer (Broker        *broker,
                    gconstpointer  data)
{
  const char *argv[] = { "git", "push", NULL };
  g_autoptr(PaddockApprovalRequest) request = request_for (argv);
  g_autoptr(GError) error = NULL;
  g_autofree char *subject = NULL;

  broker_own (broker);
  broker->reply = "session";
  paddock_approval_request_set_asker (request, workspace, "test");
  g_assert_true (ask_sync (request, &error));
  g_assert_no_error (error);
  g_assert_cmpint (paddock_approval_request_get_answer (request), ==, PADDOCK_ANSWER_SESSION);
  g_assert_cmpstr (paddock_approval_request_get_who (request), ==, "tester");
  subject = paddock_approval_request_dup_subject (broker->received);
  g_assert_cmpstr (subject, ==, "git push");
}

/* An app that refuses the request is not a reason to ask elsewhere. */
static void
test_client_refused (Broker        *broker,
                     gconstpointer  data)
{
  const char *argv[] = { "git", "push", NULL };
  g_autoptr(PaddockApprovalRequest) request = request_for (argv);
  g_autoptr(GError) error = NULL;

  broker_own (broker);
  broker->reply = "invalid";
  g_assert_false (ask_sync (request, &error));
  g_assert_error (error, PADDOCK_BROKER_ERROR, PADDOCK_BROKER_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "not shown"));
}

static gboolean
answer_later (gpointer user_data)
{
  paddock_approval_request_answer (user_data, PADDOCK_ANSWER_DENY, "timeout");
  return G_SOURCE_REMOVE;
}

/* The asker's own timeout answers the request while the app is still
 * asking: the call ends, and the timeout's answer stands. */
static void
test_client_withdrawn (Broker        *broker,
                       gconstpointer  data)
{
  const char *argv[] = { "git", "push", NULL };
  g_autoptr(PaddockApprovalRequest) request = request_for (argv);
  g_autoptr(GError) error = NULL;

  broker_own (broker);
  broker->reply = NULL;
  g_timeout_add (200, answer_later, request);
  g_assert_true (ask_sync (request, &error));
  g_assert_no_error (error);
  g_assert_nonnull (broker->pending);
  g_assert_cmpint (paddock_approval_request_get_answer (request), ==, PADDOCK_ANSWER_DENY);
  g_assert_cmpstr (paddock_approval_request_get_who (request), ==, "timeout");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  workspace = test_make_dir ("workspace");
  home = test_make_dir ("home");

  g_test_add_func ("/approval-request/wire/round-trip", test_round_trip);
  g_test_add_func ("/approval-request/wire/grant-once", test_grant_once);
  g_test_add_func ("/approval-request/wire/process", test_process);
  g_test_add_func ("/approval-request/wire/invalid", test_invalid);
  g_test_add_func ("/approval-request/wire/deny-always-offered", test_deny_always_offered);
  g_test_add ("/approval-request/client/no-app", Broker, NULL, broker_setup, test_client_no_app, broker_teardown);
  g_test_add ("/approval-request/client/answer", Broker, NULL, broker_setup, test_client_answer, broker_teardown);
  g_test_add ("/approval-request/client/refused", Broker, NULL, broker_setup, test_client_refused, broker_teardown);
  g_test_add ("/approval-request/client/withdrawn", Broker, NULL, broker_setup, test_client_withdrawn,
              broker_teardown);

  return g_test_run ();
}
