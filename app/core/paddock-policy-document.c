/* paddock-policy-document.c
 *
 * Reads one JSON policy document into rules and settings. The schema is
 * closed: an unknown key is an error, because a misspelt "forbiden" that
 * silently did nothing would loosen the policy.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "paddock-codex-rules.h"
#include "paddock-errors.h"
#include "paddock-host.h"
#include "paddock-json-locator.h"
#include "paddock-policy-document.h"

G_DEFINE_BOXED_TYPE (PaddockPolicyDocument, paddock_policy_document,
                     paddock_policy_document_ref, paddock_policy_document_unref)

typedef struct
{
  PaddockPolicyDocument *document;
  PaddockJsonLocator *locator;
} Parser;

char *
paddock_setting_dup_location (const PaddockSetting *setting)
{
  g_return_val_if_fail (setting != NULL, NULL);

  if (setting->line == 0)
    return g_strdup (setting->source);
  return g_strdup_printf ("%s:%u:%u", setting->source, setting->line, setting->column);
}

char *
paddock_setting_dup_origin (const PaddockSetting *setting)
{
  g_autofree char *location = paddock_setting_dup_location (setting);

  return g_strdup_printf ("the %s layer, %s", paddock_layer_to_string (setting->layer), location);
}

void
paddock_setting_free (PaddockSetting *setting)
{
  if (setting == NULL)
    return;

  g_free (setting->key);
  g_clear_pointer (&setting->value, g_variant_unref);
  g_free (setting->source);
  g_free (setting->text);
  g_free (setting);
}

PaddockPolicyDocument *
paddock_policy_document_new (PaddockLayer  layer,
                             const char   *source)
{
  PaddockPolicyDocument *document = g_new0 (PaddockPolicyDocument, 1);

  g_atomic_ref_count_init (&document->ref_count);
  document->layer = layer;
  document->source = g_strdup (source);
  document->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_rule_unref);
  document->settings = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_setting_free);

  return document;
}

PaddockPolicyDocument *
paddock_policy_document_ref (PaddockPolicyDocument *document)
{
  g_return_val_if_fail (document != NULL, NULL);

  g_atomic_ref_count_inc (&document->ref_count);
  return document;
}

void
paddock_policy_document_unref (PaddockPolicyDocument *document)
{
  g_return_if_fail (document != NULL);

  if (!g_atomic_ref_count_dec (&document->ref_count))
    return;

  g_free (document->source);
  g_free (document->error);
  g_ptr_array_unref (document->rules);
  g_ptr_array_unref (document->settings);
  g_free (document);
}

PaddockPolicyDocument *
paddock_policy_document_new_failed (PaddockLayer  layer,
                                    const char   *source,
                                    const GError *error)
{
  PaddockPolicyDocument *document = paddock_policy_document_new (layer, source);
  PaddockRule *rule = paddock_rule_new (PADDOCK_RULE_ANY, layer, PADDOCK_VERDICT_FORBIDDEN);

  document->error = g_strdup (error->message);
  paddock_rule_set_source (rule, source, 0, 0);
  rule->text = g_strdup_printf ("%s layer failed to load", paddock_layer_to_string (layer));
  rule->reason = g_strdup_printf ("%s; until it is fixed, the %s layer forbids everything",
                                  error->message, paddock_layer_to_string (layer));
  g_ptr_array_add (document->rules, rule);

  return document;
}

void
paddock_policy_document_add_setting (PaddockPolicyDocument *document,
                                     const char            *key,
                                     GVariant              *value,
                                     guint                  line,
                                     guint                  column,
                                     const char            *text)
{
  PaddockSetting *setting = g_new0 (PaddockSetting, 1);

  setting->key = g_strdup (key);
  setting->value = g_variant_ref_sink (value);
  setting->layer = document->layer;
  setting->source = g_strdup (document->source);
  setting->line = line;
  setting->column = column;
  setting->text = g_strdup (text);
  g_ptr_array_add (document->settings, setting);
}

/* "/commands/2/decision" → "commands[2].decision", as people write it. */
static char *
pointer_to_display (const char *pointer)
{
  g_auto(GStrv) parts = g_strsplit (pointer + (*pointer == '/'), "/", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *p = parts[i];
      gboolean numeric = *p != '\0';

      for (const char *c = p; *c; c++)
        numeric = numeric && g_ascii_isdigit (*c);

      if (numeric)
        g_string_append_printf (out, "[%s]", p);
      else
        {
          if (out->len > 0)
            g_string_append_c (out, '.');
          g_string_append (out, p);
        }
    }

  return g_string_free (out, FALSE);
}

static gboolean G_GNUC_PRINTF (6, 7)
fail_at (Parser      *parser,
         const char  *pointer,
         gboolean     at_key,
         GError     **error,
         int          code,
         const char  *format,
         ...)
{
  const PaddockJsonLocation *location = paddock_json_locator_lookup (parser->locator, pointer);
  g_autofree char *message = NULL;
  g_autofree char *display = pointer_to_display (pointer);
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (location == NULL)
    return paddock_fail (error, PADDOCK_POLICY_ERROR, code, "%s: “%s”: %s",
                         parser->document->source, display, message);

  return paddock_fail (error, PADDOCK_POLICY_ERROR, code, "%s:%u:%u: “%s”: %s",
                       parser->document->source,
                       at_key ? location->key_line : location->line,
                       at_key ? location->key_column : location->column,
                       display, message);
}

static const char *
node_type_name (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return "an object";
    case JSON_NODE_ARRAY:
      return "a list";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return "a string";
      if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
        return "true/false";
      return "a number";
    default:
      return "a value";
    }
}

static gboolean
check_keys (Parser              *parser,
            JsonObject          *object,
            const char          *pointer,
            const char * const  *accepted,
            GError             **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      g_autofree char *child = NULL;
      g_autofree char *list = NULL;

      if (g_strv_contains (accepted, name))
        continue;

      child = g_strdup_printf ("%s/%s", pointer, name);
      list = g_strjoinv (", ", (char **) accepted);
      return fail_at (parser, child, TRUE, error, PADDOCK_POLICY_ERROR_SCHEMA,
                      "unknown key; accepted here: %s", list);
    }

  return TRUE;
}

static gboolean
expect_object (Parser      *parser,
               JsonNode    *node,
               const char  *pointer,
               GError     **error)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return TRUE;

  return fail_at (parser, pointer, FALSE, error, PADDOCK_POLICY_ERROR_SCHEMA,
                  "expected an object, got %s", node_type_name (node));
}

