/* sandbox-userns.c
 *
 * bwrap runs unprivileged, so every sandbox needs the kernel to let an
 * ordinary user create a user namespace. Distributions and container
 * runtimes switch that off in different places; this file reads the
 * files that expose those switches, so the person learns which one is
 * off and how to turn it on, and confirms with a real attempt in a
 * short-lived child, which is the only authority: a switch we do not
 * know about (a seccomp filter, an LSM policy) shows only there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox-userns.h"

#define APPARMOR_PROFILE_SOURCE PADDOCK_PKGDATADIR "/apparmor/paddock-sandbox"
#define APPARMOR_PROFILE_INSTALLED "/etc/apparmor.d/paddock-sandbox"
#define APPARMOR_PROFILE_NAME "paddock-sandbox"
#define SYSCTL_D_FILE "/etc/sysctl.d/50-paddock-userns.conf"

/* Words that container runtimes leave in cgroup paths and in the source
 * of the root mount. */
static const char * const container_hints[] = {
  "docker", "containerd", "kubepods", "libpod", "podman", "containers/storage", "lxc", NULL,
};

typedef enum
{
  PROBE_OK,
  PROBE_UNSHARE_USER,
  PROBE_UID_MAP,
  PROBE_UNSHARE_MOUNT,
  PROBE_MOUNT,
} ProbeStep;

typedef struct
{
  int step;
  int error;
} ProbeReport;

void
sandbox_userns_status_free (SandboxUsernsStatus *status)
{
  if (status == NULL)
    return;

  g_free (status->cause);
  g_free (status->fix);
  g_free (status);
}

static char *
read_root_file (const char *root,
                const char *relative)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static gboolean
root_file_exists (const char *root,
                  const char *relative)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* A sysctl that is missing or unreadable counts as not set: the kernel
 * does not have that switch. */
static gboolean
read_sysctl (const char *root,
             const char *relative,
             gint64     *value)
{
  g_autofree char *contents = read_root_file (root, relative);

  if (contents == NULL)
    return FALSE;
  return g_ascii_string_to_signed (g_strstrip (contents), 10, G_MININT64, G_MAXINT64, value, NULL);
}

/* Whether this process already runs under the profile we ship: then the
 * AppArmor restriction does not apply to it. */
static gboolean
under_own_apparmor_profile (const char *root)
{
  g_autofree char *label = read_root_file (root, "proc/self/attr/apparmor/current");

  if (label == NULL)
    label = read_root_file (root, "proc/self/attr/current");
  if (label == NULL)
    return FALSE;

  /* "paddock-sandbox (unconfined)": the profile name ends at the mode. */
  label[strcspn (label, " \n")] = '\0';
  return g_str_equal (label, APPARMOR_PROFILE_NAME);
}

static const char *
find_hint (const char *text)
{
  for (guint i = 0; container_hints[i] != NULL; i++)
    {
      if (strstr (text, container_hints[i]) != NULL)
        return container_hints[i];
    }
  return NULL;
}

/* Only the mounts on "/" count: a host that runs containers has their
 * overlays elsewhere in its own mount table. */
static const char *
find_root_mount_hint (const char *mountinfo)
{
  g_auto(GStrv) lines = g_strsplit (mountinfo, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", 6);
      const char *hint;

      if (g_strv_length (fields) < 6 || !g_str_equal (fields[4], "/"))
        continue;
      hint = find_hint (lines[i]);
      if (hint != NULL)
        return hint;
    }
  return NULL;
}

/* "a container (/.dockerenv, docker in /proc/1/cgroup)" or NULL. */
static char *
find_container (const char *root)
{
  g_autoptr(GPtrArray) hints = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *cgroup = NULL;
  g_autofree char *mountinfo = NULL;
  g_autofree char *joined = NULL;
  const char *hint;

  if (root_file_exists (root, ".dockerenv"))
    g_ptr_array_add (hints, g_strdup ("/.dockerenv"));
  if (root_file_exists (root, "run/.containerenv"))
    g_ptr_array_add (hints, g_strdup ("/run/.containerenv"));

  cgroup = read_root_file (root, "proc/1/cgroup");
  hint = cgroup != NULL ? find_hint (cgroup) : NULL;
  if (hint != NULL)
    g_ptr_array_add (hints, g_strdup_printf ("%s in /proc/1/cgroup", hint));

  mountinfo = read_root_file (root, "proc/self/mountinfo");
  hint = mountinfo != NULL ? find_root_mount_hint (mountinfo) : NULL;
  if (hint != NULL)
    g_ptr_array_add (hints, g_strdup_printf ("%s in the root mount of /proc/self/mountinfo", hint));

  if (hints->len == 0)
    return NULL;

  g_ptr_array_add (hints, NULL);
  joined = g_strjoinv (", ", (char **) hints->pdata);
  return g_strdup_printf ("a container (%s)", joined);
}

