/* paddock-policy.c
 *
 * Combines the layers exactly as DESIGN.md says:
 *   E = strictest matching rule of managed and system (enforced floor)
 *   P = strictest matching rule of user and workspace (personal; its
 *       allow rules ignored when managed sets personal_allow_rules false)
 *   D = strictest matching rule of defaults, used only when neither E nor
 *       P matched
 *   result = max (E, P), else D, else the implicit decision;
 * then the approval mode, then session grants. Forbidden is final.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "paddock-errors.h"
#include "paddock-path.h"
#include "paddock-policy-private.h"

G_DEFINE_FINAL_TYPE (PaddockPolicy, paddock_policy, G_TYPE_OBJECT)

/* Where an allow rule accepts a path-qualified program: directories only
 * an administrator can write. "./ls" in the workspace is not "ls". */
static const char * const system_bin_dirs[] = {
  "/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin", "/usr/local/sbin", NULL,
};

/* --- the command trie ---------------------------------------------- */

static CommandNode *
command_node_new (void)
{
  CommandNode *node = g_new0 (CommandNode, 1);

  node->words = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) g_ptr_array_unref);
  node->regexes = g_ptr_array_new ();
  node->edges = g_ptr_array_new ();
  node->rules = g_ptr_array_new ();
  return node;
}

static void
command_node_free (CommandNode *node)
{
  for (guint i = 0; i < node->edges->len; i++)
    {
      CommandEdge *edge = g_ptr_array_index (node->edges, i);
      command_node_free (edge->child);
      g_free (edge);
    }
  g_hash_table_unref (node->words);
  g_ptr_array_unref (node->regexes);
  g_ptr_array_unref (node->edges);
  g_ptr_array_unref (node->rules);
  g_free (node);
}

static CommandNode *
command_node_child (CommandNode               *node,
                    const PaddockPatternToken *token)
{
  CommandEdge *edge;

  /* Share the edge of an identical single word: most rules of a program
   * start with the same subcommands. Alternatives and regexes get edges
   * of their own, so no rule ever matches through another's. */
  if (token->kind == PADDOCK_TOKEN_WORDS && g_strv_length (token->words) == 1)
    {
      GPtrArray *edges = g_hash_table_lookup (node->words, token->words[0]);

      for (guint i = 0; edges && i < edges->len; i++)
        {
          CommandEdge *existing = g_ptr_array_index (edges, i);
          if (g_strv_length (existing->token->words) == 1)
            return existing->child;
        }
    }

  edge = g_new0 (CommandEdge, 1);
  edge->token = token;
  edge->child = command_node_new ();
  g_ptr_array_add (node->edges, edge);

  if (token->kind == PADDOCK_TOKEN_REGEX)
    g_ptr_array_add (node->regexes, edge);
  else
    for (guint i = 0; token->words[i] != NULL; i++)
      {
        GPtrArray *edges = g_hash_table_lookup (node->words, token->words[i]);

        if (edges == NULL)
          {
            edges = g_ptr_array_new ();
            g_hash_table_insert (node->words, token->words[i], edges);
          }
        g_ptr_array_add (edges, edge);
      }

  return edge->child;
}

static void
index_command_rule (PaddockPolicy *self,
                    PaddockRule   *rule)
{
  const PaddockPatternToken *program = &rule->tokens[0];

  if (program->kind == PADDOCK_TOKEN_REGEX)
    {
      g_ptr_array_add (self->program_regexes, rule);
      return;
    }

  for (guint a = 0; program->words[a] != NULL; a++)
    {
      g_autofree char *base = g_path_get_basename (program->words[a]);
      CommandNode *node = g_hash_table_lookup (self->programs, base);

      if (node == NULL)
        {
          node = command_node_new ();
          g_hash_table_insert (self->programs, g_steal_pointer (&base), node);
        }

      for (guint i = 1; i < rule->n_tokens; i++)
        node = command_node_child (node, &rule->tokens[i]);
      g_ptr_array_add (node->rules, rule);
    }
}

/* --- other indexes ------------------------------------------------- */

static void
network_entry_free (NetworkEntry *entry)
{
  g_clear_pointer (&entry->pattern, paddock_host_pattern_free);
  g_free (entry);
}

static void
path_entry_free (PathEntry *entry)
{
  g_free (entry->path);
  g_free (entry);
}

static void
add_to_bucket (GHashTable   *table,
               const char   *key,
               NetworkEntry *entry)
{
  GPtrArray *bucket = g_hash_table_lookup (table, key);

  if (bucket == NULL)
    {
      bucket = g_ptr_array_new ();
      g_hash_table_insert (table, g_strdup (key), bucket);
    }
  g_ptr_array_add (bucket, entry);
}

static void
index_network_rule (PaddockPolicy *self,
                    PaddockRule   *rule)
{
  NetworkEntry *entry = g_new0 (NetworkEntry, 1);
  g_autoptr(GError) error = NULL;

  entry->rule = rule;
  g_ptr_array_add (self->network_entries, entry);

  if (rule->host == NULL)
    {
      g_ptr_array_add (self->hosts_other, entry);
      return;
    }

  entry->pattern = paddock_host_pattern_new (rule->host, &error);
  if (entry->pattern == NULL)
    {
      /* Loaders validate every pattern; one that still fails here must
       * not vanish silently, so it covers every host instead. */
      g_autofree char *location = paddock_rule_dup_location (rule);
      g_ptr_array_add (self->notes, g_strdup_printf ("%s: %s; the rule now applies to every host",
                                                     location, error->message));
      g_ptr_array_add (self->hosts_other, entry);
      return;
    }

  if (rule->port == 0)
    rule->port = paddock_host_pattern_get_port (entry->pattern);

  if (paddock_host_pattern_is_ip (entry->pattern))
    g_ptr_array_add (self->hosts_other, entry);
  else if (paddock_host_pattern_get_base (entry->pattern) != NULL &&
           g_str_has_prefix (paddock_host_pattern_get_text (entry->pattern), "*"))
    add_to_bucket (self->hosts_wild, paddock_host_pattern_get_base (entry->pattern), entry);
  else
    {
      /* An exact name: its canonical text without the port. */
      g_autofree char *host = NULL;
      guint16 port;
      PaddockHostKind kind;

      if (paddock_host_parse_authority (paddock_host_pattern_get_text (entry->pattern),
                                        &host, &port, &kind, NULL))
        add_to_bucket (self->hosts_exact, host, entry);
      else
        g_ptr_array_add (self->hosts_other, entry);
    }
}

static char *
resolve_rule_path (PaddockPolicy *self,
                   const char    *path)
{
  /* Relative entries belong to the workspace. */
  return paddock_path_resolve (path, self->workspace, self->home);
}

static void
index_path_rule (PaddockPolicy *self,
                 PaddockRule   *rule)
{
  PathEntry *entry;

  if (rule->path_is_name)
    {
      g_ptr_array_add (self->protected_names, rule);
      return;
    }

  entry = g_new0 (PathEntry, 1);
  entry->rule = rule;
  entry->path = resolve_rule_path (self, rule->path);
  if (entry->path == NULL)
    {
      g_autofree char *location = paddock_rule_dup_location (rule);
      g_ptr_array_add (self->notes, g_strdup_printf ("%s: the path “%s” cannot be resolved and is ignored",
                                                     location, rule->path));
      path_entry_free (entry);
      return;
    }

  if (rule->verdict == PADDOCK_VERDICT_ALLOW)
    g_ptr_array_add (self->writable, entry);
  else
    g_ptr_array_add (self->hidden, entry);
}

/* --- settings ------------------------------------------------------ */

/* Settings take the value of the enforced layers (locked), else of the
 * most specific personal layer (workspace, then user), else defaults;
 * within a layer a later document overrides an earlier one. */
static const PaddockLayer setting_order[] = {
  PADDOCK_LAYER_MANAGED, PADDOCK_LAYER_SYSTEM,
  PADDOCK_LAYER_WORKSPACE, PADDOCK_LAYER_USER,
  PADDOCK_LAYER_DEFAULTS,
};

