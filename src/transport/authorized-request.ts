/**
 * Every request to the MCP server goes through here: custom headers and credentials are added
 * (to the MCP server's origin only: the transports only ever call its URL or a same-origin
 * endpoint), and a 401/403 is handed to the authorizer, which either obtains new credentials
 * or throws an error saying what to do.
 */
import { ProxyError } from '../errors.js';
import { httpRequest, type HttpRequest, type HttpResponse } from './http.js';
import type { RemoteEndpoint } from './remote-transport.js';

// One initial try plus retries after new credentials (step-up may need a couple of rounds).
const MAX_AUTH_ROUNDS = 3;

export async function authorizedRequest(endpoint: RemoteEndpoint, req: HttpRequest): Promise<HttpResponse> {
  for (let round = 1; ; round++) {
    const headers: Record<string, string> = { ...endpoint.headers, ...req.headers };
    const authorization = await endpoint.authorizer.authorization();
    if (authorization !== undefined) headers['authorization'] = authorization;
    const res = await httpRequest({ ...req, headers });
    if (res.status !== 401 && res.status !== 403) return res;
    await res.body.dump();
    if (round > MAX_AUTH_ROUNDS) {
      throw new ProxyError(res.status === 403 ? 'FORBIDDEN' : 'UNAUTHORIZED', `the server still refused the request (${res.status}) after ${MAX_AUTH_ROUNDS} sign-in attempts`, { status: res.status });
    }
    await endpoint.authorizer.challenge({ status: res.status, wwwAuthenticate: res.headerList('www-authenticate'), url: req.url, sent: authorization });
  }
}
