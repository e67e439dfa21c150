/**
 * The command line's commands as one table: each command's argument, options (declared in
 * option-table.ts), help and how it runs. cli.ts registers the table with commander and dispatches
 * through it. Each command's code is imported only when it runs, so --help and --version load no
 * network code.
 */
import { buildConfig, buildStoreConfig, type Env, type RawOptions } from './config.js';
import { APPS, buildConfigCommand } from './config-hosts.js';
import { UsageError } from './errors.js';
import { NETWORK_OPTIONS, PROXY_OPTIONS, SIGN_IN_OPTIONS, type OptionName } from './option-table.js';

/** What a command does once its options are parsed: its config's secrets (for redaction), and the run. */
export interface Start {
  readonly secrets: readonly string[];
  run(): Promise<number>;
}

export interface CommandSpec {
  readonly summary: string;
  readonly description: string;
  /** [name as commander takes it, help]. */
  readonly argument: readonly [string, string];
  readonly options: readonly OptionName[];
  /** Help text after the options: examples and exit codes. */
  readonly examples: string;
  /** The operands after `--` are handed over as options.proxyArgs (config: the proxy's options). */
  readonly passThrough?: boolean;
  /** The usage line, when commander's own does not say enough. */
  readonly usage?: string;
  /** Builds the config (a UsageError for bad input) and returns how to run. */
  start(url: string | undefined, options: RawOptions, env: Env): Start;
}

const EXIT_CODES = 'Exit codes: 0 done, 1 failure, 2 usage error, 3 authorization problem (commands only).';

const PROXY_EXAMPLES = `
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

Host configs:
  $ mcp-auth-proxy config https://example.com/mcp    the entry for each host (--app cursor --write adds it to Cursor's file)
  $ mcp-auth-proxy config --migrate                  rewrite mcp-remote / supergateway entries (--write applies)

${EXIT_CODES}
supergateway and mcp-remote command lines are accepted too`;

/** `mcp-auth-proxy <server-url>`: the proxy itself. */
export const PROXY = {
  usage: '<server-url> [options]\n       mcp-auth-proxy <command> [options]',
  description: 'Connects an MCP host speaking stdio to a remote MCP server (Streamable HTTP or SSE).',
  argument: ['<server-url>', 'the remote MCP server, e.g. https://example.com/mcp'],
  options: PROXY_OPTIONS,
  examples: PROXY_EXAMPLES,
  start: (url: string, options: RawOptions, env: Env): Start => {
    const config = buildConfig(url, options, env);
    // Loaded only for a proxy run, so --help and --version stay instant.
    return { secrets: config.secrets, run: async () => (await import('./main.js')).runProxy(config) };
  },
} as const;

