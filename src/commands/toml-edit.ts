/**
 * Just enough TOML (v1.0.0) for Codex's `~/.codex/config.toml`: read the `[mcp_servers.<name>]`
 * tables (command, args, env, and the `[mcp_servers.<name>.env]` sub-table), emit one, and replace
 * or append one table in a file's text with every other line left byte for byte as it was.
 * Only the values those tables hold are parsed (strings, arrays of strings, inline tables of strings,
 * booleans, numbers); anything else in them is refused with its line, never guessed at.
 */
import { JsoncError } from './jsonc-edit.js';

export interface TomlServer {
  readonly name: string;
  /** command, args, env and any other keys, as plain values. */
  readonly entry: Record<string, unknown>;
}

interface Header {
  readonly line: number;
  /** The dotted key path of `[a.b."c d"]`. */
  readonly path: readonly string[];
}

const BARE = /^[A-Za-z0-9_-]+$/;

/** A TOML basic string: JSON's escapes are TOML's, except that DEL must be escaped too (TOML §String). */
export function tomlString(text: string): string {
  return JSON.stringify(text).replace(/\u007f/g, '\\u007F');
}

function tomlKey(key: string): string {
  return BARE.test(key) ? key : tomlString(key);
}

/** A plain value as TOML: strings, numbers, booleans, arrays of them, and tables of them (inline). */
export function tomlValue(value: unknown): string {
  if (typeof value === 'string') return tomlString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(', ')}]`;
  if (value !== null && typeof value === 'object')
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${tomlKey(k)} = ${tomlValue(v)}`)
      .join(', ')} }`;
  throw new TypeError(`no TOML for ${String(value)}`);
}

/**
 * `[mcp_servers.<name>]` with command, args and, when given, env, env_vars and any other keys
 * the entry had (startup_timeout_sec, enabled…), in that order.
 */
export function emitCodexServer(
  name: string,
  entry: { command: string; args: readonly string[]; env?: Record<string, string>; envVars?: readonly string[]; extra?: Record<string, unknown> },
  eol = '\n',
): string {
  const lines = [`[mcp_servers.${tomlKey(name)}]`, `command = ${tomlString(entry.command)}`, `args = ${tomlValue(entry.args)}`];
  if (entry.env && Object.keys(entry.env).length > 0) lines.push(`env = ${tomlValue(entry.env)}`);
  if (entry.envVars && entry.envVars.length > 0) lines.push(`env_vars = ${tomlValue(entry.envVars)}`);
  for (const [key, value] of Object.entries(entry.extra ?? {})) lines.push(`${tomlKey(key)} = ${tomlValue(value)}`);
  return lines.join(eol) + eol;
}

/** Splits keeping each line's own end, so joining them back is the text unchanged. */
function linesOf(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function parseKeyPath(text: string, line: number): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  for (;;) {
    const m = /^(?:([A-Za-z0-9_-]+)|"((?:[^"\\]|\\.)*)"|'([^']*)')\s*/.exec(rest);
    if (!m) throw new JsoncError(line, 1, `cannot read the key ${JSON.stringify(text.trim())}`);
    parts.push(m[1] ?? (m[2] !== undefined ? (JSON.parse(`"${m[2]}"`) as string) : m[3]!));
    rest = rest.slice(m[0].length);
    if (rest === '') return parts;
    if (!rest.startsWith('.')) throw new JsoncError(line, 1, `cannot read the key ${JSON.stringify(text.trim())}`);
    rest = rest.slice(1).trimStart();
  }
}

function headerOf(line: string, number: number): Header | undefined {
  const m = /^\s*\[(?!\[)(.*)\]\s*(?:#.*)?$/.exec(line.replace(/\r?\n$/, ''));
  if (!m) return undefined;
  try {
    return { line: number, path: parseKeyPath(m[1]!, number) };
  } catch (error) {
    // `  [1, 2]` closing a multi-line array of another table looks like a header; ours never do.
    if (/^\s*\[\s*mcp_servers\b/.test(line)) throw error;
    return undefined;
  }
}

function isServerTable(path: readonly string[]): boolean {
  return path[0] === 'mcp_servers' && path.length >= 2;
}

/** A value at the start of `src`: returns it and what is left. */
function parseValue(src: string, line: number): [unknown, string] {
  const s = src.trimStart();
  let m: RegExpExecArray | null;
  if ((m = /^"((?:[^"\\\n]|\\.)*)"/.exec(s)))
    return [JSON.parse(`"${m[1]!.replace(/\\U([0-9a-fA-F]{8})/g, (_x, h: string) => String.fromCodePoint(parseInt(h, 16)))}"`) as string, s.slice(m[0].length)];
  if ((m = /^'([^'\n]*)'/.exec(s))) return [m[1], s.slice(m[0].length)];
  if ((m = /^(true|false)\b/.exec(s))) return [m[1] === 'true', s.slice(m[0].length)];
  if ((m = /^[+-]?\d[\d_]*(?:\.\d+)?\b/.exec(s))) return [Number(m[0].replace(/_/g, '')), s.slice(m[0].length)];
  if (s.startsWith('[')) {
    const items: unknown[] = [];
    let rest = s.slice(1);
    for (;;) {
      rest = skipComments(rest);
      if (rest.startsWith(']')) return [items, rest.slice(1)];
      const [item, after] = parseValue(rest, line);
      items.push(item);
      rest = skipComments(after);
      if (rest.startsWith(',')) rest = rest.slice(1);
      else if (!rest.startsWith(']')) throw new JsoncError(line, 1, 'expected , or ] in an array');
    }
  }
  if (s.startsWith('{')) {
    const table: Record<string, unknown> = {};
    let rest = s.slice(1).trimStart();
    if (rest.startsWith('}')) return [table, rest.slice(1)];
    for (;;) {
      const eq = /^((?:[A-Za-z0-9_.-]|"(?:[^"\\]|\\.)*"|'[^']*'|\s)+)=/.exec(rest);
      if (!eq) throw new JsoncError(line, 1, 'expected key = value in an inline table');
      const [value, after] = parseValue(rest.slice(eq[0].length), line);
      table[parseKeyPath(eq[1]!, line).join('.')] = value;
      rest = after.trimStart();
      if (rest.startsWith('}')) return [table, rest.slice(1)];
      if (!rest.startsWith(',')) throw new JsoncError(line, 1, 'expected , or } in an inline table');
      rest = rest.slice(1).trimStart();
    }
  }
  throw new JsoncError(
    line,
    1,
    `cannot read the value ${JSON.stringify(s.split('\n')[0]!.slice(0, 40))} (only strings, arrays, inline tables, booleans and numbers are read here)`,
  );
}

function skipComments(s: string): string {
  let rest = s.trimStart();
  while (rest.startsWith('#')) rest = rest.slice(rest.indexOf('\n') < 0 ? rest.length : rest.indexOf('\n')).trimStart();
  return rest;
}

/** Every `[mcp_servers.<name>]` of a config.toml (sub-tables such as `.env` folded in). */
export function readCodexServers(text: string): TomlServer[] {
  const lines = linesOf(text);
  const servers = new Map<string, Record<string, unknown>>();
  let target: Record<string, unknown> | undefined;
  for (let i = 0; i < lines.length; i++) {
    const header = headerOf(lines[i]!, i + 1);
    if (header) {
      target = undefined;
      if (!isServerTable(header.path)) continue;
      const name = header.path[1]!;
      const entry = servers.get(name) ?? {};
      servers.set(name, entry);
      target = entry;
      for (const key of header.path.slice(2)) target = (target[key] ??= {}) as Record<string, unknown>;
      continue;
    }
    const line = lines[i]!;
    // A table header that does not read (unclosed, say) could hide a server table: refuse it.
    if (/^\s*\[\s*mcp_servers\b/.test(line) && !/\]\s*(?:#.*)?\r?\n?$/.test(line)) throw new JsoncError(i + 1, 1, 'a [table] header is not closed');
    if (target === undefined || /^\s*(?:#.*)?\r?\n?$/.test(line)) continue;
    const eq = /^\s*((?:[A-Za-z0-9_.-]|"(?:[^"\\]|\\.)*"|'[^']*'|\s)+?)\s*=/.exec(line);
    if (!eq) throw new JsoncError(i + 1, 1, 'expected key = value');
    // A value may run over several lines (a multi-line array): feed lines until it parses.
    let source = line.slice(eq[0].length);
    let end = i;
    for (;;) {
      try {
        const [value, rest] = parseValue(source, i + 1);
        if (!/^\s*(?:#.*)?$/.test(rest.replace(/\r?\n$/, ''))) throw new JsoncError(end + 1, 1, 'unexpected text after a value');
        target[parseKeyPath(eq[1]!, i + 1).join('.')] = value;
        break;
      } catch (error) {
        if (!source.trimStart().startsWith('[') || end + 1 >= lines.length) throw error;
        source += lines[++end]!;
      }
    }
    i = end;
  }
  return [...servers].map(([name, entry]) => ({ name, entry }));
}

/**
 * Replaces the table `[mcp_servers.<name>]` (with its sub-tables) by `table`, or appends it at the
 * end after a blank line; every other line is kept as it was.
 */
export function setCodexServer(text: string, name: string, table: string): string {
  readCodexServers(text); // refuse a file these tables cannot be read from
  const lines = linesOf(text);
  let start = -1;
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const header = headerOf(lines[i]!, i + 1);
    if (!header) continue;
    const ours = isServerTable(header.path) && header.path[1] === name;
    if (ours && start < 0) start = i;
    else if (!ours && start >= 0) {
      end = i;
      break;
    }
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const ours = table.replace(/\r?\n/g, eol);
  if (start < 0) {
    const body = text === '' ? '' : text.endsWith('\n') ? text + eol : text + eol + eol;
    return body + ours;
  }
  // Keep the blank lines and comments that lead into the next table.
  while (end > start + 1 && /^\s*(?:#.*)?\r?\n?$/.test(lines[end - 1]!)) end--;
  return lines.slice(0, start).join('') + ours + lines.slice(end).join('');
}
