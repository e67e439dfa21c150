/**
 * The contract our remote transports implement, modelled on the MCP SDK's Transport
 * (send/close, onmessage/onerror), with one difference everything above relies on: a request is
 * sent with `request`, which hands back the server's reply to it, so whoever asked gets the
 * answer (the bridge for the host's requests; the proxy's own requests for theirs) and nobody
 * has to fish replies out of onmessage.
 */
import type { ProxyError } from '../errors.js';
import type { AuthorizedEndpoint } from '../http/authorized-request.js';
import {
  isRequest,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from '../jsonrpc.js';

export interface SendOptions {
  /** Aborting stops waiting for the response and closes its stream. */
  signal?: AbortSignal | undefined;
  /** Extra headers for this message's POST (2026-07-28 Mcp-Method, Mcp-Name, Mcp-Param-*). */
  headers?: Readonly<Record<string, string>> | undefined;
}

/**
 * The server's answer to one request, handed to the one who sent it.
 *
 * Today always a parsed message, with `line`: its text as received when that can go to the host
 * as one stdio line unchanged (saves re-serialising a large result).
 *
 * This is the seam for streaming large answers (issue 13): a later variant will carry the
 * response's id and its bytes as a stream instead of a parsed message, e.g.
 * `{ id: JsonRpcId; body: Readable }`, so that a large JSON body or SSE event goes to stdout as it
 * arrives without being held in memory. Its consumer is the host side (`HostSide.reply`), which
 * writes it; code that must look inside an answer (the proxy's own requests, the tool filter,
 * the modern bridge's rewrites) will keep asking for the parsed variant, so a transport may only
 * hand over a stream when the caller said it can take one. Consumers therefore pass a Reply on
 * rather than re-building it from `message`.
 */
export interface Reply {
  readonly message: JsonRpcResponse;
  readonly line?: string | undefined;
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
 * headers, authorizer and the run's HTTP client (see authorizedRequest).
 */
export type RemoteEndpoint = AuthorizedEndpoint;
