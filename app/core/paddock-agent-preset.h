/* paddock-agent-preset.h: what the agent CLIs people use need from the
 * sandbox: their provider's hosts, and the variable their key goes in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *name;                 /* "codex" */
  const char *title;                /* "Codex CLI" */
  const char * const *programs;     /* the commands that start it */
  const char * const *domains;      /* allowed for the session where the policy would ask */
  const char *key_variable;         /* where it reads its provider's key */
  /* How it is told of an MCP server started by a command, and of a
   * hook that reports its user's prompts: the options, with %c for the
   * command as a JSON string, %a for the JSON list of its arguments and
   * %h for the hook's shell command as a JSON string; NULL when it
   * cannot be told on its command line. */
  const char * const *mcp_options;
  /* Or through a settings file the variable names, the template with
   * the same placeholders (Gemini CLI's system settings, which win over
   * the user's); NULL when it has none. */
  const char *settings_variable;
  const char *settings_template;
} PaddockAgentPreset;

/* Every preset, NULL-terminated. */
const PaddockAgentPreset * const *paddock_agent_presets             (void);
const PaddockAgentPreset         *paddock_agent_preset_lookup       (const char *name);
/* The preset of the program @command starts (its basename), or NULL. */
const PaddockAgentPreset         *paddock_agent_preset_for_command  (const char *command);
/* @argv with the options that point the agent's own MCP client at
 * @server (a command and its arguments), when @argv starts @preset's
 * program and the agent can be told; else a copy of @argv. */
GStrv                             paddock_agent_preset_add_mcp_server (const PaddockAgentPreset *preset,
                                                                       const char * const       *argv,
                                                                       const char * const       *server);
/* The settings file that points @preset's MCP client at @server, or
 * NULL when it reads none. */
char                             *paddock_agent_preset_dup_settings (const PaddockAgentPreset *preset,
                                                                     const char * const       *server);

G_END_DECLS
