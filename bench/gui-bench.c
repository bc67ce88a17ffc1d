/* gui-bench.c: how fast the app shows itself, its dialog and its list
 *
 *   meson compile -C build gui-bench
 *   xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- ./build/bench/gui-bench
 *
 * Three figures, each beside a baseline measured in the same run:
 *  - launch to the first frame of the main window: this program started
 *    again with --child (the app's own code, minus main()), against a
 *    bare AdwApplicationWindow started the same way, interleaved;
 *  - a request sent over the session bus to the app's broker, until the
 *    approval dialog is mapped and painted, against an empty
 *    AdwMessageDialog presented in process;
 *  - scrolling through 100,000 activity rows, 100 rows a frame, top to
 *    bottom: the work of each frame (frame clock "before-paint" to
 *    "after-paint"), median, 99th percentile and worst.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <glib-unix.h>

#include "bench-util.h"
#include "paddock-application.h"
#include "paddock-approval-dialog.h"
#include "paddock-broker-client.h"
#include "paddock-policy.h"
#include "paddock-window.h"

static int rounds = 10;
static int requests = 30;

/* --- launch to the first frame ------------------------------------------ */

typedef struct
{
  int fd;
  GApplication *app;
} Child;

static void
on_first_frame (GdkFrameClock *clock,
                Child         *child)
{
  char line[64];
  int n = g_snprintf (line, sizeof line, "%" G_GINT64_FORMAT "\n", g_get_monotonic_time ());

  g_signal_handlers_disconnect_by_func (clock, on_first_frame, child);
  if (write (child->fd, line, n) != n)
    g_printerr ("gui-bench: the first frame's time was not written\n");
  g_application_quit (child->app);
}

static void
on_window_mapped (GtkWidget *window,
                  Child     *child)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (on_first_frame), child);
}

static void
on_window_added (GtkApplication *app,
                 GtkWindow      *window,
                 Child          *child)
{
  g_signal_connect (window, "map", G_CALLBACK (on_window_mapped), child);
}

static void
on_bare_activate (GtkApplication *app)
{
  GtkWidget *window = adw_application_window_new (app);

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 680);
  gtk_window_present (GTK_WINDOW (window));
}

/* Runs as the child: the app (or a bare window), until its first frame. */
static int
run_child (const char *what,
           int         fd)
{
  Child child = { fd, NULL };
  char *argv[] = { (char *) "paddock", NULL };
  int status;

  if (g_str_equal (what, "paddock"))
    child.app = G_APPLICATION (g_object_new (PADDOCK_TYPE_APPLICATION,
                                             "application-id", "org.paddock.Paddock.Bench",
                                             "flags", G_APPLICATION_NON_UNIQUE,
                                             "resource-base-path", "/org/paddock/Paddock", NULL));
  else
    {
      child.app = G_APPLICATION (adw_application_new ("org.paddock.Paddock.BenchBare", G_APPLICATION_NON_UNIQUE));
      g_signal_connect (child.app, "activate", G_CALLBACK (on_bare_activate), NULL);
    }
  g_signal_connect (child.app, "window-added", G_CALLBACK (on_window_added), &child);
  status = g_application_run (child.app, 1, argv);
  g_object_unref (child.app);
  return status;
}

static double
launch_once (const char *self,
             const char *what)
{
  int fds[2];
  gint64 start, frame = 0;
  GPid pid;
  char buffer[64] = "";
  g_autoptr(GError) error = NULL;
  g_autofree char *fd_text = NULL;
  ssize_t n;

  if (!g_unix_open_pipe (fds, 0, &error))
    g_error ("pipe: %s", error->message);
  fd_text = g_strdup_printf ("%d", fds[1]);
  {
    const char *argv[] = { self, "--child", what, fd_text, NULL };

    start = g_get_monotonic_time ();
    if (!g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_LEAVE_DESCRIPTORS_OPEN,
                        NULL, NULL, &pid, &error))
      g_error ("%s: %s", self, error->message);
  }
  close (fds[1]);
  n = read (fds[0], buffer, sizeof buffer - 1);
  close (fds[0]);
  if (n > 0)
    frame = g_ascii_strtoll (buffer, NULL, 10);
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);
  if (frame == 0)
    g_error ("the %s child showed no frame", what);
  return (frame - start) / 1000.0;
}

