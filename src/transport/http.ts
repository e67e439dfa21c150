/**
 * The one place that talks HTTP (the only undici import). Requests never follow redirects
 * off the origin they were made to, so a token or custom header can only reach the origin it
 * was meant for; network failures become ProxyErrors whose message says what to try.
 */
// The undici modules the proxy needs, not the package entry, which also loads fetch, WebSocket,
// the cache and the mock agent: that halves undici's share of start-up (~40 ms). Bundled at
// build time from the locked version, and covered by every integration test.
import api from 'undici/lib/api/index.js';
import Agent from 'undici/lib/dispatcher/agent.js';
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import EnvHttpProxyAgent from 'undici/lib/dispatcher/env-http-proxy-agent.js';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { DEFAULTS, type NetworkConfig } from '../config.js';
import { ProxyError } from '../errors.js';
import { log } from '../log.js';
import { displayUrl, sameOrigin } from '../url.js';

// What undici's entry does on load: dispatchers get request(), connect() and the rest as methods
// (the proxy agent tunnels with connect()).
Object.assign(Dispatcher.prototype, api);

export interface HttpRequest {
  url: URL;
  method: 'GET' | 'POST' | 'DELETE';
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal | undefined;
}

export interface HttpResponse {
  status: number;
  url: URL;
  /** Lower-case header names; repeated headers joined as undici gives them. */
  header(name: string): string | undefined;
  headerList(name: string): string[];
  body: Readable & { text(): Promise<string>; dump(): Promise<void> };
}

const MAX_REDIRECTS = 5;

// Long-running tool calls and server streams may stay silent for minutes: the bridge owns request
// timeouts, so undici's own header/body timeouts are off. Connection set-up keeps a bound
// (--connect-timeout).
let dispatcher: Dispatcher | undefined;
function getDispatcher(): Dispatcher {
  dispatcher ??= createDispatcher();
  return dispatcher;
}

let network: NetworkConfig = { caFile: undefined, caCertificates: undefined, connectTimeoutMs: DEFAULTS.connectTimeoutSeconds * 1000, ipv4: false };

/** Sets how every later request connects (--ca-file, --connect-timeout, --ipv4). Call before the first request. */
export function configureHttp(config: NetworkConfig): void {
  network = config;
  const previous = dispatcher;
  dispatcher = undefined;
  if (previous) void previous.close().catch(() => undefined);
}

const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'];

/**
 * The proxy variables people have (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, either case) apply to every
 * request, discovery and token calls included, as curl applies them. Without them, a plain agent.
 */
function createDispatcher(): Dispatcher {
  const timeout = network.connectTimeoutMs;
  // One secure context for every connection (building one from ~150 CAs takes some 30 ms).
  const tls = network.caCertificates ? { secureContext: trustedContext(network.caCertificates) } : {};
  // --ipv4: look up A records only (no Happy Eyeballs), for networks whose IPv6 is broken.
  const family = network.ipv4 ? { family: 4, autoSelectFamily: false } : {};
  const options = { headersTimeout: 0, bodyTimeout: 0, connectTimeout: timeout, keepAliveTimeout: 30_000, connect: { ...tls, ...family } };
  const variable = PROXY_VARIABLES.find((name) => process.env[name]);
  if (!variable) return new Agent(options);
  log.info(`using the proxy in ${variable} (${displayUrl(process.env[variable]!)}); NO_PROXY is honoured`);
  // Through a proxy: proxyTls is the connection to the proxy, requestTls the TLS inside the tunnel.
  return new EnvHttpProxyAgent({ ...options, proxyTls: { ...tls, ...family, timeout }, requestTls: { ...tls, timeout } });
}

/**
 * Node's own CAs, plus NODE_EXTRA_CA_CERTS (a `ca` option replaces the store Node built from
 * both, so that file is read again here), plus the --ca-file certificates.
 */
function trustedContext(extra: readonly string[]): SecureContext {
  const ca = [...rootCertificates, ...extra];
  const file = process.env['NODE_EXTRA_CA_CERTS'];
  if (file) {
    try {
      ca.push(readFileSync(file, 'utf8'));
    } catch {
      // Node has already warned about it at start-up.
    }
  }
  return createSecureContext({ ca });
}

export async function closeHttp(): Promise<void> {
  const d = dispatcher;
  dispatcher = undefined;
  if (d) await d.destroy().catch(() => undefined);
}

export async function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  let url = req.url;
  for (let hop = 0; ; hop++) {
    const res = await send({ ...req, url });
    const location = res.headers['location'];
    if (!isFollowable(res.statusCode, req.method) || typeof location !== 'string') return wrap(res, url);
    const next = new URL(location, url);
    await res.body.dump();
    if (!sameOrigin(next, url)) {
      throw new ProxyError(
        'REMOTE_REDIRECT',
        `${displayUrl(url)} redirected to another origin (${next.origin}); credentials are only sent to ${url.origin}. If you trust it, use ${displayUrl(next)} as the server URL.`,
        { status: res.statusCode },
      );
    }
    if (hop >= MAX_REDIRECTS) {
      throw new ProxyError('REMOTE_REDIRECT', `too many redirects from ${displayUrl(req.url)}`, { status: res.statusCode });
    }
    url = next;
  }
}

