/**
 * The command line as one table: every option (flags, help text, choices, defaults from
 * config-defaults.ts) and every command (its argument, options, help and how it runs). cli.ts
 * registers the table with commander and dispatches through it. Each command's code is imported
 * only when it runs, so --help and --version load no network code.
 */
import { SIGNING_ALGS } from './auth/client-assertion.js';
import { DEFAULTS, DPOP_CHOICES, ENV, GRANTS, PROTOCOLS, TRANSPORTS } from './config-defaults.js';
import { buildConfig, buildStoreConfig, type Env, type RawOptions } from './config.js';
import { APPS, buildConfigCommand } from './config-hosts.js';
import { UsageError } from './errors.js';
import { LOG_LEVELS } from './log.js';

export interface OptionSpec {
  /** As commander takes them, e.g. '-H, --header <header>'. */
  readonly flags: string;
  readonly help: string;
  readonly choices?: readonly string[];
  readonly default?: string;
  /** Given more than once, the values are collected in order. */
  readonly repeatable?: boolean;
  /** Accepted but not listed by --help (another tool's spelling, see compat-argv.ts). */
  readonly hidden?: boolean;
}

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

export const OPTIONS = {
  transport: {
    flags: '--transport <mode>',
    help: `how to reach the server (auto tries Streamable HTTP, then legacy SSE; sse-first the other way round); e.g. --transport sse`,
    choices: TRANSPORTS,
    default: DEFAULTS.transport,
  },
  protocol: {
    flags: '--protocol <era>',
    help: 'the MCP protocol era: auto detects 2026-07-28 servers and falls back to the initialize-based protocol; e.g. --protocol legacy',
    choices: PROTOCOLS,
    default: DEFAULTS.protocol,
  },
  oauth2Bearer: {
    flags: '--oauth2Bearer <token>',
    help: `a static bearer token; e.g. --oauth2Bearer "\${TOKEN}" (or set ${ENV.bearer} to keep it out of the process list)`,
  },
  header: {
    flags: '-H, --header <header>',
    help: 'an extra header for the MCP server, repeatable; ${VAR} is expanded; e.g. -H "X-API-Key: ${API_KEY}"',
    repeatable: true,
  },
  headerFile: {
    flags: '--header-file <path>',
    help: 'headers from a file of "Name: value" lines (# comments, ${VAR} expanded), keeping secrets out of host configs; e.g. --header-file ~/.config/example.headers',
  },
  allowHttp: { flags: '--allow-http', help: 'allow plain http:// to hosts other than loopback (tokens travel unencrypted!)' },
  timeout: {
    flags: '--timeout <seconds>',
    help: `give up on a request after this long; progress restarts the clock; e.g. --timeout 600 (default: ${DEFAULTS.timeoutSeconds})`,
  },
  connectTimeout: {
    flags: '--connect-timeout <seconds>',
    help: `give up connecting to a server (TCP and TLS) after this long; e.g. --connect-timeout 10 (default: ${DEFAULTS.connectTimeoutSeconds})`,
  },
  caFile: {
    flags: '--ca-file <pem>',
    help: "also trust the CA certificates in this file (PEM or DER), e.g. your network's TLS inspection CA; e.g. --ca-file ~/corp-ca.pem",
  },
  ipv4: { flags: '--ipv4', help: 'connect over IPv4 only (resolve names to IPv4 addresses), for networks with broken IPv6; e.g. --ipv4' },
  keepalive: {
    flags: '--keepalive <seconds>',
    help: 'ping the server this often while the host is connected, so idle sessions stay open; e.g. --keepalive 60 (default: off)',
  },
  maxMessageMb: {
    flags: '--max-message-mb <MB>',
    help: `the largest message the proxy reads (a line from the host, a server's JSON body or SSE event); larger ones are refused with an error naming the limit; e.g. --max-message-mb 512 (default: ${DEFAULTS.maxMessageMb})`,
  },
  ignoreTool: {
    flags: '--ignore-tool <glob>',
    help: 'hide a tool from the host and refuse calls to it, repeatable; * and ? are wildcards; e.g. --ignore-tool "delete_*"',
    repeatable: true,
  },
  clientId: { flags: '--client-id <id>', help: 'a client registered with the authorization server in advance; e.g. --client-id my-app' },
  clientSecret: { flags: '--client-secret <secret>', help: `its secret, if it has one (or set ${ENV.clientSecret})` },
  clientMetadataUrl: {
    flags: '--client-metadata-url <url>',
    help: 'an https URL of a client ID metadata document to use as client_id where the server accepts one',
  },
  grant: {
    flags: '--grant <type>',
    help: "authorization_code signs a user in (browser, or a code on another device when none opens here); client_credentials gets the --client-id client its own token, no user (machine to machine); jwt-bearer presents a workload's JWT (--assertion-file or --assertion-env)",
    choices: GRANTS,
    default: DEFAULTS.grant,
  },
  clientKey: {
    flags: '--client-key <file>',
    help: "the --client-id client's private key (PEM or JWK): authenticate with a signed JWT (private_key_jwt) instead of a secret; e.g. --client-key ~/keys/mcp-client.pem",
  },
  clientKeyAlg: {
    flags: '--client-key-alg <alg>',
    help: 'the JWS algorithm for --client-key (default: by key type, RS256 for RSA, ES256/ES384/ES512 by EC curve, EdDSA)',
    choices: SIGNING_ALGS,
  },
  clientKeyId: { flags: '--client-key-id <kid>', help: 'the key ID (kid) to name in the signed JWT, for providers that hold several keys of the client' },
  assertionFile: {
    flags: '--assertion-file <path>',
    help: "with --grant jwt-bearer: a file holding the workload's JWT (e.g. a Kubernetes projected service-account token), read afresh for each token request; e.g. --assertion-file /var/run/secrets/tokens/mcp",
  },
  assertionEnv: {
    flags: '--assertion-env <var>',
    help: "with --grant jwt-bearer: the environment variable holding the workload's JWT (e.g. a CI provider's OIDC token); e.g. --assertion-env CI_JOB_JWT",
  },
  idp: {
    flags: '--idp <issuer>',
    help: 'enterprise-managed authorization: sign in once at this identity provider, which grants access to each MCP server (ID-JAG); e.g. --idp https://login.example.com',
  },
  idpClientId: { flags: '--idp-client-id <id>', help: "this application's client at the --idp identity provider" },
  idpClientSecret: { flags: '--idp-client-secret <secret>', help: `its secret, if it has one (or set ${ENV.idpClientSecret})` },
  idpIdTokenFile: {
    flags: '--idp-id-token-file <path>',
    help: 'an ID token from the --idp identity provider that the host or a script already holds, read when needed (no sign-in by the proxy)',
  },
  dpop: {
    flags: '--dpop <when>',
    help: "DPoP-bound tokens (RFC 9449), useless to anyone without this computer's key: auto when the authorization server offers them or the server requires them, always, or never",
    choices: DPOP_CHOICES,
    default: DEFAULTS.dpop,
  },
  dpopProof: {
    flags: '--dpop-proof <method-and-url...>',
    help: 'for a DPoP-bound token: print a DPoP proof for this request, then the token (two lines); e.g. --dpop-proof POST https://example.com/mcp',
  },
  scope: { flags: '--scope <scopes>', help: 'the scopes to ask for, space-separated (default: what the server asks for); e.g. --scope "read write"' },
  resource: { flags: '--resource <uri>', help: 'the RFC 8707 resource to ask a token for (default: the one the server publishes)' },
  noResource: { flags: '--no-resource', help: 'send no resource parameter (for providers that reject it, e.g. Entra ID)' },
  callbackPort: { flags: '--callback-port <port>', help: 'pin the port of the sign-in callback http://127.0.0.1:<port>/callback (default: a free one)' },
  browser: {
    flags: '--browser <command>',
    help: 'open the sign-in page with this command (run without a shell, URL appended), or "none": no browser here (a code to enter on another device where the server offers that, else the URL is printed)',
  },
  authTimeout: {
    flags: '--auth-timeout <seconds>',
    help: `how long to wait for a sign-in in the browser or on another device (default: ${DEFAULTS.authTimeoutSeconds})`,
  },
  authDir: { flags: '--auth-dir <dir>', help: `where credentials are stored (or set ${ENV.authDir}; default: your config directory)` },
  assumePkce: {
    flags: '--assume-pkce',
    help: 'sign in even if the authorization server does not advertise PKCE S256 support (for providers known to omit it)',
  },
  // Issue 11: what real providers need (and mcp-remote offers), and connection tuning.
  callbackHost: {
    flags: '--callback-host <name>',
    help: 'the host name in the sign-in redirect URI: 127.0.0.1, or localhost for a client pre-registered with http://localhost:<port>/… (the listener binds loopback only) (default: 127.0.0.1)',
  },
  callbackPath: {
    flags: '--callback-path <path>',
    help: `the path of the sign-in redirect URI, for a pre-registered client; e.g. --callback-path /oauth/callback (default: ${DEFAULTS.callbackPath})`,
  },
  authorizeParam: {
    flags: '--authorize-param <key=value>',
    help: 'an extra authorization request parameter, repeatable; e.g. --authorize-param access_type=offline --authorize-param prompt=consent',
    repeatable: true,
  },
  authSuccessUrl: { flags: '--auth-success-url <url>', help: 'after a successful sign-in, send the browser to this page (https, or http on loopback)' },
  useIdToken: {
    flags: '--use-id-token',
    help: 'send the OpenID Connect ID token as the bearer instead of the access token (Amazon Cognito, Bedrock AgentCore gateways)',
  },
  clientName: { flags: '--client-name <name>', help: 'the client_name dynamic registration sends (default: mcp-auth-proxy)' },
  staticOauthClientMetadata: {
    flags: '--static-oauth-client-metadata <json|@file>',
    help: 'client metadata merged over what dynamic registration sends (client_name, logo_uri, scope, token_endpoint_auth_method…); e.g. \'{"client_name":"My app"}\'',
  },
  staticOauthClientInfo: { flags: '--static-oauth-client-info <json|@file>', help: "mcp-remote's spelling of --client-id / --client-secret", hidden: true },
  tokenEndpoint: {
    flags: '--token-endpoint <url>',
    help: 'with --grant client_credentials: the token endpoint to use, skipping discovery (for servers that publish no OAuth metadata)',
  },
  noCookies: {
    flags: '--no-cookies',
    help: "don't keep the MCP server's cookies (kept in memory by default, sent to its origin only, e.g. load-balancer session pins)",
  },
  headersTimeout: {
    flags: '--headers-timeout <seconds>',
    help: 'give up when response headers take longer than this (default: off: a tool call may take long)',
  },
  bodyTimeout: { flags: '--body-timeout <seconds>', help: 'give up when a response body (or an idle event stream) is silent longer than this (default: off)' },
  logLevel: { flags: '--log-level <level>', help: 'how much to write to stderr; e.g. --log-level debug', choices: LOG_LEVELS, default: DEFAULTS.logLevel },
  // The credential commands' own.
  force: { flags: '--force', help: 'sign in again even if usable tokens are stored' },
  allServers: { flags: '--all-servers', help: 'sign out of every server with stored tokens' },
  all: { flags: '--all', help: 'also forget the client registration(s) with the authorization server(s)' },
  jsonTable: { flags: '--json', help: 'print a JSON array instead of a table' },
  jsonChecks: { flags: '--json', help: 'print a JSON array of {step, ok, ms, detail, hint} instead of lines' },
  // The config command's own.
  app: { flags: '--app <host>', help: 'the MCP host whose entry to print or write (default: every one)', choices: APPS },
  name: { flags: '--name <name>', help: "the entry's name in the host's config (default: from the server's host name, e.g. example for mcp.example.com)" },
  write: {
    flags: '--write',
    help: "add or replace the entry in the host's config file on this machine (a .bak copy is kept); with --migrate, apply the rewrites",
  },
  migrate: {
    flags: '--migrate',
    help: "find the entries that run mcp-remote or supergateway in the hosts' config files and show them rewritten for mcp-auth-proxy",
  },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;

// Issue 11 (grouped to keep merges easy): sign-in options, and the MCP server's connection.
const PROVIDER_OPTIONS: readonly OptionName[] = [
  'callbackHost',
  'callbackPath',
  'authorizeParam',
  'authSuccessUrl',
  'useIdToken',
  'clientName',
  'staticOauthClientMetadata',
  'staticOauthClientInfo',
  'tokenEndpoint',
];
const CONNECTION_OPTIONS: readonly OptionName[] = ['noCookies', 'headersTimeout', 'bodyTimeout'];

// How to reach servers: every command that sends requests takes these.
const NETWORK_OPTIONS: readonly OptionName[] = ['connectTimeout', 'caFile', 'ipv4'];

// What a sign-in needs (the proxy's and the login/token commands').
const SIGN_IN_OPTIONS: readonly OptionName[] = [
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
  'assertionFile',
  'assertionEnv',
  'idp',
  'idpClientId',
  'idpClientSecret',
  'idpIdTokenFile',
  'dpop',
  'scope',
  'resource',
  'noResource',
  'callbackPort',
  'browser',
  'authTimeout',
  'authDir',
  'assumePkce',
  ...PROVIDER_OPTIONS,
];

const PROXY_FIRST: readonly OptionName[] = [
  'transport',
  'protocol',
  'oauth2Bearer',
  'header',
  'headerFile',
  'allowHttp',
  'timeout',
  ...NETWORK_OPTIONS,
  ...CONNECTION_OPTIONS,
  'keepalive',
  'ignoreTool',
  'maxMessageMb',
];

/** The proxy's options, in the order --help lists them. */
const PROXY_OPTIONS: readonly OptionName[] = [...PROXY_FIRST, ...SIGN_IN_OPTIONS.filter((n) => !PROXY_FIRST.includes(n)), 'logLevel'];

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
