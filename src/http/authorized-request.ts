/**
 * Every request to the MCP server goes through here: custom headers and the authorizer's
 * credentials are added (to the MCP server's origin only: the transports only ever call its URL
 * or a same-origin endpoint), and a 401/403 is handed to the authorizer, which either obtains new
 * credentials or throws an error saying what to do.
 */
import { ProxyError } from '../errors.js';
import type { Authorizer } from './authorizer.js';
import type { HttpClient, HttpRequest, HttpResponse } from './client.js';
import { challengeReason, serverReason, withServerMessage } from './server-reason.js';
import { errorBody } from './status-error.js';

/** The server a request goes to, with what every request to it carries. */
export interface AuthorizedEndpoint {
  url: URL;
  /** Custom headers (--header), sent to this origin only. */
  headers: Readonly<Record<string, string>>;
  authorizer: Authorizer;
  http: HttpClient;
}

// One initial try plus retries after new credentials (step-up may need a couple of rounds).
const MAX_AUTH_ROUNDS = 3;

export async function authorizedRequest(endpoint: AuthorizedEndpoint, req: HttpRequest): Promise<HttpResponse> {
  for (let round = 1; ; round++) {
    const credentials = await endpoint.authorizer.headers({ method: req.method, url: req.url });
    const res = await endpoint.http.request({ ...req, headers: { ...endpoint.headers, ...req.headers, ...credentials } });
    if (res.status !== 401 && res.status !== 403) {
      endpoint.authorizer.answered?.({ url: req.url, dpopNonce: res.header('dpop-nonce') });
      return res;
    }
    // What the server said (the challenge's error, or the body's) goes with any refusal to the host.
    const reason = challengeReason(res.headerList('www-authenticate')) ?? serverReason((await errorBody(res)) ?? '', res.header('content-type'));
    if (round > MAX_AUTH_ROUNDS) {
      throw withServerMessage(
        new ProxyError(
          res.status === 403 ? 'FORBIDDEN' : 'UNAUTHORIZED',
          `the server still refused the request (${res.status}) after ${MAX_AUTH_ROUNDS} sign-in attempts`,
          { status: res.status },
        ),
        reason,
      );
    }
    await endpoint.authorizer
      .challenge({
        status: res.status,
        wwwAuthenticate: res.headerList('www-authenticate'),
        dpopNonce: res.header('dpop-nonce'),
        method: req.method,
        url: req.url,
        sent: credentials['authorization'],
        sentProof: credentials['dpop'],
      })
      .catch((error: unknown) => {
        throw withServerMessage(error, reason);
      });
  }
}