static gboolean
expect_string (Parser       *parser,
               JsonNode     *node,
               const char   *pointer,
               const char  **out,
               GError      **error)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      *out = json_node_get_string (node);
      return TRUE;
    }

  return fail_at (parser, pointer, FALSE, error, PADDOCK_POLICY_ERROR_SCHEMA,
                  "expected a string, got %s", node_type_name (node));
}

static gboolean
expect_boolean (Parser      *parser,
                JsonNode    *node,
                const char  *pointer,
                gboolean    *out,
                GError     **error)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    {
      *out = json_node_get_boolean (node);
      return TRUE;
    }

  return fail_at (parser, pointer, FALSE, error, PADDOCK_POLICY_ERROR_SCHEMA,
                  "expected true or false, got %s", node_type_name (node));
}

/* A list of non-empty strings; empty only when @allow_empty. */
static GStrv
expect_string_list (Parser      *parser,
                    JsonNode    *node,
                    const char  *pointer,
                    gboolean     allow_empty,
                    GError     **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      fail_at (parser, pointer, FALSE, error, PADDOCK_POLICY_ERROR_SCHEMA,
               "expected a list of strings, got %s", node_type_name (node));
      return NULL;
    }

  array = json_node_get_array (node);
  if (!allow_empty && json_array_get_length (array) == 0)
    {
      fail_at (parser, pointer, FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
               "an empty list can never match; remove the key or name at least one entry");
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *child = g_strdup_printf ("%s/%u", pointer, i);
      const char *str;

      if (!expect_string (parser, json_array_get_element (array, i), child, &str, error))
        return NULL;
      if (*str == '\0')
        {
          fail_at (parser, child, FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                   "an empty string can never match");
          return NULL;
        }
      g_strv_builder_add (builder, str);
    }

  return g_strv_builder_end (builder);
}

static gboolean
parse_verdict (Parser          *parser,
               JsonNode        *node,
               const char      *pointer,
               PaddockVerdict  *verdict,
               GError         **error)
{
  const char *str;

  if (!expect_string (parser, node, pointer, &str, error))
    return FALSE;
  if (paddock_verdict_from_string (str, verdict))
    return TRUE;

  return fail_at (parser, pointer, FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                  "“%s” is not a decision; accepted: allow, prompt, forbidden", str);
}

static void
add_setting_from_node (Parser      *parser,
                       const char  *key,
                       const char  *pointer,
                       GVariant    *value)
{
  const PaddockJsonLocation *location = paddock_json_locator_lookup (parser->locator, pointer);
  g_autofree char *text = paddock_json_locator_dup_text (parser->locator, pointer);
  g_autofree char *display = pointer_to_display (pointer);
  g_autofree char *written = g_strdup_printf ("\"%s\": %s", display, text);

  paddock_policy_document_add_setting (parser->document, key, value,
                                       location ? location->line : 0,
                                       location ? location->column : 0,
                                       written);
}

static gboolean
parse_mode (Parser       *parser,
            JsonNode     *node,
            const char   *pointer,
            const char   *key,
            const char   *what,
            gboolean    (*from_string) (const char *, int *),
            const char   *accepted,
            GError      **error)
{
  const char *str;
  int ignored;

  if (!expect_string (parser, node, pointer, &str, error))
    return FALSE;
  if (!from_string (str, &ignored))
    return fail_at (parser, pointer, FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                    "“%s” is not %s; accepted: %s", str, what, accepted);

  add_setting_from_node (parser, key, pointer, g_variant_new_string (str));
  return TRUE;
}

static gboolean
parse_mode_list (Parser       *parser,
                 JsonNode     *node,
                 const char   *pointer,
                 const char   *key,
                 const char   *what,
                 gboolean    (*from_string) (const char *, int *),
                 const char   *accepted,
                 GError      **error)
{
  g_auto(GStrv) modes = expect_string_list (parser, node, pointer, FALSE, error);

  if (modes == NULL)
    return FALSE;

  for (guint i = 0; modes[i] != NULL; i++)
    {
      int ignored;

      if (!from_string (modes[i], &ignored))
        {
          g_autofree char *child = g_strdup_printf ("%s/%u", pointer, i);
          return fail_at (parser, child, FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                          "“%s” is not %s; accepted: %s", modes[i], what, accepted);
        }
    }

  add_setting_from_node (parser, key, pointer, g_variant_new_strv ((const char * const *) modes, -1));
  return TRUE;
}

static PaddockRule *
new_rule (Parser          *parser,
          PaddockRuleKind  kind,
          PaddockVerdict   verdict,
          const char      *pointer,
          const char      *text)
{
  const PaddockJsonLocation *location = paddock_json_locator_lookup (parser->locator, pointer);
  PaddockRule *rule = paddock_rule_new (kind, parser->document->layer, verdict);

  paddock_rule_set_source (rule, parser->document->source,
                           location ? location->line : 0,
                           location ? location->column : 0);
  if (text != NULL)
    rule->text = g_strdup (text);
  else
    rule->text = paddock_json_locator_dup_text (parser->locator, pointer);

  return rule;
}

/* Rules that come from an entry of a list, e.g. network.allow[3]. */
static PaddockRule *
new_list_rule (Parser          *parser,
               PaddockRuleKind  kind,
               PaddockVerdict   verdict,
               const char      *pointer,
               const char      *value)
{
  g_autofree char *display = pointer_to_display (pointer);
  g_autofree char *text = NULL;
  char *bracket = strrchr (display, '[');

  if (bracket != NULL)
    *bracket = '\0';
  text = g_strdup_printf ("%s: \"%s\"", display, value);

  return new_rule (parser, kind, verdict, pointer, text);
}

/* --- commands ------------------------------------------------------ */

static gboolean
parse_match_token (Parser       *parser,
                   PaddockRule  *rule,
                   JsonNode     *node,
                   const char   *pointer,
                   GError      **error)
{
  const char *str;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *words[] = { json_node_get_string (node), NULL };

      if (*words[0] == '\0')
        return fail_at (parser, pointer, FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                        "an empty token can never match");
      paddock_rule_add_words (rule, words);
      return TRUE;
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      g_auto(GStrv) words = expect_string_list (parser, node, pointer, FALSE, error);

      if (words == NULL)
        return FALSE;
      paddock_rule_add_words (rule, (const char * const *) words);
      return TRUE;
    }

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      static const char * const keys[] = { "regex", NULL };
      JsonObject *object = json_node_get_object (node);
      g_autofree char *child = g_strdup_printf ("%s/regex", pointer);
      g_autofree char *anchored = NULL;
      g_autoptr(GError) regex_error = NULL;
      GRegex *regex;

      if (!check_keys (parser, object, pointer, keys, error))
        return FALSE;
      if (!json_object_has_member (object, "regex"))
        return fail_at (parser, pointer, FALSE, error, PADDOCK_POLICY_ERROR_SCHEMA,
                        "a token object needs “regex”");
      if (!expect_string (parser, json_object_get_member (object, "regex"), child, &str, error))
        return FALSE;

      /* Anchored on both ends so "rm" never matches "rmdir". */
      anchored = g_strdup_printf ("^(?:%s)$", str);
      regex = g_regex_new (anchored, G_REGEX_OPTIMIZE, 0, &regex_error);
      if (regex == NULL)
        return fail_at (parser, child, FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                        "not a valid regular expression: %s", regex_error->message);
      paddock_rule_add_regex (rule, regex);
      return TRUE;
    }

  return fail_at (parser, pointer, FALSE, error, PADDOCK_POLICY_ERROR_SCHEMA,
                  "a token is a string, a list of alternatives, or {\"regex\": …}; got %s",
                  node_type_name (node));
}

