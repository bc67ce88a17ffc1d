/* try-syscall.c: makes one system call and says what the kernel answered
 *
 *   try-syscall NAME [ARG…]
 *
 * prints "NAME: ok" or "NAME: errno ENAME (N)" and exits 0; an unknown
 * NAME or a bad ARG exits 2. The tests run it with and without the
 * sandbox's seccomp filter.
 *
 * Every call goes through syscall(2), never through a glibc wrapper that
 * could emulate it or pick another call. The arguments are chosen so
 * that, without a filter, the call is harmless: it succeeds without
 * changing anything outside this process, or the kernel refuses the
 * arguments (EINVAL, EFAULT, EBADF) before doing anything. The comment
 * on each probe says what an unfiltered kernel answers. A filter's
 * EPERM, ENOSYS or EAFNOSUPPORT then stands out. ARGs, numbers in C
 * notation, replace a table probe's arguments from the first on.
 *
 * Plain C without GLib, so that what runs under the filter is only this.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <linux/netlink.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define N_ARGS 6

typedef struct
{
  const char    *name;
  long           nr;
  unsigned long  args[N_ARGS];
} RawProbe;

/* An address in the unmapped first page: the kernel answers EFAULT. */
#define BAD_POINTER 1UL
#define NO_FD ((unsigned long) -1)
#define ALL_ONES (~0UL)

