/**
 * `config --migrate`: recognises a host entry that runs mcp-remote or supergateway (directly, by
 * an absolute path, through `npx`/`bunx`/`pnpm dlx`, `cmd /c npx …` on Windows, or `node …/dist/…js`)
 * and rewrites it to run mcp-auth-proxy with the same server and the same meaning: the peers'
 * flags written in our spelling by the proxy's own translation (compat-argv.ts), what it accepts
 * and ignores noted, literal secrets moved from `args` to the entry's `env` (entry-secrets.ts).
 * Other keys of the entry are kept.
 */
import { OUR_FLAGS, OUR_VALUE_FLAGS, translateCompatArgv } from '../compat-argv.js';
import { UsageError } from '../errors.js';
import { splitSecrets } from './entry-secrets.js';

export type PeerTool = 'mcp-remote' | 'supergateway';

export interface Migration {
  readonly tool: PeerTool;
  /** The rewritten entry. */
  readonly entry: Record<string, unknown>;
  /** What the proxy is run with: the server URL and our options (after the package name). */
  readonly proxyArgs: readonly string[];
  /** What changed in meaning, or was dropped, one sentence each (never a secret value). */
  readonly notes: readonly string[];
}

/** An entry that runs a peer but cannot be migrated (e.g. supergateway serving a local stdio server). */
export interface NotMigrated {
  readonly tool: PeerTool;
  readonly skipped: string;
}

const TOOLS: readonly PeerTool[] = ['mcp-remote', 'supergateway'];
const OURS = 'mcp-auth-proxy';

interface Located {
  tool: PeerTool;
  command: string;
  launcher: string[];
  rest: string[];
}

function baseName(path: string): string {
  return (path.split(/[\\/]/).pop() ?? '').toLowerCase().replace(/\.(cmd|exe|ps1|bat|js|mjs|cjs)$/, '');
}

/** `mcp-remote@0.1.37` → mcp-remote. */
function packageName(spec: string): string {
  return spec.replace(/^(@?[^@]+)@.*$/, '$1').toLowerCase();
}

const NPX_VALUE_FLAGS = new Set(['-p', '--package', '-c', '--call', '--cache', '--registry']);

/** Where the peer's own arguments start, and what launches it. */
function locate(command: string, args: readonly string[]): Located | undefined {
  const base = baseName(command);
  if ((TOOLS as readonly string[]).includes(base)) return { tool: base as PeerTool, command: 'npx', launcher: ['-y', OURS], rest: [...args] };
  if (base === 'cmd' && /^\/c$/i.test(args[0] ?? '') && args[1] !== undefined) {
    const inner = locate(args[1], args.slice(2));
    return inner && { ...inner, command, launcher: [args[0]!, inner.command, ...inner.launcher] };
  }
  if (base === 'node' && args[0] !== undefined) {
    const tool = TOOLS.find((t) => args[0]!.split(/[\\/]/).includes(t));
    return tool && { tool, command: 'npx', launcher: ['-y', OURS], rest: args.slice(1) };
  }
  let i = 0;
  if ((base === 'pnpm' || base === 'yarn') && args[0] === 'dlx') i = 1;
  else if (!['npx', 'bunx', 'pnpx'].includes(base)) return undefined;
  const runnerFlags: string[] = [];
  const isPeer = (spec: string) => (TOOLS as readonly string[]).includes(packageName(spec));
  for (; i < args.length && args[i]!.startsWith('-'); i++) {
    const flag = args[i]!;
    // `-p mcp-remote` names the package to install: ours replaces it, so it goes.
    if ((flag === '-p' || flag === '--package') && isPeer(args[i + 1] ?? '')) i++;
    else if (flag.startsWith('--package=') && isPeer(flag.slice('--package='.length))) continue;
    else {
      runnerFlags.push(flag);
      if (NPX_VALUE_FLAGS.has(flag)) runnerFlags.push(args[++i] ?? '');
    }
  }
  const tool = TOOLS.find((t) => packageName(args[i] ?? '') === t);
  if (!tool) return undefined;
  const prefix = args.slice(0, base === 'pnpm' || base === 'yarn' ? 1 : 0);
  // Without -y, npx asks before installing, on a stdin that belongs to the host: it would hang.
  const yes = base === 'npx' && !runnerFlags.some((f) => f === '-y' || f === '--yes') ? ['-y'] : [];
  return { tool, command, launcher: [...prefix, ...yes, ...runnerFlags, OURS], rest: args.slice(i + 1) };
}

/** `--flag=value` → `--flag value` for our flags that take a value: one spelling in the entry. */
function unglue(args: readonly string[]): string[] {
  return args.flatMap((arg) => {
    const eq = arg.indexOf('=');
    return arg.startsWith('--') && eq > 0 && OUR_VALUE_FLAGS.has(arg.slice(0, eq)) ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg];
  });
}

