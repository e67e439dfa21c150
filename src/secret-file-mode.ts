/**
 * Files that hold secrets the user points the proxy at (--header-file, --client-key): one that
 * group or others can read draws a warning naming the file and the chmod that fixes it, as ssh
 * warns about an "UNPROTECTED PRIVATE KEY FILE"; a private key that others can write (anyone could
 * swap in their own key, and sign in as this client) is refused. The proxy's own files are created
 * 0600 (state-files.ts). POSIX only: Windows has no mode bits to read.
 */
import { statSync } from 'node:fs';
import { UsageError } from './errors.js';
import { log } from './log.js';

const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

/** Who besides the owner the mode lets read (or write): "its group", "other users", or both. */
function whom(mode: number, groupBit: number, otherBit: number): string {
  const who = [(mode & groupBit) !== 0 ? 'its group' : '', (mode & otherBit) !== 0 ? 'other users' : ''].filter(Boolean);
  return who.join(' and ');
}

/**
 * Checks the mode of a secret file already read by `flag`. `privateKey`: writable by group or
 * others is a UsageError. Readable by them: a warning on stderr.
 */
export function checkSecretFileMode(path: string, flag: string, options: { privateKey: boolean; platform?: NodeJS.Platform } = { privateKey: false }): void {
  if ((options.platform ?? process.platform) === 'win32') return;
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return; // read a moment ago; gone now is the next reader's problem
  }
  if (options.privateKey && (mode & 0o022) !== 0) {
    throw new UsageError(
      'UNSAFE_FILE',
      `${flag} ${path} is writable by ${whom(mode, 0o020, 0o002)} (mode ${octal(mode)}): anyone could replace the key. Fix it with chmod 600 '${path}'`,
    );
  }
  if ((mode & 0o044) !== 0) {
    log.warn(`${flag} ${path} is readable by ${whom(mode, 0o040, 0o004)} (mode ${octal(mode)}), and it holds secrets; fix it with chmod 600 '${path}'`);
  }
}
