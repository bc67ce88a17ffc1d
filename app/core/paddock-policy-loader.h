/* paddock-policy-loader.h: gathers every layer from where it lives
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "paddock-policy.h"
#include "paddock-workspace.h"

G_BEGIN_DECLS

#define PADDOCK_TYPE_POLICY_LOADER (paddock_policy_loader_get_type ())

G_DECLARE_FINAL_TYPE (PaddockPolicyLoader, paddock_policy_loader, PADDOCK, POLICY_LOADER, GObject)

#define PADDOCK_SETTINGS_SCHEMA "org.paddock.Paddock"
#define PADDOCK_DEFAULT_POLICY_RESOURCE "/org/paddock/Paddock/policy/default-policy.json"

PaddockPolicyLoader *paddock_policy_loader_new       (void);
/* Adds a JSON policy or a Codex .rules file to the user layer. */
void                 paddock_policy_loader_add_file  (PaddockPolicyLoader *self,
                                                      const char          *path);
/* Only the added files, nothing from the machine. */
void                 paddock_policy_loader_set_only  (PaddockPolicyLoader *self,
                                                      gboolean             only);
/* Loads @contents as the project's policy, as if the person trusted
 * it: to show what trusting would change, never to decide. */
void                 paddock_policy_loader_preview_project (PaddockPolicyLoader *self,
                                                            GBytes              *contents);
/* Loads every layer for @workspace; without one (NULL), only the
 * machine-wide layers, for what applies to every workspace. A source that fails becomes a
 * document that forbids everything in its layer (see
 * paddock_policy_document_new_failed()), so this only fails for a
 * workspace that does not exist. */
PaddockPolicy       *paddock_policy_loader_load      (PaddockPolicyLoader *self,
                                                      PaddockWorkspace    *workspace,
                                                      GError             **error);

/* The requirements URL named in the system config, or NULL; a config
 * that cannot be read sets @error. */
char                *paddock_policy_loader_dup_requirements_url (GError **error);
/* Where the last good copy of the requirements and its ETag are kept. */
char                *paddock_policy_loader_dup_requirements_cache (void);

G_END_DECLS
