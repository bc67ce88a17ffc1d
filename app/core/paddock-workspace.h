/* paddock-workspace.h: one project folder and what the user decided
 * about it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PADDOCK_TYPE_WORKSPACE (paddock_workspace_get_type ())

G_DECLARE_FINAL_TYPE (PaddockWorkspace, paddock_workspace, PADDOCK, WORKSPACE, GObject)

typedef enum
{
  PADDOCK_PROJECT_POLICY_NONE = 0,  /* the project has no .paddock/policy.json */
  PADDOCK_PROJECT_POLICY_UNTRUSTED, /* it has one the user never trusted */
  PADDOCK_PROJECT_POLICY_TRUSTED,   /* trusted, and unchanged since */
  PADDOCK_PROJECT_POLICY_CHANGED,   /* trusted once, changed since: untrusted */
} PaddockProjectPolicyState;

/* Opens the workspace for folder @path (which must exist), with the
 * settings Paddock keeps for it outside the project tree. */
PaddockWorkspace          *paddock_workspace_new_for_path          (const char        *path,
                                                                    GError           **error);
const char                *paddock_workspace_get_id                (PaddockWorkspace  *self);
const char                *paddock_workspace_get_path              (PaddockWorkspace  *self);
const char                *paddock_workspace_get_name              (PaddockWorkspace  *self);
/* Renames it in Paddock only; call paddock_workspace_save() to keep it. */
void                       paddock_workspace_set_name              (PaddockWorkspace  *self,
                                                                    const char        *name);
/* Whether Paddock keeps a record of it (it was saved, not forgotten). */
gboolean                   paddock_workspace_is_known              (PaddockWorkspace  *self);
/* Removes what Paddock keeps about it (its name, trust and workspace
 * policy); never touches the folder itself. */
gboolean                   paddock_workspace_forget                (PaddockWorkspace  *self,
                                                                    GError           **error);
/* Every workspace Paddock keeps a record of, by name. A record whose
 * folder is gone is left out, and so is one that cannot be read (with
 * a warning that names it). */
GPtrArray                 *paddock_workspace_list_known            (void);
/* By name, then by folder: a GCompareDataFunc. */
int                        paddock_workspace_compare               (gconstpointer      a,
                                                                    gconstpointer      b,
                                                                    gpointer           user_data);
/* Where Paddock keeps this workspace's own policy (the workspace layer). */
char                      *paddock_workspace_dup_settings_policy_path (PaddockWorkspace *self);
/* The project's .paddock/policy.json. */
char                      *paddock_workspace_dup_project_policy_path  (PaddockWorkspace *self);
PaddockProjectPolicyState  paddock_workspace_get_project_policy_state (PaddockWorkspace *self);
/* The project policy's contents if, and only if, they are exactly what
 * the user trusted: read once, so what is checked is what is used. */
GBytes                    *paddock_workspace_dup_trusted_project_policy (PaddockWorkspace *self);
/* Trusts the project policy as it is now; a later change untrusts it. */
gboolean                   paddock_workspace_trust_project_policy  (PaddockWorkspace  *self,
                                                                    GError           **error);
/* Trusts the project policy only if it is still exactly @seen, what the
 * person was shown; else fails and trusts nothing. */
gboolean                   paddock_workspace_trust_project_policy_as_seen (PaddockWorkspace *self,
                                                                           GBytes           *seen,
                                                                           GError          **error);
gboolean                   paddock_workspace_untrust_project_policy (PaddockWorkspace *self,
                                                                     GError          **error);
gboolean                   paddock_workspace_save                  (PaddockWorkspace  *self,
                                                                    GError           **error);

G_END_DECLS
