/**
 * Two error families, each with a stable `code` to branch on (never branch on message text):
 * - UsageError: the user's input (flags, environment, URL) is wrong. The CLI exits 2.
 * - ProxyError: something went wrong while proxying (network, server, protocol, auth). A pending
 *   host request gets it as a JSON-RPC error; the process keeps running.
 * Messages are written for a person: what happened, and what to try.
 */

export type UsageErrorCode =
  | 'INVALID_OPTION'
  | 'INVALID_URL'
  | 'INSECURE_URL'
  | 'MISSING_ENV'
  | 'INVALID_HEADER'
  // A secret file others can write (--client-key): see secret-file-mode.ts.
  | 'UNSAFE_FILE';

export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    readonly code: UsageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type ProxyErrorCode =
  | 'REMOTE_UNREACHABLE'
  | 'REMOTE_TLS'
  | 'REMOTE_HTTP_STATUS'
  | 'REMOTE_BAD_RESPONSE'
  | 'REMOTE_STREAM_LOST'
  | 'REMOTE_REDIRECT'
  | 'REQUEST_TIMEOUT'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'TRANSPORT_UNSUPPORTED'
  | 'SESSION_EXPIRED'
  | 'CLOSED'
  // A message (host line, JSON body, SSE event) larger than --max-message-mb.
  | 'MESSAGE_TOO_LARGE'
  // The host answered a request of the server (sampling, elicitation, roots) with an error.
  | 'HOST_DECLINED'
  // A URL named by a server is refused by the UrlPolicy (SSRF: link-local, private, plain http).
  | 'URL_REFUSED'
  // A message nested so deep (thousands of levels) that serialising or walking it overflows the stack.
  | 'MESSAGE_TOO_DEEP'
  // A bug in the proxy itself, not the server's or the network's doing (see toProxyError).
  | 'INTERNAL'
  // Authorization (MCP "Authorization"): which step failed.
  | 'AUTH_DISCOVERY'
  | 'AUTH_PKCE_UNSUPPORTED'
  | 'AUTH_REGISTRATION'
  | 'AUTH_CALLBACK'
  | 'AUTH_DENIED'
  | 'AUTH_TOKEN'
  | 'AUTH_TIMEOUT'
  | 'AUTH_BROWSER'
  // --callback-port names a port something else listens on.
  | 'AUTH_CALLBACK_PORT_TAKEN'
  // The credentials directory or a file in it is another user's, or writable by others (StrictModes).
  | 'AUTH_STORE_UNSAFE'
  // Another proxy has held the sign-in (or refresh) lock of this server for too long.
  | 'AUTH_LOCK_BUSY'
  // DPoP (RFC 9449): the server requires it and --dpop never was given, or nonces loop, or no usable algorithm.
  | 'AUTH_DPOP'
  // RFC 7009 revocation (logout only; never reaches a host).
  | 'AUTH_REVOCATION'
  // RFC 7523 §2.1: the workload's assertion (--assertion-file / --assertion-env) cannot be read.
  | 'AUTH_ASSERTION_UNREADABLE'
  // RFC 7523 §3.1: the authorization server refused the assertion (a workload JWT or an ID-JAG).
  | 'AUTH_ASSERTION_REJECTED'
  // Enterprise-managed authorization: the identity provider's policy refused a token for this MCP server.
  | 'AUTH_IDP_REFUSED'
  // `config --write`: a host's config file does not parse (the command only; never reaches a host).
  | 'HOST_CONFIG_INVALID';

/** JSON-RPC error codes we put on the wire (JSON-RPC 2.0 §5.1 reserves -32000…-32099 for servers). */
export const JSONRPC_PARSE_ERROR = -32700;
export const JSONRPC_INVALID_REQUEST = -32600;
export const JSONRPC_INVALID_PARAMS = -32602;
export const JSONRPC_PROXY_ERROR = -32000;
export const JSONRPC_TIMEOUT = -32001;

export class ProxyError extends Error {
  override readonly name = 'ProxyError';
  readonly code: ProxyErrorCode;
  /** HTTP status, when the failure was an HTTP answer. */
  readonly status: number | undefined;
  /** The OAuth `error` code (RFC 6749 §5.2), when an authorization server gave one. */
  readonly oauthError: string | undefined;
  /** What the server itself said (one line, bounded, redacted: see http/server-reason.ts). */
  readonly serverMessage: string | undefined;
  /** The sign-in page the user should open (a browser could not be opened for them). */
  readonly signInUrl: string | undefined;
  constructor(
    code: ProxyErrorCode,
    message: string,
    options: { status?: number; oauthError?: string; serverMessage?: string | undefined; signInUrl?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.oauthError = options.oauthError;
    this.serverMessage = options.serverMessage;
    this.signInUrl = options.signInUrl;
  }
}

/** Authorization problems: the sign-in or the server's verdict on the credentials (the CLI's exit code 3). */
export function isAuthProblem(error: unknown): boolean {
  return isProxyError(error) && (error.code.startsWith('AUTH_') || error.code === 'UNAUTHORIZED' || error.code === 'FORBIDDEN');
}

export function isProxyError(error: unknown, code?: ProxyErrorCode): error is ProxyError {
  return error instanceof ProxyError && (code === undefined || error.code === code);
}

/**
 * Turns anything thrown into a ProxyError without losing a ProxyError's own code. Whatever the
 * server or the network does wrong is raised as a ProxyError where it is found, so anything else
 * is the proxy's own bug: INTERNAL, never blamed on the server.
 */
export function toProxyError(error: unknown): ProxyError {
  if (error instanceof ProxyError) return error;
  // A stack overflow is a message too deep to walk (see json-text.ts), not a bug of ours.
  if (isStackOverflow(error)) {
    return new ProxyError(
      'MESSAGE_TOO_DEEP',
      'a message is nested too deeply to be processed (thousands of levels of JSON arrays/objects); it was not forwarded',
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ProxyError('INTERNAL', `internal error in mcp-auth-proxy (please report it): ${message}`, { cause: error });
}

/** True for the RangeError V8 throws when the stack overflows (a value nested too deep to walk). */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}
