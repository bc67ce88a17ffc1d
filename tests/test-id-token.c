/* test-id-token.c: an ID token is believed only when every check
 * passes; each forgery below is paired with the genuine token, which
 * must pass the same checks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include "paddock-id-token.h"

#define ISSUER "http://localhost:4242"
#define CLIENT "paddock-desktop"
#define NOW G_GINT64_CONSTANT (1795750000)

static gnutls_privkey_t key;        /* the issuer's */
static gnutls_privkey_t other_key;  /* somebody else's */
static JsonNode *jwks;

static char *
base64url (const void *data,
           gsize       size)
{
  g_autofree char *standard = g_base64_encode (data, size);
  GString *out = g_string_new (NULL);

  for (const char *c = standard; *c && *c != '='; c++)
    g_string_append_c (out, *c == '+' ? '-' : *c == '/' ? '_' : *c);
  return g_string_free (out, FALSE);
}

static gnutls_privkey_t
generate_key (void)
{
  gnutls_privkey_t generated;

  g_assert_cmpint (gnutls_privkey_init (&generated), ==, 0);
  g_assert_cmpint (gnutls_privkey_generate (generated, GNUTLS_PK_RSA, 2048, 0), ==, 0);
  return generated;
}

/* The issuer's key set: its key under "key-1", and an EC key to skip. */
static JsonNode *
make_jwks (void)
{
  gnutls_pubkey_t pubkey;
  gnutls_datum_t modulus, exponent;
  g_autofree char *n = NULL;
  g_autofree char *e = NULL;
  g_autofree char *text = NULL;
  JsonNode *node;

  g_assert_cmpint (gnutls_pubkey_init (&pubkey), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import_privkey (pubkey, key, 0, 0), ==, 0);
  g_assert_cmpint (gnutls_pubkey_export_rsa_raw (pubkey, &modulus, &exponent), ==, 0);
  n = base64url (modulus.data, modulus.size);
  e = base64url (exponent.data, exponent.size);
  gnutls_free (modulus.data);
  gnutls_free (exponent.data);
  gnutls_pubkey_deinit (pubkey);
  text = g_strdup_printf ("{\"keys\": [{\"kty\": \"EC\", \"kid\": \"key-1\", \"crv\": \"P-256\"},"
                          " {\"kty\": \"RSA\", \"kid\": \"key-1\", \"alg\": \"RS256\", \"n\": \"%s\", \"e\": \"%s\"}]}",
                          n, e);
  node = json_from_string (text, NULL);
  g_assert_nonnull (node);
  return node;
}

/* header.payload.signature, signed with @signer (NULL: an empty one). */
static char *
make_token (const char       *header,
            const char       *payload,
            gnutls_privkey_t  signer)
{
  g_autofree char *h = base64url (header, strlen (header));
  g_autofree char *p = base64url (payload, strlen (payload));
  g_autofree char *signed_part = g_strconcat (h, ".", p, NULL);
  g_autofree char *s = NULL;

  if (signer != NULL)
    {
      gnutls_datum_t data = { (unsigned char *) signed_part, strlen (signed_part) };
      gnutls_datum_t signature;

      g_assert_cmpint (gnutls_privkey_sign_data (signer, GNUTLS_DIG_SHA256, 0, &data, &signature), ==, 0);
      s = base64url (signature.data, signature.size);
      gnutls_free (signature.data);
    }
  return g_strconcat (signed_part, ".", s ? s : "", NULL);
}

static char *
payload_with (const char *iss,
              const char *aud_json,
              gint64      exp,
              const char *extra)
{
  return g_strdup_printf ("{\"iss\": \"%s\", \"sub\": \"johndoe\", \"aud\": %s, \"iat\": %" G_GINT64_FORMAT
                          ", \"exp\": %" G_GINT64_FORMAT "%s%s}",
                          iss, aud_json, NOW - 10, exp, extra ? ", " : "", extra ? extra : "");
}

#define RS256 "{\"alg\": \"RS256\", \"typ\": \"JWT\", \"kid\": \"key-1\"}"

static void
assert_refused (const char *token,
                int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) claims = paddock_id_token_verify (token, jwks, ISSUER, CLIENT, NOW, &error);

  g_assert_null (claims);
  g_assert_error (error, PADDOCK_IDENTITY_ERROR, code);
  g_test_message ("refused: %s", error->message);
}

static void
assert_accepted (const char *token)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) claims = paddock_id_token_verify (token, jwks, ISSUER, CLIENT, NOW, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (claims, "sub"), ==, "johndoe");
}

/* The genuine token passes: the control for everything below. */
static void
test_genuine (void)
{
  g_autofree char *payload = payload_with (ISSUER, "\"" CLIENT "\"", NOW + 3600, "\"org\": \"acme\"");
  g_autofree char *token = make_token (RS256, payload, key);
  g_autofree char *late = payload_with (ISSUER, "\"" CLIENT "\"", NOW - 30, NULL);
  g_autofree char *late_token = make_token (RS256, late, key);
  g_autofree char *several = payload_with (ISSUER, "[\"other\", \"" CLIENT "\"]", NOW + 60,
                                           "\"azp\": \"" CLIENT "\"");
  g_autofree char *several_token = make_token (RS256, several, key);

  assert_accepted (token);
  /* Within the leeway for clocks that disagree. */
  assert_accepted (late_token);
  assert_accepted (several_token);
}

