/**
 * `mcp-auth-proxy doctor <server-url>`: checks, in order, everything a proxy run depends on and
 * prints one line per check (✓, ✗ with a one-line fix, or – skipped) with its time:
 *   1 URL and DNS, 2 TCP/TLS connect, 3 the forward proxy in use, 4 transport and protocol era,
 *   5 protected resource metadata, 6 the authorization server and what it supports,
 *   7 stored credentials (refreshed if expired, as the proxy would), 8 an authenticated tools/list.
 * Never signs in through the browser, never writes the era cache, never prints a token: every
 * line goes through the redacting `print`, and stored tokens are registered as secrets.
 * Exit code: 0 all good, else that of the first ✗: 3 for an authorization problem, 1 otherwise.
 */
import { bearerHeaders } from '../auth/bearer.js';
import { bearerChallenge, refusesAccess } from '../auth/challenge.js';
import { authorizationServerFor, discoverResource, type AuthServerMetadata, type ProtectedResource } from '../auth/discovery.js';
import { discoveryOptions, grantKind } from '../auth/sign-in-method.js';
import { presentedToken } from '../auth/id-token.js';
import { probeServer, type ProbeResult } from '../auth/probe.js';
import { staticAuthorizer } from '../auth/static-authorizer.js';
import { staticAuthServer } from '../auth/static-token-endpoint.js';
import { TokenStore, type ServerRecord } from '../auth/token-store.js';
import { EraCache } from '../modern/era-cache.js';
import type { Config } from '../config.js';
import { createOAuthAuthorizer } from '../auth/create-oauth-authorizer.js';
import { isAuthProblem, isProxyError } from '../errors.js';
import type { OutgoingRequest } from '../http/authorizer.js';
import { createHttpClient } from '../create-http-client.js';
import type { HttpClient } from '../http/client.js';
import { addSecret, setLogLevel } from '../log.js';
import { initializeResult } from '../modern/discover-result.js';
import { displayUrl } from '../url.js';
import { describeAuthServer } from './doctor-auth-server.js';
import { proxyFor } from '../http/proxy-for.js';
import { checkConnect, checkConnectViaProxy, checkDns, describeProxy } from './doctor-network.js';
import { withHttpClient } from './with-http-client.js';
import { detectTransport, listTools, NoSignInAuthorizer, refusal, type TransportFinding } from './doctor-mcp.js';
import { Report, type Outcome, type StepId } from './doctor-report.js';
import { print } from './output.js';
import { binding, expiry, isExpired, relativeTime, summary } from './summary.js';

export interface DoctorOptions {
  json: boolean;
  /** Bound of each network check. */
  timeoutMs: number;
}

export async function runDoctor(config: Config, options: DoctorOptions): Promise<number> {
  setLogLevel(config.logLevel);
  return withHttpClient(createHttpClient(config), (http) => doctor(config, options, http));
}

