/* paddock-policy-loader.c
 *
 * Every source is read on its own; one that fails is replaced by a
 * document that forbids everything in its layer, so a broken or
 * unreadable file is never looser than a good one. A missing file is
 * simply absent: only the administrator's layers can require anything.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "paddock-core-resources.h"
#include "paddock-errors.h"
#include "paddock-host.h"
#include "paddock-paths.h"
#include "paddock-policy-loader.h"
#include "paddock-requirements.h"

struct _PaddockPolicyLoader
{
  GObject parent_instance;

  GPtrArray *files;
  gboolean only;
  GBytes *project_preview;
};

G_DEFINE_FINAL_TYPE (PaddockPolicyLoader, paddock_policy_loader, G_TYPE_OBJECT)

static void
paddock_policy_loader_finalize (GObject *object)
{
  PaddockPolicyLoader *self = PADDOCK_POLICY_LOADER (object);

  g_clear_pointer (&self->files, g_ptr_array_unref);

  g_clear_pointer (&self->project_preview, g_bytes_unref);
  G_OBJECT_CLASS (paddock_policy_loader_parent_class)->finalize (object);
}

static void
paddock_policy_loader_class_init (PaddockPolicyLoaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = paddock_policy_loader_finalize;
}

static void
paddock_policy_loader_init (PaddockPolicyLoader *self)
{
  self->files = g_ptr_array_new_with_free_func (g_free);
}

PaddockPolicyLoader *
paddock_policy_loader_new (void)
{
  return g_object_new (PADDOCK_TYPE_POLICY_LOADER, NULL);
}

void
paddock_policy_loader_add_file (PaddockPolicyLoader *self,
                                const char          *path)
{
  g_return_if_fail (PADDOCK_IS_POLICY_LOADER (self));
  g_return_if_fail (path != NULL);

  g_ptr_array_add (self->files, g_strdup (path));
}

void
paddock_policy_loader_set_only (PaddockPolicyLoader *self,
                                gboolean             only)
{
  g_return_if_fail (PADDOCK_IS_POLICY_LOADER (self));

  self->only = !!only;
}

/* Adds the document from @path; absent files add nothing unless
 * @required. */
static void
add_file (GPtrArray    *documents,
          PaddockLayer  layer,
          const char   *path,
          gboolean      required)
{
  g_autoptr(GError) error = NULL;
  PaddockPolicyDocument *document;

  if (!required && !g_file_test (path, G_FILE_TEST_EXISTS))
    return;

  document = paddock_policy_document_new_from_file (layer, path, &error);
  if (document == NULL)
    document = paddock_policy_document_new_failed (layer, path, error);
  g_ptr_array_add (documents, document);
}

static void
add_failed (GPtrArray    *documents,
            PaddockLayer  layer,
            const char   *source,
            const char   *format,
            ...) G_GNUC_PRINTF (4, 5);

static void
add_failed (GPtrArray    *documents,
            PaddockLayer  layer,
            const char   *source,
            const char   *format,
            ...)
{
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO, format, args);
  va_end (args);

  g_ptr_array_add (documents, paddock_policy_document_new_failed (layer, source, error));
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Every .json and .rules file of a policy.d folder, in lexical order. */
static void
add_directory (GPtrArray    *documents,
               PaddockLayer  layer,
               const char   *dir_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        add_failed (documents, layer, dir_path, "%s cannot be read: %s", dir_path, error->message);
      return;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".json") || g_str_has_suffix (name, ".rules"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir_path, g_ptr_array_index (names, i), NULL);
      add_file (documents, layer, path, TRUE);
    }
}

/* --- managed requirements ------------------------------------------ */

char *
paddock_policy_loader_dup_requirements_cache (void)
{
  g_autofree char *cache = paddock_paths_dup_cache ();
  return g_build_filename (cache, "requirements", NULL);
}

