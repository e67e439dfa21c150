/**
 * What a failed connection means, in words a person can act on: the one problem table for TLS,
 * TCP and DNS failures (the proxy's errors and `doctor`'s checks both word them from here), the
 * most specific error code in undici's cause chain, and the ProxyError for it.
 */
import type { PeerCertificate } from 'node:tls';
import { ProxyError } from '../errors.js';
import { displayUrl } from '../url.js';

/** A failure in words: what happened, and what to do about it. */
export interface NetworkProblem {
  problem: string;
  hint: string;
}

// The first group is "not issued by a CA we trust": what TLS inspection by a corporate proxy
// looks like, fixed by trusting that CA (the hint is then trustRemedy's).
type TlsEntry = { problem: (cert: PeerCertificate | undefined, host: string) => string; hint: string | 'trust' };
const UNTRUSTED: TlsEntry = {
  problem: (cert) =>
    `its certificate is not issued by a CA this computer trusts (an unknown CA${cert?.issuer ? ` (${certName(cert.issuer)})` : ''}, or the server does not send its intermediate certificates)`,
  hint: 'trust',
};
const TLS_PROBLEMS: Record<string, TlsEntry> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: { problem: () => 'it presented a self-signed certificate, signed by no CA this computer trusts', hint: 'trust' },
  SELF_SIGNED_CERT_IN_CHAIN: {
    problem: () => 'its certificate chain ends in a self-signed root that is not trusted (typical of TLS inspection by a corporate proxy or antivirus)',
    hint: 'trust',
  },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED,
  CERT_UNTRUSTED: UNTRUSTED,
  CERT_HAS_EXPIRED: {
    problem: (cert) => `its certificate has expired${validTo(cert) ? ` (on ${validTo(cert)!.toISOString().slice(0, 10)})` : ''}`,
    hint: "the server's operators must renew it (if the date looks wrong, check this computer's clock)",
  },
  CERT_NOT_YET_VALID: { problem: () => 'its certificate is not valid yet', hint: "check this computer's clock and time zone" },
  ERR_TLS_CERT_ALTNAME_INVALID: {
    problem: (cert, host) => `its certificate is for another host name (hostname mismatch: it names ${certNames(cert) ?? 'other hosts'}, not ${host})`,
    hint: "use the host name the certificate is for in the URL, or ask the server's operators to fix the certificate",
  },
  CERT_SIGNATURE_FAILURE: { problem: () => "its certificate's signature does not verify", hint: "tell the server's operators" },
  CERT_REVOKED: { problem: () => 'its certificate has been revoked', hint: "tell the server's operators" },
  ERR_SSL_WRONG_VERSION_NUMBER: {
    problem: () => 'it does not speak TLS on that port (an http:// server?)',
    hint: 'for a local server without TLS, use http://',
  },
};

/** What to do about a certificate from a CA this computer does not trust (--ca-file: the file given). */
export function trustRemedy(caFile: string | undefined): string {
  return caFile
    ? `It is not among the CAs of --ca-file ${caFile} either: that file (or NODE_EXTRA_CA_CERTS) must hold the CA that issued this certificate, e.g. your organisation's TLS inspection CA.`
    : "If your network inspects TLS (a corporate proxy), trust your organisation's CA: pass --ca-file <ca.pem>, or set NODE_EXTRA_CA_CERTS=<ca.pem>. Never turn verification off.";
}

/** A TLS failure (an OpenSSL or Node verification code) in words, naming the certificate when it is at hand. */
export function tlsProblem(code: string, cert: PeerCertificate | undefined, host: string, caFile?: string): NetworkProblem {
  const entry = TLS_PROBLEMS[code] ?? { problem: () => `the certificate is not trusted (${code})`, hint: 'trust' };
  return { problem: entry.problem(cert, host), hint: entry.hint === 'trust' ? trustRemedy(caFile) : entry.hint };
}

