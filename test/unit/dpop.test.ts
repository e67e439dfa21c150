// DPoP building blocks (RFC 9449): proofs, the choice of binding, the nonce rules, token_type.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import type { AuthServerMetadata, ProtectedResource } from '../../src/auth/discovery.js';
import { chooseDpopAlg, generateDpopKey, loadDpopKey, storedDpopKey } from '../../src/auth/dpop-key.js';
import { createProof } from '../../src/auth/dpop-proof.js';
import { chooseBinding } from '../../src/auth/dpop-scheme.js';
import { dpopTokenRequest, DpopSession } from '../../src/auth/dpop-session.js';
import type { JsonAnswer } from '../../src/auth/oauth-request.js';
import { parseTokenResponse } from '../../src/auth/token-endpoint.js';
import { TokenStore } from '../../src/auth/token-store.js';
import type { Challenge } from '../../src/http/authorizer.js';
import { tempDir } from '../fixtures/teardown.js';

const as = (dpopSigningAlgs?: string[]) => ({ issuer: 'https://as.example', dpopSigningAlgs }) as AuthServerMetadata;
const prm = (dpopBoundRequired: boolean) => ({ resource: 'https://mcp.example/mcp', dpopBoundRequired }) as ProtectedResource;

describe('DPoP proofs', () => {
  it.each(['ES256', 'ES384', 'EdDSA', 'PS256', 'RS256'] as const)(
    '%s: typ dpop+jwt, public jwk only, htu without query or fragment, ath, nonce; verifies; thumbprint is RFC 7638',
    async (alg) => {
      const key = generateDpopKey(alg);
      const proof = createProof(key, { method: 'POST', url: new URL('https://mcp.example/mcp?x=1#f'), accessToken: 'at-1', nonce: 'n-1' });
      const header = decodeProtectedHeader(proof);
      expect(header).toMatchObject({ typ: 'dpop+jwt', alg });
      expect(header.jwk).not.toHaveProperty('d');
      const { payload } = await jwtVerify(proof, await importJWK(header.jwk!, alg));
      expect(payload).toMatchObject({
        htm: 'POST',
        htu: 'https://mcp.example/mcp',
        nonce: 'n-1',
        ath: createHash('sha256').update('at-1').digest('base64url'),
      });
      expect(typeof payload.jti).toBe('string');
      expect(await calculateJwkThumbprint(header.jwk!)).toBe(key.thumbprint);
      expect(loadDpopKey(storedDpopKey(key))?.thumbprint).toBe(key.thumbprint);
    },
  );

  it('every proof has its own jti; token requests carry no ath', () => {
    const key = generateDpopKey('ES256');
    const a = decodeJwt(createProof(key, { method: 'POST', url: new URL('https://as.example/token') }));
    const b = decodeJwt(createProof(key, { method: 'POST', url: new URL('https://as.example/token') }));
    expect(a.jti).not.toBe(b.jti);
    expect(a).not.toHaveProperty('ath');
  });
});

describe('when to bind', () => {
  it('auto: DPoP when the AS lists algorithms (ES256 preferred, else the first the proxy signs) or the resource requires it; else Bearer', () => {
    expect(chooseBinding('auto', as(['RS256', 'ES256']), undefined)).toBe('ES256');
    expect(chooseBinding('auto', as(['HS256', 'PS256']), undefined)).toBe('PS256');
    expect(chooseBinding('auto', as(), prm(false))).toBeUndefined();
    expect(chooseBinding('auto', as(), prm(true))).toBe('ES256');
    expect(chooseBinding('auto', as(['HS256']), undefined)).toBeUndefined();
    expect(chooseBinding('always', as(), undefined)).toBe('ES256');
    expect(chooseBinding('never', as(['ES256']), prm(false))).toBeUndefined();
    expect(chooseDpopAlg(['none'])).toBeUndefined();
    // A 401 offering only the DPoP scheme: the server takes no Bearer token.
    expect(chooseBinding('auto', as(), undefined, true)).toBe('ES256');
    expect(() => chooseBinding('never', as(), undefined, true)).toThrow(
      expect.objectContaining({ code: 'AUTH_DPOP', message: expect.stringContaining('DPoP scheme only') }),
    );
  });

  it('never against a resource that requires DPoP: AUTH_DPOP naming --dpop never', () => {
    expect(() => chooseBinding('never', as(['ES256']), prm(true))).toThrow(
      expect.objectContaining({ code: 'AUTH_DPOP', message: expect.stringContaining('--dpop never') }),
    );
  });
});

