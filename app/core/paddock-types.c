/* paddock-types.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "paddock-types.h"

static const char * const verdicts[] = { "allow", "prompt", "forbidden" };
static const char * const layers[] = {
  "managed", "system", "user", "workspace", "defaults", "session", "implicit",
};
static const char * const approval_modes[] = {
  "untrusted", "on-request", "never", "auto-review",
};
static const char * const sandbox_modes[] = {
  "read-only", "workspace-write", "full-access",
};
static const char * const network_modes[] = { "disabled", "allowlist", "full" };
static const char * const action_kinds[] = { "exec", "write", "read", "net", "mcp" };

static gboolean
lookup (const char * const *names,
        guint               n_names,
        const char         *str,
        int                *out)
{
  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < n_names; i++)
    {
      if (g_str_equal (names[i], str))
        {
          *out = i;
          return TRUE;
        }
    }

  return FALSE;
}

#define DEFINE_ENUM_STRINGS(func, Type, table)                          \
  const char *                                                          \
  func##_to_string (Type value)                                         \
  {                                                                     \
    g_return_val_if_fail ((guint) value < G_N_ELEMENTS (table), NULL);  \
    return table[value];                                                \
  }                                                                     \
  gboolean                                                              \
  func##_from_string (const char *str,                                  \
                      Type       *value)                                \
  {                                                                     \
    int v;                                                              \
    if (!lookup (table, G_N_ELEMENTS (table), str, &v))                 \
      return FALSE;                                                     \
    *value = (Type) v;                                                  \
    return TRUE;                                                        \
  }

DEFINE_ENUM_STRINGS (paddock_verdict, PaddockVerdict, verdicts)
DEFINE_ENUM_STRINGS (paddock_approval_mode, PaddockApprovalMode, approval_modes)
DEFINE_ENUM_STRINGS (paddock_sandbox_mode, PaddockSandboxMode, sandbox_modes)
DEFINE_ENUM_STRINGS (paddock_network_mode, PaddockNetworkMode, network_modes)

const char *
paddock_layer_to_string (PaddockLayer layer)
{
  g_return_val_if_fail ((guint) layer < G_N_ELEMENTS (layers), NULL);
  return layers[layer];
}

const char *
paddock_action_kind_to_string (PaddockActionKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (action_kinds), NULL);
  return action_kinds[kind];
}

gboolean
paddock_layer_is_enforced (PaddockLayer layer)
{
  return layer == PADDOCK_LAYER_MANAGED || layer == PADDOCK_LAYER_SYSTEM;
}

gboolean
paddock_layer_is_personal (PaddockLayer layer)
{
  return layer == PADDOCK_LAYER_USER || layer == PADDOCK_LAYER_WORKSPACE;
}
