/* fuzz-shell.c: libFuzzer target for the shell analyser
 *
 * Feeds arbitrary scripts to the parser and then through the whole
 * command analysis (bash -c SCRIPT against the shipped defaults), which
 * unwraps, resolves paths and recurses into nested shells.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "paddock-policy.h"
#include "paddock-shell.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static PaddockPolicy *policy;

static PaddockPolicy *
get_policy (void)
{
  g_autoptr(GPtrArray) documents = NULL;
  g_autoptr(GError) error = NULL;
  PaddockPolicyDocument *defaults;

  if (policy != NULL)
    return policy;

  documents = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_policy_document_unref);
  defaults = paddock_policy_document_new_from_file (PADDOCK_LAYER_DEFAULTS,
                                                    PADDOCK_SOURCE_DATADIR "/default-policy.json", &error);
  g_assert_no_error (error);
  g_ptr_array_add (documents, defaults);
  policy = paddock_policy_new ("/tmp", "/nonexistent-home", documents);
  return policy;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *script = g_strndup ((const char *) data, size);
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GError) error = NULL;

  commands = paddock_shell_parse (script, &error);
  g_assert ((commands == NULL) != (error == NULL));

  {
    const char *argv[] = { "bash", "-c", script, NULL };
    g_autoptr(PaddockAction) action = paddock_action_new_exec (argv, "/tmp");
    g_autoptr(PaddockDecision) decision = paddock_policy_evaluate (get_policy (), action, NULL);
    g_autoptr(JsonNode) node = paddock_decision_to_json (decision);
    g_autofree char *text = paddock_decision_to_text (decision);

    g_assert (decision->decisive != NULL);
    g_assert (node != NULL && text != NULL);
  }

  return 0;
}
