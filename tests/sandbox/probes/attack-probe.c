/* attack-probe.c: attacks that a shell script cannot make by itself
 *
 *   attack-probe tty
 *   attack-probe io-uring
 *   attack-probe int80-socketcall
 *   attack-probe connect LABEL ADDRESS
 *   attack-probe udp-send LABEL HOST:PORT
 *   attack-probe dns LABEL HOST:PORT
 *   attack-probe unix-self LABEL DIR
 *   attack-probe tcp-self LABEL
 *   attack-probe udp-self LABEL
 *   attack-probe fds
 *
 * Each attack prints "ATTACK LABEL: blocked (ENAME)" or
 * "ATTACK LABEL: SUCCEEDED", each control "CONTROL LABEL: ok" or
 * "CONTROL LABEL: FAILED (ENAME)", in the format of probes/lib.sh, so
 * the test reads both the same way. An ADDRESS is a path ("/…"), an
 * abstract socket name ("@…") or an IPv4 "HOST:PORT".
 *
 * Plain C without GLib, like try-syscall, so that what runs under the
 * filter is only this.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

/* What the probe pushes into the terminal: a command the shell that owns
 * the terminal would run after the sandbox ends. */
#define INJECTED "echo PADDOCK-INJECTED\n"
/* TIOCLINUX subcode that pastes the console selection as input. */
#define TIOCL_PASTESEL 3

static const char *
errno_name (int errnum)
{
  const char *name = strerrorname_np (errnum);

  return name != NULL ? name : "?";
}

static void
attack_result (const char *label,
               int         ok,
               int         errnum)
{
  if (ok)
    printf ("ATTACK %s: SUCCEEDED\n", label);
  else
    printf ("ATTACK %s: blocked (%s)\n", label, errno_name (errnum));
}

static void
control_result (const char *label,
                int         ok,
                int         errnum)
{
  if (ok)
    printf ("CONTROL %s: ok\n", label);
  else
    printf ("CONTROL %s: FAILED (%s)\n", label, errno_name (errnum));
}

static int
probe_tty (void)
{
  struct termios termios;
  char subcode = TIOCL_PASTESEL;
  int ok = 1, errnum = 0;

  /* Each result is taken before errno is read: the order in which a
   * call's arguments are evaluated is not defined. */

  /* The control: standard input is a terminal the probe may use. */
  ok = tcgetattr (STDIN_FILENO, &termios) == 0;
  control_result ("tty-tcgets", ok, errno);

  ok = 1;
  for (const char *c = INJECTED; *c != '\0' && ok; c++)
    if (ioctl (STDIN_FILENO, TIOCSTI, c) != 0)
      {
        ok = 0;
        errnum = errno;
      }
  attack_result ("tiocsti", ok, errnum);

  /* The kernel reads the request as 32 bits: the upper half must not
   * slip past the filter. */
  ok = syscall (SYS_ioctl, STDIN_FILENO, TIOCSTI | (1UL << 32), INJECTED) == 0;
  attack_result ("tiocsti-high-bits", ok, errno);

  ok = ioctl (STDIN_FILENO, TIOCLINUX, &subcode) == 0;
  attack_result ("tioclinux-pastesel", ok, errno);
  return 0;
}

static int
probe_io_uring (void)
{
  struct io_uring_params params;
  long fd;

  memset (&params, 0, sizeof params);
  fd = syscall (SYS_io_uring_setup, 4, &params);
  attack_result ("io_uring_setup", fd >= 0, errno);
  if (fd >= 0)
    close ((int) fd);
  return 0;
}

