/**
 * What the bridge needs of the host's end of the pipe: lines in (parsed), messages and replies
 * out. StdioTransport is the real one (MCP "Transports" §stdio); tests can drive the bridge
 * through any pair of streams, or through an in-memory HostSide.
 */
import type { JsonRpcId, JsonRpcMessage } from '../jsonrpc.js';
import type { MessageTooLarge } from './bounded-read.js';
import type { Reply } from './remote-transport.js';

export interface HostSide {
  /** A parsed line: any JSON value (the bridge checks that it is JSON-RPC). */
  onvalue?: ((value: unknown) => void) | undefined;
  /** A line that is not JSON. */
  onparseerror?: ((reason: string) => void) | undefined;
  /**
   * A line over --max-message-mb was skipped: `id` is the request it held when that could be
   * read; `notification` when it was one (no answer is due).
   */
  ontoolarge?: ((id: JsonRpcId | undefined, error: MessageTooLarge, notification: boolean) => void) | undefined;
  /** The host is gone (its input ended, or its output broke). */
  onclose?: (() => void) | undefined;
  /** Starts reading from the host. */
  start(): void;
  /** Writes one message; `line` is its text as received, when that is already one line. */
  send(message: JsonRpcMessage, line?: string): void;
  /**
   * Writes the server's reply to one of the host's requests. Kept apart from `send` because a
   * Reply may be a stream (see Reply): writing it is the host side's job. For a stream, resolves
   * once it is written and rejects when it could not be completed (the bridge then answers the
   * request with the error).
   */
  reply(reply: Reply): Promise<void> | void;
}
