/* test-sandbox-spec.c: the helper's spec, and the bwrap command line
 * built from it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sandbox-bwrap.h"
#include "sandbox-errors.h"
#include "sandbox-json.h"
#include "sandbox-spec.h"

static void
test_json (void)
{
  static const struct
  {
    const char *text;
    const char *error;  /* substring, or NULL when valid */
  } cases[] = {
    { "{\"a\": [1, -2, \"x\\u00e9\\ud83d\\ude00\", true, false, null, {}]}", NULL },
    { "{\"a\": 1, \"a\": 2}", "member “a” appears twice" },
    { "{\"a\": 1.5}", "only whole numbers" },
    { "{\"a\": 01}", "malformed number" },
    { "{\"a\": 99999999999999999999}", "does not fit in 64 bits" },
    { "{\"a\": \"x\\u0000y\"}", "\\u0000 is not accepted" },
    { "{\"a\": \"\\ud800\"}", "unpaired surrogate" },
    { "{\"a\": \"tab\there\"}", "control character" },
    { "{\"a\": 1,}", "expected a member name" },
    { "{\"a\": 1} x", "unexpected text after the spec" },
    { "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "nested more than 32 levels" },
    { "\"\xff\"", "not valid UTF-8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SandboxJson) json = sandbox_json_parse (cases[i].text, strlen (cases[i].text), &error);

      if (cases[i].error == NULL)
        {
          g_assert_no_error (error);
          g_assert_nonnull (json);
        }
      else
        {
          g_assert_null (json);
          g_assert_error (error, SANDBOX_ERROR, SANDBOX_ERROR_SPEC);
          if (strstr (error->message, cases[i].error) == NULL)
            g_error ("%s: “%s” does not say “%s”", cases[i].text, error->message, cases[i].error);
        }
    }

  {
    /* A NUL byte inside the text is refused before parsing. */
    g_autoptr(GError) error = NULL;
    g_assert_null (sandbox_json_parse ("{}\0", 3, &error));
    g_assert_error (error, SANDBOX_ERROR, SANDBOX_ERROR_SPEC);
  }
}

static const char *good_spec =
  "{\"version\": 1, \"argv\": [\"ls\", \"-l\"], \"cwd\": \"/w/sub\", \"mode\": \"workspace-write\","
  " \"workspace\": \"/w\", \"writable\": [\"/w\", \"/tmp/x\"], \"protected\": [\".git\", \".github/workflows\"],"
  " \"hidden\": [\"/home/u/.ssh\"], \"env\": {\"PATH\": \"/usr/bin\", \"LANG\": \"C\"},"
  " \"timeout_ms\": 5000, \"output_limit\": 1024}";

static void
test_spec_good (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SandboxSpec) spec = sandbox_spec_new_from_json (good_spec, strlen (good_spec), &error);

  g_assert_no_error (error);
  g_assert_cmpstr (spec->argv[1], ==, "-l");
  g_assert_cmpstr (spec->cwd, ==, "/w/sub");
  g_assert_cmpint (spec->mode, ==, SANDBOX_MODE_WORKSPACE_WRITE);
  g_assert_cmpuint (g_strv_length (spec->writable), ==, 2);
  g_assert_cmpstr (spec->protected_names[1], ==, ".github/workflows");
  g_assert_cmpstr (spec->hidden[0], ==, "/home/u/.ssh");
  g_assert_cmpstr (spec->env[0], ==, "PATH=/usr/bin");
  g_assert_cmpuint (spec->timeout_ms, ==, 5000);
  g_assert_cmpuint (spec->output_limit, ==, 1024);
}

