/**
 * The DPoP key pair (RFC 9449 §2): one per MCP server and authorization server, generated at a
 * sign-in, kept beside that server's credentials (the private key as a JWK in its own 0600 file,
 * see TokenStore.writeDpopKey), reused for every proof and refresh while those tokens live (the
 * AS binds the refresh token to it, §5), and replaced only by the next sign-in. Never logged, never
 * sent: proofs carry the public JWK only.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { SigningAlg } from './client-assertion.js';

/** The proof algorithms the proxy can sign with, preferred first (ES256: MCP DPoP profile). */
export const DPOP_ALGS = ['ES256', 'ES384', 'ES512', 'EdDSA', 'PS256', 'RS256'] as const satisfies readonly SigningAlg[];
export type DpopAlg = (typeof DPOP_ALGS)[number];

export interface DpopKey {
  alg: DpopAlg;
  privateKey: KeyObject;
  /** The public JWK (only the members RFC 7638 names): what a proof's header carries. */
  jwk: Record<string, string>;
  /** RFC 7638 SHA-256 thumbprint of `jwk`: the `cnf.jkt` tokens are bound to (RFC 9449 §6.1). */
  thumbprint: string;
}

/** What the store keeps: the private JWK and its algorithm. */
export interface StoredDpopKey {
  alg: DpopAlg;
  jwk: Record<string, string>;
}

const CURVES: Partial<Record<DpopAlg, string>> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

/** The algorithm to use from an AS's or resource's list: ES256 when offered, else the first the proxy can sign with. */
export function chooseDpopAlg(offered: readonly string[] | undefined): DpopAlg | undefined {
  if (!offered) return undefined;
  if (offered.includes('ES256')) return 'ES256';
  return offered.find((alg): alg is DpopAlg => (DPOP_ALGS as readonly string[]).includes(alg));
}

export function generateDpopKey(alg: DpopAlg): DpopKey {
  const curve = CURVES[alg];
  const { privateKey } = curve
    ? generateKeyPairSync('ec', { namedCurve: curve })
    : alg === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return fromPrivateKey(alg, privateKey);
}

export function storedDpopKey(key: DpopKey): StoredDpopKey {
  return { alg: key.alg, jwk: key.privateKey.export({ format: 'jwk' }) as Record<string, string> };
}

/** The key from its stored form; undefined when the file is not a usable key of its algorithm. */
export function loadDpopKey(stored: StoredDpopKey | undefined): DpopKey | undefined {
  if (!stored || !(DPOP_ALGS as readonly string[]).includes(stored.alg) || typeof stored.jwk?.['d'] !== 'string') return undefined;
  try {
    return fromPrivateKey(stored.alg, createPrivateKey({ key: stored.jwk as never, format: 'jwk' }));
  } catch {
    return undefined;
  }
}

function fromPrivateKey(alg: DpopAlg, privateKey: KeyObject): DpopKey {
  const full = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, string>;
  // RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace.
  const members = full['kty'] === 'EC' ? ['crv', 'kty', 'x', 'y'] : full['kty'] === 'OKP' ? ['crv', 'kty', 'x'] : ['e', 'kty', 'n'];
  const jwk = Object.fromEntries(members.map((m) => [m, full[m]!]));
  const thumbprint = createHash('sha256').update(JSON.stringify(jwk)).digest('base64url');
  return { alg, privateKey, jwk, thumbprint };
}
