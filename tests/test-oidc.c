/* test-oidc.c: an issuer's discovery document is believed only for
 * that issuer and only with endpoints Paddock may talk to; PKCE as
 * RFC 7636 computes it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "paddock-oidc.h"

#define ISSUER "https://login.example.com"

static char *
document (const char *issuer,
          const char *token_endpoint,
          const char *extra)
{
  return g_strdup_printf ("{\"issuer\": \"%s\", \"authorization_endpoint\": \"" ISSUER "/authorize\","
                          " \"token_endpoint\": \"%s\", \"jwks_uri\": \"" ISSUER "/jwks\"%s%s}",
                          issuer, token_endpoint, extra ? ", " : "", extra ? extra : "");
}

static void
test_issuer (void)
{
  const char *good[] = { ISSUER, ISSUER "/tenant", "http://localhost:8080", "http://127.0.0.1:4242/" };
  const char *bad[] = { "http://login.example.com", "https://login.example.com?x=1", "https://user:pw@login.example.com",
                        "ftp://login.example.com", "login.example.com", "" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (paddock_oidc_issuer_is_valid (good[i], NULL));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (paddock_oidc_issuer_is_valid (bad[i], &error));
      g_assert_error (error, PADDOCK_IDENTITY_ERROR, PADDOCK_IDENTITY_ERROR_MALFORMED);
    }
  {
    g_autofree char *plain = paddock_oidc_discovery_url (ISSUER);
    g_autofree char *slash = paddock_oidc_discovery_url (ISSUER "/tenant/");

    g_assert_cmpstr (plain, ==, ISSUER "/.well-known/openid-configuration");
    g_assert_cmpstr (slash, ==, ISSUER "/tenant/.well-known/openid-configuration");
  }
}

/* The genuine document is read (the control); one that names another
 * issuer, or sends tokens somewhere plain, is refused. */
static void
test_discovery (void)
{
  g_autofree char *genuine = document (ISSUER, ISSUER "/token",
                                       "\"device_authorization_endpoint\": \"" ISSUER "/device\","
                                       " \"code_challenge_methods_supported\": [\"plain\", \"S256\"]");
  g_autofree char *other_issuer = document ("https://evil.example", ISSUER "/token", NULL);
  g_autofree char *slash_issuer = document (ISSUER "/", ISSUER "/token", NULL);
  g_autofree char *plain_token = document (ISSUER, "http://login.example.com/token", NULL);
  g_autofree char *no_jwks = g_strdup ("{\"issuer\": \"" ISSUER "\", \"authorization_endpoint\": \"" ISSUER "/a\","
                                       " \"token_endpoint\": \"" ISSUER "/t\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockOidcProvider) provider = paddock_oidc_provider_new_from_discovery (ISSUER, genuine, -1, &error);
  struct { const char *text; int code; } refused[] = {
    { other_issuer, PADDOCK_IDENTITY_ERROR_ISSUER },
    { slash_issuer, PADDOCK_IDENTITY_ERROR_ISSUER },
    { plain_token, PADDOCK_IDENTITY_ERROR_MALFORMED },
    { no_jwks, PADDOCK_IDENTITY_ERROR_MALFORMED },
    { "[]", PADDOCK_IDENTITY_ERROR_MALFORMED },
    { "{", PADDOCK_IDENTITY_ERROR_MALFORMED },
  };

  g_assert_no_error (error);
  g_assert_cmpstr (provider->token_endpoint, ==, ISSUER "/token");
  g_assert_cmpstr (provider->jwks_uri, ==, ISSUER "/jwks");
  g_assert_cmpstr (provider->device_authorization_endpoint, ==, ISSUER "/device");
  g_assert_null (provider->revocation_endpoint);
  g_assert_true (provider->supports_s256);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) refusal = NULL;
      g_autoptr(PaddockOidcProvider) none = paddock_oidc_provider_new_from_discovery (ISSUER, refused[i].text, -1,
                                                                                      &refusal);

      g_assert_null (none);
      g_assert_error (refusal, PADDOCK_IDENTITY_ERROR, refused[i].code);
      g_test_message ("refused: %s", refusal->message);
    }
}

static void
test_pkce (void)
{
  g_autofree char *example = paddock_oidc_pkce_challenge ("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  g_autofree char *verifier = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *another_verifier = NULL;
  g_autofree char *another_challenge = NULL;
  g_autofree char *recomputed = NULL;

  /* RFC 7636, appendix B. */
  g_assert_cmpstr (example, ==, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");

  paddock_oidc_pkce_new (&verifier, &challenge);
  paddock_oidc_pkce_new (&another_verifier, &another_challenge);
  g_assert_cmpuint (strlen (verifier), ==, 43);
  g_assert_cmpuint (strspn (verifier, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"), ==, 43);
  recomputed = paddock_oidc_pkce_challenge (verifier);
  g_assert_cmpstr (challenge, ==, recomputed);
  g_assert_cmpstr (verifier, !=, another_verifier);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/oidc/issuer", test_issuer);
  g_test_add_func ("/oidc/discovery", test_discovery);
  g_test_add_func ("/oidc/pkce", test_pkce);

  return g_test_run ();
}
