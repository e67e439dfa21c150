// `mcp-auth-proxy doctor` against real components on 127.0.0.1: oidc-provider and the SDK MCP
// server (a healthy OAuth setup, signed in with `login` first), the fake authorization server with
// an issuer mismatch, an https server whose certificate comes from a CA of the test's own, a port
// nothing listens on, a 2026-07-28 server, a legacy SSE server, a forward proxy. Each test has its
// own --auth-dir; no output may carry a token.
import { describe, expect, it, vi } from 'vitest';
import { writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { runCli, type Env } from '../fixtures/cli.js';
import { startConnectProxy } from '../fixtures/connect-proxy.js';
import { startFakeAuthServer } from '../fixtures/fake-auth-server.js';
import { startHttpsMcpServer } from '../fixtures/https-servers.js';
import { startMcpServer } from '../fixtures/mcp-server.js';
import { startModernMcpServer } from '../fixtures/modern-mcp-server.js';
import { oauthHarness, readStore, storedTokens, tempDir, type OAuthHarness, setStoredExpiry } from '../fixtures/oauth-cli.js';
import { startOidcServer } from '../fixtures/oidc-server.js';
import { startProtectedMcpServer } from '../fixtures/protected-mcp-server.js';
import { deadPort, listen } from '../fixtures/raw-server.js';
import { makeTestPki } from '../fixtures/tls-certs.js';

vi.setConfig({ testTimeout: 40_000 });

const STEP_IDS = ['dns', 'connect', 'proxy', 'transport', 'resource-metadata', 'authorization-server', 'credentials', 'tools'];

interface Step {
  step: string;
  ok: boolean | null;
  ms: number;
  detail: string;
  hint: string | null;
}

type Run = Awaited<ReturnType<typeof runCli>> & { steps: Step[] };

/** Runs doctor with --json and an auth dir of its own (unless args name one). */
async function doctor(url: string, args: string[] = [], env: Env = {}): Promise<Run> {
  const auth = args.includes('--auth-dir') ? [] : ['--auth-dir', tempDir('mcp-auth-proxy-doctor-')];
  const run = await runCli(['doctor', url, '--json', ...auth, ...args], { env, timeoutMs: 30_000 });
  let steps: Step[];
  try {
    steps = JSON.parse(run.stdout) as Step[];
  } catch {
    throw new Error(`doctor printed no JSON (exit ${run.code})\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
  return { ...run, steps };
}

function step(run: Run, id: string): Step {
  const found = run.steps.find((s) => s.step === id);
  if (!found) throw new Error(`no step ${id} in ${JSON.stringify(run.steps)}`);
  return found;
}

/** Every step's ok, in order, for a compact assertion. */
const oks = (run: Run): Array<boolean | null> => run.steps.map((s) => s.ok);

function explain(run: Run): string {
  return `exit ${run.code}\n${run.steps.map((s) => `${s.ok === true ? '✓' : s.ok === false ? '✗' : '–'} ${s.step}: ${s.detail}${s.hint ? `\n    fix: ${s.hint}` : ''}`).join('\n')}\nstderr:\n${run.stderr}`;
}

function expectNoSecrets(run: { stdout: string; stderr: string }, secrets: Array<string | undefined>): void {
  for (const secret of secrets) {
    if (!secret) continue;
    expect(run.stdout).not.toContain(secret);
    expect(run.stderr).not.toContain(secret);
  }
}

async function signedIn(): Promise<{
  mcp: Awaited<ReturnType<typeof startProtectedMcpServer>>;
  oidc: Awaited<ReturnType<typeof startOidcServer>>;
  h: OAuthHarness;
}> {
  const oidc = await startOidcServer();
  const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
  const h = oauthHarness();
  const login = await runCli(['login', mcp.url, ...h.args()], { env: h.env(), timeoutMs: 25_000 });
  expect(login.code, login.stderr).toBe(0);
  return { mcp, oidc, h };
}

describe('doctor: a healthy OAuth server', () => {
  it('every check passes after login: exit 0, the tools counted, no token printed; the human output has one line per step', async () => {
    const { mcp, oidc, h } = await signedIn();
    const visitsBefore = h.visits().length;
    const run = await doctor(mcp.url, ['--auth-dir', h.authDir], h.env());
    expect(run.code, explain(run)).toBe(0);
    expect(run.steps.map((s) => s.step)).toEqual(STEP_IDS);
    expect(oks(run), explain(run)).toEqual([true, true, true, true, true, true, true, true]);
    expect(step(run, 'connect').detail).toContain('plain http on loopback');
    expect(step(run, 'proxy').detail).toMatch(/^none/);
    expect(step(run, 'transport').detail).toContain('Streamable HTTP');
    expect(step(run, 'resource-metadata').detail).toContain(mcp.prmUrl);
    expect(step(run, 'resource-metadata').detail).toContain(`resource ${mcp.resource}`);
    expect(step(run, 'resource-metadata').detail).toContain(oidc.issuer);
    const as = step(run, 'authorization-server').detail;
    expect(as).toContain(oidc.issuer);
    expect(as).toContain('PKCE S256 yes');
    expect(as).toContain('RFC 9207 iss yes');
    expect(as).toContain('dynamic registration yes');
    expect(as).toMatch(/device authorization grant (yes|no)/);
    expect(as).toContain(`registered client ${readStore(h.authDir).clients[0]!.clientId}`);
    expect(step(run, 'credentials').detail).toMatch(/access token in \d+ min; refresh token yes/);
    expect(step(run, 'tools').detail).toMatch(/^2 tools \(echo, whoami\) from protected-fixture-server 1\.0\.0 over Streamable HTTP, MCP 2025-/);
    for (const s of run.steps) {
      expect(s.hint).toBeNull();
      expect(Number.isInteger(s.ms) && s.ms >= 0).toBe(true);
    }
    // No browser, no new sign-in; the session it opened for tools/list was closed.
    expect(h.visits()).toHaveLength(visitsBefore);
    expect(oidc.counters.authorizationRequests).toBe(1);
    expect(mcp.log.entries.filter((e) => e.method === 'DELETE')).toHaveLength(1);
    const tokens = storedTokens(h.authDir);
    expectNoSecrets(run, [tokens.accessToken, tokens.refreshToken]);

    const human = await runCli(['doctor', mcp.url, '--auth-dir', h.authDir], { env: h.env(), timeoutMs: 30_000 });
    expect(human.code, human.stdout + human.stderr).toBe(0);
    const lines = human.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`mcp-auth-proxy doctor ${mcp.url}`);
    expect(lines.slice(1, 9).map((l) => l.slice(0, 4))).toEqual(['✓ 1.', '✓ 2.', '✓ 3.', '✓ 4.', '✓ 5.', '✓ 6.', '✓ 7.', '✓ 8.']);
    for (const line of lines.slice(1, 9)) expect(line).toMatch(/^✓ \d\. [a-zA-Z/ ]+ +\d+ ms {2}\S/);
    expect(lines[9]).toMatch(/^All checks passed/);
    expect(lines).toHaveLength(10);
    expect(human.stderr).toBe('');
    expectNoSecrets(human, [tokens.accessToken, tokens.refreshToken]);
  });

  it('an expired access token is refreshed (step 7) and the era is found with the new one (step 8)', async () => {
    const { mcp, oidc, h } = await signedIn();
    const before = storedTokens(h.authDir);
    setStoredExpiry(h.authDir, Date.now() - 3_600_000);
    oidc.expireAccessTokens();

    const run = await doctor(mcp.url, ['--auth-dir', h.authDir]);
    expect(run.code, explain(run)).toBe(0);
    expect(oks(run), explain(run)).toEqual([true, true, true, null, true, true, true, true]);
    expect(step(run, 'transport').detail).toContain('detected with credentials in step 8');
    expect(step(run, 'credentials').detail).toMatch(/had expired 1 h ago; refreshed it/);
    expect(step(run, 'tools').detail).toContain('Streamable HTTP');
    expect(oidc.counters.tokenRequests.refresh_token).toBe(1);
    const after = storedTokens(h.authDir);
    expect(after.accessToken).not.toBe(before.accessToken);
    expectNoSecrets(run, [before.accessToken, before.refreshToken, after.accessToken, after.refreshToken]);
  });

  it('no stored credentials: ✗ at step 7 with the login command, tools/list skipped, exit 3, no browser', async () => {
    const oidc = await startOidcServer();
    const mcp = await startProtectedMcpServer({ authServer: oidc });
    const h = oauthHarness();
    const run = await doctor(mcp.url, ['--auth-dir', h.authDir], h.env());
    expect(run.code, explain(run)).toBe(3);
    expect(oks(run), explain(run)).toEqual([true, true, true, null, true, true, false, null]);
    expect(step(run, 'credentials').detail).toContain('none stored');
    expect(step(run, 'credentials').hint).toContain(`mcp-auth-proxy login ${mcp.url}`);
    expect(step(run, 'tools').detail).toMatch(/^skipped: no credentials/);
    expect(step(run, 'authorization-server').detail).toContain('registers itself at the first sign-in');
    expect(h.visits()).toEqual([]);
    expect(oidc.counters.registrations).toBe(0);
  });
});

describe('doctor: broken authorization server metadata', () => {
  it('an issuer mismatch is ✗ at step 6, naming the field; exit 3', async () => {
    const server = await startFakeAuthServer({ metadata: { issuer: 'http://127.0.0.1:9/not-the-issuer' } });
    const run = await doctor(server.url);
    expect(run.code, explain(run)).toBe(3);
    const as = step(run, 'authorization-server');
    expect(as.ok, explain(run)).toBe(false);
    expect(as.detail).toContain('"issuer"');
    expect(as.detail).toContain('does not match');
    expect(as.hint).toContain("server's operators");
    // Everything before it passed (the era waits for credentials), the first ✗ is step 6.
    expect(oks(run).slice(0, 5), explain(run)).toEqual([true, true, true, null, true]);
    expect(run.steps.findIndex((s) => s.ok === false)).toBe(5);
    expect(server.registrations).toEqual([]);
    expect(server.authorizeRequests).toEqual([]);
  });
});

describe('doctor: TLS', () => {
  it('a certificate from an unknown CA is ✗ at step 2, named, with --ca-file / NODE_EXTRA_CA_CERTS as the fix; both fix it', async () => {
    const pki = makeTestPki({ caName: 'Doctor Test CA' });
    const server = await startHttpsMcpServer(pki);
    const run = await doctor(server.url);
    expect(run.code, explain(run)).toBe(1);
    const connect = step(run, 'connect');
    expect(connect.ok, explain(run)).toBe(false);
    expect(connect.detail).toContain('unknown CA (Doctor Test CA)');
    expect(connect.detail).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(connect.hint).toContain('--ca-file');
    expect(connect.hint).toContain('NODE_EXTRA_CA_CERTS');
    expect(oks(run)).toEqual([true, false, true, null, null, null, null, null]);
    expect(server.log.entries).toEqual([]); // the handshake was the end of it: no request sent

    const caFile = join(tempDir(), 'ca.pem');
    writeFileSync(caFile, pki.caPem);
    const trusted = await doctor(server.url, ['--ca-file', caFile]);
    expect(trusted.code, explain(trusted)).toBe(0);
    expect(step(trusted, 'connect').detail).toMatch(/TLSv1\.[23], certificate for localhost, 127\.0\.0\.1 issued by Doctor Test CA/);
    expect(step(trusted, 'tools').detail).toMatch(/^1 tool \(echo\)/);

    const extra = await doctor(server.url, [], { NODE_EXTRA_CA_CERTS: caFile });
    expect(extra.code, explain(extra)).toBe(0);
    expect(step(extra, 'connect').ok).toBe(true);
  });

  it('a chain ending in an untrusted self-signed root (as TLS inspection presents it) is named as such', async () => {
    const pki = makeTestPki();
    const server = createHttpsServer({ key: pki.keyPem, cert: pki.certPem + pki.caPem }, (_req, res) => res.writeHead(404).end());
    server.on('tlsClientError', () => undefined);
    const { origin } = await listen(server as unknown as Parameters<typeof listen>[0]);
    const run = await doctor(`${origin.replace('http:', 'https:')}/mcp`);
    expect(run.code, explain(run)).toBe(1);
    const connect = step(run, 'connect');
    expect(connect.ok, explain(run)).toBe(false);
    expect(connect.detail).toContain('self-signed root that is not trusted');
    expect(connect.detail).toContain('SELF_SIGNED_CERT_IN_CHAIN');
    expect(connect.hint).toContain('--ca-file');
  });
});

describe('doctor: an unreachable server', () => {
  it('a port nothing listens on is ✗ at step 2 (connection refused); exit 1; the rest skipped; --json shape', async () => {
    const port = await deadPort();
    const run = await doctor(`http://127.0.0.1:${port}/mcp`);
    expect(run.code, explain(run)).toBe(1);
    expect(oks(run)).toEqual([true, false, true, null, null, null, null, null]);
    const connect = step(run, 'connect');
    expect(connect.detail).toContain('ECONNREFUSED');
    expect(connect.detail).toContain('connection refused');
    expect(connect.hint).toContain('is the server running');
    for (const s of run.steps.slice(3)) expect(s.detail).toBe('skipped: the server cannot be reached (step 2)');
    // The --json shape: exactly these keys, in step order; a hint only on ✗.
    expect(run.steps.map((s) => s.step)).toEqual(STEP_IDS);
    for (const s of run.steps) {
      expect(Object.keys(s).sort()).toEqual(['detail', 'hint', 'ms', 'ok', 'step']);
      expect(typeof s.ms).toBe('number');
      expect(typeof s.detail).toBe('string');
      expect(s.ok === true || s.ok === false || s.ok === null).toBe(true);
      if (s.ok === false) expect(typeof s.hint).toBe('string');
      else expect(s.hint).toBeNull();
    }
    expect(run.stderr).toBe('');
  });

  it('a host name that does not resolve is ✗ at step 1, named', async () => {
    const run = await doctor('https://no-such-host.invalid/mcp');
    expect(run.code, explain(run)).toBe(1);
    expect(step(run, 'dns').ok, explain(run)).toBe(false);
    expect(step(run, 'dns').detail).toMatch(/no-such-host\.invalid: .*\((ENOTFOUND|EAI_AGAIN)\)/);
    expect(step(run, 'connect').detail).toBe('skipped: the host name does not resolve (step 1)');
  });
});

