/**
 * Flags and environment → one frozen, validated Config. Every default lives in DEFAULTS
 * (config-defaults.ts) and every environment variable is read here, so the rest of the proxy
 * takes its settings from the Config alone. Every user mistake becomes a UsageError that names
 * the flag or variable at fault. The secret values found (tokens, header values, client secrets)
 * are listed in `secrets` for the command line to register with the log's redaction.
 */
import type { ClientKey } from './auth/client-assertion.js';
import type { AssertionSource, IdpConfig } from './config-assertion.js';
import {
  DEFAULTS,
  defaultAuthDir,
  ENV,
  PROTOCOLS,
  TRANSPORTS,
  type DpopChoice,
  type GrantChoice,
  type ProtocolChoice,
  type TransportChoice,
} from './config-defaults.js';
import { parseHeaders, readHeaderFile } from './config-headers.js';
import { buildClientGrant, buildOAuth } from './config-oauth.js';
import type { SignInOptions } from './config-sign-in.js';
import { UsageError } from './errors.js';
import { isLogLevel, LOG_LEVELS, type LogLevel } from './log.js';
import { expandEnv, parseSeconds, readCaFile, type Env } from './option-values.js';
import { isLoopbackHost } from './url.js';

// Config's own vocabulary (choices, defaults, variable names), for those who import config.
export * from './config-defaults.js';

export interface Config {
  readonly serverUrl: string;
  readonly transport: TransportChoice;
  /** MCP 2026-07-28 ("modern") or the initialize-based revisions ("legacy"), or detect. */
  readonly protocol: ProtocolChoice;
  /** Where the proxy keeps what it remembers per server (credentials, the protocol era): --auth-dir, MCP_AUTH_PROXY_DIR, or the default. */
  readonly authDir: string;
  /** A static bearer token for the MCP server. */
  readonly bearer: string | undefined;
  /** Custom headers for the MCP server's origin, names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  readonly allowHttp: boolean;
  readonly timeoutMs: number;
  readonly logLevel: LogLevel;
  readonly oauth: OAuthConfig;
  readonly network: NetworkConfig;
  /** --keepalive: ping the server this often while the host is connected; undefined = off. */
  readonly keepaliveMs: number | undefined;
  /** --ignore-tool globs: tools the host neither sees nor calls. */
  readonly ignoreTools: readonly string[];
  /** --max-message-mb in bytes: the largest host line, JSON body or SSE event (issue 10 §7). */
  readonly maxMessageBytes: number;
  /** login and token only: MCP_AUTH_PROXY_BEARER was set and left unused (they manage OAuth tokens). */
  readonly bearerEnvIgnored: boolean;
  /** Cookies of the MCP server's origin kept in memory (--no-cookies: off). */
  readonly cookies: boolean;
  /** Another tool's options accepted without effect (compat-argv.ts), for the debug log. */
  readonly compatNotes: readonly string[];
  /** doctor: the bound on each network check (--timeout if given, else DEFAULTS.doctorTimeoutSeconds). */
  readonly checkTimeoutMs: number;
  /** Every secret value in this config, for the log's redaction (never printed, never logged). */
  readonly secrets: readonly string[];
}

/** How every request connects (MCP server, discovery, registration, tokens, revocation). */
export interface NetworkConfig {
  /** --ca-file as given, for messages. */
  readonly caFile: string | undefined;
  /** Its certificates (PEM), trusted in addition to Node's CAs and NODE_EXTRA_CA_CERTS. */
  readonly caCertificates: readonly string[] | undefined;
  /** Bound on TCP + TLS connection set-up (--connect-timeout). */
  readonly connectTimeoutMs: number;
  /** --ipv4: resolve host names to IPv4 addresses only. */
  readonly ipv4: boolean;
  /** --headers-timeout / --body-timeout (undici's); 0 = off, the default. */
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  /**
   * The forward-proxy variables that are set (https_proxy, HTTPS_PROXY, http_proxy, HTTP_PROXY,
   * no_proxy, NO_PROXY, as curl reads them), or undefined when none is.
   */
  readonly proxyVariables: Readonly<Record<string, string>> | undefined;
  /** NODE_EXTRA_CA_CERTS: a file of CAs Node trusts besides its own (read again with --ca-file). */
  readonly extraCaCertsFile: string | undefined;
}

