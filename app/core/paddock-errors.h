/* paddock-errors.h: one error domain per subsystem
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PADDOCK_POLICY_ERROR (paddock_policy_error_quark ())
#define PADDOCK_SHELL_ERROR  (paddock_shell_error_quark ())
#define PADDOCK_HOST_ERROR   (paddock_host_error_quark ())
#define PADDOCK_BROKER_ERROR (paddock_broker_error_quark ())

typedef enum
{
  PADDOCK_POLICY_ERROR_IO,          /* a file could not be read */
  PADDOCK_POLICY_ERROR_SYNTAX,      /* not JSON / not Starlark */
  PADDOCK_POLICY_ERROR_SCHEMA,      /* unknown key, wrong type */
  PADDOCK_POLICY_ERROR_INVALID,     /* a value that is never accepted */
  PADDOCK_POLICY_ERROR_EXAMPLE,     /* a match/not_match example failed */
  PADDOCK_POLICY_ERROR_NOT_ALLOWED, /* a requested mode the enforced layers refuse */
  PADDOCK_POLICY_ERROR_FETCH,       /* requirements could not be fetched */
} PaddockPolicyError;

typedef enum
{
  PADDOCK_SHELL_ERROR_SYNTAX,
} PaddockShellError;

typedef enum
{
  PADDOCK_HOST_ERROR_INVALID,
} PaddockHostError;

typedef enum
{
  PADDOCK_BROKER_ERROR_INVALID,     /* a request that cannot be shown as sent */
  PADDOCK_BROKER_ERROR_NO_APP,      /* no app on the session bus to ask */
} PaddockBrokerError;

GQuark paddock_policy_error_quark (void);
GQuark paddock_shell_error_quark  (void);
GQuark paddock_host_error_quark   (void);
GQuark paddock_broker_error_quark (void);

/* The flatpak idiom: set @error and return FALSE, so failure paths stay
 * one line long. */
gboolean paddock_fail (GError    **error,
                       GQuark      domain,
                       int         code,
                       const char *format,
                       ...) G_GNUC_PRINTF (4, 5);

G_END_DECLS
