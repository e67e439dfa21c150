// Checks the modern (2026-07-28) fixture on its own, with the v2 SDK's modern client and with raw
// fetches, without the proxy. Besides proving the fixture works, the raw-wire tests record what
// this SDK answers to era probes (legacy initialize, header-less POSTs, unsupported versions):
// that is what the proxy's era detection has to cope with.
import { describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport, type CallToolResult } from '@modelcontextprotocol/client';
import { COUNTER_URI, INVALID_HEADER_TOOL, startModernMcpServer, type ModernEras, type ModernMcpServer } from '../fixtures/modern-mcp-server.js';
import { rpcMethod, type RecordedRequest } from '../fixtures/raw-server.js';
import { closedWithTest } from '../fixtures/teardown.js';

const MODERN = '2026-07-28';
const PV = 'io.modelcontextprotocol/protocolVersion';

async function start(eras: ModernEras = 'modern', token?: string): Promise<ModernMcpServer> {
  const server = await startModernMcpServer({ eras, ...(token !== undefined && { token }) });
  return closedWithTest(server);
}

/** A modern client with sampling/elicitation/roots handlers that record what they were asked. */
async function connect(server: ModernMcpServer, headers: Record<string, string> = {}) {
  const asked: Array<{ method: string; params: unknown }> = [];
  const notes: Array<{ method: string; params: unknown }> = [];
  const client = new Client(
    { name: 'modern-check', version: '0' },
    { capabilities: { sampling: {}, elicitation: { form: {} }, roots: {} }, versionNegotiation: { mode: { pin: MODERN } } },
  );
  client.setRequestHandler('sampling/createMessage', (req) => {
    asked.push({ method: req.method, params: req.params });
    return { model: 'stub-model', role: 'assistant', content: { type: 'text', text: 'sampled: 42' } };
  });
  client.setRequestHandler('elicitation/create', (req) => {
    asked.push({ method: req.method, params: req.params });
    return { action: 'accept', content: { name: 'Ada' } };
  });
  client.setRequestHandler('roots/list', (req) => {
    asked.push({ method: req.method, params: req.params });
    return { roots: [{ uri: 'file:///work/a', name: 'a' }] };
  });
  // (Not notifications/progress: that handler belongs to the protocol layer, which routes it to onprogress.)
  for (const m of ['notifications/tools/list_changed', 'notifications/resources/updated', 'notifications/message'] as const) {
    client.setNotificationHandler(m, (n) => void notes.push({ method: n.method, params: n.params }));
  }
  closedWithTest(client);
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers } }));
  return { client, asked, notes };
}

const textOf = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;
const bodyOf = (e: RecordedRequest) => e.body as { id?: unknown; method?: string; params?: Record<string, unknown> & { _meta?: Record<string, unknown> } };

/** One raw POST; returns status, content type and the body (SSE `data:` lines joined as a JSON array). */
async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
  const type = res.headers.get('content-type') ?? '';
  const raw = await res.text();
  const json: unknown = type.startsWith('text/event-stream')
    ? raw
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => JSON.parse(l.slice(6)) as unknown)
    : raw
      ? (JSON.parse(raw) as unknown)
      : undefined;
  return { status: res.status, type, json, sessionId: res.headers.get('mcp-session-id') };
}

const envelope = (version = MODERN, caps: Record<string, unknown> = {}) => ({
  [PV]: version,
  'io.modelcontextprotocol/clientCapabilities': caps,
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' },
});
const modernHeaders = (method: string, version = MODERN) => ({ 'mcp-protocol-version': version, 'mcp-method': method });
const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
};

