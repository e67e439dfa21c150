/**
 * The MCP half of `mcp-auth-proxy doctor`: which transport and protocol era the server speaks, and
 * an authenticated tools/list as a host would see it. Detection never opens a session: the
 * 2026-07-28 probe is the proxy's own (server/discover, see modern/era.ts) and is not written to
 * the era cache; a legacy server is told apart by the status of that POST and of a GET for an
 * event stream (a legacy HTTP+SSE endpoint answers with its `endpoint` event, whose stream is
 * closed at once). Credentials come from an authorizer that never signs in.
 */
import type { Readable } from 'node:stream';
import { bearerChallenge } from '../auth/challenge.js';
import type { ProtocolChoice, TransportChoice } from '../config.js';
import { ProxyError, isProxyError } from '../errors.js';
import { authorizedRequest } from '../http/authorized-request.js';
import type { Authorizer, Challenge, OutgoingRequest } from '../http/authorizer.js';
import { errorResponse, isRequest } from '../jsonrpc.js';
import { probeEra, probesEra } from '../modern/era.js';
import { LEGACY_VERSIONS, MODERN_VERSION } from '../modern/modern-request.js';
import { mintId } from '../own-id.js';
import { ModernServerBridge } from '../modern/server-bridge.js';
import { mediaType, readEventStream, type ServerSentEvent } from '../transport/event-stream.js';
import type { RemoteEndpoint, RemoteTransport } from '../transport/remote-transport.js';
import { legacyTransport } from '../transport/connect.js';
import { StreamableHttpTransport } from '../transport/streamable-http.js';
import { displayUrl, sameOrigin } from '../url.js';
import { VERSION } from '../version.js';

export type TransportFinding =
  | { kind: 'modern'; version: string; discover: Record<string, unknown> }
  | { kind: 'streamable-http'; evidence: string }
  | { kind: 'sse'; evidence: string }
  /** The server wants (other) credentials before it says anything about itself. */
  | { kind: 'refused'; status: number };

/**
 * The credentials a check may use, never a sign-in: a 401 or 403 is reported (a ProxyError
 * UNAUTHORIZED / FORBIDDEN saying what the server said), and remembered in `refused`.
 */
export class NoSignInAuthorizer implements Authorizer {
  refused: Challenge | undefined;

  /** `nonces`: the run's authorizer, which answers DPoP nonces (RFC 9449 §9) as a run does. */
  constructor(
    private readonly source: (request: OutgoingRequest) => Promise<Record<string, string>>,
    private readonly kind: 'oauth' | 'static',
    private readonly nonces?: Pick<Authorizer, 'answered'> & { retriesWithNonce(challenge: Challenge): boolean },
  ) {}

  headers(request: OutgoingRequest): Promise<Record<string, string>> {
    return this.source(request);
  }

  answered(answer: { url: URL; dpopNonce: string | undefined }): void {
    this.nonces?.answered?.(answer);
  }

  async challenge(challenge: Challenge): Promise<void> {
    if (this.nonces?.retriesWithNonce(challenge)) return;
    this.refused = challenge;
    throw refusal(challenge, this.kind);
  }
}

/** What a refusal means, in words (server-provided text is cut short; the caller redacts). */
export function refusal(challenge: Pick<Challenge, 'status' | 'wwwAuthenticate' | 'url' | 'sent'>, kind: 'oauth' | 'static'): ProxyError {
  const parsed = bearerChallenge(challenge.wwwAuthenticate);
  const said = parsed?.error ? ` ${parsed.error}${parsed.errorDescription ? `: "${parsed.errorDescription.slice(0, 160)}"` : ''}` : '';
  const { status } = challenge;
  if (status === 403) {
    const what = parsed?.error === 'insufficient_scope' ? `the token lacks a scope it needs${parsed.scope ? ` (${parsed.scope})` : ''}` : 'access is refused';
    return new ProxyError('FORBIDDEN', `the server answered 403 Forbidden${said}: ${what}`, { status });
  }
  if (challenge.sent === undefined) {
    return new ProxyError('UNAUTHORIZED', `the server asks for authorization (401${said}) and there are no credentials to send`, { status });
  }
  const whose = kind === 'static' ? 'the credentials given (--oauth2Bearer, MCP_AUTH_PROXY_BEARER or an Authorization --header)' : 'the stored access token';
  return new ProxyError('UNAUTHORIZED', `the server refused ${whose} (401${said})`, { status });
}

