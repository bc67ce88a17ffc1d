/* paddockctl-check.c: `paddockctl check`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "paddock-errors.h"
#include "paddock-host.h"
#include "paddock-policy-loader.h"
#include "paddockctl.h"

/* --policy and --rules keep their order on the command line. */
static GPtrArray *policy_files;

static gboolean
add_policy_file (const char  *option_name,
                 const char  *value,
                 gpointer     data,
                 GError     **error)
{
  g_ptr_array_add (policy_files, g_strdup (value));
  return TRUE;
}

/* Warns about every source that failed: its layer now forbids
 * everything, and a person should know why. Returns FALSE when one of
 * the files named on the command line failed. */
static gboolean
report_failed_sources (PaddockPolicy *policy,
                       GPtrArray     *named_files)
{
  GPtrArray *documents = paddock_policy_get_documents (policy);
  gboolean named_ok = TRUE;

  for (guint i = 0; i < documents->len; i++)
    {
      PaddockPolicyDocument *document = g_ptr_array_index (documents, i);

      if (document->error == NULL)
        continue;

      if (g_ptr_array_find_with_equal_func (named_files, document->source, g_str_equal, NULL))
        {
          paddockctl_error ("%s", document->error);
          named_ok = FALSE;
        }
      else
        g_printerr (_("paddockctl: warning: %s; the %s layer forbids everything until this is fixed\n"),
                    document->error, paddock_layer_to_string (document->layer));
    }

  return named_ok;
}

static char *
absolute_path (const char *path)
{
  g_autofree char *cwd = NULL;

  if (g_path_is_absolute (path))
    return g_strdup (path);
  cwd = g_get_current_dir ();
  return g_build_filename (cwd, path, NULL);
}