static const RawProbe raw_probes[] = {
  /* Controls: allowed everywhere. */
  { "getpid", SYS_getpid, { 0 } },
  { "ioctl-tcgets", SYS_ioctl, { NO_FD, TCGETS } },                      /* EBADF */

  /* Namespaces and mounts. */
  { "unshare", SYS_unshare, { CLONE_NEWUSER | 0x1 } },                   /* EINVAL: 0x1 is no unshare flag */
  { "setns", SYS_setns, { NO_FD, 0 } },                                  /* EBADF */
  { "mount", SYS_mount, { 0, (unsigned long) "/", BAD_POINTER } },       /* EFAULT, type is read first */
  { "umount2", SYS_umount2, { (unsigned long) "/", 0x10 } },             /* EINVAL: unknown flag */
  { "pivot_root", SYS_pivot_root, { 0, 0 } },                            /* EFAULT; EPERM unprivileged */
  { "chroot", SYS_chroot, { 0 } },                                       /* EFAULT */
  { "open_tree", SYS_open_tree, { NO_FD, 0, ALL_ONES } },                /* EINVAL */
  { "move_mount", SYS_move_mount, { NO_FD, 0, NO_FD, 0, ALL_ONES } },    /* EINVAL; EPERM unprivileged */
  { "fsopen", SYS_fsopen, { 0, ALL_ONES } },                             /* EINVAL; EPERM unprivileged */
  { "fsconfig", SYS_fsconfig, { NO_FD, ALL_ONES, 0, 0, 0 } },            /* EINVAL or EBADF */
  { "fsmount", SYS_fsmount, { NO_FD, ALL_ONES, 0 } },                    /* EINVAL */
  { "fspick", SYS_fspick, { NO_FD, 0, ALL_ONES } },                      /* EINVAL; EPERM unprivileged */
  { "mount_setattr", SYS_mount_setattr, { NO_FD, 0, ALL_ONES, 0, 0 } },  /* EINVAL */
  { "clone3", SYS_clone3, { 0, 0 } },                                    /* EINVAL: size 0 */

  /* Keyring. */
  { "keyctl", SYS_keyctl, { 0x7fffffff } },                              /* EOPNOTSUPP: no such operation */
  { "add_key", SYS_add_key, { 0, 0, 0, 0, 0 } },                         /* EFAULT */
  { "request_key", SYS_request_key, { 0, 0, 0, 0 } },                    /* EFAULT */

  /* Other processes. */
  { "ptrace", SYS_ptrace, { PTRACE_PEEKDATA, NO_FD, 0, 0 } },    /* ESRCH: no process -1 */
  { "process_vm_readv", SYS_process_vm_readv, { 0, 0, 0, 0, 0, 1 } },    /* EINVAL: flags must be 0 */
  { "process_vm_writev", SYS_process_vm_writev, { 0, 0, 0, 0, 0, 1 } },  /* EINVAL */
  { "perf_event_open", SYS_perf_event_open, { 0, 0, NO_FD, NO_FD, ALL_ONES } }, /* EINVAL: flags */

  /* Kernel attack surface. */
  { "personality-linux", SYS_personality, { 0 } },                       /* ok: PER_LINUX */
  { "personality-query", SYS_personality, { 0xffffffff } },              /* ok: reads the persona */
  { "personality-other", SYS_personality, { 0x0008 } },                  /* ok: PER_LINUX32 */
  { "bpf", SYS_bpf, { 0x7fffffff, 0, 0 } },                              /* EINVAL: no such command */
  { "userfaultfd", SYS_userfaultfd, { 0x1 | 0x2 } },                     /* EINVAL: user-mode-only | O_RDWR */
  { "io_uring_setup", SYS_io_uring_setup, { 1, 0 } },                    /* EFAULT; EPERM when disabled */
  { "io_uring_enter", SYS_io_uring_enter, { NO_FD, 0, 0, 0, 0, 0 } },    /* EBADF */
  { "io_uring_register", SYS_io_uring_register, { NO_FD, 0, 0, 0 } },    /* EBADF or EINVAL */
  { "modify_ldt", SYS_modify_ldt, { 0, 0, 0 } },                         /* ok: reads 0 bytes */
  { "move_pages", SYS_move_pages, { 0, 0, 0, 0, 0, ALL_ONES } },         /* EINVAL: flags */
  { "mbind", SYS_mbind, { 0, 0, 0, 0, 0, ALL_ONES } },                   /* EINVAL: flags */
  { "get_mempolicy", SYS_get_mempolicy, { 0, 0, 0, 0, ALL_ONES } },      /* EINVAL: flags */
  { "set_mempolicy", SYS_set_mempolicy, { 0xffff, 0, 0 } },              /* EINVAL: mode */
  { "migrate_pages", SYS_migrate_pages, { 0, 0, 0, 0 } },                /* ok: no nodes, nothing moves */

  /* Administration. All check the privilege first, so an unprivileged
   * caller gets EPERM whatever the filter; the arguments keep root's
   * call harmless. */
  { "kexec_load", SYS_kexec_load, { 0, 0, 0, 0x00ff0000 } },             /* EINVAL: no such architecture */
  { "kexec_file_load", SYS_kexec_file_load, { NO_FD, NO_FD, 0, 0, ALL_ONES } }, /* EINVAL: flags */
  { "init_module", SYS_init_module, { 0, 0, 0 } },                       /* ENOEXEC: empty image */
  { "finit_module", SYS_finit_module, { NO_FD, 0, ALL_ONES } },          /* EINVAL: flags */
  { "delete_module", SYS_delete_module, { 0, 0 } },                      /* EFAULT */
  { "acct", SYS_acct, { BAD_POINTER } },                                 /* EFAULT; NULL would stop accounting */
  { "quotactl", SYS_quotactl, { 0, 0, 0, 0 } },                          /* ENODEV: no device */
  { "swapon", SYS_swapon, { 0, 0x40000000 } },                           /* EINVAL: flags, checked first */
  { "swapoff", SYS_swapoff, { 0 } },                                     /* EFAULT */
  { "syslog", SYS_syslog, { 10, 0, 0 } },                                /* ok: SYSLOG_ACTION_SIZE_BUFFER */
  { "uselib", SYS_uselib, { 0 } },                                       /* EFAULT, or ENOSYS (gone since 6.x) */
  { "lookup_dcookie", SYS_lookup_dcookie, { 0, 0, 0 } },                 /* ENOSYS since 6.4 */
  { "name_to_handle_at", SYS_name_to_handle_at, { NO_FD, 0, 0, 0, 0 } }, /* EFAULT or EBADF */
  { "open_by_handle_at", SYS_open_by_handle_at, { NO_FD, 0, 0 } },       /* EBADF */

  /* Typing into the terminal; the request is read as 32 bits. */
  { "ioctl-tiocsti", SYS_ioctl, { NO_FD, TIOCSTI } },                    /* EBADF */
  { "ioctl-tiocsti-high", SYS_ioctl, { NO_FD, TIOCSTI | 0x100000000UL } }, /* EBADF */
  { "ioctl-tioclinux", SYS_ioctl, { NO_FD, TIOCLINUX } },                /* EBADF */

  /* Socket families. The descriptor stays open until exit. */
  { "socket-unix", SYS_socket, { AF_UNIX, SOCK_STREAM, 0 } },
  { "socket-inet", SYS_socket, { AF_INET, SOCK_STREAM, 0 } },
  { "socket-inet6", SYS_socket, { AF_INET6, SOCK_STREAM, 0 } },
  { "socket-netlink-route", SYS_socket, { AF_NETLINK, SOCK_RAW, NETLINK_ROUTE } },
  { "socket-netlink-audit", SYS_socket, { AF_NETLINK, SOCK_RAW, NETLINK_AUDIT } },
  { "socket-packet", SYS_socket, { AF_PACKET, SOCK_RAW, 0 } },           /* EPERM unprivileged */
  { "socket-bluetooth", SYS_socket, { AF_BLUETOOTH, SOCK_RAW, 1 } },     /* BTPROTO_HCI */
  /* AF_UNIX to the kernel, which reads an int. */
  { "socket-unix-high", SYS_socket, { AF_UNIX | 0x100000000UL, SOCK_STREAM, 0 } },
};

