/* paddock-paths.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "paddock-paths.h"

/* The test that proves a production build ignores PADDOCK_SYSCONFDIR
 * compiles this file once more as a production build would. */
#ifdef PADDOCK_PATHS_AS_PRODUCTION
# undef PADDOCK_DEVELOPMENT
# define PADDOCK_DEVELOPMENT 0
#endif

void
paddock_paths_init (void)
{
#if !PADDOCK_DEVELOPMENT
  g_unsetenv ("GSETTINGS_BACKEND");
  g_unsetenv ("DCONF_PROFILE");
  g_unsetenv ("GSETTINGS_SCHEMA_DIR");
#endif
}

const char *
paddock_paths_get_sysconfdir (void)
{
#if PADDOCK_DEVELOPMENT
  const char *override = g_getenv ("PADDOCK_SYSCONFDIR");

  if (override != NULL && g_path_is_absolute (override))
    return override;
#endif

  return PADDOCK_SYSCONFDIR;
}

char *
paddock_paths_dup_user_config (void)
{
  return g_build_filename (g_get_user_config_dir (), "paddock", NULL);
}

char *
paddock_paths_dup_cache (void)
{
  return g_build_filename (g_get_user_cache_dir (), "paddock", NULL);
}
