/**
 * The MCP server's cookies, in memory, for its origin only. Load balancers pin a Streamable HTTP
 * session to one backend with Set-Cookie; a client that drops the cookie loses the session.
 * Deliberately narrower than a browser (RFC 6265): one origin (a Domain attribute never widens it,
 * §5.3 step 6 host-only), never the authorization server (the authorizer has a client without a
 * jar), never written to disk, never logged (values are credentials as much as tokens are).
 */
export interface Cookie {
  readonly name: string;
  readonly value: string;
  /** RFC 6265 §5.1.4 path; the default path of the request when absent. */
  readonly path: string;
  /** Milliseconds since the epoch, or undefined for a session cookie. */
  readonly expiresAt: number | undefined;
  readonly secure: boolean;
}

export class CookieJar {
  private readonly cookies = new Map<string, Cookie>();

  constructor(
    readonly origin: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The Cookie header for a request to `url` (RFC 6265 §5.4), or undefined: none, or another origin. */
  header(url: URL): string | undefined {
    if (url.origin !== this.origin) return undefined;
    const now = this.now();
    const sent: string[] = [];
    for (const [key, cookie] of this.cookies) {
      if (cookie.expiresAt !== undefined && cookie.expiresAt <= now) {
        this.cookies.delete(key);
        continue;
      }
      if (cookie.secure && url.protocol !== 'https:') continue;
      if (pathMatches(url.pathname, cookie.path)) sent.push(`${cookie.name}=${cookie.value}`);
    }
    return sent.length === 0 ? undefined : sent.join('; ');
  }

  /** Takes the Set-Cookie headers of a response from `url` (ignored when from another origin). */
  store(url: URL, setCookies: readonly string[]): void {
    if (url.origin !== this.origin) return;
    for (const line of setCookies) {
      const cookie = parseSetCookie(line, url, this.now());
      if (!cookie) continue;
      const key = `${cookie.name}\u0000${cookie.path}`;
      if (cookie.expiresAt !== undefined && cookie.expiresAt <= this.now()) this.cookies.delete(key);
      else this.cookies.set(key, cookie);
    }
  }

  get size(): number {
    return this.cookies.size;
  }
}

/** RFC 6265 §5.2, the parts that matter for one origin; undefined for a line to ignore. */
export function parseSetCookie(line: string, url: URL, now: number): Cookie | undefined {
  const [pair = '', ...attributes] = line.split(';');
  const eq = pair.indexOf('=');
  if (eq < 1) return undefined;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  if (name === '' || /[\r\n\0]/.test(name + value)) return undefined;
  let path: string | undefined;
  let expiresAt: number | undefined;
  let maxAge = false;
  let secure = false;
  for (const attribute of attributes) {
    const at = attribute.indexOf('=');
    const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
    const val = at < 0 ? '' : attribute.slice(at + 1).trim();
    if (key === 'max-age' && /^-?\d+$/.test(val)) {
      // §5.2.2: Max-Age wins over Expires; 0 or less expires at once.
      maxAge = true;
      const seconds = Number(val);
      expiresAt = seconds <= 0 ? 0 : now + seconds * 1000;
    } else if (key === 'expires' && !maxAge) {
      const time = Date.parse(val);
      if (!Number.isNaN(time)) expiresAt = time;
    } else if (key === 'path' && val.startsWith('/')) path = val;
    else if (key === 'secure') secure = true;
  }
  return { name, value, path: path ?? defaultPath(url.pathname), expiresAt, secure };
}

/** §5.1.4: the request path up to, not including, its last slash. */
function defaultPath(pathname: string): string {
  const last = pathname.lastIndexOf('/');
  return last <= 0 ? '/' : pathname.slice(0, last);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}
