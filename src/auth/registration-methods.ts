/**
 * Which token_endpoint_auth_method (RFC 7591 §2) to register with, and when to try another.
 * A native app cannot keep a secret, so `none` (a public client, PKCE only) comes first where the
 * AS offers it (RFC 8252 §8.4). But many deployed servers list `none` besides the secret methods
 * and still refuse public clients (Cloudflare's workers-oauth-provider with public registration
 * disabled answers invalid_client_metadata): then the proxy registers once more as a
 * confidential client, with `client_secret_basic` where offered (RFC 8414 §2: the default when
 * the AS lists nothing), else `client_secret_post`. The secret it is given is stored like any
 * credential (0600, redacted) and used at the token and revocation endpoints.
 */
import { isProxyError } from '../errors.js';

const CONFIDENTIAL = ['client_secret_basic', 'client_secret_post'] as const;

/** The confidential method for this AS: basic where offered (or nothing is listed), else post, else what it lists first. */
export function confidentialMethod(allowed: readonly string[] | undefined): string {
  if (!allowed) return 'client_secret_basic';
  return CONFIDENTIAL.find((m) => allowed.includes(m)) ?? allowed[0] ?? 'client_secret_basic';
}

/** The methods to register with, in order: `none` first where the AS may take it, then a confidential one. */
export function registrationMethods(allowed: readonly string[] | undefined): string[] {
  if (allowed && !allowed.includes('none')) return [confidentialMethod(allowed)];
  // Listed with `none`, or nothing listed: a confidential method is the fallback when `none` is refused.
  const fallback = !allowed || CONFIDENTIAL.some((m) => allowed.includes(m)) ? [confidentialMethod(allowed)] : [];
  return ['none', ...fallback];
}

/** RFC 7591 §3.2.2: the AS refused the client metadata (here: a public client). */
export function refusedClientMetadata(error: unknown): boolean {
  return isProxyError(error, 'AUTH_REGISTRATION') && error.oauthError === 'invalid_client_metadata';
}
