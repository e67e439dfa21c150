/** PKCE (RFC 7636) with S256 only, and the `state` value (OAuth 2.1 §7.12: at least 128 bits). */
import { createHash, randomBytes } from 'node:crypto';

export interface Pkce {
  verifier: string;
  challenge: string;
  method: 'S256';
}

// RFC 7636 §4.1: 32 random octets, base64url → a 43-character verifier.
export function createPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: s256(verifier), method: 'S256' };
}

// RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))).
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export function createState(): string {
  return randomBytes(32).toString('base64url');
}
