/**
 * Chooses the protocol era and the transport.
 * Era (`--protocol auto`): 2026-07-28 servers are found by probing server/discover (see
 * modern/era.ts), except when a previous start found the server legacy, so a warm start costs a
 * legacy server no extra round trip; if that stops holding, detection runs again.
 * Legacy transport (`--transport auto`), per 2025-11-25 "Transports" §Backwards Compatibility:
 * the host's own first message (its `initialize`) is POSTed as Streamable HTTP; if that POST
 * answers 400, 404 or 405, the URL is taken as a legacy HTTP+SSE endpoint and the same message
 * goes over SSE. No probe session of our own.
 */
import { EraCache } from '../modern/era-cache.js';
import { DEFAULTS, type Config, type TransportChoice } from '../config.js';
import { ProxyError, isProxyError } from '../errors.js';
import type { Authorizer } from '../http/authorizer.js';
import type { HttpClient } from '../http/client.js';
import { errorResponse, isRequest, type JsonRpcMessage } from '../jsonrpc.js';
import { log } from '../log.js';
import { isFallbackStatus, isModernError, probeEra, probesEra } from '../modern/era.js';
import { META, MODERN_VERSION, type ClientContext } from '../modern/modern-request.js';
import { ModernPassthrough } from '../modern/passthrough.js';
import { ModernServerBridge } from '../modern/server-bridge.js';
import { ChoosingTransport } from './choosing-transport.js';
import { forward, type RemoteEndpoint, type RemoteTransport, type Reply, type SendOptions } from './remote-transport.js';
import { SessionReplay } from './session-replay.js';
import { SseTransport } from './sse.js';
import { StreamableHttpTransport } from './streamable-http.js';

export function connectRemote(config: Config, authorizer: Authorizer, http: HttpClient): RemoteTransport {
  const limits = { maxBytes: config.maxMessageBytes, streamAboveBytes: DEFAULTS.streamAboveBytes };
  const endpoint: RemoteEndpoint = { url: new URL(config.serverUrl), headers: config.headers, authorizer, http, limits };
  const legacy = (): RemoteTransport => new SessionReplay(legacyTransport(endpoint, config.transport));
  if (!probesEra(config)) return legacy();
  const store = new EraCache(config.authDir);
  return new EraTransport(endpoint, config.protocol, legacy, store);
}

/** The initialize-based transport --transport names: legacy SSE, Streamable HTTP, or the one the first POST's answer shows. */
export function legacyTransport(endpoint: RemoteEndpoint, transport: TransportChoice): RemoteTransport {
  if (transport === 'sse') return new SseTransport(endpoint);
  return transport === 'streamable-http' ? new StreamableHttpTransport(endpoint) : new AutoTransport(endpoint, transport === 'sse-first');
}

/** Decides the era on the host's first message, then hands everything to the chosen transport. */
class EraTransport extends ChoosingTransport {
  constructor(
    private readonly endpoint: RemoteEndpoint,
    private readonly protocol: 'auto' | 'modern',
    private readonly legacy: () => RemoteTransport,
    private readonly store: EraCache,
  ) {
    super();
  }

  private get server(): string {
    return this.endpoint.url.href;
  }

  protected async decide(message: JsonRpcMessage, options?: SendOptions): Promise<Reply | undefined> {
    const hostIsModern = isRequest(message) && message.method !== 'initialize';
    if (this.protocol === 'auto' && !hostIsModern && (await this.store.readEra(this.server).catch(() => undefined)) === 'legacy') {
      const legacy = await this.tryLegacy(message, options);
      if (legacy) return legacy.reply;
      log.info('the server no longer speaks the initialize-based protocol; detecting its protocol again');
      await this.store.writeEra(this.server, undefined).catch(() => undefined);
    }
    const modern = new StreamableHttpTransport(this.endpoint, { protocolVersion: MODERN_VERSION });
    const outcome = await probeEra(modern, contextOf(message));
    if (outcome.era === 'modern') {
      log.info(`the server speaks MCP ${outcome.version}${hostIsModern ? '' : '; bridging it for a host that speaks the initialize-based protocol'}`);
      await this.store.writeEra(this.server, 'modern').catch(() => undefined);
      const chosen = this.adopt(hostIsModern ? new ModernPassthrough(modern) : new ModernServerBridge(modern, outcome.discover, outcome.version));
      this.choose(chosen);
      return forward(chosen, message, options);
    }
    if (this.protocol === 'modern') {
      throw new ProxyError('TRANSPORT_UNSUPPORTED', `the server does not speak MCP 2026-07-28 (${outcome.why}); leave out --protocol modern`);
    }
    log.info(`the server speaks the initialize-based protocol (${outcome.why})`);
    await this.store.writeEra(this.server, 'legacy').catch(() => undefined);
    const chosen = this.adopt(this.legacy());
    this.choose(chosen);
    if (hostIsModern && isRequest(message)) {
      // MCP 2026-07-28 stdio "Backward Compatibility": a legacy server answers server/discover
      // with a non-modern error, and the host falls back to initialize.
      return { message: errorResponse(message.id, -32601, 'Method not found: this server speaks the initialize-based MCP protocol; send initialize') };
    }
    return forward(chosen, message, options);
  }

