/**
 * When a token is renewed ahead of expiry: within a quarter of its lifetime of expiring, and at
 * most REFRESH_MARGIN_MS ahead, so a request never carries a token the server is about to refuse.
 * The token that counts is the one presented (the ID token with --use-id-token, by its own exp).
 */
import { presentedLifetime } from './id-token.js';
import type { StoredTokens } from './token-store.js';

// Refresh this long before the access token expires (a quarter of a short lifetime).
export const REFRESH_MARGIN_MS = 60_000;

export function renewalDue(tokens: StoredTokens, useIdToken: boolean, now: number): boolean {
  const { issuedAt, expiresAt } = presentedLifetime(tokens, useIdToken);
  if (expiresAt === undefined) return false;
  const margin = issuedAt !== undefined ? Math.min(REFRESH_MARGIN_MS, (expiresAt - issuedAt) / 4) : REFRESH_MARGIN_MS;
  return expiresAt - now < margin;
}
