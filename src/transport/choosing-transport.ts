/**
 * A transport that decides what it really is on the host's first message (which transport, which
 * protocol era), then hands every message to what it chose. Messages behind the first wait for
 * the choice; the host waits for its initialize answer anyway. When the first attempt fails for a
 * reason that says nothing about the server (it is down), nothing is chosen and the next message
 * decides again.
 */
import { ProxyError } from '../errors.js';
import type { JsonRpcMessage, JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';
import { forward, type RemoteTransport, type Reply, type SendOptions } from './remote-transport.js';

export abstract class ChoosingTransport implements RemoteTransport {
  onmessage?: RemoteTransport['onmessage'];
  onerror?: RemoteTransport['onerror'];

  private chosen: RemoteTransport | undefined;
  private deciding: Promise<unknown> | undefined;
  private closed = false;

  /**
   * Sends the first message through whatever it chooses, calling choose() once it knows.
   * Resolves with the reply when the message is a request.
   */
  protected abstract decide(message: JsonRpcMessage, options?: SendOptions): Promise<Reply | undefined>;

  async request(message: JsonRpcRequest, options?: SendOptions): Promise<Reply> {
    const reply = await this.route(message, options);
    if (!reply) throw new ProxyError('REMOTE_BAD_RESPONSE', 'the server finished without answering');
    return reply;
  }

  async send(message: JsonRpcNotification | JsonRpcResponse, options?: SendOptions): Promise<void> {
    await this.route(message, options);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.chosen) await this.chosen.close();
  }

  private async route(message: JsonRpcMessage, options?: SendOptions): Promise<Reply | undefined> {
    while (!this.chosen && this.deciding) await this.deciding.catch(() => undefined);
    if (this.chosen) return forward(this.chosen, message, options);
    const attempt = this.decide(message, options);
    this.deciding = attempt;
    try {
      return await attempt;
    } finally {
      if (this.deciding === attempt) this.deciding = undefined;
    }
  }

  /** Routes a candidate's events to ours. */
  protected adopt<T extends RemoteTransport>(transport: T): T {
    transport.onmessage = (m, line) => this.onmessage?.(m, line);
    transport.onerror = (e) => this.onerror?.(e);
    return transport;
  }

  protected choose(transport: RemoteTransport): void {
    if (this.chosen) return;
    this.chosen = transport;
    if (this.closed) void transport.close();
  }
}