static gboolean
parse_grant_review (Parser       *parser,
                    PaddockRule  *rule,
                    JsonObject   *object,
                    const char   *pointer,
                    GError      **error)
{
  const char *str;

  if (json_object_has_member (object, "grant"))
    {
      g_autofree char *child = g_strdup_printf ("%s/grant", pointer);

      if (!expect_string (parser, json_object_get_member (object, "grant"), child, &str, error))
        return FALSE;
      if (g_str_equal (str, "once"))
        rule->grant_once = TRUE;
      else if (!g_str_equal (str, "session"))
        return fail_at (parser, child, FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                        "“%s” is not a grant; accepted: once, session", str);
    }

  if (json_object_has_member (object, "review"))
    {
      g_autofree char *child = g_strdup_printf ("%s/review", pointer);

      if (!expect_string (parser, json_object_get_member (object, "review"), child, &str, error))
        return FALSE;
      if (g_str_equal (str, "human"))
        rule->review_human = TRUE;
      else if (!g_str_equal (str, "auto"))
        return fail_at (parser, child, FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                        "“%s” is not a reviewer; accepted: human, auto", str);
    }

  if (json_object_has_member (object, "reason"))
    {
      g_autofree char *child = g_strdup_printf ("%s/reason", pointer);

      if (!expect_string (parser, json_object_get_member (object, "reason"), child, &str, error))
        return FALSE;
      rule->reason = g_strdup (str);
    }

  return TRUE;
}

static gboolean
parse_command_rule (Parser      *parser,
                    JsonNode    *node,
                    const char  *pointer,
                    GError     **error)
{
  static const char * const keys[] = {
    "match", "decision", "reason", "grant", "review", "when_any", "unless_any", "stdin", NULL,
  };
  g_autoptr(PaddockRule) rule = NULL;
  g_autofree char *match_pointer = g_strdup_printf ("%s/match", pointer);
  g_autofree char *decision_pointer = g_strdup_printf ("%s/decision", pointer);
  PaddockVerdict verdict;
  JsonObject *object;
  JsonArray *match;

  if (!expect_object (parser, node, pointer, error))
    return FALSE;
  object = json_node_get_object (node);
  if (!check_keys (parser, object, pointer, keys, error))
    return FALSE;

  if (!json_object_has_member (object, "decision"))
    return fail_at (parser, pointer, FALSE, error, PADDOCK_POLICY_ERROR_SCHEMA,
                    "a command rule needs “decision” (allow, prompt or forbidden)");
  if (!parse_verdict (parser, json_object_get_member (object, "decision"), decision_pointer, &verdict, error))
    return FALSE;

  if (!json_object_has_member (object, "match"))
    return fail_at (parser, pointer, FALSE, error, PADDOCK_POLICY_ERROR_SCHEMA,
                    "a command rule needs “match”, a list of tokens such as [\"git\", \"push\"]");
  if (!JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "match")))
    return fail_at (parser, match_pointer, FALSE, error, PADDOCK_POLICY_ERROR_SCHEMA,
                    "expected a list of tokens such as [\"git\", [\"push\", \"fetch\"]], got %s",
                    node_type_name (json_object_get_member (object, "match")));
  match = json_object_get_array_member (object, "match");
  if (json_array_get_length (match) == 0)
    return fail_at (parser, match_pointer, FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                    "an empty pattern can never match; name at least the program");

  rule = new_rule (parser, PADDOCK_RULE_COMMAND, verdict, pointer, NULL);

  for (guint i = 0; i < json_array_get_length (match); i++)
    {
      g_autofree char *child = g_strdup_printf ("%s/%u", match_pointer, i);

      if (!parse_match_token (parser, rule, json_array_get_element (match, i), child, error))
        return FALSE;
    }

  if (json_object_has_member (object, "when_any"))
    {
      g_autofree char *child = g_strdup_printf ("%s/when_any", pointer);

      rule->when_any = expect_string_list (parser, json_object_get_member (object, "when_any"), child, FALSE, error);
      if (rule->when_any == NULL)
        return FALSE;
    }

  if (json_object_has_member (object, "unless_any"))
    {
      g_autofree char *child = g_strdup_printf ("%s/unless_any", pointer);

      rule->unless_any = expect_string_list (parser, json_object_get_member (object, "unless_any"), child, FALSE, error);
      if (rule->unless_any == NULL)
        return FALSE;
    }

  if (rule->when_any != NULL && rule->unless_any != NULL)
    {
      gboolean possible = FALSE;

      for (guint i = 0; rule->when_any[i] != NULL; i++)
        possible |= !g_strv_contains ((const char * const *) rule->unless_any, rule->when_any[i]);
      if (!possible)
        return fail_at (parser, pointer, FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                        "every “when_any” entry is also in “unless_any”, so the rule can never match");
    }

  if (json_object_has_member (object, "stdin"))
    {
      g_autofree char *child = g_strdup_printf ("%s/stdin", pointer);
      const char *str;

      if (!expect_string (parser, json_object_get_member (object, "stdin"), child, &str, error))
        return FALSE;
      if (!g_str_equal (str, "pipe"))
        return fail_at (parser, child, FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                        "“%s” is not accepted; accepted: pipe (the command reads from a pipe)", str);
      rule->stdin_pipe = TRUE;
    }

  if (!parse_grant_review (parser, rule, object, pointer, error))
    return FALSE;

  g_ptr_array_add (parser->document->rules, g_steal_pointer (&rule));
  return TRUE;
}

static gboolean
parse_commands (Parser      *parser,
                JsonNode    *node,
                const char  *pointer,
                GError     **error)
{
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail_at (parser, pointer, FALSE, error, PADDOCK_POLICY_ERROR_SCHEMA,
                    "expected a list of command rules, got %s", node_type_name (node));

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *child = g_strdup_printf ("%s/%u", pointer, i);

      if (!parse_command_rule (parser, json_array_get_element (array, i), child, error))
        return FALSE;
    }

  return TRUE;
}

