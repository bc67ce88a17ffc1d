/* test-sandbox-seccomp.c: the seccomp filter, run by the kernel and read
 * instruction by instruction
 *
 * Each probe runs try-syscall twice: once under the filter, which must
 * give the filter's answer, and once without, which must give another
 * answer, so the filter and not the kernel is what refused. Where an
 * unprivileged caller gets the filter's errno from the kernel anyway
 * (swapoff, vhangup…), the runs cannot tell the two apart; the /bpf/
 * tests cover those by running the program in a small interpreter with
 * the call's number and arguments, which also reaches what the kernel
 * here cannot show (x32 on a kernel built without it).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef _GNU_SOURCE
# define _GNU_SOURCE
#endif

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "sandbox-seccomp.h"

static const char *try_syscall;
static struct sock_fprog program;

/* Reads the program the way bwrap does: from the descriptor's current
 * offset to its end. */
static struct sock_filter *
read_program (int    fd,
              gsize *n_insns)
{
  g_autofree struct sock_filter *filter = NULL;
  struct stat st;
  gsize done = 0;

  g_assert_no_errno (fstat (fd, &st));
  g_assert_cmpint (st.st_size, >, 0);
  g_assert_cmpint (st.st_size % sizeof (struct sock_filter), ==, 0);
  g_assert_cmpint (st.st_size / sizeof (struct sock_filter), <=, BPF_MAXINSNS);

  filter = g_malloc (st.st_size);
  while (done < (gsize) st.st_size)
    {
      gssize n = read (fd, (char *) filter + done, st.st_size - done);

      g_assert_cmpint (n, >, 0);
      done += n;
    }

  *n_insns = done / sizeof (struct sock_filter);
  return g_steal_pointer (&filter);
}

static const struct sock_fprog *
get_program (void)
{
  if (program.filter == NULL)
    {
      g_autoptr(GError) error = NULL;
      gsize n_insns;
      int fd;

      fd = sandbox_seccomp_create_fd (&error);
      g_assert_no_error (error);
      g_assert_cmpint (fd, >=, 0);

      program.filter = read_program (fd, &n_insns);
      program.len = n_insns;
      g_assert_no_errno (close (fd));
    }

  return &program;
}

/* Runs in the child between fork and exec: async-signal-safe calls only. */
static void
load_filter (gpointer user_data)
{
  const struct sock_fprog *prog = user_data;
  static const char message[] = "test-sandbox-seccomp: cannot load the filter\n";

  /* An unprivileged process may load a filter only once it cannot gain
   * privileges through exec. */
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog) != 0)
    {
      G_GNUC_UNUSED gssize n = write (STDERR_FILENO, message, sizeof message - 1);

      _exit (126);
    }
}

/* The one line try-syscall printed, and how it ended in @wait_status. */
static char *
spawn_probe (const char *name,
             gboolean    filtered,
             int        *wait_status)
{
  const char *argv[] = { try_syscall, name, NULL };
  g_auto(GStrv) envp = g_get_environ ();
  g_autofree char *asan_options = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;

  /* In a sanitizer build, LeakSanitizer stops the world with ptrace at
   * exit, which the filter refuses; the probe has nothing to leak. */
  asan_options = g_strconcat (g_environ_getenv (envp, "ASAN_OPTIONS") ?: "", ":detect_leaks=0", NULL);
  envp = g_environ_setenv (envp, "ASAN_OPTIONS", asan_options, TRUE);

  g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT,
                filtered ? load_filter : NULL, (gpointer) get_program (),
                &out, &err, wait_status, &error);
  g_assert_no_error (error);
  if (err[0] != '\0')
    g_test_message ("%s%s wrote: %s", name, filtered ? " (filtered)" : "", err);

  return g_steal_pointer (&out);
}

static char *
run_probe (const char *name,
           gboolean    filtered)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int wait_status;

  out = spawn_probe (name, filtered, &wait_status);
  g_spawn_check_wait_status (wait_status, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&out);
}

typedef struct
{
  const char *name;
  /* The answer under the filter. */
  const char *filtered;
  /* The answer without it where every kernel since 5.10 gives the same,
   * NULL where it depends on the kernel or the caller. */
  const char *unfiltered;
  /* The kernel itself may give the filter's answer: it checks the
   * caller's privilege before the arguments, or may lack the feature. */
  gboolean    kernel_may_agree;
} Probe;

