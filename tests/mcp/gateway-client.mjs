// gateway-client.mjs: an MCP client from the official TypeScript SDK
// using, through `paddockctl mcp`, the MCP servers the workspace's policy
// names. Prints one JSON line per step for tests/test-mcp-gateway.c.
//
// SPDX-License-Identifier: GPL-3.0-or-later
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import net from 'node:net';

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

// Another program at the loopback port Paddock's HTTP client reaches the
// proxy by: it must be turned away, not handed the proxy's token.
function loopbackListeners(pid) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (link.startsWith('socket:[')) inodes.add(link.slice(8, -1));
    } catch { /* gone meanwhile */ }
  }
  return readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)
    .map(line => line.trim().split(/\s+/))
    .filter(c => c.length > 9 && c[3] === '0A' && c[1].startsWith('0100007F:') && inodes.has(c[9]))
    .map(c => parseInt(c[1].split(':')[1], 16));
}
function knock(port) {
  return new Promise(resolve => {
    let answer = '';
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`POST ${process.env.MCP_REMOTE_URL} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}`);
    });
    socket.on('data', d => { answer += d; });
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(answer));
    setTimeout(() => { socket.destroy(); resolve(answer); }, 2000);
  });
}
{
  const ports = loopbackListeners(transport.pid);
  const answers = [];
  for (const port of ports) answers.push(await knock(port));
  say('foreign', { ports: ports.length, answers });
}
await client.close();
