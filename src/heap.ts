/**
 * Keeps the proxy's memory near what it holds, not what it has passed through. A proxy holds
 * almost nothing, yet V8 sizes its heap for throughput: the young generation grows to tens of
 * megabytes under a stream of small messages, and the copies a large message leaves behind
 * (body chunks, decoded text, parsed value, stdout buffer) wait for a major GC that a quiet
 * heap may not schedule for a long time. Both are bounded here.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// Past this many bytes written since the last collection, collect once the pipe has taken them.
const LARGE_BYTES = 4 * 1024 * 1024;

let collect: (() => void) | undefined;
let sinceCollect = 0;
let scheduled = false;

export function tuneHeap(): void {
  // Keep new-space at its initial size: a proxy's objects die young, so scavenges stay cheap.
  setFlagsFromString('--semi-space-growth-factor=1');
  // undici parses HTTP with llhttp compiled to WebAssembly; V8's background tier-up of that
  // module to optimized code costs ~35 MB of transient memory, a third of the proxy's peak,
  // for no measurable gain here. The baseline compiler is enough (before the first request).
  setFlagsFromString('--liftoff-only');
  // A handle on the collector without a command-line flag (the bin cannot pass node flags).
  setFlagsFromString('--expose-gc');
  collect = runInNewContext('gc') as () => void;
  setFlagsFromString('--no-expose-gc');
}

/** Called with the size of each message written; collects after large ones. */
export function afterWrite(bytes: number): void {
  if (!collect) return;
  sinceCollect += bytes;
  if (sinceCollect < LARGE_BYTES || scheduled) return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    sinceCollect = 0;
    collect?.();
  });
}
