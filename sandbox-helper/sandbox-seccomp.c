/* sandbox-seccomp.c: the seccomp filter every sandboxed command runs under
 *
 * The filter allows by default and refuses what a command in the sandbox
 * never needs and what has often been the way out of a container: new
 * namespaces and mounts, the kernel keyring, tracing other processes,
 * typing into the terminal, loading code into the kernel, and socket
 * families other than the few a build or a test uses. It starts from
 * flatpak's list (common/flatpak-run.c, setup_seccomp) and blocks more.
 *
 * Errno choices: EPERM where a program should take "no" for an answer;
 * ENOSYS where a program should fall back to an older interface, as it
 * does on an older kernel (the new mount API, clone3, io_uring);
 * EAFNOSUPPORT for socket families, as if the kernel had not been built
 * with them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef _GNU_SOURCE
# define _GNU_SOURCE
#endif

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <unistd.h>

#include <seccomp.h>

#include "sandbox-errors.h"
#include "sandbox-seccomp.h"

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (scmp_filter_ctx, seccomp_release, NULL)

#if defined(__s390__) || defined(__s390x__) || defined(__CRIS__)
/* These architectures swap clone's first two arguments. */
# define SCMP_A_CLONE_FLAGS SCMP_A1
#else
# define SCMP_A_CLONE_FLAGS SCMP_A0
#endif

typedef struct
{
  const char *name;
  int         nr;
  int         errnum;
  const char *errname;
} BlockedSyscall;

#define BLOCK(sys, errnum) { #sys, SCMP_SYS (sys), errnum, #errnum }

static const BlockedSyscall blocked_syscalls[] = {
  /* The sandbox's namespaces and mounts are bwrap's to set up; a command
   * that makes its own could undo them. */
  BLOCK (unshare, EPERM),
  BLOCK (setns, EPERM),
  BLOCK (mount, EPERM),
  BLOCK (umount, EPERM),
  BLOCK (umount2, EPERM),
  BLOCK (pivot_root, EPERM),
  BLOCK (chroot, EPERM),
  /* The new mount API: its users (libmount, systemd) take ENOSYS as an
   * older kernel and fall back to mount(2), which says EPERM. */
  BLOCK (open_tree, ENOSYS),
  BLOCK (move_mount, ENOSYS),
  BLOCK (fsopen, ENOSYS),
  BLOCK (fsconfig, ENOSYS),
  BLOCK (fsmount, ENOSYS),
  BLOCK (fspick, ENOSYS),
  BLOCK (mount_setattr, ENOSYS),
  /* clone3 passes its flags in memory, where seccomp cannot look; on
   * ENOSYS glibc falls back to clone, whose flags the rules below check. */
  BLOCK (clone3, ENOSYS),

  /* The keyring is not namespaced: keys from outside would be reachable. */
  BLOCK (add_key, EPERM),
  BLOCK (keyctl, EPERM),
  BLOCK (request_key, EPERM),

  /* Reading or writing other processes' memory, and profiling them. */
  BLOCK (ptrace, EPERM),
  BLOCK (process_vm_readv, EPERM),
  BLOCK (process_vm_writev, EPERM),
  BLOCK (perf_event_open, EPERM),

  /* Interfaces with a long record of kernel exploits that no build or
   * test needs. io_uring says ENOSYS, as a kernel built without it
   * does, so its users (libuv, liburing) go back to the classic calls. */
  BLOCK (bpf, EPERM),
  BLOCK (userfaultfd, EPERM),
  BLOCK (io_uring_setup, ENOSYS),
  BLOCK (io_uring_enter, ENOSYS),
  BLOCK (io_uring_register, ENOSYS),
  /* 16-bit segments are not needed, and modify_ldt is a known source of
   * information leaks. */
  BLOCK (modify_ldt, EPERM),

  /* NUMA placement could move or pin memory of processes outside. */
  BLOCK (move_pages, EPERM),
  BLOCK (mbind, EPERM),
  BLOCK (get_mempolicy, EPERM),
  BLOCK (set_mempolicy, EPERM),
  BLOCK (migrate_pages, EPERM),

  /* Administration of the machine: refused to an unprivileged user
   * already; refused here too in case the sandbox is ever started by
   * root. */
  BLOCK (kexec_load, EPERM),
  BLOCK (kexec_file_load, EPERM),
  BLOCK (init_module, EPERM),
  BLOCK (finit_module, EPERM),
  BLOCK (delete_module, EPERM),
  BLOCK (acct, EPERM),
  BLOCK (quotactl, EPERM),
  BLOCK (swapon, EPERM),
  BLOCK (swapoff, EPERM),
  BLOCK (syslog, EPERM),
  BLOCK (uselib, EPERM),
  BLOCK (vhangup, EPERM),
  BLOCK (lookup_dcookie, EPERM),
  /* File handles open files by inode, around the bind mounts that hide
   * them (the "shocker" container escape). */
  BLOCK (name_to_handle_at, EPERM),
  BLOCK (open_by_handle_at, EPERM),
};