describe('doctor: protocol eras and transports', () => {
  it('a 2026-07-28 server: the era is reported, the tools listed as a host sees them, the era cache untouched', async () => {
    const server = await startModernMcpServer();
    const authDir = join(tempDir(), 'auth');
    const run = await doctor(server.url, ['--auth-dir', authDir]);
    expect(run.code, explain(run)).toBe(0);
    expect(oks(run), explain(run)).toEqual([true, true, true, true, null, null, null, true]);
    expect(step(run, 'transport').detail).toMatch(/^MCP 2026-07-28 \(stateless Streamable HTTP; server\/discover answered\); server modern-fixture 2\.0\.0/);
    expect(step(run, 'resource-metadata').detail).toMatch(
      /^skipped: the server does not ask for authorization \(a request without credentials got 405, not 401\)/,
    );
    const tools = step(run, 'tools').detail;
    expect(tools).toMatch(/^\d+ tools \(echo, add, /);
    expect(tools).toContain('over MCP 2026-07-28');
    expect(readStore(authDir).files).toEqual([]);
    // No initialize ever reached the server (it would refuse it): server/discover, then tools/list.
    const methods = server.log.entries.map((e) => (e.body as { method?: string } | undefined)?.method).filter(Boolean);
    expect(methods).not.toContain('initialize');
    expect(methods).toContain('server/discover');
    expect(methods).toContain('tools/list');
  });

  it('--protocol modern against an initialize-based server is ✗ at step 4 with the fix', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const run = await doctor(server.url, ['--protocol', 'modern']);
    expect(run.code, explain(run)).toBe(1);
    expect(step(run, 'transport').ok).toBe(false);
    expect(step(run, 'transport').hint).toContain('leave out --protocol modern');
    expect(step(run, 'tools').detail).toBe('skipped: the transport check failed (step 4)');
  });

  it('a legacy HTTP+SSE server is found by its endpoint event, and listed over SSE', async () => {
    const server = await startMcpServer({ kind: 'sse' });
    const run = await doctor(server.url);
    expect(run.code, explain(run)).toBe(0);
    expect(step(run, 'transport').detail).toMatch(/^legacy HTTP\+SSE \(MCP 2024-11-05\): .*endpoint event names \/messages for messages/);
    expect(step(run, 'tools').detail).toContain('over legacy HTTP+SSE');
  });

  it('static credentials: OAuth steps skipped; a refused token is ✗ at step 8, exit 3; the right one passes', async () => {
    const server = await startModernMcpServer({ token: 'right-token-1234' });
    const wrong = await doctor(server.url, ['--oauth2Bearer', 'wrong-token-5678']);
    expect(wrong.code, explain(wrong)).toBe(3);
    expect(oks(wrong), explain(wrong)).toEqual([true, true, true, null, null, null, null, false]);
    expect(step(wrong, 'credentials').detail).toContain('static credentials were given');
    expect(step(wrong, 'tools').detail).toContain('the server refused the credentials given');
    expect(step(wrong, 'tools').hint).toContain('check the token');
    expectNoSecrets(wrong, ['wrong-token-5678', 'right-token-1234']);

    const right = await doctor(server.url, [], { MCP_AUTH_PROXY_BEARER: 'right-token-1234' });
    expect(right.code, explain(right)).toBe(0);
    expect(step(right, 'transport').detail).toContain('MCP 2026-07-28');
    expectNoSecrets(right, ['right-token-1234']);
  });
});

