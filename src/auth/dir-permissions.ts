/**
 * The credentials directory and its files must be this user's alone, as OpenSSH's StrictModes
 * demands of ~/.ssh: owned by the user, not writable by group or others. Otherwise another user
 * could read the tokens written there, or plant a registration or a token file of their choosing.
 * The proxy tightens what it can (chmod 0700 / 0600); when that is not possible (the directory
 * belongs to someone else, or chmod fails) it refuses with AUTH_STORE_UNSAFE, naming the fix.
 * POSIX only: on Windows (no uid, no mode bits) the ACLs of the profile directory apply instead.
 */
import type { Stats } from 'node:fs';
import { chmod, lstat, stat } from 'node:fs/promises';
import { ProxyError } from '../errors.js';

function myUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

/** Why a directory or file with these stats is unsafe for `uid`; undefined when it is safe. */
export function unsafeReason(info: Pick<Stats, 'uid' | 'mode'>, uid: number, kind: 'directory' | 'file'): string | undefined {
  if (info.uid !== uid) return `is owned by another user (uid ${info.uid}, you are ${uid})`;
  if ((info.mode & 0o022) !== 0)
    return `is writable by ${(info.mode & 0o020) !== 0 ? 'its group' : 'other users'} (mode ${octal(info.mode)}) and could not be made private`;
  if (kind === 'file' && (info.mode & 0o044) !== 0) return `is readable by other users (mode ${octal(info.mode)}) and could not be made private`;
  return undefined;
}

function unsafe(path: string, kind: 'directory' | 'file', reason: string): ProxyError {
  const fix = kind === 'directory' ? `chown "$(id -un)" '${path}' && chmod 700 '${path}'` : `chown "$(id -un)" '${path}' && chmod 600 '${path}'`;
  const where = kind === 'directory' ? `the credentials directory ${path}` : `the credentials file ${path}`;
  return new ProxyError(
    'AUTH_STORE_UNSAFE',
    `${where} ${reason}; refusing to keep tokens there. Fix it (${fix}), or use a directory of your own with --auth-dir`,
  );
}

/** After ensurePrivateDir's mkdir + chmod 0700: the directory is the user's alone, or AUTH_STORE_UNSAFE. */
export async function checkPrivateDir(dir: string): Promise<void> {
  const uid = myUid();
  if (uid === undefined) return;
  const info = await stat(dir);
  const reason = unsafeReason(info, uid, 'directory');
  if (reason) throw unsafe(dir, 'directory', reason);
}

/**
 * Before a credentials file is read: it is the user's, 0600 (tightened when it is looser and ours),
 * or AUTH_STORE_UNSAFE. A missing file is fine (undefined is read).
 */
export async function checkPrivateFile(path: string): Promise<void> {
  const uid = myUid();
  if (uid === undefined) return;
  let info: Stats;
  try {
    info = await lstat(path);
  } catch {
    return;
  }
  if (info.uid === uid && (info.mode & 0o077) !== 0 && info.isFile()) {
    await chmod(path, 0o600).catch(() => undefined);
    info = await lstat(path);
  }
  // A symbolic link is not something the proxy wrote (its writes rename a fresh file into place).
  const reason = info.isSymbolicLink() ? 'is a symbolic link, which the proxy never writes' : unsafeReason(info, uid, 'file');
  if (reason) throw unsafe(path, 'file', reason);
}