#define OK "ok"
#define EPERM_ "errno EPERM (1)"
#define ENOSYS_ "errno ENOSYS (38)"
#define EAFNOSUPPORT_ "errno EAFNOSUPPORT (97)"
#define EINVAL_ "errno EINVAL (22)"
#define EFAULT_ "errno EFAULT (14)"
#define EBADF_ "errno EBADF (9)"

static const Probe probes[] = {
  /* Controls: the filter leaves them alone. */
  { "getpid", OK, OK },
  { "clone-plain", OK, OK },
  { "ioctl-tcgets", EBADF_, EBADF_ },
  { "personality-linux", OK, OK },
  { "personality-query", OK, OK },
  { "socket-unix", OK, OK },
  { "socket-inet", OK, OK },
  { "socket-inet6", OK, OK },
  { "socket-netlink-route", OK, OK },

  /* Namespaces and mounts. */
  { "unshare", EPERM_, EINVAL_ },
  { "setns", EPERM_, EBADF_ },
  { "mount", EPERM_, EFAULT_ },
  { "umount2", EPERM_, EINVAL_ },
  { "pivot_root", EPERM_, NULL, TRUE },
  { "chroot", EPERM_, EFAULT_ },
  { "clone-newuser", EPERM_, NULL, TRUE },
  { "clone-newns", EPERM_, EINVAL_ },
  { "clone-newcgroup", EPERM_, EINVAL_ },
  { "clone-newuts", EPERM_, EINVAL_ },
  { "clone-newipc", EPERM_, EINVAL_ },
  { "clone-newpid", EPERM_, EINVAL_ },
  { "clone-newnet", EPERM_, EINVAL_ },
  { "open_tree", ENOSYS_, NULL },
  { "move_mount", ENOSYS_, NULL },
  { "fsopen", ENOSYS_, NULL },
  { "fsconfig", ENOSYS_, NULL },
  { "fsmount", ENOSYS_, NULL },
  { "fspick", ENOSYS_, NULL },
  { "mount_setattr", ENOSYS_, NULL },
  { "clone3", ENOSYS_, EINVAL_ },

  /* Keyring, other processes. */
  { "keyctl", EPERM_, "errno EOPNOTSUPP (95)" },
  { "add_key", EPERM_, EFAULT_ },
  { "request_key", EPERM_, EFAULT_ },
  { "ptrace", EPERM_, "errno ESRCH (3)" },
  { "process_vm_readv", EPERM_, EINVAL_ },
  { "process_vm_writev", EPERM_, EINVAL_ },
  { "perf_event_open", EPERM_, EINVAL_ },

  /* Kernel attack surface. */
  { "personality-other", EPERM_, OK },
  { "bpf", EPERM_, NULL, TRUE },
  { "userfaultfd", EPERM_, NULL, TRUE },
  { "io_uring_setup", ENOSYS_, NULL },
  { "io_uring_enter", ENOSYS_, NULL },
  { "io_uring_register", ENOSYS_, NULL },
#ifdef SYS_modify_ldt
  { "modify_ldt", EPERM_, NULL },
#endif
  { "move_pages", EPERM_, NULL },
  { "mbind", EPERM_, NULL },
  { "get_mempolicy", EPERM_, NULL },
  { "set_mempolicy", EPERM_, NULL },
  { "migrate_pages", EPERM_, NULL },

  /* Administration: privilege first, so a user gets EPERM anyway. */
  { "kexec_load", EPERM_, NULL, TRUE },
  { "kexec_file_load", EPERM_, NULL, TRUE },
  { "init_module", EPERM_, NULL, TRUE },
  { "finit_module", EPERM_, NULL, TRUE },
  { "delete_module", EPERM_, NULL, TRUE },
  { "acct", EPERM_, NULL, TRUE },
  { "quotactl", EPERM_, NULL },
  { "swapon", EPERM_, EINVAL_ },
  { "swapoff", EPERM_, NULL, TRUE },
  { "syslog", EPERM_, NULL, TRUE },
#ifdef SYS_uselib
  { "uselib", EPERM_, NULL },
#endif
  { "vhangup", EPERM_, NULL, TRUE },
  { "lookup_dcookie", EPERM_, NULL, TRUE },
  { "name_to_handle_at", EPERM_, NULL },
  { "open_by_handle_at", EPERM_, NULL, TRUE },

  /* The terminal. */
  { "ioctl-tiocsti", EPERM_, EBADF_ },
  { "ioctl-tiocsti-high", EPERM_, EBADF_ },
  { "ioctl-tioclinux", EPERM_, EBADF_ },

  /* Socket families; the kernel may lack the refused ones. */
  { "socket-netlink-audit", EAFNOSUPPORT_, NULL, TRUE },
  { "socket-packet", EAFNOSUPPORT_, NULL, TRUE },
  { "socket-bluetooth", EAFNOSUPPORT_, NULL, TRUE },
  /* The kernel reads an int and makes a unix socket; the filter compares
   * all 64 bits and refuses. */
  { "socket-unix-high", EAFNOSUPPORT_, OK },

#if defined(__x86_64__)
  /* Other ABIs. The kernel here may be built without x32. */
  { "int80-getpid", ENOSYS_, OK },
  { "x32-getpid", ENOSYS_, NULL, TRUE },
#endif
};

