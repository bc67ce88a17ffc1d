/* paddock-telemetry.h: the audit store's events, sent to the
 * organisation's OpenTelemetry collector (OTLP/HTTP, JSON, logs); links
 * libsoup, so only the app and paddock-export use it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "paddock-telemetry-config.h"

G_BEGIN_DECLS

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

G_END_DECLS
