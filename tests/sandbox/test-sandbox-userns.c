/* test-sandbox-userns.c: why user namespaces are refused, and the fix
 *
 * Each cause is laid out in a folder shaped like / and read from there;
 * the real machine is probed for real.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "sandbox-userns.h"

typedef struct
{
  char *root;
} Fixture;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      remove_tree (child);
    }
  g_rmdir (path);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->root = g_dir_make_tmp ("paddock-userns-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  remove_tree (fixture->root);
  g_free (fixture->root);
}

static void
put (Fixture    *fixture,
     const char *relative,
     const char *contents)
{
  g_autofree char *path = g_build_filename (fixture->root, relative, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* What a plain host with user namespaces allowed looks like. */
static void
put_clean_host (Fixture *fixture)
{
  put (fixture, "proc/sys/kernel/unprivileged_userns_clone", "1\n");
  put (fixture, "proc/sys/user/max_user_namespaces", "63356\n");
  put (fixture, "proc/sys/kernel/apparmor_restrict_unprivileged_userns", "0\n");
  put (fixture, "proc/1/cgroup", "0::/init.scope\n");
  put (fixture, "proc/self/mountinfo",
       "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/sda2 rw\n"
       "23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
       /* A host that runs containers has their overlays in its own table. */
       "310 22 0:55 / /var/lib/docker/overlay2/0f3a/merged rw,relatime - overlay overlay "
       "rw,lowerdir=/var/lib/docker/overlay2/l/ABC,upperdir=/var/lib/docker/overlay2/0f3a/diff\n");
  put (fixture, "proc/self/attr/current", "unconfined\n");
}

static void
assert_one_line (const char *text)
{
  g_assert_nonnull (text);
  g_assert_null (strchr (text, '\n'));
}

static SandboxUsernsStatus *
check_refused (Fixture *fixture)
{
  SandboxUsernsStatus *status = sandbox_userns_check (fixture->root, FALSE);

  g_assert_false (status->available);
  assert_one_line (status->cause);
  assert_one_line (status->fix);
  return status;
}

static void
test_clean (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(SandboxUsernsStatus) status = NULL;

  put_clean_host (fixture);
  status = sandbox_userns_check (fixture->root, FALSE);
  g_assert_true (status->available);
  g_assert_null (status->cause);
  g_assert_null (status->fix);
}

static void
test_empty_root (Fixture       *fixture,
                 gconstpointer  data)
{
  /* A kernel without any of the switches. */
  g_autoptr(SandboxUsernsStatus) status = sandbox_userns_check (fixture->root, FALSE);

  g_assert_true (status->available);
}

static void
test_debian_sysctl (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SandboxUsernsStatus) status = NULL;

  put_clean_host (fixture);
  put (fixture, "proc/sys/kernel/unprivileged_userns_clone", "0\n");
  status = check_refused (fixture);

  g_assert_cmpstr (status->cause, ==,
                   "kernel.unprivileged_userns_clone = 0 (/proc/sys/kernel/unprivileged_userns_clone)");
  g_assert_true (strstr (status->fix, "sudo sysctl -w kernel.unprivileged_userns_clone=1") != NULL);
  g_assert_true (strstr (status->fix, "echo kernel.unprivileged_userns_clone=1 | "
                                      "sudo tee -a /etc/sysctl.d/50-paddock-userns.conf") != NULL);
}

static void
test_max_user_namespaces (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(SandboxUsernsStatus) status = NULL;

  put_clean_host (fixture);
  put (fixture, "proc/sys/user/max_user_namespaces", "0\n");
  status = check_refused (fixture);

  g_assert_cmpstr (status->cause, ==, "user.max_user_namespaces = 0 (/proc/sys/user/max_user_namespaces)");
  g_assert_true (strstr (status->fix, "sudo sysctl -w user.max_user_namespaces=15000") != NULL);
  g_assert_true (strstr (status->fix, "/etc/sysctl.d/") != NULL);
}

