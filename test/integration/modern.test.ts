// A legacy host (the SDK 1.x Client over stdio, as Cursor or Claude Desktop) through the proxy to a
// real 2026-07-28 server (the v2 server SDK): the proxy detects the era by itself and bridges.
import { describe, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { connectClient } from '../fixtures/cli.js';
import { INVALID_HEADER_TOOL, startModernMcpServer } from '../fixtures/modern-mcp-server.js';
import { rpcMethod, type RecordedRequest } from '../fixtures/raw-server.js';

const textOf = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;
const bodyOf = (e: RecordedRequest) => e.body as { id?: unknown; method?: string; params?: Record<string, unknown> };
const capabilities = { sampling: {}, elicitation: {}, roots: {} };

async function legacyHost(url: string, args: string[] = []) {
  const notes: string[] = [];
  return {
    notes,
    ...(await connectClient(url, args, {
      capabilities,
      setup: (client) => {
        client.setRequestHandler(CreateMessageRequestSchema, async () => ({
          model: 'host-model',
          role: 'assistant',
          content: { type: 'text', text: 'sampled by the host' },
        }));
        client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { name: 'Ada' } }));
        client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: 'file:///work', name: 'work' }] }));
        client.setNotificationHandler(ToolListChangedNotificationSchema, async (n) => void notes.push(n.method));
        client.setNotificationHandler(LoggingMessageNotificationSchema, async (n) => void notes.push(`${n.method}:${JSON.stringify(n.params.data)}`));
      },
    })),
  };
}

describe('legacy host, 2026-07-28 server', () => {
  it('initialize is answered from server/discover; no initialize reaches the server; requests carry _meta and headers', async () => {
    const server = await startModernMcpServer();
    const { client } = await legacyHost(server.url);
    expect(client.getServerVersion()?.name).toBe('modern-fixture');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).not.toContain(INVALID_HEADER_TOOL);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'héllo' } }))).toBe('héllo');
    expect(textOf(await client.callTool({ name: 'regional', arguments: { region: 'eu-west 1', query: 'q' } }))).toContain('eu-west 1');

    const methods = server.log.entries.map(rpcMethod);
    expect(methods).not.toContain('initialize');
    expect(methods).not.toContain('notifications/initialized');
    const call = server.log.entries.find((e) => rpcMethod(e) === 'tools/call' && bodyOf(e).params?.['name'] === 'regional')!;
    expect(call.headers['mcp-protocol-version']).toBe('2026-07-28');
    expect(call.headers['mcp-method']).toBe('tools/call');
    expect(call.headers['mcp-name']).toBe('regional');
    expect(call.headers['mcp-param-region']).toBe('eu-west 1');
    const meta = bodyOf(call).params?.['_meta'] as Record<string, unknown>;
    expect(meta['io.modelcontextprotocol/protocolVersion']).toBe('2026-07-28');
    expect(meta['io.modelcontextprotocol/clientInfo']).toMatchObject({ name: 'sdk-test-host' });
    expect(meta['io.modelcontextprotocol/clientCapabilities']).toMatchObject(capabilities);
  });

  it('input_required becomes sampling, elicitation and roots requests to the host, then a retry with a new id and the echoed requestState', async () => {
    const server = await startModernMcpServer();
    const { client } = await legacyHost(server.url);
    await client.listTools();
    expect(textOf(await client.callTool({ name: 'ask_sampling', arguments: { prompt: 'p' } }))).toContain('sampled by the host');
    expect(textOf(await client.callTool({ name: 'ask_elicitation', arguments: { message: 'name?' } }))).toContain('Ada');
    expect(textOf(await client.callTool({ name: 'ask_roots', arguments: {} }))).toContain('file:///work');
    const legs = server.log.entries.filter((e) => rpcMethod(e) === 'tools/call' && bodyOf(e).params?.['name'] === 'ask_sampling').map(bodyOf);
    expect(legs).toHaveLength(2);
    expect(legs[1]!.id).not.toEqual(legs[0]!.id);
    expect(legs[0]!.params).not.toHaveProperty('requestState');
    expect(legs[1]!.params).toHaveProperty('inputResponses');
    expect(legs[1]!.params?.['requestState']).toBe('sampling:p');
  });

  it('logging/setLevel and ping are answered by the proxy; the level rides on later requests', async () => {
    const server = await startModernMcpServer();
    const { client, notes } = await legacyHost(server.url);
    await client.ping();
    await client.setLoggingLevel('info');
    await client.callTool({ name: 'log', arguments: { message: 'hello log', level: 'info' } });
    expect(notes.some((n) => n.startsWith('notifications/message') && n.includes('hello log'))).toBe(true);
    const methods = server.log.entries.map(rpcMethod);
    expect(methods).not.toContain('ping');
    expect(methods).not.toContain('logging/setLevel');
  });

  it('change notifications arrive through subscriptions/listen', async () => {
    const server = await startModernMcpServer();
    const { client, notes } = await legacyHost(server.url);
    await server.log.waitFor((e) => rpcMethod(e) === 'subscriptions/listen');
    await server.events.waitFor((e) => e.startsWith('listen:open'));
    await client.callTool({ name: 'notify_changes', arguments: {} });
    await expect.poll(() => notes).toContain('notifications/tools/list_changed');
  });

  it('a warm start against a legacy server skips the probe; against a modern one the probe is the discover the bridge needs', async () => {
    const server = await startModernMcpServer({ eras: 'dual' });
    const first = await legacyHost(server.url);
    await first.client.close();
    const discovers = server.log.entries.filter((e) => rpcMethod(e) === 'server/discover').length;
    expect(discovers).toBe(1);
  });
});
