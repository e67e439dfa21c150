// Issue 9: authorization as deployed servers do it. Cloudflare's workers-oauth-provider (from
// npm, run under Node, the authorization server and the MCP server on two origins) and the fake
// authorization server where a behaviour has to be forced.
import { describe, expect, it, vi } from 'vitest';
import { runCli, spawnProxy, resultOf, toolText } from '../fixtures/cli.js';
import { startCloudflareOAuth } from '../fixtures/cloudflare-oauth.js';
import { startFakeAuthServer } from '../fixtures/fake-auth-server.js';
import { modeOf, oauthHarness, readStore, storedTokens, type OAuthHarness } from '../fixtures/oauth-cli.js';
import { join } from 'node:path';

vi.setConfig({ testTimeout: 40_000 });

function cli(h: OAuthHarness, args: string[]) {
  return runCli(args, { env: h.env(), timeoutMs: 30_000 });
}

describe('registration with a server that refuses public clients (issue 9 item 3)', () => {
  it('Cloudflare with public registration disabled: registers again as a confidential client (client_secret_basic), stores the secret 0600, and uses it', async () => {
    const cf = await startCloudflareOAuth({ disallowPublicClientRegistration: true });
    const h = oauthHarness();
    const login = await cli(h, ['login', cf.mcpUrl, ...h.args()]);
    expect(login.code, login.stderr).toBe(0);

    const registrations = cf.requests.filter((r) => r.path === '/register');
    expect(registrations.map((r) => [r.json?.['token_endpoint_auth_method'], r.status])).toEqual([
      ['none', 400],
      ['client_secret_basic', 201],
    ]);
    const [client] = readStore(h.authDir).clients;
    expect(client!.clientSecret).toEqual(expect.any(String));
    expect(modeOf(join(h.authDir, client!.file))).toBe(0o600);
    // The code exchange authenticates with the secret (RFC 6749 §2.3.1 Basic), not as a public client.
    const exchange = cf.requests.find((r) => r.path === '/token' && r.form?.['grant_type'] === 'authorization_code');
    expect(exchange!.status).toBe(200);
    expect(exchange!.authorization).toBe(`Basic ${Buffer.from(`${encodeURIComponent(client!.clientId)}:${encodeURIComponent(client!.clientSecret!)}`).toString('base64')}`);
    expect(login.stderr).not.toContain(client!.clientSecret);

    // The stored token works through the proxy, against the MCP server on the other origin.
    const proxy = spawnProxy([cf.mcpUrl, ...h.args()], h.env());
    resultOf(await proxy.initialize());
    expect(toolText(await proxy.callTool('echo', { text: 'hi' }))).toBe('hi');
    expect(proxy.stderr).not.toContain(client!.clientSecret);
    void storedTokens;
  });

  it('Cloudflare accepting public clients: one registration, as a public client (none), no secret', async () => {
    const cf = await startCloudflareOAuth();
    const h = oauthHarness();
    const login = await cli(h, ['login', cf.mcpUrl, ...h.args()]);
    expect(login.code, login.stderr).toBe(0);
    const registrations = cf.requests.filter((r) => r.path === '/register');
    expect(registrations.map((r) => [r.json?.['token_endpoint_auth_method'], r.status])).toEqual([['none', 201]]);
    expect(readStore(h.authDir).clients[0]!.clientSecret).toBeUndefined();
  });
});

describe('logout where the access token cannot be revoked (issue 9 item 5)', () => {
  it('says the refresh token is revoked and the access token stays valid until its expiry time', async () => {
    const fake = await startFakeAuthServer({ revokeAccessTokens: false, accessTokenTtl: 600 });
    const h = oauthHarness();
    expect((await cli(h, ['login', fake.url, ...h.args()])).code).toBe(0);
    const tokens = storedTokens(h.authDir);
    const logout = await cli(h, ['logout', fake.url, '--auth-dir', h.authDir]);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stderr).toContain('revoked the refresh token');
    expect(logout.stderr).toContain(`the access token stays valid until it expires at ${new Date(tokens.expiresAt!).toISOString()}`);
    expect(fake.accessTokens.has(tokens.accessToken)).toBe(true); // still valid there, as said
    expect(logout.stderr).not.toContain(tokens.accessToken);
    expect(readStore(h.authDir).servers).toEqual([]);
  });
});
