/**
 * Flags and environment → one frozen, validated Config. Every default lives in DEFAULTS;
 * every user mistake becomes a UsageError that names the flag or variable at fault.
 */
import { chooseAlg, parsePrivateKey, type ClientKey } from './auth/client-assertion.js';
import { UsageError } from './errors.js';
import { addSecret, isLogLevel, LOG_LEVELS, type LogLevel } from './log.js';
import { expandEnv, parseSeconds, readCaFile, readUserFile, type Env } from './option-values.js';
import { isLoopbackHost } from './url.js';

export const TRANSPORTS = ['auto', 'streamable-http', 'sse'] as const;
export type TransportChoice = (typeof TRANSPORTS)[number];
export const PROTOCOLS = ['auto', 'legacy', 'modern'] as const;
export type ProtocolChoice = (typeof PROTOCOLS)[number];
export const GRANTS = ['authorization_code', 'client_credentials'] as const;
export type GrantChoice = (typeof GRANTS)[number];

export const DEFAULTS = {
  transport: 'auto' as TransportChoice,
  protocol: 'auto' as ProtocolChoice,
  timeoutSeconds: 300,
  connectTimeoutSeconds: 30,
  authTimeoutSeconds: 300,
  logLevel: 'warn' as LogLevel,
  grant: 'authorization_code' as GrantChoice,
} as const;

export const ENV = {
  bearer: 'MCP_AUTH_PROXY_BEARER',
  clientSecret: 'MCP_AUTH_PROXY_CLIENT_SECRET',
  authDir: 'MCP_AUTH_PROXY_DIR',
} as const;

export interface Config {
  readonly serverUrl: string;
  readonly transport: TransportChoice;
  /** MCP 2026-07-28 ("modern") or the initialize-based revisions ("legacy"), or detect. */
  readonly protocol: ProtocolChoice;
  /** Where the proxy keeps what it remembers per server (credentials, the protocol era). */
  readonly stateDir: string | undefined;
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
  readonly authTimeoutMs: number;
  readonly authDir: string | undefined;
  readonly assumePkce: boolean;
  /** --grant: a user's sign-in, or the client's own token (machine to machine). */
  readonly grant: GrantChoice;
  /** --client-key (with --client-key-alg / --client-key-id): private_key_jwt for the --client-id client. */
  readonly clientKey: ClientKey | undefined;
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
  // The credential commands (login, logout, status, token).
  force?: boolean;
  json?: boolean;
  all?: boolean;
  allServers?: boolean;
}

export type { Env };

// Headers the transports set themselves; a user value would break the protocol.
const RESERVED_HEADERS = new Set([
  'accept',
  'content-type',
  'content-length',
  'host',
  'connection',
  'transfer-encoding',
  'last-event-id',
  'mcp-session-id',
  'mcp-protocol-version',
]);

