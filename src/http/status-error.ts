/** Turns an unexpected HTTP answer from the MCP server into a ProxyError a person can act on. */
import { STATUS_CODES } from 'node:http';
import { ProxyError } from '../errors.js';
import { displayUrl } from '../url.js';
import type { HttpResponse } from './client.js';
import { mediaType } from './media-type.js';

const MAX_DETAIL_BYTES = 64 * 1024;

function hint(status: number): string {
  if (status === 404) return 'check the server URL (the path matters, e.g. /mcp)';
  if (status === 405) return 'the URL does not accept MCP requests: check the path, or try --transport sse';
  if (status === 429) return 'the server is rate-limiting; wait and try again';
  if (status >= 500) return 'the server (or a gateway in front of it) has a problem; try again later';
  return 'the server did not accept the request';
}

/** The detail a server put in an error body: a JSON-RPC error message, or a short plain text. */
export async function errorDetail(res: HttpResponse): Promise<string | undefined> {
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
  const type = mediaType(res.header('content-type'));
  if (type === 'text/html' || /^\s*</.test(text)) return 'an HTML page';
  try {
    const json = JSON.parse(text) as { error?: { message?: unknown } | string; error_description?: unknown; message?: unknown };
    const message =
      (typeof json.error === 'object' && json.error?.message) || json.error_description || json.message || json.error;
    if (typeof message === 'string') return JSON.stringify(message.slice(0, 300));
  } catch {
    // not JSON: fall through to plain text
  }
  const plain = text.replace(/\s+/g, ' ').trim();
  return plain ? JSON.stringify(plain.slice(0, 200)) : undefined;
}

export async function statusError(res: HttpResponse, method: string): Promise<ProxyError> {
  const detail = await errorDetail(res);
  const reason = STATUS_CODES[res.status] ?? 'Unknown';
  return new ProxyError(
    'REMOTE_HTTP_STATUS',
    `${method} ${displayUrl(res.url)} answered ${res.status} ${reason}${detail ? ` with ${detail}` : ''}: ${hint(res.status)}`,
    { status: res.status },
  );
}