static gboolean
write_file (const char *path,
            const char *data,
            size_t      length)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = write (fd, data, length) == (ssize_t) length;
  if (!ok)
    {
      int saved_errno = errno;

      close (fd);
      errno = saved_errno;
      return FALSE;
    }
  return close (fd) == 0;
}

/* The forked child: only async-signal-safe calls from here on. It does
 * what bwrap does first (a user namespace, its uid map, a mount
 * namespace whose propagation it changes), because Ubuntu's AppArmor
 * restriction lets unshare() succeed and only refuses the capabilities
 * the next steps need. */
static G_GNUC_NORETURN void
probe_child (int         report_fd,
             const char *uid_map,
             size_t      uid_map_length)
{
  ProbeReport report = { PROBE_OK, 0 };

  if (unshare (CLONE_NEWUSER) != 0)
    report.step = PROBE_UNSHARE_USER;
  else if (!write_file ("/proc/self/uid_map", uid_map, uid_map_length))
    report.step = PROBE_UID_MAP;
  else if (unshare (CLONE_NEWNS) != 0)
    report.step = PROBE_UNSHARE_MOUNT;
  else if (mount (NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) != 0)
    report.step = PROBE_MOUNT;

  if (report.step != PROBE_OK)
    report.error = errno;

  if (write (report_fd, &report, sizeof report) != sizeof report)
    _exit (1);
  _exit (0);
}

/* NULL when a user namespace could be set up, or what failed. A child
 * does it because unshare (CLONE_NEWUSER) refuses a process with several
 * threads and would change this one for good. */
static char *
probe_userns (void)
{
  char uid_map[64];
  size_t uid_map_length;
  ProbeReport report = { PROBE_OK, 0 };
  int fds[2];
  pid_t pid;
  ssize_t n;
  int wait_status;

  /* Formatted before fork: the child may not allocate. */
  uid_map_length = g_snprintf (uid_map, sizeof uid_map, "%u %u 1\n", (guint) geteuid (), (guint) geteuid ());

  if (pipe2 (fds, O_CLOEXEC) != 0)
    return g_strdup_printf ("the user namespace probe could not start: pipe2: %s", g_strerror (errno));

  pid = fork ();
  if (pid < 0)
    {
      int saved_errno = errno;

      close (fds[0]);
      close (fds[1]);
      return g_strdup_printf ("the user namespace probe could not start: fork: %s", g_strerror (saved_errno));
    }
  if (pid == 0)
    {
      close (fds[0]);
      probe_child (fds[1], uid_map, uid_map_length);
    }

  close (fds[1]);
  do
    n = read (fds[0], &report, sizeof report);
  while (n < 0 && errno == EINTR);
  close (fds[0]);
  while (waitpid (pid, &wait_status, 0) < 0 && errno == EINTR)
    ;

  /* Fail closed: a probe that died cannot vouch for anything. */
  if (n != sizeof report)
    return g_strdup ("the user namespace probe ended without reporting");

  switch ((ProbeStep) report.step)
    {
    case PROBE_OK:
      return NULL;
    case PROBE_UNSHARE_USER:
      return g_strdup_printf ("unshare(CLONE_NEWUSER) failed: %s%s", g_strerror (report.error),
                              report.error == ENOSPC ? " (the user.max_user_namespaces limit of this "
                                                       "or an enclosing user namespace is reached)" : "");
    case PROBE_UID_MAP:
      return g_strdup_printf ("writing /proc/self/uid_map in a new user namespace failed: %s",
                              g_strerror (report.error));
    case PROBE_UNSHARE_MOUNT:
      return g_strdup_printf ("unshare(CLONE_NEWNS) in a new user namespace failed: %s",
                              g_strerror (report.error));
    case PROBE_MOUNT:
      return g_strdup_printf ("changing the mount propagation of / in a new user namespace failed: %s",
                              g_strerror (report.error));
    default:
      return g_strdup_printf ("the user namespace probe reported an unknown step %d", report.step);
    }
}

static char *
join_array (GPtrArray *array)
{
  g_ptr_array_add (array, NULL);
  return g_strjoinv ("; ", (char **) array->pdata);
}

