// DPoP (RFC 9449, MCP DPoP profile SEP-1932) through the built CLI, with real components:
// oidc-provider with its DPoP feature (and nonce option) as the AS, and a resource server that
// verifies every proof (method, URL, ath, jkt binding, jti replay, iat window, nonce).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { decodeJwt } from 'jose';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { connectClient, resultOf, runCli, spawnProxy, toolText } from '../fixtures/cli.js';
import { completeDeviceSignIn, devicePrompt } from '../fixtures/device-user.js';
import { formOf, pathnameOf } from '../fixtures/auth-common.js';
import { startOidcServer, type OidcServer } from '../fixtures/oidc-server.js';
import { startDpopResourceServer } from '../fixtures/dpop-resource-server.js';
import { echo, failedSignIn, modeOf, oauthHarness, setStoredExpiry, storedTokens, tempDir, type OAuthHarness } from '../fixtures/oauth-cli.js';

vi.setConfig({ testTimeout: 30_000 });

const tokenRequests = (as: OidcServer) => as.log.entries.filter((e) => pathnameOf(e) === '/token');
const dpopKeyFiles = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('dpop-'));
const cli = (h: OAuthHarness, args: string[]) => runCli(args, { env: h.env(), timeoutMs: 20_000 });

async function callMcp(url: string, headers: Record<string, string>) {
  const body = {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'thief', version: '0' } },
  };
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
  await res.text();
  return res.status;
}

