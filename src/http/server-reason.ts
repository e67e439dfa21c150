/**
 * What the server said when it refused a request: the JSON-RPC error message (JSON-RPC 2.0 §5.1),
 * the OAuth error and description (RFC 6749 §5.2, RFC 6750 §3), or a short plain-text body.
 * It goes into the host's error message and `data.serverMessage`, so it is made safe first:
 * one line, bounded, control characters dropped, credential shapes redacted. HTML pages
 * (gateways, login walls) carry no reason worth quoting.
 */
import { ProxyError } from '../errors.js';
import { redact } from '../log.js';
import { mediaType } from './media-type.js';

export const MAX_REASON_CHARS = 300;

/** One line, at most MAX_REASON_CHARS characters, redacted. Undefined when nothing is left. */
export function oneLine(text: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  const line = redact(
    text
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
  if (line === '') return undefined;
  return line.length > MAX_REASON_CHARS ? `${line.slice(0, MAX_REASON_CHARS - 1)}…` : line;
}

/** The reason in an error body, or undefined (no body, HTML, or JSON without a message). */
export function serverReason(body: string, contentType: string | undefined): string | undefined {
  const type = mediaType(contentType);
  if (type === 'text/html' || /^\s*</.test(body)) return undefined;
  const trimmed = body.trim();
  if (trimmed === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    // Plain text: only a short one is a message (a long one is a page or a dump).
    return trimmed.length <= 4 * MAX_REASON_CHARS ? oneLine(trimmed) : undefined;
  }
  return jsonReason(Array.isArray(json) ? json[0] : json);
}

function jsonReason(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return typeof json === 'string' ? oneLine(json) : undefined;
  const o = json as Record<string, unknown>;
  const error = o['error'];
  // JSON-RPC: {"error": {"code": -32000, "message": "..."}}
  if (typeof error === 'object' && error !== null) {
    const message = (error as Record<string, unknown>)['message'];
    return typeof message === 'string' ? oneLine(message) : undefined;
  }
  // OAuth: {"error": "invalid_token", "error_description": "..."}
  const description = typeof o['error_description'] === 'string' ? o['error_description'] : undefined;
  if (typeof error === 'string') return oneLine(description ? `${error}: ${description}` : error);
  if (description) return oneLine(description);
  return typeof o['message'] === 'string' ? oneLine(o['message']) : undefined;
}

/** RFC 6750 §3: the error (and description) of a Bearer challenge, e.g. "insufficient_scope". */
export function challengeReason(wwwAuthenticate: readonly string[]): string | undefined {
  for (const header of wwwAuthenticate) {
    const error = /\berror\s*=\s*(?:"([^"]*)"|([^\s,]+))/i.exec(header);
    if (!error) continue;
    const description = /\berror_description\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
    const code = error[1] ?? error[2] ?? '';
    return oneLine(description ? `${code}: ${description[1]}` : code);
  }
  return undefined;
}

/**
 * A refusal (FORBIDDEN, UNAUTHORIZED) with the server's reason added, to its message and
 * `serverMessage`, unless it has one already. Other errors (a sign-in that failed) are the
 * proxy's own story and are returned as they are.
 */
export function withServerMessage(error: unknown, reason: string | undefined): unknown {
  if (!(error instanceof ProxyError) || reason === undefined || error.serverMessage !== undefined) return error;
  if (error.code !== 'FORBIDDEN' && error.code !== 'UNAUTHORIZED') return error;
  const status = error.status;
  return new ProxyError(error.code, `${error.message} (the server said: "${reason}")`, {
    ...(status !== undefined ? { status } : {}),
    ...(error.oauthError !== undefined ? { oauthError: error.oauthError } : {}),
    serverMessage: reason,
    cause: error.cause ?? error,
  });
}
