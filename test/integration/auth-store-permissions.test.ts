// Issue 10 §4: a credentials directory (or file) someone else controls. As OpenSSH's StrictModes:
// owned by the user and not writable by group/others, or the proxy refuses with AUTH_STORE_UNSAFE
// naming the directory and the fix, instead of writing tokens where another user can read them.
import { chmodSync, chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unsafeReason } from '../../src/auth/dir-permissions.js';
import { TokenStore, type ServerRecord } from '../../src/auth/token-store.js';
import { fileKey } from '../../src/state-files.js';
import { tempDir } from '../fixtures/teardown.js';

const ME = 1000;
const record: ServerRecord = {
  server: 'https://mcp.example.com/mcp',
  issuer: 'https://as.example.com',
  clientId: 'c',
  clientAuthMethod: 'none',
  resource: undefined,
  requestedScope: undefined,
  tokenEndpoint: 'https://as.example.com/token',
  revocationEndpoint: undefined,
  tokens: { accessToken: 'at', refreshToken: undefined, expiresAt: undefined, scope: undefined },
  updatedAt: 0,
};
// Changing a file's owner needs root; as another user these cases are covered by unsafeReason.
const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;

describe('unsafeReason (StrictModes)', () => {
  it.each<[string, { uid: number; mode: number }, 'directory' | 'file', RegExp | undefined]>([
    ['a 0700 directory of ours', { uid: ME, mode: 0o40700 }, 'directory', undefined],
    ['a 0755 directory of ours', { uid: ME, mode: 0o40755 }, 'directory', undefined],
    ["another user's directory", { uid: 0, mode: 0o40700 }, 'directory', /owned by another user \(uid 0/],
    ['a group-writable directory', { uid: ME, mode: 0o40770 }, 'directory', /writable by its group \(mode 0770\)/],
    ['a world-writable directory', { uid: ME, mode: 0o40777 & ~0o020 }, 'directory', /writable by other users/],
    ['a 0600 file', { uid: ME, mode: 0o100600 }, 'file', undefined],
    ['a 0644 file', { uid: ME, mode: 0o100644 }, 'file', /readable by other users/],
  ])('%s', (_what, info, kind, reason) => {
    const found = unsafeReason(info, ME, kind);
    if (reason) expect(found).toMatch(reason);
    else expect(found).toBeUndefined();
  });
});

describe.runIf(asRoot)('TokenStore in a directory someone else controls', () => {
  it("refuses to write tokens into another user's directory, naming it and the fix", async () => {
    const dir = join(tempDir(), 'theirs');
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, NOBODY, NOBODY);
    const error = await new TokenStore(dir).writeServer(record).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AUTH_STORE_UNSAFE' });
    expect((error as Error).message).toContain(dir);
    expect((error as Error).message).toMatch(/chmod 700/);
  });

  it('refuses to read a credentials file planted by another user; tightens a loose one of ours', async () => {
    const dir = tempDir();
    const store = new TokenStore(dir);
    await store.writeServer(record);
    const path = join(dir, fileKey('server', record.server));
    chmodSync(path, 0o666);
    expect((await store.readServer(record.server))?.tokens?.accessToken).toBe('at');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    chownSync(path, NOBODY, NOBODY);
    await expect(store.readServer(record.server)).rejects.toMatchObject({ code: 'AUTH_STORE_UNSAFE', message: expect.stringContaining(path) });
  });

  it('a group-writable directory of ours is tightened to 0700 and used', async () => {
    const dir = join(tempDir(), 'loose');
    mkdirSync(dir, { mode: 0o777 });
    chmodSync(dir, 0o777);
    writeFileSync(join(dir, 'unrelated'), '');
    await new TokenStore(dir).writeServer(record);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});
