/* paddock-approval-request.c
 *
 * Everything that asks a person asks the same way: it makes a request
 * and waits for ::answered; whoever can ask a person (the terminal, the
 * app's dialog) is handed the request and answers it. An answer the
 * request does not offer becomes deny.
 *
 * A request travels to the app as a{sv} holding the action and the
 * deciding rule as they are: the app escapes what it shows itself, so a
 * sender cannot smuggle control characters into the dialog.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "paddock-approval-request.h"
#include "paddock-errors.h"

struct _PaddockApprovalRequest
{
  GObject parent_instance;

  PaddockDecision *decision;   /* NULL when it came from another process */
  PaddockAction *action;
  PaddockLayer layer;
  char *location;
  char *rule;
  char *reason;
  char *approval_effect;
  char *trace;
  guint offers;                /* 1 << PaddockAnswer */
  char *workspace;
  char *client;
  gboolean process_checked;    /* the receiver asked the bus who sent it */
  guint32 process_pid;         /* 0: the bus did not say */
  char *process_name;
  guint timeout;

  gboolean answered;
  PaddockAnswer answer;
  char *who;
};

G_DEFINE_FINAL_TYPE (PaddockApprovalRequest, paddock_approval_request, G_TYPE_OBJECT)

enum {
  ANSWERED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const answer_names[] = { "deny", "once", "session", "always" };

const char *
paddock_answer_to_string (PaddockAnswer answer)
{
  return (guint) answer < G_N_ELEMENTS (answer_names) ? answer_names[answer] : "deny";
}

gboolean
paddock_answer_from_string (const char    *str,
                            PaddockAnswer *answer)
{
  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (answer_names); i++)
    if (g_str_equal (str, answer_names[i]))
      {
        *answer = (PaddockAnswer) i;
        return TRUE;
      }
  return FALSE;
}

static void
paddock_approval_request_finalize (GObject *object)
{
  PaddockApprovalRequest *self = PADDOCK_APPROVAL_REQUEST (object);

  g_clear_pointer (&self->decision, paddock_decision_unref);
  g_clear_pointer (&self->action, paddock_action_unref);
  g_free (self->location);
  g_free (self->rule);
  g_free (self->reason);
  g_free (self->approval_effect);
  g_free (self->trace);
  g_free (self->workspace);
  g_free (self->client);
  g_free (self->process_name);
  g_free (self->who);

  G_OBJECT_CLASS (paddock_approval_request_parent_class)->finalize (object);
}

static void
paddock_approval_request_class_init (PaddockApprovalRequestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = paddock_approval_request_finalize;

  signals[ANSWERED] = g_signal_new ("answered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
paddock_approval_request_init (PaddockApprovalRequest *self)
{
  self->offers = 1 << PADDOCK_ANSWER_DENY | 1 << PADDOCK_ANSWER_ONCE;
}

PaddockApprovalRequest *
paddock_approval_request_new (PaddockDecision *decision,
                              gboolean         always_possible)
{
  PaddockApprovalRequest *self;
  const PaddockRule *rule;

  g_return_val_if_fail (decision != NULL, NULL);

  rule = decision->decisive;
  self = g_object_new (PADDOCK_TYPE_APPROVAL_REQUEST, NULL);
  self->decision = paddock_decision_ref (decision);
  self->action = paddock_action_ref (decision->action);
  self->layer = rule->layer;
  self->location = paddock_rule_dup_location (rule);
  self->rule = g_strdup (rule->text ? rule->text : "");
  self->reason = g_strdup (rule->reason);
  self->approval_effect = g_strdup (decision->approval_effect);
  self->trace = paddock_decision_to_text (decision);
  if (!rule->grant_once)
    {
      self->offers |= 1 << PADDOCK_ANSWER_SESSION;
      if (always_possible)
        self->offers |= 1 << PADDOCK_ANSWER_ALWAYS;
    }
  return self;
}

/* --- the wire form ---------------------------------------------------- */

static void
add_bytes (GVariantBuilder *builder,
           const char      *key,
           const char      *value)
{
  if (value != NULL)
    g_variant_builder_add (builder, "{sv}", key, g_variant_new_bytestring (value));
}

GVariant *
paddock_approval_request_to_variant (PaddockApprovalRequest *self)
{
  GVariantBuilder builder;
  GVariantBuilder offers;
  PaddockAction *action;

  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), NULL);

  action = self->action;
  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "kind",
                         g_variant_new_string (paddock_action_kind_to_string (action->kind)));
  if (action->argv != NULL)
    g_variant_builder_add (&builder, "{sv}", "argv",
                           g_variant_new_bytestring_array ((const char * const *) action->argv, -1));
  add_bytes (&builder, "cwd", action->cwd);
  add_bytes (&builder, "path", action->path);
  add_bytes (&builder, "host", action->host);
  if (action->kind == PADDOCK_ACTION_NET)
    g_variant_builder_add (&builder, "{sv}", "port", g_variant_new_uint16 (action->port));
  add_bytes (&builder, "protocol", action->protocol);
  add_bytes (&builder, "server", action->server);
  add_bytes (&builder, "tool", action->tool);

  g_variant_builder_add (&builder, "{sv}", "layer", g_variant_new_string (paddock_layer_to_string (self->layer)));
  add_bytes (&builder, "location", self->location);
  add_bytes (&builder, "rule", self->rule);
  add_bytes (&builder, "reason", self->reason);
  add_bytes (&builder, "approval-effect", self->approval_effect);
  add_bytes (&builder, "trace", self->trace);
  add_bytes (&builder, "workspace", self->workspace);
  add_bytes (&builder, "client", self->client);
  g_variant_builder_add (&builder, "{sv}", "timeout", g_variant_new_uint32 (self->timeout));

  g_variant_builder_init (&offers, G_VARIANT_TYPE_STRING_ARRAY);
  for (guint i = 0; i < G_N_ELEMENTS (answer_names); i++)
    if (self->offers & (1u << i))
      g_variant_builder_add (&offers, "s", answer_names[i]);
  g_variant_builder_add (&builder, "{sv}", "offers", g_variant_builder_end (&offers));

  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