export const COMMAND_NAMES = ['login', 'logout', 'status', 'token', 'doctor', 'config'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

const URL_HELP = 'the MCP server, e.g. https://example.com/mcp';

export const COMMANDS: Record<CommandName, CommandSpec> = {
  login: {
    argument: ['<server-url>', URL_HELP],
    options: [...SIGN_IN_OPTIONS, 'logLevel', 'force'],
    start: (url, options, env) => {
      // login manages OAuth tokens: a static MCP_AUTH_PROXY_BEARER does not apply (it is only noted).
      const config = buildConfig(url!, options, env, { bearerFromEnv: false });
      return { secrets: config.secrets, run: async () => (await import('./commands/login.js')).runLogin(config, { force: options.force === true }) };
    },
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
    argument: ['[server-url]', `${URL_HELP} (or --all-servers)`],
    options: ['clientId', 'clientSecret', 'clientKey', 'clientKeyAlg', 'clientKeyId', 'authDir', ...NETWORK_OPTIONS, 'logLevel', 'allServers', 'all'],
    start: (url, options, env) => {
      const config = buildStoreConfig(url, options, env);
      const flags = { all: options.all === true, allServers: options.allServers === true };
      return { secrets: config.secrets, run: async () => (await import('./commands/logout.js')).runLogout(config, flags) };
    },
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
    argument: ['[server-url]', `only this server's credentials (default: all)`],
    options: ['authDir', 'logLevel', 'jsonTable'],
    start: (url, options, env) => {
      const config = buildStoreConfig(url, options, env);
      return { secrets: config.secrets, run: async () => (await import('./commands/status.js')).runStatus(config, { json: options.json === true }) };
    },
    summary: 'show the stored credentials and when they expire',
    description:
      'Show the stored credentials: server, issuer, client, scopes, when the access token expires, whether there is a refresh token, and the binding (Bearer, or DPoP with the key thumbprint). Never a token.',
    examples: `
Examples:
  $ mcp-auth-proxy status
  $ mcp-auth-proxy status https://example.com/mcp
  $ mcp-auth-proxy status --json | jq '.[] | select(.accessToken != "valid") | .server'

${EXIT_CODES}`,
  },
  token: {
    argument: ['<server-url>', URL_HELP],
    options: [...SIGN_IN_OPTIONS, 'logLevel', 'dpopProof'],
    start: (url, options, env) => {
      const config = buildConfig(url!, options, env, { bearerFromEnv: false });
      const proofFor = parseProofRequest(options.dpopProof);
      return { secrets: config.secrets, run: async () => (await import('./commands/token.js')).runToken(config, { proofFor }) };
    },
    summary: 'print a valid access token, e.g. for curl',
    description:
      'Print a valid access token for a server, alone on one line on stdout, refreshing it or signing in (browser) if needed. ' +
      'A DPoP-bound token is printed only with --dpop-proof <method> <url>, after a proof for that request. Everything else goes to stderr.',
    examples: `
Examples:
  $ mcp-auth-proxy token https://example.com/mcp
  $ curl -H "Authorization: Bearer $(mcp-auth-proxy token https://example.com/mcp)" https://example.com/mcp …
  $ TOKEN=$(mcp-auth-proxy token https://example.com/mcp --browser none)
  $ mcp-auth-proxy token https://example.com/mcp --dpop-proof POST https://example.com/mcp
                                        a DPoP-bound token: the proof (line 1), then the token (line 2)

${EXIT_CODES}`,
  },
  doctor: {
    argument: ['<server-url>', URL_HELP],
    // The proxy's options, all of them, so that a host's arguments can be checked as they are.
    options: [...PROXY_OPTIONS, 'jsonChecks'],
    start: (url, options, env) => {
      // The proxy's own environment (a static token in it is what a proxy run would send).
      const config = buildConfig(url!, options, env);
      return {
        secrets: config.secrets,
        run: async () => (await import('./commands/doctor.js')).runDoctor(config, { json: options.json === true, timeoutMs: config.checkTimeoutMs }),
      };
    },
    summary: 'check everything the proxy needs for a server, step by step, with a fix for what fails',
    description:
      'Check, in order: URL and DNS, TCP/TLS connect (certificate problems named), the proxy in use, transport and protocol era, ' +
      'protected resource metadata, the authorization server and what it supports, the stored credentials (refreshed if expired), ' +
      'and an authenticated tools/list. One line per check with ✓, ✗ (and a one-line fix) or – (skipped), and its time. ' +
      "Never opens a browser, never prints a token. Takes the proxy's options (those of the browser sign-in have no effect), so a host's arguments can be checked as they are. " +
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
  config: {
    argument: ['[server-url]', `${URL_HELP} (not with --migrate)`],
    options: ['app', 'name', 'write', 'migrate'],
    passThrough: true,
    usage: '[server-url] [options] [-- <proxy options>]',
    start: (url, options, env) => {
      const config = buildConfigCommand(url, options, env);
      return { secrets: [], run: async () => (await import('./commands/config.js')).runConfig(config) };
    },
    summary: "print (or write) a host's entry that runs the proxy; migrate mcp-remote / supergateway entries",
    description:
      'Print the entry that makes an MCP host run mcp-auth-proxy for a server, for every host (Cursor, Claude Desktop, Claude Code, VS Code, Windsurf, Codex) or the one named by --app; ' +
      'the proxy options after -- go into its args. A token or credential header given there is never written into the entry: the entry reads it from an environment variable. ' +
      "--write adds or replaces the entry in that host's config file on this machine (comments and other entries kept as they are, a .bak copy, an atomic rename). " +
      '--migrate finds entries that run mcp-remote or supergateway and shows each beside its rewrite; --migrate --write applies them.',
    examples: `
Examples:
  $ mcp-auth-proxy config https://example.com/mcp
  $ mcp-auth-proxy config https://example.com/mcp --app cursor --name example --write
  $ mcp-auth-proxy config https://example.com/mcp --app vscode -- --header "X-API-Key: \${API_KEY}" --keepalive 60
  $ mcp-auth-proxy config https://example.com/mcp --app claude-desktop -- --oauth2Bearer "$TOKEN"   the token becomes MCP_AUTH_PROXY_BEARER
  $ mcp-auth-proxy config --migrate                    show the mcp-remote / supergateway entries rewritten
  $ mcp-auth-proxy config --migrate --write            apply the rewrites

Hosts (--app): ${APPS.join(', ')}.
${EXIT_CODES}`,
  },
};

/** token --dpop-proof <method> <url>: the request a proof is for (RFC 9449 §4.2 htm, htu). */
function parseProofRequest(values: string[] | undefined): { method: string; url: URL } | undefined {
  if (values === undefined) return undefined;
  const [method, url, ...rest] = values;
  if (method === undefined || url === undefined || rest.length > 0 || !/^[A-Z]+$/.test(method) || !URL.canParse(url)) {
    throw new UsageError('INVALID_OPTION', '--dpop-proof takes an HTTP method and an absolute URL, e.g. --dpop-proof POST https://example.com/mcp');
  }
  return { method, url: new URL(url) };
}
