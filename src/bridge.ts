/**
 * Pipes the host (stdio) and the remote server together. Every message is forwarded unchanged
 * (ids are never rewritten), and every request from the host gets exactly one answer: the
 * server's response, or a JSON-RPC error saying what went wrong and what to try.
 */
import { JSONRPC_INVALID_REQUEST, JSONRPC_PARSE_ERROR, JSONRPC_PROXY_ERROR, JSONRPC_TIMEOUT, ProxyError, isStackOverflow, toProxyError } from './errors.js';
import { tooDeepError } from './json-text.js';
import {
  checkMessage,
  errorResponse,
  idKey,
  isNotification,
  isRequest,
  isResponse,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcRequest,
} from './jsonrpc.js';
import { log, redact } from './log.js';
import { isOwnId } from './own-id.js';
import { MessageTooLarge } from './transport/bounded-read.js';
import type { HostSide } from './transport/host-side.js';
import type { RemoteTransport, Reply } from './transport/remote-transport.js';
import type { SignInNotice } from './auth/sign-in-notice.js';
import { HostSignIn } from './host-sign-in.js';
import { Keepalive } from './keepalive.js';
import { ToolFilter } from './tool-filter.js';

export interface BridgeOptions {
  /** Per-request timeout; progress notifications for the request restart it. */
  timeoutMs: number;
  /** While true (a browser sign-in is running, bounded by its own timeout), requests do not time out. */
  waitingForUser?: () => boolean;
  /** Subscribes to "the user must sign in" notices; returns the unsubscriber. */
  onSignInNeeded?: (listener: (notice: SignInNotice) => void) => () => void;
  /** --keepalive: ping the server this often while the host is connected. */
  keepaliveMs?: number | undefined;
  /** --ignore-tool: globs of tools the host neither sees nor calls. */
  ignoreTools?: readonly string[] | undefined;
}

interface Pending {
  id: JsonRpcId;
  method: string;
  abort: AbortController;
  timer: NodeJS.Timeout | undefined;
  progressToken: string | number | undefined;
  /** Answered by the proxy while the server was out of reach behind a sign-in. */
  answeredHere?: boolean;
}

export class Bridge {
  private readonly pending = new Map<string, Pending>();
  private readonly byProgressToken = new Map<string | number, Pending>();
  private readonly signIn: HostSignIn;
  private unsubscribe: (() => void) | undefined;
  private readonly ignored: ToolFilter | undefined;
  private readonly keepalive: Keepalive | undefined;

  constructor(
    private readonly host: HostSide,
    private readonly remote: RemoteTransport,
    private readonly options: BridgeOptions,
  ) {
    this.signIn = new HostSignIn({
      send: (message) => this.host.send(message),
      answer: (id, result) => this.answerHere(id, result),
      waiting: () => this.options.waitingForUser?.() === true,
    });
    this.ignored = options.ignoreTools?.length ? new ToolFilter(options.ignoreTools) : undefined;
    this.keepalive = options.keepaliveMs
      ? new Keepalive({
          request: (request, sendOptions) => this.remote.request(request, sendOptions),
          intervalMs: options.keepaliveMs,
          timeoutMs: options.timeoutMs,
          paused: () => this.options.waitingForUser?.() === true,
        })
      : undefined;
  }

  start(): void {
    this.host.onvalue = (value) => this.fromHost(value);
    this.host.onparseerror = (reason) => {
      log.warn(`the host sent a line that is not JSON (${reason}); answered with a parse error`);
      // JSON-RPC 2.0 §5.1: an unparseable message gets -32700 with a null id.
      this.host.send(errorResponse(null, JSONRPC_PARSE_ERROR, `Parse error: the line is not valid JSON (${reason})`));
    };
    this.host.ontoolarge = (id, error, notification) => {
      log.warn(error.message);
      if (notification) return;
      this.host.send(
        errorResponse(id ?? null, JSONRPC_INVALID_REQUEST, `mcp-auth-proxy: ${error.message}`, { code: error.code, limitBytes: error.limitBytes }),
      );
    };
    this.remote.onmessage = (message, line) => this.fromRemote(message, line);
    this.remote.onerror = (error) => log.warn(error.message);
    this.unsubscribe = this.options.onSignInNeeded?.((notice) => this.signIn.notice(notice));
    this.host.start();
  }

