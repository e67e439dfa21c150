/**
 * A transport that decides what it really is on the host's first message (which transport, which
 * protocol era), then hands every message to what it chose. Messages behind the first wait for
 * the choice; the host waits for its initialize answer anyway. When the first attempt fails for a
 * reason that says nothing about the server (it is down), nothing is chosen and the next message
 * decides again.
 */
import type { ProxyError } from '../errors.js';
import type { JsonRpcMessage } from '../jsonrpc.js';
import type { RemoteTransport, SendOptions } from './remote-transport.js';

export abstract class ChoosingTransport implements RemoteTransport {
  onmessage?: ((message: JsonRpcMessage, line?: string) => void) | undefined;
  onerror?: ((error: ProxyError) => void) | undefined;
  onclose?: (() => void) | undefined;

  private chosen: RemoteTransport | undefined;
  private deciding: Promise<unknown> | undefined;
  private closed = false;

  /** Sends the first message through whatever it chooses, calling choose() once it knows. */
  protected abstract decide(message: JsonRpcMessage, options?: SendOptions): Promise<void>;

  async start(): Promise<void> {}

  async send(message: JsonRpcMessage, options?: SendOptions): Promise<void> {
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

  async close(): Promise<void> {
    this.closed = true;
    if (this.chosen) await this.chosen.close();
    else this.onclose?.();
  }

  /** Routes a candidate's events to ours. */
  protected adopt<T extends RemoteTransport>(transport: T): T {
    transport.onmessage = (m, line) => this.onmessage?.(m, line);
    transport.onerror = (e) => this.onerror?.(e);
    transport.onclose = () => this.onclose?.();
    return transport;
  }

  protected choose(transport: RemoteTransport): void {
    if (this.chosen) return;
    this.chosen = transport;
    if (this.closed) void transport.close();
  }
}
