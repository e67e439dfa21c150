/**
 * supergateway's and mcp-remote's command lines, rewritten to ours before commander parses them,
 * so that switching is a one-word change in a host's config (the package name) and --help lists
 * our spellings only. Each of their flags is mapped to ours, or accepted and dropped where it has
 * no effect here (with a note for the debug log), or refused with a sentence saying why:
 * supergateway's server modes (mcp-auth-proxy connects a host to a remote server; it does not
 * serve one). Anything unknown is left for commander, which names it and suggests the nearest.
 * Checked against supergateway 4.0 (yargs: camelCase and kebab-case both accepted, `--flag=value`
 * too) and mcp-remote 0.1.x (`<url> [callback-port]` positionals).
 */
import { UsageError } from './errors.js';
import { OPTIONS, type OptionSpec } from './option-table.js';

export interface CompatArgv {
  argv: string[];
  /** What was accepted but has no effect, for the debug log (never a value: values may be secrets). */
  notes: string[];
}

/** mcp-remote's keep-alive interval when --keep-alive comes without --ping-interval (its DEFAULT_KEEP_ALIVE_INTERVAL_MS). */
const MCP_REMOTE_KEEPALIVE_SECONDS = '30';

const SERVER_MODE_SENTENCE =
  "mcp-auth-proxy connects MCP hosts to remote servers over HTTP and does not serve a stdio server: give the remote server's URL (e.g. --sse https://example.com/sse or --streamableHttp https://example.com/mcp), or keep using supergateway for this";

// supergateway's server-mode options (yargs accepts the kebab-case forms too).
const SERVER_MODE = new Set([
  '--stdio',
  '--port',
  '--baseUrl',
  '--base-url',
  '--ssePath',
  '--sse-path',
  '--messagePath',
  '--message-path',
  '--streamableHttpPath',
  '--streamable-http-path',
  '--cors',
  '--healthEndpoint',
  '--health-endpoint',
  '--stateful',
  '--sessionTimeout',
  '--session-timeout',
]);

/** A flag of theirs that is one of ours under another name: [our flag, fixed value or undefined to keep theirs]. */
const RENAMED: Record<string, readonly [string, string?]> = {
  // supergateway (yargs kebab-case forms of ours included)
  '--oauth2-bearer': ['--oauth2Bearer'],
  // mcp-remote
  '--host': ['--callback-host'],
  '--debug': ['--log-level', 'debug'],
  '--silent': ['--log-level', 'error'],
  '--client-credentials': ['--grant', 'client_credentials'],
  '--device-code': ['--browser', 'none'],
  '--disable-resource-parameter': ['--no-resource'],
  '--disable-cookies': ['--no-cookies'],
  '--ping-interval': ['--keepalive'],
  '--keep-alive': ['--keepalive', MCP_REMOTE_KEEPALIVE_SECONDS],
};

// mcp-remote's --transport strategies → ours.
const TRANSPORT_STRATEGIES: Record<string, string> = { 'http-first': 'auto', 'sse-first': 'sse-first', 'http-only': 'streamable-http', 'sse-only': 'sse' };
// supergateway's --logLevel → ours ("none" keeps errors: a proxy that hides its failures helps no one).
const LOG_LEVELS: Record<string, string> = { debug: 'debug', info: 'info', none: 'error' };

/** Our long and short flags (every command's), each with its spec. */
export const OUR_FLAGS: ReadonlyMap<string, OptionSpec> = new Map(
  (Object.values(OPTIONS) as OptionSpec[]).flatMap((spec) =>
    spec.flags
      .split(/[ ,]+/)
      .filter((f) => f.startsWith('-'))
      .map((f) => [f, spec] as const),
  ),
);

