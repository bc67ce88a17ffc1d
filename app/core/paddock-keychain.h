/* paddock-keychain.h: secrets in the desktop's keychain (the Secret
 * Service), never in a file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PADDOCK_KEYCHAIN_ERROR (paddock_keychain_error_quark ())

typedef enum
{
  PADDOCK_KEYCHAIN_ERROR_UNAVAILABLE,  /* no Secret Service on the session bus, or it refused */
} PaddockKeychainError;

GQuark paddock_keychain_error_quark (void);

/* One entry of the schema org.paddock.Token. */
typedef struct
{
  const char *issuer;    /* who issued it: an OAuth issuer URL, or "otlp" */
  const char *account;   /* whose it is, or which header carries it */
  const char *resource;  /* what it opens: a URL */
  const char *kind;      /* "access", "refresh", "id", "otlp-header"… */
} PaddockKeychainEntry;

gboolean  paddock_keychain_store  (const PaddockKeychainEntry *entry,
                                   const char                 *label,
                                   const char                 *secret,
                                   GError                    **error);
/* The secret, or NULL: with @error set when the keychain failed, without
 * when it holds no such entry. Free it with paddock_keychain_free(). */
char     *paddock_keychain_lookup (const PaddockKeychainEntry *entry,
                                   GError                    **error);
/* Every entry that matches the fields of @match that are not NULL, with
 * its secret: an array of PaddockKeychainItem. */
typedef struct
{
  char *issuer;
  char *account;
  char *resource;
  char *kind;
  char *secret;
} PaddockKeychainItem;

void       paddock_keychain_item_free (PaddockKeychainItem        *item);
GPtrArray *paddock_keychain_search    (const PaddockKeychainEntry *match,
                                       GError                    **error);
/* Removes every entry that matches the fields of @entry that are not
 * NULL; TRUE when one was removed. */
gboolean  paddock_keychain_clear  (const PaddockKeychainEntry *entry,
                                   GError                    **error);
/* Overwrites, then frees. */
void      paddock_keychain_free   (char                       *secret);


G_END_DECLS