interface Translation {
  args: string[];
  notes: string[];
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * mcp-remote's --static-oauth-client-info as --client-id and --client-secret (literal, or a `${VAR}`
 * the entry's own env holds), which splitSecrets then moves to the entry's env. Undefined keeps the
 * flag as written: a @file, a `${VAR}` the host must supply (the proxy expands it at start), or
 * something the proxy will refuse at start naming the field.
 */
function clientInfo(json: string, entryEnv: Record<string, string>): { id: string; secret?: string } | undefined {
  const info = jsonObject(json);
  const id = info?.['client_id'];
  const secret = info?.['client_secret'];
  if (typeof id !== 'string' || id.includes('${')) return undefined;
  if (secret === undefined) return { id };
  if (typeof secret !== 'string') return undefined;
  const ref = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(secret);
  if (ref) return entryEnv[ref[1]!] === undefined ? undefined : { id, secret: entryEnv[ref[1]!]! };
  return secret.includes('${') ? undefined : { id, secret };
}

// Options that are credentials of their own: no sign-in, so no tokens of mcp-remote's to miss.
const STATIC_CREDENTIALS = new Set(['-H', '--header', '--header-file', '--oauth2Bearer']);

/**
 * The peer's arguments in our spelling (compat-argv.ts, the same translation the proxy applies at
 * start), the server URL first; or why the entry cannot be migrated.
 */
function translate(tool: PeerTool, rest: readonly string[], entryEnv: Record<string, string>): Translation | string {
  let compat;
  try {
    compat = translateCompatArgv(rest);
  } catch (error) {
    // supergateway's server modes, a flag without its value: the reason, as the proxy would say it.
    if (error instanceof UsageError && error.code === 'INVALID_OPTION') return error.message;
    throw error;
  }
  const args: string[] = [];
  const positionals: string[] = [];
  const notes = [...compat.notes];
  const list = unglue(compat.argv);
  for (let i = 0; i < list.length; i++) {
    const arg = list[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    // Left over by compat-argv for the proxy to refuse at start: better said now, entry untouched.
    if (!OUR_FLAGS.has(arg)) return `${arg} is neither ${tool}'s option nor mcp-auth-proxy's; rewrite this entry by hand`;
    if (!OUR_VALUE_FLAGS.has(arg)) {
      args.push(arg);
      continue;
    }
    const value = list[++i];
    if (value === undefined) return `${arg} has no value`;
    const client = arg === '--static-oauth-client-info' ? clientInfo(value, entryEnv) : undefined;
    if (client) {
      args.push('--client-id', client.id, ...(client.secret === undefined ? [] : ['--client-secret', client.secret]));
      continue;
    }
    if (arg === '--static-oauth-client-info' && value.includes('${')) {
      notes.push(
        '--static-oauth-client-info kept as it is: the proxy expands its ${VAR} from the environment the host starts it with, so set that variable there',
      );
    }
    args.push(arg, value);
  }
  const [url, ...extra] = positionals;
  if (url === undefined || !/^https?:\/\//i.test(url)) return 'no server URL found in its arguments';
  for (const word of extra) notes.push(`${JSON.stringify(word)} dropped: an extra argument (${tool} ignored it too)`);
  if (tool === 'mcp-remote' && !args.some((a) => STATIC_CREDENTIALS.has(a))) {
    notes.push('tokens mcp-remote stored in ~/.mcp-auth are not reused: sign in once more (mcp-auth-proxy login <url>, or at the first start)');
  }
  return { args: [url, ...args], notes };
}

function stringRecord(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** The rewrite of one host entry, a reason it cannot be, or undefined when it does not run a peer. */
export function migrateEntry(entry: Record<string, unknown>): Migration | NotMigrated | undefined {
  if (typeof entry['command'] !== 'string') return undefined;
  const args = Array.isArray(entry['args']) ? entry['args'].map(String) : [];
  const found = locate(entry['command'], args);
  if (!found) return undefined;
  const entryEnv = stringRecord(entry['env']);
  const translated = translate(found.tool, found.rest, entryEnv);
  if (typeof translated === 'string') return { tool: found.tool, skipped: translated };
  const split = splitSecrets(translated.args);
  const env: Record<string, string> = { ...entryEnv };
  for (const [name, literal] of split.variables) if (literal !== undefined) env[name] = literal;
  const rewritten: Record<string, unknown> = { ...entry, command: found.command, args: [...found.launcher, ...split.args] };
  if (Object.keys(env).length > 0) rewritten['env'] = env;
  const moved = [...split.variables].filter(([, v]) => v !== undefined).map(([k]) => k);
  const notes = [...translated.notes];
  if (moved.length > 0) notes.push(`secrets moved from args to env (out of the process list): ${moved.join(', ')}`);
  return { tool: found.tool, entry: rewritten, proxyArgs: split.args, notes };
}
