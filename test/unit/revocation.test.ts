// RFC 7009 requests as sent: the token, its type hint, and the client authenticated exactly as at
// the token endpoint (Basic for client_secret_basic, client_id in the form for public clients).
import { afterAll, describe, expect, it } from 'vitest';
import { revokeTokens } from '../../src/auth/revocation.js';
import { buildNetwork } from '../../src/config.js';
import { HttpClient } from '../../src/http/client.js';
import { startFormEndpoint } from '../fixtures/form-endpoint.js';

const http = new HttpClient(buildNetwork({}, {}));
afterAll(() => http.close());

async function revocationEndpoint(answer: (form: URLSearchParams) => [number, object]) {
  const { url, posts } = await startFormEndpoint('/revoke', answer);
  return { url, seen: posts };
}

const tokens = { accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: undefined, scope: undefined };

describe('revokeTokens', () => {
  it('both tokens, reported refresh token first; a confidential client authenticates with Basic', async () => {
    const { url, seen } = await revocationEndpoint(() => [200, {}]);
    const outcomes = await revokeTokens(http, url, { clientId: 'my app', clientSecret: 's3cret', method: 'client_secret_basic' }, tokens);
    expect(outcomes.map((o) => [o.hint, o.result])).toEqual([
      ['refresh_token', 'revoked'],
      ['access_token', 'revoked'],
    ]);
    // Sent concurrently (issue 10 §8): in either order.
    expect(seen.map((s) => [s.form.get('token'), s.form.get('token_type_hint')]).sort()).toEqual([
      ['at-1', 'access_token'],
      ['rt-1', 'refresh_token'],
    ]);
    expect(seen[0]!.authorization).toBe(`Basic ${Buffer.from('my+app:s3cret').toString('base64')}`);
    expect(seen[0]!.form.has('client_id')).toBe(false);
  });

  it('a public client sends its client_id; unsupported_token_type is not a failure; other errors are reported, not thrown', async () => {
    const { url, seen } = await revocationEndpoint((form) =>
      form.get('token_type_hint') === 'access_token' ? [400, { error: 'unsupported_token_type' }] : [503, { error: 'temporarily_unavailable' }],
    );
    const outcomes = await revokeTokens(http, url, { clientId: 'pub', clientSecret: undefined, method: 'none' }, tokens);
    expect(outcomes.map((o) => o.result)).toEqual(['failed', 'unsupported']);
    expect(outcomes[0]!.error?.message).toContain('503');
    expect(outcomes[0]!.error?.message).toContain('temporarily_unavailable');
    expect(seen[0]!.form.get('client_id')).toBe('pub');
    expect(seen[0]!.authorization).toBeUndefined();
  });

  it('no refresh token: only the access token', async () => {
    const { url, seen } = await revocationEndpoint(() => [200, {}]);
    await revokeTokens(http, url, { clientId: 'pub', clientSecret: undefined, method: 'none' }, { ...tokens, refreshToken: undefined });
    expect(seen.map((s) => s.form.get('token_type_hint'))).toEqual(['access_token']);
  });
});
