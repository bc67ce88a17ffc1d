// http-upstream.mjs: an MCP server over streamable HTTP, from the
// official TypeScript SDK (path in MCP_SDK, zod beside it in
// MCP_MODULES), that answers only with the bearer token in MCP_TOKEN
// (and, with MCP_EXPIRE_ONCE, refuses the first tools/call as expired).
// Listens on MCP_BIND, port 0; prints {"port": N}, then one line per
// request it refused. Ends with its input.
//
// SPDX-License-Identifier: GPL-3.0-or-later
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

const sdk = process.env.MCP_SDK;
const { McpServer } = await import(`${sdk}/server/mcp.js`);
const { StreamableHTTPServerTransport } = await import(`${sdk}/server/streamableHttp.js`);
const { z } = createRequire(`${process.env.MCP_MODULES}/`)('zod');

const transports = {};

let expired = false;

const listener = http.createServer(async (req, res) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  if (req.headers.authorization !== `Bearer ${process.env.MCP_TOKEN}`) {
    console.log(JSON.stringify({ refused: req.headers.authorization ? 'wrong token' : 'no token' }));
    res.writeHead(401, { 'WWW-Authenticate': 'Bearer' }).end();
    return;
  }
  // With MCP_EXPIRE_ONCE, the first tools/call is told its token
  // expired, as a server says it when an hour has gone by.
  if (process.env.MCP_EXPIRE_ONCE && !expired && body.includes('"tools/call"')) {
    expired = true;
    console.log(JSON.stringify({ refused: 'expired' }));
    res.writeHead(401, { 'WWW-Authenticate': 'Bearer error="invalid_token"' }).end();
    return;
  }
  const id = req.headers['mcp-session-id'];
  let transport = id ? transports[id] : undefined;
  if (!transport) {
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sid) => { transports[sid] = transport; },
    });
    const server = new McpServer({ name: 'remote', version: '1.0.0' });
    server.registerTool('remote_echo', { description: 'Say it back, from afar', inputSchema: { text: z.string() } },
      async ({ text }) => ({ content: [{ type: 'text', text: `remote: ${text} (authorized)` }] }));
    await server.connect(transport);
  }
  await transport.handleRequest(req, res, body ? JSON.parse(body) : undefined);
});
listener.listen(0, process.env.MCP_BIND, () => console.log(JSON.stringify({ port: listener.address().port })));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
