/* test-policy-document.c: bad policy input is refused, precisely
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "test-util.h"

typedef struct
{
  const char *json;
  PaddockLayer layer;
  int code;
  const char *message;   /* the complete expected message */
} BadCase;

static void
check_bad (const BadCase *cases,
           guint          n_cases)
{
  for (guint i = 0; i < n_cases; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PaddockPolicyDocument) document =
        paddock_policy_document_new_from_json (cases[i].layer, "/etc/paddock/p.json",
                                               cases[i].json, -1, &error);

      g_autofree char *shown = paddock_escape_for_display (cases[i].json);

      g_test_message ("%s", shown);
      g_assert_null (document);
      g_assert_error (error, PADDOCK_POLICY_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

static void
test_syntax (void)
{
  static const BadCase cases[] = {
    { "{\"version\": 1,", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_SYNTAX,
      "/etc/paddock/p.json:1:15: expected a member name in double quotes" },
    { "{\n  \"commands\": [],\n}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_SYNTAX,
      "/etc/paddock/p.json:3:1: a trailing comma is not JSON; remove the “,” before it" },
    { "{\"commands\": [1,]}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_SYNTAX,
      "/etc/paddock/p.json:1:17: a trailing comma is not JSON; remove the “,” before it" },
    { "{\"commands\": [x]}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_SYNTAX,
      "/etc/paddock/p.json:1:15: unexpected character; expected a value (string, number, object, array, true, false or null)" },
    { "{\"sandbox\": {}, \"sandbox\": {}}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_SYNTAX,
      "/etc/paddock/p.json:1:17: duplicate member “sandbox”; each name may appear once in an object" },
    { "{\"a\": 1, \"\\u0061\": 2}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_SYNTAX,
      "/etc/paddock/p.json:1:10: duplicate member “a”; each name may appear once in an object" },
    { "{} x", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_SYNTAX,
      "/etc/paddock/p.json:1:4: unexpected text after the end of the document" },
    { "{\"reason\": \"a\tb\"}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_SYNTAX,
      "/etc/paddock/p.json:1:14: control character inside a string; write it as an escape such as \\n or \\u0001" },
    { "{\"é\": \"\xff\"}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_SYNTAX,
      "/etc/paddock/p.json:1:8: invalid UTF-8; policy files are UTF-8 JSON text" },
  };

  check_bad (cases, G_N_ELEMENTS (cases));
}

static void
test_schema (void)
{
  static const BadCase cases[] = {
    { "{\"comands\": []}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_SCHEMA,
      "/etc/paddock/p.json:1:2: “comands”: unknown key; accepted here: version, personal_allow_rules, "
      "sandbox, approval, commands, network, mcp, identity, telemetry, audit" },
    { "{\"commands\": [\n  {\"match\": [\"ls\"], \"decison\": \"allow\"}\n]}", PADDOCK_LAYER_USER,
      PADDOCK_POLICY_ERROR_SCHEMA,
      "/etc/paddock/p.json:2:21: “commands[0].decison”: unknown key; accepted here: match, decision, "
      "reason, grant, review, when_any, unless_any, stdin" },
    { "[]", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_SCHEMA,
      "/etc/paddock/p.json:1:1: “”: a policy is a JSON object such as {\"version\": 1, \"commands\": […]}; got a list" },
    { "{\"commands\": {\"match\": [\"ls\"]}}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_SCHEMA,
      "/etc/paddock/p.json:1:14: “commands”: expected a list of command rules, got an object" },
    { "{\"commands\": [{\"match\": \"ls\", \"decision\": \"allow\"}]}", PADDOCK_LAYER_USER,
      PADDOCK_POLICY_ERROR_SCHEMA,
      "/etc/paddock/p.json:1:25: “commands[0].match”: expected a list of tokens such as [\"git\", [\"push\", \"fetch\"]], got a string" },
    { "{\"commands\": [{\"match\": [\"ls\"], \"decision\": 1}]}", PADDOCK_LAYER_USER,
      PADDOCK_POLICY_ERROR_SCHEMA,
      "/etc/paddock/p.json:1:45: “commands[0].decision”: expected a string, got a number" },
    { "{\"commands\": [{\"match\": [\"ls\"]}]}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_SCHEMA,
      "/etc/paddock/p.json:1:15: “commands[0]”: a command rule needs “decision” (allow, prompt or forbidden)" },
    { "{\"sandbox\": {\"writable\": \"/tmp\"}}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_SCHEMA,
      "/etc/paddock/p.json:1:26: “sandbox.writable”: expected a list of strings, got a string" },
    { "{\"telemetry\": {\"log_user_prompts\": \"yes\"}}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_SCHEMA,
      "/etc/paddock/p.json:1:36: “telemetry.log_user_prompts”: expected true or false, got a string" },
    { "{\"personal_allow_rules\": false}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_SCHEMA,
      "/etc/paddock/p.json:1:2: “personal_allow_rules”: only the organisation's requirements (the managed layer) "
      "may set this; this file belongs to the user layer" },
    { "{\"identity\": {\"organization\": \"acme\"}}", PADDOCK_LAYER_WORKSPACE, PADDOCK_POLICY_ERROR_SCHEMA,
      "/etc/paddock/p.json:1:2: “identity”: only administrators (the managed and system layers) may force an "
      "identity; this file belongs to the workspace layer" },
  };

  check_bad (cases, G_N_ELEMENTS (cases));
}

static void
test_invalid_values (void)
{
  static const BadCase cases[] = {
    { "{\"version\": 2}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_INVALID,
      "/etc/paddock/p.json:1:13: “version”: version 2 is not understood; this Paddock reads version 1" },
    { "{\"sandbox\": {\"mode\": \"rw\"}}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_INVALID,
      "/etc/paddock/p.json:1:22: “sandbox.mode”: “rw” is not a sandbox mode; accepted: read-only, workspace-write, full-access" },
    { "{\"approval\": {\"allowed_modes\": [\"never\", \"always\"]}}", PADDOCK_LAYER_MANAGED, PADDOCK_POLICY_ERROR_INVALID,
      "/etc/paddock/p.json:1:42: “approval.allowed_modes[1]”: “always” is not an approval mode; accepted: untrusted, on-request, never, auto-review" },
    { "{\"commands\": [{\"match\": [\"ls\"], \"decision\": \"Allow\"}]}", PADDOCK_LAYER_USER,
      PADDOCK_POLICY_ERROR_INVALID,
      "/etc/paddock/p.json:1:45: “commands[0].decision”: “Allow” is not a decision; accepted: allow, prompt, forbidden" },
    { "{\"commands\": [{\"match\": [\"ls\"], \"decision\": \"allow\", \"grant\": \"forever\"}]}",
      PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_INVALID,
      "/etc/paddock/p.json:1:63: “commands[0].grant”: “forever” is not a grant; accepted: once, session" },
    { "{\"identity\": {\"client_id\": \"\"}}", PADDOCK_LAYER_MANAGED, PADDOCK_POLICY_ERROR_INVALID,
      "/etc/paddock/p.json:1:28: “identity.client_id”: an empty client_id means nothing; accepted: a non-empty string" },
    { "{\"identity\": {\"organization_claim\": 7}}", PADDOCK_LAYER_MANAGED, PADDOCK_POLICY_ERROR_SCHEMA,
      "/etc/paddock/p.json:1:37: “identity.organization_claim”: expected a string, got a number" },
    { "{\"telemetry\": {\"login_token\": \"yes\"}}", PADDOCK_LAYER_MANAGED, PADDOCK_POLICY_ERROR_SCHEMA,
      "/etc/paddock/p.json:1:31: “telemetry.login_token”: expected true or false, got a string" },
    { "{\"sandbox\": {\"protected\": [\"/abs/.git\"]}}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_INVALID,
      "/etc/paddock/p.json:1:28: “sandbox.protected[0]”: “/abs/.git”: protected entries are names or relative paths "
      "inside the writable roots, such as .git or .github/workflows" },
    { "{\"sandbox\": {\"writable\": [\"~/a/../../etc\"]}}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_INVALID,
      "/etc/paddock/p.json:1:27: “sandbox.writable[0]”: “~/a/../../etc”: “..” is not accepted in a path; write the path it leads to" },
    { "{\"commands\": [{\"match\": [\"x\", {\"regex\": \"(\"}], \"decision\": \"allow\"}]}", PADDOCK_LAYER_USER,
      PADDOCK_POLICY_ERROR_INVALID, NULL },
    { "{\"mcp\": {\"allow\": [\"*\"]}}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_INVALID,
      "/etc/paddock/p.json:1:20: “mcp.allow[0]”: “*” is not an MCP pattern; accepted: SERVER, SERVER/TOOL, SERVER/* "
      "(names of letters, digits, “.”, “-”, “_”), and “*” in deny and prompt lists" },
    { "{\"mcp\": {\"servers\": {\"a.b\": {\"url\": \"https://x\"}}}}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_INVALID,
      "/etc/paddock/p.json:1:22: “mcp.servers.a.b”: “a.b” is not an MCP server name; accepted: up to 64 letters, "
      "digits, “-” and “_”" },
    { "{\"mcp\": {\"servers\": {\"s\": {\"url\": \"https://x\", \"command\": [\"y\"]}}}}", PADDOCK_LAYER_USER,
      PADDOCK_POLICY_ERROR_INVALID,
      "/etc/paddock/p.json:1:27: “mcp.servers.s”: an MCP server needs exactly one of “command” (a list: the program "
      "and its arguments, started in the sandbox) and “url” (http or https)" },
    { "{\"mcp\": {\"servers\": {\"s\": {\"url\": \"ftp://x\"}}}}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_INVALID,
      "/etc/paddock/p.json:1:35: “mcp.servers.s.url”: “ftp://x” is not an http or https URL" },
    { "{\"mcp\": {\"servers\": {\"s\": {\"command\": []}}}}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_INVALID,
      "/etc/paddock/p.json:1:39: “mcp.servers.s.command”: an empty list can never match; remove the key or name at "
      "least one entry" },
    { "{\"mcp\": {\"servers\": {\"s\": {\"cmd\": [\"x\"]}}}}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_SCHEMA,
      "/etc/paddock/p.json:1:28: “mcp.servers.s.cmd”: unknown key; accepted here: command, url" },
    { "{\"telemetry\": {\"otlp_endpoint\": \"ftp://x\"}}", PADDOCK_LAYER_SYSTEM, PADDOCK_POLICY_ERROR_INVALID,
      "/etc/paddock/p.json:1:33: “telemetry.otlp_endpoint”: “ftp://x” is not an OTLP/HTTP endpoint; accepted: https://HOST[:PORT][/PATH]" },
    { "{\"telemetry\": {\"export\": true}}", PADDOCK_LAYER_WORKSPACE, PADDOCK_POLICY_ERROR_SCHEMA,
      "/etc/paddock/p.json:1:2: “telemetry”: “telemetry” applies to the whole machine: set it in the user layer "
      "(policy.json in Paddock's configuration folder) or above; this file belongs to the workspace layer" },
    { "{\"audit\": {\"retention_days\": 1}}", PADDOCK_LAYER_WORKSPACE, PADDOCK_POLICY_ERROR_SCHEMA,
      "/etc/paddock/p.json:1:2: “audit”: “audit” applies to the whole machine: set it in the user layer (policy.json in Paddock's configuration folder) or above; this file belongs to the workspace layer" },
    { "{\"telemetry\": {\"headers\": {\"authorization\": \"Bearer x\"}}}", PADDOCK_LAYER_USER,
      PADDOCK_POLICY_ERROR_INVALID,
      "/etc/paddock/p.json:1:28: “telemetry.headers.authorization”: a credential never goes in a file; set "
      "\"token_header\": \"Authorization\" and store the value in the keychain with `paddockctl telemetry token set`" },
    { "{\"telemetry\": {\"headers\": {\"a b\": \"x\"}}}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_INVALID,
      "/etc/paddock/p.json:1:28: “telemetry.headers.a b”: “a b” is not an HTTP header name; accepted: letters, digits and !#$%&'*+-.^_`|~" },
    { "{\"audit\": {\"retention_days\": -1}}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_SCHEMA,
      "/etc/paddock/p.json:1:30: “audit.retention_days”: expected a whole number of days, 0 or more (0: no limit), "
      "got a number" },
    { "{\"audit\": {\"keep\": 1}}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_SCHEMA,
      "/etc/paddock/p.json:1:12: “audit.keep”: unknown key; accepted here: retention_days, max_size_mb" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    if (cases[i].message == NULL)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(PaddockPolicyDocument) document =
          paddock_policy_document_new_from_json (cases[i].layer, "p.json", cases[i].json, -1, &error);

        g_assert_null (document);
        g_assert_error (error, PADDOCK_POLICY_ERROR, cases[i].code);
        g_assert_true (g_str_has_prefix (error->message, "p.json:1:41: “commands[0].match[1].regex”: not a valid regular expression"));
      }
    else
      check_bad (&cases[i], 1);
}

/* Rules that could never match are mistakes, and mistakes loosen. */
static void
test_never_matches (void)
{
  static const BadCase cases[] = {
    { "{\"commands\": [{\"match\": [], \"decision\": \"forbidden\"}]}", PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_INVALID,
      "/etc/paddock/p.json:1:25: “commands[0].match”: an empty pattern can never match; name at least the program" },
    { "{\"commands\": [{\"match\": [\"git\", []], \"decision\": \"forbidden\"}]}", PADDOCK_LAYER_USER,
      PADDOCK_POLICY_ERROR_INVALID,
      "/etc/paddock/p.json:1:33: “commands[0].match[1]”: an empty list can never match; remove the key or name at least one entry" },
    { "{\"commands\": [{\"match\": [\"\"], \"decision\": \"forbidden\"}]}", PADDOCK_LAYER_USER,
      PADDOCK_POLICY_ERROR_INVALID,
      "/etc/paddock/p.json:1:26: “commands[0].match[0]”: an empty token can never match" },
    { "{\"commands\": [{\"match\": [\"rm\"], \"decision\": \"forbidden\", \"when_any\": []}]}", PADDOCK_LAYER_USER,
      PADDOCK_POLICY_ERROR_INVALID,
      "/etc/paddock/p.json:1:70: “commands[0].when_any”: an empty list can never match; remove the key or name at least one entry" },
    { "{\"commands\": [{\"match\": [\"rm\"], \"decision\": \"forbidden\", \"when_any\": [\"-r\"], \"unless_any\": [\"-r\"]}]}",
      PADDOCK_LAYER_USER, PADDOCK_POLICY_ERROR_INVALID,
      "/etc/paddock/p.json:1:15: “commands[0]”: every “when_any” entry is also in “unless_any”, so the rule can never match" },
  };

  check_bad (cases, G_N_ELEMENTS (cases));
}

static void
test_network_patterns (void)
{
  static const char * const refused[] = { "*", "**", "*.com", "**.co.uk", "*.github.io", "exa mple.com", "a..b" };
  static const char * const accepted[] = { "*.github.com", "**.example.org", "pypi.org:443", "10.0.0.0/8", "bücher.example" };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"network\": {\"allow\": [\"%s\"]}}", refused[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(PaddockPolicyDocument) document =
        paddock_policy_document_new_from_json (PADDOCK_LAYER_USER, "p.json", json, -1, &error);

      g_test_message ("%s", refused[i]);
      g_assert_null (document);
      g_assert_error (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_INVALID);
      g_assert_true (g_str_has_prefix (error->message, "p.json:1:24: “network.allow[0]”: "));
      g_assert_nonnull (strstr (error->message, "accepted"));
    }

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"network\": {\"deny\": [\"%s\"]}}", accepted[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(PaddockPolicyDocument) document =
        paddock_policy_document_new_from_json (PADDOCK_LAYER_USER, "p.json", json, -1, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (document->rules->len, ==, 1);
    }
}

static void
test_good_document (void)
{
  const char *json =
    "{\n"
    "  \"version\": 1,\n"
    "  \"sandbox\": {\"mode\": \"workspace-write\", \"writable\": [\"/tmp\"], \"protected\": [\".git\"]},\n"
    "  \"commands\": [\n"
    "    {\"match\": [\"git\", [\"push\", \"fetch\"]], \"decision\": \"prompt\", \"reason\": \"network\"}\n"
    "  ],\n"
    "  \"network\": {\"allow\": [\"*.github.com\"], \"rules\": [{\"host\": \"pypi.org\", \"decision\": \"allow\", \"protocol\": \"https\"}]},\n"
    "  \"mcp\": {\"allow\": [\"github\"], \"deny\": [\"*\"]}\n"
    "}\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockPolicyDocument) document =
    paddock_policy_document_new_from_json (PADDOCK_LAYER_USER, "good.json", json, -1, &error);
  const PaddockRule *command;
  const PaddockSetting *mode;

  g_assert_no_error (error);
  g_assert_cmpuint (document->rules->len, ==, 7);
  g_assert_cmpuint (document->settings->len, ==, 1);

  mode = g_ptr_array_index (document->settings, 0);
  g_assert_cmpstr (mode->key, ==, "sandbox.mode");
  g_assert_cmpuint (mode->line, ==, 3);
  g_assert_cmpuint (mode->column, ==, 23);

  command = g_ptr_array_index (document->rules, 2);
  g_assert_cmpint (command->kind, ==, PADDOCK_RULE_COMMAND);
  g_assert_cmpuint (command->line, ==, 5);
  g_assert_cmpuint (command->column, ==, 5);
  g_assert_cmpstr (command->text, ==,
                   "{\"match\": [\"git\", [\"push\", \"fetch\"]], \"decision\": \"prompt\", \"reason\": \"network\"}");
  g_assert_cmpuint (command->n_tokens, ==, 2);
  g_assert_cmpstr (command->tokens[1].words[1], ==, "fetch");
  g_assert_cmpstr (((PaddockRule *) g_ptr_array_index (document->rules, 3))->text, ==, "network.allow: \"*.github.com\"");
}

static void
test_codex_file (void)
{
  g_autofree char *dir = test_make_dir ("codex");
  g_autofree char *good = test_write_file (dir, "good.rules",
                                           "prefix_rule(pattern=[\"git\", \"push\"], decision=\"prompt\")\n"
                                           "network_rule(host=\"PyPI.org\", protocol=\"https\", decision=\"allow\")\n");
  g_autofree char *bad_host = test_write_file (dir, "bad.rules",
                                               "prefix_rule(pattern=[\"ls\"])\n"
                                               "network_rule(host=\"a..b\", protocol=\"https\", decision=\"allow\")\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(PaddockPolicyDocument) document = paddock_policy_document_new_from_file (PADDOCK_LAYER_USER, good, &error);
  g_autoptr(PaddockPolicyDocument) refused = NULL;
  g_autofree char *prefix = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (document->rules->len, ==, 2);

  refused = paddock_policy_document_new_from_file (PADDOCK_LAYER_USER, bad_host, &error);
  g_assert_null (refused);
  g_assert_error (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_INVALID);
  prefix = g_strdup_printf ("%s:2:1: network_rule host: ", bad_host);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_clear_error (&error);

  refused = paddock_policy_document_new_from_file (PADDOCK_LAYER_USER, "/nonexistent/p.json", &error);
  g_assert_null (refused);
  g_assert_error (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, "/nonexistent/p.json: cannot be read: "));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/document/syntax", test_syntax);
  g_test_add_func ("/document/schema", test_schema);
  g_test_add_func ("/document/invalid-values", test_invalid_values);
  g_test_add_func ("/document/never-matches", test_never_matches);
  g_test_add_func ("/document/network-patterns", test_network_patterns);
  g_test_add_func ("/document/good", test_good_document);
  g_test_add_func ("/document/codex-file", test_codex_file);

  return g_test_run ();
}
