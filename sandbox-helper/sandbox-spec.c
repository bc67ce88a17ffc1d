/* sandbox-spec.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "sandbox-errors.h"
#include "sandbox-json.h"
#include "sandbox-spec.h"

static const char * const modes[] = { "read-only", "workspace-write", "full-access" };

const char *
sandbox_mode_to_string (SandboxMode mode)
{
  g_return_val_if_fail ((guint) mode < G_N_ELEMENTS (modes), NULL);
  return modes[mode];
}

void
sandbox_spec_free (SandboxSpec *spec)
{
  if (spec == NULL)
    return;

  g_strfreev (spec->argv);
  g_free (spec->cwd);
  g_free (spec->workspace);
  g_strfreev (spec->writable);
  g_strfreev (spec->protected_names);
  g_strfreev (spec->hidden);
  g_strfreev (spec->env);
  g_strfreev (spec->granted_env);
  g_free (spec->proxy_socket);
  g_free (spec->mcp_socket);
  g_free (spec->agent_settings);
  g_free (spec->proxy_token);
  g_free (spec);
}

/* Absolute, without ".", ".." or empty components: the helper opens
 * these paths itself and must not be steered by their spelling. */
static gboolean
is_clean_absolute (const char *path)
{
  g_auto(GStrv) parts = NULL;

  if (path[0] != '/')
    return FALSE;
  if (path[1] == '\0')
    return TRUE;

  parts = g_strsplit (path + 1, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] == '\0' || g_str_equal (parts[i], ".") || g_str_equal (parts[i], ".."))
      return FALSE;
  return TRUE;
}

static gboolean
is_clean_relative (const char *path)
{
  g_auto(GStrv) parts = NULL;

  if (*path == '\0' || path[0] == '/')
    return FALSE;

  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] == '\0' || g_str_equal (parts[i], ".") || g_str_equal (parts[i], ".."))
      return FALSE;
  return TRUE;
}

static gboolean
is_variable_name (const char *name)
{
  if (!g_ascii_isalpha (*name) && *name != '_')
    return FALSE;
  for (const char *c = name; *c; c++)
    if (!g_ascii_isalnum (*c) && *c != '_')
      return FALSE;
  return TRUE;
}

typedef enum
{
  PATHS_ANY,
  PATHS_ABSOLUTE,
  PATHS_RELATIVE,
} PathKind;

static GStrv
read_strings (SandboxJson  *root,
              const char   *key,
              gboolean      required,
              gboolean      non_empty,
              PathKind      kind,
              GError      **error)
{
  SandboxJson *value = sandbox_json_get (root, key);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (value == NULL)
    {
      if (required)
        {
          sandbox_fail (error, SANDBOX_ERROR_SPEC, "spec: “%s” is missing", key);
          return NULL;
        }
      return g_new0 (char *, 1);
    }
  if (value->type != SANDBOX_JSON_ARRAY)
    {
      sandbox_fail (error, SANDBOX_ERROR_SPEC, "spec: “%s” must be a list of strings, not %s",
                    key, sandbox_json_type_name (value->type));
      return NULL;
    }
  if (non_empty && value->items->len == 0)
    {
      sandbox_fail (error, SANDBOX_ERROR_SPEC, "spec: “%s” must not be empty", key);
      return NULL;
    }

  for (guint i = 0; i < value->items->len; i++)
    {
      SandboxJson *item = g_ptr_array_index (value->items, i);

      if (item->type != SANDBOX_JSON_STRING)
        {
          sandbox_fail (error, SANDBOX_ERROR_SPEC, "spec: “%s[%u]” must be a string, not %s",
                        key, i, sandbox_json_type_name (item->type));
          return NULL;
        }
      if (kind == PATHS_ABSOLUTE && !is_clean_absolute (item->string))
        {
          sandbox_fail (error, SANDBOX_ERROR_SPEC,
                        "spec: “%s[%u]” = “%s” must be an absolute path without “.”, “..” or “//”",
                        key, i, item->string);
          return NULL;
        }
      if (kind == PATHS_RELATIVE && !is_clean_relative (item->string))
        {
          sandbox_fail (error, SANDBOX_ERROR_SPEC,
                        "spec: “%s[%u]” = “%s” must be a relative path without “.”, “..” or “//”",
                        key, i, item->string);
          return NULL;
        }
      g_strv_builder_add (builder, item->string);
    }

  return g_strv_builder_end (builder);
}