static void
test_apparmor (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(SandboxUsernsStatus) status = NULL;

  put_clean_host (fixture);
  put (fixture, "proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1\n");
  status = check_refused (fixture);

  g_assert_true (g_str_has_prefix (status->cause,
                                   "kernel.apparmor_restrict_unprivileged_userns = 1 "
                                   "(/proc/sys/kernel/apparmor_restrict_unprivileged_userns)"));
  g_assert_true (strstr (status->fix, "sudo install -m 644 " PADDOCK_PKGDATADIR "/apparmor/paddock-sandbox "
                                      "/etc/apparmor.d/paddock-sandbox") != NULL);
  g_assert_true (strstr (status->fix, "sudo apparmor_parser -r /etc/apparmor.d/paddock-sandbox") != NULL);
  g_assert_true (strstr (status->fix, "last resort") != NULL);
  g_assert_true (strstr (status->fix, "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0") != NULL);
}

static void
test_apparmor_own_profile (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(SandboxUsernsStatus) status = NULL;

  /* The restriction is on, but this process already runs under the
   * profile that allows user namespaces. */
  put_clean_host (fixture);
  put (fixture, "proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1\n");
  put (fixture, "proc/self/attr/apparmor/current", "paddock-sandbox (unconfined)\n");
  status = sandbox_userns_check (fixture->root, FALSE);
  g_assert_true (status->available);
}

static void
test_apparmor_other_profile (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(SandboxUsernsStatus) status = NULL;

  /* A profile whose name only starts like ours does not count. */
  put_clean_host (fixture);
  put (fixture, "proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1\n");
  put (fixture, "proc/self/attr/current", "paddock-sandbox-evil (enforce)\n");
  status = check_refused (fixture);
  g_assert_true (g_str_has_prefix (status->cause, "kernel.apparmor_restrict_unprivileged_userns = 1"));
}

static void
test_container_dockerenv (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(SandboxUsernsStatus) status = NULL;

  put_clean_host (fixture);
  put (fixture, ".dockerenv", "");
  status = check_refused (fixture);

  g_assert_cmpstr (status->cause, ==, "a container (/.dockerenv)");
  g_assert_true (strstr (status->fix, "--security-opt seccomp=unconfined") != NULL);
  g_assert_true (strstr (status->fix, "--security-opt apparmor=unconfined") != NULL);
  g_assert_true (strstr (status->fix, "or run Paddock on the host") != NULL);
}

static void
test_container_podman (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(SandboxUsernsStatus) status = NULL;

  put_clean_host (fixture);
  put (fixture, "run/.containerenv", "engine=\"podman-4.3.1\"\n");
  status = check_refused (fixture);

  g_assert_cmpstr (status->cause, ==, "a container (/run/.containerenv)");
  g_assert_true (strstr (status->fix, "podman run --security-opt seccomp=unconfined") != NULL);
}

static void
test_container_cgroup (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(SandboxUsernsStatus) status = NULL;

  put_clean_host (fixture);
  put (fixture, "proc/1/cgroup",
       "12:pids:/kubepods/besteffort/pod1f2e/4c5d\n"
       "0::/kubepods/besteffort/pod1f2e/4c5d\n");
  status = check_refused (fixture);
  g_assert_cmpstr (status->cause, ==, "a container (kubepods in /proc/1/cgroup)");
}

static void
test_container_mountinfo (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(SandboxUsernsStatus) status = NULL;

  put_clean_host (fixture);
  put (fixture, "proc/self/mountinfo",
       "612 480 0:57 / / rw,relatime master:9 - overlay overlay "
       "rw,lowerdir=/var/lib/docker/overlay2/l/XYZ,upperdir=/var/lib/docker/overlay2/9a/diff\n"
       "613 612 0:60 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n");
  status = check_refused (fixture);
  g_assert_cmpstr (status->cause, ==, "a container (docker in the root mount of /proc/self/mountinfo)");
}

static void
test_container_all_hints (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(SandboxUsernsStatus) status = NULL;

  put_clean_host (fixture);
  put (fixture, ".dockerenv", "");
  put (fixture, "proc/1/cgroup", "12:devices:/docker/4c5d\n");
  status = check_refused (fixture);
  g_assert_cmpstr (status->cause, ==, "a container (/.dockerenv, docker in /proc/1/cgroup)");
}

