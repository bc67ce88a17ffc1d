/* paddock-agent: `paddockctl agent`, an agent CLI started inside the
 * workspace's sandbox
 *
 * Its network goes only through the proxy; its preset allows its
 * provider's hosts for the session where the policy would ask (never
 * where it forbids); its provider key comes from the keychain into its
 * environment, never into a file. The session is recorded from start to
 * end, with the files it changed. A program of its own because it reads
 * the keychain, which paddockctl does not load.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include <errno.h>

#include <gio/gunixsocketaddress.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "paddock-agent-preset.h"
#include "paddock-audit-session.h"
#include "paddock-keychain.h"
#include "paddock-mcp-gateway.h"
#include "paddock-mcp-server.h"
#include "paddock-path.h"
#include "paddock-paths.h"
#include "paddock-runner.h"
#include "paddock-sandbox.h"
#include "paddock-snapshot.h"
#include "paddockctl.h"

/* How many files the changes are looked for in: more is said, not hung on. */
#define MAX_FILES 200000
/* What the diff at the end can show of the files as they were. */
#define MAX_KEPT_BYTES (64 * 1024 * 1024)

/* The keychain entry of a preset's key. */
static PaddockKeychainEntry
key_entry (const PaddockAgentPreset *preset)
{
  PaddockKeychainEntry entry = { "agent", preset->name, preset->key_variable, "api-key" };

  return entry;
}

/* --- key ------------------------------------------------------------------ */

static int
key_main (int    argc,
          char **argv)
{
  const PaddockAgentPreset *preset = argc == 3 ? paddock_agent_preset_lookup (argv[2]) : NULL;
  g_autoptr(GError) error = NULL;
  PaddockKeychainEntry entry;

  if (argc != 3 || (!g_str_equal (argv[1], "set") && !g_str_equal (argv[1], "clear")))
    return paddockctl_error (_("usage: paddockctl agent key set|clear PRESET"));
  if (preset == NULL)
    return paddockctl_error (_("no preset “%s”; “paddockctl agent presets” lists them"), argv[2]);
  entry = key_entry (preset);

  if (g_str_equal (argv[1], "clear"))
    {
      if (!paddock_keychain_clear (&entry, &error) && error != NULL)
        return paddockctl_error ("%s", error->message);
      g_print (_("%s's key is gone from the keychain.\n"), preset->title);
      return 0;
    }
  {
    g_autoptr(GString) key = g_string_new (NULL);
    g_autofree char *label = g_strdup_printf ("Paddock: %s's %s", preset->title, preset->key_variable);
    struct termios saved, quiet;
    gboolean tty = isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved) == 0;
    int c;

    if (tty)
      {
        g_printerr (_("%s for %s (not shown): "), preset->key_variable, preset->title);
        quiet = saved;
        quiet.c_lflag &= ~ECHO;
        tcsetattr (STDIN_FILENO, TCSANOW, &quiet);
      }
    while ((c = getchar ()) != EOF && c != '\n')
      g_string_append_c (key, c);
    if (tty)
      {
        tcsetattr (STDIN_FILENO, TCSANOW, &saved);
        g_printerr ("\n");
      }
    if (key->len == 0 || strpbrk (key->str, "\r\n") != NULL)
      return paddockctl_error (_("no key was given"));
    if (!paddock_keychain_store (&entry, label, key->str, &error))
      return paddockctl_error ("%s", error->message);
    memset (key->str, 0, key->len);
    g_print (_("%s's key is in the keychain; agents started with the %s preset get it as %s.\n"), preset->title,
             preset->name, preset->key_variable);
  }
  return 0;
}

/* --- start --------------------------------------------------------------- */

/* --- Paddock's MCP server, for the agent's own MCP client --------------- */

typedef struct
{
  PaddockPolicy *policy;
  PaddockWorkspace *workspace;
  PaddockGrants *grants;
  PaddockAuditSession *session;
  PaddockctlAsker *asker;
  PaddockMcpGateway *gateway;  /* the servers the policy names, for every connection */
  GSocketService *service;
  char *dir;
  char *path;
  int null_fd;
} McpHost;

