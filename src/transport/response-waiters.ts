/** Requests sent to the server whose responses have not arrived yet, by JSON-RPC id. */
import { idKey, type JsonRpcId } from '../jsonrpc.js';

export interface Waiter {
  /** Settles when the response arrived (resolve) or cannot arrive (reject). */
  readonly done: Promise<void>;
  readonly settled: boolean;
  matches(id: JsonRpcId): boolean;
}

interface Entry extends Waiter {
  settled: boolean;
  key: string;
  resolve(): void;
  reject(error: unknown): void;
}

export class ResponseWaiters {
  private readonly entries = new Map<string, Entry>();

  expect(id: JsonRpcId, signal?: AbortSignal): Waiter {
    const key = idKey(id);
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    done.catch(() => undefined); // a waiter nobody awaits (its POST failed first) must not crash the process
    const entry: Entry = {
      done,
      key,
      settled: false,
      matches: (other) => idKey(other) === key,
      resolve: () => {
        entry.settled = true;
        resolve();
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

  settle(id: JsonRpcId): void {
    const entry = this.entries.get(idKey(id));
    if (entry && !entry.settled) entry.resolve();
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
