/* sandbox-errors.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "sandbox-errors.h"

G_DEFINE_QUARK (paddock-sandbox-error-quark, sandbox_error)

gboolean
sandbox_fail (GError    **error,
              int         code,
              const char *format,
              ...)
{
  va_list args;

  if (error == NULL)
    return FALSE;

  va_start (args, format);
  *error = g_error_new_valist (SANDBOX_ERROR, code, format, args);
  va_end (args);

  return FALSE;
}
