/* test-policy.c: combining the layers, approval modes, grants, provenance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "test-util.h"

static char *workspace;
static char *home;

static const PaddockLayer rule_layers[] = {
  PADDOCK_LAYER_MANAGED, PADDOCK_LAYER_SYSTEM, PADDOCK_LAYER_USER,
  PADDOCK_LAYER_WORKSPACE, PADDOCK_LAYER_DEFAULTS,
};

static char *
rule_json (PaddockVerdict verdict)
{
  return g_strdup_printf ("{\"commands\": [{\"match\": [\"deploy\"], \"decision\": \"%s\","
                          " \"reason\": \"because %s\"}]}",
                          paddock_verdict_to_string (verdict), paddock_verdict_to_string (verdict));
}

/* The combination rule of DESIGN.md, stated again independently of the
 * engine: enforced and personal rules take the strictest of both; a
 * default counts only when neither matched; ties go to authority. */
typedef struct
{
  PaddockLayer layer;
  int verdict; /* -1: no rule */
} Entry;

static int
layer_class (PaddockLayer layer)
{
  if (layer == PADDOCK_LAYER_MANAGED || layer == PADDOCK_LAYER_SYSTEM)
    return 0;
  if (layer == PADDOCK_LAYER_USER || layer == PADDOCK_LAYER_WORKSPACE)
    return 1;
  return 2;
}

static void
oracle (const Entry    *entries,
        guint           n,
        PaddockVerdict *verdict,
        PaddockLayer   *layer)
{
  gboolean any_main = FALSE;
  int best = -1;
  PaddockLayer best_layer = PADDOCK_LAYER_IMPLICIT;

  for (guint i = 0; i < n; i++)
    if (entries[i].verdict >= 0 && layer_class (entries[i].layer) < 2)
      any_main = TRUE;

  for (guint i = 0; i < n; i++)
    {
      if (entries[i].verdict < 0 || (layer_class (entries[i].layer) == 2) == any_main)
        continue;
      if (entries[i].verdict > best || (entries[i].verdict == best && entries[i].layer < best_layer))
        {
          best = entries[i].verdict;
          best_layer = entries[i].layer;
        }
    }

  *verdict = best < 0 ? PADDOCK_VERDICT_ALLOW : (PaddockVerdict) best;
  *layer = best_layer;
}

static void
test_combination_table (void)
{
  guint cases = 0;

  for (guint a = 0; a < G_N_ELEMENTS (rule_layers); a++)
    for (guint b = 0; b < G_N_ELEMENTS (rule_layers); b++)
      {
        if (a == b)
          continue;

        for (int va = PADDOCK_VERDICT_ALLOW; va <= PADDOCK_VERDICT_FORBIDDEN; va++)
          for (int vb = -1; vb <= PADDOCK_VERDICT_FORBIDDEN; vb++)
            {
              g_autofree char *json_a = rule_json (va);
              g_autofree char *json_b = vb >= 0 ? rule_json (vb) : g_strdup ("{}");
              g_autoptr(PaddockPolicy) policy =
                test_policy_new (workspace, home, rule_layers[a], json_a, rule_layers[b], json_b, -1);
              const char *argv[] = { "deploy", "--now", NULL };
              g_autoptr(PaddockDecision) decision = test_check_argv (policy, argv);
              Entry entries[] = { { rule_layers[a], va }, { rule_layers[b], vb } };
              PaddockVerdict expected;
              PaddockLayer expected_layer;
              guint n_matched = vb >= 0 ? 2 : 1;

              oracle (entries, 2, &expected, &expected_layer);
              g_test_message ("%s=%s %s=%s", paddock_layer_to_string (rule_layers[a]),
                              paddock_verdict_to_string (va), paddock_layer_to_string (rule_layers[b]),
                              vb >= 0 ? paddock_verdict_to_string (vb) : "none");

              test_assert_verdict (decision, expected);
              g_assert_cmpstr (paddock_decision_get_layer (decision), ==, paddock_layer_to_string (expected_layer));
              /* The decisive rule is the one written in that layer's file. */
              {
                g_autofree char *source = g_strdup_printf ("%s.json", paddock_layer_to_string (expected_layer));
                g_autofree char *reason = g_strdup_printf ("because %s", paddock_verdict_to_string (expected));

                g_assert_cmpstr (decision->decisive->source, ==, source);
                g_assert_cmpuint (decision->decisive->line, ==, 1);
                g_assert_cmpstr (decision->decisive->reason, ==, reason);
              }
              /* Every rule that matched is in the trace, in every layer. */
              g_assert_cmpuint (decision->matched->len, ==, n_matched);
              cases++;
            }
      }

  g_assert_cmpuint (cases, ==, 20 * 3 * 4);
}

