// Checks the OAuth fixtures on their own, with the SDK's own client and OAuth implementation
// (no proxy): if these fail, the proxy's auth tests mean nothing.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { formOf, requestsContaining, startCallbackListener, type CallbackListener } from '../fixtures/auth-common.js';
import { startOidcServer } from '../fixtures/oidc-server.js';
import { startProtectedMcpServer } from '../fixtures/protected-mcp-server.js';
import { startSdkAuthServer } from '../fixtures/sdk-auth-server.js';
import { startFakeAuthServer } from '../fixtures/fake-auth-server.js';
import { runStandInBrowser } from '../fixtures/browser.mjs';
import { closedWithTest, tempDir } from '../fixtures/teardown.js';

const BROWSER = fileURLToPath(new URL('../fixtures/browser.mjs', import.meta.url));

/** Minimal OAuthClientProvider: in-memory state; "opens the browser" with the stand-in browser. */
class TestOAuthClient implements OAuthClientProvider {
  info?: OAuthClientInformationMixed;
  saved?: OAuthTokens;
  verifier = '';
  lastState = '';
  authorizationUrls: URL[] = [];
  constructor(
    private readonly callback: CallbackListener,
    private readonly openBrowser: (url: string) => Promise<unknown> = (url) => runStandInBrowser(url),
  ) {}
  get redirectUrl(): string {
    return this.callback.redirectUri;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'fixture-check',
      redirect_uris: [this.callback.redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  state(): string {
    return (this.lastState = `st-${Math.random().toString(36).slice(2)}`);
  }
  clientInformation = () => this.info;
  saveClientInformation = (i: OAuthClientInformationMixed) => void (this.info = i);
  tokens = () => this.saved;
  saveTokens = (t: OAuthTokens) => void (this.saved = t);
  saveCodeVerifier = (v: string) => void (this.verifier = v);
  codeVerifier = () => this.verifier;
  async redirectToAuthorization(url: URL): Promise<void> {
    this.authorizationUrls.push(url);
    await this.openBrowser(url.href);
  }
}

/** SDK flow: connect → 401 → authorize in the stand-in browser → finishAuth(code) → reconnect. */
async function connectWithOAuth(serverUrl: string, oauth: TestOAuthClient, callback: CallbackListener): Promise<Client> {
  const first = new StreamableHTTPClientTransport(new URL(serverUrl), { authProvider: oauth });
  await expect(new Client({ name: 'fixture-check', version: '0' }).connect(first)).rejects.toThrow(UnauthorizedError);
  const query = await callback.next();
  expect(query.get('state')).toBe(oauth.lastState);
  await first.finishAuth(query.get('code') ?? 'missing-code');
  const client = new Client({ name: 'fixture-check', version: '0' });
  closedWithTest(client);
  await client.connect(new StreamableHTTPClientTransport(new URL(serverUrl), { authProvider: oauth }));
  return client;
}

const textOf = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;

describe('oidc-server + protected-mcp-server', () => {
  it('authorizes with PKCE + resource, calls tools, refreshes after expiry, fails after revocation', async () => {
    const oidc = await startOidcServer({ scopes: ['mcp:read', 'mcp:write'] });
    const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read', 'mcp:write'], requiredScopes: ['mcp:read'] });
    const callback = await startCallbackListener();
    const oauth = new TestOAuthClient(callback);
    const client = await connectWithOAuth(mcp.url, oauth, callback);

    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('hi');
    const claims = JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} }))) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: 'user-1', aud: mcp.url, iss: oidc.issuer, scope: 'mcp:read' });

    const authz = oauth.authorizationUrls[0]!.searchParams;
    expect(authz.get('code_challenge_method')).toBe('S256');
    expect(authz.get('resource')).toBe(mcp.url);
    expect(oidc.counters).toMatchObject({ registrations: 1, authorizations: 1, consents: { allow: 1, deny: 0 }, tokenRequests: { authorization_code: 1 } });
    expect(requestsContaining(oidc.log, oauth.saved!.access_token)).toEqual([]);

    oidc.expireAccessTokens(); // next request: 401 invalid_token → the SDK refreshes and retries
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'again' } }))).toBe('again');
    expect(oidc.counters.tokenRequests.refresh_token).toBe(1);

    oidc.revokeAll(); // the access token now gets 401 and the refresh token invalid_grant
    await expect(client.callTool({ name: 'echo', arguments: { text: 'x' } })).rejects.toThrow();
    expect(mcp.log.entries.filter((e) => e.path === '/mcp').at(-1)?.status).toBe(401);
    const lastToken = oidc.log.entries.filter((e) => e.path === '/token').at(-1)!;
    expect([formOf(lastToken).get('grant_type'), lastToken.status]).toEqual(['refresh_token', 400]);
  });

  it('publishes metadata and challenges as configured', async () => {
    const oidc = await startOidcServer({ issuerPath: '/tenant1', discovery: ['oauth'] });
    const mcp = await startProtectedMcpServer({ authServer: oidc, prmAt: 'root', requiredScopes: ['mcp:read'], scopesSupported: ['mcp:read', 'mcp:write'] });
    const r = await fetch(mcp.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe(`Bearer scope="mcp:read", resource_metadata="${mcp.origin}/.well-known/oauth-protected-resource"`);
    expect(await (await fetch(mcp.prmUrl)).json()).toMatchObject({
      resource: mcp.url,
      authorization_servers: [oidc.issuer],
      scopes_supported: ['mcp:read', 'mcp:write'],
    });
    expect(oidc.metadataUrl).toBe(`${oidc.origin}/.well-known/oauth-authorization-server/tenant1`);
    const meta = (await (await fetch(oidc.metadataUrl)).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({ issuer: oidc.issuer, code_challenge_methods_supported: ['S256'], authorization_response_iss_parameter_supported: true });
    expect((await fetch(`${oidc.origin}/tenant1/.well-known/openid-configuration`)).status).toBe(404);
  });

  it('the stand-in browser can deny consent', async () => {
    const oidc = await startOidcServer();
    const mcp = await startProtectedMcpServer({ authServer: oidc });
    const callback = await startCallbackListener();
    const oauth = new TestOAuthClient(callback, (url) => runStandInBrowser(url, { mode: 'deny' }));
    await expect(new Client({ name: 'x', version: '0' }).connect(new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: oauth }))).rejects.toThrow(
      UnauthorizedError,
    );
    const query = await callback.next();
    expect(query.get('error')).toBe('access_denied');
    expect(query.get('iss')).toBe(oidc.issuer);
    expect(oidc.counters.consents.deny).toBe(1);
  });
});

