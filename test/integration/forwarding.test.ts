// Messages go through the proxy both ways, unchanged, over every transport.
import { describe, expect, it, vi } from 'vitest';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ToolListChangedNotificationSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { connectClient, spawnProxy, toolText, resultOf, type RpcMessage } from '../fixtures/cli.js';
import { bigText, startMcpServer, type ServerKind } from '../fixtures/mcp-server.js';
import { rpcMethod } from '../fixtures/raw-server.js';

// Every test spawns the CLI; give slow CI machines room (the tests' own waits are tighter).
vi.setConfig({ testTimeout: 20_000 });

const sdkText = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;
const ALL_KINDS: ServerKind[] = ['stateful', 'stateless', 'sse'];

describe.each([
  { kind: 'stateful' as const, transport: 'auto' },
  { kind: 'stateful' as const, transport: 'streamable-http' },
  { kind: 'stateless' as const, transport: 'auto' },
  { kind: 'stateless' as const, transport: 'streamable-http' },
  { kind: 'sse' as const, transport: 'sse' },
  { kind: 'sse' as const, transport: 'auto' },
])('$kind server with --transport $transport', ({ kind, transport }) => {
  it('initialize, tools/list and tools/call work through the SDK client', async () => {
    const server = await startMcpServer({ kind });
    const { client } = await connectClient(server.url, ['--transport', transport]);
    expect(client.getServerVersion()).toEqual({ name: 'fixture-server', version: '1.2.3' });
    const names = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual(['big', 'echo', 'elicit', 'notify', 'sample', 'slow']);
    expect(sdkText(await client.callTool({ name: 'echo', arguments: { text: 'hi ✓' } }))).toBe('hi ✓');
    await client.ping();

    // No probe session: exactly one initialize was accepted by the server, one MCP session exists.
    const accepted = server.log.rpc('initialize').filter((e) => e.status !== undefined && e.status < 300);
    expect(accepted).toHaveLength(1);
    if (kind !== 'stateless') expect(server.sessionIds).toHaveLength(1);
    if (kind === 'sse') expect(server.log.entries.filter((e) => e.method === 'GET')).toHaveLength(1);
    if (kind === 'sse' && transport === 'auto') {
      // auto probes for a 2026-07-28 server (server/discover, 405), POSTs the host's own
      // initialize (405), then falls back to one SSE GET.
      const posts = server.log.entries.filter((e) => e.method === 'POST' && e.path === '/sse');
      expect(posts.map((e) => [rpcMethod(e), e.status])).toEqual([
        ['server/discover', 405],
        ['initialize', 405],
      ]);
      expect((posts[1]!.body as { params: { clientInfo: { name: string } } }).params.clientInfo.name).toBe('sdk-test-host');
    }
    if (kind !== 'sse') expect(server.log.entries.filter((e) => e.path.startsWith('/sse'))).toHaveLength(0);
  });
});

describe.each<ServerKind>(['stateful', 'stateless'])('%s server answering application/json instead of SSE', (kind) => {
  it('initialize, tools/call and a 1 MB result work', async () => {
    const server = await startMcpServer({ kind, jsonResponse: true });
    const proxy = spawnProxy([server.url]);
    resultOf(await proxy.initialize());
    expect(toolText(await proxy.callTool('echo', { text: 'json mode' }))).toBe('json mode');
    expect(toolText(await proxy.callTool('big', { bytes: 1_000_000 })) === bigText(1_000_000)).toBe(true);
    expect(server.log.rpc('tools/call').every((e) => e.status === 200)).toBe(true);
  });
});

