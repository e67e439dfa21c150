// Sign-in through the CLI with the SDK Client as the host: the first request meets a 401, the
// proxy discovers, registers, signs in through the stand-in browser and retries; the host only
// ever sees results. Checks what went over the wire at each step (MCP authorization spec).
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { connectClient } from '../fixtures/cli.js';
import { type RecordedRequest, type RequestLog } from '../fixtures/raw-server.js';
import { formOf, pathnameOf } from '../fixtures/auth-common.js';
import { startOidcServer } from '../fixtures/oidc-server.js';
import { startProtectedMcpServer, type ProtectedMcpServerOptions } from '../fixtures/protected-mcp-server.js';
import { startSdkAuthServer } from '../fixtures/sdk-auth-server.js';
import { startFakeAuthServer } from '../fixtures/fake-auth-server.js';
import { oauthHarness } from '../fixtures/oauth-cli.js';

vi.setConfig({ testTimeout: 20_000 });

const LOOPBACK_REDIRECT = /^http:\/\/127\.0\.0\.1:\d+\/callback$/;

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
  const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(r.isError ?? false).toBe(false);
  return (r.content[0] as { text: string }).text;
}

const requestsTo = (log: RequestLog, method: string, path: string): RecordedRequest[] =>
  log.entries.filter((e) => e.method === method && pathnameOf(e) === path);

describe('oidc-provider AS + protected MCP server (separate authorization server)', () => {
  it('discovers, registers as a native app, signs in with PKCE S256 + state + resource, and the host only sees results', async () => {
    const oidc = await startOidcServer({ requireNativeApplicationType: true });
    const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read', 'mcp:write'], requiredScopes: ['mcp:read'] });
    const h = oauthHarness();
    const { client } = await connectClient(mcp.url, h.args(), { env: h.env() });

    expect(await call(client, 'echo', { text: 'hello' })).toBe('hello');
    const claims = JSON.parse(await call(client, 'whoami')) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: 'user-1', aud: mcp.url, iss: oidc.issuer });

    // One browser window, opened at the AS's authorization endpoint.
    const [authz, ...more] = h.authorizationRequests();
    expect(more).toEqual([]);
    expect(`${authz!.origin}${authz!.pathname}`).toBe(`${oidc.issuer}/auth`);
    const q = authz!.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // A fresh state of at least 128 bits.
    expect(Buffer.from(q.get('state') ?? '', 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(q.get('resource')).toBe(mcp.resource);
    // The challenge's scope wins over PRM scopes_supported; offline_access because the AS lists it.
    expect(q.get('scope')).toBe('mcp:read offline_access');
    const redirectUri = q.get('redirect_uri')!;
    expect(redirectUri).toMatch(LOOPBACK_REDIRECT);

    // RFC 7591 registration: native, refresh-capable, exactly the redirect URI used.
    const [reg, ...moreRegs] = requestsTo(oidc.log, 'POST', '/reg');
    expect(moreRegs).toEqual([]);
    const metadata = reg!.body as Record<string, unknown>;
    expect(metadata.application_type).toBe('native');
    expect(metadata.grant_types).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']));
    expect(metadata.redirect_uris).toEqual([redirectUri]);
    expect(q.get('client_id')).toBe(h.store().clients[0]!.clientId);

    // Token request: the code with its verifier, the same redirect URI and the same resource.
    const [tokenReq, ...moreTokens] = requestsTo(oidc.log, 'POST', '/token');
    expect(moreTokens).toEqual([]);
    const form = formOf(tokenReq!);
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.get('redirect_uri')).toBe(redirectUri);
    expect(form.get('resource')).toBe(mcp.resource);
    expect(
      createHash('sha256')
        .update(form.get('code_verifier') ?? '')
        .digest('base64url'),
    ).toBe(q.get('code_challenge'));
    expect(oidc.counters).toMatchObject({ registrations: 1, authorizations: 1, consents: { allow: 1, deny: 0 } });

    // The browser page says "signed in" (after the token exchange succeeded).
    await vi.waitFor(() => expect(h.pages()).toHaveLength(1));
    expect(h.pages()[0]).toMatchObject({ status: 200, text: expect.stringMatching(/signed in/i) });
  });

  // RFC 9728 §3.1 + MCP: the header's URL, else the path-inserted well-known URL, then the root one.
  it.each<{ name: string; server: ProtectedMcpServerOptions; probes: (prmUrl: string) => string[] }>([
    {
      name: 'PRM at the path-inserted well-known URL (no hint in the challenge)',
      server: { prmAt: 'path', resourceMetadataInChallenge: false },
      probes: () => ['/.well-known/oauth-protected-resource/mcp'],
    },
    {
      name: 'PRM at the root well-known URL (no hint in the challenge)',
      server: { prmAt: 'root', resourceMetadataInChallenge: false },
      probes: () => ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource'],
    },
    { name: 'PRM only at the URL named in the challenge', server: { prmAt: 'header-only' }, probes: (u) => [new URL(u).pathname] },
  ])('$name', async ({ server, probes }) => {
    const oidc = await startOidcServer();
    const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'], ...server });
    const h = oauthHarness();
    const { client } = await connectClient(mcp.url, h.args(), { env: h.env() });
    expect(await call(client, 'echo', { text: 'ok' })).toBe('ok');
    const prmGets = mcp.log.entries.filter((e) => e.method === 'GET' && pathnameOf(e) !== '/mcp').map(pathnameOf);
    expect(prmGets).toEqual(probes(mcp.prmUrl));
    expect(h.authorizationRequests()[0]!.searchParams.get('resource')).toBe(mcp.resource);
  });

  it('an issuer with a path: RFC 8414 insertion, then OpenID insertion, then OpenID appended', async () => {
    const oidc = await startOidcServer({ issuerPath: '/tenant1', discovery: ['openid-append'] });
    const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
    const h = oauthHarness();
    const { client } = await connectClient(mcp.url, h.args(), { env: h.env() });
    expect(await call(client, 'echo', { text: 'tenant' })).toBe('tenant');
    const metadataGets = oidc.log.entries.filter((e) => e.method === 'GET' && e.path.includes('.well-known')).map((e) => `${e.path} ${e.status}`);
    expect(metadataGets).toEqual([
      '/.well-known/oauth-authorization-server/tenant1 404',
      '/.well-known/openid-configuration/tenant1 404',
      '/tenant1/.well-known/openid-configuration 200',
    ]);
  });
});

