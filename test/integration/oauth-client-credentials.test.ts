// Machine to machine: --grant client_credentials with a client registered in advance at
// oidc-provider (a confidential client: a secret with client_secret_basic, or a key with
// private_key_jwt, RFC 7523). No browser, no registration, no refresh token: the token is
// requested again when the server answers 401, and shortly before it expires (that one on a
// controllable clock, in test/unit/renewal.test.ts).
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { connectClient, runCli } from '../fixtures/cli.js';
import { type RecordedRequest, type RequestLog } from '../fixtures/raw-server.js';
import { formOf, pathnameOf } from '../fixtures/auth-common.js';
import { startOidcServer, type OidcServerOptions } from '../fixtures/oidc-server.js';
import { startProtectedMcpServer } from '../fixtures/protected-mcp-server.js';
import { echo, oauthHarness, readStore, tempDir } from '../fixtures/oauth-cli.js';

vi.setConfig({ testTimeout: 30_000 });

const SECRET = 'm2m-secret-f00d-cafe-0123456789';
const tokenRequests = (log: RequestLog): RecordedRequest[] => log.entries.filter((e) => e.method === 'POST' && pathnameOf(e) === '/token');
const m2mClient = (extra: Record<string, unknown>) => ({ grant_types: ['client_credentials'], response_types: [], redirect_uris: [], ...extra });

async function servers(clients: Array<Record<string, unknown>>, options: OidcServerOptions = {}) {
  const oidc = await startOidcServer({ clients, ...options });
  const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
  return { oidc, mcp };
}

async function whoami(client: Awaited<ReturnType<typeof connectClient>>['client']): Promise<Record<string, unknown>> {
  const r = (await client.callTool({ name: 'whoami', arguments: {} })) as { content: Array<{ text: string }> };
  return JSON.parse(r.content[0]!.text) as Record<string, unknown>;
}

