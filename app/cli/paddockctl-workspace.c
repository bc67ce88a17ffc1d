/* paddockctl-workspace.c: `paddockctl workspace show|trust|untrust`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "paddock-workspace.h"
#include "paddockctl.h"

static const char *
state_text (PaddockProjectPolicyState state)
{
  switch (state)
    {
    case PADDOCK_PROJECT_POLICY_NONE:
      return _("the project has no .paddock/policy.json");
    case PADDOCK_PROJECT_POLICY_UNTRUSTED:
      return _("the project's .paddock/policy.json is not trusted, so it is ignored");
    case PADDOCK_PROJECT_POLICY_TRUSTED:
      return _("the project's .paddock/policy.json is trusted and unchanged");
    case PADDOCK_PROJECT_POLICY_CHANGED:
      return _("the project's .paddock/policy.json changed after it was trusted, so it is ignored until trusted again");
    default:
      g_assert_not_reached ();
    }
}

int
paddockctl_workspace (int    argc,
                      char **argv)
{
  g_autoptr(PaddockWorkspace) workspace = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  const char *verb;

  if (argc < 2 || argc > 3)
    return paddockctl_error (_("usage: paddockctl workspace show|trust|untrust [DIR]"));

  verb = argv[1];
  dir = argc == 3 ? g_strdup (argv[2]) : g_get_current_dir ();
  workspace = paddock_workspace_new_for_path (dir, &error);
  if (workspace == NULL)
    return paddockctl_error ("%s", error->message);

  if (g_str_equal (verb, "trust"))
    {
      if (!paddock_workspace_trust_project_policy (workspace, &error))
        return paddockctl_error ("%s", error->message);
    }
  else if (g_str_equal (verb, "untrust"))
    {
      if (!paddock_workspace_untrust_project_policy (workspace, &error))
        return paddockctl_error ("%s", error->message);
    }
  else if (!g_str_equal (verb, "show"))
    return paddockctl_error (_("usage: paddockctl workspace show|trust|untrust [DIR]"));

  g_print ("%s — %s (%s): %s\n", paddock_workspace_get_name (workspace), paddock_workspace_get_path (workspace),
           paddock_workspace_get_id (workspace), state_text (paddock_workspace_get_project_policy_state (workspace)));
  return PADDOCKCTL_EXIT_OK;
}
