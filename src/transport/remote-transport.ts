/**
 * The contract our remote transports implement, modelled on the MCP SDK's Transport
 * (start/send/close, onmessage/onerror/onclose), with one difference the bridge relies on:
 * `send` of a request settles when that request is finished (its response was delivered through
 * onmessage, or it can no longer be delivered), so every request can be answered.
 */
import type { ProxyError } from '../errors.js';
import type { AuthorizedEndpoint } from '../http/authorized-request.js';
import type { JsonRpcMessage } from '../jsonrpc.js';

export interface SendOptions {
  /** Aborting stops waiting for the response and closes its stream. */
  signal?: AbortSignal | undefined;
  /** Extra headers for this message's POST (2026-07-28 Mcp-Method, Mcp-Name, Mcp-Param-*). */
  headers?: Readonly<Record<string, string>> | undefined;
}

export interface RemoteTransport {
  /** `line`: the message's own text when it can be forwarded as one stdio line unchanged. */
  onmessage?: ((message: JsonRpcMessage, line?: string) => void) | undefined;
  /** Out-of-band trouble (a background stream failed); not tied to one request. */
  onerror?: ((error: ProxyError) => void) | undefined;
  onclose?: (() => void) | undefined;
  start(): Promise<void>;
  /**
   * Requests: resolves once the response has been delivered through onmessage; rejects with a
   * ProxyError when it cannot be. Notifications and responses: resolves once the server accepted
   * them. A rejection with code SESSION_EXPIRED asks the caller to start a new session and resend.
   */
  send(message: JsonRpcMessage, options?: SendOptions): Promise<void>;
  close(): Promise<void>;
}

/**
 * What every remote transport needs to know about the server it talks to: its URL, custom
 * headers, authorizer and the run's HTTP client (see authorizedRequest).
 */
export type RemoteEndpoint = AuthorizedEndpoint;
