/* paddock-relay.c
 *
 * One epoll set per relay, watched by a GSource, so that relaying takes
 * no thread of its own and every pair is served from the context that
 * made it. Each direction of a pair moves bytes socket → pipe → socket
 * with splice(2): the data never crosses into this process's memory, so
 * a tunnel costs about what the sockets themselves cost.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>

#include "paddock-errors.h"
#include "paddock-relay.h"

/* Splices per direction in one go before the others get a turn. */
#define MAX_ROUNDS 16
#define WANTED_PIPE_SIZE (256 * 1024)
#define MAX_EVENTS 64

typedef struct _Pair Pair;

typedef struct
{
  int from;
  int to;
  int pipe[2];
  gsize capacity;
  gsize in_pipe;
  gboolean eof;       /* nothing more comes from @from */
  gboolean finished;  /* and all of it went to @to, which was shut */
  guint64 bytes;
} Direction;

struct _Pair
{
  PaddockRelay *relay;
  int fd[2];
  Direction direction[2];
  gboolean failed;
  gboolean pending;
  PaddockRelayDoneFunc done;
  gpointer user_data;
};

struct _PaddockRelay
{
  GSource *source;
  int epoll_fd;
  GHashTable *pairs;   /* Pair* set */
  GQueue pending;      /* Pair*: cut short, to be served again */
};

typedef struct
{
  GSource parent;
  PaddockRelay *relay;
} RelaySource;

static void
direction_close (Direction *direction)
{
  if (direction->pipe[0] >= 0)
    close (direction->pipe[0]);
  if (direction->pipe[1] >= 0)
    close (direction->pipe[1]);
  direction->pipe[0] = direction->pipe[1] = -1;
}

static void
pair_free (Pair *pair)
{
  for (guint i = 0; i < 2; i++)
    {
      direction_close (&pair->direction[i]);
      if (pair->fd[i] >= 0)
        close (pair->fd[i]);
    }
  g_free (pair);
}

/* Moves what it can in one direction. Returns TRUE when it stopped only
 * because its turn was over, with more to do. */
