/**
 * The sign-in options real providers need (issue 11 §2), checked once here: extra authorization
 * request parameters, the redirect URI's host and path, the page after a sign-in, the ID token as
 * bearer, what dynamic registration sends, a static client (mcp-remote's
 * --static-oauth-client-info) and an explicit token endpoint. Errors name the flag and the field,
 * never a value that may be a secret.
 */
import { DEFAULTS } from './config-defaults.js';
import type { RawOptions } from './config.js';
import { UsageError } from './errors.js';
import { expandEnv, readUserFile, type Env } from './option-values.js';
import { isLoopbackHost } from './url.js';

export interface SignInOptions {
  /** --authorize-param: extra authorization request parameters, in the order given. */
  readonly authorizeParams: Readonly<Record<string, string>>;
  /** The redirect URI's host name (the listener binds loopback whatever it is) and path. */
  readonly callbackHost: string;
  readonly callbackPath: string;
  /** --auth-success-url: where the browser goes after a successful sign-in. */
  readonly authSuccessUrl: string | undefined;
  /** --use-id-token: the OIDC ID token is the bearer (renewed by its exp). */
  readonly useIdToken: boolean;
  /** --client-name / --static-oauth-client-metadata: merged over what dynamic registration sends. */
  readonly registrationMetadata: Readonly<Record<string, unknown>> | undefined;
  /** --token-endpoint: with client credentials, used instead of discovery. */
  readonly tokenEndpoint: string | undefined;
}

// The parameters the flow itself sets per request (OAuth 2.1 §4.1.1, RFC 7636, RFC 8707): a user
// value would break PKCE, state or the token's audience, or disagree with the token request.
const FLOW_PARAMS = new Set(['client_id', 'redirect_uri', 'response_type', 'state', 'code_challenge', 'code_challenge_method', 'scope', 'resource']);
const FLOW_HINTS: Record<string, string> = {
  scope: ' (use --scope)',
  resource: ' (use --resource)',
  client_id: ' (use --client-id)',
  redirect_uri: ' (use --callback-host, --callback-port, --callback-path)',
};

// RFC 7591 §2 metadata the proxy owns: its loopback redirect and the grants each flow needs.
const OWNED_METADATA = new Set(['redirect_uris', 'grant_types', 'response_types', 'client_id', 'client_secret']);
const AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'];

export function buildSignIn(raw: RawOptions, env: Env, allowHttp: boolean): SignInOptions {
  return Object.freeze({
    authorizeParams: Object.freeze(parseAuthorizeParams(raw.authorizeParam ?? [])),
    callbackHost: parseCallbackHost(raw.callbackHost),
    callbackPath: parseCallbackPath(raw.callbackPath),
    authSuccessUrl: raw.authSuccessUrl === undefined ? undefined : httpsOrLoopback(raw.authSuccessUrl, '--auth-success-url', allowHttp),
    useIdToken: raw.useIdToken === true,
    registrationMetadata: registrationMetadata(raw, env),
    tokenEndpoint: raw.tokenEndpoint === undefined ? undefined : tokenEndpoint(raw, allowHttp),
  });
}

export function parseAuthorizeParams(values: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const text of values) {
    const eq = text.indexOf('=');
    const key = eq < 0 ? text.trim() : text.slice(0, eq).trim();
    if (eq < 1 || key === '')
      throw new UsageError('INVALID_OPTION', '--authorize-param expects key=value, e.g. --authorize-param audience=https://api.example.com');
    if (!/^[A-Za-z0-9_.~-]+$/.test(key)) throw new UsageError('INVALID_OPTION', `--authorize-param: "${key}" is not a parameter name`);
    if (FLOW_PARAMS.has(key) || key.startsWith('code_challenge')) {
      throw new UsageError('INVALID_OPTION', `--authorize-param cannot set "${key}": the sign-in flow sets it itself${FLOW_HINTS[key] ?? ''}`);
    }
    params[key] = text.slice(eq + 1);
  }
  return params;
}

/** The storage key part for --authorize-param: tokens asked with other parameters (another audience) are other tokens. */
export function authorizeParamsKey(params: Readonly<Record<string, string>>): string | undefined {
  const keys = Object.keys(params).sort();
  return keys.length === 0 ? undefined : keys.map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(params[k]!)}`).join('&');
}

/**
 * Where a server's credentials are stored: its URL, plus the --authorize-param set and an explicit
 * --resource when given, so that two host entries for one server (two tenants, two audiences, as
 * mcp-remote's "multiple instances") keep their own tokens side by side.
 */
export function credentialsKey(serverHref: string, params: Readonly<Record<string, string>>, resource?: string | false): string {
  const parts = [authorizeParamsKey(params), typeof resource === 'string' ? `resource=${encodeURIComponent(resource)}` : undefined].filter(
    (p) => p !== undefined,
  );
  return parts.length === 0 ? serverHref : `${serverHref}#${parts.join(';')}`;
}

