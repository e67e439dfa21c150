/**
 * Streamable HTTP, client side (MCP 2025-03-26 … 2025-11-25, "Transports" §Streamable HTTP):
 * one POST per message, JSON or SSE answers, Mcp-Session-Id, MCP-Protocol-Version, the optional
 * GET stream for server-initiated messages, resumption with Last-Event-ID, DELETE on close.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { ProxyError, isProxyError } from '../errors.js';
import {
  idKey,
  isRequest,
  isResponse,
  lineText,
  parseMessages,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from '../jsonrpc.js';
import { log } from '../log.js';
import { BOUNDS, clampMs } from '../duration-bounds.js';
import { authorizedRequest } from '../http/authorized-request.js';
import { defaultLimits, MessageTooLarge, readMessageBody, type MessageLimits } from './bounded-read.js';
import type { JsonStreamScanner } from './json-stream-scanner.js';
import { mediaType, readEventStream, type ServerSentEvent } from './event-stream.js';
import type { HttpResponse } from '../http/client.js';
import { serverReason } from '../http/server-reason.js';
import { answeredWithStatus, statusError } from '../http/status-error.js';
import type { RemoteEndpoint, RemoteTransport, Reply, SendOptions } from './remote-transport.js';
import { ResponseWaiters, type Waiter } from './response-waiters.js';
import { deleteSession } from './session-delete.js';
import { isLostSession400, probeSessionWithGet, saysSessionUnknown, type SessionProbe } from './session-unknown.js';

const DEFAULT_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;
// Reconnection attempts without a single event in between before we stop trying.
const MAX_FRUITLESS_RECONNECTS = 5;
const DELETE_TIMEOUT_MS = 1_000;
// How long messages after `initialized` wait for the GET stream to be answered.
const GET_READY_CAP_MS = 2_000;

export class StreamableHttpTransport implements RemoteTransport {
  onmessage?: ((message: JsonRpcMessage, line?: string) => void) | undefined;
  onerror?: ((error: ProxyError) => void) | undefined;

  private sessionId: string | undefined;
  private protocolVersion: string | undefined;
  private readonly initializeIds = new Set<string>();
  private readonly waiters = new ResponseWaiters();
  private retryMs = DEFAULT_RETRY_MS;
  private getStream: AbortController | undefined;
  /** Settles once the GET stream opened after initialization was answered (or gave up waiting). */
  private gate: Promise<void> | undefined;
  private closed = false;
  private answered = false;
  /** The server forgot our session and no new one has been started yet. */
  private expired = false;
  /** The session id a 2xx answer has accepted (a 400 to it may then mean it was forgotten). */
  private workedSession: string | undefined;

  /**
   * `protocolVersion` fixes the MCP-Protocol-Version header from the start: for 2026-07-28
   * servers, which have no initialize to negotiate it (and no sessions, GET stream or resumption,
   * none of which this transport then uses, since the server never starts them).
   */
  constructor(
    private readonly endpoint: RemoteEndpoint,
    options: { protocolVersion?: string } = {},
  ) {
    this.protocolVersion = options.protocolVersion;
  }

  /** Whether the server has accepted a POST: it speaks Streamable HTTP, whatever came after. */
  get speaksStreamableHttp(): boolean {
    return this.answered;
  }

  async request(message: JsonRpcRequest, options: SendOptions = {}): Promise<Reply> {
    if (this.closed) throw new ProxyError('CLOSED', 'the proxy is shutting down');
    if (this.gate) await this.gate;
    const waiter = this.waiters.expect(message.id, options.signal, options.stream === true);
    if (message.method === 'initialize') this.initializeIds.add(idKey(message.id));
    try {
      const posted = this.post(message, waiter, options.signal, options.headers);
      // The reply is handed over as soon as it arrives, even when the stream that carried it
      // stays open (a response stream resumed with GET is the session's GET stream from then
      // on): the rest of that stream is read on in the background, as before.
      return await Promise.race([waiter.done, posted.then(() => waiter.done)]);
    } finally {
      this.waiters.forget(waiter);
      this.initializeIds.delete(idKey(message.id));
    }
  }

  async send(message: JsonRpcNotification | JsonRpcResponse, options: SendOptions = {}): Promise<void> {
    if (this.closed) throw new ProxyError('CLOSED', 'the proxy is shutting down');
    if ('method' in message && message.method === 'notifications/initialized') {
      // The SDK client has its GET stream open before it sends anything else; servers rely on
      // that (they may send a request for the next tool call on it). So until the GET is
      // answered (bounded), later messages wait.
      const gate = this.post(message, undefined, options.signal).then(() => this.openGetStream());
      this.gate = gate.catch(() => undefined);
      return gate;
    }
    if (this.gate) await this.gate;
    await this.post(message, undefined, options.signal, options.headers);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.getStream?.abort();
    this.waiters.rejectAll(new ProxyError('CLOSED', 'the proxy is shutting down'));
    // "Session Management": clients SHOULD send DELETE when they no longer need the session.
    if (this.sessionId !== undefined) await deleteSession(this.endpoint, this.protocolHeaders(), DELETE_TIMEOUT_MS);
  }

  private protocolHeaders(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.sessionId !== undefined) headers['mcp-session-id'] = this.sessionId;
    if (this.protocolVersion !== undefined) headers['mcp-protocol-version'] = this.protocolVersion;
    return headers;
  }

  private async post(
    message: JsonRpcMessage,
    waiter: Waiter | undefined,
    signal: AbortSignal | undefined,
    extra?: Readonly<Record<string, string>>,
  ): Promise<void> {
    if (this.expired && !(isRequest(message) && message.method === 'initialize')) {
      // The session is gone and a new one is not set up yet: without a session id this
      // message would only earn a 400. Ask the caller to replay initialize first.
      throw new ProxyError('SESSION_EXPIRED', 'the server no longer knows this session', { status: 404 });
    }
    const sentSession = this.sessionId;
    const res = await authorizedRequest(this.endpoint, {
      url: this.endpoint.url,
      method: 'POST',
      headers: {
        ...extra,
        ...this.protocolHeaders(),
        accept: 'application/json, text/event-stream',
        'content-type': 'application/json',
      },
      body: JSON.stringify(message),
      signal,
    });
    const sessionId = res.header('mcp-session-id');
    if (sessionId) {
      this.sessionId = sessionId;
      this.expired = false;
    }
    if (res.status >= 200 && res.status <= 299) {
      this.answered = true;
      if (sentSession !== undefined && sentSession === this.sessionId) this.workedSession = sentSession;
    }

    if (res.status === 404 && sentSession !== undefined) {
      // "Session Management": 404 to a request with a session id means the session is gone;
      // the client MUST start a new one. The caller replays initialize and resends.
      await res.body.dump();
      throw this.forget(sentSession, 404, undefined);
    }
    if (res.status < 200 || res.status > 299) {
      let body: string | undefined;
      if (res.status === 400 && sentSession !== undefined) {
        // The SDK's servers answer a forgotten session with 400 (session-unknown.ts).
        body = await this.readBody(res).catch(() => '');
        const answer = { status: res.status, body, contentType: res.header('content-type') };
        const session = { sent: sentSession, worked: this.workedSession === sentSession };
        if (await isLostSession400(answer, session, () => this.probeSession(sentSession))) {
          throw this.forget(sentSession, 400, serverReason(body, answer.contentType));
        }
      }
      const error = await this.failure(res, message, waiter, body);
      if (error) throw error;
      return;
    }
    const type = mediaType(res.header('content-type'));
    if (type === 'text/event-stream') return this.readResponseStream(res, waiter, signal);
    const json = type === 'application/json' || type === '';
    // A large response to this very request may go to the host as it arrives (issue 13).
    const text = await readMessageBody(res, this.limits, json && waiter?.acceptsStream ? (scan) => this.waiters.claim(scan, waiter) : undefined);
    if (text === undefined) return;
    if (text.trim() === '') return; // 202 Accepted, or an empty 200 for a notification
    if (type !== 'application/json' && type !== '') {
      throw new ProxyError('REMOTE_BAD_RESPONSE', `the server answered with ${type} where JSON or an event stream was expected`);
    }
    const messages = parseMessages(text);
    if (typeof messages === 'string') throw new ProxyError('REMOTE_BAD_RESPONSE', `the server answered with ${messages}`);
    const line = lineText(text, messages);
    for (const m of messages) this.deliver(m, line);
    if (waiter && !waiter.settled) {
      throw new ProxyError('REMOTE_BAD_RESPONSE', 'the server answered without a response to this request');
    }
  }

  /** Marks `sent` forgotten (unless a new session replaced it already): the caller replays initialize. */
  private forget(sent: string, status: number, serverMessage: string | undefined): ProxyError {
    if (this.sessionId === sent) {
      this.sessionId = undefined;
      this.expired = true;
    }
    const said = serverMessage ? ` ("${serverMessage}")` : '';
    return new ProxyError('SESSION_EXPIRED', `the server no longer knows this session (${status}${said})`, { status, serverMessage });
  }

  /** Asks with a GET whether the server knows `session` (a 400 to a POST did not say why). */
  private probeSession(session: string): Promise<SessionProbe | undefined> {
    const headers: Record<string, string> = { ...this.protocolHeaders(), 'mcp-session-id': session, accept: 'text/event-stream' };
    return probeSessionWithGet(this.endpoint, headers, AbortSignal.timeout(GET_READY_CAP_MS), this.readBody);
  }

  /**
   * An error status. When the body is the JSON-RPC response to this very request, it is the
   * server's answer and is delivered as such (returns undefined); otherwise the status becomes a
   * ProxyError carrying the server's reason. `body`: the error body, when already read.
   */
  private async failure(res: HttpResponse, message: JsonRpcMessage, waiter: Waiter | undefined, body?: string): Promise<ProxyError | undefined> {
    if (waiter && mediaType(res.header('content-type')) === 'application/json') {
      const text = body ?? (await this.readBody(res).catch(() => ''));
      const messages = parseMessages(text);
      const reply = typeof messages === 'string' ? undefined : messages.find((m) => isResponse(m) && m.id !== null && waiter.matches(m.id));
      if (reply) {
        this.deliver(reply);
        return undefined;
      }
      return answeredWithStatus(res.status, serverReason(text, res.header('content-type')), 'method' in message ? message.method : 'a response');
    }
    return statusError(res, 'POST', body);
  }

  /** Reads an SSE response to a POST; resumes it with GET + Last-Event-ID if it breaks early. */
  private async readResponseStream(first: HttpResponse, waiter: Waiter | undefined, signal: AbortSignal | undefined): Promise<void> {
    let res = first;
    let lastEventId: string | undefined;
    let fruitless = 0;
    for (;;) {
      let progressed = false;
      try {
        // A large response on the stream of this request's POST goes to it as a stream (issue 13).
        const claim = waiter?.acceptsStream ? (scan: JsonStreamScanner) => this.waiters.claim(scan, waiter) : undefined;
        await readEventStream(
          res.body,
          {
            onEvent: (event) => {
              if (event.id) lastEventId = event.id;
              if (this.handleEvent(event)) progressed = true;
            },
            onRetry: (ms) => (this.retryMs = clampMs(ms, BOUNDS.sseRetry)),
          },
          { limits: this.limits, claim },
        );
      } catch (error) {
        if (signal?.aborted || this.closed) throw signal?.reason ?? error;
        // Over the limit: the rest of that event cannot be skipped but by reading it; not resumed.
        if (isProxyError(error, 'MESSAGE_TOO_LARGE')) throw error;
        log.debug(`response stream broke: ${(error as Error).message}`);
      }
      if (!waiter || waiter.settled || this.closed) return;
      // 2025-11-25 "Resumability and Redelivery": the server may close the connection without
      // ending the stream; the client resumes with GET and Last-Event-ID after `retry` ms.
      if (lastEventId === undefined) {
        throw new ProxyError('REMOTE_STREAM_LOST', 'the server closed the response stream before answering, and it cannot be resumed');
      }
      fruitless = progressed ? 0 : fruitless + 1;
      if (fruitless > MAX_FRUITLESS_RECONNECTS) {
        throw new ProxyError('REMOTE_STREAM_LOST', 'the response stream kept closing without an answer; gave up resuming it');
      }
      await delay(this.retryMs, undefined, { signal });
      res = await this.getEventStream(lastEventId, signal);
      if (res.status !== 200) {
        const error = await statusError(res, 'GET');
        throw new ProxyError('REMOTE_STREAM_LOST', `the response stream broke and could not be resumed: ${error.message}`);
      }
    }
  }

  private getEventStream(lastEventId: string | undefined, signal: AbortSignal | undefined): Promise<HttpResponse> {
    const headers: Record<string, string> = { ...this.protocolHeaders(), accept: 'text/event-stream' };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    return authorizedRequest(this.endpoint, { url: this.endpoint.url, method: 'GET', headers, signal });
  }

  /**
   * The optional GET stream for server-initiated messages, kept open (and re-opened) until close.
   * Resolves once the first GET is answered, or after GET_READY_CAP_MS at the latest.
   */
  private openGetStream(): Promise<void> {
    if (this.getStream || this.closed) return Promise.resolve();
    const abort = new AbortController();
    this.getStream = abort;
    let ready!: () => void;
    const answered = new Promise<void>((resolve) => (ready = resolve));
    this.runGetStream(abort.signal, ready)
      .catch((error: unknown) => {
        if (abort.signal.aborted) return;
        this.onerror?.(isProxyError(error) ? error : new ProxyError('REMOTE_STREAM_LOST', `the server's event stream failed: ${(error as Error).message}`));
      })
      .finally(() => {
        ready();
        if (this.getStream === abort) this.getStream = undefined;
      });
    return Promise.race([answered, delay(GET_READY_CAP_MS, undefined, { ref: false })]);
  }

  private async runGetStream(signal: AbortSignal, answered: () => void): Promise<void> {
    let lastEventId: string | undefined;
    let failures = 0;
    while (!signal.aborted) {
      let progressed = false;
      try {
        const sent = this.sessionId;
        const res = await this.getEventStream(lastEventId, signal);
        answered();
        if (res.status === 200 && sent !== undefined && sent === this.sessionId) this.workedSession = sent;
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
          // 405: not offered. 404: no such stream (or the session is gone; the next request
          // from the host starts a new one and re-opens this). Other 4xx will not get better.
          // A 400 saying a session that worked is unknown: the next request starts a new one.
          const body = await this.readBody(res).catch(() => '');
          if (res.status === 400 && sent !== undefined && sent === this.workedSession && saysSessionUnknown(body, res.header('content-type'))) {
            this.forget(sent, 400, undefined);
            log.debug('the GET stream says the server no longer knows our session');
            return;
          }
          log.debug(`no GET stream for server-initiated messages (${res.status}${body ? `: ${serverReason(body, res.header('content-type')) ?? ''}` : ''})`);
          return;
        }
        if (res.status !== 200 || mediaType(res.header('content-type')) !== 'text/event-stream') {
          throw await statusError(res, 'GET');
        }
        await readEventStream(
          res.body,
          {
            onEvent: (event) => {
              if (event.id) lastEventId = event.id;
              if (this.handleEvent(event)) progressed = true;
            },
            onRetry: (ms) => (this.retryMs = clampMs(ms, BOUNDS.sseRetry)),
          },
          { limits: this.limits },
        );
        failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        // A message over the limit: the request it answers (when known) gets the error.
        if (error instanceof MessageTooLarge && error.id !== undefined) this.waiters.reject(error.id, error);
        failures = progressed ? 1 : failures + 1;
        if (failures > MAX_FRUITLESS_RECONNECTS) throw error;
        log.debug(`event stream interrupted (${(error as Error).message}); reconnecting`);
      }
      const backoff = failures === 0 ? this.retryMs : Math.min(this.retryMs * 2 ** (failures - 1), MAX_RETRY_MS);
      await delay(backoff, undefined, { signal }).catch(() => undefined);
    }
  }

  /** A whole body, held (never streamed), within --max-message-mb. */
  private readBody = (res: HttpResponse): Promise<string> => readMessageBody(res, this.limits).then((text) => text ?? '');

  private get limits(): MessageLimits {
    return this.endpoint.limits ?? defaultLimits();
  }

  /** Returns true when the event carried a message. */
  private handleEvent(event: ServerSentEvent): boolean {
    if (event.streamed) return true;
    if (event.event !== undefined && event.event !== 'message') return false;
    if (event.data === '') return false; // 2025-11-25 priming event: an id and empty data
    const messages = parseMessages(event.data);
    if (typeof messages === 'string') {
      this.onerror?.(new ProxyError('REMOTE_BAD_RESPONSE', `the server sent an event with ${messages}; it was skipped`));
      return false;
    }
    const line = lineText(event.data, messages);
    for (const m of messages) this.deliver(m, line);
    return true;
  }

  private deliver(message: JsonRpcMessage, line?: string): void {
    if (isResponse(message) && message.id !== null && this.initializeIds.has(idKey(message.id))) {
      const version = message.result?.['protocolVersion'];
      // 2025-06-18 "Protocol Version Header": send the negotiated version on every later request.
      if (typeof version === 'string') this.protocolVersion = version;
    }
    // The reply to a request in flight goes to whoever sent it; everything else to onmessage.
    if (isResponse(message) && this.waiters.settle(message, line)) return;
    this.onmessage?.(message, line);
  }
}
