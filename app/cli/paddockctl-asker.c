/* paddockctl-asker.c: who answers paddockctl's questions while it works
 *
 * The app's dialog when the app runs; else the controlling terminal,
 * never stdin (it may be the agent's, and an agent must not answer for
 * a person), one question at a time and read without blocking so that
 * the proxy and the MCP server go on serving meanwhile; else nobody,
 * which is no.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include <glib-unix.h>

#include "paddock-broker-client.h"
#include "paddockctl.h"

struct _PaddockctlAsker
{
  gboolean closed;                    /* answers that come later deny */
  gboolean no_terminal;               /* the terminal is an agent's: never ask there */
  GQueue waiting;                     /* PaddockApprovalRequest* */
  PaddockApprovalRequest *current;
  int tty;
  GSource *source;
  GString *line;
  gulong answered_id;
};

void
paddockctl_describe (FILE                  *out,
                     const PaddockDecision *decision)
{
  g_autofree char *subject = paddock_action_to_display (decision->action);
  g_autofree char *location = paddock_rule_dup_location (decision->decisive);
  g_autofree char *rule = paddock_rule_dup_display_text (decision->decisive);
  g_autofree char *reason = decision->decisive->reason ? paddock_escape_for_display (decision->decisive->reason)
                                                       : g_strdup (_("(none given)"));

  if (decision->action->kind == PADDOCK_ACTION_NET)
    fprintf (out, _("  host:       %s\n"), subject);
  else if (decision->action->kind == PADDOCK_ACTION_READ || decision->action->kind == PADDOCK_ACTION_WRITE)
    fprintf (out, _("  %s:      %s\n"), decision->action->kind == PADDOCK_ACTION_READ ? _("read ") : _("write"),
             subject);
  else
    fprintf (out, _("  command:    %s\n"), subject);
  fprintf (out, _("  decided by: the %s layer, %s\n"), paddock_layer_to_string (decision->decisive->layer), location);
  fprintf (out, _("  rule:       %s\n"), rule);
  fprintf (out, _("  reason:     %s\n"), reason);
  if (decision->approval_effect != NULL)
    fprintf (out, _("  approval:   %s\n"), decision->approval_effect);
}

static void ask_next (PaddockctlAsker *asker);

static void
finish_current (PaddockctlAsker *asker)
{
  if (asker->current != NULL)
    g_signal_handler_disconnect (asker->current, asker->answered_id);
  g_clear_object (&asker->current);
  if (asker->source != NULL)
    {
      g_source_destroy (asker->source);
      g_clear_pointer (&asker->source, g_source_unref);
    }
  if (asker->tty >= 0)
    close (asker->tty);
  asker->tty = -1;
  g_string_truncate (asker->line, 0);
}

/* Answered elsewhere: by the timeout. */
static void
on_current_answered (PaddockApprovalRequest *request,
                     PaddockctlAsker        *asker)
{
  if (asker->tty >= 0 && g_str_equal (paddock_approval_request_get_who (request), "timeout"))
    {
      static const char timed_out[] = "\n(no answer in time: denied)\n";
      (void) write (asker->tty, timed_out, sizeof timed_out - 1);
    }
  finish_current (asker);
  ask_next (asker);
}

static gboolean
on_tty_readable (int          fd,
                 GIOCondition condition,
                 gpointer     user_data)
{
  PaddockctlAsker *asker = user_data;
  PaddockApprovalRequest *request = asker->current;
  char buffer[64];
  ssize_t n = read (fd, buffer, sizeof buffer);
  PaddockAnswer answer = PADDOCK_ANSWER_DENY;

  if (n > 0)
    {
      g_string_append_len (asker->line, buffer, n);
      if (strchr (asker->line->str, '\n') == NULL)
        return G_SOURCE_CONTINUE;
    }

  switch (g_ascii_tolower (asker->line->str[0]))
    {
    case 'o':
      answer = PADDOCK_ANSWER_ONCE;
      break;
    case 's':
      answer = PADDOCK_ANSWER_SESSION;
      break;
    case 'a':
      answer = PADDOCK_ANSWER_ALWAYS;
      break;
    default:
      break;
    }
  if (!paddock_approval_request_offers (request, answer))
    answer = PADDOCK_ANSWER_DENY;
  g_clear_pointer (&asker->source, g_source_unref);
  /* Answering runs on_current_answered, which moves to the next. */
  g_object_ref (request);
  paddock_approval_request_answer (request, answer, g_get_user_name ());
  g_object_unref (request);
  return G_SOURCE_REMOVE;
}

