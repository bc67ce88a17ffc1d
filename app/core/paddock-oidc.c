/* paddock-oidc.c
 *
 * An issuer is trusted for what its discovery document says only when
 * the document names that very issuer and keeps to the same transport
 * rules: a document that points token requests somewhere plain or
 * elsewhere is refused before anything is sent there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/random.h>

#include <json-glib/json-glib.h>

#include "paddock-errors.h"
#include "paddock-json.h"
#include "paddock-oidc.h"

void
paddock_oidc_provider_free (PaddockOidcProvider *provider)
{
  if (provider == NULL)
    return;
  g_free (provider->issuer);
  g_free (provider->authorization_endpoint);
  g_free (provider->token_endpoint);
  g_free (provider->jwks_uri);
  g_free (provider->device_authorization_endpoint);
  g_free (provider->revocation_endpoint);
  g_free (provider);
}

/* https anywhere; http only to this machine, for tests. */
static gboolean
is_allowed_url (const char *url,
                gboolean    for_issuer)
{
  g_autoptr(GUri) uri = url ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *host;

  if (uri == NULL || (host = g_uri_get_host (uri)) == NULL || host[0] == '\0' ||
      g_uri_get_userinfo (uri) != NULL || g_uri_get_fragment (uri) != NULL ||
      (for_issuer && g_uri_get_query (uri) != NULL))
    return FALSE;
  if (g_str_equal (g_uri_get_scheme (uri), "https"))
    return TRUE;
  return g_str_equal (g_uri_get_scheme (uri), "http") &&
         (g_str_equal (host, "localhost") || g_str_equal (host, "127.0.0.1") || g_str_equal (host, "::1"));
}

gboolean
paddock_oidc_issuer_is_valid (const char  *issuer,
                              GError     **error)
{
  if (is_allowed_url (issuer, TRUE))
    return TRUE;
  return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_MALFORMED,
                       "“%s” is not an issuer Paddock signs in with; accepted: https://HOST[/PATH] without a "
                       "query (http://localhost… for testing)", issuer ? issuer : "");
}

char *
paddock_oidc_discovery_url (const char *issuer)
{
  return g_strconcat (issuer, g_str_has_suffix (issuer, "/") ? "" : "/", ".well-known/openid-configuration", NULL);
}

/* Endpoint @name of @document: required, or nullable; NULL with @error
 * when present but not allowed, or required and absent. */
static gboolean
take_endpoint (JsonObject  *document,
               const char  *issuer,
               const char  *name,
               gboolean     required,
               char       **out,
               GError     **error)
{
  const char *url = paddock_json_get_string (document, name, NULL);

  if (url == NULL && !required)
    return TRUE;
  if (url == NULL)
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_MALFORMED,
                         "the discovery document of %s has no “%s”", issuer, name);
  if (!is_allowed_url (url, FALSE))
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_MALFORMED,
                         "the discovery document of %s gives “%s” as %s; accepted: https (http only to this "
                         "machine)", issuer, url, name);
  *out = g_strdup (url);
  return TRUE;
}

PaddockOidcProvider *
paddock_oidc_provider_new_from_discovery (const char  *issuer,
                                          const char  *document,
                                          gssize       length,
                                          GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(PaddockOidcProvider) provider = g_new0 (PaddockOidcProvider, 1);
  JsonObject *object;
  JsonNode *methods;

  if (!paddock_oidc_issuer_is_valid (issuer, error))
    return NULL;
  if (!json_parser_load_from_data (parser, document, length, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_MALFORMED,
                         "the discovery document of %s is not a JSON object", issuer), NULL;
  object = json_node_get_object (json_parser_get_root (parser));
  /* Exactly: a document may not speak for another issuer. */
  if (g_strcmp0 (paddock_json_get_string (object, "issuer", NULL), issuer) != 0)
    return paddock_fail (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_ISSUER,
                         "the discovery document fetched for %s names the issuer “%s”", issuer,
                         paddock_json_get_string (object, "issuer", NULL) ? paddock_json_get_string (object, "issuer", NULL) : "(none)"), NULL;

  provider->issuer = g_strdup (issuer);
  if (!take_endpoint (object, issuer, "authorization_endpoint", TRUE, &provider->authorization_endpoint, error) ||
      !take_endpoint (object, issuer, "token_endpoint", TRUE, &provider->token_endpoint, error) ||
      !take_endpoint (object, issuer, "jwks_uri", TRUE, &provider->jwks_uri, error) ||
      !take_endpoint (object, issuer, "device_authorization_endpoint", FALSE,
                      &provider->device_authorization_endpoint, error) ||
      !take_endpoint (object, issuer, "revocation_endpoint", FALSE, &provider->revocation_endpoint, error))
    return NULL;

  methods = json_object_get_member (object, "code_challenge_methods_supported");
  for (guint i = 0; methods != NULL && JSON_NODE_HOLDS_ARRAY (methods) &&
                    i < json_array_get_length (json_node_get_array (methods)); i++)
    {
      JsonNode *method = json_array_get_element (json_node_get_array (methods), i);

      if (JSON_NODE_HOLDS_VALUE (method) && json_node_get_value_type (method) == G_TYPE_STRING &&
          g_str_equal (json_node_get_string (method), "S256"))
        provider->supports_s256 = TRUE;
    }
  return g_steal_pointer (&provider);
}

static char *
base64url (const guchar *data,
           gsize         size)
{
  g_autofree char *standard = g_base64_encode (data, size);
  GString *out = g_string_new (NULL);

  for (const char *c = standard; *c && *c != '='; c++)
    g_string_append_c (out, *c == '+' ? '-' : *c == '/' ? '_' : *c);
  return g_string_free (out, FALSE);
}

static char *
random_base64url (void)
{
  guchar bytes[32];

  /* getrandom blocks only before the kernel's pool is ready at boot. */
  if (getrandom (bytes, sizeof bytes, 0) != sizeof bytes)
    g_error ("no random bytes from the kernel");
  return base64url (bytes, sizeof bytes);
}

char *
paddock_oidc_random_token (void)
{
  return random_base64url ();
}

char *
paddock_oidc_pkce_challenge (const char *verifier)
{
  g_autoptr(GChecksum) sha256 = g_checksum_new (G_CHECKSUM_SHA256);
  guchar digest[32];
  gsize size = sizeof digest;

  g_checksum_update (sha256, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (sha256, digest, &size);
  return base64url (digest, size);
}

void
paddock_oidc_pkce_new (char **verifier,
                       char **challenge)
{
  *verifier = random_base64url ();
  *challenge = paddock_oidc_pkce_challenge (*verifier);
}
