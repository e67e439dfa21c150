// --use-id-token: the ID token is checked (iss, aud, exp; OIDC Core §3.1.3.7), presented as the
// bearer, and renewed by its own exp, on a controllable clock.
import { afterAll, describe, expect, it } from 'vitest';
import { checkIdToken, idTokenClaims, presentedLifetime, presentedToken } from '../../src/auth/id-token.js';
import { OAuthAuthorizer } from '../../src/auth/oauth-authorizer.js';
import { TokenStore } from '../../src/auth/token-store.js';
import { buildConfig, buildNetwork } from '../../src/config.js';
import { buildSignIn } from '../../src/config-sign-in.js';
import { HttpClient } from '../../src/http/client.js';
import { scripted, startFormEndpoint } from '../fixtures/form-endpoint.js';
import { ManualClock } from '../fixtures/manual-clock.js';
import { browserlessSettings } from '../fixtures/oauth-settings.js';
import { tempDir } from '../fixtures/teardown.js';

const ISSUER = 'https://as.example';
const SERVER = 'https://mcp.example/mcp';
const jwt = (claims: Record<string, unknown>): string => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
const http = new HttpClient(buildNetwork({}, {}));
afterAll(() => http.close());

describe('the ID token', () => {
  const base = { accessToken: 'at', refreshToken: undefined, expiresAt: undefined, scope: undefined };
  const good = jwt({ iss: ISSUER, aud: ['cli', 'other'], exp: Math.floor(Date.now() / 1000) + 600 });

  it('reads iss, aud and exp', () => {
    expect(idTokenClaims(good)).toMatchObject({ iss: ISSUER, aud: ['cli', 'other'] });
    expect(idTokenClaims('not-a-jwt')).toBeUndefined();
  });

  it('is presented instead of the access token only with the flag, and its exp drives renewal', () => {
    const tokens = { ...base, idToken: good, issuedAt: 1, expiresAt: 99 };
    expect(presentedToken(tokens, false)).toBe('at');
    expect(presentedToken(tokens, true)).toBe(good);
    expect(presentedLifetime(tokens, false).expiresAt).toBe(99);
    expect(presentedLifetime(tokens, true).expiresAt).toBe(idTokenClaims(good)!.expiresAt);
  });

  it.each([
    ['missing', undefined, /returned no ID token/],
    ['not a JWT', 'opaque', /not a JWT/],
    ['another issuer', jwt({ iss: 'https://evil.example', aud: 'cli', exp: 9e9 }), /"iss" is https:\/\/evil.example/],
    ['another client', jwt({ iss: ISSUER, aud: 'someone', exp: 9e9 }), /"aud" does not name the client cli/],
    ['expired', jwt({ iss: ISSUER, aud: 'cli', exp: 1 }), /"exp" is in the past/],
  ])('refuses one that is %s, never echoing it', (_name, idToken, message) => {
    const check = () => checkIdToken({ ...base, ...(idToken === undefined ? {} : { idToken }) }, { issuer: ISSUER, clientId: 'cli' });
    expect(check).toThrow(message);
    try {
      check();
    } catch (error) {
      if (idToken) expect((error as Error).message).not.toContain(idToken);
    }
  });

  it('adds nothing to the config unless asked', () => {
    expect(buildSignIn({}, {}, false).useIdToken).toBe(false);
    expect(buildConfig(SERVER, { useIdToken: true }, {}).oauth.signIn.useIdToken).toBe(true);
  });
});

describe("renewal by the ID token's exp", () => {
  it('an access token valid for an hour is refreshed when the ID token is about to expire', async () => {
    const clock = new ManualClock();
    const idToken = (lifeS: number, n: number) => jwt({ iss: ISSUER, aud: 'cli', exp: Math.floor(clock.now() / 1000) + lifeS, n });
    const second = idToken(3600, 2);
    const token = await startFormEndpoint(
      '/token',
      scripted([[200, { access_token: 'at-2', id_token: second, token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-2' }]]),
    );
    const store = new TokenStore(tempDir('mcp-auth-proxy-id-token-'));
    const first = idToken(8, 1);
    await store.writeServer({
      server: SERVER,
      issuer: ISSUER,
      clientId: 'cli',
      clientAuthMethod: 'none',
      resource: SERVER,
      requestedScope: 'openid',
      tokenEndpoint: token.url.href,
      revocationEndpoint: undefined,
      tokens: { accessToken: 'at-1', idToken: first, refreshToken: 'rt-1', issuedAt: clock.now(), expiresAt: clock.now() + 3_600_000, scope: undefined },
      updatedAt: clock.now(),
    });
    const authorizer = new OAuthAuthorizer(
      browserlessSettings({ http, serverUrl: new URL(SERVER), store, signIn: buildSignIn({ useIdToken: true }, {}, false), clock }),
    );
    const bearer = async () => (await authorizer.headers({ method: 'POST', url: new URL(SERVER) }))['authorization'];
    expect(await bearer()).toBe(`Bearer ${first}`);
    await clock.advance(3_000); // 5 s of the ID token's 8 left: outside its last quarter
    expect(await bearer()).toBe(`Bearer ${first}`);
    expect(token.posts).toHaveLength(0);
    await clock.advance(3_500); // 1.5 s left
    expect(await bearer()).toBe(`Bearer ${second}`);
    expect(token.posts.map((p) => p.form.get('grant_type'))).toEqual(['refresh_token']);
  });
});
