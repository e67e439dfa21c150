/**
 * Keeps the host's session alive across server restarts: when the server forgets the session
 * (Streamable HTTP 404, or a legacy SSE stream that had to be reopened), the host's own
 * `initialize` and `notifications/initialized` are replayed under an id of our own, and the
 * message is sent again. The host never notices ("Session Management": on 404 the client MUST
 * start a new session).
 */
import { ProxyError, isProxyError } from '../errors.js';
import {
  idKey,
  isNotification,
  isRequest,
  isResponse,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from '../jsonrpc.js';
import { log } from '../log.js';
import type { RemoteTransport, SendOptions } from './remote-transport.js';

const MAX_REPLAYS_PER_MESSAGE = 2;

export class SessionReplay implements RemoteTransport {
  onmessage?: ((message: JsonRpcMessage, line?: string) => void) | undefined;
  onerror?: ((error: ProxyError) => void) | undefined;
  onclose?: (() => void) | undefined;

  private initialize: JsonRpcRequest | undefined;
  private initialized = false;
  private generation = 0;
  private replaying: Promise<void> | undefined;
  private counter = 0;
  private readonly replies = new Map<string, JsonRpcResponse>();

  constructor(private readonly inner: RemoteTransport) {
    inner.onmessage = (message, line) => this.receive(message, line);
    inner.onerror = (error) => this.onerror?.(error);
    inner.onclose = () => this.onclose?.();
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  async send(message: JsonRpcMessage, options?: SendOptions): Promise<void> {
    if (isRequest(message) && message.method === 'initialize') {
      this.initialize = message;
      this.initialized = false;
      return this.inner.send(message, options);
    }
    if (isNotification(message) && message.method === 'notifications/initialized') this.initialized = true;
    for (let replays = 0; ; replays++) {
      if (this.replaying) await this.replaying;
      const generation = this.generation;
      try {
        return await this.inner.send(message, options);
      } catch (error) {
        if (!isProxyError(error, 'SESSION_EXPIRED') || !this.initialize || replays >= MAX_REPLAYS_PER_MESSAGE) throw error;
        // Several requests may hit the expired session at once: one replay serves them all.
        if (generation === this.generation) {
          this.replaying ??= this.replay().finally(() => (this.replaying = undefined));
        }
      }
    }
  }

  private async replay(): Promise<void> {
    const host = this.initialize!;
    this.generation++;
    log.info('the server no longer knows our session; starting a new one with the host\'s initialize');
    const id = `mcp-auth-proxy:replay:${++this.counter}`;
    const key = idKey(id);
    this.replies.set(key, undefined as unknown as JsonRpcResponse);
    try {
      await this.inner.send({ ...host, id });
      const reply = this.replies.get(key);
      if (reply?.error) {
        throw new ProxyError('REMOTE_HTTP_STATUS', `the server refused to start a new session: ${reply.error.message}`);
      }
    } finally {
      this.replies.delete(key);
    }
    if (this.initialized) await this.inner.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  }

  private receive(message: JsonRpcMessage, line: string | undefined): void {
    // Answers to our own replayed initialize are ours; the host already has its answer.
    if (isResponse(message) && message.id !== null && this.replies.has(idKey(message.id))) {
      this.replies.set(idKey(message.id), message);
      return;
    }
    this.onmessage?.(message, line);
  }
}
