/* paddock-types.h: the small vocabulary every part of Paddock shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Ordered: a larger value is stricter, so max() combines decisions. */
typedef enum
{
  PADDOCK_VERDICT_ALLOW = 0,
  PADDOCK_VERDICT_PROMPT = 1,
  PADDOCK_VERDICT_FORBIDDEN = 2,
} PaddockVerdict;

/* Ordered by authority, highest first. */
typedef enum
{
  PADDOCK_LAYER_MANAGED = 0,
  PADDOCK_LAYER_SYSTEM,
  PADDOCK_LAYER_USER,
  PADDOCK_LAYER_WORKSPACE,
  PADDOCK_LAYER_DEFAULTS,
  PADDOCK_LAYER_SESSION,
  PADDOCK_LAYER_IMPLICIT,
  PADDOCK_N_LAYERS,
} PaddockLayer;

typedef enum
{
  PADDOCK_APPROVAL_UNTRUSTED = 0,
  PADDOCK_APPROVAL_ON_REQUEST,
  PADDOCK_APPROVAL_NEVER,
  PADDOCK_APPROVAL_AUTO_REVIEW,
} PaddockApprovalMode;

/* Ordered from the tightest sandbox to none. */
typedef enum
{
  PADDOCK_SANDBOX_READ_ONLY = 0,
  PADDOCK_SANDBOX_WORKSPACE_WRITE,
  PADDOCK_SANDBOX_FULL_ACCESS,
} PaddockSandboxMode;

/* Ordered from the tightest network to the widest. */
typedef enum
{
  PADDOCK_NETWORK_DISABLED = 0,
  PADDOCK_NETWORK_ALLOWLIST,
  PADDOCK_NETWORK_FULL,
} PaddockNetworkMode;

typedef enum
{
  PADDOCK_ACTION_EXEC = 0,
  PADDOCK_ACTION_WRITE,
  PADDOCK_ACTION_READ,
  PADDOCK_ACTION_NET,
  PADDOCK_ACTION_MCP,
} PaddockActionKind;

const char *paddock_verdict_to_string        (PaddockVerdict       verdict);
gboolean    paddock_verdict_from_string      (const char          *str,
                                              PaddockVerdict      *verdict);
const char *paddock_layer_to_string          (PaddockLayer         layer);
gboolean    paddock_layer_is_enforced        (PaddockLayer         layer);
gboolean    paddock_layer_is_personal        (PaddockLayer         layer);
const char *paddock_approval_mode_to_string  (PaddockApprovalMode  mode);
gboolean    paddock_approval_mode_from_string (const char         *str,
                                               PaddockApprovalMode *mode);
const char *paddock_sandbox_mode_to_string   (PaddockSandboxMode   mode);
gboolean    paddock_sandbox_mode_from_string (const char          *str,
                                              PaddockSandboxMode  *mode);
const char *paddock_network_mode_to_string   (PaddockNetworkMode   mode);
gboolean    paddock_network_mode_from_string (const char          *str,
                                              PaddockNetworkMode  *mode);
const char *paddock_action_kind_to_string    (PaddockActionKind    kind);

G_END_DECLS