static void
test_combined (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(SandboxUsernsStatus) status = NULL;
  g_auto(GStrv) causes = NULL;

  put_clean_host (fixture);
  put (fixture, "proc/sys/kernel/unprivileged_userns_clone", "0\n");
  put (fixture, "proc/sys/user/max_user_namespaces", "0\n");
  put (fixture, "proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1\n");
  put (fixture, "run/.containerenv", "");
  status = check_refused (fixture);

  causes = g_strsplit (status->cause, "; ", -1);
  g_assert_cmpuint (g_strv_length (causes), ==, 4);
  g_assert_true (g_str_has_prefix (causes[0], "kernel.unprivileged_userns_clone = 0"));
  g_assert_true (g_str_has_prefix (causes[1], "user.max_user_namespaces = 0"));
  g_assert_true (g_str_has_prefix (causes[2], "kernel.apparmor_restrict_unprivileged_userns = 1"));
  g_assert_cmpstr (causes[3], ==, "a container (/run/.containerenv)");

  g_assert_true (strstr (status->fix, "kernel.unprivileged_userns_clone=1") != NULL);
  g_assert_true (strstr (status->fix, "user.max_user_namespaces=15000") != NULL);
  g_assert_true (strstr (status->fix, "apparmor_parser -r /etc/apparmor.d/paddock-sandbox") != NULL);
  g_assert_true (strstr (status->fix, "run Paddock on the host") != NULL);
}

static void
test_selinux (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(SandboxUsernsStatus) status = NULL;

  put_clean_host (fixture);
  put (fixture, "sys/fs/selinux/enforce", "1");
  put (fixture, "proc/sys/kernel/unprivileged_userns_clone", "0\n");
  status = check_refused (fixture);

  g_assert_true (strstr (status->fix, "SELinux is enforcing (/sys/fs/selinux/enforce = 1)") != NULL);
  g_assert_true (strstr (status->fix, "user_namespace") != NULL);
}

static void
test_selinux_alone (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SandboxUsernsStatus) status = NULL;

  /* Enforcing SELinux allows user namespaces unless its policy says
   * otherwise, which no file tells: not a cause by itself. */
  put_clean_host (fixture);
  put (fixture, "sys/fs/selinux/enforce", "1");
  status = sandbox_userns_check (fixture->root, FALSE);
  g_assert_true (status->available);
}

static void
test_fake_root_not_probed (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(SandboxUsernsStatus) status = NULL;

  /* Probing runs on this machine, so it must not override what a fake
   * root says. */
  put_clean_host (fixture);
  put (fixture, "proc/sys/user/max_user_namespaces", "0\n");
  status = sandbox_userns_check (fixture->root, TRUE);
  g_assert_false (status->available);
  g_assert_cmpstr (status->cause, ==, "user.max_user_namespaces = 0 (/proc/sys/user/max_user_namespaces)");
}

static void
test_real_machine (void)
{
  g_autoptr(SandboxUsernsStatus) status = sandbox_userns_check ("/", TRUE);

  /* This machine allows user namespaces (bwrap works as root and as a
   * normal user): a refusal here is a bug in the check, not a reason to
   * skip. */
  if (!status->available)
    g_test_message ("refused: %s; fix: %s", status->cause, status->fix);
  g_assert_true (status->available);
  g_assert_null (status->cause);
}

/* Run inside bwrap --disable-userns by test_probe_refused. */
static int
print_status (void)
{
  g_autoptr(SandboxUsernsStatus) status = sandbox_userns_check ("/", TRUE);

  if (status->available)
    g_print ("available\n");
  else
    g_print ("refused\n%s\n%s\n", status->cause, status->fix);
  return 0;
}

static void
test_probe_refused (void)
{
  g_autofree char *bwrap = g_find_program_in_path ("bwrap");
  g_autofree char *self = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  int wait_status;

  if (bwrap == NULL)
    {
      g_test_skip ("bwrap is not installed");
      return;
    }

  self = g_file_read_link ("/proc/self/exe", &error);
  g_assert_no_error (error);

  {
    /* Nested user namespaces fail there with ENOSPC, while no file this
     * check reads says why: the probe alone must catch it. */
    const char *argv[] = {
      bwrap, "--dev-bind", "/", "/", "--unshare-user", "--disable-userns", "--",
      self, "--print-status", NULL,
    };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &wait_status, &error);
  }
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (wait_status, NULL))
    g_error ("bwrap --disable-userns failed: %s", err);

  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "refused");
  g_assert_nonnull (lines[1]);
  g_assert_true (strstr (lines[1], "unshare(CLONE_NEWUSER) failed: ") != NULL);
  g_assert_true (strstr (lines[1], g_strerror (ENOSPC)) != NULL);
  g_assert_nonnull (lines[2]);
  g_assert_true (strstr (lines[2], "no container was recognised") != NULL ||
                 strstr (lines[2], "run Paddock on the host") != NULL);
}