const PaddockSetting *
paddock_policy_get_setting_in_layer (PaddockPolicy *self,
                                     PaddockLayer   layer,
                                     const char    *key)
{
  const PaddockSetting *found = NULL;

  g_return_val_if_fail (PADDOCK_IS_POLICY (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint d = 0; d < self->documents->len; d++)
    {
      PaddockPolicyDocument *document = g_ptr_array_index (self->documents, d);

      if (document->layer != layer)
        continue;
      for (guint s = 0; s < document->settings->len; s++)
        {
          const PaddockSetting *setting = g_ptr_array_index (document->settings, s);
          if (g_str_equal (setting->key, key))
            found = setting;
        }
    }

  return found;
}

const PaddockSetting *
paddock_policy_get_setting (PaddockPolicy *self,
                            const char    *key,
                            gboolean      *locked)
{
  g_return_val_if_fail (PADDOCK_IS_POLICY (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (setting_order); i++)
    {
      const PaddockSetting *setting = paddock_policy_get_setting_in_layer (self, setting_order[i], key);

      if (setting != NULL)
        {
          if (locked)
            *locked = paddock_layer_is_enforced (setting->layer);
          return setting;
        }
    }

  if (locked)
    *locked = FALSE;
  return NULL;
}

static gint
compare_settings (gconstpointer a,
                  gconstpointer b)
{
  return g_strcmp0 ((*(const PaddockSetting **) a)->key, (*(const PaddockSetting **) b)->key);
}

GPtrArray *
paddock_policy_list_mcp_servers (PaddockPolicy *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *servers = g_ptr_array_new ();

  g_return_val_if_fail (PADDOCK_IS_POLICY (self), NULL);

  for (guint d = 0; d < self->documents->len; d++)
    {
      PaddockPolicyDocument *document = g_ptr_array_index (self->documents, d);

      for (guint s = 0; s < document->settings->len; s++)
        {
          const PaddockSetting *setting = g_ptr_array_index (document->settings, s);

          if (g_str_has_prefix (setting->key, "mcp.servers.") && !g_hash_table_contains (seen, setting->key))
            {
              g_hash_table_add (seen, setting->key);
              g_ptr_array_add (servers, (gpointer) paddock_policy_get_setting (self, setting->key, NULL));
            }
        }
    }
  g_ptr_array_sort (servers, compare_settings);
  return servers;
}

static char *
setting_location (const PaddockSetting *setting)
{
  g_autofree char *location = paddock_setting_dup_location (setting);

  return g_strdup_printf ("%s layer, %s", paddock_layer_to_string (setting->layer), location);
}

/* The enforced allowed_modes setting that refuses @mode, or NULL. */
static const PaddockSetting *
find_refusal (PaddockPolicy *self,
              const char    *key,
              const char    *mode)
{
  for (guint d = 0; d < self->documents->len; d++)
    {
      PaddockPolicyDocument *document = g_ptr_array_index (self->documents, d);

      if (!paddock_layer_is_enforced (document->layer))
        continue;
      for (guint s = 0; s < document->settings->len; s++)
        {
          const PaddockSetting *setting = g_ptr_array_index (document->settings, s);
          g_autofree const char **modes = NULL;

          if (!g_str_equal (setting->key, key))
            continue;
          modes = g_variant_get_strv (setting->value, NULL);
          if (!g_strv_contains (modes, mode))
            return setting;
        }
    }

  return NULL;
}

/* Resolves one mode: the deciding setting's value if every enforced
 * allowed_modes accepts it, else the strictest mode they all accept. */
static int
resolve_mode (PaddockPolicy  *self,
              const char     *name,
              int             fallback,
              const char   *(*to_string) (int),
              const int      *strictest_first,
              guint           n_modes)
{
  g_autofree char *mode_key = g_strdup_printf ("%s.mode", name);
  g_autofree char *allowed_key = g_strdup_printf ("%s.allowed_modes", name);
  const PaddockSetting *setting = paddock_policy_get_setting (self, mode_key, NULL);
  const PaddockSetting *refusal;
  int wanted = fallback;

  if (setting != NULL)
    {
      const char *str = g_variant_get_string (setting->value, NULL);

      for (guint i = 0; i < n_modes; i++)
        if (g_str_equal (to_string (strictest_first[i]), str))
          wanted = strictest_first[i];
    }

  refusal = find_refusal (self, allowed_key, to_string (wanted));
  if (refusal == NULL)
    return wanted;

  for (guint i = 0; i < n_modes; i++)
    {
      if (find_refusal (self, allowed_key, to_string (strictest_first[i])) == NULL)
        {
          g_autofree char *where = setting_location (refusal);
          g_ptr_array_add (self->notes,
                           g_strdup_printf ("%s mode “%s” is not allowed by %s; using “%s”",
                                            name, to_string (wanted), where,
                                            to_string (strictest_first[i])));
          return strictest_first[i];
        }
    }

  {
    g_autofree char *where = setting_location (refusal);
    g_ptr_array_add (self->notes,
                     g_strdup_printf ("the enforced layers allow no %s mode at all (%s); using the strictest, “%s”",
                                      name, where, to_string (strictest_first[0])));
  }
  return strictest_first[0];
}

static const char *
sandbox_mode_name (int mode)
{
  return paddock_sandbox_mode_to_string (mode);
}

static const char *
approval_mode_name (int mode)
{
  return paddock_approval_mode_to_string (mode);
}

static const char *
network_mode_name (int mode)
{
  return paddock_network_mode_to_string (mode);
}

static void
resolve_settings (PaddockPolicy *self)
{
  static const int sandbox_strictest[] = {
    PADDOCK_SANDBOX_READ_ONLY, PADDOCK_SANDBOX_WORKSPACE_WRITE, PADDOCK_SANDBOX_FULL_ACCESS,
  };
  /* Asking most is strictest; "never" turns every question into a no,
   * which is strict in another way, so it comes after the asking modes. */
  static const int approval_strictest[] = {
    PADDOCK_APPROVAL_UNTRUSTED, PADDOCK_APPROVAL_ON_REQUEST, PADDOCK_APPROVAL_AUTO_REVIEW,
    PADDOCK_APPROVAL_NEVER,
  };
  static const int network_strictest[] = {
    PADDOCK_NETWORK_DISABLED, PADDOCK_NETWORK_ALLOWLIST, PADDOCK_NETWORK_FULL,
  };
  const PaddockSetting *setting;

  self->sandbox_mode = resolve_mode (self, "sandbox", PADDOCK_SANDBOX_WORKSPACE_WRITE,
                                     sandbox_mode_name, sandbox_strictest,
                                     G_N_ELEMENTS (sandbox_strictest));
  self->approval_mode = resolve_mode (self, "approval", PADDOCK_APPROVAL_ON_REQUEST,
                                      approval_mode_name, approval_strictest,
                                      G_N_ELEMENTS (approval_strictest));
  self->network_mode = resolve_mode (self, "network", PADDOCK_NETWORK_ALLOWLIST,
                                     network_mode_name, network_strictest,
                                     G_N_ELEMENTS (network_strictest));

  self->personal_allow_rules = TRUE;
  setting = paddock_policy_get_setting_in_layer (self, PADDOCK_LAYER_MANAGED, "personal_allow_rules");
  if (setting != NULL)
    {
      self->personal_allow_rules = g_variant_get_boolean (setting->value);
      self->personal_allow_setting = setting;
    }
}

/* --- pseudo-rules -------------------------------------------------- */

static PaddockRule *
implicit_rule (PaddockVerdict  verdict,
               const char     *text,
               const char     *reason)
{
  PaddockRule *rule = paddock_rule_new (PADDOCK_RULE_ANY, PADDOCK_LAYER_IMPLICIT, verdict);

  rule->text = g_strdup (text);
  rule->reason = g_strdup (reason);
  return rule;
}

PaddockRule *
_paddock_policy_new_floor (const char     *what,
                           const char     *reason,
                           PaddockVerdict  verdict)
{
  PaddockRule *rule = implicit_rule (verdict, what, reason);

  rule->source = g_strdup ("paddock (analysis)");
  /* What cannot be judged is asked about every time. */
  rule->grant_once = TRUE;
  return rule;
}

/* A rule whose source is the setting that shaped an implicit decision. */
static PaddockRule *
setting_rule (const PaddockSetting *setting,
              PaddockVerdict        verdict,
              const char           *reason)
{
  PaddockRule *rule;

  if (setting == NULL)
    return implicit_rule (verdict, "no rule matched", reason);

  rule = paddock_rule_new (PADDOCK_RULE_ANY, setting->layer, verdict);
  paddock_rule_set_source (rule, setting->source, setting->line, setting->column);
  rule->text = g_strdup (setting->text);
  rule->reason = g_strdup (reason);
  return rule;
}

static void
clear_implicit_rules (PaddockPolicy *self)
{
  g_clear_pointer (&self->implicit_exec, paddock_rule_unref);
  g_clear_pointer (&self->implicit_unsandboxed, paddock_rule_unref);
  g_clear_pointer (&self->implicit_write_outside, paddock_rule_unref);
  g_clear_pointer (&self->implicit_write_readonly, paddock_rule_unref);
  g_clear_pointer (&self->implicit_write_full, paddock_rule_unref);
  g_clear_pointer (&self->implicit_read, paddock_rule_unref);
  g_clear_pointer (&self->implicit_network, paddock_rule_unref);
  g_clear_pointer (&self->implicit_mcp, paddock_rule_unref);
  g_clear_pointer (&self->mcp_allowlist, paddock_rule_unref);
}

static void
create_implicit_rules (PaddockPolicy *self)
{
  const PaddockSetting *sandbox = paddock_policy_get_setting (self, "sandbox.mode", NULL);
  const PaddockSetting *network = paddock_policy_get_setting (self, "network.mode", NULL);
  g_autofree char *exec_reason = NULL;

  switch (self->sandbox_mode)
    {
    case PADDOCK_SANDBOX_FULL_ACCESS:
      exec_reason = g_strdup ("no rule matched; sandbox mode full-access runs commands without a sandbox");
      break;
    case PADDOCK_SANDBOX_READ_ONLY:
    case PADDOCK_SANDBOX_WORKSPACE_WRITE:
    default:
      exec_reason = g_strdup_printf ("no rule matched; it runs inside the %s sandbox",
                                     paddock_sandbox_mode_to_string (self->sandbox_mode));
      break;
    }

  self->implicit_exec = implicit_rule (PADDOCK_VERDICT_ALLOW, "no rule matched", exec_reason);
  self->implicit_unsandboxed = implicit_rule (PADDOCK_VERDICT_PROMPT, "no rule matched",
                                              "it asks to run outside the sandbox");
  self->implicit_write_outside = implicit_rule (PADDOCK_VERDICT_PROMPT, "no rule matched",
                                                "outside the workspace and the writable roots; the sandbox cannot write there");
  self->implicit_write_readonly = setting_rule (sandbox, PADDOCK_VERDICT_PROMPT,
                                                "the read-only sandbox can write nowhere");
  self->implicit_write_full = setting_rule (sandbox, PADDOCK_VERDICT_ALLOW,
                                            "sandbox mode full-access can write anywhere");
  self->implicit_read = implicit_rule (PADDOCK_VERDICT_ALLOW, "no rule matched",
                                       "the sandbox can read everything that is not hidden");

  switch (self->network_mode)
    {
    case PADDOCK_NETWORK_DISABLED:
      self->implicit_network = setting_rule (network, PADDOCK_VERDICT_FORBIDDEN,
                                             "the network is disabled");
      break;
    case PADDOCK_NETWORK_FULL:
      self->implicit_network = setting_rule (network, PADDOCK_VERDICT_ALLOW,
                                             "network mode full lets every host through the proxy");
      break;
    case PADDOCK_NETWORK_ALLOWLIST:
    default:
      {
        const PaddockSetting *unknown = paddock_policy_get_setting (self, "network.unknown", NULL);
        PaddockVerdict verdict = PADDOCK_VERDICT_PROMPT;

        if (unknown != NULL)
          paddock_verdict_from_string (g_variant_get_string (unknown->value, NULL), &verdict);
        self->implicit_network = setting_rule (unknown, verdict,
                                               "no network rule names this host; network.unknown decides");
      }
      break;
    }

  self->implicit_mcp = implicit_rule (PADDOCK_VERDICT_PROMPT, "no rule matched",
                                      "no MCP rule names this server or tool");
  if (self->mcp_managed_allow->len > 0)
    {
      PaddockRule *first = g_ptr_array_index (self->mcp_managed_allow, 0);
      g_autoptr(GString) listed = g_string_new (NULL);

      for (guint i = 0; i < self->mcp_managed_allow->len; i++)
        {
          PaddockRule *rule = g_ptr_array_index (self->mcp_managed_allow, i);

          g_string_append_printf (listed, "%s%s%s%s", i ? ", " : "", rule->server, rule->tool ? "/" : "",
                                  rule->tool ? rule->tool : "");
        }
      self->mcp_allowlist = paddock_rule_new (PADDOCK_RULE_MCP, PADDOCK_LAYER_MANAGED, PADDOCK_VERDICT_FORBIDDEN);
      self->mcp_allowlist->source = g_strdup (first->source);
      self->mcp_allowlist->line = first->line;
      self->mcp_allowlist->column = first->column;
      self->mcp_allowlist->text = g_strdup ("mcp.allow (the organisation's allowlist)");
      self->mcp_allowlist->reason = g_strdup_printf ("not on the managed layer's MCP allowlist (%s), which no "
                                                     "other layer can widen", listed->str);
      self->mcp_allowlist->server = g_strdup ("*");
    }
}

/* --- construction -------------------------------------------------- */

static void
index_documents (PaddockPolicy *self)
{
  for (guint d = 0; d < self->documents->len; d++)
    {
      PaddockPolicyDocument *document = g_ptr_array_index (self->documents, d);

      for (guint r = 0; r < document->rules->len; r++)
        {
          PaddockRule *rule = g_ptr_array_index (document->rules, r);

          switch (rule->kind)
            {
            case PADDOCK_RULE_COMMAND:
              if (rule->n_tokens > 0)
                index_command_rule (self, rule);
              break;
            case PADDOCK_RULE_NETWORK:
              index_network_rule (self, rule);
              break;
            case PADDOCK_RULE_PATH:
              index_path_rule (self, rule);
              break;
            case PADDOCK_RULE_MCP:
              g_ptr_array_add (self->mcp_rules, rule);
              if (rule->layer == PADDOCK_LAYER_MANAGED && rule->verdict == PADDOCK_VERDICT_ALLOW)
                g_ptr_array_add (self->mcp_managed_allow, rule);
              break;
            case PADDOCK_RULE_ANY:
              g_ptr_array_add (self->any_rules, rule);
              break;
            default:
              g_assert_not_reached ();
            }
        }

      /* network.mode "disabled" in a layer is a rule of that layer: a
       * lower layer's allow rule must not reopen what it closed. */
      for (guint s = 0; s < document->settings->len; s++)
        {
          const PaddockSetting *setting = g_ptr_array_index (document->settings, s);

          if (g_str_equal (setting->key, "network.mode") &&
              g_str_equal (g_variant_get_string (setting->value, NULL), "disabled"))
            {
              PaddockRule *rule = paddock_rule_new (PADDOCK_RULE_NETWORK, setting->layer,
                                                    PADDOCK_VERDICT_FORBIDDEN);
              paddock_rule_set_source (rule, setting->source, setting->line, setting->column);
              rule->text = g_strdup (setting->text);
              rule->reason = g_strdup ("the network is disabled");
              g_ptr_array_add (document->rules, rule);
              index_network_rule (self, rule);
            }
        }
    }
}

PaddockPolicy *
paddock_policy_new (const char *workspace,
                    const char *home,
                    GPtrArray  *documents)
{
  PaddockPolicy *self;
  PathEntry *root;

  g_return_val_if_fail (workspace != NULL && g_path_is_absolute (workspace), NULL);
  g_return_val_if_fail (documents != NULL, NULL);

  self = g_object_new (PADDOCK_TYPE_POLICY, NULL);
  self->workspace = paddock_path_resolve (workspace, NULL, NULL);
  self->home = g_strdup (home ? home : g_get_home_dir ());
  self->documents = g_ptr_array_ref (documents);

  /* The workspace is the first writable root. */
  root = g_new0 (PathEntry, 1);
  root->path = g_strdup (self->workspace);
  g_ptr_array_add (self->writable, root);

  resolve_settings (self);
  index_documents (self);
  create_implicit_rules (self);

  return self;
}

static void
paddock_policy_finalize (GObject *object)
{
  PaddockPolicy *self = PADDOCK_POLICY (object);

  g_free (self->workspace);
  g_free (self->home);
  g_clear_pointer (&self->documents, g_ptr_array_unref);
  g_clear_pointer (&self->notes, g_ptr_array_unref);
  g_clear_pointer (&self->programs, g_hash_table_unref);
  g_clear_pointer (&self->program_regexes, g_ptr_array_unref);
  g_clear_pointer (&self->hosts_exact, g_hash_table_unref);
  g_clear_pointer (&self->hosts_wild, g_hash_table_unref);
  g_clear_pointer (&self->hosts_other, g_ptr_array_unref);
  g_clear_pointer (&self->network_entries, g_ptr_array_unref);
  g_clear_pointer (&self->hidden, g_ptr_array_unref);
  g_clear_pointer (&self->protected_names, g_ptr_array_unref);
  g_clear_pointer (&self->writable, g_ptr_array_unref);
  g_clear_pointer (&self->mcp_rules, g_ptr_array_unref);
  g_clear_pointer (&self->mcp_managed_allow, g_ptr_array_unref);
  g_clear_pointer (&self->any_rules, g_ptr_array_unref);
  clear_implicit_rules (self);

  G_OBJECT_CLASS (paddock_policy_parent_class)->finalize (object);
}

static void
paddock_policy_class_init (PaddockPolicyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = paddock_policy_finalize;
}

static void
paddock_policy_init (PaddockPolicy *self)
{
  self->notes = g_ptr_array_new_with_free_func (g_free);
  self->programs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) command_node_free);
  self->program_regexes = g_ptr_array_new ();
  self->hosts_exact = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_ptr_array_unref);
  self->hosts_wild = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) g_ptr_array_unref);
  self->hosts_other = g_ptr_array_new ();
  self->network_entries = g_ptr_array_new_with_free_func ((GDestroyNotify) network_entry_free);
  self->hidden = g_ptr_array_new_with_free_func ((GDestroyNotify) path_entry_free);
  self->protected_names = g_ptr_array_new ();
  self->writable = g_ptr_array_new_with_free_func ((GDestroyNotify) path_entry_free);
  self->mcp_rules = g_ptr_array_new ();
  self->mcp_managed_allow = g_ptr_array_new ();
  self->any_rules = g_ptr_array_new ();
}

