/* test-policy-file.c: the changes Paddock makes to a workspace's own
 * policy file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sys/stat.h>

#include "paddock-policy-file.h"
#include "test-util.h"

static char *
read_file (const char *path)
{
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

static PaddockPolicyDocument *
load (const char *path)
{
  g_autoptr(GError) error = NULL;
  PaddockPolicyDocument *document = paddock_policy_document_new_from_file (PADDOCK_LAYER_WORKSPACE, path, &error);

  g_assert_no_error (error);
  return document;
}

/* Settings and lists land where the policy reader finds them, in a
 * private file that is created with its folders. */
static void
test_set_and_get (void)
{
  g_autofree char *dir = test_make_dir ("set");
  g_autofree char *path = g_build_filename (dir, "a", "b", "policy.json", NULL);
  const char *domains[] = { "pypi.org", "*.npmjs.org:443", NULL };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) got = NULL;
  g_autoptr(PaddockPolicyDocument) document = NULL;
  struct stat st;

  g_assert_true (paddock_policy_file_set_string (path, "sandbox", "mode", "read-only", &error));
  g_assert_no_error (error);
  g_assert_true (paddock_policy_file_set_list (path, "network", "allow", domains, &error));
  g_assert_true (paddock_policy_file_add_network_allow (path, "example.org", 8443, &error));
  g_assert_true (paddock_policy_file_add_network_allow (path, "example.org", 8443, &error));
  g_assert_true (paddock_policy_file_get_list (path, "network", "allow", &got, &error));
  g_assert_cmpuint (g_strv_length (got), ==, 3);
  g_assert_cmpstr (got[2], ==, "example.org:8443");

  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  document = load (path);
  g_assert_cmpuint (document->settings->len, ==, 1);
  g_assert_cmpstr (((PaddockSetting *) g_ptr_array_index (document->settings, 0))->key, ==, "sandbox.mode");
  g_assert_cmpuint (document->rules->len, ==, 3);

  /* NULL and empty take the entries away again. */
  g_assert_true (paddock_policy_file_set_string (path, "sandbox", "mode", NULL, &error));
  g_assert_true (paddock_policy_file_set_list (path, "network", "allow", NULL, &error));
  g_clear_pointer (&document, paddock_policy_document_unref);
  document = load (path);
  g_assert_cmpuint (document->settings->len, ==, 0);
  g_assert_cmpuint (document->rules->len, ==, 0);
}

/* A value the reader refuses is never written: the file stays as it
 * was, and the error says what the reader said. The valid value is the
 * control. */
static void
test_refused (void)
{
  g_autofree char *dir = test_make_dir ("refused");
  g_autofree char *path = g_build_filename (dir, "policy.json", NULL);
  const char *bad_domains[] = { "exa mple.org", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_true (paddock_policy_file_set_string (path, "approval", "mode", "untrusted", &error));
  before = read_file (path);

  g_assert_false (paddock_policy_file_set_string (path, "approval", "mode", "yolo", &error));
  g_assert_error (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "yolo"));
  g_clear_error (&error);
  g_assert_false (paddock_policy_file_set_list (path, "network", "allow", bad_domains, &error));
  g_assert_error (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_INVALID);
  g_clear_error (&error);

  after = read_file (path);
  g_assert_cmpstr (before, ==, after);
}

/* A file Paddock did not write the way it expects is left alone. */
static void
test_foreign_file (void)
{
  g_autofree char *dir = test_make_dir ("foreign");
  g_autofree char *list = test_write_file (dir, "list.json", "[1, 2]");
  g_autofree char *odd = test_write_file (dir, "odd.json", "{\"network\": {\"allow\": \"pypi.org\"}}");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) got = NULL;
  g_autofree char *after = NULL;

  g_assert_false (paddock_policy_file_set_string (list, "sandbox", "mode", "read-only", &error));
  g_assert_error (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SCHEMA);
  g_clear_error (&error);
  g_assert_false (paddock_policy_file_add_network_allow (odd, "example.org", 0, &error));
  g_assert_error (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SCHEMA);
  g_assert_nonnull (strstr (error->message, "not a list"));
  g_clear_error (&error);
  g_assert_false (paddock_policy_file_get_list (odd, "network", "allow", &got, &error));
  after = read_file (odd);
  g_assert_cmpstr (after, ==, "{\"network\": {\"allow\": \"pypi.org\"}}");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/policy-file/set-and-get", test_set_and_get);
  g_test_add_func ("/policy-file/refused", test_refused);
  g_test_add_func ("/policy-file/foreign", test_foreign_file);

  return g_test_run ();
}
