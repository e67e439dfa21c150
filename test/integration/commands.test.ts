// The shell commands (login, logout, status, token) against real components: oidc-provider as the
// authorization server (revocation included), the SDK MCP server as the protected resource, the
// stand-in browser, a private --auth-dir per test. Secrets must never appear in any output but
// `token`'s stdout.
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../fixtures/cli.js';
import { startOidcServer } from '../fixtures/oidc-server.js';
import { startProtectedMcpServer } from '../fixtures/protected-mcp-server.js';
import { startFakeAuthServer } from '../fixtures/fake-auth-server.js';
import { startMcpServer } from '../fixtures/mcp-server.js';
import { oauthHarness, readStore, storedTokens, type OAuthHarness, setStoredExpiry } from '../fixtures/oauth-cli.js';

vi.setConfig({ testTimeout: 30_000 });

type Run = Awaited<ReturnType<typeof runCli>>;

/** Runs one command with the harness's browser and environment. */
function cli(h: OAuthHarness, args: string[]): Promise<Run> {
  return runCli(args, { env: h.env(), timeoutMs: 25_000 });
}

function expectNoSecrets(run: Run, secrets: Array<string | undefined>): void {
  for (const secret of secrets) {
    if (!secret) continue;
    expect(run.stdout).not.toContain(secret);
    expect(run.stderr).not.toContain(secret);
  }
}

/** A plain HTTP POST of `initialize` to the MCP server, as curl would send it. */
async function postInitialize(url: string, token: string | undefined): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      accept: 'application/json, text/event-stream',
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '0' } },
    }),
  });
  await res.body?.cancel();
  return res.status;
}

async function protectedServer() {
  const oidc = await startOidcServer();
  const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
  return { oidc, mcp };
}