describe('scope selection: --scope, else the challenge scope, else PRM scopes_supported, else none', () => {
  it.each<{ name: string; server: ProtectedMcpServerOptions; args?: string[]; scope: string | null }>([
    {
      name: 'challenge scope over PRM scopes_supported',
      server: { challengeScope: 'mcp:read', scopesSupported: ['mcp:read', 'mcp:write'] },
      scope: 'mcp:read offline_access',
    },
    {
      name: 'all of PRM scopes_supported without a challenge scope',
      server: { challengeScope: '', scopesSupported: ['mcp:read', 'mcp:write'] },
      scope: 'mcp:read mcp:write offline_access',
    },
    { name: 'omitted when neither names one (and no lone offline_access)', server: { challengeScope: '' }, scope: null },
    {
      name: '--scope over the challenge',
      server: { challengeScope: 'mcp:read', scopesSupported: ['mcp:read', 'mcp:write'] },
      args: ['--scope', 'mcp:write'],
      scope: 'mcp:write offline_access',
    },
  ])('$name', async ({ server, args = [], scope }) => {
    const oidc = await startOidcServer();
    const mcp = await startProtectedMcpServer({ authServer: oidc, ...server });
    const h = oauthHarness();
    const { client } = await connectClient(mcp.url, h.args(args), { env: h.env() });
    expect(await call(client, 'echo', { text: 'scoped' })).toBe('scoped');
    expect(h.authorizationRequests()[0]!.searchParams.get('scope')).toBe(scope);
  });

  it('offline_access is not added when the AS does not list it', async () => {
    const fake = await startFakeAuthServer({ scopesSupported: ['mcp'] });
    const h = oauthHarness();
    const { client } = await connectClient(fake.url, h.args(), { env: h.env() });
    expect(await call(client, 'echo', { text: 'x' })).toBe('x');
    expect(fake.authorizeRequests[0]!.get('scope')).toBe('mcp');
  });
});

