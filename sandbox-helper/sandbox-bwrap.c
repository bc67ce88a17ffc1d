/* sandbox-bwrap.c
 *
 * The profile, in the order bwrap applies it:
 *   every namespace unshared (user, pid, net, ipc, uts, cgroup), nested
 *   user namespaces disabled, a new session, no capabilities;
 *   the host's / read-only; fresh /dev (with its own /dev/shm), /proc,
 *   /tmp, /var/tmp;
 *   an empty /run, so the session and system buses, the user's runtime
 *   folder (Wayland, PulseAudio, PipeWire, gpg-agent) and docker.sock
 *   are gone (X11 and other abstract sockets live in the host's network
 *   namespace, which the sandbox does not share);
 *   the writable roots read-write, opened without following links;
 *   the folders above protected names pinned as mount points of their
 *   own, so they cannot be renamed away;
 *   protected names inside the roots read-only, or an empty read-only
 *   mount where they do not exist yet, and so are files with other hard
 *   links, folders this process cannot list, and git folders that a
 *   ".git" file names;
 *   hidden paths as empty folders or files without permissions, last,
 *   so that they cover what the roots would show.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox-bwrap.h"
#include "sandbox-errors.h"
#include "sandbox-forward.h"

/* More hard-linked files than this is more read-only mounts than a
 * sandbox should hold; the run is refused rather than left open. */
#define MAX_HARD_LINK_MOUNTS 4096

/* Names that are files when they exist; others are folders. */
static const char * const file_names[] = {
  ".envrc", ".gitmodules", ".gitattributes", ".mcp.json", ".npmrc", ".env", ".netrc", ".pypirc",
  ".git-credentials", ".vault-token", "credentials", "credentials.toml", "credentials.tfrc.json", NULL,
};

static void
placeholder_free (SandboxPlaceholder *placeholder)
{
  g_free (placeholder->path);
  g_free (placeholder);
}

void
sandbox_bwrap_free (SandboxBwrap *bwrap)
{
  if (bwrap == NULL)
    return;

  /* Also when building failed half-way: nothing of ours stays behind. */
  sandbox_bwrap_cleanup (bwrap);
  for (guint i = 0; bwrap->fds && i < bwrap->fds->len; i++)
    close (g_array_index (bwrap->fds, int, i));
  g_clear_pointer (&bwrap->fds, g_array_unref);
  if (bwrap->watch_fd >= 0)
    close (bwrap->watch_fd);
  g_clear_pointer (&bwrap->args, g_ptr_array_unref);
  g_clear_pointer (&bwrap->late_args, g_ptr_array_unref);
  g_clear_pointer (&bwrap->command_prefix, g_ptr_array_unref);
  g_clear_pointer (&bwrap->pinned, g_hash_table_unref);
  g_clear_pointer (&bwrap->placeholders, g_ptr_array_unref);
  g_free (bwrap->empties);
  g_free (bwrap->empty_path);
  g_free (bwrap);
}

static void
add_args (SandboxBwrap *bwrap,
          ...) G_GNUC_NULL_TERMINATED;

static void
add_args (SandboxBwrap *bwrap,
          ...)
{
  const char *arg;
  va_list args;

  va_start (args, bwrap);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (bwrap->args, g_strdup (arg));
  va_end (args);
}

/* Keeps @fd for bwrap and returns its number as text. */
static char *
keep_fd (SandboxBwrap *bwrap,
         int           fd)
{
  g_array_append_val (bwrap->fds, fd);
  return g_strdup_printf ("%d", fd);
}

static gboolean
is_file_name (const char *name)
{
  const char *base = strrchr (name, '/');

  return g_strv_contains (file_names, base ? base + 1 : name);
}

static const struct
{
  const char *name;
  gboolean dir;
  mode_t mode;
} empty_kinds[] = {
  [SANDBOX_EMPTY_DIR] = { "dir", TRUE, 0555 },
  [SANDBOX_EMPTY_FILE] = { "file", FALSE, 0444 },
  [SANDBOX_EMPTY_HIDDEN_DIR] = { "hidden-dir", TRUE, 0 },
  [SANDBOX_EMPTY_HIDDEN_FILE] = { "hidden-file", FALSE, 0 },
};

/* A tmpfs when there is one (creating and removing files on a disk
 * costs more than the rest of the setup), and never in the sandbox's
 * view: bwrap gives it its own /run, /dev and /tmp. */
static const char *
empties_base (void)
{
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");

  if (runtime != NULL && g_path_is_absolute (runtime) && g_file_test (runtime, G_FILE_TEST_IS_DIR))
    return runtime;
  if (g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR))
    return "/dev/shm";
  return g_get_tmp_dir ();
}

/* Empty things to bind over what must look empty: one bind mount each,
 * where a tmpfs would need a second to become read-only. They live in a
 * private folder made for the run and go with it. */
