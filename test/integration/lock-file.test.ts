// Issue 10 §5: a lock file left empty by a crash (killed between creating and writing it, a full
// disk) blocked every later sign-in to that server for --auth-timeout + 30 s, then failed, for
// ever. The lock now holds pid + start time: a dead holder is seen at once, a reused pid too, and
// an empty/unreadable lock is stale after a few seconds (of the injected clock: nobody waits).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, processStart } from '../../src/auth/lock-file.js';
import { TokenStore } from '../../src/auth/token-store.js';
import { fileKey } from '../../src/state-files.js';
import { ManualClock } from '../fixtures/manual-clock.js';
import { tempDir } from '../fixtures/teardown.js';

const SERVER = 'https://mcp.example.com/mcp';
const lockPath = (dir: string): string => join(dir, fileKey('lock', SERVER).replace(/\.json$/, '.lock'));

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('the sign-in lock', () => {
  it('an empty lock left by a crash is stale after a few seconds, not --auth-timeout + 30 s', async () => {
    const dir = tempDir();
    writeFileSync(lockPath(dir), '');
    const clock = new ManualClock();
    const start = clock.now();
    let waited = false;
    const ran = await new TokenStore(dir).withLock(SERVER, { timeoutMs: 330_000, clock, onWait: () => (waited = true) }, async () => 'signed in');
    expect(ran).toBe('signed in');
    expect(waited).toBe(true);
    expect(clock.now() - start).toBeLessThan(10_000);
    expect(existsSync(lockPath(dir))).toBe(false);
  });

  it('garbage in a fresh lock is waited for (it may be being written)', async () => {
    const dir = tempDir();
    writeFileSync(lockPath(dir), '{"own');
    const clock = new ManualClock();
    await expect(acquireLock(lockPath(dir), { timeoutMs: 1_000, clock })).rejects.toMatchObject({ code: 'AUTH_LOCK_BUSY' });
  });

  it('a dead holder is detected at once', async () => {
    const dir = tempDir();
    writeFileSync(lockPath(dir), JSON.stringify({ owner: 'x', pid: deadPid(), at: Date.now() }));
    let waited = false;
    await new TokenStore(dir).withLock(SERVER, { timeoutMs: 60_000, clock: new ManualClock(), onWait: () => (waited = true) }, async () => undefined);
    expect(waited).toBe(false);
  });

  it.runIf(processStart(process.pid) !== undefined)('a live pid that started after the holder (a reused pid) does not hold the lock', async () => {
    const dir = tempDir();
    writeFileSync(lockPath(dir), JSON.stringify({ owner: 'x', pid: process.ppid, started: 1_000, at: Date.now() }));
    let waited = false;
    await new TokenStore(dir).withLock(SERVER, { timeoutMs: 60_000, clock: new ManualClock(), onWait: () => (waited = true) }, async () => undefined);
    expect(waited).toBe(false);
  });

  it('holds pid and start time while held; a live holder is waited for until the timeout', async () => {
    const dir = tempDir();
    const clock = new ManualClock();
    const release = await acquireLock(lockPath(dir), { timeoutMs: 10_000, clock });
    const info = JSON.parse(readFileSync(lockPath(dir), 'utf8')) as { pid: number; started?: number };
    expect(info.pid).toBe(process.pid);
    if (processStart(process.pid) !== undefined) expect(info.started).toBe(processStart(process.pid));
    await expect(acquireLock(lockPath(dir), { timeoutMs: 5_000, clock })).rejects.toMatchObject({ code: 'AUTH_LOCK_BUSY' });
    await release();
    expect(existsSync(lockPath(dir))).toBe(false);
  });
});
