/* main.c: the GUI entry point
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "paddock-paths.h"
#include "paddock-policy-loader.h"

/* Until the workspace window exists, the application shows which
 * layer decides the sandbox, approval and network modes for the
 * current folder, straight from the shared core. */
static GtkWidget *
create_summary (void)
{
  g_autoptr(PaddockPolicyLoader) loader = paddock_policy_loader_new ();
  g_autoptr(PaddockWorkspace) workspace = NULL;
  g_autoptr(PaddockPolicy) policy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  GtkWidget *page = adw_status_page_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  static const char * const keys[] = { "sandbox.mode", "approval.mode", "network.mode" };

  adw_status_page_set_title (ADW_STATUS_PAGE (page), _("Paddock"));
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (page), "security-high-symbolic");

  workspace = paddock_workspace_new_for_path (cwd, &error);
  if (workspace != NULL)
    policy = paddock_policy_loader_load (loader, workspace, &error);
  if (policy == NULL)
    {
      adw_status_page_set_description (ADW_STATUS_PAGE (page), error->message);
      return page;
    }

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      gboolean locked;
      const PaddockSetting *setting = paddock_policy_get_setting (policy, keys[i], &locked);
      g_autofree char *value = setting ? g_variant_print (setting->value, FALSE) : g_strdup (_("built in"));

      g_string_append_printf (text, "%s: %s (%s%s)\n", keys[i], value,
                              setting ? paddock_layer_to_string (setting->layer) : "implicit",
                              locked ? _(", locked") : "");
    }
  adw_status_page_set_description (ADW_STATUS_PAGE (page), text->str);
  return page;
}

static void
on_activate (GtkApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (app);

  if (window == NULL)
    {
      window = GTK_WINDOW (adw_application_window_new (app));
      gtk_window_set_title (window, _("Paddock"));
      gtk_window_set_default_size (window, 640, 480);
      adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), create_summary ());
    }

  gtk_window_present (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;

  paddock_paths_init ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = adw_application_new (APPLICATION_ID, G_APPLICATION_DEFAULT_FLAGS);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