// How a Streamable HTTP server answers a GET without a session: it wants one (400), offers no
// stream (405), or will not serve an event stream to this request (406).
const NOT_SSE_STATUSES = new Set([400, 405, 406]);
const FIRST_EVENT_MS = 3_000;

/**
 * What the server speaks, as the proxy would find out, honouring --protocol and --transport.
 * Throws the ProxyError of anything that is not an answer about the transport.
 */
export async function detectTransport(
  endpoint: RemoteEndpoint,
  choice: { protocol: ProtocolChoice; transport: TransportChoice },
  signal: AbortSignal,
): Promise<TransportFinding> {
  let postEvidence: string | undefined;
  if (probesEra(choice)) {
    const modern = new StreamableHttpTransport(endpoint, { protocolVersion: MODERN_VERSION });
    try {
      const outcome = await withSignal(
        probeEra(modern, {
          protocolVersion: MODERN_VERSION,
          clientInfo: { name: 'mcp-auth-proxy-doctor', version: VERSION },
          clientCapabilities: {},
          logLevel: undefined,
        }),
        signal,
      );
      if (outcome.era === 'modern') return { kind: 'modern', version: outcome.version, discover: outcome.discover };
      postEvidence = outcome.why;
      // The POST was accepted and answered in JSON-RPC: Streamable HTTP, no need to look further.
      if (modern.speaksStreamableHttp) return { kind: 'streamable-http', evidence: `a POST is answered in JSON-RPC (${outcome.why})` };
    } catch (error) {
      if (isProxyError(error, 'UNAUTHORIZED') || isProxyError(error, 'FORBIDDEN')) return { kind: 'refused', status: error.status ?? 401 };
      throw error;
    } finally {
      await modern.close().catch(() => undefined);
    }
  }
  return getProbe(endpoint, postEvidence, signal);
}

/** GET for an event stream: a legacy HTTP+SSE endpoint opens one and names its POST endpoint. */
async function getProbe(endpoint: RemoteEndpoint, postEvidence: string | undefined, signal: AbortSignal): Promise<TransportFinding> {
  let res;
  try {
    res = await authorizedRequest(endpoint, { url: endpoint.url, method: 'GET', headers: { accept: 'text/event-stream' }, signal });
  } catch (error) {
    if (isProxyError(error, 'UNAUTHORIZED') || isProxyError(error, 'FORBIDDEN')) return { kind: 'refused', status: error.status ?? 401 };
    throw error;
  }
  const post = postEvidence ? `${postEvidence}; ` : '';
  const type = mediaType(res.header('content-type'));
  if (res.status === 200 && type === 'text/event-stream') {
    const first = await firstEvent(res.body, FIRST_EVENT_MS);
    if (first?.event === 'endpoint') {
      let target: URL;
      try {
        target = new URL(first.data.trim(), res.url);
      } catch {
        throw new ProxyError('REMOTE_BAD_RESPONSE', `the event stream's endpoint event does not hold a URL`);
      }
      if (!sameOrigin(target, endpoint.url)) {
        throw new ProxyError(
          'REMOTE_REDIRECT',
          `the legacy SSE endpoint event names another origin (${target.origin}); the proxy only sends messages to ${endpoint.url.origin}`,
        );
      }
      return { kind: 'sse', evidence: `${post}GET opens an event stream whose endpoint event names ${new URL(displayUrl(target)).pathname} for messages` };
    }
    return { kind: 'streamable-http', evidence: `${post}GET opens an event stream without an endpoint event (a Streamable HTTP stream)` };
  }
  res.body.on('error', () => undefined);
  res.body.destroy();
  if (res.status === 404) {
    // The POST was not accepted either (else Streamable HTTP was settled above).
    throw new ProxyError(
      'REMOTE_HTTP_STATUS',
      `nothing at ${displayUrl(endpoint.url)}: GET answered 404 Not Found${postEvidence ? ` (and ${postEvidence})` : ''}`,
      { status: 404 },
    );
  }
  if (NOT_SSE_STATUSES.has(res.status)) {
    return { kind: 'streamable-http', evidence: `${post}GET answered ${res.status}, so this is no legacy SSE endpoint` };
  }
  throw new ProxyError(
    'REMOTE_HTTP_STATUS',
    `${postEvidence ? `server/discover: ${postEvidence}; ` : ''}GET ${displayUrl(endpoint.url)} answered ${res.status}, neither MCP transport's answer`,
    {
      status: res.status,
    },
  );
}