int
paddockctl_check (int    argc,
                  char **argv)
{
  g_autofree char *workspace_dir = NULL;
  g_autofree char *cwd = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *net = NULL;
  g_autofree char *write_path = NULL;
  g_autofree char *read_path = NULL;
  g_autofree char *mcp = NULL;
  g_auto(GStrv) command = NULL;
  gboolean only = FALSE, json = FALSE;
  const GOptionEntry entries[] = {
    { "workspace", 'w', 0, G_OPTION_ARG_FILENAME, &workspace_dir, N_("The workspace (default: the current folder)"), N_("DIR") },
    { "cwd", 'C', 0, G_OPTION_ARG_FILENAME, &cwd, N_("Where the command runs (default: the workspace)"), N_("DIR") },
    { "mode", 'm', 0, G_OPTION_ARG_STRING, &mode, N_("Approval mode: untrusted, on-request, never or auto-review"), N_("MODE") },
    { "policy", 'p', 0, G_OPTION_ARG_CALLBACK, add_policy_file, N_("Add a JSON policy file to the user layer"), N_("FILE") },
    { "rules", 'r', 0, G_OPTION_ARG_CALLBACK, add_policy_file, N_("Add a Codex .rules file to the user layer"), N_("FILE") },
    { "only", 0, 0, G_OPTION_ARG_NONE, &only, N_("Use only the files named with --policy and --rules"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the decision as JSON"), NULL },
    { "net", 0, 0, G_OPTION_ARG_STRING, &net, N_("Decide a network destination"), N_("HOST[:PORT]") },
    { "write", 0, 0, G_OPTION_ARG_FILENAME, &write_path, N_("Decide a file write"), N_("PATH") },
    { "read", 0, 0, G_OPTION_ARG_FILENAME, &read_path, N_("Decide a file read"), N_("PATH") },
    { "mcp", 0, 0, G_OPTION_ARG_STRING, &mcp, N_("Decide an MCP tool call"), N_("SERVER[/TOOL]") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &command, NULL, N_("-- PROGRAM [ARG…]") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockPolicyLoader) loader = NULL;
  g_autoptr(PaddockWorkspace) workspace = NULL;
  g_autoptr(PaddockPolicy) policy = NULL;
  g_autoptr(PaddockAction) action = NULL;
  g_autoptr(PaddockDecision) decision = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  guint n_subjects;

  policy_files = files;
  g_set_prgname ("paddockctl check");
  g_option_context_set_summary (context, _("Decide an action with the layered policy and say which layer and rule decided."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return paddockctl_error ("%s", error->message);

  n_subjects = (command != NULL && command[0] != NULL) + (net != NULL) + (write_path != NULL) +
               (read_path != NULL) + (mcp != NULL);
  if (n_subjects != 1)
    return paddockctl_error (_("name exactly one thing to decide: -- PROGRAM [ARG…], --net, --write, --read or --mcp"));

  if (workspace_dir == NULL)
    workspace_dir = g_get_current_dir ();
  workspace = paddock_workspace_new_for_path (workspace_dir, &error);
  if (workspace == NULL)
    return paddockctl_error ("%s", error->message);

  loader = paddock_policy_loader_new ();
  paddock_policy_loader_set_only (loader, only);
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *path = absolute_path (g_ptr_array_index (files, i));
      g_free (files->pdata[i]);
      files->pdata[i] = g_strdup (path);
      paddock_policy_loader_add_file (loader, path);
    }

  policy = paddock_policy_loader_load (loader, workspace, &error);
  if (policy == NULL)
    return paddockctl_error ("%s", error->message);
  if (!report_failed_sources (policy, files))
    return PADDOCKCTL_EXIT_ERROR;

  if (mode != NULL && !paddockctl_set_approval_mode (policy, mode, &error))
    return paddockctl_error ("%s", error->message);

  if (command != NULL && command[0] != NULL)
    {
      g_autofree char *run_dir = cwd ? absolute_path (cwd) : g_strdup (paddock_workspace_get_path (workspace));
      action = paddock_action_new_exec ((const char * const *) command, run_dir);
    }
  else if (net != NULL)
    {
      g_autofree char *host = NULL;
      PaddockHostKind kind;
      guint16 port;

      if (!paddock_host_parse_authority (net, &host, &port, &kind, &error))
        return paddockctl_error ("--net: %s", error->message);
      action = paddock_action_new_net (host, port, NULL);
    }
  else if (write_path != NULL || read_path != NULL)
    {
      g_autofree char *run_dir = cwd ? absolute_path (cwd) : g_strdup (paddock_workspace_get_path (workspace));
      action = paddock_action_new_path (write_path ? PADDOCK_ACTION_WRITE : PADDOCK_ACTION_READ,
                                        write_path ? write_path : read_path, run_dir);
    }
  else
    {
      g_auto(GStrv) parts = g_strsplit (mcp, "/", 2);

      if (*parts[0] == '\0' || (parts[1] != NULL && *parts[1] == '\0'))
        return paddockctl_error (_("--mcp: “%s” is not SERVER or SERVER/TOOL"), mcp);
      action = paddock_action_new_mcp (parts[0], parts[1]);
    }

  decision = paddock_policy_evaluate (policy, action, NULL);

  if (json)
    {
      g_autoptr(JsonNode) node = paddock_decision_to_json (decision);
      JsonObject *object = json_node_get_object (node);
      GPtrArray *notes = paddock_policy_get_notes (policy);
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < notes->len; i++)
        json_array_add_string_element (array, g_ptr_array_index (notes, i));
      json_object_set_array_member (object, "notes", array);
      json_object_set_string_member (object, "workspace", paddock_policy_get_workspace (policy));
      paddockctl_print_json (node);
    }
  else
    {
      g_autofree char *text = paddock_decision_to_text (decision);
      GPtrArray *notes = paddock_policy_get_notes (policy);

      g_print ("%s", text);
      for (guint i = 0; i < notes->len; i++)
        g_printerr (_("paddockctl: note: %s\n"), (const char *) g_ptr_array_index (notes, i));
    }

  return PADDOCKCTL_EXIT_OK;
}
