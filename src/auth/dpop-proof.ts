/**
 * A DPoP proof (RFC 9449 §4.2): a JWT signed by the DPoP key, for exactly one HTTP request.
 * Header: `typ: dpop+jwt`, `alg`, `jwk` (the public key only). Claims: a unique `jti`, `htm` (the
 * method), `htu` (the target URI without query and fragment, §4.2), `iat`; `ath` (base64url
 * SHA-256 of the access token, §4.2) on requests to a resource server; `nonce` when the server
 * gave one (§8, §9).
 */
import { createHash, randomUUID } from 'node:crypto';
import { signature } from './client-assertion.js';
import type { DpopKey } from './dpop-key.js';

export interface ProofTarget {
  method: string;
  url: URL;
  /** The access token the request carries (resource requests): sets `ath`. */
  accessToken?: string | undefined;
  nonce?: string | undefined;
}

/** `htu`: the URL without query and fragment (RFC 9449 §4.2, compared so by servers per §4.3). */
export function proofUri(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export function createProof(key: DpopKey, target: ProofTarget, now = Date.now()): string {
  const header = { typ: 'dpop+jwt', alg: key.alg, jwk: key.jwk };
  const claims: Record<string, string | number> = { jti: randomUUID(), htm: target.method, htu: proofUri(target.url), iat: Math.floor(now / 1000) };
  if (target.accessToken !== undefined) claims['ath'] = createHash('sha256').update(target.accessToken, 'ascii').digest('base64url');
  if (target.nonce !== undefined) claims['nonce'] = target.nonce;
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  return `${input}.${signature({ key: key.privateKey, alg: key.alg }, Buffer.from(input)).toString('base64url')}`;
}

/** The `nonce` claim of one of our own proofs (to tell a retried request from a stale one). */
export function proofNonce(proof: string | undefined): string | undefined {
  const payload = proof?.split('.')[1];
  if (!payload) return undefined;
  try {
    const nonce = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { nonce?: unknown }).nonce;
    return typeof nonce === 'string' ? nonce : undefined;
  } catch {
    return undefined;
  }
}

const b64 = (text: string): string => Buffer.from(text).toString('base64url');