static void
on_served (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GIOStream) connection = user_data;

  paddock_mcp_server_run_finish (PADDOCK_MCP_SERVER (source), result, NULL);
  /* The bridge inside hears the end. */
  g_io_stream_close (connection, NULL, NULL);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             McpHost           *host)
{
  g_autoptr(PaddockMcpServer) server = paddock_mcp_server_new (host->policy, host->workspace, host->grants,
                                                               host->session);

  g_signal_connect (server, "approval-needed", G_CALLBACK (paddockctl_asker_on_approval_needed), host->asker);
  paddock_mcp_server_set_accepts_prompts (server, TRUE);
  paddock_mcp_server_set_gateway (server, host->gateway);
  paddock_mcp_server_run_async (server, g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                g_io_stream_get_output_stream (G_IO_STREAM (connection)), NULL, on_served,
                                g_object_ref (connection));
  return TRUE;
}

/* Listens on a socket of mode 0600 in a private folder; the sandbox gets
 * it at PADDOCK_SANDBOX_MCP_SOCKET. */
static gboolean
mcp_host_start (McpHost  *host,
                GError  **error)
{
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");
  g_autoptr(GSocketAddress) address = NULL;

  host->dir = g_build_filename (runtime && *runtime ? runtime : g_get_tmp_dir (), "paddock-mcp-XXXXXX", NULL);
  if (g_mkdtemp_full (host->dir, 0700) == NULL)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", host->dir, g_strerror (errno));
      return FALSE;
    }
  host->path = g_build_filename (host->dir, "mcp.sock", NULL);
  address = g_unix_socket_address_new (host->path);
  host->gateway = paddock_mcp_gateway_new (host->policy, host->workspace, host->grants, host->session);
  g_signal_connect (host->gateway, "approval-needed", G_CALLBACK (paddockctl_asker_on_approval_needed), host->asker);
  /* The terminal is the agent's: the servers' own messages go nowhere. */
  host->null_fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  paddock_mcp_gateway_set_error_fd (host->gateway, host->null_fd);
  host->service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (host->service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, error))
    return FALSE;
  g_signal_connect (host->service, "incoming", G_CALLBACK (on_incoming), host);
  g_socket_service_start (host->service);
  return TRUE;
}

static void
mcp_host_stop (McpHost *host)
{
  if (host->gateway != NULL)
    paddock_mcp_gateway_stop (host->gateway);
  g_clear_object (&host->gateway);
  if (host->null_fd > 0)
    close (host->null_fd);
  host->null_fd = -1;
  if (host->service != NULL)
    {
      g_socket_service_stop (host->service);
      g_socket_listener_close (G_SOCKET_LISTENER (host->service));
      g_clear_object (&host->service);
    }
  if (host->path != NULL)
    g_unlink (host->path);
  if (host->dir != NULL)
    {
      g_autofree char *settings = g_build_filename (host->dir, "settings.json", NULL);

      g_unlink (settings);
      g_rmdir (host->dir);
    }
  g_clear_pointer (&host->path, g_free);
  g_clear_pointer (&host->dir, g_free);
}

/* Stopped by a person (the app's Stop, a closed terminal): the agent
 * goes, and its end is still recorded. */
static gboolean
on_stop (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

static JsonObject *
string_list (JsonObject         *attributes,
             const char         *name,
             const char * const *values)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_array_add_string_element (array, values[i]);
  json_object_set_array_member (attributes, name, array);
  return attributes;
}

