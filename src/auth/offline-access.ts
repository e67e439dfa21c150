/**
 * Refresh tokens a server lists but does not hand out by default. MCP 2026-07-28 "Refresh
 * Tokens" (and OpenID Connect Core §11): a client asks for `offline_access` where the AS lists it
 * in scopes_supported, as the SDKs do, so that the sign-in does not end without a refresh token.
 * Not alone (a lone offline_access would replace the server's default scope), not for client
 * credentials (renewed by asking again), not where the AS says it issues no refresh tokens. An AS
 * that lists it but refuses it (invalid_scope, RFC 6749 §4.1.2.1 / §5.2) is asked again without.
 */
import { isProxyError } from '../errors.js';
import { log } from '../log.js';
import type { AuthServerMetadata } from './discovery.js';

export const OFFLINE_ACCESS = 'offline_access';

/** The scope words, with offline_access added where it brings a refresh token. */
export function withOfflineAccess(words: string[], as: AuthServerMetadata, clientCredentials: boolean): string[] {
  const listed = as.scopesSupported?.includes(OFFLINE_ACCESS) ?? false;
  const refreshable = as.grantTypes === undefined || as.grantTypes.includes('refresh_token');
  return listed && refreshable && words.length > 0 && !clientCredentials ? [...words, OFFLINE_ACCESS] : words;
}

function without(scope: string): string | undefined {
  const words = scope.split(/\s+/).filter((w) => w !== '' && w !== OFFLINE_ACCESS);
  return words.length > 0 ? words.join(' ') : undefined;
}

/**
 * Runs `obtain` with `scope`; when the AS refuses a scope with offline_access in it
 * (invalid_scope), once more without it. Resolves with the result and the scope it was obtained with.
 */
export async function obtainRetryingWithoutOfflineAccess<T>(
  scope: string | undefined,
  obtain: (scope: string | undefined) => Promise<T>,
): Promise<{ result: T; scope: string | undefined }> {
  try {
    return { result: await obtain(scope), scope };
  } catch (error) {
    const asked = scope?.split(/\s+/).includes(OFFLINE_ACCESS) ?? false;
    if (!asked || !isProxyError(error) || error.oauthError !== 'invalid_scope') throw error;
    const fewer = without(scope!);
    log.info(`the authorization server refused the scope with offline_access (invalid_scope); asking again without it${fewer ? ` (${fewer})` : ''}`);
    return { result: await obtain(fewer), scope: fewer };
  }
}