// TCP and DNS failures (Node's system error codes; undici's own for a socket it lost).
const CONNECT_PROBLEMS: Record<string, [problem: string, hint: string]> = {
  ECONNREFUSED: ['connection refused: nothing is listening there', 'is the server running, and is the port in the URL right?'],
  ETIMEDOUT: ['no answer (timed out)', 'check the address; a firewall may drop the connection, or your network may need a proxy (set HTTPS_PROXY)'],
  EHOSTUNREACH: ['the host is unreachable', 'check your network connection (or VPN)'],
  ENETUNREACH: ['the network is unreachable', 'check your network connection (or VPN)'],
  ECONNRESET: ['the connection was reset', 'something between you and the server (a firewall or proxy) closed it; check your network'],
  ENOTFOUND: ['no such host', 'check the host name in the URL for typos; a name that only exists on a VPN or intranet needs that connection'],
  EAI_AGAIN: ['the DNS lookup failed for now (no answer from the DNS server)', 'check your network connection and DNS settings, then try again'],
  ENODATA: ['the name exists but has no address', 'check the host name in the URL'],
  UND_ERR_SOCKET: ['the server closed the connection', 'try again; if it keeps happening, check the server'],
  UND_ERR_HEADERS_TIMEOUT: ['no response headers in time', 'the server is slow to answer: raise --headers-timeout (0 turns it off)'],
  UND_ERR_BODY_TIMEOUT: ['the response went silent', 'a network that cuts idle streams, or a slow server: raise --body-timeout (0 turns it off)'],
};

/** A TCP or DNS failure in words; undefined for a code the table does not know. */
export function connectProblem(code: string): NetworkProblem | undefined {
  const known = CONNECT_PROBLEMS[code];
  return known && { problem: known[0], hint: known[1] };
}

/** A certificate the peer presented failed verification (not: the port does not speak TLS). */
export function isCertificateProblem(code: string): boolean {
  return code in TLS_PROBLEMS && code !== 'ERR_SSL_WRONG_VERSION_NUMBER';
}

/** A TLS failure of any kind the table names (a certificate, or no TLS on that port). */
export function isTlsProblem(code: string): boolean {
  return code in TLS_PROBLEMS;
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

/** The settings a failure's remedy names (--ca-file, --connect-timeout). */
export interface ConnectionSettings {
  readonly caFile: string | undefined;
  readonly connectTimeoutMs: number;
}

/** Translates a network failure into a sentence a person can act on. */
export function networkError(error: unknown, url: URL, signal: AbortSignal | undefined, settings: ConnectionSettings): unknown {
  if (signal?.aborted) return signal.reason ?? error;
  if (error instanceof ProxyError) return error;
  const code = errorCode(error) ?? 'unknown error';
  const where = displayUrl(url);
  if (isTlsProblem(code)) {
    const { problem, hint } = tlsProblem(code, undefined, url.hostname, settings.caFile);
    return new ProxyError('REMOTE_TLS', `TLS failure talking to ${where}: ${problem} (${code}). ${sentence(hint)}`, { cause: error });
  }
  const known = connectProblem(code);
  // The bound on connecting is ours to name (--connect-timeout).
  const timeout = code === 'ETIMEDOUT' ? ` (connecting may take at most ${settings.connectTimeoutMs / 1000} s, see --connect-timeout)` : '';
  const said = known ? `${known.problem}${timeout}; ${known.hint}` : 'check the URL and your network';
  return new ProxyError('REMOTE_UNREACHABLE', `could not connect to ${where} (${code}): ${said}`, { cause: error });
}

function sentence(text: string): string {
  const capital = `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
  return /[.?!]$/.test(capital) ? capital : `${capital}.`;
}

function certName(subject: PeerCertificate['subject'] | undefined): string {
  if (!subject) return 'unknown';
  const pick = (v: unknown): string | undefined => (Array.isArray(v) ? v.join(', ') : typeof v === 'string' ? v : undefined);
  return pick(subject.CN) ?? pick(subject.O) ?? 'unnamed';
}

/** The names a certificate is for (its subjectAltName, else its subject), shortened. */
export function certNames(cert: PeerCertificate | undefined): string | undefined {
  const alt = cert?.subjectaltname
    ?.split(/,\s*/)
    .map((n) => n.replace(/^(DNS|IP Address):/, ''))
    .filter(Boolean);
  if (alt && alt.length > 0) return alt.slice(0, 4).join(', ') + (alt.length > 4 ? ', …' : '');
  return cert?.subject ? certName(cert.subject) : undefined;
}

/** Who issued a certificate, by name. */
export function issuerName(cert: PeerCertificate): string {
  return certName(cert.issuer);
}

export function validTo(cert: PeerCertificate | undefined): Date | undefined {
  const date = cert?.valid_to ? new Date(cert.valid_to) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}
