/**
 * `config --migrate`: recognises a host entry that runs mcp-remote or supergateway (directly, by
 * an absolute path, through `npx`/`bunx`/`pnpm dlx`, `cmd /c npx …` on Windows, or `node …/dist/…js`)
 * and rewrites it to run mcp-auth-proxy with the same server and the same meaning: the peers'
 * flags translated to ours, what has no equivalent dropped with a note saying so, literal secrets
 * moved from `args` to the entry's `env` (entry-secrets.ts). Other keys of the entry are kept.
 */
import { ENV } from '../config-defaults.js';
import { splitSecrets } from './entry-secrets.js';

export type PeerTool = 'mcp-remote' | 'supergateway';

export interface Migration {
  readonly tool: PeerTool;
  /** The rewritten entry. */
  readonly entry: Record<string, unknown>;
  /** What the proxy is run with: the server URL and our options (after the package name). */
  readonly proxyArgs: readonly string[];
  /** What changed in meaning, or was dropped, one sentence each. */
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

/** `--flag=value` → `--flag value`, for the flags that take a value. */
function unglue(args: readonly string[], valueFlags: ReadonlySet<string>): string[] {
  return args.flatMap((arg) => {
    const eq = arg.indexOf('=');
    return arg.startsWith('--') && eq > 0 && valueFlags.has(arg.slice(0, eq)) ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg];
  });
}

const REMOTE_VALUE_FLAGS = new Set([
  '--header', '--header-file', '--transport', '--protocol', '--host', '--callback-path', '--auth-timeout', '--auth-success-url',
  '--static-oauth-client-metadata', '--static-oauth-client-info', '--client-metadata-url', '--resource', '--authorize-param',
  '--token-endpoint', '--ignore-tool', '--connect-timeout', '--headers-timeout', '--body-timeout', '--ping-interval',
]);

const TRANSPORT_MAP: Record<string, string | undefined> = { 'http-first': undefined, 'sse-first': undefined, 'http-only': 'streamable-http', 'sse-only': 'sse' };

interface Translation {
  args: string[];
  notes: string[];
  /** Variables the entry's env gains (e.g. a client secret from --static-oauth-client-info). */
  env: Record<string, string>;
}