  async close(): Promise<void> {
    this.keepalive?.stop();
    this.unsubscribe?.();
    this.signIn.dispose();
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer);
      entry.abort.abort(new ProxyError('CLOSED', 'the proxy is shutting down'));
    }
    this.pending.clear();
    this.byProgressToken.clear();
    await this.remote.close();
  }

  private fromHost(value: unknown): void {
    // A 2025-03-26 batch: each message is forwarded on its own (later revisions dropped batching).
    if (Array.isArray(value)) {
      if (value.length === 0) this.host.send(errorResponse(null, JSONRPC_INVALID_REQUEST, 'Invalid Request: empty batch'));
      for (const item of value) this.fromHost(item);
      return;
    }
    const reason = checkMessage(value);
    if (reason) {
      const id = (value as { id?: unknown } | null)?.id;
      const replyId = typeof id === 'string' || typeof id === 'number' ? id : null;
      this.host.send(errorResponse(replyId, JSONRPC_INVALID_REQUEST, `Invalid Request: ${reason}`));
      return;
    }
    const message = value as JsonRpcMessage;
    // The host is connected: from now on, --keepalive pings the server.
    if (isNotification(message) && message.method === 'notifications/initialized') this.keepalive?.start();
    if (this.signIn.fromHost(message)) return;
    if (isRequest(message)) return this.forwardRequest(message);
    if (isNotification(message) && message.method === 'notifications/cancelled') this.cancelled(message.params);
    this.remote.send(message).catch((error: unknown) => {
      log.warn(`could not deliver the host's ${'method' in message ? message.method : 'response'}: ${toProxyError(error).message}`);
    });
  }

  private forwardRequest(request: JsonRpcRequest): void {
    const refusal = this.ignored?.refuse(request);
    if (refusal) return this.host.send(refusal);
    const meta = request.params?.['_meta'] as { progressToken?: unknown } | undefined;
    const token = meta?.progressToken;
    const entry: Pending = {
      id: request.id,
      method: request.method,
      abort: new AbortController(),
      timer: undefined,
      progressToken: typeof token === 'string' || typeof token === 'number' ? token : undefined,
    };
    this.pending.set(idKey(request.id), entry);
    if (entry.progressToken !== undefined) this.byProgressToken.set(entry.progressToken, entry);
    this.arm(entry);
    // Answers the bridge does not look into may reach the host as a stream (issue 13): not
    // initialize (the sign-in may answer it here) nor a tools/list the tool filter rewrites.
    const stream = request.method !== 'initialize' && !(request.method === 'tools/list' && this.ignored);
    this.remote.request(request, { signal: entry.abort.signal, stream }).then(
      (reply) => this.answer(entry, reply),
      (error: unknown) => this.fail(entry, error),
    );
  }

  /** The server's reply to a host request. */
  private answer(entry: Pending, reply: Reply): void {
    if (reply.stream) return this.answerStreaming(entry, reply);
    if (this.signIn.fromRemote(reply.message)) {
      if (entry.answeredHere) this.settle(entry);
      return;
    }
    if (!this.isPending(entry)) {
      // Already answered (timed out) or cancelled by the host: a second answer would confuse it.
      log.debug(`dropping a response for request ${JSON.stringify(entry.id)}, which is no longer pending`);
      return;
    }
    this.settle(entry);
    try {
      const listed = entry.method === 'tools/list' ? this.ignored?.list(reply.message) : undefined;
      if (listed) this.host.send(listed);
      else this.host.reply(reply);
    } catch (error) {
      // Nothing was written (serialising fails before the write): the request still gets its
      // one answer (JSON-RPC 2.0 §5), an error naming the problem (MESSAGE_TOO_DEEP).
      this.answerWithError(entry, isStackOverflow(error) ? tooDeepError(`the server's answer to ${entry.method}`, error) : error);
    }
  }

  /**
   * A large reply, written to the host as it arrives. The request counts as answered from its
   * first byte (no second answer may follow a half-written one but an error); the timeout then
   * applies to the stream going quiet. A stream that fails ends its line, then the request gets
   * the error.
   */
  private answerStreaming(entry: Pending, reply: Reply): void {
    const stream = reply.stream!;
    if (!this.isPending(entry)) {
      stream.fail(new ProxyError('CLOSED', 'nobody waits for this answer any more'));
      return;
    }
    this.settle(entry);
    const seconds = Math.round(this.options.timeoutMs / 100) / 10;
    const idle = setTimeout(
      () =>
        stream.fail(
          new ProxyError(
            'REQUEST_TIMEOUT',
            `the server's answer to ${entry.method} stopped arriving for ${seconds} s; raise the limit with --timeout <seconds>`,
          ),
        ),
      this.options.timeoutMs,
    );
    idle.unref();
    stream.ondata = () => idle.refresh();
    Promise.resolve(this.host.reply(reply)).then(
      () => clearTimeout(idle),
      (error: unknown) => {
        clearTimeout(idle);
        this.answerWithError(entry, error);
      },
    );
  }

  /** What the server sends besides replies: its notifications and requests. */
  private fromRemote(message: JsonRpcMessage, line?: string): void {
    if (isResponse(message)) {
      // A late reply to a request nobody waits for any more (the host's timed out or was
      // cancelled; or one of the proxy's own): a second answer would confuse the host.
      log.debug(`dropping a response for request ${JSON.stringify(message.id)}${isOwnId(message.id) ? " of the proxy's own" : ''}, which is no longer pending`);
      return;
    }
    if (message.method === 'notifications/progress') {
      const token = message.params?.['progressToken'];
      const entry = typeof token === 'string' || typeof token === 'number' ? this.byProgressToken.get(token) : undefined;
      if (entry) this.arm(entry);
    }
    try {
      this.host.send(message, line);
    } catch (error) {
      if (!isStackOverflow(error)) throw error;
      log.warn(`${tooDeepError(`the server's ${message.method}`).message}`);
      // A request of the server's still gets its one answer (JSON-RPC 2.0 §5).
      if (isRequest(message)) {
        this.remote
          .send(
            errorResponse(message.id, JSONRPC_PROXY_ERROR, 'mcp-auth-proxy: the request is nested too deeply to forward to the host', {
              code: 'MESSAGE_TOO_DEEP',
            }),
          )
          .catch(() => undefined);
      }
    }
  }

  private cancelled(params: Record<string, unknown> | undefined): void {
    const id = params?.['requestId'];
    if (typeof id !== 'string' && typeof id !== 'number') return;
    const entry = this.pending.get(idKey(id));
    if (!entry) return;
    // The host gave up on it and expects no answer (MCP "Cancellation").
    this.settle(entry);
    entry.abort.abort(new ProxyError('CLOSED', 'cancelled by the host'));
  }

  private arm(entry: Pending): void {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => this.timeout(entry), this.options.timeoutMs);
    entry.timer.unref();
  }

  private timeout(entry: Pending): void {
    if (!this.isPending(entry)) return;
    if (this.options.waitingForUser?.()) return this.arm(entry);
    const seconds = Math.round(this.options.timeoutMs / 100) / 10;
    this.fail(
      entry,
      new ProxyError(
        'REQUEST_TIMEOUT',
        `the server did not answer ${entry.method} within ${seconds} s; it may still be working on it. Raise the limit with --timeout <seconds>`,
      ),
    );
    this.remote
      .send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: entry.id, reason: 'timed out in mcp-auth-proxy' } })
      .catch(() => undefined);
    entry.abort.abort(new ProxyError('REQUEST_TIMEOUT', 'timed out'));
  }

  /** Answers a pending host request here; the request itself still runs on (see HostSignIn). */
  private answerHere(id: JsonRpcId, result: Record<string, unknown>): boolean {
    const entry = this.pending.get(idKey(id));
    if (!entry || entry.answeredHere) return false;
    entry.answeredHere = true;
    clearTimeout(entry.timer);
    this.host.send({ jsonrpc: '2.0', id, result });
    return true;
  }

  private isPending(entry: Pending): boolean {
    return this.pending.get(idKey(entry.id)) === entry;
  }

  private settle(entry: Pending): void {
    clearTimeout(entry.timer);
    this.pending.delete(idKey(entry.id));
    if (entry.progressToken !== undefined && this.byProgressToken.get(entry.progressToken) === entry) {
      this.byProgressToken.delete(entry.progressToken);
    }
  }

  private fail(entry: Pending, error: unknown): void {
    if (!this.isPending(entry)) return;
    this.settle(entry);
    this.answerWithError(entry, error);
  }

  private answerWithError(entry: Pending, error: unknown): void {
    const proxyError = toProxyError(error);
    if (entry.answeredHere) {
      // The host was already answered; tell it in its log instead (MCP "Logging").
      log.warn(`${entry.method} failed after the proxy answered it: ${redact(proxyError.message)}`);
      this.host.send({
        jsonrpc: '2.0',
        method: 'notifications/message',
        params: { level: 'error', logger: 'mcp-auth-proxy', data: redact(proxyError.message) },
      });
      return;
    }
    const code = proxyError.code === 'REQUEST_TIMEOUT' ? JSONRPC_TIMEOUT : JSONRPC_PROXY_ERROR;
    const data: Record<string, unknown> = { code: proxyError.code };
    if (proxyError.status !== undefined) data['status'] = proxyError.status;
    if (proxyError instanceof MessageTooLarge) data['limitBytes'] = proxyError.limitBytes;
    if (proxyError.serverMessage !== undefined) data['serverMessage'] = redact(proxyError.serverMessage);
    if (proxyError.signInUrl !== undefined) data['signInUrl'] = proxyError.signInUrl;
    const message = redact(proxyError.message);
    log.warn(`${entry.method} failed: ${message}`);
    this.host.send(errorResponse(entry.id, code, `mcp-auth-proxy: ${message}`, data));
  }
}