const char *
paddock_policy_get_workspace (PaddockPolicy *self)
{
  g_return_val_if_fail (PADDOCK_IS_POLICY (self), NULL);
  return self->workspace;
}

GPtrArray *
paddock_policy_get_documents (PaddockPolicy *self)
{
  g_return_val_if_fail (PADDOCK_IS_POLICY (self), NULL);
  return self->documents;
}

GPtrArray *
paddock_policy_get_notes (PaddockPolicy *self)
{
  g_return_val_if_fail (PADDOCK_IS_POLICY (self), NULL);
  return self->notes;
}

PaddockSandboxMode
paddock_policy_get_sandbox_mode (PaddockPolicy *self)
{
  g_return_val_if_fail (PADDOCK_IS_POLICY (self), PADDOCK_SANDBOX_READ_ONLY);
  return self->sandbox_mode;
}

PaddockApprovalMode
paddock_policy_get_approval_mode (PaddockPolicy *self)
{
  g_return_val_if_fail (PADDOCK_IS_POLICY (self), PADDOCK_APPROVAL_UNTRUSTED);
  return self->approval_mode;
}

PaddockNetworkMode
paddock_policy_get_network_mode (PaddockPolicy *self)
{
  g_return_val_if_fail (PADDOCK_IS_POLICY (self), PADDOCK_NETWORK_DISABLED);
  return self->network_mode;
}

