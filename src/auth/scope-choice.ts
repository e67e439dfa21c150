/** The scope a sign-in asks for (MCP 2025-11-25 "Scope Selection Strategy", 2026-07-28 "Refresh Tokens"). */
import type { BearerChallenge } from './challenge.js';
import type { AuthServerMetadata, ProtectedResource } from './discovery.js';
import { withOfflineAccess } from './offline-access.js';

/**
 * --scope, else the challenge's, else all PRM scopes_supported, else none; after a step-up, with
 * the scope asked for before; with offline_access where it brings a refresh token
 * (offline-access.ts: not for machine grants, which are renewed by asking again).
 */
export function chooseScope(
  given: string | undefined,
  challenge: BearerChallenge | undefined,
  prm: ProtectedResource | undefined,
  as: AuthServerMetadata,
  previous: string | undefined,
  machineGrant: boolean,
): string | undefined {
  let words = (given ?? challenge?.scope ?? prm?.scopesSupported?.join(' ') ?? '').split(/\s+/).filter(Boolean);
  if (previous) words = [...previous.split(/\s+/).filter(Boolean), ...words];
  words = withOfflineAccess(words, as, machineGrant);
  const unique = [...new Set(words)];
  return unique.length > 0 ? unique.join(' ') : undefined;
}