describe('doctor: a forward proxy', () => {
  it('HTTP_PROXY is reported at step 3 and step 2 goes through it; NO_PROXY exempts the host', async () => {
    const server = await startModernMcpServer();
    const proxy = await startConnectProxy();
    const run = await doctor(server.url, [], { HTTP_PROXY: proxy.url });
    expect(run.code, explain(run)).toBe(0);
    expect(step(run, 'proxy').detail).toContain(`${proxy.url} (from HTTP_PROXY)`);
    expect(step(run, 'proxy').detail).toContain('add 127.0.0.1 to NO_PROXY');
    expect(step(run, 'connect').detail).toContain('through the proxy from HTTP_PROXY');
    expect(proxy.tunnels.length).toBeGreaterThan(0);

    const direct = await doctor(server.url, [], { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' });
    expect(direct.code, explain(direct)).toBe(0);
    expect(step(direct, 'proxy').detail).toContain('NO_PROXY (entry "127.0.0.1")');
  });
});

describe('doctor: --token-endpoint (client credentials without discovery)', () => {
  it('checks the run as the proxy makes it: no metadata read, the given endpoint at step 6, the tools listed (it ran discovery)', async () => {
    const oidc = await startOidcServer({
      clients: [{ client_id: 'bot', client_secret: 'bot-secret-0123456789abcdef', grant_types: ['client_credentials'], response_types: [], redirect_uris: [] }],
      discovery: [],
    });
    const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'], resourceMetadataInChallenge: false, prmAt: 'header-only' });
    const tokenEndpoint = `${oidc.issuer.replace(/\/$/, '')}/token`;
    const args = ['--grant', 'client_credentials', '--client-id', 'bot', '--token-endpoint', tokenEndpoint, '--resource', mcp.url, '--auth-dir', tempDir()];
    const env = { MCP_AUTH_PROXY_CLIENT_SECRET: 'bot-secret-0123456789abcdef' };
    const login = await runCli(['login', mcp.url, ...args], { env, timeoutMs: 25_000 });
    expect(login.code, login.stderr).toBe(0);
    const run = await doctor(mcp.url, args, env);
    expect(step(run, 'resource-metadata').ok, explain(run)).toBeNull();
    expect(step(run, 'resource-metadata').detail).toContain('--token-endpoint');
    expect(step(run, 'authorization-server').ok, explain(run)).toBe(true);
    expect(step(run, 'authorization-server').detail).toContain(tokenEndpoint);
    expect(step(run, 'tools').ok, explain(run)).toBe(true);
    expect(run.code, explain(run)).toBe(0);
    expect(oidc.log.entries.filter((e) => e.path.includes('.well-known'))).toEqual([]);
    expectNoSecrets(run, ['bot-secret-0123456789abcdef']);
  });
});
