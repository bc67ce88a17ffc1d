// A real OpenID provider on loopback for the sign-in tests: oauth2-mock-server
// (from npm, path in OIDC_MOCK_MODULE) with what it lacks added here: an RFC 8628
// device endpoint, refresh tokens that stay revoked, PKCE that is required, an
// "org" claim, and switchable forgeries (MOCK_MODE or GET /__test/mode?m=...).
// Prints {"issuer": URL} on its first line.
import http from 'node:http';
import { randomUUID, randomBytes } from 'node:crypto';
const { OAuth2Server } = await import(process.env.OIDC_MOCK_MODULE || 'oauth2-mock-server');

// OAuth2Server is only used as a container (works with 7.x too); we never call mock.start().
const mock = new OAuth2Server();
const issuer = mock.issuer, service = mock.service;
await issuer.keys.generate('RS256');
const revoked = new Set();            // revoked refresh tokens
const devices = new Map();            // device_code -> {user_code, approved, expires, interval, last}
let mode = process.env.MOCK_MODE || ''; // '', bad-iss, bad-aud, expired, unknown-kid, bad-sig, short-ttl, no-refresh
let lastAuthorize = null;             // query of the last /authorize, for asserting S256 etc.
service.on('beforeAuthorizeRedirect', (_uri, req) => { lastAuthorize = req.query; });

// ID token = the token without 'scope' (access tokens always get a scope in code/refresh grants)
service.on('beforeTokenSigning', (token, req) => {
  if ('scope' in token.payload) return;
  token.payload.org = 'acme';
  if (mode === 'bad-iss') token.payload.iss = 'http://evil.example';
  if (mode === 'bad-aud') token.payload.aud = 'someone-else';
  if (mode === 'expired') token.payload.exp = Math.floor(Date.now()/1000) - 120;
  if (mode === 'unknown-kid') token.header.kid = 'nope';
});
service.on('beforeResponse', (resp, req) => {
  const b = req.body || {};
  if (b.grant_type === 'refresh_token' && revoked.has(b.refresh_token)) {
    resp.statusCode = 400; resp.body = { error: 'invalid_grant', error_description: 'revoked' }; return;
  }
  if (mode === 'short-ttl' && resp.body.access_token) resp.body.expires_in = 5;
  if (mode === 'no-refresh' && resp.body.access_token) { resp.body.expires_in = 5; delete resp.body.refresh_token; }
  if (mode === 'bad-sig' && resp.body.id_token) {
    const [h, p, s] = resp.body.id_token.split('.');
    resp.body.id_token = `${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
  }
});

function readForm(req) {
  return new Promise((res) => { let d = ''; req.on('data', c => d += c);
    req.on('end', () => res(Object.fromEntries(new URLSearchParams(d)))); });
}
function json(res, code, obj) { res.writeHead(code, {'Content-Type':'application/json','Cache-Control':'no-store'}); res.end(JSON.stringify(obj)); }

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, issuer.url);
  if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
    // reuse the library's handler, add the device endpoint
    return service.openidConfigurationHandler(req, { json: (doc) => json(res, 200,
      { ...doc, device_authorization_endpoint: `${issuer.url}/device_authorization`,
        grant_types_supported: [...doc.grant_types_supported, 'refresh_token',
          'urn:ietf:params:oauth:grant-type:device_code'] }) });
  }
  if (url.pathname === '/__test/mode') {   // test control: GET /__test/mode?m=bad-sig
    mode = url.searchParams.get('m') || ''; res.writeHead(200); return res.end(mode + '\n');
  }
  if (req.method === 'POST' && url.pathname === '/device_authorization') {
    const f = await readForm(req);
    const device_code = randomUUID(), user_code = randomBytes(4).toString('hex').toUpperCase();
    devices.set(device_code, { user_code, client_id: f.client_id, scope: f.scope, approved: false,
      expires: Date.now() + 600e3, interval: 1, last: 0 });
    return json(res, 200, { device_code, user_code, verification_uri: `${issuer.url}/device`,
      verification_uri_complete: `${issuer.url}/device?user_code=${user_code}`, expires_in: 600, interval: 1 });
  }
  if (url.pathname === '/__test/last-authorize') return json(res, 200, lastAuthorize);
  if (url.pathname === '/device') {           // "user" approves: GET /device?user_code=XXXX[&deny=1]
    for (const d of devices.values()) if (d.user_code === url.searchParams.get('user_code'))
      d.approved = url.searchParams.get('deny') ? 'denied' : true;
    res.writeHead(200); return res.end('approved\n');
  }
  if (req.method === 'POST' && url.pathname === '/revoke') {
    const f = await readForm(req); if (f.token) revoked.add(f.token);
    res.writeHead(200); return res.end();
  }
  if (req.method === 'POST' && url.pathname === '/token' &&
      (req.headers['content-type'] || '').startsWith('application/x-www-form-urlencoded')) {
    const f = await readForm(req);
    if (f.grant_type === 'urn:ietf:params:oauth:grant-type:device_code') {
      const d = devices.get(f.device_code);
      if (!d) return json(res, 400, { error: 'invalid_grant' });
      if (Date.now() > d.expires) return json(res, 400, { error: 'expired_token' });
      const now = Date.now();
      if (now - d.last < d.interval * 1000) { d.last = now; d.interval += 5; return json(res, 400, { error: 'slow_down' }); }
      d.last = now;
      if (!d.approved) return json(res, 400, { error: 'authorization_pending' });
      if (d.approved === 'denied') { devices.delete(f.device_code); return json(res, 400, { error: 'access_denied' }); }
      devices.delete(f.device_code);
      f.grant_type = 'refresh_token';   // let the mock mint tokens exactly like a refresh/code grant
      delete f.device_code;
    }
    if (f.grant_type === 'authorization_code' && !f.code_verifier)   // the mock alone would accept this
      return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE code_verifier required' });
    req.body = f;                        // express json()/urlencoded() skip bodies already parsed (req._body unset but body present)
  }
  service.requestHandler(req, res);
});
await new Promise(r => server.listen(Number(process.env.PORT || 0), '127.0.0.1', r));
issuer.url = `http://localhost:${server.address().port}`;
console.log(JSON.stringify({ issuer: issuer.url }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
