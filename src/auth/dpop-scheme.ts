/**
 * The DPoP authentication scheme (RFC 9449 §7) beside Bearer (bearer.ts): when to use it, the
 * headers a request to the MCP server carries with a DPoP-bound token (`Authorization: DPoP <token>`
 * and a `DPoP` proof with `ath`, on POST, the GET stream and DELETE alike), and the resource
 * server's nonce challenge (§9: 401 `WWW-Authenticate: DPoP error="use_dpop_nonce"` + `DPoP-Nonce`).
 */
import type { DpopChoice } from '../config-defaults.js';
import { ProxyError } from '../errors.js';
import type { Challenge, OutgoingRequest } from '../http/authorizer.js';
import { log } from '../log.js';
import { parseChallenges } from './challenge.js';
import type { AuthServerMetadata, ProtectedResource } from './discovery.js';
import { chooseDpopAlg, DPOP_ALGS, type DpopAlg } from './dpop-key.js';
import type { DpopSigner } from './dpop-session.js';
import type { ServerRecord } from './token-store.js';

/**
 * The proof algorithm to bind the next sign-in's tokens with, or undefined for Bearer. auto: when
 * the AS lists `dpop_signing_alg_values_supported` (RFC 9449 §5.1) or the PRM says
 * `dpop_bound_access_tokens_required` (RFC 9728 §2), or the 401 offered only the DPoP scheme
 * (`dpopOnly`); always: in any case; never: not, and an error
 * when the server accepts nothing else.
 */
export function chooseBinding(choice: DpopChoice, as: AuthServerMetadata, prm: ProtectedResource | undefined, dpopOnly = false): DpopAlg | undefined {
  // Required: the PRM says so, or the server's 401 offered the DPoP scheme alone (§7.1).
  const why = prm?.dpopBoundRequired
    ? 'dpop_bound_access_tokens_required in its protected resource metadata'
    : dpopOnly
      ? 'its 401 challenge offers the DPoP scheme only'
      : undefined;
  const required = why !== undefined;
  if (choice === 'never') {
    if (!required) return undefined;
    throw new ProxyError(
      'AUTH_DPOP',
      `${prm?.resource ?? 'the server'} accepts only DPoP-bound tokens (${why}), but --dpop never was given: drop --dpop never (or use --dpop auto)`,
    );
  }
  if (choice === 'auto' && !required && as.dpopSigningAlgs === undefined) return undefined;
  const offered = as.dpopSigningAlgs ?? prm?.dpopAlgs;
  if (offered === undefined) return 'ES256';
  const alg = chooseDpopAlg(offered);
  if (alg) return alg;
  if (choice === 'auto' && !required) {
    log.info(`${as.issuer} offers DPoP only with ${offered.join(', ')}, none of which this proxy signs with; using Bearer tokens`);
    return undefined;
  }
  throw new ProxyError(
    'AUTH_DPOP',
    `${as.issuer} accepts DPoP proofs signed with ${offered.join(', ') || 'no algorithm'}; this proxy signs with ${DPOP_ALGS.join(', ')}`,
  );
}

/** The Authorization value requests carry with `record`'s token: what a Challenge's `sent` is compared with. */
export function authorizationValue(record: ServerRecord | undefined): string | undefined {
  const token = record?.tokens?.accessToken;
  return token === undefined ? undefined : `${record?.dpop ? 'DPoP' : 'Bearer'} ${token}`;
}

/** RFC 9449 §7.1: never `Bearer` for a bound token; a fresh proof (new jti) per request, with `ath`. */
export function dpopHeaders(signer: DpopSigner | undefined, accessToken: string, request: OutgoingRequest): Record<string, string> {
  const headers: Record<string, string> = { authorization: `DPoP ${accessToken}` };
  if (signer) headers['dpop'] = signer.proof(request.method, request.url, accessToken);
  return headers;
}

/** The nonce a resource server's `use_dpop_nonce` challenge hands out (RFC 9449 §9), if this is one. */
export function challengedNonce(challenge: Challenge): string | undefined {
  if (challenge.status !== 401 || !challenge.dpopNonce) return undefined;
  const dpop = parseChallenges(challenge.wwwAuthenticate).find((c) => c.scheme === 'dpop');
  return dpop?.params['error'] === 'use_dpop_nonce' ? challenge.dpopNonce : undefined;
}