/* Namespace flags clone accepts. CLONE_NEWTIME is not among them: in
 * clone's flags its bit is part of the exit signal, and only unshare and
 * clone3 can ask for it, both blocked. */
static const struct
{
  const char    *name;
  unsigned long  flag;
} clone_namespace_flags[] = {
  { "CLONE_NEWNS", CLONE_NEWNS },
  { "CLONE_NEWCGROUP", CLONE_NEWCGROUP },
  { "CLONE_NEWUTS", CLONE_NEWUTS },
  { "CLONE_NEWIPC", CLONE_NEWIPC },
  { "CLONE_NEWUSER", CLONE_NEWUSER },
  { "CLONE_NEWPID", CLONE_NEWPID },
  { "CLONE_NEWNET", CLONE_NEWNET },
};

/* TIOCSTI pushes characters into the terminal's input queue and TIOCLINUX
 * can paste the console selection: either lets a sandboxed command type
 * a command into the shell that started it (CVE-2017-5226,
 * CVE-2023-28100). */
static const struct
{
  const char    *name;
  unsigned long  request;
} blocked_ioctls[] = {
  { "TIOCSTI", TIOCSTI },
  { "TIOCLINUX", TIOCLINUX },
};

static gboolean
add_rule (scmp_filter_ctx             ctx,
          const char                 *rule,
          int                         nr,
          int                         errnum,
          unsigned int                n_cmps,
          const struct scmp_arg_cmp  *cmps,
          GError                    **error)
{
  int r;

  /* libseccomp names calls this architecture does not have (umount on
   * x86_64) with negative pseudo numbers: nobody can make such a call. */
  if (nr < 0)
    return TRUE;

  /* _exact: libseccomp must not rewrite a rule into something else. */
  r = seccomp_rule_add_exact_array (ctx, SCMP_ACT_ERRNO (errnum), nr, n_cmps, cmps);
  if (r < 0)
    return sandbox_fail (error, SANDBOX_ERROR_SECCOMP,
                         "Cannot add the seccomp rule “%s”: %s",
                         rule, g_strerror (-r));

  return TRUE;
}

