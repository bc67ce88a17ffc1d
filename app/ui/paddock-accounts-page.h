/* paddock-accounts-page.h: the preferences' Accounts page: who is
 * signed in where, signing in and out, and what the organisation forces
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PADDOCK_TYPE_ACCOUNTS_PAGE (paddock_accounts_page_get_type ())

G_DECLARE_FINAL_TYPE (PaddockAccountsPage, paddock_accounts_page, PADDOCK, ACCOUNTS_PAGE, AdwPreferencesPage)

GtkWidget *paddock_accounts_page_new (void);

G_END_DECLS
