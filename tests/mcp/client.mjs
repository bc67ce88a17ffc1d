// client.mjs: an MCP client from the official TypeScript SDK
// (@modelcontextprotocol/sdk, path in MCP_SDK) working in a workspace
// through `paddockctl mcp`. Prints one JSON line per step for
// tests/test-mcp.c to judge; the scenario's policy and approvals are the
// test's.
//
// SPDX-License-Identifier: GPL-3.0-or-later
import { execFileSync } from 'node:child_process';

const sdk = process.env.MCP_SDK;
const { Client } = await import(`${sdk}/client/index.js`);
const { StdioClientTransport } = await import(`${sdk}/client/stdio.js`);
const workspace = process.env.MCP_WORKSPACE;

function say(step, value) { console.log(JSON.stringify({ step, ...value })); }
function text(result) { return (result.content || []).map(c => c.text || '').join('\n'); }
function running(pattern) {
  try { execFileSync('pgrep', ['-f', pattern]); return true; } catch { return false; }
}
const sleep = (ms) => new Promise(r => setTimeout(r, ms));

function connect() {
  const transport = new StdioClientTransport({
    command: process.env.PADDOCKCTL, args: ['mcp', '--workspace', workspace], cwd: workspace,
    env: process.env, stderr: 'inherit',
  });
  const client = new Client({ name: 'paddock-test-client', version: '1.2.3' });
  return { client, transport };
}

const { client, transport } = connect();
await client.connect(transport);
say('initialize', { server: client.getServerVersion(), instructions: client.getInstructions() });
say('tools', { tools: (await client.listTools()).tools.map(t => ({ name: t.name, description: t.description })) });

async function call(step, name, args, options = {}) {
  let progress = 0;
  try {
    const result = await client.callTool({ name, arguments: args }, undefined,
                                         { onprogress: () => { progress++; }, ...options });
    say(step, { isError: !!result.isError, text: text(result), structured: result.structuredContent || null,
                progress });
  } catch (e) {
    say(step, { thrown: true, code: e.code ?? null, message: String(e.message) });
  }
}

await call('exec-allowed', 'exec', { command: ['echo', 'hello from the sandbox'] });
await call('exec-script', 'exec', { script: 'echo one; echo two >&2; exit 3' });
await call('exec-forbidden', 'exec', { command: ['curl', 'https://example.com'] });
await call('exec-approved', 'exec', { command: ['touch', 'approve-me.txt'] });
await call('exec-denied', 'exec', { command: ['touch', 'deny-me.txt'] });
// A question nobody answers, then the client gives up: it is withdrawn.
{
  const controller = new AbortController();
  const pending = call('withdrawn', 'exec', { command: ['touch', 'hold-me.txt'] }, { signal: controller.signal });
  await sleep(1500);
  controller.abort();
  await pending;
}
await call('write-allowed', 'write_file', { path: 'notes/new.txt', content: 'written through MCP\n' });
await call('write-protected', 'write_file', { path: '.git/config', content: '[core]\n' });
await call('write-outside', 'write_file', { path: process.env.MCP_OUTSIDE, content: 'escaped\n' });
await call('read-allowed', 'read_file', { path: 'README' });
await call('read-hidden', 'read_file', { path: '~/.ssh/id_test' });
await call('read-link-to-hidden', 'read_file', { path: 'innocent-link' });
await call('list', 'list_dir', { path: '.' });
await call('patch-allowed', 'apply_patch', { patch:
  "--- a/README\n+++ b/README\n@@ -1 +1,2 @@\n-the project's readme\n+the project's README, patched\n+by an agent\n" +
  "--- /dev/null\n+++ b/notes/added.txt\n@@ -0,0 +1 @@\n+added by a patch\n" });
await call('patch-protected', 'apply_patch', { patch:
  "--- a/README\n+++ b/README\n@@ -1,2 +1 @@\n-the project's README, patched\n-by an agent\n+overwritten\n" +
  "--- a/.git/config\n+++ b/.git/config\n@@ -1,2 +1,3 @@\n [core]\n \tbare = false\n+\thooksPath = /tmp/evil\n" });
await call('patch-mismatch', 'apply_patch', { patch:
  "--- a/README\n+++ b/README\n@@ -1 +1 @@\n-not what the file holds\n+anything\n" });
if (process.env.MCP_ALLOWED_URL)
  await call('fetch-allowed', 'fetch', { url: process.env.MCP_ALLOWED_URL });
await call('fetch-denied', 'fetch', { url: 'http://denied.example.test/secret?token=abc' });
await call('unknown-tool', 'no_such_tool', {});
await call('bad-arguments', 'exec', { command: 'ls -l' });

// Cancelled by the client: the command dies.
{
  const controller = new AbortController();
  const pending = call('cancelled', 'exec', { command: ['sleep', '4343'] }, { signal: controller.signal });
  let seen = false;
  for (let i = 0; i < 50 && !seen; i++) { await sleep(200); seen = running('sleep 4343'); }
  controller.abort();
  await pending;
  let gone = false;
  for (let i = 0; i < 50 && !gone; i++) { await sleep(200); gone = !running('sleep 4343'); }
  say('cancel-effect', { running_before: seen, gone_after: gone });
}

// A client that goes away mid-call: the command dies with it.
{
  const pending = client.callTool({ name: 'exec', arguments: { command: ['sleep', '4242'] } }).catch(() => null);
  let seen = false;
  for (let i = 0; i < 50 && !seen; i++) { await sleep(200); seen = running('sleep 4242'); }
  await client.close();
  await pending;
  let gone = false;
  for (let i = 0; i < 50 && !gone; i++) { await sleep(200); gone = !running('sleep 4242'); }
  say('disconnect-effect', { running_before: seen, gone_after: gone });
}