static char *
read_string (SandboxJson  *root,
             const char   *key,
             gboolean      absolute,
             GError      **error)
{
  SandboxJson *value = sandbox_json_get (root, key);

  if (value == NULL || value->type != SANDBOX_JSON_STRING)
    {
      sandbox_fail (error, SANDBOX_ERROR_SPEC, "spec: “%s” must be a string%s", key,
                    absolute ? " holding an absolute path" : "");
      return NULL;
    }
  if (absolute && !is_clean_absolute (value->string))
    {
      sandbox_fail (error, SANDBOX_ERROR_SPEC,
                    "spec: “%s” = “%s” must be an absolute path without “.”, “..” or “//”",
                    key, value->string);
      return NULL;
    }
  return g_strdup (value->string);
}

static gboolean
read_count (SandboxJson  *root,
            const char   *key,
            guint64      *out,
            GError      **error)
{
  SandboxJson *value = sandbox_json_get (root, key);

  *out = 0;
  if (value == NULL)
    return TRUE;
  if (value->type != SANDBOX_JSON_INTEGER || value->integer < 0)
    return sandbox_fail (error, SANDBOX_ERROR_SPEC, "spec: “%s” must be a whole number, 0 or more", key);
  *out = value->integer;
  return TRUE;
}

/* "proxy": {"socket": ABSOLUTE-PATH, "token": HEX} */
static gboolean
read_proxy (SandboxJson  *value,
            SandboxSpec  *spec,
            GError      **error)
{
  SandboxJson *socket = value->type == SANDBOX_JSON_OBJECT ? sandbox_json_get (value, "socket") : NULL;
  SandboxJson *token = value->type == SANDBOX_JSON_OBJECT ? sandbox_json_get (value, "token") : NULL;

  if (socket == NULL || token == NULL || value->keys->len != 2 || socket->type != SANDBOX_JSON_STRING ||
      token->type != SANDBOX_JSON_STRING)
    return sandbox_fail (error, SANDBOX_ERROR_SPEC,
                         "spec: “proxy” must be {\"socket\": PATH, \"token\": HEX} and nothing else");
  if (!g_path_is_absolute (socket->string) || strlen (socket->string) >= 100)
    return sandbox_fail (error, SANDBOX_ERROR_SPEC,
                         "spec: “proxy.socket” must be an absolute path shorter than 100 bytes, got “%s”",
                         socket->string);
  if (strlen (token->string) < 16 || strlen (token->string) > 128 ||
      strspn (token->string, "0123456789abcdef") != strlen (token->string))
    return sandbox_fail (error, SANDBOX_ERROR_SPEC, "spec: “proxy.token” must be 16 to 128 lower-case hex digits");

  spec->proxy_socket = g_strdup (socket->string);
  spec->proxy_token = g_strdup (token->string);
  return TRUE;
}

/* @member: an object of strings, each name letters, digits and "_". */
static gboolean
read_env (SandboxJson   *root,
          const char    *member,
          GStrvBuilder  *into,
          GError       **error)
{
  SandboxJson *value = sandbox_json_get (root, member);

  if (value != NULL && value->type != SANDBOX_JSON_OBJECT)
    {
      sandbox_fail (error, SANDBOX_ERROR_SPEC, "spec: “%s” must be an object of strings", member);
      return FALSE;
    }
  for (guint i = 0; value != NULL && i < value->keys->len; i++)
    {
      const char *name = g_ptr_array_index (value->keys, i);
      SandboxJson *item = g_ptr_array_index (value->items, i);
      g_autofree char *assignment = NULL;

      if (!is_variable_name (name) || item->type != SANDBOX_JSON_STRING)
        {
          sandbox_fail (error, SANDBOX_ERROR_SPEC,
                        "spec: “%s.%s” must be a string under a name of letters, digits and “_”", member, name);
          return FALSE;
        }
      assignment = g_strconcat (name, "=", item->string, NULL);
      g_strv_builder_add (into, assignment);
    }
  return TRUE;
}

