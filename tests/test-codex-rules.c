/* test-codex-rules.c: Codex CLI .rules files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "paddock-codex-rules.h"
#include "paddock-errors.h"

#define SOURCE "test.rules"

static GPtrArray *
new_rule_array (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) paddock_rule_unref);
}

static GPtrArray *
parse_ok (const char *text)
{
  g_autoptr(GPtrArray) rules = new_rule_array ();
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = paddock_codex_rules_parse (SOURCE, text, -1, PADDOCK_LAYER_USER, rules, &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  return g_steal_pointer (&rules);
}

/* Asserts that @text fails with @code and a message starting with
 * @prefix, and that nothing was appended. */
static void
assert_fails (const char *text,
              gssize      length,
              int         code,
              const char *prefix)
{
  g_autoptr(GPtrArray) rules = new_rule_array ();
  g_autoptr(GError) error = NULL;
  PaddockRule *sentinel = paddock_rule_new (PADDOCK_RULE_ANY, PADDOCK_LAYER_USER,
                                            PADDOCK_VERDICT_FORBIDDEN);
  gboolean ok;

  g_ptr_array_add (rules, sentinel);
  ok = paddock_codex_rules_parse (SOURCE, text, length, PADDOCK_LAYER_USER, rules, &error);
  g_assert_false (ok);
  g_assert_error (error, PADDOCK_POLICY_ERROR, code);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("message “%s” does not start with “%s”", error->message, prefix);
  g_assert_cmpuint (rules->len, ==, 1);
  g_assert_true (g_ptr_array_index (rules, 0) == sentinel);
}

/* @expected is the pattern written as "git fetch|pull": tokens separated
 * by spaces, alternatives by '|'. */
