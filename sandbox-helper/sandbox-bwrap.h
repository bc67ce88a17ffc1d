/* sandbox-bwrap.h: the bubblewrap command line for one run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sys/types.h>

#include "sandbox-spec.h"

G_BEGIN_DECLS

/* An empty file or folder created on the host only to be mounted over,
 * so that a protected name that does not exist cannot be created. */
typedef enum
{
  SANDBOX_EMPTY_DIR,
  SANDBOX_EMPTY_FILE,
  SANDBOX_EMPTY_HIDDEN_DIR,
  SANDBOX_EMPTY_HIDDEN_FILE,
} SandboxEmptyKind;

typedef struct
{
  char *path;
  dev_t dev;
  ino_t ino;
  gboolean is_dir;
} SandboxPlaceholder;

typedef struct
{
  GPtrArray *args;         /* char*: bwrap's options; the caller adds "--" and argv */
  GPtrArray *late_args;    /* char*: read-only mounts, added after the pins */
  GHashTable *pinned;      /* path → descriptor number: folders bound onto themselves */
  GPtrArray *command_prefix; /* char*: what runs before the command inside (forwarder, watch) */
  GArray *fds;             /* int: descriptors bwrap must inherit; closed by free */
  GPtrArray *placeholders; /* SandboxPlaceholder* */
  guint protected_mounts;  /* how many protected names and hard links were made read-only */
  guint hard_links;        /* files with other hard links, kept read-only */
  char *empties;           /* private folder of empty things to bind; nullable */
  guint empties_made;      /* which SandboxEmptyKind are in it, as bits */
  char *empty_path;
  gboolean self_bound;     /* this program is at SANDBOX_FORWARD_BINARY */
  int watch_fd;            /* where the watch's listener arrives; -1 */
} SandboxBwrap;

/* Builds the options for @spec (read-only or workspace-write). Opens the
 * writable roots and protected names without following symbolic links,
 * and refuses (SANDBOX_ERROR_UNSAFE) a protected name that is a link.
 * @seccomp_fd and @status_fd are handed to bwrap (--seccomp,
 * --json-status-fd) when not -1. */
SandboxBwrap *sandbox_bwrap_new     (const SandboxSpec  *spec,
                                     int                 seccomp_fd,
                                     int                 status_fd,
                                     GError            **error);
/* Removes the placeholders that are still empty and still the ones
 * this run created. */
void          sandbox_bwrap_cleanup (SandboxBwrap       *bwrap);
void          sandbox_bwrap_free    (SandboxBwrap       *bwrap);

/* Drops variables that carry credentials or reach host services,
 * whatever the caller allowed: defence in depth. */
gboolean      sandbox_env_is_allowed (const char *assignment);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SandboxBwrap, sandbox_bwrap_free)

G_END_DECLS
