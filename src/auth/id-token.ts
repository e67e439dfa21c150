/**
 * The token a request presents, and when it is renewed. With --use-id-token, some gateways (Amazon Cognito user pools in front of Bedrock AgentCore, API
 * gateways with an OIDC authorizer) accept the OpenID Connect ID token as the bearer, not the
 * access token. The ID token is then what is sent and what is renewed, by its own `exp`.
 * It comes straight from the token endpoint over TLS, so OIDC Core §3.1.3.7 (6) lets the client
 * rely on TLS instead of its signature; `iss`, `aud` and `exp` are still checked (§3.1.3.7 (2),
 * (3), (9)) so a token meant for another client or issuer is never presented.
 */
import { ProxyError } from '../errors.js';
import { bearerHeaders } from './bearer.js';
import { authorizationValue } from './dpop-scheme.js';
import type { ServerRecord, StoredTokens } from './token-store.js';

export interface IdTokenClaims {
  iss: string | undefined;
  aud: string[];
  /** Milliseconds since the epoch. */
  expiresAt: number | undefined;
}

/** The claims of a compact JWS (its payload, base64url JSON); undefined when it is not one. */
export function idTokenClaims(idToken: string): IdTokenClaims | undefined {
  const parts = idToken.split('.');
  if (parts.length !== 3) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!payload || typeof payload !== 'object') return undefined;
  const { iss, aud, exp } = payload as Record<string, unknown>;
  return {
    iss: typeof iss === 'string' ? iss : undefined,
    aud: typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [],
    expiresAt: typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined,
  };
}

/** The token to put in the Authorization header: the ID token with --use-id-token, else the access token. */
export function presentedToken(tokens: StoredTokens | undefined, useIdToken: boolean): string | undefined {
  return useIdToken ? tokens?.idToken : tokens?.accessToken;
}

/** When the presented token was issued and expires: renewal ahead of expiry follows it. */
export function presentedLifetime(tokens: StoredTokens, useIdToken: boolean): { issuedAt: number | undefined; expiresAt: number | undefined } {
  if (!useIdToken) return { issuedAt: tokens.issuedAt, expiresAt: tokens.expiresAt };
  return { issuedAt: tokens.issuedAt, expiresAt: tokens.idToken === undefined ? undefined : idTokenClaims(tokens.idToken)?.expiresAt };
}

/**
 * Checks the ID token of newly received tokens (--use-id-token), before they are stored: there is
 * one, it names the issuer and our client, and it has not expired. Errors name the claim, never the token.
 */
export function checkIdToken(tokens: StoredTokens, expected: { issuer: string; clientId: string }, now = Date.now()): void {
  if (tokens.idToken === undefined) {
    throw new ProxyError(
      'AUTH_TOKEN',
      'the token endpoint returned no ID token (--use-id-token): the authorization server must support OpenID Connect and grant the "openid" scope',
    );
  }
  const claims = idTokenClaims(tokens.idToken);
  if (!claims) throw new ProxyError('AUTH_TOKEN', 'the "id_token" in the token response is not a JWT (--use-id-token)');
  if (claims.iss !== expected.issuer)
    throw new ProxyError('AUTH_TOKEN', `the ID token's "iss" is ${claims.iss ?? 'missing'}, expected ${expected.issuer} (OIDC Core §3.1.3.7)`);
  if (!claims.aud.includes(expected.clientId))
    throw new ProxyError('AUTH_TOKEN', `the ID token's "aud" does not name the client ${expected.clientId} (OIDC Core §3.1.3.7)`);
  if (claims.expiresAt === undefined || claims.expiresAt <= now)
    throw new ProxyError('AUTH_TOKEN', `the ID token's "exp" is ${claims.expiresAt === undefined ? 'missing' : 'in the past'} (OIDC Core §3.1.3.7)`);
}

/** --use-id-token: the ID token as a Bearer token (RFC 6750 §2.1). */
export function idTokenHeaders(record: ServerRecord | undefined): Record<string, string> {
  return bearerHeaders(presentedToken(record?.tokens, true));
}

/** The Authorization value requests carry with `record`'s token (DPoP or Bearer; the ID token as Bearer): what a Challenge's `sent` is compared with. */
export function presentedAuthorization(record: ServerRecord | undefined, useIdToken: boolean): string | undefined {
  return useIdToken ? bearerHeaders(presentedToken(record?.tokens, true))['authorization'] : authorizationValue(record);
}

// Refresh this long before the presented token expires (a quarter of a short lifetime).
export const REFRESH_MARGIN_MS = 60_000;

/** Renewal ahead of expiry is due: within a quarter of the presented token's lifetime, at most REFRESH_MARGIN_MS. */
export function renewalDue(tokens: StoredTokens, useIdToken: boolean, now: number): boolean {
  const { issuedAt, expiresAt } = presentedLifetime(tokens, useIdToken);
  if (expiresAt === undefined) return false;
  const margin = issuedAt !== undefined ? Math.min(REFRESH_MARGIN_MS, (expiresAt - issuedAt) / 4) : REFRESH_MARGIN_MS;
  return expiresAt - now < margin;
}