static void
test_signature (void)
{
  g_autofree char *payload = payload_with (ISSUER, "\"" CLIENT "\"", NOW + 3600, NULL);
  g_autofree char *by_other = make_token (RS256, payload, other_key);
  g_autofree char *genuine = make_token (RS256, payload, key);
  g_autofree char *changed = payload_with (ISSUER, "\"" CLIENT "\"", NOW + 3600, "\"org\": \"acme\"");
  g_autofree char *changed_part = base64url (changed, strlen (changed));
  g_auto(GStrv) parts = g_strsplit (genuine, ".", 3);
  g_autofree char *tampered = g_strjoin (".", parts[0], changed_part, parts[2], NULL);
  g_autofree char *unknown_kid = make_token ("{\"alg\": \"RS256\", \"kid\": \"key-2\"}", payload, key);

  /* Somebody else's key under the issuer's kid. */
  assert_refused (by_other, PADDOCK_IDENTITY_ERROR_SIGNATURE);
  /* The issuer's signature over another payload. */
  assert_refused (tampered, PADDOCK_IDENTITY_ERROR_SIGNATURE);
  assert_refused (unknown_kid, PADDOCK_IDENTITY_ERROR_UNKNOWN_KEY);
  assert_accepted (genuine);
}

/* "none", and an HMAC keyed with what an attacker knows, never pass. */
static void
test_algorithm (void)
{
  g_autofree char *payload = payload_with (ISSUER, "\"" CLIENT "\"", NOW + 3600, NULL);
  g_autofree char *none = make_token ("{\"alg\": \"none\"}", payload, NULL);
  const char *hmac_json = "{\"alg\": \"HS256\", \"kid\": \"key-1\"}";
  g_autofree char *hmac_header = base64url (hmac_json, strlen (hmac_json));
  g_autofree char *payload_part = base64url (payload, strlen (payload));
  g_autofree char *signed_part = g_strconcat (hmac_header, ".", payload_part, NULL);
  g_autofree char *mac = g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *) "public", 6, signed_part, -1);
  g_autofree char *hmac = g_strconcat (signed_part, ".", mac, NULL);

  assert_refused (none, PADDOCK_IDENTITY_ERROR_ALGORITHM);
  assert_refused (hmac, PADDOCK_IDENTITY_ERROR_ALGORITHM);
}

static void
test_claims (void)
{
  g_autofree char *wrong_issuer = payload_with ("http://evil.example", "\"" CLIENT "\"", NOW + 3600, NULL);
  g_autofree char *wrong_audience = payload_with (ISSUER, "\"someone-else\"", NOW + 3600, NULL);
  g_autofree char *no_azp = payload_with (ISSUER, "[\"other\", \"" CLIENT "\"]", NOW + 3600, NULL);
  g_autofree char *expired = payload_with (ISSUER, "\"" CLIENT "\"", NOW - 120, NULL);
  g_autofree char *early = payload_with (ISSUER, "\"" CLIENT "\"", NOW + 7200,
                                         "\"nbf\": " G_STRINGIFY (1795753600));
  g_autofree char *no_exp = g_strdup ("{\"iss\": \"" ISSUER "\", \"aud\": \"" CLIENT "\"}");
  struct { const char *payload; int code; } cases[] = {
    { wrong_issuer, PADDOCK_IDENTITY_ERROR_ISSUER },
    { wrong_audience, PADDOCK_IDENTITY_ERROR_AUDIENCE },
    { no_azp, PADDOCK_IDENTITY_ERROR_AUDIENCE },
    { expired, PADDOCK_IDENTITY_ERROR_EXPIRED },
    { early, PADDOCK_IDENTITY_ERROR_NOT_YET_VALID },
    { no_exp, PADDOCK_IDENTITY_ERROR_MALFORMED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *token = make_token (RS256, cases[i].payload, key);
      assert_refused (token, cases[i].code);
    }
}

static void
test_malformed (void)
{
  const char *bad[] = { "", "a.b", "a.b.c.d", "!!!.e30.e30", "e30.e30.***" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) claims = paddock_id_token_verify (bad[i], jwks, ISSUER, CLIENT, NOW, &error);

      g_assert_null (claims);
      g_assert_true (error->domain == PADDOCK_IDENTITY_ERROR);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (gnutls_global_init (), ==, 0);
  key = generate_key ();
  other_key = generate_key ();
  jwks = make_jwks ();

  g_test_add_func ("/id-token/genuine", test_genuine);
  g_test_add_func ("/id-token/signature", test_signature);
  g_test_add_func ("/id-token/algorithm", test_algorithm);
  g_test_add_func ("/id-token/claims", test_claims);
  g_test_add_func ("/id-token/malformed", test_malformed);

  status = g_test_run ();
  json_node_unref (jwks);
  gnutls_privkey_deinit (key);
  gnutls_privkey_deinit (other_key);
  gnutls_global_deinit ();
  return status;
}