static void
bench_launch (const char *self)
{
  g_autoptr(GArray) app = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bare = g_array_new (FALSE, FALSE, sizeof (double));

  /* Once each first, so both find the libraries in the page cache. */
  launch_once (self, "paddock");
  launch_once (self, "bare");
  for (int i = 0; i < rounds; i++)
    {
      double a = launch_once (self, "paddock");
      double b = launch_once (self, "bare");

      g_array_append_val (app, a);
      g_array_append_val (bare, b);
    }
  printf ("launch to first frame, median of %d (interleaved):\n", rounds);
  printf ("  bare AdwApplicationWindow  %7.1f ms\n", bench_median (bare));
  printf ("  Paddock's main window      %7.1f ms   (%.2f× bare; target < 500 ms)\n", bench_median (app),
          bench_median (app) / bench_median (bare));
}

/* --- request to dialog ----------------------------------------------------- */

typedef struct
{
  gint64 mapped;
  GtkWindow *dialog;
} Shown;

static void
on_dialog_painted (GdkFrameClock *clock,
                   Shown         *shown)
{
  g_signal_handlers_disconnect_by_func (clock, on_dialog_painted, shown);
  shown->mapped = g_get_monotonic_time ();
}

static void
on_dialog_map (GtkWidget *widget,
               Shown     *shown)
{
  shown->dialog = GTK_WINDOW (widget);
  g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint", G_CALLBACK (on_dialog_painted), shown);
}

static void
on_toplevels_changed (GListModel *toplevels,
                      guint       position,
                      guint       removed,
                      guint       added,
                      Shown      *shown)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window))
        g_signal_connect (window, "map", G_CALLBACK (on_dialog_map), shown);
    }
}

static void
on_asked (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
bench_dialog (PaddockApplication *app)
{
  g_autoptr(GArray) remote = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bare = g_array_new (FALSE, FALSE, sizeof (double));
  const char *argv[] = { "git", "push", "origin", "main", NULL };
  static const char rules[] = "{\"commands\": [{\"match\": [\"git\", \"push\"], \"decision\": \"prompt\","
                              " \"reason\": \"publishes\"}]}";
  g_autoptr(GPtrArray) documents = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_policy_document_unref);
  g_autoptr(PaddockPolicy) policy = NULL;
  g_autoptr(PaddockAction) action = paddock_action_new_exec (argv, "/tmp");
  g_autoptr(PaddockDecision) decision = NULL;
  Shown shown = { 0, NULL };
  GListModel *toplevels = gtk_window_get_toplevels ();

  g_ptr_array_add (documents, paddock_policy_document_new_from_json (PADDOCK_LAYER_USER, "bench.json", rules, -1, NULL));
  policy = paddock_policy_new ("/tmp", g_get_home_dir (), documents);
  decision = paddock_policy_evaluate (policy, action, NULL);
  g_signal_connect (toplevels, "items-changed", G_CALLBACK (on_toplevels_changed), &shown);
  for (int i = 0; i < requests; i++)
    {
      g_autoptr(PaddockApprovalRequest) request = paddock_approval_request_new (decision, FALSE);
      GtkWidget *plain;
      gboolean done = FALSE;
      gint64 start;
      double ms;

      /* Through the bus to the broker, as paddockctl sends it. */
      paddock_approval_request_set_asker (request, "/tmp", "gui-bench");
      shown.mapped = 0;
      start = g_get_monotonic_time ();
      paddock_broker_client_ask_async (request, NULL, on_asked, &done);
      while (shown.mapped == 0)
        g_main_context_iteration (NULL, TRUE);
      ms = (shown.mapped - start) / 1000.0;
      g_array_append_val (remote, ms);
      adw_message_dialog_response (ADW_MESSAGE_DIALOG (shown.dialog), "deny");
      gtk_window_destroy (shown.dialog);
      while (!done)
        g_main_context_iteration (NULL, TRUE);

      /* An empty message dialog, in process: GTK's own floor. */
      shown.mapped = 0;
      start = g_get_monotonic_time ();
      plain = adw_message_dialog_new (gtk_application_get_active_window (GTK_APPLICATION (app)), "Bare", NULL);
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (plain), "close", "Close");
      gtk_window_present (GTK_WINDOW (plain));
      while (shown.mapped == 0)
        g_main_context_iteration (NULL, TRUE);
      ms = (shown.mapped - start) / 1000.0;
      g_array_append_val (bare, ms);
      gtk_window_destroy (GTK_WINDOW (plain));
    }
  g_signal_handlers_disconnect_by_func (toplevels, on_toplevels_changed, &shown);

  printf ("request to dialog mapped and painted, median of %d (interleaved):\n", requests);
  printf ("  bare AdwMessageDialog, in process  %6.1f ms\n", bench_median (bare));
  printf ("  Ask() over the bus to the broker   %6.1f ms   (p90 %.1f ms; target < 100 ms)\n",
          bench_median (remote), bench_quantile (remote, 0.9));
}