async function doctor(config: Config, options: DoctorOptions, http: HttpClient): Promise<number> {
  const url = new URL(config.serverUrl);
  const report = new Report(options.json);
  if (!options.json) print(`mcp-auth-proxy doctor ${displayUrl(url)}`);
  const timeoutMs = options.timeoutMs;
  const login = `mcp-auth-proxy login ${displayUrl(url)}`;

  const step = async (id: StepId, check: () => Promise<Outcome>): Promise<Outcome> => {
    const started = performance.now();
    let outcome: Outcome;
    try {
      outcome = await check();
    } catch (error) {
      outcome = failure(error, { timeoutMs, login, credentials: config.oauth.enabled ? 'oauth' : 'static' });
    }
    report.add(id, outcome, Math.round(performance.now() - started));
    return outcome;
  };
  const skip = (id: StepId, why: string): Promise<Outcome> => step(id, async () => ({ ok: null, detail: `skipped: ${why}` }));

  // 1–3: the network. The proxy decision comes first: it changes what 1 and 2 mean.
  const proxy = proxyFor(url, config.network.proxyVariables ?? {});
  const { network } = config;
  const connectMs = Math.min(timeoutMs, network.connectTimeoutMs);
  const dns = await step('dns', () => checkDns(url, proxy.proxy !== undefined, timeoutMs, network.ipv4));
  const connect =
    dns.ok === true
      ? await step('connect', () =>
          proxy.proxy
            ? checkConnectViaProxy(http, url, proxy.proxy, connectMs, network.caFile)
            : checkConnect(url, {
                timeoutMs: connectMs,
                ca: network.caCertificates,
                extraCaCertsFile: network.extraCaCertsFile,
                ipv4: network.ipv4,
                caFile: network.caFile,
              }),
        )
      : await skip('connect', 'the host name does not resolve (step 1)');
  await step('proxy', async () => describeProxy(url, proxy));
  if (connect.ok !== true) {
    const why = dns.ok === true ? 'the server cannot be reached (step 2)' : 'the host name does not resolve (step 1)';
    for (const id of ['transport', 'resource-metadata', 'authorization-server', 'credentials', 'tools'] as const) await skip(id, why);
    return report.finish();
  }

  // The credentials a proxy run would send, without ever signing in.
  const oauth = config.oauth.enabled ? createOAuthAuthorizer(config, http) : undefined;
  const fixed = oauth ? undefined : staticAuthorizer(config.bearer);
  const kind = oauth ? 'oauth' : 'static';
  const store = new TokenStore(config.authDir);
  const stored = async (): Promise<ServerRecord | undefined> => keepSecret(await oauth?.credentials());
  const storedCredentials = async (): Promise<Record<string, string>> =>
    bearerHeaders(presentedToken((await stored())?.tokens, config.oauth.signIn.useIdToken));
  const endpoint = (authorizer: NoSignInAuthorizer) => ({ url, headers: config.headers, authorizer, http });

  // 4: transport and era, with the credentials as stored (a refresh is step 7's business).
  let finding: TransportFinding | undefined;
  const transport = await step('transport', async () => {
    finding = await detectTransport(
      endpoint(new NoSignInAuthorizer(oauth ? storedCredentials : (request) => fixed!.headers(request), kind)),
      config,
      AbortSignal.timeout(timeoutMs),
    );
    const cached = config.protocol === 'auto' ? await new EraCache(config.authDir).readEra(url.href).catch(() => undefined) : undefined;
    return describeFinding(finding, config, cached);
  });

  // 5–7: OAuth, unless static credentials replace it.
  let needsAuth: boolean | undefined;
  let as: AuthServerMetadata | undefined;
  if (!oauth) {
    const why = 'static credentials were given (--oauth2Bearer, MCP_AUTH_PROXY_BEARER or an Authorization --header), so the proxy does not sign in';
    for (const id of ['resource-metadata', 'authorization-server', 'credentials'] as const) await skip(id, why);
  } else {
    let probe: ProbeResult | undefined;
    let prm: ProtectedResource | undefined;
    let prmRead = false;
    // The checks a sign-in of this run would make (no PKCE needed for client credentials).
    const discovery = discoveryOptions({ allowHttp: config.allowHttp, assumePkce: config.oauth.assumePkce, kind: grantKind(config.oauth) });
    const tokenEndpoint = config.oauth.signIn.tokenEndpoint;
    await step('resource-metadata', async () => {
      probe = await probeServer(http, url, config.headers);
      needsAuth = probe.refused !== undefined;
      if (!probe.refused) {
        const answer =
          probe.status >= 200 && probe.status < 300
            ? `answers a request without credentials (${probe.status})`
            : `does not ask for authorization (a request without credentials got ${probe.status}, not 401)`;
        return { ok: null, detail: `skipped: the server ${answer}, so no sign-in is needed` };
      }
      const challenge = bearerChallenge(probe.refused.wwwAuthenticate);
      if (refusesAccess(probe.refused.status, challenge)) {
        return {
          ok: false,
          auth: true,
          detail: 'the server refuses access (403 Forbidden) without asking for a sign-in',
          hint: "your network, account or IP address may be blocked: ask the server's operators",
        };
      }
      prmRead = true;
      // --token-endpoint: a run reads no metadata at all (OAuthAuthorizer.discover).
      if (tokenEndpoint) return { ok: null, detail: `skipped: --token-endpoint names the token endpoint, so the proxy reads no metadata` };
      prm = await discoverResource(http, url, challenge?.resourceMetadata, discovery);
      if (!prm) return { ok: true, detail: `none published (an MCP 2025-03-26 server): the authorization server is looked for at ${url.origin}` };
      const named = challenge?.resourceMetadata?.href === prm.url.href ? ' (named in the 401 challenge)' : '';
      const scopes = prm.scopesSupported?.length ? `, scopes ${prm.scopesSupported.join(' ')}` : '';
      return {
        ok: true,
        detail: `${displayUrl(prm.url)}${named}: resource ${prm.resource}, authorization servers ${prm.authorizationServers.join(', ')}${scopes}`,
      };
    });

    if (needsAuth === false) await skip('authorization-server', 'the server asks for no sign-in (step 5)');
    else if (!prmRead) await skip('authorization-server', 'the protected resource metadata is unusable (step 5)');
    else {
      await step('authorization-server', async () => {
        as = tokenEndpoint ? staticAuthServer(tokenEndpoint) : await authorizationServerFor(http, url, prm, discovery);
        return describeAuthServer(as, config.oauth, await store.readClient(as.issuer).catch(() => undefined));
      });
    }

    // A server that asks for no authorization works without credentials, whatever is stored.
    if (needsAuth === false) await skip('credentials', 'the server asks for no sign-in (step 5)');
    else await step('credentials', () => checkCredentials(oauth, stored, as, store.dir, login));
  }

  // 8: what a host would get.
  if (transport.ok === false || (transport.ok === null && finding?.kind !== 'refused')) {
    await skip('tools', 'the transport check failed (step 4)');
  } else if (oauth && needsAuth !== false && !(await stored())?.tokens) {
    await skip('tools', 'no credentials to send (step 7)');
  } else {
    await step('tools', async () => {
      // What a proxy run sends: the stored token, refreshed first when it is about to expire.
      const credentials = oauth
        ? async (request: OutgoingRequest) => {
            keepSecret(await oauth.freshCredentials());
            return oauth.headers(request);
          }
        : (request: OutgoingRequest) => fixed!.headers(request);
      const authorizer = new NoSignInAuthorizer(credentials, kind, oauth);
      const signal = AbortSignal.timeout(timeoutMs);
      let found = finding;
      let detected = '';
      if (found === undefined || found.kind === 'refused') {
        found = await detectTransport(endpoint(authorizer), config, signal);
        if (found.kind === 'refused') throw authorizer.refused ? refusal(authorizer.refused, kind) : new Error('the server refused the credentials');
        const described = describeFinding(found, config, undefined);
        if (described.ok === false) return described;
        detected = '; the protocol was detected with these credentials (step 4 could not)';
      }
      const tools = await listTools(endpoint(authorizer), found, signal);
      const over =
        found.kind === 'modern'
          ? `MCP ${found.version}`
          : `${found.kind === 'sse' ? 'legacy HTTP+SSE' : 'Streamable HTTP'}${tools.protocolVersion ? `, MCP ${tools.protocolVersion}` : ''}`;
      const from = `${tools.serverInfo ? `${tools.serverInfo} ` : ''}over ${over}`;
      if (tools.noToolsCapability) return { ok: true, detail: `initialized (${from}); the server offers no tools (no tools capability)${detected}` };
      const names = tools.names.length ? ` (${tools.names.join(', ')}${tools.count > tools.names.length ? ', …' : ''})` : '';
      return { ok: true, detail: `${tools.count} tool${tools.count === 1 ? '' : 's'}${names} from ${from}${detected}` };
    });
  }
  return report.finish();
}