static void
report (const char *name,
        long        result,
        int         errnum)
{
  const char *errname;

  if (result >= 0)
    {
      printf ("%s: ok\n", name);
      return;
    }

  errname = strerrorname_np (errnum);
  printf ("%s: errno %s (%d)\n", name, errname != NULL ? errname : "?", errnum);
}

/* A raw clone without CLONE_VM and without a new stack returns twice,
 * like fork. */
static long
probe_clone (unsigned long flags)
{
  long pid = syscall (SYS_clone, flags, 0UL, 0UL, 0UL, 0UL);

  if (pid == 0)
    _exit (0);
  if (pid > 0)
    waitpid ((pid_t) pid, NULL, __WALL);

  return pid;
}

/* vhangup hangs up the caller's controlling terminal when it is allowed.
 * It runs in a child in a new session, which has none, so that running
 * this by hand as root does not hang up one's own terminal. */
static long
probe_vhangup (void)
{
  pid_t pid;
  int status;

  pid = fork ();
  if (pid < 0)
    return -1;

  if (pid == 0)
    {
      if (setsid () < 0)
        _exit (255);
      _exit (syscall (SYS_vhangup) == 0 ? 0 : errno);
    }

  if (waitpid (pid, &status, 0) < 0)
    return -1;
  if (!WIFEXITED (status) || WEXITSTATUS (status) == 255)
    {
      fprintf (stderr, "try-syscall: the vhangup child failed\n");
      exit (1);
    }
  if (WEXITSTATUS (status) == 0)
    return 0;

  errno = WEXITSTATUS (status);
  return -1;
}

#if defined(__x86_64__)
/* The i386 ABI, which a 64-bit process can reach through int 0x80. */
static long
probe_int80_getpid (void)
{
  long rax;
  int ret;

  __asm__ volatile ("int $0x80"
                    : "=a" (rax)
                    : "0" (20L) /* getpid on i386 */
                    : "memory", "r8", "r9", "r10", "r11");

  /* An i386 call answers in eax. */
  ret = (int) rax;
  if (ret < 0 && ret > -4096)
    {
      errno = (int) -ret;
      return -1;
    }

  return ret;
}

/* The x32 ABI: x86_64 numbers with bit 30 set. */
static long
probe_x32_getpid (void)
{
  return syscall (__X32_SYSCALL_BIT + SYS_getpid);
}
#endif

