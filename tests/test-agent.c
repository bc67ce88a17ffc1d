/* test-agent.c: `paddockctl agent start` runs a scripted agent confined:
 * its read of ~/.ssh, its write outside the workspace and its request
 * to an unlisted host are all stopped, beside a write in the workspace
 * and its own provider key, which get through; the session is on
 * record with what it changed. In a session bus of its own with a real
 * gnome-keyring, for the key.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <pwd.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "test-util.h"

#define SECRET "SECRET-SSH-KEY-77aa"
#define API_KEY "sk-test-agent-key-0f3c9d"

static const char agent_script[] =
  "cat \"$HOME/.ssh/id_test\" 2>/dev/null || echo 'read refused'\n"
  "(echo escaped > \"$(cat outside-path)/outside.txt\") 2>/dev/null || echo 'write refused'\n"
  "python3 - <<'PY'\n"
  "import urllib.request\n"
  "try:\n"
  "    urllib.request.urlopen('http://unlisted.example.test/', timeout=20)\n"
  "    print('network reached')\n"
  "except Exception as e:\n"
  "    print('network refused:', e)\n"
  "PY\n"
  "echo made > inside.txt\n"
  "printf 'key=%s\\n' \"$OPENAI_API_KEY\"\n";

/* A stand-in for Codex CLI: it reads the MCP server it is told of from
 * its -c options, as Codex does, starts it, and calls two tools. */
static const char fake_codex[] =
  "#!/usr/bin/env python3\n"
  "import json, subprocess, sys\n"
  "conf, args = {}, sys.argv[1:]\n"
  "for i, a in enumerate(args):\n"
  "    if a == '-c':\n"
  "        key, value = args[i + 1].split('=', 1)\n"
  "        conf[key] = json.loads(value)\n"
  "server = subprocess.Popen([conf['mcp_servers.paddock.command']] + conf['mcp_servers.paddock.args'],\n"
  "                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)\n"
  "def rpc(message):\n"
  "    server.stdin.write(json.dumps(message) + '\\n'); server.stdin.flush()\n"
  "    return json.loads(server.stdout.readline())\n"
  "rpc({'jsonrpc': '2.0', 'id': 1, 'method': 'initialize', 'params': {'protocolVersion': '2025-06-18',\n"
  "     'capabilities': {}, 'clientInfo': {'name': 'fake-codex', 'version': '9'}}})\n"
  "made = rpc({'jsonrpc': '2.0', 'id': 2, 'method': 'tools/call', 'params': {'name': 'exec',\n"
  "            'arguments': {'command': ['touch', 'via-paddock-mcp.txt']}}})\n"
  "read = rpc({'jsonrpc': '2.0', 'id': 3, 'method': 'tools/call', 'params': {'name': 'read_file',\n"
  "            'arguments': {'path': '~/.ssh/id_test'}}})\n"
  "print('exec-error:', made['result']['isError'])\n"
  "print('read-error:', read['result']['isError'], read['result']['content'][0]['text'])\n"
  "server.stdin.close(); server.wait()\n"
  "# After the turn, its notify program gets the turn as JSON, last.\n"
  "subprocess.run(conf['notify'] + [json.dumps({'type': 'agent-turn-complete', 'turn-id': '1',\n"
  "               'input-messages': [open('prompt.txt').read()], 'last-assistant-message': 'done'})], check=True)\n";

/* A stand-in for Gemini CLI: it reads its MCP servers from the system
 * settings file GEMINI_CLI_SYSTEM_SETTINGS_PATH names, as Gemini does. */
static const char fake_gemini[] =
  "#!/usr/bin/env python3\n"
  "import json, os, subprocess\n"
  "settings = json.load(open(os.environ['GEMINI_CLI_SYSTEM_SETTINGS_PATH']))\n"
  "paddock = settings['mcpServers']['paddock']\n"
  "server = subprocess.Popen([paddock['command']] + paddock['args'], stdin=subprocess.PIPE,\n"
  "                          stdout=subprocess.PIPE, text=True)\n"
  "def rpc(message):\n"
  "    server.stdin.write(json.dumps(message) + '\\n'); server.stdin.flush()\n"
  "    return json.loads(server.stdout.readline())\n"
  "rpc({'jsonrpc': '2.0', 'id': 1, 'method': 'initialize', 'params': {'protocolVersion': '2025-06-18',\n"
  "     'capabilities': {}, 'clientInfo': {'name': 'fake-gemini', 'version': '3'}}})\n"
  "made = rpc({'jsonrpc': '2.0', 'id': 2, 'method': 'tools/call', 'params': {'name': 'exec',\n"
  "            'arguments': {'command': ['touch', 'via-gemini.txt']}}})\n"
  "print('exec-error:', made['result']['isError'])\n"
  "server.stdin.close(); server.wait()\n";

