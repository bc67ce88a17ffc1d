/* paddock-proxy.h: the only way out of the sandbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "paddock-approval-request.h"
#include "paddock-grants.h"
#include "paddock-policy.h"

G_BEGIN_DECLS

#define PADDOCK_PROXY_ERROR (paddock_proxy_error_quark ())

typedef enum
{
  PADDOCK_PROXY_ERROR_FAILED,
} PaddockProxyError;

GQuark paddock_proxy_error_quark (void);

/* One decision of the proxy, or one attempt it refused as a violation;
 * for the audit log. Never holds a URL's path or query. */
typedef struct
{
  /*< private >*/
  gatomicrefcount ref_count;

  /*< public >*/
  char *host;
  guint16 port;
  char *protocol;          /* "http", "https" (CONNECT) or "socks5_tcp" */
  PaddockVerdict verdict;  /* what was done: allow, or forbidden */
  char *layer;             /* the deciding layer, "session" for a grant, or "proxy" */
  char *source;            /* file:line:column, or what the proxy checked */
  char *rule;              /* the rule as written; nullable */
  char *reason;            /* why, in a few words */
  char *violation;         /* "sni-mismatch", "address", "bad-request", "token"…; NULL for a decision */
  char *answer;            /* "once", "session", "always", "deny", "timeout"; NULL when nobody was asked */
  char *address;           /* the address dialled or refused; nullable */
} PaddockNetworkEvent;

#define PADDOCK_TYPE_NETWORK_EVENT (paddock_network_event_get_type ())

GType                paddock_network_event_get_type (void) G_GNUC_CONST;
PaddockNetworkEvent *paddock_network_event_ref      (PaddockNetworkEvent *event);
void                 paddock_network_event_unref    (PaddockNetworkEvent *event);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaddockNetworkEvent, paddock_network_event_unref)

#define PADDOCK_TYPE_PROXY (paddock_proxy_get_type ())

G_DECLARE_FINAL_TYPE (PaddockProxy, paddock_proxy, PADDOCK, PROXY, GObject)

/* A proxy deciding with @policy, and with the session's @grants
 * (nullable), to which "allow for this session" answers are added. */
PaddockProxy *paddock_proxy_new                   (PaddockPolicy  *policy,
                                                   PaddockGrants  *grants);
/* Listens on a unix socket of mode 0600 in a private folder of
 * $XDG_RUNTIME_DIR (else the temporary folder), in the thread-default
 * main context. */
gboolean      paddock_proxy_start                 (PaddockProxy   *self,
                                                   GError        **error);
/* Stops listening, closes every connection and removes the socket. */
void          paddock_proxy_stop                  (PaddockProxy   *self);
const char   *paddock_proxy_get_socket_path       (PaddockProxy   *self);
/* The secret a client sends first ("PADDOCK <token>\n"): only the
 * sandbox this proxy serves knows it. */
const char   *paddock_proxy_get_token             (PaddockProxy   *self);
/* Tunnels and forwarded requests open now. */
guint         paddock_proxy_get_n_connections     (PaddockProxy   *self);

/* For tests: the resolver that turns allowed names into addresses. */
void          paddock_proxy_set_resolver          (PaddockProxy   *self,
                                                   GResolver      *resolver);
/* Seconds a connection waits for a person before it is denied. */
void          paddock_proxy_set_approval_timeout  (PaddockProxy   *self,
                                                   guint           seconds);
/* Where "always allow for this workspace" is written: the workspace's
 * own policy file, kept by Paddock. Without it, "always" is not offered. */
void          paddock_proxy_set_workspace_policy  (PaddockProxy   *self,
                                                   const char     *path);

/* Records every decision in @session; an allowed connection is dialled
 * only once its record is acknowledged, and refused if it cannot be. */
typedef struct _PaddockAuditSession PaddockAuditSession;
void          paddock_proxy_set_audit_session     (PaddockProxy        *self,
                                                   PaddockAuditSession *session);

G_END_DECLS