/** How to sign in when the server asks for it (unused when static credentials are given). */
export interface OAuthConfig {
  /** False when static credentials were given: a 401 is then reported, not signed in to. */
  readonly enabled: boolean;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  readonly clientMetadataUrl: string | undefined;
  readonly scope: string | undefined;
  /** A URI for --resource, false for --no-resource, undefined to send the server's own. */
  readonly resource: string | false | undefined;
  readonly callbackPort: number | undefined;
  /** A command line, 'none', or undefined for the system browser. */
  readonly browser: string | undefined;
  /** Why no browser can be opened here (--browser none, an SSH session, no display), or undefined when one can. */
  readonly noBrowser: string | undefined;
  readonly authTimeoutMs: number;
  readonly assumePkce: boolean;
  /** --grant: a user's sign-in, or the client's own token (machine to machine). */
  readonly grant: GrantChoice;
  /** --client-key (with --client-key-alg / --client-key-id): private_key_jwt for the --client-id client. */
  readonly clientKey: ClientKey | undefined;
  /** What real providers need (config-sign-in.ts). */
  readonly signIn: SignInOptions;
  /** --grant jwt-bearer: where the workload's JWT comes from (RFC 7523 §2.1). */
  readonly assertion: AssertionSource | undefined;
  /** --idp: enterprise-managed authorization (ID-JAG) through this identity provider. */
  readonly idp: IdpConfig | undefined;
  /** --dpop: when to ask for DPoP-bound tokens (RFC 9449). */
  readonly dpop: DpopChoice;
}

/** The options as commander hands them over. */
export interface RawOptions {
  transport?: string;
  protocol?: string;
  oauth2Bearer?: string;
  header?: string[];
  headerFile?: string;
  allowHttp?: boolean;
  timeout?: string;
  connectTimeout?: string;
  caFile?: string;
  ipv4?: boolean;
  keepalive?: string;
  ignoreTool?: string[];
  maxMessageMb?: string;
  logLevel?: string;
  clientId?: string;
  clientSecret?: string;
  clientMetadataUrl?: string;
  scope?: string;
  resource?: string | boolean;
  callbackPort?: string;
  browser?: string;
  authTimeout?: string;
  authDir?: string;
  assumePkce?: boolean;
  grant?: string;
  clientKey?: string;
  clientKeyAlg?: string;
  clientKeyId?: string;
  // Issue 11 (config-sign-in.ts; cookies and the undici timeouts).
  callbackHost?: string;
  callbackPath?: string;
  authorizeParam?: string[];
  authSuccessUrl?: string;
  useIdToken?: boolean;
  clientName?: string;
  staticOauthClientMetadata?: string;
  staticOauthClientInfo?: string;
  tokenEndpoint?: string;
  cookies?: boolean;
  headersTimeout?: string;
  bodyTimeout?: string;
  /** Set by cli.ts from compat-argv.ts, not a flag. */
  compatNotes?: string[];
  assertionFile?: string;
  assertionEnv?: string;
  idp?: string;
  idpClientId?: string;
  idpClientSecret?: string;
  idpIdTokenFile?: string;
  dpop?: string;
  /** token --dpop-proof <method> <url>. */
  dpopProof?: string[];
  // The credential commands (login, logout, status, token).
  force?: boolean;
  // config: the host, the entry's name, write it, migrate peers' entries, the proxy options after --.
  app?: string;
  name?: string;
  write?: boolean;
  migrate?: boolean;
  proxyArgs?: string[];
  json?: boolean;
  all?: boolean;
  allServers?: boolean;
}

export type { Env };

/**
 * `options.bearerFromEnv: false` (login, token): those commands manage OAuth tokens, so a static
 * MCP_AUTH_PROXY_BEARER is not used (nor expanded in ${VAR}s); `bearerEnvIgnored` says it was set.
 */
