/**
 * The contract our remote transports implement, modelled on the MCP SDK's Transport
 * (send/close, onmessage/onerror), with one difference everything above relies on: a request is
 * sent with `request`, which hands back the server's reply to it, so whoever asked gets the
 * answer (the bridge for the host's requests; the proxy's own requests for theirs) and nobody
 * has to fish replies out of onmessage.
 */
import type { ProxyError } from '../errors.js';
import type { AuthorizedEndpoint } from '../http/authorized-request.js';
import type { MessageLimits } from './bounded-read.js';
import type { ReplyStream } from './reply-stream.js';
import { isRequest, type JsonRpcMessage, type JsonRpcNotification, type JsonRpcRequest, type JsonRpcResponse } from '../jsonrpc.js';

export interface SendOptions {
  /** Aborting stops waiting for the response and closes its stream. */
  signal?: AbortSignal | undefined;
  /** Extra headers for this message's POST (2026-07-28 Mcp-Method, Mcp-Name, Mcp-Param-*). */
  headers?: Readonly<Record<string, string>> | undefined;
  /**
   * The caller forwards the reply verbatim and can take it as a stream (Reply.stream): set by the
   * bridge for host requests whose answer it does not look into (issue 13).
   */
  stream?: boolean | undefined;
}

/**
 * The server's answer to one request, handed to the one who sent it.
 *
 * Usually a parsed message, with `line`: its text as received when that can go to the host as
 * one stdio line unchanged (saves re-serialising a large result).
 *
 * A large answer to a request sent with `stream: true` is a stream instead (issue 13): `message`
 * then holds only the envelope (`jsonrpc` and the request's `id`, no result or error) and
 * `stream` the message's bytes as they arrive, already one line; its consumer is the host side
 * (`HostSide.reply`), which writes them. Code that must look inside an answer (the proxy's own
 * requests, the tool filter, the modern bridge's rewrites) does not ask for streams, so never
 * gets one. Consumers therefore pass a Reply on rather than re-building it from `message`.
 */
export interface Reply {
  readonly message: JsonRpcResponse;
  readonly line?: string | undefined;
  readonly stream?: ReplyStream | undefined;
}

export interface RemoteTransport {
  /**
   * What the server sends that is not the reply to a request in flight: its notifications and
   * requests, and responses nobody waits for any more (their request timed out or was cancelled).
   * `line`: the message's own text when it can be forwarded as one stdio line unchanged.
   */
  onmessage?: ((message: JsonRpcMessage, line?: string) => void) | undefined;
  /** Out-of-band trouble (a background stream failed); not tied to one request. */
  onerror?: ((error: ProxyError) => void) | undefined;
  /**
   * Sends a request and resolves with the server's reply to it; rejects with a ProxyError when
   * there can be none (or with the signal's reason once aborted). A rejection with code
   * SESSION_EXPIRED asks the caller to start a new session and resend.
   */
  request(message: JsonRpcRequest, options?: SendOptions): Promise<Reply>;
  /** Notifications and responses: resolves once the server accepted them. */
  send(message: JsonRpcNotification | JsonRpcResponse, options?: SendOptions): Promise<void>;
  close(): Promise<void>;
}

/** A message of any kind through the right method: the reply for a request, nothing otherwise. */
export async function forward(transport: RemoteTransport, message: JsonRpcMessage, options?: SendOptions): Promise<Reply | undefined> {
  if (isRequest(message)) return transport.request(message, options);
  await transport.send(message, options);
  return undefined;
}

/**
 * What every remote transport needs to know about the server it talks to: its URL, custom
 * headers, authorizer and the run's HTTP client (see authorizedRequest), and how large a message
 * may be (DEFAULTS when not given).
 */
export type RemoteEndpoint = AuthorizedEndpoint & { readonly limits?: MessageLimits | undefined };