// RFC 9110 §5.6.2 token.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function buildConfig(url: string, raw: RawOptions, env: Env): Config {
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
  if (protocol === 'modern' && transport === 'sse') throw new UsageError('INVALID_OPTION', '--protocol modern needs Streamable HTTP, not --transport sse');
  const logLevel = raw.logLevel ?? DEFAULTS.logLevel;
  if (!isLogLevel(logLevel)) {
    throw new UsageError('INVALID_OPTION', `--log-level must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }
  const headers = parseHeaders(raw.header ?? [], env, () => '--header', readHeaderFile(raw.headerFile, env));
  const bearerSource = raw.oauth2Bearer !== undefined ? '--oauth2Bearer' : ENV.bearer;
  const bearerRaw = raw.oauth2Bearer ?? env[ENV.bearer];
  const bearer = bearerRaw === undefined ? undefined : expandEnv(bearerRaw, env, bearerSource).trim();
  if (bearer === '') throw new UsageError('INVALID_OPTION', `${bearerSource} is empty`);
  if (bearer !== undefined && 'authorization' in headers) {
    throw new UsageError('INVALID_OPTION', `give the credentials once: ${bearerSource} and an Authorization --header were both given`);
  }
  addSecret(bearer);
  const oauth = buildOAuth(raw, env, bearer === undefined && !('authorization' in headers));
  return Object.freeze({
    serverUrl,
    transport: transport as TransportChoice,
    protocol: protocol as ProtocolChoice,
    stateDir: oauth.authDir,
    bearer,
    headers: Object.freeze(headers),
    allowHttp,
    timeoutMs: parseSeconds(raw.timeout, '--timeout', DEFAULTS.timeoutSeconds) * 1000,
    logLevel,
    oauth,
    network: buildNetwork(raw, env),
    keepaliveMs: raw.keepalive === undefined || Number(raw.keepalive) === 0 ? undefined : parseSeconds(raw.keepalive, '--keepalive', 0) * 1000,
    ignoreTools: Object.freeze(parseIgnoreTools(raw.ignoreTool ?? [])),
  });
}

/** --ca-file, --connect-timeout and --ipv4: how to reach servers, for every command that does. */
export function buildNetwork(raw: RawOptions, env: Env): NetworkConfig {
  const caFile = raw.caFile;
  return Object.freeze({
    caFile,
    caCertificates: caFile === undefined ? undefined : Object.freeze(readCaFile(caFile, env)),
    connectTimeoutMs: parseSeconds(raw.connectTimeout, '--connect-timeout', DEFAULTS.connectTimeoutSeconds) * 1000,
    ipv4: raw.ipv4 === true,
    proxyVariables: proxyVariables(env),
    extraCaCertsFile: env['NODE_EXTRA_CA_CERTS'] || undefined,
  });
}

const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'no_proxy', 'NO_PROXY'];

function proxyVariables(env: Env): Readonly<Record<string, string>> | undefined {
  const set = PROXY_VARIABLES.filter((name) => env[name] !== undefined).map((name) => [name, env[name]!] as const);
  return set.length === 0 ? undefined : Object.freeze(Object.fromEntries(set));
}

/**
 * --header-file: "Name: value" lines (blank lines and # comments skipped), each checked like a
 * --header; errors name the file and line, never a value.
 */
function readHeaderFile(file: string | undefined, env: Env): Record<string, string> {
  if (file === undefined) return {};
  const lines = readUserFile(file, '--header-file', env).toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  const values: string[] = [];
  const where: string[] = [];
  lines.forEach((line, i) => {
    const text = line.trim();
    if (text === '' || text.startsWith('#')) return;
    values.push(text);
    where.push(`--header-file ${file}:${i + 1}`);
  });
  return parseHeaders(values, env, (i) => where[i]!);
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
  readonly authDir: string | undefined;
  /** For revocation requests (logout). */
  readonly network: NetworkConfig;
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
  addSecret(clientSecret);
  return Object.freeze({
    serverUrl: url === undefined ? undefined : parseServerUrl(url, true),
    logLevel,
    clientId: raw.clientId,
    clientSecret,
    clientKey: buildClientGrant(raw, env, clientSecret).clientKey,
    authDir: raw.authDir ?? env[ENV.authDir],
    network: buildNetwork(raw, env),
  });
}

function buildOAuth(raw: RawOptions, env: Env, enabled: boolean): OAuthConfig {
  const clientSecret = raw.clientSecret ?? env[ENV.clientSecret];
  addSecret(clientSecret);
  if (clientSecret !== undefined && raw.clientId === undefined) {
    throw new UsageError('INVALID_OPTION', `a client secret (--client-secret or ${ENV.clientSecret}) needs --client-id`);
  }
  const clientMetadataUrl = raw.clientMetadataUrl;
  if (clientMetadataUrl !== undefined) {
    // A client ID metadata document URL must be https with a path (it is the client_id).
    let url: URL | undefined;
    try {
      url = new URL(clientMetadataUrl);
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== 'https:' || url.pathname === '/' || url.hash) {
      throw new UsageError('INVALID_URL', `--client-metadata-url must be an https URL with a path, e.g. https://example.com/client.json`);
    }
  }
  let resource: string | false | undefined;
  if (raw.resource === false) resource = false;
  else if (typeof raw.resource === 'string') {
    try {
      new URL(raw.resource);
    } catch {
      throw new UsageError('INVALID_URL', `--resource must be an absolute URI (got "${raw.resource}")`);
    }
    resource = raw.resource;
  }
  let callbackPort: number | undefined;
  if (raw.callbackPort !== undefined) {
    callbackPort = Number(raw.callbackPort);
    if (!Number.isInteger(callbackPort) || callbackPort < 1 || callbackPort > 65535) {
      throw new UsageError('INVALID_OPTION', `--callback-port takes a port number from 1 to 65535 (got "${raw.callbackPort}")`);
    }
  }
  const browser = raw.browser?.trim();
  if (browser === '') throw new UsageError('INVALID_OPTION', '--browser needs a command, or "none"');
  return Object.freeze({
    enabled,
    clientId: raw.clientId,
    clientSecret,
    clientMetadataUrl,
    scope: raw.scope?.trim() || undefined,
    resource,
    callbackPort,
    browser,
    authTimeoutMs: parseSeconds(raw.authTimeout, '--auth-timeout', DEFAULTS.authTimeoutSeconds) * 1000,
    authDir: raw.authDir ?? env[ENV.authDir],
    assumePkce: raw.assumePkce === true,
    ...buildClientGrant(raw, env, clientSecret),
  });
}

