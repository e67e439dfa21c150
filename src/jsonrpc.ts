/**
 * JSON-RPC 2.0 message shapes as the proxy sees them. The proxy forwards messages as opaque
 * objects; it only needs to tell requests, notifications and responses apart and read ids.
 */

export type JsonRpcId = string | number;

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: JsonRpcId;
  method: string;
  params?: Record<string, unknown>;
}

export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: Record<string, unknown>;
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: JsonRpcId | null;
  result?: Record<string, unknown>;
  error?: JsonRpcErrorObject;
}

export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is JsonRpcId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

export function isRequest(message: JsonRpcMessage): message is JsonRpcRequest {
  return 'method' in message && 'id' in message && message.id !== undefined;
}

export function isNotification(message: JsonRpcMessage): message is JsonRpcNotification {
  return 'method' in message && !('id' in message && message.id !== undefined);
}

export function isResponse(message: JsonRpcMessage): message is JsonRpcResponse {
  return !('method' in message) && ('result' in message || 'error' in message);
}

/**
 * Checks the JSON-RPC 2.0 envelope (§4, §5) without looking into params or results.
 * Returns a reason when the value is not a message.
 */
export function checkMessage(value: unknown): string | undefined {
  if (!isObject(value)) return 'a JSON-RPC message must be a JSON object';
  if (value.jsonrpc !== '2.0') return '"jsonrpc" must be "2.0"';
  if ('method' in value) {
    if (typeof value.method !== 'string') return '"method" must be a string';
    if ('id' in value && !isId(value.id)) return '"id" must be a string or a number';
    if ('params' in value && value.params !== undefined && typeof value.params !== 'object') return '"params" must be an object';
    return undefined;
  }
  if (!('result' in value) && !('error' in value)) return 'a message needs "method", "result" or "error"';
  if (!('id' in value) || (value.id !== null && !isId(value.id))) return 'a response needs an "id"';
  return undefined;
}

/** Ids of the request/responses a message carries, as map keys (1 and "1" are different ids). */
export function idKey(id: JsonRpcId): string {
  return typeof id === 'number' ? `n:${id}` : `s:${id}`;
}

export function errorResponse(id: JsonRpcId | null, code: number, message: string, data?: unknown): JsonRpcResponse {
  const error: JsonRpcErrorObject = { code, message };
  if (data !== undefined) error.data = data;
  return { jsonrpc: '2.0', id, error };
}

/**
 * The text of a single message as received, as one stdio line: saves re-serializing large
 * results, and forwards a message too deep to re-serialize (see json-text.ts) untouched. Valid
 * JSON (it was parsed) has line breaks only as whitespace between tokens (RFC 8259 §2, §7: not
 * raw inside strings), so they become spaces without changing the value.
 */
export function lineText(text: string, messages: readonly JsonRpcMessage[]): string | undefined {
  if (messages.length !== 1) return undefined;
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  return trimmed.includes('\n') || trimmed.includes('\r') ? trimmed.replace(/[\r\n]/g, ' ') : trimmed;
}

/**
 * Parses a body the server sent (one message, or a 2025-03-26 batch array) and checks each
 * envelope. Returns a reason instead of messages when it is not JSON-RPC.
 */
export function parseMessages(text: string): JsonRpcMessage[] | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return /^\s*</.test(text) ? 'an HTML page instead of JSON-RPC' : 'JSON that could not be parsed (malformed or truncated)';
  }
  const items = Array.isArray(value) ? value : [value];
  for (const item of items) {
    const reason = checkMessage(item);
    if (reason) return `a body that is not JSON-RPC (${reason})`;
  }
  return items as JsonRpcMessage[];
}
