/* test-patch.c: unified diffs read and applied exactly, each refusal
 * beside the patch that applies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "paddock-patch.h"

static char *
apply (PaddockPatchFile  *file,
       const char        *old,
       GError           **error)
{
  g_autoptr(GBytes) before = old ? g_bytes_new (old, strlen (old)) : NULL;
  g_autoptr(GBytes) after = paddock_patch_apply_file (file, before, error);
  gsize length;
  const char *data;

  if (after == NULL)
    return NULL;
  data = g_bytes_get_data (after, &length);
  return g_strndup (data ? data : "", length);
}

static void
test_modify (void)
{
  const char *old = "one\ntwo\nthree\nfour\nfive\nsix\nseven\n";
  const char *patch =
    "diff --git a/src/n.txt b/src/n.txt\n"
    "index 1111111..2222222 100644\n"
    "--- a/src/n.txt\n"
    "+++ b/src/n.txt\n"
    "@@ -1,3 +1,3 @@\n"
    " one\n"
    "-two\n"
    "+TWO\n"
    " three\n"
    "@@ -6,2 +6,3 @@\n"
    " six\n"
    " seven\n"
    "+eight\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = paddock_patch_parse (patch, &error);
  g_autofree char *result = NULL;
  g_autofree char *refused = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (files->len, ==, 1);
  g_assert_cmpstr (paddock_patch_file_get_path (g_ptr_array_index (files, 0)), ==, "src/n.txt");
  result = apply (g_ptr_array_index (files, 0), old, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result, ==, "one\nTWO\nthree\nfour\nfive\nsix\nseven\neight\n");

  /* The same patch on a file that changed since: refused, with where. */
  refused = apply (g_ptr_array_index (files, 0), "one\n2\nthree\nfour\nfive\nsix\nseven\n", &error);
  g_assert_null (refused);
  g_assert_error (error, PADDOCK_PATCH_ERROR, PADDOCK_PATCH_ERROR_MISMATCH);
  g_assert_nonnull (strstr (error->message, "hunk 1 of src/n.txt does not apply: line 2"));
}

static void
test_create_delete_newline (void)
{
  const char *patch =
    "--- /dev/null\n"
    "+++ b/new.txt\n"
    "@@ -0,0 +1,2 @@\n"
    "+first\n"
    "+last, without a newline\n"
    "\\ No newline at end of file\n"
    "--- a/old.txt\n"
    "+++ /dev/null\n"
    "@@ -1 +0,0 @@\n"
    "-gone\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = paddock_patch_parse (patch, &error);
  g_autofree char *created = NULL;
  PaddockPatchFile *deleted;

  g_assert_no_error (error);
  g_assert_cmpuint (files->len, ==, 2);
  g_assert_null (((PaddockPatchFile *) g_ptr_array_index (files, 0))->old_path);
  created = apply (g_ptr_array_index (files, 0), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (created, ==, "first\nlast, without a newline");
  deleted = g_ptr_array_index (files, 1);
  g_assert_null (deleted->new_path);
  g_assert_cmpstr (paddock_patch_file_get_path (deleted), ==, "old.txt");
}

static void
test_malformed (void)
{
  static const struct { const char *patch; const char *message; } cases[] = {
    { "just some text\n", "changes no file" },
    { "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n one\n", "line 5: a hunk ends before its counts say" },
    { "--- a/x\n+++ b/x\n@@ -1 +1 @@\n*one\n", "line 4: a hunk line starts with neither" },
    { "--- a/x\n+++ b/x\n@@ nonsense @@\n", "line 3: a hunk header" },
    { "@@ -1 +1 @@\n-a\n+b\n", "line 1: a hunk before any ---/+++ header" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) files = paddock_patch_parse (cases[i].patch, &error);

      g_assert_null (files);
      g_assert_error (error, PADDOCK_PATCH_ERROR, PADDOCK_PATCH_ERROR_MALFORMED);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].message));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/patch/modify", test_modify);
  g_test_add_func ("/patch/create-delete-newline", test_create_delete_newline);
  g_test_add_func ("/patch/malformed", test_malformed);
  return g_test_run ();
}
