/* paddock-id-token.c
 *
 * The signature is checked first, and nothing of the payload is read
 * before it verifies; only RS256 is accepted, so an "alg" of "none" or
 * an HMAC keyed with the public key cannot pass. GnuTLS does the RSA.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include "paddock-errors.h"
#include "paddock-json.h"
#include "paddock-id-token.h"

G_DEFINE_QUARK (paddock-identity-error-quark, paddock_identity_error)

/* base64url without padding, as JWS writes it; NULL for anything else. */
static GBytes *
base64url_decode (const char *text,
                  gsize       length)
{
  g_autoptr(GString) standard = g_string_sized_new (length + 3);
  guchar *data;
  gsize size;

  if (length % 4 == 1)
    return NULL;
  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (c == '-')
        c = '+';
      else if (c == '_')
        c = '/';
      else if (!g_ascii_isalnum (c))
        return NULL;
      g_string_append_c (standard, c);
    }
  while (standard->len % 4 != 0)
    g_string_append_c (standard, '=');
  data = g_base64_decode (standard->str, &size);
  return g_bytes_new_take (data, size);
}

static JsonObject *
decode_object (const char  *text,
               gsize        length,
               const char  *what,
               GError     **error)
{
  g_autoptr(GBytes) bytes = base64url_decode (text, length);
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (bytes == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_MALFORMED,
                         "the ID token's %s is not base64url-encoded JSON", what), NULL;
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* The RSA key of @jwks whose "kid" is @kid (or the only RSA key, when
 * the token names none). */
static JsonObject *
find_key (JsonNode    *jwks,
          const char  *kid,
          GError     **error)
{
  JsonNode *keys = jwks && JSON_NODE_HOLDS_OBJECT (jwks)
                   ? json_object_get_member (json_node_get_object (jwks), "keys") : NULL;
  JsonObject *found = NULL;
  guint n_rsa = 0;

  if (keys == NULL || !JSON_NODE_HOLDS_ARRAY (keys))
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_UNKNOWN_KEY,
                         "the issuer's key set has no \"keys\" list"), NULL;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (keys)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (keys), i);
      JsonObject *key = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;

      if (key == NULL || g_strcmp0 (paddock_json_get_string (key, "kty", NULL), "RSA") != 0)
        continue;
      n_rsa++;
      if (kid == NULL || g_strcmp0 (paddock_json_get_string (key, "kid", NULL), kid) == 0)
        found = key;
    }
  if (found == NULL || (kid == NULL && n_rsa != 1))
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_UNKNOWN_KEY,
                         "no RSA key of the issuer's key set has the ID token's key id “%s”",
                         kid ? kid : "(none)"), NULL;
  return found;
}

static gboolean
verify_rs256 (JsonObject  *key,
              const char  *signed_part,
              gsize        signed_length,
              GBytes      *signature,
              GError     **error)
{
  const char *n = paddock_json_get_string (key, "n", NULL);
  const char *e = paddock_json_get_string (key, "e", NULL);
  g_autoptr(GBytes) modulus = n ? base64url_decode (n, strlen (n)) : NULL;
  g_autoptr(GBytes) exponent = e ? base64url_decode (e, strlen (e)) : NULL;
  gnutls_datum_t modulus_datum, exponent_datum, data, signature_datum;
  gnutls_pubkey_t pubkey = NULL;
  int status;

  if (modulus == NULL || exponent == NULL)
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_UNKNOWN_KEY,
                         "the issuer's key “%s” has no usable modulus and exponent",
                         paddock_json_get_string (key, "kid", NULL) ? paddock_json_get_string (key, "kid", NULL) : "(no kid)");
  modulus_datum = (gnutls_datum_t) { (unsigned char *) g_bytes_get_data (modulus, NULL), g_bytes_get_size (modulus) };
  exponent_datum = (gnutls_datum_t) { (unsigned char *) g_bytes_get_data (exponent, NULL), g_bytes_get_size (exponent) };
  data = (gnutls_datum_t) { (unsigned char *) signed_part, signed_length };
  signature_datum = (gnutls_datum_t) { (unsigned char *) g_bytes_get_data (signature, NULL),
                                       g_bytes_get_size (signature) };

  status = gnutls_pubkey_init (&pubkey);
  if (status >= 0)
    status = gnutls_pubkey_import_rsa_raw (pubkey, &modulus_datum, &exponent_datum);
  if (status >= 0)
    status = gnutls_pubkey_verify_data2 (pubkey, GNUTLS_SIGN_RSA_SHA256, 0, &data, &signature_datum);
  if (pubkey != NULL)
    gnutls_pubkey_deinit (pubkey);
  if (status < 0)
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_SIGNATURE,
                         "the ID token's signature does not verify with the issuer's key: %s",
                         gnutls_strerror (status));
  return TRUE;
}