describe('the MCP server is its own authorization server (SDK mcpAuthRouter)', () => {
  it('signs in against the issuer with a trailing slash and binds the token to the server', async () => {
    const sdk = await startSdkAuthServer();
    const h = oauthHarness();
    const { client } = await connectClient(sdk.url, h.args(), { env: h.env() });
    expect(await call(client, 'echo', { text: 'sdk' })).toBe('sdk');
    expect(JSON.parse(await call(client, 'whoami'))).toMatchObject({ resource: sdk.url, scopes: ['mcp:tools'] });
    const authz = h.authorizationRequests();
    expect(authz).toHaveLength(1);
    expect(`${authz[0]!.origin}${authz[0]!.pathname}`).toBe(`${sdk.origin}/authorize`);
    expect(authz[0]!.searchParams.get('scope')).toBe('mcp:tools'); // the AS does not list offline_access
    expect(authz[0]!.searchParams.get('resource')).toBe(sdk.url);
    expect(requestsTo(sdk.log, 'POST', '/register')).toHaveLength(1);
    expect(h.store().clients.map((c) => c.issuer)).toEqual([sdk.issuer]);
  });
});

describe('2025-03-26 servers (no protected resource metadata)', () => {
  it('origin-metadata: AS metadata at the MCP server origin, its endpoints used', async () => {
    const fake = await startFakeAuthServer({ style: 'origin-metadata' });
    const h = oauthHarness();
    const { client } = await connectClient(fake.url, h.args(), { env: h.env() });
    expect(await call(client, 'echo', { text: 'legacy' })).toBe('legacy');
    expect(fake.registrations).toHaveLength(1);
    expect(fake.authorizeRequests).toHaveLength(1);
    expect(fake.tokenRequests.map((f) => f.get('grant_type'))).toEqual(['authorization_code']);
    const gets = fake.log.entries.filter((e) => e.method === 'GET').map((e) => `${pathnameOf(e)} ${e.status}`);
    expect(gets).toEqual(
      expect.arrayContaining([
        '/.well-known/oauth-protected-resource/mcp 404',
        '/.well-known/oauth-protected-resource 404',
        '/.well-known/oauth-authorization-server 200',
      ]),
    );
    expect(`${h.authorizationRequests()[0]!.pathname}`).toBe('/oauth2/authorize');
  });

  it('no-metadata: falls back to /authorize, /token and /register at the origin', async () => {
    const fake = await startFakeAuthServer({ style: 'no-metadata' });
    const h = oauthHarness();
    const { client } = await connectClient(fake.url, h.args(), { env: h.env() });
    expect(await call(client, 'echo', { text: 'defaults' })).toBe('defaults');
    expect(requestsTo(fake.log, 'POST', '/register')).toHaveLength(1);
    expect(requestsTo(fake.log, 'GET', '/authorize')).toHaveLength(1);
    expect(requestsTo(fake.log, 'POST', '/token')).toHaveLength(1);
    const q = fake.authorizeRequests[0]!;
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('redirect_uri')).toBe((fake.registrations[0] as { redirect_uris: string[] }).redirect_uris[0]);
  });
});

