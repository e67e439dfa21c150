// Checks the ext-auth fixtures (issue 12) on their own, with a tiny hand-written OAuth client
// (node:crypto ES256 DPoP proofs, PKCE, RFC 8693 / RFC 7523 requests) and no proxy: if these fail,
// the proxy's DPoP / enterprise-managed authorization / workload identity tests mean nothing.
import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { closedWithTest } from '../fixtures/teardown.js';
import { startCallbackListener } from '../fixtures/auth-common.js';
import { runStandInBrowser } from '../fixtures/browser.mjs';
import { startOidcServer, type OidcServer } from '../fixtures/oidc-server.js';
import { startDpopResourceServer } from '../fixtures/dpop-resource-server.js';
import { ID_JAG_TOKEN_TYPE, ID_TOKEN_TYPE, startEnterpriseIdp, TOKEN_EXCHANGE, type EnterpriseIdp } from '../fixtures/enterprise-idp.js';
import { JWT_BEARER, startJwtBearerAs } from '../fixtures/jwt-bearer-as.js';
import { startProtectedMcpServer } from '../fixtures/protected-mcp-server.js';
import { createWorkloadPlatform } from '../fixtures/workload-platform.js';

// Every fixture started here is closed when its test ends.
const track = <T extends { close(): Promise<void> }>(s: T): T => closedWithTest(s);

// ---- the tiny client ----

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');
const now = () => Math.floor(Date.now() / 1000);

