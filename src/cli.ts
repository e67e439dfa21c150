/**
 * The command line: options, help text and exit codes. The only place that calls process.exit.
 * `mcp-auth-proxy <server-url>` runs the proxy; the commands `login`, `logout`, `status` and
 * `token` manage the stored credentials; `doctor` checks a server end to end. Each run loads only
 * the code it needs.
 * Exit codes: 0 done, 1 failure, 2 usage error (bad flag, URL or environment), 3 authorization
 * problem (a command's sign-in failed, was declined or was refused).
 */
import { Command, CommanderError, Option } from 'commander';
import { joinSplitHeaders } from './argv.js';
import { buildConfig, buildStoreConfig, DEFAULTS, ENV, GRANTS, PROTOCOLS, TRANSPORTS, type RawOptions } from './config.js';
import { SIGNING_ALGS } from './auth/client-assertion.js';
import { isProxyError, UsageError } from './errors.js';
import { addSecret, LOG_LEVELS, redact } from './log.js';
import { VERSION } from './version.js';

export const EXIT = { ok: 0, failure: 1, usage: 2, auth: 3 } as const;

const COMMANDS = ['login', 'logout', 'status', 'token', 'doctor'] as const;
type CommandName = (typeof COMMANDS)[number];

interface Invocation {
  command: 'proxy' | CommandName;
  url: string | undefined;
  options: RawOptions;
}

const EXIT_CODES = 'Exit codes: 0 done, 1 failure, 2 usage error, 3 authorization problem (commands only).';

const EXAMPLES = `
Examples:
  $ mcp-auth-proxy https://example.com/mcp
  $ MCP_AUTH_PROXY_BEARER=secret mcp-auth-proxy https://example.com/mcp
  $ mcp-auth-proxy https://example.com/mcp --header "X-API-Key: \${API_KEY}"
  $ mcp-auth-proxy https://example.com/sse --transport sse

In an MCP host's config (Cursor, Claude Desktop, VS Code):
  "command": "npx", "args": ["-y", "mcp-auth-proxy", "https://example.com/mcp"]

Credentials from a shell (mcp-auth-proxy <command> --help for more):
  $ mcp-auth-proxy login https://example.com/mcp     sign in now, before any host starts the proxy
  $ mcp-auth-proxy status                            what is stored, and until when
  $ curl -H "Authorization: Bearer $(mcp-auth-proxy token https://example.com/mcp)" …
  $ mcp-auth-proxy logout https://example.com/mcp    revoke and delete the tokens
  $ mcp-auth-proxy doctor https://example.com/mcp    check DNS, TLS, proxy, transport, OAuth metadata, credentials, tools

${EXIT_CODES}`;

