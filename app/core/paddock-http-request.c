/* paddock-http-request.c
 *
 * The proxy judges the destination a request names, so it must read the
 * request exactly as the server behind it will, or refuse it. This
 * reader takes only the unambiguous subset of HTTP/1.x (RFC 9112):
 * CRLF line ends, no folding, one Host, one way of framing the body.
 * Whatever a lenient server might read differently is a 400.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "paddock-http-request.h"

void
paddock_http_request_free (PaddockHttpRequest *request)
{
  if (request == NULL)
    return;

  g_free (request->method);
  g_free (request->target);
  g_clear_pointer (&request->names, g_ptr_array_unref);
  g_clear_pointer (&request->values, g_ptr_array_unref);
  g_free (request->host);
  g_free (request->origin_form);
  g_free (request);
}

static gboolean
is_token_char (guchar c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

static gboolean
is_token (const char *text,
          gsize       length)
{
  if (length == 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!is_token_char (text[i]))
      return FALSE;
  return TRUE;
}

const char *
paddock_http_request_get_header (const PaddockHttpRequest *request,
                                 const char               *name)
{
  g_return_val_if_fail (request != NULL && name != NULL, NULL);

  for (guint i = 0; i < request->names->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (request->names, i), name) == 0)
      return g_ptr_array_index (request->values, i);
  return NULL;
}

static guint
count_header (const PaddockHttpRequest *request,
              const char               *name)
{
  guint n = 0;

  for (guint i = 0; i < request->names->len; i++)
    n += g_ascii_strcasecmp (g_ptr_array_index (request->names, i), name) == 0;
  return n;
}

static PaddockHttpParseResult
bad (char       **message,
     const char  *format,
     ...) G_GNUC_PRINTF (2, 3);

static PaddockHttpParseResult
bad (char       **message,
     const char  *format,
     ...)
{
  va_list args;

  va_start (args, format);
  *message = g_strdup_vprintf (format, args);
  va_end (args);
  return PADDOCK_HTTP_PARSE_BAD;
}

/* "host[:port]" as a request names it, canonical. */
static gboolean
parse_authority (const char       *authority,
                 guint16           default_port,
                 char            **host,
                 PaddockHostKind  *kind,
                 guint16          *port,
                 char            **message)
{
  g_autoptr(GError) error = NULL;

  if (*authority == '\0' || strchr (authority, '@') != NULL)
    {
      *message = g_strdup_printf ("“%s” is not a host[:port] (no user names or passwords in it)", authority);
      return FALSE;
    }
  if (!paddock_host_parse_authority (authority, host, port, kind, &error))
    {
      *message = g_strdup (error->message);
      return FALSE;
    }
  if (*port == 0)
    *port = default_port;
  return *port != 0 || (*message = g_strdup_printf ("“%s” names no port", authority), FALSE);
}

/* The target: CONNECT's "host:port", or "http://authority/path?query". */
static PaddockHttpParseResult
parse_target (PaddockHttpRequest  *request,
              char               **message)
{
  const char *target = request->target;
  const char *authority_start, *authority_end;
  g_autofree char *authority = NULL;

  if (g_str_equal (request->method, "CONNECT"))
    {
      if (!parse_authority (target, 0, &request->host, &request->host_kind, &request->port, message))
        return PADDOCK_HTTP_PARSE_BAD;
      return PADDOCK_HTTP_PARSE_DONE;
    }

  if (g_ascii_strncasecmp (target, "http://", 7) != 0)
    {
      if (g_ascii_strncasecmp (target, "https://", 8) == 0)
        return bad (message, "an https:// URL goes through CONNECT, not as a plain request");
      return bad (message, "“%s” is not an absolute http:// URL; this is a proxy", target);
    }

  if (strchr (target, '#') != NULL)
    return bad (message, "a URL sent to a server has no fragment");
  authority_start = target + 7;
  authority_end = authority_start + strcspn (authority_start, "/?");
  authority = g_strndup (authority_start, authority_end - authority_start);
  if (!parse_authority (authority, 80, &request->host, &request->host_kind, &request->port, message))
    return PADDOCK_HTTP_PARSE_BAD;

  if (*authority_end == '\0')
    request->origin_form = g_strdup ("/");
  else if (*authority_end == '?')
    request->origin_form = g_strconcat ("/", authority_end, NULL);
  else
    request->origin_form = g_strdup (authority_end);
  return PADDOCK_HTTP_PARSE_DONE;
}

