/**
 * --keepalive: while the host is connected (from its notifications/initialized on), a JSON-RPC
 * `ping` goes to the server every so often, so that an idle session, or a gateway's idle
 * connection, is not dropped. The pings carry ids of ours and their answers never reach the
 * host; a failed ping is logged, never fatal. They go through the remote transport like any
 * request, so a 2026-07-28 server, which has no ping, never gets one: the modern bridge answers
 * ping itself (and a host speaking 2026-07-28 sends no notifications/initialized).
 */
import { ProxyError, toProxyError } from './errors.js';
import { isResponse, type JsonRpcMessage, type JsonRpcRequest } from './jsonrpc.js';
import { log } from './log.js';
import type { SendOptions } from './transport/remote-transport.js';

const OWN_ID = 'mcp-auth-proxy:keepalive:';

export interface KeepaliveDeps {
  /** Sends a request to the server; settles once it was answered (or cannot be). */
  send(request: JsonRpcRequest, options: SendOptions): Promise<void>;
  intervalMs: number;
  /** How long one ping may take (the per-request --timeout). */
  timeoutMs: number;
  /** While true (the user is signing in), no ping is sent. */
  paused?: () => boolean;
}

export class Keepalive {
  private timer: NodeJS.Timeout | undefined;
  private inflight: AbortController | undefined;
  private counter = 0;
  private stopped = false;

  constructor(private readonly deps: KeepaliveDeps) {}

  /** Starts pinging (once; later calls do nothing). */
  start(): void {
    if (this.timer || this.stopped) return;
    log.debug(`keepalive: pinging the server every ${this.deps.intervalMs / 1000} s`);
    this.timer = setInterval(() => this.tick(), this.deps.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.inflight?.abort(new ProxyError('CLOSED', 'the proxy is shutting down'));
  }

  /** True for the server's answer to one of our pings: it is kept from the host. */
  fromRemote(message: JsonRpcMessage): boolean {
    if (!isResponse(message) || typeof message.id !== 'string' || !message.id.startsWith(OWN_ID)) return false;
    // An error answer (a server without ping) still shows the connection is alive.
    if (message.error) log.debug(`keepalive: the server answered ping with an error (${message.error.code}: ${message.error.message})`);
    return true;
  }

  private tick(): void {
    // One ping at a time; none while a sign-in waits for the user.
    if (this.inflight || this.stopped || this.deps.paused?.()) return;
    const abort = new AbortController();
    this.inflight = abort;
    const seconds = Math.round(this.deps.timeoutMs / 100) / 10;
    const timer = setTimeout(() => abort.abort(new ProxyError('REQUEST_TIMEOUT', `no answer within ${seconds} s`)), this.deps.timeoutMs);
    timer.unref();
    const request: JsonRpcRequest = { jsonrpc: '2.0', id: `${OWN_ID}${++this.counter}`, method: 'ping' };
    this.deps
      .send(request, { signal: abort.signal })
      .then(
        () => log.debug('keepalive: ping answered'),
        (error: unknown) => {
          if (this.stopped) return;
          log.warn(`keepalive ping failed (not fatal, the proxy keeps running): ${toProxyError(error).message}`);
        },
      )
      .finally(() => {
        clearTimeout(timer);
        if (this.inflight === abort) this.inflight = undefined;
      });
  }
}