const COMMAND_HELP: Record<CommandName, { summary: string; description: string; examples: string }> = {
  login: {
    summary: 'sign in now and store the tokens (no browser needed later)',
    description:
      'Sign in to a server now (discovery, registration, the browser) and store the tokens, so the proxy needs no browser later. ' +
      'Prints the server, issuer, client, scopes and expiry on stdout (never a token). With usable tokens stored already, says so and does nothing unless --force.',
    examples: `
Examples:
  $ mcp-auth-proxy login https://example.com/mcp
  $ mcp-auth-proxy login https://example.com/mcp --force --scope "read write"
  $ mcp-auth-proxy login https://example.com/mcp --client-id my-app --callback-port 33418
  $ mcp-auth-proxy login https://example.com/mcp --browser none     no browser here: a code to enter on another device
                                                                   (or the URL; paste back the address it ends on)
  $ mcp-auth-proxy login https://example.com/mcp --grant client_credentials --client-id bot --client-key bot.pem

${EXIT_CODES}`,
  },
  logout: {
    summary: 'revoke and delete stored tokens (and, with --all, the client registration)',
    description:
      'Delete the stored tokens of a server (or of every server with --all-servers), revoking them first (RFC 7009) where the authorization server allows. ' +
      'A failed revocation is a warning: the tokens are deleted anyway. --all also forgets the client registration with the authorization server(s). Reports on stderr.',
    examples: `
Examples:
  $ mcp-auth-proxy logout https://example.com/mcp
  $ mcp-auth-proxy logout https://example.com/mcp --all     also forget the client registration
  $ mcp-auth-proxy logout --all-servers                     every server's tokens
  $ mcp-auth-proxy logout --all-servers --all               everything stored (tokens and registrations)

${EXIT_CODES}`,
  },
  status: {
    summary: 'show the stored credentials and when they expire',
    description:
      'Show the stored credentials: server, issuer, client, scopes, when the access token expires, whether there is a refresh token. Never a token.',
    examples: `
Examples:
  $ mcp-auth-proxy status
  $ mcp-auth-proxy status https://example.com/mcp
  $ mcp-auth-proxy status --json | jq '.[] | select(.accessToken != "valid") | .server'

${EXIT_CODES}`,
  },
  token: {
    summary: 'print a valid access token, e.g. for curl',
    description:
      'Print a valid access token for a server, alone on one line on stdout, refreshing it or signing in (browser) if needed. Everything else goes to stderr.',
    examples: `
Examples:
  $ mcp-auth-proxy token https://example.com/mcp
  $ curl -H "Authorization: Bearer $(mcp-auth-proxy token https://example.com/mcp)" https://example.com/mcp …
  $ TOKEN=$(mcp-auth-proxy token https://example.com/mcp --browser none)

${EXIT_CODES}`,
  },
  doctor: {
    summary: 'check everything the proxy needs for a server, step by step, with a fix for what fails',
    description:
      'Check, in order: URL and DNS, TCP/TLS connect (certificate problems named), the proxy in use, transport and protocol era, ' +
      'protected resource metadata, the authorization server and what it supports, the stored credentials (refreshed if expired), ' +
      'and an authenticated tools/list. One line per check with ✓, ✗ (and a one-line fix) or – (skipped), and its time. ' +
      'Never opens a browser, never prints a token. Takes the proxy\'s options (those of the browser sign-in have no effect), so a host\'s arguments can be checked as they are. ' +
      'Exit code 0 when everything works, 3 for an authorization problem, 1 for any other.',
    examples: `
Examples:
  $ mcp-auth-proxy doctor https://example.com/mcp
  $ mcp-auth-proxy doctor https://example.com/mcp --ca-file ~/corp-ca.pem      with your network's CA
  $ MCP_AUTH_PROXY_BEARER=secret mcp-auth-proxy doctor https://example.com/mcp
  $ mcp-auth-proxy doctor https://example.com/mcp --json | jq '.[] | select(.ok == false)'

With --json: an array of {step, ok, ms, detail, hint}; ok is null for a skipped step, hint null unless ok is false.
Exit codes: 0 every check passed, 1 a failure (network, TLS, server), 2 usage error, 3 authorization problem (credentials, metadata).`,
  },
};

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