static gboolean
add_clone_rules (scmp_filter_ctx   ctx,
                 GError          **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (clone_namespace_flags); i++)
    {
      g_autofree char *rule = g_strdup_printf ("clone with %s: EPERM",
                                               clone_namespace_flags[i].name);
      struct scmp_arg_cmp cmp = SCMP_A_CLONE_FLAGS (SCMP_CMP_MASKED_EQ,
                                                    clone_namespace_flags[i].flag,
                                                    clone_namespace_flags[i].flag);

      if (!add_rule (ctx, rule, SCMP_SYS (clone), EPERM, 1, &cmp, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
add_ioctl_rules (scmp_filter_ctx   ctx,
                 GError          **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (blocked_ioctls); i++)
    {
      g_autofree char *rule = g_strdup_printf ("ioctl %s: EPERM", blocked_ioctls[i].name);
      /* The kernel reads the request as a 32-bit int, so the upper half
       * of the register must not take part in the comparison: with a
       * plain 64-bit compare, TIOCSTI | 1 << 32 would get through
       * (CVE-2019-10063). */
      struct scmp_arg_cmp cmp = SCMP_A1 (SCMP_CMP_MASKED_EQ,
                                         0xFFFFFFFFu,
                                         blocked_ioctls[i].request);

      if (!add_rule (ctx, rule, SCMP_SYS (ioctl), EPERM, 1, &cmp, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
add_personality_rules (scmp_filter_ctx   ctx,
                       GError          **error)
{
  struct scmp_arg_cmp high = SCMP_A0 (SCMP_CMP_GT, 0xFFFFFFFFu);

  /* Other personalities turn off address space randomisation or make
   * readable memory executable. Allowed are PER_LINUX and the query
   * 0xffffffff. libseccomp allows one comparison per argument in a rule,
   * so "neither 0 nor 0xffffffff" is written as: some bit i is set and
   * the next bit (i + 1, wrapping at 32) is clear. That holds for every
   * 32-bit value except all zeros and all ones. */
  for (guint i = 0; i < 32; i++)
    {
      guint64 bit = G_GUINT64_CONSTANT (1) << i;
      guint64 next = G_GUINT64_CONSTANT (1) << ((i + 1) % 32);
      g_autofree char *rule = g_strdup_printf ("personality with bit %u set and bit %u clear: EPERM",
                                               i, (i + 1) % 32);
      struct scmp_arg_cmp cmp = SCMP_A0 (SCMP_CMP_MASKED_EQ, bit | next, bit);

      if (!add_rule (ctx, rule, SCMP_SYS (personality), EPERM, 1, &cmp, error))
        return FALSE;
    }

  /* The kernel drops the upper half; refuse it rather than let
   * 0x100000000 pass as PER_LINUX under a different name. */
  return add_rule (ctx, "personality above 32 bits: EPERM",
                   SCMP_SYS (personality), EPERM, 1, &high, error);
}

static gboolean
add_socket_rules (scmp_filter_ctx   ctx,
                  GError          **error)
{
  const int allowed_families[] = { AF_UNIX, AF_INET, AF_INET6, AF_NETLINK };
  int last = -1;
  struct scmp_arg_cmp above = SCMP_A0 (SCMP_CMP_GT, AF_NETLINK);
  struct scmp_arg_cmp netlink[] = {
    SCMP_A0 (SCMP_CMP_EQ, AF_NETLINK),
    SCMP_A2 (SCMP_CMP_NE, NETLINK_ROUTE),
  };

  /* An allowlist: every family between the allowed ones, then all above.
   * The comparisons are on all 64 bits, so a family with high bits set
   * (which the kernel would truncate to an allowed one) falls into
   * "above" and is refused. socketcall, the other way to make a socket,
   * exists only in the i386 ABI, which the filter rejects as a whole. */
  for (gsize i = 0; i < G_N_ELEMENTS (allowed_families); i++)
    {
      for (int family = last + 1; family < allowed_families[i]; family++)
        {
          g_autofree char *rule = g_strdup_printf ("socket family %d: EAFNOSUPPORT", family);
          struct scmp_arg_cmp cmp = SCMP_A0 (SCMP_CMP_EQ, family);

          if (!add_rule (ctx, rule, SCMP_SYS (socket), EAFNOSUPPORT, 1, &cmp, error))
            return FALSE;
        }
      last = allowed_families[i];
    }

  if (!add_rule (ctx, "socket family above AF_NETLINK: EAFNOSUPPORT",
                 SCMP_SYS (socket), EAFNOSUPPORT, 1, &above, error))
    return FALSE;

  /* Routing sockets answer getaddrinfo and ip(8). The others reach
   * subsystems a command has no business with: audit, uevents, netfilter,
   * the crypto API. */
  return add_rule (ctx, "socket AF_NETLINK other than NETLINK_ROUTE: EAFNOSUPPORT",
                   SCMP_SYS (socket), EAFNOSUPPORT, G_N_ELEMENTS (netlink), netlink, error);
}

static gboolean
write_program (scmp_filter_ctx   ctx,
               int               fd,
               GError          **error)
{
  int r;

  r = seccomp_export_bpf (ctx, fd);
  if (r < 0)
    return sandbox_fail (error, SANDBOX_ERROR_SECCOMP,
                         "Cannot export the seccomp filter: %s", g_strerror (-r));

  /* Nobody holding the descriptor can change the program before bwrap
   * reads it. */
  if (fcntl (fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
    return sandbox_fail (error, SANDBOX_ERROR_SECCOMP,
                         "Cannot seal the seccomp filter: %s", g_strerror (errno));

  if (lseek (fd, 0, SEEK_SET) < 0)
    return sandbox_fail (error, SANDBOX_ERROR_SECCOMP,
                         "Cannot rewind the seccomp filter: %s", g_strerror (errno));

  return TRUE;
}

int
sandbox_seccomp_create_fd (GError **error)
{
  g_auto (scmp_filter_ctx) ctx = NULL;
  int r;
  int fd;

  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  ctx = seccomp_init (SCMP_ACT_ALLOW);
  if (ctx == NULL)
    {
      sandbox_fail (error, SANDBOX_ERROR_SECCOMP, "Cannot create a seccomp filter");
      return -1;
    }

  /* The filter knows only the native ABI, so the rules above would not
   * apply to the i386 calls (int 0x80) and x32 calls (nr | 0x40000000)
   * an x86_64 process can also make: they fail as a whole. ENOSYS
   * rather than a kill, because that is what a kernel without those
   * ABIs says, programs that probe for them expect it, and the call
   * never runs either way. */
  r = seccomp_attr_set (ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO (ENOSYS));
  if (r < 0)
    {
      sandbox_fail (error, SANDBOX_ERROR_SECCOMP,
                    "Cannot make the seccomp filter reject other ABIs: %s", g_strerror (-r));
      return -1;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (blocked_syscalls); i++)
    {
      const BlockedSyscall *blocked = &blocked_syscalls[i];
      g_autofree char *rule = g_strdup_printf ("%s: %s", blocked->name, blocked->errname);

      if (!add_rule (ctx, rule, blocked->nr, blocked->errnum, 0, NULL, error))
        return -1;
    }

  if (!add_clone_rules (ctx, error) ||
      !add_ioctl_rules (ctx, error) ||
      !add_personality_rules (ctx, error) ||
      !add_socket_rules (ctx, error))
    return -1;

  /* Not close-on-exec: bwrap finds the program by the descriptor number
   * given with --seccomp, so it has to survive the exec of bwrap. The
   * caller closes its copy once bwrap runs. */
  fd = memfd_create ("paddock-seccomp", MFD_ALLOW_SEALING);
  if (fd < 0)
    {
      sandbox_fail (error, SANDBOX_ERROR_SECCOMP,
                    "Cannot create a memory file for the seccomp filter: %s", g_strerror (errno));
      return -1;
    }

  if (!write_program (ctx, fd, error))
    {
      close (fd);
      return -1;
    }

  return fd;
}
