/** URL facts the proxy needs in several places: loopback, origins, and how to show a URL safely. */

/** RFC 8252 §8.3 loopback: 127.0.0.0/8, ::1, and the name localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export function sameOrigin(a: URL, b: URL): boolean {
  return a.origin === b.origin;
}

/**
 * A URL as it may appear in a message: no userinfo, no query, no fragment (users put API keys
 * in query strings; error messages end up in host log files).
 */
export function displayUrl(url: URL | string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
