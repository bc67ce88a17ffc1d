/* paddock-policy-file.c
 *
 * The workspace's own policy file (under $XDG_CONFIG_HOME/paddock/
 * workspaces/, never in the project) holds what the person sets for the
 * workspace in the app, and "always allow for this workspace"; the
 * policy inspector shows each entry with its line, and the person can
 * take it back.
 *
 * Every change is checked by the policy reader before the file is
 * replaced: Paddock never writes a policy it would refuse to load.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "paddock-errors.h"
#include "paddock-policy-document.h"
#include "paddock-policy-file.h"

/* The file's JSON object, or a new one when there is no file. */
static JsonNode *
load (const char  *path,
      GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (json_parser_load_from_mapped_file (parser, path, &local_error))
    {
      if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SCHEMA,
                        "%s does not hold a policy object", path);
          return NULL;
        }
      return json_node_copy (json_parser_get_root (parser));
    }
  if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SYNTAX,
                    "%s cannot be read: %s", path, local_error->message);
      return NULL;
    }
  root = json_node_init_object (json_node_alloc (), json_object_new ());
  json_object_set_int_member (json_node_get_object (root), "version", 1);
  return root;
}

/* @section of the root object, created when missing. */
static JsonObject *
section_of (JsonNode    *root,
            const char  *path,
            const char  *section,
            GError     **error)
{
  JsonObject *object = json_node_get_object (root);

  if (!json_object_has_member (object, section))
    json_object_set_object_member (object, section, json_object_new ());
  if (!JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, section)))
    {
      paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SCHEMA,
                    "%s: “%s” is not an object", path, section);
      return NULL;
    }
  return json_object_get_object_member (object, section);
}

static gboolean
save (const char  *path,
      JsonNode    *root,
      GError     **error)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PaddockPolicyDocument) check = NULL;
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);

  check = paddock_policy_document_new_from_json (PADDOCK_LAYER_WORKSPACE, path, text, -1, &local_error);
  if (check == NULL)
    return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_INVALID,
                         "the change was not saved: %s", local_error->message);

  if (g_mkdir_with_parents (parent, 0700) != 0)
    return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO, "%s: %s", parent,
                         g_strerror (errno));
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local_error))
    return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO, "%s", local_error->message);
  return TRUE;
}

gboolean
paddock_policy_file_add_network_allow (const char  *path,
                                       const char  *host,
                                       guint16      port,
                                       GError     **error)
{
  g_autofree char *pattern = NULL;
  g_auto(GStrv) allow = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;

  g_return_val_if_fail (path != NULL && host != NULL, FALSE);

  pattern = port ? g_strdup_printf ("%s:%u", host, port) : g_strdup (host);
  if (!paddock_policy_file_get_list (path, "network", "allow", &allow, error))
    return FALSE;
  if (g_strv_contains ((const char * const *) allow, pattern))
    return TRUE;
  g_strv_builder_addv (builder, (const char **) allow);
  g_strv_builder_add (builder, pattern);
  updated = g_strv_builder_end (builder);
  return paddock_policy_file_set_list (path, "network", "allow", (const char * const *) updated, error);
}

gboolean
paddock_policy_file_get_list (const char   *path,
                              const char   *section,
                              const char   *key,
                              GStrv        *values,
                              GError      **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonObject *object;
  JsonNode *member;

  g_return_val_if_fail (path != NULL && section != NULL && key != NULL && values != NULL, FALSE);

  root = load (path, error);
  if (root == NULL)
    return FALSE;
  object = json_node_get_object (root);
  if (json_object_has_member (object, section))
    {
      if (!JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, section)))
        return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SCHEMA,
                             "%s: “%s” is not an object", path, section);
      member = json_object_get_member (json_object_get_object_member (object, section), key);
      if (member != NULL && !JSON_NODE_HOLDS_ARRAY (member))
        return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SCHEMA,
                             "%s: “%s.%s” is not a list", path, section, key);
      for (guint i = 0; member != NULL && i < json_array_get_length (json_node_get_array (member)); i++)
        {
          JsonNode *item = json_array_get_element (json_node_get_array (member), i);

          if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
            return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SCHEMA,
                                 "%s: “%s.%s” item %u is not a string", path, section, key, i + 1);
          g_strv_builder_add (builder, json_node_get_string (item));
        }
    }
  *values = g_strv_builder_end (builder);
  return TRUE;
}

gboolean
paddock_policy_file_set_list (const char          *path,
                              const char          *section,
                              const char          *key,
                              const char * const  *values,
                              GError             **error)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonArray *array;

  g_return_val_if_fail (path != NULL && section != NULL && key != NULL, FALSE);

  root = load (path, error);
  if (root == NULL || (object = section_of (root, path, section, error)) == NULL)
    return FALSE;
  if (values == NULL || values[0] == NULL)
    json_object_remove_member (object, key);
  else
    {
      array = json_array_new ();
      for (guint i = 0; values[i] != NULL; i++)
        json_array_add_string_element (array, values[i]);
      json_object_set_array_member (object, key, array);
    }
  return save (path, root, error);
}

gboolean
paddock_policy_file_set_string (const char  *path,
                                const char  *section,
                                const char  *key,
                                const char  *value,
                                GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;

  g_return_val_if_fail (path != NULL && section != NULL && key != NULL, FALSE);

  root = load (path, error);
  if (root == NULL || (object = section_of (root, path, section, error)) == NULL)
    return FALSE;
  if (value == NULL)
    json_object_remove_member (object, key);
  else
    json_object_set_string_member (object, key, value);
  return save (path, root, error);
}