static void
test_spec_bad (void)
{
  static const struct
  {
    const char *text;
    const char *error;
  } cases[] = {
    { "{\"version\": 2}", "“version” must be 1" },
    { "{\"version\": 1, \"mode\": \"none\"}", "“mode” must be read-only, workspace-write or full-access" },
    { "{\"version\": 1, \"mode\": \"read-only\", \"argv\": []}", "“argv” must not be empty" },
    { "{\"version\": 1, \"mode\": \"read-only\", \"argv\": [\"\"], \"cwd\": \"/\", \"workspace\": \"/\"}",
      "“argv[0]” must name a program" },
    { "{\"version\": 1, \"mode\": \"read-only\", \"argv\": [\"ls\"], \"cwd\": \"rel\", \"workspace\": \"/w\"}",
      "“cwd” = “rel” must be an absolute path" },
    { "{\"version\": 1, \"mode\": \"read-only\", \"argv\": [\"ls\"], \"cwd\": \"/w/../etc\", \"workspace\": \"/w\"}",
      "must be an absolute path without" },
    { "{\"version\": 1, \"mode\": \"read-only\", \"argv\": [\"ls\"], \"cwd\": \"/w\", \"workspace\": \"/w\","
      " \"protected\": [\"../x\"]}", "“protected[0]” = “../x” must be a relative path" },
    { "{\"version\": 1, \"mode\": \"read-only\", \"argv\": [\"ls\"], \"cwd\": \"/w\", \"workspace\": \"/w\","
      " \"hidden\": [\"~/.ssh\"]}", "“hidden[0]” = “~/.ssh” must be an absolute path" },
    { "{\"version\": 1, \"mode\": \"read-only\", \"argv\": [\"ls\"], \"cwd\": \"/w\", \"workspace\": \"/w\","
      " \"env\": {\"A-B\": \"x\"}}", "“env.A-B” must be a string" },
    { "{\"version\": 1, \"mode\": \"read-only\", \"argv\": [\"ls\"], \"cwd\": \"/w\", \"workspace\": \"/w\","
      " \"timeout_ms\": -1}", "“timeout_ms” must be a whole number" },
    { "{\"version\": 1, \"mode\": \"read-only\", \"argv\": [\"ls\"], \"cwd\": \"/w\", \"workspace\": \"/w\","
      " \"extra\": 1}", "unknown key “extra”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SandboxSpec) spec = sandbox_spec_new_from_json (cases[i].text, strlen (cases[i].text), &error);

      g_assert_null (spec);
      g_assert_error (error, SANDBOX_ERROR, SANDBOX_ERROR_SPEC);
      if (strstr (error->message, cases[i].error) == NULL)
        g_error ("%s: “%s” does not say “%s”", cases[i].text, error->message, cases[i].error);
    }
}

/* --- the bwrap command line ----------------------------------------- */

static SandboxSpec *
spec_for (const char *workspace,
          const char *extra_json)
{
  g_autofree char *text = g_strdup_printf ("{\"version\": 1, \"argv\": [\"true\"], \"cwd\": \"%s\","
                                           " \"mode\": \"workspace-write\", \"workspace\": \"%s\","
                                           " \"writable\": [\"%s\"]%s}",
                                           workspace, workspace, workspace, extra_json);
  g_autoptr(GError) error = NULL;
  SandboxSpec *spec = sandbox_spec_new_from_json (text, strlen (text), &error);

  g_assert_no_error (error);
  return spec;
}

static char *base_dir;

static int
remove_entry (const char        *path,
              const struct stat *st,
              int                flag,
              struct FTW        *ftw)
{
  /* A test may have taken the permissions away. */
  if (flag == FTW_DNR)
    chmod (path, 0700);
  remove (path);
  return 0;
}

/* A fresh workspace in the test's own folder, removed at the end. */
static char *
make_workspace (const char *name)
{
  g_autofree char *fresh = g_build_filename (base_dir, "XXXXXX", NULL);
  char *dir;

  g_assert_nonnull (g_mkdtemp (fresh));
  dir = g_build_filename (fresh, name, NULL);
  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  return dir;
}

/* The position of the first "@a @b" pair in the options, or -1. */
static int
find_pair (SandboxBwrap *bwrap,
           const char   *a,
           const char   *b)
{
  for (guint i = 0; i + 1 < bwrap->args->len; i++)
    if (g_str_equal (g_ptr_array_index (bwrap->args, i), a) &&
        (b == NULL || g_str_equal (g_ptr_array_index (bwrap->args, i + 1), b)))
      return i;
  return -1;
}

/* "--bind-fd N DEST": the position of the option whose DEST is @dest. */
static int
find_fd_mount (SandboxBwrap *bwrap,
               const char   *option,
               const char   *dest)
{
  for (guint i = 0; i + 2 < bwrap->args->len; i++)
    if (g_str_equal (g_ptr_array_index (bwrap->args, i), option) &&
        g_str_equal (g_ptr_array_index (bwrap->args, i + 2), dest))
      return i;
  return -1;
}

static void
test_bwrap_profile (void)
{
  g_autofree char *ws = make_workspace ("profile");
  g_autofree char *git = g_build_filename (ws, ".git", NULL);
  g_autofree char *envrc = g_build_filename (ws, ".envrc", NULL);
  g_autofree char *hidden = g_build_filename (ws, "secrets", NULL);
  g_autofree char *extra = g_strdup_printf (", \"protected\": [\".git\", \".envrc\"], \"hidden\": [\"%s\"],"
                                            " \"env\": {\"PATH\": \"/usr/bin\", \"GITHUB_TOKEN\": \"x\","
                                            " \"LD_PRELOAD\": \"y\", \"SSH_AUTH_SOCK\": \"/s\"}", hidden);
  g_autoptr(SandboxSpec) spec = NULL;
  g_autoptr(SandboxBwrap) bwrap = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *empty_file = NULL;
  g_autofree char *hidden_dir = NULL;
  g_autofree char *empties = NULL;
  int pos_bind, pos_git, pos_envrc, pos_hidden;
  struct stat st;

  g_assert_cmpint (g_mkdir (git, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (hidden, 0700), ==, 0);
  spec = spec_for (ws, extra);
  bwrap = sandbox_bwrap_new (spec, -1, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bwrap->empties);
  empties = g_strdup (bwrap->empties);
  empty_file = g_build_filename (empties, "file", NULL);
  hidden_dir = g_build_filename (empties, "hidden-dir", NULL);

  /* Namespaces, privileges, session. */
  g_assert_cmpint (find_pair (bwrap, "--unshare-all", NULL), >=, 0);
  g_assert_cmpint (find_pair (bwrap, "--disable-userns", NULL), >=, 0);
  g_assert_cmpint (find_pair (bwrap, "--die-with-parent", NULL), >=, 0);
  g_assert_cmpint (find_pair (bwrap, "--new-session", NULL), >=, 0);
  g_assert_cmpint (find_pair (bwrap, "--cap-drop", "ALL"), >=, 0);
  g_assert_cmpint (find_pair (bwrap, "--share-net", NULL), ==, -1);
  /* Read-only root, private /dev, /proc, /tmp, empty /run. */
  g_assert_cmpint (find_pair (bwrap, "--ro-bind", "/"), >=, 0);
  g_assert_cmpint (find_pair (bwrap, "--dev", "/dev"), >=, 0);
  g_assert_cmpint (find_pair (bwrap, "--proc", "/proc"), >=, 0);
  g_assert_cmpint (find_pair (bwrap, "--tmpfs", "/tmp"), >=, 0);
  g_assert_cmpint (find_pair (bwrap, "--tmpfs", "/run"), >=, 0);
  /* The workspace read-write by descriptor; .git read-only after it. */
  pos_bind = find_fd_mount (bwrap, "--bind-fd", ws);
  pos_git = find_fd_mount (bwrap, "--ro-bind-fd", git);
  g_assert_cmpint (pos_bind, >=, 0);
  g_assert_cmpint (pos_git, >, pos_bind);
  /* .envrc does not exist: an empty read-only file is mounted there. */
  pos_envrc = find_fd_mount (bwrap, "--ro-bind", envrc);
  g_assert_cmpint (pos_envrc, >, pos_bind);
  g_assert_cmpstr (g_ptr_array_index (bwrap->args, pos_envrc + 1), ==, empty_file);
  g_assert_true (g_file_test (envrc, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (bwrap->placeholders->len, ==, 1);
  /* The hidden folder: an empty one with no permissions over it. */
  pos_hidden = find_fd_mount (bwrap, "--ro-bind", hidden);
  g_assert_cmpint (pos_hidden, >=, 0);
  g_assert_cmpstr (g_ptr_array_index (bwrap->args, pos_hidden + 1), ==, hidden_dir);
  g_assert_cmpint (stat (hidden_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0);
  /* The environment: cleared, then only what is safe. */
  g_assert_cmpint (find_pair (bwrap, "--clearenv", NULL), >=, 0);
  g_assert_cmpint (find_pair (bwrap, "--setenv", "PATH"), >=, 0);
  g_assert_cmpint (find_pair (bwrap, "--setenv", "GITHUB_TOKEN"), ==, -1);
  g_assert_cmpint (find_pair (bwrap, "--setenv", "LD_PRELOAD"), ==, -1);
  g_assert_cmpint (find_pair (bwrap, "--setenv", "SSH_AUTH_SOCK"), ==, -1);
  g_assert_cmpint (find_pair (bwrap, "--chdir", ws), >=, 0);
  /* bwrap's own "--" is added by the runner, never here. */
  g_assert_cmpint (find_pair (bwrap, "--", NULL), ==, -1);

  /* After the run the placeholder goes, as nothing was put in it, and
   * so do the empty things. */
  sandbox_bwrap_cleanup (bwrap);
  g_assert_false (g_file_test (envrc, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (git, G_FILE_TEST_IS_DIR));
  g_assert_false (g_file_test (empties, G_FILE_TEST_EXISTS));
}

static void
test_bwrap_missing_git_placeholder (void)
{
  g_autofree char *ws = make_workspace ("missing");
  g_autofree char *git = g_build_filename (ws, ".git", NULL);
  g_autofree char *workflows = g_build_filename (ws, ".github", NULL);
  g_autoptr(SandboxSpec) spec = spec_for (ws, ", \"protected\": [\".git\", \".github/workflows\"]");
  g_autoptr(SandboxBwrap) bwrap = NULL;
  g_autoptr(GError) error = NULL;

  bwrap = sandbox_bwrap_new (spec, -1, -1, &error);
  g_assert_no_error (error);
  /* Missing folders: an empty read-only folder over each placeholder;
   * for a missing parent the placeholder sits on the parent. */
  g_assert_cmpint (find_fd_mount (bwrap, "--ro-bind", git), >=, 0);
  g_assert_cmpint (find_fd_mount (bwrap, "--ro-bind", workflows), >=, 0);
  g_assert_true (g_file_test (git, G_FILE_TEST_IS_DIR));
  sandbox_bwrap_cleanup (bwrap);
  g_assert_false (g_file_test (git, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (workflows, G_FILE_TEST_EXISTS));
}

static void
test_bwrap_refuses_links (void)
{
  g_autofree char *ws = make_workspace ("links");
  g_autofree char *git = g_build_filename (ws, ".git", NULL);
  g_autoptr(SandboxSpec) spec = spec_for (ws, ", \"protected\": [\".git\"]");
  g_autoptr(SandboxBwrap) bwrap = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (symlink ("/etc", git), ==, 0);
  bwrap = sandbox_bwrap_new (spec, -1, -1, &error);
  g_assert_null (bwrap);
  g_assert_error (error, SANDBOX_ERROR, SANDBOX_ERROR_UNSAFE);
  g_assert_nonnull (strstr (error->message, "is a symbolic link (to “/etc”)"));
}

static void
test_bwrap_writable_through_link (void)
{
  g_autofree char *ws = make_workspace ("real");
  g_autofree char *parent = g_path_get_dirname (ws);
  g_autofree char *link = g_build_filename (parent, "link", NULL);
  g_autofree char *through = g_build_filename (link, "inner", NULL);
  g_autofree char *inner = g_build_filename (ws, "inner", NULL);
  g_autofree char *text = NULL;
  g_autoptr(SandboxSpec) spec = NULL;
  g_autoptr(SandboxBwrap) bwrap = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (inner, 0755), ==, 0);
  g_assert_cmpint (symlink (ws, link), ==, 0);
  text = g_strdup_printf ("{\"version\": 1, \"argv\": [\"true\"], \"cwd\": \"%s\", \"mode\": \"workspace-write\","
                          " \"workspace\": \"%s\", \"writable\": [\"%s\"]}", ws, ws, through);
  spec = sandbox_spec_new_from_json (text, strlen (text), &error);
  g_assert_no_error (error);

  /* A writable root whose path goes through a link is refused. */
  bwrap = sandbox_bwrap_new (spec, -1, -1, &error);
  g_assert_null (bwrap);
  g_assert_error (error, SANDBOX_ERROR, SANDBOX_ERROR_UNSAFE);
  g_assert_nonnull (strstr (error->message, "goes through a symbolic link"));
}

static void
test_bwrap_nested_protected (void)
{
  g_autofree char *ws = make_workspace ("nested");
  g_autofree char *vendored = g_build_filename (ws, "vendor", "lib", ".git", NULL);
  g_autofree char *deps = g_build_filename (ws, "node_modules", "x", ".git", NULL);
  g_autoptr(SandboxSpec) spec = spec_for (ws, ", \"protected\": [\".git\"]");
  g_autoptr(SandboxBwrap) bwrap = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (vendored, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (deps, 0755), ==, 0);
  bwrap = sandbox_bwrap_new (spec, -1, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (find_fd_mount (bwrap, "--ro-bind-fd", vendored), >=, 0);
  g_assert_cmpint (find_fd_mount (bwrap, "--ro-bind-fd", deps), >=, 0);

  /* The folders above each are pinned, parents first and before the
   * read-only mounts, so that none can be renamed away. */
  {
    g_autofree char *vendor = g_build_filename (ws, "vendor", NULL);
    g_autofree char *lib = g_build_filename (ws, "vendor", "lib", NULL);
    int pin_vendor = find_fd_mount (bwrap, "--bind-fd", vendor);
    int pin_lib = find_fd_mount (bwrap, "--bind-fd", lib);

    g_assert_cmpint (pin_vendor, >, find_fd_mount (bwrap, "--bind-fd", ws));
    g_assert_cmpint (pin_lib, >, pin_vendor);
    g_assert_cmpint (find_fd_mount (bwrap, "--ro-bind-fd", vendored), >, pin_lib);
  }
  sandbox_bwrap_cleanup (bwrap);
}

static void
test_bwrap_scan_limit (void)
{
  g_autofree char *ws = make_workspace ("many");
  g_autoptr(SandboxSpec) small = spec_for (ws, ", \"scan_limit\": 10");
  g_autoptr(SandboxSpec) large = spec_for (ws, ", \"scan_limit\": 100");
  g_autoptr(SandboxBwrap) bwrap = NULL;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("file%d", i);
      g_autofree char *path = g_build_filename (ws, name, NULL);

      g_assert_true (g_file_set_contents (path, "", 0, NULL));
    }

  /* Past the limit the run is refused, never left unchecked. */
  bwrap = sandbox_bwrap_new (small, -1, -1, &error);
  g_assert_null (bwrap);
  g_assert_error (error, SANDBOX_ERROR, SANDBOX_ERROR_UNSAFE);
  g_assert_nonnull (strstr (error->message, "more than 10 files and folders"));
  g_clear_error (&error);

  /* The control: the same workspace under a limit it fits. */
  bwrap = sandbox_bwrap_new (large, -1, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bwrap);
}

/* A ".git" file that names a git folder inside the workspace under
 * another name: git on the host runs that folder's hooks, so it is kept
 * read-only like .git, and so is the folder its commondir names. */
static void
test_bwrap_gitdir_pointer (void)
{
  g_autofree char *ws = make_workspace ("pointer");
  g_autofree char *gitfile = g_build_filename (ws, ".git", NULL);
  g_autofree char *real = g_build_filename (ws, "store", "repo-git", NULL);
  g_autofree char *common = g_build_filename (ws, "common-git", NULL);
  g_autofree char *commondir = g_build_filename (real, "commondir", NULL);
  g_autofree char *store = g_build_filename (ws, "store", NULL);
  g_autoptr(SandboxSpec) spec = spec_for (ws, ", \"protected\": [\".git\"]");
  g_autoptr(SandboxBwrap) bwrap = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (real, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (common, 0755), ==, 0);
  g_assert_true (g_file_set_contents (gitfile, "gitdir: store/repo-git\n", -1, NULL));
  g_assert_true (g_file_set_contents (commondir, "../../common-git\n", -1, NULL));

  bwrap = sandbox_bwrap_new (spec, -1, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (find_fd_mount (bwrap, "--ro-bind-fd", gitfile), >=, 0);
  g_assert_cmpint (find_fd_mount (bwrap, "--ro-bind-fd", real), >=, 0);
  g_assert_cmpint (find_fd_mount (bwrap, "--ro-bind-fd", common), >=, 0);
  g_assert_cmpint (find_fd_mount (bwrap, "--bind-fd", store), >=, 0);
  /* The control: an ordinary folder stays writable. */
  g_assert_cmpint (find_fd_mount (bwrap, "--ro-bind-fd", store), ==, -1);
}

/* A folder this process cannot list may hide a nested repository or a
 * hard link: it is made read-only whole. Root can list anything, so
 * there is nothing to see as root. */
static void
test_bwrap_unreadable_folder (void)
{
  g_autofree char *ws = make_workspace ("unreadable");
  g_autofree char *closed = g_build_filename (ws, "closed", NULL);
  g_autofree char *open_dir = g_build_filename (ws, "open", NULL);
  g_autoptr(SandboxSpec) spec = spec_for (ws, "");
  g_autoptr(SandboxBwrap) bwrap = NULL;
  g_autoptr(GError) error = NULL;

  if (getuid () == 0)
    {
      g_test_skip ("root can list every folder");
      return;
    }

  g_assert_cmpint (g_mkdir (closed, 0300), ==, 0);
  g_assert_cmpint (g_mkdir (open_dir, 0755), ==, 0);
  bwrap = sandbox_bwrap_new (spec, -1, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (find_fd_mount (bwrap, "--ro-bind-fd", closed), >=, 0);
  g_assert_cmpint (find_fd_mount (bwrap, "--ro-bind-fd", open_dir), ==, -1);
  g_chmod (closed, 0755);
}

/* A hidden path inside the workspace: one that exists is covered after
 * the workspace is mounted; one that does not gets a placeholder, so it
 * cannot be made for the host to read later. */
static void
test_bwrap_hidden_in_workspace (void)
{
  g_autofree char *ws = make_workspace ("home");
  g_autofree char *ssh = g_build_filename (ws, ".ssh", NULL);
  g_autofree char *netrc = g_build_filename (ws, ".netrc", NULL);
  g_autofree char *extra = g_strdup_printf (", \"hidden\": [\"%s\", \"%s\"]", ssh, netrc);
  g_autoptr(SandboxSpec) spec = NULL;
  g_autoptr(SandboxBwrap) bwrap = NULL;
  g_autoptr(GError) error = NULL;
  int pos_ws, pos_ssh, pos_netrc;

  g_assert_cmpint (g_mkdir (ssh, 0700), ==, 0);
  spec = spec_for (ws, extra);
  bwrap = sandbox_bwrap_new (spec, -1, -1, &error);
  g_assert_no_error (error);

  pos_ws = find_fd_mount (bwrap, "--bind-fd", ws);
  pos_ssh = find_fd_mount (bwrap, "--ro-bind", ssh);
  pos_netrc = find_fd_mount (bwrap, "--ro-bind", netrc);
  g_assert_cmpint (pos_ssh, >, pos_ws);
  g_assert_cmpint (pos_netrc, >, pos_ws);
  g_assert_true (g_file_test (netrc, G_FILE_TEST_IS_REGULAR));
  sandbox_bwrap_cleanup (bwrap);
  g_assert_false (g_file_test (netrc, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (ssh, G_FILE_TEST_IS_DIR));
}

/* A file with another hard link is kept read-only: the other name may be
 * outside the workspace. */
static void
test_bwrap_hard_links (void)
{
  g_autofree char *ws = make_workspace ("links");
  g_autofree char *parent = g_path_get_dirname (ws);
  g_autofree char *outside = g_build_filename (parent, "bashrc", NULL);
  g_autofree char *linked = g_build_filename (ws, "sub", "innocent", NULL);
  g_autofree char *plain = g_build_filename (ws, "sub", "plain", NULL);
  g_autofree char *sub = g_build_filename (ws, "sub", NULL);
  g_autoptr(SandboxSpec) spec = spec_for (ws, "");
  g_autoptr(SandboxBwrap) bwrap = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (outside, "echo hi\n", -1, NULL));
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  g_assert_cmpint (link (outside, linked), ==, 0);
  g_assert_true (g_file_set_contents (plain, "x", -1, NULL));

  bwrap = sandbox_bwrap_new (spec, -1, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (find_fd_mount (bwrap, "--ro-bind-fd", linked), >=, 0);
  g_assert_cmpuint (bwrap->hard_links, ==, 1);
  /* Control: a file with one link stays writable. */
  g_assert_cmpint (find_fd_mount (bwrap, "--ro-bind-fd", plain), ==, -1);
}

static void
test_env_filter (void)
{
  static const char * const refused[] = {
    "GITHUB_TOKEN=x", "OPENAI_API_KEY=x", "AWS_SECRET_ACCESS_KEY=x", "AWS_PROFILE=x", "DB_PASSWORD=x",
    "LD_PRELOAD=x", "LD_LIBRARY_PATH=x", "SSH_AUTH_SOCK=x", "DBUS_SESSION_BUS_ADDRESS=x",
    "DISPLAY=:0", "WAYLAND_DISPLAY=w", "XDG_RUNTIME_DIR=/run/user/1", "my_secret=x", "npm_token=x",
  };
  static const char * const allowed[] = { "PATH=/usr/bin", "HOME=/h", "LANG=C", "TERM=xterm", "KEYBOARD=x" };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    g_assert_false (sandbox_env_is_allowed (refused[i]));
  for (guint i = 0; i < G_N_ELEMENTS (allowed); i++)
    g_assert_true (sandbox_env_is_allowed (allowed[i]));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *tmp = g_dir_make_tmp ("paddock-bwrap-XXXXXX", NULL);
  int status;

  g_test_init (&argc, &argv, NULL);
  /* Resolved: the sandbox's options name real paths. */
  base_dir = realpath (tmp, NULL);

  g_test_add_func ("/sandbox/json", test_json);
  g_test_add_func ("/sandbox/spec/good", test_spec_good);
  g_test_add_func ("/sandbox/spec/bad", test_spec_bad);
  g_test_add_func ("/sandbox/bwrap/profile", test_bwrap_profile);
  g_test_add_func ("/sandbox/bwrap/missing-placeholders", test_bwrap_missing_git_placeholder);
  g_test_add_func ("/sandbox/bwrap/protected-link", test_bwrap_refuses_links);
  g_test_add_func ("/sandbox/bwrap/writable-through-link", test_bwrap_writable_through_link);
  g_test_add_func ("/sandbox/bwrap/nested-protected", test_bwrap_nested_protected);
  g_test_add_func ("/sandbox/bwrap/hard-links", test_bwrap_hard_links);
  g_test_add_func ("/sandbox/bwrap/scan-limit", test_bwrap_scan_limit);
  g_test_add_func ("/sandbox/bwrap/gitdir-pointer", test_bwrap_gitdir_pointer);
  g_test_add_func ("/sandbox/bwrap/unreadable-folder", test_bwrap_unreadable_folder);
  g_test_add_func ("/sandbox/bwrap/hidden-in-workspace", test_bwrap_hidden_in_workspace);
  g_test_add_func ("/sandbox/env-filter", test_env_filter);

  status = g_test_run ();
  nftw (base_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  free (base_dir);
  return status;
}
