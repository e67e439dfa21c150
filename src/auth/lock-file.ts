/**
 * The lock file that lets several proxies for one server share one sign-in and one refresh at a
 * time. It holds the holder's pid and start time, so that:
 * - a holder that died is seen at once (no such pid, or the pid now belongs to a process started
 *   later: the pid was reused);
 * - a lock that stays empty or unreadable (killed between creating and writing it, a full disk) is
 *   stale after a few seconds, instead of blocking every sign-in for --auth-timeout + 30 s forever;
 * - a lock whose write failed is removed by its would-be holder;
 * - a lock older than the longest a holder may hold it is stale in any case.
 * Times come from the injected clock (src/clock.ts), so tests move it instead of waiting.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { systemClock, type Clock } from '../clock.js';
import { ProxyError } from '../errors.js';

export interface LockOptions {
  /** How long to wait for another holder; a lock older than this (+ a margin) is stale. */
  timeoutMs: number;
  /** Told once when the lock is held by another process. */
  onWait?: () => void;
  clock?: Clock | undefined;
}

interface LockInfo {
  owner: string;
  pid: number;
  /** When the holding process started (ms since the epoch), to tell a reused pid apart. */
  started: number | undefined;
  at: number;
}

/** An empty or unreadable lock is being written, unless it stays so this long. */
export const UNREADABLE_STALE_MS = 3_000;
const AGE_MARGIN_MS = 5_000;
const POLL_MS = 150;
// Two readings of one process's start time differ by clock-tick rounding, not by seconds.
const START_TOLERANCE_MS = 2_000;

/** Takes the lock at `path`; resolves with its release. AUTH_LOCK_BUSY after `timeoutMs`. */
export async function acquireLock(path: string, options: LockOptions): Promise<() => Promise<void>> {
  const clock = options.clock ?? systemClock;
  const me: LockInfo = { owner: `${process.pid}:${randomBytes(8).toString('hex')}`, pid: process.pid, started: processStart(process.pid), at: clock.now() };
  const deadline = clock.now() + options.timeoutMs;
  let told = false;
  for (;;) {
    if (await tryCreate(path, { ...me, at: clock.now() })) break;
    if (await isStale(path, options.timeoutMs, clock)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (clock.now() > deadline) {
      throw new ProxyError('AUTH_LOCK_BUSY', 'another mcp-auth-proxy has been signing in to this server for too long; try again');
    }
    if (!told) {
      told = true;
      options.onWait?.();
    }
    await clock.sleep(POLL_MS);
  }
  return async () => {
    const owner = await readFile(path, 'utf8').then(
      (t) => (JSON.parse(t) as Partial<LockInfo>).owner,
      () => undefined,
    );
    if (owner === me.owner) await unlink(path).catch(() => undefined);
  };
}

/** Creates the lock with our info; false when another holds it. A lock we could not write is removed. */
async function tryCreate(path: string, info: LockInfo): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(JSON.stringify(info));
    await handle.close();
    return true;
  } catch (error) {
    // A full disk: an empty lock left behind would block every later sign-in.
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw error;
  }
}

async function isStale(path: string, maxHoldMs: number, clock: Clock): Promise<boolean> {
  let info: Partial<LockInfo>;
  try {
    info = JSON.parse(await readFile(path, 'utf8')) as Partial<LockInfo>;
    if (typeof info !== 'object' || info === null) throw new Error('not an object');
  } catch {
    // Being written right now, or left empty by a crash: garbage once it stays so for a while.
    const modified = await stat(path).then(
      (s) => s.mtimeMs,
      () => undefined,
    );
    return modified === undefined || clock.now() - modified > UNREADABLE_STALE_MS;
  }
  if (typeof info.at === 'number' && clock.now() - info.at > maxHoldMs + AGE_MARGIN_MS) return true;
  if (typeof info.pid !== 'number' || info.pid === process.pid) return false;
  try {
    process.kill(info.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
  }
  // Alive (or not ours to signal): the same process only if it started when the holder did.
  const started = processStart(info.pid);
  return typeof info.started === 'number' && started !== undefined && Math.abs(started - info.started) > START_TOLERANCE_MS;
}

/**
 * When a process started (ms since the epoch), where the system says (Linux /proc); undefined
 * elsewhere, where only the pid is checked.
 */
export function processStart(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime, clock ticks after boot), counted after the parenthesised command name.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const boot = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    if (!boot || !Number.isFinite(ticks)) return undefined;
    // USER_HZ is 100 on every Linux ABI Node runs on.
    return Number(boot[1]) * 1000 + ticks * 10;
  } catch {
    return undefined;
  }
}
