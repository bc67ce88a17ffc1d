/* paddockctl-audit.c: `paddockctl audit list|show|export` and
 * `paddockctl telemetry status|flush|token`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>

#include "paddock-action.h"
#include "paddock-audit-session.h"
#include "paddock-policy-loader.h"
#include "paddock-telemetry-config.h"
#include "paddockctl.h"

#define AUDIT_USAGE N_("usage: paddockctl audit list|show ID|export [--workspace DIR] [--since TIME] " \
                       "[--until TIME] [--session ID] [--json]")

/* "2026-11-27T10:00:00Z", "2026-11-27" (local midnight), or a time ago:
 * "90s", "30m", "2h", "7d". */
static gboolean
parse_time (const char  *text,
            const char  *option,
            gint64      *unix_nano,
            GError     **error)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (text, local);
  char *end;
  guint64 amount = g_ascii_strtoull (text, &end, 10);

  if (time == NULL && strlen (text) == 10)
    {
      g_autofree char *midnight = g_strconcat (text, "T00:00:00", NULL);
      time = g_date_time_new_from_iso8601 (midnight, local);
    }
  if (time != NULL)
    {
      *unix_nano = g_date_time_to_unix (time) * G_GINT64_CONSTANT (1000000000) +
                   g_date_time_get_microsecond (time) * 1000;
      return TRUE;
    }
  if (end != text && end[0] != '\0' && end[1] == '\0' && strchr ("smhd", end[0]) != NULL)
    {
      static const struct { char unit; gint64 seconds; } units[] = {
        { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
      };

      for (guint i = 0; i < G_N_ELEMENTS (units); i++)
        if (units[i].unit == end[0])
          {
            *unix_nano = (g_get_real_time () / G_USEC_PER_SEC - (gint64) amount * units[i].seconds) *
                         G_GINT64_CONSTANT (1000000000);
            return TRUE;
          }
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("%s “%s” is not a time; accepted: 2026-11-27T10:00:00Z, 2026-11-27, or a time ago "
                 "such as 90s, 30m, 2h, 7d"), option, text);
  return FALSE;
}

static char *
format_time (gint64 unix_nano)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_nano / 1000000000);
  g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;

  return local ? g_date_time_format (local, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

static PaddockAudit *
open_store (GError **error)
{
  g_autofree char *path = paddock_audit_dup_default_path ();

  return paddock_audit_open (path, error);
}

static void
print_event_line (JsonObject *event)
{
  JsonObject *attributes = json_object_get_object_member (event, "attributes");
  g_autofree char *time = format_time (json_object_get_int_member (event, "time_unix_nano"));
  g_autofree char *summary = paddock_audit_event_summary (json_object_get_string_member (event, "name"), attributes);
  g_autofree char *shown = paddock_escape_as_one_line (summary);
  const char *session = json_object_get_string_member_with_default (attributes, "session.id", "");

  g_print ("%6" G_GINT64_FORMAT "  %s  %.8s  %-26s %s\n", json_object_get_int_member (event, "id"), time, session,
           json_object_get_string_member (event, "name"), shown);
}

static void
print_json_line (JsonObject *event)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), event);
  g_autofree char *text = json_to_string (node, FALSE);

  g_print ("%s\n", text);
}

static int
show_event (PaddockAudit *audit,
            const char   *id_text,
            gboolean      as_json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) event = NULL;
  guint64 id;
  JsonObject *attributes;
  g_autoptr(GList) names = NULL;
  g_autofree char *time = NULL;

  if (!g_ascii_string_to_unsigned (id_text, 10, 1, G_MAXINT64, &id, NULL))
    return paddockctl_error (_("“%s” is not an event id; `paddockctl audit list` shows them"), id_text);
  event = paddock_audit_get (audit, id, &error);
  if (event == NULL)
    return paddockctl_error ("%s", error->message);
  if (as_json)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), event);
      paddockctl_print_json (node);
      return PADDOCKCTL_EXIT_OK;
    }

  time = format_time (json_object_get_int_member (event, "time_unix_nano"));
  g_print ("event %" G_GUINT64_FORMAT ": %s at %s (%s)\n", id, json_object_get_string_member (event, "name"), time,
           json_object_get_int_member (event, "exported") == PADDOCK_AUDIT_EXPORTED ? _("exported")
           : json_object_get_int_member (event, "exported") == PADDOCK_AUDIT_REJECTED ? _("refused by the collector")
           : _("not exported"));
  attributes = json_object_get_object_member (event, "attributes");
  names = g_list_sort (json_object_get_members (attributes), (GCompareFunc) g_strcmp0);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *value = json_object_get_member (attributes, name);
      g_autofree char *text = JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING
                              ? g_strdup (json_node_get_string (value)) : json_to_string (value, FALSE);
      g_autofree char *shown = paddock_escape_as_one_line (text);

      g_print ("  %-18s %s\n", name, shown);
    }
  return PADDOCKCTL_EXIT_OK;
}

/* Writes to @path, created private (it holds the audit trail), or to
 * standard output. */
static FILE *
open_output (const char  *path,
             GError     **error)
{
  int fd;
  FILE *out;

  if (path == NULL || g_str_equal (path, "-"))
    return stdout;
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || (out = fdopen (fd, "w")) == NULL)
    {
      int saved_errno = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), _("%s cannot be written: %s"), path,
                   g_strerror (saved_errno));
      return NULL;
    }
  return out;
}