/* --- sandbox ------------------------------------------------------- */

static gboolean
check_path_entry (Parser      *parser,
                  const char  *pointer,
                  const char  *path,
                  gboolean     bare_names,
                  GError     **error)
{
  if (bare_names)
    {
      if (g_path_is_absolute (path) || path[0] == '~')
        return fail_at (parser, pointer, FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                        "“%s”: protected entries are names or relative paths inside the writable roots, such as .git or .github/workflows",
                        path);
    }

  {
    g_auto(GStrv) parts = g_strsplit (path, "/", -1);

    for (guint i = 0; parts[i] != NULL; i++)
      if (g_str_equal (parts[i], ".."))
        return fail_at (parser, pointer, FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                        "“%s”: “..” is not accepted in a path; write the path it leads to", path);
  }

  if (strchr (path, '\n') != NULL || strchr (path, '\r') != NULL)
    return fail_at (parser, pointer, FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                    "a path may not contain a line break");

  return TRUE;
}

static gboolean
parse_path_list (Parser             *parser,
                 JsonNode           *node,
                 const char         *pointer,
                 PaddockVerdict      verdict,
                 PaddockPathAccess   access,
                 gboolean            bare_names,
                 GError            **error)
{
  g_auto(GStrv) paths = expect_string_list (parser, node, pointer, TRUE, error);

  if (paths == NULL)
    return FALSE;

  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autofree char *child = g_strdup_printf ("%s/%u", pointer, i);
      PaddockRule *rule;

      if (!check_path_entry (parser, child, paths[i], bare_names, error))
        return FALSE;

      rule = new_list_rule (parser, PADDOCK_RULE_PATH, verdict, child, paths[i]);
      rule->path = g_strdup (paths[i]);
      rule->path_is_name = bare_names;
      rule->access = access;
      g_ptr_array_add (parser->document->rules, rule);
    }

  return TRUE;
}

static gboolean
sandbox_mode_from_string (const char *str, int *out)
{
  return paddock_sandbox_mode_from_string (str, (PaddockSandboxMode *) out);
}

static gboolean
approval_mode_from_string (const char *str, int *out)
{
  return paddock_approval_mode_from_string (str, (PaddockApprovalMode *) out);
}

static gboolean
network_mode_from_string (const char *str, int *out)
{
  return paddock_network_mode_from_string (str, (PaddockNetworkMode *) out);
}

static gboolean
verdict_from_string (const char *str, int *out)
{
  return paddock_verdict_from_string (str, (PaddockVerdict *) out);
}

#define SANDBOX_MODES "read-only, workspace-write, full-access"
#define APPROVAL_MODES "untrusted, on-request, never, auto-review"
#define NETWORK_MODES "disabled, allowlist, full"

/* network.private_addresses: whether a name that resolves into
 * 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or fc00::/7 may be dialled. */
static gboolean
allow_deny_from_string (const char *str,
                        int        *out)
{
  *out = g_str_equal (str, "allow");
  return g_str_equal (str, "allow") || g_str_equal (str, "deny");
}

static gboolean
parse_sandbox (Parser      *parser,
               JsonNode    *node,
               const char  *pointer,
               GError     **error)
{
  static const char * const keys[] = {
    "mode", "allowed_modes", "writable", "deny_read", "protected", NULL,
  };
  JsonObject *object;
  JsonNode *member;

  if (!expect_object (parser, node, pointer, error))
    return FALSE;
  object = json_node_get_object (node);
  if (!check_keys (parser, object, pointer, keys, error))
    return FALSE;

  if ((member = json_object_get_member (object, "mode")) &&
      !parse_mode (parser, member, "/sandbox/mode", "sandbox.mode", "a sandbox mode",
                   sandbox_mode_from_string, SANDBOX_MODES, error))
    return FALSE;
  if ((member = json_object_get_member (object, "allowed_modes")) &&
      !parse_mode_list (parser, member, "/sandbox/allowed_modes", "sandbox.allowed_modes",
                        "a sandbox mode", sandbox_mode_from_string, SANDBOX_MODES, error))
    return FALSE;
  if ((member = json_object_get_member (object, "writable")) &&
      !parse_path_list (parser, member, "/sandbox/writable", PADDOCK_VERDICT_ALLOW,
                        PADDOCK_PATH_ACCESS_WRITE, FALSE, error))
    return FALSE;
  /* Hidden paths can be neither read nor written. */
  if ((member = json_object_get_member (object, "deny_read")) &&
      !parse_path_list (parser, member, "/sandbox/deny_read", PADDOCK_VERDICT_FORBIDDEN,
                        PADDOCK_PATH_ACCESS_READ | PADDOCK_PATH_ACCESS_WRITE, FALSE, error))
    return FALSE;
  /* Protected names stay read-only in the sandbox: writing them needs a
   * person's approval. */
  if ((member = json_object_get_member (object, "protected")) &&
      !parse_path_list (parser, member, "/sandbox/protected", PADDOCK_VERDICT_PROMPT,
                        PADDOCK_PATH_ACCESS_WRITE, TRUE, error))
    return FALSE;

  return TRUE;
}

static gboolean
parse_approval (Parser      *parser,
                JsonNode    *node,
                const char  *pointer,
                GError     **error)
{
  static const char * const keys[] = { "mode", "allowed_modes", NULL };
  JsonObject *object;
  JsonNode *member;

  if (!expect_object (parser, node, pointer, error))
    return FALSE;
  object = json_node_get_object (node);
  if (!check_keys (parser, object, pointer, keys, error))
    return FALSE;

  if ((member = json_object_get_member (object, "mode")) &&
      !parse_mode (parser, member, "/approval/mode", "approval.mode", "an approval mode",
                   approval_mode_from_string, APPROVAL_MODES, error))
    return FALSE;
  if ((member = json_object_get_member (object, "allowed_modes")) &&
      !parse_mode_list (parser, member, "/approval/allowed_modes", "approval.allowed_modes",
                        "an approval mode", approval_mode_from_string, APPROVAL_MODES, error))
    return FALSE;

  return TRUE;
}

/* --- network ------------------------------------------------------- */

static gboolean
check_host_pattern (Parser      *parser,
                    const char  *pointer,
                    const char  *text,
                    GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PaddockHostPattern) pattern = paddock_host_pattern_new (text, &local_error);

  if (pattern == NULL)
    return fail_at (parser, pointer, FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                    "%s", local_error->message);
  return TRUE;
}

