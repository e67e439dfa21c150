/**
 * Every option of the command line (flags, help text, choices, defaults from config-defaults.ts),
 * and the groups commands take them in. command-table.ts lists which command takes which;
 * compat-argv.ts reads the flags to translate other tools' spellings.
 */
import { SIGNING_ALGS } from './auth/client-assertion.js';
import { DEFAULTS, DPOP_CHOICES, ENV, GRANTS, PROTOCOLS, TRANSPORTS } from './config-defaults.js';
import { APPS } from './config-hosts.js';
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
export const NETWORK_OPTIONS: readonly OptionName[] = ['connectTimeout', 'caFile', 'ipv4'];

// What a sign-in needs (the proxy's and the login/token commands').
export const SIGN_IN_OPTIONS: readonly OptionName[] = [
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
export const PROXY_OPTIONS: readonly OptionName[] = [...PROXY_FIRST, ...SIGN_IN_OPTIONS.filter((n) => !PROXY_FIRST.includes(n)), 'logLevel'];
