/* paddock-fetch-requirements: `paddockctl policy refresh`
 *
 * Fetches the organisation's requirements from the URL in the system
 * config into the cache the policy loader reads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "paddock-accounts.h"
#include "paddock-keychain.h"
#include "paddock-paths.h"
#include "paddock-policy-loader.h"
#include "paddock-requirements.h"

static int
fail (const char *message)
{
  g_printerr ("paddockctl: %s\n", message);
  return 2;
}

/* The organisation's login, when someone signed in, authenticates the
 * fetch; without one the URL is fetched as it is. A login that has
 * ended is an error, not a silent fetch without it. */
static gboolean
use_login (PaddockRequirements  *requirements,
           GError              **error)
{
  g_autoptr(PaddockPolicyLoader) loader = paddock_policy_loader_new ();
  g_autoptr(PaddockPolicy) policy = paddock_policy_loader_load (loader, NULL, error);
  g_autoptr(PaddockLogin) login = NULL;
  g_autoptr(GError) local_error = NULL;
  char *token;

  if (policy == NULL)
    return FALSE;
  login = paddock_accounts_find_organization (policy, &local_error);
  if (login == NULL)
    {
      if (local_error != NULL)
        g_printerr ("paddockctl: the organisation's login cannot be used, so the requirements are fetched "
                    "without it: %s\n", local_error->message);
      return TRUE;
    }
  token = paddock_accounts_get_access_token (login->issuer, PADDOCK_ACCOUNTS_ORGANIZATION, NULL, error);
  if (token == NULL)
    return FALSE;
  paddock_requirements_set_token (requirements, token);
  paddock_keychain_free (token);
  return TRUE;
}

int
main (int    argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(PaddockRequirements) requirements = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *cache = NULL;
  PaddockRequirementsOutcome outcome;

  paddock_paths_init ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("paddockctl policy refresh");
  g_option_context_set_summary (context, _("Fetch the organisation's requirements from the URL in the system config."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fail (error->message);

  url = paddock_policy_loader_dup_requirements_url (&error);
  if (error != NULL)
    return fail (error->message);
  if (url == NULL)
    {
      g_print (_("No requirements URL is configured in %s/config.json; nothing to fetch.\n"),
               paddock_paths_get_sysconfdir ());
      return 0;
    }

  cache = paddock_policy_loader_dup_requirements_cache ();
  requirements = paddock_requirements_new (url, cache);
  if (!use_login (requirements, &error))
    return fail (error->message);
  if (!paddock_requirements_fetch_sync (requirements, NULL, &outcome, &error))
    return fail (error->message);

  if (outcome == PADDOCK_REQUIREMENTS_UPDATED)
    g_print (_("Fetched the requirements from %s.\n"), url);
  else
    g_print (_("The requirements at %s have not changed.\n"), url);

  return 0;
}

