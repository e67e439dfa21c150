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
import { errorCode, isCertificateProblem } from '../http/network-problem.js';
import { trustedCas } from '../http/trusted-cas.js';
import { displayUrl, isLoopbackHost } from '../url.js';
import { relativeTime } from './summary.js';

/** What a check found: ok, or a problem with a one-line fix. */
export interface Finding {
  ok: boolean;
  detail: string;
  hint?: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

// --- proxy -------------------------------------------------------------------

export interface ProxyChoice {
  /** The proxy that carries requests to this URL, if any: the variable that named it, and the URL. */
  proxy: { variable: string; url: string } | undefined;
  /** A proxy is configured but NO_PROXY exempts this host (the entry that matched). */
  exemptBy: { variable: string; entry: string } | undefined;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** The first of the variables that is set (even to ""), as undici reads them (`a ?? b`). */
function firstSet(env: Env, names: readonly string[]): { variable: string; value: string } | undefined {
  for (const variable of names) {
    const value = env[variable];
    if (value !== undefined) return { variable, value };
  }
  return undefined;
}

/**
 * The forward proxy for `target`, by the rules of undici's EnvHttpProxyAgent (which the proxy
 * uses whenever one of the variables is set): https URLs take https_proxy/HTTPS_PROXY, else the
 * http one; NO_PROXY (no_proxy first) lists hosts, `.domain` / `*.domain` suffixes and `host:port`
 * entries reached directly, or `*` for all.
 */
export function proxyFor(target: URL, env: Env): ProxyChoice {
  const http = firstSet(env, ['http_proxy', 'HTTP_PROXY']);
  const https = firstSet(env, ['https_proxy', 'HTTPS_PROXY']);
  const httpProxy = http?.value ? http : undefined;
  const chosen = target.protocol === 'https:' ? (https?.value ? https : httpProxy) : httpProxy;
  if (!chosen) return { proxy: undefined, exemptBy: undefined };
  const proxy = { variable: chosen.variable, url: chosen.value };
  const noProxy = firstSet(env, ['no_proxy', 'NO_PROXY']);
  const value = noProxy?.value ?? '';
  const hostname = target.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number.parseInt(target.port, 10) || DEFAULT_PORTS[target.protocol] || 0;
  if (value === '*') return { proxy: undefined, exemptBy: { variable: noProxy!.variable, entry: '*' } };
  for (const entry of value.split(/[,\s]/)) {
    if (!entry) continue;
    const parsed = /^(.+):(\d+)$/.exec(entry);
    const host = (parsed ? parsed[1]! : entry).replace(/^\*?\./, '').toLowerCase();
    const entryPort = parsed ? Number.parseInt(parsed[2]!, 10) : 0;
    if (entryPort && entryPort !== port) continue;
    if (hostname === host || hostname.endsWith(`.${host}`)) return { proxy: undefined, exemptBy: { variable: noProxy!.variable, entry } };
  }
  return { proxy, exemptBy: undefined };
}

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
    return { ok: false, detail: `${variable} is set but is not an http(s) URL`, hint: `set ${variable} to the proxy's address, e.g. http://proxy.example:3128, or unset it` };
  }
  const loopback = isLoopbackHost(target.hostname)
    ? `; note: loopback is not exempt by itself, add ${target.hostname} to NO_PROXY if this local server should be reached directly`
    : '';
  return { ok: true, detail: `${displayUrl(parsed).replace(/\/$/, '')} (from ${variable}) carries every request to ${target.host}${loopback}` };
}

// --- DNS ---------------------------------------------------------------------

const DNS_PROBLEMS: Record<string, [problem: string, hint: string]> = {
  ENOTFOUND: ['no such host', 'check the host name in the URL for typos; a name that only exists on a VPN or intranet needs that connection'],
  EAI_AGAIN: ['the DNS lookup failed for now (no answer from the DNS server)', 'check your network connection and DNS settings, then try again'],
  ENODATA: ['the name exists but has no address', 'check the host name in the URL'],
  ETIMEDOUT: ['the DNS lookup timed out', 'check your network connection and DNS settings, then try again'],
};

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
    const [problem, hint] = DNS_PROBLEMS[name] ?? [`the DNS lookup failed`, 'check the host name in the URL and your network'];
    if (proxied) return { ok: true, detail: `${host} does not resolve here (${problem}, ${name}); fine behind a proxy, which resolves names itself` };
    return { ok: false, detail: `${host}: ${problem} (${name})`, hint };
  } finally {
    clearTimeout(timer);
  }
}

// --- TCP / TLS ---------------------------------------------------------------

const TCP_PROBLEMS: Record<string, [problem: string, hint: string]> = {
  ECONNREFUSED: ['connection refused: nothing is listening there', 'is the server running, and is the port in the URL right?'],
  ETIMEDOUT: ['no answer (timed out)', 'check the address; a firewall may drop the connection, or your network may need a proxy (set HTTPS_PROXY)'],
  EHOSTUNREACH: ['the host is unreachable', 'check your network connection (or VPN)'],
  ENETUNREACH: ['the network is unreachable', 'check your network connection (or VPN)'],
  ECONNRESET: ['the connection was reset', 'something between you and the server (a firewall or proxy) closed it; check your network'],
  ENOTFOUND: ['no such host', 'check the host name in the URL'],
  EAI_AGAIN: ['the DNS lookup failed for now', 'check your network connection and DNS settings'],
};

