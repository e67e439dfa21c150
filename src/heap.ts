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
// A streamed message's network chunks die young: a scavenge this often frees them (issue 13).
const MINOR_BYTES = 1024 * 1024;

let collect: ((options?: { type: 'minor' | 'major' }) => void) | undefined;
let sinceCollect = 0;
let sinceMinor = 0;
let scheduled = false;

// Each flag below was measured again for issue 13 (the bench's workload: 300 echo calls, 2,000
// with 32 in flight, a 10 MB result, streamed), turning one off at a time: peak RSS 71 MB with
// all three; without --semi-space-growth-factor=1 82 MB, without --liftoff-only 94 MB (and idle
// 64 MB instead of 56), without the collections after large writes 78 MB. Each pays; all stay.
// (Measured when dist/ was ES modules; the scavenge below keeps CommonJS at the same figures.)
export function tuneHeap(): void {
  // undici parses HTTP with llhttp compiled to WebAssembly; V8's background tier-up of that
  // module to optimized code costs ~35 MB of transient memory, a third of the proxy's peak,
  // for no measurable gain here. The baseline compiler is enough (before the first request).
  setFlagsFromString('--liftoff-only');
  // A handle on the collector without a command-line flag (the bin cannot pass node flags).
  setFlagsFromString('--expose-gc');
  collect = runInNewContext('gc') as typeof collect;
  setFlagsFromString('--no-expose-gc');
  // One scavenge while start-up's objects are still alive lets V8 size new-space up once (it grows
  // it after a scavenge most objects survive); then it is kept at that size: a proxy's objects die
  // young, so scavenges stay cheap. Without it, code loaded synchronously (CommonJS, see
  // scripts/build.mjs) leaves new-space at its minimum, where 32 requests in flight outlive
  // scavenges and are promoted: old-space held ~4 MB more after the bench's warm-up and the peak
  // rose from ~69.5 to ~71 MB (issue 13; three runs of each build, side by side).
  collect?.({ type: 'minor' });
  setFlagsFromString('--semi-space-growth-factor=1');
}

/** Called with the size of each message (or streamed chunk) written; collects after large ones. */
export function afterWrite(bytes: number): void {
  if (!collect) return;
  sinceCollect += bytes;
  sinceMinor += bytes;
  if ((sinceCollect < LARGE_BYTES && sinceMinor < MINOR_BYTES) || scheduled) return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    sinceMinor = 0;
    if (sinceCollect < LARGE_BYTES) return collect?.({ type: 'minor' });
    sinceCollect = 0;
    collect?.();
  });
}