static gboolean
parse_host_list (Parser         *parser,
                 JsonNode       *node,
                 const char     *pointer,
                 PaddockVerdict  verdict,
                 GError        **error)
{
  g_auto(GStrv) hosts = expect_string_list (parser, node, pointer, TRUE, error);

  if (hosts == NULL)
    return FALSE;

  for (guint i = 0; hosts[i] != NULL; i++)
    {
      g_autofree char *child = g_strdup_printf ("%s/%u", pointer, i);
      PaddockRule *rule;

      if (!check_host_pattern (parser, child, hosts[i], error))
        return FALSE;

      rule = new_list_rule (parser, PADDOCK_RULE_NETWORK, verdict, child, hosts[i]);
      rule->host = g_strdup (hosts[i]);
      g_ptr_array_add (parser->document->rules, rule);
    }

  return TRUE;
}

static gboolean
parse_network_rule (Parser      *parser,
                    JsonNode    *node,
                    const char  *pointer,
                    GError     **error)
{
  static const char * const keys[] = {
    "host", "decision", "protocol", "reason", "grant", "review", NULL,
  };
  static const char * const protocols[] = { "http", "https", "socks5_tcp", "socks5_udp", NULL };
  g_autoptr(PaddockRule) rule = NULL;
  g_autofree char *host_pointer = g_strdup_printf ("%s/host", pointer);
  g_autofree char *decision_pointer = g_strdup_printf ("%s/decision", pointer);
  PaddockVerdict verdict;
  JsonObject *object;
  const char *host;

  if (!expect_object (parser, node, pointer, error))
    return FALSE;
  object = json_node_get_object (node);
  if (!check_keys (parser, object, pointer, keys, error))
    return FALSE;

  if (!json_object_has_member (object, "host") || !json_object_has_member (object, "decision"))
    return fail_at (parser, pointer, FALSE, error, PADDOCK_POLICY_ERROR_SCHEMA,
                    "a network rule needs “host” and “decision”");
  if (!expect_string (parser, json_object_get_member (object, "host"), host_pointer, &host, error) ||
      !check_host_pattern (parser, host_pointer, host, error) ||
      !parse_verdict (parser, json_object_get_member (object, "decision"), decision_pointer, &verdict, error))
    return FALSE;

  rule = new_rule (parser, PADDOCK_RULE_NETWORK, verdict, pointer, NULL);
  rule->host = g_strdup (host);

  if (json_object_has_member (object, "protocol"))
    {
      g_autofree char *child = g_strdup_printf ("%s/protocol", pointer);
      const char *protocol;

      if (!expect_string (parser, json_object_get_member (object, "protocol"), child, &protocol, error))
        return FALSE;
      if (!g_strv_contains (protocols, protocol))
        return fail_at (parser, child, FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                        "“%s” is not a protocol; accepted: http, https, socks5_tcp, socks5_udp", protocol);
      rule->protocol = g_strdup (protocol);
    }

  if (!parse_grant_review (parser, rule, object, pointer, error))
    return FALSE;

  g_ptr_array_add (parser->document->rules, g_steal_pointer (&rule));
  return TRUE;
}

static gboolean
parse_network (Parser      *parser,
               JsonNode    *node,
               const char  *pointer,
               GError     **error)
{
  static const char * const keys[] = {
    "mode", "allow", "deny", "prompt", "unknown", "rules", "private_addresses", NULL,
  };
  JsonObject *object;
  JsonNode *member;

  if (!expect_object (parser, node, pointer, error))
    return FALSE;
  object = json_node_get_object (node);
  if (!check_keys (parser, object, pointer, keys, error))
    return FALSE;

  if ((member = json_object_get_member (object, "mode")) &&
      !parse_mode (parser, member, "/network/mode", "network.mode", "a network mode",
                   network_mode_from_string, NETWORK_MODES, error))
    return FALSE;
  if ((member = json_object_get_member (object, "unknown")) &&
      !parse_mode (parser, member, "/network/unknown", "network.unknown", "a decision",
                   verdict_from_string, "allow, prompt, forbidden", error))
    return FALSE;
  if ((member = json_object_get_member (object, "private_addresses")) &&
      !parse_mode (parser, member, "/network/private_addresses", "network.private_addresses",
                   "a choice for private addresses", allow_deny_from_string, "allow, deny", error))
    return FALSE;
  if ((member = json_object_get_member (object, "allow")) &&
      !parse_host_list (parser, member, "/network/allow", PADDOCK_VERDICT_ALLOW, error))
    return FALSE;
  if ((member = json_object_get_member (object, "prompt")) &&
      !parse_host_list (parser, member, "/network/prompt", PADDOCK_VERDICT_PROMPT, error))
    return FALSE;
  if ((member = json_object_get_member (object, "deny")) &&
      !parse_host_list (parser, member, "/network/deny", PADDOCK_VERDICT_FORBIDDEN, error))
    return FALSE;

  if ((member = json_object_get_member (object, "rules")))
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (member))
        return fail_at (parser, "/network/rules", FALSE, error, PADDOCK_POLICY_ERROR_SCHEMA,
                        "expected a list of network rules, got %s", node_type_name (member));
      array = json_node_get_array (member);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *child = g_strdup_printf ("/network/rules/%u", i);

          if (!parse_network_rule (parser, json_array_get_element (array, i), child, error))
            return FALSE;
        }
    }

  return TRUE;
}

/* --- mcp ----------------------------------------------------------- */

