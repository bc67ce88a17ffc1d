/* sandbox-watch.c: which file accesses the sandbox refused, for the record
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>  /* ST_RDONLY */
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <seccomp.h>

#include "sandbox-spec.h"
#include "sandbox-watch.h"

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (scmp_filter_ctx, seccomp_release, NULL)

/* Linux 6.6: the watched process hands the CPU straight to the helper
 * and back, rather than wake it and wait to be scheduled again. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
# define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW (4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
# define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP 1
#endif

typedef enum
{
  WATCH_OPEN,          /* flags say read or write */
  WATCH_OPENAT2,       /* flags in struct open_how */
  WATCH_CREAT,
  WATCH_WRITE_FILE,    /* the file itself must be writable */
  WATCH_WRITE_PARENT,  /* its folder must be: create, remove, rename, link */
} WatchKind;

typedef struct
{
  const char *name;
  WatchKind kind;
  int dirfd_arg;       /* -1: relative to the working folder */
  int path_arg;
  int dirfd2_arg;      /* rename's destination; -1 */
  int path2_arg;       /* -1: none */
} Watched;

static const Watched watched[] = {
  { "open", WATCH_OPEN, -1, 0, -1, -1 },
  { "openat", WATCH_OPEN, 0, 1, -1, -1 },
  { "openat2", WATCH_OPENAT2, 0, 1, -1, -1 },
  { "creat", WATCH_CREAT, -1, 0, -1, -1 },
  { "truncate", WATCH_WRITE_FILE, -1, 0, -1, -1 },
  { "mkdir", WATCH_WRITE_PARENT, -1, 0, -1, -1 },
  { "mkdirat", WATCH_WRITE_PARENT, 0, 1, -1, -1 },
  { "unlink", WATCH_WRITE_PARENT, -1, 0, -1, -1 },
  { "unlinkat", WATCH_WRITE_PARENT, 0, 1, -1, -1 },
  { "rmdir", WATCH_WRITE_PARENT, -1, 0, -1, -1 },
  { "rename", WATCH_WRITE_PARENT, -1, 0, -1, 1 },
  { "renameat", WATCH_WRITE_PARENT, 0, 1, 2, 3 },
  { "renameat2", WATCH_WRITE_PARENT, 0, 1, 2, 3 },
  { "link", WATCH_WRITE_PARENT, -1, 1, -1, -1 },
  { "linkat", WATCH_WRITE_PARENT, 2, 3, -1, -1 },
  { "symlink", WATCH_WRITE_PARENT, -1, 1, -1, -1 },
  { "symlinkat", WATCH_WRITE_PARENT, 1, 2, -1, -1 },
};

struct _SandboxWatch
{
  int socket_fd;       /* until the listener arrives */
  int listener_fd;
  char **hidden;
  int numbers[G_N_ELEMENTS (watched)];  /* this architecture's, or -1 */
  GPtrArray *refusals;
  GHashTable *seen;    /* "access\npath" */
  guint dropped;
  /* Every process inside has the sandbox's root (chroot is refused
   * there): opened once. */
  int root_fd;
  struct seccomp_notif *req;
  struct seccomp_notif_resp *resp;
};

static int
usage (void)
{
  g_printerr ("usage: paddock-sandbox --watch-files FD -- PROGRAM [ARG]…\n");
  return 125;
}

