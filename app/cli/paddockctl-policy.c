/* paddockctl-policy.c: `paddockctl policy show|lint|refresh`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "paddock-errors.h"
#include "paddock-paths.h"
#include "paddock-policy-loader.h"
#include "paddockctl.h"

static int
policy_show (int    argc,
             char **argv)
{
  g_autofree char *workspace_dir = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "workspace", 'w', 0, G_OPTION_ARG_FILENAME, &workspace_dir, N_("The workspace (default: the current folder)"), N_("DIR") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(PaddockPolicyLoader) loader = paddock_policy_loader_new ();
  g_autoptr(PaddockWorkspace) workspace = NULL;
  g_autoptr(PaddockPolicy) policy = NULL;
  g_autoptr(GError) error = NULL;

  g_set_prgname ("paddockctl policy show");
  g_option_context_set_summary (context, _("Show the effective policy, every value with the layer and source it came from."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return paddockctl_error ("%s", error->message);
  if (argc > 1)
    return paddockctl_error (_("unexpected argument “%s”"), argv[1]);

  if (workspace_dir == NULL)
    workspace_dir = g_get_current_dir ();
  workspace = paddock_workspace_new_for_path (workspace_dir, &error);
  if (workspace == NULL)
    return paddockctl_error ("%s", error->message);

  policy = paddock_policy_loader_load (loader, workspace, &error);
  if (policy == NULL)
    return paddockctl_error ("%s", error->message);

  if (json)
    {
      g_autoptr(JsonNode) node = paddock_policy_to_json (policy);
      paddockctl_print_json (node);
    }
  else
    {
      g_autofree char *text = paddock_policy_to_text (policy);
      g_print ("%s", text);
    }

  return PADDOCKCTL_EXIT_OK;
}

/* The layer a file belongs to, from where administrators put it. */
static PaddockLayer
guess_layer (const char *path)
{
  g_autofree char *requirements = g_build_filename (paddock_paths_get_sysconfdir (), "requirements.json", NULL);
  g_autofree char *policy_d = g_build_filename (paddock_paths_get_sysconfdir (), "policy.d", NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_str_equal (path, requirements))
    return PADDOCK_LAYER_MANAGED;
  if (g_str_equal (dir, policy_d))
    return PADDOCK_LAYER_SYSTEM;
  return PADDOCK_LAYER_USER;
}

static int
policy_lint (int    argc,
             char **argv)
{
  g_autofree char *layer_name = NULL;
  g_auto(GStrv) files = NULL;
  const GOptionEntry entries[] = {
    { "layer", 'l', 0, G_OPTION_ARG_STRING, &layer_name,
      N_("Check the files as this layer would (managed, system, user, workspace, defaults); "
         "the default follows where the file is"), N_("LAYER") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE…") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  int status = PADDOCKCTL_EXIT_OK;
  PaddockLayer forced = PADDOCK_LAYER_USER;

  g_set_prgname ("paddockctl policy lint");
  g_option_context_set_summary (context, _("Validate policy files; every problem is reported as FILE:LINE:COLUMN."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return paddockctl_error ("%s", error->message);
  if (files == NULL || files[0] == NULL)
    return paddockctl_error (_("name at least one file to check"));

  if (layer_name != NULL)
    {
      guint i;

      for (i = PADDOCK_LAYER_MANAGED; i <= PADDOCK_LAYER_DEFAULTS; i++)
        if (g_str_equal (layer_name, paddock_layer_to_string (i)))
          break;
      if (i > PADDOCK_LAYER_DEFAULTS)
        return paddockctl_error (_("“%s” is not a layer; accepted: managed, system, user, workspace, defaults"),
                                 layer_name);
      forced = i;
    }

  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autoptr(PaddockPolicyDocument) document = NULL;
      g_autoptr(GError) local_error = NULL;
      PaddockLayer layer = layer_name ? forced : guess_layer (files[i]);

      document = paddock_policy_document_new_from_file (layer, files[i], &local_error);
      if (document == NULL)
        {
          g_printerr ("%s\n", local_error->message);
          status = PADDOCKCTL_EXIT_PROBLEMS;
          continue;
        }
      g_print (_("%s: valid for the %s layer (%u rules, %u settings)\n"), files[i],
               paddock_layer_to_string (layer), document->rules->len, document->settings->len);
    }

  return status;
}

/* Fetching needs libsoup and its many libraries; the fetcher is a
 * program of its own so that every other command starts without them. */
static int
policy_refresh (int    argc,
                char **argv)
{
  const char *fetcher = PADDOCK_DEVELOPMENT ? PADDOCK_BUILD_FETCHER : PADDOCK_FETCHER;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  g_ptr_array_add (args, (gpointer) fetcher);
  for (int i = 1; i < argc; i++)
    g_ptr_array_add (args, argv[i]);
  g_ptr_array_add (args, NULL);

  execv (fetcher, (char **) args->pdata);
  return paddockctl_error (_("cannot start %s: %s"), fetcher, g_strerror (errno));
}

int
paddockctl_policy (int    argc,
                   char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "show"))
    return policy_show (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "lint"))
    return policy_lint (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "refresh"))
    return policy_refresh (argc - 1, argv + 1);

  return paddockctl_error (_("usage: paddockctl policy show|lint|refresh [OPTION…]"));
}