/** Stored tokens must never be printed, whatever line they might end up in. */
function keepSecret(record: ServerRecord | undefined): ServerRecord | undefined {
  addSecret(record?.tokens?.accessToken);
  addSecret(record?.tokens?.refreshToken);
  addSecret(record?.tokens?.idToken);
  return record;
}

function describeFinding(finding: TransportFinding, config: Config, cached: 'legacy' | 'modern' | undefined): Outcome {
  const remembered = (era: 'legacy' | 'modern'): string =>
    cached !== undefined && cached !== era
      ? `; an earlier proxy run remembered it as ${cached === 'modern' ? 'MCP 2026-07-28' : 'initialize-based'}, and the proxy detects it again by itself`
      : '';
  switch (finding.kind) {
    case 'refused':
      return {
        ok: null,
        detail: `skipped: the server asks for ${finding.status === 403 ? 'other ' : ''}credentials (${finding.status}) before it tells its protocol; detected with credentials in step 8`,
      };
    case 'modern': {
      const info = initializeResult(finding.discover, '')['serverInfo'] as { name?: unknown; version?: unknown } | undefined;
      const server = typeof info?.name === 'string' ? `; server ${info.name}${typeof info.version === 'string' ? ` ${info.version}` : ''}` : '';
      return { ok: true, detail: `MCP ${finding.version} (stateless Streamable HTTP; server/discover answered)${server}${remembered('modern')}` };
    }
    case 'streamable-http':
    case 'sse': {
      const name =
        finding.kind === 'sse'
          ? 'legacy HTTP+SSE (MCP 2024-11-05)'
          : "Streamable HTTP, initialize-based MCP (2025-03-26 … 2025-11-25; the host's initialize settles the version)";
      const detail = `${name}: ${finding.evidence}${remembered('legacy')}`;
      if (config.protocol === 'modern') return { ok: false, detail, hint: 'the server does not speak MCP 2026-07-28: leave out --protocol modern' };
      if (config.transport === 'sse' && finding.kind !== 'sse') return { ok: false, detail, hint: 'this is no legacy SSE endpoint: leave out --transport sse' };
      if (config.transport === 'streamable-http' && finding.kind === 'sse')
        return { ok: false, detail, hint: 'this is a legacy HTTP+SSE endpoint: leave out --transport streamable-http' };
      return { ok: true, detail };
    }
  }
}

