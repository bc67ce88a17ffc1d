/* sandbox-run.h: one sandboxed run, watched from outside
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include "sandbox-spec.h"

G_BEGIN_DECLS

typedef struct
{
  const char *sandbox;     /* "bwrap", "flatpak-spawn" or "none" */
  gboolean started;        /* the command itself was started */
  gboolean not_found;      /* argv[0] names no program */
  gboolean exit_reported;  /* bwrap reported the command's exit */
  int exit_status;         /* -1 when a signal ended it */
  int signal;              /* 0 when it exited */
  gboolean timed_out;
  gboolean output_truncated;
  guint64 output_bytes;
  gint64 duration_us;
  struct rusage usage;     /* of the whole tree */
  GArray *pids;            /* pid_t: host PIDs seen in the sandbox */
  guint protected_mounts;
  GPtrArray *refusals;     /* SandboxRefusal*: file accesses refused; NULL when not watched */
  guint refusals_dropped;  /* past the limit, only counted */
  char *error;             /* why it did not start; nullable */
} SandboxOutcome;

/* Runs @spec: through @bwrap (an absolute path) in read-only and
 * workspace-write modes, through flatpak-spawn inside Flatpak, directly
 * in full-access mode. The command's stdout and stderr are copied to
 * ours, counted and capped; stdin is ours. When @caller_fd (the write
 * end of a pipe, or -1) loses its reader, the caller is gone and the
 * command is stopped. Never fails: what went wrong is in the outcome's
 * error. */
SandboxOutcome *sandbox_run             (const SandboxSpec    *spec,
                                         const char           *bwrap,
                                         int                   caller_fd);
/* The report written for the caller, one JSON object. */
char           *sandbox_outcome_to_json (const SandboxOutcome *outcome);
/* An exit status for the helper itself: the command's, 128 + signal,
 * 127 when there is no such program, or 125 when the sandbox could not
 * run it. */
int             sandbox_outcome_exit_code (const SandboxOutcome *outcome);
/* All of @length to @fd, or FALSE. */
gboolean        sandbox_write_all       (int                   fd,
                                         const char           *data,
                                         gsize                 length);
void            sandbox_outcome_free    (SandboxOutcome       *outcome);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SandboxOutcome, sandbox_outcome_free)

G_END_DECLS