/* Whether a front door may ask for mode @name of @kind ("sandbox",
 * "approval"): not when the enforced layers lock another value, nor
 * when their allowed_modes leave it out. */
static gboolean
check_requested_mode (PaddockPolicy  *self,
                      const char     *kind,
                      const char     *name,
                      GError        **error)
{
  g_autofree char *mode_key = g_strdup_printf ("%s.mode", kind);
  g_autofree char *allowed_key = g_strdup_printf ("%s.allowed_modes", kind);
  const PaddockSetting *setting;
  gboolean locked;

  setting = paddock_policy_get_setting (self, mode_key, &locked);
  if (locked && !g_str_equal (g_variant_get_string (setting->value, NULL), name))
    {
      g_autofree char *where = setting_location (setting);
      return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_NOT_ALLOWED,
                           "%s mode “%s” is not possible: the %s sets “%s”",
                           kind, name, where, g_variant_get_string (setting->value, NULL));
    }

  setting = find_refusal (self, allowed_key, name);
  if (setting != NULL)
    {
      g_autofree char *where = setting_location (setting);
      g_autofree const char **modes = g_variant_get_strv (setting->value, NULL);
      g_autofree char *list = g_strjoinv (", ", (char **) modes);

      return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_NOT_ALLOWED,
                           "%s mode “%s” is not allowed by the %s; allowed: %s",
                           kind, name, where, list);
    }

  return TRUE;
}

gboolean
paddock_policy_set_approval_mode (PaddockPolicy        *self,
                                  PaddockApprovalMode   mode,
                                  GError              **error)
{
  g_return_val_if_fail (PADDOCK_IS_POLICY (self), FALSE);

  if (!check_requested_mode (self, "approval", paddock_approval_mode_to_string (mode), error))
    return FALSE;

  self->approval_mode = mode;
  return TRUE;
}

gboolean
paddock_policy_set_sandbox_mode (PaddockPolicy       *self,
                                 PaddockSandboxMode   mode,
                                 GError             **error)
{
  g_return_val_if_fail (PADDOCK_IS_POLICY (self), FALSE);

  if (!check_requested_mode (self, "sandbox", paddock_sandbox_mode_to_string (mode), error))
    return FALSE;

  self->sandbox_mode = mode;
  /* The implicit decisions say which sandbox a command runs in. */
  clear_implicit_rules (self);
  create_implicit_rules (self);
  return TRUE;
}

gboolean
paddock_policy_set_network_mode (PaddockPolicy       *self,
                                 PaddockNetworkMode   mode,
                                 GError             **error)
{
  g_return_val_if_fail (PADDOCK_IS_POLICY (self), FALSE);

  if (!check_requested_mode (self, "network", paddock_network_mode_to_string (mode), error))
    return FALSE;

  self->network_mode = mode;
  clear_implicit_rules (self);
  create_implicit_rules (self);
  return TRUE;
}

static GStrv
paths_of (GPtrArray *entries)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < entries->len; i++)
    g_strv_builder_add (builder, ((PathEntry *) g_ptr_array_index (entries, i))->path);
  return g_strv_builder_end (builder);
}

void
paddock_policy_get_sandbox_layout (PaddockPolicy  *self,
                                   GStrv          *writable,
                                   GStrv          *protected_names,
                                   GStrv          *hidden)
{
  g_return_if_fail (PADDOCK_IS_POLICY (self));

  if (writable != NULL)
    *writable = paths_of (self->writable);
  if (hidden != NULL)
    *hidden = paths_of (self->hidden);
  if (protected_names != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; i < self->protected_names->len; i++)
        {
          PaddockRule *rule = g_ptr_array_index (self->protected_names, i);
          g_strv_builder_add (builder, rule->path);
        }
      *protected_names = g_strv_builder_end (builder);
    }
}

/* --- matching ------------------------------------------------------ */

static void
add_match (GPtrArray   *matches,
           PaddockRule *rule,
           gboolean     applied,
           char        *note)
{
  PaddockMatch *match = g_new0 (PaddockMatch, 1);

  match->rule = paddock_rule_ref (rule);
  match->applied = applied;
  match->note = note;
  g_ptr_array_add (matches, match);
}

/* Whether @arg is the option or value @want. "of=" and "--output" also
 * match "of=x" and "--output=x"; a short "-i" also matches a cluster
 * such as "-ni", erring towards the rule applying. */
static gboolean
arg_hits (const char *arg,
          const char *want)
{
  gsize len = strlen (want);

  if (g_str_equal (arg, want))
    return TRUE;
  if (len > 0 && want[len - 1] == '=')
    return strncmp (arg, want, len) == 0;
  if (g_str_has_prefix (want, "--"))
    return strncmp (arg, want, len) == 0 && arg[len] == '=';
  if (want[0] == '-' && len == 2 && arg[0] == '-' && arg[1] != '-' && arg[1] != '\0')
    return strchr (arg + 1, want[1]) != NULL;
  return FALSE;
}

static gboolean
any_arg_hits (const char * const *argv,
              guint               from,
              const char * const *wanted)
{
  for (guint i = from; argv[i] != NULL; i++)
    for (guint j = 0; wanted[j] != NULL; j++)
      if (arg_hits (argv[i], wanted[j]))
        return TRUE;
  return FALSE;
}

static gboolean
program_is_trusted (const PaddockRule *rule,
                    const char        *program)
{
  g_autofree char *dir = NULL;

  if (strchr (program, '/') == NULL)
    return TRUE;
  if (rule->host_paths != NULL && g_strv_contains ((const char * const *) rule->host_paths, program))
    return TRUE;

  dir = g_path_get_dirname (program);
  for (guint i = 0; system_bin_dirs[i] != NULL; i++)
    {
      g_autofree char *expected = g_build_filename (system_bin_dirs[i], strrchr (program, '/') + 1, NULL);

      if (g_str_equal (program, expected))
        return TRUE;
    }
  return FALSE;
}

/* Conditions beyond the prefix. Unknown arguments (xargs) are assumed to
 * be the worst: they meet every when_any and break every unless_any. */
static void
consider_command_rule (PaddockRule          *rule,
                       const char * const   *argv,
                       const CommandContext *context,
                       GPtrArray            *matches)
{
  if (rule->when_any != NULL && !context->unknown_args &&
      !any_arg_hits (argv, rule->n_tokens, (const char * const *) rule->when_any))
    return;
  if (rule->unless_any != NULL &&
      (context->unknown_args || any_arg_hits (argv, rule->n_tokens, (const char * const *) rule->unless_any)))
    return;
  if (rule->stdin_pipe && !context->stdin_pipe)
    return;

  if (rule->verdict == PADDOCK_VERDICT_ALLOW && !program_is_trusted (rule, argv[0]))
    {
      g_autofree char *program = paddock_escape_for_display (argv[0]);
      add_match (matches, rule, FALSE,
                 g_strdup_printf ("set aside: an allow rule accepts a program with a path only from "
                                  "the system binary directories, and “%s” is not there", program));
      return;
    }

  add_match (matches, rule, TRUE, NULL);
}

static void
walk_command_node (CommandNode          *node,
                   const char * const   *argv,
                   guint                 index,
                   const CommandContext *context,
                   GPtrArray            *matches)
{
  for (guint i = 0; i < node->rules->len; i++)
    consider_command_rule (g_ptr_array_index (node->rules, i), argv, context, matches);

  if (argv[index] == NULL)
    return;

  {
    GPtrArray *edges = g_hash_table_lookup (node->words, argv[index]);

    for (guint i = 0; edges && i < edges->len; i++)
      walk_command_node (((CommandEdge *) g_ptr_array_index (edges, i))->child,
                         argv, index + 1, context, matches);
  }

  for (guint i = 0; i < node->regexes->len; i++)
    {
      CommandEdge *edge = g_ptr_array_index (node->regexes, i);

      if (g_regex_match (edge->token->regex, argv[index], 0, NULL))
        walk_command_node (edge->child, argv, index + 1, context, matches);
    }
}

static gboolean
token_matches (const PaddockPatternToken *token,
               const char                *word)
{
  if (token->kind == PADDOCK_TOKEN_REGEX)
    return g_regex_match (token->regex, word, 0, NULL);
  return g_strv_contains ((const char * const *) token->words, word);
}