int
sandbox_watch_main (int    argc,
                    char **argv)
{
  g_auto(scmp_filter_ctx) filter = NULL;
  char control[CMSG_SPACE (sizeof (int))] = { 0 };
  char byte = 'L';
  struct iovec iov = { &byte, 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                        .msg_controllen = sizeof control };
  struct cmsghdr *cmsg;
  int socket_fd, listener, r;

  if (argc < 5 || !g_str_equal (argv[1], "--watch-files") || !g_str_equal (argv[3], "--"))
    return usage ();
  socket_fd = atoi (argv[2]);

  filter = seccomp_init (SCMP_ACT_ALLOW);
  if (filter == NULL)
    {
      g_printerr ("paddock-sandbox: cannot make the filter that records refused file access\n");
      return 125;
    }
  /* Only watching: the sandbox's own filter already judges other
   * architectures. */
  seccomp_attr_set (filter, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
  for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
    {
      int nr = seccomp_syscall_resolve_name (watched[i].name);

      /* Not every architecture has the old calls (open, mkdir…). */
      if (nr < 0)
        continue;
      r = seccomp_rule_add_exact (filter, SCMP_ACT_NOTIFY, nr, 0);
      if (r < 0)
        {
          g_printerr ("paddock-sandbox: cannot watch %s: %s\n", watched[i].name, g_strerror (-r));
          return 125;
        }
    }

  /* From here until the listener is sent, nothing may open a file: the
   * call would wait for an answer nobody can give yet. */
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || (r = seccomp_load (filter)) < 0 ||
      (listener = seccomp_notify_fd (filter)) < 0)
    {
      g_printerr ("paddock-sandbox: cannot install the filter that records refused file access; "
                  "refusing to run unwatched\n");
      return 125;
    }

  cmsg = CMSG_FIRSTHDR (&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cmsg), &listener, sizeof (int));
  if (sendmsg (socket_fd, &msg, MSG_NOSIGNAL) != 1)
    return 125;  /* nobody outside: every open would wait forever */
  close (listener);
  close (socket_fd);

  execvp (argv[4], argv + 4);
  g_printerr ("paddock-sandbox: %s: %s\n", argv[4], g_strerror (errno));
  return errno == ENOENT ? 127 : 126;
}

static void
refusal_free (SandboxRefusal *refusal)
{
  g_free (refusal->access);
  g_free (refusal->path);
  g_free (refusal->reason);
  g_free (refusal->syscall);
  g_free (refusal);
}

SandboxWatch *
sandbox_watch_new (int           socket_fd,
                   char * const *hidden)
{
  SandboxWatch *watch = g_new0 (SandboxWatch, 1);

  watch->socket_fd = socket_fd;
  watch->listener_fd = -1;
  watch->root_fd = -1;
  watch->hidden = g_strdupv ((char **) hidden);
  for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
    watch->numbers[i] = seccomp_syscall_resolve_name (watched[i].name);
  watch->refusals = g_ptr_array_new_with_free_func ((GDestroyNotify) refusal_free);
  watch->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return watch;
}

int
sandbox_watch_get_fd (SandboxWatch *watch)
{
  return watch->socket_fd >= 0 ? watch->socket_fd : watch->listener_fd;
}

