/* fuzz-proxy.c: libFuzzer target for what the proxy reads from a client
 *
 * The first byte picks the reader: the HTTP request head (and the
 * rewritten head for the server), a chunked body, or a TLS ClientHello.
 * Each must refuse or ask for more, never read past its input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "paddock-http-request.h"
#include "paddock-tls-sni.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  if (size == 0)
    return 0;

  switch (data[0] % 3)
    {
    case 0:
      {
        g_autoptr(PaddockHttpRequest) request = NULL;
        g_autofree char *message = NULL;

        if (paddock_http_request_parse ((const char *) data + 1, size - 1, 4096, &request, &message) ==
            PADDOCK_HTTP_PARSE_DONE && request->origin_form != NULL)
          {
            g_autofree char *upstream = paddock_http_request_to_upstream (request);
            g_assert (g_str_has_suffix (upstream, "Connection: close\r\n\r\n"));
          }
      }
      break;
    case 1:
      {
        PaddockHttpChunked chunked = { 0 };
        gsize consumed = 0;

        if (paddock_http_chunked_feed (&chunked, (const char *) data + 1, size - 1, &consumed) !=
            PADDOCK_HTTP_CHUNKED_BAD)
          g_assert (consumed <= size - 1);
      }
      break;
    default:
      {
        g_autofree char *name = NULL;

        if (paddock_tls_sni_parse (data + 1, size - 1, &name) == PADDOCK_TLS_SNI_FOUND)
          g_assert (name != NULL && *name != '\0');
      }
      break;
    }
  return 0;
}
