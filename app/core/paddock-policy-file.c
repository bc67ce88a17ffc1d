/* paddock-policy-file.c
 *
 * "Always allow for this workspace" is kept in the workspace's own
 * policy file (under $XDG_CONFIG_HOME/paddock/workspaces/, never in the
 * project), where the policy inspector shows it with its line and the
 * person can take it back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "paddock-errors.h"
#include "paddock-policy-file.h"

gboolean
paddock_policy_file_add_network_allow (const char  *path,
                                       const char  *host,
                                       guint16      port,
                                       GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *pattern = port ? g_strdup_printf ("%s:%u", host, port) : g_strdup (host);
  g_autofree char *text = NULL;
  JsonObject *object, *network;
  JsonArray *allow;

  g_return_val_if_fail (path != NULL && host != NULL, FALSE);

  if (json_parser_load_from_mapped_file (parser, path, &local_error))
    {
      if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SCHEMA,
                             "%s does not hold a policy object; “%s” was not added", path, pattern);
      root = json_node_copy (json_parser_get_root (parser));
    }
  else if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_clear_error (&local_error);
      root = json_node_init_object (json_node_alloc (), json_object_new ());
      json_object_set_int_member (json_node_get_object (root), "version", 1);
    }
  else
    return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SYNTAX,
                         "%s cannot be read: %s; “%s” was not added", path, local_error->message, pattern);

  object = json_node_get_object (root);
  if (!json_object_has_member (object, "network"))
    json_object_set_object_member (object, "network", json_object_new ());
  if (!JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "network")))
    return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SCHEMA,
                         "%s: “network” is not an object; “%s” was not added", path, pattern);
  network = json_object_get_object_member (object, "network");
  if (!json_object_has_member (network, "allow"))
    json_object_set_array_member (network, "allow", json_array_new ());
  if (!JSON_NODE_HOLDS_ARRAY (json_object_get_member (network, "allow")))
    return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SCHEMA,
                         "%s: “network.allow” is not a list; “%s” was not added", path, pattern);
  allow = json_object_get_array_member (network, "allow");
  for (guint i = 0; i < json_array_get_length (allow); i++)
    {
      JsonNode *item = json_array_get_element (allow, i);

      if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING &&
          g_str_equal (json_node_get_string (item), pattern))
        return TRUE;
    }
  json_array_add_string_element (allow, pattern);

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  if (g_mkdir_with_parents (parent, 0700) != 0)
    return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO, "%s: %s", parent,
                         g_strerror (errno));
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local_error))
    return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO, "%s", local_error->message);
  return TRUE;
}