/* A few cases written out by hand, so the table's oracle is anchored. */
static void
test_combination_examples (void)
{
  static const struct
  {
    PaddockLayer high;
    const char *high_verdict;
    PaddockLayer low;
    const char *low_verdict;
    const char *expected;
    const char *expected_layer;
  } examples[] = {
    { PADDOCK_LAYER_MANAGED, "allow", PADDOCK_LAYER_USER, "forbidden", "forbidden", "user" },
    { PADDOCK_LAYER_MANAGED, "forbidden", PADDOCK_LAYER_USER, "allow", "forbidden", "managed" },
    { PADDOCK_LAYER_SYSTEM, "prompt", PADDOCK_LAYER_WORKSPACE, "allow", "prompt", "system" },
    { PADDOCK_LAYER_USER, "allow", PADDOCK_LAYER_DEFAULTS, "forbidden", "allow", "user" },
    { PADDOCK_LAYER_WORKSPACE, "prompt", PADDOCK_LAYER_DEFAULTS, "allow", "prompt", "workspace" },
    { PADDOCK_LAYER_MANAGED, "allow", PADDOCK_LAYER_DEFAULTS, "prompt", "allow", "managed" },
    { PADDOCK_LAYER_MANAGED, "prompt", PADDOCK_LAYER_SYSTEM, "prompt", "prompt", "managed" },
    { PADDOCK_LAYER_USER, "forbidden", PADDOCK_LAYER_WORKSPACE, "forbidden", "forbidden", "user" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (examples); i++)
    {
      g_autofree char *high = g_strdup_printf ("{\"commands\": [{\"match\": [\"deploy\"], \"decision\": \"%s\"}]}",
                                               examples[i].high_verdict);
      g_autofree char *low = g_strdup_printf ("{\"commands\": [{\"match\": [\"deploy\"], \"decision\": \"%s\"}]}",
                                              examples[i].low_verdict);
      g_autoptr(PaddockPolicy) policy = test_policy_new (workspace, home, examples[i].high, high,
                                                         examples[i].low, low, -1);
      const char *argv[] = { "deploy", NULL };
      g_autoptr(PaddockDecision) decision = test_check_argv (policy, argv);

      g_assert_cmpstr (paddock_verdict_to_string (decision->verdict), ==, examples[i].expected);
      g_assert_cmpstr (paddock_decision_get_layer (decision), ==, examples[i].expected_layer);
    }
}

static void
test_no_rule_is_implicit (void)
{
  g_autoptr(PaddockPolicy) policy = test_policy_new (workspace, home, -1);
  const char *argv[] = { "deploy", NULL };
  g_autoptr(PaddockDecision) decision = test_check_argv (policy, argv);

  test_assert_verdict (decision, PADDOCK_VERDICT_ALLOW);
  g_assert_cmpstr (paddock_decision_get_layer (decision), ==, "implicit");
  g_assert_nonnull (strstr (decision->decisive->reason, "workspace-write sandbox"));
  g_assert_cmpuint (decision->matched->len, ==, 0);
}

static void
test_overridden_default_in_trace (void)
{
  g_autoptr(PaddockPolicy) policy =
    test_policy_new (workspace, home,
                     PADDOCK_LAYER_USER, "{\"commands\": [{\"match\": [\"deploy\"], \"decision\": \"allow\"}]}",
                     PADDOCK_LAYER_DEFAULTS, "{\"commands\": [{\"match\": [\"deploy\"], \"decision\": \"forbidden\"}]}",
                     -1);
  const char *argv[] = { "deploy", NULL };
  g_autoptr(PaddockDecision) decision = test_check_argv (policy, argv);
  const PaddockMatch *user, *defaults;

  test_assert_verdict (decision, PADDOCK_VERDICT_ALLOW);
  g_assert_cmpuint (decision->matched->len, ==, 2);
  user = g_ptr_array_index (decision->matched, 0);
  defaults = g_ptr_array_index (decision->matched, 1);
  g_assert_cmpint (user->rule->layer, ==, PADDOCK_LAYER_USER);
  g_assert_true (user->applied);
  g_assert_cmpint (defaults->rule->layer, ==, PADDOCK_LAYER_DEFAULTS);
  g_assert_false (defaults->applied);
  g_assert_nonnull (strstr (defaults->note, "overridden by the user rule"));
}

static void
test_personal_allow_rules_off (void)
{
  const char *managed = "{\"personal_allow_rules\": false,\n"
                        " \"commands\": [{\"match\": [\"audit\"], \"decision\": \"allow\"}]}";
  const char *user = "{\"commands\": [{\"match\": [\"deploy\"], \"decision\": \"allow\"},\n"
                     "              {\"match\": [\"wipe\"], \"decision\": \"forbidden\"}]}";
  const char *defaults = "{\"commands\": [{\"match\": [\"deploy\"], \"decision\": \"prompt\"}]}";
  g_autoptr(PaddockPolicy) policy = test_policy_new (workspace, home,
                                                     PADDOCK_LAYER_MANAGED, managed,
                                                     PADDOCK_LAYER_USER, user,
                                                     PADDOCK_LAYER_DEFAULTS, defaults, -1);
  const char *deploy[] = { "deploy", NULL };
  const char *wipe[] = { "wipe", NULL };
  const char *audit[] = { "audit", NULL };
  g_autoptr(PaddockDecision) d1 = test_check_argv (policy, deploy);
  g_autoptr(PaddockDecision) d2 = test_check_argv (policy, wipe);
  g_autoptr(PaddockDecision) d3 = test_check_argv (policy, audit);
  const PaddockMatch *ignored = g_ptr_array_index (d1->matched, 0);

  /* The user's allow is set aside, so the default decides. */
  test_assert_verdict (d1, PADDOCK_VERDICT_PROMPT);
  g_assert_cmpstr (paddock_decision_get_layer (d1), ==, "defaults");
  g_assert_false (ignored->applied);
  g_assert_nonnull (strstr (ignored->note, "personal allow rules are off"));
  g_assert_nonnull (strstr (ignored->note, "managed.json:1:2"));
  /* Personal restrictions still count; enforced allows too. */
  test_assert_verdict (d2, PADDOCK_VERDICT_FORBIDDEN);
  test_assert_verdict (d3, PADDOCK_VERDICT_ALLOW);
  g_assert_cmpstr (paddock_decision_get_layer (d3), ==, "managed");
}

static PaddockDecision *
check_with_mode (const char          *policy_json,
                 PaddockApprovalMode  mode,
                 const char          *program,
                 PaddockGrants       *grants)
{
  g_autoptr(PaddockPolicy) policy = test_policy_new (workspace, home, PADDOCK_LAYER_USER, policy_json, -1);
  const char *argv[] = { program, NULL };
  g_autoptr(PaddockAction) action = paddock_action_new_exec (argv, NULL);

  g_assert_true (paddock_policy_set_approval_mode (policy, mode, NULL));
  return paddock_policy_evaluate (policy, action, grants);
}

static const char *mode_policy =
  "{\"commands\": [{\"match\": [\"ask\"], \"decision\": \"prompt\"},\n"
  "              {\"match\": [\"askhuman\"], \"decision\": \"prompt\", \"review\": \"human\"},\n"
  "              {\"match\": [\"ok\"], \"decision\": \"allow\"},\n"
  "              {\"match\": [\"no\"], \"decision\": \"forbidden\"}]}";

static void
test_approval_modes (void)
{
  static const struct
  {
    PaddockApprovalMode mode;
    const char *program;
    PaddockVerdict expected;
    gboolean effect;
  } cases[] = {
    { PADDOCK_APPROVAL_ON_REQUEST, "ask", PADDOCK_VERDICT_PROMPT, FALSE },
    { PADDOCK_APPROVAL_ON_REQUEST, "unknown", PADDOCK_VERDICT_ALLOW, FALSE },
    { PADDOCK_APPROVAL_NEVER, "ask", PADDOCK_VERDICT_FORBIDDEN, TRUE },
    { PADDOCK_APPROVAL_NEVER, "ok", PADDOCK_VERDICT_ALLOW, FALSE },
    { PADDOCK_APPROVAL_NEVER, "no", PADDOCK_VERDICT_FORBIDDEN, FALSE },
    { PADDOCK_APPROVAL_NEVER, "unknown", PADDOCK_VERDICT_ALLOW, FALSE },
    { PADDOCK_APPROVAL_UNTRUSTED, "unknown", PADDOCK_VERDICT_PROMPT, TRUE },
    { PADDOCK_APPROVAL_UNTRUSTED, "ok", PADDOCK_VERDICT_ALLOW, FALSE },
    { PADDOCK_APPROVAL_UNTRUSTED, "no", PADDOCK_VERDICT_FORBIDDEN, FALSE },
    { PADDOCK_APPROVAL_AUTO_REVIEW, "ask", PADDOCK_VERDICT_PROMPT, FALSE },
    { PADDOCK_APPROVAL_AUTO_REVIEW, "unknown", PADDOCK_VERDICT_ALLOW, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PaddockDecision) decision = check_with_mode (mode_policy, cases[i].mode, cases[i].program, NULL);

      g_test_message ("%s %s", paddock_approval_mode_to_string (cases[i].mode), cases[i].program);
      test_assert_verdict (decision, cases[i].expected);
      g_assert_cmpint (decision->approval_effect != NULL, ==, cases[i].effect);
      g_assert_cmpint (decision->approval_mode, ==, cases[i].mode);
    }
}

static void
test_auto_review (void)
{
  g_autoptr(PaddockDecision) reviewed = check_with_mode (mode_policy, PADDOCK_APPROVAL_AUTO_REVIEW, "ask", NULL);
  g_autoptr(PaddockDecision) human = check_with_mode (mode_policy, PADDOCK_APPROVAL_AUTO_REVIEW, "askhuman", NULL);
  g_autoptr(PaddockDecision) on_request = check_with_mode (mode_policy, PADDOCK_APPROVAL_ON_REQUEST, "ask", NULL);

  g_assert_true (reviewed->review);
  g_assert_false (human->review);
  g_assert_false (on_request->review);
}

static void
test_session_grants (void)
{
  const char *json = "{\"commands\": [{\"match\": [\"ask\"], \"decision\": \"prompt\"},\n"
                     "              {\"match\": [\"always\"], \"decision\": \"prompt\", \"grant\": \"once\"},\n"
                     "              {\"match\": [\"no\"], \"decision\": \"forbidden\"}]}";
  g_autoptr(PaddockPolicy) policy = test_policy_new (workspace, home, PADDOCK_LAYER_USER, json, -1);
  g_autoptr(PaddockGrants) grants = paddock_grants_new ();
  g_autoptr(GError) error = NULL;
  const char *ask[] = { "ask", "x", NULL };
  const char *ask_other[] = { "ask", "y", NULL };
  const char *always[] = { "always", NULL };
  const char *no[] = { "no", NULL };
  g_autoptr(PaddockAction) a_ask = paddock_action_new_exec (ask, NULL);
  g_autoptr(PaddockAction) a_other = paddock_action_new_exec (ask_other, NULL);
  g_autoptr(PaddockAction) a_always = paddock_action_new_exec (always, NULL);
  g_autoptr(PaddockAction) a_no = paddock_action_new_exec (no, NULL);
  g_autoptr(PaddockDecision) first = paddock_policy_evaluate (policy, a_ask, grants);
  g_autoptr(PaddockDecision) always_first = paddock_policy_evaluate (policy, a_always, grants);
  g_autoptr(PaddockDecision) no_first = paddock_policy_evaluate (policy, a_no, grants);
  g_autoptr(PaddockDecision) second = NULL;
  g_autoptr(PaddockDecision) other = NULL;
  g_autoptr(PaddockDecision) always_second = NULL;

  test_assert_verdict (first, PADDOCK_VERDICT_PROMPT);
  g_assert_true (paddock_grants_add_from_decision (grants, first, 0, "alice", &error));
  g_assert_no_error (error);

  /* "grant": "once" asks every time; forbidden is never granted. */
  g_assert_false (paddock_grants_add_from_decision (grants, always_first, 0, "alice", &error));
  g_assert_error (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_NOT_ALLOWED);
  g_assert_nonnull (strstr (error->message, "user.json:2:15"));
  g_clear_error (&error);
  g_assert_false (paddock_grants_add_from_decision (grants, no_first, 0, "alice", &error));
  g_assert_error (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_NOT_ALLOWED);
  g_clear_error (&error);

  second = paddock_policy_evaluate (policy, a_ask, grants);
  test_assert_verdict (second, PADDOCK_VERDICT_ALLOW);
  g_assert_cmpstr (paddock_decision_get_layer (second), ==, "session");
  g_assert_nonnull (strstr (second->decisive->source, "granted by alice"));

  /* The grant is for that exact command. */
  other = paddock_policy_evaluate (policy, a_other, grants);
  test_assert_verdict (other, PADDOCK_VERDICT_PROMPT);
  always_second = paddock_policy_evaluate (policy, a_always, grants);
  test_assert_verdict (always_second, PADDOCK_VERDICT_PROMPT);
}

static void
test_grants_do_not_beat_never (void)
{
  g_autoptr(PaddockGrants) grants = paddock_grants_new ();
  g_autoptr(PaddockDecision) asked = check_with_mode (mode_policy, PADDOCK_APPROVAL_ON_REQUEST, "ask", NULL);
  g_autoptr(PaddockDecision) never = NULL;

  g_assert_true (paddock_grants_add_from_decision (grants, asked, 0, NULL, NULL));
  never = check_with_mode (mode_policy, PADDOCK_APPROVAL_NEVER, "ask", grants);
  test_assert_verdict (never, PADDOCK_VERDICT_FORBIDDEN);
}

static void
test_mode_refused_by_enforced_layer (void)
{
  const char *managed = "{\n  \"approval\": {\"allowed_modes\": [\"untrusted\", \"on-request\"]}\n}";
  g_autoptr(PaddockPolicy) policy = test_policy_new (workspace, home, PADDOCK_LAYER_MANAGED, managed, -1);
  g_autoptr(GError) error = NULL;

  g_assert_false (paddock_policy_set_approval_mode (policy, PADDOCK_APPROVAL_NEVER, &error));
  g_assert_error (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_NOT_ALLOWED);
  g_assert_nonnull (strstr (error->message, "managed layer, managed.json:2:33"));
  g_assert_nonnull (strstr (error->message, "untrusted, on-request"));
  /* Control: an allowed mode is accepted. */
  g_assert_true (paddock_policy_set_approval_mode (policy, PADDOCK_APPROVAL_UNTRUSTED, NULL));
  g_assert_cmpint (paddock_policy_get_approval_mode (policy), ==, PADDOCK_APPROVAL_UNTRUSTED);
}

static void
test_settings_resolution (void)
{
  const char *system = "{\"sandbox\": {\"allowed_modes\": [\"read-only\", \"workspace-write\"]}}";
  const char *user = "{\"sandbox\": {\"mode\": \"full-access\"}, \"approval\": {\"mode\": \"untrusted\"}}";
  const char *ws = "{\"approval\": {\"mode\": \"auto-review\"}}";
  const char *locked = "{\"network\": {\"mode\": \"disabled\"}}";
  g_autoptr(PaddockPolicy) policy = test_policy_new (workspace, home,
                                                     PADDOCK_LAYER_MANAGED, locked,
                                                     PADDOCK_LAYER_SYSTEM, system,
                                                     PADDOCK_LAYER_USER, user,
                                                     PADDOCK_LAYER_WORKSPACE, ws, -1);
  GPtrArray *notes = paddock_policy_get_notes (policy);
  gboolean is_locked;
  const PaddockSetting *setting;

  /* full-access is refused by the system layer: the strictest allowed. */
  g_assert_cmpint (paddock_policy_get_sandbox_mode (policy), ==, PADDOCK_SANDBOX_READ_ONLY);
  g_assert_cmpuint (notes->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (notes, 0), "not allowed by system layer, system.json:1:31"));
  /* The more specific personal layer decides a setting. */
  g_assert_cmpint (paddock_policy_get_approval_mode (policy), ==, PADDOCK_APPROVAL_AUTO_REVIEW);
  setting = paddock_policy_get_setting (policy, "approval.mode", &is_locked);
  g_assert_cmpint (setting->layer, ==, PADDOCK_LAYER_WORKSPACE);
  g_assert_false (is_locked);
  /* Enforced settings are locked. */
  g_assert_cmpint (paddock_policy_get_network_mode (policy), ==, PADDOCK_NETWORK_DISABLED);
  setting = paddock_policy_get_setting (policy, "network.mode", &is_locked);
  g_assert_true (is_locked);
  g_assert_cmpstr (setting->source, ==, "managed.json");
}

