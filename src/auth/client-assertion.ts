/**
 * `private_key_jwt` client authentication (RFC 7523 §2.2, OpenID Connect Core §9): the client
 * proves who it is with a short-lived JWT signed by its own private key (--client-key), so no
 * shared secret exists. Signed with node:crypto only. The key is read once from the file and
 * kept in memory; it is never stored, logged or sent.
 */
import { createPrivateKey, randomBytes, sign, constants, type KeyObject } from 'node:crypto';

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The JWS algorithms a client key may sign with (RFC 7518 §3.1, RFC 8037). */
export const SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

export interface ClientKey {
  key: KeyObject;
  alg: SigningAlg;
  /** JWS `kid`, for authorization servers that hold several keys of the client. */
  kid: string | undefined;
}

// Assertions are single-use and short-lived (RFC 7523 §3 item 4: exp limits the window).
const LIFETIME_S = 60;

/**
 * The key in a file's contents: PEM (PKCS#8, PKCS#1 RSA or SEC1 EC) or a private JWK. Throws an
 * Error whose message says what is wrong (never the key itself).
 */
export function parsePrivateKey(data: Buffer): { key: KeyObject; kid: string | undefined } {
  const text = data.toString('utf8').trim();
  if (text.startsWith('{')) {
    let jwk: Record<string, unknown>;
    try {
      jwk = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new Error('it looks like JSON but does not parse; expected a PEM private key or a private JWK');
    }
    if (typeof jwk['d'] !== 'string') throw new Error('the JWK holds no private key (no "d" member)');
    try {
      return { key: createPrivateKey({ key: jwk as never, format: 'jwk' }), kid: typeof jwk['kid'] === 'string' ? jwk['kid'] : undefined };
    } catch (error) {
      throw new Error(`the JWK is not a usable private key (${(error as Error).message})`);
    }
  }
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw new Error('the key is encrypted; give an unencrypted copy (e.g. openssl pkey -in key.pem -out plain-key.pem) and keep that file private');
  }
  if (!/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(text)) {
    throw new Error('expected a PEM private key (-----BEGIN PRIVATE KEY-----) or a private JWK');
  }
  try {
    return { key: createPrivateKey(text), kid: undefined };
  } catch (error) {
    throw new Error(`it is not a usable private key (${(error as Error).message})`);
  }
}

/** The algorithms a key can sign with, the natural one first. */
export function algorithmsFor(key: KeyObject): SigningAlg[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'PS256', 'RS384', 'RS512', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1' || curve === 'P-256') return ['ES256'];
      if (curve === 'secp384r1' || curve === 'P-384') return ['ES384'];
      if (curve === 'secp521r1' || curve === 'P-521') return ['ES512'];
      return [];
    }
    case 'ed25519':
      return ['EdDSA'];
    default:
      return [];
  }
}

/**
 * The algorithm to sign with: the one asked for (--client-key-alg, checked against the key), else
 * the key's natural one (RS256 for RSA, ES256/384/512 by curve, EdDSA for Ed25519). Chosen once,
 * so that every assertion of a run is signed alike.
 */
export function chooseAlg(key: KeyObject, asked: string | undefined): SigningAlg {
  const possible = algorithmsFor(key);
  if (possible.length === 0)
    throw new Error(
      `a ${key.asymmetricKeyType ?? 'unknown'} key${key.asymmetricKeyDetails?.namedCurve ? ` on ${key.asymmetricKeyDetails.namedCurve}` : ''} cannot sign a client assertion (use RSA, EC P-256/P-384/P-521 or Ed25519)`,
    );
  if (asked !== undefined) {
    if (!(possible as string[]).includes(asked)) throw new Error(`${asked} does not fit a ${key.asymmetricKeyType} key (it can sign ${possible.join(', ')})`);
    return asked as SigningAlg;
  }
  return possible[0]!;
}

/**
 * A client assertion (RFC 7523 §3): iss = sub = the client ID, aud = the authorization server's
 * issuer identifier (draft-ietf-oauth-rfc7523bis asks for exactly that single value; ASes accept
 * it alongside the token endpoint URL), a unique jti, iat and a short exp.
 */
export function signClientAssertion(clientKey: ClientKey, clientId: string, audience: string, now = Date.now()): string {
  const iat = Math.floor(now / 1000);
  const header: Record<string, string> = { alg: clientKey.alg, typ: 'JWT' };
  if (clientKey.kid !== undefined) header['kid'] = clientKey.kid;
  const claims = { iss: clientId, sub: clientId, aud: audience, jti: randomBytes(16).toString('base64url'), iat, exp: iat + LIFETIME_S };
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  return `${input}.${signature(clientKey, Buffer.from(input)).toString('base64url')}`;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64url');

/** The JWS signature of `data` (RFC 7515 §5.1) with `alg`; also signs DPoP proofs (dpop-proof.ts). */
export function signature({ key, alg }: Pick<ClientKey, 'key' | 'alg'>, data: Buffer): Buffer {
  if (alg === 'EdDSA') return sign(null, data, key);
  const hash = `sha${alg.slice(2)}`;
  if (alg.startsWith('RS')) return sign(hash, data, key);
  // RFC 7518 §3.5: PSS with MGF1 and a salt as long as the hash.
  if (alg.startsWith('PS')) return sign(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 });
  // RFC 7518 §3.4: ECDSA signatures are R || S, not DER.
  return sign(hash, data, { key, dsaEncoding: 'ieee-p1363' });
}