static PaddockHttpParseResult
check_host_header (PaddockHttpRequest  *request,
                   char               **message)
{
  const char *value = paddock_http_request_get_header (request, "Host");
  g_autofree char *host = NULL;
  g_autofree char *problem = NULL;
  PaddockHostKind kind;
  guint16 port;

  if (count_header (request, "Host") > 1)
    return bad (message, "more than one Host header");
  if (value == NULL)
    {
      /* HTTP/1.1 requires one; CONNECT and HTTP/1.0 may go without. */
      if (request->minor_version == 1 && !g_str_equal (request->method, "CONNECT"))
        return bad (message, "an HTTP/1.1 request needs a Host header");
      return PADDOCK_HTTP_PARSE_DONE;
    }

  if (!parse_authority (value, request->origin_form != NULL ? 80 : request->port, &host, &kind, &port, &problem))
    return bad (message, "the Host header: %s", problem);
  if (!g_str_equal (host, request->host) || port != request->port)
    return bad (message, "the Host header (%s) names another place than the request (%s)", value, request->target);
  return PADDOCK_HTTP_PARSE_DONE;
}

static PaddockHttpParseResult
check_framing (PaddockHttpRequest  *request,
               char               **message)
{
  const char *length = paddock_http_request_get_header (request, "Content-Length");
  const char *encoding = paddock_http_request_get_header (request, "Transfer-Encoding");

  if (count_header (request, "Content-Length") > 1 || count_header (request, "Transfer-Encoding") > 1)
    return bad (message, "the body's length is given more than once");
  if (length != NULL && encoding != NULL)
    return bad (message, "both Content-Length and Transfer-Encoding");
  if (encoding != NULL)
    {
      if (g_ascii_strcasecmp (encoding, "chunked") != 0)
        {
          *message = g_strdup_printf ("Transfer-Encoding “%s”; only chunked is accepted", encoding);
          return PADDOCK_HTTP_PARSE_UNSUPPORTED;
        }
      request->chunked = TRUE;
    }
  if (length != NULL)
    {
      if (*length == '\0' || strspn (length, "0123456789") != strlen (length) || strlen (length) > 18)
        return bad (message, "Content-Length “%s” is not a number of bytes", length);
      request->content_length = g_ascii_strtoull (length, NULL, 10);
    }
  return PADDOCK_HTTP_PARSE_DONE;
}

