/**
 * Which forward proxy carries a request, by the rules of undici's EnvHttpProxyAgent (what the
 * HttpClient dispatches through whenever a proxy variable is set): the variables read in its
 * order (lower case first, `a ?? b`, so an empty lower-case one hides the upper-case one), and
 * NO_PROXY's exemptions. `doctor` reports what these rules decide; the HttpClient is built from
 * the same variables.
 */

type Env = Readonly<Record<string, string | undefined>>;

/** A variable that is set (even to ""), and its value. */
export interface ProxyVariable {
  variable: string;
  value: string;
}

/** The proxy variables as undici reads them: the first of each pair that is set. */
export function proxyVariables(env: Env): { http: ProxyVariable | undefined; https: ProxyVariable | undefined; noProxy: ProxyVariable | undefined } {
  return {
    http: firstSet(env, ['http_proxy', 'HTTP_PROXY']),
    https: firstSet(env, ['https_proxy', 'HTTPS_PROXY']),
    noProxy: firstSet(env, ['no_proxy', 'NO_PROXY']),
  };
}

export interface ProxyChoice {
  /** The proxy that carries requests to this URL, if any: the variable that named it, and the URL. */
  proxy: { variable: string; url: string } | undefined;
  /** A proxy is configured but NO_PROXY exempts this host (the entry that matched). */
  exemptBy: { variable: string; entry: string } | undefined;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

function firstSet(env: Env, names: readonly string[]): ProxyVariable | undefined {
  for (const variable of names) {
    const value = env[variable];
    if (value !== undefined) return { variable, value };
  }
  return undefined;
}

/**
 * The forward proxy for `target`: https URLs take https_proxy/HTTPS_PROXY, else the http one;
 * NO_PROXY (no_proxy first) lists hosts, `.domain` / `*.domain` suffixes and `host:port` entries
 * reached directly, or `*` for all.
 */
export function proxyFor(target: URL, env: Env): ProxyChoice {
  const vars = proxyVariables(env);
  const httpProxy = vars.http?.value ? vars.http : undefined;
  const chosen = target.protocol === 'https:' ? (vars.https?.value ? vars.https : httpProxy) : httpProxy;
  if (!chosen) return { proxy: undefined, exemptBy: undefined };
  const proxy = { variable: chosen.variable, url: chosen.value };
  const noProxy = vars.noProxy;
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

/** The port a URL connects to. */
export function portOf(url: URL): number {
  return Number(url.port) || DEFAULT_PORTS[url.protocol]!;
}
