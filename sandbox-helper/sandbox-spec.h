/* sandbox-spec.h: what one sandboxed run is asked to be
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SANDBOX_MODE_READ_ONLY,
  SANDBOX_MODE_WORKSPACE_WRITE,
  SANDBOX_MODE_FULL_ACCESS,
} SandboxMode;

typedef struct
{
  char **argv;            /* the command; argv[0] is looked up in PATH inside */
  char *cwd;              /* absolute, where it starts */
  SandboxMode mode;
  char *workspace;        /* absolute and canonical */
  char **writable;        /* absolute and canonical; writable in workspace-write mode */
  char **protected_names; /* relative names kept read-only inside every writable root */
  char **hidden;          /* absolute paths neither readable nor writable */
  char **env;             /* "NAME=VALUE", already allowlisted by the caller */
  char **granted_env;     /* "NAME=VALUE" handed over on purpose (an agent's own key): not filtered */
  guint64 timeout_ms;     /* wall clock for the whole tree; 0: none */
  guint64 output_limit;   /* bytes of stdout and stderr together; 0: none */
  guint64 scan_limit;     /* entries of the writable roots checked before a run */
  char *proxy_socket;     /* Paddock's proxy, the only way out; nullable: no network */
  char *proxy_token;      /* what the forwarder says first to it */
  char *mcp_socket;       /* Paddock's MCP server, bound at SANDBOX_MCP_SOCKET; nullable */
  char *agent_settings;   /* a file bound read-only at SANDBOX_AGENT_SETTINGS; nullable */
  gboolean watch_files;   /* note the file accesses the sandbox refuses (sandbox-watch.h) */
} SandboxSpec;

/* Checking each entry of the writable roots (for nested repositories and
 * hard links) takes about a second per million on a warm cache; past
 * the limit the run is refused. */
#define SANDBOX_SPEC_DEFAULT_SCAN_LIMIT 1000000

/* Parses the JSON spec:
 *   {"version": 1, "argv": [...], "cwd": "/w", "mode": "workspace-write",
 *    "workspace": "/w", "writable": [...], "protected": [...], "hidden": [...],
 *    "env": {"NAME": "VALUE", ...}, "timeout_ms": N, "output_limit": N,
 *    "scan_limit": N, "proxy": {"socket": "/run/user/…/socket", "token": "hex"}}
 * Unknown keys, wrong types, relative paths and empty argv are errors
 * (SANDBOX_ERROR_SPEC) that say what is accepted. */
SandboxSpec *sandbox_spec_new_from_json (const char  *text,
                                         gsize        length,
                                         GError     **error);
void         sandbox_spec_free          (SandboxSpec *spec);
/* Whether absolute @path is @root or lies inside it. */
gboolean     sandbox_path_is_within     (const char  *path,
                                         const char  *root);

const char  *sandbox_mode_to_string     (SandboxMode  mode);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SandboxSpec, sandbox_spec_free)

G_END_DECLS
