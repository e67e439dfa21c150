/**
 * Token revocation (RFC 7009), for `logout`: tells the authorization server that the tokens are no
 * longer needed, authenticating as the client they were issued to, exactly as at the token
 * endpoint (RFC 7009 §2.1). The refresh token goes first: revoking it SHOULD also invalidate the
 * access tokens of its grant (§2.1); both are sent at once (an endpoint that never answers costs
 * one wait, not two), and an AS that cannot revoke access tokens (self-contained JWTs) says
 * `unsupported_token_type`, which is not a failure.
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
export async function revokeToken(
  http: HttpClient,
  endpoint: URL,
  client: ClientAuth,
  token: string,
  hint: TokenTypeHint,
  signal?: AbortSignal,
): Promise<void> {
  const { body, headers } = authenticateClient(client, { token, token_type_hint: hint });
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  let answer;
  try {
    answer = await postForm(http, endpoint, body, headers, signal ? AbortSignal.any([signal, timeout]) : timeout);
  } catch (error) {
    if (!signal?.aborted && !timeout.aborted) throw error;
    throw new ProxyError('AUTH_REVOCATION', `the revocation endpoint ${displayUrl(endpoint)} did not answer in time`, { cause: error });
  }
  acceptedAnswer(
    answer,
    [200],
    'AUTH_REVOCATION',
    ({ status, oauth, problem }) =>
      `the revocation endpoint ${displayUrl(endpoint)} answered ${status} (${oauth ? oauthErrorText(oauth) : (problem ?? 'no reason given')})`,
  );
}

/**
 * Revokes the refresh token and the access token concurrently, until `signal` (the command's
 * bound) aborts; never throws: each outcome is reported, refresh token first.
 */
export async function revokeTokens(
  http: HttpClient,
  endpoint: URL,
  client: ClientAuth,
  tokens: StoredTokens,
  signal?: AbortSignal,
): Promise<RevocationOutcome[]> {
  const pairs: Array<[TokenTypeHint, string | undefined]> = [
    ['refresh_token', tokens.refreshToken],
    ['access_token', tokens.accessToken],
  ];
  const attempts = pairs.map(async ([hint, token]): Promise<RevocationOutcome | undefined> => {
    if (!token) return undefined;
    try {
      await revokeToken(http, endpoint, client, token, hint, signal);
      return { hint, result: 'revoked' };
    } catch (error) {
      if (error instanceof ProxyError && error.oauthError === 'unsupported_token_type') return { hint, result: 'unsupported' };
      return { hint, result: 'failed', error: error as Error };
    }
  });
  return (await Promise.all(attempts)).filter((o): o is RevocationOutcome => o !== undefined);
}
