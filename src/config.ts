/**
 * Flags and environment → one frozen, validated Config. Every default lives in DEFAULTS;
 * every user mistake becomes a UsageError that names the flag or variable at fault.
 */
import { UsageError } from './errors.js';
import { addSecret, isLogLevel, LOG_LEVELS, type LogLevel } from './log.js';
import { isLoopbackHost } from './url.js';

export const TRANSPORTS = ['auto', 'streamable-http', 'sse'] as const;
export type TransportChoice = (typeof TRANSPORTS)[number];
export const PROTOCOLS = ['auto', 'legacy', 'modern'] as const;
export type ProtocolChoice = (typeof PROTOCOLS)[number];

export const DEFAULTS = {
  transport: 'auto' as TransportChoice,
  protocol: 'auto' as ProtocolChoice,
  timeoutSeconds: 300,
  authTimeoutSeconds: 300,
  logLevel: 'warn' as LogLevel,
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
}

/** The options as commander hands them over. */
export interface RawOptions {
  transport?: string;
  protocol?: string;
  oauth2Bearer?: string;
  header?: string[];
  allowHttp?: boolean;
  timeout?: string;
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
  // The credential commands (login, logout, status, token).
  force?: boolean;
  json?: boolean;
  all?: boolean;
  allServers?: boolean;
}

export type Env = Readonly<Record<string, string | undefined>>;

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
  const headers = parseHeaders(raw.header ?? [], env);
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
  readonly authDir: string | undefined;
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
    authDir: raw.authDir ?? env[ENV.authDir],
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

function parseHeaders(values: readonly string[], env: Env): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const raw of values) {
    const colon = raw.indexOf(':');
    // The argument may be a secret with a typo (Authorization=Bearer …): never echo it.
    if (colon <= 0) throw new UsageError('INVALID_HEADER', '--header expects "Name: value" (a header name, a colon, then the value)');
    const name = raw.slice(0, colon).trim();
    if (!HEADER_NAME.test(name)) throw new UsageError('INVALID_HEADER', `--header name "${name}" is not a valid HTTP header name`);
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower)) throw new UsageError('INVALID_HEADER', `--header ${name} is set by the proxy itself and cannot be overridden`);
    const value = expandEnv(raw.slice(colon + 1), env, `--header ${name}`).trim();
    if (/[\r\n\0]/.test(value)) throw new UsageError('INVALID_HEADER', `--header ${name} contains a line break`);
    addSecret(value);
    headers[lower] = lower in headers ? `${headers[lower]}, ${value}` : value;
  }
  return headers;
}

/** Expands ${VAR} from the environment; a variable that is not set is an error naming it. */
export function expandEnv(text: string, env: Env, where: string): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const value = env[name];
    if (value === undefined) throw new UsageError('MISSING_ENV', `${where} uses \${${name}}, but the environment variable ${name} is not set`);
    return value;
  });
}

function parseSeconds(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 2_000_000) {
    throw new UsageError('INVALID_OPTION', `${flag} takes a number of seconds greater than 0 (got "${text}")`);
  }
  return seconds;
}
