/* sandbox-forward.c
 *
 * The sandbox's network namespace holds loopback and nothing else. This
 * small loop, the first process inside, listens on 127.0.0.1 and passes
 * each accepted socket, as a descriptor, over the proxy's unix socket
 * (bind-mounted in) with the run's token. The proxy then reads and
 * writes that socket itself: no byte is copied in here, so the sandbox
 * adds no hop to a transfer. A command that ignores the proxy variables
 * and connects out directly finds no route.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox-forward.h"
#include "sandbox-json.h"
#include "sandbox-run.h"


static int
fail (const char *format,
      ...) G_GNUC_PRINTF (1, 2);

static int
fail (const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("paddock-sandbox: the network forwarder: %s\n", message);
  return 125;
}

/* The variables tools read to find a proxy. One port speaks HTTP and
 * SOCKS5 both; the proxy tells them apart by their first byte. */
static char **
proxy_environment (guint16 port)
{
  g_autofree char *http = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_autofree char *socks = g_strdup_printf ("socks5h://127.0.0.1:%u", port);
  static const char * const http_names[] = {
    "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "npm_config_proxy", "npm_config_https_proxy",
    "YARN_HTTP_PROXY", "YARN_HTTPS_PROXY", "PIP_PROXY", "CARGO_HTTP_PROXY", "GLOBAL_AGENT_HTTP_PROXY",
  };
  static const char * const socks_names[] = { "all_proxy", "ALL_PROXY" };
  char **env = g_get_environ ();

  for (guint i = 0; i < G_N_ELEMENTS (http_names); i++)
    env = g_environ_setenv (env, http_names[i], http, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (socks_names); i++)
    env = g_environ_setenv (env, socks_names[i], socks, TRUE);
  env = g_environ_setenv (env, "no_proxy", "localhost,127.0.0.1,::1", TRUE);
  env = g_environ_setenv (env, "NO_PROXY", "localhost,127.0.0.1,::1", TRUE);
  return env;
}

/* Hands @client to the proxy, with the token, and lets go of it. */
static void
hand_over (const char *socket_path,
           const char *preamble,
           int         client)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  struct iovec iov = { (void *) preamble, strlen (preamble) };
  struct msghdr msg = { 0 };
  struct cmsghdr *c;
  int proxy = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_strlcpy (address.sun_path, socket_path, sizeof address.sun_path);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  c = CMSG_FIRSTHDR (&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &client, sizeof (int));

  /* When the proxy is gone the client sees its connection closed, as
   * with a refused one. */
  if (proxy >= 0 && connect (proxy, (struct sockaddr *) &address, sizeof address) == 0)
    (void) sendmsg (proxy, &msg, MSG_NOSIGNAL);
  if (proxy >= 0)
    close (proxy);
  close (client);
}

int
sandbox_forward_main (int    argc,
                      char **argv)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t length = sizeof address;
  g_auto(GStrv) env = NULL;
  g_autofree char *preamble = NULL;
  const char *socket_path = NULL;
  char token[256];
  char **command = NULL;
  int token_fd = -1, listener, signal_fd;
  sigset_t mask, old_mask;
  ssize_t n;
  pid_t child;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--forward") && i + 1 < argc)
        socket_path = argv[++i];
      else if (g_str_equal (argv[i], "--token-fd") && i + 1 < argc)
        token_fd = atoi (argv[++i]);
      else if (g_str_equal (argv[i], "--") && i + 1 < argc)
        {
          command = argv + i + 1;
          break;
        }
      else
        return fail ("usage: paddock-sandbox --forward SOCKET --token-fd FD -- PROGRAM [ARG]…");
    }
  if (socket_path == NULL || token_fd < 0 || command == NULL)
    return fail ("usage: paddock-sandbox --forward SOCKET --token-fd FD -- PROGRAM [ARG]…");

  /* The token, then its descriptor gone: the command gets 0–2 only. */
  n = pread (token_fd, token, sizeof token - 1, 0);
  close (token_fd);
  if (n <= 0)
    return fail ("no token on descriptor %d", token_fd);
  token[n] = '\0';
  g_strchomp (token);
  preamble = g_strdup_printf ("PADDOCK %s\n", token);

  listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listener < 0 || bind (listener, (struct sockaddr *) &address, sizeof address) != 0 ||
      listen (listener, 1024) != 0 || getsockname (listener, (struct sockaddr *) &address, &length) != 0)
    return fail ("cannot listen on 127.0.0.1: %s", g_strerror (errno));
  env = proxy_environment (ntohs (address.sin_port));

  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  sigaddset (&mask, SIGINT);
  sigaddset (&mask, SIGTERM);
  sigaddset (&mask, SIGHUP);
  sigprocmask (SIG_BLOCK, &mask, &old_mask);
  signal_fd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signal_fd < 0)
    return fail ("signalfd: %s", g_strerror (errno));

  child = fork ();
  if (child < 0)
    return fail ("fork: %s", g_strerror (errno));
  if (child == 0)
    {
      sigprocmask (SIG_SETMASK, &old_mask, NULL);
      execvpe (command[0], command, env);
      g_printerr ("paddock-sandbox: %s: %s\n", command[0], g_strerror (errno));
      _exit (errno == ENOENT ? 127 : 126);
    }

  for (;;)
    {
      struct pollfd fds[2] = { { listener, POLLIN, 0 }, { signal_fd, POLLIN, 0 } };

      if (poll (fds, 2, -1) < 0 && errno != EINTR)
        return fail ("poll: %s", g_strerror (errno));

      if (fds[0].revents & POLLIN)
        {
          int client;

          while ((client = accept4 (listener, NULL, NULL, SOCK_CLOEXEC)) >= 0)
            hand_over (socket_path, preamble, client);
        }

      if (fds[1].revents & POLLIN)
        {
          struct signalfd_siginfo info;
          int status;

          while (read (signal_fd, &info, sizeof info) == sizeof info)
            if (info.ssi_signo != SIGCHLD)
              kill (child, info.ssi_signo);
          if (waitpid (child, &status, WNOHANG) == child)
            return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
        }
    }
}

