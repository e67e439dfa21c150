// Issue 9: authorization as deployed servers do it. Cloudflare's workers-oauth-provider (from
// npm, run under Node, the authorization server and the MCP server on two origins) and the fake
// authorization server where a behaviour has to be forced.
import { describe, expect, it, vi } from 'vitest';
import { errorOf, runCli, spawnProxy, resultOf, toolText } from '../fixtures/cli.js';
import { runStandInBrowser } from '../fixtures/browser.mjs';
import { completeDeviceSignIn, devicePrompt, type DevicePrompt } from '../fixtures/device-user.js';
import { startOidcServer } from '../fixtures/oidc-server.js';
import { startProtectedMcpServer } from '../fixtures/protected-mcp-server.js';
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
    expect(exchange!.authorization).toBe(
      `Basic ${Buffer.from(`${encodeURIComponent(client!.clientId)}:${encodeURIComponent(client!.clientSecret!)}`).toString('base64')}`,
    );
    expect(login.stderr).not.toContain(client!.clientSecret);

    // The stored token works through the proxy, against the MCP server on the other origin.
    const proxy = spawnProxy([cf.mcpUrl, ...h.args()], h.env());
    resultOf(await proxy.initialize());
    expect(toolText(await proxy.callTool('echo', { text: 'hi' }))).toBe('hi');
    expect(proxy.stderr).not.toContain(client!.clientSecret);
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

describe('a browser that cannot be launched (issue 9 item 6)', () => {
  const exitsAtOnce = `"${process.execPath}" -e "process.exit(3)"`;

  it('regression: the host waited for --auth-timeout; now the waiting request gets AUTH_BROWSER with the sign-in URL, and the sign-in still completes', async () => {
    const fake = await startFakeAuthServer();
    const h = oauthHarness();
    const proxy = spawnProxy([fake.url, '--browser', exitsAtOnce, '--auth-dir', h.authDir, '--auth-timeout', '600'], h.env());
    const err = errorOf(await proxy.initialize());
    expect(err.data).toMatchObject({ code: 'AUTH_BROWSER', signInUrl: expect.stringContaining('/oauth2/authorize?') });
    expect(err.message).toContain(err.data.signInUrl);
    expect(proxy.stderr).toContain('the browser could not be opened ("');
    expect(proxy.stderr).toContain('exited with code 3');

    // The user opens the URL themselves: the sign-in that was waiting completes, the next request works.
    const page = await runStandInBrowser(err.data.signInUrl as string);
    expect(page.status).toBe(200);
    resultOf(await proxy.initialize());
    expect(toolText(await proxy.callTool('echo', { text: 'signed in' }))).toBe('signed in');
  });

  it('a --browser command that does not exist: the device flow takes over where the AS offers it', async () => {
    const oidc = await startOidcServer({ deviceInterval: 1 });
    const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
    const h = oauthHarness();
    const proxy = spawnProxy([mcp.url, '--browser', '/nonexistent/mcp-auth-proxy-test-browser', '--auth-dir', h.authDir, '--auth-timeout', '60'], h.env());
    const init = proxy.initialize();
    const prompt = await new Promise<DevicePrompt>((resolve, reject) => {
      const look = () => {
        const p = devicePrompt(proxy.stderr);
        if (p) return resolve(p);
        if (!proxy.running) return reject(new Error(proxy.stderr));
        proxy.child.stderr.once('data', look);
      };
      look();
    });
    expect(proxy.stderr).toContain('could not start "/nonexistent/mcp-auth-proxy-test-browser"');
    expect((await completeDeviceSignIn(prompt.url)).text).toContain('Sign-in Success');
    resultOf(await init);
    expect(toolText(await proxy.callTool('echo', { text: 'via device' }))).toBe('via device');
  });
});

describe('offline_access listed but refused (issue 9 item 4)', () => {
  it('asks for offline_access where the AS lists it; on invalid_scope asks again without it, and the sign-in completes', async () => {
    const fake = await startFakeAuthServer({
      scopesSupported: ['mcp:read', 'offline_access'],
      challenge: { scope: 'mcp:read' },
      refuseScope: 'offline_access',
    });
    const h = oauthHarness();
    const login = await cli(h, ['login', fake.url, ...h.args(['--log-level', 'info'])]);
    expect(login.code, login.stderr).toBe(0);
    expect(fake.authorizeRequests.map((q) => q.get('scope'))).toEqual(['mcp:read offline_access', 'mcp:read']);
    expect(login.stderr).toContain('asking again without it');
    expect(readStore(h.authDir).servers[0]!.byIssuer[fake.issuer]!.requestedScope).toBe('mcp:read');
  });
});
