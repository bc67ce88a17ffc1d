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
  const char *values[] = { entry->issuer, entry->account, entry->resource, entry->kind };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    if (values[i] != NULL)
      g_hash_table_insert (attributes, (char *) token_schema.attributes[i].name, (char *) values[i]);
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
paddock_keychain_item_free (PaddockKeychainItem *item)
{
  if (item == NULL)
    return;
  g_free (item->issuer);
  g_free (item->account);
  g_free (item->resource);
  g_free (item->kind);
  paddock_keychain_free (item->secret);
  g_free (item);
}

GPtrArray *
paddock_keychain_search (const PaddockKeychainEntry  *match,
                         GError                     **error)
{
  g_autoptr(GHashTable) attributes = attributes_for (match);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_keychain_item_free);
  GError *local_error = NULL;
  GList *found = secret_password_searchv_sync (&token_schema, attributes,
                                               SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS,
                                               NULL, &local_error);

  if (local_error != NULL)
    return explain (error, local_error), NULL;
  for (GList *l = found; l != NULL; l = l->next)
    {
      g_autoptr(GHashTable) got = secret_retrievable_get_attributes (l->data);
      SecretValue *value = secret_retrievable_retrieve_secret_sync (l->data, NULL, &local_error);
      PaddockKeychainItem *item;

      if (value == NULL)
        {
          g_list_free_full (found, g_object_unref);
          if (local_error == NULL)
            local_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "an entry stayed locked");
          return explain (error, local_error), NULL;
        }
      item = g_new0 (PaddockKeychainItem, 1);
      item->issuer = g_strdup (g_hash_table_lookup (got, "issuer"));
      item->account = g_strdup (g_hash_table_lookup (got, "account"));
      item->resource = g_strdup (g_hash_table_lookup (got, "resource"));
      item->kind = g_strdup (g_hash_table_lookup (got, "kind"));
      item->secret = secret_value_unref_to_password (value, NULL);
      g_ptr_array_add (items, item);
    }
  g_list_free_full (found, g_object_unref);
  return g_steal_pointer (&items);
}

void
paddock_keychain_free (char *secret)
{
  secret_password_free (secret);
}