// RFC 9110 §15.4: 307/308 keep the method and body; 301/302/303 would turn a POST into a GET,
// which is never what an MCP POST wants, so those are followed for GET only.
function isFollowable(status: number, method: string): boolean {
  if (status === 307 || status === 308) return true;
  return method === 'GET' && (status === 301 || status === 302 || status === 303);
}

async function send(req: HttpRequest): Promise<Dispatcher.ResponseData> {
  try {
    return await getDispatcher().request({
      origin: req.url.origin,
      path: `${req.url.pathname}${req.url.search}`,
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: req.signal,
    });
  } catch (error) {
    throw networkError(error, req.url, req.signal);
  }
}

function wrap(res: Dispatcher.ResponseData, url: URL): HttpResponse {
  const headers = res.headers;
  const get = (name: string): string | undefined => {
    const v = headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  };
  return {
    status: res.statusCode,
    url,
    header: get,
    headerList: (name) => {
      const v = headers[name];
      return v === undefined ? [] : Array.isArray(v) ? v : [v];
    },
    body: res.body as HttpResponse['body'],
  };
}

// What each certificate problem means. The first group is "not issued by a CA we trust": what
// TLS inspection by a corporate proxy looks like, fixed by trusting that CA.
const UNTRUSTED = 'its certificate is not issued by a CA this computer trusts';
const TLS_PROBLEMS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed, by no CA this computer trusts',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chain ends in a self-signed CA this computer does not trust',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED,
  CERT_UNTRUSTED: UNTRUSTED,
  CERT_HAS_EXPIRED: "its certificate has expired (or this computer's clock is wrong)",
  CERT_NOT_YET_VALID: "its certificate is not valid yet (or this computer's clock is wrong)",
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate is for another host name',
  CERT_SIGNATURE_FAILURE: "its certificate's signature does not verify",
  CERT_REVOKED: 'its certificate has been revoked',
  ERR_SSL_WRONG_VERSION_NUMBER: 'it does not speak TLS on that port (an http:// server?)',
};
const TRUST_PROBLEMS = new Set(Object.keys(TLS_PROBLEMS).filter((code) => TLS_PROBLEMS[code] === UNTRUSTED || code.includes('SELF_SIGNED')));

/** A certificate the peer presented failed verification (not: the port does not speak TLS). */
export function isCertificateProblem(code: string): boolean {
  return code in TLS_PROBLEMS && code !== 'ERR_SSL_WRONG_VERSION_NUMBER';
}

/** The most specific error code in a cause chain (undici wraps socket errors). */
export function errorCode(error: unknown): string | undefined {
  let found: string | undefined;
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'ETIMEDOUT';
    if (!code.startsWith('UND_ERR_')) found = code;
    else found ??= code;
  }
  return found;
}

/** Translates a network failure into a sentence a person can act on. */
export function networkError(error: unknown, url: URL, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason ?? error;
  if (error instanceof ProxyError) return error;
  const code = errorCode(error) ?? 'unknown error';
  const where = displayUrl(url);
  const problem = TLS_PROBLEMS[code];
  if (problem) {
    let remedy = '';
    if (TRUST_PROBLEMS.has(code)) {
      remedy = network.caFile
        ? ` It is not among the CAs of --ca-file ${network.caFile} either: that file (or NODE_EXTRA_CA_CERTS) must hold the CA that issued this certificate, e.g. your organisation's TLS inspection CA.`
        : " If your network inspects TLS (a corporate proxy), trust your organisation's CA: pass --ca-file <ca.pem>, or set NODE_EXTRA_CA_CERTS=<ca.pem>.";
    }
    return new ProxyError('REMOTE_TLS', `TLS failure talking to ${where}: ${problem} (${code}).${remedy}`, { cause: error });
  }
  const hints: Record<string, string> = {
    ECONNREFUSED: 'is the server running?',
    ENOTFOUND: 'check the host name (DNS lookup failed)',
    EAI_AGAIN: 'DNS lookup failed for now: check your network',
    ETIMEDOUT: `the server did not answer in time (connecting may take at most ${network.connectTimeoutMs / 1000} s, see --connect-timeout): check the address and your network or proxy`,
    ECONNRESET: 'the connection was reset: the server or a proxy in between closed it',
    EHOSTUNREACH: 'the host is unreachable: check your network',
    ENETUNREACH: 'the network is unreachable: check your connection',
    UND_ERR_SOCKET: 'the server closed the connection',
  };
  const hint = hints[code] ?? 'check the URL and your network';
  return new ProxyError('REMOTE_UNREACHABLE', `could not connect to ${where} (${code}): ${hint}`, { cause: error });
}