PaddockHttpParseResult
paddock_http_request_parse (const char           *data,
                            gsize                 length,
                            gsize                 max_head,
                            PaddockHttpRequest  **out,
                            char                **message)
{
  g_autoptr(PaddockHttpRequest) request = NULL;
  const char *end, *line, *next;
  const char *space1, *space2;
  gsize look = MIN (length, max_head);
  PaddockHttpParseResult result;

  g_return_val_if_fail (out != NULL && message != NULL, PADDOCK_HTTP_PARSE_BAD);

  *out = NULL;
  *message = NULL;

  if (memchr (data, '\0', look) != NULL)
    return bad (message, "a NUL byte in the request");
  end = g_strstr_len (data, look, "\r\n\r\n");
  if (end == NULL)
    {
      if (look == max_head)
        {
          *message = g_strdup_printf ("the request's head is longer than %" G_GSIZE_FORMAT " bytes", max_head);
          return PADDOCK_HTTP_PARSE_TOO_LARGE;
        }
      return PADDOCK_HTTP_PARSE_NEED_MORE;
    }

  request = g_new0 (PaddockHttpRequest, 1);
  request->names = g_ptr_array_new_with_free_func (g_free);
  request->values = g_ptr_array_new_with_free_func (g_free);
  request->head_length = end - data + 4;

  /* Every line ends in CRLF; a bare CR or LF is where readers differ. */
  for (const char *c = data; c < end + 2; c++)
    if ((*c == '\n' && (c == data || c[-1] != '\r')) || (*c == '\r' && c[1] != '\n'))
      return bad (message, "a line of the request does not end in CRLF");

  /* The request line: METHOD SP target SP HTTP/1.x */
  /* The input is not a string: every search stays within the head. */
  next = memmem (data, request->head_length, "\r\n", 2);
  space1 = memchr (data, ' ', next - data);
  space2 = space1 ? memchr (space1 + 1, ' ', next - space1 - 1) : NULL;
  if (space1 == NULL || space2 == NULL || !is_token (data, space1 - data) || space2 == space1 + 1)
    return bad (message, "the request line is not METHOD TARGET HTTP/1.x");
  if (next - space2 - 1 != 8 || strncmp (space2 + 1, "HTTP/1.", 7) != 0 || (space2[8] != '0' && space2[8] != '1'))
    return bad (message, "only HTTP/1.0 and HTTP/1.1 are spoken here");
  request->method = g_strndup (data, space1 - data);
  request->target = g_strndup (space1 + 1, space2 - space1 - 1);
  request->minor_version = space2[8] - '0';
  for (const char *c = request->target; *c; c++)
    if ((guchar) *c <= 0x20 || (guchar) *c >= 0x7f)
      return bad (message, "the request target holds a space or a character outside ASCII");

  /* Header fields: name ":" OWS value OWS, never folded. */
  for (line = next + 2; line < end + 2; line = next + 2)
    {
      const char *colon;
      g_autofree char *value = NULL;

      next = memmem (line, data + request->head_length - line, "\r\n", 2);
      if (next == line)
        break;
      if (*line == ' ' || *line == '\t')
        return bad (message, "a folded header line");
      colon = memchr (line, ':', next - line);
      if (colon == NULL || !is_token (line, colon - line))
        return bad (message, "a header line that is not NAME: VALUE");
      value = g_strndup (colon + 1, next - colon - 1);
      g_strstrip (value);
      for (const char *c = value; *c; c++)
        if (((guchar) *c < 0x20 && *c != '\t') || *c == 0x7f)
          return bad (message, "a control character in the %.*s header", (int) (colon - line), line);
      g_ptr_array_add (request->names, g_strndup (line, colon - line));
      g_ptr_array_add (request->values, g_steal_pointer (&value));
    }

  if ((result = parse_target (request, message)) != PADDOCK_HTTP_PARSE_DONE ||
      (result = check_host_header (request, message)) != PADDOCK_HTTP_PARSE_DONE)
    return result;
  if (request->origin_form != NULL && (result = check_framing (request, message)) != PADDOCK_HTTP_PARSE_DONE)
    return result;

  *out = g_steal_pointer (&request);
  return PADDOCK_HTTP_PARSE_DONE;
}

static gboolean
is_hop_by_hop (const PaddockHttpRequest *request,
               const char               *name)
{
  static const char * const always[] = {
    "connection", "proxy-connection", "keep-alive", "proxy-authorization", "proxy-authenticate",
    "te", "trailer", "upgrade", NULL,
  };
  const char *connection = paddock_http_request_get_header (request, "Connection");
  g_autofree char *lower = g_ascii_strdown (name, -1);

  if (g_strv_contains (always, lower))
    return TRUE;
  /* And whatever Connection names. */
  if (connection != NULL)
    {
      g_auto(GStrv) listed = g_strsplit (connection, ",", -1);

      for (guint i = 0; listed[i] != NULL; i++)
        if (g_ascii_strcasecmp (g_strstrip (listed[i]), name) == 0)
          return TRUE;
    }
  return FALSE;
}

char *
paddock_http_request_to_upstream (const PaddockHttpRequest *request)
{
  GString *head;

  g_return_val_if_fail (request != NULL && request->origin_form != NULL, NULL);

  head = g_string_new (NULL);
  g_string_append_printf (head, "%s %s HTTP/1.%u\r\n", request->method, request->origin_form, request->minor_version);
  for (guint i = 0; i < request->names->len; i++)
    {
      const char *name = g_ptr_array_index (request->names, i);

      if (!is_hop_by_hop (request, name))
        g_string_append_printf (head, "%s: %s\r\n", name, (const char *) g_ptr_array_index (request->values, i));
    }
  g_string_append (head, "Connection: close\r\n\r\n");
  return g_string_free (head, FALSE);
}

