/* paddock-decision.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "paddock-decision.h"

G_DEFINE_BOXED_TYPE (PaddockDecision, paddock_decision, paddock_decision_ref, paddock_decision_unref)

void
paddock_decision_part_free (PaddockDecisionPart *part)
{
  if (part == NULL)
    return;

  /* argv lives in the part's own allocation. */
  g_free (part->subject);
  g_clear_pointer (&part->decisive, paddock_rule_unref);
  g_free (part->approval_effect);
  g_free (part);
}

char *
paddock_decision_part_dup_subject (const PaddockDecisionPart *part)
{
  g_return_val_if_fail (part != NULL, NULL);

  if (part->subject != NULL)
    return g_strdup (part->subject);

  switch (part->kind)
    {
    case PADDOCK_ACTION_EXEC:
      return paddock_argv_to_display ((const char * const *) part->argv);
    case PADDOCK_ACTION_READ:
    case PADDOCK_ACTION_WRITE:
      return paddock_escape_for_display (part->argv[0]);
    case PADDOCK_ACTION_NET:
      {
        g_autofree char *host = paddock_escape_for_display (part->argv[0]);

        if (g_str_equal (part->argv[1], "0"))
          return g_steal_pointer (&host);
        if (strchr (host, ':') != NULL)
          return g_strdup_printf ("[%s]:%s", host, part->argv[1]);
        return g_strdup_printf ("%s:%s", host, part->argv[1]);
      }
    case PADDOCK_ACTION_MCP:
      {
        g_autofree char *server = paddock_escape_for_display (part->argv[0]);
        g_autofree char *tool = part->argv[1] ? paddock_escape_for_display (part->argv[1]) : NULL;

        return tool ? g_strdup_printf ("mcp %s/%s", server, tool) : g_strdup_printf ("mcp %s", server);
      }
    default:
      g_assert_not_reached ();
    }
}

void
paddock_match_free (PaddockMatch *match)
{
  if (match == NULL)
    return;

  g_clear_pointer (&match->rule, paddock_rule_unref);
  g_free (match->note);
  g_free (match);
}

PaddockDecision *
paddock_decision_new (PaddockAction *action)
{
  PaddockDecision *decision = g_new0 (PaddockDecision, 1);

  g_atomic_ref_count_init (&decision->ref_count);
  decision->action = action ? paddock_action_ref (action) : NULL;
  decision->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_decision_part_free);
  decision->matched = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_match_free);
  return decision;
}

PaddockDecision *
paddock_decision_ref (PaddockDecision *decision)
{
  g_return_val_if_fail (decision != NULL, NULL);

  g_atomic_ref_count_inc (&decision->ref_count);
  return decision;
}

void
paddock_decision_unref (PaddockDecision *decision)
{
  g_return_if_fail (decision != NULL);

  if (!g_atomic_ref_count_dec (&decision->ref_count))
    return;

  g_clear_pointer (&decision->action, paddock_action_unref);
  g_clear_pointer (&decision->decisive, paddock_rule_unref);
  g_free (decision->approval_effect);
  g_ptr_array_unref (decision->parts);
  g_ptr_array_unref (decision->matched);
  g_free (decision);
}

const char *
paddock_decision_get_layer (const PaddockDecision *decision)
{
  g_return_val_if_fail (decision != NULL, NULL);

  return paddock_layer_to_string (decision->decisive->layer);
}

static void
add_rule_members (JsonBuilder       *builder,
                  const PaddockRule *rule)
{
  g_autofree char *location = paddock_rule_dup_location (rule);

  json_builder_set_member_name (builder, "layer");
  json_builder_add_string_value (builder, paddock_layer_to_string (rule->layer));
  json_builder_set_member_name (builder, "source");
  if (rule->source != NULL)
    json_builder_add_string_value (builder, rule->source);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "line");
  if (rule->line != 0)
    json_builder_add_int_value (builder, rule->line);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "column");
  if (rule->column != 0)
    json_builder_add_int_value (builder, rule->column);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "location");
  json_builder_add_string_value (builder, location);
  json_builder_set_member_name (builder, "rule");
  json_builder_add_string_value (builder, rule->text ? rule->text : "");
  json_builder_set_member_name (builder, "reason");
  if (rule->reason != NULL)
    json_builder_add_string_value (builder, rule->reason);
  else
    json_builder_add_null_value (builder);
}

static void
add_strv (JsonBuilder        *builder,
          const char         *name,
          const char * const *strv)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; strv && strv[i]; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
}