function parseCallbackHost(text: string | undefined): string {
  if (text === undefined) return DEFAULTS.callbackHost;
  const host = text.trim().toLowerCase();
  // RFC 8252 §7.3: a loopback redirect; the listener binds loopback, so only loopback names reach it.
  if (host !== 'localhost' && !isLoopbackHost(host)) {
    throw new UsageError(
      'INVALID_OPTION',
      `--callback-host must name this machine's loopback: 127.0.0.1, localhost or [::1] (got "${text}"); the sign-in listener binds loopback only`,
    );
  }
  return host === '::1' ? '[::1]' : host;
}

function parseCallbackPath(text: string | undefined): string {
  if (text === undefined) return DEFAULTS.callbackPath;
  if (!/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/.test(text)) {
    throw new UsageError('INVALID_OPTION', `--callback-path must be a URL path starting with /, without query or fragment (got "${text}")`);
  }
  return text;
}

function httpsOrLoopback(text: string, flag: string, allowHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError('INVALID_URL', `${flag} must be an absolute URL (got "${text}")`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (allowHttp || isLoopbackHost(url.hostname)))) {
    throw new UsageError('INVALID_URL', `${flag} must be https (or http on loopback, or with --allow-http) (got ${url.protocol}//)`);
  }
  if (url.username || url.password || url.hash) throw new UsageError('INVALID_URL', `${flag} must not contain a user name, password or fragment`);
  return url.href;
}

function tokenEndpoint(raw: RawOptions, allowHttp: boolean): string {
  if ((raw.grant ?? DEFAULTS.grant) !== 'client_credentials') {
    throw new UsageError(
      'INVALID_OPTION',
      "--token-endpoint needs --grant client_credentials (or mcp-remote's --client-credentials): a user's sign-in finds its endpoints by discovery",
    );
  }
  return httpsOrLoopback(raw.tokenEndpoint!, '--token-endpoint', allowHttp);
}

/** A JSON object given inline or as @file (mcp-remote's form); `${VAR}` expanded when `expand`. */
function readJsonObject(text: string, flag: string, env: Env, expand: boolean): Record<string, unknown> {
  const source = text.startsWith('@') ? readUserFile(text.slice(1), flag, env).toString('utf8') : text;
  let value: unknown;
  try {
    value = JSON.parse(expand ? expandEnv(source, env, flag) : source);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError('INVALID_OPTION', `${flag} is not valid JSON${text.startsWith('@') ? ` (in ${text.slice(1)})` : ''}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError('INVALID_OPTION', `${flag} must be a JSON object`);
  return value as Record<string, unknown>;
}

function registrationMetadata(raw: RawOptions, env: Env): Record<string, unknown> | undefined {
  const flag = '--static-oauth-client-metadata';
  const given = raw.staticOauthClientMetadata === undefined ? {} : readJsonObject(raw.staticOauthClientMetadata, flag, env, false);
  for (const [key, value] of Object.entries(given)) {
    if (OWNED_METADATA.has(key)) throw new UsageError('INVALID_OPTION', `${flag} cannot set "${key}": the proxy sets it for the flow it runs`);
    const where = `${flag} "${key}"`;
    if (key.endsWith('_uri')) {
      if (typeof value !== 'string' || !/^https:\/\//.test(value)) throw new UsageError('INVALID_OPTION', `${where} must be an https URL`);
    } else if (key === 'token_endpoint_auth_method') {
      if (typeof value !== 'string' || !AUTH_METHODS.includes(value))
        throw new UsageError('INVALID_OPTION', `${where} must be one of ${AUTH_METHODS.join(', ')}`);
    } else if (key === 'contacts') {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new UsageError('INVALID_OPTION', `${where} must be an array of strings`);
    } else if (['client_name', 'scope', 'software_id', 'software_version'].includes(key) && (typeof value !== 'string' || value.trim() === '')) {
      throw new UsageError('INVALID_OPTION', `${where} must be a non-empty string`);
    }
  }
  const name = raw.clientName?.trim();
  if (raw.clientName !== undefined && !name) throw new UsageError('INVALID_OPTION', '--client-name needs a name');
  const metadata = { ...given, ...(name ? { client_name: name } : {}) };
  return Object.keys(metadata).length === 0 ? undefined : Object.freeze(metadata);
}

/** mcp-remote's --static-oauth-client-info (`{"client_id", "client_secret"}`, `${VAR}` expanded): a pre-registered client. */
export function staticClientInfo(raw: RawOptions, env: Env): { clientId?: string; clientSecret?: string } {
  if (raw.staticOauthClientInfo === undefined) return {};
  const flag = '--static-oauth-client-info';
  const info = readJsonObject(raw.staticOauthClientInfo, flag, env, true);
  const clientId = info['client_id'];
  const clientSecret = info['client_secret'];
  if (typeof clientId !== 'string' || clientId === '') throw new UsageError('INVALID_OPTION', `${flag} needs "client_id" (a string)`);
  if (clientSecret !== undefined && typeof clientSecret !== 'string') throw new UsageError('INVALID_OPTION', `${flag} "client_secret" must be a string`);
  if (raw.clientId !== undefined || raw.clientSecret !== undefined)
    throw new UsageError('INVALID_OPTION', `give the client once: ${flag} and --client-id / --client-secret were both given`);
  return clientSecret === undefined ? { clientId } : { clientId, clientSecret };
}