interface DpopKey {
  privateKey: KeyObject;
  jwk: { kty: string; crv: string; x: string; y: string };
  /** RFC 7638 thumbprint: SHA-256 of the required members in lexicographic order. */
  jkt: string;
}
function dpopKey(): DpopKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { crv, kty, x, y } = publicKey.export({ format: 'jwk' }) as Record<string, string>;
  const jwk = { kty: kty!, crv: crv!, x: x!, y: y! };
  return { privateKey, jwk, jkt: sha256(JSON.stringify({ crv, kty, x, y })) };
}
/** An RFC 9449 §4.2 proof, ES256 (JWS signatures are raw r||s: ieee-p1363). */
function proof(key: DpopKey, htm: string, htu: string, claims: { ath?: string; nonce?: string; iat?: number; jti?: string } = {}): string {
  const header = b64(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk }));
  const payload = b64(
    JSON.stringify({
      jti: claims.jti ?? randomUUID(),
      htm,
      htu,
      iat: claims.iat ?? now(),
      ...(claims.ath ? { ath: claims.ath } : {}),
      ...(claims.nonce ? { nonce: claims.nonce } : {}),
    }),
  );
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${header}.${payload}.${b64(signature)}`;
}

async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, string> };
}

/** Authorization code + PKCE S256 in the stand-in browser; returns the code and what to redeem it with. */
async function signIn(issuer: string, clientId: string, params: Record<string, string>) {
  const callback = track(await startCallbackListener());
  const verifier = b64(randomUUID() + randomUUID());
  const url = new URL(`${issuer}/auth`);
  const q = {
    client_id: clientId,
    response_type: 'code',
    redirect_uri: callback.redirectUri,
    code_challenge: sha256(verifier),
    code_challenge_method: 'S256',
    state: 'st',
    ...params,
  };
  for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
  await runStandInBrowser(url.href);
  const query = await callback.next();
  expect(query.get('error')).toBeNull();
  return { grant_type: 'authorization_code', code: query.get('code')!, code_verifier: verifier, redirect_uri: callback.redirectUri, client_id: clientId };
}

/** One MCP request (initialize) to the DPoP resource server with the given credentials. */
async function callMcp(url: string, authorization: string | undefined, dpop: string | undefined) {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  if (authorization) headers.authorization = authorization;
  if (dpop) headers.dpop = dpop;
  const body = {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'fixture-check', version: '0' } },
  };
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, wwwAuthenticate: res.headers.get('www-authenticate'), nonce: res.headers.get('dpop-nonce'), body: await res.text() };
}

const DPOP_CLIENT = {
  client_id: 'dpop-client',
  token_endpoint_auth_method: 'none',
  application_type: 'native',
  redirect_uris: ['http://127.0.0.1/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
};

/** Token request with a proof, retrying once with the AS's nonce when it demands one (RFC 9449 §8). */
async function dpopTokenRequest(as: OidcServer, key: DpopKey, form: Record<string, string>) {
  const tokenUrl = `${as.issuer}/token`;
  let r = await postForm(tokenUrl, form, { dpop: proof(key, 'POST', tokenUrl) });
  if (r.status === 400 && r.body.error === 'use_dpop_nonce') {
    r = await postForm(tokenUrl, form, { dpop: proof(key, 'POST', tokenUrl, { nonce: r.headers.get('dpop-nonce')! }) });
  }
  return r;
}

describe('DPoP: oidc-server (dpop) + dpop-resource-server', () => {
  it('oidc-server leaves DPoP off unless asked, so Bearer-only fixtures stay Bearer', async () => {
    const as = track(await startOidcServer());
    expect(await (await fetch(as.metadataUrl)).json()).not.toHaveProperty('dpop_signing_alg_values_supported');
  });

  it('binds tokens to the proof key; the resource server accepts good proofs and refuses bad ones', async () => {
    const as = track(await startOidcServer({ dpop: true, consent: 'auto', clients: [DPOP_CLIENT] }));
    const rs = track(await startDpopResourceServer({ authServer: as }));
    const meta = (await (await fetch(as.metadataUrl)).json()) as Record<string, unknown>;
    expect(meta.dpop_signing_alg_values_supported).toContain('ES256');
    expect(await (await fetch(rs.prmUrl)).json()).toMatchObject({ resource: rs.url, dpop_bound_access_tokens_required: true });
    const unauth = await callMcp(rs.url, undefined, undefined);
    expect([unauth.status, unauth.wwwAuthenticate]).toEqual([401, `DPoP algs="ES256 PS256 RS256 EdDSA", resource_metadata="${rs.prmUrl}"`]);

    const key = dpopKey();
    const tokens = await dpopTokenRequest(as, key, await signIn(as.issuer, DPOP_CLIENT.client_id, { scope: 'mcp:read', resource: rs.url }));
    expect(tokens.status).toBe(200);
    expect(tokens.body.token_type).toBe('DPoP');
    const at = tokens.body.access_token!;
    expect(decodeJwt(at).cnf).toEqual({ jkt: key.jkt });
    const ath = sha256(at);

    const ok = await callMcp(rs.url, `DPoP ${at}`, proof(key, 'POST', rs.url, { ath }));
    expect(ok.status).toBe(200);
    expect(rs.acceptedProofs).toHaveLength(1);

    const replayed = proof(key, 'POST', rs.url, { ath });
    expect((await callMcp(rs.url, `DPoP ${at}`, replayed)).status).toBe(200);
    const cases: Array<[string, string | undefined, string | undefined]> = [
      ['missing-proof', `DPoP ${at}`, undefined],
      ['ath-mismatch', `DPoP ${at}`, proof(key, 'POST', rs.url, { ath: sha256('another token') })],
      ['jti-replay', `DPoP ${at}`, replayed],
      ['iat-window', `DPoP ${at}`, proof(key, 'POST', rs.url, { ath, iat: now() - 600 })],
      ['htm-mismatch', `DPoP ${at}`, proof(key, 'GET', rs.url, { ath })],
      ['htu-mismatch', `DPoP ${at}`, proof(key, 'POST', `${rs.origin}/other`, { ath })],
      // A stolen token: replayed as Bearer, or with the thief's own key.
      ['bearer-not-accepted', `Bearer ${at}`, undefined],
      ['jkt-mismatch', `DPoP ${at}`, proof(dpopKey(), 'POST', rs.url, { ath })],
    ];
    for (const [reason, authorization, dpop] of cases) {
      const r = await callMcp(rs.url, authorization, dpop);
      expect([reason, r.status]).toEqual([reason, 401]);
      expect(rs.refusals.at(-1)?.reason).toBe(reason);
      expect(r.wwwAuthenticate).toMatch(/^DPoP error="invalid_(dpop_proof|token)"/);
    }
    expect(rs.acceptedTokens).toHaveLength(2);
  });

  it('nonces: the AS and the resource server each demand one once; refresh keeps the binding', async () => {
    const as = track(await startOidcServer({ dpop: { nonce: true }, consent: 'auto', clients: [DPOP_CLIENT] }));
    const rs = track(await startDpopResourceServer({ authServer: as, requireNonce: true }));
    const key = dpopKey();
    const tokens = await dpopTokenRequest(as, key, await signIn(as.issuer, DPOP_CLIENT.client_id, { scope: 'mcp:read', resource: rs.url }));
    expect(tokens.status).toBe(200);
    expect(as.counters.dpopNonceChallenges).toBe(1);
    const at = tokens.body.access_token!;

    const first = await callMcp(rs.url, `DPoP ${at}`, proof(key, 'POST', rs.url, { ath: sha256(at) }));
    expect(first.status).toBe(401);
    expect(first.wwwAuthenticate).toMatch(/^DPoP error="use_dpop_nonce"/);
    expect(first.nonce).toBe(rs.nonce);
    for (let i = 0; i < 2; i++)
      expect((await callMcp(rs.url, `DPoP ${at}`, proof(key, 'POST', rs.url, { ath: sha256(at), nonce: first.nonce! }))).status).toBe(200);
    expect(rs.nonceChallenges).toBe(1);

    // Refresh (a public client's refresh token is bound to the key, RFC 9449 §5): same key works
    // and keeps cnf.jkt; another key is refused.
    const refresh = { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token!, client_id: DPOP_CLIENT.client_id };
    expect((await dpopTokenRequest(as, dpopKey(), refresh)).body.error).toBe('invalid_grant');
    const refreshed = await dpopTokenRequest(as, key, refresh);
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.access_token!).cnf).toEqual({ jkt: key.jkt });
    const at2 = refreshed.body.access_token!;
    expect((await callMcp(rs.url, `DPoP ${at2}`, proof(key, 'POST', rs.url, { ath: sha256(at2), nonce: rs.nonce }))).status).toBe(200);
  });
});

describe('Enterprise-managed authorization: enterprise-idp + jwt-bearer-as', () => {
  /** Sign in at the IdP (openid) and return the ID token. */
  async function idToken(idp: EnterpriseIdp): Promise<string> {
    const code = await signIn(idp.issuer, idp.clientId, { scope: 'openid' });
    const r = await postForm(idp.tokenEndpoint, code);
    expect(r.status).toBe(200);
    return r.body.id_token!;
  }
  const exchange = (idp: EnterpriseIdp, subjectToken: string, audience: string, resource: string) =>
    postForm(idp.tokenEndpoint, {
      grant_type: TOKEN_EXCHANGE,
      client_id: idp.clientId,
      requested_token_type: ID_JAG_TOKEN_TYPE,
      subject_token: subjectToken,
      subject_token_type: ID_TOKEN_TYPE,
      audience,
      resource,
      scope: 'mcp:read',
    });
  const basic = `Basic ${Buffer.from('mcp-client:mcp-client-secret').toString('base64')}`;

  it('one IdP sign-in, two MCP servers: ID-JAG by token exchange, access token by jwt-bearer', async () => {
    const idp = track(await startEnterpriseIdp());
    const as = track(await startJwtBearerAs({ idps: [{ issuer: idp.issuer, jwksUri: idp.jwksUri }] }));
    idp.audiences.set(as.issuer, 'mcp-client');
    const servers = [track(await startProtectedMcpServer({ authServer: as.oidc })), track(await startProtectedMcpServer({ authServer: as.oidc }))];
    const discovery = (await (await fetch(idp.discoveryUrl)).json()) as { grant_types_supported: string[] };
    expect(discovery.grant_types_supported).toContain(TOKEN_EXCHANGE);
    expect(((await (await fetch(as.metadataUrl)).json()) as { grant_types_supported: string[] }).grant_types_supported).toContain(JWT_BEARER);

    const subjectToken = await idToken(idp);
    for (const mcp of servers) {
      const ex = await exchange(idp, subjectToken, as.issuer, mcp.url);
      expect(ex.body).toMatchObject({ issued_token_type: ID_JAG_TOKEN_TYPE, token_type: 'N_A' });
      const jag = ex.body.access_token!;
      expect(decodeProtectedHeader(jag)).toMatchObject({ typ: 'oauth-id-jag+jwt', alg: 'RS256' });
      expect(decodeJwt(jag)).toMatchObject({ iss: idp.issuer, sub: 'alice', aud: as.issuer, client_id: 'mcp-client', resource: mcp.url, scope: 'mcp:read' });

      const tok = await postForm(as.tokenEndpoint, { grant_type: JWT_BEARER, assertion: jag, scope: 'mcp:read' }, { authorization: basic });
      expect(tok.status).toBe(200);
      const r = await fetch(mcp.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${tok.body.access_token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '0' } },
        }),
      });
      expect(r.status).toBe(200);
      expect(mcp.acceptedTokens.at(-1)).toMatchObject({ sub: 'alice', aud: mcp.url, client_id: 'mcp-client', scope: 'mcp:read' });
    }
    expect(idp.oidc.counters.authorizations).toBe(1);
    expect(idp.exchanges.map((e) => e.issued?.resource)).toEqual(servers.map((s) => s.url));
    expect(as.grants.map((g) => [g.kind, g.error])).toEqual([
      ['id-jag', undefined],
      ['id-jag', undefined],
    ]);
  });

  it('refuses a tampered or replayed ID-JAG, a foreign audience, and a subject token of another client', async () => {
    const other = { client_id: 'other', token_endpoint_auth_method: 'none', redirect_uris: [], response_types: [], grant_types: [TOKEN_EXCHANGE] };
    const idp = track(await startEnterpriseIdp({ server: { clients: [other] } }));
    const as = track(await startJwtBearerAs({ idps: [{ issuer: idp.issuer, jwksUri: idp.jwksUri }] }));
    idp.audiences.set(as.issuer, 'mcp-client');
    const subjectToken = await idToken(idp);
    expect((await exchange(idp, subjectToken, 'https://unknown-as.example', 'https://mcp.example/mcp')).body.error).toBe('invalid_target');
    const jag = (await exchange(idp, subjectToken, as.issuer, 'https://mcp.example/mcp')).body.access_token!;

    const [h, p, s] = jag.split('.');
    const tampered = `${h}.${b64(JSON.stringify({ ...decodeJwt(jag), sub: 'mallory' }))}.${s}`;
    const refused = await postForm(as.tokenEndpoint, { grant_type: JWT_BEARER, assertion: tampered }, { authorization: basic });
    expect([refused.status, refused.body.error]).toEqual([400, 'invalid_grant']);
    expect(refused.body.error_description).toMatch(/signature/);
    expect((await postForm(as.tokenEndpoint, { grant_type: JWT_BEARER, assertion: `${h}.${p}.${s}` }, { authorization: basic })).status).toBe(200);
    const again = await postForm(as.tokenEndpoint, { grant_type: JWT_BEARER, assertion: jag }, { authorization: basic });
    expect(again.body.error_description).toMatch(/"jti"/);

    // The ID token was issued to idp-client, so another client may not exchange it (draft §4.3).
    const foreign = await postForm(idp.tokenEndpoint, {
      grant_type: TOKEN_EXCHANGE,
      client_id: 'other',
      requested_token_type: ID_JAG_TOKEN_TYPE,
      subject_token: subjectToken,
      subject_token_type: ID_TOKEN_TYPE,
      audience: as.issuer,
      resource: 'https://mcp.example/mcp',
    });
    expect([foreign.body.error, foreign.body.error_description]).toEqual(['invalid_grant', expect.stringMatching(/^subject_token: .*"aud"/)]);
    expect(idp.exchanges.at(-1)?.params.subject_token).toBe('<ID token of alice>');
  });
});

describe('Workload identity federation: jwt-bearer-as with a platform key', () => {
  it('accepts a platform-signed workload JWT; refuses a wrong audience or an expired one, naming the claim', async () => {
    const platform = await createWorkloadPlatform();
    const as = track(await startJwtBearerAs({ platforms: [{ issuer: platform.issuer, jwks: platform.jwks }] }));
    const mcp = track(await startProtectedMcpServer({ authServer: as.oidc }));
    const grant = async (assertion: string) =>
      postForm(as.tokenEndpoint, { grant_type: JWT_BEARER, client_id: 'workload-client', assertion, resource: mcp.url, scope: 'mcp:read' });

    const ok = await grant(await platform.sign(as.issuer));
    expect(ok.status).toBe(200);
    expect(decodeJwt(ok.body.access_token!)).toMatchObject({ sub: 'workload-1', aud: mcp.url, client_id: 'workload-client', scope: 'mcp:read' });
    expect((await grant(await platform.sign(as.tokenEndpoint))).status).toBe(200); // RFC 7523 §3: the token endpoint as aud

    const refusals: Array<[string, string]> = [
      [await platform.sign('https://wrong.example'), 'aud'],
      [await platform.sign(as.issuer, { exp: now() - 600 }), 'exp'],
      [await platform.sign(as.issuer, { iss: 'https://elsewhere.example' }), 'iss'],
    ];
    for (const [assertion, claim] of refusals) {
      const r = await grant(assertion);
      expect([r.status, r.body.error]).toEqual([400, 'invalid_grant']);
      expect(r.body.error_description).toMatch(new RegExp(`^assertion claim "${claim}" is invalid`));
    }
    expect(as.grants.map((g) => g.error ?? g.kind)).toEqual(['workload', 'workload', 'invalid_grant', 'invalid_grant', 'invalid_grant']);
  });
});
