/**
 * JSON to and from text where the value came from the network. V8's JSON.parse copes with any
 * depth, but JSON.stringify and every recursive walk after it (filters, _meta stripping)
 * overflow the stack a few thousand levels down (the x-mcp-header schema scan stops at a fixed
 * depth instead: modern/mcp-param.ts). A hostile server can send such a
 * reply; JSON-RPC 2.0 §5 still wants exactly one answer per request. So the overflow is caught
 * where it happens and turned into a named error, MESSAGE_TOO_DEEP, which the bridge answers the
 * request with (or, for what has no id, logs).
 */
import { ProxyError } from './errors.js';

/** The ProxyError a too-deep message becomes; `what` names the message ("the server's answer to tools/call"). */
export function tooDeepError(what: string, cause?: unknown): ProxyError {
  return new ProxyError(
    'MESSAGE_TOO_DEEP',
    `${what} is nested too deeply to be processed (thousands of levels of JSON arrays/objects); it was not forwarded. This is the server's doing: report it to its authors`,
    { cause },
  );
}
