/* paddock-agent-page.c
 *
 * The terminal runs `paddockctl agent start`'s own program, so an agent
 * started here is confined, asked about and recorded exactly as one
 * started from a shell: the questions come back to this app's dialog
 * through the broker.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <vte/vte.h>

#include "paddock-agent-page.h"
#include "paddock-agent-preset.h"

struct _PaddockAgentPage
{
  GtkWidget parent_instance;

  GtkDropDown *preset_dropdown;
  GtkEntry *command_entry;
  GtkButton *start_button;
  GtkButton *stop_button;
  VteTerminal *terminal;
  GtkLabel *status_label;
  GtkRevealer *changes_revealer;
  GtkLabel *changes_label;
  GtkTextView *changes_view;

  PaddockWorkspace *workspace;
  GPid child;               /* 0: nothing runs */
  char *diff_path;          /* where paddock-agent writes its diff; nullable */
};

G_DEFINE_FINAL_TYPE (PaddockAgentPage, paddock_agent_page, GTK_TYPE_WIDGET)

static void
set_running (PaddockAgentPage *self,
             GPid              child)
{
  self->child = child;
  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button), child == 0 && self->workspace != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->stop_button), child != 0);
}

/* The preset chosen, or NULL for "Any command". */
static const PaddockAgentPreset *
chosen_preset (PaddockAgentPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->preset_dropdown);
  const PaddockAgentPreset * const *presets = paddock_agent_presets ();

  for (guint i = 0; presets[i] != NULL; i++)
    if (i == selected)
      return presets[i];
  return NULL;
}

static void
on_preset_changed (PaddockAgentPage *self)
{
  const PaddockAgentPreset *preset = chosen_preset (self);

  if (preset != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->command_entry), preset->programs[0]);
}

static void
on_spawned (VteTerminal *terminal,
            GPid         pid,
            GError      *error,
            gpointer     user_data)
{
  g_autoptr(PaddockAgentPage) self = user_data;

  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The agent did not start: %s"), error->message);

      gtk_label_set_text (self->status_label, text);
      set_running (self, 0);
      return;
    }
  set_running (self, pid);
  gtk_label_set_text (self->status_label, _("The agent runs in the sandbox."));
}

/* A private file in the runtime folder, made now so that nobody else
 * can put one there first. */
static char *
new_diff_path (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_runtime_dir (), "paddock", NULL);
  g_autofree char *path = g_build_filename (dir, "agent-XXXXXX.diff", NULL);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    return NULL;
  fd = g_mkstemp_full (path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    return NULL;
  close (fd);
  return g_steal_pointer (&path);
}

/* The diff, with the hazards it flags, the changes and their headers
 * marked for the eye; the heading says as much in words. */
static void
show_changes (PaddockAgentPage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->changes_view);
  g_autofree char *diff = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *heading = NULL;
  guint files = 0, hazards = 0;
  GtkTextIter end;

  if (self->diff_path == NULL || !g_file_get_contents (self->diff_path, &diff, NULL, NULL))
    return;
  g_unlink (self->diff_path);
  g_clear_pointer (&self->diff_path, g_free);

  gtk_text_buffer_set_text (buffer, "", 0);
  if (gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "added") == NULL)
    {
      gtk_text_buffer_create_tag (buffer, "added", "foreground", "#26a269", NULL);
      gtk_text_buffer_create_tag (buffer, "removed", "foreground", "#c01c28", NULL);
      gtk_text_buffer_create_tag (buffer, "header", "weight", PANGO_WEIGHT_BOLD, NULL);
      gtk_text_buffer_create_tag (buffer, "hazard", "weight", PANGO_WEIGHT_BOLD,
                                  "background", "#f8e45c", "foreground", "#000000", NULL);
    }
  lines = g_strsplit (diff, "\n", -1);
  for (guint i = 0; lines[i] != NULL && (lines[i][0] != '\0' || lines[i + 1] != NULL); i++)
    {
      const char *line = lines[i];
      const char *tag = NULL;

      if (g_str_has_prefix (line, "# Hazard: "))
        {
          tag = "hazard";
          hazards++;
        }
      else if (g_str_has_prefix (line, "+++ ") || g_str_has_prefix (line, "--- ") || g_str_has_prefix (line, "@@"))
        tag = "header";
      else if (line[0] == '+')
        tag = "added";
      else if (line[0] == '-')
        tag = "removed";
      /* One header, or one line saying so, per file. */
      if (g_str_has_prefix (line, "+++ ") || g_str_has_prefix (line, "Binary file ") ||
          g_str_has_prefix (line, "File "))
        files++;
      gtk_text_buffer_get_end_iter (buffer, &end);
      if (tag != NULL)
        gtk_text_buffer_insert_with_tags_by_name (buffer, &end, line, -1, tag, NULL);
      else
        gtk_text_buffer_insert (buffer, &end, line, -1);
      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_insert (buffer, &end, "\n", 1);
    }

  if (files == 0)
    heading = g_strdup (_("The agent changed nothing in the workspace."));
  else
    {
      g_autofree char *changed = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The agent changed %u file in the "
                                                               "workspace", "The agent changed %u files in the "
                                                               "workspace", files), files);
      g_autofree char *run = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of them runs on the host later; "
                                                           "check the marked file before you trust this folder "
                                                           "again", "%u of them run on the host later; check the "
                                                           "marked files before you trust this folder again",
                                                           hazards), hazards);

      /* TRANSLATORS: what the agent changed, then what of it runs on
       * the host, when something does. */
      heading = hazards ? g_strdup_printf (_("%s, and %s:"), changed, run) : g_strdup_printf (_("%s:"), changed);
    }
  gtk_label_set_text (self->changes_label, heading);
  gtk_revealer_set_reveal_child (self->changes_revealer, TRUE);
}

