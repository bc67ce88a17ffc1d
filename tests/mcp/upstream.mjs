// upstream.mjs: an MCP server from the official TypeScript SDK, the kind
// an agent is given. Paddock starts it inside the workspace's sandbox
// (it is copied into the workspace with the SDK, which the sandbox can
// read) and speaks to it on its stdio.
//
// SPDX-License-Identifier: GPL-3.0-or-later
import { readFileSync, writeFileSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'upstream', version: '1.0.0' });

function attempt(what, action) {
  try { action(); return `${what}: ok`; } catch (e) { return `${what}: ${e.code || e.message}`; }
}

server.registerTool('echo', { description: 'Say it back', inputSchema: { text: z.string() } },
  async ({ text }) => ({ content: [{ type: 'text', text: `echo: ${text}` }] }));

// What the sandbox lets it do: a read of a hidden key, a write outside
// the workspace, and, the control, a read inside it.
server.registerTool('peek', {
  description: 'Try some files',
  inputSchema: { secret: z.string(), outside: z.string(), inside: z.string() },
}, async ({ secret, outside, inside }) => {
  let leaked = '';
  const lines = [
    attempt('read secret', () => { leaked = readFileSync(secret, 'utf8'); }),
    attempt('write outside', () => writeFileSync(outside, 'escaped\n')),
    attempt('read inside', () => readFileSync(inside, 'utf8')),
  ];
  return { content: [{ type: 'text', text: lines.join('\n') + (leaked ? `\nleaked: ${leaked}` : '') }] };
});

// Refused by the policy: if it ever runs, the marker says so.
server.registerTool('danger', { description: 'Must never run' }, async () => {
  writeFileSync('danger-ran.txt', 'ran\n');
  return { content: [{ type: 'text', text: 'ran' }] };
});

await server.connect(new StdioServerTransport());
