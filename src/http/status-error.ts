/** Turns an unexpected HTTP answer from the MCP server into a ProxyError a person can act on. */
import { STATUS_CODES } from 'node:http';
import { ProxyError } from '../errors.js';
import { displayUrl } from '../url.js';
import type { HttpResponse } from './client.js';
import { mediaType } from './media-type.js';
import { serverReason } from './server-reason.js';

const MAX_DETAIL_BYTES = 64 * 1024;

function hint(status: number): string {
  if (status === 404) return 'check the server URL (the path matters, e.g. /mcp)';
  if (status === 405) return 'the URL does not accept MCP requests: check the path, or try --transport sse';
  if (status === 429) return 'the server is rate-limiting; wait and try again';
  if (status >= 500) return 'the server (or a gateway in front of it) has a problem; try again later';
  return 'the server did not accept the request';
}

/** The body of an error answer, at most MAX_DETAIL_BYTES of it (the rest is dropped). */
export async function errorBody(res: HttpResponse): Promise<string | undefined> {
  let text = '';
  try {
    for await (const chunk of res.body) {
      text += (chunk as Buffer).toString('utf8');
      if (text.length > MAX_DETAIL_BYTES) break;
    }
  } catch {
    return undefined;
  } finally {
    res.body.destroy();
  }
  return text;
}

/** The detail a server put in an error body, quoted for a message: its reason (server-reason.ts), or "an HTML page". */
export async function errorDetail(res: HttpResponse): Promise<string | undefined> {
  const text = await errorBody(res);
  if (text === undefined) return undefined;
  return quotedDetail(text, res.header('content-type'));
}

function quotedDetail(text: string, contentType: string | undefined): string | undefined {
  if (mediaType(contentType) === 'text/html' || /^\s*</.test(text)) return 'an HTML page';
  const reason = serverReason(text, contentType);
  return reason === undefined ? undefined : JSON.stringify(reason);
}

/** `body`: the error body when the caller has read it already. */
export async function statusError(res: HttpResponse, method: string, body?: string): Promise<ProxyError> {
  const text = body ?? (await errorBody(res)) ?? '';
  const detail = quotedDetail(text, res.header('content-type'));
  const reason = STATUS_CODES[res.status] ?? 'Unknown';
  return new ProxyError(
    'REMOTE_HTTP_STATUS',
    `${method} ${displayUrl(res.url)} answered ${res.status} ${reason}${detail ? ` with ${detail}` : ''}: ${hint(res.status)}`,
    { status: res.status, serverMessage: serverReason(text, res.header('content-type')) },
  );
}

/** An error status whose JSON body was not the answer to `what` (a method name): the status, with the server's reason. */
export function answeredWithStatus(status: number, serverMessage: string | undefined, what: string): ProxyError {
  return new ProxyError('REMOTE_HTTP_STATUS', `the server answered ${status}${serverMessage ? ` with "${serverMessage}"` : ''} to ${what}`, {
    status,
    serverMessage,
  });
}