static gboolean
valid_mcp_name (const char *name)
{
  if (*name == '\0')
    return FALSE;
  for (const char *c = name; *c; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_' && *c != '.')
      return FALSE;
  return TRUE;
}

static gboolean
parse_mcp_list (Parser         *parser,
                JsonNode       *node,
                const char     *pointer,
                PaddockVerdict  verdict,
                GError        **error)
{
  g_auto(GStrv) entries = expect_string_list (parser, node, pointer, TRUE, error);

  if (entries == NULL)
    return FALSE;

  for (guint i = 0; entries[i] != NULL; i++)
    {
      g_autofree char *child = g_strdup_printf ("%s/%u", pointer, i);
      g_auto(GStrv) parts = g_strsplit (entries[i], "/", 2);
      const char *server = parts[0];
      const char *tool = parts[1];
      PaddockRule *rule;

      /* "*" for every server is a statement about all of MCP; it is only
       * accepted where it restricts. */
      gboolean server_ok = valid_mcp_name (server) ||
                           (g_str_equal (server, "*") && verdict != PADDOCK_VERDICT_ALLOW);
      gboolean tool_ok = tool == NULL || g_str_equal (tool, "*") || valid_mcp_name (tool);

      if (!server_ok || !tool_ok)
        return fail_at (parser, child, FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                        "“%s” is not an MCP pattern; accepted: SERVER, SERVER/TOOL, SERVER/* "
                        "(names of letters, digits, “.”, “-”, “_”), and “*” in deny and prompt lists",
                        entries[i]);

      rule = new_list_rule (parser, PADDOCK_RULE_MCP, verdict, child, entries[i]);
      rule->server = g_strdup (server);
      rule->tool = g_strdup (tool);
      g_ptr_array_add (parser->document->rules, rule);
    }

  return TRUE;
}

/* The MCP servers an agent may be given, by name: a command started in
 * the sandbox, or an HTTP endpoint reached through the proxy. Each is a
 * setting "mcp.servers.NAME", so that the highest layer naming it says
 * what it is. */
static gboolean
parse_mcp_servers (Parser      *parser,
                   JsonNode    *node,
                   GError     **error)
{
  JsonObject *object;
  g_autoptr(GList) names = NULL;

  if (!expect_object (parser, node, "/mcp/servers", error))
    return FALSE;
  object = json_node_get_object (node);
  names = json_object_get_members (object);
  for (GList *l = names; l != NULL; l = l->next)
    {
      static const char * const keys[] = { "command", "url", NULL };
      const char *name = l->data;
      g_autofree char *pointer = g_strdup_printf ("/mcp/servers/%s", name);
      g_autofree char *key = g_strdup_printf ("mcp.servers.%s", name);
      JsonNode *server = json_object_get_member (object, name);
      JsonNode *command, *url;
      gboolean valid = *name != '\0' && strlen (name) <= 64;

      for (const char *c = name; *c && valid; c++)
        valid = g_ascii_isalnum (*c) || *c == '-' || *c == '_';
      if (!valid)
        return fail_at (parser, pointer, TRUE, error, PADDOCK_POLICY_ERROR_INVALID,
                        "“%s” is not an MCP server name; accepted: up to 64 letters, digits, “-” and “_”", name);
      if (!expect_object (parser, server, pointer, error) ||
          !check_keys (parser, json_node_get_object (server), pointer, keys, error))
        return FALSE;
      command = json_object_get_member (json_node_get_object (server), "command");
      url = json_object_get_member (json_node_get_object (server), "url");
      if ((command == NULL) == (url == NULL))
        return fail_at (parser, pointer, FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                        "an MCP server needs exactly one of “command” (a list: the program and its arguments, "
                        "started in the sandbox) and “url” (http or https)");
      if (command != NULL)
        {
          g_autofree char *where = g_strdup_printf ("%s/command", pointer);
          g_auto(GStrv) argv = expect_string_list (parser, command, where, FALSE, error);

          if (argv == NULL)
            return FALSE;
          add_setting_from_node (parser, key, pointer, g_variant_new_strv ((const char * const *) argv, -1));
        }
      else
        {
          g_autofree char *where = g_strdup_printf ("%s/url", pointer);
          g_autoptr(GUri) uri = NULL;
          const char *text;

          if (!expect_string (parser, url, where, &text, error))
            return FALSE;
          uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
          if (uri == NULL || g_uri_get_host (uri) == NULL ||
              (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 && g_strcmp0 (g_uri_get_scheme (uri), "http") != 0))
            return fail_at (parser, where, FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                            "“%s” is not an http or https URL", text);
          add_setting_from_node (parser, key, pointer, g_variant_new_string (text));
        }
    }
  return TRUE;
}

static gboolean
parse_mcp (Parser      *parser,
           JsonNode    *node,
           const char  *pointer,
           GError     **error)
{
  static const char * const keys[] = { "allow", "prompt", "deny", "servers", NULL };
  JsonObject *object;
  JsonNode *member;

  if (!expect_object (parser, node, pointer, error))
    return FALSE;
  object = json_node_get_object (node);
  if (!check_keys (parser, object, pointer, keys, error))
    return FALSE;

  if ((member = json_object_get_member (object, "allow")) &&
      !parse_mcp_list (parser, member, "/mcp/allow", PADDOCK_VERDICT_ALLOW, error))
    return FALSE;
  if ((member = json_object_get_member (object, "prompt")) &&
      !parse_mcp_list (parser, member, "/mcp/prompt", PADDOCK_VERDICT_PROMPT, error))
    return FALSE;
  if ((member = json_object_get_member (object, "deny")) &&
      !parse_mcp_list (parser, member, "/mcp/deny", PADDOCK_VERDICT_FORBIDDEN, error))
    return FALSE;
  if ((member = json_object_get_member (object, "servers")) && !parse_mcp_servers (parser, member, error))
    return FALSE;

  return TRUE;
}

/* --- identity, telemetry ------------------------------------------- */

static gboolean
parse_identity (Parser      *parser,
                JsonNode    *node,
                const char  *pointer,
                GError     **error)
{
  static const char * const keys[] = { "issuer", "organization", "organization_claim", "client_id", NULL };
  JsonObject *object;
  JsonNode *member;

  if (!expect_object (parser, node, pointer, error))
    return FALSE;
  object = json_node_get_object (node);
  if (!check_keys (parser, object, pointer, keys, error))
    return FALSE;

  if ((member = json_object_get_member (object, "issuer")))
    {
      g_auto(GStrv) issuers = NULL;

      if (JSON_NODE_HOLDS_ARRAY (member))
        issuers = expect_string_list (parser, member, "/identity/issuer", FALSE, error);
      else
        {
          const char *issuer;

          if (!expect_string (parser, member, "/identity/issuer", &issuer, error))
            return FALSE;
          issuers = g_new0 (char *, 2);
          issuers[0] = g_strdup (issuer);
        }
      if (issuers == NULL)
        return FALSE;

      for (guint i = 0; issuers[i] != NULL; i++)
        if (!g_str_has_prefix (issuers[i], "https://") && !g_str_has_prefix (issuers[i], "http://localhost"))
          return fail_at (parser, "/identity/issuer", FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                          "“%s” is not an issuer URL; accepted: https://… (http://localhost… for testing)",
                          issuers[i]);

      add_setting_from_node (parser, "identity.issuer", "/identity/issuer",
                             g_variant_new_strv ((const char * const *) issuers, -1));
    }

  if ((member = json_object_get_member (object, "organization")))
    {
      const char *organization;

      if (!expect_string (parser, member, "/identity/organization", &organization, error))
        return FALSE;
      add_setting_from_node (parser, "identity.organization", "/identity/organization",
                             g_variant_new_string (organization));
    }

  for (guint i = 0; i < 2; i++)
    {
      static const char * const names[] = { "organization_claim", "client_id" };
      g_autofree char *key = g_strconcat ("identity.", names[i], NULL);
      g_autofree char *where = g_strconcat ("/identity/", names[i], NULL);
      const char *value;

      if (!(member = json_object_get_member (object, names[i])))
        continue;
      if (!expect_string (parser, member, where, &value, error))
        return FALSE;
      if (*value == '\0')
        return fail_at (parser, where, FALSE, error, PADDOCK_POLICY_ERROR_INVALID, "an empty %s means nothing; "
                        "accepted: a non-empty string", names[i]);
      add_setting_from_node (parser, key, where, g_variant_new_string (value));
    }

  return TRUE;
}

static gboolean
expect_count (Parser      *parser,
              JsonNode    *node,
              const char  *pointer,
              const char  *unit,
              guint       *out,
              GError     **error)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64 &&
      json_node_get_int (node) >= 0 && json_node_get_int (node) <= G_MAXINT32)
    {
      *out = json_node_get_int (node);
      return TRUE;
    }

  return fail_at (parser, pointer, FALSE, error, PADDOCK_POLICY_ERROR_SCHEMA,
                  "expected a whole number of %s, 0 or more (0: no limit), got %s", unit, node_type_name (node));
}

