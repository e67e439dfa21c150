/**
 * What a failed connection means, in words a person can act on: the TLS problem table (also used
 * by `doctor`), the most specific error code in undici's cause chain, and the ProxyError for it.
 */
import { ProxyError } from '../errors.js';
import { displayUrl } from '../url.js';

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
  const problem = TLS_PROBLEMS[code];
  if (problem) {
    let remedy = '';
    if (TRUST_PROBLEMS.has(code)) {
      remedy = settings.caFile
        ? ` It is not among the CAs of --ca-file ${settings.caFile} either: that file (or NODE_EXTRA_CA_CERTS) must hold the CA that issued this certificate, e.g. your organisation's TLS inspection CA.`
        : " If your network inspects TLS (a corporate proxy), trust your organisation's CA: pass --ca-file <ca.pem>, or set NODE_EXTRA_CA_CERTS=<ca.pem>.";
    }
    return new ProxyError('REMOTE_TLS', `TLS failure talking to ${where}: ${problem} (${code}).${remedy}`, { cause: error });
  }
  const hints: Record<string, string> = {
    ECONNREFUSED: 'is the server running?',
    ENOTFOUND: 'check the host name (DNS lookup failed)',
    EAI_AGAIN: 'DNS lookup failed for now: check your network',
    ETIMEDOUT: `the server did not answer in time (connecting may take at most ${settings.connectTimeoutMs / 1000} s, see --connect-timeout): check the address and your network or proxy`,
    ECONNRESET: 'the connection was reset: the server or a proxy in between closed it',
    EHOSTUNREACH: 'the host is unreachable: check your network',
    ENETUNREACH: 'the network is unreachable: check your connection',
    UND_ERR_SOCKET: 'the server closed the connection',
    UND_ERR_HEADERS_TIMEOUT: 'no response headers within --headers-timeout',
    UND_ERR_BODY_TIMEOUT: 'the response went silent for longer than --body-timeout',
  };
  const hint = hints[code] ?? 'check the URL and your network';
  return new ProxyError('REMOTE_UNREACHABLE', `could not connect to ${where} (${code}): ${hint}`, { cause: error });
}