describe.each(ALL_KINDS)('%s server, raw host', (kind) => {
  it('forwards requests and responses unchanged, ids not rewritten', async () => {
    const server = await startMcpServer({ kind });
    const proxy = spawnProxy([server.url]);
    const init = resultOf(await proxy.initialize());
    expect(init.serverInfo).toEqual({ name: 'fixture-server', version: '1.2.3' });
    const res = await proxy.callTool('echo', { text: 'abc' }, 'id-with-string-42');
    expect(res).toEqual({ jsonrpc: '2.0', id: 'id-with-string-42', result: { content: [{ type: 'text', text: 'abc' }] } });
    const atServer = server.log.rpc('tools/call').map((e) => (e.body as { id: unknown }).id);
    expect(atServer).toEqual(['id-with-string-42']);
  });

  it('host notifications reach the server unchanged', async () => {
    const server = await startMcpServer({ kind });
    const proxy = spawnProxy([server.url]);
    await proxy.initialize({ roots: { listChanged: true } });
    proxy.notify('notifications/roots/list_changed');
    proxy.notify('notifications/cancelled', { requestId: 'never-sent', reason: 'test' });
    const roots = await server.log.waitFor((e) => rpcMethod(e) === 'notifications/roots/list_changed');
    expect(roots.body).toEqual({ jsonrpc: '2.0', method: 'notifications/roots/list_changed' });
    await server.log.waitFor((e) => rpcMethod(e) === 'notifications/cancelled');
    expect(server.log.rpc('notifications/initialized')).toHaveLength(1);
  });

  it('logging and list_changed notifications reach the host before the response', async () => {
    const server = await startMcpServer({ kind });
    const proxy = spawnProxy([server.url]);
    await proxy.initialize();
    const res = await proxy.callTool('notify', {}, 7);
    expect(toolText(res)).toBe('notified');
    const seen = proxy.messages.map((m) => m.method ?? `response:${String(m.id)}`);
    const at = (x: string) => seen.indexOf(x);
    expect(at('notifications/message')).toBeGreaterThanOrEqual(0);
    expect(at('notifications/tools/list_changed')).toBeGreaterThanOrEqual(0);
    expect(at('notifications/message')).toBeLessThan(at('response:7'));
    expect(at('notifications/tools/list_changed')).toBeLessThan(at('response:7'));
    const log = proxy.messages.find((m) => m.method === 'notifications/message')!;
    expect(log.params).toEqual({ level: 'info', logger: 'fixture', data: 'hello from notify' });
  });

  it("progress notifications reach the host with the host's progressToken", async () => {
    const server = await startMcpServer({ kind });
    const proxy = spawnProxy([server.url]);
    await proxy.initialize();
    proxy.send({
      jsonrpc: '2.0',
      id: 'p',
      method: 'tools/call',
      params: { name: 'slow', arguments: { durationMs: 300, progressEveryMs: 40 }, _meta: { progressToken: 'tok-1' } },
    });
    const progress = await proxy.next((m) => m.method === 'notifications/progress');
    expect(progress.params).toMatchObject({ progressToken: 'tok-1', progress: 1 });
    expect(toolText(await proxy.response('p'))).toBe('slept 300ms');
  });

  it('a request body of 2 MB with multi-byte characters round-trips intact (stdin chunk boundaries)', async () => {
    const server = await startMcpServer({ kind });
    const proxy = spawnProxy([server.url]);
    await proxy.initialize();
    const text = bigText(2 * 1024 * 1024);
    const res = await proxy.callTool('echo', { text }, 1, 30_000);
    expect(toolText(res) === text).toBe(true);
  }, 40_000);
});

describe.each<ServerKind>(['stateful', 'sse'])('%s server, large and many', (kind) => {
  it('a 10 MB tool result arrives byte-identical', async () => {
    const server = await startMcpServer({ kind });
    const proxy = spawnProxy([server.url]);
    await proxy.initialize();
    const bytes = 10 * 1024 * 1024;
    const res = await proxy.callTool('big', { bytes }, 'big', 40_000);
    const text = toolText(res);
    expect(Buffer.byteLength(text)).toBe(bytes);
    expect(text === bigText(bytes)).toBe(true);
  }, 60_000);

  it('1,000 requests in flight are all answered, each with its own id', async () => {
    const server = await startMcpServer({ kind });
    const proxy = spawnProxy([server.url]);
    await proxy.initialize();
    const ids = Array.from({ length: 1000 }, (_, i) => (i % 2 ? `r-${i}` : i + 1000));
    proxy.sendRaw(
      ids
        .map((id) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { text: `msg-${String(id)}` } } }))
        .join('\n'),
    );
    const responses = await Promise.all(ids.map((id) => proxy.response(id, 50_000)));
    responses.forEach((r, i) => expect(toolText(r)).toBe(`msg-${String(ids[i])}`));
    const wanted = new Set<unknown>(ids);
    expect(proxy.messages.filter((m) => m.method === undefined && wanted.has(m.id))).toHaveLength(1000); // no duplicates
  }, 60_000);
});