/* A stand-in for Claude Code: its --settings hooks get each prompt as
 * JSON on their input, through a shell, as Claude Code runs them. */
static const char fake_claude[] =
  "#!/usr/bin/env python3\n"
  "import json, subprocess, sys\n"
  "args = sys.argv[1:]\n"
  "settings = json.loads(args[args.index('--settings') + 1])\n"
  "json.loads(args[args.index('--mcp-config') + 1])\n"
  "for prompt in open('prompts.txt').read().splitlines():\n"
  "    for group in settings['hooks']['UserPromptSubmit']:\n"
  "        for hook in group['hooks']:\n"
  "            subprocess.run(['sh', '-c', hook['command']], check=True, input=json.dumps(\n"
  "                {'session_id': 's1', 'hook_event_name': 'UserPromptSubmit', 'cwd': '.', 'prompt': prompt}),\n"
  "                text=True)\n"
  "print('prompted')\n";

static int
run (char       **env,
     const char  *cwd,
     const char  *input,
     char       **out,
     char       **err,
     ...)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) "setsid");
  g_ptr_array_add (argv, (gpointer) "-w");
  g_ptr_array_add (argv, (gpointer) g_getenv ("PADDOCKCTL"));
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_set_cwd (launcher, cwd);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, out, err, &error);
  g_assert_no_error (error);
  g_test_message ("stdout: %s\nstderr: %s", *out, *err);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

static void
test_confined (void)
{
  g_autofree char *base = test_make_dir ("agent");
  g_autofree char *project = g_build_filename (base, "project", NULL);
  g_autofree char *ssh = g_build_filename (base, ".ssh", NULL);
  /* Not under /tmp or /var/tmp, which are the sandbox's own (as is this
   * test's HOME): a folder it sees, read-only. */
  g_autofree char *outside_dir = g_mkdtemp (g_build_filename (getpwuid (getuid ())->pw_dir,
                                                              "paddock-agent-XXXXXX", NULL));
  g_autofree char *outside = NULL;
  g_autofree char *inside = g_build_filename (project, "inside.txt", NULL);
  g_autofree char *out = NULL, *err = NULL, *key_out = NULL, *key_err = NULL;
  g_autofree char *changed = NULL, *denied_host = NULL, *started = NULL;
  g_autofree char *why = NULL, *refused = NULL, *expected = NULL;
  g_auto(GStrv) env = test_environment (base);
  int status;

  if (!test_sandbox_usable (&why))
    {
      g_test_skip (why);
      return;
    }
  g_assert_nonnull (outside_dir);
  outside = g_build_filename (outside_dir, "outside.txt", NULL);
  /* Not in the environment, which the sandbox filters. */
  g_free (test_write_file (project, "outside-path", outside_dir));
  g_free (test_write_file (ssh, "id_test", SECRET "\n"));
  g_free (test_write_file (project, "agent.sh", agent_script));

  status = run (env, project, API_KEY "\n", &key_out, &key_err, "agent", "key", "set", "codex", NULL);
  g_assert_cmpint (status, ==, 0);

  status = run (env, project, NULL, &out, &err, "agent", "start", "--preset", "codex", "--", "sh", "./agent.sh",
                NULL);
  g_assert_cmpint (status, ==, 0);

  /* Stopped: the private key, the write outside, the unlisted host. */
  g_assert_null (strstr (out, SECRET));
  g_assert_nonnull (strstr (out, "read refused"));
  g_assert_nonnull (strstr (out, "write refused"));
  g_assert_false (g_file_test (outside, G_FILE_TEST_EXISTS));
  g_assert_nonnull (strstr (out, "network refused:"));
  g_assert_null (strstr (out, "network reached"));
  /* Through: the workspace, and the agent's own key. */
  g_assert_true (g_file_test (inside, G_FILE_TEST_EXISTS));
  g_assert_nonnull (strstr (out, "key=" API_KEY "\n"));
  g_assert_nonnull (strstr (err, "the agent changed in"));
  g_assert_nonnull (strstr (err, "  A inside.txt\n"));

  /* On record: the session, the host refused, what changed. */
  started = test_store_query (base, "SELECT json_extract(attributes, '$.\"agent.preset\"') FROM events "
                         "WHERE name = 'paddock.agent_start'");
  g_assert_cmpstr (started, ==, "codex");
  denied_host = test_store_query (base, "SELECT json_extract(attributes, '$.host') FROM events "
                             "WHERE name = 'paddock.network_decision' AND json_extract(attributes, '$.decision') = 'deny'");
  g_assert_cmpstr (denied_host, ==, "unlisted.example.test");
  changed = test_store_query (base, "SELECT json_extract(attributes, '$.\"files.changed\"') FROM events "
                         "WHERE name = 'paddock.agent_end'");
  g_assert_cmpstr (changed, ==, "[\"A inside.txt\"]");
  /* The read of the key and the write outside are on record as refused;
   * the controls, the script read and the file written inside, are not. */
  refused = test_store_query (base, "SELECT group_concat(json_extract(attributes, '$.\"file.access\"') || ' ' || "
                         "json_extract(attributes, '$.finding') || ': ' || json_extract(attributes, '$.reason'), '\n') "
                         "FROM events WHERE name = 'paddock.sandbox_violation' "
                         "AND json_extract(attributes, '$.violation') = 'file-access-refused'");
  g_test_message ("refused: %s", refused);
  expected = g_strdup_printf ("read %s/id_test: read refused: hidden by the sandbox", ssh);
  g_assert_nonnull (strstr (refused, expected));
  g_free (expected);
  expected = g_strdup_printf ("write %s: write refused: read-only in the sandbox", outside);
  g_assert_nonnull (strstr (refused, expected));
  g_assert_null (strstr (refused, "agent.sh"));
  g_assert_null (strstr (refused, "inside.txt"));
  g_assert_nonnull (strstr (err, "the sandbox refused the agent"));

  /* The key went to the agent, and to no file: not the store, not the
   * workspace, not the configuration. */
  g_assert_false (test_tree_contains (base, API_KEY));
  test_remove_tree (outside_dir);
}