static gboolean
check_audience (JsonObject  *claims,
                const char  *client_id,
                GError     **error)
{
  JsonNode *aud = json_object_get_member (claims, "aud");
  gboolean found = FALSE;
  guint n = 0;

  if (aud != NULL && JSON_NODE_HOLDS_VALUE (aud) && json_node_get_value_type (aud) == G_TYPE_STRING)
    {
      found = g_strcmp0 (json_node_get_string (aud), client_id) == 0;
      n = 1;
    }
  else if (aud != NULL && JSON_NODE_HOLDS_ARRAY (aud))
    {
      JsonArray *array = json_node_get_array (aud);

      n = json_array_get_length (array);
      for (guint i = 0; i < n; i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING &&
              g_strcmp0 (json_node_get_string (element), client_id) == 0)
            found = TRUE;
        }
    }
  if (!found)
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_AUDIENCE,
                         "the ID token is not for this client (“%s” is not among its audience)", client_id);
  /* Meant for several clients: the one it was given to says it is us. */
  if (n > 1 && g_strcmp0 (paddock_json_get_string (claims, "azp", NULL), client_id) != 0)
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_AUDIENCE,
                         "the ID token has several audiences and its authorized party is not this client");
  return TRUE;
}

static gboolean
number_member (JsonObject *object,
               const char *name,
               gint64     *value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_INT64 && json_node_get_value_type (node) != G_TYPE_DOUBLE))
    return FALSE;
  *value = json_node_get_value_type (node) == G_TYPE_INT64 ? json_node_get_int (node)
                                                           : (gint64) json_node_get_double (node);
  return TRUE;
}

JsonObject *
paddock_id_token_verify (const char  *jwt,
                         JsonNode    *jwks,
                         const char  *issuer,
                         const char  *client_id,
                         gint64       now_unix,
                         GError     **error)
{
  const char *first_dot, *second_dot;
  g_autoptr(JsonObject) header = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(GBytes) signature = NULL;
  JsonObject *key;
  gint64 expires, not_before;

  g_return_val_if_fail (jwt != NULL && issuer != NULL && client_id != NULL, NULL);

  first_dot = strchr (jwt, '.');
  second_dot = first_dot ? strchr (first_dot + 1, '.') : NULL;
  if (second_dot == NULL || strchr (second_dot + 1, '.') != NULL)
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_MALFORMED,
                         "the ID token is not three base64url parts joined by dots"), NULL;

  header = decode_object (jwt, first_dot - jwt, "header", error);
  if (header == NULL)
    return NULL;
  if (g_strcmp0 (paddock_json_get_string (header, "alg", NULL), "RS256") != 0)
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_ALGORITHM,
                         "the ID token is signed with “%s”; accepted: RS256",
                         paddock_json_get_string (header, "alg", NULL) ? paddock_json_get_string (header, "alg", NULL) : "(no alg)"), NULL;
  signature = base64url_decode (second_dot + 1, strlen (second_dot + 1));
  if (signature == NULL || g_bytes_get_size (signature) == 0)
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_MALFORMED,
                         "the ID token's signature is not base64url"), NULL;
  key = find_key (jwks, paddock_json_get_string (header, "kid", NULL), error);
  if (key == NULL || !verify_rs256 (key, jwt, second_dot - jwt, signature, error))
    return NULL;

  /* Only now is anything in the payload believed. */
  claims = decode_object (first_dot + 1, second_dot - first_dot - 1, "payload", error);
  if (claims == NULL)
    return NULL;
  if (g_strcmp0 (paddock_json_get_string (claims, "iss", NULL), issuer) != 0)
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_ISSUER,
                         "the ID token was issued by “%s”, not by “%s”",
                         paddock_json_get_string (claims, "iss", NULL) ? paddock_json_get_string (claims, "iss", NULL) : "(nobody)", issuer), NULL;
  if (!check_audience (claims, client_id, error))
    return NULL;
  if (!number_member (claims, "exp", &expires))
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_MALFORMED,
                         "the ID token has no expiry (\"exp\")"), NULL;
  if (expires + PADDOCK_ID_TOKEN_LEEWAY_S <= now_unix)
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_EXPIRED,
                         "the ID token expired %" G_GINT64_FORMAT " s ago", now_unix - expires), NULL;
  if ((number_member (claims, "nbf", &not_before) || number_member (claims, "iat", &not_before)) &&
      not_before - PADDOCK_ID_TOKEN_LEEWAY_S > now_unix)
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_NOT_YET_VALID,
                         "the ID token is not valid for another %" G_GINT64_FORMAT " s (is the clock right?)",
                         not_before - now_unix), NULL;
  return g_steal_pointer (&claims);
}