char *
paddock_policy_loader_dup_requirements_url (GError **error)
{
  g_autofree char *path = g_build_filename (paddock_paths_get_sysconfdir (), "config.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *object;
  JsonNode *root;
  const char *url;

  if (!json_parser_load_from_file (parser, path, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return NULL;
      paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SYNTAX,
                    "%s: %s", path, local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SCHEMA,
                    "%s: expected an object such as {\"requirements_url\": \"https://…\"}", path);
      return NULL;
    }

  object = json_node_get_object (root);
  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "version") && !g_str_equal (l->data, "requirements_url"))
      {
        paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SCHEMA,
                      "%s: unknown key “%s”; accepted: version, requirements_url", path,
                      (const char *) l->data);
        return NULL;
      }

  if (!json_object_has_member (object, "requirements_url"))
    return NULL;

  url = json_object_get_string_member_with_default (object, "requirements_url", NULL);
  if (url == NULL)
    {
      paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SCHEMA,
                    "%s: “requirements_url” must be a string such as \"https://…\"", path);
      return NULL;
    }
  if (!paddock_requirements_check_url (url, &local_error))
    {
      paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_INVALID,
                    "%s: “requirements_url”: %s", path, local_error->message);
      return NULL;
    }

  return g_strdup (url);
}

static void
add_cached_requirements (GPtrArray  *documents,
                         const char *url)
{
  g_autofree char *cache = paddock_policy_loader_dup_requirements_cache ();
  g_autofree char *meta_path = g_build_filename (cache, "meta.json", NULL);
  g_autofree char *body_path = g_build_filename (cache, "document.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  const char *cached_url = NULL;
  PaddockPolicyDocument *document;

  if (json_parser_load_from_file (parser, meta_path, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    cached_url = json_object_get_string_member_with_default (
      json_node_get_object (json_parser_get_root (parser)), "url", NULL);

  /* No copy of these requirements was ever fetched: the most restrictive
   * mode, said plainly, until one is. */
  if (g_strcmp0 (cached_url, url) != 0 || !g_file_get_contents (body_path, &contents, &length, NULL))
    {
      add_failed (documents, PADDOCK_LAYER_MANAGED, url,
                  "the organisation's requirements at %s were never fetched, so Paddock runs "
                  "in its most restrictive mode; run “paddockctl policy refresh” to fetch them",
                  url);
      return;
    }

  document = paddock_policy_document_new_from_json (PADDOCK_LAYER_MANAGED, url, contents, length, &error);
  if (document == NULL)
    document = paddock_policy_document_new_failed (PADDOCK_LAYER_MANAGED, url, error);
  g_ptr_array_add (documents, document);
}

static void
add_managed (GPtrArray *documents)
{
  g_autofree char *path = g_build_filename (paddock_paths_get_sysconfdir (), "requirements.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  add_file (documents, PADDOCK_LAYER_MANAGED, path, FALSE);

  url = paddock_policy_loader_dup_requirements_url (&error);
  if (error != NULL)
    {
      g_autofree char *config = g_build_filename (paddock_paths_get_sysconfdir (), "config.json", NULL);
      g_ptr_array_add (documents, paddock_policy_document_new_failed (PADDOCK_LAYER_MANAGED, config, error));
    }
  else if (url != NULL)
    add_cached_requirements (documents, url);
}

/* --- GSettings ----------------------------------------------------- */

typedef enum
{
  KEY_MODE,
  KEY_PATHS,
  KEY_HOSTS,
} KeyKind;

static const struct
{
  const char *key;
  const char *setting;
  KeyKind kind;
  PaddockVerdict verdict;
} settings_keys[] = {
  { "sandbox-mode", "sandbox.mode", KEY_MODE, 0 },
  { "approval-mode", "approval.mode", KEY_MODE, 0 },
  { "network-mode", "network.mode", KEY_MODE, 0 },
  { "writable-roots", "sandbox.writable", KEY_PATHS, PADDOCK_VERDICT_ALLOW },
  { "deny-read", "sandbox.deny_read", KEY_PATHS, PADDOCK_VERDICT_FORBIDDEN },
  { "allowed-domains", "network.allow", KEY_HOSTS, PADDOCK_VERDICT_ALLOW },
  { "denied-domains", "network.deny", KEY_HOSTS, PADDOCK_VERDICT_FORBIDDEN },
};

static GSettingsSchema *
lookup_schema (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  GSettingsSchema *schema = NULL;
  const char *dirs[] = {
#if PADDOCK_DEVELOPMENT
    PADDOCK_BUILD_SCHEMADIR,
#endif
    PADDOCK_SCHEMADIR,
  };

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, PADDOCK_SETTINGS_SCHEMA, TRUE);

  for (guint i = 0; schema == NULL && i < G_N_ELEMENTS (dirs); i++)
    {
      g_autoptr(GSettingsSchemaSource) extra =
        g_settings_schema_source_new_from_directory (dirs[i], source, TRUE, NULL);

      if (extra != NULL)
        schema = g_settings_schema_source_lookup (extra, PADDOCK_SETTINGS_SCHEMA, FALSE);
    }

  return schema;
}

static gboolean
add_settings_value (PaddockPolicyDocument  *document,
                    guint                   index,
                    GVariant               *value,
                    const char             *source,
                    GError                **error)
{
  const char *key = settings_keys[index].key;

  if (settings_keys[index].kind == KEY_MODE)
    {
      const char *str = g_variant_get_string (value, NULL);
      g_autofree char *text = NULL;
      int ignored;
      gboolean valid;

      if (*str == '\0')
        return TRUE;

      if (g_str_equal (key, "sandbox-mode"))
        valid = paddock_sandbox_mode_from_string (str, (PaddockSandboxMode *) &ignored);
      else if (g_str_equal (key, "approval-mode"))
        valid = paddock_approval_mode_from_string (str, (PaddockApprovalMode *) &ignored);
      else
        valid = paddock_network_mode_from_string (str, (PaddockNetworkMode *) &ignored);
      if (!valid)
        return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_INVALID,
                             "%s: “%s” is not a valid value for %s", source, str, key);

      text = g_strdup_printf ("%s = '%s'", key, str);
      paddock_policy_document_add_setting (document, settings_keys[index].setting, value, 0, 0, text);
      return TRUE;
    }

  {
    g_autofree const char **entries = g_variant_get_strv (value, NULL);

    for (guint i = 0; entries[i] != NULL; i++)
      {
        PaddockRule *rule;

        if (settings_keys[index].kind == KEY_HOSTS)
          {
            g_autoptr(GError) host_error = NULL;
            g_autoptr(PaddockHostPattern) pattern = paddock_host_pattern_new (entries[i], &host_error);

            if (pattern == NULL)
              return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_INVALID,
                                   "%s: %s", source, host_error->message);
            rule = paddock_rule_new (PADDOCK_RULE_NETWORK, document->layer, settings_keys[index].verdict);
            rule->host = g_strdup (entries[i]);
          }
        else
          {
            if (!g_path_is_absolute (entries[i]) && entries[i][0] != '~')
              return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_INVALID,
                                   "%s: “%s” is not an absolute path or ~/…", source, entries[i]);
            rule = paddock_rule_new (PADDOCK_RULE_PATH, document->layer, settings_keys[index].verdict);
            rule->path = g_strdup (entries[i]);
            rule->access = settings_keys[index].verdict == PADDOCK_VERDICT_ALLOW
                           ? PADDOCK_PATH_ACCESS_WRITE
                           : PADDOCK_PATH_ACCESS_READ | PADDOCK_PATH_ACCESS_WRITE;
          }

        paddock_rule_set_source (rule, source, 0, 0);
        rule->text = g_strdup_printf ("%s: '%s'", key, entries[i]);
        g_ptr_array_add (document->rules, rule);
      }
  }

  return TRUE;
}