int
paddockctl_audit (int    argc,
                  char **argv)
{
  g_autofree char *workspace_dir = NULL;
  g_autofree char *since = NULL;
  g_autofree char *until = NULL;
  g_autofree char *session = NULL;
  g_autofree char *format = NULL;
  g_autofree char *output = NULL;
  gboolean as_json = FALSE;
  int limit = -1;
  const GOptionEntry entries[] = {
    { "workspace", 'w', 0, G_OPTION_ARG_FILENAME, &workspace_dir, N_("Only this workspace's events"), N_("DIR") },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since, N_("Only events at or after this time (or this long ago: 2h, 7d)"), N_("TIME") },
    { "until", 0, 0, G_OPTION_ARG_STRING, &until, N_("Only events before this time"), N_("TIME") },
    { "session", 0, 0, G_OPTION_ARG_STRING, &session, N_("Only this session's events"), N_("ID") },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, N_("At most this many, the newest (list: 100 by default; 0: all)"), N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_("One JSON object per event"), NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("export: jsonl (default) or otlp (an OTLP/JSON logs request)"), N_("FORMAT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("export: write here (made private) instead of standard output"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("list|show ID|export"));
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockAudit) audit = NULL;
  g_autoptr(PaddockWorkspace) workspace = NULL;
  g_autoptr(GPtrArray) events = NULL;
  PaddockAuditFilter filter = { 0 };
  const char *verb;

  g_set_prgname ("paddockctl audit");
  g_option_context_set_summary (context, _("What happened: every session, decision, result and network decision."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return paddockctl_error ("%s", error->message);
  if (argc < 2)
    return paddockctl_error ("%s", _(AUDIT_USAGE));
  verb = argv[1];

  if ((since != NULL && !parse_time (since, "--since", &filter.since_unix_nano, &error)) ||
      (until != NULL && !parse_time (until, "--until", &filter.until_unix_nano, &error)))
    return paddockctl_error ("%s", error->message);
  if (workspace_dir != NULL)
    {
      workspace = paddock_workspace_new_for_path (workspace_dir, &error);
      if (workspace == NULL)
        return paddockctl_error ("%s", error->message);
      filter.workspace_id = paddock_workspace_get_id (workspace);
    }
  filter.session_id = session;

  audit = open_store (&error);
  if (audit == NULL)
    return paddockctl_error ("%s", error->message);

  if (g_str_equal (verb, "show"))
    {
      if (argc != 3)
        return paddockctl_error ("%s", _(AUDIT_USAGE));
      return show_event (audit, argv[2], as_json);
    }

  if (g_str_equal (verb, "list"))
    {
      filter.limit = limit < 0 ? 100 : (guint) limit;
      filter.newest_first = TRUE;
      events = paddock_audit_query (audit, &filter, &error);
      if (events == NULL)
        return paddockctl_error ("%s", error->message);
      for (guint i = 0; i < events->len; i++)
        (as_json ? print_json_line : print_event_line) (g_ptr_array_index (events, i));
      return PADDOCKCTL_EXIT_OK;
    }

  if (g_str_equal (verb, "export"))
    {
      gboolean otlp = g_strcmp0 (format, "otlp") == 0;
      FILE *out;

      if (format != NULL && !otlp && !g_str_equal (format, "jsonl"))
        return paddockctl_error (_("“%s” is not an export format; accepted: jsonl, otlp"), format);
      filter.limit = limit < 0 ? 0 : (guint) limit;
      filter.newest_first = filter.limit > 0;
      events = paddock_audit_query (audit, &filter, &error);
      if (events == NULL)
        return paddockctl_error ("%s", error->message);
      out = open_output (output, &error);
      if (out == NULL)
        return paddockctl_error ("%s", error->message);
      if (otlp)
        {
          g_autoptr(PaddockPolicyLoader) loader = paddock_policy_loader_new ();
          g_autoptr(PaddockPolicy) policy = paddock_policy_loader_load (loader, NULL, NULL);
          g_auto(GStrv) envp = g_get_environ ();
          g_autoptr(PaddockTelemetryConfig) config = paddock_telemetry_config_new (policy, (const char * const *) envp);
          g_autofree char *request = paddock_telemetry_build_request (events, (const char * const *) config->resource);

          fprintf (out, "%s\n", request);
        }
      else
        for (guint i = 0; i < events->len; i++)
          {
            g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), g_ptr_array_index (events, i));
            g_autofree char *text = json_to_string (node, FALSE);

            fprintf (out, "%s\n", text);
          }
      if ((out != stdout && fclose (out) != 0) || (out == stdout && fflush (out) != 0))
        return paddockctl_error (_("the export was not written completely: %s"), g_strerror (errno));
      return PADDOCKCTL_EXIT_OK;
    }

  return paddockctl_error ("%s", _(AUDIT_USAGE));
}

/* --- telemetry ------------------------------------------------------- */

/* `paddockctl telemetry` is paddock-export's: only that program loads
 * libsoup and the keychain, so every other command starts quicker. */
int
paddockctl_telemetry (int    argc,
                      char **argv)
{
  return paddockctl_exec_helper (PADDOCK_DEVELOPMENT ? PADDOCK_BUILD_EXPORTER : PADDOCK_EXPORTER, argc - 1, argv + 1);
}