static const char *
empty (SandboxBwrap     *bwrap,
       SandboxEmptyKind  kind,
       GError          **error)
{
  g_autofree char *path = NULL;
  int fd = -1;

  if (bwrap->empties == NULL)
    {
      g_autofree char *template = g_build_filename (empties_base (), "paddock-sandbox-XXXXXX", NULL);

      if (g_mkdtemp (template) == NULL)
        {
          int saved_errno = errno;
          sandbox_fail (error, SANDBOX_ERROR_IO, "cannot make a private folder %s: %s",
                        template, g_strerror (saved_errno));
          return NULL;
        }
      bwrap->empties = g_steal_pointer (&template);
    }

  path = g_build_filename (bwrap->empties, empty_kinds[kind].name, NULL);
  if (!(bwrap->empties_made & (1u << kind)))
    {
      if (empty_kinds[kind].dir ? mkdir (path, empty_kinds[kind].mode) != 0
                                : (fd = open (path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC,
                                              empty_kinds[kind].mode)) < 0)
        {
          int saved_errno = errno;
          sandbox_fail (error, SANDBOX_ERROR_IO, "%s: %s", path, g_strerror (saved_errno));
          return NULL;
        }
      if (fd >= 0)
        close (fd);
      bwrap->empties_made |= 1u << kind;
    }

  g_free (bwrap->empty_path);
  bwrap->empty_path = g_steal_pointer (&path);
  return bwrap->empty_path;
}

/* Opens @path with O_PATH, refusing a symbolic link in any component:
 * what the caller resolved must still be what is there. Returns -1 with
 * errno ELOOP for a link and ENOENT for a missing component. */
