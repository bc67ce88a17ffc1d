/* paddock-approval-dialog.h: a person answers one approval request
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "paddock-approval-request.h"

G_BEGIN_DECLS

#define PADDOCK_TYPE_APPROVAL_DIALOG (paddock_approval_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PaddockApprovalDialog, paddock_approval_dialog, PADDOCK, APPROVAL_DIALOG, AdwMessageDialog)

/* Shows @request over @parent and completes when it is answered: by the
 * person, by the countdown (deny, "timeout"), or elsewhere (the asker
 * withdrew it). The answer is the request's, which is the source
 * object of the result. */
void                   paddock_approval_dialog_ask_async  (PaddockApprovalRequest  *request,
                                                           GtkWindow               *parent,
                                                           GCancellable            *cancellable,
                                                           GAsyncReadyCallback      callback,
                                                           gpointer                 user_data);
PaddockAnswer          paddock_approval_dialog_ask_finish (GAsyncResult            *result,
                                                           GError                 **error);

/* The dialog showing @request, for tests. */
PaddockApprovalDialog *paddock_approval_dialog_new        (PaddockApprovalRequest  *request,
                                                           GtkWindow               *parent);
PaddockApprovalRequest *paddock_approval_dialog_get_request (PaddockApprovalDialog *self);

G_END_DECLS
