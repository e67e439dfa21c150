/**
 * A host's config file on this machine: its entries read, one entry set, and the file written
 * back safely: a `.bak` copy of what was there, the new text written to a temporary file in the
 * same folder and renamed over it (atomic on POSIX and NTFS), the file's mode kept. A file that
 * does not parse is refused (HOST_CONFIG_INVALID), naming the file and the line, and left alone.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { App } from '../config-hosts.js';
import { ProxyError } from '../errors.js';
import { HOSTS } from './host-formats.js';
import { appendJsoncItem, JsoncError, memberOf, parseJsonc, setJsoncMember, type JsoncNode } from './jsonc-edit.js';
import { readCodexServers, setCodexServer } from './toml-edit.js';

export interface HostServer {
  readonly name: string;
  /** Where the entry is in the file: the keys down to it, its name last (Codex: just the name). */
  readonly keyPath: readonly string[];
  readonly entry: Record<string, unknown>;
}

/** The file's text, or undefined when there is none. */
export function readHostFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw new ProxyError('HOST_CONFIG_INVALID', `cannot read ${path}: ${(error as { code?: string }).code ?? String(error)}`);
  }
}

function invalid(path: string, error: unknown): never {
  if (error instanceof JsoncError) {
    throw new ProxyError(
      'HOST_CONFIG_INVALID',
      `${path} does not parse (line ${error.line}, column ${error.column}: ${error.message.replace(/^line \d+, column \d+: /, '')}); fix it by hand first, nothing was changed`,
    );
  }
  throw error;
}

/** The object at `keys` under `node`, if every step is an object member. */
function nodeAt(node: JsoncNode | undefined, keys: readonly string[]): JsoncNode | undefined {
  for (const key of keys) node = node?.members && memberOf(node, key)?.value;
  return node?.members ? node : undefined;
}

/**
 * The keys down to each servers object in a host's file: the host's servers key (`within` puts it
 * under another object: VS Code's settings.json has `mcp.servers`); Claude Code's ~/.claude.json
 * also has one per project (`projects.<folder>.mcpServers`).
 */
function serversObjects(app: App, root: JsoncNode, within: readonly string[]): string[][] {
  const paths = [[...within, HOSTS[app].serversKey]];
  if (app === 'claude-code') for (const project of nodeAt(root, ['projects'])?.members ?? []) paths.push(['projects', project.key, 'mcpServers']);
  return paths;
}

/** The servers in a host's file (none for an empty or missing one). */
export function hostServers(app: App, path: string, text: string, within: readonly string[] = []): HostServer[] {
  if (text.trim() === '') return [];
  try {
    if (HOSTS[app].file === 'toml') return readCodexServers(text).map((s) => ({ ...s, keyPath: [s.name] }));
    const root = parseJsonc(text);
    const found: HostServer[] = [];
    for (const keys of serversObjects(app, root, within)) {
      // The last of duplicate names wins, as when the host reads the file.
      const byName = new Map((nodeAt(root, keys)?.members ?? []).map((m) => [m.key, m.value.value]));
      for (const [name, entry] of byName) {
        if (entry !== null && typeof entry === 'object' && !Array.isArray(entry))
          found.push({ name, keyPath: [...keys, name], entry: entry as Record<string, unknown> });
      }
    }
    return found;
  } catch (error) {
    return invalid(path, error);
  }
}

/** The file's text with the entry at `keyPath` set (added, or replaced in place); a bare name is under the host's servers key. */
export function withServer(app: App, path: string, text: string, keyPath: readonly string[], entry: Record<string, unknown> | string): string {
  try {
    if (HOSTS[app].file === 'toml') return setCodexServer(text, keyPath[keyPath.length - 1]!, entry as string);
    return setJsoncMember(text, keyPath.length === 1 ? [HOSTS[app].serversKey, keyPath[0]!] : keyPath, entry);
  } catch (error) {
    return invalid(path, error);
  }
}

/** VS Code: the text with each input whose id is not in its `inputs` yet appended there. */
export function withInputs(path: string, text: string, inputs: ReadonlyArray<Record<string, unknown>>): string {
  try {
    for (const input of inputs) {
      const root = parseJsonc(text);
      const existing = root.members && memberOf(root, 'inputs')?.value.value;
      if (Array.isArray(existing) && existing.some((i) => (i as { id?: unknown } | null)?.id === input['id'])) continue;
      text = appendJsoncItem(text, ['inputs'], input);
    }
    return text;
  } catch (error) {
    return invalid(path, error);
  }
}

/** Writes `text` to `path` atomically, keeping what was there as `path.bak`. Returns the backup's path, if any. */
export function writeHostFile(path: string, text: string, previous: string | undefined): string | undefined {
  mkdirSync(dirname(path), { recursive: true });
  let mode = 0o600;
  let backup: string | undefined;
  // A config kept in a dotfiles repository is often a symlink: write its target, keep the link.
  const target = previous === undefined ? path : realpathSync(path);
  if (previous !== undefined) {
    mode = statSync(target).mode & 0o777;
    backup = `${path}.bak`;
    copyFileSync(target, backup);
  }
  const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, text, { mode, flag: 'wx' });
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return backup;
}
