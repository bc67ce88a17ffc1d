/* paddock-workspace.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "paddock-errors.h"
#include "paddock-path.h"
#include "paddock-paths.h"
#include "paddock-workspace.h"

struct _PaddockWorkspace
{
  GObject parent_instance;

  char *id;
  char *path;
  char *name;
  char *trusted_sha256;  /* of the project policy the user trusted */
  char *dir;             /* where Paddock keeps this workspace's files */
};

G_DEFINE_FINAL_TYPE (PaddockWorkspace, paddock_workspace, G_TYPE_OBJECT)

static void
paddock_workspace_finalize (GObject *object)
{
  PaddockWorkspace *self = PADDOCK_WORKSPACE (object);

  g_free (self->id);
  g_free (self->path);
  g_free (self->name);
  g_free (self->trusted_sha256);
  g_free (self->dir);

  G_OBJECT_CLASS (paddock_workspace_parent_class)->finalize (object);
}

static void
paddock_workspace_class_init (PaddockWorkspaceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = paddock_workspace_finalize;
}

static void
paddock_workspace_init (PaddockWorkspace *self)
{
}

static char *
metadata_path (PaddockWorkspace *self)
{
  return g_build_filename (self->dir, "workspace.json", NULL);
}

static gboolean
load_metadata (PaddockWorkspace  *self,
               GError           **error)
{
  g_autofree char *path = metadata_path (self);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  JsonNode *root;

  if (!json_parser_load_from_file (parser, path, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SYNTAX,
                           "%s: %s", path, local_error->message);
    }

  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SCHEMA,
                         "%s: expected an object", path);

  object = json_node_get_object (root);
  if (json_object_has_member (object, "name"))
    {
      g_free (self->name);
      self->name = g_strdup (json_object_get_string_member_with_default (object, "name", self->name));
    }
  g_free (self->trusted_sha256);
  self->trusted_sha256 = g_strdup (json_object_get_string_member_with_default (object, "trusted_policy_sha256", NULL));

  return TRUE;
}

PaddockWorkspace *
paddock_workspace_new_for_path (const char  *path,
                                GError     **error)
{
  g_autoptr(PaddockWorkspace) self = NULL;
  g_autofree char *resolved = NULL;
  g_autofree char *config = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *cwd = g_get_current_dir ();

  g_return_val_if_fail (path != NULL, NULL);

  resolved = paddock_path_resolve (path, cwd, g_get_home_dir ());
  if (resolved == NULL || !g_file_test (resolved, G_FILE_TEST_IS_DIR))
    {
      paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO,
                    "workspace “%s” is not a folder", path);
      return NULL;
    }

  self = g_object_new (PADDOCK_TYPE_WORKSPACE, NULL);
  self->path = g_steal_pointer (&resolved);
  self->name = g_path_get_basename (self->path);
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, self->path, -1);
  self->id = g_strndup (digest, 16);
  config = paddock_paths_dup_user_config ();
  self->dir = g_build_filename (config, "workspaces", self->id, NULL);

  if (!load_metadata (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
paddock_workspace_get_id (PaddockWorkspace *self)
{
  g_return_val_if_fail (PADDOCK_IS_WORKSPACE (self), NULL);
  return self->id;
}

const char *
paddock_workspace_get_path (PaddockWorkspace *self)
{
  g_return_val_if_fail (PADDOCK_IS_WORKSPACE (self), NULL);
  return self->path;
}

const char *
paddock_workspace_get_name (PaddockWorkspace *self)
{
  g_return_val_if_fail (PADDOCK_IS_WORKSPACE (self), NULL);
  return self->name;
}

void
paddock_workspace_set_name (PaddockWorkspace *self,
                            const char       *name)
{
  g_return_if_fail (PADDOCK_IS_WORKSPACE (self));
  g_return_if_fail (name != NULL && *name != '\0');

  g_free (self->name);
  self->name = g_strdup (name);
}

gboolean
paddock_workspace_is_known (PaddockWorkspace *self)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (PADDOCK_IS_WORKSPACE (self), FALSE);

  path = metadata_path (self);
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

gboolean
paddock_workspace_forget (PaddockWorkspace  *self,
                          GError           **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name;

  g_return_val_if_fail (PADDOCK_IS_WORKSPACE (self), FALSE);

  /* Only Paddock's own folder for it, and only the files in it: the
   * project is never touched. */
  dir = g_dir_open (self->dir, 0, &local_error);
  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO,
                           "%s: %s", self->dir, local_error->message);
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (self->dir, name, NULL);

      if (g_unlink (path) != 0)
        {
          int saved_errno = errno;
          return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO,
                               "%s cannot be removed: %s", path, g_strerror (saved_errno));
        }
    }
  if (g_rmdir (self->dir) != 0)
    {
      int saved_errno = errno;
      return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO,
                           "%s cannot be removed: %s", self->dir, g_strerror (saved_errno));
    }
  return TRUE;
}