function jsonArg(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function translateMcpRemote(rest: readonly string[], entryEnv: Record<string, string>): Translation {
  const args: string[] = [];
  const notes: string[] = [];
  const env: Record<string, string> = {};
  const positional: string[] = [];
  const list = unglue(rest, REMOTE_VALUE_FLAGS);
  let sawCredentials = false;
  for (let i = 0; i < list.length; i++) {
    const flag = list[i]!;
    const value = REMOTE_VALUE_FLAGS.has(flag) ? (list[++i] ?? '') : '';
    const drop = (why: string) => notes.push(`${flag}${value ? ` ${JSON.stringify(value)}` : ''} dropped: ${why}`);
    switch (flag) {
      case '--header': case '--header-file': case '--ignore-tool': case '--client-metadata-url': case '--connect-timeout': case '--auth-timeout':
        if (flag === '--header' || flag === '--header-file') sawCredentials = true;
        args.push(flag, value);
        break;
      case '--allow-http': case '--ipv4':
        args.push(flag);
        break;
      case '--transport':
        if (value in TRANSPORT_MAP) {
          const ours = TRANSPORT_MAP[value];
          if (ours) args.push('--transport', ours);
          else if (value === 'sse-first') notes.push('--transport sse-first: mcp-auth-proxy tries Streamable HTTP first and falls back to SSE by itself (--transport auto)');
        } else drop(`not a transport mcp-remote knows`);
        break;
      case '--protocol':
        args.push('--protocol', value === 'auto' ? 'auto' : 'legacy');
        break;
      case '--debug': args.push('--log-level', 'debug'); break;
      case '--silent': args.push('--log-level', 'error'); break;
      case '--resource':
        args.push(...(value === '' ? ['--no-resource'] : ['--resource', value]));
        break;
      case '--disable-resource-parameter': args.push('--no-resource'); break;
      case '--device-code':
        args.push('--browser', 'none');
        notes.push('--device-code → --browser none: a code to enter on another device where the server offers one');
        break;
      case '--client-credentials': args.push('--grant', 'client_credentials'); break;
      case '--keep-alive': if (!args.includes('--keepalive')) args.push('--keepalive', '30'); break;
      case '--ping-interval': {
        const at = args.indexOf('--keepalive');
        if (at >= 0) args.splice(at, 2);
        args.push('--keepalive', value);
        break;
      }
      case '--enable-proxy': notes.push('--enable-proxy dropped: mcp-auth-proxy always honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY'); break;
      case '--static-oauth-client-info': {
        const info = jsonArg(value);
        if (!info || typeof info['client_id'] !== 'string') {
          drop('give the client as --client-id (and its secret in MCP_AUTH_PROXY_CLIENT_SECRET)');
          break;
        }
        sawCredentials = true;
        args.push('--client-id', info['client_id']);
        const secret = info['client_secret'];
        if (typeof secret === 'string') {
          const ref = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(secret);
          if (!ref) env[ENV.clientSecret] = secret;
          else if (entryEnv[ref[1]!] !== undefined) env[ENV.clientSecret] = entryEnv[ref[1]!]!;
          else notes.push(`the client secret came from \${${ref[1]}}: set ${ENV.clientSecret} to that value instead`);
        }
        break;
      }
      case '--static-oauth-client-metadata': {
        const meta = jsonArg(value);
        if (meta && typeof meta['scope'] === 'string') args.push('--scope', meta['scope']);
        const other = meta ? Object.keys(meta).filter((k) => k !== 'scope') : ['(not inline JSON)'];
        if (other.length > 0) notes.push(`--static-oauth-client-metadata: ${other.join(', ')} not carried over (only scope is, as --scope)`);
        break;
      }
      case '--host': drop('the sign-in callback is always on 127.0.0.1 (register http://127.0.0.1:<port>/callback with a pre-registered client)'); break;
      case '--callback-path': drop('the callback path is always /callback'); break;
      case '--auth-success-url': drop('no equivalent: the browser shows mcp-auth-proxy\'s own page'); break;
      case '--authorize-param': drop('no equivalent in this version'); break;
      case '--token-endpoint': drop('the token endpoint is found by discovery'); break;
      case '--use-id-token': drop('no equivalent: the access token is sent'); break;
      case '--headers-timeout': case '--body-timeout': drop('no equivalent: --timeout bounds each request (progress restarts it)'); break;
      case '--disable-cookies': drop('no equivalent: mcp-auth-proxy keeps no cookies here'); break;
      default:
        if (!flag.startsWith('-')) positional.push(flag);
        else drop('not an mcp-remote option mcp-auth-proxy knows');
    }
  }
  const [url, port, ...extra] = positional;
  if (port !== undefined) {
    if (/^\d+$/.test(port)) args.unshift('--callback-port', port);
    else notes.push(`${JSON.stringify(port)} dropped: not a callback port`);
  }
  for (const word of extra) notes.push(`${JSON.stringify(word)} dropped: an extra argument`);
  if (url !== undefined) args.unshift(url);
  if (!sawCredentials) notes.push('tokens mcp-remote stored in ~/.mcp-auth are not reused: sign in once more (mcp-auth-proxy login <url>, or at the first start)');
  return { args, notes, env };
}

const SG_VALUE_FLAGS = new Set(['--sse', '--streamableHttp', '--oauth2Bearer', '--header', '--outputTransport', '--logLevel', '--protocolVersion', '--stdio', '--port', '--baseUrl', '--ssePath', '--messagePath', '--streamableHttpPath', '--sessionTimeout', '--healthEndpoint']);
const SG_LOG_LEVELS: Record<string, string> = { debug: 'debug', info: 'info', none: 'error' };

function translateSupergateway(rest: readonly string[]): Translation | string {
  const args: string[] = [];
  const notes: string[] = [];
  const list = unglue(rest, SG_VALUE_FLAGS);
  let url: string | undefined;
  for (let i = 0; i < list.length; i++) {
    const flag = list[i]!;
    const value = SG_VALUE_FLAGS.has(flag) ? (list[++i] ?? '') : '';
    switch (flag) {
      case '--sse': url = value; args.push('--transport', 'sse'); break;
      case '--streamableHttp': url = value; args.push('--transport', 'streamable-http'); break;
      case '--oauth2Bearer': case '--header': args.push(flag, value); break;
      case '--logLevel': args.push('--log-level', SG_LOG_LEVELS[value] ?? 'warn'); break;
      case '--protocolVersion': notes.push('--protocolVersion dropped: the host negotiates the protocol version'); break;
      case '--outputTransport':
        if (value !== 'stdio') return `it serves ${value} on a port (--outputTransport ${value}), not a host over stdio`;
        break;
      case '--stdio': return 'it serves a local stdio server over the network; there is no remote server to connect to';
      default: notes.push(`${flag}${value ? ` ${JSON.stringify(value)}` : ''} dropped: a server-mode option, meaningless for a client`);
    }
  }
  if (url === undefined) return 'it names no --sse or --streamableHttp URL';
  return { args: [url, ...args], notes, env: {} };
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
  const translated = found.tool === 'mcp-remote' ? translateMcpRemote(found.rest, entryEnv) : translateSupergateway(found.rest);
  if (typeof translated === 'string') return { tool: found.tool, skipped: translated };
  if (!/^https?:\/\//i.test(translated.args[0] ?? '')) return { tool: found.tool, skipped: 'no server URL found in its arguments' };
  const split = splitSecrets(translated.args);
  const env: Record<string, string> = { ...entryEnv, ...translated.env };
  for (const [name, literal] of split.variables) if (literal !== undefined) env[name] = literal;
  const rewritten: Record<string, unknown> = { ...entry, command: found.command, args: [...found.launcher, ...split.args] };
  if (Object.keys(env).length > 0) rewritten['env'] = env;
  const moved = [...split.variables].filter(([, v]) => v !== undefined).map(([k]) => k);
  const notes = [...translated.notes];
  if (moved.length > 0) notes.push(`secrets moved from args to env (out of the process list): ${moved.join(', ')}`);
  return { tool: found.tool, entry: rewritten, proxyArgs: split.args, notes };
}
