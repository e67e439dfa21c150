/**
 * What each MCP host's config file looks like: where the servers live in it, the shape of one
 * entry, how the host refers to an environment variable, and how to print the entry as a block to
 * paste. Formats as each host documents them: Cursor, Claude Desktop, Windsurf and Claude Code
 * (`~/.claude.json`) under `mcpServers`; VS Code's mcp.json under `servers`, with
 * `"type": "stdio"`; Codex's config.toml as `[mcp_servers.<name>]` tables.
 */
import type { App } from '../config-hosts.js';
import { emitCodexServer } from './toml-edit.js';

export interface HostFormat {
  readonly label: string;
  readonly file: 'json' | 'toml';
  /** The key holding the servers object (JSON hosts). */
  readonly serversKey: string;
  /** The extra keys of a stdio entry. */
  readonly stdioKeys: Readonly<Record<string, string>>;
  /** How the host expands an environment variable in `env` values, or undefined when it does not. */
  readonly envReference: ((name: string) => string) | undefined;
}

export const HOSTS: Readonly<Record<App, HostFormat>> = {
  cursor: { label: 'Cursor', file: 'json', serversKey: 'mcpServers', stdioKeys: {}, envReference: (n) => `\${env:${n}}` },
  'claude-desktop': { label: 'Claude Desktop', file: 'json', serversKey: 'mcpServers', stdioKeys: {}, envReference: undefined },
  'claude-code': { label: 'Claude Code', file: 'json', serversKey: 'mcpServers', stdioKeys: { type: 'stdio' }, envReference: (n) => `\${${n}}` },
  // VS Code asks for an input once and keeps it in its secret storage (its mcp.json "inputs").
  vscode: { label: 'VS Code', file: 'json', serversKey: 'servers', stdioKeys: { type: 'stdio' }, envReference: (n) => `\${input:${inputId(n)}}` },
  windsurf: { label: 'Windsurf', file: 'json', serversKey: 'mcpServers', stdioKeys: {}, envReference: (n) => `\${env:${n}}` },
  codex: { label: 'Codex', file: 'toml', serversKey: 'mcp_servers', stdioKeys: {}, envReference: undefined },
};

/** MCP_AUTH_PROXY_BEARER → mcp-auth-proxy-bearer. */
export function inputId(variable: string): string {
  return variable.toLowerCase().replace(/_/g, '-');
}

/** VS Code's `inputs` items for the variables: a password prompt each. */
export function vscodeInputs(variables: readonly string[]): Array<Record<string, unknown>> {
  return variables.map((v) => ({ type: 'promptString', id: inputId(v), description: `${v} for mcp-auth-proxy`, password: true }));
}

/** A new entry: how to launch the proxy and which variables it reads from the environment. */
export interface NewEntry {
  readonly command: string;
  readonly args: readonly string[];
  /** Variables the args rely on (the token, a header value): referenced, never given a value. */
  readonly variables: readonly string[];
}

/** The entry as the host's file holds it (JSON hosts), with env references to the variables. */
export function jsonEntry(app: App, entry: NewEntry): Record<string, unknown> {
  const host = HOSTS[app];
  const out: Record<string, unknown> = { ...host.stdioKeys, command: entry.command, args: [...entry.args] };
  const reference = host.envReference;
  if (reference && entry.variables.length > 0) out['env'] = Object.fromEntries(entry.variables.map((v) => [v, reference(v)]));
  return out;
}

/** Codex: the table, forwarding the variables from Codex's own environment (env_vars). */
export function codexTable(name: string, entry: NewEntry): string {
  return emitCodexServer(name, { command: entry.command, args: entry.args, envVars: entry.variables });
}

/** POSIX shell quoting, for the `claude mcp add` line. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `claude mcp add`: the same entry added by Claude Code's own command (user scope). */
export function claudeAddCommand(name: string, entry: NewEntry): string {
  // Single-quoted, so that Claude Code stores the reference and expands it at each start.
  const env = entry.variables.flatMap((v) => ['-e', shellWord(`${v}=\${${v}}`)]);
  return ['claude', 'mcp', 'add', '--scope', 'user', '--transport', 'stdio', ...env, shellWord(name), '--', entry.command, ...entry.args.map(shellWord)].join(
    ' ',
  );
}

/** The block `config` prints for one host: a comment line naming the file, then the snippet. */
export function printedBlock(app: App, name: string, entry: NewEntry, path: string): string {
  const host = HOSTS[app];
  const lines = [`# ${host.label}: ${path}`];
  if (host.file === 'toml') lines.push(codexTable(name, entry).trimEnd());
  else {
    const inputs = app === 'vscode' && entry.variables.length > 0 ? { inputs: vscodeInputs(entry.variables) } : {};
    lines.push(JSON.stringify({ ...inputs, [host.serversKey]: { [name]: jsonEntry(app, entry) } }, null, 2));
  }
  if (app === 'claude-code') lines.push(`# or: ${claudeAddCommand(name, entry)}`);
  return lines.join('\n');
}