typedef struct
{
  const char *key;
  const char *type;
  gboolean required;
} WireKey;

static const WireKey wire_keys[] = {
  { "kind", "s", TRUE },
  { "argv", "aay", FALSE },
  { "cwd", "ay", FALSE },
  { "path", "ay", FALSE },
  { "host", "ay", FALSE },
  { "port", "q", FALSE },
  { "protocol", "ay", FALSE },
  { "server", "ay", FALSE },
  { "tool", "ay", FALSE },
  { "layer", "s", TRUE },
  { "location", "ay", TRUE },
  { "rule", "ay", TRUE },
  { "reason", "ay", FALSE },
  { "approval-effect", "ay", FALSE },
  { "trace", "ay", FALSE },
  { "workspace", "ay", FALSE },
  { "client", "ay", FALSE },
  { "timeout", "u", FALSE },
  { "offers", "as", TRUE },
};

static char *
lookup_bytes (GVariantDict *dict,
              const char   *key)
{
  g_autoptr(GVariant) value = g_variant_dict_lookup_value (dict, key, G_VARIANT_TYPE_BYTESTRING);

  /* A bytestring is NUL-terminated by convention only. */
  if (value == NULL)
    return NULL;
  return g_strndup (g_variant_get_data (value) ? g_variant_get_data (value) : "", g_variant_get_size (value));
}

#define wire_error(error, ...) \
  paddock_fail (error, PADDOCK_BROKER_ERROR, PADDOCK_BROKER_ERROR_INVALID, __VA_ARGS__)

static gboolean
check_keys (GVariant  *variant,
            GError   **error)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_iter_init (&iter, variant);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    {
      guint i;

      for (i = 0; i < G_N_ELEMENTS (wire_keys); i++)
        if (g_str_equal (key, wire_keys[i].key))
          break;
      if (i == G_N_ELEMENTS (wire_keys))
        {
          wire_error (error, "approval request: unknown key “%s”", key);
          g_variant_unref (value);
          return FALSE;
        }
      if (!g_variant_is_of_type (value, G_VARIANT_TYPE (wire_keys[i].type)))
        {
          wire_error (error, "approval request: “%s” is of type %s; accepted: %s",
                      key, g_variant_get_type_string (value), wire_keys[i].type);
          g_variant_unref (value);
          return FALSE;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (wire_keys); i++)
    if (wire_keys[i].required && !g_variant_lookup (variant, wire_keys[i].key, "*", NULL))
      return wire_error (error, "approval request: “%s” is missing", wire_keys[i].key);
  return TRUE;
}

