/* paddock-telemetry.h: the audit store's events, sent to the
 * organisation's OpenTelemetry collector (OTLP/HTTP, JSON, logs)
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

#define PADDOCK_TYPE_TELEMETRY (paddock_telemetry_get_type ())

G_DECLARE_FINAL_TYPE (PaddockTelemetry, paddock_telemetry, PADDOCK, TELEMETRY, GObject)

/* An exporter of @audit's pending events, in order, with a thread of its
 * own; an event is marked exported only once the collector took it. */
PaddockTelemetry *paddock_telemetry_new          (PaddockAudit                 *audit,
                                                  const PaddockTelemetryConfig *config);
void              paddock_telemetry_start        (PaddockTelemetry *self);
/* Waits at most @timeout_ms for every pending event to be sent (or for
 * another Paddock process, which holds the export, to be the one to
 * send them). TRUE when nothing is left for this process to send. */
gboolean          paddock_telemetry_flush        (PaddockTelemetry *self,
                                                  guint             timeout_ms);
/* Stops and gives the export back to the next Paddock process. */
void              paddock_telemetry_stop         (PaddockTelemetry *self);
/* The last problem with the collector or the keychain; NULL when the
 * last attempt went through. */
char             *paddock_telemetry_dup_problem  (PaddockTelemetry *self);
guint64           paddock_telemetry_get_n_sent   (PaddockTelemetry *self);

/* For tests and benchmarks. */
void              paddock_telemetry_set_backoff  (PaddockTelemetry *self,
                                                  guint             first_ms,
                                                  guint             max_ms);
void              paddock_telemetry_set_batch_size (PaddockTelemetry *self,
                                                    guint             batch_size);

/* Opens the user's audit store with @policy's retention and, when
 * @policy and @envp turn export on, starts exporting it into
 * @telemetry (else sets it to NULL). Every front door starts here. */
PaddockAudit     *paddock_telemetry_open_store   (PaddockPolicy       *policy,
                                                  const char * const  *envp,
                                                  PaddockTelemetry   **telemetry,
                                                  GError             **error);

G_END_DECLS
