/**
 * Lost sessions the MCP SDK way. The spec ("Session Management") says a server answers a
 * request with an unknown Mcp-Session-Id with 404; the SDK's own servers and examples (and the
 * many built from them, the "everything" server among them) answer 400 with a JSON-RPC error
 * such as "Bad Request: No valid session ID provided", to POST and GET alike. Such a 400 means
 * the same as the 404 only when the request carried a session id that had worked, and when the
 * server says it is the session it does not know: in the body, or else in its answer to a GET
 * with that session id (any other 400 is the request's own fault and is reported as such).
 */
import { authorizedRequest } from '../http/authorized-request.js';
import type { HttpResponse } from '../http/client.js';
import { serverReason } from '../http/server-reason.js';
import type { RemoteEndpoint } from './remote-transport.js';

// "No valid session ID provided", "Invalid or missing session ID", "Session not found",
// "Unknown session", "session expired", "Mcp-Session-Id header is required".
const UNKNOWN_SESSION =
  /session.{0,24}\b(not found|unknown|expired|invalid|no longer|does not exist|required|missing|terminated)\b|\b(no valid|invalid|unknown|missing|expired)\b.{0,24}session/i;

/** Whether an error body (any shape server-reason.ts reads) says the session is unknown. */
export function saysSessionUnknown(body: string, contentType: string | undefined): boolean {
  const reason = serverReason(body, contentType);
  return reason !== undefined && UNKNOWN_SESSION.test(reason);
}

export interface SessionProbe {
  status: number;
  body: string;
  contentType: string | undefined;
}

/**
 * Decides whether a 400 to a request that carried `sentSession` means the session is lost.
 * `probe` asks the server again with a GET and the same session id (only called when the body
 * does not say it): a 404, or a 400 saying so, confirms it.
 */
export async function isLostSession400(
  answer: { status: number; body: string; contentType: string | undefined },
  session: { sent: string | undefined; worked: boolean },
  probe: () => Promise<SessionProbe | undefined>,
): Promise<boolean> {
  if (answer.status !== 400 || session.sent === undefined || !session.worked) return false;
  if (saysSessionUnknown(answer.body, answer.contentType)) return true;
  const get = await probe().catch(() => undefined);
  if (!get) return false;
  return get.status === 404 || (get.status === 400 && saysSessionUnknown(get.body, get.contentType));
}

/** The GET that asks whether the server knows the session in `headers`: a 200 (its stream, closed at once) says it does. */
export async function probeSessionWithGet(
  endpoint: RemoteEndpoint,
  headers: Record<string, string>,
  signal: AbortSignal,
  readBody: (res: HttpResponse) => Promise<string>,
): Promise<SessionProbe> {
  const res = await authorizedRequest(endpoint, { url: endpoint.url, method: 'GET', headers, signal });
  if (res.status === 200) {
    res.body.destroy(); // the session's stream: it is alive
    return { status: 200, body: '', contentType: undefined };
  }
  return { status: res.status, body: await readBody(res).catch(() => ''), contentType: res.header('content-type') };
}