/* Stopped as the app's Stop does (SIGTERM): the agent dies, and the end
 * of its session is still on record. */
static void
test_stopped (void)
{
  g_autofree char *base = test_make_dir ("agent-stop");
  g_autofree char *project = g_build_filename (base, "project", NULL);
  g_auto(GStrv) env = test_environment (base);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) agent = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ended = NULL;
  g_autofree char *why = NULL;
  gboolean running = FALSE;

  if (!test_sandbox_usable (&why))
    {
      g_test_skip (why);
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (project, 0700), ==, 0);
  g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_set_cwd (launcher, project);
  agent = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("PADDOCKCTL"), "agent", "start", "--", "sleep",
                                       "4747", NULL);
  g_assert_no_error (error);
  for (guint i = 0; i < 100 && !running; i++)
    {
      g_usleep (100 * 1000);
      running = system ("pgrep -f '^sleep 4747$' >/dev/null") == 0;
    }
  g_assert_true (running);
  g_subprocess_send_signal (agent, SIGTERM);
  g_subprocess_wait (agent, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 50 && running; i++)
    {
      running = system ("pgrep -f '^sleep 4747$' >/dev/null") == 0;
      if (running)
        g_usleep (100 * 1000);
    }
  g_assert_false (running);
  ended = test_store_query (base, "SELECT count(*) FROM events WHERE name = 'paddock.agent_end'");
  g_assert_cmpstr (ended, ==, "1");
}

/* Where the agent can be told of an MCP server (Codex CLI's -c), it is
 * told of Paddock's: its own tools' commands then come through Paddock,
 * judged and recorded with the client's name, in a sandbox of their own. */
static void
test_own_mcp (void)
{
  g_autofree char *base = test_make_dir ("agent-mcp");
  g_autofree char *project = g_build_filename (base, "project", NULL);
  g_autofree char *ssh = g_build_filename (base, ".ssh", NULL);
  g_autofree char *codex = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *calls = NULL, *prompt = NULL;
  g_autofree char *why = NULL;
  g_auto(GStrv) env = test_environment (base);

  if (!test_sandbox_usable (&why))
    {
      g_test_skip (why);
      return;
    }
  g_free (test_write_file (ssh, "id_test", SECRET "\n"));
  g_free (test_write_file (project, "prompt.txt", "fix the failing test in main.c"));
  codex = test_write_file (project, "codex", fake_codex);
  g_assert_cmpint (g_chmod (codex, 0755), ==, 0);

  g_assert_cmpint (run (env, project, NULL, &out, &err, "agent", "start", "--", "./codex", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "exec-error: False"));
  g_assert_true (g_file_test (g_build_filename (project, "via-paddock-mcp.txt", NULL), G_FILE_TEST_EXISTS));
  g_assert_nonnull (strstr (out, "read-error: True"));
  g_assert_nonnull (strstr (out, "sandbox.deny_read"));
  g_assert_null (strstr (out, SECRET));
  calls = test_store_query (base, "SELECT count(*) FROM events WHERE name = 'paddock.mcp_call' AND "
                       "json_extract(attributes, '$.\"mcp.client.name\"') = 'fake-codex' AND "
                       "json_extract(attributes, '$.\"agent.preset\"') = 'codex'");
  g_assert_cmpstr (calls, ==, "2");
  /* The turn's prompt, from its notify: its length, not its text (the
   * policy does not ask for prompts' text). */
  prompt = test_store_query (base, "SELECT json_extract(attributes, '$.\"prompt.length\"') || ' ' || "
                        "json_extract(attributes, '$.\"prompt.source\"') || ' ' || "
                        "json_extract(attributes, '$.\"agent.preset\"') || ' ' || "
                        "ifnull(json_extract(attributes, '$.prompt'), 'no text') "
                        "FROM events WHERE name = 'paddock.user_prompt'");
  g_assert_cmpstr (prompt, ==, "30 Codex CLI notify codex no text");
}

