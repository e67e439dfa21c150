/**
 * A 2026-07-28 server presented to a legacy host. Hosts still open stdio with `initialize`;
 * modern servers have no initialize, no sessions and no server→client requests. So: the host's
 * initialize is answered from server/discover; each request gets the per-request _meta and
 * headers, and an id of ours; `input_required` results become ordinary sampling / elicitation /
 * roots requests to the host, whose answers go back in a retry (MRTR, with requestState echoed
 * as received); change notifications come from a subscriptions/listen stream; ping and
 * logging/setLevel are answered here. (MCP 2026-07-28: versioning "Backward Compatibility",
 * basic/patterns/mrtr, basic/patterns/subscriptions.)
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { ProxyError, isProxyError } from '../errors.js';
import {
  errorResponse,
  idKey,
  isRequest,
  isResponse,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from '../jsonrpc.js';
import { log } from '../log.js';
import { mintId } from '../own-id.js';
import type { RemoteTransport, Reply, SendOptions } from '../transport/remote-transport.js';
import { initializeResult, listenFilter } from './discover-result.js';
import { scanHeaderParams, type HeaderParam } from './mcp-param.js';
import { LEGACY_VERSIONS, META, modernHeaders, modernRequest, type ClientContext } from './modern-request.js';

const MAX_INPUT_ROUNDS = 10;
// Methods safe to send again when a response stream broke (2026-07-28: re-issue with a new id).
const IDEMPOTENT = new Set([
  'tools/list',
  'prompts/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'prompts/get',
  'completion/complete',
  'server/discover',
]);
// What a server may ask the host for, and the host capability it needs.
const INPUT_CAPABILITY: Record<string, string> = { 'sampling/createMessage': 'sampling', 'elicitation/create': 'elicitation', 'roots/list': 'roots' };

export class ModernServerBridge implements RemoteTransport {
  onmessage?: RemoteTransport['onmessage'];
  onerror?: RemoteTransport['onerror'];

  private context: ClientContext;
  private hostCapabilities: Record<string, unknown> = {};
  private readonly inflight = new Map<string, AbortController>();
  private readonly hostAnswers = new Map<string, (reply: JsonRpcResponse) => void>();
  private tools: Map<string, readonly HeaderParam[]> | undefined;
  private readonly resourceSubscriptions = new Set<string>();
  private listen: AbortController | undefined;
  private closed = false;

  constructor(
    private readonly transport: RemoteTransport,
    private readonly discover: Record<string, unknown>,
    version: string,
  ) {
    this.context = { protocolVersion: version, clientInfo: { name: 'mcp-auth-proxy', version: '0' }, clientCapabilities: {}, logLevel: undefined };
    transport.onmessage = (message, line) => this.fromServer(message, line);
    transport.onerror = (error) => this.onerror?.(error);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listen?.abort();
    for (const abort of this.inflight.values()) abort.abort();
    await this.transport.close();
  }

  async send(message: JsonRpcNotification | JsonRpcResponse): Promise<void> {
    if (isResponse(message)) {
      // The host's answer to one of our input requests.
      const answer = message.id === null ? undefined : this.hostAnswers.get(idKey(message.id));
      answer?.(message);
      return;
    }
    this.fromHostNotification(message.method, message.params);
  }

  async request(message: JsonRpcRequest, options: SendOptions = {}): Promise<Reply> {
    switch (message.method) {
      case 'initialize':
        return this.initialize(message);
      case 'ping':
        return this.reply(message.id, {});
      case 'logging/setLevel':
        // 2026-07-28 has no setLevel: the level rides on every request's _meta instead.
        this.context = { ...this.context, logLevel: typeof message.params?.['level'] === 'string' ? message.params['level'] : undefined };
        return this.reply(message.id, {});
      case 'resources/subscribe':
      case 'resources/unsubscribe': {
        const uri = message.params?.['uri'];
        if (typeof uri === 'string') {
          if (message.method === 'resources/subscribe') this.resourceSubscriptions.add(uri);
          else this.resourceSubscriptions.delete(uri);
          this.openListen();
        }
        return this.reply(message.id, {});
      }
      default:
        return this.forward(message, options.signal);
    }
  }

  private initialize(request: JsonRpcRequest): Reply {
    const params = request.params ?? {};
    const requested = typeof params['protocolVersion'] === 'string' ? params['protocolVersion'] : '';
    const capabilities = (params['capabilities'] as Record<string, unknown> | undefined) ?? {};
    this.hostCapabilities = capabilities;
    // Only what can be bridged: the host's answers to input requests.
    const clientCapabilities: Record<string, unknown> = {};
    for (const key of ['roots', 'sampling', 'elicitation', 'experimental']) if (capabilities[key] !== undefined) clientCapabilities[key] = capabilities[key];
    const clientInfo = (params['clientInfo'] as Record<string, unknown> | undefined) ?? { name: 'unknown host', version: '0' };
    this.context = { ...this.context, clientInfo, clientCapabilities };
    // A legacy host must hear a legacy version: the one it asked for if it is one.
    const version = LEGACY_VERSIONS.includes(requested) ? requested : LEGACY_VERSIONS[0]!;
    return this.reply(request.id, initializeResult(this.discover, version));
  }

  private fromHostNotification(method: string, params: Record<string, unknown> | undefined): void {
    if (method === 'notifications/initialized') return this.openListen();
    if (method === 'notifications/cancelled') {
      // Over HTTP, cancelling is closing the request's stream (2026-07-28 Streamable HTTP "Cancellation").
      const id = params?.['requestId'];
      if (typeof id === 'string' || typeof id === 'number') this.inflight.get(idKey(id))?.abort();
      return;
    }
    // Modern servers take no notifications from clients (roots/list_changed is gone: roots are asked per request).
    log.debug(`not forwarding ${method} to a 2026-07-28 server`);
  }

  private async forward(request: JsonRpcRequest, signal: AbortSignal | undefined): Promise<Reply> {
    const abort = new AbortController();
    const key = idKey(request.id);
    this.inflight.set(key, abort);
    const onAbort = (): void => abort.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const reply = await this.run(request, abort.signal);
      // Cancelled by the host, or given up on by the bridge: nobody waits for an answer.
      if (abort.signal.aborted) throw abort.signal.reason ?? new ProxyError('CLOSED', 'cancelled by the host');
      if (reply.error) return { message: errorResponse(request.id, reply.error.code, reply.error.message, reply.error.data) };
      let result = reply.result ?? {};
      if (request.method === 'tools/list') result = this.exposeTools(result);
      const { resultType: _resultType, ...legacy } = result;
      return { message: { jsonrpc: '2.0', id: request.id, result: legacy } };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.inflight.delete(key);
    }
  }

  /** One host request to its final answer: MRTR rounds, one re-list on HeaderMismatch. */
  private async run(request: JsonRpcRequest, signal: AbortSignal): Promise<JsonRpcResponse> {
    let extra: Record<string, unknown> = {};
    let relisted = false;
    for (let round = 0; ; round++) {
      const reply = await this.exchange(request, extra, signal);
      if (reply.error?.code === -32020 && request.method === 'tools/call' && !relisted) {
        // HeaderMismatch: the tool's schema may have changed; list again and retry once.
        relisted = true;
        await this.loadTools(signal);
        continue;
      }
      const result = reply.result;
      if (!result || result['resultType'] !== 'input_required') return reply;
      if (round + 1 >= MAX_INPUT_ROUNDS) {
        throw new ProxyError('REMOTE_BAD_RESPONSE', `the server kept asking for input (${MAX_INPUT_ROUNDS} rounds); gave up`);
      }
      const asks = (result['inputRequests'] as Record<string, { method?: unknown; params?: unknown }> | undefined) ?? {};
      extra = { inputResponses: await this.askHost(asks, signal) };
      // requestState is opaque: echoed exactly as received, and only when there was one.
      if (result['requestState'] !== undefined) extra['requestState'] = result['requestState'];
    }
  }

  private async exchange(request: JsonRpcRequest, extra: Record<string, unknown>, signal: AbortSignal): Promise<JsonRpcResponse> {
    for (let attempt = 0; ; attempt++) {
      const id = mintId('request');
      const upstream = modernRequest(request, id, this.context, extra);
      if (request.method === 'tools/call' && !this.tools) await this.loadTools(signal);
      const tool = typeof request.params?.['name'] === 'string' ? this.tools?.get(request.params['name']) : undefined;
      try {
        return (await this.transport.request(upstream, { signal, headers: modernHeaders(upstream, tool) })).message;
      } catch (error) {
        // A broken stream loses the request; re-issue it (new id) only where that is harmless.
        if (isProxyError(error, 'REMOTE_STREAM_LOST') && attempt === 0 && IDEMPOTENT.has(request.method)) continue;
        throw error;
      }
    }
  }

  /** Forwards a round of input requests to the host as server→client requests; collects the answers. */
  private async askHost(asks: Record<string, { method?: unknown; params?: unknown }>, signal: AbortSignal): Promise<Record<string, unknown>> {
    const entries = await Promise.all(
      Object.entries(asks).map(async ([key, ask]) => {
        const method = typeof ask.method === 'string' ? ask.method : '';
        const capability = INPUT_CAPABILITY[method];
        if (!capability) throw new ProxyError('REMOTE_BAD_RESPONSE', `the server asked for input of an unknown kind (${method || 'no method'})`);
        if (this.hostCapabilities[capability] === undefined) {
          throw new ProxyError('REMOTE_BAD_RESPONSE', `the server needs ${capability} from the host, which did not declare support for it`);
        }
        let params = (ask.params as Record<string, unknown> | undefined) ?? {};
        // 2025-11-25 hosts require an elicitationId on URL-mode elicitation; 2026-07-28 dropped it.
        if (method === 'elicitation/create' && params['mode'] === 'url' && params['elicitationId'] === undefined)
          params = { ...params, elicitationId: randomUUID() };
        const answer = await this.askOne(method, params, signal);
        if (answer.error) throw new ProxyError('HOST_DECLINED', `the host declined the server's ${method}: ${answer.error.message}`);
        return [key, answer.result ?? {}] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  private askOne(method: string, params: Record<string, unknown>, signal: AbortSignal): Promise<JsonRpcResponse> {
    const id = mintId('input');
    return new Promise<JsonRpcResponse>((resolve, reject) => {
      const done = (): void => {
        this.hostAnswers.delete(idKey(id));
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        done();
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.hostAnswers.set(idKey(id), (reply) => {
        done();
        resolve(reply);
      });
      this.onmessage?.({ jsonrpc: '2.0', id, method, params });
    });
  }

  private async loadTools(signal: AbortSignal): Promise<void> {
    const reply = await this.exchange({ jsonrpc: '2.0', id: 0, method: 'tools/list', params: {} }, {}, signal);
    if (reply.result) this.exposeTools(reply.result);
  }

  /** Remembers each tool's header parameters; leaves out tools whose x-mcp-header annotations are invalid. */
  private exposeTools(result: Record<string, unknown>): Record<string, unknown> {
    const list = Array.isArray(result['tools']) ? (result['tools'] as Array<Record<string, unknown>>) : [];
    this.tools ??= new Map();
    const kept = list.filter((tool) => {
      const name = typeof tool['name'] === 'string' ? tool['name'] : '';
      // A schema nested too deeply to check is invalid too (mcp-param.ts): that tool is left out, the rest listed.
      const scan = scanHeaderParams(tool['inputSchema']);
      if (!scan.valid) {
        log.warn(`hiding tool "${name}": ${scan.reason} (MCP 2026-07-28 requires clients to leave such tools out)`);
        return false;
      }
      this.tools!.set(name, scan.params);
      return true;
    });
    return { ...result, tools: kept };
  }

  /** The listen stream for change notifications (replaces the GET stream and resources/subscribe). */
  private openListen(): void {
    if (this.closed) return;
    const notifications = listenFilter(this.discover, this.resourceSubscriptions);
    this.listen?.abort(); // a listen cannot be modified: a new one replaces it
    this.listen = undefined;
    if (!notifications) return;
    const abort = new AbortController();
    this.listen = abort;
    void (async () => {
      for (let failures = 0; !abort.signal.aborted && !this.closed;) {
        const id = mintId('listen');
        const request = modernRequest({ jsonrpc: '2.0', id, method: 'subscriptions/listen', params: { notifications } }, id, this.context);
        try {
          // The stream's notifications come through onmessage; its final answer only ends it.
          await this.transport.request(request, { signal: abort.signal, headers: modernHeaders(request, undefined) });
          failures = 0;
        } catch (error) {
          if (abort.signal.aborted) return;
          failures++;
          log.debug(`listen stream ended: ${(error as Error).message}`);
        }
        // No resumption in 2026-07-28: listen again (changes in the gap are lost).
        await delay(Math.min(1000 * 2 ** failures, 30_000), undefined, { signal: abort.signal }).catch(() => undefined);
      }
    })();
  }

  private fromServer(message: JsonRpcMessage, line: string | undefined): void {
    // Replies come back from request(); a response here is a late one nobody waits for.
    if (isResponse(message)) return;
    if (isRequest(message)) {
      log.debug(`ignoring a ${message.method} request from a 2026-07-28 server (servers ask for input through results)`);
      return;
    }
    if (message.method === 'notifications/subscriptions/acknowledged') return;
    const meta = message.params?.['_meta'] as Record<string, unknown> | undefined;
    if (meta && META.subscriptionId in meta) {
      const { [META.subscriptionId]: _id, ...rest } = meta;
      this.onmessage?.({ ...message, params: { ...message.params, _meta: rest } });
      return;
    }
    this.onmessage?.(message, line);
  }

  private reply(id: JsonRpcId, result: Record<string, unknown>): Reply {
    return { message: { jsonrpc: '2.0', id, result } };
  }
}