static void
collect_command_matches (PaddockPolicy        *self,
                         const char * const   *argv,
                         const CommandContext *context,
                         GPtrArray            *matches)
{
  const char *slash = strrchr (argv[0], '/');
  const char *base = slash ? slash + 1 : argv[0];
  CommandNode *root = g_hash_table_lookup (self->programs, base);

  if (root != NULL)
    walk_command_node (root, argv, 1, context, matches);

  for (guint i = 0; i < self->program_regexes->len; i++)
    {
      PaddockRule *rule = g_ptr_array_index (self->program_regexes, i);
      gboolean all = token_matches (&rule->tokens[0], base);

      for (guint t = 1; all && t < rule->n_tokens; t++)
        all = g_strv_length ((char **) argv) > t && token_matches (&rule->tokens[t], argv[t]);
      if (all)
        consider_command_rule (rule, argv, context, matches);
    }
}

static void
collect_any_matches (PaddockPolicy *self,
                     GPtrArray     *matches)
{
  for (guint i = 0; i < self->any_rules->len; i++)
    add_match (matches, g_ptr_array_index (self->any_rules, i), TRUE, NULL);
}

/* --- combining ----------------------------------------------------- */

/* Stricter first; among equals the higher authority; then a rule that
 * asks every time over one a session grant can answer. */
static gboolean
better (const PaddockRule *candidate,
        const PaddockRule *best)
{
  if (best == NULL || candidate->verdict != best->verdict)
    return best == NULL || candidate->verdict > best->verdict;
  if (candidate->layer != best->layer)
    return candidate->layer < best->layer;
  return candidate->grant_once && !best->grant_once;
}

static void
apply_approval_mode (Evaluation          *ev,
                     PaddockDecisionPart *part)
{
  PaddockPolicy *self = ev->policy;

  part->verdict_before_approval = part->verdict;

  switch (self->approval_mode)
    {
    case PADDOCK_APPROVAL_NEVER:
      if (part->verdict == PADDOCK_VERDICT_PROMPT)
        {
          part->verdict = PADDOCK_VERDICT_FORBIDDEN;
          part->approval_effect = g_strdup ("approval mode never has nobody to ask, so the prompt became forbidden");
        }
      break;

    case PADDOCK_APPROVAL_UNTRUSTED:
      if (part->verdict == PADDOCK_VERDICT_ALLOW && part->decisive->layer == PADDOCK_LAYER_IMPLICIT &&
          part->kind != PADDOCK_ACTION_READ)
        {
          part->verdict = PADDOCK_VERDICT_PROMPT;
          part->approval_effect = g_strdup ("approval mode untrusted asks about everything no rule allows");
        }
      break;

    case PADDOCK_APPROVAL_ON_REQUEST:
    case PADDOCK_APPROVAL_AUTO_REVIEW:
    default:
      break;
    }
}

static gboolean
grant_matches (const PaddockRule         *grant,
               const PaddockDecisionPart *part)
{
  switch (grant->kind)
    {
    case PADDOCK_RULE_COMMAND:
      if (part->kind != PADDOCK_ACTION_EXEC || g_strv_length (part->argv) != grant->n_tokens)
        return FALSE;
      for (guint i = 0; i < grant->n_tokens; i++)
        if (!g_str_equal (grant->tokens[i].words[0], part->argv[i]))
          return FALSE;
      return TRUE;

    case PADDOCK_RULE_PATH:
      return (part->kind == PADDOCK_ACTION_WRITE || part->kind == PADDOCK_ACTION_READ) &&
             ((grant->access & PADDOCK_PATH_ACCESS_WRITE) != 0) == (part->kind == PADDOCK_ACTION_WRITE) &&
             g_str_equal (grant->path, part->argv[0]);

    case PADDOCK_RULE_NETWORK:
      {
        g_autoptr(PaddockHostPattern) pattern = NULL;
        PaddockHostKind kind = PADDOCK_HOST_NAME;
        guint16 port;

        if (part->kind != PADDOCK_ACTION_NET)
          return FALSE;
        port = g_ascii_strtoull (part->argv[1], NULL, 10);
        if (g_str_equal (grant->host, part->argv[0]) && grant->port == port)
          return TRUE;
        /* A pattern granted by name (paddockctl run --allow-domain). */
        if (!grant->host_is_pattern || (pattern = paddock_host_pattern_new (grant->host, NULL)) == NULL)
          return FALSE;
        if (g_hostname_is_ip_address (part->argv[0]))
          kind = strchr (part->argv[0], ':') != NULL ? PADDOCK_HOST_IPV6 : PADDOCK_HOST_IPV4;
        return paddock_host_pattern_match (pattern, part->argv[0], kind, port, TRUE);
      }

    case PADDOCK_RULE_MCP:
      return part->kind == PADDOCK_ACTION_MCP && g_str_equal (grant->server, part->argv[0]) &&
             g_strcmp0 (grant->tool, part->argv[1]) == 0;

    case PADDOCK_RULE_ANY:
    default:
      return FALSE;
    }
}

static void
apply_grants (Evaluation          *ev,
              PaddockDecisionPart *part)
{
  GPtrArray *grants;

  if (ev->grants == NULL || part->verdict != PADDOCK_VERDICT_PROMPT || part->decisive->grant_once)
    return;

  grants = paddock_grants_get_rules (ev->grants);
  for (guint i = 0; i < grants->len; i++)
    {
      PaddockRule *grant = g_ptr_array_index (grants, i);

      if (grant_matches (grant, part))
        {
          g_clear_pointer (&part->decisive, paddock_rule_unref);
          part->decisive = paddock_rule_ref (grant);
          part->verdict = PADDOCK_VERDICT_ALLOW;
          return;
        }
    }
}

/* Decides one part from its matches, the entries of the decision's
 * matched list from @first on, and adds it to the decision. */
static PaddockDecisionPart *
finish_part (Evaluation          *ev,
             PaddockDecisionPart *part,
             guint                first,
             PaddockRule         *implicit)
{
  PaddockPolicy *self = ev->policy;
  GPtrArray *matches = ev->decision->matched;
  PaddockRule *enforced = NULL, *personal = NULL, *defaults = NULL, *floor = NULL;
  PaddockRule *decisive;
  guint index = ev->decision->parts->len;

  for (guint i = first; i < matches->len; i++)
    {
      PaddockMatch *match = g_ptr_array_index (matches, i);
      PaddockRule *rule = match->rule;

      if (!match->applied)
        continue;

      if (rule->layer == PADDOCK_LAYER_IMPLICIT)
        {
          if (better (rule, floor))
            floor = rule;
        }
      else if (paddock_layer_is_enforced (rule->layer))
        {
          if (better (rule, enforced))
            enforced = rule;
        }
      else if (paddock_layer_is_personal (rule->layer))
        {
          if (rule->verdict == PADDOCK_VERDICT_ALLOW && !self->personal_allow_rules)
            {
              g_autofree char *where = self->personal_allow_setting
                                       ? setting_location (self->personal_allow_setting)
                                       : g_strdup ("managed layer");
              match->applied = FALSE;
              match->note = g_strdup_printf ("set aside: personal allow rules are off (%s)", where);
              continue;
            }
          if (better (rule, personal))
            personal = rule;
        }
      else if (rule->layer == PADDOCK_LAYER_DEFAULTS)
        {
          if (better (rule, defaults))
            defaults = rule;
        }
    }

  if (enforced != NULL || personal != NULL)
    {
      /* Ties go to the enforced rule: it has the higher authority. */
      if (enforced == NULL || (personal != NULL && personal->verdict > enforced->verdict))
        decisive = personal;
      else
        decisive = enforced;

      /* A default is overridden by any enforced or personal rule. */
      for (guint i = first; i < matches->len && defaults != NULL; i++)
        {
          PaddockMatch *match = g_ptr_array_index (matches, i);

          if (match->applied && match->rule->layer == PADDOCK_LAYER_DEFAULTS)
            {
              match->applied = FALSE;
              match->note = g_strdup_printf ("overridden by the %s rule at %s:%u",
                                             paddock_layer_to_string (decisive->layer),
                                             decisive->source ? decisive->source : "?", decisive->line);
            }
        }
    }
  else if (defaults != NULL)
    decisive = defaults;
  else
    decisive = implicit;

  /* What the analysis could not judge is at least a prompt. */
  if (floor != NULL &&
      (floor->verdict > decisive->verdict ||
       (floor->verdict == decisive->verdict && decisive->layer == PADDOCK_LAYER_IMPLICIT)))
    decisive = floor;

  part->verdict = decisive->verdict;
  part->decisive = paddock_rule_ref (decisive);

  apply_approval_mode (ev, part);
  apply_grants (ev, part);

  for (guint i = first; i < matches->len; i++)
    ((PaddockMatch *) g_ptr_array_index (matches, i))->part = index;
  g_ptr_array_add (ev->decision->parts, part);

  return part;
}

/* A part and its argv with the strings, in one allocation: a part is
 * made for every decision and most are never looked at again. */