describe('login → status → token → logout', () => {
  it('signs in, shows the credentials without a token, prints a working token, revokes and forgets it', async () => {
    const { oidc, mcp } = await protectedServer();
    const h = oauthHarness();

    const login = await cli(h, ['login', mcp.url, ...h.args()]);
    expect(login.code, login.stderr).toBe(0);
    const tokens = storedTokens(h.authDir);
    const [client] = readStore(h.authDir).clients;
    expect(login.stdout).toContain(`Signed in to ${mcp.url}`);
    expect(login.stdout).toContain(oidc.issuer);
    expect(login.stdout).toContain(client!.clientId);
    expect(login.stdout).toContain('mcp:read');
    expect(login.stdout).toMatch(/access token\s+expires in \d+ min \(\d{4}-\d\d-\d\dT/);
    expect(login.stdout).toMatch(/refresh token\s+yes/);
    expect(h.authorizationRequests()).toHaveLength(1);
    const secrets = [tokens.accessToken, tokens.refreshToken];
    expectNoSecrets(login, secrets);

    // Usable tokens stored: nothing to do, no browser.
    const again = await cli(h, ['login', mcp.url, ...h.args()]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`Already signed in to ${mcp.url}`);
    expect(again.stdout).toContain('--force');
    expect(h.authorizationRequests()).toHaveLength(1);
    expectNoSecrets(again, secrets);

    const status = await cli(h, ['status', '--auth-dir', h.authDir]);
    expect(status.code, status.stderr).toBe(0);
    const [header, row, ...rest] = status.stdout.trimEnd().split('\n');
    expect(rest).toEqual([]);
    expect(header).toMatch(/^SERVER\s+ISSUER\s+CLIENT ID\s+SCOPES\s+ACCESS TOKEN\s+REFRESH TOKEN\s+BINDING$/);
    for (const cell of [mcp.url, oidc.issuer, client!.clientId, 'mcp:read']) expect(row).toContain(cell);
    expect(row).toMatch(/in \d+ min\s+yes\s+Bearer$/);
    expectNoSecrets(status, secrets);

    const json = await cli(h, ['status', '--json', '--auth-dir', h.authDir]);
    expect(json.code, json.stderr).toBe(0);
    const entries = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      server: mcp.url,
      issuer: oidc.issuer,
      clientId: client!.clientId,
      accessToken: 'valid',
      refreshToken: true,
      resource: mcp.resource,
    });
    expect(entries[0]!['scope']).toContain('mcp:read');
    expect(entries[0]!['expiresIn']).toBeGreaterThan(0);
    expect(Date.parse(entries[0]!['expiresAt'] as string)).toBe(tokens.expiresAt);
    expectNoSecrets(json, secrets);

    const token = await cli(h, ['token', mcp.url, ...h.args()]);
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout).toBe(`${tokens.accessToken}\n`);
    expect(token.stderr).toBe('');
    expect(await postInitialize(mcp.url, token.stdout.trim())).toBe(200);
    expect(await postInitialize(mcp.url, undefined)).toBe(401);

    const logout = await cli(h, ['logout', mcp.url, '--auth-dir', h.authDir]);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stdout).toBe('');
    expect(logout.stderr).toContain('revoked the refresh token');
    expect(logout.stderr).toContain(`signed out of ${mcp.url}`);
    // The refresh token, then the access token (a JWT, which oidc-provider does not revoke on its own).
    expect(oidc.counters.revocations).toBe(2);
    const revocations = oidc.log.entries.filter((e) => e.path.endsWith('/token/revocation'));
    expect(revocations.map((e) => new URLSearchParams(e.rawBody ?? '').get('token_type_hint'))).toEqual(['refresh_token', 'access_token']);
    expect(new URLSearchParams(revocations[0]!.rawBody ?? '').get('client_id')).toBe(client!.clientId);
    expectNoSecrets(logout, secrets);
    // Revoking the refresh token revoked its grant: the access token is dead too.
    expect(await postInitialize(mcp.url, tokens.accessToken)).toBe(401);
    expect(readStore(h.authDir).servers).toEqual([]);
    expect(readStore(h.authDir).clients).toHaveLength(1); // the registration stays without --all

    const empty = await cli(h, ['status', '--auth-dir', h.authDir]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('No stored credentials');
    const emptyJson = await cli(h, ['status', '--json', '--auth-dir', h.authDir]);
    expect(JSON.parse(emptyJson.stdout)).toEqual([]);
  });

  it('token refreshes an expired access token without the browser', async () => {
    const { oidc, mcp } = await protectedServer();
    const h = oauthHarness();
    expect((await cli(h, ['login', mcp.url, ...h.args()])).code).toBe(0);
    const before = storedTokens(h.authDir);
    setStoredExpiry(h.authDir, Date.now() - 3_600_000);
    oidc.expireAccessTokens();

    const expired = await cli(h, ['status', '--auth-dir', h.authDir]);
    expect(expired.stdout).toMatch(/expired 1 h ago\s+yes\s+Bearer$/m);

    const token = await cli(h, ['token', mcp.url, ...h.args()]);
    expect(token.code, token.stderr).toBe(0);
    const printed = token.stdout.trim();
    expect(token.stdout).toBe(`${printed}\n`);
    expect(printed).not.toBe(before.accessToken);
    expect(oidc.counters.tokenRequests.refresh_token).toBe(1);
    expect(h.authorizationRequests()).toHaveLength(1);
    expect(storedTokens(h.authDir).accessToken).toBe(printed);
    expect(await postInitialize(mcp.url, printed)).toBe(200);
  });

  it('token with nothing stored signs in through the browser; only the token reaches stdout', async () => {
    const { mcp } = await protectedServer();
    const h = oauthHarness();
    const token = await cli(h, ['token', mcp.url, ...h.args()]);
    expect(token.code, token.stderr).toBe(0);
    expect(h.authorizationRequests()).toHaveLength(1);
    expect(token.stdout).toBe(`${storedTokens(h.authDir).accessToken}\n`);
    expect(token.stderr).toContain('signing in');
    expect(await postInitialize(mcp.url, token.stdout.trim())).toBe(200);
  });

  it('login --force signs in again; a stored token the server refuses is replaced without --force', async () => {
    const { oidc, mcp } = await protectedServer();
    const h = oauthHarness();
    expect((await cli(h, ['login', mcp.url, ...h.args()])).code).toBe(0);
    const forced = await cli(h, ['login', mcp.url, '--force', ...h.args()]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('Signed in to');
    expect(h.authorizationRequests()).toHaveLength(2);
    expect(oidc.counters.registrations).toBe(1);

    oidc.revokeAll();
    const refused = await cli(h, ['login', mcp.url, ...h.args()]);
    expect(refused.code, refused.stderr).toBe(0);
    expect(refused.stderr).toContain('refused the stored token');
    expect(refused.stdout).toContain('Signed in to');
    expect(h.authorizationRequests()).toHaveLength(3);
    expect(await postInitialize(mcp.url, storedTokens(h.authDir).accessToken)).toBe(200);
  });

  it("options before the command name are the command's", async () => {
    const { mcp } = await protectedServer();
    const h = oauthHarness();
    expect((await cli(h, [...h.args(), 'login', mcp.url])).code).toBe(0);
    const status = await cli(h, ['--auth-dir', h.authDir, 'status', mcp.url]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(mcp.url);
  });
});