/* Keys locked through dconf are the system layer; values the user set
 * are the user layer. Schema defaults are no layer at all. */
static void
add_gsettings (GPtrArray    *documents,
               PaddockLayer  layer)
{
  g_autoptr(GSettingsSchema) schema = lookup_schema ();
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(PaddockPolicyDocument) document = NULL;
  const char *source = layer == PADDOCK_LAYER_SYSTEM
                       ? "gsettings " PADDOCK_SETTINGS_SCHEMA " (locked by dconf)"
                       : "gsettings " PADDOCK_SETTINGS_SCHEMA;

  if (schema == NULL)
    {
      /* Without the schema, locked keys cannot be read: that must not
       * quietly drop the administrator's settings. */
      if (layer == PADDOCK_LAYER_SYSTEM)
        add_failed (documents, layer, "gsettings " PADDOCK_SETTINGS_SCHEMA,
                    "the GSettings schema %s is not installed, so settings locked by the "
                    "administrator cannot be read; install Paddock (or use “meson devenv”)",
                    PADDOCK_SETTINGS_SCHEMA);
      return;
    }

  settings = g_settings_new_full (schema, NULL, NULL);
  document = paddock_policy_document_new (layer, source);

  for (guint i = 0; i < G_N_ELEMENTS (settings_keys); i++)
    {
      g_autoptr(GVariant) value = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *key_source = NULL;
      gboolean locked = !g_settings_is_writable (settings, settings_keys[i].key);

      if (locked != (layer == PADDOCK_LAYER_SYSTEM))
        continue;

      value = locked ? g_settings_get_value (settings, settings_keys[i].key)
                     : g_settings_get_user_value (settings, settings_keys[i].key);
      if (value == NULL)
        continue;

      key_source = g_strdup_printf ("gsettings %s %s%s", PADDOCK_SETTINGS_SCHEMA,
                                    settings_keys[i].key, locked ? " (locked by dconf)" : "");
      if (!add_settings_value (document, i, value, key_source, &error))
        {
          g_ptr_array_add (documents, paddock_policy_document_new_failed (layer, key_source, error));
          return;
        }
    }

  if (document->rules->len > 0 || document->settings->len > 0)
    g_ptr_array_add (documents, g_steal_pointer (&document));
}