static PaddockDecisionPart *
new_part (PaddockActionKind   kind,
          guint               command,
          const char * const *argv,
          guint               n_argv,
          char               *subject)
{
  gsize size = sizeof (PaddockDecisionPart) + (n_argv + 1) * sizeof (char *);
  PaddockDecisionPart *part;
  char *strings;

  for (guint i = 0; i < n_argv; i++)
    size += strlen (argv[i]) + 1;

  part = g_malloc (size);
  memset (part, 0, sizeof (PaddockDecisionPart));
  part->kind = kind;
  part->command = command;
  part->subject = subject;
  part->argv = (char **) (part + 1);
  strings = (char *) (part->argv + n_argv + 1);
  for (guint i = 0; i < n_argv; i++)
    {
      gsize len = strlen (argv[i]) + 1;

      memcpy (strings, argv[i], len);
      part->argv[i] = strings;
      strings += len;
    }
  part->argv[n_argv] = NULL;

  return part;
}

/* --- commands ------------------------------------------------------ */

PaddockDecisionPart *
_paddock_policy_judge_command (Evaluation           *ev,
                               guint                 command,
                               const char * const   *argv,
                               const CommandContext *context,
                               GPtrArray            *floors)
{
  PaddockPolicy *self = ev->policy;
  GPtrArray *matches = ev->decision->matched;
  guint first = matches->len;
  char *subject = NULL;

  if (argv[0] != NULL)
    collect_command_matches (self, argv, context, matches);
  else if (context->assignments != NULL && context->assignments[0] != NULL)
    subject = paddock_argv_to_display (context->assignments);
  else
    subject = g_strdup ("");

  collect_any_matches (self, matches);
  for (guint i = 0; floors != NULL && i < floors->len; i++)
    add_match (matches, g_ptr_array_index (floors, i), TRUE, NULL);

  return finish_part (ev, new_part (PADDOCK_ACTION_EXEC, command, argv, g_strv_length ((char **) argv), subject),
                      first,
                      ev->decision->action->unsandboxed && self->sandbox_mode != PADDOCK_SANDBOX_FULL_ACCESS
                      ? self->implicit_unsandboxed : self->implicit_exec);
}

/* --- paths --------------------------------------------------------- */

static gboolean
is_harmless_device (const char *path)
{
  static const char * const devices[] = {
    "/dev/null", "/dev/zero", "/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/tty", NULL,
  };

  return g_strv_contains (devices, path) ||
         g_str_has_prefix (path, "/dev/fd/") ||
         g_str_has_prefix (path, "/proc/self/fd/");
}

/* What decides a path no rule names. A writable root is not a rule: it
 * says where the sandbox can write, so it decides only what no rule
 * does, and a protected name inside it stays protected. */
static PaddockRule *
implicit_path_rule (PaddockPolicy     *self,
                    PaddockActionKind  kind,
                    const char        *path,
                    PaddockRule      **owned)
{
  if (kind == PADDOCK_ACTION_READ)
    return self->implicit_read;

  switch (self->sandbox_mode)
    {
    case PADDOCK_SANDBOX_FULL_ACCESS:
      return self->implicit_write_full;
    case PADDOCK_SANDBOX_READ_ONLY:
      return self->implicit_write_readonly;
    case PADDOCK_SANDBOX_WORKSPACE_WRITE:
    default:
      break;
    }

  for (guint i = 0; i < self->writable->len; i++)
    {
      PathEntry *root = g_ptr_array_index (self->writable, i);

      if (!paddock_path_is_within (path, root->path))
        continue;

      /* The root that makes it writable decides, with its provenance. */
      if (root->rule != NULL)
        return root->rule;
      *owned = implicit_rule (PADDOCK_VERDICT_ALLOW, NULL,
                              "inside the workspace, which the workspace-write sandbox can write");
      (*owned)->text = g_strdup_printf ("workspace: %s", root->path);
      return *owned;
    }

  return self->implicit_write_outside;
}

static void
judge_resolved_path (Evaluation        *ev,
                     guint              command,
                     PaddockActionKind  kind,
                     const char        *path,
                     gboolean           only_if_matched)
{
  PaddockPolicy *self = ev->policy;
  GPtrArray *matches = ev->decision->matched;
  guint first = matches->len;
  g_autoptr(PaddockRule) owned = NULL;
  PaddockPathAccess access = kind == PADDOCK_ACTION_READ ? PADDOCK_PATH_ACCESS_READ : PADDOCK_PATH_ACCESS_WRITE;
  PaddockRule *implicit;
  const char *argv[] = { path, NULL };

  if (is_harmless_device (path))
    return;

  for (guint i = 0; i < self->hidden->len; i++)
    {
      PathEntry *entry = g_ptr_array_index (self->hidden, i);

      if ((entry->rule->access & access) && paddock_path_is_within (path, entry->path))
        add_match (matches, entry->rule, TRUE, NULL);
    }

  if (kind == PADDOCK_ACTION_WRITE)
    for (guint i = 0; i < self->protected_names->len; i++)
      {
        PaddockRule *rule = g_ptr_array_index (self->protected_names, i);

        for (guint r = 0; r < self->writable->len; r++)
          {
            PathEntry *root = g_ptr_array_index (self->writable, r);

            if (paddock_path_has_components (path, root->path, rule->path))
              {
                add_match (matches, rule, TRUE, NULL);
                break;
              }
          }
      }

  if (only_if_matched && matches->len == first)
    return;

  collect_any_matches (self, matches);
  implicit = implicit_path_rule (self, kind, path, &owned);

  finish_part (ev, new_part (kind, command, argv, 1, NULL), first, implicit);
}

/* Like paddock_path_resolve(), cheaper below the workspace: its own path
 * is already canonical, so only the components below it need looking
 * at, one lstat() each until one does not exist. A link anywhere means
 * the full resolution. */
static char *
resolve_write_path (PaddockPolicy *self,
                    const char    *path,
                    const char    *cwd)
{
  g_autofree char *normal = paddock_path_normalize (path, cwd, self->home);
  gsize root_len = strlen (self->workspace);
  g_autoptr(GString) walked = NULL;
  const char *rest;

  if (normal == NULL)
    return NULL;
  if (!paddock_path_is_within (normal, self->workspace) || g_str_equal (self->workspace, "/"))
    return paddock_path_resolve (normal, NULL, NULL);

  walked = g_string_new_len (normal, root_len);
  rest = normal + root_len;
  while (*rest == '/')
    {
      const char *end = strchr (rest + 1, '/');
      struct stat st;

      g_string_append_len (walked, rest, end ? end - rest : (gssize) strlen (rest));
      if (lstat (walked->str, &st) != 0)
        return errno == ENOENT ? g_steal_pointer (&normal) : paddock_path_resolve (normal, NULL, NULL);
      if (S_ISLNK (st.st_mode))
        return paddock_path_resolve (normal, NULL, NULL);
      if (end == NULL)
        break;
      rest = end;
    }

  return g_steal_pointer (&normal);
}

void
_paddock_policy_judge_path (Evaluation        *ev,
                            guint              command,
                            PaddockActionKind  kind,
                            const char        *path,
                            gboolean           only_if_matched)
{
  PaddockPolicy *self = ev->policy;
  /* After a cd, several directories can resolve the path to one file. */
  g_autoptr(GHashTable) seen = ev->cwds ? g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL) : NULL;
  gboolean unknown = FALSE;

  /* Judge the path against every directory the script may be in by now;
   * the strictest answer wins. */
  for (guint i = 0; i < (ev->cwds ? ev->cwds->len : 1); i++)
    {
      const char *cwd = ev->cwds ? g_ptr_array_index (ev->cwds, i) : ev->cwd;
      g_autofree char *resolved = NULL;

      if (cwd == NULL && !g_path_is_absolute (path) && path[0] != '~')
        {
          unknown = TRUE;
          continue;
        }
      /* Writes follow symbolic links, so a link in the workspace cannot
       * reach ~/.ssh. Reads are enforced by the sandbox, which hides the
       * real paths; here they are only advice, judged as written. */
      if (strchr (path, '$') != NULL || strchr (path, '`') != NULL)
        resolved = NULL;
      else if (kind == PADDOCK_ACTION_WRITE)
        resolved = resolve_write_path (self, path, cwd);
      else
        resolved = paddock_path_normalize (path, cwd, self->home);
      if (resolved == NULL)
        {
          unknown = TRUE;
          continue;
        }
      if (seen == NULL || g_hash_table_add (seen, g_strdup (resolved)))
        judge_resolved_path (ev, command, kind, resolved, only_if_matched);
    }

  /* Reads found by scanning arguments only matter when a rule names
   * them; an argument that is not a knowable path is not a read. */
  if (unknown && !only_if_matched)
    {
      guint first = ev->decision->matched->len;
      g_autoptr(PaddockRule) floor =
        _paddock_policy_new_floor ("path cannot be judged",
                                   "the path depends on a variable, another user's home or an unknown directory",
                                   PADDOCK_VERDICT_PROMPT);
      const char *argv[] = { path, NULL };

      add_match (ev->decision->matched, floor, TRUE, NULL);
      finish_part (ev, new_part (kind, command, argv, 1, NULL), first, self->implicit_write_outside);
    }
}

/* --- network ------------------------------------------------------- */