async function checkCredentials(
  oauth: ReturnType<typeof createOAuthAuthorizer>,
  stored: () => Promise<ServerRecord | undefined>,
  as: AuthServerMetadata | undefined,
  dir: string,
  login: string,
): Promise<Outcome> {
  const before = await stored();
  const tokens = before?.tokens;
  if (!before || !tokens) return { ok: false, auth: true, detail: `none stored for this server (in ${dir})`, hint: `sign in once with: ${login}` };
  const other = as && as.issuer !== before.issuer ? `; note: stored for ${before.issuer}, but the server now names ${as.issuer}` : '';
  const describe = (record: ServerRecord): string => {
    const s = summary(record);
    return `issuer ${s.issuer}, client ${s.clientId}, scopes ${s.scope ?? '(none)'}; access token ${expiry(s)}; refresh token ${s.refreshToken ? 'yes' : 'no'}; ${binding(s)}`;
  };
  if (!isExpired(tokens)) return { ok: true, detail: `${describe(before)}${other}` };
  const ago = relativeTime(Date.now() - tokens.expiresAt!);
  if (!tokens.refreshToken) {
    return { ok: false, auth: true, detail: `the access token expired ${ago} ago and there is no refresh token${other}`, hint: `sign in again with: ${login}` };
  }
  // What a proxy run does with an expired token: refresh it (never a browser sign-in here).
  keepSecret(await oauth.freshCredentials());
  const after = await stored();
  if (after?.tokens && after.tokens.accessToken !== tokens.accessToken && !isExpired(after.tokens)) {
    return { ok: true, detail: `the access token had expired ${ago} ago; refreshed it: ${describe(after)}${other}` };
  }
  if (!after?.tokens) {
    return {
      ok: false,
      auth: true,
      detail: `the access token expired ${ago} ago and the authorization server refused the refresh token (revoked or expired)${other}`,
      hint: `sign in again with: ${login}`,
    };
  }
  return {
    ok: false,
    auth: true,
    detail: `the access token expired ${ago} ago and refreshing it failed (the authorization server could not be reached or answered an error; --log-level info shows it)${other}`,
    hint: `check that the authorization server is reachable, or sign in again with: ${login}`,
  };
}

