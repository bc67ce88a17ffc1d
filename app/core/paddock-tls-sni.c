/* paddock-tls-sni.c
 *
 * A CONNECT to an allowed host:443 must not carry TLS for another host:
 * a client could ask the proxy for github.com and then greet a
 * different server behind the same address (domain fronting). The
 * ClientHello is read before anything reaches the server, and its
 * server_name extension (RFC 6066) must agree with the CONNECT host.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "paddock-tls-sni.h"

#define RECORD_HANDSHAKE 22
#define HANDSHAKE_CLIENT_HELLO 1
#define EXTENSION_SERVER_NAME 0
#define NAME_TYPE_HOST_NAME 0
/* A ClientHello with post-quantum key shares is a few KiB; no client
 * needs more than this. */
#define MAX_HELLO (64 * 1024)

typedef struct
{
  const guint8 *data;
  gsize length;
  gsize at;
} Reader;

static gboolean
read_u8 (Reader *r,
         guint  *out)
{
  if (r->at + 1 > r->length)
    return FALSE;
  *out = r->data[r->at++];
  return TRUE;
}

static gboolean
read_u16 (Reader *r,
          guint  *out)
{
  if (r->at + 2 > r->length)
    return FALSE;
  *out = (r->data[r->at] << 8) | r->data[r->at + 1];
  r->at += 2;
  return TRUE;
}

static gboolean
read_u24 (Reader *r,
          guint  *out)
{
  if (r->at + 3 > r->length)
    return FALSE;
  *out = (r->data[r->at] << 16) | (r->data[r->at + 1] << 8) | r->data[r->at + 2];
  r->at += 3;
  return TRUE;
}

static gboolean
skip (Reader *r,
      gsize   n)
{
  if (r->at + n > r->length)
    return FALSE;
  r->at += n;
  return TRUE;
}

/* A vector of @width length bytes: returns a reader over its contents. */
static gboolean
read_vector (Reader *r,
             guint   width,
             Reader *contents)
{
  guint n;

  if (!(width == 1 ? read_u8 (r, &n) : read_u16 (r, &n)) || r->at + n > r->length)
    return FALSE;
  *contents = (Reader) { r->data + r->at, n, 0 };
  r->at += n;
  return TRUE;
}

static PaddockTlsSniResult
parse_hello (const guint8  *hello,
             gsize          length,
             char         **name)
{
  Reader r = { hello, length, 0 };
  Reader session, suites, compression, extensions;

  /* version, random, then the vectors before the extensions */
  if (!skip (&r, 2 + 32) || !read_vector (&r, 1, &session) || !read_vector (&r, 2, &suites) ||
      !read_vector (&r, 1, &compression))
    return PADDOCK_TLS_SNI_NOT_TLS;
  if (r.at == r.length)
    return PADDOCK_TLS_SNI_ABSENT;  /* no extensions at all */
  if (!read_vector (&r, 2, &extensions))
    return PADDOCK_TLS_SNI_NOT_TLS;

  while (extensions.at < extensions.length)
    {
      Reader body, list;
      guint type, name_type;

      if (!read_u16 (&extensions, &type) || !read_vector (&extensions, 2, &body))
        return PADDOCK_TLS_SNI_NOT_TLS;
      if (type != EXTENSION_SERVER_NAME)
        continue;

      if (!read_vector (&body, 2, &list))
        return PADDOCK_TLS_SNI_NOT_TLS;
      while (list.at < list.length)
        {
          Reader host;

          if (!read_u8 (&list, &name_type) || !read_vector (&list, 2, &host))
            return PADDOCK_TLS_SNI_NOT_TLS;
          if (name_type != NAME_TYPE_HOST_NAME)
            continue;
          /* A name with a NUL or a control character is no host name. */
          if (host.length == 0 || memchr (host.data, '\0', host.length) != NULL)
            return PADDOCK_TLS_SNI_NOT_TLS;
          for (gsize i = 0; i < host.length; i++)
            if (host.data[i] <= 0x20 || host.data[i] >= 0x7f)
              return PADDOCK_TLS_SNI_NOT_TLS;
          *name = g_ascii_strdown ((const char *) host.data, host.length);
          return PADDOCK_TLS_SNI_FOUND;
        }
      return PADDOCK_TLS_SNI_ABSENT;
    }
  return PADDOCK_TLS_SNI_ABSENT;
}

PaddockTlsSniResult
paddock_tls_sni_parse (const guint8  *data,
                       gsize          length,
                       char         **name)
{
  g_autoptr(GByteArray) handshake = g_byte_array_new ();
  gsize at = 0;

  g_return_val_if_fail (data != NULL || length == 0, PADDOCK_TLS_SNI_NOT_TLS);
  g_return_val_if_fail (name != NULL, PADDOCK_TLS_SNI_NOT_TLS);

  *name = NULL;

  /* Gather the handshake bytes from as many records as they span. */
  for (;;)
    {
      Reader record = { data + at, length - at, 0 };
      Reader r;
      guint type, major, minor, record_length, message_type, message_length;

      if (length - at < 5)
        return length - at == 0 || data[at] == RECORD_HANDSHAKE ? PADDOCK_TLS_SNI_NEED_MORE : PADDOCK_TLS_SNI_NOT_TLS;
      read_u8 (&record, &type);
      read_u8 (&record, &major);
      read_u8 (&record, &minor);
      read_u16 (&record, &record_length);
      if (type != RECORD_HANDSHAKE || major != 3 || record_length == 0 || record_length > 16384)
        return PADDOCK_TLS_SNI_NOT_TLS;
      if (record.length - record.at < record_length)
        return PADDOCK_TLS_SNI_NEED_MORE;
      g_byte_array_append (handshake, record.data + record.at, record_length);
      at += 5 + record_length;

      r = (Reader) { handshake->data, handshake->len, 0 };
      if (!read_u8 (&r, &message_type) || !read_u24 (&r, &message_length))
        continue;  /* the handshake header itself is split */
      if (message_type != HANDSHAKE_CLIENT_HELLO || message_length > MAX_HELLO)
        return PADDOCK_TLS_SNI_NOT_TLS;
      if (r.length - r.at >= message_length)
        return parse_hello (r.data + r.at, message_length, name);
    }
}
