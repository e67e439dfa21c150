/**
 * One policy for every URL that came from the network rather than from the user: a
 * WWW-Authenticate `resource_metadata`, PRM `authorization_servers`, the endpoints in authorization
 * server metadata (token, registration, revocation, device, jwks_uri…). A hostile server could
 * otherwise make the proxy fetch what only this machine can reach (server-side request forgery:
 * MCP "Security Best Practices" §Server-Side Request Forgery; RFC 9728 §7.7):
 * - https only, unless the host is loopback or the user passed --allow-http;
 * - link-local addresses (169.254.0.0/16, fe80::/10: cloud metadata services) and unspecified
 *   ones (0.0.0.0/8, ::) never;
 * - private ranges (10/8, 172.16/12, 192.168/16, fc00::/7) only when the MCP server itself is on a
 *   private (or loopback) address: a corporate network, whose authorization server is private too.
 * The HttpClient applies it to the URL before each such request, and again to every address the
 * name resolves to (a public name resolving to a private address), see `lookup`.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { isLoopbackHost } from './url.js';

type Kind = 'loopback' | 'link-local' | 'unspecified' | 'private' | 'public';

function blockList(v4: string[], v6: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of v4) {
    const [net, bits] = cidr.split('/') as [string, string];
    list.addSubnet(net, Number(bits), 'ipv4');
  }
  for (const cidr of v6) {
    const [net, bits] = cidr.split('/') as [string, string];
    list.addSubnet(net, Number(bits), 'ipv6');
  }
  return list;
}

const RANGES: Array<[Exclude<Kind, 'public'>, BlockList]> = [
  ['loopback', blockList(['127.0.0.0/8'], ['::1/128'])],
  ['link-local', blockList(['169.254.0.0/16'], ['fe80::/10'])],
  ['unspecified', blockList(['0.0.0.0/8'], ['::/128'])],
  ['private', blockList(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'], ['fc00::/7'])],
];

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d, or ::ffff:xxxx:xxxx as URLs write it) as IPv4. */
function unmapped(address: string): string {
  const v6 = address.replace(/^\[|\]$/g, '').toLowerCase();
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v6);
  if (dotted) return dotted[1]!;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (!hex) return v6;
  const a = parseInt(hex[1]!, 16);
  const b = parseInt(hex[2]!, 16);
  return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
}

/** A URL's hostname without IPv6 brackets, lower case. */
const bare = (hostname: string): string => hostname.replace(/^\[|\]$/g, '').toLowerCase();

/** What kind of address an IP literal is; undefined for a name. */
export function addressKind(host: string): Kind | undefined {
  const address = unmapped(host);
  const family = isIP(address);
  if (family === 0) return undefined;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [kind, list] of RANGES) if (list.check(address, type)) return kind;
  return 'public';
}

export interface UrlPolicyOptions {
  /** --allow-http: plain http off loopback is the user's accepted risk. */
  allowHttp: boolean;
  /** The MCP server(s) this run talks to: private ranges are allowed when one of them is private. */
  servers: readonly URL[];
  /** URLs the user named (an --idp issuer): their hosts may be private, as the user chose them. */
  userUrls?: readonly URL[] | undefined;
  /** Name resolution (dns.lookup); tests give their own to map names to any address. */
  resolve?: typeof dnsLookup | undefined;
}

export class UrlPolicy {
  /** Hosts of the MCP servers, and whether each was seen on a private or loopback address. */
  private readonly serverHosts = new Map<string, boolean>();
  private readonly userHosts: ReadonlySet<string>;

  constructor(private readonly options: UrlPolicyOptions) {
    for (const url of options.servers) this.addServer(url);
    this.userHosts = new Set((options.userUrls ?? []).map((url) => bare(url.hostname)));
  }

  /** Another MCP server this run acts for (logout --all-servers learns them from the store). */
  addServer(url: URL): void {
    const kind = isLoopbackHost(url.hostname) ? 'loopback' : addressKind(url.hostname);
    const host = bare(url.hostname);
    this.serverHosts.set(host, this.serverHosts.get(host) === true || kind === 'private' || kind === 'loopback');
  }

  /** The MCP server is on a private network (by its literal address, or the address its name resolved to). */
  get serverIsPrivate(): boolean {
    return [...this.serverHosts.values()].some(Boolean);
  }

  /** Why `url` (named by a server) must not be fetched; undefined when it may be. */
  refusal(url: URL): string | undefined {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return `only https URLs are fetched (got ${url.protocol})`;
    if (isLoopbackHost(url.hostname)) return undefined;
    // The address first: --allow-http never makes a metadata service fetchable.
    const kind = addressKind(url.hostname);
    const refusal = kind === undefined ? undefined : this.addressRefusal(url.hostname, kind, this.userHosts.has(bare(url.hostname)));
    if (refusal) return refusal;
    if (url.protocol === 'http:' && !this.options.allowHttp) return 'it is plain http:// off loopback (pass --allow-http to accept the risk)';
    return undefined;
  }

  /** Why a connection to `address` (what a server-named host resolved to) must not be made. */
  addressRefusal(address: string, kind = addressKind(address) ?? 'public', namedByUser = false): string | undefined {
    switch (kind) {
      case 'link-local':
        return `${address} is a link-local address (169.254.0.0/16, fe80::/10: where cloud metadata services live), which is never fetched`;
      case 'unspecified':
        return `${address} is an unspecified address (0.0.0.0/8, ::), which is never fetched`;
      case 'private':
        return this.serverIsPrivate || namedByUser
          ? undefined
          : `${address} is a private address (10/8, 172.16/12, 192.168/16, fc00::/7), fetched only when the MCP server itself is on a private network`;
      default:
        return undefined;
    }
  }

  /** Records the address an MCP server's name resolved to (a name on a private network allows private ranges). */
  noteResolved(hostname: string, address: string): void {
    const host = hostname.toLowerCase();
    if (!this.serverHosts.has(host)) return;
    const kind = addressKind(address);
    if (kind === 'private' || kind === 'loopback') this.serverHosts.set(host, true);
  }

  /**
   * A dns.lookup for net/tls.connect: with `guard`, every address a server-named host resolves
   * to passes the policy, or the connection fails (UrlRefusedError); without, it only notes
   * where the MCP servers live.
   */
  lookup(guard: boolean): LookupFunction {
    const wrapped = (
      hostname: string,
      options: LookupOptions,
      callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
    ): void => {
      (this.options.resolve ?? dnsLookup)(hostname, options, (error, address, family) => {
        if (error) return callback(error, address, family);
        const list: LookupAddress[] = Array.isArray(address) ? address : [{ address, family: family ?? 4 }];
        for (const entry of list) this.noteResolved(hostname, entry.address);
        if (guard && !isLoopbackHost(hostname)) {
          for (const entry of list) {
            const reason = this.addressRefusal(entry.address, undefined, this.userHosts.has(bare(hostname)));
            if (reason) return callback(new UrlRefusedError(`${hostname} resolves to ${reason}`), address, family);
          }
        }
        callback(null, address, family);
      });
    };
    return wrapped as unknown as LookupFunction;
  }
}

/** A connection the policy refused after DNS resolution (turned into a ProxyError by the HttpClient). */
export class UrlRefusedError extends Error {
  override readonly name = 'UrlRefusedError';
  readonly code = 'URL_REFUSED';
}
