/* paddock-activity-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "paddock-activity-row.h"

struct _PaddockActivityRow
{
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkLabel *badge;
  GtkLabel *subject;
  GtkLabel *outcome;
  GtkLabel *chip;
  GtkLabel *time;
  char *decided_by;   /* the chip's tooltip, made when asked for */
};

G_DEFINE_FINAL_TYPE (PaddockActivityRow, paddock_activity_row, GTK_TYPE_WIDGET)

static void
paddock_activity_row_dispose (GObject *object)
{
  g_clear_pointer (&PADDOCK_ACTIVITY_ROW (object)->decided_by, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (object), PADDOCK_TYPE_ACTIVITY_ROW);

  G_OBJECT_CLASS (paddock_activity_row_parent_class)->dispose (object);
}

static void
paddock_activity_row_class_init (PaddockActivityRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = paddock_activity_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/paddock/Paddock/ui/paddock-activity-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PaddockActivityRow, box);
  gtk_widget_class_bind_template_child (widget_class, PaddockActivityRow, badge);
  gtk_widget_class_bind_template_child (widget_class, PaddockActivityRow, subject);
  gtk_widget_class_bind_template_child (widget_class, PaddockActivityRow, outcome);
  gtk_widget_class_bind_template_child (widget_class, PaddockActivityRow, chip);
  gtk_widget_class_bind_template_child (widget_class, PaddockActivityRow, time);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

/* Setting a tooltip on every bind costs more than the rest of the row
 * (GTK 4.8): the chip answers when a tooltip is asked for instead. */
static gboolean
on_chip_query_tooltip (GtkWidget          *chip,
                       int                 x,
                       int                 y,
                       gboolean            keyboard,
                       GtkTooltip         *tooltip,
                       PaddockActivityRow *self)
{
  if (self->decided_by == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, self->decided_by);
  return TRUE;
}

static void
paddock_activity_row_init (PaddockActivityRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->chip), TRUE);
  g_signal_connect (self->chip, "query-tooltip", G_CALLBACK (on_chip_query_tooltip), self);
}

GtkWidget *
paddock_activity_row_new (void)
{
  return g_object_new (PADDOCK_TYPE_ACTIVITY_ROW, NULL);
}

static const char *
badge_text (PaddockEvent *event)
{
  switch (paddock_event_get_kind (event))
    {
    case PADDOCK_EVENT_APPROVAL:
      return paddock_event_get_good (event) ? _("Approved") : _("Denied");
    case PADDOCK_EVENT_RESULT:
      return paddock_event_get_good (event) ? _("Ran") : _("Failed");
    case PADDOCK_EVENT_NETWORK:
      return paddock_event_get_good (event) ? _("Connected") : _("Blocked");
    case PADDOCK_EVENT_SESSION:
      return _("Session");
    case PADDOCK_EVENT_VIOLATION:
      return _("Stopped");
    case PADDOCK_EVENT_OTHER:
      return _("Noted");
    case PADDOCK_EVENT_DECISION:
    default:
      return paddock_event_get_good (event) ? _("Allowed") : _("Forbidden");
    }
}

void
paddock_activity_row_set_event (PaddockActivityRow *self,
                                PaddockEvent       *event)
{
  g_autofree char *subject = NULL;
  g_autofree char *decided_by = NULL;
  g_autofree char *chip = NULL;
  g_autofree char *time = NULL;
  g_autofree char *description = NULL;

  g_return_if_fail (PADDOCK_IS_ACTIVITY_ROW (self));

  gtk_widget_remove_css_class (GTK_WIDGET (self->badge), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->badge), "error");
  g_clear_pointer (&self->decided_by, g_free);
  if (event == NULL)
    return;

  subject = paddock_event_dup_subject (event);
  decided_by = paddock_event_dup_decided_by (event);
  time = g_date_time_format (paddock_event_get_time (event), "%H:%M:%S");

  gtk_label_set_text (self->badge, badge_text (event));
  gtk_widget_add_css_class (GTK_WIDGET (self->badge), paddock_event_get_good (event) ? "success" : "error");
  gtk_label_set_text (self->subject, subject);
  gtk_label_set_text (self->outcome, paddock_event_get_outcome (event) ? paddock_event_get_outcome (event) : "");
  gtk_widget_set_visible (GTK_WIDGET (self->chip), decided_by != NULL);
  if (decided_by != NULL)
    {
      chip = g_strdup_printf (_("decided by %s"), paddock_event_get_layer (event));
      gtk_label_set_text (self->chip, chip);
      self->decided_by = g_strdup (decided_by);
    }
  gtk_label_set_text (self->time, time);

  /* One sentence for screen readers, in the order a person reads. */
  description = g_strdup_printf ("%s: %s, %s%s%s, %s", badge_text (event), subject,
                                 paddock_event_get_outcome (event) ? paddock_event_get_outcome (event) : "",
                                 decided_by ? ", " : "", decided_by ? decided_by : "", time);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
}
