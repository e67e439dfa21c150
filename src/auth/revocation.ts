/**
 * Token revocation (RFC 7009), for `logout`: tells the authorization server that the tokens are no
 * longer needed, authenticating as the client they were issued to, exactly as at the token
 * endpoint (RFC 7009 §2.1). The refresh token goes first: revoking it SHOULD also invalidate the
 * access tokens of its grant (§2.1); the access token follows, and an AS that cannot revoke
 * access tokens (self-contained JWTs) says `unsupported_token_type`, which is not a failure.
 * A 200 means revoked or already invalid (§2.2); the body is ignored.
 */
import { ProxyError } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import { displayUrl } from '../url.js';
import { acceptedAnswer, oauthErrorText } from './oauth-error.js';
import { postForm } from './oauth-request.js';
import { authenticateClient, type ClientAuth } from './token-endpoint.js';
import type { StoredTokens } from './token-store.js';

export type TokenTypeHint = 'refresh_token' | 'access_token';

export interface RevocationOutcome {
  hint: TokenTypeHint;
  /** revoked: 200; unsupported: the AS does not revoke this type; failed: see `error`. */
  result: 'revoked' | 'unsupported' | 'failed';
  error?: Error;
}

const TIMEOUT_MS = 15_000;

/** Revokes one token; throws a ProxyError (AUTH_REVOCATION, or the network error) when refused. */
export async function revokeToken(http: HttpClient, endpoint: URL, client: ClientAuth, token: string, hint: TokenTypeHint): Promise<void> {
  const { body, headers } = authenticateClient(client, { token, token_type_hint: hint });
  const answer = await postForm(http, endpoint, body, headers, AbortSignal.timeout(TIMEOUT_MS));
  acceptedAnswer(
    answer,
    [200],
    'AUTH_REVOCATION',
    ({ status, oauth, problem }) => `the revocation endpoint ${displayUrl(endpoint)} answered ${status} (${oauth ? oauthErrorText(oauth) : (problem ?? 'no reason given')})`,
  );
}

/** Revokes the refresh token, then the access token; never throws: each outcome is reported. */
export async function revokeTokens(http: HttpClient, endpoint: URL, client: ClientAuth, tokens: StoredTokens): Promise<RevocationOutcome[]> {
  const outcomes: RevocationOutcome[] = [];
  const pairs: Array<[TokenTypeHint, string | undefined]> = [
    ['refresh_token', tokens.refreshToken],
    ['access_token', tokens.accessToken],
  ];
  for (const [hint, token] of pairs) {
    if (!token) continue;
    try {
      await revokeToken(http, endpoint, client, token, hint);
      outcomes.push({ hint, result: 'revoked' });
    } catch (error) {
      if (error instanceof ProxyError && error.oauthError === 'unsupported_token_type') outcomes.push({ hint, result: 'unsupported' });
      else outcomes.push({ hint, result: 'failed', error: error as Error });
    }
  }
  return outcomes;
}
