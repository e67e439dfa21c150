/**
 * Values the user writes in flags and files: ${VAR} expanded from the environment, paths with a
 * leading ~, files read with errors that name the flag (never their contents), numbers of
 * seconds, CA certificates. Every mistake is a UsageError.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { UsageError } from './errors.js';
import { checkSecretFileMode } from './secret-file-mode.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** A path from a flag: ${VAR} expanded, and a leading ~ (hosts start the proxy without a shell). */
export function userPath(text: string, flag: string, env: Env): string {
  const path = expandEnv(text.trim(), env, flag);
  if (path === '') throw new UsageError('INVALID_OPTION', `${flag} needs a file path`);
  return path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
}

/** `secret`: the file holds secrets, and its mode is checked (secret-file-mode.ts). */
export function readUserFile(text: string, flag: string, env: Env, secret?: { privateKey: boolean }): Buffer {
  const path = userPath(text, flag, env);
  try {
    const data = readFileSync(path);
    if (secret) checkSecretFileMode(path, flag, secret);
    return data;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as { code?: string }).code ?? 'unreadable';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : code;
    throw new UsageError('INVALID_OPTION', `${flag} ${text}: cannot read it (${why})`);
  }
}

/** The certificates of a --ca-file: PEM (one or several), or one DER certificate. */
export function readCaFile(file: string, env: Env): string[] {
  const data = readUserFile(file, '--ca-file', env);
  const blocks = data.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  const items: Array<string | Buffer> = blocks ?? [data];
  return items.map((item, i) => {
    try {
      return new X509Certificate(item).toString();
    } catch {
      throw new UsageError(
        'INVALID_OPTION',
        blocks
          ? `--ca-file ${file}: certificate ${i + 1} of ${blocks.length} is not a valid X.509 certificate`
          : `--ca-file ${file} holds no certificate: expected PEM (-----BEGIN CERTIFICATE-----) or DER`,
      );
    }
  });
}

/** Expands ${VAR} from the environment; a variable that is not set is an error naming it. */
export function expandEnv(text: string, env: Env, where: string): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const value = env[name];
    if (value === undefined) throw new UsageError('MISSING_ENV', `${where} uses \${${name}}, but the environment variable ${name} is not set`);
    return value;
  });
}

export function parseSeconds(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 2_000_000) {
    throw new UsageError('INVALID_OPTION', `${flag} takes a number of seconds greater than 0 (got "${text}")`);
  }
  return seconds;
}