describe('request ids', () => {
  it('numeric id 1 and string id "1" in flight together are not conflated', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url]);
    await proxy.initialize();
    proxy.send({ jsonrpc: '2.0', id: 'x1', method: 'ping' }); // keep auto ids out of the way
    await proxy.response('x1');
    proxy.send({ jsonrpc: '2.0', id: 101, method: 'tools/call', params: { name: 'slow', arguments: { durationMs: 150 } } });
    proxy.send({ jsonrpc: '2.0', id: '101', method: 'tools/call', params: { name: 'echo', arguments: { text: 'string id' } } });
    const [num, str] = await Promise.all([proxy.next((m) => m.id === 101), proxy.next((m) => m.id === '101')]);
    expect(toolText(num)).toBe('slept 150ms');
    expect(toolText(str)).toBe('string id');
  });
});

describe('server-to-client traffic', () => {
  describe.each<ServerKind>(['stateful', 'sse'])('%s server', (kind) => {
    it('sampling and elicitation round trips through the SDK client', async () => {
      const server = await startMcpServer({ kind });
      const prompts: string[] = [];
      const { client } = await connectClient(server.url, [], {
        capabilities: { sampling: {}, elicitation: {} },
        setup: (c) => {
          c.setRequestHandler(CreateMessageRequestSchema, (req) => {
            const content = req.params.messages[0]?.content;
            const prompt = content && 'text' in content ? String(content.text) : '';
            prompts.push(prompt);
            return { model: 'test-model', role: 'assistant', content: { type: 'text', text: `answer to ${prompt}` } };
          });
          c.setRequestHandler(ElicitRequestSchema, (req) => ({ action: 'accept', content: { name: `Ada (${req.params.message})` } }));
        },
      });
      expect(sdkText(await client.callTool({ name: 'sample', arguments: { prompt: 'what is 2+2?' } }))).toBe('answer to what is 2+2?');
      expect(prompts).toEqual(['what is 2+2?']);
      const elicited = JSON.parse(sdkText(await client.callTool({ name: 'elicit', arguments: { message: 'your name?' } }))) as unknown;
      expect(elicited).toEqual({ action: 'accept', content: { name: 'Ada (your name?)' } });
    });

    it('a server request whose id equals a pending host request id (both 0) is routed correctly', async () => {
      const server = await startMcpServer({ kind });
      const proxy = spawnProxy([server.url]);
      await proxy.initialize({ sampling: {} });
      proxy.send({ jsonrpc: '2.0', id: 0, method: 'tools/call', params: { name: 'sample', arguments: { prompt: 'hello' } } });
      const req = await proxy.next((m) => m.method === 'sampling/createMessage');
      expect(req.id).toBe(0); // the SDK server numbers its own requests from 0
      proxy.send({ jsonrpc: '2.0', id: req.id, result: { model: 'm', role: 'assistant', content: { type: 'text', text: 'from host' } } });
      expect(toolText(await proxy.response(0))).toBe('from host');
    });

    it('an error the host answers to a sampling request reaches the server', async () => {
      const server = await startMcpServer({ kind });
      const { client } = await connectClient(server.url, [], {
        capabilities: { sampling: {} },
        setup: (c) => {
          c.setRequestHandler(CreateMessageRequestSchema, () => {
            throw new Error('user declined sampling');
          });
        },
      });
      const res = (await client.callTool({ name: 'sample', arguments: { prompt: 'p' } })) as CallToolResult;
      expect(res.isError).toBe(true);
      expect(sdkText(res)).toContain('user declined sampling');
    });

    it('notifications through the SDK client reach its handlers', async () => {
      const server = await startMcpServer({ kind });
      const logs: unknown[] = [];
      let listChanged = 0;
      const { client } = await connectClient(server.url, [], {
        setup: (c) => {
          c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params.data));
          c.setNotificationHandler(ToolListChangedNotificationSchema, () => void listChanged++);
        },
      });
      await client.callTool({ name: 'notify', arguments: {} });
      expect(logs).toEqual(['hello from notify']);
      expect(listChanged).toBe(1);
    });

    it('cancellation: notifications/cancelled reaches the server and aborts the tool', async () => {
      const server = await startMcpServer({ kind });
      const proxy = spawnProxy([server.url]);
      await proxy.initialize();
      proxy.send({ jsonrpc: '2.0', id: 'long', method: 'tools/call', params: { name: 'slow', arguments: { durationMs: 30_000 } } });
      await server.events.waitFor((e) => e === 'slow:start:long');
      proxy.notify('notifications/cancelled', { requestId: 'long', reason: 'user pressed stop' });
      const cancelled = await server.log.waitFor((e) => rpcMethod(e) === 'notifications/cancelled');
      expect((cancelled.body as { params: unknown }).params).toEqual({ requestId: 'long', reason: 'user pressed stop' });
      await server.events.waitFor((e) => e === 'slow:aborted:long');
      expect(toolText(await proxy.callTool('echo', { text: 'still alive' }))).toBe('still alive');
    });
  });

  it('a list_changed the server sends outside any request (standalone GET stream) reaches the host', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url]);
    await proxy.initialize();
    await server.log.waitFor((e) => e.method === 'GET' && e.headers['mcp-session-id'] === server.sessionIds[0] && e.status === 200);
    await server.broadcastToolListChanged();
    const n: RpcMessage = await proxy.next((m) => m.method === 'notifications/tools/list_changed');
    expect(n).toEqual({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
  });
});