/** Our flags that take a value (so that a value is never mistaken for a positional). */
export const OUR_VALUE_FLAGS: ReadonlySet<string> = new Set([...OUR_FLAGS].filter(([, spec]) => /[<[]/.test(spec.flags)).map(([flag]) => flag));

export function translateCompatArgv(input: readonly string[], valueFlags: ReadonlySet<string> = OUR_VALUE_FLAGS): CompatArgv {
  const argv: string[] = [];
  const notes: string[] = [];
  const positionals: string[] = [];
  let forcedTransport: string | undefined;
  let headerRun = false;
  const takesValue = (flag: string): boolean => valueFlags.has(flag) || flag in THEIR_VALUE_FLAGS;
  for (let i = 0; i < input.length; i++) {
    let arg = input[i]!;
    // Whether the previous argument was a header value (see supergateway's arrays below).
    const afterHeader = headerRun;
    headerRun = false;
    if (arg === '--') {
      argv.push(...input.slice(i));
      break;
    }
    let inline: string | undefined;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    if (eq > 2) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = input[i + 1];
      if (next === undefined) throw new UsageError('INVALID_OPTION', `${arg} needs a value`);
      i++;
      return next;
    };
    if (!arg.startsWith('-') || arg === '-') {
      // supergateway's --header is a yargs array: `--header "A: 1" "B: 2"` gives two headers.
      if (afterHeader && HEADER_LINE.test(arg) && !/^https?:\/\//i.test(arg)) {
        argv.push('--header', arg);
        headerRun = true;
        continue;
      }
      positionals.push(arg);
      // mcp-remote's `<url> [callback-port]`: a number right after the URL is the callback port.
      if (positionals.length === 2 && /^\d+$/.test(arg) && /^https?:\/\//i.test(positionals[0]!)) argv.push('--callback-port', arg);
      else argv.push(arg);
      continue;
    }
    if (SERVER_MODE.has(arg)) throw new UsageError('INVALID_OPTION', `${arg} is one of supergateway's server options; ${SERVER_MODE_SENTENCE}`);
    switch (arg) {
      case '--sse':
      case '--streamableHttp':
      case '--streamable-http': {
        const url = value();
        const transport = arg === '--sse' ? 'sse' : 'streamable-http';
        if (forcedTransport !== undefined && forcedTransport !== transport)
          throw new UsageError('INVALID_OPTION', 'give one server: --sse and --streamableHttp were both given');
        forcedTransport = transport;
        positionals.push(url);
        argv.push(url, '--transport', transport);
        continue;
      }
      case '--outputTransport':
      case '--output-transport': {
        const output = value();
        if (output !== 'stdio') throw new UsageError('INVALID_OPTION', `${arg} ${output} asks for a server on ${output}; ${SERVER_MODE_SENTENCE}`);
        notes.push(`${arg} stdio: accepted (stdio is what the proxy speaks to the host)`);
        continue;
      }
      case '--logLevel':
      case '--log-level': {
        const level = value();
        argv.push('--log-level', LOG_LEVELS[level] ?? level);
        continue;
      }
      case '--protocolVersion':
      case '--protocol-version':
        notes.push(`${arg} ${value()}: ignored (the host negotiates the protocol version in its initialize)`);
        continue;
      case '--enable-proxy':
        notes.push('--enable-proxy: accepted (HTTPS_PROXY, HTTP_PROXY and NO_PROXY are always honoured)');
        continue;
      case '--transport': {
        const strategy = value();
        argv.push('--transport', TRANSPORT_STRATEGIES[strategy] ?? strategy);
        continue;
      }
      case '--resource': {
        const resource = value();
        // mcp-remote: an empty --resource means "send none".
        argv.push(...(resource.trim() === '' ? ['--no-resource'] : ['--resource', resource]));
        continue;
      }
    }
    // mcp-remote: --ping-interval sets the interval --keep-alive turns on.
    if (arg === '--keep-alive' && input.includes('--ping-interval')) continue;
    const renamed = RENAMED[arg];
    if (renamed) {
      const [ours, fixed] = renamed;
      argv.push(ours);
      if (fixed !== undefined) argv.push(fixed);
      else if (takesValue(ours)) argv.push(value());
      continue;
    }
    // Ours, or unknown (commander decides); keep `--flag=value` as it was written.
    argv.push(inline === undefined ? arg : `${arg}=${inline}`);
    if (inline === undefined && takesValue(arg) && i + 1 < input.length) argv.push(input[++i]!);
    headerRun = HEADER_FLAGS.has(arg);
  }
  return { argv, notes };
}

const HEADER_FLAGS = new Set(['-H', '--header']);
// "Name: value" (RFC 9110 §5.6.2 token, a colon, a space).
const HEADER_LINE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:\s/;

// Their flags that take a value and are not renamed above (kept for positional counting).
const THEIR_VALUE_FLAGS: Record<string, true> = { '--ping-interval': true, '--host': true, '--oauth2-bearer': true };