enum
{
  CHUNK_SIZE,        /* hex digits */
  CHUNK_EXTENSION,   /* ";…" up to CR */
  CHUNK_SIZE_LF,
  CHUNK_DATA,
  CHUNK_DATA_CR,
  CHUNK_DATA_LF,
  CHUNK_TRAILER,     /* a trailer line, or the empty line that ends */
  CHUNK_TRAILER_LF,
  CHUNK_END_LF,
  CHUNK_DONE,
};

/* Longer size or trailer lines than this are not a real client's. */
#define MAX_CHUNK_LINE 4096

PaddockHttpChunkedResult
paddock_http_chunked_feed (PaddockHttpChunked *chunked,
                           const char         *data,
                           gsize               length,
                           gsize              *consumed)
{
  gsize i = 0;

  while (i < length && chunked->state != CHUNK_DONE)
    {
      char c = data[i];

      if (chunked->state == CHUNK_DATA)
        {
          gsize n = MIN (chunked->remaining, length - i);

          chunked->remaining -= n;
          i += n;
          if (chunked->remaining == 0)
            chunked->state = CHUNK_DATA_CR;
          continue;
        }

      if (++chunked->line_length > MAX_CHUNK_LINE)
        return PADDOCK_HTTP_CHUNKED_BAD;
      i++;

      switch (chunked->state)
        {
        case CHUNK_SIZE:
          if (g_ascii_isxdigit (c))
            {
              if (chunked->remaining >> 56)
                return PADDOCK_HTTP_CHUNKED_BAD;
              chunked->remaining = (chunked->remaining << 4) | g_ascii_xdigit_value (c);
            }
          else if (chunked->line_length > 1 && c == ';')
            chunked->state = CHUNK_EXTENSION;
          else if (chunked->line_length > 1 && c == '\r')
            chunked->state = CHUNK_SIZE_LF;
          else
            return PADDOCK_HTTP_CHUNKED_BAD;
          break;
        case CHUNK_EXTENSION:
          if (c == '\r')
            chunked->state = CHUNK_SIZE_LF;
          else if (c == '\n' || c == '\0')
            return PADDOCK_HTTP_CHUNKED_BAD;
          break;
        case CHUNK_SIZE_LF:
          if (c != '\n')
            return PADDOCK_HTTP_CHUNKED_BAD;
          chunked->line_length = 0;
          chunked->state = chunked->remaining > 0 ? CHUNK_DATA : CHUNK_TRAILER;
          break;
        case CHUNK_DATA_CR:
          if (c != '\r')
            return PADDOCK_HTTP_CHUNKED_BAD;
          chunked->state = CHUNK_DATA_LF;
          break;
        case CHUNK_DATA_LF:
          if (c != '\n')
            return PADDOCK_HTTP_CHUNKED_BAD;
          chunked->line_length = 0;
          chunked->state = CHUNK_SIZE;
          break;
        case CHUNK_TRAILER:
          if (c == '\r')
            chunked->state = chunked->line_length == 1 ? CHUNK_END_LF : CHUNK_TRAILER_LF;
          else if (c == '\n' || c == '\0')
            return PADDOCK_HTTP_CHUNKED_BAD;
          break;
        case CHUNK_TRAILER_LF:
          if (c != '\n')
            return PADDOCK_HTTP_CHUNKED_BAD;
          chunked->line_length = 0;
          chunked->state = CHUNK_TRAILER;
          break;
        case CHUNK_END_LF:
          if (c != '\n')
            return PADDOCK_HTTP_CHUNKED_BAD;
          chunked->state = CHUNK_DONE;
          break;
        default:
          return PADDOCK_HTTP_CHUNKED_BAD;
        }
    }

  *consumed = i;
  return chunked->state == CHUNK_DONE ? PADDOCK_HTTP_CHUNKED_DONE : PADDOCK_HTTP_CHUNKED_MORE;
}
