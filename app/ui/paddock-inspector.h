/* paddock-inspector.h: which layer of policy decides what, and why
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "paddock-application.h"

G_BEGIN_DECLS

#define PADDOCK_TYPE_INSPECTOR (paddock_inspector_get_type ())

G_DECLARE_FINAL_TYPE (PaddockInspector, paddock_inspector, PADDOCK, INSPECTOR, GtkWidget)

/* Shows @workspace's policy as loaded now; NULL shows nothing. */
void paddock_inspector_set_workspace (PaddockInspector   *self,
                                      PaddockApplication *application,
                                      PaddockWorkspace   *workspace);
/* Loads the policy again (after a file changed). */
void paddock_inspector_reload        (PaddockInspector   *self);

G_END_DECLS
