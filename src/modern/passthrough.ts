/**
 * A host that itself speaks 2026-07-28 on stdio, talking to a 2026-07-28 server: messages pass
 * through unchanged; only what HTTP carries outside the body is added (MCP-Protocol-Version from
 * the request's own _meta, Mcp-Method, Mcp-Name, Mcp-Param-* from the tools it listed), and a
 * stdio notifications/cancelled becomes closing the request's stream.
 */
import { idKey, isNotification, isRequest, isResponse, type JsonRpcMessage } from '../jsonrpc.js';
import { log } from '../log.js';
import type { ProxyError } from '../errors.js';
import type { RemoteTransport, SendOptions } from '../transport/remote-transport.js';
import { scanHeaderParams, type HeaderParam } from './mcp-param.js';
import { META, MODERN_VERSION, modernHeaders } from './modern-request.js';

export class ModernPassthrough implements RemoteTransport {
  onmessage?: ((message: JsonRpcMessage, line?: string) => void) | undefined;
  onerror?: ((error: ProxyError) => void) | undefined;
  onclose?: (() => void) | undefined;

  private readonly tools = new Map<string, readonly HeaderParam[]>();
  private readonly listing = new Set<string>();
  private readonly inflight = new Map<string, AbortController>();

  constructor(private readonly transport: RemoteTransport) {
    transport.onmessage = (message, line) => {
      if (isResponse(message) && message.id !== null && this.listing.delete(idKey(message.id))) this.learnTools(message.result);
      this.onmessage?.(message, line);
    };
    transport.onerror = (error) => this.onerror?.(error);
    transport.onclose = () => this.onclose?.();
  }

  start(): Promise<void> {
    return this.transport.start();
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  async send(message: JsonRpcMessage, options: SendOptions = {}): Promise<void> {
    if (!isRequest(message)) {
      if (isNotification(message) && message.method === 'notifications/cancelled') {
        const id = message.params?.['requestId'];
        if (typeof id === 'string' || typeof id === 'number') this.inflight.get(idKey(id))?.abort();
      } else log.debug(`not forwarding a ${isResponse(message) ? 'response' : 'notification'} to a 2026-07-28 server`);
      return;
    }
    const meta = message.params?.['_meta'] as Record<string, unknown> | undefined;
    const version = typeof meta?.[META.protocolVersion] === 'string' ? (meta[META.protocolVersion] as string) : MODERN_VERSION;
    const name = message.params?.['name'];
    const headers = { ...modernHeaders(message, typeof name === 'string' ? this.tools.get(name) : undefined), 'mcp-protocol-version': version };
    if (message.method === 'tools/list') this.listing.add(idKey(message.id));
    const abort = new AbortController();
    const onAbort = (): void => abort.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    this.inflight.set(idKey(message.id), abort);
    try {
      await this.transport.send(message, { signal: abort.signal, headers });
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      this.inflight.delete(idKey(message.id));
    }
  }

  private learnTools(result: Record<string, unknown> | undefined): void {
    const tools = Array.isArray(result?.['tools']) ? (result['tools'] as Array<Record<string, unknown>>) : [];
    for (const tool of tools) {
      const scan = scanHeaderParams(tool['inputSchema']);
      if (scan.valid && typeof tool['name'] === 'string') this.tools.set(tool['name'], scan.params);
    }
  }
}