describe('client identity', () => {
  it('pre-registered client with a secret: client_secret_basic when the AS offers it, no registration', async () => {
    const secret = 'pre-registered-secret-9f8e7d6c';
    const oidc = await startOidcServer({
      clients: [
        {
          client_id: 'pre-basic',
          client_secret: secret,
          application_type: 'native',
          redirect_uris: ['http://127.0.0.1/callback'],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
    });
    const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
    const h = oauthHarness();
    const { client } = await connectClient(mcp.url, h.args(['--client-id', 'pre-basic', '--client-secret', secret]), { env: h.env() });
    expect(JSON.parse(await call(client, 'whoami'))).toMatchObject({ client_id: 'pre-basic' });
    expect(oidc.counters.registrations).toBe(0);
    expect(h.authorizationRequests()[0]!.searchParams.get('client_id')).toBe('pre-basic');
    const [tokenReq] = requestsTo(oidc.log, 'POST', '/token');
    expect(tokenReq!.headers.authorization).toBe(`Basic ${Buffer.from(`pre-basic:${secret}`).toString('base64')}`);
    expect(formOf(tokenReq!).has('client_secret')).toBe(false);
    // The secret is not written to the store (it comes from the flags each time).
    expect(JSON.stringify(h.store())).not.toContain(secret);
  });

  it('pre-registered client with a secret: client_secret_post when that is all the AS offers', async () => {
    const secret = 'post-secret-0a1b2c3d4e';
    const fake = await startFakeAuthServer({ metadata: { token_endpoint_auth_methods_supported: ['client_secret_post'] } });
    const h = oauthHarness();
    const { client } = await connectClient(fake.url, h.args(['--client-id', 'pre-post', '--client-secret', secret]), { env: h.env() });
    expect(await call(client, 'echo', { text: 'post' })).toBe('post');
    expect(fake.registrations).toEqual([]);
    const form = fake.tokenRequests[0]!;
    expect([form.get('client_id'), form.get('client_secret')]).toEqual(['pre-post', secret]);
    const [tokenReq] = requestsTo(fake.log, 'POST', '/oauth2/token');
    expect(tokenReq!.headers.authorization).toBeUndefined();
  });

  it('client ID metadata document: the --client-metadata-url is the client_id where the AS supports it, no registration', async () => {
    const cimd = 'https://client.example.com/mcp-auth-proxy.json';
    const fake = await startFakeAuthServer({ metadata: { client_id_metadata_document_supported: true } });
    const h = oauthHarness();
    const { client } = await connectClient(fake.url, h.args(['--client-metadata-url', cimd]), { env: h.env() });
    expect(await call(client, 'echo', { text: 'cimd' })).toBe('cimd');
    expect(fake.registrations).toEqual([]);
    expect(fake.authorizeRequests[0]!.get('client_id')).toBe(cimd);
    expect(fake.tokenRequests[0]!.get('client_id')).toBe(cimd);
  });

  it('client ID metadata document not supported by the AS: falls back to dynamic registration', async () => {
    const fake = await startFakeAuthServer();
    const h = oauthHarness();
    const { client } = await connectClient(fake.url, h.args(['--client-metadata-url', 'https://client.example.com/mcp-auth-proxy.json']), { env: h.env() });
    expect(await call(client, 'echo', { text: 'dcr' })).toBe('dcr');
    expect(fake.registrations).toHaveLength(1);
    expect(fake.authorizeRequests[0]!.get('client_id')).toMatch(/^fake-client-/);
  });
});

describe('resource and callback flags', () => {
  it('--no-resource sends no resource parameter anywhere', async () => {
    const fake = await startFakeAuthServer();
    const h = oauthHarness();
    const { client } = await connectClient(fake.url, h.args(['--no-resource']), { env: h.env() });
    expect(await call(client, 'echo', { text: 'nores' })).toBe('nores');
    expect(fake.authorizeRequests[0]!.has('resource')).toBe(false);
    expect(fake.tokenRequests[0]!.has('resource')).toBe(false);
  });

  it('--resource overrides the published resource on the authorization and token requests', async () => {
    const fake = await startFakeAuthServer();
    const h = oauthHarness();
    const { client } = await connectClient(fake.url, h.args(['--resource', 'api://mcp-server']), { env: h.env() });
    expect(await call(client, 'echo', { text: 'res' })).toBe('res');
    expect(fake.authorizeRequests[0]!.get('resource')).toBe('api://mcp-server');
    expect(fake.tokenRequests[0]!.get('resource')).toBe('api://mcp-server');
  });

  it('--callback-port pins the loopback redirect URI', async () => {
    // Outside the ephemeral range: a just-released ephemeral port can be handed to another
    // test's connection before the proxy binds it (seen once under parallel load).
    const port = await freePortBelowEphemeral();
    const fake = await startFakeAuthServer();
    const h = oauthHarness();
    const { client } = await connectClient(fake.url, h.args(['--callback-port', String(port)]), { env: h.env() });
    expect(await call(client, 'echo', { text: 'port' })).toBe('port');
    expect(fake.authorizeRequests[0]!.get('redirect_uri')).toBe(`http://127.0.0.1:${port}/callback`);
    expect((fake.registrations[0] as { redirect_uris: string[] }).redirect_uris).toEqual([`http://127.0.0.1:${port}/callback`]);
  });
});

/** A port that is free now, below Linux's ephemeral range (32768+), so no outgoing connection takes it. */
async function freePortBelowEphemeral(): Promise<number> {
  const { createServer } = await import('node:net');
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
}