const TRUST_HINT = "if you trust it (e.g. your organisation's TLS inspection), pass its CA's PEM file with --ca-file <file> or set NODE_EXTRA_CA_CERTS=<file>; never turn verification off";

/** A certificate problem (an OpenSSL or Node verification code) in words, with what to do. */
export function tlsProblem(code: string, cert: PeerCertificate | undefined, host: string): { problem: string; hint: string } {
  const until = validTo(cert);
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return { problem: 'the server presented a self-signed certificate', hint: TRUST_HINT };
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return { problem: 'the certificate chain ends in a self-signed root that is not trusted (typical of TLS inspection by a corporate proxy or antivirus)', hint: TRUST_HINT };
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return {
        problem: `the certificate was issued by an unknown CA${cert?.issuer ? ` (${name(cert.issuer)})` : ''}, or the server does not send its intermediate certificates`,
        hint: `${TRUST_HINT}; if the CA is public, the server's operators must send the full chain`,
      };
    case 'CERT_HAS_EXPIRED':
      return {
        problem: `the server's certificate has expired${until ? ` (on ${until.toISOString().slice(0, 10)})` : ''}`,
        hint: "the server's operators must renew it (if the date looks wrong, check this computer's clock)",
      };
    case 'CERT_NOT_YET_VALID':
      return { problem: "the server's certificate is not valid yet", hint: "check this computer's clock and time zone" };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return {
        problem: `the certificate is for another host name (hostname mismatch: it names ${names(cert) ?? 'other hosts'}, not ${host})`,
        hint: 'use the host name the certificate is for in the URL, or ask the server\'s operators to fix the certificate',
      };
    case 'CERT_REVOKED':
      return { problem: "the server's certificate has been revoked", hint: "tell the server's operators" };
    default:
      return { problem: `the certificate is not trusted (${code})`, hint: TRUST_HINT };
  }
}

function name(subject: PeerCertificate['subject'] | undefined): string {
  if (!subject) return 'unknown';
  const pick = (v: unknown): string | undefined => (Array.isArray(v) ? v.join(', ') : typeof v === 'string' ? v : undefined);
  return pick(subject.CN) ?? pick(subject.O) ?? 'unnamed';
}

function names(cert: PeerCertificate | undefined): string | undefined {
  const alt = cert?.subjectaltname?.split(/,\s*/).map((n) => n.replace(/^(DNS|IP Address):/, '')).filter(Boolean);
  if (alt && alt.length > 0) return alt.slice(0, 4).join(', ') + (alt.length > 4 ? ', …' : '');
  return cert?.subject ? name(cert.subject) : undefined;
}

function validTo(cert: PeerCertificate | undefined): Date | undefined {
  const date = cert?.valid_to ? new Date(cert.valid_to) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

function certificateSummary(cert: PeerCertificate | undefined): string {
  if (!cert || !cert.subject) return 'no certificate details';
  const until = validTo(cert);
  const left = until ? until.getTime() - Date.now() : undefined;
  const expiry = until === undefined ? '' : `, valid until ${until.toISOString().slice(0, 10)} (${left! < 14 * 86_400_000 ? `only ${relativeTime(left!)} left!` : `in ${relativeTime(left!)}`})`;
  return `certificate for ${names(cert)} issued by ${name(cert.issuer)}${expiry}`;
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

function tlsHandshake(socket: Socket, host: string, timeoutMs: number, extraCa: readonly string[] | undefined, extraCaCertsFile: string | undefined): Promise<TLSSocket> {
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
}

/**
 * TCP, then for https the TLS handshake, directly to the server (no proxy in the way), trusting
 * what the proxy's requests trust: Node's CAs, NODE_EXTRA_CA_CERTS and --ca-file.
 */
export async function checkConnect(url: URL, options: ConnectOptions): Promise<Finding> {
  const { timeoutMs, ca: extraCa, extraCaCertsFile, ipv4 = false } = options;
  const host = bareHost(url);
  const port = Number(url.port) || DEFAULT_PORTS[url.protocol]!;
  const started = performance.now();
  let socket: Socket;
  try {
    socket = await tcpConnect(host, port, timeoutMs, ipv4);
  } catch (error) {
    const code = errorCode(error) ?? 'unknown error';
    const [problem, hint] = TCP_PROBLEMS[code] ?? [`could not connect (${(error as Error).message})`, 'check the address and your network'];
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
    return { ok: false, detail: `TLS ${url.host}: the handshake failed (${code})`, hint: 'check the address, and that nothing between you and the server interferes with TLS' };
  }
  const cert = tls.getPeerCertificate();
  const protocol = tls.getProtocol() ?? 'TLS';
  const authorized = tls.authorized;
  const code = tls.authorizationError === undefined ? undefined : String(tls.authorizationError);
  tls.destroy();
  if (!authorized) {
    const { problem, hint } = tlsProblem(code ?? 'unknown', cert, host);
    return { ok: false, detail: `TLS ${url.host}: ${problem} (${code ?? 'not trusted'}); ${certificateSummary(cert)}`, hint };
  }
  return { ok: true, detail: `TCP ${url.host} in ${tcpMs} ms, ${protocol}, ${certificateSummary(cert)}` };
}

/**
 * Through a forward proxy the connection is the proxy's tunnel: one request for a well-known
 * document (any HTTP status means the server was reached) shows whether the proxy lets us through.
 */
export async function checkConnectViaProxy(http: HttpClient, url: URL, proxy: { variable: string; url: string }, timeoutMs: number): Promise<Finding> {
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
      const { problem, hint } = tlsProblem(code, undefined, bareHost(url));
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
