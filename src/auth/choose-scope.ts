/**
 * The scope of an authorization request: --scope, else the challenge's, else all PRM
 * scopes_supported, else none (MCP 2025-11-25 "Scope Selection Strategy"); a step-up adds the
 * previous scope (the union).
 */
import type { BearerChallenge } from './challenge.js';
import type { AuthServerMetadata, ProtectedResource } from './discovery.js';

export interface ScopeInputs {
  /** --scope: overrides every other source. */
  given: string | undefined;
  challenge: BearerChallenge | undefined;
  prm: ProtectedResource | undefined;
  as: AuthServerMetadata;
  /** The scope of the current tokens, on a step-up. */
  previous: string | undefined;
  /** A user signs in (not client credentials nor an assertion grant): offline_access applies. */
  user: boolean;
  /** --use-id-token: `openid` is needed for an ID token. */
  openid: boolean;
}

export function chooseScope({ given, challenge, prm, as, previous, user, openid }: ScopeInputs): string | undefined {
  let words = (given ?? challenge?.scope ?? prm?.scopesSupported?.join(' ') ?? '').split(/\s+/).filter(Boolean);
  if (previous) words = [...previous.split(/\s+/).filter(Boolean), ...words];
  if (openid) words.unshift('openid'); // OIDC Core §3.1.2.1: no ID token without it
  // MCP 2026-07-28 "Refresh Tokens": offline_access only when the AS lists it (and never for
  // client credentials, which are renewed by asking again).
  if (as.scopesSupported?.includes('offline_access') && words.length > 0 && user) words.push('offline_access');
  const unique = [...new Set(words)];
  return unique.length > 0 ? unique.join(' ') : undefined;
}
