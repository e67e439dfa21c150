// private_key_jwt client assertions (RFC 7523 §2.2, §3) signed with node:crypto, verified here with
// jose as an authorization server would; and the --client-key file formats.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { importJWK, jwtVerify, type JWK } from 'jose';
import { algorithmsFor, chooseAlg, parsePrivateKey, signClientAssertion, type SigningAlg } from '../../src/auth/client-assertion.js';

const pairs = {
  rsa: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
  p256: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  p384: () => generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  p521: () => generateKeyPairSync('ec', { namedCurve: 'P-521' }),
  ed25519: () => generateKeyPairSync('ed25519'),
};

async function verify(token: string, publicKey: KeyObject, alg: string) {
  const key = await importJWK(publicKey.export({ format: 'jwk' }) as JWK, alg);
  return jwtVerify(token, key, { algorithms: [alg], audience: 'https://as.example/tenant', issuer: 'my-client', subject: 'my-client' });
}

describe('signClientAssertion', () => {
  it.each<[keyof typeof pairs, SigningAlg]>([
    ['rsa', 'RS256'],
    ['rsa', 'PS256'],
    ['rsa', 'RS512'],
    ['p256', 'ES256'],
    ['p384', 'ES384'],
    ['p521', 'ES512'],
    ['ed25519', 'EdDSA'],
  ])('%s key, %s: a JWT any JOSE library verifies, with iss = sub = client, aud = issuer, jti, iat, short exp', async (kind, alg) => {
    const { publicKey, privateKey } = pairs[kind]();
    const token = signClientAssertion({ key: privateKey, alg, kid: 'key-1' }, 'my-client', 'https://as.example/tenant');
    const { payload, protectedHeader } = await verify(token, publicKey, alg);
    expect(protectedHeader).toEqual({ alg, typ: 'JWT', kid: 'key-1' });
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp! - payload.iat!).toBe(60);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(5);
  });

  it('a fresh jti every time (assertions are single-use), and no kid unless given', () => {
    const { privateKey } = pairs.p256();
    const a = signClientAssertion({ key: privateKey, alg: 'ES256', kid: undefined }, 'c', 'https://as');
    const b = signClientAssertion({ key: privateKey, alg: 'ES256', kid: undefined }, 'c', 'https://as');
    const claims = (t: string) => JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()) as { jti: string };
    expect(claims(a).jti).not.toBe(claims(b).jti);
    expect(JSON.parse(Buffer.from(a.split('.')[0]!, 'base64url').toString())).toEqual({ alg: 'ES256', typ: 'JWT' });
  });
});

describe('--client-key files and algorithms', () => {
  const { privateKey: rsa } = pairs.rsa();
  const { privateKey: ec } = pairs.p256();
  it.each<[string, Buffer]>([
    ['PKCS#8 PEM', Buffer.from(rsa.export({ format: 'pem', type: 'pkcs8' }) as string)],
    ['PKCS#1 PEM', Buffer.from(rsa.export({ format: 'pem', type: 'pkcs1' }) as string)],
    ['SEC1 PEM', Buffer.from(ec.export({ format: 'pem', type: 'sec1' }) as string)],
    ['a private JWK', Buffer.from(JSON.stringify({ ...ec.export({ format: 'jwk' }), kid: 'from-jwk' }))],
  ])('reads %s', (_what, data) => {
    expect(parsePrivateKey(data).key.type).toBe('private');
  });

  it('takes the kid of a JWK', () => {
    expect(parsePrivateKey(Buffer.from(JSON.stringify({ ...ec.export({ format: 'jwk' }), kid: 'from-jwk' }))).kid).toBe('from-jwk');
  });

  it.each<[string, string, RegExp]>([
    ['an encrypted key', rsa.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string, /encrypted/],
    ['a public key', pairs.p256().publicKey.export({ format: 'pem', type: 'spki' }) as string, /expected a PEM private key/],
    ['a public JWK', JSON.stringify(pairs.p256().publicKey.export({ format: 'jwk' })), /no private key/],
    ['garbage', 'hello', /expected a PEM private key/],
  ])('refuses %s, saying why', (_what, text, message) => {
    expect(() => parsePrivateKey(Buffer.from(text))).toThrow(message);
  });

  it('picks the algorithm by key type, and checks one asked for', () => {
    expect(chooseAlg(rsa, undefined)).toBe('RS256');
    expect(chooseAlg(rsa, 'PS384')).toBe('PS384');
    expect(chooseAlg(ec, undefined)).toBe('ES256');
    expect(chooseAlg(pairs.p384().privateKey, undefined)).toBe('ES384');
    expect(chooseAlg(pairs.ed25519().privateKey, undefined)).toBe('EdDSA');
    expect(() => chooseAlg(ec, 'RS256')).toThrow(/RS256 does not fit an? ec key/);
    expect(() => chooseAlg(ec, 'ES384')).toThrow(/does not fit/);
    expect(algorithmsFor(generateKeyPairSync('x25519').privateKey)).toEqual([]);
    expect(() => chooseAlg(generateKeyPairSync('x25519').privateKey, undefined)).toThrow(/cannot sign/);
  });
});
