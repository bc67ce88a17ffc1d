/* paddockctl.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "paddock-paths.h"
#include "paddockctl.h"

int
paddockctl_exec_helper (const char  *helper,
                        int          argc,
                        char       **argv)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  g_ptr_array_add (args, (gpointer) helper);
  for (int i = 0; i < argc; i++)
    g_ptr_array_add (args, argv[i]);
  g_ptr_array_add (args, NULL);
  execv (helper, (char **) args->pdata);
  return paddockctl_error (_("%s cannot be started: %s"), helper, g_strerror (errno));
}

gboolean
paddockctl_set_approval_mode (PaddockPolicy  *policy,
                              const char     *mode,
                              GError        **error)
{
  PaddockApprovalMode approval;

  if (!paddock_approval_mode_from_string (mode, &approval))
    {
      g_set_error (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_INVALID,
                   _("“%s” is not an approval mode; accepted: untrusted, on-request, never, auto-review"), mode);
      return FALSE;
    }
  return paddock_policy_set_approval_mode (policy, approval, error);
}

void
paddockctl_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static int
usage (FILE *out)
{
  fprintf (out, "%s",
           _("Usage: paddockctl COMMAND [OPTION…]\n"
             "\n"
             "Commands:\n"
             "  check [OPTION…] -- PROGRAM [ARG…]   Decide a command, with the layer and rule that decide it\n"
             "  check [OPTION…] --net HOST[:PORT]   … a network destination\n"
             "  check [OPTION…] --write PATH        … a file write (--read PATH for a read)\n"
             "  check [OPTION…] --mcp SERVER[/TOOL] … an MCP tool call\n"
             "  run [--sandbox MODE] [--timeout S] -- PROGRAM [ARG…]   Run a command in the sandbox\n"
             "  policy show [--workspace DIR] [--json]   The effective policy and where each value comes from\n"
             "  policy lint [--layer LAYER] FILE…         Validate policy files (JSON or Codex .rules)\n"
             "  policy refresh                            Fetch the organisation's requirements now\n"
             "  workspace show|trust|untrust [DIR]        Whether Paddock trusts a project's .paddock/policy.json\n"
             "  audit list|show ID|export [OPTION…]       What happened, from the audit store\n"
             "  telemetry status|flush                    Where events are exported, and what waits\n"
             "  telemetry token set|clear                 Keep the collector's token in the keychain\n"
             "  agent start [--preset NAME] -- COMMAND…  Start an agent CLI inside the sandbox\n"
             "  agent key set|clear PRESET | presets      Its provider key in the keychain; the presets\n"
             "  mcp [--workspace DIR]                     Serve MCP on stdio: an agent's tools under the policy\n"
             "  login [--issuer URL] [--client-id ID] [--device] [--mcp-server URL]   Sign in\n"
             "  logout [--issuer URL] [--mcp-server URL]  Sign out, and forget the tokens\n"
             "  accounts [--json]                         Who is signed in, where, until when\n"
             "\n"
             "Run “paddockctl COMMAND --help” for the options of a command.\n"));
  return out == stdout ? PADDOCKCTL_EXIT_OK : PADDOCKCTL_EXIT_ERROR;
}

int
main (int   argc,
      char *argv[])
{
  paddock_paths_init ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("paddockctl");

  if (argc < 2)
    return usage (stderr);

  if (g_str_equal (argv[1], "check"))
    return paddockctl_check (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "run"))
    return paddockctl_run (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "policy"))
    return paddockctl_policy (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "workspace"))
    return paddockctl_workspace (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "audit"))
    return paddockctl_audit (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "telemetry"))
    return paddockctl_telemetry (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "agent"))
    return paddockctl_exec_helper (PADDOCK_DEVELOPMENT ? PADDOCK_BUILD_AGENT : PADDOCK_AGENT, argc - 2, argv + 2);
  /* It may reach MCP servers over HTTP, with logins from the keychain:
   * the helper loads libsoup and libsecret, paddockctl does not. */
  if (g_str_equal (argv[1], "mcp"))
    return paddockctl_exec_helper (PADDOCK_DEVELOPMENT ? PADDOCK_BUILD_AGENT : PADDOCK_AGENT, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "login") || g_str_equal (argv[1], "logout") || g_str_equal (argv[1], "accounts"))
    return paddockctl_exec_helper (PADDOCK_DEVELOPMENT ? PADDOCK_BUILD_LOGIN : PADDOCK_LOGIN, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    return usage (stdout);
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("paddockctl %s\n", PACKAGE_VERSION);
      return PADDOCKCTL_EXIT_OK;
    }

  paddockctl_error (_("unknown command “%s”"), argv[1]);
  return usage (stderr);
}
