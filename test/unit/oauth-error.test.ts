// RFC 6749 §5.2 error bodies, read once for the token, registration, revocation and device
// endpoints: the fields as vectors, and the status check that turns a refusal into a ProxyError.
import { describe, expect, it } from 'vitest';
import { acceptedAnswer, readOAuthError } from '../../src/auth/oauth-error.js';
import { ProxyError } from '../../src/errors.js';

describe('readOAuthError', () => {
  it.each([
    ['no body', undefined, undefined],
    ['no error field', { error_description: 'x' }, undefined],
    ['error not a string', { error: 42 }, undefined],
    ['error only', { error: 'invalid_grant' }, { error: 'invalid_grant', description: undefined, uri: undefined }],
    [
      'all fields',
      { error: 'invalid_client', error_description: 'unknown client', error_uri: 'https://as.example/errors#client' },
      { error: 'invalid_client', description: 'unknown client', uri: 'https://as.example/errors#client' },
    ],
    ['description not a string', { error: 'e', error_description: ['x'] }, { error: 'e', description: undefined, uri: undefined }],
    ['error_uri not http(s)', { error: 'e', error_uri: 'javascript:alert(1)' }, { error: 'e', description: undefined, uri: undefined }],
    ['error_uri relative', { error: 'e', error_uri: '/errors' }, { error: 'e', description: undefined, uri: undefined }],
  ])('%s', (_name, body, expected) => {
    expect(readOAuthError(body as Record<string, unknown> | undefined)).toEqual(expected);
  });

  it('cuts a long description short', () => {
    expect(readOAuthError({ error: 'e', error_description: 'x'.repeat(1000) })?.description).toHaveLength(300);
  });
});

describe('acceptedAnswer', () => {
  const answer = (status: number, body?: Record<string, unknown>) => ({ status, body, problem: body ? undefined : 'the answer is an HTML page' });

  it('passes an accepted status through', () => {
    const ok = answer(201, { client_id: 'c' });
    expect(acceptedAnswer(ok, [201, 200], 'AUTH_REGISTRATION', () => 'refused')).toBe(ok);
  });

  it('throws the endpoint code with the status and the OAuth error code', () => {
    const refused = (): unknown =>
      acceptedAnswer(
        answer(400, { error: 'invalid_grant', error_description: 'expired' }),
        [200],
        'AUTH_TOKEN',
        ({ oauth }) => `refused (${oauth?.error}: ${oauth?.description})`,
      );
    expect(refused).toThrow(ProxyError);
    expect(refused).toThrow('refused (invalid_grant: expired)');
    try {
      refused();
    } catch (error) {
      expect(error).toMatchObject({ code: 'AUTH_TOKEN', status: 400, oauthError: 'invalid_grant' });
    }
  });

  it('a refusal without an OAuth body gives the wording the status and the problem', () => {
    try {
      acceptedAnswer(answer(502), [200], 'AUTH_REVOCATION', ({ status, oauth, problem }) => `${status} ${oauth === undefined} ${problem}`);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'AUTH_REVOCATION', status: 502, oauthError: undefined, message: '502 true the answer is an HTML page' });
    }
  });
});
