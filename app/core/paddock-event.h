/* paddock-event.h: one thing that happened in a workspace, for the
 * activity list, as the audit store holds it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  PADDOCK_EVENT_DECISION,   /* the policy decided, nobody was asked */
  PADDOCK_EVENT_APPROVAL,   /* a person (or the timeout) answered */
  PADDOCK_EVENT_RESULT,     /* a command ended */
  PADDOCK_EVENT_NETWORK,    /* the proxy decided about a host */
  PADDOCK_EVENT_SESSION,    /* a front door started working in the workspace */
  PADDOCK_EVENT_VIOLATION,  /* something tried what the sandbox stops */
  PADDOCK_EVENT_OTHER,      /* a prompt, an MCP call… */
} PaddockEventKind;

#define PADDOCK_TYPE_EVENT (paddock_event_get_type ())

G_DECLARE_FINAL_TYPE (PaddockEvent, paddock_event, PADDOCK, EVENT, GObject)

/* @subject is escaped for display here: it may come from anybody. */
PaddockEvent     *paddock_event_new              (PaddockEventKind         kind,
                                                  const char              *workspace,
                                                  const char              *subject);
/* An event of the audit store, as paddock_audit_query() returns it;
 * its workspace is the workspace's id. */
PaddockEvent     *paddock_event_new_from_record  (JsonObject              *record);

void              paddock_event_set_decided_by   (PaddockEvent            *self,
                                                  const char              *layer,
                                                  const char              *location,
                                                  const char              *rule);
/* "allowed", "denied", "allowed once", "exit 0"…: the badge. */
void              paddock_event_set_outcome      (PaddockEvent            *self,
                                                  const char              *outcome,
                                                  gboolean                 good);
/* Output or any other text, escaped line by line. */
void              paddock_event_set_detail       (PaddockEvent            *self,
                                                  const char              *detail);

PaddockEventKind  paddock_event_get_kind         (PaddockEvent            *self);
/* The event's id in the audit store; 0 for one that is not there. */
gint64            paddock_event_get_id           (PaddockEvent            *self);
/* The call.id that links a decision to its result, or NULL. */
const char       *paddock_event_get_call_id      (PaddockEvent            *self);
/* @subject: already escaped, as paddock_event_dup_subject() gives it. */
void              paddock_event_set_subject      (PaddockEvent            *self,
                                                  const char              *subject);
GDateTime        *paddock_event_get_time         (PaddockEvent            *self);
const char       *paddock_event_get_workspace    (PaddockEvent            *self);
char             *paddock_event_dup_subject      (PaddockEvent            *self);
const char       *paddock_event_get_outcome      (PaddockEvent            *self);
gboolean          paddock_event_get_good         (PaddockEvent            *self);
/* "the user layer, /path/user.json:1:15", or NULL. */
char             *paddock_event_dup_decided_by   (PaddockEvent            *self);
const char       *paddock_event_get_layer        (PaddockEvent            *self);
char             *paddock_event_dup_rule         (PaddockEvent            *self);
char             *paddock_event_dup_detail       (PaddockEvent            *self);

G_END_DECLS