static void
consider_network_entry (NetworkEntry        *entry,
                        const char          *host,
                        PaddockHostKind      kind,
                        const PaddockAction *action,
                        GPtrArray           *matches)
{
  PaddockRule *rule = entry->rule;
  /* Allow rules need what they name to be known; restrictive rules
   * assume the worst about what is unknown. */
  gboolean strict = rule->verdict == PADDOCK_VERDICT_ALLOW;

  if (rule->protocol != NULL &&
      (action->protocol != NULL ? !g_str_equal (rule->protocol, action->protocol) : strict))
    return;

  if (entry->pattern == NULL ||
      paddock_host_pattern_match (entry->pattern, host, kind, action->port, strict))
    add_match (matches, rule, TRUE, NULL);
}

static void
judge_network (Evaluation *ev)
{
  PaddockPolicy *self = ev->policy;
  PaddockAction *action = ev->decision->action;
  GPtrArray *matches = ev->decision->matched;
  guint first = matches->len;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *port = g_strdup_printf ("%u", action->port);
  PaddockHostKind kind;

  host = paddock_host_canonicalize (action->host, &kind, &error);
  if (host == NULL)
    {
      g_autoptr(PaddockRule) floor =
        _paddock_policy_new_floor ("invalid host", error->message, PADDOCK_VERDICT_FORBIDDEN);

      const char *argv[] = { action->host, port, NULL };

      add_match (matches, floor, TRUE, NULL);
      finish_part (ev, new_part (PADDOCK_ACTION_NET, 0, argv, 2, NULL), first, self->implicit_network);
      return;
    }

  {
    GPtrArray *bucket = g_hash_table_lookup (self->hosts_exact, host);

    for (guint i = 0; bucket && i < bucket->len; i++)
      consider_network_entry (g_ptr_array_index (bucket, i), host, kind, action, matches);
  }

  if (kind == PADDOCK_HOST_NAME)
    {
      /* Wildcards are filed under their base: try the name itself (for
       * "**." apexes) and every parent domain. */
      for (const char *suffix = host; suffix != NULL; )
        {
          GPtrArray *bucket = g_hash_table_lookup (self->hosts_wild, suffix);
          const char *dot = strchr (suffix, '.');

          for (guint i = 0; bucket && i < bucket->len; i++)
            consider_network_entry (g_ptr_array_index (bucket, i), host, kind, action, matches);
          suffix = dot ? dot + 1 : NULL;
        }
    }

  for (guint i = 0; i < self->hosts_other->len; i++)
    consider_network_entry (g_ptr_array_index (self->hosts_other, i), host, kind, action, matches);

  collect_any_matches (self, matches);

  {
    const char *argv[] = { host, port, NULL };
    finish_part (ev, new_part (PADDOCK_ACTION_NET, 0, argv, 2, NULL), first, self->implicit_network);
  }
}

/* --- MCP ----------------------------------------------------------- */

static void
judge_mcp (Evaluation *ev)
{
  PaddockPolicy *self = ev->policy;
  PaddockAction *action = ev->decision->action;
  GPtrArray *matches = ev->decision->matched;
  guint first = matches->len;
  const char *argv[] = { action->server, action->tool, NULL };

  for (guint i = 0; i < self->mcp_rules->len; i++)
    {
      PaddockRule *rule = g_ptr_array_index (self->mcp_rules, i);
      gboolean any_tool = rule->tool == NULL || g_str_equal (rule->tool, "*");

      if (!g_str_equal (rule->server, "*") && !g_str_equal (rule->server, action->server))
        continue;
      if (!any_tool &&
          (action->tool != NULL ? !g_str_equal (rule->tool, action->tool)
                                : rule->verdict == PADDOCK_VERDICT_ALLOW))
        continue;
      add_match (matches, rule, TRUE, NULL);
    }

  /* Off the organisation's list: forbidden, whatever else allows it. A
   * server named with some of its tools is on it for the server alone. */
  if (self->mcp_allowlist != NULL)
    {
      gboolean listed = FALSE;

      for (guint i = 0; i < self->mcp_managed_allow->len && !listed; i++)
        {
          PaddockRule *rule = g_ptr_array_index (self->mcp_managed_allow, i);

          listed = g_str_equal (rule->server, action->server) &&
                   (action->tool == NULL || rule->tool == NULL || g_str_equal (rule->tool, "*") ||
                    g_str_equal (rule->tool, action->tool));
        }
      if (!listed)
        add_match (matches, self->mcp_allowlist, TRUE, NULL);
    }

  collect_any_matches (self, matches);

  finish_part (ev, new_part (PADDOCK_ACTION_MCP, 0, argv, action->tool ? 2 : 1, NULL),
               first, self->implicit_mcp);
}

/* --- the one function that decides ---------------------------------- */

PaddockDecision *
paddock_policy_evaluate (PaddockPolicy *self,
                         PaddockAction *action,
                         PaddockGrants *grants)
{
  g_autoptr(PaddockDecision) decision = NULL;
  const PaddockDecisionPart *best = NULL;
  Evaluation ev = { 0 };

  g_return_val_if_fail (PADDOCK_IS_POLICY (self), NULL);
  g_return_val_if_fail (action != NULL, NULL);
  g_return_val_if_fail (grants == NULL || PADDOCK_IS_GRANTS (grants), NULL);

  decision = paddock_decision_new (action);
  decision->approval_mode = self->approval_mode;

  ev.policy = self;
  ev.decision = decision;
  ev.grants = grants;
  ev.cwd = action->cwd ? action->cwd : self->workspace;

  switch (action->kind)
    {
    case PADDOCK_ACTION_EXEC:
      {
        CommandContext context = { 0 };
        _paddock_policy_evaluate_exec (&ev, (const char * const *) action->argv, &context);
      }
      break;
    case PADDOCK_ACTION_READ:
    case PADDOCK_ACTION_WRITE:
      _paddock_policy_judge_path (&ev, 0, action->kind, action->path, FALSE);
      break;
    case PADDOCK_ACTION_NET:
      judge_network (&ev);
      break;
    case PADDOCK_ACTION_MCP:
      judge_mcp (&ev);
      break;
    default:
      g_assert_not_reached ();
    }

  g_clear_pointer (&ev.cwds, g_ptr_array_unref);

  /* The strictest part decides; among equals the highest authority. */
  for (guint i = 0; i < decision->parts->len; i++)
    {
      const PaddockDecisionPart *part = g_ptr_array_index (decision->parts, i);

      if (best == NULL || part->verdict > best->verdict ||
          (part->verdict == best->verdict && part->decisive->layer < best->decisive->layer))
        best = part;
    }
  g_assert (best != NULL);

  decision->verdict = best->verdict;
  decision->decisive = paddock_rule_ref (best->decisive);
  decision->approval_effect = g_strdup (best->approval_effect);
  decision->review = self->approval_mode == PADDOCK_APPROVAL_AUTO_REVIEW &&
                     decision->verdict == PADDOCK_VERDICT_PROMPT &&
                     !decision->decisive->review_human;

  return g_steal_pointer (&decision);
}

/* --- the effective policy, for people and tools -------------------- */

static const char * const shown_settings[] = {
  "sandbox.mode", "sandbox.allowed_modes", "approval.mode", "approval.allowed_modes",
  "network.mode", "network.unknown", "personal_allow_rules", "identity.issuer",
  "identity.organization", "identity.organization_claim", "identity.client_id", "telemetry.export",
  "telemetry.otlp_endpoint", "telemetry.headers", "telemetry.token_header", "telemetry.login_token", "telemetry.log_user_prompts", "audit.retention_days", "audit.max_size_mb", NULL,
};

/* The settings shown, and the MCP servers the policy names. */
static GPtrArray *
shown_keys (PaddockPolicy *self)
{
  g_autoptr(GPtrArray) servers = paddock_policy_list_mcp_servers (self);
  GPtrArray *keys = g_ptr_array_new ();

  for (guint i = 0; shown_settings[i] != NULL; i++)
    g_ptr_array_add (keys, (gpointer) shown_settings[i]);
  for (guint i = 0; i < servers->len; i++)
    g_ptr_array_add (keys, ((PaddockSetting *) g_ptr_array_index (servers, i))->key);
  return keys;
}

static const char *
rule_kind_name (PaddockRuleKind kind)
{
  switch (kind)
    {
    case PADDOCK_RULE_COMMAND: return "command";
    case PADDOCK_RULE_NETWORK: return "network";
    case PADDOCK_RULE_PATH: return "path";
    case PADDOCK_RULE_MCP: return "mcp";
    case PADDOCK_RULE_ANY: return "any";
    default: g_assert_not_reached ();
    }
}

/* The value in force for @key, after the enforced allowed_modes. */
static char *
effective_value (PaddockPolicy *self,
                 const char    *key)
{
  if (g_str_equal (key, "sandbox.mode"))
    return g_strdup (paddock_sandbox_mode_to_string (self->sandbox_mode));
  if (g_str_equal (key, "approval.mode"))
    return g_strdup (paddock_approval_mode_to_string (self->approval_mode));
  if (g_str_equal (key, "network.mode"))
    return g_strdup (paddock_network_mode_to_string (self->network_mode));
  if (g_str_equal (key, "personal_allow_rules"))
    return g_strdup (self->personal_allow_rules ? "true" : "false");
  if (g_str_equal (key, "network.unknown"))
    return g_strdup (paddock_verdict_to_string (self->implicit_network->verdict));
  return NULL;
}

