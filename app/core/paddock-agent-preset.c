/* paddock-agent-preset.c
 *
 * The hosts are each agent's model API and sign-in, as their own
 * documentation lists them; anything else they reach is asked about or
 * refused as the policy says.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "paddock-agent-preset.h"

static const PaddockAgentPreset codex = {
  "codex", "Codex CLI",
  (const char * const[]) { "codex", NULL },
  (const char * const[]) { "api.openai.com", "auth.openai.com", "chatgpt.com", NULL },
  "OPENAI_API_KEY",
  /* Codex CLI's -c takes TOML values. */
  (const char * const[]) { "-c", "mcp_servers.paddock.command=%c", "-c", "mcp_servers.paddock.args=%a",
                           /* Called after each turn, with the turn's input messages. */
                           "-c", "notify=[%c, \"--record-prompt\", \"codex\"]", NULL },
};

static const PaddockAgentPreset claude = {
  "claude", "Claude Code",
  (const char * const[]) { "claude", NULL },
  (const char * const[]) { "api.anthropic.com", "console.anthropic.com", "statsig.anthropic.com", NULL },
  "ANTHROPIC_API_KEY",
  (const char * const[]) { "--mcp-config", "{\"mcpServers\": {\"paddock\": {\"command\": %c, \"args\": %a}}}",
                           /* A shell command, given the prompt as JSON on its input. */
                           "--settings", "{\"hooks\": {\"UserPromptSubmit\": [{\"hooks\": [{\"type\": \"command\", "
                           "\"command\": %h}]}]}}", NULL },
};

static const PaddockAgentPreset gemini = {
  "gemini", "Gemini CLI",
  (const char * const[]) { "gemini", NULL },
  (const char * const[]) { "generativelanguage.googleapis.com", "cloudcode-pa.googleapis.com",
                           "oauth2.googleapis.com", NULL },
  "GEMINI_API_KEY",
  NULL,
  "GEMINI_CLI_SYSTEM_SETTINGS_PATH",
  "{\"mcpServers\": {\"paddock\": {\"command\": %c, \"args\": %a}}}",
};

static const PaddockAgentPreset aider = {
  "aider", "aider",
  (const char * const[]) { "aider", NULL },
  (const char * const[]) { "api.openai.com", "api.anthropic.com", "openrouter.ai", NULL },
  "OPENAI_API_KEY",
  NULL,
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

/* A JSON string: TOML's basic strings read it the same. */
static char *
quoted (const char *text)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);

  return json_to_string (node, FALSE);
}

/* @template with %c, %a and %h filled in for @server. */
static char *
expand (const PaddockAgentPreset *preset,
        const char               *template,
        const char * const       *server)
{
  g_autofree char *command = quoted (server[0]);
  g_autofree char *hook_line = g_strdup_printf ("%s --record-prompt %s", server[0], preset->name);
  g_autofree char *hook = quoted (hook_line);
  g_autoptr(GString) args = g_string_new ("[");
  GString *text = g_string_new (template);

  for (guint i = 1; server[i] != NULL; i++)
    {
      g_autofree char *arg = quoted (server[i]);
      g_string_append_printf (args, "%s%s", i > 1 ? ", " : "", arg);
    }
  g_string_append (args, "]");
  g_string_replace (text, "%c", command, 0);
  g_string_replace (text, "%a", args->str, 0);
  g_string_replace (text, "%h", hook, 0);
  return g_string_free (text, FALSE);
}

GStrv
paddock_agent_preset_add_mcp_server (const PaddockAgentPreset *preset,
                                     const char * const       *argv,
                                     const char * const       *server)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *base = g_path_get_basename (argv[0]);

  if (preset == NULL || preset->mcp_options == NULL || !g_strv_contains (preset->programs, base))
    return g_strdupv ((char **) argv);

  g_strv_builder_add (builder, argv[0]);
  for (guint i = 0; preset->mcp_options[i] != NULL; i++)
    {
      g_autofree char *option = expand (preset, preset->mcp_options[i], server);
      g_strv_builder_add (builder, option);
    }
  for (guint i = 1; argv[i] != NULL; i++)
    g_strv_builder_add (builder, argv[i]);
  return g_strv_builder_end (builder);
}

char *
paddock_agent_preset_dup_settings (const PaddockAgentPreset *preset,
                                   const char * const       *server)
{
  g_return_val_if_fail (preset != NULL, NULL);

  return preset->settings_template ? expand (preset, preset->settings_template, server) : NULL;
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
