/** Requests sent to the server whose responses have not arrived yet, by JSON-RPC id. */
import { idKey, type JsonRpcId, type JsonRpcResponse } from '../jsonrpc.js';
import type { Reply } from './remote-transport.js';

export interface Waiter {
  /** Settles with the reply when it arrived (resolve) or cannot arrive (reject). */
  readonly done: Promise<Reply>;
  readonly settled: boolean;
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

  expect(id: JsonRpcId, signal?: AbortSignal): Waiter {
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