/* A layer that failed is a layer that forbids everything. */
static void
test_failed_layer_fails_closed (void)
{
  g_autoptr(GPtrArray) documents = g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_policy_document_unref);
  g_autoptr(GError) error = g_error_new (PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SYNTAX, "policy.json:3:4: oops");
  g_autoptr(PaddockPolicy) policy = NULL;
  g_autoptr(PaddockPolicyDocument) user = NULL;
  const char *argv[] = { "ls", NULL };
  g_autoptr(PaddockDecision) decision = NULL;
  g_autoptr(PaddockAction) net = paddock_action_new_net ("example.com", 443, NULL);
  g_autoptr(PaddockDecision) net_decision = NULL;

  user = paddock_policy_document_new_from_json (PADDOCK_LAYER_WORKSPACE, "ws.json",
                                                "{\"commands\": [{\"match\": [\"ls\"], \"decision\": \"allow\"}],"
                                                " \"network\": {\"allow\": [\"example.com\"]}}", -1, NULL);
  g_ptr_array_add (documents, paddock_policy_document_new_failed (PADDOCK_LAYER_USER, "policy.json", error));
  g_ptr_array_add (documents, g_steal_pointer (&user));
  policy = paddock_policy_new (workspace, home, documents);

  decision = test_check_argv (policy, argv);
  test_assert_verdict (decision, PADDOCK_VERDICT_FORBIDDEN);
  g_assert_cmpstr (paddock_decision_get_layer (decision), ==, "user");
  g_assert_nonnull (strstr (decision->decisive->reason, "policy.json:3:4: oops"));
  net_decision = paddock_policy_evaluate (policy, net, NULL);
  test_assert_verdict (net_decision, PADDOCK_VERDICT_FORBIDDEN);
}