SandboxUsernsStatus *
sandbox_userns_check (const char *root,
                      gboolean    probe)
{
  g_autoptr(GPtrArray) causes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) fixes = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *container = NULL;
  g_autofree char *probe_failure = NULL;
  SandboxUsernsStatus *status;
  gboolean probed;
  gint64 value;

  g_return_val_if_fail (root != NULL, NULL);

  /* Debian's and older Ubuntu kernels' own switch. */
  if (read_sysctl (root, "proc/sys/kernel/unprivileged_userns_clone", &value) && value == 0)
    {
      g_ptr_array_add (causes, g_strdup ("kernel.unprivileged_userns_clone = 0 "
                                         "(/proc/sys/kernel/unprivileged_userns_clone)"));
      g_ptr_array_add (fixes, g_strdup ("sudo sysctl -w kernel.unprivileged_userns_clone=1, and to keep it "
                                        "after a reboot: echo kernel.unprivileged_userns_clone=1 | "
                                        "sudo tee -a " SYSCTL_D_FILE));
    }

  if (read_sysctl (root, "proc/sys/user/max_user_namespaces", &value) && value == 0)
    {
      g_ptr_array_add (causes, g_strdup ("user.max_user_namespaces = 0 (/proc/sys/user/max_user_namespaces)"));
      g_ptr_array_add (fixes, g_strdup ("sudo sysctl -w user.max_user_namespaces=15000, and to keep it "
                                        "after a reboot: echo user.max_user_namespaces=15000 | "
                                        "sudo tee -a " SYSCTL_D_FILE));
    }

  /* Ubuntu 23.10 and later: unprivileged programs still get a user
   * namespace, but without capabilities in it, unless an AppArmor
   * profile allows "userns". Ours names only this helper, which is far
   * narrower than turning the restriction off for every program. */
  if (read_sysctl (root, "proc/sys/kernel/apparmor_restrict_unprivileged_userns", &value) && value != 0 &&
      !under_own_apparmor_profile (root))
    {
      g_ptr_array_add (causes, g_strdup_printf ("kernel.apparmor_restrict_unprivileged_userns = %" G_GINT64_FORMAT " "
                                                "(/proc/sys/kernel/apparmor_restrict_unprivileged_userns): "
                                                "AppArmor lets only programs whose profile allows it "
                                                "use user namespaces", value));
      g_ptr_array_add (fixes, g_strdup ("install the AppArmor profile Paddock ships: sudo install -m 644 "
                                        APPARMOR_PROFILE_SOURCE " " APPARMOR_PROFILE_INSTALLED " && "
                                        "sudo apparmor_parser -r " APPARMOR_PROFILE_INSTALLED
                                        " (it allows user namespaces to paddock-sandbox only); "
                                        "as a last resort, for every program: "
                                        "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"));
    }

  container = find_container (root);
  if (container != NULL)
    {
      g_ptr_array_add (causes, g_steal_pointer (&container));
      g_ptr_array_add (fixes, g_strdup ("run the container with a seccomp and AppArmor profile that allow "
                                        "user namespaces (docker run --security-opt seccomp=unconfined "
                                        "--security-opt apparmor=unconfined --security-opt systempaths=unconfined; "
                                        "podman run --security-opt seccomp=unconfined), or run Paddock on the host"));
    }

  /* Only the real root can be probed; a folder laid out like one is
   * read, not run. */
  probed = probe && g_str_equal (root, "/");
  if (probed)
    probe_failure = probe_userns ();

  status = g_new0 (SandboxUsernsStatus, 1);
  status->available = probed ? probe_failure == NULL : causes->len == 0;
  if (status->available)
    return status;

  if (causes->len == 0)
    g_ptr_array_add (fixes, g_strdup ("kernel.unprivileged_userns_clone, user.max_user_namespaces and "
                                      "kernel.apparmor_restrict_unprivileged_userns allow user namespaces and no "
                                      "container was recognised: look for a seccomp filter or a security "
                                      "module that refuses user namespaces (a container runtime, systemd's "
                                      "RestrictNamespaces=, SELinux), and check that the kernel has "
                                      "CONFIG_USER_NS"));
  if (probe_failure != NULL)
    g_ptr_array_add (causes, g_steal_pointer (&probe_failure));

  /* SELinux denials show only in the audit log, never in a file we can
   * read, so an enforcing SELinux is a lead, not a finding. */
  if (read_sysctl (root, "sys/fs/selinux/enforce", &value) && value == 1)
    g_ptr_array_add (fixes, g_strdup ("SELinux is enforcing (/sys/fs/selinux/enforce = 1): look for "
                                      "user_namespace denials with sudo ausearch -m avc -ts recent"));

  status->cause = join_array (causes);
  status->fix = join_array (fixes);
  return status;
}
