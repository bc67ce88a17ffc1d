/* paddock-rule.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "paddock-action.h"
#include "paddock-rule.h"

G_DEFINE_BOXED_TYPE (PaddockRule, paddock_rule, paddock_rule_ref, paddock_rule_unref)

PaddockRule *
paddock_rule_new (PaddockRuleKind kind,
                  PaddockLayer    layer,
                  PaddockVerdict  verdict)
{
  PaddockRule *rule = g_new0 (PaddockRule, 1);

  g_atomic_ref_count_init (&rule->ref_count);
  rule->kind = kind;
  rule->layer = layer;
  rule->verdict = verdict;

  return rule;
}

PaddockRule *
paddock_rule_ref (PaddockRule *rule)
{
  g_return_val_if_fail (rule != NULL, NULL);

  g_atomic_ref_count_inc (&rule->ref_count);
  return rule;
}

void
paddock_rule_unref (PaddockRule *rule)
{
  g_return_if_fail (rule != NULL);

  if (!g_atomic_ref_count_dec (&rule->ref_count))
    return;

  for (guint i = 0; i < rule->n_tokens; i++)
    {
      g_strfreev (rule->tokens[i].words);
      g_clear_pointer (&rule->tokens[i].regex, g_regex_unref);
    }
  g_free (rule->tokens);
  g_free (rule->source);
  g_free (rule->text);
  g_free (rule->reason);
  g_strfreev (rule->when_any);
  g_strfreev (rule->unless_any);
  g_strfreev (rule->host_paths);
  g_free (rule->host);
  g_free (rule->protocol);
  g_free (rule->path);
  g_free (rule->server);
  g_free (rule->tool);
  g_free (rule);
}

void
paddock_rule_set_source (PaddockRule *rule,
                         const char  *source,
                         guint        line,
                         guint        column)
{
  g_return_if_fail (rule != NULL);

  g_free (rule->source);
  rule->source = g_strdup (source);
  rule->line = line;
  rule->column = column;
}

static PaddockPatternToken *
add_token (PaddockRule *rule)
{
  rule->tokens = g_renew (PaddockPatternToken, rule->tokens, rule->n_tokens + 1);
  memset (&rule->tokens[rule->n_tokens], 0, sizeof (PaddockPatternToken));
  return &rule->tokens[rule->n_tokens++];
}

void
paddock_rule_add_words (PaddockRule        *rule,
                        const char * const *words)
{
  PaddockPatternToken *token;

  g_return_if_fail (rule != NULL);
  g_return_if_fail (words != NULL);

  token = add_token (rule);
  token->kind = PADDOCK_TOKEN_WORDS;
  token->words = g_strdupv ((char **) words);
}

void
paddock_rule_add_regex (PaddockRule *rule,
                        GRegex      *regex)
{
  PaddockPatternToken *token;

  g_return_if_fail (rule != NULL);
  g_return_if_fail (regex != NULL);

  token = add_token (rule);
  token->kind = PADDOCK_TOKEN_REGEX;
  token->regex = regex;
}

char *
paddock_rule_dup_location (const PaddockRule *rule)
{
  g_return_val_if_fail (rule != NULL, NULL);

  if (rule->source == NULL)
    return g_strdup ("built in");
  if (rule->line == 0)
    return g_strdup (rule->source);
  if (rule->column == 0)
    return g_strdup_printf ("%s:%u", rule->source, rule->line);
  return g_strdup_printf ("%s:%u:%u", rule->source, rule->line, rule->column);
}

char *
paddock_rule_dup_display_text (const PaddockRule *rule)
{
  g_return_val_if_fail (rule != NULL, NULL);

  return paddock_escape_as_one_line (rule->text ? rule->text : "");
}