export function buildConfig(url: string, raw: RawOptions, fullEnv: Env, options: { bearerFromEnv?: boolean } = {}): Config {
  const bearerEnvIgnored = options.bearerFromEnv === false && fullEnv[ENV.bearer] !== undefined;
  const env: Env = options.bearerFromEnv === false ? { ...fullEnv, [ENV.bearer]: undefined } : fullEnv;
  const secrets: string[] = [];
  const allowHttp = raw.allowHttp === true;
  const serverUrl = parseServerUrl(url, allowHttp);
  const transport = raw.transport ?? DEFAULTS.transport;
  if (!(TRANSPORTS as readonly string[]).includes(transport)) {
    throw new UsageError('INVALID_OPTION', `--transport must be one of ${TRANSPORTS.join(', ')} (got "${transport}")`);
  }
  const protocol = raw.protocol ?? DEFAULTS.protocol;
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new UsageError('INVALID_OPTION', `--protocol must be one of ${PROTOCOLS.join(', ')} (got "${protocol}")`);
  }
  if (protocol === 'modern' && (transport === 'sse' || transport === 'sse-first'))
    throw new UsageError('INVALID_OPTION', `--protocol modern needs Streamable HTTP, not --transport ${transport}`);
  const logLevel = raw.logLevel ?? DEFAULTS.logLevel;
  if (!isLogLevel(logLevel)) {
    throw new UsageError('INVALID_OPTION', `--log-level must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }
  const headers = parseHeaders(raw.header ?? [], env, secrets, () => '--header', readHeaderFile(raw.headerFile, env, secrets));
  const bearerSource = raw.oauth2Bearer !== undefined ? '--oauth2Bearer' : ENV.bearer;
  const bearerRaw = raw.oauth2Bearer ?? env[ENV.bearer];
  const bearer = bearerRaw === undefined ? undefined : expandEnv(bearerRaw, env, bearerSource).trim();
  if (bearer === '') throw new UsageError('INVALID_OPTION', `${bearerSource} is empty`);
  if (bearer !== undefined && 'authorization' in headers) {
    throw new UsageError('INVALID_OPTION', `give the credentials once: ${bearerSource} and an Authorization --header were both given`);
  }
  if (bearer !== undefined) secrets.push(bearer);
  const oauth = buildOAuth(raw, env, bearer === undefined && !('authorization' in headers), secrets, allowHttp);
  const timeoutMs = parseSeconds(raw.timeout, '--timeout', DEFAULTS.timeoutSeconds) * 1000;
  return Object.freeze({
    serverUrl,
    transport: transport as TransportChoice,
    protocol: protocol as ProtocolChoice,
    authDir: resolveAuthDir(raw, env),
    bearer,
    headers: Object.freeze(headers),
    allowHttp,
    timeoutMs,
    logLevel,
    oauth,
    network: buildNetwork(raw, env),
    keepaliveMs: raw.keepalive === undefined || Number(raw.keepalive) === 0 ? undefined : parseSeconds(raw.keepalive, '--keepalive', 0) * 1000,
    ignoreTools: Object.freeze(parseIgnoreTools(raw.ignoreTool ?? [])),
    cookies: raw.cookies ?? DEFAULTS.cookies,
    compatNotes: Object.freeze([...(raw.compatNotes ?? [])]),
    maxMessageBytes: parseMaxMessageMb(raw.maxMessageMb) * 1024 * 1024,
    bearerEnvIgnored,
    checkTimeoutMs: raw.timeout === undefined ? DEFAULTS.doctorTimeoutSeconds * 1000 : timeoutMs,
    secrets: Object.freeze(secrets),
  });
}

/** --max-message-mb: megabytes (fractions allowed), up to what one JavaScript string can hold. */
function parseMaxMessageMb(text: string | undefined): number {
  if (text === undefined) return DEFAULTS.maxMessageMb;
  const mb = Number(text);
  if (!Number.isFinite(mb) || mb <= 0 || mb > DEFAULTS.maxMessageMbCeiling) {
    throw new UsageError(
      'INVALID_OPTION',
      `--max-message-mb takes a number of megabytes greater than 0 and at most ${DEFAULTS.maxMessageMbCeiling} (got "${text}")`,
    );
  }
  return mb;
}

/** --auth-dir, else MCP_AUTH_PROXY_DIR, else the user's config directory. */
function resolveAuthDir(raw: RawOptions, env: Env): string {
  return raw.authDir ?? env[ENV.authDir] ?? defaultAuthDir(env);
}

/** --ca-file, --connect-timeout and --ipv4: how to reach servers, for every command that does. */
export function buildNetwork(raw: RawOptions, env: Env): NetworkConfig {
  const caFile = raw.caFile;
  return Object.freeze({
    caFile,
    caCertificates: caFile === undefined ? undefined : Object.freeze(readCaFile(caFile, env)),
    connectTimeoutMs: parseSeconds(raw.connectTimeout, '--connect-timeout', DEFAULTS.connectTimeoutSeconds) * 1000,
    ipv4: raw.ipv4 === true,
    // 0 = off (mcp-remote's --body-timeout 0 for servers that push rarely).
    headersTimeoutMs:
      raw.headersTimeout === undefined || Number(raw.headersTimeout) === 0 ? 0 : parseSeconds(raw.headersTimeout, '--headers-timeout', 0) * 1000,
    bodyTimeoutMs: raw.bodyTimeout === undefined || Number(raw.bodyTimeout) === 0 ? 0 : parseSeconds(raw.bodyTimeout, '--body-timeout', 0) * 1000,
    proxyVariables: proxyVariables(env),
    extraCaCertsFile: env['NODE_EXTRA_CA_CERTS'] || undefined,
  });
}

const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'no_proxy', 'NO_PROXY'];

function proxyVariables(env: Env): Readonly<Record<string, string>> | undefined {
  const set = PROXY_VARIABLES.filter((name) => env[name] !== undefined).map((name) => [name, env[name]!] as const);
  return set.length === 0 ? undefined : Object.freeze(Object.fromEntries(set));
}

function parseIgnoreTools(values: readonly string[]): string[] {
  return values.map((value) => {
    const glob = value.trim();
    if (glob === '') throw new UsageError('INVALID_OPTION', '--ignore-tool needs a tool name or a glob, e.g. --ignore-tool "delete_*"');
    return glob;
  });
}

/**
 * What the commands that only read or delete stored credentials (logout, status) need: the store,
 * the log level, the client flags (for revocation), and the server, if one was named. The URL is
 * normalised exactly as for a proxy run (it is the store's key) but not checked for https: nothing
 * is sent to it.
 */
export interface StoreConfig {
  readonly serverUrl: string | undefined;
  readonly logLevel: LogLevel;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  /** --client-key: for revoking the tokens of a private_key_jwt client. */
  readonly clientKey: ClientKey | undefined;
  readonly authDir: string;
  /** For revocation requests (logout). */
  readonly network: NetworkConfig;
  /** Every secret value in this config, for the log's redaction. */
  readonly secrets: readonly string[];
}

export function buildStoreConfig(url: string | undefined, raw: RawOptions, env: Env): StoreConfig {
  const logLevel = raw.logLevel ?? DEFAULTS.logLevel;
  if (!isLogLevel(logLevel)) {
    throw new UsageError('INVALID_OPTION', `--log-level must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }
  if (raw.clientSecret !== undefined && raw.clientId === undefined) {
    throw new UsageError('INVALID_OPTION', '--client-secret needs --client-id (the client the secret belongs to)');
  }
  // From the environment, the secret is used only with a --client-id (it may be meant for another server).
  const clientSecret = raw.clientId === undefined ? undefined : (raw.clientSecret ?? env[ENV.clientSecret]);
  return Object.freeze({
    serverUrl: url === undefined ? undefined : parseServerUrl(url, true),
    logLevel,
    clientId: raw.clientId,
    clientSecret,
    clientKey: buildClientGrant(raw, env, clientSecret).clientKey,
    authDir: resolveAuthDir(raw, env),
    network: buildNetwork(raw, env),
    secrets: Object.freeze(clientSecret === undefined ? [] : [clientSecret]),
  });
}

function parseServerUrl(text: string, allowHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError('INVALID_URL', `"${text}" is not a URL; give the server's full address, e.g. https://example.com/mcp`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError('INVALID_URL', `the server URL must start with https:// (got ${url.protocol}//)`);
  }
  if (url.username || url.password) {
    throw new UsageError('INVALID_URL', 'the server URL must not contain a user name or password; pass credentials with --header or --oauth2Bearer');
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !allowHttp) {
    throw new UsageError(
      'INSECURE_URL',
      `refusing plain http:// to ${url.host}: tokens would cross the network unencrypted. Use https://, or pass --allow-http if you accept that risk`,
    );
  }
  url.hash = '';
  return url.href;
}
