// The credentials store (--auth-dir): permissions, atomic writes, reuse across starts, corrupt
// files, and registrations kept per authorization server issuer.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { connectClient } from '../fixtures/cli.js';
import { startOidcServer } from '../fixtures/oidc-server.js';
import { startProtectedMcpServer } from '../fixtures/protected-mcp-server.js';
import { startFakeAuthServer } from '../fixtures/fake-auth-server.js';
import { modeOf, oauthHarness, readStore, echo } from '../fixtures/oauth-cli.js';

vi.setConfig({ testTimeout: 20_000 });

async function signedInOidc() {
  const oidc = await startOidcServer();
  const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
  const h = oauthHarness();
  const first = await connectClient(mcp.url, h.args(), { env: h.env() });
  expect(await echo(first.client, 'first')).toBe('first');
  await first.client.close();
  return { oidc, mcp, h };
}

describe('token store', () => {
  it('directory 0700, files 0600, no temp or lock files left, tokens reused on the next start without a browser or registration', async () => {
    const { oidc, mcp, h } = await signedInOidc();
    expect(modeOf(h.authDir)).toBe(0o700);
    const { files, servers, clients } = h.store();
    expect(servers).toHaveLength(1);
    expect(clients).toHaveLength(1);
    // Besides credentials, the server's protocol era (so a warm start skips detection).
    expect(files.filter((f) => !f.startsWith('era-'))).toEqual([clients[0]!.file, servers[0]!.file].sort());
    expect(files.filter((f) => f.startsWith('era-'))).toHaveLength(1);
    for (const f of files) expect(modeOf(join(h.authDir, f)), f).toBe(0o600);
    expect(files.filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).toEqual([]);

    const second = await connectClient(mcp.url, h.args(), { env: h.env() });
    expect(await echo(second.client, 'second')).toBe('second');
    expect(h.authorizationRequests()).toHaveLength(1);
    expect(oidc.counters).toMatchObject({ registrations: 1, authorizationRequests: 1, tokenRequests: { authorization_code: 1 } });
    expect(oidc.counters.tokenRequests.refresh_token).toBeUndefined();
    expect(readStore(h.authDir).files).toEqual(files);
  });

  it('an existing --auth-dir with loose permissions is tightened to 0700', async () => {
    const oidc = await startOidcServer();
    const mcp = await startProtectedMcpServer({ authServer: oidc });
    const h = oauthHarness();
    mkdirSync(h.authDir, { mode: 0o755 });
    const { client } = await connectClient(mcp.url, h.args(), { env: h.env() });
    expect(await echo(client, 'x')).toBe('x');
    expect(modeOf(h.authDir)).toBe(0o700);
  });

  it('a corrupt token file is treated as absent, with a warning, and replaced by a good one', async () => {
    const { oidc, mcp, h } = await signedInOidc();
    const serverFile = join(h.authDir, h.store().servers[0]!.file);
    writeFileSync(serverFile, '{"version": 1, "server": tru', { mode: 0o600 });
    const second = await connectClient(mcp.url, h.args(), { env: h.env() });
    expect(await echo(second.client, 'after corruption')).toBe('after corruption');
    expect(second.stderr()).toMatch(/warn: ignoring the corrupt credentials file .*server-/);
    expect(h.authorizationRequests()).toHaveLength(2); // signed in again
    expect(oidc.counters.authorizations).toBe(2);
    expect(readStore(h.authDir).servers[0]!.byIssuer[oidc.issuer]?.tokens?.accessToken).toBeTruthy();
  });

  it('a corrupt registration file is treated as absent: the next sign-in registers again', async () => {
    const { oidc, mcp, h } = await signedInOidc();
    writeFileSync(join(h.authDir, h.store().clients[0]!.file), 'not json at all', { mode: 0o600 });
    oidc.revokeAll(); // the stored tokens no longer work: a sign-in (which needs the client) follows
    const second = await connectClient(mcp.url, h.args(), { env: h.env() });
    expect(await echo(second.client, 'again')).toBe('again');
    expect(second.stderr()).toMatch(/warn: ignoring the corrupt credentials file .*client-/);
    expect(oidc.counters.registrations).toBe(2);
    expect(readStore(h.authDir).clients).toHaveLength(1);
  });
});

describe('registrations are kept per authorization server', () => {
  it('a PRM that switches to another AS gets a new registration; the old one is not reused there, and is reused back home', async () => {
    // One fake server: its issuer path decides which "AS" the PRM names; no refresh tokens, so a
    // 401 always means a new sign-in through discovery.
    const fake = await startFakeAuthServer({ issuerPath: '/tenant1', refreshTokens: false });
    const h = oauthHarness();
    const { client } = await connectClient(fake.url, h.args(), { env: h.env() });
    expect(await echo(client, 'one')).toBe('one');
    const tenant1 = fake.issuer;
    const firstClientId = fake.authorizeRequests[0]!.get('client_id');

    fake.set({ issuerPath: '/tenant2' });
    fake.revokeAll();
    expect(await echo(client, 'two')).toBe('two');
    const tenant2 = fake.issuer;
    expect(fake.registrations).toHaveLength(2);
    const secondClientId = fake.authorizeRequests[1]!.get('client_id');
    expect(secondClientId).not.toBe(firstClientId);
    expect(h.authorizationRequests()[1]!.pathname).toBe('/tenant2/oauth2/authorize');
    const byIssuer = Object.fromEntries(h.store().clients.map((c) => [c.issuer, c.clientId]));
    expect(byIssuer).toEqual({ [tenant1]: firstClientId, [tenant2]: secondClientId });
    expect(Object.keys(h.store().servers[0]!.byIssuer).sort()).toEqual([tenant1, tenant2].sort());

    // Back to the first AS: its own registration is used again, the second one is not.
    fake.set({ issuerPath: '/tenant1' });
    fake.revokeAll();
    expect(await echo(client, 'three')).toBe('three');
    expect(fake.authorizeRequests[2]!.get('client_id')).toBe(firstClientId);
    expect(fake.registrations).toHaveLength(2);
  });
});
