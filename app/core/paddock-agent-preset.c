/* paddock-agent-preset.c
 *
 * The hosts are each agent's model API and sign-in, as their own
 * documentation lists them; anything else they reach is asked about or
 * refused as the policy says.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "paddock-agent-preset.h"

static const PaddockAgentPreset codex = {
  "codex", "Codex CLI",
  (const char * const[]) { "codex", NULL },
  (const char * const[]) { "api.openai.com", "auth.openai.com", "chatgpt.com", NULL },
  "OPENAI_API_KEY",
};

static const PaddockAgentPreset claude = {
  "claude", "Claude Code",
  (const char * const[]) { "claude", NULL },
  (const char * const[]) { "api.anthropic.com", "console.anthropic.com", "statsig.anthropic.com", NULL },
  "ANTHROPIC_API_KEY",
};

static const PaddockAgentPreset gemini = {
  "gemini", "Gemini CLI",
  (const char * const[]) { "gemini", NULL },
  (const char * const[]) { "generativelanguage.googleapis.com", "cloudcode-pa.googleapis.com",
                           "oauth2.googleapis.com", NULL },
  "GEMINI_API_KEY",
};

static const PaddockAgentPreset aider = {
  "aider", "aider",
  (const char * const[]) { "aider", NULL },
  (const char * const[]) { "api.openai.com", "api.anthropic.com", "openrouter.ai", NULL },
  "OPENAI_API_KEY",
};

static const PaddockAgentPreset * const presets[] = { &codex, &claude, &gemini, &aider, NULL };

const PaddockAgentPreset * const *
paddock_agent_presets (void)
{
  return presets;
}

const PaddockAgentPreset *
paddock_agent_preset_lookup (const char *name)
{
  for (guint i = 0; presets[i] != NULL; i++)
    if (g_strcmp0 (presets[i]->name, name) == 0)
      return presets[i];
  return NULL;
}

const PaddockAgentPreset *
paddock_agent_preset_for_command (const char *command)
{
  g_autofree char *base = g_path_get_basename (command);

  for (guint i = 0; presets[i] != NULL; i++)
    if (g_strv_contains (presets[i]->programs, base))
      return presets[i];
  return NULL;
}
