/* sandbox-seccomp.h: the seccomp filter every sandboxed command runs under
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Builds the filter with libseccomp for the native architecture and
 * returns a file descriptor, positioned at its start, holding the BPF
 * program as bwrap's --seccomp wants it (not close-on-exec, so bwrap
 * inherits it). -1 and SANDBOX_ERROR_SECCOMP on failure. */
int sandbox_seccomp_create_fd (GError **error);

G_END_DECLS