static void
on_start (PaddockAgentPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->command_entry));
  const PaddockAgentPreset *preset = chosen_preset (self);
  const char *helper = PADDOCK_DEVELOPMENT ? PADDOCK_BUILD_AGENT : PADDOCK_AGENT;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) command = NULL;
  g_autoptr(GError) error = NULL;

  if (self->workspace == NULL || self->child != 0)
    return;
  if (!g_shell_parse_argv (text, NULL, &command, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Not started: %s"), error->message);

      gtk_label_set_text (self->status_label, message);
      return;
    }
  g_ptr_array_add (argv, (gpointer) helper);
  g_ptr_array_add (argv, (gpointer) "start");
  g_ptr_array_add (argv, (gpointer) "--workspace");
  g_ptr_array_add (argv, (gpointer) paddock_workspace_get_path (self->workspace));
  g_clear_pointer (&self->diff_path, g_free);
  self->diff_path = new_diff_path ();
  if (self->diff_path != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--diff-file");
      g_ptr_array_add (argv, self->diff_path);
    }
  if (preset != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--preset");
      g_ptr_array_add (argv, (gpointer) preset->name);
    }
  g_ptr_array_add (argv, (gpointer) "--");
  for (guint i = 0; command[i] != NULL; i++)
    g_ptr_array_add (argv, command[i]);
  g_ptr_array_add (argv, NULL);

  vte_terminal_reset (self->terminal, TRUE, TRUE);
  gtk_revealer_set_reveal_child (self->changes_revealer, FALSE);
  set_running (self, -1);
  gtk_label_set_text (self->status_label, _("Starting the agent…"));
  vte_terminal_spawn_async (self->terminal, VTE_PTY_DEFAULT, paddock_workspace_get_path (self->workspace),
                            (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, -1, NULL, on_spawned,
                            g_object_ref (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->terminal));
}

/* The session ends as a person ending it: its end is still recorded. */
static void
on_stop (PaddockAgentPage *self)
{
  if (self->child > 0)
    kill (self->child, SIGTERM);
}

static void
on_child_exited (PaddockAgentPage *self,
                 int               status)
{
  g_autofree char *text = NULL;

  if (WIFEXITED (status))
    text = g_strdup_printf (_("The agent ended (exit status %d). What it changed is shown below and in the "
                              "activity list."), WEXITSTATUS (status));
  else
    text = g_strdup (_("The agent was stopped."));
  gtk_label_set_text (self->status_label, text);
  set_running (self, 0);
  show_changes (self);
}

void
paddock_agent_page_set_workspace (PaddockAgentPage *self,
                                  PaddockWorkspace *workspace)
{
  g_return_if_fail (PADDOCK_IS_AGENT_PAGE (self));

  g_set_object (&self->workspace, workspace);
  set_running (self, self->child);
}

static void
paddock_agent_page_dispose (GObject *object)
{
  PaddockAgentPage *self = PADDOCK_AGENT_PAGE (object);

  /* An agent outlives no window: its end is recorded all the same. */
  on_stop (self);
  g_clear_object (&self->workspace);
  if (self->diff_path != NULL)
    g_unlink (self->diff_path);
  g_clear_pointer (&self->diff_path, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), PADDOCK_TYPE_AGENT_PAGE);

  G_OBJECT_CLASS (paddock_agent_page_parent_class)->dispose (object);
}

static void
paddock_agent_page_class_init (PaddockAgentPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = paddock_agent_page_dispose;

  g_type_ensure (VTE_TYPE_TERMINAL);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/paddock/Paddock/ui/paddock-agent-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PaddockAgentPage, preset_dropdown);
  gtk_widget_class_bind_template_child (widget_class, PaddockAgentPage, command_entry);
  gtk_widget_class_bind_template_child (widget_class, PaddockAgentPage, start_button);
  gtk_widget_class_bind_template_child (widget_class, PaddockAgentPage, stop_button);
  gtk_widget_class_bind_template_child (widget_class, PaddockAgentPage, terminal);
  gtk_widget_class_bind_template_child (widget_class, PaddockAgentPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, PaddockAgentPage, changes_revealer);
  gtk_widget_class_bind_template_child (widget_class, PaddockAgentPage, changes_label);
  gtk_widget_class_bind_template_child (widget_class, PaddockAgentPage, changes_view);
  gtk_widget_class_bind_template_callback (widget_class, on_preset_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_start);
  gtk_widget_class_bind_template_callback (widget_class, on_stop);
  gtk_widget_class_bind_template_callback (widget_class, on_child_exited);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
paddock_agent_page_init (PaddockAgentPage *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  for (const PaddockAgentPreset * const *preset = paddock_agent_presets (); *preset != NULL; preset++)
    gtk_string_list_append (names, (*preset)->title);
  gtk_string_list_append (names, _("Any command"));
  gtk_drop_down_set_model (self->preset_dropdown, G_LIST_MODEL (names));
  set_running (self, 0);
}