static int
open_nofollow (const char *path,
               int         flags)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  int fd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

  for (guint i = 1; fd >= 0 && parts[i] != NULL; i++)
    {
      struct stat st;
      int next;

      next = openat (fd, parts[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
      close (fd);
      fd = next;
      if (fd < 0)
        return -1;
      if (fstat (fd, &st) != 0 || S_ISLNK (st.st_mode))
        {
          close (fd);
          errno = ELOOP;
          return -1;
        }
    }

  if (fd >= 0 && flags != 0 && fcntl (fd, F_SETFD, 0) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static gboolean
mount_hidden (SandboxBwrap  *bwrap,
              const char    *path,
              GError       **error)
{
  const char *source;
  struct stat st;

  if (lstat (path, &st) != 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        return TRUE;  /* nothing there to hide */
      return sandbox_fail (error, SANDBOX_ERROR_UNSAFE, "%s cannot be examined: %s", path, g_strerror (errno));
    }

  if (S_ISLNK (st.st_mode))
    return sandbox_fail (error, SANDBOX_ERROR_UNSAFE,
                         "%s, which must be hidden, is now a symbolic link; refusing to run", path);

  /* Empty, and with no permissions at all: not even listed. */
  source = empty (bwrap, S_ISDIR (st.st_mode) ? SANDBOX_EMPTY_HIDDEN_DIR : SANDBOX_EMPTY_HIDDEN_FILE, error);
  if (source == NULL)
    return FALSE;
  add_args (bwrap, "--ro-bind", source, path, NULL);
  return TRUE;
}

/* Creates an empty file or folder at @name under @dir_fd, remembering it
 * to remove after the run. */
static gboolean
create_placeholder (SandboxBwrap  *bwrap,
                    int            dir_fd,
                    const char    *name,
                    const char    *path,
                    gboolean       is_dir,
                    GError       **error)
{
  SandboxPlaceholder *placeholder;
  struct stat st;
  int created;

  if (is_dir)
    created = mkdirat (dir_fd, name, 0755);
  else
    {
      int fd = openat (dir_fd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);

      created = fd >= 0 ? close (fd) : -1;
    }
  if (created != 0)
    return sandbox_fail (error, SANDBOX_ERROR_IO, "cannot create the placeholder %s: %s",
                         path, g_strerror (errno));
  if (fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return sandbox_fail (error, SANDBOX_ERROR_IO, "%s: %s", path, g_strerror (errno));

  placeholder = g_new0 (SandboxPlaceholder, 1);
  placeholder->path = g_strdup (path);
  placeholder->dev = st.st_dev;
  placeholder->ino = st.st_ino;
  placeholder->is_dir = is_dir;
  g_ptr_array_add (bwrap->placeholders, placeholder);
  return TRUE;
}

static gboolean
is_placeholder (SandboxBwrap      *bwrap,
                const struct stat *st)
{
  for (guint i = 0; i < bwrap->placeholders->len; i++)
    {
      SandboxPlaceholder *placeholder = g_ptr_array_index (bwrap->placeholders, i);

      if (placeholder->dev == st->st_dev && placeholder->ino == st->st_ino)
        return TRUE;
    }
  return FALSE;
}

/* Read-only mounts wait in late_args until the writable roots and the
 * pins are in place: bwrap applies options in order. */
static gboolean
mount_read_only_fd (SandboxBwrap  *bwrap,
                    int            fd,
                    const char    *path)
{
  if (fcntl (fd, F_SETFD, 0) != 0)
    {
      close (fd);
      return FALSE;
    }
  g_array_append_val (bwrap->fds, fd);
  g_ptr_array_add (bwrap->late_args, g_strdup ("--ro-bind-fd"));
  g_ptr_array_add (bwrap->late_args, g_strdup_printf ("%d", fd));
  g_ptr_array_add (bwrap->late_args, g_strdup (path));
  bwrap->protected_mounts++;
  return TRUE;
}

/* Makes the folder at @path, open as @fd, a mount point of its own, so
 * that it cannot be renamed away: otherwise a protected name below it
 * would move along, and a fresh folder with a fresh, writable name
 * would take its place. @fd stays the caller's. */
static gboolean
pin_folder (SandboxBwrap  *bwrap,
            int            fd,
            const char    *path,
            GError       **error)
{
  int copy;

  if (g_hash_table_contains (bwrap->pinned, path))
    return TRUE;
  copy = fcntl (fd, F_DUPFD, 3);
  if (copy < 0)
    return sandbox_fail (error, SANDBOX_ERROR_IO, "%s: %s", path, g_strerror (errno));
  g_array_append_val (bwrap->fds, copy);
  g_hash_table_insert (bwrap->pinned, g_strdup (path), g_strdup_printf ("%d", copy));
  return TRUE;
}

/* Makes @name (relative, maybe "a/b") under the writable root @root
 * read-only: the existing file or folder bound read-only, or with
 * @create, an empty read-only placeholder at the first part that does
 * not exist. The folders on the way are pinned. */
static gboolean
protect_name (SandboxBwrap  *bwrap,
              const char    *root,
              int            root_fd,
              const char    *name,
              gboolean       create,
              GError       **error)
{
  g_auto(GStrv) parts = g_strsplit (name, "/", -1);
  g_autoptr(GString) path = g_string_new (root);
  int fd = dup (root_fd);

  if (fd < 0)
    return sandbox_fail (error, SANDBOX_ERROR_IO, "dup: %s", g_strerror (errno));

  for (guint i = 0; parts[i] != NULL; i++)
    {
      gboolean last = parts[i + 1] == NULL;
      struct stat st;
      int next;

      g_string_append_printf (path, "%s%s", g_str_equal (root, "/") && i == 0 ? "" : "/", parts[i]);

      next = openat (fd, parts[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0 && errno == ENOENT && !create)
        {
          close (fd);
          return TRUE;
        }
      if (next < 0 && errno == ENOENT)
        {
          gboolean is_dir = !last || !is_file_name (name);
          gboolean ok = create_placeholder (bwrap, fd, parts[i], path->str, is_dir, error);
          const char *source;

          close (fd);
          if (!ok || (source = empty (bwrap, is_dir ? SANDBOX_EMPTY_DIR : SANDBOX_EMPTY_FILE, error)) == NULL)
            return FALSE;
          g_ptr_array_add (bwrap->late_args, g_strdup ("--ro-bind"));
          g_ptr_array_add (bwrap->late_args, g_strdup (source));
          g_ptr_array_add (bwrap->late_args, g_strdup (path->str));
          bwrap->protected_mounts++;
          return TRUE;
        }
      close (fd);
      if (next < 0)
        return sandbox_fail (error, SANDBOX_ERROR_UNSAFE, "%s cannot be opened: %s", path->str, g_strerror (errno));
      if (fstat (next, &st) != 0)
        {
          close (next);
          return sandbox_fail (error, SANDBOX_ERROR_IO, "%s: %s", path->str, g_strerror (errno));
        }
      if (S_ISLNK (st.st_mode))
        {
          char target[4096];
          ssize_t n = readlinkat (next, "", target, sizeof target - 1);

          close (next);
          target[n > 0 ? n : 0] = '\0';
          return sandbox_fail (error, SANDBOX_ERROR_UNSAFE,
                               "%s is a symbolic link (to “%s”), so Paddock cannot keep it read-only; "
                               "replace it with the real %s, or run read-only",
                               path->str, target, last ? "file or folder" : "folder");
        }
      if (is_placeholder (bwrap, &st))
        {
          close (next);
          return TRUE;  /* an empty read-only placeholder already covers it */
        }
      if (last)
        return mount_read_only_fd (bwrap, next, path->str) ||
               sandbox_fail (error, SANDBOX_ERROR_IO, "%s: %s", path->str, g_strerror (errno));
      if (!S_ISDIR (st.st_mode))
        {
          close (next);
          return TRUE;  /* a file where a folder would be: nothing below it to protect */
        }
      if (!pin_folder (bwrap, next, path->str, error))
        {
          close (next);
          return FALSE;
        }
      fd = next;
    }

  g_assert_not_reached ();
}

/* The writable root that holds @path, or NULL. */
static const char *
root_of (GPtrArray  *roots,
         const char *path)
{
  for (guint i = 0; i < roots->len; i++)
    {
      const char *root = g_ptr_array_index (roots, i);
      gsize len = strlen (root);

      if (g_str_equal (root, "/") ||
          (strncmp (path, root, len) == 0 && (path[len] == '/' || path[len] == '\0')))
        return root;
    }
  return NULL;
}

/* Reads a one-line pointer file of git's ("gitdir: PATH" in a .git
 * file, "PATH" in commondir) and returns PATH made absolute against
 * @base and resolved, or NULL. */
static char *
read_git_pointer (int         dir_fd,
                  const char *name,
                  const char *prefix,
                  const char *base)
{
  char buffer[4096];
  g_autofree char *joined = NULL;
  char resolved[PATH_MAX];
  ssize_t n;
  char *line;
  int fd;

  fd = openat (dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return NULL;
  n = read (fd, buffer, sizeof buffer - 1);
  close (fd);
  if (n <= 0)
    return NULL;
  buffer[n] = '\0';
  if (!g_str_has_prefix (buffer, prefix))
    return NULL;
  line = g_strstrip (buffer + strlen (prefix));
  if (*line == '\0' || strchr (line, '\n') != NULL)
    return NULL;

  joined = g_path_is_absolute (line) ? g_strdup (line) : g_build_filename (base, line, NULL);
  if (realpath (joined, resolved) == NULL)
    return NULL;
  return g_strdup (resolved);
}

/* Keeps @folder, a git folder named by the repository in @owner,
 * read-only when it lies in a writable root. */
static gboolean
protect_git_folder (SandboxBwrap  *bwrap,
                    GPtrArray     *roots,
                    const char    *folder,
                    const char    *owner,
                    GError       **error)
{
  const char *root = root_of (roots, folder);
  gsize skip;
  gboolean ok;
  int root_fd;

  if (root == NULL)
    return TRUE;  /* outside the writable roots: read-only already */
  if (g_str_equal (folder, root))
    return sandbox_fail (error, SANDBOX_ERROR_UNSAFE,
                         "the repository in %s keeps its git folder at %s, a whole writable folder; "
                         "Paddock cannot keep it read-only, so it refuses to run; run read-only",
                         owner, folder);

  root_fd = open_nofollow (root, 0);
  if (root_fd < 0)
    return sandbox_fail (error, SANDBOX_ERROR_UNSAFE, "%s cannot be opened: %s", root, g_strerror (errno));
  skip = g_str_equal (root, "/") ? 1 : strlen (root) + 1;
  ok = protect_name (bwrap, root, root_fd, folder + skip, FALSE, error);
  close (root_fd);
  return ok;
}

/* A ".git" file names the repository's real folder ("gitdir: …"), and
 * that folder may name another ("commondir"). Git on the host honours
 * their config and hooks as it would .git's. */
static gboolean
protect_git_pointers (SandboxBwrap  *bwrap,
                      GPtrArray     *roots,
                      int            dir_fd,
                      const char    *dir_path,
                      GError       **error)
{
  g_autofree char *gitdir = read_git_pointer (dir_fd, ".git", "gitdir:", dir_path);
  g_autofree char *commondir = NULL;
  int git_fd;

  if (gitdir == NULL)
    return TRUE;
  if (!protect_git_folder (bwrap, roots, gitdir, dir_path, error))
    return FALSE;

  git_fd = open (gitdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (git_fd < 0)
    return TRUE;
  commondir = read_git_pointer (git_fd, "commondir", "", gitdir);
  close (git_fd);
  return commondir == NULL || protect_git_folder (bwrap, roots, commondir, dir_path, error);
}

typedef struct
{
  SandboxBwrap *bwrap;
  GPtrArray *roots;            /* const char*: every writable root */
  const char * const *names;   /* protected single names, found at any depth */
  guint visited;
  guint limit;
  GPtrArray *stack;            /* ScanFolder*: the folders above the current one */
} Scan;

typedef struct
{
  int fd;
  char *path;
} ScanFolder;

/* Pins every folder between the root and the current one. */
static gboolean
pin_stack (Scan     *scan,
           GError  **error)
{
  for (guint i = 0; i < scan->stack->len; i++)
    {
      ScanFolder *folder = g_ptr_array_index (scan->stack, i);

      if (!pin_folder (scan->bwrap, folder->fd, folder->path, error))
        return FALSE;
    }
  return TRUE;
}

/* Walks a writable root: protected single names deeper in the tree are
 * bound read-only, and so is every regular file with more than one
 * link. A hard link made outside the sandbox can point at any file of
 * the same filesystem (a pnpm store, ~/.bashrc); written through the
 * workspace it would change that file. Inside the sandbox no new one
 * can be made to the outside: link() across mounts fails. A folder this
 * process cannot list might hold either, so it is made read-only whole;
 * past the limit the run is refused. */
static gboolean
scan_tree (Scan         *scan,
           int           dir_fd,
           const char   *dir_path,
           gboolean      top,
           GError      **error)
{
  SandboxBwrap *bwrap = scan->bwrap;
  g_autoptr(GPtrArray) subdirs = g_ptr_array_new_with_free_func (g_free);
  DIR *dir;
  struct dirent *entry;
  int fd;

  fd = openat (dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      int saved_errno = errno;
      int copy;

      if (fd >= 0)
        close (fd);
      if (saved_errno == ENOENT)
        return TRUE;  /* gone since it was listed */
      if (saved_errno != EACCES)
        return sandbox_fail (error, SANDBOX_ERROR_IO, "%s cannot be read: %s", dir_path, g_strerror (saved_errno));
      copy = fcntl (dir_fd, F_DUPFD_CLOEXEC, 3);
      return (copy >= 0 && mount_read_only_fd (bwrap, copy, dir_path)) ||
             sandbox_fail (error, SANDBOX_ERROR_IO, "%s: %s", dir_path, g_strerror (errno));
    }

  while ((entry = readdir (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      unsigned char type = entry->d_type;
      struct stat st;

      if (g_str_equal (entry->d_name, ".") || g_str_equal (entry->d_name, ".."))
        continue;
      if (++scan->visited > scan->limit)
        {
          closedir (dir);
          return sandbox_fail (error, SANDBOX_ERROR_UNSAFE,
                               "the writable folders hold more than %u files and folders; Paddock checks "
                               "each for nested repositories and hard links before a run and stops there, "
                               "so it refuses to run; run in a smaller folder, or read-only",
                               scan->limit);
        }

      path = g_build_filename (dir_path, entry->d_name, NULL);
      if (type == DT_UNKNOWN || type == DT_REG)
        {
          if (fstatat (dirfd (dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            {
              int saved_errno = errno;

              if (saved_errno == ENOENT)
                continue;
              closedir (dir);
              return sandbox_fail (error, SANDBOX_ERROR_IO, "%s cannot be examined: %s", path,
                                   g_strerror (saved_errno));
            }
          type = S_ISDIR (st.st_mode) ? DT_DIR : S_ISREG (st.st_mode) ? DT_REG : S_ISLNK (st.st_mode) ? DT_LNK : DT_UNKNOWN;
        }

      if (g_str_equal (entry->d_name, ".git") && type == DT_REG &&
          !protect_git_pointers (bwrap, scan->roots, dirfd (dir), dir_path, error))
        {
          closedir (dir);
          return FALSE;
        }

      if (g_strv_contains (scan->names, entry->d_name))
        {
          int target;

          /* At the top, protect_name() has done it already. */
          if (top)
            continue;
          if (type == DT_LNK)
            {
              closedir (dir);
              return sandbox_fail (error, SANDBOX_ERROR_UNSAFE,
                                   "%s is a symbolic link, so Paddock cannot keep it read-only; "
                                   "replace it with the real file or folder, or run read-only", path);
            }
          if (!pin_stack (scan, error))
            {
              closedir (dir);
              return FALSE;
            }
          target = openat (dirfd (dir), entry->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
          if (target >= 0 && !mount_read_only_fd (bwrap, target, path))
            {
              closedir (dir);
              return sandbox_fail (error, SANDBOX_ERROR_IO, "%s: %s", path, g_strerror (errno));
            }
          continue;
        }

      if (type == DT_REG && st.st_nlink > 1)
        {
          int target;

          if (++bwrap->hard_links > MAX_HARD_LINK_MOUNTS)
            {
              closedir (dir);
              return sandbox_fail (error, SANDBOX_ERROR_UNSAFE,
                                   "more than %d files in the writable folders have other hard links "
                                   "(the last: %s); each would have to be kept read-only, so Paddock "
                                   "refuses to run; run read-only, or copy them (cp --remove-destination)",
                                   MAX_HARD_LINK_MOUNTS, path);
            }
          target = openat (dirfd (dir), entry->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
          if (target >= 0 && !mount_read_only_fd (bwrap, target, path))
            {
              closedir (dir);
              return sandbox_fail (error, SANDBOX_ERROR_IO, "%s: %s", path, g_strerror (errno));
            }
          continue;
        }

      if (type == DT_DIR)
        g_ptr_array_add (subdirs, g_strdup (entry->d_name));
    }

  for (guint i = 0; i < subdirs->len; i++)
    {
      const char *name = g_ptr_array_index (subdirs, i);
      ScanFolder folder;
      gboolean ok;

      folder.fd = openat (dirfd (dir), name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
      if (folder.fd < 0)
        continue;
      folder.path = g_build_filename (dir_path, name, NULL);
      g_ptr_array_add (scan->stack, &folder);
      ok = scan_tree (scan, folder.fd, folder.path, FALSE, error);
      g_ptr_array_remove_index (scan->stack, scan->stack->len - 1);
      close (folder.fd);
      g_free (folder.path);
      if (!ok)
        {
          closedir (dir);
          return FALSE;
        }
    }

  closedir (dir);
  return TRUE;
}

/* This very program, at SANDBOX_FORWARD_BINARY, once: it is the
 * forwarder, the MCP bridge and the watch inside. */
static gboolean
bind_self (SandboxBwrap  *bwrap,
           GError       **error)
{
  g_autofree char *number = NULL;
  int fd;

  if (bwrap->self_bound)
    return TRUE;
  fd = open ("/proc/self/exe", O_PATH);
  if (fd < 0)
    return sandbox_fail (error, SANDBOX_ERROR_IO, "/proc/self/exe: %s", g_strerror (errno));
  number = keep_fd (bwrap, fd);
  add_args (bwrap, "--ro-bind-fd", number, SANDBOX_FORWARD_BINARY, NULL);
  bwrap->self_bound = TRUE;
  return TRUE;
}

/* The way out: the proxy's socket and this very program, which runs
 * first inside as the forwarder (sandbox-forward.c), holding the token
 * on a descriptor it closes before the command starts. */
static gboolean
add_forwarder (SandboxBwrap       *bwrap,
               const SandboxSpec  *spec,
               GError            **error)
{
  g_autofree char *socket_number = NULL;
  g_autofree char *token_number = NULL;
  struct stat st;
  int socket_fd, token_fd;

  socket_fd = open_nofollow (spec->proxy_socket, 1);
  if (socket_fd < 0 || fstat (socket_fd, &st) != 0 || !S_ISSOCK (st.st_mode))
    {
      if (socket_fd >= 0)
        close (socket_fd);
      return sandbox_fail (error, SANDBOX_ERROR_UNSAFE, "the proxy socket %s is not there, or not a socket",
                           spec->proxy_socket);
    }
  socket_number = keep_fd (bwrap, socket_fd);
  if (!bind_self (bwrap, error))
    return FALSE;

  token_fd = memfd_create ("paddock-proxy-token", 0);
  if (token_fd < 0 || write (token_fd, spec->proxy_token, strlen (spec->proxy_token)) < 0)
    {
      int saved_errno = errno;
      if (token_fd >= 0)
        close (token_fd);
      return sandbox_fail (error, SANDBOX_ERROR_IO, "memfd_create: %s", g_strerror (saved_errno));
    }
  token_number = keep_fd (bwrap, token_fd);

  add_args (bwrap, "--ro-bind-fd", socket_number, SANDBOX_FORWARD_SOCKET, NULL);
  g_ptr_array_add (bwrap->command_prefix, g_strdup (SANDBOX_FORWARD_BINARY));
  g_ptr_array_add (bwrap->command_prefix, g_strdup ("--forward"));
  g_ptr_array_add (bwrap->command_prefix, g_strdup (SANDBOX_FORWARD_SOCKET));
  g_ptr_array_add (bwrap->command_prefix, g_strdup ("--token-fd"));
  g_ptr_array_add (bwrap->command_prefix, g_strdup (token_number));
  g_ptr_array_add (bwrap->command_prefix, g_strdup ("--"));
  return TRUE;
}

/* Paddock's MCP server for the agent's own MCP client, by descriptor so
 * that no link swapped in can point it elsewhere. */
static gboolean
add_mcp_socket (SandboxBwrap       *bwrap,
                const SandboxSpec  *spec,
                GError            **error)
{
  const char *path = spec->mcp_socket;
  g_autofree char *number = NULL;
  struct stat st;
  int fd = open_nofollow (path, 1);

  if (fd < 0 || fstat (fd, &st) != 0 || !S_ISSOCK (st.st_mode))
    {
      if (fd >= 0)
        close (fd);
      return sandbox_fail (error, SANDBOX_ERROR_UNSAFE, "the MCP socket %s is not there, or not a socket", path);
    }
  number = keep_fd (bwrap, fd);
  add_args (bwrap, "--ro-bind-fd", number, SANDBOX_MCP_SOCKET, NULL);
  /* The bridge is this very program, as the forwarder is. */
  return bind_self (bwrap, error);
}

/* The agent's settings file, by descriptor as the socket is. */
static gboolean
add_agent_settings (SandboxBwrap       *bwrap,
                    const SandboxSpec  *spec,
                    GError            **error)
{
  g_autofree char *number = NULL;
  struct stat st;
  int fd = open_nofollow (spec->agent_settings, 1);

  if (fd < 0 || fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      if (fd >= 0)
        close (fd);
      return sandbox_fail (error, SANDBOX_ERROR_UNSAFE, "the agent's settings %s are not there, or not a file",
                           spec->agent_settings);
    }
  number = keep_fd (bwrap, fd);
  add_args (bwrap, "--ro-bind-fd", number, SANDBOX_AGENT_SETTINGS, NULL);
  return TRUE;
}

/* The watch runs after the forwarder, right before the command: only
 * the command's own calls are watched. */
static gboolean
add_watch (SandboxBwrap  *bwrap,
           GError       **error)
{
  int pair[2];

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
    return sandbox_fail (error, SANDBOX_ERROR_IO, "socketpair: %s", g_strerror (errno));
  bwrap->watch_fd = pair[0];
  g_ptr_array_add (bwrap->command_prefix, g_strdup (SANDBOX_FORWARD_BINARY));
  g_ptr_array_add (bwrap->command_prefix, g_strdup ("--watch-files"));
  g_ptr_array_add (bwrap->command_prefix, keep_fd (bwrap, pair[1]));
  g_ptr_array_add (bwrap->command_prefix, g_strdup ("--"));
  return bind_self (bwrap, error);
}

/* Parents before children: bwrap mounts in order. */
static int
compare_depth (gconstpointer a,
               gconstpointer b)
{
  const char *x = *(const char * const *) a, *y = *(const char * const *) b;
  guint dx = 0, dy = 0;

  for (const char *c = x; *c; c++)
    dx += *c == '/';
  for (const char *c = y; *c; c++)
    dy += *c == '/';
  return dx != dy ? (dx > dy) - (dx < dy) : strcmp (x, y);
}

gboolean
sandbox_env_is_allowed (const char *assignment)
{
  static const char * const exact[] = {
    "SSH_AUTH_SOCK", "SSH_AGENT_PID", "GPG_AGENT_INFO", "DBUS_SESSION_BUS_ADDRESS",
    "DBUS_SYSTEM_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "XDG_RUNTIME_DIR",
    "PULSE_SERVER", "PIPEWIRE_REMOTE", "DOCKER_HOST", "KRB5CCNAME", "BASH_ENV", "ENV",
    "PROMPT_COMMAND", NULL,
  };
  static const char * const prefixes[] = { "LD_", "DYLD_", "AWS_", "BASH_FUNC_", NULL };
  static const char * const infixes[] = { "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "_KEY", "APIKEY", NULL };
  const char *eq = strchr (assignment, '=');
  g_autofree char *name = eq ? g_strndup (assignment, eq - assignment) : g_strdup (assignment);
  g_autofree char *upper = g_ascii_strup (name, -1);

  if (g_strv_contains (exact, upper))
    return FALSE;
  for (guint i = 0; prefixes[i] != NULL; i++)
    if (g_str_has_prefix (upper, prefixes[i]))
      return FALSE;
  for (guint i = 0; infixes[i] != NULL; i++)
    if (strstr (upper, infixes[i]) != NULL)
      return FALSE;
  return TRUE;
}

SandboxBwrap *
sandbox_bwrap_new (const SandboxSpec  *spec,
                   int                 seccomp_fd,
                   int                 status_fd,
                   GError            **error)
{
  g_autoptr(SandboxBwrap) bwrap = g_new0 (SandboxBwrap, 1);
  g_autoptr(GPtrArray) roots = g_ptr_array_new ();
  g_autoptr(GPtrArray) nested_names = g_ptr_array_new ();
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  g_autofree const char **pinned = NULL;
  Scan scan = { 0 };

  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (spec->mode != SANDBOX_MODE_FULL_ACCESS, NULL);

  bwrap->args = g_ptr_array_new_with_free_func (g_free);
  bwrap->late_args = g_ptr_array_new_with_free_func (g_free);
  bwrap->pinned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  bwrap->fds = g_array_new (FALSE, FALSE, sizeof (int));
  bwrap->placeholders = g_ptr_array_new_with_free_func ((GDestroyNotify) placeholder_free);
  bwrap->command_prefix = g_ptr_array_new_with_free_func (g_free);
  bwrap->watch_fd = -1;

  /* Namespaces and privileges. --unshare-all includes the user and
   * network namespaces; --disable-userns keeps the command from making
   * a user namespace of its own, where it would hold capabilities. */
  add_args (bwrap,
            "--unshare-all", "--unshare-user", "--disable-userns", "--assert-userns-disabled",
            "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--hostname", "paddock",
            NULL);

  /* The filesystem. */
  add_args (bwrap,
            "--ro-bind", "/", "/",
            "--dev", "/dev",  /* with its own empty /dev/shm */
            "--proc", "/proc",
            "--tmpfs", "/tmp",
            "--tmpfs", "/var/tmp",
            "--tmpfs", "/run",
            NULL);

  if (spec->mode == SANDBOX_MODE_WORKSPACE_WRITE)
    for (guint i = 0; spec->writable[i] != NULL; i++)
      {
        const char *root = spec->writable[i];
        gboolean nested = FALSE;

        /* A root inside another is writable already, and binding it
         * again would resolve its path through the writable parent. */
        for (guint j = 0; spec->writable[j] != NULL && !nested; j++)
          nested = j != i && !g_str_equal (spec->writable[j], root) &&
                   sandbox_path_is_within (root, spec->writable[j]);
        if (nested || g_ptr_array_find_with_equal_func (roots, root, g_str_equal, NULL))
          continue;
        g_ptr_array_add (roots, (gpointer) root);
      }

  for (guint i = 0; i < roots->len; i++)
    {
      const char *root = g_ptr_array_index (roots, i);
      int fd = open_nofollow (root, 1);
      g_autofree char *number = NULL;

      if (fd < 0)
        {
          int saved_errno = errno;
          if (saved_errno == ENOENT)
            continue;  /* an extra root that does not exist gives nothing */
          sandbox_fail (error, SANDBOX_ERROR_UNSAFE,
                        saved_errno == ELOOP
                        ? "the writable folder %s now goes through a symbolic link; refusing to run"
                        : "the writable folder %s cannot be opened",
                        root);
          return NULL;
        }
      number = keep_fd (bwrap, fd);
      add_args (bwrap, "--bind-fd", number, root, NULL);
    }

  for (guint i = 0; spec->protected_names[i] != NULL; i++)
    if (strchr (spec->protected_names[i], '/') == NULL)
      g_ptr_array_add (nested_names, spec->protected_names[i]);
  g_ptr_array_add (nested_names, NULL);

  scan.bwrap = bwrap;
  scan.roots = roots;
  scan.names = (const char * const *) nested_names->pdata;
  scan.limit = spec->scan_limit;
  scan.stack = stack;
  for (guint i = 0; i < roots->len; i++)
    {
      const char *root = g_ptr_array_index (roots, i);
      int root_fd = open_nofollow (root, 0);
      gboolean ok = TRUE;

      if (root_fd < 0)
        continue;
      for (guint n = 0; ok && spec->protected_names[n] != NULL; n++)
        ok = protect_name (bwrap, root, root_fd, spec->protected_names[n], TRUE, error);
      /* A hidden path that does not exist yet must not be made either:
       * a fresh ~/.npmrc or ~/.ssh/authorized_keys would be read on the
       * host. It gets a placeholder, like a protected name. */
      for (guint n = 0; ok && spec->hidden[n] != NULL; n++)
        {
          const char *hidden = spec->hidden[n];
          struct stat st;

          if (root_of (roots, hidden) == root && !g_str_equal (hidden, root) &&
              lstat (hidden, &st) != 0 && (errno == ENOENT || errno == ENOTDIR))
            ok = protect_name (bwrap, root, root_fd, hidden + (g_str_equal (root, "/") ? 1 : strlen (root) + 1),
                               TRUE, error);
        }
      if (ok)
        ok = scan_tree (&scan, root_fd, root, TRUE, error);
      close (root_fd);
      if (!ok)
        return NULL;
    }

  /* The folders above protected names, parents first; then what is
   * read-only inside the writable roots; then what is hidden, which
   * may lie inside them too and must cover them. */
  pinned = (const char **) g_hash_table_get_keys_as_array (bwrap->pinned, NULL);
  qsort (pinned, g_hash_table_size (bwrap->pinned), sizeof (char *), compare_depth);
  for (guint i = 0; pinned[i] != NULL; i++)
    add_args (bwrap, "--bind-fd", (const char *) g_hash_table_lookup (bwrap->pinned, pinned[i]), pinned[i], NULL);
  for (guint i = 0; i < bwrap->late_args->len; i++)
    g_ptr_array_add (bwrap->args, g_strdup (g_ptr_array_index (bwrap->late_args, i)));
  for (guint i = 0; spec->hidden[i] != NULL; i++)
    if (!mount_hidden (bwrap, spec->hidden[i], error))
      return NULL;

  if (spec->proxy_socket != NULL && !add_forwarder (bwrap, spec, error))
    return NULL;
  if (spec->mcp_socket != NULL && !add_mcp_socket (bwrap, spec, error))
    return NULL;
  if (spec->agent_settings != NULL && !add_agent_settings (bwrap, spec, error))
    return NULL;
  if (spec->watch_files && !add_watch (bwrap, error))
    return NULL;

  add_args (bwrap, "--chdir", spec->cwd, "--clearenv", NULL);
  for (guint i = 0; spec->env[i] != NULL; i++)
    {
      const char *eq = strchr (spec->env[i], '=');
      g_autofree char *name = NULL;

      if (eq == NULL || !sandbox_env_is_allowed (spec->env[i]))
        continue;
      name = g_strndup (spec->env[i], eq - spec->env[i]);
      add_args (bwrap, "--setenv", name, eq + 1, NULL);
    }
  /* On bwrap's argument descriptor, never its command line. */
  for (guint i = 0; spec->granted_env[i] != NULL; i++)
    {
      const char *eq = strchr (spec->granted_env[i], '=');
      g_autofree char *name = g_strndup (spec->granted_env[i], eq - spec->granted_env[i]);

      add_args (bwrap, "--setenv", name, eq + 1, NULL);
    }

  if (seccomp_fd >= 0)
    {
      g_autofree char *number = keep_fd (bwrap, seccomp_fd);
      add_args (bwrap, "--seccomp", number, NULL);
    }
  if (status_fd >= 0)
    {
      g_autofree char *number = keep_fd (bwrap, status_fd);
      add_args (bwrap, "--json-status-fd", number, NULL);
    }

  return g_steal_pointer (&bwrap);
}

void
sandbox_bwrap_cleanup (SandboxBwrap *bwrap)
{
  g_return_if_fail (bwrap != NULL);

  /* Newest first: a placeholder folder may hold none of ours, but its
   * removal must come after anything created inside it. */
  for (guint i = bwrap->placeholders ? bwrap->placeholders->len : 0; i > 0; i--)
    {
      SandboxPlaceholder *placeholder = g_ptr_array_index (bwrap->placeholders, i - 1);
      struct stat st;

      if (lstat (placeholder->path, &st) != 0 || st.st_dev != placeholder->dev || st.st_ino != placeholder->ino)
        continue;
      if (placeholder->is_dir)
        rmdir (placeholder->path);  /* fails, and keeps it, if something was put inside */
      else if (S_ISREG (st.st_mode) && st.st_size == 0)
        unlink (placeholder->path);
    }
  if (bwrap->placeholders != NULL)
    g_ptr_array_set_size (bwrap->placeholders, 0);

  if (bwrap->empties != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (empty_kinds); i++)
        if (bwrap->empties_made & (1u << i))
          {
            g_autofree char *path = g_build_filename (bwrap->empties, empty_kinds[i].name, NULL);

            if (empty_kinds[i].dir)
              rmdir (path);
            else
              unlink (path);
          }
      bwrap->empties_made = 0;
      rmdir (bwrap->empties);
      g_clear_pointer (&bwrap->empties, g_free);
    }
}