describe('stdin framing', () => {
  it('a line that is not JSON gets -32700 with id null, and the next request works', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url]);
    await proxy.initialize();
    proxy.sendRaw('this is not json {');
    const err = await proxy.next((m) => m.error?.code === -32700);
    expect(err.id).toBeNull();
    expect(err.jsonrpc).toBe('2.0');
    expect(toolText(await proxy.callTool('echo', { text: 'after parse error' }))).toBe('after parse error');
    expect(server.log.entries.some((e) => e.rawBody?.includes('this is not json'))).toBe(false);
  });

  it('a bad line before initialize does not break the session', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url]);
    proxy.sendRaw('{"jsonrpc":"2.0","id":');
    await proxy.next((m) => m.error?.code === -32700 && m.id === null);
    resultOf(await proxy.initialize());
    expect(toolText(await proxy.callTool('echo', { text: 'ok' }))).toBe('ok');
  });

  it('one message split over two writes and two messages in one write are both handled; CRLF accepted', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url]);
    await proxy.initialize();
    const line = Buffer.from(
      `${JSON.stringify({ jsonrpc: '2.0', id: 'split', method: 'tools/call', params: { name: 'echo', arguments: { text: 'a€😀b' } } })}\n`,
    );
    const cut = line.indexOf(Buffer.from('😀')) + 2; // in the middle of a 4-byte character
    await proxy.sendBytes(line.subarray(0, cut));
    await proxy.sendBytes(line.subarray(cut));
    expect(toolText(await proxy.response('split'))).toBe('a€😀b');
    proxy.sendRaw(`${JSON.stringify({ jsonrpc: '2.0', id: 'two-a', method: 'ping' })}\n${JSON.stringify({ jsonrpc: '2.0', id: 'two-b', method: 'ping' })}\r`);
    expect(resultOf(await proxy.response('two-a'))).toEqual({});
    expect(resultOf(await proxy.response('two-b'))).toEqual({});
  });
});
