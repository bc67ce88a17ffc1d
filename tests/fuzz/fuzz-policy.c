/* fuzz-policy.c: libFuzzer target for the policy loader
 *
 * The first byte chooses the format (JSON policy or Codex .rules) and
 * the layer; the rest is the document. A document that loads is then
 * compiled into a policy and asked a few questions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "paddock-codex-rules.h"
#include "paddock-policy.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(PaddockPolicyDocument) document = NULL;
  g_autoptr(GError) error = NULL;
  PaddockLayer layer;
  gboolean codex;

  if (size < 1)
    return 0;

  codex = data[0] & 1;
  layer = (data[0] >> 1) % (PADDOCK_LAYER_DEFAULTS + 1);
  data++;
  size--;

  if (codex)
    {
      document = paddock_policy_document_new (layer, "fuzz.rules");
      if (!paddock_codex_rules_parse ("fuzz.rules", (const char *) data, size, layer, document->rules, &error))
        g_clear_pointer (&document, paddock_policy_document_unref);
    }
  else
    document = paddock_policy_document_new_from_json (layer, "fuzz.json", (const char *) data, size, &error);

  g_assert ((document == NULL) != (error == NULL));

  if (document != NULL)
    {
      g_autoptr(GPtrArray) documents = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_policy_document_unref);
      g_autoptr(PaddockPolicy) policy = NULL;
      const char *argv[] = { "git", "push", "--force", NULL };
      g_autoptr(PaddockAction) exec = paddock_action_new_exec (argv, "/tmp");
      g_autoptr(PaddockAction) net = paddock_action_new_net ("api.github.com", 443, "https");
      g_autoptr(PaddockAction) write = paddock_action_new_path (PADDOCK_ACTION_WRITE, "/tmp/.git/config", NULL);
      g_autoptr(PaddockAction) mcp = paddock_action_new_mcp ("github", "create_issue");
      PaddockAction *actions[] = { exec, net, write, mcp };

      g_ptr_array_add (documents, g_steal_pointer (&document));
      policy = paddock_policy_new ("/tmp", "/nonexistent-home", documents);
      for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
        {
          g_autoptr(PaddockDecision) decision = paddock_policy_evaluate (policy, actions[i], NULL);
          g_autoptr(JsonNode) node = paddock_decision_to_json (decision);

          g_assert (node != NULL && decision->decisive != NULL);
        }
      {
        g_autoptr(JsonNode) node = paddock_policy_to_json (policy);
        g_autofree char *text = paddock_policy_to_text (policy);

        g_assert (node != NULL && text != NULL);
      }
    }

  return 0;
}