int
paddock_workspace_compare (gconstpointer a,
                           gconstpointer b,
                           gpointer      user_data)
{
  const PaddockWorkspace *wa = a;
  const PaddockWorkspace *wb = b;
  int order = g_utf8_collate (wa->name, wb->name);

  return order != 0 ? order : strcmp (wa->path, wb->path);
}

static int
compare_by_name (gconstpointer a,
                 gconstpointer b)
{
  return paddock_workspace_compare (*(PaddockWorkspace **) a, *(PaddockWorkspace **) b, NULL);
}

GPtrArray *
paddock_workspace_list_known (void)
{
  g_autofree char *config = paddock_paths_dup_user_config ();
  g_autofree char *root = g_build_filename (config, "workspaces", NULL);
  g_autoptr(GDir) dir = g_dir_open (root, 0, NULL);
  GPtrArray *known = g_ptr_array_new_with_free_func (g_object_unref);
  const char *id;

  while (dir != NULL && (id = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *metadata = g_build_filename (root, id, "workspace.json", NULL);
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      g_autoptr(GError) error = NULL;
      g_autoptr(PaddockWorkspace) workspace = NULL;
      JsonNode *node;
      const char *path = NULL;

      if (!g_file_test (metadata, G_FILE_TEST_EXISTS))
        continue;
      if (json_parser_load_from_file (parser, metadata, &error) &&
          JSON_NODE_HOLDS_OBJECT (node = json_parser_get_root (parser)))
        path = json_object_get_string_member_with_default (json_node_get_object (node), "path", NULL);
      if (path == NULL)
        {
          g_warning ("%s: not a workspace record (%s)", metadata, error ? error->message : "no “path”");
          continue;
        }
      if (!g_file_test (path, G_FILE_TEST_IS_DIR))
        continue;
      workspace = paddock_workspace_new_for_path (path, &error);
      if (workspace == NULL)
        {
          g_warning ("%s: %s", metadata, error->message);
          continue;
        }
      g_ptr_array_add (known, g_steal_pointer (&workspace));
    }

  g_ptr_array_sort (known, compare_by_name);
  return known;
}

char *
paddock_workspace_dup_settings_policy_path (PaddockWorkspace *self)
{
  g_return_val_if_fail (PADDOCK_IS_WORKSPACE (self), NULL);
  return g_build_filename (self->dir, "policy.json", NULL);
}

char *
paddock_workspace_dup_project_policy_path (PaddockWorkspace *self)
{
  g_return_val_if_fail (PADDOCK_IS_WORKSPACE (self), NULL);
  return g_build_filename (self->path, ".paddock", "policy.json", NULL);
}

static char *
project_policy_sha256 (PaddockWorkspace *self)
{
  g_autofree char *path = paddock_workspace_dup_project_policy_path (self);
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

PaddockProjectPolicyState
paddock_workspace_get_project_policy_state (PaddockWorkspace *self)
{
  g_autofree char *current = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (PADDOCK_IS_WORKSPACE (self), PADDOCK_PROJECT_POLICY_NONE);

  path = paddock_workspace_dup_project_policy_path (self);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return PADDOCK_PROJECT_POLICY_NONE;

  current = project_policy_sha256 (self);
  if (self->trusted_sha256 == NULL)
    return PADDOCK_PROJECT_POLICY_UNTRUSTED;
  if (current != NULL && g_str_equal (current, self->trusted_sha256))
    return PADDOCK_PROJECT_POLICY_TRUSTED;
  return PADDOCK_PROJECT_POLICY_CHANGED;
}

GBytes *
paddock_workspace_dup_trusted_project_policy (PaddockWorkspace *self)
{
  g_autofree char *path = NULL;
  g_autofree char *digest = NULL;
  char *contents;
  gsize length;

  g_return_val_if_fail (PADDOCK_IS_WORKSPACE (self), NULL);

  if (self->trusted_sha256 == NULL)
    return NULL;

  path = paddock_workspace_dup_project_policy_path (self);
  if (!g_file_get_contents (path, &contents, &length, NULL))
    return NULL;

  digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
  if (!g_str_equal (digest, self->trusted_sha256))
    {
      g_free (contents);
      return NULL;
    }

  return g_bytes_new_take (contents, length);
}

gboolean
paddock_workspace_trust_project_policy (PaddockWorkspace  *self,
                                        GError           **error)
{
  g_autofree char *digest = NULL;

  g_return_val_if_fail (PADDOCK_IS_WORKSPACE (self), FALSE);

  digest = project_policy_sha256 (self);
  if (digest == NULL)
    {
      g_autofree char *path = paddock_workspace_dup_project_policy_path (self);
      return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO,
                           "%s cannot be read, so there is nothing to trust", path);
    }

  g_free (self->trusted_sha256);
  self->trusted_sha256 = g_steal_pointer (&digest);
  return paddock_workspace_save (self, error);
}

gboolean
paddock_workspace_trust_project_policy_as_seen (PaddockWorkspace  *self,
                                                GBytes            *seen,
                                                GError           **error)
{
  g_autofree char *current = NULL;
  g_autofree char *shown = NULL;

  g_return_val_if_fail (PADDOCK_IS_WORKSPACE (self), FALSE);
  g_return_val_if_fail (seen != NULL, FALSE);

  current = project_policy_sha256 (self);
  shown = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, seen);
  if (current == NULL || !g_str_equal (current, shown))
    {
      g_autofree char *path = paddock_workspace_dup_project_policy_path (self);
      return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO,
                           "%s changed since it was shown, so it was not trusted; review it again", path);
    }

  g_free (self->trusted_sha256);
  self->trusted_sha256 = g_steal_pointer (&current);
  return paddock_workspace_save (self, error);
}

gboolean
paddock_workspace_untrust_project_policy (PaddockWorkspace  *self,
                                          GError           **error)
{
  g_return_val_if_fail (PADDOCK_IS_WORKSPACE (self), FALSE);

  g_clear_pointer (&self->trusted_sha256, g_free);
  return paddock_workspace_save (self, error);
}

gboolean
paddock_workspace_save (PaddockWorkspace  *self,
                        GError           **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;

  g_return_val_if_fail (PADDOCK_IS_WORKSPACE (self), FALSE);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, self->path);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, self->name);
  if (self->trusted_sha256 != NULL)
    {
      json_builder_set_member_name (builder, "trusted_policy_sha256");
      json_builder_add_string_value (builder, self->trusted_sha256);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  data = json_generator_to_data (generator, NULL);

  if (g_mkdir_with_parents (self->dir, 0700) != 0)
    {
      int saved_errno = errno;
      return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO,
                           "%s cannot be created: %s", self->dir, g_strerror (saved_errno));
    }

  path = metadata_path (self);
  /* Written to a temporary file and renamed: a crash leaves the old or
   * the new settings, never half of them. */
  if (!g_file_set_contents_full (path, data, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO,
                         "%s cannot be written: %s", path, local_error->message);

  return TRUE;
}
