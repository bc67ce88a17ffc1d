/* paddock-http-request.h: the strict HTTP/1.x request reader of the
 * proxy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "paddock-host.h"

G_BEGIN_DECLS

typedef struct
{
  char *method;
  char *target;            /* as sent */
  guint minor_version;     /* HTTP/1.0 or HTTP/1.1 */
  GPtrArray *names;        /* char*, as sent */
  GPtrArray *values;       /* char*, trimmed */
  gsize head_length;       /* bytes up to and with the empty line */

  /* Where it goes, canonical: from the target (CONNECT's authority, or
   * an absolute http:// URL), checked against the Host header. */
  char *host;
  PaddockHostKind host_kind;
  guint16 port;
  char *origin_form;       /* path and query for the server; NULL for CONNECT */

  /* Body framing, for anything but CONNECT. */
  gboolean chunked;
  guint64 content_length;
} PaddockHttpRequest;

typedef enum
{
  PADDOCK_HTTP_PARSE_DONE,
  PADDOCK_HTTP_PARSE_NEED_MORE,
  PADDOCK_HTTP_PARSE_BAD,          /* 400 */
  PADDOCK_HTTP_PARSE_TOO_LARGE,    /* 431 */
  PADDOCK_HTTP_PARSE_UNSUPPORTED,  /* 501 */
} PaddockHttpParseResult;

/* Parses the head of a proxy request from the first @length bytes of
 * @data (no more than @max_head bytes are ever looked at). Anything
 * ambiguous is BAD with @message saying what: a bare LF, a NUL, folded
 * or repeated Host headers, a Host that disagrees with the target, both
 * Content-Length and Transfer-Encoding, userinfo in the URL, an
 * origin-form target. */
PaddockHttpParseResult  paddock_http_request_parse      (const char           *data,
                                                         gsize                 length,
                                                         gsize                 max_head,
                                                         PaddockHttpRequest  **request,
                                                         char                **message);
const char             *paddock_http_request_get_header (const PaddockHttpRequest *request,
                                                         const char               *name);
/* The head to send the server: origin-form target, hop-by-hop headers
 * and proxy credentials removed, "Connection: close" added, so that the
 * server ends after one answer and every request is judged. */
char                   *paddock_http_request_to_upstream (const PaddockHttpRequest *request);
void                    paddock_http_request_free       (PaddockHttpRequest       *request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaddockHttpRequest, paddock_http_request_free)

/* Follows a chunked body: feed it bytes as they come, it says how many
 * belong to the body and when the body ended. */
typedef struct
{
  int state;
  guint64 remaining;
  guint line_length;
} PaddockHttpChunked;

typedef enum
{
  PADDOCK_HTTP_CHUNKED_MORE,
  PADDOCK_HTTP_CHUNKED_DONE,
  PADDOCK_HTTP_CHUNKED_BAD,
} PaddockHttpChunkedResult;

PaddockHttpChunkedResult paddock_http_chunked_feed (PaddockHttpChunked *chunked,
                                                    const char         *data,
                                                    gsize               length,
                                                    gsize              *consumed);

G_END_DECLS
