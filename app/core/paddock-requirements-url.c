/* paddock-requirements-url.c: which URLs may name the requirements
 *
 * Apart from the fetcher, so that the loader's check does not bring
 * libsoup into every program that reads the policy.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "paddock-errors.h"
#include "paddock-requirements.h"
#include "paddock-requirements-private.h"

/* As libsoup parses HTTP URLs (SOUP_HTTP_URI_FLAGS). */
#define HTTP_URI_FLAGS (G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED_PATH | G_URI_FLAGS_ENCODED_QUERY | \
                        G_URI_FLAGS_ENCODED_FRAGMENT | G_URI_FLAGS_SCHEME_NORMALIZE)

static gboolean
is_loopback_host (const char *host)
{
  return g_ascii_strcasecmp (host, "localhost") == 0 ||
         g_str_equal (host, "127.0.0.1") ||
         g_str_equal (host, "::1");
}

char *
_paddock_requirements_uri_to_display (GUri *uri)
{
  return g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO);
}

GUri *
_paddock_requirements_parse_url (const char  *url,
                                 const char  *display_url,
                                 char       **reason)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *host;

  uri = g_uri_parse (url, HTTP_URI_FLAGS, &error);
  if (uri == NULL)
    {
      *reason = g_strdup_printf ("“%s” is not a URL: %s", display_url, error->message);
      return NULL;
    }

  host = g_uri_get_host (uri);
  if (host == NULL || *host == '\0')
    {
      *reason = g_strdup_printf ("“%s” names no host", display_url);
      return NULL;
    }

  if (g_str_equal (g_uri_get_scheme (uri), "https") ||
      (g_str_equal (g_uri_get_scheme (uri), "http") && is_loopback_host (host)))
    return g_steal_pointer (&uri);

  *reason = g_strdup_printf ("“%s” is not an https:// URL; requirements are only fetched over "
                             "https:// (http:// only from localhost, for tests)", display_url);
  return NULL;
}

gboolean
paddock_requirements_check_url (const char  *url,
                                GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GUri) parsed = NULL;
  g_autofree char *display_url = NULL;
  g_autofree char *reason = NULL;

  g_return_val_if_fail (url != NULL, FALSE);

  parsed = g_uri_parse (url, HTTP_URI_FLAGS, NULL);
  display_url = parsed != NULL ? _paddock_requirements_uri_to_display (parsed) : g_strdup (url);
  uri = _paddock_requirements_parse_url (url, display_url, &reason);
  if (uri == NULL)
    return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_INVALID, "%s", reason);

  return TRUE;
}
