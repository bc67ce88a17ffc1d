/* paddock-workspace-settings.h: what the person sets for one workspace
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "paddock-workspace.h"

G_BEGIN_DECLS

#define PADDOCK_TYPE_WORKSPACE_SETTINGS (paddock_workspace_settings_get_type ())

G_DECLARE_FINAL_TYPE (PaddockWorkspaceSettings, paddock_workspace_settings, PADDOCK, WORKSPACE_SETTINGS, GtkWidget)

void paddock_workspace_settings_set_workspace (PaddockWorkspaceSettings *self,
                                               PaddockWorkspace         *workspace);

G_END_DECLS
