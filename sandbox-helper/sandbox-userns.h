/* sandbox-userns.h: whether this machine lets an unprivileged user
 * create user namespaces, and if not, why and how to fix it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gboolean available;
  char *cause;   /* what was detected, e.g. "kernel.apparmor_restrict_unprivileged_userns = 1" */
  char *fix;     /* what to do, naming the command or the file to install */
} SandboxUsernsStatus;

/* Checks the sysctls and security modules under @root ("/" normally; a
 * folder laid out like / in tests) and, when @probe is TRUE, tries to
 * create a user namespace in a short-lived child. */
SandboxUsernsStatus *sandbox_userns_check       (const char          *root,
                                                 gboolean             probe);
void                 sandbox_userns_status_free (SandboxUsernsStatus *status);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SandboxUsernsStatus, sandbox_userns_status_free)

G_END_DECLS