/* --- defaults ------------------------------------------------------ */

static void
add_defaults (GPtrArray *documents)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  PaddockPolicyDocument *document = NULL;
  const char *source = "resource://" PADDOCK_DEFAULT_POLICY_RESOURCE;

  bytes = g_resource_lookup_data (paddock_core_get_resource (), PADDOCK_DEFAULT_POLICY_RESOURCE,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (bytes != NULL)
    document = paddock_policy_document_new_from_json (PADDOCK_LAYER_DEFAULTS, source,
                                                      g_bytes_get_data (bytes, NULL),
                                                      g_bytes_get_size (bytes), &error);
  if (document == NULL)
    document = paddock_policy_document_new_failed (PADDOCK_LAYER_DEFAULTS, source, error);
  g_ptr_array_add (documents, document);
}

/* --- all layers ---------------------------------------------------- */

void
paddock_policy_loader_preview_project (PaddockPolicyLoader *self,
                                       GBytes              *contents)
{
  g_return_if_fail (PADDOCK_IS_POLICY_LOADER (self));

  g_clear_pointer (&self->project_preview, g_bytes_unref);
  self->project_preview = contents ? g_bytes_ref (contents) : NULL;
}

PaddockPolicy *
paddock_policy_loader_load (PaddockPolicyLoader  *self,
                            PaddockWorkspace     *workspace,
                            GError              **error)
{
  g_autoptr(GPtrArray) documents = NULL;

  g_return_val_if_fail (PADDOCK_IS_POLICY_LOADER (self), NULL);
  g_return_val_if_fail (workspace == NULL || PADDOCK_IS_WORKSPACE (workspace), NULL);

  documents = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_policy_document_unref);

  if (!self->only)
    {
      g_autofree char *policy_d = g_build_filename (paddock_paths_get_sysconfdir (), "policy.d", NULL);
      g_autofree char *user_config = paddock_paths_dup_user_config ();
      g_autofree char *user_policy = g_build_filename (user_config, "policy.json", NULL);

      add_managed (documents);
      add_directory (documents, PADDOCK_LAYER_SYSTEM, policy_d);
      add_gsettings (documents, PADDOCK_LAYER_SYSTEM);
      add_file (documents, PADDOCK_LAYER_USER, user_policy, FALSE);
      add_gsettings (documents, PADDOCK_LAYER_USER);
    }

  for (guint i = 0; i < self->files->len; i++)
    add_file (documents, PADDOCK_LAYER_USER, g_ptr_array_index (self->files, i), TRUE);

  if (!self->only && workspace != NULL)
    {
      g_autofree char *project = paddock_workspace_dup_project_policy_path (workspace);
      g_autofree char *settings = paddock_workspace_dup_settings_policy_path (workspace);

      g_autoptr(GBytes) trusted = self->project_preview ? g_bytes_ref (self->project_preview)
                                                        : paddock_workspace_dup_trusted_project_policy (workspace);

      /* The project's own policy counts only once the user trusts it, and
       * only as it was when trusted. */
      if (trusted != NULL)
        {
          g_autoptr(GError) parse_error = NULL;
          PaddockPolicyDocument *document =
            paddock_policy_document_new_from_json (PADDOCK_LAYER_WORKSPACE, project,
                                                   g_bytes_get_data (trusted, NULL),
                                                   g_bytes_get_size (trusted), &parse_error);
          if (document == NULL)
            document = paddock_policy_document_new_failed (PADDOCK_LAYER_WORKSPACE, project, parse_error);
          g_ptr_array_add (documents, document);
        }
      add_file (documents, PADDOCK_LAYER_WORKSPACE, settings, FALSE);
    }
  if (!self->only)
    add_defaults (documents);

  return paddock_policy_new (workspace ? paddock_workspace_get_path (workspace) : g_get_home_dir (),
                             g_get_home_dir (), documents);
}
