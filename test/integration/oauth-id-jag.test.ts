// Enterprise-managed authorization (issue 12 §2): --idp. The user signs in once at the enterprise
// IdP (oidc-provider, enterprise-idp.ts: OIDC code + PKCE in the stand-in browser); for each MCP
// server the proxy exchanges the ID token for an ID-JAG (RFC 8693) and redeems it with the JWT
// bearer grant (RFC 7523) at that server's AS (jwt-bearer-as.ts, which verifies it against the
// IdP's JWKS). No sign-in at the MCP AS, no consent per server. A refused exchange names the IdP.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { connectClient, errorOf, resultOf, runCli, spawnProxy, toolText } from '../fixtures/cli.js';
import { completeDeviceSignIn, devicePrompt } from '../fixtures/device-user.js';
import { ID_JAG_TOKEN_TYPE, ID_TOKEN_TYPE, startEnterpriseIdp, TOKEN_EXCHANGE } from '../fixtures/enterprise-idp.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
import { startJwtBearerAs } from '../fixtures/jwt-bearer-as.js';
import { echo, oauthHarness } from '../fixtures/oauth-cli.js';
import { startProtectedMcpServer } from '../fixtures/protected-mcp-server.js';
import { closedWithTest } from '../fixtures/teardown.js';

vi.setConfig({ testTimeout: 40_000 });

async function setup() {
  const idp = closedWithTest(await startEnterpriseIdp());
  const as = closedWithTest(await startJwtBearerAs({ idps: [{ issuer: idp.issuer, jwksUri: idp.jwksUri }] }));
  const mcp = () => startProtectedMcpServer({ authServer: as.oidc, scopesSupported: ['mcp:read'] }).then(closedWithTest);
  return { idp, as, mcp };
}

const enterpriseFlags = (idpIssuer: string) => [
  '--idp',
  idpIssuer,
  '--idp-client-id',
  'idp-client',
  '--client-id',
  'mcp-client',
  '--client-secret',
  'mcp-client-secret',
  '--log-level',
  'debug',
];

