/* sandbox-errors.h: the helper's error domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SANDBOX_ERROR (sandbox_error_quark ())

typedef enum
{
  SANDBOX_ERROR_SPEC,       /* the spec is not what the helper accepts */
  SANDBOX_ERROR_UNSAFE,     /* the workspace holds something the sandbox cannot protect */
  SANDBOX_ERROR_USERNS,     /* user namespaces are refused on this machine */
  SANDBOX_ERROR_SECCOMP,    /* the seccomp filter could not be built */
  SANDBOX_ERROR_SPAWN,      /* bwrap could not be started */
  SANDBOX_ERROR_IO,
} SandboxError;

GQuark   sandbox_error_quark (void);
gboolean sandbox_fail        (GError    **error,
                              int         code,
                              const char *format,
                              ...) G_GNUC_PRINTF (3, 4);

G_END_DECLS