/* Gemini CLI is told of Paddock's server through a system settings file
 * of the session's own, bound into the sandbox; nothing of the user's is
 * written. */
static void
test_gemini_settings (void)
{
  g_autofree char *base = test_make_dir ("agent-gemini");
  g_autofree char *project = g_build_filename (base, "project", NULL);
  g_autofree char *gemini = NULL, *made = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *calls = NULL, *why = NULL;
  g_auto(GStrv) env = test_environment (base);

  if (!test_sandbox_usable (&why))
    {
      g_test_skip (why);
      return;
    }
  gemini = test_write_file (project, "gemini", fake_gemini);
  g_assert_cmpint (g_chmod (gemini, 0755), ==, 0);

  g_assert_cmpint (run (env, project, NULL, &out, &err, "agent", "start", "--", "./gemini", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "exec-error: False"));
  made = g_build_filename (project, "via-gemini.txt", NULL);
  g_assert_true (g_file_test (made, G_FILE_TEST_EXISTS));
  calls = test_store_query (base, "SELECT count(*) FROM events WHERE name = 'paddock.mcp_call' AND "
                                  "json_extract(attributes, '$.\"mcp.client.name\"') = 'fake-gemini' AND "
                                  "json_extract(attributes, '$.\"agent.preset\"') = 'gemini'");
  g_assert_cmpstr (calls, ==, "1");
  /* The user's settings stay as they were: there were none. */
  {
    g_autofree char *user_settings = g_build_filename (base, ".gemini", NULL);
    g_autofree char *project_settings = g_build_filename (project, ".gemini", NULL);

    g_assert_false (g_file_test (user_settings, G_FILE_TEST_EXISTS));
    g_assert_false (g_file_test (project_settings, G_FILE_TEST_EXISTS));
  }
}

/* Claude Code's UserPromptSubmit hook reports each prompt; with
 * telemetry.log_user_prompts its text is kept too. */
static void
test_prompts (void)
{
  g_autofree char *base = test_make_dir ("agent-prompts");
  g_autofree char *project = g_build_filename (base, "project", NULL);
  g_autofree char *claude = NULL, *user_policy = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *prompts = NULL, *why = NULL;
  g_auto(GStrv) env = test_environment (base);

  if (!test_sandbox_usable (&why))
    {
      g_test_skip (why);
      return;
    }
  user_policy = g_build_filename (base, "config", "paddock", NULL);
  g_free (test_write_file (user_policy, "policy.json",
                           "{\"telemetry\": {\"log_user_prompts\": true}}"));
  g_free (test_write_file (project, "prompts.txt", "add a test for the parser\nnow run it \"quoted\"\n"));
  claude = test_write_file (project, "claude", fake_claude);
  g_assert_cmpint (g_chmod (claude, 0755), ==, 0);

  g_assert_cmpint (run (env, project, NULL, &out, &err, "agent", "start", "--", "./claude", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "prompted"));
  prompts = test_store_query (base, "SELECT group_concat(json_extract(attributes, '$.prompt') || ' (' || "
                         "json_extract(attributes, '$.\"prompt.source\"') || ')', '|') "
                         "FROM events WHERE name = 'paddock.user_prompt' AND "
                         "json_extract(attributes, '$.\"agent.preset\"') = 'claude'");
  g_assert_cmpstr (prompts, ==, "add a test for the parser (Claude Code UserPromptSubmit hook)|"
                                "now run it \"quoted\" (Claude Code UserPromptSubmit hook)");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("PADDOCK_TEST_KEYCHAIN") == NULL || g_getenv ("PADDOCKCTL") == NULL)
    {
      g_test_message ("not in a session bus with gnome-keyring of the test's own (meson test runs it in one)");
      return 77;
    }
  g_test_add_func ("/agent/confined", test_confined);
  g_test_add_func ("/agent/stopped", test_stopped);
  g_test_add_func ("/agent/own-mcp", test_own_mcp);
  g_test_add_func ("/agent/prompts", test_prompts);
  g_test_add_func ("/agent/gemini-settings", test_gemini_settings);
  return g_test_run ();
}