describe('--grant client_credentials', () => {
  it('with a client secret: the client gets its own token (Basic auth, resource, scope), no browser, no registration', async () => {
    const { oidc, mcp } = await servers([m2mClient({ client_id: 'm2m-basic', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic' })]);
    const authDir = tempDir();
    const { client, stderr } = await connectClient(mcp.url, [
      '--grant',
      'client_credentials',
      '--client-id',
      'm2m-basic',
      '--client-secret',
      SECRET,
      '--auth-dir',
      authDir,
      '--log-level',
      'debug',
    ]);
    expect(await echo(client, 'no user here')).toBe('no user here');
    expect(await whoami(client)).toMatchObject({ client_id: 'm2m-basic', aud: mcp.url, iss: oidc.issuer, scope: 'mcp:read' });

    const [request, ...more] = tokenRequests(oidc.log);
    expect(more).toEqual([]);
    const form = formOf(request!);
    expect(form.get('grant_type')).toBe('client_credentials');
    expect(form.get('resource')).toBe(mcp.resource);
    // The server's scope, without offline_access (nothing to refresh).
    expect(form.get('scope')).toBe('mcp:read');
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from(`m2m-basic:${SECRET}`).toString('base64')}`);
    expect(form.get('client_secret')).toBeNull();
    expect(oidc.counters).toMatchObject({ registrations: 0, authorizationRequests: 0 });

    const [server] = readStore(authDir).servers;
    const record = server!.byIssuer[oidc.issuer]! as { clientId: string; grant?: string; tokens?: { refreshToken?: string } };
    expect(record).toMatchObject({ clientId: 'm2m-basic', grant: 'client_credentials' });
    expect(record.tokens?.refreshToken).toBeUndefined();
    expect(readStore(authDir).clients).toEqual([]);
    expect(stderr()).not.toContain(SECRET);
    expect(stderr()).not.toContain('sign-in needed');
  });

  it('with --client-key (EC P-256): private_key_jwt, an ES256 assertion for the issuer', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyFile = join(tempDir(), 'client-key.pem');
    writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' };
    const { oidc, mcp } = await servers([m2mClient({ client_id: 'm2m-jwt', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } })]);
    const { client } = await connectClient(mcp.url, [
      '--grant',
      'client_credentials',
      '--client-id',
      'm2m-jwt',
      '--client-key',
      keyFile,
      '--client-key-id',
      'k1',
      '--auth-dir',
      tempDir(),
    ]);
    expect(await whoami(client)).toMatchObject({ client_id: 'm2m-jwt', aud: mcp.url });

    const form = formOf(tokenRequests(oidc.log)[0]!);
    expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const assertion = form.get('client_assertion')!;
    expect(decodeProtectedHeader(assertion)).toMatchObject({ alg: 'ES256', kid: 'k1' });
    const claims = decodeJwt(assertion);
    expect(claims).toMatchObject({ iss: 'm2m-jwt', sub: 'm2m-jwt', aud: oidc.issuer });
    expect(typeof claims.jti).toBe('string');
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(60);
    expect(form.get('client_secret')).toBeNull();
  });

  it('logout revokes with the key too (the revocation request carries a fresh assertion)', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyFile = join(tempDir(), 'client-key.pem');
    writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    const { oidc, mcp } = await servers([
      m2mClient({ client_id: 'm2m-jwt', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [publicKey.export({ format: 'jwk' })] } }),
    ]);
    const authDir = tempDir();
    const client = ['--client-id', 'm2m-jwt', '--client-key', keyFile, '--auth-dir', authDir];
    const login = await runCli(['login', mcp.url, '--grant', 'client_credentials', ...client], { timeoutMs: 15_000 });
    expect(login.code, login.stderr).toBe(0);
    const logout = await runCli(['logout', mcp.url, ...client], { timeoutMs: 15_000 });
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stderr).not.toContain('needs its');
    const [revocation] = oidc.log.entries.filter((e) => e.method === 'POST' && pathnameOf(e) === '/token/revocation');
    expect(decodeJwt(formOf(revocation!).get('client_assertion')!)).toMatchObject({ iss: 'm2m-jwt', aud: oidc.issuer });
    expect(readStore(authDir).servers).toEqual([]);
  });

  it('with an RSA key: RS256 by default', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = join(tempDir(), 'rsa.pem');
    writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs1' }), { mode: 0o600 });
    const { oidc, mcp } = await servers([
      m2mClient({ client_id: 'm2m-rsa', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [publicKey.export({ format: 'jwk' })] } }),
    ]);
    const { client } = await connectClient(mcp.url, [
      '--grant',
      'client_credentials',
      '--client-id',
      'm2m-rsa',
      '--client-key',
      keyFile,
      '--auth-dir',
      tempDir(),
    ]);
    expect(await echo(client, 'rsa')).toBe('rsa');
    expect(decodeProtectedHeader(formOf(tokenRequests(oidc.log)[0]!).get('client_assertion')!)).toMatchObject({ alg: 'RS256' });
  });

  it('a token the server refuses (401) is replaced by a new client_credentials request', async () => {
    const { oidc, mcp } = await servers([m2mClient({ client_id: 'm2m-basic', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic' })]);
    const { client } = await connectClient(mcp.url, [
      '--grant',
      'client_credentials',
      '--client-id',
      'm2m-basic',
      '--client-secret',
      SECRET,
      '--auth-dir',
      tempDir(),
    ]);
    expect(await echo(client, 'one')).toBe('one');
    oidc.expireAccessTokens();
    expect(await echo(client, 'two')).toBe('two');
    expect(oidc.counters.tokenRequests).toEqual({ client_credentials: 2 });
    expect(mcp.log.entries.filter((e) => e.status === 401).length).toBe(2); // the first request, and the refused token
  });

  it('login and token work for the client too (token reuses the stored one)', async () => {
    const { oidc, mcp } = await servers([m2mClient({ client_id: 'm2m-basic', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic' })]);
    const authDir = tempDir();
    const flags = ['--grant', 'client_credentials', '--client-id', 'm2m-basic', '--auth-dir', authDir];
    const env = { MCP_AUTH_PROXY_CLIENT_SECRET: SECRET };
    const login = await runCli(['login', mcp.url, ...flags], { env, timeoutMs: 15_000 });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain('client id      m2m-basic');
    const token = await runCli(['token', mcp.url, ...flags], { env, timeoutMs: 15_000 });
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout.trim()).toMatch(/^ey/);
    expect(oidc.counters.tokenRequests).toEqual({ client_credentials: 1 }); // the stored token was reused
    expect(`${login.stderr}${token.stderr}`).not.toContain(SECRET);
  });

  it("the client's stored token is never used for a user's sign-in (and the user's never for the client)", async () => {
    const { oidc, mcp } = await servers([m2mClient({ client_id: 'm2m-basic', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic' })]);
    const h = oauthHarness();
    const m2m = ['--grant', 'client_credentials', '--client-id', 'm2m-basic', '--client-secret', SECRET, '--auth-dir', h.authDir];
    expect((await runCli(['login', mcp.url, ...m2m], { timeoutMs: 15_000 })).code).toBe(0);
    // A user's run with the same credentials directory signs the user in.
    const user = await connectClient(mcp.url, h.args(), { env: h.env() });
    expect(await whoami(user.client)).toMatchObject({ sub: 'user-1' });
    expect(oidc.counters.authorizations).toBe(1);
    // And the client's run afterwards does not pick up the user's token.
    const machine = await connectClient(mcp.url, m2m);
    expect(await whoami(machine.client)).toMatchObject({ client_id: 'm2m-basic', sub: 'm2m-basic' });
    expect(oidc.counters.tokenRequests.client_credentials).toBe(2);
  });

  it('refused by the authorization server: AUTH_TOKEN with its error, exit 3 from login', async () => {
    const { mcp } = await servers([m2mClient({ client_id: 'm2m-basic', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic' })]);
    const run = await runCli(
      ['login', mcp.url, '--grant', 'client_credentials', '--client-id', 'm2m-basic', '--client-secret', 'wrong-secret-value', '--auth-dir', tempDir()],
      { timeoutMs: 15_000 },
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('invalid_client');
    expect(run.stderr).not.toContain('wrong-secret-value');
  });
});