describe('modern fixture with the v2 modern client', () => {
  it('discovers, lists, calls, and sends the 2026-07-28 envelope and headers', async () => {
    const server = await start();
    const { client } = await connect(server);
    expect(client.getProtocolEra()).toBe('modern');
    expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
    expect(client.getServerVersion()).toEqual({ name: 'modern-fixture', version: '2.0.0' });
    expect(client.getDiscoverResult()?.supportedVersions).toEqual([MODERN]);

    const tools = (await client.listTools()).tools.map((t) => t.name).sort();
    // The client drops bad_header (invalid x-mcp-header) although the server lists it.
    expect(tools).toEqual(['add', 'ask_elicitation', 'ask_roots', 'ask_sampling', 'echo', 'log', 'notify_changes', 'regional', 'slow']);
    expect(tools).not.toContain(INVALID_HEADER_TOOL);
    const listed = (await post(server.url, { jsonrpc: '2.0', id: 9, method: 'tools/list', params: { _meta: envelope() } }, modernHeaders('tools/list')))
      .json as {
      result: { tools: Array<{ name: string }> };
    };
    expect(listed.result.tools.map((t) => t.name)).toContain(INVALID_HEADER_TOOL);

    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'héllo' } }))).toBe('héllo');
    expect(textOf(await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } }))).toBe('42');
    expect(textOf(await client.callTool({ name: 'regional', arguments: { region: 'eu-west', query: 'q' } }))).toBe('eu-west:q');
    expect((await client.readResource({ uri: COUNTER_URI })).contents).toEqual([{ uri: COUNTER_URI, mimeType: 'text/plain', text: '1' }]);

    // No initialize, no session: every request is a self-describing POST.
    expect(server.log.rpc('initialize')).toEqual([]);
    const discover = server.log.rpc('server/discover')[0]!;
    expect(discover.headers['mcp-protocol-version']).toBe(MODERN);
    expect(discover.headers['mcp-method']).toBe('server/discover');
    expect(bodyOf(discover).params?._meta?.[PV]).toBe(MODERN);
    const requests = server.log.entries.filter((r) => rpcMethod(r) !== undefined && bodyOf(r).id !== undefined);
    expect(requests.map(rpcMethod)).toEqual(['server/discover', 'tools/list', 'tools/list', 'tools/call', 'tools/call', 'tools/call', 'resources/read']);
    for (const e of requests) {
      expect(e.headers['mcp-protocol-version']).toBe(MODERN);
      expect(e.headers['mcp-method']).toBe(rpcMethod(e));
      expect(e.headers['mcp-session-id']).toBeUndefined();
      expect(bodyOf(e).params?._meta).toMatchObject({ [PV]: MODERN, 'io.modelcontextprotocol/clientCapabilities': expect.any(Object) });
    }
    const calls = server.log.rpc('tools/call');
    expect(calls.map((e) => e.headers['mcp-name'])).toEqual(['echo', 'add', 'regional']);
    expect(calls[2]!.headers['mcp-param-region']).toBe('eu-west');
    expect(calls[0]!.headers['mcp-param-region']).toBeUndefined();
    expect(server.log.rpc('resources/read')[0]!.headers['mcp-name']).toBe(COUNTER_URI);
  });

  it('runs the sampling, elicitation and roots MRTR round trips', async () => {
    const server = await start();
    const { client, asked } = await connect(server);
    expect(textOf(await client.callTool({ name: 'ask_sampling', arguments: { prompt: 'meaning?' } }))).toBe('sampled: 42');
    expect(JSON.parse(textOf(await client.callTool({ name: 'ask_elicitation', arguments: { message: 'Your name?' } })))).toEqual({
      action: 'accept',
      content: { name: 'Ada' },
    });
    expect(JSON.parse(textOf(await client.callTool({ name: 'ask_roots', arguments: {} })))).toEqual(['file:///work/a']);
    expect(asked.map((a) => a.method)).toEqual(['sampling/createMessage', 'elicitation/create', 'roots/list']);

    // Each tool call is two POSTs: the first gets input_required, the retry (new id) carries
    // inputResponses + the echoed requestState.
    const calls = server.log.rpc('tools/call').map(bodyOf);
    expect(calls.map((b) => b.params?.name)).toEqual(['ask_sampling', 'ask_sampling', 'ask_elicitation', 'ask_elicitation', 'ask_roots', 'ask_roots']);
    const [first, retry] = [calls[0]!, calls[1]!];
    expect(retry.id).not.toBe(first.id);
    expect(first.params?.inputResponses).toBeUndefined();
    expect(retry.params).toMatchObject({
      name: 'ask_sampling',
      arguments: { prompt: 'meaning?' },
      requestState: 'sampling:meaning?',
      inputResponses: { llm: { model: 'stub-model', role: 'assistant', content: { type: 'text', text: 'sampled: 42' } } },
    });
    expect(calls[3]!.params).toMatchObject({ requestState: 'elicitation:1', inputResponses: { name: { action: 'accept', content: { name: 'Ada' } } } });
    expect(calls[5]!.params).toMatchObject({ inputResponses: { roots: { roots: [{ uri: 'file:///work/a' }] } } });
    expect(calls[5]!.params?.requestState).toBeUndefined();
  });

  it('delivers tools/list_changed and resources/updated on subscriptions/listen', async () => {
    const server = await start();
    const { client, notes } = await connect(server);
    const sub = await client.listen({ toolsListChanged: true, resourceSubscriptions: [COUNTER_URI] });
    expect(sub.honoredFilter).toEqual({ toolsListChanged: true, resourceSubscriptions: [COUNTER_URI] });
    const listen = server.log.rpc('subscriptions/listen')[0]!;
    expect(listen.headers['mcp-method']).toBe('subscriptions/listen');
    expect(bodyOf(listen).params?.notifications).toEqual({ toolsListChanged: true, resourceSubscriptions: [COUNTER_URI] });

    await client.callTool({ name: 'notify_changes', arguments: {} });
    await expect.poll(() => notes.map((n) => n.method)).toEqual(['notifications/tools/list_changed', 'notifications/resources/updated']);
    expect(notes[1]!.params).toMatchObject({ uri: COUNTER_URI });

    server.notify.toolsChanged(); // the fixture handle publishes too
    await expect.poll(() => notes.length).toBe(3);
    await sub.close();
    await server.events.waitFor((e) => e === `listen:closed:${String(bodyOf(listen).id)}`);
    expect(await sub.closed).toBe('local');
  });

  it('sends notifications/message only when _meta logLevel is set', async () => {
    const server = await start();
    const { client, notes } = await connect(server);
    await client.callTool({ name: 'log', arguments: { message: 'quiet' } });
    await client.callTool({ name: 'log', arguments: { message: 'loud', level: 'warning' }, _meta: { 'io.modelcontextprotocol/logLevel': 'info' } });
    await client.callTool({ name: 'log', arguments: { message: 'filtered', level: 'debug' }, _meta: { 'io.modelcontextprotocol/logLevel': 'info' } });
    expect(notes.filter((n) => n.method === 'notifications/message').map((n) => n.params)).toEqual([
      expect.objectContaining({ level: 'warning', data: 'loud', logger: 'fixture' }),
    ]);
    // The client merges the caller's logLevel into the per-request envelope.
    expect(server.log.rpc('tools/call').map((e) => bodyOf(e).params?._meta?.['io.modelcontextprotocol/logLevel'])).toEqual([undefined, 'info', 'info']);
  });

  it('streams progress for slow and sees the abort when the client cancels', async () => {
    const server = await start();
    const { client } = await connect(server);
    const progress: number[] = [];
    const ac = new AbortController();
    const call = client.callTool(
      { name: 'slow', arguments: { ms: 10_000, progressEveryMs: 50 } },
      { signal: ac.signal, onprogress: (p) => void progress.push(p.progress) },
    );
    call.catch(() => undefined); // asserted below; keeps a failing poll from leaving an unhandled rejection
    await expect.poll(() => progress.length).toBeGreaterThanOrEqual(2);
    ac.abort();
    await expect(call).rejects.toThrow();
    const id = String(bodyOf(server.log.rpc('tools/call')[0]!).id);
    await server.events.waitFor((e) => e === `slow:aborted:${id}`);
    expect(server.log.rpc('notifications/cancelled')).toEqual([]); // cancellation = closing the stream

    expect(textOf(await client.callTool({ name: 'slow', arguments: { ms: 20 } }))).toBe('slept 20ms');
  });

  it('checks the bearer token', async () => {
    const server = await start('modern', 's3cret');
    const denied = await post(
      server.url,
      { jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: envelope() } },
      modernHeaders('server/discover'),
    );
    expect(denied.status).toBe(401);
    expect(server.log.entries[0]!.status).toBe(401);
    const { client } = await connect(server, { Authorization: 'Bearer s3cret' });
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'ok' } }))).toBe('ok');
  });
});