  /**
   * The cached verdict: send the host's initialize the legacy way. Undefined when the answer says
   * the server has become a 2026-07-28 server (that answer is kept from the host).
   */
  private async tryLegacy(message: JsonRpcMessage, options?: SendOptions): Promise<{ reply: Reply | undefined } | undefined> {
    const transport = this.adopt(this.legacy());
    let reply: Reply | undefined;
    try {
      reply = await forward(transport, message, options);
    } catch (error) {
      if (isProxyError(error, 'REMOTE_HTTP_STATUS') || isProxyError(error, 'TRANSPORT_UNSUPPORTED')) {
        await transport.close().catch(() => undefined);
        return undefined;
      }
      throw error;
    }
    // A legacy initialize met a 2026-07-28 server.
    if (isModernError(reply?.message.error?.code)) {
      await transport.close().catch(() => undefined);
      return undefined;
    }
    this.choose(transport);
    return { reply };
  }
}

/** Who the host is, from its initialize (or its own _meta, for a 2026-07-28 host). */
function contextOf(message: JsonRpcMessage): ClientContext {
  const params = isRequest(message) ? (message.params ?? {}) : {};
  const meta = (params['_meta'] as Record<string, unknown> | undefined) ?? {};
  const capabilities =
    (params['capabilities'] as Record<string, unknown> | undefined) ?? (meta[META.clientCapabilities] as Record<string, unknown> | undefined) ?? {};
  const clientInfo = (params['clientInfo'] as Record<string, unknown> | undefined) ??
    (meta[META.clientInfo] as Record<string, unknown> | undefined) ?? { name: 'mcp-auth-proxy', version: '0' };
  const clientCapabilities: Record<string, unknown> = {};
  for (const key of ['roots', 'sampling', 'elicitation', 'experimental']) if (capabilities[key] !== undefined) clientCapabilities[key] = capabilities[key];
  return { protocolVersion: MODERN_VERSION, clientInfo, clientCapabilities, logLevel: undefined };
}

class AutoTransport extends ChoosingTransport {
  constructor(
    private readonly endpoint: RemoteEndpoint,
    private readonly sseFirst = false,
  ) {
    super();
  }

  protected async decide(message: JsonRpcMessage, options?: SendOptions): Promise<Reply | undefined> {
    if (this.sseFirst) return this.decideSseFirst(message, options);
    const streamable = new StreamableHttpTransport(this.endpoint);
    this.adopt(streamable);
    try {
      const reply = await forward(streamable, message, options);
      this.chooseNamed(streamable, 'Streamable HTTP');
      return reply;
    } catch (error) {
      if (!isProxyError(error, 'REMOTE_HTTP_STATUS') || !isFallbackStatus(error.status)) {
        // Not an answer about the transport (server down, 5xx, a broken stream): when the POST
        // was accepted it is Streamable HTTP; otherwise decide again with the next message.
        if (streamable.speaksStreamableHttp) this.chooseNamed(streamable, 'Streamable HTTP');
        throw error;
      }
      log.info(`POST answered ${error.status}; trying the legacy HTTP+SSE transport`);
      const sse = this.adopt(new SseTransport(this.endpoint));
      let reply: Reply | undefined;
      try {
        reply = await forward(sse, message, options);
      } catch (sseError) {
        if (isProxyError(sseError) && (sseError.code === 'REMOTE_HTTP_STATUS' || sseError.code === 'REMOTE_BAD_RESPONSE')) {
          throw new ProxyError(
            'TRANSPORT_UNSUPPORTED',
            `the server speaks neither Streamable HTTP nor legacy SSE at this URL. Streamable HTTP: ${error.message}. SSE: ${sseError.message}`,
            { cause: sseError },
          );
        }
        throw sseError;
      }
      this.chooseNamed(sse, 'legacy HTTP+SSE');
      return reply;
    }
  }

  /**
   * --transport sse-first (mcp-remote's): the legacy GET stream first; when the URL refuses it
   * (4xx, or no event stream), the same message as Streamable HTTP.
   */
  private async decideSseFirst(message: JsonRpcMessage, options?: SendOptions): Promise<Reply | undefined> {
    const sse = this.adopt(new SseTransport(this.endpoint));
    try {
      const reply = await forward(sse, message, options);
      this.chooseNamed(sse, 'legacy HTTP+SSE');
      return reply;
    } catch (error) {
      const refused =
        isProxyError(error, 'REMOTE_BAD_RESPONSE') ||
        (isProxyError(error, 'REMOTE_HTTP_STATUS') && (error.status ?? 0) >= 400 && (error.status ?? 0) < 500 && error.status !== 401 && error.status !== 403);
      if (!refused) throw error;
      await sse.close().catch(() => undefined);
      log.info(`the legacy SSE stream was refused (${(error as Error).message}); trying Streamable HTTP`);
      const streamable = this.adopt(new StreamableHttpTransport(this.endpoint));
      const reply = await forward(streamable, message, options);
      this.chooseNamed(streamable, 'Streamable HTTP');
      return reply;
    }
  }

  private chooseNamed(transport: RemoteTransport, name: string): void {
    log.info(`using ${name}`);
    this.choose(transport);
  }
}
