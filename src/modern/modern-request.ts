/**
 * What every request to a 2026-07-28 server carries (Streamable HTTP "Request Metadata" and
 * "Standard Request Headers"; basic "_meta"): the protocol version, client capabilities and
 * client info in params._meta, and Mcp-Method / Mcp-Name / Mcp-Param-* headers.
 */
import type { JsonRpcId, JsonRpcRequest } from '../jsonrpc.js';
import { encodeParamValue, paramHeaders, type HeaderParam } from './mcp-param.js';

export const MODERN_VERSION = '2026-07-28';
/** Revisions a legacy (initialize-based) host may speak, newest first. */
export const LEGACY_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];

export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;

/** Who the client is, as the host told us in its initialize. */
export interface ClientContext {
  protocolVersion: string;
  clientInfo: Record<string, unknown>;
  clientCapabilities: Record<string, unknown>;
  logLevel: string | undefined;
}

/** The request as a 2026-07-28 server wants it: our id, extra params, the per-request _meta. */
export function modernRequest(request: JsonRpcRequest, id: JsonRpcId, context: ClientContext, extra: Record<string, unknown> = {}): JsonRpcRequest {
  const params = request.params ?? {};
  const hostMeta = (params['_meta'] as Record<string, unknown> | undefined) ?? {};
  const meta: Record<string, unknown> = {
    ...hostMeta,
    [META.protocolVersion]: context.protocolVersion,
    [META.clientCapabilities]: context.clientCapabilities,
    [META.clientInfo]: context.clientInfo,
  };
  if (context.logLevel !== undefined) meta[META.logLevel] = context.logLevel;
  return { jsonrpc: '2.0', id, method: request.method, params: { ...params, ...extra, _meta: meta } };
}

/** Mcp-Method on every request; Mcp-Name for tools/call, prompts/get, resources/read; Mcp-Param-* for tools/call. */
export function modernHeaders(request: JsonRpcRequest, toolParams: readonly HeaderParam[] | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'mcp-method': request.method };
  const params = request.params ?? {};
  const name =
    request.method === 'resources/read' ? params['uri'] : request.method === 'tools/call' || request.method === 'prompts/get' ? params['name'] : undefined;
  if (typeof name === 'string') headers['mcp-name'] = encodeParamValue(name);
  if (request.method === 'tools/call' && toolParams) Object.assign(headers, paramHeaders(toolParams, params['arguments']));
  return headers;
}
