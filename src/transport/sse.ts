/**
 * The legacy HTTP+SSE transport (MCP 2024-11-05): GET the URL for an event stream whose first
 * `endpoint` event names where to POST messages; everything from the server arrives as
 * `message` events on that stream. If the stream drops, the server has forgotten the session:
 * the next send reconnects and asks the caller (SESSION_EXPIRED) to initialize again.
 */
import { ProxyError, isProxyError } from '../errors.js';
import {
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
import { displayUrl, sameOrigin } from '../url.js';
import { authorizedRequest } from '../http/authorized-request.js';
import { defaultLimits } from './bounded-read.js';
import { mediaType, readEventStream, type ServerSentEvent } from './event-stream.js';
import { statusError } from '../http/status-error.js';
import type { RemoteEndpoint, RemoteTransport, Reply, SendOptions } from './remote-transport.js';
import { ResponseWaiters } from './response-waiters.js';

interface Connection {
  postUrl: URL;
  abort: AbortController;
}

export class SseTransport implements RemoteTransport {
  onmessage?: ((message: JsonRpcMessage, line?: string) => void) | undefined;
  onerror?: ((error: ProxyError) => void) | undefined;

  private connection: Connection | undefined;
  private connecting: Promise<Connection> | undefined;
  private lost = false;
  private closed = false;
  private readonly waiters = new ResponseWaiters();

  constructor(private readonly endpoint: RemoteEndpoint) {}

  async request(message: JsonRpcRequest, options: SendOptions = {}): Promise<Reply> {
    // Expected before the POST: the reply comes on the event stream, maybe before the POST returns.
    const waiter = this.waiters.expect(message.id, options.signal, options.stream === true);
    try {
      await this.post(message, options);
      // The POST's 202 comes first; its errors (404: SESSION_EXPIRED, which session replay acts
      // on) must win over the waiter's rejection by the stream loss that 404 also causes.
      return await waiter.done;
    } finally {
      this.waiters.forget(waiter);
    }
  }

  async send(message: JsonRpcNotification | JsonRpcResponse, options: SendOptions = {}): Promise<void> {
    await this.post(message, options);
  }

  private async post(message: JsonRpcMessage, options: SendOptions): Promise<void> {
    if (this.closed) throw new ProxyError('CLOSED', 'the proxy is shutting down');
    const connection = await this.connect();
    const initialize = isRequest(message) && message.method === 'initialize';
    if (this.lost && !initialize) throw new ProxyError('SESSION_EXPIRED', 'the event stream was reconnected; the session must be initialized again');
    if (initialize) this.lost = false;
    const res = await authorizedRequest(this.endpoint, {
      url: connection.postUrl,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      signal: options.signal,
    });
    if (res.status === 404) {
      // The server no longer knows the session behind this endpoint (it restarted, or dropped
      // the stream): open a new stream and let the caller initialize again.
      await res.body.dump();
      this.streamLost(connection);
      connection.abort.abort();
      throw new ProxyError('SESSION_EXPIRED', 'the server no longer knows this session (404)', { status: 404 });
    }
    if (res.status < 200 || res.status > 299) throw await statusError(res, 'POST');
    await res.body.dump();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connection?.abort.abort();
    this.waiters.rejectAll(new ProxyError('CLOSED', 'the proxy is shutting down'));
  }

  private connect(): Promise<Connection> {
    if (this.connection) return Promise.resolve(this.connection);
    this.connecting ??= this.openStream().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async openStream(): Promise<Connection> {
    const abort = new AbortController();
    const res = await authorizedRequest(this.endpoint, {
      url: this.endpoint.url,
      method: 'GET',
      headers: { accept: 'text/event-stream' },
      signal: abort.signal,
    });
    if (res.status !== 200) throw await statusError(res, 'GET');
    const type = mediaType(res.header('content-type'));
    if (type !== 'text/event-stream') {
      res.body.destroy();
      throw new ProxyError(
        'REMOTE_BAD_RESPONSE',
        `GET ${displayUrl(this.endpoint.url)} answered ${type || 'no content type'}, not an event stream: is this an MCP SSE endpoint?`,
      );
    }
    return new Promise<Connection>((resolve, reject) => {
      let connection: Connection | undefined;
      const onEvent = (event: ServerSentEvent): void => {
        if (event.event === 'endpoint') {
          if (connection) return;
          let postUrl: URL;
          try {
            postUrl = new URL(event.data.trim(), this.endpoint.url);
          } catch {
            abort.abort();
            reject(new ProxyError('REMOTE_BAD_RESPONSE', 'the server announced an endpoint that is not a URL'));
            return;
          }
          // Credentials and custom headers go to the MCP server's origin only (as the SDK does).
          if (!sameOrigin(postUrl, this.endpoint.url)) {
            abort.abort();
            reject(
              new ProxyError(
                'REMOTE_BAD_RESPONSE',
                `the server announced an endpoint on another origin (${postUrl.origin}); refused, since credentials are only sent to ${this.endpoint.url.origin}`,
              ),
            );
            return;
          }
          connection = { postUrl, abort };
          this.connection = connection;
          resolve(connection);
          return;
        }
        if (event.streamed || (event.event !== undefined && event.event !== 'message') || event.data === '') return;
        const messages = parseMessages(event.data);
        if (typeof messages === 'string') {
          this.onerror?.(new ProxyError('REMOTE_BAD_RESPONSE', `the server sent an event with ${messages}; it was skipped`));
          return;
        }
        const line = lineText(event.data, messages);
        for (const message of messages) {
          // The reply to a request in flight goes to whoever sent it; everything else to onmessage.
          if (isResponse(message) && this.waiters.settle(message, line)) continue;
          this.onmessage?.(message, line);
        }
      };
      const ended = (error?: unknown): void => {
        // A message over the limit closed the stream: the requests in flight hear why.
        if (isProxyError(error, 'MESSAGE_TOO_LARGE')) this.waiters.rejectAll(error);
        if (!connection) {
          reject(new ProxyError('REMOTE_BAD_RESPONSE', 'the event stream ended before the server announced its endpoint', { cause: error }));
          return;
        }
        this.streamLost(connection);
      };
      // A large response goes to its request as a stream (issue 13), bounded like every event.
      const limits = this.endpoint.limits ?? defaultLimits();
      readEventStream(res.body, { onEvent }, { limits, claim: (scan) => this.waiters.claim(scan) }).then(() => ended(), ended);
    });
  }

  private streamLost(connection: Connection): void {
    if (this.closed || this.connection !== connection) return;
    this.connection = undefined;
    this.lost = true;
    log.info('the server closed its event stream; reconnecting on the next message');
    this.waiters.rejectAll(new ProxyError('REMOTE_STREAM_LOST', 'the server closed its event stream before answering; the request may or may not have run'));
  }
}
