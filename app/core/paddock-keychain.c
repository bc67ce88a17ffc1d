/* paddock-keychain.c
 *
 * There is no fallback: without a Secret Service a secret is not kept
 * at all, and the error says how to get one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libsecret/secret.h>

#include "paddock-keychain.h"

G_DEFINE_QUARK (paddock-keychain-error-quark, paddock_keychain_error)

static const SecretSchema token_schema = {
  "org.paddock.Token", SECRET_SCHEMA_NONE,
  {
    { "issuer", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "resource", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
  0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

static GHashTable *
attributes_for (const PaddockKeychainEntry *entry)
{
  GHashTable *attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (attributes, (char *) "issuer", (char *) entry->issuer);
  g_hash_table_insert (attributes, (char *) "account", (char *) entry->account);
  g_hash_table_insert (attributes, (char *) "resource", (char *) entry->resource);
  g_hash_table_insert (attributes, (char *) "kind", (char *) entry->kind);
  return attributes;
}

static gboolean
explain (GError     **error,
         GError      *cause)
{
  g_set_error (error, PADDOCK_KEYCHAIN_ERROR, PADDOCK_KEYCHAIN_ERROR_UNAVAILABLE,
               "the keychain (the Secret Service on the session bus) cannot be used: %s; "
               "a desktop keyring such as GNOME Keyring or KeePassXC provides one, and Paddock never "
               "keeps a secret in a file instead", cause->message);
  g_error_free (cause);
  return FALSE;
}

gboolean
paddock_keychain_store (const PaddockKeychainEntry  *entry,
                        const char                  *label,
                        const char                  *secret,
                        GError                     **error)
{
  g_autoptr(GHashTable) attributes = attributes_for (entry);
  GError *local_error = NULL;

  if (!secret_password_storev_sync (&token_schema, attributes, SECRET_COLLECTION_DEFAULT, label, secret, NULL,
                                    &local_error))
    return explain (error, local_error);
  return TRUE;
}

char *
paddock_keychain_lookup (const PaddockKeychainEntry  *entry,
                         GError                     **error)
{
  g_autoptr(GHashTable) attributes = attributes_for (entry);
  GError *local_error = NULL;
  char *secret = secret_password_lookupv_sync (&token_schema, attributes, NULL, &local_error);

  if (local_error != NULL)
    explain (error, local_error);
  return secret;
}

gboolean
paddock_keychain_clear (const PaddockKeychainEntry  *entry,
                        GError                     **error)
{
  g_autoptr(GHashTable) attributes = attributes_for (entry);
  GError *local_error = NULL;
  gboolean removed = secret_password_clearv_sync (&token_schema, attributes, NULL, &local_error);

  if (local_error != NULL)
    return explain (error, local_error);
  return removed;
}

void
paddock_keychain_free (char *secret)
{
  secret_password_free (secret);
}
