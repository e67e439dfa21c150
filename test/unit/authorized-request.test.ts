// The authorizer as an interceptor: it sees each request (method, URL) and adds its headers, and
// sees each refusal (status, WWW-Authenticate, DPoP-Nonce, what was sent) before the retry. This
// is the seam a per-request scheme (DPoP proofs, nonce retry) plugs into.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildNetwork } from '../../src/config.js';
import { authorizedRequest } from '../../src/http/authorized-request.js';
import type { Authorizer, Challenge, OutgoingRequest } from '../../src/http/authorizer.js';
import { HttpClient } from '../../src/http/client.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));
const http = new HttpClient(buildNetwork({}, {}));
afterAll(() => http.close());

/** A server that refuses until it sees `Authorization: Token <nonce>` for the nonce it handed out. */
async function nonceServer(): Promise<{ url: URL; seen: Array<{ method: string; authorization: string | undefined; custom: string | undefined }> }> {
  const seen: Array<{ method: string; authorization: string | undefined; custom: string | undefined }> = [];
  server = createServer((req, res) => {
    seen.push({ method: req.method!, authorization: req.headers.authorization, custom: req.headers['x-custom'] as string | undefined });
    if (req.headers.authorization === 'Token n-1') return res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    res.writeHead(401, { 'www-authenticate': 'Token error="use_nonce"', 'dpop-nonce': 'n-1' }).end();
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: new URL(`http://127.0.0.1:${(server!.address() as AddressInfo).port}/mcp`), seen };
}

describe('authorizedRequest', () => {
  it('asks the authorizer for headers per request, hands it the refusal with the nonce, and retries', async () => {
    const { url, seen } = await nonceServer();
    const requests: OutgoingRequest[] = [];
    const challenges: Challenge[] = [];
    let nonce: string | undefined;
    const authorizer: Authorizer = {
      headers: async (request) => {
        requests.push(request);
        return { authorization: `Token ${nonce ?? 'none'}` };
      },
      challenge: async (challenge) => {
        challenges.push(challenge);
        nonce = challenge.dpopNonce;
      },
    };
    const res = await authorizedRequest({ url, headers: { 'x-custom': 'c' }, authorizer, http }, { url, method: 'POST', headers: {}, body: '{}' });
    expect(res.status).toBe(200);
    expect(await res.body.text()).toBe('ok');
    expect(requests.map((r) => [r.method, r.url.href])).toEqual([
      ['POST', url.href],
      ['POST', url.href],
    ]);
    expect(challenges).toEqual([{ status: 401, wwwAuthenticate: ['Token error="use_nonce"'], dpopNonce: 'n-1', method: 'POST', url, sent: 'Token none' }]);
    expect(seen).toEqual([
      { method: 'POST', authorization: 'Token none', custom: 'c' },
      { method: 'POST', authorization: 'Token n-1', custom: 'c' },
    ]);
  });

  it('gives up with UNAUTHORIZED after three rounds of new credentials that do not help', async () => {
    const { url, seen } = await nonceServer();
    const authorizer: Authorizer = { headers: async () => ({}), challenge: async () => undefined };
    await expect(authorizedRequest({ url, headers: {}, authorizer, http }, { url, method: 'GET', headers: {} })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      status: 401,
    });
    expect(seen).toHaveLength(4);
  });
});