static void
assert_tokens (const PaddockRule *rule,
               const char        *expected)
{
  g_auto(GStrv) tokens = g_strsplit (expected, " ", -1);

  g_assert_cmpint (rule->kind, ==, PADDOCK_RULE_COMMAND);
  g_assert_cmpuint (rule->n_tokens, ==, g_strv_length (tokens));
  for (guint i = 0; tokens[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit (tokens[i], "|", -1);

      g_assert_cmpint (rule->tokens[i].kind, ==, PADDOCK_TOKEN_WORDS);
      g_assert_null (rule->tokens[i].regex);
      g_assert_true (g_strv_equal ((const char * const *) rule->tokens[i].words,
                                   (const char * const *) words));
    }
}

static PaddockRule *
rule_at (GPtrArray *rules,
         guint      index)
{
  g_assert_cmpuint (index, <, rules->len);
  return g_ptr_array_index (rules, index);
}

/* prefix_rule() */

static void
test_prefix_rule_positional (void)
{
  g_autoptr(GPtrArray) rules =
    parse_ok ("prefix_rule([\"git\", \"status\"], \"prompt\", [\"git status\"], [\"git log\"], \"Why.\")\n");
  PaddockRule *rule = rule_at (rules, 0);

  g_assert_cmpuint (rules->len, ==, 1);
  assert_tokens (rule, "git status");
  g_assert_cmpint (rule->layer, ==, PADDOCK_LAYER_USER);
  g_assert_cmpint (rule->verdict, ==, PADDOCK_VERDICT_PROMPT);
  g_assert_cmpstr (rule->source, ==, SOURCE);
  g_assert_cmpuint (rule->line, ==, 1);
  g_assert_cmpuint (rule->column, ==, 1);
  g_assert_cmpstr (rule->reason, ==, "Why.");
  g_assert_null (rule->host_paths);
  g_assert_null (rule->host);
  g_assert_null (rule->protocol);
}

static void
test_prefix_rule_keyword (void)
{
  g_autoptr(GPtrArray) rules =
    parse_ok ("prefix_rule(justification = \"No.\", not_match = [\"rm -i x\"],\n"
              "            decision = \"forbidden\", match = [\"rm -rf x\"],\n"
              "            pattern = [\"rm\", \"-rf\"])\n"
              "prefix_rule([\"ls\"], decision = \"prompt\")\n");

  g_assert_cmpuint (rules->len, ==, 2);
  assert_tokens (rule_at (rules, 0), "rm -rf");
  g_assert_cmpint (rule_at (rules, 0)->verdict, ==, PADDOCK_VERDICT_FORBIDDEN);
  g_assert_cmpstr (rule_at (rules, 0)->reason, ==, "No.");
  assert_tokens (rule_at (rules, 1), "ls");
  g_assert_cmpint (rule_at (rules, 1)->verdict, ==, PADDOCK_VERDICT_PROMPT);
  g_assert_cmpuint (rule_at (rules, 1)->line, ==, 4);
}

static void
test_prefix_rule_defaults (void)
{
  g_autoptr(GPtrArray) rules =
    parse_ok ("prefix_rule([\"ls\"])\n"
              "prefix_rule(pattern = [\"cat\"], match = None, not_match = None, justification = None)\n");

  g_assert_cmpuint (rules->len, ==, 2);
  for (guint i = 0; i < rules->len; i++)
    {
      g_assert_cmpint (rule_at (rules, i)->verdict, ==, PADDOCK_VERDICT_ALLOW);
      g_assert_null (rule_at (rules, i)->reason);
      g_assert_cmpint (rule_at (rules, i)->layer, ==, PADDOCK_LAYER_USER);
    }
}

static void
test_prefix_rule_decisions (void)
{
  g_autoptr(GPtrArray) rules =
    parse_ok ("prefix_rule([\"a\"], \"allow\")\n"
              "prefix_rule([\"b\"], \"prompt\")\n"
              "prefix_rule([\"c\"], \"forbidden\")\n");

  g_assert_cmpint (rule_at (rules, 0)->verdict, ==, PADDOCK_VERDICT_ALLOW);
  g_assert_cmpint (rule_at (rules, 1)->verdict, ==, PADDOCK_VERDICT_PROMPT);
  g_assert_cmpint (rule_at (rules, 2)->verdict, ==, PADDOCK_VERDICT_FORBIDDEN);
}

static void
test_prefix_rule_layer (void)
{
  g_autoptr(GPtrArray) rules = new_rule_array ();
  g_autoptr(GError) error = NULL;

  g_assert_true (paddock_codex_rules_parse ("/etc/codex/rules/a.rules", "prefix_rule([\"a\"])", -1,
                                            PADDOCK_LAYER_MANAGED, rules, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rule_at (rules, 0)->layer, ==, PADDOCK_LAYER_MANAGED);
  g_assert_cmpstr (rule_at (rules, 0)->source, ==, "/etc/codex/rules/a.rules");
}

/* Alternatives */

static void
test_alternatives_first (void)
{
  g_autoptr(GPtrArray) rules =
    parse_ok ("\n  # package managers\n"
              "prefix_rule([[\"npm\", \"pnpm\", \"yarn\"], [\"test\", \"ls\"]], \"prompt\", justification = \"x\")\n");

  g_assert_cmpuint (rules->len, ==, 3);
  assert_tokens (rule_at (rules, 0), "npm test|ls");
  assert_tokens (rule_at (rules, 1), "pnpm test|ls");
  assert_tokens (rule_at (rules, 2), "yarn test|ls");
  for (guint i = 0; i < rules->len; i++)
    {
      PaddockRule *rule = rule_at (rules, i);

      g_assert_cmpint (rule->verdict, ==, PADDOCK_VERDICT_PROMPT);
      g_assert_cmpstr (rule->reason, ==, "x");
      g_assert_cmpuint (rule->line, ==, 3);
      g_assert_cmpuint (rule->column, ==, 1);
      g_assert_cmpstr (rule->text, ==, rule_at (rules, 0)->text);
    }
}

static void
test_alternatives_later (void)
{
  g_autoptr(GPtrArray) rules =
    parse_ok ("prefix_rule([\"git\", [\"fetch\", \"pull\"], \"origin\", [\"main\", \"master\"]])\n");

  g_assert_cmpuint (rules->len, ==, 1);
  assert_tokens (rule_at (rules, 0), "git fetch|pull origin main|master");
}

static void
test_alternatives_single (void)
{
  g_autoptr(GPtrArray) rules = parse_ok ("prefix_rule([[\"git\"], [\"status\"], \"-s\"])\n");

  g_assert_cmpuint (rules->len, ==, 1);
  assert_tokens (rule_at (rules, 0), "git status -s");
}

/* network_rule() */

static void
test_network_rule_forms (void)
{
  g_autoptr(GPtrArray) rules =
    parse_ok ("network_rule(\"api.github.com\", \"https\", \"allow\", \"GitHub API\")\n"
              "network_rule(decision = \"deny\", protocol = \"http\", host = \"example.com\")\n"
              "network_rule(\"a.example\", \"https_connect\", \"prompt\", justification = None)\n"
              "network_rule(\"b.example\", \"http-connect\", decision = \"forbidden\")\n"
              "network_rule(\"c.example\", \"socks5_tcp\", \"allow\")\n"
              "network_rule(\"d.example\", \"socks5_udp\", \"allow\")\n");
  const struct
  {
    const char *host;
    const char *protocol;
    PaddockVerdict verdict;
    const char *reason;
  } expected[] = {
    { "api.github.com", "https", PADDOCK_VERDICT_ALLOW, "GitHub API" },
    { "example.com", "http", PADDOCK_VERDICT_FORBIDDEN, NULL },
    { "a.example", "https", PADDOCK_VERDICT_PROMPT, NULL },
    { "b.example", "https", PADDOCK_VERDICT_FORBIDDEN, NULL },
    { "c.example", "socks5_tcp", PADDOCK_VERDICT_ALLOW, NULL },
    { "d.example", "socks5_udp", PADDOCK_VERDICT_ALLOW, NULL },
  };

  g_assert_cmpuint (rules->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      PaddockRule *rule = rule_at (rules, i);

      g_assert_cmpint (rule->kind, ==, PADDOCK_RULE_NETWORK);
      g_assert_cmpstr (rule->host, ==, expected[i].host);
      g_assert_cmpuint (rule->port, ==, 0);
      g_assert_cmpstr (rule->protocol, ==, expected[i].protocol);
      g_assert_cmpint (rule->verdict, ==, expected[i].verdict);
      g_assert_cmpstr (rule->reason, ==, expected[i].reason);
      g_assert_cmpuint (rule->line, ==, i + 1);
      g_assert_cmpuint (rule->n_tokens, ==, 0);
    }
}

static void
test_network_rule_hosts (void)
{
  const struct
  {
    const char *written;
    const char *host;
  } cases[] = {
    { "Example.COM", "example.com" },
    { "  example.com\\t", "example.com" },
    { "example.com.", "example.com" },
    { "example.com...", "example.com" },
    { "example.com:443", "example.com" },
    { "Example.com.:8080", "example.com" },
    { "10.0.0.1:22", "10.0.0.1" },
    { "[::1]", "::1" },
    { "[::1]:8080", "::1" },
    { "[FE80::1]", "fe80::1" },
    { "::1", "::1" },
    { "2001:db8::1", "2001:db8::1" },
    { "host:http", "host:http" },
    { "\\u00a0example.com", "example.com" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("network_rule(\"%s\", \"https\", \"allow\")",
                                               cases[i].written);
      g_autoptr(GPtrArray) rules = parse_ok (text);

      g_assert_cmpuint (rules->len, ==, 1);
      g_assert_cmpstr (rule_at (rules, 0)->host, ==, cases[i].host);
    }
}

static void
test_network_rule_invalid_hosts (void)
{
  const char *hosts[] = {
    "", "   ", ".", "...", "https://example.com", "example.com/path", "example.com?q",
    "example.com#x", "*.example.com", "*", "[::1", "[::1]x", "[::1]:", "[::1]:80a",
    "exa mple.com", "[]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      g_autofree char *text = g_strdup_printf ("network_rule(\"%s\", \"https\", \"allow\")", hosts[i]);

      assert_fails (text, -1, PADDOCK_POLICY_ERROR_INVALID, SOURCE ":1:14: network_rule host");
    }
}

/* host_executable() */

static void
test_host_executable (void)
{
  g_autoptr(GPtrArray) rules =
    parse_ok ("prefix_rule([\"git\", \"status\"], match = [\"/usr/bin/git status\"])\n"
              "prefix_rule([[\"git\", \"hg\"], \"log\"])\n"
              "prefix_rule([\"ls\"])\n"
              "host_executable(\"git\", [\"/usr/bin/git\", \"/usr/local/bin/../bin/git\",\n"
              "                        \"//usr//bin/./git\"])\n"
              "host_executable(name = \"hg\", paths = [\"~/bin/hg\"])\n"
              "host_executable(\"hg\", [\"~/.local/bin/hg\", \"/usr/bin/hg/\"])\n");
  const char *git[] = { "/usr/bin/git", "/usr/local/bin/git", NULL };
  g_autofree char *home_hg = g_build_filename (g_get_home_dir (), ".local/bin/hg", NULL);
  const char *hg[] = { home_hg, "/usr/bin/hg", NULL };

  g_assert_cmpuint (rules->len, ==, 4);
  g_assert_true (g_strv_equal ((const char * const *) rule_at (rules, 0)->host_paths, git));
  g_assert_true (g_strv_equal ((const char * const *) rule_at (rules, 1)->host_paths, git));
  /* The later host_executable() for a name replaces the earlier one. */
  g_assert_true (g_strv_equal ((const char * const *) rule_at (rules, 2)->host_paths, hg));
  g_assert_null (rule_at (rules, 3)->host_paths);
}

static void
test_host_executable_empty (void)
{
  g_autoptr(GPtrArray) rules =
    parse_ok ("host_executable(\"git\", [])\nprefix_rule([\"git\"])\n");

  g_assert_nonnull (rule_at (rules, 0)->host_paths);
  g_assert_cmpuint (g_strv_length (rule_at (rules, 0)->host_paths), ==, 0);
}

/* Expressions */

static void
test_variables (void)
{
  g_autoptr(GPtrArray) rules =
    parse_ok ("GIT = \"git\"\n"
              "READ = [\"status\", \"log\"]\n"
              "PATTERN = [GIT, READ]\n"
              "WHY = None\n"
              "prefix_rule(PATTERN, justification = WHY)\n"
              "READ = [\"diff\"]  # a name can be assigned again\n"
              "prefix_rule([GIT, READ], match = [[GIT] + READ])\n");

  g_assert_cmpuint (rules->len, ==, 2);
  assert_tokens (rule_at (rules, 0), "git status|log");
  g_assert_null (rule_at (rules, 0)->reason);
  assert_tokens (rule_at (rules, 1), "git diff");
}

static void
test_concatenation (void)
{
  g_autoptr(GPtrArray) rules =
    parse_ok ("BASE = [\"git\"]\n"
              "T = (\"a\",) + (\"b\", \"c\",) + ()\n"
              "prefix_rule(BASE + [\"remote\"] + [[\"add\", \"remove\"]], justification = \"Edits \" + 'the ' + \"remotes.\")\n"
              "prefix_rule((BASE + [\"gc\"]))\n"
              "prefix_rule([\"git\", \"commit\" + \"-tree\"])\n");

  g_assert_cmpuint (rules->len, ==, 3);
  assert_tokens (rule_at (rules, 0), "git remote add|remove");
  g_assert_cmpstr (rule_at (rules, 0)->reason, ==, "Edits the remotes.");
  assert_tokens (rule_at (rules, 1), "git gc");
  assert_tokens (rule_at (rules, 2), "git commit-tree");
}

static void
test_comments (void)
{
  g_autoptr(GPtrArray) rules =
    parse_ok ("# leading comment\n"
              "\n"
              "   # indented comment line\n"
              "X = [\"a\"]  # trailing comment\n"
              "prefix_rule(  # inside a call\n"
              "    # a comment line inside the call\n"
              "    [\"echo\", \"#not-a-comment\"],  # after an argument\n"
              ")\n"
              "# last line without newline");

  g_assert_cmpuint (rules->len, ==, 1);
  assert_tokens (rule_at (rules, 0), "echo #not-a-comment");
  g_assert_cmpuint (rule_at (rules, 0)->line, ==, 5);
}

static void
test_strings (void)
{
  g_autoptr(GPtrArray) rules =
    parse_ok ("prefix_rule([\n"
              "  'single',\n"
              "  \"double\",\n"
              "  '''triple\n"
              "single''',\n"
              "  \"\"\"triple \"quoted\" \"\"double\"\"\",\n"
              "  \"\\n\\t\\r\\\\\\'\\\"\",\n"
              "  '\\x41\\u00e9\\u20ac',\n"
              "  r'\\d+\\.\\n',\n"
              "  r\"a\\\"b\",\n"
              "  r'''raw\\'triple''',\n"
              "  '',\n"
              "  \"it's\",\n"
              "  'say \"hi\"',\n"
              "  \"é€\",\n"
              "])\n");
  const char *expected[] = {
    "single",
    "double",
    "triple\nsingle",
    "triple \"quoted\" \"\"double",
    "\n\t\r\\'\"",
    "A\xc3\xa9\xe2\x82\xac",
    "\\d+\\.\\n",
    "a\\\"b",
    "raw\\'triple",
    "",
    "it's",
    "say \"hi\"",
    "é€",
  };
  PaddockRule *rule;

  g_assert_cmpuint (rules->len, ==, 1);
  rule = rule_at (rules, 0);
  g_assert_cmpuint (rule->n_tokens, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_assert_cmpuint (g_strv_length (rule->tokens[i].words), ==, 1);
      g_assert_cmpstr (rule->tokens[i].words[0], ==, expected[i]);
    }
}

static void
test_text (void)
{
  const char *call1 = "prefix_rule(\n    [\"git\", \"push\"],  # why not\n    \"prompt\",\n)";
  const char *call2 = "prefix_rule([\"ls\"])";
  const char *call3 = "network_rule('a.example', 'https', 'allow')";
  g_autofree char *text = g_strdup_printf ("X = 1\n%s\n\n  # gap\n%s;%s # done\n", call1, call2, call3);
  g_autoptr(GPtrArray) rules = parse_ok (text);

  g_assert_cmpuint (rules->len, ==, 3);
  g_assert_cmpstr (rule_at (rules, 0)->text, ==, call1);
  g_assert_cmpstr (rule_at (rules, 1)->text, ==, call2);
  g_assert_cmpstr (rule_at (rules, 2)->text, ==, call3);
  g_assert_cmpuint (rule_at (rules, 1)->line, ==, 8);
  g_assert_cmpuint (rule_at (rules, 1)->column, ==, 1);
  g_assert_cmpuint (rule_at (rules, 2)->line, ==, 8);
  g_assert_cmpuint (rule_at (rules, 2)->column, ==, strlen (call2) + 2);
}

static void
test_location (void)
{
  /* Columns count characters, not bytes. */
  g_autoptr(GPtrArray) rules =
    parse_ok ("X = \"é€\"; prefix_rule([\"a\"])\r\n"
              "\r\n"
              "Y = [\"b\"]; prefix_rule(Y)\r\n");

  g_assert_cmpuint (rule_at (rules, 0)->line, ==, 1);
  g_assert_cmpuint (rule_at (rules, 0)->column, ==, 11);
  g_assert_cmpuint (rule_at (rules, 1)->line, ==, 3);
  g_assert_cmpuint (rule_at (rules, 1)->column, ==, 12);
  g_assert_cmpstr (rule_at (rules, 1)->text, ==, "prefix_rule(Y)");

  assert_fails ("X = \"é€\"; prefix_rule([1])", -1, PADDOCK_POLICY_ERROR_INVALID, SOURCE ":1:24: ");
}

static void
test_empty (void)
{
  const char *texts[] = { "", "\n\n", "# only a comment", "X = [\"a\"]\n", "\"\"\"A docstring.\"\"\"\n" };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GPtrArray) rules = parse_ok (texts[i]);

      g_assert_cmpuint (rules->len, ==, 0);
    }
}

static void
test_length (void)
{
  const char text[] = "prefix_rule([\"a\"])\nprefix_rule([\"b\"])";
  g_autoptr(GPtrArray) rules = new_rule_array ();
  g_autoptr(GError) error = NULL;

  /* Only the first call lies within @length. */
  g_assert_true (paddock_codex_rules_parse (SOURCE, text, strlen ("prefix_rule([\"a\"])\n"),
                                            PADDOCK_LAYER_WORKSPACE, rules, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rules->len, ==, 1);

  assert_fails ("prefix_rule([\"a\"])\0prefix_rule([\"b\"])", sizeof text - 1,
                PADDOCK_POLICY_ERROR_SYNTAX, SOURCE ":1:19: the file is not valid UTF-8");
  assert_fails ("X = \"\xff\"", -1, PADDOCK_POLICY_ERROR_SYNTAX,
                SOURCE ":1:6: the file is not valid UTF-8 text; accepted: UTF-8");
}

static void
test_atomic (void)
{
  g_autoptr(GPtrArray) rules = new_rule_array ();
  g_autoptr(GError) error = NULL;
  const char *text =
    "prefix_rule([\"a\"])\n"
    "network_rule(\"a.example\", \"https\", \"allow\")\n"
    "prefix_rule([\"b\"], match = [\"c\"])\n";

  g_ptr_array_add (rules, paddock_rule_new (PADDOCK_RULE_ANY, PADDOCK_LAYER_USER, PADDOCK_VERDICT_ALLOW));
  g_assert_false (paddock_codex_rules_parse (SOURCE, text, -1, PADDOCK_LAYER_USER, rules, &error));
  g_assert_error (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_EXAMPLE);
  g_assert_cmpuint (rules->len, ==, 1);
  g_clear_error (&error);

  g_assert_true (paddock_codex_rules_parse (SOURCE, "prefix_rule([\"a\"])", -1,
                                            PADDOCK_LAYER_USER, rules, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rules->len, ==, 2);
}

/* Examples */

static void
test_examples_match (void)
{
  g_autoptr(GPtrArray) rules =
    parse_ok ("prefix_rule(\n"
              "  [[\"git\", \"hg\"], [\"log\", \"diff\"]],\n"
              "  match = [\"git log\", \"hg diff -r 1\", [\"git\", \"log\", \"--format=%H %s\"],\n"
              "           \"/usr/bin/git log\", \"./git diff\", \"git\\tlog\"],\n"
              "  not_match = [\"git\", \"git push\", \"svn log\", \"git-log\", \"gitlog log\",\n"
              "               \"/usr/bin/gitx log\", \"git 'log '\", \"GIT log\"],\n"
              ")\n");

  g_assert_cmpuint (rules->len, ==, 2);
}

static void
test_examples_match_fails (void)
{
  assert_fails ("X = 1\n\n  # c\nprefix_rule(pattern = [\"git\", [\"fetch\", \"pull\"]],\n"
                "            match = [\"git fetch\", \"git push origin\"])\n",
                -1, PADDOCK_POLICY_ERROR_EXAMPLE,
                SOURCE ":4:1: match example \"git push origin\" does not match "
                "prefix_rule(pattern=[\"git\", [\"fetch\", \"pull\"]])");
  assert_fails ("X = 1; prefix_rule([[\"npm\", \"pnpm\"], \"test\"], match = [[\"yarn\", \"test\", \"a b\"]])",
                -1, PADDOCK_POLICY_ERROR_EXAMPLE,
                SOURCE ":1:8: match example \"yarn test 'a b'\" does not match "
                "prefix_rule(pattern=[[\"npm\", \"pnpm\"], \"test\"])");
  /* The example must be at least as long as the pattern. */
  assert_fails ("prefix_rule([\"git\", \"log\"], match = [\"git\"])", -1, PADDOCK_POLICY_ERROR_EXAMPLE,
                SOURCE ":1:1: match example \"git\" does not match prefix_rule(pattern=[\"git\", \"log\"])");
}

static void
test_examples_not_match_fails (void)
{
  assert_fails ("prefix_rule([\"git\"], \"forbidden\")\n"
                "prefix_rule([\"git\", [\"push\", \"fetch\"]],\n"
                "            not_match = [\"git status\", [\"git\", \"push\", \"--force\"]])\n",
                -1, PADDOCK_POLICY_ERROR_EXAMPLE,
                SOURCE ":2:1: not_match example \"git push --force\" matches "
                "prefix_rule(pattern=[\"git\", [\"push\", \"fetch\"]])");
}

static void
test_examples_same_call (void)
{
  /* Only the rules of the same call count, in both directions. */
  g_autoptr(GPtrArray) rules =
    parse_ok ("prefix_rule([\"git\"])\n"
              "prefix_rule([\"git\", \"log\"], not_match = [\"git push\"])\n");

  g_assert_cmpuint (rules->len, ==, 2);
  assert_fails ("prefix_rule([\"git\"])\n"
                "prefix_rule([\"git\", \"log\"], match = [\"git push\"])\n",
                -1, PADDOCK_POLICY_ERROR_EXAMPLE, SOURCE ":2:1: match example \"git push\" does not match");
}

static void
test_examples_host_executable (void)
{
  g_autoptr(GPtrArray) rules = NULL;

  /* host_executable() anywhere in the file restricts the accepted paths. */
  assert_fails ("prefix_rule([\"git\"], match = [\"/opt/git status\"])\n"
                "host_executable(\"git\", [\"/usr/bin/git\"])\n",
                -1, PADDOCK_POLICY_ERROR_EXAMPLE,
                SOURCE ":1:1: match example \"/opt/git status\" does not match prefix_rule(pattern=[\"git\"])");
  assert_fails ("host_executable(\"git\", [\"/usr/bin/git\"])\n"
                "prefix_rule([\"git\"], match = [\"./git status\"])\n",
                -1, PADDOCK_POLICY_ERROR_EXAMPLE,
                SOURCE ":2:1: match example \"./git status\" does not match");

  rules = parse_ok ("prefix_rule([\"git\"], match = [\"/usr/bin/git status\", \"/usr/bin/../bin/git\",\n"
                    "                             \"//usr//bin/git/\"],\n"
                    "            not_match = [\"/opt/git status\"])\n"
                    "host_executable(\"git\", [\"/usr/bin/git\"])\n");
  g_assert_cmpuint (rules->len, ==, 1);

  /* Without host_executable(), Codex accepts any path to the program. */
  g_clear_pointer (&rules, g_ptr_array_unref);
  rules = parse_ok ("prefix_rule([\"git\"], match = [\"/opt/git status\"])\n");
  assert_fails ("prefix_rule([\"git\"], not_match = [\"/opt/bin/git status\"])\n", -1,
                PADDOCK_POLICY_ERROR_EXAMPLE,
                SOURCE ":1:1: not_match example \"/opt/bin/git status\" matches prefix_rule(pattern=[\"git\"])");
}

static void
test_examples_shlex (void)
{
  /* Each example string, and the Starlark list of the words Codex's
   * shlex.split gives for it. */
  const struct
  {
    const char *example;
    const char *words;
  } cases[] = {
    { "a b  c", "\"a\", \"b\", \"c\"" },
    { "  a\\tb\\n", "\"a\", \"b\"" },
    { "a 'b c' d", "\"a\", \"b c\", \"d\"" },
    { "a \\\"b c\\\"", "\"a\", \"b c\"" },
    { "a 'it'\\\"'\\\"'s'", "\"a\", \"it's\"" },
    { "a b\\\\ c", "\"a\", \"b c\"" },
    { "a \\\"\\\\$x \\\\n\\\"", "\"a\", \"$x \\\\n\"" },
    { "a ''", "\"a\", \"\"" },
    { "a \\\"\\\"x", "\"a\", \"x\"" },
    { "a #comment", "\"a\"" },
    { "a b#c", "\"a\", \"b#c\"" },
    { "a #c\\nd", "\"a\", \"d\"" },
    { "a \\\\'b", "\"a\", \"'b\"" },
    { "a 'b\\\\'", "\"a\", \"b\\\\\"" },
    { "a $HOME *.c", "\"a\", \"$HOME\", \"*.c\"" },
    { "a x|y;z", "\"a\", \"x|y;z\"" },
    { "a b\\rc", "\"a\", \"b\\rc\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *exact = g_strdup_printf ("prefix_rule([%s], match = [\"%s\"])",
                                                cases[i].words, cases[i].example);
      g_autofree char *longer = g_strdup_printf ("prefix_rule([%s, \"zzz\"], match = [\"%s\"])",
                                                 cases[i].words, cases[i].example);
      g_autoptr(GPtrArray) rules = NULL;

      rules = parse_ok (exact);
      g_assert_cmpuint (rules->len, ==, 1);
      assert_fails (longer, -1, PADDOCK_POLICY_ERROR_EXAMPLE, SOURCE ":1:1: match example");
    }

  assert_fails ("prefix_rule([\"a\"], match = [\"a 'b\"])", -1, PADDOCK_POLICY_ERROR_INVALID,
                SOURCE ":1:29: match example \"a 'b\" has unbalanced quotes");
  assert_fails ("prefix_rule([\"a\"], not_match = ['a \"b'])", -1, PADDOCK_POLICY_ERROR_INVALID,
                SOURCE ":1:33: not_match example \"a \\\"b\" has unbalanced quotes");
  assert_fails ("prefix_rule([\"a\"], match = [\"a b\\\\\"])", -1, PADDOCK_POLICY_ERROR_INVALID,
                SOURCE ":1:29: match example \"a b\\\\\" has unbalanced quotes or a trailing backslash");
}

/* Rejected constructs: each message names the place, what is wrong and
 * what would be accepted. */

typedef struct
{
  const char *name;
  const char *text;
  int code;
  const char *message;
} RejectCase;

static const RejectCase reject_cases[] = {
  /* Outside the subset */
  { "def", "def f():\n    pass\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:1: function definitions ('def') are not supported; Paddock reads only" },
  { "lambda", "F = lambda x: x\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:5: function definitions ('lambda') are not supported; " },
  { "if", "if True:\n    prefix_rule([\"a\"])\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:1: conditions ('if') are not supported; " },
  { "conditional-expression", "X = \"a\" if True else \"b\"\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:9: conditions ('if') are not supported; " },
  { "for", "for x in [\"a\"]:\n    prefix_rule([x])\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:1: loops and comprehensions ('for') are not supported; " },
  { "comprehension", "X = [x for x in [\"a\"]]\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:8: loops and comprehensions ('for') are not supported; " },
  { "load", "load(\"//rules.star\", \"GIT\")\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:1: load() is not supported, a rules file cannot include other files; " },
  { "keyword", "X = None or [\"a\"]\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:10: keyword 'or' is not supported; " },
  { "unknown-function", "X = 1\nprint(\"hello\")\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":2:1: call to unknown function 'print'; only prefix_rule(), network_rule() and host_executable() can be called" },
  { "unknown-function-nested", "prefix_rule(list([\"a\"]))\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:13: call to unknown function 'list'; " },
  { "f-string", "X = f\"{Y}\"\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:5: f-strings are not supported; build strings with + instead" },
  { "bytes", "X = b\"a\"\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:5: string prefix 'b' is not supported; accepted: plain strings and r'...' raw strings" },
  { "method", "X = \"a b\".split()\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:10: attributes and method calls are not supported; " },
  { "index", "X = [\"a\"][0]\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:10: indexing and slicing are not supported; " },
  { "call-value", "X = \"a\"(1)\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:8: this value cannot be called; only prefix_rule()" },
  { "dict", "X = {\"a\": 1}\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:5: dicts and sets are not supported; " },
  { "operator", "X = [\"a\"] * 2\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:11: operator '*' is not supported; accepted: + to join two lists, two tuples or two strings" },
  { "comparison", "X = 1 == 1\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:7: operator '==' is not supported; " },
  { "unary-minus", "X = -1\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:5: unexpected '-'; expected an expression" },
  { "augmented-assignment", "X = [\"a\"]\nX += [\"b\"]\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":2:3: augmented assignment '+=' is not supported; accepted: NAME = NAME + expr" },
  { "unpacking", "A, B = \"a\", \"b\"\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:2: unpacking assignments are not supported; " },
  { "bare-tuple", "\"a\", \"b\"\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:4: tuples without parentheses are not supported; accepted: (a, b)" },
  { "assign-to-call", "prefix_rule([\"a\"]) = 1\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:20: only a plain name can be assigned to; accepted: NAME = expr" },
  { "assign-to-builtin", "prefix_rule = 1\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:1: cannot assign to 'prefix_rule'; accepted: assignments to other names" },
  { "assign-to-none", "None = 1\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:1: cannot assign to 'None'; " },
  { "builtin-not-called", "X = host_executable\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:5: host_executable can only be called; accepted: host_executable(...)" },
  { "star-args", "X = [[\"a\"]]\nprefix_rule(*X)\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":2:13: *args and **kwargs are not supported; " },
  { "indentation", "X = 1\n  prefix_rule([\"a\"])\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":2:3: unexpected indentation; top-level statements start in column 1" },
  { "two-statements", "X = 1 Y = 2\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:7: unexpected 'Y'; expected a new line or ';' after the statement" },
  { "adjacent-strings", "X = \"a\" \"b\"\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:9: unexpected string; expected a new line or ';'" },
  { "unclosed-call", "prefix_rule([\"a\"]\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":2:1: unexpected end of file; expected ',' or ')' in the call" },
  { "unclosed-list", "X = [\"a\", \"b\"\nY = 1\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":2:1: unexpected 'Y'; expected ',' or ']'" },
  { "empty-argument", "prefix_rule([\"a\"],, \"allow\")\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:19: unexpected ','; expected an expression" },
  { "stray-semicolon", ";\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:1: unexpected ';'; expected an expression" },
  { "line-continuation", "X = [\"a\"] + \\\n    [\"b\"]\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:13: a backslash outside a string is not accepted; " },
  { "unexpected-character", "X = $HOME\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:5: unexpected character '$'; " },
  { "unexpected-unicode", "X = «a»\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:5: unexpected character '«'; " },
  { "control-character", "X = 1\x01\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:6: unexpected control character 0x01; " },
  /* Literals */
  { "unterminated-string", "X = \"abc\nY = 1\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:5: unterminated string; a '...' or \"...\" string ends on its line" },
  { "unterminated-triple", "X = '''abc\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:5: unterminated string; strings end with their opening quote" },
  { "unknown-escape", "X = \"a\\qb\"\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:7: unknown escape sequence \\q; accepted escapes: \\n \\t \\r \\\\ \\' \\\" \\xHH \\uXXXX" },
  { "short-hex-escape", "X = \"\\x4\"\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:6: \\x needs 2 hexadecimal digits; " },
  { "short-unicode-escape", "X = \"\\u12\"\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:6: \\u needs 4 hexadecimal digits; " },
  { "nul-escape", "X = \"\\x00\"\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:6: a NUL character is not accepted in strings; " },
  { "non-ascii-hex-escape", "X = \"\\xff\"\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:6: \\xff is not an ASCII character; " },
  { "surrogate-escape", "X = \"\\ud800\"\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:6: \\ud800 is a UTF-16 surrogate, not a character; " },
  { "leading-zero", "X = 007\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:5: integer 007 has a leading zero; accepted: decimal integers" },
  { "hex-integer", "X = 0x10\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:5: unsupported number; accepted: decimal integers" },
  { "float", "X = 1.5\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:5: unsupported number; " },
  { "huge-integer", "X = 99999999999999999999\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:5: integer 99999999999999999999 is too large; " },
  /* Names and + */
  { "undefined-name", "prefix_rule(PATTERN)\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:13: name 'PATTERN' is not defined; accepted: names assigned earlier in the file" },
  { "name-used-before-assignment", "prefix_rule(P)\nP = [\"a\"]\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:13: name 'P' is not defined; " },
  { "add-list-string", "X = [\"a\"] + \"b\"\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:11: cannot add list and string with +; accepted: two lists, two tuples or two strings" },
  { "add-list-tuple", "X = [\"a\"] + (\"b\",)\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:11: cannot add list and tuple with +; " },
  { "add-integers", "X = 1 + 2\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:7: cannot add int and int with +; " },
  /* Arguments */
  { "unknown-keyword", "prefix_rule([\"a\"], reviewer = \"user\")\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:20: prefix_rule() has no argument 'reviewer'; accepted: prefix_rule(pattern, decision, match, not_match, justification)" },
  { "duplicate-keyword", "prefix_rule([\"a\"], decision = \"allow\", decision = \"prompt\")\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:40: argument 'decision' of prefix_rule() is given more than once; " },
  { "duplicate-positional", "prefix_rule([\"a\"], pattern = [\"b\"])\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:20: argument 'pattern' of prefix_rule() is given more than once; " },
  { "too-many-arguments", "host_executable(\"git\", [], 1)\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:28: host_executable() takes at most 2 arguments; accepted: host_executable(name, paths)" },
  { "positional-after-keyword", "prefix_rule(pattern = [\"a\"], \"allow\")\n", PADDOCK_POLICY_ERROR_SYNTAX,
    ":1:30: positional argument after a keyword argument; " },
  { "missing-pattern", "prefix_rule(decision = \"allow\")\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:1: prefix_rule() is missing the argument 'pattern'; accepted: prefix_rule(pattern, " },
  { "missing-decision", "network_rule(\"a.example\", \"https\")\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:1: network_rule() is missing the argument 'decision'; accepted: network_rule(host, protocol, decision, justification)" },
  { "missing-paths", "host_executable(\"git\")\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:1: host_executable() is missing the argument 'paths'; " },
  /* prefix_rule() values */
  { "pattern-string", "prefix_rule(\"git status\")\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:13: pattern has the wrong type (got string); accepted: a non-empty list" },
  { "pattern-tuple", "prefix_rule((\"git\", \"status\"))\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:13: pattern has the wrong type (got tuple); " },
  { "pattern-empty", "prefix_rule(pattern = [])\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:23: pattern cannot be empty; accepted: " },
  { "pattern-element", "prefix_rule([\"git\", 1])\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:21: a pattern element has the wrong type (got int); accepted: a string or a non-empty list of strings" },
  { "pattern-element-tuple", "prefix_rule([\"git\", (\"a\", \"b\")])\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:21: a pattern element has the wrong type (got tuple); " },
  { "pattern-none", "prefix_rule(None)\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:13: pattern has the wrong type (got NoneType); " },
  { "alternatives-empty", "prefix_rule([\"git\", []])\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:21: pattern alternatives cannot be empty; accepted: a non-empty list of strings" },
  { "alternatives-nested", "prefix_rule([\"git\", [\"a\", [\"b\"]]])\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:27: a pattern alternative has the wrong type (got list); accepted: a string" },
  { "decision-unknown", "prefix_rule([\"a\"], \"deny\")\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:20: invalid decision \"deny\"; accepted: \"allow\", \"prompt\" or \"forbidden\"" },
  { "decision-case", "prefix_rule([\"a\"], decision = \"Allow\")\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:31: invalid decision \"Allow\"; " },
  { "decision-none", "prefix_rule([\"a\"], decision = None)\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:31: decision has the wrong type (got NoneType); accepted: \"allow\", \"prompt\" or \"forbidden\"" },
  { "justification-empty", "prefix_rule([\"a\"], justification = \" \\t\")\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:36: justification cannot be empty; accepted: a string with some text" },
  { "justification-type", "prefix_rule([\"a\"], justification = [\"x\"])\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:36: justification has the wrong type (got list); " },
  { "match-string", "prefix_rule([\"a\"], match = \"a b\")\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:28: match has the wrong type (got string); accepted: a list of examples" },
  { "not-match-tuple", "prefix_rule([\"a\"], not_match = (\"a b\",))\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:32: not_match has the wrong type (got tuple); " },
  { "example-type", "prefix_rule([\"a\"], match = [\"a\", 1])\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:34: a match example has the wrong type (got int); accepted: a command line string" },
  { "example-tuple", "prefix_rule([\"a\"], match = [(\"a\",)])\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:29: a match example has the wrong type (got tuple); " },
  { "example-empty-string", "prefix_rule([\"a\"], match = [\"  \"])\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:29: match example cannot be empty; " },
  { "example-only-comment", "prefix_rule([\"a\"], not_match = [\"# a\"])\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:33: not_match example cannot be empty; " },
  { "example-empty-list", "prefix_rule([\"a\"], match = [[]])\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:29: match example cannot be empty; " },
  { "example-word-type", "prefix_rule([\"a\"], match = [[\"a\", None]])\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:35: a word of an example has the wrong type (got NoneType); accepted: a string" },
  /* network_rule() values */
  { "network-protocol", "network_rule(\"a.example\", \"ftp\", \"allow\")\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:27: invalid network_rule protocol \"ftp\"; accepted: \"http\", \"https\", \"socks5_tcp\" or \"socks5_udp\"" },
  { "network-protocol-case", "network_rule(\"a.example\", \"HTTPS\", \"allow\")\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:27: invalid network_rule protocol \"HTTPS\"; " },
  { "network-decision", "network_rule(\"a.example\", \"https\", \"block\")\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:36: invalid decision \"block\"; accepted: \"allow\", \"prompt\", \"forbidden\" or \"deny\"" },
  { "network-host-type", "network_rule([\"a.example\"], \"https\", \"allow\")\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:14: host has the wrong type (got list); " },
  { "network-host-scheme", "network_rule(\"https://a.example\", \"https\", \"allow\")\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:14: network_rule host must be a host name or IP address without scheme or path (got \"https://a.example\"); accepted: " },
  { "network-host-wildcard", "network_rule(\"*.a.example\", \"https\", \"allow\")\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:14: network_rule host must be one specific host, wildcards are not allowed" },
  { "network-justification", "network_rule(\"a.example\", \"https\", \"allow\", \"\")\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:45: justification cannot be empty; " },
  /* host_executable() values */
  { "host-executable-name-path", "host_executable(\"bin/git\", [\"/usr/bin/git\"])\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:17: host_executable name \"bin/git\" is not a bare executable name; accepted: a name without '/'" },
  { "host-executable-name-empty", "host_executable(\"\", [])\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:17: host_executable name \"\" is not a bare executable name; " },
  { "host-executable-name-dots", "host_executable(\"..\", [])\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:17: host_executable name \"..\" is not a bare executable name; " },
  { "host-executable-relative", "host_executable(\"git\", [\"usr/bin/git\"])\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:25: host_executable path \"usr/bin/git\" is relative; accepted: an absolute path or one starting with ~/" },
  { "host-executable-tilde-user", "host_executable(\"git\", [\"~alice/bin/git\"])\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:25: host_executable path \"~alice/bin/git\" is relative; " },
  { "host-executable-basename", "host_executable(\"git\", [\"/usr/bin/git\", \"/usr/bin/gitk\"])\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:41: host_executable path \"/usr/bin/gitk\" does not end in \"git\"; accepted: paths whose last component is the name" },
  { "host-executable-dotdot", "host_executable(\"git\", [\"/usr/bin/git/..\"])\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:25: host_executable path \"/usr/bin/git/..\" does not end in \"git\"; " },
  { "host-executable-paths-string", "host_executable(\"git\", \"/usr/bin/git\")\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:24: host_executable paths has the wrong type (got string); accepted: a list of absolute paths" },
  { "host-executable-path-type", "host_executable(\"git\", [True])\n", PADDOCK_POLICY_ERROR_INVALID,
    ":1:25: a host_executable path has the wrong type (got bool); accepted: a string" },
};

static void
test_reject (gconstpointer data)
{
  const RejectCase *reject = data;
  g_autofree char *prefix = g_strconcat (SOURCE, reject->message, NULL);

  assert_fails (reject->text, -1, reject->code, prefix);
}

static void
test_reject_all_say_what_is_accepted (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (reject_cases); i++)
    {
      g_autoptr(GPtrArray) rules = new_rule_array ();
      g_autoptr(GError) error = NULL;

      g_assert_false (paddock_codex_rules_parse (SOURCE, reject_cases[i].text, -1,
                                                 PADDOCK_LAYER_USER, rules, &error));
      g_assert_nonnull (error);
      if (strstr (error->message, "; ") == NULL)
        g_error ("%s: message “%s” does not say what is accepted", reject_cases[i].name, error->message);
    }
}

/* Scale */

static void
test_many_rules (void)
{
  g_autoptr(GString) text = g_string_new ("TOOLS = [\"build\", \"test\", \"lint\"]\n");
  g_autoptr(GPtrArray) rules = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 10000; i++)
    g_string_append_printf (text,
                            "prefix_rule(\n"
                            "    pattern = [\"tool%u\", TOOLS, [\"--fast\", \"--slow\"]],\n"
                            "    decision = \"%s\",\n"
                            "    justification = \"Rule %u.\",\n"
                            "    match = [\"tool%u test --fast x\"],\n"
                            "    not_match = [[\"tool%u\", \"run\"]],\n"
                            ")\n",
                            i, i % 3 == 0 ? "allow" : i % 3 == 1 ? "prompt" : "forbidden", i, i, i);
  g_string_append (text, "host_executable(\"tool9999\", [\"/usr/bin/tool9999\"])\n");

  rules = new_rule_array ();
  g_assert_true (paddock_codex_rules_parse (SOURCE, text->str, text->len, PADDOCK_LAYER_USER,
                                            rules, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (rules->len, ==, 10000);
  assert_tokens (rule_at (rules, 9999), "tool9999 build|test|lint --fast|--slow");
  g_assert_cmpint (rule_at (rules, 9999)->verdict, ==, PADDOCK_VERDICT_ALLOW);
  g_assert_cmpuint (rule_at (rules, 9999)->line, ==, 2 + 9999 * 7);
  g_assert_nonnull (rule_at (rules, 9999)->host_paths);
  g_assert_null (rule_at (rules, 9998)->host_paths);
}

/* A rules file can come with an untrusted repository: it must not be able
 * to exhaust the stack, the memory or the time of whoever loads it. */
static void
test_nesting (void)
{
  g_autoptr(GString) ok = g_string_new ("X = ");
  g_autoptr(GString) deep = g_string_new ("X = ");
  g_autoptr(GPtrArray) rules = NULL;

  for (guint i = 0; i < 64; i++)
    g_string_append_c (ok, '[');
  for (guint i = 0; i < 64; i++)
    g_string_append_c (ok, ']');
  rules = parse_ok (ok->str);

  for (guint i = 0; i < 100000; i++)
    g_string_append (deep, "([");
  assert_fails (deep->str, -1, PADDOCK_POLICY_ERROR_SYNTAX,
                SOURCE ":1:69: brackets nest more than 64 levels deep; accepted: up to 64 levels");
}

static void
test_expansion (void)
{
  g_autoptr(GString) lists = g_string_new ("A = [\"x\"]\n");
  g_autoptr(GString) strings = g_string_new ("S = \"x\"\n");
  g_autoptr(GString) rules = g_string_new ("A = [\"a\"]\n");

  for (guint i = 0; i < 64; i++)
    {
      g_string_append (lists, "A = A + A\n");
      g_string_append (strings, "S = S + S\n");
    }
  for (guint i = 0; i < 11; i++)
    g_string_append (rules, "A = A + A\n");
  g_string_append (rules, "prefix_rule([A, A, A, A])\n");

  assert_fails (lists->str, -1, PADDOCK_POLICY_ERROR_INVALID, SOURCE ":2");
  assert_fails (strings->str, -1, PADDOCK_POLICY_ERROR_INVALID, SOURCE ":2");
  assert_fails (rules->str, -1, PADDOCK_POLICY_ERROR_INVALID,
                SOURCE ":13:1: the file expands to too many list items, characters, rules or "
                "example checks; accepted: ");
}

/* Conformance with Codex itself */

static const char * const decision_names[] = { "allow", "prompt", "forbidden" };

/* Codex's semantics over Paddock's rules: a rule matches when argv[0] is
 * its program and each further token is one of the alternatives at that
 * position; the decision is the strictest of the matching rules, or none. */
static const char *
paddock_decision (GPtrArray *rules,
                  char     **argv)
{
  guint argc = g_strv_length (argv);
  int strictest = -1;

  for (guint i = 0; i < rules->len; i++)
    {
      const PaddockRule *rule = g_ptr_array_index (rules, i);
      gboolean matched;

      if (rule->kind != PADDOCK_RULE_COMMAND || argc < rule->n_tokens)
        continue;

      matched = TRUE;
      for (guint j = 0; j < rule->n_tokens && matched; j++)
        {
          g_assert_cmpint (rule->tokens[j].kind, ==, PADDOCK_TOKEN_WORDS);
          matched = g_strv_contains ((const char * const *) rule->tokens[j].words, argv[j]);
        }

      if (matched)
        strictest = MAX (strictest, (int) rule->verdict);
    }

  return strictest < 0 ? NULL : decision_names[strictest];
}

static char *
find_codex (void)
{
  const char *env = g_getenv ("PADDOCK_CODEX");

  if (env != NULL && env[0] != '\0' && g_file_test (env, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (env);
  return g_find_program_in_path ("codex");
}

/* Returns the "decision" of `codex execpolicy check`, or NULL when no rule
 * matched. */
static char *
codex_decision (const char  *codex,
                const char  *rules_path,
                char       **argv,
                GError     **error)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonObject *object;
  int status;

  g_ptr_array_add (args, (char *) codex);
  g_ptr_array_add (args, (char *) "execpolicy");
  g_ptr_array_add (args, (char *) "check");
  g_ptr_array_add (args, (char *) "--rules");
  g_ptr_array_add (args, (char *) rules_path);
  g_ptr_array_add (args, (char *) "--");
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, argv[i]);
  g_ptr_array_add (args, NULL);

  if (!g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, &err, &status, error))
    return NULL;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s: ", err);
      return NULL;
    }

  if (!json_parser_load_from_data (parser, out, -1, error))
    return NULL;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (object, "matchedRules"));
  if (!json_object_has_member (object, "decision"))
    return NULL;
  return g_strdup (json_object_get_string_member (object, "decision"));
}

static void
test_conformance (void)
{
  g_autofree char *codex = find_codex ();
  g_autofree char *dir = g_build_filename (PADDOCK_TEST_FIXTURES, "codex", NULL);
  g_autofree char *cases_path = g_build_filename (dir, "cases.txt", NULL);
  g_autofree char *cases = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) parsed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GString) mismatches = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  guint n_cases = 0;
  guint n_decided = 0;

  if (codex == NULL)
    {
      g_test_skip ("Codex CLI not found: set PADDOCK_CODEX to the codex executable "
                   "(npm @openai/codex) or put codex on PATH");
      return;
    }

  g_assert_true (g_file_get_contents (cases_path, &cases, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (cases, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *colon = strstr (line, ": ");
      g_autofree char *file = NULL;
      g_autofree char *rules_path = NULL;
      g_autofree char *expected = NULL;
      g_auto(GStrv) argv = NULL;
      GPtrArray *rules;
      const char *actual;

      if (line[0] == '\0' || line[0] == '#')
        continue;

      g_assert_nonnull (colon);
      file = g_strndup (line, colon - line);
      rules_path = g_build_filename (dir, file, NULL);
      g_assert_true (g_shell_parse_argv (colon + 2, NULL, &argv, &error));
      g_assert_no_error (error);
      /* Codex resolves paths only on request; the cases stay with names. */
      g_assert_null (strchr (argv[0], '/'));

      rules = g_hash_table_lookup (parsed, file);
      if (rules == NULL)
        {
          g_autofree char *contents = NULL;
          gsize length;

          rules = new_rule_array ();
          g_hash_table_insert (parsed, g_strdup (file), rules);
          g_assert_true (g_file_get_contents (rules_path, &contents, &length, &error));
          g_assert_true (paddock_codex_rules_parse (rules_path, contents, length,
                                                    PADDOCK_LAYER_USER, rules, &error));
          g_assert_no_error (error);
        }

      expected = codex_decision (codex, rules_path, argv, &error);
      g_assert_no_error (error);
      actual = paddock_decision (rules, argv);

      n_cases++;
      if (expected != NULL)
        n_decided++;
      if (g_strcmp0 (expected, actual) != 0)
        g_string_append_printf (mismatches, "\n  %s: Codex says %s, Paddock says %s",
                                line, expected ? expected : "(no match)",
                                actual ? actual : "(no match)");
    }

  g_test_message ("%u cases checked against %s, %u with a decision", n_cases, codex, n_decided);
  g_assert_cmpuint (n_cases, >=, 50);
  g_assert_cmpuint (n_decided, <, n_cases);
  if (mismatches->len > 0)
    g_test_fail_printf ("Paddock and Codex disagree:%s", mismatches->str);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/codex/parse/prefix-rule/positional", test_prefix_rule_positional);
  g_test_add_func ("/codex/parse/prefix-rule/keyword", test_prefix_rule_keyword);
  g_test_add_func ("/codex/parse/prefix-rule/defaults", test_prefix_rule_defaults);
  g_test_add_func ("/codex/parse/prefix-rule/decisions", test_prefix_rule_decisions);
  g_test_add_func ("/codex/parse/prefix-rule/layer", test_prefix_rule_layer);
  g_test_add_func ("/codex/parse/alternatives/first", test_alternatives_first);
  g_test_add_func ("/codex/parse/alternatives/later", test_alternatives_later);
  g_test_add_func ("/codex/parse/alternatives/single", test_alternatives_single);
  g_test_add_func ("/codex/parse/network-rule/forms", test_network_rule_forms);
  g_test_add_func ("/codex/parse/network-rule/hosts", test_network_rule_hosts);
  g_test_add_func ("/codex/parse/network-rule/invalid-hosts", test_network_rule_invalid_hosts);
  g_test_add_func ("/codex/parse/host-executable/paths", test_host_executable);
  g_test_add_func ("/codex/parse/host-executable/empty", test_host_executable_empty);
  g_test_add_func ("/codex/parse/variables", test_variables);
  g_test_add_func ("/codex/parse/concatenation", test_concatenation);
  g_test_add_func ("/codex/parse/comments", test_comments);
  g_test_add_func ("/codex/parse/strings", test_strings);
  g_test_add_func ("/codex/parse/text", test_text);
  g_test_add_func ("/codex/parse/location", test_location);
  g_test_add_func ("/codex/parse/empty", test_empty);
  g_test_add_func ("/codex/parse/length", test_length);
  g_test_add_func ("/codex/parse/atomic", test_atomic);
  g_test_add_func ("/codex/examples/match", test_examples_match);
  g_test_add_func ("/codex/examples/match-fails", test_examples_match_fails);
  g_test_add_func ("/codex/examples/not-match-fails", test_examples_not_match_fails);
  g_test_add_func ("/codex/examples/same-call", test_examples_same_call);
  g_test_add_func ("/codex/examples/host-executable", test_examples_host_executable);
  g_test_add_func ("/codex/examples/shlex", test_examples_shlex);

  for (guint i = 0; i < G_N_ELEMENTS (reject_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/codex/reject/%s", reject_cases[i].name);

      g_test_add_data_func (path, &reject_cases[i], test_reject);
    }
  g_test_add_func ("/codex/reject/all-say-what-is-accepted", test_reject_all_say_what_is_accepted);

  g_test_add_func ("/codex/scale/10000-rules", test_many_rules);
  g_test_add_func ("/codex/scale/nesting", test_nesting);
  g_test_add_func ("/codex/scale/expansion", test_expansion);
  g_test_add_func ("/codex/conformance", test_conformance);

  return g_test_run ();
}
