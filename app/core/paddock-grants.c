/* paddock-grants.c
 *
 * A grant is kept as a rule of the session layer, so the policy matches
 * it with the same code as every other rule and shows it the same way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "paddock-errors.h"
#include "paddock-grants.h"
#include "paddock-host.h"

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

gboolean
paddock_grants_add_prompted (PaddockGrants          *self,
                             const PaddockDecision  *decision,
                             const char             *who,
                             GError                **error)
{
  g_autoptr(GError) first = NULL;

  g_return_val_if_fail (PADDOCK_IS_GRANTS (self), FALSE);

  for (guint i = 0; i < decision->parts->len; i++)
    {
      const PaddockDecisionPart *part = g_ptr_array_index (decision->parts, i);
      g_autoptr(GError) local_error = NULL;

      if (part->verdict == PADDOCK_VERDICT_PROMPT &&
          !paddock_grants_add_from_decision (self, decision, i, who, &local_error) && first == NULL)
        first = g_steal_pointer (&local_error);
    }
  if (first != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first));
      return FALSE;
    }
  return TRUE;
}

gboolean
paddock_grants_add_network_pattern (PaddockGrants  *self,
                                    const char     *text,
                                    const char     *who,
                                    GError        **error)
{
  g_autoptr(PaddockHostPattern) pattern = NULL;
  g_autoptr(PaddockRule) rule = NULL;

  g_return_val_if_fail (PADDOCK_IS_GRANTS (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  pattern = paddock_host_pattern_new (text, error);
  if (pattern == NULL)
    return FALSE;

  rule = paddock_rule_new (PADDOCK_RULE_NETWORK, PADDOCK_LAYER_SESSION, PADDOCK_VERDICT_ALLOW);
  rule->source = g_strdup_printf ("granted by %s", who ? who : "user");
  rule->reason = g_strdup ("allowed for this session");
  rule->host = g_strdup (paddock_host_pattern_get_text (pattern));
  rule->port = paddock_host_pattern_get_port (pattern);
  rule->host_is_pattern = TRUE;
  rule->text = g_strdup_printf ("session grant: %s", text);
  g_ptr_array_add (self->rules, g_steal_pointer (&rule));
  return TRUE;
}

GPtrArray *
paddock_grants_get_rules (PaddockGrants *self)
{
  g_return_val_if_fail (PADDOCK_IS_GRANTS (self), NULL);

  return self->rules;
}

gboolean
paddock_grants_revoke (PaddockGrants *self,
                       PaddockRule   *rule)
{
  g_return_val_if_fail (PADDOCK_IS_GRANTS (self), FALSE);

  return g_ptr_array_remove (self->rules, rule);
}

char *
paddock_grants_dup_session_path (void)
{
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");
  g_autofree char *name = NULL;

  if (runtime == NULL || !g_path_is_absolute (runtime))
    return NULL;
  name = g_strdup_printf ("session-%d.json", (int) getsid (0));
  return g_build_filename (runtime, "paddock", name, NULL);
}

static PaddockRule *
grant_from_json (JsonObject  *object,
                 const char  *path,
                 GError     **error)
{
  g_autoptr(PaddockRule) rule = paddock_rule_new (PADDOCK_RULE_ANY, PADDOCK_LAYER_SESSION, PADDOCK_VERDICT_ALLOW);
  const char *kind = json_object_get_string_member_with_default (object, "kind", "");

  rule->source = g_strdup (json_object_get_string_member_with_default (object, "source", "session grant"));
  rule->text = g_strdup (json_object_get_string_member_with_default (object, "text", "session grant"));
  rule->reason = g_strdup ("allowed for this session");

  if (g_str_equal (kind, "command") && json_object_has_member (object, "argv"))
    {
      JsonArray *argv = json_object_get_array_member (object, "argv");

      rule->kind = PADDOCK_RULE_COMMAND;
      for (guint i = 0; i < json_array_get_length (argv); i++)
        {
          const char *words[] = { json_array_get_string_element (argv, i), NULL };

          if (words[0] == NULL)
            break;
          paddock_rule_add_words (rule, words);
        }
      if (rule->n_tokens == json_array_get_length (argv) && rule->n_tokens > 0)
        return g_steal_pointer (&rule);
    }
  else if (g_str_equal (kind, "path") && json_object_has_member (object, "path"))
    {
      rule->kind = PADDOCK_RULE_PATH;
      rule->path = g_strdup (json_object_get_string_member (object, "path"));
      rule->access = g_str_equal (json_object_get_string_member_with_default (object, "access", ""), "read")
                     ? PADDOCK_PATH_ACCESS_READ : PADDOCK_PATH_ACCESS_WRITE;
      return g_steal_pointer (&rule);
    }
  else if (g_str_equal (kind, "network") && json_object_has_member (object, "host"))
    {
      rule->kind = PADDOCK_RULE_NETWORK;
      rule->host = g_strdup (json_object_get_string_member (object, "host"));
      rule->port = json_object_get_int_member_with_default (object, "port", 0);
      rule->host_is_pattern = json_object_get_boolean_member_with_default (object, "pattern", FALSE);
      return g_steal_pointer (&rule);
    }
  else if (g_str_equal (kind, "mcp") && json_object_has_member (object, "server"))
    {
      rule->kind = PADDOCK_RULE_MCP;
      rule->server = g_strdup (json_object_get_string_member (object, "server"));
      rule->tool = g_strdup (json_object_get_string_member_with_default (object, "tool", NULL));
      return g_steal_pointer (&rule);
    }

  paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SCHEMA,
                "%s: a grant of an unknown form", path);
  return NULL;
}

PaddockGrants *
paddock_grants_new_from_file (const char  *path,
                              GError     **error)
{
  g_autoptr(PaddockGrants) self = paddock_grants_new ();
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonArray *array;

  g_return_val_if_fail (path != NULL, NULL);

  if (!json_parser_load_from_file (parser, path, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&self);
      paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO, "%s: %s", path, local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SCHEMA, "%s: expected a list of grants", path);
      return NULL;
    }

  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      PaddockRule *rule;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SCHEMA, "%s: a grant is not an object", path);
          return NULL;
        }
      rule = grant_from_json (json_node_get_object (node), path, error);
      if (rule == NULL)
        return NULL;
      g_ptr_array_add (self->rules, rule);
    }

  return g_steal_pointer (&self);
}

gboolean
paddock_grants_save (PaddockGrants  *self,
                     const char     *path,
                     GError        **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *data = NULL;

  g_return_val_if_fail (PADDOCK_IS_GRANTS (self), FALSE);

  json_builder_begin_array (builder);
  for (guint i = 0; i < self->rules->len; i++)
    {
      PaddockRule *rule = g_ptr_array_index (self->rules, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "source");
      json_builder_add_string_value (builder, rule->source);
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, rule->text);
      json_builder_set_member_name (builder, "kind");
      switch (rule->kind)
        {
        case PADDOCK_RULE_COMMAND:
          json_builder_add_string_value (builder, "command");
          json_builder_set_member_name (builder, "argv");
          json_builder_begin_array (builder);
          for (guint t = 0; t < rule->n_tokens; t++)
            json_builder_add_string_value (builder, rule->tokens[t].words[0]);
          json_builder_end_array (builder);
          break;
        case PADDOCK_RULE_PATH:
          json_builder_add_string_value (builder, "path");
          json_builder_set_member_name (builder, "path");
          json_builder_add_string_value (builder, rule->path);
          json_builder_set_member_name (builder, "access");
          json_builder_add_string_value (builder, rule->access & PADDOCK_PATH_ACCESS_WRITE ? "write" : "read");
          break;
        case PADDOCK_RULE_NETWORK:
          json_builder_add_string_value (builder, "network");
          json_builder_set_member_name (builder, "host");
          json_builder_add_string_value (builder, rule->host);
          json_builder_set_member_name (builder, "port");
          json_builder_add_int_value (builder, rule->port);
          if (rule->host_is_pattern)
            {
              json_builder_set_member_name (builder, "pattern");
              json_builder_add_boolean_value (builder, TRUE);
            }
          break;
        case PADDOCK_RULE_MCP:
          json_builder_add_string_value (builder, "mcp");
          json_builder_set_member_name (builder, "server");
          json_builder_add_string_value (builder, rule->server);
          if (rule->tool != NULL)
            {
              json_builder_set_member_name (builder, "tool");
              json_builder_add_string_value (builder, rule->tool);
            }
          break;
        case PADDOCK_RULE_ANY:
        default:
          g_assert_not_reached ();
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO,
                           "%s cannot be created: %s", dir, g_strerror (saved_errno));
    }
  if (!g_file_set_contents_full (path, data, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local_error))
    return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO, "%s", local_error->message);
  return TRUE;
}
