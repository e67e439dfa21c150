// Renewal ahead of expiry, on a controllable clock: a token is renewed once it is within its
// refresh margin (a quarter of its lifetime, at most 60 s), before the server has to refuse it,
// and not earlier. The token endpoint is the form-recording fixture; time is a ManualClock.
import { afterAll, describe, expect, it } from 'vitest';
import { OAuthAuthorizer } from '../../src/auth/oauth-authorizer.js';
import { TokenStore, type ServerRecord } from '../../src/auth/token-store.js';
import { buildNetwork } from '../../src/config.js';
import { HttpClient } from '../../src/http/client.js';
import { scripted, startFormEndpoint } from '../fixtures/form-endpoint.js';
import { ManualClock } from '../fixtures/manual-clock.js';
import { browserlessSettings } from '../fixtures/oauth-settings.js';
import { tempDir } from '../fixtures/teardown.js';

const SERVER = 'https://mcp.example/mcp';
const ISSUER = 'https://as.example';
const http = new HttpClient(buildNetwork({}, {}));
afterAll(() => http.close());

/** The Authorization header the authorizer would add to a request to the MCP server. */
const authorization = async (authorizer: OAuthAuthorizer): Promise<string | undefined> =>
  (await authorizer.headers({ method: 'POST', url: new URL(SERVER) }))['authorization'];

/** An authorizer whose store holds `tokens`, issued now by the clock and living `lifetimeMs`. */
async function signedIn(kind: 'user' | 'client_credentials', lifetimeMs: number) {
  const clock = new ManualClock();
  const token = await startFormEndpoint(
    '/token',
    scripted([[200, { access_token: 'at-2', token_type: 'Bearer', expires_in: 3600, refresh_token: kind === 'user' ? 'rt-2' : undefined }]]),
  );
  const store = new TokenStore(tempDir('mcp-auth-proxy-renewal-'));
  const record: ServerRecord = {
    server: SERVER,
    issuer: ISSUER,
    clientId: 'cli',
    clientAuthMethod: kind === 'user' ? 'none' : 'client_secret_basic',
    resource: SERVER,
    requestedScope: undefined,
    tokenEndpoint: token.url.href,
    revocationEndpoint: undefined,
    tokens: {
      accessToken: 'at-1',
      refreshToken: kind === 'user' ? 'rt-1' : undefined,
      issuedAt: clock.now(),
      expiresAt: clock.now() + lifetimeMs,
      scope: undefined,
    },
    ...(kind === 'client_credentials' && { grant: 'client_credentials' as const }),
    updatedAt: clock.now(),
  };
  await store.writeServer(record);
  const settings = browserlessSettings({
    http,
    serverUrl: new URL(SERVER),
    store,
    clock,
    ...(kind === 'client_credentials' && {
      client: { clientId: 'cli', clientSecret: 'cli-secret', clientMetadataUrl: undefined },
      grant: 'client_credentials' as const,
    }),
  });
  return { authorizer: new OAuthAuthorizer(settings), clock, posts: token.posts };
}

describe('renewal ahead of expiry', () => {
  it('a refresh token is used within the last quarter of a short lifetime, not before', async () => {
    const { authorizer, clock, posts } = await signedIn('user', 4_000);
    expect(await authorization(authorizer)).toBe('Bearer at-1');
    await clock.advance(2_900);
    expect(await authorization(authorizer)).toBe('Bearer at-1');
    expect(posts).toHaveLength(0);
    await clock.advance(400); // 3.3 s of 4: within the last quarter
    expect(await authorization(authorizer)).toBe('Bearer at-2');
    expect(posts.map((p) => [p.form.get('grant_type'), p.form.get('refresh_token')])).toEqual([['refresh_token', 'rt-1']]);
  });

  // Was an integration test that slept 3.3 s of a 4 s token's life.
  it('client credentials: renewed shortly before they expire, before the server has to refuse them', async () => {
    const { authorizer, clock, posts } = await signedIn('client_credentials', 4_000);
    expect(await authorization(authorizer)).toBe('Bearer at-1');
    await clock.advance(3_300);
    expect(await authorization(authorizer)).toBe('Bearer at-2');
    expect(posts.map((p) => p.form.get('grant_type'))).toEqual(['client_credentials']);
    expect(posts[0]!.authorization).toBe(`Basic ${Buffer.from('cli:cli-secret').toString('base64')}`);
  });
});