static int
probe_int80_socketcall (void)
{
#if defined(__x86_64__)
  unsigned int *args;
  long result;

  /* i386 calls see 32-bit pointers: the arguments must live below 4 GiB. */
  args = mmap (NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
  if (args == MAP_FAILED)
    {
      control_result ("int80-setup", 0, errno);
      return 0;
    }
  control_result ("int80-setup", 1, 0);

  /* socketcall (SYS_SOCKET, { AF_NETLINK, SOCK_RAW, NETLINK_AUDIT }):
   * a family the native filter refuses, asked for through the i386
   * entry point, where a filter for x86_64 alone would not look. */
  args[0] = AF_NETLINK;
  args[1] = SOCK_RAW;
  args[2] = NETLINK_AUDIT;
  __asm__ volatile ("int $0x80"
                    : "=a" (result)
                    : "0" (102L /* socketcall */), "b" (1L /* SYS_SOCKET */), "c" ((long) (unsigned long) args)
                    : "memory", "r8", "r9", "r10", "r11");
  result = (int) result;
  attack_result ("int80-socketcall", result >= 0, result < 0 && result > -4096 ? (int) -result : 0);
  if (result >= 0)
    close ((int) result);
#else
  printf ("ATTACK int80-socketcall: blocked (not x86_64)\n");
#endif
  return 0;
}

/* Fills @addr from "/path", "@abstract" or "a.b.c.d:port". */
static socklen_t
parse_address (const char              *text,
               struct sockaddr_storage *addr,
               int                     *type)
{
  memset (addr, 0, sizeof *addr);

  if (text[0] == '/' || text[0] == '@')
    {
      struct sockaddr_un *un = (struct sockaddr_un *) addr;
      size_t length = strlen (text);

      if (length >= sizeof un->sun_path)
        return 0;
      un->sun_family = AF_UNIX;
      memcpy (un->sun_path, text, length);
      if (text[0] == '@')
        {
          un->sun_path[0] = '\0';
          return (socklen_t) (offsetof (struct sockaddr_un, sun_path) + length);
        }
      *type = SOCK_STREAM;
      return sizeof *un;
    }
  else
    {
      struct sockaddr_in *in = (struct sockaddr_in *) addr;
      char host[64];
      const char *colon = strrchr (text, ':');

      if (colon == NULL || (size_t) (colon - text) >= sizeof host)
        return 0;
      memcpy (host, text, colon - text);
      host[colon - text] = '\0';
      in->sin_family = AF_INET;
      in->sin_port = htons ((unsigned short) atoi (colon + 1));
      if (inet_pton (AF_INET, host, &in->sin_addr) != 1)
        return 0;
      return sizeof *in;
    }
}

static int
probe_connect (const char *label,
               const char *address)
{
  struct sockaddr_storage addr;
  int type = SOCK_STREAM;
  socklen_t length = parse_address (address, &addr, &type);
  int fd, ok;

  if (length == 0)
    {
      fprintf (stderr, "attack-probe: bad address “%s”\n", address);
      return 2;
    }

  fd = socket (addr.ss_family, type | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      attack_result (label, 0, errno);
      return 0;
    }
  ok = connect (fd, (struct sockaddr *) &addr, length) == 0;
  attack_result (label, ok, errno);
  close (fd);
  return 0;
}

/* Sends one datagram. Whether it arrived only the receiver can tell: the
 * test looks at its own socket. */
static int
probe_udp_send (const char *label,
                const char *address)
{
  static const char message[] = "PADDOCK-UDP-PROBE";
  struct sockaddr_storage addr;
  int type = SOCK_DGRAM;
  socklen_t length = parse_address (address, &addr, &type);
  int fd;

  if (length == 0 || addr.ss_family != AF_INET)
    return 2;
  fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || sendto (fd, message, sizeof message - 1, 0, (struct sockaddr *) &addr, length) < 0)
    printf ("SENT %s: errno %s\n", label, errno_name (errno));
  else
    printf ("SENT %s: ok\n", label);
  if (fd >= 0)
    close (fd);
  return 0;
}

/* A DNS query for example.com; the attack succeeds if any answer comes. */
static int
probe_dns (const char *label,
           const char *address)
{
  static const unsigned char query[] = {
    0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
    0x00, 0x01, 0x00, 0x01,
  };
  struct sockaddr_storage addr;
  int type = SOCK_DGRAM;
  socklen_t length = parse_address (address, &addr, &type);
  unsigned char answer[512];
  struct pollfd pfd;
  int fd;

  if (length == 0 || addr.ss_family != AF_INET)
    return 2;

  fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *) &addr, length) != 0 ||
      send (fd, query, sizeof query, 0) < 0)
    {
      attack_result (label, 0, errno);
      if (fd >= 0)
        close (fd);
      return 0;
    }

  /* A refused port answers at once with ICMP; the wait only bounds a
   * network that swallows the query. */
  pfd = (struct pollfd) { fd, POLLIN, 0 };
  errno = 0;
  if (poll (&pfd, 1, 2000) == 1 && recv (fd, answer, sizeof answer, 0) > 0)
    attack_result (label, 1, 0);
  else
    attack_result (label, 0, errno != 0 ? errno : ETIMEDOUT);
  close (fd);
  return 0;
}

/* Connects a listening socket of its own: what the attacks refuse is
 * reaching the host, not sockets as such. */