// Raw exchanges, asserted byte-for-byte where it matters: this is what era detection must handle.
describe('what @modelcontextprotocol/server 2.4 answers on the wire', () => {
  const serverInfo = { 'io.modelcontextprotocol/serverInfo': { name: 'modern-fixture', version: '2.0.0' } };
  const capabilities = { logging: {}, tools: { listChanged: true }, resources: { subscribe: true, listChanged: true } };
  const unsupported = (id: number, requested?: string) => ({
    status: 400,
    json: {
      jsonrpc: '2.0',
      id,
      error: {
        code: -32022,
        message: `Unsupported protocol version: ${requested ?? 'the request did not name a protocol version'}`,
        data: { supported: [MODERN], ...(requested !== undefined && { requested }) },
      },
    },
  });

  it.each<ModernEras>(['modern', 'dual'])('%s: server/discover, -32022, and the modern validation ladder', async (eras) => {
    const server = await start(eras);
    const discover = await post(
      server.url,
      { jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: envelope() } },
      modernHeaders('server/discover'),
    );
    expect(discover).toMatchObject({ status: 200, type: 'application/json', sessionId: null });
    expect(discover.json).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: {
        supportedVersions: [MODERN], // 'dual' lists only the modern revision here too
        capabilities,
        instructions: 'Fixture server for mcp-auth-proxy tests.',
        resultType: 'complete',
        ttlMs: 0,
        cacheScope: 'private',
        _meta: serverInfo,
      },
    });

    // Unsupported version named in header + envelope: 400 + -32022 with data.supported.
    expect(
      await post(
        server.url,
        { jsonrpc: '2.0', id: 2, method: 'server/discover', params: { _meta: envelope('2099-01-01') } },
        modernHeaders('server/discover', '2099-01-01'),
      ),
    ).toMatchObject(unsupported(2, '2099-01-01'));
    // Envelope without the MCP-Protocol-Version header: 400 + -32020 HeaderMismatch.
    expect(await post(server.url, { jsonrpc: '2.0', id: 3, method: 'tools/list', params: { _meta: envelope() } })).toMatchObject({
      status: 400,
      json: { id: 3, error: { code: -32020, data: { mismatch: { header: '(missing)' } } } },
    });
    // Modern header without the envelope: 400 + -32602.
    expect(await post(server.url, { jsonrpc: '2.0', id: 4, method: 'tools/list' }, modernHeaders('tools/list'))).toMatchObject({
      status: 400,
      json: { id: 4, error: { code: -32602, data: { envelope: { missing: ['_meta'] } } } },
    });
    // Mcp-Method / Mcp-Name disagreeing with the body: 400 + -32020.
    expect(await post(server.url, { jsonrpc: '2.0', id: 5, method: 'tools/list', params: { _meta: envelope() } }, modernHeaders('prompts/list'))).toMatchObject(
      {
        status: 400,
        json: { error: { code: -32020, data: { mismatch: { header: 'prompts/list' } } } },
      },
    );
    expect(
      await post(
        server.url,
        { jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'regional', arguments: { region: 'eu', query: 'q' }, _meta: envelope() } },
        {
          ...modernHeaders('tools/call'),
          'mcp-name': 'regional',
        },
      ),
    ).toMatchObject({ status: 400, json: { error: { code: -32020, data: { mismatch: { header: 'Mcp-Param-Region' } } } } });
    // Removed methods are unknown: 404 + -32601. An unknown tool is an in-band -32602 with HTTP 200.
    expect(await post(server.url, { jsonrpc: '2.0', id: 7, method: 'ping', params: { _meta: envelope() } }, modernHeaders('ping'))).toMatchObject({
      status: 404,
      json: { id: 7, error: { code: -32601, message: 'Method not found' } },
    });
    expect(
      await post(
        server.url,
        { jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'nope', arguments: {}, _meta: envelope() } },
        { ...modernHeaders('tools/call'), 'mcp-name': 'nope' },
      ),
    ).toMatchObject({ status: 200, json: { id: 8, error: { code: -32602, message: 'Tool nope not found' } } });
    // An input request the envelope's capabilities do not cover: 400 + -32021.
    expect(
      await post(
        server.url,
        { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'ask_sampling', arguments: { prompt: 'p' }, _meta: envelope() } },
        {
          ...modernHeaders('tools/call'),
          'mcp-name': 'ask_sampling',
        },
      ),
    ).toMatchObject({ status: 400, json: { id: 9, error: { code: -32021, data: { requiredCapabilities: { sampling: {} } } } } });
    // Notifications: 202. Mcp-Session-Id is ignored (no 400/404, none issued).
    expect(
      await post(
        server.url,
        { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, _meta: envelope() } },
        { 'mcp-protocol-version': MODERN },
      ),
    ).toMatchObject({
      status: 202,
    });
    expect(
      await post(
        server.url,
        { jsonrpc: '2.0', id: 10, method: 'tools/list', params: { _meta: envelope() } },
        { ...modernHeaders('tools/list'), 'mcp-session-id': 'stale' },
      ),
    ).toMatchObject({
      status: 200,
      sessionId: null,
    });
    // No GET stream and no DELETE, in either mode.
    for (const method of ['GET', 'DELETE']) expect((await fetch(server.url, { method, headers: { accept: 'text/event-stream' } })).status).toBe(405);
  });

  it('modern only: a legacy initialize and header-less POSTs get 400 + -32022', async () => {
    const server = await start('modern');
    const init = await post(server.url, initialize);
    expect(init).toMatchObject(unsupported(1, '2025-11-25'));
    expect(init.sessionId).toBeNull();
    expect(await post(server.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' })).toMatchObject(unsupported(2));
    expect(await post(server.url, { jsonrpc: '2.0', id: 3, method: 'server/discover' })).toMatchObject(unsupported(3));
    expect(await post(server.url, { jsonrpc: '2.0', id: 4, method: 'tools/list' }, { 'mcp-protocol-version': '2025-06-18' })).toMatchObject(
      unsupported(4, '2025-06-18'),
    );
    expect(await post(server.url, { jsonrpc: '2.0', method: 'notifications/initialized' })).toMatchObject({ status: 202 });
    // So a legacy-only client (or the v2 client in its default 'legacy' mode) cannot connect.
    const legacyClient = new Client({ name: 'legacy', version: '0' });
    closedWithTest(legacyClient);
    await expect(legacyClient.connect(new StreamableHTTPClientTransport(new URL(server.url)))).rejects.toThrow(/-32022/);
  });

  it('dual: a legacy initialize and header-less POSTs are served statelessly by the 2025 leg', async () => {
    const server = await start('dual');
    const init = await post(server.url, initialize);
    expect(init).toMatchObject({ status: 200, type: 'text/event-stream', sessionId: null });
    expect(init.json).toEqual([
      {
        jsonrpc: '2.0',
        id: 1,
        result: {
          protocolVersion: '2025-11-25',
          capabilities,
          serverInfo: { name: 'modern-fixture', version: '2.0.0' },
          instructions: 'Fixture server for mcp-auth-proxy tests.',
        },
      },
    ]);
    const list = await post(server.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' });
    expect(list).toMatchObject({ status: 200, type: 'text/event-stream' });
    const listed = (list.json as Array<{ result: Record<string, unknown> & { tools: Array<{ name: string }> } }>)[0]!.result;
    expect(listed.resultType).toBeUndefined(); // 2025 wire: no resultType / ttlMs / _meta serverInfo
    expect(listed.tools.map((t) => t.name)).toContain(INVALID_HEADER_TOOL);
    // A server/discover without the envelope is classified legacy: 200 + -32601 in an SSE frame.
    expect(await post(server.url, { jsonrpc: '2.0', id: 3, method: 'server/discover' })).toMatchObject({
      status: 200,
      json: [{ id: 3, error: { code: -32601, message: 'Method not found' } }],
    });
    expect(server.events.entries.filter((e) => e.startsWith('factory:'))).toEqual(['factory:legacy', 'factory:legacy', 'factory:legacy']);

    // The stateless 2025 leg cannot carry server→client requests, so MRTR tools fail in-band there.
    const legacyClient = new Client({ name: 'legacy', version: '0' }, { capabilities: { sampling: {} } });
    legacyClient.setRequestHandler('sampling/createMessage', () => ({ model: 'm', role: 'assistant', content: { type: 'text', text: 'never' } }));
    closedWithTest(legacyClient);
    await legacyClient.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    expect(legacyClient.getProtocolEra()).toBe('legacy');
    expect(textOf(await legacyClient.callTool({ name: 'echo', arguments: { text: 'old' } }))).toBe('old');
    const sampled = (await legacyClient.callTool({ name: 'ask_sampling', arguments: { prompt: 'p' } })) as CallToolResult;
    expect(sampled.isError).toBe(true);
    expect(textOf(sampled)).toMatch(/per-request legacy serving cannot receive server-to-client requests/);

    // A negotiating client picks the modern era on a dual server.
    const auto = new Client({ name: 'auto', version: '0' }, { versionNegotiation: { mode: 'auto' } });
    closedWithTest(auto);
    await auto.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    expect(auto.getProtocolEra()).toBe('modern');
  });

  it('an input_required round, its retry, and the listen acknowledgement', async () => {
    const server = await start('modern');
    const caps = { sampling: {} };
    const headers = { ...modernHeaders('tools/call'), 'mcp-name': 'ask_sampling' };
    const first = await post(
      server.url,
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'ask_sampling', arguments: { prompt: 'p' }, _meta: envelope(MODERN, caps) } },
      headers,
    );
    expect(first).toMatchObject({ status: 200, type: 'application/json' });
    expect(first.json).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: {
        resultType: 'input_required',
        inputRequests: {
          llm: { method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: 'p' } }], maxTokens: 50 } },
        },
        requestState: 'sampling:p',
        _meta: serverInfo,
      },
    });
    const inputResponses = { llm: { model: 'm', role: 'assistant', content: { type: 'text', text: 'T' } } };
    const retry = await post(
      server.url,
      {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'ask_sampling', arguments: { prompt: 'p' }, inputResponses, requestState: 'sampling:p', _meta: envelope(MODERN, caps) },
      },
      headers,
    );
    expect(retry.json).toEqual({ jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'T' }], resultType: 'complete', _meta: serverInfo } });
    // The SDK does not verify requestState unless the server configures a verify hook.
    const forged = await post(
      server.url,
      {
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/call',
        params: { name: 'ask_sampling', arguments: { prompt: 'p' }, inputResponses, requestState: 'forged', _meta: envelope(MODERN, caps) },
      },
      headers,
    );
    expect(forged.json).toMatchObject({ result: { resultType: 'complete' } });

    const listen = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...modernHeaders('subscriptions/listen') },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'l1',
        method: 'subscriptions/listen',
        params: { notifications: { toolsListChanged: true, promptsListChanged: true }, _meta: envelope() },
      }),
    });
    expect(listen.status).toBe(200);
    expect(listen.headers.get('content-type')).toBe('text/event-stream');
    const reader = listen.body!.getReader();
    const frame = new TextDecoder().decode((await reader.read()).value);
    // The ack is the first frame. It reports the honoured filter — promptsListChanged is dropped
    // because the server has no prompts capability — and the subscription id (= the listen
    // request id) in _meta.
    expect(frame).toBe(
      `event: message\ndata: ${JSON.stringify({
        jsonrpc: '2.0',
        method: 'notifications/subscriptions/acknowledged',
        params: { notifications: { toolsListChanged: true }, _meta: { 'io.modelcontextprotocol/subscriptionId': 'l1' } },
      })}\n\n`,
    );
    server.notify.toolsChanged();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(
      `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/tools/list_changed', params: { _meta: { 'io.modelcontextprotocol/subscriptionId': 'l1' } } })}\n\n`,
    );
    await reader.cancel();
    await server.events.waitFor((e) => e === 'listen:closed:l1');
  });
});
