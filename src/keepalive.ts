/**
 * --keepalive: while the host is connected (from its notifications/initialized on), a JSON-RPC
 * `ping` goes to the server every so often, so that an idle session, or a gateway's idle
 * connection, is not dropped. The pings carry ids of ours and their answers never reach the
 * host; a failed ping is logged, never fatal. They go through the remote transport like any
 * request, so a 2026-07-28 server, which has no ping, never gets one: the modern bridge answers
 * ping itself (and a host speaking 2026-07-28 sends no notifications/initialized).
 */
import { ProxyError, toProxyError } from './errors.js';
import type { JsonRpcRequest } from './jsonrpc.js';
import { log } from './log.js';
import { mintId } from './own-id.js';
import type { Reply, SendOptions } from './transport/remote-transport.js';

export interface KeepaliveDeps {
  /** Sends a request to the server; resolves with its reply (rejects when there can be none). */
  request(request: JsonRpcRequest, options: SendOptions): Promise<Reply>;
  intervalMs: number;
  /** How long one ping may take (the per-request --timeout). */
  timeoutMs: number;
  /** While true (the user is signing in), no ping is sent. */
  paused?: () => boolean;
}

export class Keepalive {
  private timer: NodeJS.Timeout | undefined;
  private inflight: AbortController | undefined;
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

  private tick(): void {
    // One ping at a time; none while a sign-in waits for the user.
    if (this.inflight || this.stopped || this.deps.paused?.()) return;
    const abort = new AbortController();
    this.inflight = abort;
    const seconds = Math.round(this.deps.timeoutMs / 100) / 10;
    const timer = setTimeout(() => abort.abort(new ProxyError('REQUEST_TIMEOUT', `no answer within ${seconds} s`)), this.deps.timeoutMs);
    timer.unref();
    const request: JsonRpcRequest = { jsonrpc: '2.0', id: mintId('keepalive'), method: 'ping' };
    this.deps
      .request(request, { signal: abort.signal })
      .then(
        ({ message }) => {
          // An error answer (a server without ping) still shows the connection is alive.
          if (message.error) log.debug(`keepalive: the server answered ping with an error (${message.error.code}: ${message.error.message})`);
          log.debug('keepalive: ping answered');
        },
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