/** Any error a check throws, as a ✗ with what to do. */
export function failure(error: unknown, context: { timeoutMs: number; login: string; credentials: 'oauth' | 'static' }): Outcome {
  const name = (error as { name?: unknown } | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return {
      ok: false,
      detail: `no answer within ${Math.round(context.timeoutMs / 1000)} s`,
      hint: 'the server or the network is slow or stuck: try again, or allow more time with --timeout <seconds>',
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  if (!isProxyError(error)) return { ok: false, detail: `unexpected error: ${message}`, hint: 'run again with --log-level debug; if it persists, report it' };
  return { ok: false, auth: isAuthProblem(error), detail: message, hint: hintFor(error.code, error.status, context) };
}

function hintFor(code: string, status: number | undefined, context: { login: string; credentials: 'oauth' | 'static' }): string {
  switch (code) {
    case 'REMOTE_UNREACHABLE':
      return 'check that the host can be reached from here (steps 1–3), then try again';
    case 'REMOTE_TLS':
      return "if you trust the certificate (e.g. your organisation's TLS inspection), pass its CA's PEM file with --ca-file <file> or set NODE_EXTRA_CA_CERTS=<file>";
    case 'REMOTE_HTTP_STATUS':
      if (status === 404) return 'check the server URL: the path matters (often /mcp, or /sse for older servers)';
      if (status === 429) return 'the server is rate-limiting: wait a little and try again';
      if (status !== undefined && status >= 500) return 'the server (or a gateway in front of it) has a problem: try again later, or tell its operators';
      return 'check the server URL: it must be the MCP endpoint itself';
    case 'REMOTE_BAD_RESPONSE':
      return 'the answer is not what an MCP server sends: check that the URL is the MCP endpoint (not a web page or a login portal)';
    case 'REMOTE_STREAM_LOST':
      return 'the server or a proxy in between cut the event stream: try again (a buffering proxy may need configuring)';
    case 'REMOTE_REDIRECT':
      return 'use the URL it redirects to as the server URL (credentials are never sent to another origin)';
    case 'TRANSPORT_UNSUPPORTED':
      return 'check the URL: it must be the MCP endpoint itself (often …/mcp, or …/sse for older servers)';
    case 'UNAUTHORIZED':
      return context.credentials === 'static'
        ? 'check the token or header given: is it valid, unexpired and meant for this server?'
        : `sign in again with: ${context.login} --force`;
    case 'FORBIDDEN':
      return `the credentials are valid but lack permission: sign in again with the scopes needed (${context.login} --force --scope "…"), or ask the server's operators for access`;
    case 'AUTH_DISCOVERY':
      return "the server or its authorization server publishes metadata that fails a check the proxy must make (named above): tell the server's operators; it cannot be fixed on your side";
    case 'AUTH_PKCE_UNSUPPORTED':
      return "if you know the provider supports PKCE S256 although its metadata does not say so, pass --assume-pkce; otherwise tell the server's operators";
    case 'AUTH_REGISTRATION':
      return 'register a client with the provider and pass --client-id (and --client-secret)';
    case 'AUTH_TOKEN':
      return `the authorization server refused: sign in again with: ${context.login}`;
    default:
      return 'run again with --log-level debug for details';
  }
}