SandboxSpec *
sandbox_spec_new_from_json (const char  *text,
                            gsize        length,
                            GError     **error)
{
  static const char * const keys[] = {
    "version", "argv", "cwd", "mode", "workspace", "writable", "protected", "hidden",
    "env", "granted_env", "timeout_ms", "output_limit", "scan_limit", "proxy", "mcp_socket", "agent_settings", "watch_files", NULL,
  };
  g_autoptr(SandboxJson) root = NULL;
  g_autoptr(SandboxSpec) spec = g_new0 (SandboxSpec, 1);
  g_autoptr(GStrvBuilder) env = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) granted = g_strv_builder_new ();
  SandboxJson *value;
  gboolean mode_found = FALSE;

  root = sandbox_json_parse (text, length, error);
  if (root == NULL)
    return NULL;
  if (root->type != SANDBOX_JSON_OBJECT)
    {
      sandbox_fail (error, SANDBOX_ERROR_SPEC, "spec: expected an object");
      return NULL;
    }

  for (guint i = 0; i < root->keys->len; i++)
    if (!g_strv_contains (keys, g_ptr_array_index (root->keys, i)))
      {
        g_autofree char *accepted = g_strjoinv (", ", (char **) keys);
        sandbox_fail (error, SANDBOX_ERROR_SPEC, "spec: unknown key “%s”; accepted: %s",
                      (const char *) g_ptr_array_index (root->keys, i), accepted);
        return NULL;
      }

  value = sandbox_json_get (root, "version");
  if (value == NULL || value->type != SANDBOX_JSON_INTEGER || value->integer != 1)
    {
      sandbox_fail (error, SANDBOX_ERROR_SPEC, "spec: “version” must be 1");
      return NULL;
    }

  value = sandbox_json_get (root, "mode");
  for (guint i = 0; value != NULL && value->type == SANDBOX_JSON_STRING && i < G_N_ELEMENTS (modes); i++)
    if (g_str_equal (value->string, modes[i]))
      {
        spec->mode = i;
        mode_found = TRUE;
      }
  if (!mode_found)
    {
      sandbox_fail (error, SANDBOX_ERROR_SPEC,
                    "spec: “mode” must be read-only, workspace-write or full-access");
      return NULL;
    }

  if ((spec->argv = read_strings (root, "argv", TRUE, TRUE, PATHS_ANY, error)) == NULL ||
      (spec->cwd = read_string (root, "cwd", TRUE, error)) == NULL ||
      (spec->workspace = read_string (root, "workspace", TRUE, error)) == NULL ||
      (spec->writable = read_strings (root, "writable", FALSE, FALSE, PATHS_ABSOLUTE, error)) == NULL ||
      (spec->protected_names = read_strings (root, "protected", FALSE, FALSE, PATHS_RELATIVE, error)) == NULL ||
      (spec->hidden = read_strings (root, "hidden", FALSE, FALSE, PATHS_ABSOLUTE, error)) == NULL ||
      !read_count (root, "timeout_ms", &spec->timeout_ms, error) ||
      !read_count (root, "output_limit", &spec->output_limit, error) ||
      !read_count (root, "scan_limit", &spec->scan_limit, error))
    return NULL;
  if (spec->scan_limit == 0 || spec->scan_limit > G_MAXUINT)
    spec->scan_limit = SANDBOX_SPEC_DEFAULT_SCAN_LIMIT;

  if (*spec->argv[0] == '\0')
    {
      sandbox_fail (error, SANDBOX_ERROR_SPEC, "spec: “argv[0]” must name a program");
      return NULL;
    }

  if (!read_env (root, "env", env, error) || !read_env (root, "granted_env", granted, error))
    return NULL;
  spec->env = g_strv_builder_end (env);
  spec->granted_env = g_strv_builder_end (granted);

  value = sandbox_json_get (root, "proxy");
  if (value != NULL && !read_proxy (value, spec, error))
    return NULL;
  value = sandbox_json_get (root, "mcp_socket");
  if (value != NULL)
    {
      if (value->type != SANDBOX_JSON_STRING || !g_path_is_absolute (value->string))
        {
          sandbox_fail (error, SANDBOX_ERROR_SPEC, "spec: “mcp_socket” must be an absolute path");
          return NULL;
        }
      spec->mcp_socket = g_strdup (value->string);
    }
  value = sandbox_json_get (root, "agent_settings");
  if (value != NULL)
    {
      if (value->type != SANDBOX_JSON_STRING || !g_path_is_absolute (value->string))
        {
          sandbox_fail (error, SANDBOX_ERROR_SPEC, "spec: “agent_settings” must be an absolute path");
          return NULL;
        }
      spec->agent_settings = g_strdup (value->string);
    }
  value = sandbox_json_get (root, "watch_files");
  if (value != NULL)
    {
      if (value->type != SANDBOX_JSON_BOOLEAN)
        {
          sandbox_fail (error, SANDBOX_ERROR_SPEC, "spec: “watch_files” must be true or false");
          return NULL;
        }
      spec->watch_files = value->boolean;
    }

  return g_steal_pointer (&spec);
}

gboolean
sandbox_path_is_within (const char *path,
                        const char *root)
{
  gsize len = strlen (root);

  return g_str_equal (root, "/") ||
         (strncmp (path, root, len) == 0 && (path[len] == '\0' || path[len] == '/'));
}
