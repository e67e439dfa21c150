/** Requests sent to the server whose responses have not arrived yet, by JSON-RPC id. */
import { idKey, type JsonRpcId, type JsonRpcResponse } from '../jsonrpc.js';
import type { JsonStreamScanner } from './json-stream-scanner.js';
import type { Reply } from './remote-transport.js';
import { ReplyStream } from './reply-stream.js';

export interface Waiter {
  /** Settles with the reply when it arrived (resolve) or cannot arrive (reject). */
  readonly done: Promise<Reply>;
  readonly settled: boolean;
  readonly id: JsonRpcId;
  /** Its sender can take a large reply as a stream (SendOptions.stream). */
  readonly acceptsStream: boolean;
  matches(id: JsonRpcId): boolean;
}

interface Entry extends Waiter {
  settled: boolean;
  key: string;
  resolve(reply: Reply): void;
  reject(error: unknown): void;
}

export class ResponseWaiters {
  private readonly entries = new Map<string, Entry>();

  expect(id: JsonRpcId, signal?: AbortSignal, acceptsStream = false): Waiter {
    const key = idKey(id);
    let resolve!: (reply: Reply) => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<Reply>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    done.catch(() => undefined); // a waiter nobody awaits (its POST failed first) must not crash the process
    const entry: Entry = {
      done,
      key,
      id,
      acceptsStream,
      settled: false,
      matches: (other) => idKey(other) === key,
      resolve: (reply) => {
        entry.settled = true;
        resolve(reply);
      },
      reject: (error) => {
        entry.settled = true;
        reject(error);
      },
    };
    if (signal) {
      if (signal.aborted) entry.reject(signal.reason);
      else signal.addEventListener('abort', () => entry.reject(signal.reason), { once: true });
    }
    this.entries.set(key, entry);
    return entry;
  }

  /**
   * Hands a response to the request waiting for it. False when nobody waits for it (it is not
   * ours, or its request gave up): the caller passes it on through onmessage.
   */
  settle(message: JsonRpcResponse, line?: string): boolean {
    if (message.id === null) return false;
    const entry = this.entries.get(idKey(message.id));
    if (!entry || entry.settled) return false;
    entry.resolve(line === undefined ? { message } : { message, line });
    return true;
  }

  /**
   * A large response that `scan` has begun to read, offered as a stream (see StreamClaim): to
   * the waiter of its id, or, while the id is still unread (servers often write it last), to
   * `waiter` if given (the response stream of its own POST), else to the only waiter in flight.
   * Resolves that waiter with the stream; undefined when none can take it.
   */
  claim(scan: JsonStreamScanner, waiter?: Waiter): ReplyStream | undefined {
    const id = scan.id;
    let entry: Entry | undefined;
    if (id !== undefined) entry = id === null ? undefined : this.entries.get(idKey(id));
    else if (waiter) entry = waiter as Entry;
    else if (this.entries.size === 1) entry = this.entries.values().next().value;
    if (!entry || entry.settled || !entry.acceptsStream || (waiter && entry !== waiter)) return undefined;
    const stream = new ReplyStream(entry.id);
    entry.resolve({ message: { jsonrpc: '2.0', id: entry.id }, stream });
    return stream;
  }

  /** Ends the wait of one request with this error (its response could not be read). */
  reject(id: JsonRpcId, error: unknown): void {
    const entry = this.entries.get(idKey(id));
    if (entry && !entry.settled) entry.reject(error);
  }

  forget(waiter: Waiter): void {
    const entry = waiter as Entry;
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
  }

  /** Ends every wait with this error (the stream that would have carried the responses is gone). */
  rejectAll(error: unknown): void {
    for (const entry of this.entries.values()) if (!entry.settled) entry.reject(error);
    this.entries.clear();
  }
}