typedef struct
{
  const char    *name;
  unsigned long  clone_flags;
  long         (*func) (void);
} SpecialProbe;

static const SpecialProbe special_probes[] = {
  /* A plain fork through clone: must work under the filter. */
  { "clone-plain", SIGCHLD, NULL },
  /* A real user namespace: ok unfiltered where user namespaces are
   * allowed. */
  { "clone-newuser", CLONE_NEWUSER | SIGCHLD, NULL },
  /* The other namespaces with CLONE_THREAD but no CLONE_SIGHAND, which
   * the kernel refuses with EINVAL before it looks at the namespaces:
   * a real CLONE_NEWNET works for root and fails with EPERM for a user,
   * and neither would tell the filter apart. */
  { "clone-newns", CLONE_NEWNS | CLONE_THREAD | SIGCHLD, NULL },
  { "clone-newcgroup", CLONE_NEWCGROUP | CLONE_THREAD | SIGCHLD, NULL },
  { "clone-newuts", CLONE_NEWUTS | CLONE_THREAD | SIGCHLD, NULL },
  { "clone-newipc", CLONE_NEWIPC | CLONE_THREAD | SIGCHLD, NULL },
  { "clone-newpid", CLONE_NEWPID | CLONE_THREAD | SIGCHLD, NULL },
  { "clone-newnet", CLONE_NEWNET | CLONE_THREAD | SIGCHLD, NULL },
  { "vhangup", 0, probe_vhangup },                                       /* ok for root, EPERM for a user */
#if defined(__x86_64__)
  { "int80-getpid", 0, probe_int80_getpid },                             /* ok where IA32 emulation is on */
  { "x32-getpid", 0, probe_x32_getpid },                                 /* ok, or ENOSYS without x32 */
#endif
};

static int
usage (void)
{
  fprintf (stderr, "Usage: try-syscall NAME [ARG…]\nNames:");
  for (size_t i = 0; i < sizeof raw_probes / sizeof raw_probes[0]; i++)
    fprintf (stderr, " %s", raw_probes[i].name);
  for (size_t i = 0; i < sizeof special_probes / sizeof special_probes[0]; i++)
    fprintf (stderr, " %s", special_probes[i].name);
  fprintf (stderr, "\n");
  return 2;
}

static int
run_raw_probe (const RawProbe *probe,
               int             n_extra,
               char          **extra)
{
  unsigned long args[N_ARGS];
  long result;

  if (n_extra > N_ARGS)
    return usage ();

  memcpy (args, probe->args, sizeof args);
  for (int i = 0; i < n_extra; i++)
    {
      char *end;

      errno = 0;
      args[i] = strtoul (extra[i], &end, 0);
      if (errno != 0 || end == extra[i] || *end != '\0')
        {
          fprintf (stderr, "try-syscall: “%s” is not a number\n", extra[i]);
          return 2;
        }
    }

  result = syscall (probe->nr, args[0], args[1], args[2], args[3], args[4], args[5]);
  report (probe->name, result, errno);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  const char *name;

  if (argc < 2)
    return usage ();
  name = argv[1];

  for (size_t i = 0; i < sizeof raw_probes / sizeof raw_probes[0]; i++)
    {
      if (strcmp (raw_probes[i].name, name) == 0)
        return run_raw_probe (&raw_probes[i], argc - 2, argv + 2);
    }

  for (size_t i = 0; i < sizeof special_probes / sizeof special_probes[0]; i++)
    {
      const SpecialProbe *probe = &special_probes[i];
      long result;

      if (strcmp (probe->name, name) != 0)
        continue;
      if (argc > 2)
        return usage ();

      if (probe->func != NULL)
        result = probe->func ();
      else
        result = probe_clone (probe->clone_flags);
      report (name, result, errno);
      return 0;
    }

  fprintf (stderr, "try-syscall: unknown probe “%s”\n", name);
  return usage ();
}
