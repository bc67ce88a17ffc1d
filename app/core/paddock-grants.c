/* paddock-grants.c
 *
 * A grant is kept as a rule of the session layer, so the policy matches
 * it with the same code as every other rule and shows it the same way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "paddock-errors.h"
#include "paddock-grants.h"

struct _PaddockGrants
{
  GObject parent_instance;
  GPtrArray *rules;
};

G_DEFINE_FINAL_TYPE (PaddockGrants, paddock_grants, G_TYPE_OBJECT)

static void
paddock_grants_finalize (GObject *object)
{
  PaddockGrants *self = PADDOCK_GRANTS (object);

  g_clear_pointer (&self->rules, g_ptr_array_unref);

  G_OBJECT_CLASS (paddock_grants_parent_class)->finalize (object);
}

static void
paddock_grants_class_init (PaddockGrantsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = paddock_grants_finalize;
}

static void
paddock_grants_init (PaddockGrants *self)
{
  self->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_rule_unref);
}

PaddockGrants *
paddock_grants_new (void)
{
  return g_object_new (PADDOCK_TYPE_GRANTS, NULL);
}

gboolean
paddock_grants_add_from_decision (PaddockGrants          *self,
                                  const PaddockDecision  *decision,
                                  guint                   part_index,
                                  const char             *who,
                                  GError                **error)
{
  const PaddockDecisionPart *part;
  g_autoptr(PaddockRule) rule = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *when = g_date_time_format (now, "%H:%M:%S");
  g_autofree char *subject = NULL;

  g_return_val_if_fail (PADDOCK_IS_GRANTS (self), FALSE);
  g_return_val_if_fail (decision != NULL, FALSE);
  g_return_val_if_fail (part_index < decision->parts->len, FALSE);

  part = g_ptr_array_index (decision->parts, part_index);
  subject = paddock_decision_part_dup_subject (part);

  if (part->verdict != PADDOCK_VERDICT_PROMPT)
    return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_NOT_ALLOWED,
                         "only a prompt can be granted for the session; “%s” is %s",
                         subject, paddock_verdict_to_string (part->verdict));
  if (part->decisive->grant_once)
    {
      g_autofree char *location = paddock_rule_dup_location (part->decisive);
      return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_NOT_ALLOWED,
                           "the rule at %s asks every time (\"grant\": \"once\")", location);
    }

  rule = paddock_rule_new (PADDOCK_RULE_ANY, PADDOCK_LAYER_SESSION, PADDOCK_VERDICT_ALLOW);
  rule->source = g_strdup_printf ("granted by %s at %s", who ? who : "user", when);
  rule->reason = g_strdup ("allowed for this session");

  switch (part->kind)
    {
    case PADDOCK_ACTION_EXEC:
      if (part->argv[0] == NULL)
        return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_NOT_ALLOWED,
                             "“%s” is not a command and cannot be granted for the session",
                             subject);
      rule->kind = PADDOCK_RULE_COMMAND;
      for (guint i = 0; part->argv[i] != NULL; i++)
        {
          const char *words[] = { part->argv[i], NULL };
          paddock_rule_add_words (rule, words);
        }
      break;

    case PADDOCK_ACTION_READ:
    case PADDOCK_ACTION_WRITE:
      rule->kind = PADDOCK_RULE_PATH;
      rule->path = g_strdup (part->argv[0]);
      rule->access = part->kind == PADDOCK_ACTION_READ ? PADDOCK_PATH_ACCESS_READ : PADDOCK_PATH_ACCESS_WRITE;
      break;

    case PADDOCK_ACTION_NET:
      rule->kind = PADDOCK_RULE_NETWORK;
      rule->host = g_strdup (part->argv[0]);
      rule->port = (guint16) g_ascii_strtoull (part->argv[1], NULL, 10);
      break;

    case PADDOCK_ACTION_MCP:
      rule->kind = PADDOCK_RULE_MCP;
      rule->server = g_strdup (part->argv[0]);
      rule->tool = g_strdup (part->argv[1]);
      break;

    default:
      g_assert_not_reached ();
    }

  rule->text = g_strdup_printf ("session grant: %s", subject);
  g_ptr_array_add (self->rules, g_steal_pointer (&rule));
  return TRUE;
}

GPtrArray *
paddock_grants_get_rules (PaddockGrants *self)
{
  g_return_val_if_fail (PADDOCK_IS_GRANTS (self), NULL);

  return self->rules;
}