async function firstEvent(body: Readable, timeoutMs: number): Promise<ServerSentEvent | undefined> {
  let found: ServerSentEvent | undefined;
  body.on('error', () => undefined);
  const timer = setTimeout(() => body.destroy(), timeoutMs);
  try {
    await readEventStream(body, {
      onEvent: (event) => {
        if (found) return;
        found = event;
        body.destroy();
      },
    });
  } catch {
    // destroyed on purpose, or broken: what was read is the answer
  } finally {
    clearTimeout(timer);
    body.destroy();
  }
  return found;
}

function withSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export interface ToolsReport {
  /** Tools the host would see (for a 2026-07-28 server: after the proxy's own filtering). */
  count: number;
  names: string[];
  /** The server declared no tools capability (tools/list was not sent). */
  noToolsCapability: boolean;
  serverInfo: string | undefined;
  protocolVersion: string | undefined;
}

const MAX_PAGES = 50;

/**
 * initialize, notifications/initialized and tools/list (every page) over the transport the proxy
 * would use, as a host would send them; the session is closed (DELETE) afterwards.
 */
export async function listTools(endpoint: RemoteEndpoint, finding: Exclude<TransportFinding, { kind: 'refused' }>, signal: AbortSignal): Promise<ToolsReport> {
  const transport: RemoteTransport =
    finding.kind === 'modern'
      ? new ModernServerBridge(new StreamableHttpTransport(endpoint, { protocolVersion: finding.version }), finding.discover, finding.version)
      : legacyTransport(endpoint, finding.kind);
  transport.onmessage = (message) => {
    if (isRequest(message)) {
      // A server request in the middle (ping, roots…): a host with no capabilities answers so.
      const answer =
        message.method === 'ping' ? { jsonrpc: '2.0' as const, id: message.id, result: {} } : errorResponse(message.id, -32601, 'Method not found');
      transport.send(answer).catch(() => undefined);
    }
  };
  transport.onerror = () => undefined;
  const call = async (method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const { message: reply } = await transport.request({ jsonrpc: '2.0', id: mintId('doctor'), method, params }, { signal });
    if (reply.error)
      throw new ProxyError('REMOTE_BAD_RESPONSE', `${method} was answered with error ${reply.error.code}: ${String(reply.error.message).slice(0, 200)}`);
    return reply.result ?? {};
  };
  try {
    const init = await call('initialize', {
      protocolVersion: LEGACY_VERSIONS[0],
      capabilities: {},
      clientInfo: { name: 'mcp-auth-proxy-doctor', version: VERSION },
    });
    const info = init['serverInfo'] as { name?: unknown; version?: unknown } | undefined;
    const serverInfo = typeof info?.name === 'string' ? `${info.name}${typeof info.version === 'string' ? ` ${info.version}` : ''}` : undefined;
    const protocolVersion = finding.kind === 'modern' ? finding.version : typeof init['protocolVersion'] === 'string' ? init['protocolVersion'] : undefined;
    // For a 2026-07-28 server the bridge answers initialize itself; its listen stream is not needed here.
    if (finding.kind !== 'modern') await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' }, { signal });
    const capabilities = (init['capabilities'] as Record<string, unknown> | undefined) ?? {};
    if (capabilities['tools'] === undefined) return { count: 0, names: [], noToolsCapability: true, serverInfo, protocolVersion };
    const names: string[] = [];
    let count = 0;
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await call('tools/list', cursor === undefined ? {} : { cursor });
      const tools = Array.isArray(result['tools']) ? (result['tools'] as Array<{ name?: unknown }>) : [];
      count += tools.length;
      for (const tool of tools) if (typeof tool.name === 'string' && names.length < 5) names.push(tool.name);
      cursor = typeof result['nextCursor'] === 'string' && result['nextCursor'] !== '' ? result['nextCursor'] : undefined;
      if (cursor === undefined) break;
    }
    return { count, names, noToolsCapability: false, serverInfo, protocolVersion };
  } finally {
    await transport.close().catch(() => undefined);
  }
}
