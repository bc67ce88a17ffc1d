/* paddock-errors.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "paddock-errors.h"

G_DEFINE_QUARK (paddock-policy-error-quark, paddock_policy_error)
G_DEFINE_QUARK (paddock-shell-error-quark, paddock_shell_error)
G_DEFINE_QUARK (paddock-host-error-quark, paddock_host_error)
G_DEFINE_QUARK (paddock-broker-error-quark, paddock_broker_error)

gboolean
paddock_fail (GError    **error,
              GQuark      domain,
              int         code,
              const char *format,
              ...)
{
  va_list args;

  if (error == NULL)
    return FALSE;

  va_start (args, format);
  *error = g_error_new_valist (domain, code, format, args);
  va_end (args);

  return FALSE;
}