static int
connect_mcp (void)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int server = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_strlcpy (address.sun_path, SANDBOX_MCP_SOCKET, sizeof address.sun_path);
  if (server >= 0 && connect (server, (struct sockaddr *) &address, sizeof address) != 0)
    {
      close (server);
      return -1;
    }
  return server;
}

int
sandbox_record_prompt_main (int    argc,
                            char **argv)
{
  g_autoptr(GString) payload = g_string_new (NULL);
  g_autoptr(GString) message = g_string_new ("{\"jsonrpc\": \"2.0\", "
                                             "\"method\": \"notifications/paddock/user_prompt\", "
                                             "\"params\": {\"source\": ");
  g_autofree char *valid = NULL;
  char buffer[65536];
  int server;

  if (argc < 3)
    return 0;
  if (argc > 3)
    g_string_append (payload, argv[3]);
  else
    for (;;)
      {
        ssize_t n = read (STDIN_FILENO, buffer, sizeof buffer);

        if (n < 0 && errno == EINTR)
          continue;
        if (n <= 0 || payload->len + n > SANDBOX_PROMPT_LIMIT)
          break;
        g_string_append_len (payload, buffer, n);
      }

  valid = g_utf8_make_valid (payload->str, payload->len);
  sandbox_json_append_string (message, argv[2]);
  g_string_append (message, ", \"payload\": ");
  sandbox_json_append_string (message, valid);
  g_string_append (message, "}}\n");

  server = connect_mcp ();
  if (server < 0)
    {
      g_printerr ("paddock-sandbox: the prompt is not recorded: Paddock's MCP server cannot be reached at %s\n",
                  SANDBOX_MCP_SOCKET);
      return 0;
    }
  /* Written, then the server's end: it has read the whole line. */
  if (sandbox_write_all (server, message->str, message->len))
    {
      shutdown (server, SHUT_WR);
      while (read (server, buffer, sizeof buffer) > 0)
        ;
    }
  close (server);
  return 0;
}

int
sandbox_mcp_bridge_main (void)
{
  struct pollfd fds[2];
  char buffer[65536];
  int server = connect_mcp ();

  if (server < 0)
    {
      g_printerr ("paddock-sandbox: Paddock's MCP server cannot be reached at %s: %s\n", SANDBOX_MCP_SOCKET,
                  g_strerror (errno));
      return 1;
    }
  fds[0] = (struct pollfd) { .fd = STDIN_FILENO, .events = POLLIN };
  fds[1] = (struct pollfd) { .fd = server, .events = POLLIN };
  for (;;)
    {
      ssize_t n;

      if (poll (fds, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return 1;
        }
      /* The client is done asking: the server answers what still runs,
       * then closes. */
      if (fds[0].revents != 0)
        {
          n = read (STDIN_FILENO, buffer, sizeof buffer);
          if (n <= 0)
            {
              shutdown (server, SHUT_WR);
              fds[0].fd = -1;
            }
          else if (!sandbox_write_all (server, buffer, n))
            return 1;
        }
      if (fds[1].revents != 0)
        {
          n = read (server, buffer, sizeof buffer);
          if (n <= 0)
            return 0;
          if (!sandbox_write_all (STDOUT_FILENO, buffer, n))
            return 1;
        }
    }
}
