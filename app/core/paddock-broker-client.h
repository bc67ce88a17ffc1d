/* paddock-broker-client.h: ask through the app's approval dialog
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "paddock-approval-request.h"

G_BEGIN_DECLS

#define PADDOCK_BROKER_OBJECT_PATH "/org/paddock/Paddock/Broker"

/* The app's name on the session bus, which it owns while it runs. */
const char *paddock_broker_get_bus_name (void);

/* Sends @request to the running app and answers it with what the person
 * answered there. Fails with PADDOCK_BROKER_ERROR_NO_APP when no app
 * runs (then ask elsewhere, or deny); any other failure must be taken as
 * deny. An answer given to @request meanwhile (a timeout) withdraws the
 * question. */
void        paddock_broker_client_ask_async  (PaddockApprovalRequest  *request,
                                              GCancellable            *cancellable,
                                              GAsyncReadyCallback      callback,
                                              gpointer                 user_data);
gboolean    paddock_broker_client_ask_finish (GAsyncResult            *result,
                                              GError                 **error);

G_END_DECLS