describe('nonces', () => {
  const answer = (status: number, error?: string, dpopNonce?: string): JsonAnswer => ({
    status,
    body: error ? { error } : { access_token: 'x', token_type: 'DPoP' },
    problem: undefined,
    dpopNonce,
  });

  it('AS: use_dpop_nonce is answered by one retry with a fresh proof carrying the nonce; a second demand is AUTH_DPOP', async () => {
    const session = new DpopSession(new TokenStore(tempDir()));
    const signer = session.signer(generateDpopKey('ES256'));
    const url = new URL('https://as.example/token');
    const sent: string[] = [];
    const once = [answer(400, 'use_dpop_nonce', 'n1'), answer(200)];
    expect((await dpopTokenRequest(signer, url, async (h) => (sent.push(h['dpop']!), once.shift()!))).status).toBe(200);
    expect(sent.map((p) => decodeJwt(p).nonce)).toEqual([undefined, 'n1']);
    expect(decodeJwt(sent[0]!).jti).not.toBe(decodeJwt(sent[1]!).jti);
    // The latest nonce is used on later proofs to that origin.
    expect(decodeJwt(signer.proof('POST', url)).nonce).toBe('n1');
    const always = async () => answer(400, 'use_dpop_nonce', 'n2');
    await expect(dpopTokenRequest(signer, url, always)).rejects.toMatchObject({ code: 'AUTH_DPOP' });
  });

  it('RS: a nonce challenge is retried once; the retry challenged again (nothing succeeded since) is AUTH_DPOP; a stale request or a success in between is not', () => {
    const session = new DpopSession(new TokenStore(tempDir()));
    const signer = session.signer(generateDpopKey('ES256'));
    const url = new URL('https://mcp.example/mcp');
    const challenge = (nonce: string, sentProof: string): Challenge => ({
      status: 401,
      wwwAuthenticate: ['DPoP error="use_dpop_nonce"'],
      dpopNonce: nonce,
      method: 'POST',
      url,
      sent: 'DPoP x',
      sentProof,
    });
    const stale = signer.proof('POST', url, 'x');
    expect(session.nonceChallenge(challenge('n1', signer.proof('POST', url, 'x')))).toBe(true);
    // A request sent before the nonce was known, challenged after: retried, not an error.
    expect(session.nonceChallenge(challenge('n1', stale))).toBe(true);
    const retry = signer.proof('POST', url, 'x');
    expect(decodeJwt(retry).nonce).toBe('n1');
    expect(() => session.nonceChallenge(challenge('n2', retry))).toThrow(expect.objectContaining({ code: 'AUTH_DPOP' }));
    // After a success, the server may rotate its nonce: one retry again.
    session.answered(url, undefined);
    expect(session.nonceChallenge(challenge('n3', signer.proof('POST', url, 'x')))).toBe(true);
    // Not a nonce challenge: left to the sign-in logic.
    expect(session.nonceChallenge({ ...challenge('n4', retry), wwwAuthenticate: ['DPoP error="invalid_token"'] })).toBe(false);
  });
});

describe('token_type', () => {
  const body = (token_type: string): JsonAnswer => ({ status: 200, body: { access_token: 'at', token_type }, problem: undefined });
  const endpoint = new URL('https://as.example/token');

  it('only the type asked for is accepted: DPoP when a proof was sent, Bearer otherwise', () => {
    expect(parseTokenResponse(body('dpop'), endpoint, 'DPoP').accessToken).toBe('at');
    expect(() => parseTokenResponse(body('Bearer'), endpoint, 'DPoP')).toThrow(/token_type.*Bearer, but DPoP was asked for/);
    expect(() => parseTokenResponse(body('DPoP'), endpoint, 'Bearer')).toThrow(/token_type.*DPoP, but Bearer was asked for/);
  });
});
