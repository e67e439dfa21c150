/**
 * What `logout` says about each revocation (RFC 7009), in the user's terms. The case that
 * matters: the refresh token is revoked but the access token is not, because the authorization
 * server refuses to revoke it (JWT access tokens often cannot be: §2.2.1 unsupported_token_type,
 * or any other refusal). Then the user is told exactly that, and until when the access token
 * still works: it is deleted here, but whoever copied it can use it until it expires.
 */
import type { RevocationOutcome } from '../auth/revocation.js';
import type { StoredTokens } from '../auth/token-store.js';
import { isProxyError } from '../errors.js';

export interface RevocationLine {
  /** `say` (the user reads it) or `info` (the log, at --log-level info). */
  level: 'say' | 'info';
  text: string;
}

/** When the access token expires, as the user should read it, or undefined when unknown. */
function expiry(tokens: StoredTokens): string | undefined {
  return tokens.expiresAt === undefined ? undefined : new Date(tokens.expiresAt).toISOString();
}

/** The AS answered, and said no (as opposed to a network failure, where nothing is known). */
function refused(outcome: RevocationOutcome): boolean {
  return outcome.result === 'unsupported' || (outcome.result === 'failed' && isProxyError(outcome.error) && outcome.error.status !== undefined);
}

export function revocationReport(outcomes: readonly RevocationOutcome[], tokens: StoredTokens, issuer: string): RevocationLine[] {
  const refreshRevoked = outcomes.some((o) => o.hint === 'refresh_token' && o.result === 'revoked');
  const access = outcomes.find((o) => o.hint === 'access_token');
  if (refreshRevoked && access && refused(access)) {
    const until = expiry(tokens);
    const why = access.result === 'unsupported' ? 'it does not revoke access tokens of this kind' : (access.error?.message ?? 'refused');
    return [
      { level: 'say', text: `revoked the refresh token at ${issuer}` },
      {
        level: 'say',
        text: `the access token stays valid until ${until ? `it expires at ${until}` : 'it expires'}: ${issuer} refused to revoke it (${why}); it is deleted here`,
      },
    ];
  }
  const lines: RevocationLine[] = [];
  for (const o of outcomes) {
    const what = o.hint === 'refresh_token' ? 'refresh token' : 'access token';
    if (o.result === 'revoked') lines.push({ level: 'say', text: `revoked the ${what} at ${issuer}` });
    else if (o.result === 'failed')
      lines.push({
        level: 'say',
        text: `warning: could not revoke the ${what} at ${issuer} (${o.error?.message ?? 'unknown error'}); it is deleted here anyway`,
      });
    // unsupported_token_type: self-contained access tokens; revoking the grant's refresh token
    // ends them where the AS supports that (RFC 7009 §2.1), else they run out by themselves.
    else if (refreshRevoked) lines.push({ level: 'info', text: `${issuer} does not revoke ${what}s on their own` });
    else lines.push({ level: 'say', text: `${issuer} does not revoke ${what}s of this kind; it stays valid until it expires` });
  }
  return lines;
}