/** --grant and --client-key: which client credentials a machine-to-machine run needs, checked up front. */
function buildClientGrant(raw: RawOptions, env: Env, clientSecret: string | undefined): { grant: GrantChoice; clientKey: ClientKey | undefined } {
  const grant = raw.grant ?? DEFAULTS.grant;
  if (!(GRANTS as readonly string[]).includes(grant)) {
    throw new UsageError('INVALID_OPTION', `--grant must be one of ${GRANTS.join(', ')} (got "${grant}")`);
  }
  if (raw.clientKey === undefined) {
    if (raw.clientKeyAlg !== undefined || raw.clientKeyId !== undefined) {
      throw new UsageError('INVALID_OPTION', `${raw.clientKeyAlg !== undefined ? '--client-key-alg' : '--client-key-id'} needs --client-key (the private key it describes)`);
    }
  } else {
    if (raw.clientId === undefined) throw new UsageError('INVALID_OPTION', '--client-key needs --client-id (the client the key belongs to)');
    if (clientSecret !== undefined) {
      throw new UsageError('INVALID_OPTION', `give the client's credentials once: --client-key and a client secret (--client-secret or ${ENV.clientSecret}) were both given`);
    }
  }
  if (grant === 'client_credentials' && (raw.clientId === undefined || (clientSecret === undefined && raw.clientKey === undefined))) {
    throw new UsageError(
      'INVALID_OPTION',
      `--grant client_credentials needs a client registered with the authorization server in advance: pass --client-id with --client-secret (or ${ENV.clientSecret}) or with --client-key <pem file>`,
    );
  }
  return { grant: grant as GrantChoice, clientKey: raw.clientKey === undefined ? undefined : readClientKey(raw.clientKey, raw, env) };
}

/** The --client-key file: a private key (PEM or JWK) that can sign with the chosen algorithm. */
function readClientKey(file: string, raw: RawOptions, env: Env): ClientKey {
  const data = readUserFile(file, '--client-key', env);
  try {
    const { key, kid } = parsePrivateKey(data);
    const alg = chooseAlg(key, raw.clientKeyAlg);
    const keyId = raw.clientKeyId?.trim() || kid;
    return Object.freeze({ key, alg, kid: keyId });
  } catch (error) {
    const flag = raw.clientKeyAlg !== undefined && /does not fit/.test((error as Error).message) ? '--client-key-alg' : `--client-key ${file}`;
    throw new UsageError('INVALID_OPTION', `${flag}: ${(error as Error).message}`);
  }
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

/** `label(i)` names where values[i] came from in errors (--header, or a --header-file line); `headers` is added to. */
function parseHeaders(values: readonly string[], env: Env, label: (index: number) => string = () => '--header', headers: Record<string, string> = {}): Record<string, string> {
  for (const [index, raw] of values.entries()) {
    const where = label(index);
    const colon = raw.indexOf(':');
    // The argument may be a secret with a typo (Authorization=Bearer …): never echo it.
    if (colon <= 0) throw new UsageError('INVALID_HEADER', `${where} expects "Name: value" (a header name, a colon, then the value)`);
    const name = raw.slice(0, colon).trim();
    // Not echoed either: "Bearer abc:def" would show half a secret.
    if (!HEADER_NAME.test(name)) throw new UsageError('INVALID_HEADER', `${where}: the text before the colon is not a valid HTTP header name`);
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower)) throw new UsageError('INVALID_HEADER', `${where} ${name} is set by the proxy itself and cannot be overridden`);
    const value = expandEnv(raw.slice(colon + 1), env, `${where} ${name}`).trim();
    if (/[\r\n\0]/.test(value)) throw new UsageError('INVALID_HEADER', `${where} ${name} contains a line break`);
    addSecret(value);
    headers[lower] = lower in headers ? `${headers[lower]}, ${value}` : value;
  }
  return headers;
}