describe('logout', () => {
  it('--all also forgets the client registration; the next login registers again', async () => {
    const { oidc, mcp } = await protectedServer();
    const h = oauthHarness();
    expect((await cli(h, ['login', mcp.url, ...h.args()])).code).toBe(0);
    const [client] = readStore(h.authDir).clients;
    const logout = await cli(h, ['logout', mcp.url, '--all', '--auth-dir', h.authDir]);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stderr).toContain(`forgot the client registration ${client!.clientId}`);
    expect(oidc.counters.revocations).toBe(2);
    const store = readStore(h.authDir);
    expect(store.servers).toEqual([]);
    expect(store.clients).toEqual([]);
    expect((await cli(h, ['login', mcp.url, ...h.args()])).code).toBe(0);
    expect(oidc.counters.registrations).toBe(2);
  });

  it('--all-servers signs out of every server; a server not stored is nothing to do', async () => {
    const oidc = await startOidcServer();
    const one = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
    const two = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'], path: '/other' });
    const h = oauthHarness();
    expect((await cli(h, ['login', one.url, ...h.args()])).code).toBe(0);
    expect((await cli(h, ['login', two.url, ...h.args()])).code).toBe(0);
    const status = await cli(h, ['status', '--json', '--auth-dir', h.authDir]);
    expect((JSON.parse(status.stdout) as Array<{ server: string }>).map((e) => e.server).sort()).toEqual([one.url, two.url].sort());

    const unknown = await cli(h, ['logout', 'http://127.0.0.1:9/nothing', '--auth-dir', h.authDir]);
    expect(unknown.code).toBe(0);
    expect(unknown.stderr).toContain('nothing to do');
    expect(oidc.counters.revocations).toBe(0);

    const logout = await cli(h, ['logout', '--all-servers', '--auth-dir', h.authDir]);
    expect(logout.code, logout.stderr).toBe(0);
    expect(oidc.counters.revocations).toBe(4);
    expect(readStore(h.authDir).servers).toEqual([]);
    expect(readStore(h.authDir).clients).toHaveLength(1);
  });

  it('a revocation that fails is a warning: the tokens are deleted and the exit code is 0', async () => {
    const { oidc, mcp } = await protectedServer();
    const h = oauthHarness();
    expect((await cli(h, ['login', mcp.url, ...h.args()])).code).toBe(0);
    const tokens = storedTokens(h.authDir);
    await oidc.close();
    const logout = await cli(h, ['logout', mcp.url, '--auth-dir', h.authDir]);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stderr).toContain('warning: could not revoke the refresh token');
    expect(logout.stderr).toContain(`signed out of ${mcp.url}`);
    expectNoSecrets(logout, [tokens.accessToken, tokens.refreshToken]);
    expect(readStore(h.authDir).servers).toEqual([]);
  });

  it('an authorization server without a revocation endpoint: tokens deleted, with a warning', async () => {
    const fake = await startFakeAuthServer({ metadata: { revocation_endpoint: null } });
    const h = oauthHarness();
    expect((await cli(h, ['login', fake.url, ...h.args()])).code).toBe(0);
    const logout = await cli(h, ['logout', fake.url, '--auth-dir', h.authDir]);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stderr).toContain('offers no revocation endpoint');
    expect(readStore(h.authDir).servers).toEqual([]);
  });
});

