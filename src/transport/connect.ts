/**
 * Chooses the remote transport. `auto` follows the spec's backwards-compatibility rule
 * (2025-11-25 "Transports" §Backwards Compatibility): the host's own first message (its
 * `initialize`) is POSTed as Streamable HTTP; if that POST answers 400, 404 or 405, the URL is
 * taken as a legacy HTTP+SSE endpoint and the same message goes over SSE. No probe of our own.
 */
import type { Authorizer } from '../auth/authorizer.js';
import type { Config } from '../config.js';
import { ProxyError, isProxyError } from '../errors.js';
import type { JsonRpcMessage } from '../jsonrpc.js';
import { log } from '../log.js';
import type { RemoteEndpoint, RemoteTransport, SendOptions } from './remote-transport.js';
import { SessionReplay } from './session-replay.js';
import { SseTransport } from './sse.js';
import { StreamableHttpTransport } from './streamable-http.js';

const FALLBACK_STATUSES = new Set([400, 404, 405]);

export function connectRemote(config: Config, authorizer: Authorizer): RemoteTransport {
  const endpoint: RemoteEndpoint = { url: new URL(config.serverUrl), headers: config.headers, authorizer };
  const inner =
    config.transport === 'sse'
      ? new SseTransport(endpoint)
      : config.transport === 'streamable-http'
        ? new StreamableHttpTransport(endpoint)
        : new AutoTransport(endpoint);
  return new SessionReplay(inner);
}

class AutoTransport implements RemoteTransport {
  onmessage?: ((message: JsonRpcMessage, line?: string) => void) | undefined;
  onerror?: ((error: ProxyError) => void) | undefined;
  onclose?: (() => void) | undefined;

  private chosen: RemoteTransport | undefined;
  private deciding: Promise<unknown> | undefined;
  private closed = false;

  constructor(private readonly endpoint: RemoteEndpoint) {}

  async start(): Promise<void> {}

  async send(message: JsonRpcMessage, options?: SendOptions): Promise<void> {
    // Messages behind the first one wait for the choice (the host waits for initialize anyway).
    while (!this.chosen && this.deciding) await this.deciding.catch(() => undefined);
    if (this.chosen) return this.chosen.send(message, options);
    const attempt = this.decide(message, options);
    this.deciding = attempt;
    try {
      await attempt;
    } finally {
      if (this.deciding === attempt) this.deciding = undefined;
    }
  }

  private async decide(message: JsonRpcMessage, options?: SendOptions): Promise<void> {
    const streamable = new StreamableHttpTransport(this.endpoint);
    this.adopt(streamable);
    try {
      await streamable.send(message, options);
      this.choose(streamable, 'Streamable HTTP');
      return;
    } catch (error) {
      if (!isProxyError(error, 'REMOTE_HTTP_STATUS') || !FALLBACK_STATUSES.has(error.status ?? 0)) {
        // Not an answer about the transport (server down, 5xx, a broken stream): when the POST
        // was accepted it is Streamable HTTP; otherwise decide again with the next message.
        if (streamable.speaksStreamableHttp) this.choose(streamable, 'Streamable HTTP');
        throw error;
      }
      log.info(`POST answered ${error.status}; trying the legacy HTTP+SSE transport`);
      const sse = this.adopt(new SseTransport(this.endpoint));
      try {
        await sse.send(message, options);
      } catch (sseError) {
        if (isProxyError(sseError) && (sseError.code === 'REMOTE_HTTP_STATUS' || sseError.code === 'REMOTE_BAD_RESPONSE')) {
          throw new ProxyError(
            'TRANSPORT_UNSUPPORTED',
            `the server speaks neither Streamable HTTP nor legacy SSE at this URL. Streamable HTTP: ${error.message}. SSE: ${sseError.message}`,
            { cause: sseError },
          );
        }
        throw sseError;
      }
      this.choose(sse, 'legacy HTTP+SSE');
    }
  }

  private adopt<T extends RemoteTransport>(transport: T): T {
    transport.onmessage = (m, line) => this.onmessage?.(m, line);
    transport.onerror = (e) => this.onerror?.(e);
    return transport;
  }

  private choose(transport: RemoteTransport, name: string): void {
    if (this.chosen) return;
    this.chosen = transport;
    transport.onclose = () => this.onclose?.();
    log.info(`using ${name}`);
    if (this.closed) void transport.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.chosen) await this.chosen.close();
    else this.onclose?.();
  }
}
