/**
 * Keeps the host's session alive across server restarts: when the server forgets the session
 * (Streamable HTTP 404, or the SDK's 400 (session-unknown.ts), or a legacy SSE stream that had to be reopened), the host's own
 * `initialize` and `notifications/initialized` are replayed under an id of our own, and the
 * message is sent again. The host never notices ("Session Management": on 404 the client MUST
 * start a new session).
 */
import { ProxyError, isProxyError } from '../errors.js';
import { isNotification, type JsonRpcNotification, type JsonRpcRequest, type JsonRpcResponse } from '../jsonrpc.js';
import { log } from '../log.js';
import { mintId } from '../own-id.js';
import type { RemoteTransport, Reply, SendOptions } from './remote-transport.js';

const MAX_REPLAYS_PER_MESSAGE = 2;
// A 400 taken for a lost session (session-unknown.ts) is a guess: one new session, never a loop.
const MAX_REPLAYS_AFTER_400 = 1;

function maxReplays(error: { status: number | undefined }): number {
  return error.status === 400 ? MAX_REPLAYS_AFTER_400 : MAX_REPLAYS_PER_MESSAGE;
}

export class SessionReplay implements RemoteTransport {
  onmessage?: RemoteTransport['onmessage'];
  onerror?: RemoteTransport['onerror'];

  private initialize: JsonRpcRequest | undefined;
  private initialized = false;
  private generation = 0;
  private replaying: Promise<void> | undefined;

  constructor(private readonly inner: RemoteTransport) {
    inner.onmessage = (message, line) => this.onmessage?.(message, line);
    inner.onerror = (error) => this.onerror?.(error);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  request(message: JsonRpcRequest, options?: SendOptions): Promise<Reply> {
    if (message.method === 'initialize') {
      this.initialize = message;
      this.initialized = false;
      return this.inner.request(message, options);
    }
    return this.resending(() => this.inner.request(message, options));
  }

  send(message: JsonRpcNotification | JsonRpcResponse, options?: SendOptions): Promise<void> {
    if (isNotification(message) && message.method === 'notifications/initialized') this.initialized = true;
    return this.resending(() => this.inner.send(message, options));
  }

  /** Runs the attempt; when the session turned out to be gone, starts a new one and tries again. */
  private async resending<T>(attempt: () => Promise<T>): Promise<T> {
    for (let replays = 0; ; replays++) {
      if (this.replaying) await this.replaying;
      const generation = this.generation;
      try {
        return await attempt();
      } catch (error) {
        if (!isProxyError(error, 'SESSION_EXPIRED') || !this.initialize || replays >= maxReplays(error)) throw error;
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
    log.info("the server no longer knows our session; starting a new one with the host's initialize");
    // Under an id of ours: the host already has its answer to its initialize.
    const reply = await this.inner.request({ ...host, id: mintId('replay') });
    if (reply.message.error) {
      throw new ProxyError('REMOTE_HTTP_STATUS', `the server refused to start a new session: ${reply.message.error.message}`);
    }
    if (this.initialized) await this.inner.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  }
}