// One factory per option, so the proxy and the commands share their definitions (flags, help,
// choices). Options are objects owned by one command, hence factories.
const OPTIONS = {
  transport: () =>
    new Option('--transport <mode>', `how to reach the server (auto tries Streamable HTTP, then legacy SSE); e.g. --transport sse`).choices(TRANSPORTS).default(DEFAULTS.transport),
  protocol: () =>
    new Option('--protocol <era>', 'the MCP protocol era: auto detects 2026-07-28 servers and falls back to the initialize-based protocol; e.g. --protocol legacy')
      .choices(PROTOCOLS)
      .default(DEFAULTS.protocol),
  oauth2Bearer: () => new Option('--oauth2Bearer <token>', `a static bearer token; e.g. --oauth2Bearer "\${TOKEN}" (or set ${ENV.bearer} to keep it out of the process list)`),
  header: () => new Option('-H, --header <header>', 'an extra header for the MCP server, repeatable; ${VAR} is expanded; e.g. -H "X-API-Key: ${API_KEY}"').argParser(collect),
  headerFile: () =>
    new Option('--header-file <path>', 'headers from a file of "Name: value" lines (# comments, ${VAR} expanded), keeping secrets out of host configs; e.g. --header-file ~/.config/example.headers'),
  allowHttp: () => new Option('--allow-http', 'allow plain http:// to hosts other than loopback (tokens travel unencrypted!)'),
  timeout: () => new Option('--timeout <seconds>', `give up on a request after this long; progress restarts the clock; e.g. --timeout 600 (default: ${DEFAULTS.timeoutSeconds})`),
  connectTimeout: () =>
    new Option('--connect-timeout <seconds>', `give up connecting to a server (TCP and TLS) after this long; e.g. --connect-timeout 10 (default: ${DEFAULTS.connectTimeoutSeconds})`),
  caFile: () => new Option('--ca-file <pem>', "also trust the CA certificates in this file (PEM or DER), e.g. your network's TLS inspection CA; e.g. --ca-file ~/corp-ca.pem"),
  ipv4: () => new Option('--ipv4', 'connect over IPv4 only (resolve names to IPv4 addresses), for networks with broken IPv6; e.g. --ipv4'),
  keepalive: () => new Option('--keepalive <seconds>', 'ping the server this often while the host is connected, so idle sessions stay open; e.g. --keepalive 60 (default: off)'),
  ignoreTool: () =>
    new Option('--ignore-tool <glob>', 'hide a tool from the host and refuse calls to it, repeatable; * and ? are wildcards; e.g. --ignore-tool "delete_*"').argParser(collect),
  clientId: () => new Option('--client-id <id>', 'a client registered with the authorization server in advance; e.g. --client-id my-app'),
  clientSecret: () => new Option('--client-secret <secret>', `its secret, if it has one (or set ${ENV.clientSecret})`),
  clientMetadataUrl: () => new Option('--client-metadata-url <url>', 'an https URL of a client ID metadata document to use as client_id where the server accepts one'),
  grant: () =>
    new Option('--grant <type>', 'authorization_code signs a user in (browser, or a code on another device when none opens here); client_credentials gets the --client-id client its own token, no user (machine to machine)')
      .choices(GRANTS)
      .default(DEFAULTS.grant),
  clientKey: () => new Option('--client-key <file>', "the --client-id client's private key (PEM or JWK): authenticate with a signed JWT (private_key_jwt) instead of a secret; e.g. --client-key ~/keys/mcp-client.pem"),
  clientKeyAlg: () => new Option('--client-key-alg <alg>', 'the JWS algorithm for --client-key (default: by key type, RS256 for RSA, ES256/ES384/ES512 by EC curve, EdDSA)').choices(SIGNING_ALGS),
  clientKeyId: () => new Option('--client-key-id <kid>', 'the key ID (kid) to name in the signed JWT, for providers that hold several keys of the client'),
  scope: () => new Option('--scope <scopes>', 'the scopes to ask for, space-separated (default: what the server asks for); e.g. --scope "read write"'),
  resource: () => new Option('--resource <uri>', 'the RFC 8707 resource to ask a token for (default: the one the server publishes)'),
  noResource: () => new Option('--no-resource', 'send no resource parameter (for providers that reject it, e.g. Entra ID)'),
  callbackPort: () => new Option('--callback-port <port>', 'pin the port of the sign-in callback http://127.0.0.1:<port>/callback (default: a free one)'),
  browser: () => new Option('--browser <command>', 'open the sign-in page with this command (run without a shell, URL appended), or "none": no browser here (a code to enter on another device where the server offers that, else the URL is printed)'),
  authTimeout: () => new Option('--auth-timeout <seconds>', `how long to wait for a sign-in in the browser or on another device (default: ${DEFAULTS.authTimeoutSeconds})`),
  authDir: () => new Option('--auth-dir <dir>', `where credentials are stored (or set ${ENV.authDir}; default: your config directory)`),
  assumePkce: () => new Option('--assume-pkce', 'sign in even if the authorization server does not advertise PKCE S256 support (for providers known to omit it)'),
  logLevel: () => new Option('--log-level <level>', 'how much to write to stderr; e.g. --log-level debug').choices(LOG_LEVELS).default(DEFAULTS.logLevel),
} as const;

type OptionName = keyof typeof OPTIONS;

// How to reach servers: every command that sends requests takes these.
const NETWORK_OPTIONS: OptionName[] = ['connectTimeout', 'caFile', 'ipv4'];

// What a sign-in needs (the proxy's and the login/token commands').
const SIGN_IN_OPTIONS: OptionName[] = [
  'header',
  'headerFile',
  'allowHttp',
  ...NETWORK_OPTIONS,
  'clientId',
  'clientSecret',
  'clientMetadataUrl',
  'grant',
  'clientKey',
  'clientKeyAlg',
  'clientKeyId',
  'scope',
  'resource',
  'noResource',
  'callbackPort',
  'browser',
  'authTimeout',
  'authDir',
  'assumePkce',
];