static void
assert_well_formed (const char *name,
                    const char *line)
{
  g_autofree char *escaped = g_regex_escape_string (name, -1);
  g_autofree char *pattern = g_strdup_printf ("^%s: (ok|errno E[A-Z0-9]+ \\([0-9]+\\))\n$", escaped);

  if (!g_regex_match_simple (pattern, line, G_REGEX_DOLLAR_ENDONLY, 0))
    g_error ("try-syscall %s printed “%s”", name, line);
}

static void
test_probe (gconstpointer data)
{
  const Probe *probe = data;
  g_autofree char *expected = g_strdup_printf ("%s: %s\n", probe->name, probe->filtered);
  g_autofree char *filtered = NULL;
  g_autofree char *unfiltered = NULL;
  int wait_status;

  unfiltered = spawn_probe (probe->name, FALSE, &wait_status);
  /* With ia32_emulation=0 the kernel has no int 0x80 at all. */
  if (g_str_equal (probe->name, "int80-getpid") &&
      WIFSIGNALED (wait_status) && WTERMSIG (wait_status) == SIGSEGV)
    {
      g_test_skip ("this kernel runs no i386 calls");
      return;
    }
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 0);
  assert_well_formed (probe->name, unfiltered);

  filtered = run_probe (probe->name, TRUE);
  g_assert_cmpstr (filtered, ==, expected);

  if (probe->unfiltered != NULL)
    {
      g_autofree char *expected_unfiltered = g_strdup_printf ("%s: %s\n", probe->name, probe->unfiltered);

      g_assert_cmpstr (unfiltered, ==, expected_unfiltered);
    }

  /* An allowed call answers the same either way; a blocked one must
   * answer differently without the filter, or the filter proved nothing. */
  if (g_strcmp0 (probe->filtered, probe->unfiltered) == 0)
    g_assert_cmpstr (unfiltered, ==, filtered);
  else if (g_str_equal (unfiltered, filtered) && probe->kernel_may_agree)
    g_test_message ("%s: the kernel gives the filter's answer by itself here; "
                    "/sandbox/seccomp/bpf/ shows the filter's own verdict",
                    probe->name);
  else
    g_assert_cmpstr (unfiltered, !=, filtered);
}