describe('DPoP', () => {
  it('binds tokens to a key kept beside the credentials; every MCP request carries a fresh proof; refresh in a new process keeps the binding; a stolen token is refused', async () => {
    const as = await startOidcServer({ dpop: true, consent: 'auto' });
    const rs = await startDpopResourceServer({ authServer: as });
    const h = oauthHarness();
    const first = await connectClient(rs.url, h.args(), { env: h.env() });
    expect(await echo(first.client, 'a')).toBe('a');
    expect(await echo(first.client, 'b')).toBe('b');
    await first.client.close();

    const stored = storedTokens(h.authDir);
    const record = h.store().servers[0]!.byIssuer[as.issuer] as unknown as { dpop?: { alg: string; thumbprint: string } };
    expect(record.dpop).toMatchObject({ alg: 'ES256' });
    const jkt = record.dpop!.thumbprint;
    expect(decodeJwt(stored.accessToken).cnf).toEqual({ jkt });
    // The private key: its own 0600 file, never in the server file.
    const [keyFile, ...others] = dpopKeyFiles(h.authDir);
    expect(others).toEqual([]);
    expect(modeOf(join(h.authDir, keyFile!))).toBe(0o600);
    expect(JSON.parse(readFileSync(join(h.authDir, keyFile!), 'utf8')).jwk.d).toBeTruthy();
    expect(JSON.stringify(h.store().servers)).not.toContain('"d"');
    // Every token request carried a proof; every MCP request a fresh one (no jti twice), all accepted.
    expect(tokenRequests(as).map((e) => typeof e.headers['dpop'])).toEqual(['string']);
    expect(rs.refusals.filter((r) => r.reason !== 'no-credentials')).toEqual([]);
    expect(rs.acceptedProofs.length).toBeGreaterThanOrEqual(3);
    expect(new Set(rs.acceptedProofs.map((p) => p.jti)).size).toBe(rs.acceptedProofs.length);

    // A new process: the stored token is about to expire, so it is refreshed with the stored key.
    setStoredExpiry(h.authDir, Date.now() + 100);
    const second = await connectClient(rs.url, h.args(), { env: h.env() });
    expect(await echo(second.client, 'c')).toBe('c');
    await second.client.close();
    expect(as.counters.tokenRequests.refresh_token).toBe(1);
    const refreshed = storedTokens(h.authDir);
    expect(refreshed.accessToken).not.toBe(stored.accessToken);
    expect(decodeJwt(refreshed.accessToken).cnf).toEqual({ jkt });
    expect(rs.acceptedTokens.at(-1)?.cnf).toEqual({ jkt });
    expect(h.authorizationRequests()).toHaveLength(1);
    expect(dpopKeyFiles(h.authDir)).toEqual([keyFile]);

    // status and doctor show the binding.
    const status = await cli(h, ['status', '--auth-dir', h.authDir]);
    expect(status.stdout.trimEnd()).toMatch(new RegExp(`BINDING\\n.*DPoP \\(key ${jkt}\\)$`));
    const json = JSON.parse((await cli(h, ['status', '--json', '--auth-dir', h.authDir])).stdout) as Array<Record<string, unknown>>;
    expect(json[0]).toMatchObject({ binding: 'DPoP', dpopKey: jkt });
    const doctor = await cli(h, ['doctor', rs.url, ...h.args()]);
    expect(doctor.stdout).toContain(`DPoP (key ${jkt})`);
    expect(doctor.stdout).toMatch(/device authorization grant (yes|no), DPoP ES256/);

    // The stolen access token, replayed without the key: as Bearer, or as DPoP with no proof.
    const refusedBefore = rs.refusals.length;
    expect(await callMcp(rs.url, { authorization: `Bearer ${refreshed.accessToken}` })).toBe(401);
    expect(await callMcp(rs.url, { authorization: `DPoP ${refreshed.accessToken}` })).toBe(401);
    expect(rs.refusals.slice(refusedBefore).map((r) => r.reason)).toEqual(['bearer-not-accepted', 'missing-proof']);
  });

  it('the authorization request names the key (dpop_jkt), and --grant client_credentials gets a bound token too', async () => {
    const as = await startOidcServer({
      dpop: true,
      consent: 'auto',
      clients: [
        {
          client_id: 'm2m',
          client_secret: 'm2m-secret-0123456789',
          token_endpoint_auth_method: 'client_secret_basic',
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
        },
      ],
    });
    const rs = await startDpopResourceServer({ authServer: as });
    const h = oauthHarness();
    const user = await connectClient(rs.url, h.args(), { env: h.env() });
    expect(await echo(user.client, 'a')).toBe('a');
    const jkt = (h.store().servers[0]!.byIssuer[as.issuer] as unknown as { dpop: { thumbprint: string } }).dpop.thumbprint;
    expect(h.authorizationRequests()[0]!.searchParams.get('dpop_jkt')).toBe(jkt);
    await user.client.close();

    const m2m = oauthHarness();
    const machine = await connectClient(rs.url, m2m.args(['--grant', 'client_credentials', '--client-id', 'm2m', '--client-secret', 'm2m-secret-0123456789']), {
      env: m2m.env(),
    });
    expect(await echo(machine.client, 'b')).toBe('b');
    const m2mJkt = (m2m.store().servers[0]!.byIssuer[as.issuer] as unknown as { dpop: { thumbprint: string } }).dpop.thumbprint;
    expect(m2mJkt).not.toBe(jkt);
    expect(rs.acceptedTokens.at(-1)).toMatchObject({ client_id: 'm2m', cnf: { jkt: m2mJkt } });
  });

  it('the device authorization grant: the polling token requests carry proofs and the token is bound', async () => {
    const as = await startOidcServer({ dpop: { nonce: true }, deviceInterval: 1 });
    const rs = await startDpopResourceServer({ authServer: as });
    const proxy = spawnProxy([rs.url, '--browser', 'none', '--auth-dir', tempDir(), '--auth-timeout', '20', '--scope', 'mcp:read'], {});
    const init = proxy.request(
      'initialize',
      { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'device-test-host', version: '0' } },
      'init',
      25_000,
    );
    let prompt = devicePrompt(proxy.stderr);
    for (const deadline = Date.now() + 10_000; !prompt && Date.now() < deadline; prompt = devicePrompt(proxy.stderr))
      await new Promise<void>((r) => setTimeout(r, 50));
    expect(prompt, proxy.describe()).toBeDefined();
    await completeDeviceSignIn(prompt!.url);
    resultOf(await init);
    expect(toolText(await proxy.callTool('echo', { text: 'headless' }))).toBe('headless');
    const polls = tokenRequests(as).filter((e) => formOf(e).get('grant_type') === 'urn:ietf:params:oauth:grant-type:device_code');
    expect(polls.length).toBeGreaterThan(0);
    expect(polls.every((e) => typeof e.headers['dpop'] === 'string')).toBe(true);
    // The resource server checked cnf.jkt against each proof's key: bound, and accepted.
    expect(rs.acceptedTokens.at(-1)?.cnf).toHaveProperty('jkt');
    expect(rs.refusals.filter((r) => r.reason !== 'no-credentials')).toEqual([]);
  });

  it('nonces: the AS and the resource server each demand one once, answered by one retry each with a fresh proof', async () => {
    const as = await startOidcServer({ dpop: { nonce: true }, consent: 'auto' });
    const rs = await startDpopResourceServer({ authServer: as, requireNonce: true });
    const h = oauthHarness();
    const { client } = await connectClient(rs.url, h.args(), { env: h.env() });
    for (const text of ['a', 'b', 'c']) expect(await echo(client, text)).toBe(text);
    expect(as.counters.dpopNonceChallenges).toBe(1);
    expect(rs.nonceChallenges).toBe(1);
    expect(rs.refusals.map((r) => r.reason).filter((r) => r !== 'no-credentials')).toEqual(['use-dpop-nonce']);
    // login in a new process: the resource server's nonce challenge to its probe is not a refused token.
    const login = await cli(h, ['login', rs.url, ...h.args()]);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toMatch(/^Already signed in to/);
    expect(login.stdout).toMatch(/binding\s+DPoP \(key /);
    expect(h.authorizationRequests()).toHaveLength(1);
    // The AS's code exchange: refused for want of a nonce, then the retry with it.
    const code = tokenRequests(as).filter((e) => formOf(e).get('grant_type') === 'authorization_code');
    expect(code.map((e) => e.status)).toEqual([400, 200]);
  });

  it("doctor answers the resource server's nonce challenge as a run does, and lists the tools (it reported the stored token refused)", async () => {
    const as = await startOidcServer({ dpop: true, consent: 'auto' });
    const rs = await startDpopResourceServer({ authServer: as, requireNonce: true });
    const h = oauthHarness();
    const login = await cli(h, ['login', rs.url, ...h.args()]);
    expect(login.code, login.stderr).toBe(0);
    const doctor = await cli(h, ['doctor', rs.url, '--json', ...h.args()]);
    const steps = JSON.parse(doctor.stdout) as Array<{ step: string; ok: boolean | null; detail: string }>;
    const tools = steps.find((s) => s.step === 'tools')!;
    expect(tools.ok, `${tools.detail}\n${doctor.stderr}`).toBe(true);
    expect(doctor.code).toBe(0);
    expect(rs.nonceChallenges).toBeGreaterThanOrEqual(1);
  });

  it('--dpop never against a server that accepts only DPoP-bound tokens: an error naming the flag', async () => {
    const as = await startOidcServer({ dpop: true, consent: 'auto' });
    const rs = await startDpopResourceServer({ authServer: as });
    const h = oauthHarness();
    const { error } = await failedSignIn(rs.url, h, ['--dpop', 'never']);
    expect(error.data?.code).toBe('AUTH_DPOP');
    expect(error.message).toContain('--dpop never');
    expect(h.authorizationRequests()).toHaveLength(0);
  });

  it('token: a DPoP-bound token is not printed alone; --dpop-proof prints a proof for that request, which the server accepts', async () => {
    const as = await startOidcServer({ dpop: true, consent: 'auto' });
    const rs = await startDpopResourceServer({ authServer: as });
    const h = oauthHarness();
    const alone = await cli(h, ['token', rs.url, ...h.args()]);
    expect(alone.code).toBe(3);
    expect(alone.stdout).toBe('');
    expect(alone.stderr).toMatch(/DPoP-bound.*--dpop-proof POST/);
    const token = storedTokens(h.authDir).accessToken;
    expect(alone.stderr).not.toContain(token);

    const both = await cli(h, ['token', rs.url, ...h.args(), '--dpop-proof', 'POST', rs.url]);
    expect(both.code, both.stderr).toBe(0);
    const [proof, printed, ...rest] = both.stdout.trimEnd().split('\n');
    expect(rest).toEqual([]);
    expect(printed).toBe(token);
    expect(decodeJwt(proof!)).toMatchObject({ htm: 'POST', htu: rs.url, ath: createHash('sha256').update(token).digest('base64url') });
    expect(await callMcp(rs.url, { authorization: `DPoP ${token}`, dpop: proof! })).toBe(200);

    // logout forgets the key with the tokens.
    expect(dpopKeyFiles(h.authDir)).toHaveLength(1);
    expect((await cli(h, ['logout', rs.url, '--auth-dir', h.authDir])).code).toBe(0);
    expect(dpopKeyFiles(h.authDir)).toEqual([]);
  });

  it('an AS without DPoP keeps Bearer tokens and no key file', async () => {
    const as = await startOidcServer({ consent: 'auto' });
    const rs = await startDpopResourceServer({ authServer: as, acceptBearer: true });
    const h = oauthHarness();
    const { client } = await connectClient(rs.url, h.args(), { env: h.env() });
    expect(await echo(client, 'a')).toBe('a');
    expect(dpopKeyFiles(h.authDir)).toEqual([]);
    expect(rs.acceptedProofs).toEqual([]);
  });
});
