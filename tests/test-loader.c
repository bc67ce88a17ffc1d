/* test-loader.c: every layer read from where it lives, failing closed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "paddock-paths.h"
#include "paddock-policy-loader.h"
#include "test-util.h"

static char *sysconfdir;
static char *config_home;
static char *cache_home;
static char *workspace_dir;

static void
remove_tree (const char *path)
{
  g_autofree char *command = g_strdup_printf ("rm -rf %s", path);
  g_assert_cmpint (system (command), ==, 0);
}

/* Every test starts from empty system, user and cache folders. */
static void
reset (void)
{
  remove_tree (sysconfdir);
  remove_tree (config_home);
  remove_tree (cache_home);
  g_assert_cmpint (g_mkdir_with_parents (sysconfdir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (config_home, 0700), ==, 0);
}

static PaddockPolicy *
load (void)
{
  g_autoptr(PaddockPolicyLoader) loader = paddock_policy_loader_new ();
  g_autoptr(PaddockWorkspace) workspace = paddock_workspace_new_for_path (workspace_dir, NULL);
  g_autoptr(GError) error = NULL;
  PaddockPolicy *policy;

  g_assert_nonnull (workspace);
  policy = paddock_policy_loader_load (loader, workspace, &error);
  g_assert_no_error (error);
  return policy;
}

static PaddockDecision *
check (PaddockPolicy *policy,
       const char    *program)
{
  const char *argv[] = { program, NULL };
  return test_check_argv (policy, argv);
}

static void
test_every_layer (void)
{
  g_autoptr(PaddockPolicy) policy = NULL;
  g_autoptr(PaddockWorkspace) workspace = NULL;
  g_autofree char *user_dir = g_build_filename (config_home, "paddock", NULL);
  g_autofree char *ws_settings = NULL;
  g_autofree char *ws_dir = NULL;
  GPtrArray *documents;
  static const char * const expected_layers[] = {
    "managed", "system", "system", "user", "workspace", "workspace", "defaults",
  };

  reset ();
  g_free (test_write_file (sysconfdir, "requirements.json",
                           "{\"commands\": [{\"match\": [\"m\"], \"decision\": \"forbidden\"}]}"));
  /* policy.d in lexical order, JSON and Codex rules alike. */
  g_free (test_write_file (sysconfdir, "policy.d/20-second.rules",
                           "prefix_rule(pattern=[\"s2\"], decision=\"prompt\")\n"));
  g_free (test_write_file (sysconfdir, "policy.d/10-first.json",
                           "{\"commands\": [{\"match\": [\"s1\"], \"decision\": \"prompt\"}]}"));
  g_free (test_write_file (sysconfdir, "policy.d/README", "not a policy"));
  g_free (test_write_file (user_dir, "policy.json",
                           "{\"commands\": [{\"match\": [\"u\"], \"decision\": \"forbidden\"}]}"));

  workspace = paddock_workspace_new_for_path (workspace_dir, NULL);
  ws_settings = paddock_workspace_dup_settings_policy_path (workspace);
  ws_dir = g_path_get_dirname (ws_settings);
  g_free (test_write_file (ws_dir, "policy.json",
                           "{\"commands\": [{\"match\": [\"w\"], \"decision\": \"forbidden\"}]}"));
  g_free (test_write_file (workspace_dir, ".paddock/policy.json",
                           "{\"commands\": [{\"match\": [\"p\"], \"decision\": \"forbidden\"}]}"));
  g_assert_true (paddock_workspace_trust_project_policy (workspace, NULL));

  policy = load ();
  documents = paddock_policy_get_documents (policy);
  g_assert_cmpuint (documents->len, ==, G_N_ELEMENTS (expected_layers));
  for (guint i = 0; i < documents->len; i++)
    {
      PaddockPolicyDocument *document = g_ptr_array_index (documents, i);
      g_assert_cmpstr (paddock_layer_to_string (document->layer), ==, expected_layers[i]);
      g_assert_null (document->error);
    }
  g_assert_true (g_str_has_suffix (((PaddockPolicyDocument *) g_ptr_array_index (documents, 1))->source, "10-first.json"));
  g_assert_true (g_str_has_suffix (((PaddockPolicyDocument *) g_ptr_array_index (documents, 2))->source, "20-second.rules"));
  g_assert_cmpstr (((PaddockPolicyDocument *) g_ptr_array_index (documents, 6))->source, ==,
                   "resource://" PADDOCK_DEFAULT_POLICY_RESOURCE);

  {
    static const struct { const char *program; const char *layer; PaddockVerdict verdict; } cases[] = {
      { "m", "managed", PADDOCK_VERDICT_FORBIDDEN },
      { "s1", "system", PADDOCK_VERDICT_PROMPT },
      { "s2", "system", PADDOCK_VERDICT_PROMPT },
      { "u", "user", PADDOCK_VERDICT_FORBIDDEN },
      { "w", "workspace", PADDOCK_VERDICT_FORBIDDEN },
      { "p", "workspace", PADDOCK_VERDICT_FORBIDDEN },
      { "sudo", "defaults", PADDOCK_VERDICT_PROMPT },
      { "other", "implicit", PADDOCK_VERDICT_ALLOW },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(PaddockDecision) decision = check (policy, cases[i].program);

        test_assert_verdict (decision, cases[i].verdict);
        g_assert_cmpstr (paddock_decision_get_layer (decision), ==, cases[i].layer);
      }
  }
}

static void
test_project_policy_trust (void)
{
  g_autoptr(PaddockWorkspace) workspace = NULL;
  g_autofree char *project = NULL;

  reset ();
  project = test_write_file (workspace_dir, ".paddock/policy.json",
                             "{\"commands\": [{\"match\": [\"p\"], \"decision\": \"forbidden\"}]}");
  workspace = paddock_workspace_new_for_path (workspace_dir, NULL);

  /* Not trusted: ignored. */
  {
    g_autoptr(PaddockPolicy) policy = load ();
    g_autoptr(PaddockDecision) decision = check (policy, "p");

    g_assert_cmpint (paddock_workspace_get_project_policy_state (workspace), ==, PADDOCK_PROJECT_POLICY_UNTRUSTED);
    test_assert_verdict (decision, PADDOCK_VERDICT_ALLOW);
  }

  /* Trusted: used. */
  g_assert_true (paddock_workspace_trust_project_policy (workspace, NULL));
  {
    g_autoptr(PaddockPolicy) policy = load ();
    g_autoptr(PaddockDecision) decision = check (policy, "p");

    test_assert_verdict (decision, PADDOCK_VERDICT_FORBIDDEN);
    g_assert_cmpstr (decision->decisive->source, ==, project);
  }

  /* Changed after trust: ignored again until trusted again. */
  g_free (test_write_file (workspace_dir, ".paddock/policy.json",
                           "{\"commands\": [{\"match\": [\"p\"], \"decision\": \"allow\"},"
                           " {\"match\": [\"q\"], \"decision\": \"forbidden\"}]}"));
  {
    g_autoptr(PaddockWorkspace) reopened = paddock_workspace_new_for_path (workspace_dir, NULL);
    g_autoptr(PaddockPolicy) policy = load ();
    g_autoptr(PaddockDecision) decision = check (policy, "q");

    g_assert_cmpint (paddock_workspace_get_project_policy_state (reopened), ==, PADDOCK_PROJECT_POLICY_CHANGED);
    test_assert_verdict (decision, PADDOCK_VERDICT_ALLOW);
  }
}

/* A preview shows what trusting would change, and trusts nothing. */
static void
test_project_policy_preview (void)
{
  g_autoptr(PaddockWorkspace) workspace = NULL;
  g_autoptr(PaddockPolicyLoader) loader = paddock_policy_loader_new ();
  g_autoptr(PaddockPolicy) before = NULL;
  g_autoptr(PaddockPolicy) after = NULL;
  g_autoptr(PaddockPolicy) again = NULL;
  g_autoptr(PaddockDecision) decision = NULL;
  g_autoptr(GBytes) contents = NULL;
  g_autofree char *project = NULL;
  g_autofree char *text = NULL;
  g_autofree char *diff = NULL;
  g_autofree char *same = NULL;
  gsize length;

  reset ();
  project = test_write_file (workspace_dir, ".paddock/policy.json",
                             "{\"sandbox\": {\"mode\": \"read-only\"},\n"
                             " \"commands\": [{\"match\": [\"p\"], \"decision\": \"forbidden\"}]}");
  workspace = paddock_workspace_new_for_path (workspace_dir, NULL);
  g_assert_true (g_file_get_contents (project, &text, &length, NULL));
  contents = g_bytes_new_take (g_steal_pointer (&text), length);

  before = load ();
  paddock_policy_loader_preview_project (loader, contents);
  after = paddock_policy_loader_load (loader, workspace, NULL);
  diff = paddock_policy_diff_text (before, after);
  g_assert_nonnull (strstr (diff, "+   sandbox.mode"));
  g_assert_nonnull (strstr (diff, "read-only"));
  g_assert_nonnull (strstr (diff, "- "));
  g_assert_nonnull (strstr (diff, "\"match\": [\"p\"]"));
  same = paddock_policy_diff_text (before, before);
  g_assert_cmpstr (same, ==, "");

  g_assert_cmpint (paddock_workspace_get_project_policy_state (workspace), ==, PADDOCK_PROJECT_POLICY_UNTRUSTED);
  again = load ();
  decision = check (again, "p");
  test_assert_verdict (decision, PADDOCK_VERDICT_ALLOW);
}

static void
test_failed_sources (void)
{
  g_autofree char *unreadable = NULL;
  g_autoptr(PaddockPolicy) policy = NULL;
  g_autoptr(PaddockDecision) decision = NULL;
  g_autoptr(PaddockDecision) other = NULL;
  GPtrArray *documents;
  guint failed = 0;

  reset ();
  g_free (test_write_file (sysconfdir, "policy.d/10-good.json",
                           "{\"commands\": [{\"match\": [\"ok\"], \"decision\": \"prompt\"}]}"));
  g_free (test_write_file (sysconfdir, "policy.d/20-bad.json", "{\"commands\": [\n  {\"match\": [\"x\"]}\n]}"));
  /* A folder where a file should be cannot be read. */
  unreadable = g_build_filename (sysconfdir, "policy.d", "30-dir.json", NULL);
  g_assert_cmpint (g_mkdir (unreadable, 0700), ==, 0);

  policy = load ();
  documents = paddock_policy_get_documents (policy);
  for (guint i = 0; i < documents->len; i++)
    failed += ((PaddockPolicyDocument *) g_ptr_array_index (documents, i))->error != NULL;
  g_assert_cmpuint (failed, ==, 2);

  /* The system layer now forbids everything, and says why. */
  decision = check (policy, "ls");
  test_assert_verdict (decision, PADDOCK_VERDICT_FORBIDDEN);
  g_assert_cmpstr (paddock_decision_get_layer (decision), ==, "system");
  g_assert_nonnull (strstr (decision->decisive->reason, "20-bad.json:2:3: “commands[0]”: a command rule needs “decision”"));
  other = check (policy, "ok");
  test_assert_verdict (other, PADDOCK_VERDICT_FORBIDDEN);
}

static void
write_config (const char *url)
{
  g_autofree char *json = g_strdup_printf ("{\"version\": 1, \"requirements_url\": \"%s\"}", url);
  g_free (test_write_file (sysconfdir, "config.json", json));
}

static void
test_requirements_never_fetched (void)
{
  g_autoptr(PaddockPolicy) policy = NULL;
  g_autoptr(PaddockDecision) decision = NULL;
  g_autoptr(PaddockAction) net = paddock_action_new_net ("example.com", 443, NULL);
  g_autoptr(PaddockDecision) net_decision = NULL;

  reset ();
  write_config ("https://policy.example.com/paddock.json");

  policy = load ();
  decision = check (policy, "ls");
  test_assert_verdict (decision, PADDOCK_VERDICT_FORBIDDEN);
  g_assert_cmpstr (paddock_decision_get_layer (decision), ==, "managed");
  g_assert_cmpstr (decision->decisive->source, ==, "https://policy.example.com/paddock.json");
  g_assert_nonnull (strstr (decision->decisive->reason, "were never fetched, so Paddock runs in its most restrictive mode"));
  net_decision = paddock_policy_evaluate (policy, net, NULL);
  test_assert_verdict (net_decision, PADDOCK_VERDICT_FORBIDDEN);
}

static void
test_requirements_from_cache (void)
{
  const char *url = "https://policy.example.com/paddock.json";
  g_autofree char *cache = NULL;
  g_autofree char *meta = g_strdup_printf ("{\"url\": \"%s\", \"etag\": \"\\\"v1\\\"\"}", url);
  g_autoptr(PaddockPolicy) policy = NULL;
  g_autoptr(PaddockDecision) decision = NULL;
  g_autoptr(PaddockDecision) control = NULL;

  reset ();
  write_config (url);
  cache = paddock_policy_loader_dup_requirements_cache ();
  g_free (test_write_file (cache, "meta.json", meta));
  g_free (test_write_file (cache, "document.json",
                           "{\n\"commands\": [{\"match\": [\"curl\"], \"decision\": \"forbidden\"}]}"));

  policy = load ();
  decision = check (policy, "curl");
  test_assert_verdict (decision, PADDOCK_VERDICT_FORBIDDEN);
  g_assert_cmpstr (decision->decisive->source, ==, url);
  g_assert_cmpuint (decision->decisive->line, ==, 2);
  control = check (policy, "ls");
  test_assert_verdict (control, PADDOCK_VERDICT_ALLOW);

  /* A cached copy of another URL is not these requirements. */
  write_config ("https://other.example.com/p.json");
  {
    g_autoptr(PaddockPolicy) other = load ();
    g_autoptr(PaddockDecision) d = check (other, "ls");
    test_assert_verdict (d, PADDOCK_VERDICT_FORBIDDEN);
  }
}

static void
test_bad_system_config (void)
{
  static const char * const configs[] = {
    "{\"requirements_url\": \"http://policy.example.com/x.json\"}",
    "{\"requirements_url\": \"http://localhost.evil.com/x.json\"}",
    "{\"requirements_url\": 42}",
    "{\"requirements-url\": \"https://policy.example.com/x.json\"}",
    "not json",
  };

  for (guint i = 0; i < G_N_ELEMENTS (configs); i++)
    {
      g_autoptr(PaddockPolicy) policy = NULL;
      g_autoptr(PaddockDecision) decision = NULL;

      reset ();
      g_free (test_write_file (sysconfdir, "config.json", configs[i]));
      policy = load ();
      decision = check (policy, "ls");
      test_assert_verdict (decision, PADDOCK_VERDICT_FORBIDDEN);
      g_assert_cmpstr (paddock_decision_get_layer (decision), ==, "managed");
      g_assert_true (g_str_has_suffix (decision->decisive->source, "config.json"));
    }
}

static void
test_gsettings_user_values (void)
{
  g_autoptr(GSettingsSchemaSource) source =
    g_settings_schema_source_new_from_directory (PADDOCK_BUILD_SCHEMADIR, NULL, TRUE, NULL);
  g_autoptr(GSettingsSchema) schema = g_settings_schema_source_lookup (source, PADDOCK_SETTINGS_SCHEMA, FALSE);
  g_autoptr(GSettings) settings = g_settings_new_full (schema, NULL, NULL);
  const char *denied[] = { "tracker.example", NULL };
  g_autoptr(PaddockPolicy) policy = NULL;
  g_autoptr(PaddockAction) net = paddock_action_new_net ("tracker.example", 443, NULL);
  g_autoptr(PaddockDecision) decision = NULL;
  const PaddockSetting *mode;
  gboolean locked;

  reset ();
  g_settings_set_string (settings, "approval-mode", "untrusted");
  g_settings_set_strv (settings, "denied-domains", denied);

  policy = load ();
  g_assert_cmpint (paddock_policy_get_approval_mode (policy), ==, PADDOCK_APPROVAL_UNTRUSTED);
  mode = paddock_policy_get_setting (policy, "approval.mode", &locked);
  g_assert_cmpint (mode->layer, ==, PADDOCK_LAYER_USER);
  g_assert_false (locked);
  g_assert_cmpstr (mode->source, ==, "gsettings org.paddock.Paddock");

  decision = paddock_policy_evaluate (policy, net, NULL);
  test_assert_verdict (decision, PADDOCK_VERDICT_FORBIDDEN);
  g_assert_cmpstr (decision->decisive->text, ==, "denied-domains: 'tracker.example'");
  g_assert_cmpstr (decision->decisive->source, ==, "gsettings org.paddock.Paddock denied-domains");

  g_settings_reset (settings, "approval-mode");
  g_settings_reset (settings, "denied-domains");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *base = g_dir_make_tmp ("paddock-loader-XXXXXX", NULL);
  int status;

  /* Before anything asks GLib for these folders: it caches them. */
  sysconfdir = g_build_filename (base, "etc", NULL);
  config_home = g_build_filename (base, "config", NULL);
  cache_home = g_build_filename (base, "cache", NULL);
  workspace_dir = g_build_filename (base, "project", NULL);
  g_setenv ("PADDOCK_SYSCONFDIR", sysconfdir, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_setenv ("XDG_CACHE_HOME", cache_home, TRUE);
  g_setenv ("HOME", base, TRUE);
  g_assert_cmpint (g_mkdir_with_parents (workspace_dir, 0700), ==, 0);

  g_test_init (&argc, &argv, NULL);

  g_assert_cmpstr (paddock_paths_get_sysconfdir (), ==, sysconfdir);

  g_test_add_func ("/loader/every-layer", test_every_layer);
  g_test_add_func ("/loader/project-trust", test_project_policy_trust);
  g_test_add_func ("/loader/project-preview", test_project_policy_preview);
  g_test_add_func ("/loader/failed-sources", test_failed_sources);
  g_test_add_func ("/loader/requirements/never-fetched", test_requirements_never_fetched);
  g_test_add_func ("/loader/requirements/cache", test_requirements_from_cache);
  g_test_add_func ("/loader/requirements/bad-config", test_bad_system_config);
  g_test_add_func ("/loader/gsettings/user-values", test_gsettings_user_values);

  status = g_test_run ();
  test_remove_tree (base);
  return status;
}
