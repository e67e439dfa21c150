/**
 * What may be shown of stored credentials (by `login` and `status`): the server, the issuer, the
 * client, the scopes, when the access token expires and whether there is a refresh token. Never a
 * token, a secret or the server URL's query string (users put API keys there).
 */
import type { ServerRecord, StoredTokens } from '../auth/token-store.js';
import { displayUrl } from '../url.js';

export interface CredentialSummary {
  server: string;
  issuer: string;
  clientId: string;
  /** The scope granted (else the one requested), space-separated; null when none is known. */
  scope: string | null;
  /** The RFC 8707 resource the tokens are for, if one was sent. */
  resource: string | null;
  accessToken: 'valid' | 'expired' | 'none';
  /** ISO 8601; null when there is no token or it has no stated expiry. */
  expiresAt: string | null;
  /** Seconds until expiry, negative once expired; null as expiresAt. */
  expiresIn: number | null;
  refreshToken: boolean;
  /** How the token is presented: Bearer (RFC 6750), or DPoP (RFC 9449) bound to the key of `dpopKey` (its RFC 7638 thumbprint). */
  binding: 'Bearer' | 'DPoP';
  dpopKey: string | null;
  updatedAt: string;
}

export function summary(record: ServerRecord, now = Date.now()): CredentialSummary {
  const tokens = record.tokens;
  const expiresAt = tokens?.expiresAt;
  return {
    server: displayUrl(record.server),
    issuer: record.issuer,
    clientId: record.clientId,
    scope: tokens?.scope || record.requestedScope || null,
    resource: record.resource ?? null,
    accessToken: !tokens ? 'none' : isExpired(tokens, now) ? 'expired' : 'valid',
    expiresAt: expiresAt === undefined ? null : new Date(expiresAt).toISOString(),
    expiresIn: expiresAt === undefined ? null : Math.round((expiresAt - now) / 1000),
    refreshToken: Boolean(tokens?.refreshToken),
    binding: record.dpop ? 'DPoP' : 'Bearer',
    dpopKey: record.dpop?.thumbprint ?? null,
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
}

export function isExpired(tokens: StoredTokens, now = Date.now()): boolean {
  return tokens.expiresAt !== undefined && tokens.expiresAt <= now;
}

/** "Bearer", or "DPoP (key <thumbprint>)". */
export function binding(s: CredentialSummary): string {
  return s.dpopKey === null ? s.binding : `${s.binding} (key ${s.dpopKey})`;
}

/** "in 53 min", "expired 2 h ago", "no stated expiry", "none". */
export function expiry(s: CredentialSummary): string {
  if (s.accessToken === 'none') return 'none';
  if (s.expiresIn === null) return 'no stated expiry';
  const left = relativeTime(s.expiresIn * 1000);
  return s.expiresIn > 0 ? `in ${left}` : `expired ${left} ago`;
}

/** A duration as a person says it: 45 s, 53 min, 2 h, 3 d (the sign is ignored). */
export function relativeTime(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

/** The lines `login` prints: a headline, then the details, indented. */
export function describe(headline: string, record: ServerRecord): string {
  const s = summary(record);
  const rows: Array<[string, string]> = [
    ['issuer', s.issuer],
    ['client id', s.clientId],
    ['scopes', s.scope ?? '(none)'],
    ['access token', s.expiresAt === null ? expiry(s) : `${s.accessToken === 'expired' ? '' : 'expires '}${expiry(s)} (${s.expiresAt})`],
    ['refresh token', s.refreshToken ? 'yes' : 'no'],
    ['binding', binding(s)],
  ];
  return [`${headline} ${s.server}`, ...rows.map(([k, v]) => `  ${k.padEnd(15)}${v}`)].join('\n');
}
