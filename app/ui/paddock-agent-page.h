/* paddock-agent-page.h: an agent CLI in the workspace's sandbox, in a
 * terminal in the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "paddock-workspace.h"

G_BEGIN_DECLS

#define PADDOCK_TYPE_AGENT_PAGE (paddock_agent_page_get_type ())

G_DECLARE_FINAL_TYPE (PaddockAgentPage, paddock_agent_page, PADDOCK, AGENT_PAGE, GtkWidget)

/* The workspace agents start in; NULL: none. */
void paddock_agent_page_set_workspace (PaddockAgentPage *self,
                                       PaddockWorkspace *workspace);

G_END_DECLS
