/* paddock-telemetry-config.h: where the audit store's events go, and
 * the OTLP/HTTP JSON logs request that carries them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "paddock-audit.h"
#include "paddock-policy.h"

G_BEGIN_DECLS

/* Where the events go and what they carry, from the policy (its
 * machine-wide layers) and the standard OTEL_* variables. */
typedef struct
{
  gboolean enabled;
  gboolean forced;          /* an enforced layer requires export */
  char *endpoint;           /* the logs URL; NULL when none is known */
  char *endpoint_shown;     /* the same without userinfo or query, to show */
  char *endpoint_from;      /* "the managed layer, FILE:LINE:COL", "OTEL_EXPORTER_OTLP_ENDPOINT"… */
  char *policy_endpoint;    /* the collector the policy names, whatever the variables say:
                             * the audit store keeps what it has not taken */
  char **headers;           /* name, value, name, value…; never a credential from a file */
  char *token_header;       /* this header's value comes from the keychain; nullable */
  gboolean login_token;     /* "Authorization: Bearer" with the organisation's login */
  PaddockPolicy *login_policy; /* whose identity rules pick that login; NULL without login_token */
  char **resource;          /* key, value, key, value… */
  gboolean log_user_prompts;
  char **notes;             /* what was set aside, and why */
} PaddockTelemetryConfig;

/* @policy: loaded without a workspace (telemetry is machine-wide);
 * @envp: as g_get_environ() gives it. */
PaddockTelemetryConfig *paddock_telemetry_config_new  (PaddockPolicy                *policy,
                                                       const char * const           *envp);
void                    paddock_telemetry_config_free (PaddockTelemetryConfig       *config);
/* For `paddockctl telemetry status`: never a header's value. */
char                   *paddock_telemetry_config_to_text (const PaddockTelemetryConfig *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaddockTelemetryConfig, paddock_telemetry_config_free)

/* The keychain entry holding @config's token header value. */
#define PADDOCK_TELEMETRY_TOKEN_KIND "otlp-header"

/* The OTLP JSON ExportLogsServiceRequest for @events (as
 * paddock_audit_query() returns them), with @resource (key, value…). */
char *paddock_telemetry_build_request (GPtrArray          *events,
                                       const char * const *resource);

G_END_DECLS
