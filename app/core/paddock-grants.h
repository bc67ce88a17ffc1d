/* paddock-grants.h: approvals a person gave for the rest of a session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "paddock-decision.h"

G_BEGIN_DECLS

#define PADDOCK_TYPE_GRANTS (paddock_grants_get_type ())

G_DECLARE_FINAL_TYPE (PaddockGrants, paddock_grants, PADDOCK, GRANTS, GObject)

PaddockGrants *paddock_grants_new            (void);

/* Records that @who allowed part @part of @decision for the session: the
 * exact command, path, host and port, or MCP tool. Fails when the
 * decisive rule says "grant": "once", or the part is not a prompt. */
gboolean       paddock_grants_add_from_decision (PaddockGrants          *self,
                                                 const PaddockDecision  *decision,
                                                 guint                   part,
                                                 const char             *who,
                                                 GError                **error);
/* The same for every part of @decision that asked; a part that cannot
 * be granted leaves the others granted, and the first such failure is
 * in @error. */
gboolean       paddock_grants_add_prompted     (PaddockGrants          *self,
                                                 const PaddockDecision  *decision,
                                                 const char             *who,
                                                 GError                **error);
/* Allows the hosts @pattern names ("pypi.org", "*.npmjs.org",
 * "example.com:8443") for the session, where the policy would ask:
 * never where it forbids. */
gboolean       paddock_grants_add_network_pattern (PaddockGrants  *self,
                                                   const char     *pattern,
                                                   const char     *who,
                                                   GError        **error);
/* The session rules, layer PADDOCK_LAYER_SESSION, verdict allow. */
GPtrArray     *paddock_grants_get_rules      (PaddockGrants *self);
/* Takes back the grant @rule (one of the rules above); FALSE when it is
 * not one of them. */
gboolean       paddock_grants_revoke         (PaddockGrants *self,
                                              PaddockRule   *rule);

/* For front doors that live less long than a session (paddockctl run):
 * the grants kept in @path, and saving them back. A missing file holds
 * no grants; a file that cannot be read is an error, so a grant is never
 * assumed. */
PaddockGrants *paddock_grants_new_from_file  (const char     *path,
                                              GError        **error);
gboolean       paddock_grants_save           (PaddockGrants  *self,
                                              const char     *path,
                                              GError        **error);
/* $XDG_RUNTIME_DIR/paddock/session-SID.json for the terminal session
 * SID, or NULL without a runtime folder. The runtime folder is the
 * user's, gone at logout, and hidden from every sandbox. */
char          *paddock_grants_dup_session_path (void);

G_END_DECLS
