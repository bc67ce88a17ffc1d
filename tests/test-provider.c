/* test-provider.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "test-provider.h"

struct _TestProvider
{
  GSubprocess *process;
  SoupSession *session;
  char *issuer;
};

/* A test that fails aborts: the provider must not outlive it and keep
 * meson waiting on its output. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

TestProvider *
test_provider_start (void)
{
  const char *modules = g_getenv ("PADDOCK_OIDC_MODULES");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *module = NULL;
  g_autofree char *script = NULL;
  g_autofree char *first = NULL;
  g_autoptr(JsonNode) hello = NULL;
  g_autoptr(GError) error = NULL;
  TestProvider *provider;

  if (modules == NULL)
    return NULL;
  module = g_build_filename (modules, "oauth2-mock-server", "dist", "index.mjs", NULL);
  if (!g_file_test (module, G_FILE_TEST_EXISTS))
    g_error ("%s is missing: scripts/test.sh installs oauth2-mock-server into .deps/npm-oidc", module);

  provider = g_new0 (TestProvider, 1);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_setenv (launcher, "OIDC_MOCK_MODULE", module, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  script = g_test_build_filename (G_TEST_DIST, "oidc", "provider.mjs", NULL);
  provider->process = g_subprocess_launcher_spawn (launcher, &error, "node", script, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (provider->process));
  first = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  hello = json_from_string (first, &error);
  g_assert_no_error (error);
  provider->issuer = g_strdup (json_object_get_string_member (json_node_get_object (hello), "issuer"));
  provider->session = soup_session_new ();
  return provider;
}

void
test_provider_stop (TestProvider *provider)
{
  if (provider == NULL)
    return;
  g_subprocess_send_signal (provider->process, SIGTERM);
  g_subprocess_wait (provider->process, NULL, NULL);
  g_object_unref (provider->process);
  g_object_unref (provider->session);
  g_free (provider->issuer);
  g_free (provider);
}

const char *
test_provider_get_issuer (TestProvider *provider)
{
  return provider->issuer;
}

static char *
send (TestProvider *provider,
      SoupMessage  *message,
      guint        *status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read (provider->session, message, NULL, &error);

  g_assert_no_error (error);
  if (status != NULL)
    *status = soup_message_get_status (message);
  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

char *
test_provider_get (TestProvider *provider,
                   const char   *path)
{
  g_autofree char *url = g_strconcat (provider->issuer, path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, url);

  return send (provider, message, NULL);
}

guint
test_provider_post (TestProvider  *provider,
                    const char    *path,
                    char         **body,
                    ...)
{
  g_autofree char *url = g_strconcat (provider->issuer, path, NULL);
  g_autoptr(GHashTable) form = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(SoupMessage) message = NULL;
  g_autofree char *answer = NULL;
  const char *name;
  guint status = 0;
  va_list args;

  va_start (args, body);
  while ((name = va_arg (args, const char *)) != NULL)
    g_hash_table_insert (form, (char *) name, va_arg (args, char *));
  va_end (args);
  message = soup_message_new_from_encoded_form (SOUP_METHOD_POST, url, soup_form_encode_hash (form));
  answer = send (provider, message, &status);
  if (body != NULL)
    *body = g_steal_pointer (&answer);
  return status;
}

void
test_provider_set_mode (TestProvider *provider,
                        const char   *mode)
{
  g_autofree char *path = g_strdup_printf ("/__test/mode?m=%s", mode);
  g_autofree char *answer = test_provider_get (provider, path);
}