static void
ask_next (PaddockctlAsker *asker)
{
  FILE *out;
  int copy;

  while (asker->current == NULL && !g_queue_is_empty (&asker->waiting))
    {
      PaddockApprovalRequest *request = g_queue_pop_head (&asker->waiting);
      PaddockDecision *decision = paddock_approval_request_get_decision (request);
      g_autofree char *client = NULL;

      if (paddock_approval_request_is_answered (request))
        {
          g_object_unref (request);
          continue;
        }
      asker->tty = open ("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
      if (asker->tty < 0)
        {
          paddock_approval_request_answer (request, PADDOCK_ANSWER_DENY, "nobody");
          g_object_unref (request);
          continue;
        }
      asker->current = request;
      asker->answered_id = g_signal_connect (request, "answered", G_CALLBACK (on_current_answered), asker);

      client = paddock_approval_request_dup_client (request);
      copy = dup (asker->tty);
      out = copy >= 0 ? fdopen (copy, "w") : NULL;
      if (out != NULL)
        {
          if (decision->action->kind == PADDOCK_ACTION_NET)
            fprintf (out, _("\nPaddock asks before the command reaches this host:\n"));
          else if (decision->action->kind == PADDOCK_ACTION_EXEC)
            fprintf (out, _("\nPaddock asks before running this (for %s):\n"), client);
          else
            fprintf (out, _("\nPaddock asks before %s does this:\n"), client);
          paddockctl_describe (out, decision);
          fprintf (out, "%s", paddock_approval_request_offers (request, PADDOCK_ANSWER_ALWAYS)
                   ? _("[d]eny, allow [o]nce, for this [s]ession, or [a]lways in this workspace? [d] ")
                   : paddock_approval_request_offers (request, PADDOCK_ANSWER_SESSION)
                   ? _("[d]eny, allow [o]nce, or for this [s]ession? [d] ")
                   : _("[d]eny, allow [o]nce (this rule asks every time)? [d] "));
          fclose (out);
        }
      asker->source = g_unix_fd_source_new (asker->tty, G_IO_IN | G_IO_HUP | G_IO_ERR);
      g_source_set_callback (asker->source, (GSourceFunc) (void (*) (void)) on_tty_readable, asker, NULL);
      g_source_attach (asker->source, NULL);
    }
}

typedef struct
{
  PaddockctlAsker *asker;             /* a reference */
  PaddockApprovalRequest *request;
} Asking;

static void
on_app_answered (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Asking *asking = user_data;
  PaddockctlAsker *asker = asking->asker;
  g_autoptr(PaddockApprovalRequest) request = asking->request;
  g_autoptr(GError) error = NULL;

  g_free (asking);
  if (!paddock_broker_client_ask_finish (result, &error) &&
      g_error_matches (error, PADDOCK_BROKER_ERROR, PADDOCK_BROKER_ERROR_NO_APP) && !asker->closed &&
      !asker->no_terminal)
    {
      g_queue_push_tail (&asker->waiting, g_steal_pointer (&request));
      ask_next (asker);
    }
  else if (error != NULL && !paddock_approval_request_is_answered (request))
    {
      if (!g_error_matches (error, PADDOCK_BROKER_ERROR, PADDOCK_BROKER_ERROR_NO_APP))
        g_printerr ("paddockctl: %s\n", error->message);
      paddock_approval_request_answer (request, PADDOCK_ANSWER_DENY, "nobody");
    }
  g_rc_box_release (asker);
}

void
paddockctl_asker_on_approval_needed (GObject                *emitter,
                                     PaddockApprovalRequest *request,
                                     PaddockctlAsker        *asker)
{
  paddockctl_asker_ask (asker, request);
}

void
paddockctl_asker_ask (PaddockctlAsker        *asker,
                      PaddockApprovalRequest *request)
{
  Asking *asking = g_new0 (Asking, 1);

  asking->asker = g_rc_box_acquire (asker);
  asking->request = g_object_ref (request);
  paddock_broker_client_ask_async (request, NULL, on_app_answered, asking);
}

PaddockctlAsker *
paddockctl_asker_new (void)
{
  PaddockctlAsker *asker = g_rc_box_new0 (PaddockctlAsker);

  g_queue_init (&asker->waiting);
  asker->tty = -1;
  asker->line = g_string_new (NULL);
  return asker;
}

void
paddockctl_asker_set_terminal (PaddockctlAsker *asker,
                               gboolean         use_terminal)
{
  asker->no_terminal = !use_terminal;
}

static void
asker_clear (PaddockctlAsker *asker)
{
  g_string_free (asker->line, TRUE);
}

void
paddockctl_asker_close (PaddockctlAsker *asker)
{
  if (asker == NULL)
    return;
  /* Whatever is still waiting is denied: nobody is left to ask. */
  asker->closed = TRUE;
  finish_current (asker);
  while (!g_queue_is_empty (&asker->waiting))
    {
      g_autoptr(PaddockApprovalRequest) request = g_queue_pop_head (&asker->waiting);

      if (!paddock_approval_request_is_answered (request))
        paddock_approval_request_answer (request, PADDOCK_ANSWER_DENY, "nobody");
    }
  g_rc_box_release_full (asker, (GDestroyNotify) asker_clear);
}
