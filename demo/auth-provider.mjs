// The demo's authorization server logic, plugged into the SDK's mcpAuthRouter: dynamic client
// registration, PKCE (checked by the router), a consent page a person (or the demo's stand-in
// browser) answers, opaque access tokens bound to the MCP server, rotating refresh tokens.
import { randomBytes } from 'node:crypto';
import { InvalidGrantError, InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';

const token = () => randomBytes(24).toString('base64url');
const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => ESC[c]);

class ClientsStore {
  clients = new Map();
  async getClient(id) {
    return this.clients.get(id);
  }
  async registerClient(client) {
    this.clients.set(client.client_id, client);
    return client;
  }
}

export class DemoAuthProvider {
  clientsStore = new ClientsStore();
  pending = new Map(); // consent id → { client, params }
  codes = new Map(); // code → { clientId, params }
  accessTokens = new Map();
  refreshTokens = new Map();

  constructor({ resource, accessTokenTtl = 3600 }) {
    this.resource = resource;
    this.accessTokenTtl = accessTokenTtl;
  }

  // GET /authorize (validated by the router): show the consent page.
  async authorize(client, params, res) {
    const id = token();
    this.pending.set(id, { client, params });
    res.type('html').send(`<!doctype html><html><head><meta charset="utf-8"><title>Demo sign-in</title></head>
<body style="font-family:system-ui,sans-serif;max-width:36em;margin:4em auto">
<h1>Allow access?</h1>
<p><b>${escape(client.client_name ?? client.client_id)}</b> asks to use the demo MCP server${params.scopes?.length ? ` with scopes <code>${escape(params.scopes.join(' '))}</code>` : ''}.</p>
<form method="post" action="/consent"><input type="hidden" name="id" value="${id}">
<button name="decision" value="allow">Allow</button> <button name="decision" value="deny">Deny</button></form></body></html>`);
  }

  // POST /consent: the person's answer; redirect back to the client with a code (or an error).
  consent(id, decision) {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    this.pending.delete(id);
    const target = new URL(entry.params.redirectUri);
    if (decision === 'allow') {
      const code = token();
      this.codes.set(code, { clientId: entry.client.client_id, params: entry.params });
      target.searchParams.set('code', code);
    } else {
      target.searchParams.set('error', 'access_denied');
    }
    if (entry.params.state !== undefined) target.searchParams.set('state', entry.params.state);
    return target.href;
  }

  async challengeForAuthorizationCode(_client, code) {
    const entry = this.codes.get(code);
    if (!entry) throw new InvalidGrantError('unknown authorization code');
    return entry.params.codeChallenge;
  }

  async exchangeAuthorizationCode(client, code, _verifier, redirectUri) {
    const entry = this.codes.get(code);
    if (!entry || entry.clientId !== client.client_id) throw new InvalidGrantError('unknown authorization code');
    if (redirectUri !== undefined && redirectUri !== entry.params.redirectUri) throw new InvalidGrantError('redirect_uri mismatch');
    this.codes.delete(code);
    return this.issue(client.client_id, entry.params.scopes ?? []);
  }

  async exchangeRefreshToken(client, refreshToken) {
    const entry = this.refreshTokens.get(refreshToken);
    if (!entry || entry.clientId !== client.client_id) throw new InvalidGrantError('unknown refresh token');
    this.refreshTokens.delete(refreshToken); // rotation
    return this.issue(client.client_id, entry.scopes);
  }

  async verifyAccessToken(accessToken) {
    const entry = this.accessTokens.get(accessToken);
    if (!entry || entry.expiresAt < Date.now()) throw new InvalidTokenError('invalid or expired token');
    return { token: accessToken, clientId: entry.clientId, scopes: entry.scopes, expiresAt: Math.floor(entry.expiresAt / 1000), resource: this.resource };
  }

  issue(clientId, scopes) {
    const access = token();
    const refresh = token();
    this.accessTokens.set(access, { clientId, scopes, expiresAt: Date.now() + this.accessTokenTtl * 1000 });
    this.refreshTokens.set(refresh, { clientId, scopes });
    return { access_token: access, token_type: 'Bearer', expires_in: this.accessTokenTtl, refresh_token: refresh, scope: scopes.join(' ') };
  }
}