static void
add_action (JsonBuilder         *builder,
            const PaddockAction *action)
{
  json_builder_set_member_name (builder, "action");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, paddock_action_kind_to_string (action->kind));

  switch (action->kind)
    {
    case PADDOCK_ACTION_EXEC:
      add_strv (builder, "argv", (const char * const *) action->argv);
      break;
    case PADDOCK_ACTION_READ:
    case PADDOCK_ACTION_WRITE:
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, action->path);
      break;
    case PADDOCK_ACTION_NET:
      json_builder_set_member_name (builder, "host");
      json_builder_add_string_value (builder, action->host);
      json_builder_set_member_name (builder, "port");
      json_builder_add_int_value (builder, action->port);
      break;
    case PADDOCK_ACTION_MCP:
      json_builder_set_member_name (builder, "server");
      json_builder_add_string_value (builder, action->server);
      json_builder_set_member_name (builder, "tool");
      if (action->tool)
        json_builder_add_string_value (builder, action->tool);
      else
        json_builder_add_null_value (builder);
      break;
    default:
      g_assert_not_reached ();
    }

  if (action->cwd != NULL)
    {
      json_builder_set_member_name (builder, "cwd");
      json_builder_add_string_value (builder, action->cwd);
    }
  {
    g_autofree char *display = paddock_action_to_display (action);
    json_builder_set_member_name (builder, "display");
    json_builder_add_string_value (builder, display);
  }
  json_builder_end_object (builder);
}

/* The part that decides a group: the strictest verdict, and among equals
 * the rule of the highest-authority layer, then the first. */
static const PaddockDecisionPart *
pick_decisive (GPtrArray *parts,
               guint      command)
{
  const PaddockDecisionPart *best = NULL;

  for (guint i = 0; i < parts->len; i++)
    {
      const PaddockDecisionPart *part = g_ptr_array_index (parts, i);

      if (command != G_MAXUINT && part->command != command)
        continue;
      if (best == NULL || part->verdict > best->verdict ||
          (part->verdict == best->verdict && part->decisive->layer < best->decisive->layer))
        best = part;
    }

  return best;
}

static void
add_part (JsonBuilder               *builder,
          const PaddockDecisionPart *part)
{
  g_autofree char *subject = paddock_decision_part_dup_subject (part);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, paddock_action_kind_to_string (part->kind));
  json_builder_set_member_name (builder, "subject");
  json_builder_add_string_value (builder, subject);
  json_builder_set_member_name (builder, "decision");
  json_builder_add_string_value (builder, paddock_verdict_to_string (part->verdict));
  add_rule_members (builder, part->decisive);
  if (part->approval_effect != NULL)
    {
      json_builder_set_member_name (builder, "approval_effect");
      json_builder_add_string_value (builder, part->approval_effect);
    }
  json_builder_end_object (builder);
}