static PaddockAction *
action_from_dict (GVariantDict  *dict,
                  GError       **error)
{
  const char *kind = NULL;
  g_autofree char *cwd = lookup_bytes (dict, "cwd");
  g_autofree char *path = lookup_bytes (dict, "path");
  g_autofree char *host = lookup_bytes (dict, "host");
  g_autofree char *protocol = lookup_bytes (dict, "protocol");
  g_autofree char *server = lookup_bytes (dict, "server");
  g_autofree char *tool = lookup_bytes (dict, "tool");
  guint16 port = 0;

  g_variant_dict_lookup (dict, "kind", "&s", &kind);
  g_variant_dict_lookup (dict, "port", "q", &port);

  if (g_str_equal (kind, "exec"))
    {
      g_autofree const char **argv = NULL;

      if (!g_variant_dict_lookup (dict, "argv", "^a&ay", &argv) || argv[0] == NULL)
        {
          wire_error (error, "approval request: a command needs a non-empty “argv”");
          return NULL;
        }
      return paddock_action_new_exec (argv, cwd ? cwd : "/");
    }
  if (g_str_equal (kind, "read") || g_str_equal (kind, "write"))
    {
      if (path == NULL)
        {
          wire_error (error, "approval request: a %s needs a “path”", kind);
          return NULL;
        }
      return paddock_action_new_path (g_str_equal (kind, "read") ? PADDOCK_ACTION_READ : PADDOCK_ACTION_WRITE,
                                      path, cwd ? cwd : "/");
    }
  if (g_str_equal (kind, "net"))
    {
      if (host == NULL)
        {
          wire_error (error, "approval request: a network request needs a “host”");
          return NULL;
        }
      return paddock_action_new_net (host, port, protocol);
    }
  if (g_str_equal (kind, "mcp"))
    {
      if (server == NULL)
        {
          wire_error (error, "approval request: an MCP call needs a “server”");
          return NULL;
        }
      return paddock_action_new_mcp (server, tool);
    }

  wire_error (error, "approval request: “%s” is not a kind of action; accepted: exec, read, write, net, mcp", kind);
  return NULL;
}

PaddockApprovalRequest *
paddock_approval_request_new_from_variant (GVariant  *variant,
                                           GError   **error)
{
  g_autoptr(PaddockApprovalRequest) self = NULL;
  g_autoptr(GVariantDict) dict = NULL;
  g_autofree const char **offers = NULL;
  const char *layer = NULL;
  guint i;

  g_return_val_if_fail (variant != NULL, NULL);

  if (!g_variant_is_of_type (variant, G_VARIANT_TYPE_VARDICT))
    {
      wire_error (error, "approval request: expected a{sv}, not %s", g_variant_get_type_string (variant));
      return NULL;
    }
  if (!check_keys (variant, error))
    return NULL;

  dict = g_variant_dict_new (variant);
  self = g_object_new (PADDOCK_TYPE_APPROVAL_REQUEST, NULL);
  self->action = action_from_dict (dict, error);
  if (self->action == NULL)
    return NULL;

  g_variant_dict_lookup (dict, "layer", "&s", &layer);
  for (i = 0; i < PADDOCK_N_LAYERS; i++)
    if (g_str_equal (layer, paddock_layer_to_string ((PaddockLayer) i)))
      break;
  if (i == PADDOCK_N_LAYERS)
    {
      wire_error (error, "approval request: “%s” is not a layer", layer);
      return NULL;
    }
  self->layer = (PaddockLayer) i;

  self->location = lookup_bytes (dict, "location");
  self->rule = lookup_bytes (dict, "rule");
  self->reason = lookup_bytes (dict, "reason");
  self->approval_effect = lookup_bytes (dict, "approval-effect");
  self->trace = lookup_bytes (dict, "trace");
  self->workspace = lookup_bytes (dict, "workspace");
  self->client = lookup_bytes (dict, "client");
  g_variant_dict_lookup (dict, "timeout", "u", &self->timeout);

  g_variant_dict_lookup (dict, "offers", "^a&s", &offers);
  self->offers = 0;
  for (i = 0; offers[i] != NULL; i++)
    {
      PaddockAnswer answer;

      if (!paddock_answer_from_string (offers[i], &answer))
        {
          wire_error (error, "approval request: “%s” is not an answer; accepted: deny, once, session, always",
                      offers[i]);
          return NULL;
        }
      self->offers |= 1 << answer;
    }
  /* Deny is always an answer, whatever the sender says. */
  self->offers |= 1 << PADDOCK_ANSWER_DENY;

  return g_steal_pointer (&self);
}

/* --- what people read --------------------------------------------------- */

PaddockDecision *
paddock_approval_request_get_decision (PaddockApprovalRequest *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), NULL);

  return self->decision;
}

PaddockAction *
paddock_approval_request_get_action (PaddockApprovalRequest *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), NULL);

  return self->action;
}

void
paddock_approval_request_set_asker (PaddockApprovalRequest *self,
                                    const char             *workspace,
                                    const char             *client)
{
  g_return_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self));

  g_free (self->workspace);
  self->workspace = g_strdup (workspace);
  g_free (self->client);
  self->client = g_strdup (client);
}