static void
test_apparmor_profile_file (void)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  int depth = 0;
  guint profiles = 0;

  /* meson test sets G_TEST_SRCDIR; run by hand, use the source tree. */
  if (g_getenv ("G_TEST_SRCDIR") != NULL)
    path = g_test_build_filename (G_TEST_DIST, "..", "..", "data", "apparmor", "paddock-sandbox", NULL);
  else
    path = g_build_filename (PADDOCK_SOURCE_DATADIR, "apparmor", "paddock-sandbox", NULL);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  /* Both install prefixes are named, and the rule that matters. */
  g_assert_true (strstr (contents, "/usr/libexec/paddock-sandbox") != NULL);
  g_assert_true (strstr (contents, "/usr/local/libexec/paddock-sandbox") != NULL);

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = g_strstrip (lines[i]);

      if (line[0] == '#' || line[0] == '\0')
        continue;

      if (g_str_has_prefix (line, "profile "))
        {
          profiles++;
          g_assert_cmpstr (line, ==,
                           "profile paddock-sandbox /usr/{,local/}libexec/paddock-sandbox flags=(unconfined) {");
          g_assert_cmpint (depth, ==, 0);
        }
      else if (depth == 0)
        {
          g_assert_true (g_str_equal (line, "abi <abi/4.0>,") ||
                         g_str_equal (line, "include <tunables/global>") ||
                         g_str_equal (line, "}"));
        }
      else
        {
          g_assert_true (g_str_equal (line, "userns,") ||
                         g_str_equal (line, "include if exists <local/paddock-sandbox>") ||
                         g_str_equal (line, "}"));
        }

      if (g_str_has_suffix (line, "{"))
        depth++;
      if (g_str_equal (line, "}"))
        depth--;
      g_assert_cmpint (depth, >=, 0);
    }
  g_assert_cmpint (depth, ==, 0);
  g_assert_cmpuint (profiles, ==, 1);
  g_assert_true (strstr (contents, "\n  userns,\n") != NULL);
  g_assert_true (strstr (contents, "\nabi <abi/4.0>,\n") != NULL);
  g_assert_true (strstr (contents, "\ninclude <tunables/global>\n") != NULL);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 2 && g_str_equal (argv[1], "--print-status"))
    return print_status ();

  g_test_init (&argc, &argv, NULL);

#define ADD_FIXTURE_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD_FIXTURE_TEST ("/sandbox/userns/clean", test_clean);
  ADD_FIXTURE_TEST ("/sandbox/userns/empty-root", test_empty_root);
  ADD_FIXTURE_TEST ("/sandbox/userns/debian-sysctl", test_debian_sysctl);
  ADD_FIXTURE_TEST ("/sandbox/userns/max-user-namespaces", test_max_user_namespaces);
  ADD_FIXTURE_TEST ("/sandbox/userns/apparmor", test_apparmor);
  ADD_FIXTURE_TEST ("/sandbox/userns/apparmor/own-profile", test_apparmor_own_profile);
  ADD_FIXTURE_TEST ("/sandbox/userns/apparmor/other-profile", test_apparmor_other_profile);
  ADD_FIXTURE_TEST ("/sandbox/userns/container/dockerenv", test_container_dockerenv);
  ADD_FIXTURE_TEST ("/sandbox/userns/container/podman", test_container_podman);
  ADD_FIXTURE_TEST ("/sandbox/userns/container/cgroup", test_container_cgroup);
  ADD_FIXTURE_TEST ("/sandbox/userns/container/mountinfo", test_container_mountinfo);
  ADD_FIXTURE_TEST ("/sandbox/userns/container/all-hints", test_container_all_hints);
  ADD_FIXTURE_TEST ("/sandbox/userns/combined", test_combined);
  ADD_FIXTURE_TEST ("/sandbox/userns/selinux", test_selinux);
  ADD_FIXTURE_TEST ("/sandbox/userns/selinux/alone", test_selinux_alone);
  ADD_FIXTURE_TEST ("/sandbox/userns/fake-root-not-probed", test_fake_root_not_probed);
  g_test_add_func ("/sandbox/userns/real-machine", test_real_machine);
  g_test_add_func ("/sandbox/userns/probe/refused", test_probe_refused);
  g_test_add_func ("/sandbox/userns/apparmor-profile", test_apparmor_profile_file);

  return g_test_run ();
}