static gboolean
direction_step (Pair      *pair,
                Direction *direction)
{
  for (guint round = 0; round < MAX_ROUNDS; round++)
    {
      gboolean moved = FALSE;

      if (!direction->eof && direction->in_pipe < direction->capacity)
        {
          ssize_t n = splice (direction->from, NULL, direction->pipe[1], NULL,
                              direction->capacity - direction->in_pipe,
                              SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
          if (n > 0)
            {
              direction->in_pipe += n;
              direction->bytes += n;
              moved = TRUE;
            }
          else if (n == 0)
            direction->eof = TRUE;
          else if (errno != EAGAIN && errno != EINTR)
            {
              pair->failed = TRUE;
              return FALSE;
            }
        }

      if (direction->in_pipe > 0)
        {
          ssize_t n = splice (direction->pipe[0], NULL, direction->to, NULL, direction->in_pipe,
                              SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
          if (n > 0)
            {
              direction->in_pipe -= n;
              moved = TRUE;
            }
          else if (n < 0 && errno != EAGAIN && errno != EINTR)
            {
              pair->failed = TRUE;
              return FALSE;
            }
        }

      if (direction->eof && direction->in_pipe == 0 && !direction->finished)
        {
          /* Pass the end on, keeping the other way open: a client may
           * send its request, shut its side, and wait for the answer. */
          shutdown (direction->to, SHUT_WR);
          direction->finished = TRUE;
        }

      if (!moved)
        return FALSE;
    }
  return !direction->finished;
}

static void
pair_finish (Pair *pair)
{
  PaddockRelay *relay = pair->relay;

  g_hash_table_remove (relay->pairs, pair);
  if (pair->pending)
    g_queue_remove (&relay->pending, pair);
  for (guint i = 0; i < 2; i++)
    epoll_ctl (relay->epoll_fd, EPOLL_CTL_DEL, pair->fd[i], NULL);
  if (pair->done != NULL)
    pair->done (pair->direction[0].bytes, pair->direction[1].bytes, pair->user_data);
  pair_free (pair);
}

static void
pair_serve (Pair *pair)
{
  gboolean more = FALSE;

  for (guint i = 0; i < 2 && !pair->failed; i++)
    if (!pair->direction[i].finished)
      more |= direction_step (pair, &pair->direction[i]);

  if (pair->failed || (pair->direction[0].finished && pair->direction[1].finished))
    {
      pair_finish (pair);
      return;
    }

  /* Edge-triggered: nobody wakes us for data already waiting. */
  if (more && !pair->pending)
    {
      pair->pending = TRUE;
      g_queue_push_tail (&pair->relay->pending, pair);
    }
}

static gboolean
relay_source_prepare (GSource *source,
                      gint    *timeout)
{
  RelaySource *self = (RelaySource *) source;

  *timeout = -1;
  return self->relay->pending.length > 0;
}

static gboolean
relay_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  PaddockRelay *relay = ((RelaySource *) source)->relay;
  struct epoll_event events[MAX_EVENTS];
  guint n_pending = relay->pending.length;
  int n;

  for (guint i = 0; i < n_pending; i++)
    {
      Pair *pair = g_queue_pop_head (&relay->pending);

      pair->pending = FALSE;
      pair_serve (pair);
    }

  n = epoll_wait (relay->epoll_fd, events, MAX_EVENTS, 0);
  for (int i = 0; i < n; i++)
    {
      Pair *pair = events[i].data.ptr;

      /* A pair finished earlier in this batch is gone: look it up before
       * touching it. */
      if (g_hash_table_contains (relay->pairs, pair))
        pair_serve (pair);
    }

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs relay_source_funcs = {
  relay_source_prepare,
  NULL,
  relay_source_dispatch,
  NULL,
  NULL,
  NULL,
};

PaddockRelay *
paddock_relay_new (GMainContext  *context,
                   GError       **error)
{
  g_autofree PaddockRelay *relay = g_new0 (PaddockRelay, 1);

  relay->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (relay->epoll_fd < 0)
    {
      paddock_fail (error, G_IO_ERROR, g_io_error_from_errno (errno), "epoll_create1: %s", g_strerror (errno));
      return NULL;
    }

  relay->pairs = g_hash_table_new (NULL, NULL);
  g_queue_init (&relay->pending);
  relay->source = g_source_new (&relay_source_funcs, sizeof (RelaySource));
  ((RelaySource *) relay->source)->relay = relay;
  g_source_set_static_name (relay->source, "paddock-relay");
  g_source_add_unix_fd (relay->source, relay->epoll_fd, G_IO_IN);
  g_source_attach (relay->source, context != NULL ? context : g_main_context_get_thread_default ());

  return g_steal_pointer (&relay);
}

static gboolean
direction_init (Direction *direction,
                int        from,
                int        to)
{
  int size;

  direction->from = from;
  direction->to = to;
  if (!g_unix_open_pipe (direction->pipe, FD_CLOEXEC, NULL))
    return FALSE;
  fcntl (direction->pipe[1], F_SETPIPE_SZ, WANTED_PIPE_SIZE);  /* a wish: the user's pipe budget may say no */
  size = fcntl (direction->pipe[1], F_GETPIPE_SZ);
  direction->capacity = size > 0 ? size : 4096;
  return TRUE;
}

void
paddock_relay_add (PaddockRelay         *relay,
                   int                   fd_a,
                   int                   fd_b,
                   PaddockRelayFlags     flags,
                   PaddockRelayDoneFunc  done,
                   gpointer              user_data)
{
  Pair *pair = g_new0 (Pair, 1);

  g_return_if_fail (relay != NULL);

  pair->relay = relay;
  pair->fd[0] = fd_a;
  pair->fd[1] = fd_b;
  pair->done = done;
  pair->user_data = user_data;
  pair->direction[0].pipe[0] = pair->direction[0].pipe[1] = -1;
  pair->direction[1].pipe[0] = pair->direction[1].pipe[1] = -1;
  g_hash_table_add (relay->pairs, pair);

  for (guint i = 0; i < 2; i++)
    {
      struct epoll_event event = { EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, { .ptr = pair } };

      g_unix_set_fd_nonblocking (pair->fd[i], TRUE, NULL);
      if (epoll_ctl (relay->epoll_fd, EPOLL_CTL_ADD, pair->fd[i], &event) != 0)
        pair->failed = TRUE;
    }
  if (!direction_init (&pair->direction[0], fd_a, fd_b) || !direction_init (&pair->direction[1], fd_b, fd_a))
    pair->failed = TRUE;
  if (flags == PADDOCK_RELAY_ONLY_BACK)
    {
      direction_close (&pair->direction[0]);
      pair->direction[0].eof = pair->direction[0].finished = TRUE;
    }

  if (pair->failed)
    pair_finish (pair);
}

guint
paddock_relay_get_size (PaddockRelay *relay)
{
  g_return_val_if_fail (relay != NULL, 0);

  return g_hash_table_size (relay->pairs);
}

void
paddock_relay_free (PaddockRelay *relay)
{
  GHashTableIter iter;
  gpointer pair;

  if (relay == NULL)
    return;

  g_hash_table_iter_init (&iter, relay->pairs);
  while (g_hash_table_iter_next (&iter, &pair, NULL))
    pair_free (pair);
  g_hash_table_unref (relay->pairs);
  g_queue_clear (&relay->pending);
  g_source_destroy (relay->source);
  g_source_unref (relay->source);
  close (relay->epoll_fd);
  g_free (relay);
}