describe('exit codes', () => {
  it.each([
    [['logout'], 'name the server'],
    [['logout', 'http://127.0.0.1:9/mcp', '--all-servers'], 'not both'],
    [['token'], 'server-url'],
    [['login'], 'server-url'],
    [['login', 'not-a-url'], 'not a URL'],
    [['login', 'http://127.0.0.1:9/mcp', '--transport', 'sse'], '--transport'],
    [['login', 'http://127.0.0.1:9/mcp', '--client-secret', 's3cret-value'], '--client-id'],
    [['logout', 'http://127.0.0.1:9/mcp', '--client-secret', 's3cret-value'], '--client-id'],
    [['status', '--bogus'], '--bogus'],
    [['--transport', 'sse', 'status'], 'does not apply'],
    [['logni', 'http://127.0.0.1:9/mcp'], 'login'],
    [['login', 'http://mcp.example/mcp'], '--allow-http'],
    [['token', 'http://127.0.0.1:9/mcp', '-H', 'Authorization: Bearer abcdefgh12345'], 'Authorization'],
  ])('usage error %j → exit 2, names the problem', async (args, expected) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(expected);
    expect(r.stdout).toBe('');
  });

  it('a token endpoint failing during login → exit 3, nothing on stdout, nothing stored', async () => {
    const fake = await startFakeAuthServer({ tokenFault: 'server-error' });
    const h = oauthHarness();
    const login = await cli(h, ['login', fake.url, ...h.args()]);
    expect(login.code).toBe(3);
    expect(login.stdout).toBe('');
    expect(login.stderr).toContain('token endpoint');
    expect(readStore(h.authDir).servers).toEqual([]);
  });

  it('a sign-in declined in the browser → exit 3 (also for token)', async () => {
    const { mcp } = await protectedServer();
    const h = oauthHarness({ mode: 'deny' });
    const login = await cli(h, ['login', mcp.url, ...h.args()]);
    expect(login.code).toBe(3);
    expect(login.stdout).toBe('');
    const token = await cli(h, ['token', mcp.url, ...h.args()]);
    expect(token.code).toBe(3);
    expect(token.stdout).toBe('');
  });

  it('a server that does not ask for authorization → exit 1, saying so', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const h = oauthHarness();
    const login = await cli(h, ['login', server.url, ...h.args()]);
    expect(login.code).toBe(1);
    expect(login.stderr).toContain('does not ask for authorization');
    expect(h.visits()).toEqual([]);
    expect(server.sessionIds).toEqual([]);
  });

  it('an unreachable server → exit 1', async () => {
    const h = oauthHarness();
    const login = await cli(h, ['login', 'http://127.0.0.1:9/mcp', ...h.args()]);
    expect(login.code).toBe(1);
    expect(login.stderr).toContain('could not connect');
  });
});

describe('help', () => {
  it('--help lists the commands; each command has its own help with examples', async () => {
    const main = await runCli(['--help']);
    expect(main.code).toBe(0);
    for (const name of ['login', 'logout', 'status', 'token']) expect(main.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(main.stdout).toContain('3 authorization problem');
    for (const [name, flags] of [
      ['login', ['--force', '--scope', '--client-id', '--browser', '--auth-dir', '--callback-port', '--no-resource', '--assume-pkce', '--header']],
      ['logout', ['--all', '--all-servers', '--auth-dir']],
      ['status', ['--json', '--auth-dir']],
      ['token', ['--scope', '--browser', '--auth-dir']],
    ] as const) {
      const r = await runCli([name, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: mcp-auth-proxy ${name}`);
      expect(r.stdout).toContain('Examples:');
      expect(r.stdout).toContain(`$ mcp-auth-proxy ${name}`);
      for (const flag of flags) expect(r.stdout).toContain(flag);
      expect(r.stdout).not.toContain('--transport');
    }
    const viaHelp = await runCli(['help', 'token']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain('Usage: mcp-auth-proxy token');
  });
});
