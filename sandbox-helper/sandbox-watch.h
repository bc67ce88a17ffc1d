/* sandbox-watch.h: which file accesses the sandbox refused, for the record
 *
 * The mounts refuse; this only watches. A seccomp filter installed just
 * before the command starts hands each open, create, remove and rename
 * to the helper outside, which tries the same access in the sandbox's
 * view of the filesystem, notes it when it is refused there, and lets
 * the call go on to the kernel, which decides as it always does.
 *
 * The kernel allows one such listener to a process's filters: a command
 * that installs one of its own (a nested container runtime) is refused
 * (EBUSY) while it is watched.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* Distinct refusals kept for the report; more are only counted. */
#define SANDBOX_WATCH_LIMIT 200

typedef struct
{
  char *access;   /* "read" or "write" */
  char *path;     /* absolute, as the sandbox sees it */
  char *reason;   /* "hidden", "read-only" or "permission" */
  char *syscall;
  pid_t pid;      /* the helper's view */
} SandboxRefusal;

typedef struct _SandboxWatch SandboxWatch;

/* Runs inside the sandbox, just before the command:
 *   paddock-sandbox --watch-files FD -- PROGRAM [ARG]…
 * Installs the filter, sends its listener on the socket FD, then
 * becomes PROGRAM. Fails (status 125) rather than run unwatched. */
int           sandbox_watch_main    (int                  argc,
                                     char               **argv);

/* Outside: takes @socket_fd, where the listener will arrive. @hidden
 * (the spec's) tells a hidden path from one the file's own permissions
 * refuse. */
SandboxWatch *sandbox_watch_new     (int                  socket_fd,
                                     char * const        *hidden);
/* What to poll for POLLIN, or -1 once the filter is gone. */
int           sandbox_watch_get_fd  (SandboxWatch        *watch);
/* Answers what is waiting on the descriptor. */
void          sandbox_watch_handle  (SandboxWatch        *watch);
/* SandboxRefusal*, in the order seen. */
GPtrArray    *sandbox_watch_get_refusals (SandboxWatch   *watch);
/* Refusals past SANDBOX_WATCH_LIMIT, not kept. */
guint         sandbox_watch_get_dropped  (SandboxWatch   *watch);
void          sandbox_watch_free    (SandboxWatch        *watch);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SandboxWatch, sandbox_watch_free)

G_END_DECLS