static void
add_location_members (JsonBuilder *builder,
                      PaddockLayer layer,
                      const char  *source,
                      guint        line,
                      guint        column)
{
  json_builder_set_member_name (builder, "layer");
  json_builder_add_string_value (builder, paddock_layer_to_string (layer));
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, source ? source : "");
  json_builder_set_member_name (builder, "line");
  if (line)
    json_builder_add_int_value (builder, line);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "column");
  if (column)
    json_builder_add_int_value (builder, column);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "locked");
  json_builder_add_boolean_value (builder, paddock_layer_is_enforced (layer));
}

JsonNode *
paddock_policy_to_json (PaddockPolicy *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) keys = NULL;

  g_return_val_if_fail (PADDOCK_IS_POLICY (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "workspace");
  json_builder_add_string_value (builder, self->workspace);

  json_builder_set_member_name (builder, "sources");
  json_builder_begin_array (builder);
  for (guint d = 0; d < self->documents->len; d++)
    {
      PaddockPolicyDocument *document = g_ptr_array_index (self->documents, d);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "layer");
      json_builder_add_string_value (builder, paddock_layer_to_string (document->layer));
      json_builder_set_member_name (builder, "source");
      json_builder_add_string_value (builder, document->source);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, document->error ? "failed" : "loaded");
      if (document->error != NULL)
        {
          json_builder_set_member_name (builder, "error");
          json_builder_add_string_value (builder, document->error);
        }
      json_builder_set_member_name (builder, "rules");
      json_builder_add_int_value (builder, document->error ? 0 : document->rules->len);
      json_builder_set_member_name (builder, "settings");
      json_builder_add_int_value (builder, document->settings->len);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "settings");
  json_builder_begin_object (builder);
  keys = shown_keys (self);
  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_ptr_array_index (keys, i);
      const PaddockSetting *setting = paddock_policy_get_setting (self, key, NULL);
      g_autofree char *effective = effective_value (self, key);

      if (setting == NULL && effective == NULL)
        continue;

      json_builder_set_member_name (builder, key);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "value");
      if (effective != NULL)
        json_builder_add_string_value (builder, effective);
      else
        json_builder_add_value (builder, json_gvariant_serialize (setting->value));
      if (setting != NULL)
        {
          json_builder_set_member_name (builder, "written");
          json_builder_add_string_value (builder, setting->text);
          add_location_members (builder, setting->layer, setting->source, setting->line, setting->column);

          /* What lower layers said and lost. */
          json_builder_set_member_name (builder, "overridden");
          json_builder_begin_array (builder);
          for (guint d = 0; d < self->documents->len; d++)
            {
              PaddockPolicyDocument *document = g_ptr_array_index (self->documents, d);

              for (guint s = 0; s < document->settings->len; s++)
                {
                  const PaddockSetting *other = g_ptr_array_index (document->settings, s);

                  if (other == setting || !g_str_equal (other->key, key))
                    continue;
                  json_builder_begin_object (builder);
                  json_builder_set_member_name (builder, "written");
                  json_builder_add_string_value (builder, other->text);
                  add_location_members (builder, other->layer, other->source, other->line, other->column);
                  json_builder_end_object (builder);
                }
            }
          json_builder_end_array (builder);
        }
      else
        {
          json_builder_set_member_name (builder, "layer");
          json_builder_add_string_value (builder, "implicit");
          json_builder_set_member_name (builder, "locked");
          json_builder_add_boolean_value (builder, FALSE);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "rules");
  json_builder_begin_array (builder);
  for (guint d = 0; d < self->documents->len; d++)
    {
      PaddockPolicyDocument *document = g_ptr_array_index (self->documents, d);

      for (guint r = 0; r < document->rules->len; r++)
        {
          PaddockRule *rule = g_ptr_array_index (document->rules, r);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "kind");
          json_builder_add_string_value (builder, rule_kind_name (rule->kind));
          json_builder_set_member_name (builder, "decision");
          json_builder_add_string_value (builder, paddock_verdict_to_string (rule->verdict));
          add_location_members (builder, rule->layer, rule->source, rule->line, rule->column);
          json_builder_set_member_name (builder, "rule");
          json_builder_add_string_value (builder, rule->text ? rule->text : "");
          json_builder_set_member_name (builder, "reason");
          if (rule->reason)
            json_builder_add_string_value (builder, rule->reason);
          else
            json_builder_add_null_value (builder);
          json_builder_end_object (builder);
        }
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "notes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->notes->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (self->notes, i));
  json_builder_end_array (builder);

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

char *
paddock_policy_to_text (PaddockPolicy *self)
{
  GString *out = g_string_new (NULL);
  g_autoptr(GPtrArray) keys = NULL;

  g_return_val_if_fail (PADDOCK_IS_POLICY (self), NULL);

  g_string_append_printf (out, "Workspace %s\n\nSources, highest authority first:\n", self->workspace);
  for (guint d = 0; d < self->documents->len; d++)
    {
      PaddockPolicyDocument *document = g_ptr_array_index (self->documents, d);

      if (document->error != NULL)
        g_string_append_printf (out, "  %-9s %s\n            FAILED, so this layer forbids everything: %s\n",
                                paddock_layer_to_string (document->layer), document->source, document->error);
      else
        g_string_append_printf (out, "  %-9s %s (%u rules, %u settings)\n",
                                paddock_layer_to_string (document->layer), document->source,
                                document->rules->len, document->settings->len);
    }

  g_string_append (out, "\nSettings:\n");
  keys = shown_keys (self);
  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_ptr_array_index (keys, i);
      gboolean locked;
      const PaddockSetting *setting = paddock_policy_get_setting (self, key, &locked);
      g_autofree char *effective = effective_value (self, key);
      g_autofree char *value = NULL;

      if (setting == NULL && effective == NULL)
        continue;

      value = effective ? g_strdup (effective) : g_variant_print (setting->value, FALSE);
      if (setting == NULL)
        g_string_append_printf (out, "  %-26s %s   (built in)\n", key, value);
      else
        {
          g_autofree char *where = setting_location (setting);
          g_string_append_printf (out, "  %-26s %s   %s(%s)\n", key, value,
                                  locked ? "[locked] " : "", where);
        }
    }

  g_string_append (out, "\nRules:\n");
  for (guint d = 0; d < self->documents->len; d++)
    {
      PaddockPolicyDocument *document = g_ptr_array_index (self->documents, d);

      for (guint r = 0; r < document->rules->len; r++)
        {
          PaddockRule *rule = g_ptr_array_index (document->rules, r);
          g_autofree char *location = paddock_rule_dup_location (rule);
          g_autofree char *oneline = paddock_rule_dup_display_text (rule);

          g_string_append_printf (out, "  %-9s %-8s %-9s %s%s\n            %s\n",
                                  paddock_verdict_to_string (rule->verdict), rule_kind_name (rule->kind),
                                  paddock_layer_to_string (rule->layer),
                                  paddock_layer_is_enforced (rule->layer) ? "[locked] " : "",
                                  location, oneline);
        }
    }

  if (self->notes->len > 0)
    {
      g_string_append (out, "\nNotes:\n");
      for (guint i = 0; i < self->notes->len; i++)
        g_string_append_printf (out, "  %s\n", (const char *) g_ptr_array_index (self->notes, i));
    }

  return g_string_free (out, FALSE);
}

char *
paddock_policy_diff_text (PaddockPolicy *before,
                          PaddockPolicy *after)
{
  g_autofree char *old_text = NULL;
  g_autofree char *new_text = NULL;
  g_auto(GStrv) old_lines = NULL;
  g_auto(GStrv) new_lines = NULL;
  g_autoptr(GHashTable) old_count = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) new_count = g_hash_table_new (g_str_hash, g_str_equal);
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (PADDOCK_IS_POLICY (before) && PADDOCK_IS_POLICY (after), NULL);

  old_text = paddock_policy_to_text (before);
  new_text = paddock_policy_to_text (after);
  old_lines = g_strsplit (old_text, "\n", -1);
  new_lines = g_strsplit (new_text, "\n", -1);

  /* Lines as a multiset: what only one side has is the change, in the
   * order each side lists it. */
  for (guint i = 0; old_lines[i] != NULL; i++)
    g_hash_table_insert (old_count, old_lines[i],
                         GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (old_count, old_lines[i])) + 1));
  for (guint i = 0; new_lines[i] != NULL; i++)
    g_hash_table_insert (new_count, new_lines[i],
                         GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (new_count, new_lines[i])) + 1));

  for (guint i = 0; old_lines[i] != NULL; i++)
    {
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (new_count, old_lines[i]));

      if (n > 0)
        g_hash_table_insert (new_count, old_lines[i], GUINT_TO_POINTER (n - 1));
      else if (old_lines[i][strspn (old_lines[i], " ")] != '\0')
        g_string_append_printf (out, "- %s\n", old_lines[i]);
    }
  for (guint i = 0; new_lines[i] != NULL; i++)
    {
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (old_count, new_lines[i]));

      if (n > 0)
        g_hash_table_insert (old_count, new_lines[i], GUINT_TO_POINTER (n - 1));
      else if (new_lines[i][strspn (new_lines[i], " ")] != '\0')
        g_string_append_printf (out, "+ %s\n", new_lines[i]);
    }

  return g_string_free (out, FALSE);
}