static int
start_main (int    argc,
            char **argv)
{
  g_autofree char *workspace_dir = NULL;
  g_autofree char *preset_name = NULL;
  g_autofree char *diff_file = NULL;
  g_auto(GStrv) allow_domains = NULL;
  g_auto(GStrv) command = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  const GOptionEntry entries[] = {
    { "workspace", 'w', 0, G_OPTION_ARG_FILENAME, &workspace_dir, N_("The workspace (default: the current folder)"), N_("DIR") },
    { "preset", 'p', 0, G_OPTION_ARG_STRING, &preset_name, N_("The agent's preset (default: from the command's name)"), N_("NAME") },
    { "allow-domain", 'a', 0, G_OPTION_ARG_STRING_ARRAY, &allow_domains, N_("Allow these hosts for the session where the policy would ask (repeatable)"), N_("PATTERN") },
    { "diff-file", 0, 0, G_OPTION_ARG_FILENAME, &diff_file, N_("At the end, write the diff of what the agent changed in the workspace to FILE"), N_("FILE") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &command, NULL, N_("-- COMMAND [ARG…]") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockWorkspace) workspace = NULL;
  g_autoptr(PaddockPolicy) policy = NULL;
  g_auto(PaddockctlExport) export = { NULL };
  g_autoptr(PaddockAuditSession) session = NULL;
  g_autoptr(PaddockGrants) grants = NULL;
  g_autoptr(PaddockctlAsker) asker = NULL;
  g_autoptr(PaddockRunner) runner = NULL;
  g_autoptr(PaddockRunResult) outcome = NULL;
  g_autoptr(PaddockSnapshot) before = NULL;
  g_autoptr(PaddockSnapshot) after = NULL;
  g_autoptr(JsonObject) attributes = NULL;
  g_autofree char *session_path = paddock_grants_dup_session_path ();
  g_autofree char *shown = NULL;
  g_autofree char *client = NULL;
  g_autofree char *run_dir = NULL;
  g_auto(GStrv) changes = NULL;
  g_autoptr(GPtrArray) environment = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_keychain_free);
  const PaddockAgentPreset *preset;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(GStrv) agent_argv = NULL;
  McpHost mcp = { NULL };
  guint terminate, hangup;
  int exit_code;

  g_set_prgname ("paddockctl agent start");
  g_option_context_set_summary (context, _("Start an agent CLI inside the workspace's sandbox."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return paddockctl_error ("%s", error->message);
  if (command == NULL || command[0] == NULL)
    return paddockctl_error (_("name the agent: paddockctl agent start [OPTION…] -- COMMAND [ARG…]"));
  preset = preset_name ? paddock_agent_preset_lookup (preset_name) : paddock_agent_preset_for_command (command[0]);
  if (preset_name != NULL && preset == NULL)
    return paddockctl_error (_("no preset “%s”; “paddockctl agent presets” lists them"), preset_name);

  policy = paddockctl_open_policy (workspace_dir, &workspace, &error);
  if (policy == NULL)
    return paddockctl_error ("%s", error->message);
  session = paddockctl_open_session (policy, workspace, "paddockctl agent", &export, &error);
  if (session == NULL)
    return paddockctl_error ("%s", error->message);
  paddock_audit_session_set_attribute (session, "agent.preset", preset ? preset->name : "none");

  grants = session_path != NULL ? paddock_grants_new_from_file (session_path, &error) : paddock_grants_new ();
  if (grants == NULL)
    return paddockctl_error ("%s", error->message);
  for (guint i = 0; preset != NULL && preset->domains[i] != NULL; i++)
    {
      g_autofree char *source = g_strdup_printf ("the %s preset", preset->name);

      if (!paddock_grants_add_network_pattern (grants, preset->domains[i], source, &error))
        return paddockctl_error ("%s", error->message);
    }
  for (guint i = 0; allow_domains != NULL && allow_domains[i] != NULL; i++)
    if (!paddock_grants_add_network_pattern (grants, allow_domains[i], "paddockctl agent --allow-domain", &error))
      return paddockctl_error ("--allow-domain: %s", error->message);

  /* The provider's key, when one is kept: in the agent's environment
   * only, as its own documentation asks for it. */
  if (preset != NULL)
    {
      PaddockKeychainEntry entry = key_entry (preset);
      char *key = paddock_keychain_lookup (&entry, &error);

      if (key != NULL)
        {
          g_ptr_array_add (environment, g_strconcat (preset->key_variable, "=", key, NULL));
          paddock_keychain_free (key);
        }
      else if (error != NULL)
        {
          g_printerr (_("paddockctl: %s's key is not given to it: %s\n"), preset->title, error->message);
          g_clear_error (&error);
        }
    }

  run_dir = paddock_path_is_within (cwd, paddock_workspace_get_path (workspace))
            ? g_strdup (cwd) : g_strdup (paddock_workspace_get_path (workspace));
  before = paddock_snapshot_take (paddock_workspace_get_path (workspace), MAX_FILES);
  if (diff_file != NULL)
    paddock_snapshot_keep_contents (before, MAX_KEPT_BYTES);

  shown = paddock_argv_to_display ((const char * const *) command);
  attributes = paddock_audit_session_start_attributes (session);
  json_object_set_string_member (attributes, "agent.command", shown);
  if (paddock_audit_session_record (session, "paddock.agent_start", attributes, &error) == 0)
    return paddockctl_error (_("%s; nothing runs unrecorded"), error->message);
  g_clear_pointer (&attributes, json_object_unref);

  /* The terminal is the agent's: questions go to the app, or are no. */
  asker = paddockctl_asker_new ();
  paddockctl_asker_set_terminal (asker, FALSE);
  client = g_strdup_printf ("%s (through paddockctl agent)", preset ? preset->title : command[0]);
  runner = paddock_runner_new (policy, workspace, grants, session, client);

  /* Where the agent can be told of an MCP server, it is told of
   * Paddock's, so its own tools' commands come through here too. */
  agent_argv = g_strdupv (command);
  if (preset != NULL && (preset->mcp_options != NULL || preset->settings_template != NULL) &&
      paddock_agent_preset_for_command (command[0]) == preset)
    {
      const char *server[] = { PADDOCK_SANDBOX_MCP_BRIDGE, PADDOCK_SANDBOX_MCP_BRIDGE_OPTION, NULL };

      mcp = (McpHost) { .policy = policy, .workspace = workspace, .grants = grants, .session = session,
                        .asker = asker, .null_fd = -1 };
      if (!mcp_host_start (&mcp, &error))
        {
          g_printerr (_("paddockctl: %s is not given Paddock's MCP server: %s\n"), preset->title, error->message);
          g_clear_error (&error);
          mcp_host_stop (&mcp);
        }
      else
        {
          g_autofree char *settings = paddock_agent_preset_dup_settings (preset, server);

          g_strfreev (agent_argv);
          agent_argv = paddock_agent_preset_add_mcp_server (preset, (const char * const *) command, server);
          paddock_runner_set_mcp_socket (runner, mcp.path);
          /* Settings of its own, beside the socket: none of the user's is
           * written. */
          if (settings != NULL)
            {
              g_autofree char *path = g_build_filename (mcp.dir, "settings.json", NULL);

              if (g_file_set_contents_full (path, settings, -1, G_FILE_SET_CONTENTS_NONE, 0600, &error))
                {
                  paddock_runner_set_agent_settings (runner, path);
                  g_ptr_array_add (environment, g_strconcat (preset->settings_variable, "=",
                                                             PADDOCK_SANDBOX_AGENT_SETTINGS, NULL));
                }
              else
                {
                  g_printerr (_("paddockctl: %s is not given Paddock's MCP server: %s\n"), preset->title,
                              error->message);
                  g_clear_error (&error);
                }
            }
        }
    }
  g_ptr_array_add (environment, NULL);
  paddock_runner_set_environment (runner, (const char * const *) environment->pdata);
  /* An agent's tries at what it may not touch are on record, not only
   * stopped. */
  paddock_runner_set_watch_files (runner, TRUE);
  g_signal_connect (runner, "approval-needed", G_CALLBACK (paddockctl_asker_on_approval_needed), asker);
  terminate = g_unix_signal_add (SIGTERM, on_stop, cancellable);
  hangup = g_unix_signal_add (SIGHUP, on_stop, cancellable);
  outcome = paddockctl_run_and_wait (runner, (const char * const *) agent_argv, run_dir, cancellable, &error);
  g_source_remove (terminate);
  g_source_remove (hangup);
  mcp_host_stop (&mcp);
  g_clear_pointer (&asker, paddockctl_asker_close);

  if (outcome == NULL)
    {
      paddockctl_error ("%s", error->message);
      /* As a shell would say it. */
      exit_code = g_error_matches (error, PADDOCK_SANDBOX_ERROR, PADDOCK_SANDBOX_ERROR_NOT_FOUND) ? 127
                  : error->domain == PADDOCK_SANDBOX_ERROR ? 125 : PADDOCKCTL_EXIT_ERROR;
    }
  else if (outcome->refused != NULL)
    {
      g_printerr (_("paddockctl: the agent was not started: %s\n"), outcome->refused);
      paddockctl_describe (stderr, outcome->decision);
      exit_code = 126;
    }
  else
    exit_code = outcome->exit_code;

  after = paddock_snapshot_take (paddock_workspace_get_path (workspace), MAX_FILES);
  changes = paddock_snapshot_compare (before, after);
  attributes = json_object_new ();
  json_object_set_int_member (attributes, "exit_code", exit_code);
  string_list (attributes, "files.changed", (const char * const *) changes);
  if (paddock_snapshot_is_partial (after))
    json_object_set_boolean_member (attributes, "files.partial", TRUE);
  if (outcome != NULL && outcome->hazards != NULL)
    string_list (attributes, "hazards", (const char * const *) outcome->hazards);
  if (outcome != NULL)
    json_object_set_int_member (attributes, "files.refused", outcome->refused_files);
  g_clear_error (&error);
  if (paddock_audit_session_record (session, "paddock.agent_end", attributes, &error) == 0)
    g_printerr ("paddockctl: %s\n", error->message);
  g_clear_error (&error);

  if (changes[0] != NULL)
    {
      g_printerr (_("paddockctl: the agent changed in %s:\n"), paddock_workspace_get_path (workspace));
      for (guint i = 0; changes[i] != NULL; i++)
        g_printerr ("  %s\n", changes[i]);
    }
  if (outcome != NULL && outcome->hazards != NULL && outcome->hazards[0] != NULL)
    {
      g_printerr (_("paddockctl: the agent left files that the host runs later; check them before you trust this folder again:\n"));
      for (guint i = 0; outcome->hazards[i] != NULL; i++)
        g_printerr ("  %s\n", outcome->hazards[i]);
    }
  if (diff_file != NULL)
    {
      g_autofree char *diff = paddock_snapshot_diff (before, after, outcome ? (const char * const *) outcome->hazards
                                                                           : NULL);
      g_autoptr(GError) write_error = NULL;

      if (!g_file_set_contents_full (diff_file, diff, -1, G_FILE_SET_CONTENTS_NONE, 0600, &write_error))
        g_printerr ("paddockctl: %s\n", write_error->message);
    }
  if (outcome != NULL && outcome->refused_files > 0)
    g_printerr (g_dngettext (GETTEXT_PACKAGE, "paddockctl: the sandbox refused the agent %u file access; "
                             "see “paddockctl audit”\n",
                             "paddockctl: the sandbox refused the agent %u file accesses; "
                             "see “paddockctl audit”\n", outcome->refused_files),
                outcome->refused_files);
  if (session_path != NULL && !paddock_grants_save (grants, session_path, &error))
    g_printerr ("paddockctl: %s\n", error->message);
  return exit_code;
}

static int
presets_main (void)
{
  for (const PaddockAgentPreset * const *p = paddock_agent_presets (); *p != NULL; p++)
    {
      g_autofree char *domains = g_strjoinv (", ", (char **) (*p)->domains);

      g_print ("%s (%s)\n  hosts: %s\n  key: %s (paddockctl agent key set %s)\n", (*p)->name, (*p)->title, domains,
               (*p)->key_variable, (*p)->name);
    }
  return 0;
}

int
main (int    argc,
      char **argv)
{
  paddock_paths_init ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc >= 2 && g_str_equal (argv[1], "start"))
    return start_main (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "key"))
    return key_main (argc - 1, argv + 1);
  if (argc == 2 && g_str_equal (argv[1], "presets"))
    return presets_main ();
  if (argc >= 2 && g_str_equal (argv[1], "mcp"))
    return paddockctl_mcp (argc - 1, argv + 1);
  return paddockctl_error (_("usage: paddockctl agent start [OPTION…] -- COMMAND [ARG…] | key set|clear PRESET | presets"));
}
