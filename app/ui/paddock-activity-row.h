/* paddock-activity-row.h: one event in the activity list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "paddock-event.h"

G_BEGIN_DECLS

#define PADDOCK_TYPE_ACTIVITY_ROW (paddock_activity_row_get_type ())

G_DECLARE_FINAL_TYPE (PaddockActivityRow, paddock_activity_row, PADDOCK, ACTIVITY_ROW, GtkWidget)

GtkWidget *paddock_activity_row_new       (void);
/* Shows @event; NULL clears the row for reuse. */
void       paddock_activity_row_set_event (PaddockActivityRow *self,
                                           PaddockEvent       *event);

G_END_DECLS