/* --- scrolling -------------------------------------------------------------- */

typedef struct
{
  GtkAdjustment *adjustment;
  gint64 painting;
  GArray *frames;
  double step;
  gboolean done;
} Scroll;

static void
on_before_paint (GdkFrameClock *clock,
                 Scroll        *scroll)
{
  scroll->painting = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *clock,
                Scroll        *scroll)
{
  double ms;

  if (scroll->painting == 0)
    return;
  ms = (g_get_monotonic_time () - scroll->painting) / 1000.0;
  g_array_append_val (scroll->frames, ms);
  scroll->painting = 0;
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  Scroll *scroll = user_data;
  double value = gtk_adjustment_get_value (scroll->adjustment);
  double last = gtk_adjustment_get_upper (scroll->adjustment) - gtk_adjustment_get_page_size (scroll->adjustment);

  if (value >= last)
    {
      scroll->done = TRUE;
      return G_SOURCE_REMOVE;
    }
  gtk_adjustment_set_value (scroll->adjustment, MIN (value + scroll->step, last));
  return G_SOURCE_CONTINUE;
}


static GtkWidget *
find_type (GtkWidget *widget,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type);
      if (found)
        return found;
    }
  return NULL;
}

/* Scrolls the list view in @window from top to bottom, 100 rows a
 * frame; the work of each frame goes to @frames. */
static void
scroll_through (GtkWidget *window,
                guint      n_rows,
                GArray    *frames)
{
  Scroll scroll = { NULL, 0, frames, 0, FALSE };
  GtkWidget *view = find_type (window, GTK_TYPE_LIST_VIEW);
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  scroll.adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  while (gtk_adjustment_get_upper (scroll.adjustment) <= gtk_adjustment_get_page_size (scroll.adjustment))
    g_main_context_iteration (NULL, TRUE);
  scroll.step = gtk_adjustment_get_upper (scroll.adjustment) / n_rows * 100;

  g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), &scroll);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &scroll);
  gtk_widget_add_tick_callback (view, on_tick, &scroll, NULL);
  while (!scroll.done)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handlers_disconnect_by_func (clock, on_before_paint, &scroll);
  g_signal_handlers_disconnect_by_func (clock, on_after_paint, &scroll);
}

static void
setup_label (GtkSignalListItemFactory *factory,
             GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_top (label, 14);
  gtk_widget_set_margin_bottom (label, 14);
  gtk_list_item_set_child (item, label);
}

static void
bind_label (GtkSignalListItemFactory *factory,
            GtkListItem              *item)
{
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      gtk_string_object_get_string (gtk_list_item_get_item (item)));
}

/* The floor: GTK's own list view of 100,000 one-label rows, in a window
 * of the same size. */
static GtkWidget *
plain_list_window (void)
{
  GtkStringList *strings = gtk_string_list_new (NULL);
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *view;

  for (guint i = 0; i < 100000; i++)
    {
      g_autofree char *text = g_strdup_printf ("npm run build -- --target=%u", i);
      gtk_string_list_append (strings, text);
    }
  g_signal_connect (factory, "setup", G_CALLBACK (setup_label), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_label), NULL);
  view = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_single_selection_new (G_LIST_MODEL (strings))), factory);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_window_set_child (GTK_WINDOW (window), scroller);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 680);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