function addOptions(command: Command, names: readonly OptionName[]): Command {
  for (const name of names) command.addOption(OPTIONS[name]());
  return command;
}

function program(onRun: (run: Invocation) => void): Command {
  const cli = new Command()
    .name('mcp-auth-proxy')
    .usage('<server-url> [options]\n       mcp-auth-proxy <command> [options]')
    .description('Connects an MCP host speaking stdio to a remote MCP server (Streamable HTTP or SSE).')
    .version(VERSION, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .helpCommand('help [command]', 'show the help of a command')
    .argument('<server-url>', 'the remote MCP server, e.g. https://example.com/mcp')
    // Options after a command's name are that command's (mcp-auth-proxy login <url> --scope x).
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
      outputError: (text, write) => write(`mcp-auth-proxy: ${text.replace(/^error: /, '')}`),
    });
  const first: OptionName[] = ['transport', 'protocol', 'oauth2Bearer', 'header', 'headerFile', 'allowHttp', 'timeout', ...NETWORK_OPTIONS, 'keepalive', 'ignoreTool'];
  addOptions(cli, [...first, ...SIGN_IN_OPTIONS.filter((n) => !first.includes(n)), 'logLevel']);
  cli.addHelpText('after', EXAMPLES).action((serverUrl: string, opts: RawOptions, self: Command) => {
    const suggestion = misspeltCommand(serverUrl);
    if (suggestion) throw new UsageError('INVALID_URL', `"${serverUrl}" is neither a URL nor a command; did you mean ${suggestion}?`);
    if (self.args.length > 1) throw new UsageError('INVALID_OPTION', `too many arguments: expected one server URL, got ${self.args.length}`);
    onRun({ command: 'proxy', url: serverUrl, options: opts });
  });

  // Subcommands inherit the settings above (output, exit override, help option, suggestions).
  const command = (name: CommandName, argument: string, argumentHelp: string, options: readonly OptionName[]): Command => {
    const sub = cli.command(name).summary(COMMAND_HELP[name].summary).description(COMMAND_HELP[name].description).argument(argument, argumentHelp);
    addOptions(sub, options);
    sub.addHelpText('after', COMMAND_HELP[name].examples);
    sub.action((serverUrl: string | undefined, _opts: RawOptions, self: Command) => onRun({ command: name, url: serverUrl, options: inheritedOptions(self) }));
    return sub;
  };
  const url = 'the MCP server, e.g. https://example.com/mcp';
  command('login', '<server-url>', url, [...SIGN_IN_OPTIONS, 'logLevel']).option('--force', 'sign in again even if usable tokens are stored');
  command('logout', '[server-url]', `${url} (or --all-servers)`, ['clientId', 'clientSecret', 'clientKey', 'clientKeyAlg', 'clientKeyId', 'authDir', ...NETWORK_OPTIONS, 'logLevel'])
    .option('--all-servers', 'sign out of every server with stored tokens')
    .option('--all', 'also forget the client registration(s) with the authorization server(s)');
  command('status', '[server-url]', `only this server's credentials (default: all)`, ['authDir', 'logLevel']).option('--json', 'print a JSON array instead of a table');
  command('token', '<server-url>', url, [...SIGN_IN_OPTIONS, 'logLevel']);
  // The proxy's options, all of them, so that a host's arguments can be checked as they are.
  command('doctor', '<server-url>', url, Object.keys(OPTIONS) as OptionName[]).option('--json', 'print a JSON array of {step, ok, ms, detail, hint} instead of lines');
  // After the commands, which keep refusing extra arguments: the action above checks them, so
  // that `mcp-auth-proxy logni <url>` hears about the command it meant.
  return cli.allowExcessArguments();
}

/**
 * A command's options, plus those given before its name (mcp-auth-proxy --auth-dir x status),
 * which commander hands to the program: used when the command has them, a usage error otherwise.
 */
function inheritedOptions(command: Command): RawOptions {
  const parent = command.parent!;
  const merged: Record<string, unknown> = { ...command.opts() };
  for (const option of parent.options) {
    const key = option.attributeName();
    if (parent.getOptionValueSource(key) !== 'cli') continue;
    if (!command.options.some((o) => o.attributeName() === key)) {
      throw new UsageError('INVALID_OPTION', `${option.long ?? option.flags} does not apply to "${command.name()}"`);
    }
    const value = parent.getOptionValue(key) as unknown;
    if (key === 'header') merged[key] = [...((value as string[] | undefined) ?? []), ...((merged[key] as string[] | undefined) ?? [])];
    else if (command.getOptionValueSource(key) !== 'cli') merged[key] = value;
  }
  return merged as RawOptions;
}