static int
self_connect (const struct sockaddr *addr,
              socklen_t              length,
              int                    family)
{
  struct sockaddr_storage bound;
  socklen_t bound_length = sizeof bound;
  int server, client, ok;

  server = socket (family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (server < 0)
    return 0;
  if (bind (server, addr, length) != 0 || listen (server, 1) != 0 ||
      getsockname (server, (struct sockaddr *) &bound, &bound_length) != 0)
    {
      close (server);
      return 0;
    }
  /* An unnamed abstract address reads back shorter than it was bound. */
  if (family == AF_UNIX)
    {
      memcpy (&bound, addr, length);
      bound_length = length;
    }

  client = socket (family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ok = client >= 0 && connect (client, (struct sockaddr *) &bound, bound_length) == 0;
  if (client >= 0)
    close (client);
  close (server);
  return ok;
}

static int
probe_unix_self (const char *label,
                 const char *dir)
{
  struct sockaddr_un un;
  char name[sizeof un.sun_path];
  socklen_t length;
  int ok;

  memset (&un, 0, sizeof un);
  un.sun_family = AF_UNIX;
  snprintf (un.sun_path, sizeof un.sun_path, "%s/probe-%d.sock", dir, (int) getpid ());
  unlink (un.sun_path);
  ok = self_connect ((struct sockaddr *) &un, sizeof un, AF_UNIX);
  unlink (un.sun_path);
  control_result (label, ok, errno);

  /* The same with an abstract name, in the sandbox's own namespace. */
  memset (&un, 0, sizeof un);
  un.sun_family = AF_UNIX;
  snprintf (name, sizeof name, "@paddock-probe-%d", (int) getpid ());
  memcpy (un.sun_path, name, strlen (name));
  un.sun_path[0] = '\0';
  length = (socklen_t) (offsetof (struct sockaddr_un, sun_path) + strlen (name));
  ok = self_connect ((struct sockaddr *) &un, length, AF_UNIX);
  printf ("CONTROL %s-abstract: %s\n", label, ok ? "ok" : "FAILED");
  return 0;
}

static int
probe_tcp_self (const char *label)
{
  struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = 0 };
  int ok;

  in.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  ok = self_connect ((struct sockaddr *) &in, sizeof in, AF_INET);
  control_result (label, ok, errno);
  return 0;
}

static int
probe_udp_self (const char *label)
{
  struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = 0 };
  socklen_t length = sizeof in;
  char buffer[16];
  int fd, ok;

  in.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ok = fd >= 0 &&
       bind (fd, (struct sockaddr *) &in, sizeof in) == 0 &&
       getsockname (fd, (struct sockaddr *) &in, &length) == 0 &&
       sendto (fd, "ping", 4, 0, (struct sockaddr *) &in, length) == 4 &&
       recv (fd, buffer, sizeof buffer, 0) == 4;
  control_result (label, ok, errno);
  if (fd >= 0)
    close (fd);
  return 0;
}

/* The open descriptors, without the one that reads the list. */
static int
probe_fds (void)
{
  DIR *dir = opendir ("/proc/self/fd");
  struct dirent *entry;
  int numbers[256];
  int n = 0;

  if (dir == NULL)
    {
      control_result ("list-fds", 0, errno);
      return 0;
    }
  while ((entry = readdir (dir)) != NULL && n < 256)
    if (entry->d_name[0] != '.' && atoi (entry->d_name) != dirfd (dir))
      numbers[n++] = atoi (entry->d_name);
  closedir (dir);
  control_result ("list-fds", 1, 0);

  /* readdir gives them in order on procfs; sort anyway. */
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && numbers[j - 1] > numbers[j]; j--)
      {
        int swap = numbers[j];
        numbers[j] = numbers[j - 1];
        numbers[j - 1] = swap;
      }
  printf ("FDS:");
  for (int i = 0; i < n; i++)
    printf (" %d", numbers[i]);
  printf ("\n");
  return 0;
}

static int
usage (void)
{
  fprintf (stderr,
           "Usage: attack-probe tty | io-uring | int80-socketcall | fds\n"
           "       attack-probe connect|udp-send|dns LABEL ADDRESS\n"
           "       attack-probe unix-self LABEL DIR | tcp-self LABEL | udp-self LABEL\n");
  return 2;
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setvbuf (stdout, NULL, _IOLBF, 0);
  if (argc < 2)
    return usage ();

  if (strcmp (argv[1], "tty") == 0)
    status = probe_tty ();
  else if (strcmp (argv[1], "io-uring") == 0)
    status = probe_io_uring ();
  else if (strcmp (argv[1], "int80-socketcall") == 0)
    status = probe_int80_socketcall ();
  else if (strcmp (argv[1], "fds") == 0)
    status = probe_fds ();
  else if (strcmp (argv[1], "connect") == 0 && argc == 4)
    status = probe_connect (argv[2], argv[3]);
  else if (strcmp (argv[1], "udp-send") == 0 && argc == 4)
    status = probe_udp_send (argv[2], argv[3]);
  else if (strcmp (argv[1], "dns") == 0 && argc == 4)
    status = probe_dns (argv[2], argv[3]);
  else if (strcmp (argv[1], "unix-self") == 0 && argc == 4)
    status = probe_unix_self (argv[2], argv[3]);
  else if (strcmp (argv[1], "tcp-self") == 0 && argc == 3)
    status = probe_tcp_self (argv[2]);
  else if (strcmp (argv[1], "udp-self") == 0 && argc == 3)
    status = probe_udp_self (argv[2]);
  else
    return usage ();

  return status;
}
