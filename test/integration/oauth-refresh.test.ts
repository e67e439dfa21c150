// Refreshing tokens: on 401 and shortly before expiry, always keeping the rotated refresh token;
// a dead refresh token (invalid_grant) or client (invalid_client) leads back to the browser.
import { describe, expect, it, vi } from 'vitest';
import type { Adapter } from 'oidc-provider';
import { connectClient } from '../fixtures/cli.js';
import { formOf, pathnameOf } from '../fixtures/auth-common.js';
import { startOidcServer, type OidcServer } from '../fixtures/oidc-server.js';
import { startProtectedMcpServer } from '../fixtures/protected-mcp-server.js';
import { startFakeAuthServer } from '../fixtures/fake-auth-server.js';
import { oauthHarness, storedTokens, echo, setStoredExpiry } from '../fixtures/oauth-cli.js';

vi.setConfig({ testTimeout: 20_000 });

const refreshRequests = (oidc: OidcServer) => oidc.log.entries.filter((e) => pathnameOf(e) === '/token' && formOf(e).get('grant_type') === 'refresh_token');

describe('refresh', () => {
  it('an expired access token (401) is refreshed without the browser; the rotated refresh token is stored and used next time, also by the next start', async () => {
    const oidc = await startOidcServer({ rotateRefreshToken: true });
    const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
    const h = oauthHarness();
    const first = await connectClient(mcp.url, h.args(), { env: h.env() });
    expect(await echo(first.client, 'a')).toBe('a');
    const original = storedTokens(h.authDir);

    oidc.expireAccessTokens();
    expect(await echo(first.client, 'b')).toBe('b');
    expect(oidc.counters.tokenRequests.refresh_token).toBe(1);
    const [refresh] = refreshRequests(oidc);
    expect(formOf(refresh!).get('refresh_token')).toBe(original.refreshToken);
    expect(formOf(refresh!).get('resource')).toBe(mcp.resource);
    const rotated = storedTokens(h.authDir);
    expect(rotated.refreshToken).toBeTruthy();
    expect(rotated.refreshToken).not.toBe(original.refreshToken);
    expect(rotated.accessToken).not.toBe(original.accessToken);

    // oidc-provider revokes the whole grant when a rotated-out refresh token is reused, so a
    // second refresh only succeeds with the stored rotated one.
    oidc.expireAccessTokens();
    expect(await echo(first.client, 'c')).toBe('c');
    expect(formOf(refreshRequests(oidc)[1]!).get('refresh_token')).toBe(rotated.refreshToken);
    await first.client.close();

    oidc.expireAccessTokens();
    const second = await connectClient(mcp.url, h.args(), { env: h.env() });
    expect(await echo(second.client, 'd')).toBe('d');
    expect(refreshRequests(oidc).map((e) => e.status)).toEqual([200, 200, 200]);
    expect(h.authorizationRequests()).toHaveLength(1);
    expect(oidc.counters.authorizations).toBe(1);
  });

  it('a stored token about to expire is refreshed before use, so the server never sees it expired', async () => {
    const oidc = await startOidcServer();
    const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
    const h = oauthHarness();
    const first = await connectClient(mcp.url, h.args(), { env: h.env() });
    expect(await echo(first.client, 'first')).toBe('first');
    await first.client.close();
    // Make the stored token one that runs out within its refresh margin (a quarter of its life).
    setStoredExpiry(h.authDir, Date.now() + 100);
    const refused = mcp.log.entries.filter((e) => e.status === 401).length;

    const second = await connectClient(mcp.url, h.args(), { env: h.env() });
    expect(await echo(second.client, 'second')).toBe('second');
    expect(oidc.counters.tokenRequests.refresh_token).toBe(1);
    expect(mcp.log.entries.filter((e) => e.status === 401)).toHaveLength(refused);
    expect(h.authorizationRequests()).toHaveLength(1);
  });

  it('regression: a 30 s token was refreshed on every request (fixed 60 s margin); now once at most', async () => {
    const oidc = await startOidcServer({ accessTokenTtl: 30 });
    const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
    const h = oauthHarness();
    const { client } = await connectClient(mcp.url, h.args(), { env: h.env() });
    for (const text of ['a', 'b', 'c', 'd', 'e']) expect(await echo(client, text)).toBe(text);
    expect(oidc.counters.tokenRequests.refresh_token ?? 0).toBe(0);
  });

  it('a refresh token refused with invalid_grant: tokens dropped, signed in again in the browser, registration kept', async () => {
    const fake = await startFakeAuthServer({ refreshFault: 'invalid_grant' });
    const h = oauthHarness();
    const { client } = await connectClient(fake.url, h.args(), { env: h.env() });
    expect(await echo(client, 'one')).toBe('one');
    const before = storedTokens(h.authDir);
    fake.accessTokens.clear(); // the access token expired
    expect(await echo(client, 'two')).toBe('two');
    expect(fake.tokenRequests.map((f) => f.get('grant_type'))).toEqual(['authorization_code', 'refresh_token', 'authorization_code']);
    expect(h.authorizationRequests()).toHaveLength(2);
    expect(fake.registrations).toHaveLength(1);
    const after = storedTokens(h.authDir);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(fake.accessTokens.has(after.accessToken)).toBe(true);
  });

  it('tokens revoked mid-session: the next call still succeeds after a new sign-in', async () => {
    const oidc = await startOidcServer();
    const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
    const h = oauthHarness();
    const { client } = await connectClient(mcp.url, h.args(), { env: h.env() });
    expect(await echo(client, 'before')).toBe('before');
    oidc.revokeAll();
    expect(await echo(client, 'after')).toBe('after');
    expect(refreshRequests(oidc).map((e) => e.status)).toEqual([400]);
    expect(oidc.counters).toMatchObject({ registrations: 1, authorizations: 2 });
    expect(h.authorizationRequests()).toHaveLength(2);
  });

  it('a client the AS no longer knows (invalid_client on refresh): registration dropped, registered and signed in again', async () => {
    const oidc = await startOidcServer();
    const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
    const h = oauthHarness();
    const { client } = await connectClient(mcp.url, h.args(), { env: h.env() });
    expect(await echo(client, 'before')).toBe('before');
    const oldClientId = h.store().clients[0]!.clientId;
    // The AS forgets the registration (oidc-provider looks dynamic clients up in its adapter).
    await (oidc.provider as unknown as { Client: { adapter: Adapter } }).Client.adapter.destroy(oldClientId);
    oidc.expireAccessTokens();
    expect(await echo(client, 'after')).toBe('after');
    const [refresh] = refreshRequests(oidc);
    expect(refresh!.status).toBe(401);
    expect(oidc.counters.registrations).toBe(2);
    const clients = h.store().clients;
    expect(clients).toHaveLength(1);
    expect(clients[0]!.clientId).not.toBe(oldClientId);
    expect(h.authorizationRequests().map((u) => u.searchParams.get('client_id'))).toEqual([oldClientId, clients[0]!.clientId]);
  });
});
