// Checks the test fixtures on their own: the SDK's own HTTP clients against each fixture server,
// without the proxy. If these fail, the other integration tests mean nothing.
import { describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ToolListChangedNotificationSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { bigText, startMcpServer, type ServerKind, type TestMcpServer } from '../fixtures/mcp-server.js';
import { faults, rpcMethod, startRawServer } from '../fixtures/raw-server.js';
import { closedWithTest } from '../fixtures/teardown.js';

function transportFor(server: TestMcpServer, headers: Record<string, string> = {}): Transport {
  const url = new URL(server.url);
  return server.kind === 'sse'
    ? new SSEClientTransport(url, {
        requestInit: { headers },
        eventSourceInit: { fetch: (u, init) => fetch(u, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }) },
      })
    : new StreamableHTTPClientTransport(url, { requestInit: { headers } });
}

async function connect(server: TestMcpServer, setup?: (c: Client) => void, headers?: Record<string, string>): Promise<Client> {
  const client = new Client({ name: 'fixture-check', version: '0' }, { capabilities: { sampling: {}, elicitation: {} } });
  setup?.(client);
  closedWithTest(client);
  await client.connect(transportFor(server, headers));
  return client;
}

const textOf = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;

describe.each<ServerKind>(['stateful', 'stateless', 'sse'])('fixture %s server', (kind) => {
  it('serves initialize, tools/list and the tools', async () => {
    const server = await startMcpServer({ kind });
    const logs: unknown[] = [];
    let listChanged = 0;
    const progress: number[] = [];
    const client = await connect(server, (c) => {
      c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params.data));
      c.setNotificationHandler(ToolListChangedNotificationSchema, () => void listChanged++);
    });
    expect(client.getServerVersion()?.name).toBe('fixture-server');
    const tools = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(tools).toEqual(['big', 'echo', 'elicit', 'notify', 'sample', 'slow']);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'héllo' } }))).toBe('héllo');
    const big = textOf(await client.callTool({ name: 'big', arguments: { bytes: 100_000 } }));
    expect(Buffer.byteLength(big)).toBe(100_000);
    expect(big).toBe(bigText(100_000));
    await client.callTool({ name: 'notify', arguments: {} });
    expect(logs).toEqual(['hello from notify']);
    expect(listChanged).toBe(1);
    await client.callTool({ name: 'slow', arguments: { durationMs: 120, progressEveryMs: 30 } }, undefined, {
      onprogress: (p) => void progress.push(p.progress),
    });
    expect(progress.length).toBeGreaterThan(0);
    expect(server.log.rpc('initialize')).toHaveLength(1);
  });
});

describe.each<ServerKind>(['stateful', 'sse'])('fixture %s server, server→client requests', (kind) => {
  it('does sampling and elicitation round trips', async () => {
    const server = await startMcpServer({ kind });
    const client = await connect(server, (c) => {
      c.setRequestHandler(CreateMessageRequestSchema, (req) => {
        const t = req.params.messages[0]?.content;
        return { model: 'm', role: 'assistant', content: { type: 'text', text: `sampled:${t && 'text' in t ? t.text : ''}` } };
      });
      c.setRequestHandler(ElicitRequestSchema, () => ({ action: 'accept', content: { name: 'Ada' } }));
    });
    expect(textOf(await client.callTool({ name: 'sample', arguments: { prompt: 'hi' } }))).toBe('sampled:hi');
    expect(JSON.parse(textOf(await client.callTool({ name: 'elicit', arguments: { message: 'name?' } })))).toEqual({
      action: 'accept',
      content: { name: 'Ada' },
    });
  });
});

describe('fixture controls', () => {
  it('restart() makes the old session id answer 404 and keeps the port', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const client = await connect(server);
    const sid = server.sessionIds[0]!;
    await server.restart();
    await expect(client.listTools()).rejects.toThrow(/Session not found/);
    const last = server.log.entries.at(-1)!;
    expect(last.headers['mcp-session-id']).toBe(sid);
    expect(last.status).toBe(404);
    const again = await connect(server);
    expect((await again.listTools()).tools.length).toBe(6);
  });

  it('down()/up() refuses connections and then serves again on the same port', async () => {
    const server = await startMcpServer({ kind: 'stateless' });
    await server.down();
    await expect(fetch(server.url, { method: 'POST' })).rejects.toThrow();
    await server.up();
    const client = await connect(server);
    expect((await client.listTools()).tools.length).toBe(6);
  });

  it('token: 401 with WWW-Authenticate without it, works with it', async () => {
    const server = await startMcpServer({ kind: 'stateful', token: 'tok' });
    const res = await fetch(server.url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const client = await connect(server, undefined, { Authorization: 'Bearer tok' });
    expect((await client.listTools()).tools.length).toBe(6);
    expect(server.log.entries.at(-1)!.headers.authorization).toBe('Bearer tok');
  });

  it('sse: token is required on the GET and the POSTs', async () => {
    const server = await startMcpServer({ kind: 'sse', token: 'tok' });
    const client = await connect(server, undefined, { Authorization: 'Bearer tok' });
    await client.listTools();
    expect(server.log.entries.every((e) => e.status !== 401)).toBe(true);
    expect(server.log.entries.filter((e) => e.method === 'GET')).toHaveLength(1);
  });

  it('failNext() answers the next tool call with the fault, then serves normally', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const client = await connect(server);
    server.failNext(faults.html502);
    await expect(client.callTool({ name: 'echo', arguments: { text: 'a' } })).rejects.toThrow(/502/);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'b' } }))).toBe('b');
    expect(server.log.rpc('tools/call').map((e) => e.status)).toEqual([502, 200]);
  });

  it('slow records aborts when the client cancels', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const client = await connect(server);
    const ac = new AbortController();
    const call = client.callTool({ name: 'slow', arguments: { durationMs: 10_000 } }, undefined, { signal: ac.signal });
    await server.log.waitFor((e) => rpcMethod(e) === 'tools/call');
    ac.abort('test');
    await expect(call).rejects.toThrow();
    await server.log.waitFor((e) => rpcMethod(e) === 'notifications/cancelled');
    await server.events.waitFor((e) => e.startsWith('slow:aborted:'));
  });

  it('raw servers record requests and misbehave as asked', async () => {
    const raw = await startRawServer(faults.truncatedJson);
    await expect(fetch(raw.url, { method: 'POST', body: '{"id":1}' }).then((r) => r.text())).rejects.toThrow();
    raw.setHandler(faults.garbageJson);
    expect(await (await fetch(raw.url, { method: 'POST', body: '{}', headers: { 'x-a': 'b' } })).text()).toMatch(/not json/);
    expect(raw.log.entries.map((e) => [e.method, e.status, e.headers['x-a']])).toEqual([
      ['POST', 200, undefined],
      ['POST', 200, 'b'],
    ]);
  });
});
