/**
 * The network half of `mcp-auth-proxy doctor`: resolving the server's host, connecting to it (TCP,
 * then TLS with the certificate problem named), and which forward proxy the environment selects
 * for its URL. Nothing here sends an HTTP request except the check through a proxy, which asks
 * for a well-known metadata document (no side effects on any server).
 */
import { lookup } from 'node:dns/promises';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { HttpClient } from '../http/client.js';
import { certNames, connectProblem, errorCode, isCertificateProblem, issuerName, tlsProblem, validTo } from '../http/network-problem.js';
import { portOf, type ProxyChoice } from '../http/proxy-for.js';
import { trustedCas } from '../http/trusted-cas.js';
import { displayUrl, isLoopbackHost } from '../url.js';
import { relativeTime } from './summary.js';

/** What a check found: ok, or a problem with a one-line fix. */
export interface Finding {
  ok: boolean;
  detail: string;
  hint?: string | undefined;
}

// --- proxy: the rules are the HttpClient's (see http/proxy-for.ts) -----------

export { proxyFor, type ProxyChoice } from '../http/proxy-for.js';
export { tlsProblem } from '../http/network-problem.js';

/** The proxy line of the report (informational; ✗ only for a proxy variable that is not a URL). */
export function describeProxy(target: URL, choice: ProxyChoice): Finding {
  if (choice.exemptBy) {
    return { ok: true, detail: `none for this host: ${choice.exemptBy.variable} (entry "${choice.exemptBy.entry}") sends it direct` };
  }
  if (!choice.proxy) return { ok: true, detail: 'none (HTTPS_PROXY / HTTP_PROXY not set): connecting directly' };
  const { variable, url } = choice.proxy;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    return {
      ok: false,
      detail: `${variable} is set but is not an http(s) URL`,
      hint: `set ${variable} to the proxy's address, e.g. http://proxy.example:3128, or unset it`,
    };
  }
  const loopback = isLoopbackHost(target.hostname)
    ? `; note: loopback is not exempt by itself, add ${target.hostname} to NO_PROXY if this local server should be reached directly`
    : '';
  return { ok: true, detail: `${displayUrl(parsed).replace(/\/$/, '')} (from ${variable}) carries every request to ${target.host}${loopback}` };
}

// --- DNS ---------------------------------------------------------------------

/** The host as a socket wants it (no IPv6 brackets). */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/**
 * Resolves the server's host. Behind a proxy, a name that does not resolve here is no problem
 * (the proxy resolves it), so it is reported but not a ✗.
 */
export async function checkDns(url: URL, proxied: boolean, timeoutMs: number, ipv4 = false): Promise<Finding> {
  const host = bareHost(url);
  const where = `${url.protocol}//${url.host}`;
  if (isIP(host)) return { ok: true, detail: `${where}: ${host} is an IP address (no lookup needed)` };
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), timeoutMs);
    });
    const addresses = await Promise.race([lookup(host, { all: true, ...(ipv4 ? { family: 4 } : {}) }), timeout]);
    const shown = addresses.slice(0, 3).map((a) => a.address);
    const more = addresses.length > shown.length ? ` and ${addresses.length - shown.length} more` : '';
    return { ok: true, detail: `${where}: ${host} → ${shown.join(', ')}${more}` };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const name = typeof code === 'string' ? code : 'unknown error';
    const { problem, hint } =
      name === 'ETIMEDOUT'
        ? { problem: 'the DNS lookup timed out', hint: 'check your network connection and DNS settings, then try again' }
        : (connectProblem(name) ?? { problem: 'the DNS lookup failed', hint: 'check the host name in the URL and your network' });
    if (proxied) return { ok: true, detail: `${host} does not resolve here (${problem}, ${name}); fine behind a proxy, which resolves names itself` };
    return { ok: false, detail: `${host}: ${problem} (${name})`, hint };
  } finally {
    clearTimeout(timer);
  }
}

// --- TCP / TLS ---------------------------------------------------------------

function certificateSummary(cert: PeerCertificate | undefined): string {
  if (!cert || !cert.subject) return 'no certificate details';
  const until = validTo(cert);
  const left = until ? until.getTime() - Date.now() : undefined;
  const expiry =
    until === undefined
      ? ''
      : `, valid until ${until.toISOString().slice(0, 10)} (${left! < 14 * 86_400_000 ? `only ${relativeTime(left!)} left!` : `in ${relativeTime(left!)}`})`;
  return `certificate for ${certNames(cert)} issued by ${issuerName(cert)}${expiry}`;
}

function withTimeout<T>(start: (fail: (error: Error) => void) => Promise<T>, timeoutMs: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    start(reject).then(resolve, reject);
  }).finally(() => clearTimeout(timer));
}

function tcpConnect(host: string, port: number, timeoutMs: number, ipv4: boolean): Promise<Socket> {
  let socket: Socket | undefined;
  return withTimeout(
    (fail) =>
      new Promise<Socket>((resolve) => {
        socket = netConnect({ host, port, ...(ipv4 ? { family: 4, autoSelectFamily: false } : {}) });
        socket.once('connect', () => resolve(socket!));
        socket.once('error', fail);
      }),
    timeoutMs,
    () => socket?.destroy(),
  );
}

