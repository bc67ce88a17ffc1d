/* paddock-policy.h: the layered policy and the one function that decides
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "paddock-decision.h"
#include "paddock-errors.h"
#include "paddock-grants.h"
#include "paddock-policy-document.h"

G_BEGIN_DECLS

#define PADDOCK_TYPE_POLICY (paddock_policy_get_type ())

G_DECLARE_FINAL_TYPE (PaddockPolicy, paddock_policy, PADDOCK, POLICY, GObject)

/* @documents: PaddockPolicyDocument*, in authority order within each
 * layer (a later document of a layer overrides an earlier one's
 * settings). @workspace is the project folder; @home the user's home. */
PaddockPolicy       *paddock_policy_new               (const char    *workspace,
                                                       const char    *home,
                                                       GPtrArray     *documents);

const char          *paddock_policy_get_workspace     (PaddockPolicy *self);
GPtrArray           *paddock_policy_get_documents     (PaddockPolicy *self);
/* Problems found while combining the layers, for people to read. */
GPtrArray           *paddock_policy_get_notes         (PaddockPolicy *self);

PaddockSandboxMode   paddock_policy_get_sandbox_mode  (PaddockPolicy *self);
PaddockApprovalMode  paddock_policy_get_approval_mode (PaddockPolicy *self);
PaddockNetworkMode   paddock_policy_get_network_mode  (PaddockPolicy *self);
/* Asks for network mode @mode for this session, as the sandbox mode:
 * refused (PADDOCK_POLICY_ERROR_NOT_ALLOWED) when an enforced layer
 * locks another mode or does not allow this one. */
gboolean             paddock_policy_set_network_mode  (PaddockPolicy       *self,
                                                       PaddockNetworkMode   mode,
                                                       GError             **error);

/* Asks for another approval mode; refused, naming the layer and source,
 * when the enforced layers lock the mode or do not allow @mode. */
gboolean             paddock_policy_set_approval_mode (PaddockPolicy        *self,
                                                       PaddockApprovalMode   mode,
                                                       GError              **error);

/* Asks for another sandbox mode, as paddock_policy_set_approval_mode()
 * does for approval. */
gboolean             paddock_policy_set_sandbox_mode  (PaddockPolicy        *self,
                                                       PaddockSandboxMode    mode,
                                                       GError              **error);

/* What the sandbox must enforce: the writable roots (the workspace
 * first), the protected names, and the hidden paths, resolved. */
void                 paddock_policy_get_sandbox_layout (PaddockPolicy *self,
                                                        GStrv         *writable,
                                                        GStrv         *protected_names,
                                                        GStrv         *hidden);

/* The setting that decides @key, or NULL when no layer sets it.
 * @locked is set when an enforced layer decides it. */
const PaddockSetting *paddock_policy_get_setting      (PaddockPolicy *self,
                                                       const char    *key,
                                                       gboolean      *locked);

/* The MCP servers the policy names (mcp.servers), each as the setting
 * of the highest layer that names it ("mcp.servers.NAME": a command,
 * "as", or a URL, "s"), sorted by name. Of const PaddockSetting*. */
GPtrArray           *paddock_policy_list_mcp_servers  (PaddockPolicy *self);

/* The setting for @key in @layer alone, or NULL. */
const PaddockSetting *paddock_policy_get_setting_in_layer (PaddockPolicy *self,
                                                           PaddockLayer   layer,
                                                           const char    *key);

/* The one function that decides. @grants may be NULL. */
PaddockDecision     *paddock_policy_evaluate          (PaddockPolicy *self,
                                                       PaddockAction *action,
                                                       PaddockGrants *grants);

/* The effective policy, every value with its layer and source. */
JsonNode            *paddock_policy_to_json           (PaddockPolicy *self);
char                *paddock_policy_to_text           (PaddockPolicy *self);
/* What differs between two policies' texts, line by line: "- " for what
 * only @before has, "+ " for what only @after has. Empty when nothing. */
char                *paddock_policy_diff_text         (PaddockPolicy *before,
                                                       PaddockPolicy *after);

G_END_DECLS
