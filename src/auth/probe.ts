/**
 * Asks the MCP server whether it wants authorization, the way a host's first request would meet
 * it (for the `login` and `token` commands, which sign in before any host request): a JSON-RPC
 * `ping` POSTed with the given credentials and, when that is neither refused nor answered, a GET
 * for an event stream (legacy HTTP+SSE servers guard the GET and may not know the POST). A 401 or
 * 403 comes back as the Challenge a transport would hand the authorizer, so an explicit sign-in
 * takes the same path as a refused request. Nothing here opens a session: a `ping` without one is
 * refused or answered statelessly, and a stream opened by the GET is closed at once.
 */
import type { Challenge, OutgoingRequest } from '../http/authorizer.js';
import type { HttpClient, HttpRequest } from '../http/client.js';
import { mintId } from '../own-id.js';

export interface ProbeResult {
  /** The status of the last answer. */
  status: number;
  /** Set when the server refused the request (401 or 403). */
  refused: Challenge | undefined;
}

const TIMEOUT_MS = 30_000;

/** `credentials`: the authorizer's headers for each request (a DPoP proof is for one method and URL only). */
export async function probeServer(
  http: HttpClient,
  serverUrl: URL,
  headers: Readonly<Record<string, string>>,
  credentials: (request: OutgoingRequest) => Promise<Record<string, string>> = async () => ({}),
): Promise<ProbeResult> {
  const attempts: Array<(base: Record<string, string>) => HttpRequest> = [
    (base) => ({
      url: serverUrl,
      method: 'POST',
      headers: { ...base, accept: 'application/json, text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: mintId('probe'), method: 'ping' }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    }),
    (base) => ({ url: serverUrl, method: 'GET', headers: { ...base, accept: 'text/event-stream' }, signal: AbortSignal.timeout(TIMEOUT_MS) }),
  ];
  let status = 0;
  for (const [i, attempt] of attempts.entries()) {
    const sent = await credentials({ method: i === 0 ? 'POST' : 'GET', url: serverUrl });
    const req = attempt({ ...headers, ...sent });
    const res = await http.request(req);
    status = res.status;
    // The answer itself is of no interest (and an event stream would never end); undici reports
    // the abort as an error event, which must not go unhandled.
    res.body.on('error', () => undefined);
    res.body.destroy();
    if (res.status === 401 || res.status === 403) {
      const wwwAuthenticate = res.headerList('www-authenticate');
      return {
        status,
        refused: {
          status,
          wwwAuthenticate,
          dpopNonce: res.header('dpop-nonce'),
          method: req.method,
          url: res.url,
          sent: sent['authorization'],
          sentProof: sent['dpop'],
        },
      };
    }
    if (res.status >= 200 && res.status < 300) break;
  }
  return { status, refused: undefined };
}