/* An HTTP header's name: a token, as RFC 9110 defines it. */
static gboolean
is_header_name (const char *name)
{
  if (*name == '\0')
    return FALSE;
  for (const char *c = name; *c; c++)
    if (!g_ascii_isalnum (*c) && strchr ("!#$%&'*+-.^_`|~", *c) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
parse_headers (Parser      *parser,
               JsonNode    *node,
               const char  *pointer,
               GError     **error)
{
  g_auto(GVariantBuilder) headers = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (!expect_object (parser, node, pointer, error))
    return FALSE;
  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &name, &value))
    {
      g_autofree char *member = g_strdup_printf ("%s/%s", pointer, name);
      const char *text;

      if (!is_header_name (name))
        return fail_at (parser, member, TRUE, error, PADDOCK_POLICY_ERROR_INVALID,
                        "“%s” is not an HTTP header name; accepted: letters, digits and !#$%%&'*+-.^_`|~", name);
      /* A file is no place for a credential: the keychain holds it. */
      if (g_ascii_strcasecmp (name, "Authorization") == 0)
        return fail_at (parser, member, TRUE, error, PADDOCK_POLICY_ERROR_INVALID,
                        "a credential never goes in a file; set \"token_header\": \"Authorization\" and store "
                        "the value in the keychain with `paddockctl telemetry token set`");
      if (!expect_string (parser, value, member, &text, error))
        return FALSE;
      if (strpbrk (text, "\r\n") != NULL)
        return fail_at (parser, member, FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                        "a header's value is one line");
      g_variant_builder_add (&headers, "{ss}", name, text);
    }
  add_setting_from_node (parser, "telemetry.headers", pointer, g_variant_builder_end (&headers));
  return TRUE;
}

static gboolean
parse_telemetry (Parser      *parser,
                 JsonNode    *node,
                 const char  *pointer,
                 GError     **error)
{
  static const char * const keys[] = {
    "export", "otlp_endpoint", "headers", "token_header", "login_token", "log_user_prompts", NULL,
  };
  JsonObject *object;
  JsonNode *member;
  gboolean value;

  if (!expect_object (parser, node, pointer, error))
    return FALSE;
  object = json_node_get_object (node);
  if (!check_keys (parser, object, pointer, keys, error))
    return FALSE;

  if ((member = json_object_get_member (object, "export")))
    {
      if (!expect_boolean (parser, member, "/telemetry/export", &value, error))
        return FALSE;
      add_setting_from_node (parser, "telemetry.export", "/telemetry/export", g_variant_new_boolean (value));
    }

  if ((member = json_object_get_member (object, "otlp_endpoint")))
    {
      const char *endpoint;

      if (!expect_string (parser, member, "/telemetry/otlp_endpoint", &endpoint, error))
        return FALSE;
      if (!g_str_has_prefix (endpoint, "https://") && !g_str_has_prefix (endpoint, "http://"))
        return fail_at (parser, "/telemetry/otlp_endpoint", FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                        "“%s” is not an OTLP/HTTP endpoint; accepted: https://HOST[:PORT][/PATH]", endpoint);
      add_setting_from_node (parser, "telemetry.otlp_endpoint", "/telemetry/otlp_endpoint",
                             g_variant_new_string (endpoint));
    }

  if ((member = json_object_get_member (object, "headers")) &&
      !parse_headers (parser, member, "/telemetry/headers", error))
    return FALSE;

  if ((member = json_object_get_member (object, "token_header")))
    {
      const char *name;

      if (!expect_string (parser, member, "/telemetry/token_header", &name, error))
        return FALSE;
      if (!is_header_name (name))
        return fail_at (parser, "/telemetry/token_header", FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                        "“%s” is not an HTTP header name", name);
      add_setting_from_node (parser, "telemetry.token_header", "/telemetry/token_header",
                             g_variant_new_string (name));
    }

  if ((member = json_object_get_member (object, "login_token")))
    {
      if (!expect_boolean (parser, member, "/telemetry/login_token", &value, error))
        return FALSE;
      add_setting_from_node (parser, "telemetry.login_token", "/telemetry/login_token",
                             g_variant_new_boolean (value));
    }

  if ((member = json_object_get_member (object, "log_user_prompts")))
    {
      if (!expect_boolean (parser, member, "/telemetry/log_user_prompts", &value, error))
        return FALSE;
      add_setting_from_node (parser, "telemetry.log_user_prompts", "/telemetry/log_user_prompts",
                             g_variant_new_boolean (value));
    }

  return TRUE;
}

static gboolean
parse_audit (Parser      *parser,
             JsonNode    *node,
             const char  *pointer,
             GError     **error)
{
  static const char * const keys[] = { "retention_days", "max_size_mb", NULL };
  JsonObject *object;
  JsonNode *member;
  guint value;

  if (!expect_object (parser, node, pointer, error))
    return FALSE;
  object = json_node_get_object (node);
  if (!check_keys (parser, object, pointer, keys, error))
    return FALSE;

  if ((member = json_object_get_member (object, "retention_days")))
    {
      if (!expect_count (parser, member, "/audit/retention_days", "days", &value, error))
        return FALSE;
      add_setting_from_node (parser, "audit.retention_days", "/audit/retention_days", g_variant_new_uint32 (value));
    }
  if ((member = json_object_get_member (object, "max_size_mb")))
    {
      if (!expect_count (parser, member, "/audit/max_size_mb", "megabytes", &value, error))
        return FALSE;
      add_setting_from_node (parser, "audit.max_size_mb", "/audit/max_size_mb", g_variant_new_uint32 (value));
    }

  return TRUE;
}

