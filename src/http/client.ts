/**
 * The one place that talks HTTP (the only undici import). One HttpClient per run, made from the
 * network settings, is passed to everything that makes requests. Requests never follow redirects
 * off the origin they were made to, so a token or custom header can only reach the origin it was
 * meant for; network failures become ProxyErrors whose message says what to try.
 */
// The undici modules the proxy needs, not the package entry, which also loads fetch, WebSocket,
// the cache and the mock agent: that halves undici's share of start-up (~40 ms). Bundled at
// build time from the locked version, and covered by every integration test.
import api from 'undici/lib/api/index.js';
import Agent from 'undici/lib/dispatcher/agent.js';
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import EnvHttpProxyAgent from 'undici/lib/dispatcher/env-http-proxy-agent.js';
import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import { createSecureContext } from 'node:tls';
import type { NetworkConfig } from '../config.js';
import { ProxyError } from '../errors.js';
import { log } from '../log.js';
import { displayUrl, sameOrigin } from '../url.js';
import { CookieJar } from './cookie-jar.js';
import { UrlRefusedError, type UrlPolicy } from '../url-policy.js';
import { networkError } from './network-problem.js';
import { proxyVariables } from './proxy-for.js';
import { trustedCas } from './trusted-cas.js';

// What undici's entry does on load: dispatchers get request(), connect() and the rest as methods
// (the proxy agent tunnels with connect()).
Object.assign(Dispatcher.prototype, api);

export interface HttpRequest {
  url: URL;
  method: 'GET' | 'POST' | 'DELETE';
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal | undefined;
  /** The URL came from a server (a header or a metadata document), not the user: the UrlPolicy applies. */
  namedByServer?: boolean;
}

export interface HttpClientOptions {
  /** Checks every URL named by a server, before the request and after DNS resolution (SSRF). */
  urlPolicy?: UrlPolicy | undefined;
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

export class HttpClient {
  /**
   * Connections, shared with withCookies() children: `plain`, and `guarded` for server-named URLs
   * (every address they resolve to passes the UrlPolicy).
   */
  private pool: { plain?: Dispatcher | undefined; guarded?: Dispatcher | undefined } = {};

  private jar: CookieJar | undefined;

  constructor(
    private readonly network: NetworkConfig,
    private readonly options: HttpClientOptions = {},
  ) {}

  /**
   * A client for the MCP server's requests that keeps `origin`'s cookies in memory and sends them
   * back there only (cookie-jar.ts); it shares this client's connections. The authorizer keeps
   * the client without a jar, so no cookie ever reaches the authorization server.
   */
  withCookies(origin: string): HttpClient {
    const child = new HttpClient(this.network, this.options);
    child.pool = this.pool;
    child.jar = new CookieJar(origin);
    return child;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    let url = req.url;
    for (let hop = 0; ; hop++) {
      if (req.namedByServer) this.checkPolicy(url);
      const jarred = this.jar?.header(url);
      const cookie = jarred === undefined || req.headers['cookie'] === undefined ? jarred : `${req.headers['cookie']}; ${jarred}`;
      const res = await this.send({ ...req, url, headers: cookie === undefined ? req.headers : { ...req.headers, cookie } });
      const setCookie = res.headers['set-cookie'];
      if (this.jar && setCookie !== undefined) this.jar.store(url, Array.isArray(setCookie) ? setCookie : [setCookie]);
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

  /** Drops every connection; a later request opens new ones. */
  async close(): Promise<void> {
    const { plain, guarded } = this.pool;
    this.pool.plain = this.pool.guarded = undefined;
    await Promise.all([plain, guarded].map((d) => d?.destroy().catch(() => undefined)));
  }

  private checkPolicy(url: URL): void {
    const reason = this.options.urlPolicy?.refusal(url);
    if (reason) throw refused(url, reason);
  }

  private async send(req: HttpRequest): Promise<Dispatcher.ResponseData> {
    try {
      const policy = this.options.urlPolicy;
      const dispatcher =
        req.namedByServer && policy
          ? (this.pool.guarded ??= this.createDispatcher(policy.lookup(true)))
          : (this.pool.plain ??= this.createDispatcher(policy?.lookup(false)));
      return await dispatcher.request({
        origin: req.url.origin,
        path: `${req.url.pathname}${req.url.search}`,
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: req.signal,
      });
    } catch (error) {
      const refusal = refusedCause(error);
      if (refusal) throw refused(req.url, refusal.message);
      throw networkError(error, req.url, req.signal, this.network);
    }
  }

  /**
   * Long-running tool calls and server streams may stay silent for minutes: the bridge owns
   * request timeouts, so undici's own header/body timeouts are off unless --headers-timeout /
   * --body-timeout ask for them (networks that cut idle streams). Connection set-up keeps a
   * bound (--connect-timeout). The proxy variables people have (HTTPS_PROXY, HTTP_PROXY,
   * NO_PROXY, either case) apply to every request, discovery and token calls included, as curl
   * applies them. Without them, a plain agent.
   */
  private createDispatcher(lookup?: LookupFunction): Dispatcher {
    const network = this.network;
    const timeout = network.connectTimeoutMs;
    // One secure context for every connection (building one from ~150 CAs takes some 30 ms).
    const tls = network.caCertificates ? { secureContext: createSecureContext({ ca: trustedCas(network.caCertificates, network.extraCaCertsFile) }) } : {};
    // --ipv4: look up A records only (no Happy Eyeballs), for networks whose IPv6 is broken.
    const family = network.ipv4 ? { family: 4, autoSelectFamily: false } : {};
    const options = {
      headersTimeout: network.headersTimeoutMs,
      bodyTimeout: network.bodyTimeoutMs,
      connectTimeout: timeout,
      keepAliveTimeout: 30_000,
      connect: { ...tls, ...family },
    };
    const { http, https, noProxy } = proxyVariables(network.proxyVariables ?? {});
    const variable = [https, http].find((v) => v?.value)?.variable;
    // The UrlPolicy's address check runs where names are resolved: here without a proxy (through
    // one, the proxy resolves them and only the URL check applies).
    if (!variable) return new Agent(lookup ? { ...options, connect: { ...options.connect, lookup } } : options);
    log.info(`using the proxy in ${variable} (${displayUrl(network.proxyVariables![variable]!)}); NO_PROXY is honoured`);
    // The values resolved in config, never the process's environment: '' where unset, which undici takes as "none".
    const fromConfig = { httpProxy: http?.value ?? '', httpsProxy: https?.value ?? '', noProxy: noProxy?.value ?? '' };
    // Through a proxy: proxyTls is the connection to the proxy, requestTls the TLS inside the tunnel.
    return new EnvHttpProxyAgent({ ...options, ...fromConfig, proxyTls: { ...tls, ...family, timeout }, requestTls: { ...tls, timeout } });
  }
}

// RFC 9110 §15.4: 307/308 keep the method and body; 301/302/303 would turn a POST into a GET,
// which is never what an MCP POST wants, so those are followed for GET only.
function isFollowable(status: number, method: string): boolean {
  if (status === 307 || status === 308) return true;
  return method === 'GET' && (status === 301 || status === 302 || status === 303);
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

/** The UrlPolicy's refusal in an error's cause chain (undici wraps what the lookup failed with). */
function refusedCause(error: unknown): UrlRefusedError | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof UrlRefusedError) return e;
  }
  return undefined;
}

function refused(url: URL, reason: string): ProxyError {
  return new ProxyError(
    'URL_REFUSED',
    `refusing to fetch ${displayUrl(url)}, a URL named by the server: ${reason} (MCP security best practices: server-side request forgery)`,
  );
}