describe('sdk-auth-server', () => {
  it('authorizes, calls tools and refreshes', async () => {
    const server = await startSdkAuthServer();
    const callback = await startCallbackListener();
    const oauth = new TestOAuthClient(callback);
    const client = await connectWithOAuth(server.url, oauth, callback);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('hi');
    expect(JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} })))).toMatchObject({ resource: server.url, scopes: ['mcp:tools'] });

    server.provider.accessTokens.clear(); // "expired": the SDK refreshes with the rotated refresh token
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'again' } }))).toBe('again');
    expect(server.log.entries.filter((e) => e.method === 'POST' && e.path === '/token')).toHaveLength(2);
  });
});

describe('fake-auth-server', () => {
  it('works with the SDK client, launching browser.mjs as a process with a URL log', async () => {
    const fake = await startFakeAuthServer({ scopesSupported: ['mcp'] });
    const callback = await startCallbackListener();
    const logFile = join(tempDir('browser-log-'), 'visited.txt');
    const launch = (url: string) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [BROWSER, url], { env: { ...process.env, STAND_IN_BROWSER_LOG: logFile }, stdio: 'ignore' });
        child.on('exit', resolve);
      });
    const oauth = new TestOAuthClient(callback, async (url) => expect(await launch(url)).toBe(0));
    const client = await connectWithOAuth(fake.url, oauth, callback);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('hi');

    const visited = readFileSync(logFile, 'utf8').trim().split('\n');
    expect(visited).toHaveLength(2); // /authorize, then the callback
    expect(new URL(visited[1]!).searchParams.get('iss')).toBe(fake.issuer);
    expect(fake.authorizeRequests[0]?.get('resource')).toBe(fake.url);
    expect(fake.tokenRequests[0]?.get('grant_type')).toBe('authorization_code');
  });
});