static void
test_decision_json (void)
{
  const char *user = "{\"commands\": [\n  {\"match\": [\"git\", \"push\"], \"decision\": \"prompt\", \"reason\": \"publishes\"}\n]}";
  g_autoptr(PaddockPolicy) policy = test_policy_new (workspace, home, PADDOCK_LAYER_USER, user, -1);
  const char *argv[] = { "git", "push", "origin", NULL };
  g_autoptr(PaddockDecision) decision = test_check_argv (policy, argv);
  g_autoptr(JsonNode) node = paddock_decision_to_json (decision);
  JsonObject *object = json_node_get_object (node);
  JsonObject *matched;
  JsonObject *command;

  g_assert_cmpstr (json_object_get_string_member (object, "decision"), ==, "prompt");
  g_assert_cmpstr (json_object_get_string_member (object, "layer"), ==, "user");
  g_assert_cmpstr (json_object_get_string_member (object, "source"), ==, "user.json");
  g_assert_cmpint (json_object_get_int_member (object, "line"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (object, "column"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (object, "rule"), ==,
                   "{\"match\": [\"git\", \"push\"], \"decision\": \"prompt\", \"reason\": \"publishes\"}");
  g_assert_cmpstr (json_object_get_string_member (object, "reason"), ==, "publishes");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "matched")), ==, 1);
  matched = json_array_get_object_element (json_object_get_array_member (object, "matched"), 0);
  g_assert_cmpstr (json_object_get_string_member (matched, "layer"), ==, "user");
  g_assert_cmpint (json_object_get_int_member (matched, "line"), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "commands")), ==, 1);
  command = json_array_get_object_element (json_object_get_array_member (object, "commands"), 0);
  g_assert_cmpstr (json_object_get_string_member (command, "decision"), ==, "prompt");
  g_assert_cmpstr (json_object_get_string_member (command, "display"), ==, "git push origin");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  workspace = test_make_dir ("workspace");
  home = test_make_dir ("home");

  g_test_add_func ("/policy/combine/table", test_combination_table);
  g_test_add_func ("/policy/combine/examples", test_combination_examples);
  g_test_add_func ("/policy/combine/implicit", test_no_rule_is_implicit);
  g_test_add_func ("/policy/combine/overridden-default", test_overridden_default_in_trace);
  g_test_add_func ("/policy/combine/personal-allow-rules-off", test_personal_allow_rules_off);
  g_test_add_func ("/policy/approval/modes", test_approval_modes);
  g_test_add_func ("/policy/approval/auto-review", test_auto_review);
  g_test_add_func ("/policy/approval/refused-mode", test_mode_refused_by_enforced_layer);
  g_test_add_func ("/policy/grants/session", test_session_grants);
  g_test_add_func ("/policy/grants/never", test_grants_do_not_beat_never);
  g_test_add_func ("/policy/settings/resolution", test_settings_resolution);
  g_test_add_func ("/policy/fail-closed/layer", test_failed_layer_fails_closed);
  g_test_add_func ("/policy/provenance/json", test_decision_json);

  return g_test_run ();
}