static char *
escaped_or_null (const char *text)
{
  return text != NULL ? paddock_escape_for_display (text) : NULL;
}

char *
paddock_approval_request_dup_workspace (PaddockApprovalRequest *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), NULL);
  return escaped_or_null (self->workspace);
}

void
paddock_approval_request_set_process (PaddockApprovalRequest *self,
                                      guint32                 pid,
                                      const char             *name)
{
  g_return_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self));

  self->process_checked = TRUE;
  self->process_pid = pid;
  g_free (self->process_name);
  self->process_name = g_strdup (name);
}

char *
paddock_approval_request_dup_client (PaddockApprovalRequest *self)
{
  g_autofree char *claimed = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), NULL);

  if (!self->process_checked)
    return escaped_or_null (self->client);
  claimed = self->client ? paddock_escape_for_display (self->client) : g_strdup ("unnamed");
  if (self->process_pid == 0)
    return g_strdup_printf ("%s (the sending process is unknown)", claimed);
  name = paddock_escape_for_display (self->process_name ? self->process_name : "?");
  return g_strdup_printf ("%s (process %u, %s)", claimed, self->process_pid, name);
}

char *
paddock_approval_request_dup_subject (PaddockApprovalRequest *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), NULL);
  return paddock_action_to_display (self->action);
}

char *
paddock_approval_request_dup_cwd (PaddockApprovalRequest *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), NULL);
  return self->action->kind == PADDOCK_ACTION_EXEC ? escaped_or_null (self->action->cwd) : NULL;
}

const char *
paddock_approval_request_get_layer (PaddockApprovalRequest *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), NULL);
  return paddock_layer_to_string (self->layer);
}

char *
paddock_approval_request_dup_location (PaddockApprovalRequest *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), NULL);
  return paddock_escape_for_display (self->location);
}

char *
paddock_approval_request_dup_rule (PaddockApprovalRequest *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), NULL);
  return paddock_escape_as_one_line (self->rule);
}

char *
paddock_approval_request_dup_reason (PaddockApprovalRequest *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), NULL);
  return escaped_or_null (self->reason);
}

char *
paddock_approval_request_dup_approval_effect (PaddockApprovalRequest *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), NULL);
  return escaped_or_null (self->approval_effect);
}

char *
paddock_approval_request_dup_trace (PaddockApprovalRequest *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), NULL);

  return paddock_escape_keeping_lines (self->trace ? self->trace : "");
}

void
paddock_approval_request_set_timeout (PaddockApprovalRequest *self,
                                      guint                   seconds)
{
  g_return_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self));
  self->timeout = seconds;
}

guint
paddock_approval_request_get_timeout (PaddockApprovalRequest *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), 0);
  return self->timeout;
}

/* --- the answer ----------------------------------------------------------- */

gboolean
paddock_approval_request_offers (PaddockApprovalRequest *self,
                                 PaddockAnswer           answer)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), FALSE);

  return (guint) answer < G_N_ELEMENTS (answer_names) && (self->offers & (1u << answer)) != 0;
}

void
paddock_approval_request_answer (PaddockApprovalRequest *self,
                                 PaddockAnswer           answer,
                                 const char             *who)
{
  g_return_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self));

  if (self->answered)
    return;

  self->answered = TRUE;
  self->answer = paddock_approval_request_offers (self, answer) ? answer : PADDOCK_ANSWER_DENY;
  self->who = g_strdup (who ? who : "nobody");
  g_signal_emit (self, signals[ANSWERED], 0);
}

void
paddock_approval_request_pass_on (PaddockApprovalRequest *self,
                                  gpointer                instance,
                                  guint                   signal_id)
{
  g_return_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self));

  if (g_signal_has_handler_pending (instance, signal_id, 0, FALSE))
    g_signal_emit (instance, signal_id, 0, self);
  else
    paddock_approval_request_answer (self, PADDOCK_ANSWER_DENY, "nobody");
}

gboolean
paddock_approval_request_is_answered (PaddockApprovalRequest *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), FALSE);

  return self->answered;
}

PaddockAnswer
paddock_approval_request_get_answer (PaddockApprovalRequest *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), PADDOCK_ANSWER_DENY);

  return self->answered ? self->answer : PADDOCK_ANSWER_DENY;
}

const char *
paddock_approval_request_get_who (PaddockApprovalRequest *self)
{
  g_return_val_if_fail (PADDOCK_IS_APPROVAL_REQUEST (self), NULL);

  return self->who;
}
