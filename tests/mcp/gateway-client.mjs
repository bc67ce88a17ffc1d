// gateway-client.mjs: an MCP client from the official TypeScript SDK
// using, through `paddockctl mcp`, the MCP servers the workspace's policy
// names. Prints one JSON line per step for tests/test-mcp-gateway.c.
//
// SPDX-License-Identifier: GPL-3.0-or-later
const sdk = process.env.MCP_SDK;
const { Client } = await import(`${sdk}/client/index.js`);
const { StdioClientTransport } = await import(`${sdk}/client/stdio.js`);
const workspace = process.env.MCP_WORKSPACE;

function say(step, value) { console.log(JSON.stringify({ step, ...value })); }
function text(result) { return (result.content || []).map(c => c.text || '').join('\n'); }

const transport = new StdioClientTransport({
  command: process.env.PADDOCKCTL, args: ['mcp', '--workspace', workspace], cwd: workspace,
  env: process.env, stderr: 'inherit',
});
const client = new Client({ name: 'gateway-test-client', version: '2.0.0' });
await client.connect(transport);
say('tools', { tools: (await client.listTools()).tools.map(t => ({ name: t.name, description: t.description })) });

async function call(step, name, args) {
  try {
    const result = await client.callTool({ name, arguments: args });
    say(step, { isError: !!result.isError, text: text(result) });
  } catch (e) {
    say(step, { thrown: true, message: String(e.message) });
  }
}

await call('echo', 'local__echo', { text: 'hi' });
await call('peek', 'local__peek', { secret: process.env.MCP_SECRET, outside: process.env.MCP_OUTSIDE,
                                    inside: `${workspace}/README` });
await call('danger', 'local__danger', {});
await call('remote', 'remote__remote_echo', { text: 'hi' });
await call('banned', 'banned__echo', { text: 'hi' });
await client.close();