JsonNode *
paddock_decision_to_json (const PaddockDecision *decision)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint n_commands = 0;

  g_return_val_if_fail (decision != NULL, NULL);

  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "decision");
  json_builder_add_string_value (builder, paddock_verdict_to_string (decision->verdict));
  add_rule_members (builder, decision->decisive);

  json_builder_set_member_name (builder, "approval");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "mode");
  json_builder_add_string_value (builder, paddock_approval_mode_to_string (decision->approval_mode));
  json_builder_set_member_name (builder, "effect");
  if (decision->approval_effect != NULL)
    json_builder_add_string_value (builder, decision->approval_effect);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "reviewer");
  if (decision->verdict != PADDOCK_VERDICT_PROMPT)
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, decision->review ? "auto" : "human");

  json_builder_set_member_name (builder, "grant");
  json_builder_add_string_value (builder, decision->decisive->grant_once ? "once" : "session");

  if (decision->action != NULL)
    add_action (builder, decision->action);

  json_builder_set_member_name (builder, "matched");
  json_builder_begin_array (builder);
  for (guint i = 0; i < decision->matched->len; i++)
    {
      const PaddockMatch *match = g_ptr_array_index (decision->matched, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "decision");
      json_builder_add_string_value (builder, paddock_verdict_to_string (match->rule->verdict));
      add_rule_members (builder, match->rule);
      json_builder_set_member_name (builder, "command");
      json_builder_add_int_value (builder, ((PaddockDecisionPart *) g_ptr_array_index (decision->parts, match->part))->command);
      json_builder_set_member_name (builder, "applied");
      json_builder_add_boolean_value (builder, match->applied);
      if (match->note != NULL)
        {
          json_builder_set_member_name (builder, "note");
          json_builder_add_string_value (builder, match->note);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  for (guint i = 0; i < decision->parts->len; i++)
    n_commands = MAX (n_commands, ((PaddockDecisionPart *) g_ptr_array_index (decision->parts, i))->command + 1);

  json_builder_set_member_name (builder, "commands");
  json_builder_begin_array (builder);
  for (guint c = 0; c < n_commands; c++)
    {
      const PaddockDecisionPart *best = pick_decisive (decision->parts, c);
      const PaddockDecisionPart *head = NULL;
      g_autofree char *display = NULL;

      if (best == NULL)
        continue;

      /* The command's own argv is its first EXEC part. */
      for (guint i = 0; i < decision->parts->len && head == NULL; i++)
        {
          const PaddockDecisionPart *part = g_ptr_array_index (decision->parts, i);
          if (part->command == c && part->kind == PADDOCK_ACTION_EXEC && part->argv != NULL)
            head = part;
        }

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "index");
      json_builder_add_int_value (builder, c);
      add_strv (builder, "argv", head ? (const char * const *) head->argv : NULL);
      json_builder_set_member_name (builder, "display");
      display = head ? paddock_decision_part_dup_subject (head) : g_strdup ("");
      json_builder_add_string_value (builder, display);
      json_builder_set_member_name (builder, "decision");
      json_builder_add_string_value (builder, paddock_verdict_to_string (best->verdict));
      add_rule_members (builder, best->decisive);
      json_builder_set_member_name (builder, "checks");
      json_builder_begin_array (builder);
      for (guint i = 0; i < decision->parts->len; i++)
        {
          const PaddockDecisionPart *part = g_ptr_array_index (decision->parts, i);
          if (part->command == c)
            add_part (builder, part);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static const char *
verdict_label (PaddockVerdict verdict)
{
  switch (verdict)
    {
    case PADDOCK_VERDICT_ALLOW:
      return _("ALLOW");
    case PADDOCK_VERDICT_PROMPT:
      return _("ASK");
    case PADDOCK_VERDICT_FORBIDDEN:
      return _("FORBIDDEN");
    default:
      g_assert_not_reached ();
    }
}

/* "LAYER layer, SOURCE:LINE:COL" after @prefix, then the rule and its
 * reason indented by @indent. */
static void
append_rule_lines (GString           *out,
                   const char        *prefix,
                   const char        *indent,
                   const PaddockRule *rule)
{
  g_autofree char *location = paddock_rule_dup_location (rule);
  g_autofree char *text = paddock_rule_dup_display_text (rule);

  g_string_append_printf (out, "%s%s layer, %s\n", prefix, paddock_layer_to_string (rule->layer), location);
  if (*text != '\0')
    g_string_append_printf (out, _("%srule:   %s\n"), indent, text);
  if (rule->reason != NULL)
    {
      g_autofree char *reason = paddock_escape_for_display (rule->reason);
      g_string_append_printf (out, _("%sreason: %s\n"), indent, reason);
    }
}

char *
paddock_decision_to_text (const PaddockDecision *decision)
{
  GString *out = g_string_new (NULL);
  g_autofree char *subject = NULL;

  g_return_val_if_fail (decision != NULL, NULL);

  subject = decision->action ? paddock_action_to_display (decision->action) : g_strdup ("");
  g_string_append_printf (out, "%s  %s\n", verdict_label (decision->verdict), subject);
  append_rule_lines (out, _("Decided by the "), "  ", decision->decisive);

  if (decision->approval_effect != NULL)
    g_string_append_printf (out, _("Approval mode %s: %s\n"),
                            paddock_approval_mode_to_string (decision->approval_mode),
                            decision->approval_effect);
  if (decision->verdict == PADDOCK_VERDICT_PROMPT)
    g_string_append (out, decision->review
                     ? _("The automated reviewer is asked first.\n")
                     : _("A person is asked.\n"));

  if (decision->parts->len > 1)
    {
      g_string_append (out, _("\nEach part:\n"));
      for (guint i = 0; i < decision->parts->len; i++)
        {
          const PaddockDecisionPart *part = g_ptr_array_index (decision->parts, i);
          g_autofree char *location = paddock_rule_dup_location (part->decisive);
          g_autofree char *part_subject = paddock_decision_part_dup_subject (part);

          g_string_append_printf (out, "  %-9s %s  (%s, %s)\n", verdict_label (part->verdict),
                                  part_subject, paddock_layer_to_string (part->decisive->layer), location);
        }
    }

  if (decision->matched->len > 0)
    {
      g_string_append (out, _("\nRules that matched:\n"));
      for (guint i = 0; i < decision->matched->len; i++)
        {
          const PaddockMatch *match = g_ptr_array_index (decision->matched, i);

          g_autofree char *prefix = g_strdup_printf ("  %-9s ", verdict_label (match->rule->verdict));

          append_rule_lines (out, prefix, "            ", match->rule);
          if (match->note != NULL)
            g_string_append_printf (out, "            (%s)\n", match->note);
        }
    }
  else
    g_string_append (out, _("\nNo rule matched.\n"));

  return g_string_free (out, FALSE);
}