describe('--idp (enterprise-managed authorization, ID-JAG)', () => {
  it('one IdP sign-in serves two MCP servers: token exchange for an ID-JAG, then the JWT bearer grant at their AS', async () => {
    const { idp, as, mcp } = await setup();
    idp.audiences.set(as.issuer, 'mcp-client');
    const [first, second] = [await mcp(), await mcp()];
    const h = oauthHarness();

    const one = await connectClient(first!.url, h.args(enterpriseFlags(idp.issuer)), { env: h.env() });
    expect(await echo(one.client, 'first server')).toBe('first server');
    const two = await connectClient(second!.url, h.args(enterpriseFlags(idp.issuer)), { env: h.env() });
    expect(await echo(two.client, 'second server')).toBe('second server');

    // One browser sign-in, at the IdP, with openid; none at the MCP server's AS.
    const [signIn, ...more] = h.authorizationRequests();
    expect(more).toEqual([]);
    expect(signIn!.origin).toBe(new URL(idp.issuer).origin);
    expect(signIn!.searchParams.get('scope')?.split(' ')).toContain('openid');
    expect(signIn!.searchParams.get('client_id')).toBe('idp-client');
    expect(idp.oidc.counters.authorizations).toBe(1);
    expect(as.oidc.counters).toMatchObject({ registrations: 0, authorizationRequests: 0 });

    // Per server: an exchange for that server (audience = its AS, resource = it), then jwt-bearer.
    expect(idp.exchanges.map((e) => e.params)).toEqual(
      [first!, second!].map((s) =>
        expect.objectContaining({
          requested_token_type: ID_JAG_TOKEN_TYPE,
          subject_token_type: ID_TOKEN_TYPE,
          subject_token: '<ID token of alice>',
          audience: as.issuer,
          resource: s.resource,
          scope: 'mcp:read',
        }),
      ),
    );
    expect(as.grants.map((g) => [g.kind, g.error, g.clientId])).toEqual([
      ['id-jag', undefined, 'mcp-client'],
      ['id-jag', undefined, 'mcp-client'],
    ]);
    expect(first!.acceptedTokens.at(-1)).toMatchObject({ sub: 'alice', aud: first!.url, client_id: 'mcp-client' });
    expect(second!.acceptedTokens.at(-1)).toMatchObject({ sub: 'alice', aud: second!.url, client_id: 'mcp-client' });

    // The IdP session is kept once, keyed by the IdP (0600), and `status` shows it, never a token.
    const files = readdirSync(h.authDir).filter((f) => f.startsWith('idp-'));
    expect(files).toHaveLength(1);
    const session = JSON.parse(readFileSync(join(h.authDir, files[0]!), 'utf8')) as { issuer: string; idToken: string; subject: string };
    expect(session).toMatchObject({ issuer: idp.issuer, subject: 'alice' });
    const status = await runCli(['status', '--auth-dir', h.authDir]);
    expect(status.stdout).toContain(idp.issuer);
    expect(status.stdout).toContain('alice');
    expect(status.stdout).not.toContain(session.idToken);
    for (const log of [one.stderr(), two.stderr()]) expect(log).not.toContain(session.idToken);

    // Signing out of every server ends the IdP session too (one server alone leaves it to the others).
    expect((await runCli(['logout', first!.url, '--auth-dir', h.authDir])).code).toBe(0);
    expect(readdirSync(h.authDir).filter((f) => f.startsWith('idp-'))).toHaveLength(1);
    const logout = await runCli(['logout', '--all-servers', '--auth-dir', h.authDir]);
    expect([logout.code, logout.stderr]).toEqual([0, expect.stringContaining(`signed out of the identity provider ${idp.issuer}`)]);
    expect(readdirSync(h.authDir).filter((f) => f.startsWith('idp-'))).toEqual([]);
  });

  it('an expired ID token is refreshed at the IdP (no second sign-in); without a refresh token the user signs in again', async () => {
    const { idp, as, mcp } = await setup();
    idp.audiences.set(as.issuer, 'mcp-client');
    const servers = [await mcp(), await mcp(), await mcp()];
    const h = oauthHarness();
    const sessionFile = () =>
      join(
        h.authDir,
        readdirSync(h.authDir).find((f) => f.startsWith('idp-'))!,
      );
    const edit = (change: Record<string, unknown>) =>
      writeFileSync(sessionFile(), JSON.stringify({ ...JSON.parse(readFileSync(sessionFile(), 'utf8')), ...change }), { mode: 0o600 });

    const one = await connectClient(servers[0]!.url, h.args(enterpriseFlags(idp.issuer)), { env: h.env() });
    expect(await echo(one.client, 'signed in')).toBe('signed in');
    expect(JSON.parse(readFileSync(sessionFile(), 'utf8')).refreshToken).toEqual(expect.any(String));

    edit({ idTokenExpiresAt: Date.now() - 1000 });
    const two = await connectClient(servers[1]!.url, h.args(enterpriseFlags(idp.issuer)), { env: h.env() });
    expect(await echo(two.client, 'refreshed')).toBe('refreshed');
    expect(idp.oidc.counters.tokenRequests['refresh_token']).toBe(1);
    expect(h.authorizationRequests()).toHaveLength(1);

    edit({ idTokenExpiresAt: Date.now() - 1000, refreshToken: undefined });
    const three = await connectClient(servers[2]!.url, h.args(enterpriseFlags(idp.issuer)), { env: h.env() });
    expect(await echo(three.client, 'signed in again')).toBe('signed in again');
    expect(h.authorizationRequests()).toHaveLength(2);
    expect(as.grants.map((g) => g.error ?? g.kind)).toEqual(['id-jag', 'id-jag', 'id-jag']);
  });

  it('no browser here: the IdP sign-in shows a device code where the IdP offers the device grant', async () => {
    const deviceClient = {
      client_id: 'idp-device',
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      grant_types: [DEVICE_GRANT, 'refresh_token', TOKEN_EXCHANGE],
      response_types: [],
      redirect_uris: [],
    };
    const idp = closedWithTest(await startEnterpriseIdp({ server: { clients: [deviceClient], deviceInterval: 1 } }));
    const as = closedWithTest(await startJwtBearerAs({ idps: [{ issuer: idp.issuer, jwksUri: idp.jwksUri }] }));
    idp.audiences.set(as.issuer, 'mcp-client');
    const server = closedWithTest(await startProtectedMcpServer({ authServer: as.oidc, scopesSupported: ['mcp:read'] }));
    const flags = enterpriseFlags(idp.issuer).map((f) => (f === 'idp-client' ? 'idp-device' : f));
    const proxy = spawnProxy([server.url, '--browser', 'none', '--auth-dir', oauthHarness().authDir, '--auth-timeout', '20', ...flags]);
    const init = proxy.request(
      'initialize',
      { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'ema-device', version: '0' } },
      'init',
      30_000,
    );
    let prompt = devicePrompt(proxy.stderr);
    while (!prompt) {
      await new Promise<void>((resolve) => setTimeout(resolve, 50)); // polls what the proxy printed for the user
      if (!proxy.running) throw new Error(proxy.describe());
      prompt = devicePrompt(proxy.stderr);
    }
    expect(new URL(prompt.url).origin).toBe(new URL(idp.issuer).origin);
    await completeDeviceSignIn(prompt.url);
    resultOf(await init);
    proxy.notify('notifications/initialized');
    expect(toolText(await proxy.callTool('echo', { text: 'from a headless machine' }))).toBe('from a headless machine');
    expect(idp.exchanges.map((e) => [e.clientId, e.error])).toEqual([['idp-device', undefined]]);
    expect(as.grants.map((g) => g.error ?? g.kind)).toEqual(['id-jag']);
  });

  it("a refused exchange (the IdP's policy) is an error that names the IdP, and nothing is asked of the MCP AS", async () => {
    const { idp, as, mcp } = await setup(); // no audience allowed for this AS: invalid_target
    const server = await mcp();
    const h = oauthHarness();
    const proxy = spawnProxy([server.url, ...h.args(enterpriseFlags(idp.issuer))], { env: h.env() });
    const init = await proxy.request(
      'initialize',
      { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'ema-test', version: '0' } },
      'init',
      30_000,
    );
    const error = errorOf(init);
    expect(error.data?.code).toBe('AUTH_IDP_REFUSED');
    expect(error.message).toContain(idp.issuer);
    expect(error.message).toContain('policy');
    expect(error.message).toContain(server.resource);
    expect(idp.exchanges.map((e) => e.error)).toEqual(['invalid_target']);
    expect(as.grants).toEqual([]);
    expect(as.oidc.counters).toMatchObject({ authorizationRequests: 0 });
    expect(existsSync(h.authDir)).toBe(true);
  });
});
