/* paddockctl-export.c: paddock-export beside a run or an MCP session
 *
 * Told on every way out that the work is over, it flushes for a bounded
 * time, and what is left waits in the store for the next Paddock
 * process.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "paddockctl.h"

/* How long a finished run waits for the collector before it leaves the
 * rest to the next Paddock process (paddock-export's own bound). */
#define FLUSH_TIMEOUT_MS 3000

static void
on_exporter_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_main_loop_quit (user_data);
}

static gboolean
on_exporter_late (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

void
paddockctl_export_finish (PaddockctlExport *export)
{
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GSource) late = NULL;

  if (export->exporter == NULL)
    return;
  context = g_main_context_new ();
  loop = g_main_loop_new (context, FALSE);
  g_main_context_push_thread_default (context);
  g_output_stream_close (g_subprocess_get_stdin_pipe (export->exporter), NULL, NULL);
  g_subprocess_wait_async (export->exporter, NULL, on_exporter_done, loop);
  late = g_timeout_source_new (FLUSH_TIMEOUT_MS + 1000);
  g_source_set_callback (late, on_exporter_late, loop, NULL);
  g_source_attach (late, context);
  g_main_loop_run (loop);
  g_source_destroy (late);
  /* Still running after its bound (not reaped): it goes; the store
   * keeps what it had not sent. */
  if (g_subprocess_get_identifier (export->exporter) != NULL)
    g_subprocess_force_exit (export->exporter);
  g_main_context_pop_thread_default (context);
  g_clear_object (&export->exporter);
}

void
paddockctl_export_start (PaddockctlExport *export,
                         const char       *endpoint)
{
  const char *exporter = PADDOCK_DEVELOPMENT ? PADDOCK_BUILD_EXPORTER : PADDOCK_EXPORTER;
  g_autoptr(GError) error = NULL;

  export->exporter = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE, &error, exporter, "follow", NULL);
  /* The events are in the store: the next Paddock process sends them. */
  if (export->exporter == NULL)
    g_printerr (_("paddockctl: events are not sent to %s now: %s\n"), endpoint, error->message);
}