static void
test_fd (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree struct sock_filter *filter = NULL;
  gsize n_insns;
  int fd;
  int flags;
  int seals;

  fd = sandbox_seccomp_create_fd (&error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);

  /* bwrap inherits it across exec and reads it from the start. */
  flags = fcntl (fd, F_GETFD);
  g_assert_cmpint (flags, >=, 0);
  g_assert_cmpint (flags & FD_CLOEXEC, ==, 0);
  g_assert_cmpint (lseek (fd, 0, SEEK_CUR), ==, 0);

  seals = fcntl (fd, F_GET_SEALS);
  g_assert_cmpint (seals, ==, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
  g_assert_cmpint (write (fd, "", 1), ==, -1);
  g_assert_cmpint (errno, ==, EPERM);

  filter = read_program (fd, &n_insns);
  g_assert_cmpuint (n_insns, >, 0);
  g_assert_cmpint (BPF_CLASS (filter[n_insns - 1].code), ==, BPF_RET);

  g_assert_no_errno (close (fd));
}

static void
test_fd_deterministic (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree struct sock_filter *first = NULL;
  g_autofree struct sock_filter *second = NULL;
  gsize n_first, n_second;
  int fd1, fd2;

  fd1 = sandbox_seccomp_create_fd (&error);
  g_assert_no_error (error);
  fd2 = sandbox_seccomp_create_fd (&error);
  g_assert_no_error (error);
  g_assert_cmpint (fd1, !=, fd2);

  first = read_program (fd1, &n_first);
  second = read_program (fd2, &n_second);
  g_assert_cmpmem (first, n_first * sizeof *first, second, n_second * sizeof *second);

  g_assert_no_errno (close (fd1));
  g_assert_no_errno (close (fd2));
}

#if defined(__x86_64__)

/* Classic BPF as seccomp runs it, for the instructions libseccomp emits;
 * anything else fails the test, as would a jump out of the program. */
static guint32
run_filter (const struct sock_fprog   *prog,
            const struct seccomp_data *data)
{
  guint32 a = 0;
  guint32 x = 0;
  guint32 mem[BPF_MEMWORDS] = { 0, };
  guint pc = 0;

  while (pc < prog->len)
    {
      const struct sock_filter *insn = &prog->filter[pc++];
      guint32 k = insn->k;
      gboolean taken;

      switch (insn->code)
        {
        case BPF_LD | BPF_W | BPF_ABS:
          g_assert_cmpuint (k % 4, ==, 0);
          g_assert_cmpuint (k, <, sizeof *data);
          memcpy (&a, (const char *) data + k, sizeof a);
          continue;
        case BPF_LD | BPF_MEM:
          g_assert_cmpuint (k, <, BPF_MEMWORDS);
          a = mem[k];
          continue;
        case BPF_LDX | BPF_MEM:
          g_assert_cmpuint (k, <, BPF_MEMWORDS);
          x = mem[k];
          continue;
        case BPF_ST:
          g_assert_cmpuint (k, <, BPF_MEMWORDS);
          mem[k] = a;
          continue;
        case BPF_STX:
          g_assert_cmpuint (k, <, BPF_MEMWORDS);
          mem[k] = x;
          continue;
        case BPF_ALU | BPF_AND | BPF_K:
          a &= k;
          continue;
        case BPF_MISC | BPF_TAX:
          x = a;
          continue;
        case BPF_MISC | BPF_TXA:
          a = x;
          continue;
        case BPF_RET | BPF_K:
          return k;
        case BPF_RET | BPF_A:
          return a;
        case BPF_JMP | BPF_JA:
          g_assert_cmpuint (pc + k, <, prog->len);
          pc += k;
          continue;
        case BPF_JMP | BPF_JEQ | BPF_K:
          taken = a == k;
          break;
        case BPF_JMP | BPF_JGT | BPF_K:
          taken = a > k;
          break;
        case BPF_JMP | BPF_JGE | BPF_K:
          taken = a >= k;
          break;
        case BPF_JMP | BPF_JSET | BPF_K:
          taken = (a & k) != 0;
          break;
        default:
          g_error ("instruction %u: opcode 0x%04x is not one libseccomp emits", pc - 1, insn->code);
        }

      pc += taken ? insn->jt : insn->jf;
      g_assert_cmpuint (pc, <, prog->len);
    }

  g_error ("the program ran past its end");
}

static guint32
verdict_for_arch (guint32 arch,
                  int     nr,
                  guint64 a0,
                  guint64 a1,
                  guint64 a2)
{
  struct seccomp_data data = {
    .nr = nr,
    .arch = arch,
    .args = { a0, a1, a2, 0, 0, 0 },
  };

  return run_filter (get_program (), &data);
}

static guint32
verdict (int     nr,
         guint64 a0,
         guint64 a1,
         guint64 a2)
{
  return verdict_for_arch (AUDIT_ARCH_X86_64, nr, a0, a1, a2);
}

static char *
describe (const char *call,
          guint32     action)
{
  if (action == SECCOMP_RET_ALLOW)
    return g_strdup_printf ("%s: allow", call);
  if ((action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
    return g_strdup_printf ("%s: errno %s", call, strerrorname_np (action & SECCOMP_RET_DATA));

  return g_strdup_printf ("%s: action 0x%08x", call, action);
}

/* Compares descriptions, so that a failure names the call. */
#define assert_verdict(call, got, want) \
  G_STMT_START { \
    g_autofree char *got_ = describe (call, got); \
    g_autofree char *want_ = describe (call, want); \
    g_assert_cmpstr (got_, ==, want_); \
  } G_STMT_END

#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))

static void
test_bpf_abis (void)
{
  assert_verdict ("x86_64 getpid", verdict (SYS_getpid, 0, 0, 0), SECCOMP_RET_ALLOW);
  /* i386 through int 0x80: getpid is 20 there, unshare 310. */
  assert_verdict ("i386 getpid", verdict_for_arch (AUDIT_ARCH_I386, 20, 0, 0, 0), ERRNO (ENOSYS));
  assert_verdict ("i386 unshare", verdict_for_arch (AUDIT_ARCH_I386, 310, 0, 0, 0), ERRNO (ENOSYS));
  /* x32 has the x86_64 arch and bit 30 in the number. */
  assert_verdict ("x32 getpid", verdict (0x40000000 | SYS_getpid, 0, 0, 0), ERRNO (ENOSYS));
  assert_verdict ("x32 unshare", verdict (0x40000000 | SYS_unshare, 0, 0, 0), ERRNO (ENOSYS));
  assert_verdict ("x32 ioctl TIOCSTI", verdict (0x40000000 | 514, 0, TIOCSTI, 0), ERRNO (ENOSYS));
  assert_verdict ("aarch64 getpid", verdict_for_arch (AUDIT_ARCH_AARCH64, 172, 0, 0, 0), ERRNO (ENOSYS));
}

static void
test_bpf_blocked (void)
{
  static const struct
  {
    const char *name;
    int         nr;
    int         errnum;
  } blocked[] = {
#define CALL(sys, errnum) { #sys, SYS_##sys, errnum }
    CALL (unshare, EPERM), CALL (setns, EPERM), CALL (mount, EPERM),
    CALL (umount2, EPERM), CALL (pivot_root, EPERM), CALL (chroot, EPERM),
    CALL (open_tree, ENOSYS), CALL (move_mount, ENOSYS), CALL (fsopen, ENOSYS),
    CALL (fsconfig, ENOSYS), CALL (fsmount, ENOSYS), CALL (fspick, ENOSYS),
    CALL (mount_setattr, ENOSYS), CALL (clone3, ENOSYS),
    CALL (add_key, EPERM), CALL (keyctl, EPERM), CALL (request_key, EPERM),
    CALL (ptrace, EPERM), CALL (process_vm_readv, EPERM), CALL (process_vm_writev, EPERM),
    CALL (perf_event_open, EPERM), CALL (bpf, EPERM), CALL (userfaultfd, EPERM),
    CALL (io_uring_setup, ENOSYS), CALL (io_uring_enter, ENOSYS), CALL (io_uring_register, ENOSYS),
    CALL (modify_ldt, EPERM), CALL (move_pages, EPERM), CALL (mbind, EPERM),
    CALL (get_mempolicy, EPERM), CALL (set_mempolicy, EPERM), CALL (migrate_pages, EPERM),
    CALL (kexec_load, EPERM), CALL (kexec_file_load, EPERM), CALL (init_module, EPERM),
    CALL (finit_module, EPERM), CALL (delete_module, EPERM), CALL (acct, EPERM),
    CALL (quotactl, EPERM), CALL (swapon, EPERM), CALL (swapoff, EPERM),
    CALL (syslog, EPERM), CALL (uselib, EPERM), CALL (vhangup, EPERM),
    CALL (lookup_dcookie, EPERM), CALL (name_to_handle_at, EPERM), CALL (open_by_handle_at, EPERM),
#undef CALL
  };

  for (gsize i = 0; i < G_N_ELEMENTS (blocked); i++)
    assert_verdict (blocked[i].name, verdict (blocked[i].nr, 0, 0, 0), ERRNO (blocked[i].errnum));
}

static void
test_bpf_clone (void)
{
  static const struct
  {
    const char    *name;
    unsigned long  flag;
  } namespaces[] = {
    { "CLONE_NEWNS", CLONE_NEWNS }, { "CLONE_NEWCGROUP", CLONE_NEWCGROUP },
    { "CLONE_NEWUTS", CLONE_NEWUTS }, { "CLONE_NEWIPC", CLONE_NEWIPC },
    { "CLONE_NEWUSER", CLONE_NEWUSER }, { "CLONE_NEWPID", CLONE_NEWPID },
    { "CLONE_NEWNET", CLONE_NEWNET },
  };
  /* What glibc's pthread_create and fork ask for. */
  const guint64 thread = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                         CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
  const guint64 fork_flags = CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD;

  assert_verdict ("clone for a thread", verdict (SYS_clone, thread, 0, 0), SECCOMP_RET_ALLOW);
  assert_verdict ("clone for fork", verdict (SYS_clone, fork_flags, 0, 0), SECCOMP_RET_ALLOW);
  assert_verdict ("clone for vfork", verdict (SYS_clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0),
                  SECCOMP_RET_ALLOW);

  for (gsize i = 0; i < G_N_ELEMENTS (namespaces); i++)
    {
      guint64 flag = namespaces[i].flag;
      g_autofree char *alone = g_strdup_printf ("clone %s", namespaces[i].name);
      g_autofree char *mixed = g_strdup_printf ("clone for fork | %s", namespaces[i].name);
      g_autofree char *high = g_strdup_printf ("clone %s with the upper half set", namespaces[i].name);

      assert_verdict (alone, verdict (SYS_clone, flag | SIGCHLD, 0, 0), ERRNO (EPERM));
      assert_verdict (mixed, verdict (SYS_clone, fork_flags | flag, 0, 0), ERRNO (EPERM));
      assert_verdict (high, verdict (SYS_clone, G_GUINT64_CONSTANT (0xffffffff00000000) | flag, 0, 0),
                      ERRNO (EPERM));
    }
}

static void
test_bpf_ioctl (void)
{
  const guint64 high = G_GUINT64_CONSTANT (0xffffffff00000000);

  assert_verdict ("ioctl TIOCSTI", verdict (SYS_ioctl, 0, TIOCSTI, 0), ERRNO (EPERM));
  assert_verdict ("ioctl TIOCSTI | 1 << 32", verdict (SYS_ioctl, 0, TIOCSTI | G_GUINT64_CONSTANT (0x100000000), 0),
                  ERRNO (EPERM));
  assert_verdict ("ioctl TIOCSTI, upper half set", verdict (SYS_ioctl, 7, TIOCSTI | high, 0), ERRNO (EPERM));
  assert_verdict ("ioctl TIOCLINUX", verdict (SYS_ioctl, 0, TIOCLINUX, 0), ERRNO (EPERM));
  assert_verdict ("ioctl TIOCLINUX, upper half set", verdict (SYS_ioctl, 0, TIOCLINUX | high, 0), ERRNO (EPERM));
  assert_verdict ("ioctl TCGETS", verdict (SYS_ioctl, 0, TCGETS, 0), SECCOMP_RET_ALLOW);
  assert_verdict ("ioctl TIOCGWINSZ", verdict (SYS_ioctl, 1, TIOCGWINSZ, 0), SECCOMP_RET_ALLOW);
  assert_verdict ("ioctl FIONREAD", verdict (SYS_ioctl, 3, FIONREAD, 0), SECCOMP_RET_ALLOW);
}

static void
test_bpf_personality (void)
{
  assert_verdict ("personality PER_LINUX", verdict (SYS_personality, 0, 0, 0), SECCOMP_RET_ALLOW);
  assert_verdict ("personality query", verdict (SYS_personality, 0xffffffff, 0, 0), SECCOMP_RET_ALLOW);
  assert_verdict ("personality 0x100000000", verdict (SYS_personality, G_GUINT64_CONSTANT (0x100000000), 0, 0),
                  ERRNO (EPERM));
  assert_verdict ("personality 0x1ffffffff", verdict (SYS_personality, G_GUINT64_CONSTANT (0x1ffffffff), 0, 0),
                  ERRNO (EPERM));

  /* Every value with one bit set or one bit clear, then a sample. */
  for (guint i = 0; i < 32; i++)
    {
      guint32 one = 1u << i;
      g_autofree char *set = g_strdup_printf ("personality 0x%08x", one);
      g_autofree char *clear = g_strdup_printf ("personality 0x%08x", ~one);

      assert_verdict (set, verdict (SYS_personality, one, 0, 0), ERRNO (EPERM));
      assert_verdict (clear, verdict (SYS_personality, ~one, 0, 0), ERRNO (EPERM));
    }

  for (guint i = 0; i < 2000; i++)
    {
      guint32 value = g_test_rand_int ();
      g_autofree char *call = g_strdup_printf ("personality 0x%08x", value);

      assert_verdict (call, verdict (SYS_personality, value, 0, 0),
                      value == 0 || value == 0xffffffff ? SECCOMP_RET_ALLOW : ERRNO (EPERM));
    }
}

static void
test_bpf_socket (void)
{
  for (int family = 0; family < 64; family++)
    {
      gboolean allowed = family == AF_UNIX || family == AF_INET || family == AF_INET6 || family == AF_NETLINK;
      g_autofree char *call = g_strdup_printf ("socket family %d", family);
      g_autofree char *high = g_strdup_printf ("socket family %d | 1 << 32", family);

      assert_verdict (call, verdict (SYS_socket, family, SOCK_STREAM, 0),
                      allowed ? SECCOMP_RET_ALLOW : ERRNO (EAFNOSUPPORT));
      /* The kernel would read it as the family in the lower half. */
      assert_verdict (high, verdict (SYS_socket, family | G_GUINT64_CONSTANT (0x100000000), SOCK_STREAM, 0),
                      ERRNO (EAFNOSUPPORT));
    }

  assert_verdict ("socket family 0xffffffff", verdict (SYS_socket, 0xffffffff, 0, 0), ERRNO (EAFNOSUPPORT));

  for (int protocol = 0; protocol < 32; protocol++)
    {
      g_autofree char *call = g_strdup_printf ("socket AF_NETLINK protocol %d", protocol);

      assert_verdict (call, verdict (SYS_socket, AF_NETLINK, SOCK_RAW, protocol),
                      protocol == NETLINK_ROUTE ? SECCOMP_RET_ALLOW : ERRNO (EAFNOSUPPORT));
    }

  assert_verdict ("socket AF_NETLINK protocol 1 << 32",
                  verdict (SYS_socket, AF_NETLINK, SOCK_RAW, G_GUINT64_CONSTANT (0x100000000)),
                  ERRNO (EAFNOSUPPORT));
  /* Only the family and the protocol count, not the type. */
  assert_verdict ("socket AF_INET SOCK_RAW", verdict (SYS_socket, AF_INET, SOCK_RAW, 1), SECCOMP_RET_ALLOW);
}

#endif /* __x86_64__ */

int
main (int   argc,
      char *argv[])
{
  g_autofree char *fallback = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  try_syscall = g_getenv ("PADDOCK_TRY_SYSCALL");
  if (try_syscall == NULL)
    {
      g_autofree char *dir = g_path_get_dirname (argv[0]);

      fallback = g_build_filename (dir, "try-syscall", NULL);
      try_syscall = fallback;
    }

  g_test_add_func ("/sandbox/seccomp/fd/program", test_fd);
  g_test_add_func ("/sandbox/seccomp/fd/deterministic", test_fd_deterministic);

  for (gsize i = 0; i < G_N_ELEMENTS (probes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sandbox/seccomp/probe/%s", probes[i].name);

      g_test_add_data_func (path, &probes[i], test_probe);
    }

#if defined(__x86_64__)
  g_test_add_func ("/sandbox/seccomp/bpf/abis", test_bpf_abis);
  g_test_add_func ("/sandbox/seccomp/bpf/blocked", test_bpf_blocked);
  g_test_add_func ("/sandbox/seccomp/bpf/clone", test_bpf_clone);
  g_test_add_func ("/sandbox/seccomp/bpf/ioctl", test_bpf_ioctl);
  g_test_add_func ("/sandbox/seccomp/bpf/personality", test_bpf_personality);
  g_test_add_func ("/sandbox/seccomp/bpf/socket", test_bpf_socket);
#endif

  ret = g_test_run ();
  g_free (program.filter);

  return ret;
}
