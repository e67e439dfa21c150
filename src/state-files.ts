/**
 * The small JSON files the proxy keeps in its directory (credentials, protocol-era notes): one
 * file per key, named so it is recognisable yet safe on every file system, created 0600 in a
 * 0700 directory and written atomically (temp file + rename) so that a crash or a second proxy
 * never sees half a file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkPrivateDir, checkPrivateFile } from './auth/dir-permissions.js';
import { log } from './log.js';

/** `<prefix>-<readable slug>-<hash>.json` for an id (a URL or an issuer). */
export function fileKey(prefix: string, id: string): string {
  const slug = id
    .replace(/^https?:\/\//, '')
    .replace(/[^A-Za-z0-9.-]+/g, '_')
    .slice(0, 60);
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 16);
  return `${prefix}-${slug}-${hash}.json`;
}

/**
 * Creates the directory 0700, tightening one created with looser permissions; refuses one that
 * stays unsafe (another user's, or writable by others: AUTH_STORE_UNSAFE, see dir-permissions.ts).
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700).catch(() => undefined);
  await checkPrivateDir(dir);
}

/** The parsed file, or undefined when it is missing or corrupt (a corrupt one is warned about as `what`). */
export async function readJsonFile<T>(dir: string, name: string, what: string): Promise<T | undefined> {
  let text: string;
  await checkPrivateFile(join(dir, name));
  try {
    text = await readFile(join(dir, name), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    log.warn(`ignoring the corrupt ${what} ${join(dir, name)}`);
    return undefined;
  }
}

/** Writes atomically with mode 0600; the directory must exist (ensurePrivateDir). */
export async function writeJsonFile(dir: string, name: string, value: unknown): Promise<void> {
  const target = join(dir, name);
  const temp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(value, null, 2), { mode: 0o600, flag: 'wx' });
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
