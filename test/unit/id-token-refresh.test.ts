// --use-id-token when the authorization server's refresh answer carries no ID token (OIDC Core
// §12.2 allows that; many providers do it): the presented token cannot be renewed by refresh, so
// the proxy signs in again instead of failing the request. It failed with AUTH_TOKEN ("the token
// endpoint returned no ID token"), and asked for a refresh before every later request.
import { afterAll, describe, expect, it } from 'vitest';
import { OAuthAuthorizer } from '../../src/auth/oauth-authorizer.js';
import { TokenStore } from '../../src/auth/token-store.js';
import { buildNetwork } from '../../src/config.js';
import { buildSignIn } from '../../src/config-sign-in.js';
import { isProxyError } from '../../src/errors.js';
import type { Challenge } from '../../src/http/authorizer.js';
import { HttpClient } from '../../src/http/client.js';
import { scripted, startFormEndpoint } from '../fixtures/form-endpoint.js';
import { ManualClock } from '../fixtures/manual-clock.js';
import { browserlessSettings } from '../fixtures/oauth-settings.js';
import { startRawServer } from '../fixtures/raw-server.js';
import { tempDir } from '../fixtures/teardown.js';

const ISSUER = 'https://as.example';
const http = new HttpClient(buildNetwork({}, {}));
afterAll(() => http.close());

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
/** An ID token as the proxy reads it (claims only; it is taken from the token endpoint over TLS, OIDC Core §3.1.3.7 (6)). */
const idToken = (claims: object): string => `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}.c2ln`;

async function signedInWithIdToken() {
  const clock = new ManualClock();
  // The MCP server: no metadata of its own, so a sign-in falls back to its origin's default
  // endpoints (2025-03-26) and waits for a browser that never comes (--auth-timeout, made short).
  const mcp = await startRawServer((_req, res) => void res.writeHead(404).end());
  const token = await startFormEndpoint('/token', scripted([[200, { access_token: 'at-2', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-2' }]]));
  const store = new TokenStore(tempDir('mcp-auth-proxy-id-token-refresh-'));
  const now = clock.now();
  const first = idToken({ iss: ISSUER, aud: 'cli', sub: 'user-1', iat: now / 1000, exp: now / 1000 + 3600 });
  await store.writeServer({
    server: mcp.url,
    issuer: ISSUER,
    clientId: 'cli',
    clientAuthMethod: 'none',
    resource: mcp.url,
    requestedScope: 'openid',
    tokenEndpoint: token.url.href,
    revocationEndpoint: undefined,
    tokens: { accessToken: 'at-1', refreshToken: 'rt-1', idToken: first, issuedAt: now, expiresAt: now + 3_600_000, scope: 'openid' },
    updatedAt: now,
  });
  const settings = browserlessSettings({
    http,
    serverUrl: new URL(mcp.url),
    store,
    authTimeoutMs: 50,
    clock,
    signIn: buildSignIn({ useIdToken: true }, {}, true),
  });
  return { authorizer: new OAuthAuthorizer(settings), url: new URL(mcp.url), first, posts: token.posts, clock };
}

/** The server's 401 to a request that presented `token`. */
const refusal = (url: URL, token: string): Challenge => ({
  status: 401,
  wwwAuthenticate: ['Bearer error="invalid_token"'],
  dpopNonce: undefined,
  method: 'POST',
  url,
  sent: `Bearer ${token}`,
});

describe('--use-id-token: a refresh answer without an ID token', () => {
  it('a refused ID token leads to a new sign-in, not AUTH_TOKEN (it failed with AUTH_TOKEN)', async () => {
    const { authorizer, url, first, posts } = await signedInWithIdToken();
    const headers = await authorizer.headers({ method: 'POST', url });
    expect(headers['authorization']).toBe(`Bearer ${first}`);
    const refused = refusal(url, first);
    const error = await authorizer.challenge(refused).then(
      () => undefined,
      (e: unknown) => e,
    );
    // The refresh was asked once; its answer could not renew the ID token, so a sign-in began
    // (and timed out here: nobody signs in), and nothing was stored.
    expect(posts.map((p) => p.form.get('grant_type'))).toEqual(['refresh_token']);
    expect(isProxyError(error, 'AUTH_TIMEOUT')).toBe(true);
    expect((await authorizer.headers({ method: 'POST', url }))['authorization']).toBe(`Bearer ${first}`);
  });

  it('refresh is not asked again in the run, ahead of expiry or after a refusal', async () => {
    const { authorizer, url, first, posts, clock } = await signedInWithIdToken();
    const refused = refusal(url, first);
    await authorizer.challenge(refused).catch(() => undefined);
    await clock.advance(3_590_000); // within the ID token's last minute: renewal would be due
    await authorizer.headers({ method: 'POST', url });
    await authorizer.challenge(refused).catch(() => undefined);
    expect(posts).toHaveLength(1);
  });
});
