// Secrets stay where they belong: no token, code, verifier or client secret on stderr (even at
// --log-level debug); the MCP access token and custom --header values never reach the AS.
import { describe, expect, it, vi } from 'vitest';
import { connectClient } from '../fixtures/cli.js';
import { formOf, pathnameOf, requestsContaining } from '../fixtures/auth-common.js';
import { startOidcServer } from '../fixtures/oidc-server.js';
import { startProtectedMcpServer } from '../fixtures/protected-mcp-server.js';
import { startSdkAuthServer } from '../fixtures/sdk-auth-server.js';
import { oauthHarness, storedTokens, echo } from '../fixtures/oauth-cli.js';

vi.setConfig({ testTimeout: 20_000 });

const HEADER_VALUE = 'custom-header-secret-5a6b7c8d';

describe('secrets', () => {
  it('a full sign-in and refresh at --log-level debug: stderr carries no token, code, verifier or client secret; the AS never sees the MCP token or custom headers', async () => {
    const clientSecret = 'client-secret-do-not-log-1f2e3d';
    const oidc = await startOidcServer({
      clients: [
        {
          client_id: 'secret-client',
          client_secret: clientSecret,
          application_type: 'native',
          redirect_uris: ['http://127.0.0.1/callback'],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
    });
    // PRM only at the root, found by probing: the failed probe is logged at debug level.
    const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'], prmAt: 'root', resourceMetadataInChallenge: false });
    const h = oauthHarness();
    // The client secret comes from the environment (MCP_AUTH_PROXY_CLIENT_SECRET).
    const { client, stderr } = await connectClient(
      mcp.url,
      h.args(['--log-level', 'debug', '--client-id', 'secret-client', '-H', `X-Api-Key: ${HEADER_VALUE}`]),
      {
        env: h.env({ MCP_AUTH_PROXY_CLIENT_SECRET: clientSecret }),
      },
    );
    expect(await echo(client, 'one')).toBe('one');
    const first = storedTokens(h.authDir);
    oidc.expireAccessTokens();
    expect(await echo(client, 'two')).toBe('two'); // via refresh
    const second = storedTokens(h.authDir);
    expect(second.accessToken).not.toBe(first.accessToken);

    const tokenForms = oidc.log.entries.filter((e) => pathnameOf(e) === '/token').map(formOf);
    const codes = tokenForms.map((f) => f.get('code')).filter((c): c is string => !!c);
    const verifiers = tokenForms.map((f) => f.get('code_verifier')).filter((c): c is string => !!c);
    expect(codes).toHaveLength(1);
    expect(verifiers).toHaveLength(1);
    const secrets = {
      'first access token': first.accessToken,
      'first refresh token': first.refreshToken!,
      'second access token': second.accessToken,
      'second refresh token': second.refreshToken!,
      'authorization code': codes[0]!,
      'code verifier': verifiers[0]!,
      'client secret': clientSecret,
      'custom header value': HEADER_VALUE,
    };
    const log = stderr();
    expect(log).toMatch(/debug: protected resource metadata: .* answered 404/); // debug output was on
    for (const [what, value] of Object.entries(secrets)) {
      expect(value.length, what).toBeGreaterThan(8);
      expect(log.includes(value), `${what} on stderr`).toBe(false);
    }

    // The MCP server got the custom header and the tokens; the AS got neither.
    expect(mcp.log.entries.filter((e) => pathnameOf(e) === '/mcp').every((e) => e.headers['x-api-key'] === HEADER_VALUE)).toBe(true);
    for (const [what, value] of Object.entries({
      'first access token': first.accessToken,
      'second access token': second.accessToken,
      'custom header value': HEADER_VALUE,
    })) {
      expect(
        requestsContaining(oidc.log, value).map((e) => `${e.method} ${e.path}`),
        `${what} sent to the AS`,
      ).toEqual([]);
    }
    // Token endpoint requests carry no bearer at all.
    for (const e of oidc.log.entries.filter((x) => pathnameOf(x) === '/token')) expect(e.headers.authorization ?? '').not.toMatch(/^Bearer /i);
  });

  it('the MCP server is its own AS (same origin): its OAuth endpoints never receive the MCP token or custom headers', async () => {
    const sdk = await startSdkAuthServer();
    const h = oauthHarness();
    const { client, stderr } = await connectClient(sdk.url, h.args(['--log-level', 'debug', '-H', `X-Api-Key: ${HEADER_VALUE}`]), { env: h.env() });
    expect(await echo(client, 'one')).toBe('one');
    const first = storedTokens(h.authDir);
    sdk.provider.accessTokens.clear(); // expired: the proxy refreshes at the same origin
    expect(await echo(client, 'two')).toBe('two');
    const second = storedTokens(h.authDir);

    const oauthRequests = sdk.log.entries.filter((e) => pathnameOf(e) !== '/mcp');
    expect(oauthRequests.filter((e) => e.method === 'POST' && pathnameOf(e) === '/token')).toHaveLength(2);
    for (const e of oauthRequests) {
      expect(e.headers.authorization ?? '', `${e.method} ${e.path}`).not.toMatch(/^Bearer /i);
      expect(e.headers['x-api-key'], `${e.method} ${e.path}`).toBeUndefined();
    }
    for (const value of [first.accessToken, second.accessToken, first.refreshToken!, second.refreshToken!]) {
      expect(stderr().includes(value)).toBe(false);
    }
  });
});