function tlsHandshake(
  socket: Socket,
  host: string,
  timeoutMs: number,
  extraCa: readonly string[] | undefined,
  extraCaCertsFile: string | undefined,
): Promise<TLSSocket> {
  let tls: TLSSocket | undefined;
  return withTimeout(
    (fail) =>
      new Promise<TLSSocket>((resolve) => {
        // Verification is judged here rather than by the handshake, so that the certificate's
        // details are at hand to name the problem. Nothing is sent over the connection.
        tls = tlsConnect({
          socket,
          host,
          servername: isIP(host) ? undefined : host,
          rejectUnauthorized: false,
          ALPNProtocols: ['http/1.1'],
          // What the proxy's own requests trust (see HttpClient).
          ...(extraCa ? { ca: trustedCas(extraCa, extraCaCertsFile) } : {}),
        });
        tls.once('secureConnect', () => resolve(tls!));
        tls.once('error', fail);
      }),
    timeoutMs,
    () => (tls ?? socket).destroy(),
  );
}

export interface ConnectOptions {
  timeoutMs: number;
  /** --ca-file's certificates (PEM), trusted besides Node's CAs and NODE_EXTRA_CA_CERTS. */
  ca?: readonly string[] | undefined;
  /** NODE_EXTRA_CA_CERTS, trusted with --ca-file's as Node would (see trustedCas). */
  extraCaCertsFile?: string | undefined;
  /** --ipv4. */
  ipv4?: boolean | undefined;
  /** --ca-file, named in the remedy for an untrusted certificate. */
  caFile?: string | undefined;
}

/**
 * TCP, then for https the TLS handshake, directly to the server (no proxy in the way), trusting
 * what the proxy's requests trust: Node's CAs, NODE_EXTRA_CA_CERTS and --ca-file.
 */
export async function checkConnect(url: URL, options: ConnectOptions): Promise<Finding> {
  const { timeoutMs, ca: extraCa, extraCaCertsFile, ipv4 = false } = options;
  const host = bareHost(url);
  const port = portOf(url);
  const started = performance.now();
  let socket: Socket;
  try {
    socket = await tcpConnect(host, port, timeoutMs, ipv4);
  } catch (error) {
    const code = errorCode(error) ?? 'unknown error';
    const { problem, hint } = connectProblem(code) ?? {
      problem: `could not connect (${(error as Error).message})`,
      hint: 'check the address and your network',
    };
    return { ok: false, detail: `TCP ${url.host}: ${problem} (${code})`, hint };
  }
  const tcpMs = Math.round(performance.now() - started);
  if (url.protocol !== 'https:') {
    socket.destroy();
    const plain = isLoopbackHost(url.hostname) ? 'plain http on loopback' : 'plain http: tokens travel unencrypted';
    return { ok: true, detail: `TCP ${url.host} connected in ${tcpMs} ms (${plain})` };
  }
  let tls: TLSSocket;
  try {
    tls = await tlsHandshake(socket, host, timeoutMs, extraCa, extraCaCertsFile);
  } catch (error) {
    socket.destroy();
    const code = errorCode(error) ?? 'unknown error';
    if (code.startsWith('ERR_SSL_') || code === 'EPROTO' || code === 'ECONNRESET') {
      return {
        ok: false,
        detail: `TLS ${url.host}: the TLS handshake failed (${code})`,
        hint: 'does the server speak https on this port? For a local server without TLS, use http://',
      };
    }
    return {
      ok: false,
      detail: `TLS ${url.host}: the handshake failed (${code})`,
      hint: 'check the address, and that nothing between you and the server interferes with TLS',
    };
  }
  const cert = tls.getPeerCertificate();
  const protocol = tls.getProtocol() ?? 'TLS';
  const authorized = tls.authorized;
  const code = tls.authorizationError === undefined ? undefined : String(tls.authorizationError);
  tls.destroy();
  if (!authorized) {
    const { problem, hint } = tlsProblem(code ?? 'unknown', cert, host, options.caFile);
    return { ok: false, detail: `TLS ${url.host}: ${problem} (${code ?? 'not trusted'}); ${certificateSummary(cert)}`, hint };
  }
  return { ok: true, detail: `TCP ${url.host} in ${tcpMs} ms, ${protocol}, ${certificateSummary(cert)}` };
}

/**
 * Through a forward proxy the connection is the proxy's tunnel: one request for a well-known
 * document (any HTTP status means the server was reached) shows whether the proxy lets us through.
 */
export async function checkConnectViaProxy(
  http: HttpClient,
  url: URL,
  proxy: { variable: string; url: string },
  timeoutMs: number,
  caFile?: string,
): Promise<Finding> {
  const via = `through the proxy from ${proxy.variable}`;
  try {
    const res = await http.request({
      url: new URL('/.well-known/oauth-protected-resource', url.origin),
      method: 'GET',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body.dump().catch(() => undefined);
    return { ok: true, detail: `${url.host} reached ${via} (it answered HTTP ${res.status})` };
  } catch (error) {
    const code = errorCode(error) ?? ((error as Error).name === 'TimeoutError' ? 'ETIMEDOUT' : 'unknown error');
    if (isCertificateProblem(code)) {
      const { problem, hint } = tlsProblem(code, undefined, bareHost(url), caFile);
      return { ok: false, detail: `TLS ${url.host} ${via}: ${problem} (${code})`, hint };
    }
    const message = innermostMessage(error);
    return {
      ok: false,
      detail: `could not reach ${url.host} ${via} (${code}${message ? `: ${message}` : ''})`,
      hint: `check the proxy address in ${proxy.variable} (and its credentials), or add ${url.hostname} to NO_PROXY if it should be reached directly`,
    };
  }
}

function innermostMessage(error: unknown): string | undefined {
  let message: string | undefined;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) message = e.message;
  return message?.slice(0, 200);
}
