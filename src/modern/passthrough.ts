/**
 * A host that itself speaks 2026-07-28 on stdio, talking to a 2026-07-28 server: messages pass
 * through unchanged; only what HTTP carries outside the body is added (MCP-Protocol-Version from
 * the request's own _meta, Mcp-Method, Mcp-Name, Mcp-Param-* from the tool schemas), and a stdio
 * notifications/cancelled becomes closing the request's stream. Tool schemas come from the
 * host's tools/list answers; a call to a tool not seen yet lists tools first, and a -32020
 * (HeaderMismatch) lists them again and retries once (Streamable HTTP "Client Behavior").
 */
import { idKey, isNotification, isResponse, type JsonRpcNotification, type JsonRpcRequest, type JsonRpcResponse } from '../jsonrpc.js';
import { log } from '../log.js';
import { mintId } from '../own-id.js';
import type { RemoteTransport, Reply, SendOptions } from '../transport/remote-transport.js';
import { scanHeaderParams, type HeaderParam } from './mcp-param.js';
import { META, MODERN_VERSION, modernHeaders } from './modern-request.js';

export class ModernPassthrough implements RemoteTransport {
  onmessage?: RemoteTransport['onmessage'];
  onerror?: RemoteTransport['onerror'];

  private readonly tools = new Map<string, readonly HeaderParam[]>();
  private toolsListed = false;
  private readonly inflight = new Map<string, AbortController>();

  constructor(private readonly transport: RemoteTransport) {
    transport.onmessage = (message, line) => this.onmessage?.(message, line);
    transport.onerror = (error) => this.onerror?.(error);
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  async send(message: JsonRpcNotification | JsonRpcResponse): Promise<void> {
    if (isNotification(message) && message.method === 'notifications/cancelled') {
      const id = message.params?.['requestId'];
      if (typeof id === 'string' || typeof id === 'number') this.inflight.get(idKey(id))?.abort();
    } else log.debug(`not forwarding a ${isResponse(message) ? 'response' : 'notification'} to a 2026-07-28 server`);
  }

  async request(message: JsonRpcRequest, options: SendOptions = {}): Promise<Reply> {
    const abort = new AbortController();
    const onAbort = (): void => abort.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    this.inflight.set(idKey(message.id), abort);
    try {
      if (message.method === 'tools/call') return await this.call(message, abort.signal);
      const reply = await this.transport.request(message, { signal: abort.signal, headers: this.headers(message) });
      if (message.method === 'tools/list') this.learnTools(reply.message.result);
      return reply;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      this.inflight.delete(idKey(message.id));
    }
  }

  private headers(message: JsonRpcRequest): Record<string, string> {
    const meta = message.params?.['_meta'] as Record<string, unknown> | undefined;
    const version = typeof meta?.[META.protocolVersion] === 'string' ? (meta[META.protocolVersion] as string) : MODERN_VERSION;
    const name = message.params?.['name'];
    return { ...modernHeaders(message, typeof name === 'string' ? this.tools.get(name) : undefined), 'mcp-protocol-version': version };
  }

  /**
   * tools/call as the host sent it; its answer is held back only to see whether it is a
   * HeaderMismatch, which is retried once (under an id of ours) after listing tools again.
   */
  private async call(message: JsonRpcRequest, signal: AbortSignal): Promise<Reply> {
    if (!this.toolsListed) await this.listTools(message, signal);
    let reply = await this.own(message, signal);
    if (reply.error?.code === -32020) {
      await this.listTools(message, signal);
      reply = await this.own({ ...message, id: mintId('call') }, signal);
    }
    return { message: { ...reply, id: message.id } };
  }

  /** Lists tools with the host's own envelope, to learn their header parameters. */
  private async listTools(like: JsonRpcRequest, signal: AbortSignal): Promise<void> {
    const meta = like.params?.['_meta'];
    const reply = await this.own({ jsonrpc: '2.0', id: mintId('list'), method: 'tools/list', params: meta ? { _meta: meta } : {} }, signal);
    this.learnTools(reply.result);
  }

  private async own(request: JsonRpcRequest, signal: AbortSignal): Promise<JsonRpcResponse> {
    return (await this.transport.request(request, { signal, headers: this.headers(request) })).message;
  }

  private learnTools(result: Record<string, unknown> | undefined): void {
    if (result) this.toolsListed = true;
    const tools = Array.isArray(result?.['tools']) ? (result['tools'] as Array<Record<string, unknown>>) : [];
    for (const tool of tools) {
      const scan = scanHeaderParams(tool['inputSchema']);
      if (scan.valid && typeof tool['name'] === 'string') this.tools.set(tool['name'], scan.params);
    }
  }
}
