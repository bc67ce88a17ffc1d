/* test-collector.h: a real OTLP/HTTP logs collector on loopback, for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One request as it arrived, and what it was answered. */
typedef struct
{
  GBytes *body;
  SoupMessageHeaders *headers;
  gint64 arrival_us;        /* g_get_monotonic_time () */
  guint status;             /* what the collector answered */
  GPtrArray *log_records;   /* JsonObject; empty when the body is not OTLP JSON */
} TestCollectorRequest;

TestCollectorRequest *test_collector_request_ref   (TestCollectorRequest *request);
void                  test_collector_request_unref (TestCollectorRequest *request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestCollectorRequest, test_collector_request_unref)

typedef struct _TestCollector TestCollector;

/* A SoupServer in a thread of its own, on 127.0.0.1:@port (0: any),
 * answering POST /v1/logs. */
TestCollector *test_collector_new                (guint16        port);
void           test_collector_free               (TestCollector *self);
guint16        test_collector_get_port           (TestCollector *self);
/* http://127.0.0.1:PORT/v1/logs */
char          *test_collector_dup_url            (TestCollector *self);

/* Closes the listening socket and every connection (a collector that is
 * down), and opens the same port again. */
void           test_collector_stop_listening     (TestCollector *self);
void           test_collector_listen             (TestCollector *self);

/* The next request is answered @status, with Retry-After: @retry_after
 * when not NULL; once the script runs out, 200 "{}". */
void           test_collector_push_response      (TestCollector *self,
                                                  guint          status,
                                                  const char    *retry_after);
/* The same, answered only @delay_ms after the request arrived (a slow
 * collector); it is recorded on arrival, with the status it will get. */
void           test_collector_push_slow_response (TestCollector *self,
                                                  guint          status,
                                                  const char    *retry_after,
                                                  guint          delay_ms);

/* TestCollectorRequest references, in arrival order. */
GPtrArray     *test_collector_dup_requests       (TestCollector *self);
guint          test_collector_get_n_requests     (TestCollector *self);
/* The log records of the requests answered 2xx, in arrival order, as
 * the JSON objects they were sent as. */
GPtrArray     *test_collector_dup_accepted_records (TestCollector *self);

/* Wait until @n requests arrived / requests answered 2xx carried @n
 * log records in all; FALSE after @timeout_ms. */
gboolean       test_collector_wait_for_requests  (TestCollector *self,
                                                  guint          n,
                                                  guint          timeout_ms);
gboolean       test_collector_wait_for_records   (TestCollector *self,
                                                  guint          n_log_records,
                                                  guint          timeout_ms);

/* Writes every body received so far as DIR/request-NNNN.json; returns
 * the paths. */
GPtrArray     *test_collector_save_bodies        (TestCollector *self,
                                                  const char    *dir);

/* Whether @needle is in any body received so far. */
gboolean       test_collector_bodies_contain     (TestCollector *self,
                                                  const char    *needle);

/* A log record's attribute @key as its AnyValue object, or NULL. */
JsonObject    *test_log_record_get_attribute     (JsonObject    *record,
                                                  const char    *key);
/* Its stringValue, or NULL. */
const char    *test_log_record_get_string        (JsonObject    *record,
                                                  const char    *key);
/* paddock.audit.id, from its intValue string; 0 when missing. */
gint64         test_log_record_get_audit_id      (JsonObject    *record);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestCollector, test_collector_free)

G_END_DECLS