/** `mcp-auth-proxy logni`: a word where the URL goes that is close to a command's name. */
function misspeltCommand(url: string): string | undefined {
  if (url.includes(':') || url.includes('/')) return undefined;
  return COMMANDS.find((name) => editDistance(url.toLowerCase(), name) <= 2);
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** Registers a config's secrets with the log's redaction before anything can print them. */
function redacting<T extends { secrets: readonly string[] }>(config: T): T {
  for (const secret of config.secrets) addSecret(secret);
  return config;
}

async function run({ command, url, options }: Invocation): Promise<number> {
  switch (command) {
    case 'proxy': {
      const config = redacting(buildConfig(url!, options, process.env));
      // Loaded only for a proxy run, so --help and --version stay instant.
      const { runProxy } = await import('./main.js');
      return runProxy(config);
    }
    case 'login': {
      const config = redacting(buildConfig(url!, options, process.env, { bearerFromEnv: false }));
      const { runLogin } = await import('./commands/login.js');
      return runLogin(config, { force: options.force === true });
    }
    case 'token': {
      const config = redacting(buildConfig(url!, options, process.env, { bearerFromEnv: false }));
      const { runToken } = await import('./commands/token.js');
      return runToken(config);
    }
    case 'logout': {
      const config = redacting(buildStoreConfig(url, options, process.env));
      const { runLogout } = await import('./commands/logout.js');
      return runLogout(config, { all: options.all === true, allServers: options.allServers === true });
    }
    case 'status': {
      const config = redacting(buildStoreConfig(url, options, process.env));
      const { runStatus } = await import('./commands/status.js');
      return runStatus(config, { json: options.json === true });
    }
    case 'doctor': {
      // The proxy's own environment (a static token in it is what a proxy run would send).
      const config = redacting(buildConfig(url!, options, process.env));
      const { runDoctor } = await import('./commands/doctor.js');
      return runDoctor(config, { json: options.json === true, timeoutMs: config.checkTimeoutMs });
    }
  }
}

/** Authorization problems: the sign-in or the server's verdict on the credentials. */
function isAuthProblem(error: unknown): boolean {
  return isProxyError(error) && (error.code.startsWith('AUTH_') || error.code === 'UNAUTHORIZED' || error.code === 'FORBIDDEN');
}

async function main(argv: readonly string[]): Promise<number> {
  let invocation: Invocation | undefined;
  try {
    program((run) => void (invocation = run)).parse(joinSplitHeaders(argv), { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return EXIT.ok;
      return EXIT.usage;
    }
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`mcp-auth-proxy: ${redact(error.message)}\nRun mcp-auth-proxy --help for usage.\n`);
    return EXIT.usage;
  }
  if (!invocation) return EXIT.ok;
  const { command } = invocation;
  // A command may wait for the browser on the callback listener, which is unref'd (a proxy's
  // lifetime is its host's stdin): keep the process alive until the command is done.
  const alive = command === 'proxy' ? undefined : setInterval(() => undefined, 60_000);
  if (command !== 'proxy') {
    // A command's requested output (a table, a token) goes to stdout; cli.ts hands it over.
    const { setOutput } = await import('./commands/output.js');
    setOutput((text) => process.stdout.write(text));
  }
  try {
    return await run(invocation);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`mcp-auth-proxy: ${redact(error.message)}\nRun mcp-auth-proxy${command === 'proxy' ? '' : ` ${command}`} --help for usage.\n`);
      return EXIT.usage;
    }
    process.stderr.write(`mcp-auth-proxy: ${redact(error instanceof Error ? error.message : String(error))}\n`);
    // A proxy run answers authorization problems to the host; only a command exits with them.
    return command !== 'proxy' && isAuthProblem(error) ? EXIT.auth : EXIT.failure;
  } finally {
    clearInterval(alive);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`mcp-auth-proxy: ${redact(error instanceof Error ? error.message : String(error))}\n`);
    process.exit(EXIT.failure);
  },
);