static void
receive_listener (SandboxWatch *watch)
{
  char control[CMSG_SPACE (sizeof (int))] = { 0 };
  char byte;
  struct iovec iov = { &byte, 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                        .msg_controllen = sizeof control };
  struct cmsghdr *cmsg;
  ssize_t n = recvmsg (watch->socket_fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);

  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  cmsg = n == 1 ? CMSG_FIRSTHDR (&msg) : NULL;
  if (cmsg != NULL && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
    {
      memcpy (&watch->listener_fd, CMSG_DATA (cmsg), sizeof (int));
      /* Older kernels refuse it, and are only slower. */
      (void) ioctl (watch->listener_fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
    }
  close (watch->socket_fd);
  watch->socket_fd = -1;
}

/* @length bytes at @address in @pid's memory. */
static gboolean
read_memory (pid_t    pid,
             guint64  address,
             void    *buffer,
             gsize    length)
{
  struct iovec local = { buffer, length };
  struct iovec remote = { (void *) (guintptr) address, length };

  return process_vm_readv (pid, &local, 1, &remote, 1, 0) == (ssize_t) length;
}

/* The NUL-terminated string at @address in @pid's memory. */
static char *
read_string (pid_t   pid,
             guint64 address)
{
  g_autoptr(GString) text = g_string_new (NULL);

  while (text->len < PATH_MAX)
    {
      char chunk[1024];
      /* Never past the page: the next may not be mapped. */
      gsize want = MIN (sizeof chunk, 4096 - (address % 4096));
      char *end;

      if (!read_memory (pid, address, chunk, want))
        return NULL;
      end = memchr (chunk, '\0', want);
      g_string_append_len (text, chunk, end ? end - chunk : (gssize) want);
      if (end != NULL)
        return g_string_free (g_steal_pointer (&text), FALSE);
      address += want;
    }
  return NULL;
}

static char *
absolute_path (pid_t       pid,
               int         dirfd,
               const char *path)
{
  g_autofree char *link = NULL;
  g_autofree char *base = NULL;

  if (g_path_is_absolute (path))
    return g_canonicalize_filename (path, "/");
  link = dirfd == AT_FDCWD ? g_strdup_printf ("/proc/%d/cwd", pid) : g_strdup_printf ("/proc/%d/fd/%d", pid, dirfd);
  base = g_file_read_link (link, NULL);
  if (base == NULL || !g_path_is_absolute (base))
    return NULL;
  return g_canonicalize_filename (path, base);
}

/* The errno the access would meet in the sandbox's view, or 0. */
static int
try_access (SandboxWatch *watch,
            int           root_fd,
            const char   *path,
            gboolean      follow,
            int           mode)
{
  struct open_how how = {
    .flags = O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW),
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  int fd;
  int result = 0;
  struct statfs fs;

  /* Hidden paths are empty and without permissions inside, but a helper
   * run by root would still pass through them. */
  for (guint i = 0; watch->hidden[i] != NULL; i++)
    if (sandbox_path_is_within (path, watch->hidden[i]) &&
        (mode != F_OK || !g_str_equal (path, watch->hidden[i])))
      return EACCES;

  fd = syscall (SYS_openat2, root_fd, path, &how, sizeof how);
  if (fd < 0)
    return errno;
  if (mode != F_OK && syscall (SYS_faccessat2, fd, "", mode, AT_EMPTY_PATH) != 0)
    result = errno;
  /* access() checks permissions first; a write meets the read-only
   * mount first. */
  if (result == EACCES && mode == W_OK && fstatfs (fd, &fs) == 0 && (fs.f_flags & ST_RDONLY))
    result = EROFS;
  close (fd);
  return result;
}

static void
note (SandboxWatch *watch,
      const char   *access,
      const char   *path,
      int           errnum,
      const char   *syscall_name,
      pid_t         pid)
{
  g_autofree char *key = g_strdup_printf ("%s\n%s", access, path);
  SandboxRefusal *refusal;
  const char *reason = "permission";

  if (g_hash_table_contains (watch->seen, key))
    return;
  if (g_hash_table_size (watch->seen) >= SANDBOX_WATCH_LIMIT)
    {
      watch->dropped++;
      return;
    }
  if (errnum == EROFS)
    reason = "read-only";
  for (guint i = 0; watch->hidden[i] != NULL; i++)
    if (sandbox_path_is_within (path, watch->hidden[i]))
      reason = "hidden";

  refusal = g_new0 (SandboxRefusal, 1);
  refusal->access = g_strdup (access);
  refusal->path = g_strdup (path);
  refusal->reason = g_strdup (reason);
  refusal->syscall = g_strdup (syscall_name);
  refusal->pid = pid;
  g_ptr_array_add (watch->refusals, refusal);
  g_hash_table_add (watch->seen, g_steal_pointer (&key));
}

static gboolean
is_refusal (int errnum)
{
  return errnum == EACCES || errnum == EPERM || errnum == EROFS;
}

/* One path of the call: what it asks, and whether the sandbox says no. */
static void
check (SandboxWatch                *watch,
       const Watched               *what,
       const struct seccomp_notif  *req,
       int                          root_fd,
       int                          dirfd_arg,
       int                          path_arg)
{
  int dirfd = dirfd_arg >= 0 ? (int) req->data.args[dirfd_arg] : AT_FDCWD;
  g_autofree char *raw = read_string (req->pid, req->data.args[path_arg]);
  g_autofree char *path = NULL;
  g_autofree char *parent = NULL;
  guint64 flags = 0;
  gboolean write;
  int errnum;

  if (raw == NULL || *raw == '\0' || (path = absolute_path (req->pid, dirfd, raw)) == NULL)
    return;
  parent = g_path_get_dirname (path);

  switch (what->kind)
    {
    case WATCH_OPEN:
    case WATCH_OPENAT2:
    case WATCH_CREAT:
      if (what->kind == WATCH_CREAT)
        flags = O_CREAT | O_WRONLY | O_TRUNC;
      else if (what->kind == WATCH_OPEN)
        flags = req->data.args[what->dirfd_arg < 0 ? 1 : 2];
      else if (!read_memory (req->pid, req->data.args[2], &flags, sizeof flags))
        return;
      write = (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
      if (flags & O_PATH)
        errnum = try_access (watch, root_fd, path, !(flags & O_NOFOLLOW), F_OK);
      else
        errnum = try_access (watch, root_fd, path, !(flags & O_NOFOLLOW), write ? W_OK : R_OK);
      if (errnum == ENOENT && (flags & O_CREAT))
        errnum = try_access (watch, root_fd, parent, TRUE, W_OK);
      if (is_refusal (errnum))
        note (watch, write ? "write" : "read", path, errnum, what->name, req->pid);
      break;

    case WATCH_WRITE_FILE:
      errnum = try_access (watch, root_fd, path, TRUE, W_OK);
      if (is_refusal (errnum))
        note (watch, "write", path, errnum, what->name, req->pid);
      break;

    case WATCH_WRITE_PARENT:
      errnum = try_access (watch, root_fd, parent, TRUE, W_OK);
      if (is_refusal (errnum))
        note (watch, "write", path, errnum, what->name, req->pid);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* Without the listener the kernel fails what the filter still catches
 * (ENOSYS): a command that cannot be watched is not left waiting. */
static void
stop_watching (SandboxWatch *watch)
{
  close (watch->listener_fd);
  watch->listener_fd = -1;
}

static void
answer (SandboxWatch *watch)
{
  struct seccomp_notif *req;
  struct seccomp_notif_resp *resp;

  if (watch->req == NULL && seccomp_notify_alloc (&watch->req, &watch->resp) != 0)
    {
      stop_watching (watch);
      return;
    }
  req = watch->req;
  resp = watch->resp;
  memset (req, 0, sizeof *req);
  if (seccomp_notify_receive (watch->listener_fd, req) != 0)
    {
      /* ENOENT: the caller died meanwhile. Anything else would leave the
       * call waiting and this loop spinning. */
      if (errno != ENOENT && errno != EINTR)
        stop_watching (watch);
      return;
    }

  if (watch->root_fd < 0)
    {
      g_autofree char *root_path = g_strdup_printf ("/proc/%d/root", req->pid);

      watch->root_fd = open (root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
      /* Kept only once the task is known to be the caller still. */
      if (watch->root_fd >= 0 && seccomp_notify_id_valid (watch->listener_fd, req->id) != 0)
        {
          close (watch->root_fd);
          watch->root_fd = -1;
        }
    }
  /* Still the same task in the same call: its pid was not reused. */
  if (watch->root_fd >= 0 && seccomp_notify_id_valid (watch->listener_fd, req->id) == 0)
    for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
      if (watch->numbers[i] >= 0 && req->data.nr == watch->numbers[i])
        {
          check (watch, &watched[i], req, watch->root_fd, watched[i].dirfd_arg, watched[i].path_arg);
          if (watched[i].path2_arg >= 0)
            check (watch, &watched[i], req, watch->root_fd, watched[i].dirfd2_arg, watched[i].path2_arg);
          break;
        }

  /* The kernel decides, exactly as without the watch. */
  memset (resp, 0, sizeof *resp);
  resp->id = req->id;
  resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  seccomp_notify_respond (watch->listener_fd, resp);
}

void
sandbox_watch_handle (SandboxWatch *watch)
{
  struct pollfd fd = { sandbox_watch_get_fd (watch), POLLIN, 0 };

  if (fd.fd < 0 || poll (&fd, 1, 0) <= 0)
    return;
  if (watch->socket_fd >= 0)
    {
      receive_listener (watch);
      return;
    }
  /* Receiving blocks; only when a call waits. */
  if (fd.revents & POLLIN)
    answer (watch);
  else if (fd.revents & (POLLHUP | POLLERR))
    stop_watching (watch);
}

GPtrArray *
sandbox_watch_get_refusals (SandboxWatch *watch)
{
  return watch->refusals;
}

guint
sandbox_watch_get_dropped (SandboxWatch *watch)
{
  return watch->dropped;
}

void
sandbox_watch_free (SandboxWatch *watch)
{
  if (watch->socket_fd >= 0)
    close (watch->socket_fd);
  if (watch->listener_fd >= 0)
    close (watch->listener_fd);
  if (watch->root_fd >= 0)
    close (watch->root_fd);
  if (watch->req != NULL)
    seccomp_notify_free (watch->req, watch->resp);
  g_strfreev (watch->hidden);
  g_ptr_array_unref (watch->refusals);
  g_hash_table_unref (watch->seen);
  g_free (watch);
}
