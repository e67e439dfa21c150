/**
 * Which protocol era a server speaks (MCP 2026-07-28, versioning "Backward Compatibility" and
 * Streamable HTTP "Backward Compatibility"): POST server/discover with the modern envelope; a
 * discover result or a recognised modern error (-32022, -32021, -32020) means modern; a 400,
 * 404 or 405 without one, or "method not found", means legacy (initialize-based). 401/403 are
 * not evidence: the authorizer signs in and the probe is repeated by the request layer.
 */
import type { ProtocolChoice, TransportChoice } from '../config.js';
import { ProxyError, isProxyError } from '../errors.js';
import type { JsonRpcResponse } from '../jsonrpc.js';
import { mintId } from '../own-id.js';
import type { RemoteTransport } from '../transport/remote-transport.js';
import { MODERN_VERSION, modernHeaders, modernRequest, type ClientContext } from './modern-request.js';

export type ProbeOutcome = { era: 'modern'; discover: Record<string, unknown>; version: string } | { era: 'legacy'; why: string };

// JSON-RPC errors only a 2026-07-28 server gives (unsupported version, missing capability, …).
const MODERN_ERRORS = new Set([-32022, -32021, -32020]);

/** A JSON-RPC error code only a 2026-07-28 server answers with. */
export function isModernError(code: number | undefined): boolean {
  return code !== undefined && MODERN_ERRORS.has(code);
}

/**
 * The statuses with which a server refuses a request it does not know how to take (Streamable
 * HTTP "Backward Compatibility": 400, 404, 405): evidence of the older protocol or transport.
 */
export function isFallbackStatus(status: number | undefined): boolean {
  return status === 400 || status === 404 || status === 405;
}

/** Whether the era is probed at all: not for --protocol legacy, nor for --transport sse (legacy only). */
export function probesEra<T extends { protocol: ProtocolChoice; transport: TransportChoice }>(choice: T): choice is T & { protocol: 'auto' | 'modern' } {
  // sse-first (mcp-remote's) expects a legacy server: no 2026-07-28 probe either.
  return choice.protocol !== 'legacy' && choice.transport !== 'sse' && choice.transport !== 'sse-first';
}

export async function probeEra(transport: RemoteTransport, context: ClientContext): Promise<ProbeOutcome> {
  let version = MODERN_VERSION;
  for (let attempt = 0; attempt < 2; attempt++) {
    const id = mintId('discover');
    let reply: JsonRpcResponse;
    const request = modernRequest({ jsonrpc: '2.0', id, method: 'server/discover', params: {} }, id, { ...context, protocolVersion: version });
    try {
      reply = (await transport.request(request, { headers: { ...modernHeaders(request, undefined), 'mcp-protocol-version': version } })).message;
    } catch (error) {
      // An error status without a JSON-RPC answer of its own: a legacy server refusing the method.
      if (isProxyError(error, 'REMOTE_HTTP_STATUS') && isFallbackStatus(error.status))
        return { era: 'legacy', why: `server/discover answered ${error.status}` };
      throw error;
    }
    const result = reply.result;
    if (result) {
      const supported = Array.isArray(result['supportedVersions']) ? result['supportedVersions'] : [];
      if (supported.includes(version)) return { era: 'modern', discover: result, version };
      return { era: 'legacy', why: `the server supports ${supported.join(', ') || 'no listed version'}` };
    }
    const code = reply.error?.code;
    if (code === -32022) {
      // Pick a version we both speak from data.supported and ask again (even the same one).
      const supported = (reply.error?.data as { supported?: unknown } | undefined)?.supported;
      if (!Array.isArray(supported) || !supported.includes(MODERN_VERSION)) return { era: 'legacy', why: 'the server supports no 2026-07-28 version' };
      version = MODERN_VERSION;
      continue;
    }
    if (isModernError(code)) {
      throw new ProxyError('REMOTE_HTTP_STATUS', `the 2026-07-28 server refused server/discover: ${reply.error?.message ?? code}`);
    }
    // -32601 (a modern server MUST implement server/discover) or any other error: legacy.
    return { era: 'legacy', why: `server/discover answered ${code}` };
  }
  // -32022 twice for a version it says it supports: modern, but unusable; nothing to fall back to.
  throw new ProxyError('TRANSPORT_UNSUPPORTED', `the server refused MCP ${MODERN_VERSION} twice, although it lists it as supported`);
}
