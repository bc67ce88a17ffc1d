/* paddock-relay.h: copies bytes both ways between pairs of sockets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PaddockRelay PaddockRelay;

typedef enum
{
  PADDOCK_RELAY_BOTH,
  /* From the second socket to the first only: what the first sends is
   * left unread, and the second's sending side is left open. */
  PADDOCK_RELAY_ONLY_BACK,
} PaddockRelayFlags;

/* Called once a pair is done: both directions ended, or one failed.
 * @sent is what went from the first socket to the second, @received the
 * other way. */
typedef void (*PaddockRelayDoneFunc) (guint64  sent,
                                      guint64  received,
                                      gpointer user_data);

/* A relay running in @context (the thread-default one when NULL). */
PaddockRelay *paddock_relay_new      (GMainContext          *context,
                                      GError               **error);
/* Relays between two connected stream sockets until both directions
 * end, then closes them: the relay owns @fd_a and @fd_b from now on.
 * Bytes move through pipes with splice(2), never through our memory. */
void          paddock_relay_add      (PaddockRelay          *relay,
                                      int                    fd_a,
                                      int                    fd_b,
                                      PaddockRelayFlags      flags,
                                      PaddockRelayDoneFunc   done,
                                      gpointer               user_data);
/* Pairs still open. */
guint         paddock_relay_get_size (PaddockRelay          *relay);
/* Closes every pair without calling their done functions. */
void          paddock_relay_free     (PaddockRelay          *relay);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaddockRelay, paddock_relay_free)

G_END_DECLS