/* --- the document -------------------------------------------------- */

static gboolean
parse_root (Parser      *parser,
            JsonNode    *root,
            GError     **error)
{
  static const char * const keys[] = {
    "version", "personal_allow_rules", "sandbox", "approval", "commands",
    "network", "mcp", "identity", "telemetry", "audit", NULL,
  };
  PaddockLayer layer = parser->document->layer;
  JsonObject *object;
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return fail_at (parser, "", FALSE, error, PADDOCK_POLICY_ERROR_SCHEMA,
                    "a policy is a JSON object such as {\"version\": 1, \"commands\": […]}; got %s",
                    node_type_name (root));

  object = json_node_get_object (root);
  if (!check_keys (parser, object, "", keys, error))
    return FALSE;

  if ((member = json_object_get_member (object, "version")))
    {
      if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_INT64 ||
          json_node_get_int (member) != 1)
        {
          g_autofree char *text = paddock_json_locator_dup_text (parser->locator, "/version");
          return fail_at (parser, "/version", FALSE, error, PADDOCK_POLICY_ERROR_INVALID,
                          "version %s is not understood; this Paddock reads version 1", text);
        }
    }

  if ((member = json_object_get_member (object, "personal_allow_rules")))
    {
      gboolean value;

      if (layer != PADDOCK_LAYER_MANAGED)
        return fail_at (parser, "/personal_allow_rules", TRUE, error, PADDOCK_POLICY_ERROR_SCHEMA,
                        "only the organisation's requirements (the managed layer) may set this; "
                        "this file belongs to the %s layer", paddock_layer_to_string (layer));
      if (!expect_boolean (parser, member, "/personal_allow_rules", &value, error))
        return FALSE;
      add_setting_from_node (parser, "personal_allow_rules", "/personal_allow_rules",
                             g_variant_new_boolean (value));
    }

  if ((member = json_object_get_member (object, "identity")) && !paddock_layer_is_enforced (layer))
    return fail_at (parser, "/identity", TRUE, error, PADDOCK_POLICY_ERROR_SCHEMA,
                    "only administrators (the managed and system layers) may force an identity; "
                    "this file belongs to the %s layer", paddock_layer_to_string (layer));

  /* One audit store and one collector serve every workspace, and a
   * project must not send its events elsewhere. */
  for (guint i = 0; layer == PADDOCK_LAYER_WORKSPACE && i < 2; i++)
    {
      const char *machine_wide[] = { "telemetry", "audit" };

      if (json_object_has_member (object, machine_wide[i]))
        {
          g_autofree char *where = g_strconcat ("/", machine_wide[i], NULL);
          return fail_at (parser, where, TRUE, error, PADDOCK_POLICY_ERROR_SCHEMA,
                          "“%s” applies to the whole machine: set it in the user layer (policy.json in "
                          "Paddock's configuration folder) or above; this file belongs to the workspace layer",
                          machine_wide[i]);
        }
    }

  if ((member = json_object_get_member (object, "sandbox")) && !parse_sandbox (parser, member, "/sandbox", error))
    return FALSE;
  if ((member = json_object_get_member (object, "approval")) && !parse_approval (parser, member, "/approval", error))
    return FALSE;
  if ((member = json_object_get_member (object, "commands")) && !parse_commands (parser, member, "/commands", error))
    return FALSE;
  if ((member = json_object_get_member (object, "network")) && !parse_network (parser, member, "/network", error))
    return FALSE;
  if ((member = json_object_get_member (object, "mcp")) && !parse_mcp (parser, member, "/mcp", error))
    return FALSE;
  if ((member = json_object_get_member (object, "identity")) && !parse_identity (parser, member, "/identity", error))
    return FALSE;
  if ((member = json_object_get_member (object, "telemetry")) && !parse_telemetry (parser, member, "/telemetry", error))
    return FALSE;
  if ((member = json_object_get_member (object, "audit")) && !parse_audit (parser, member, "/audit", error))
    return FALSE;

  return TRUE;
}

PaddockPolicyDocument *
paddock_policy_document_new_from_json (PaddockLayer   layer,
                                       const char    *source,
                                       const char    *text,
                                       gssize         length,
                                       GError       **error)
{
  g_autoptr(PaddockPolicyDocument) document = NULL;
  g_autoptr(PaddockJsonLocator) locator = NULL;
  g_autoptr(JsonParser) json = NULL;
  g_autoptr(GError) local_error = NULL;
  Parser parser;

  g_return_val_if_fail (source != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if (length < 0)
    length = strlen (text);

  /* The locator is the strict scanner: it refuses what json-glib would
   * tolerate (duplicate keys, trailing garbage) and gives positions. */
  locator = paddock_json_locator_new (text, length, &local_error);
  if (locator == NULL)
    {
      paddock_fail (error, PADDOCK_POLICY_ERROR, local_error->code, "%s:%s",
                    source, local_error->message);
      return NULL;
    }

  json = json_parser_new_immutable ();
  if (!json_parser_load_from_data (json, text, length, &local_error))
    {
      paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SYNTAX, "%s: %s",
                    source, local_error->message);
      return NULL;
    }

  document = paddock_policy_document_new (layer, source);
  parser.document = document;
  parser.locator = locator;

  if (!parse_root (&parser, json_parser_get_root (json), error))
    return NULL;

  return g_steal_pointer (&document);
}

PaddockPolicyDocument *
paddock_policy_document_new_from_file (PaddockLayer   layer,
                                       const char    *path,
                                       GError       **error)
{
  g_autoptr(PaddockPolicyDocument) document = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO,
                    "%s: cannot be read: %s", path, local_error->message);
      return NULL;
    }

  if (!g_str_has_suffix (path, ".rules"))
    return paddock_policy_document_new_from_json (layer, path, contents, length, error);

  document = paddock_policy_document_new (layer, path);
  if (!paddock_codex_rules_parse (path, contents, length, layer, document->rules, error))
    return NULL;

  /* Codex accepts any host name; Paddock canonicalises them as it does
   * every host, and refuses the file if one cannot be. */
  for (guint i = 0; i < document->rules->len; i++)
    {
      PaddockRule *rule = g_ptr_array_index (document->rules, i);
      g_autoptr(PaddockHostPattern) pattern = NULL;

      if (rule->kind != PADDOCK_RULE_NETWORK)
        continue;
      pattern = paddock_host_pattern_new (rule->host, &local_error);
      if (pattern == NULL)
        {
          paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_INVALID,
                        "%s:%u:%u: network_rule host: %s", path, rule->line, rule->column,
                        local_error->message);
          return NULL;
        }
    }

  return g_steal_pointer (&document);
}