bench_scroll (PaddockApplication *app,
              PaddockWindow      *window,
              PaddockWorkspace   *workspace)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) frames = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) plain_frames = g_array_new (FALSE, FALSE, sizeof (double));
  GtkWidget *plain;

  for (guint i = 0; i < 100000; i++)
    {
      g_autofree char *subject = g_strdup_printf ("npm run build -- --target=%u", i);
      PaddockEvent *event = paddock_event_new (i % 3 ? PADDOCK_EVENT_DECISION : PADDOCK_EVENT_APPROVAL,
                                               paddock_workspace_get_path (workspace), subject);

      paddock_event_set_outcome (event, i % 2 ? "allowed once by someone" : "denied by someone", i % 2);
      paddock_event_set_decided_by (event, "user", "/home/someone/.config/paddock/policy.json:3:5",
                                    "{\"match\": [\"npm\", \"run\"], \"decision\": \"prompt\"}");
      g_ptr_array_add (events, event);
    }
  g_list_store_splice (G_LIST_STORE (paddock_application_get_events (app)), 0, 0, events->pdata, events->len);
  paddock_window_select_workspace (window, workspace);
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);

  scroll_through (GTK_WIDGET (window), 100000, frames);

  plain = plain_list_window ();
  while (!gtk_widget_get_mapped (plain))
    g_main_context_iteration (NULL, TRUE);
  scroll_through (plain, 100000, plain_frames);
  gtk_window_destroy (GTK_WINDOW (plain));

  printf ("scrolling 100,000 rows, 100 rows a frame, top to bottom; the work of each frame:\n");
  printf ("  GTK's list view, one label a row  median %6.2f ms, p99 %6.2f ms, worst %6.2f ms\n",
          bench_median (plain_frames), bench_quantile (plain_frames, 0.99), bench_quantile (plain_frames, 1.0));
  printf ("  Paddock's activity list           median %6.2f ms, p99 %6.2f ms, worst %6.2f ms   (target: none over 16 ms)\n",
          bench_median (frames), bench_quantile (frames, 0.99), bench_quantile (frames, 1.0));
}

/* --- the in-process part ---------------------------------------------------- */

typedef struct
{
  const char *folder;
} Bench;

static void
on_activate (GApplication *application,
             Bench        *bench)
{
  PaddockApplication *app = PADDOCK_APPLICATION (application);
  g_autoptr(GError) error = NULL;
  PaddockWorkspace *workspace;
  PaddockWindow *window;

  g_application_hold (application);
  workspace = paddock_application_add_workspace (app, bench->folder, &error);
  if (workspace == NULL)
    g_error ("%s", error->message);
  window = paddock_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_main_context_iteration (NULL, TRUE);

  bench_dialog (app);
  bench_scroll (app, window, workspace);

  gtk_window_destroy (GTK_WINDOW (window));
  g_application_release (application);
  g_application_quit (application);
}

int
main (int   argc,
      char *argv[])
{
  const GOptionEntry entries[] = {
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Launches of each kind (default 10)", "N" },
    { "requests", 0, 0, G_OPTION_ARG_INT, &requests, "Requests to the broker (default 30)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockApplication) app = NULL;
  g_autofree char *root = NULL;
  g_autofree char *config = NULL;
  g_autofree char *folder = NULL;
  Bench bench;
  char *no_args[] = { argv[0], NULL };

  if (argc == 4 && g_str_equal (argv[1], "--child"))
    return run_child (argv[2], atoi (argv[3]));

  context = g_option_context_new (NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("gui-bench: %s\n", error->message);
      return 2;
    }
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("gui-bench: no display; run it under xvfb-run (see the README)\n");
      return 2;
    }

  /* A home of its own, so the user's workspaces do not count. */
  root = g_dir_make_tmp ("paddock-gui-bench-XXXXXX", &error);
  config = g_build_filename (root, "config", NULL);
  folder = g_build_filename (root, "workspace", NULL);
  g_mkdir_with_parents (folder, 0700);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GSETTINGS_SCHEMA_DIR", PADDOCK_BUILD_SCHEMADIR, FALSE);

  bench_launch (argv[0]);

  /* The broker answers on the bus under the name paddockctl calls. */
  app = g_object_new (PADDOCK_TYPE_APPLICATION, "application-id", paddock_broker_get_bus_name (),
                      "flags", G_APPLICATION_DEFAULT_FLAGS, "resource-base-path", "/org/paddock/Paddock", NULL);
  bench.folder = folder;
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), &bench);
  return g_application_run (G_APPLICATION (app), 1, no_args);
}
