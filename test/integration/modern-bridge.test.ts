// A legacy (initialize-based) host bridged to a 2026-07-28 server: cancellation and timeouts
// (closing the request's stream), subscriptions/listen for resource subscriptions, and the MRTR
// edge cases (a host that cannot answer, a host that declines).
import { describe, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { connectClient, errorOf, resultOf, spawnProxy, toolText, type RpcMessage } from '../fixtures/cli.js';
import { COUNTER_URI, startModernMcpServer, type ModernMcpServer } from '../fixtures/modern-mcp-server.js';
import { rpcMethod, type RecordedRequest } from '../fixtures/raw-server.js';

const SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';
const bodyOf = (e: RecordedRequest) =>
  e.body as { id?: unknown; method?: string; params?: Record<string, unknown> & { notifications?: Record<string, unknown> } };
const textOf = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;
const isListen = (e: RecordedRequest) => rpcMethod(e) === 'subscriptions/listen';

/** The server's id for the host's call: the `slow:start:<id>` event of the next slow call. */
async function slowStarted(server: ModernMcpServer): Promise<string> {
  const started = await server.events.waitFor((e) => e.startsWith('slow:start:'));
  return started.slice('slow:start:'.length);
}

describe('cancellation and timeouts', () => {
  it('notifications/cancelled from the host closes the request stream: the server sees slow:aborted, the host gets no response for that id', async () => {
    const server = await startModernMcpServer();
    const proxy = spawnProxy([server.url, '--log-level', 'debug']);
    resultOf(await proxy.initialize());
    proxy.send({ jsonrpc: '2.0', id: 'slow-1', method: 'tools/call', params: { name: 'slow', arguments: { ms: 20_000 } } });
    const upstream = await slowStarted(server);
    proxy.notify('notifications/cancelled', { requestId: 'slow-1', reason: 'the user gave up' });
    await server.events.waitFor((e) => e === `slow:aborted:${upstream}`);

    // A later round trip through the same server: an answer for slow-1 would have come before it.
    expect(toolText(await proxy.callTool('echo', { text: 'after' }, 'echo-1'))).toBe('after');
    expect(proxy.messages.filter((m) => m.id === 'slow-1')).toEqual([]);
    // 2026-07-28 cancels by closing the stream; there is no notifications/cancelled on the wire.
    expect(server.log.rpc('notifications/cancelled')).toEqual([]);
    expect(server.events.entries).not.toContain(`slow:done:${upstream}`);
  });

  it('notifications/cancelled while the host is being asked for input (MRTR): no retry leg, no response, and a late answer is dropped', async () => {
    const server = await startModernMcpServer();
    const proxy = spawnProxy([server.url, '--log-level', 'debug']);
    resultOf(await proxy.initialize({ elicitation: {} }));
    proxy.send({ jsonrpc: '2.0', id: 'elicit-c', method: 'tools/call', params: { name: 'ask_elicitation', arguments: { message: 'name?' } } });
    const ask = await proxy.next((m) => m.method === 'elicitation/create');
    proxy.notify('notifications/cancelled', { requestId: 'elicit-c' });
    // The host's dialog answers anyway, after the cancel.
    proxy.send({ jsonrpc: '2.0', id: ask.id, result: { action: 'accept', content: { name: 'Ada' } } });
    expect(toolText(await proxy.callTool('echo', { text: 'after' }, 'echo-c'))).toBe('after');
    expect(proxy.messages.filter((m) => m.id === 'elicit-c')).toEqual([]);
    expect(server.log.rpc('tools/call').filter((e) => (bodyOf(e).params as { name?: string } | undefined)?.name === 'ask_elicitation')).toHaveLength(1);
  });

  it('--timeout 1 on slow: the host gets REQUEST_TIMEOUT and the server sees the stream closed', async () => {
    const server = await startModernMcpServer();
    const proxy = spawnProxy([server.url, '--timeout', '1', '--log-level', 'debug']);
    resultOf(await proxy.initialize());
    const reply = proxy.callTool('slow', { ms: 20_000 }, 'slow-t');
    const upstream = await slowStarted(server);
    const error = errorOf(await reply);
    expect(error.code).toBe(-32001);
    expect(error.data).toMatchObject({ code: 'REQUEST_TIMEOUT' });
    expect(error.message).toMatch(/--timeout/);
    await server.events.waitFor((e) => e === `slow:aborted:${upstream}`);
    expect(server.log.rpc('notifications/cancelled')).toEqual([]);
    expect(proxy.messages.filter((m) => m.id === 'slow-t')).toHaveLength(1);
  });
});

describe('subscriptions/listen', () => {
  it('resources/subscribe: the next listen carries resourceSubscriptions, and resources/updated reaches the host without the subscriptionId _meta', async () => {
    const server = await startModernMcpServer();
    const proxy = spawnProxy([server.url, '--log-level', 'debug']);
    resultOf(await proxy.initialize());
    const first = await server.log.waitFor(isListen);
    expect(bodyOf(first).params?.notifications).toEqual({ toolsListChanged: true, resourcesListChanged: true });

    expect(resultOf(await proxy.request('resources/subscribe', { uri: COUNTER_URI }))).toEqual({});
    expect(server.log.rpc('resources/subscribe')).toEqual([]); // no such method in 2026-07-28
    const second = await server.log.waitFor((e) => isListen(e) && bodyOf(e).params?.notifications?.['resourceSubscriptions'] !== undefined);
    expect(bodyOf(second).params?.notifications).toEqual({ toolsListChanged: true, resourcesListChanged: true, resourceSubscriptions: [COUNTER_URI] });
    const secondId = String(bodyOf(second).id);
    // A listen cannot be modified: the first one is closed, the new one is live.
    await server.events.waitFor((e) => e === `listen:closed:${String(bodyOf(first).id)}`);
    await server.events.waitFor((e) => e === `listen:acked:${secondId}`);

    server.notify.resourceUpdated(COUNTER_URI);
    const updated = await proxy.next((m) => m.method === 'notifications/resources/updated');
    expect(updated.params.uri).toBe(COUNTER_URI);
    expect(updated.params._meta ?? {}).not.toHaveProperty(SUBSCRIPTION_ID);
    expect(JSON.stringify(proxy.messages)).not.toContain(SUBSCRIPTION_ID);
    expect(proxy.messages.map((m) => m.method)).not.toContain('notifications/subscriptions/acknowledged');

    // And resources/unsubscribe takes the URI out again.
    expect(resultOf(await proxy.request('resources/unsubscribe', { uri: COUNTER_URI }))).toEqual({});
    const third = await server.log.waitFor((e) => isListen(e) && e !== first && e !== second);
    expect(bodyOf(third).params?.notifications).toEqual({ toolsListChanged: true, resourcesListChanged: true });
    await server.events.waitFor((e) => e === `listen:closed:${secondId}`);
  });
});

describe('MRTR edge cases', () => {
  it('a host without the sampling capability: the call fails with a clear JSON-RPC error, not a hang', async () => {
    const server = await startModernMcpServer();
    const proxy = spawnProxy([server.url, '--log-level', 'debug']);
    resultOf(await proxy.initialize({ elicitation: {} }));
    const error = errorOf(await proxy.callTool('ask_sampling', { prompt: 'p' }, 'sample-1'));
    // The SDK server checks the capabilities the proxy passed on and refuses in-band (-32021).
    expect(error.message).toMatch(/sampling/);
    // The host was not asked for something it cannot do.
    expect(proxy.messages.map((m) => m.method)).not.toContain('sampling/createMessage');
    // No retry leg was sent without an answer.
    expect(server.log.rpc('tools/call').filter((e) => (bodyOf(e).params as { name?: string } | undefined)?.name === 'ask_sampling')).toHaveLength(1);
    // The proxy goes on working.
    expect(toolText(await proxy.callTool('echo', { text: 'still here' }))).toBe('still here');
  });

  it('a server that asks for sampling anyway (ignoring the declared capabilities): the proxy answers the host with its own clear error', async () => {
    const server = await startModernMcpServer();
    const isAskSampling = (e: RecordedRequest) => rpcMethod(e) === 'tools/call' && (bodyOf(e).params as { name?: string } | undefined)?.name === 'ask_sampling';
    server.failNext(
      (_req, res, entry) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            jsonrpc: '2.0',
            id: bodyOf(entry).id,
            result: {
              resultType: 'input_required',
              inputRequests: {
                llm: { method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: 'p' } }], maxTokens: 5 } },
              },
              requestState: 's',
            },
          }),
        );
      },
      { match: isAskSampling },
    );
    const proxy = spawnProxy([server.url, '--log-level', 'debug']);
    resultOf(await proxy.initialize({}));
    const error = errorOf(await proxy.callTool('ask_sampling', { prompt: 'p' }, 'sample-2'));
    expect(error.data).toMatchObject({ code: 'REMOTE_BAD_RESPONSE' });
    expect(error.message).toMatch(/needs sampling from the host/);
    expect(proxy.messages.map((m) => m.method)).not.toContain('sampling/createMessage');
    expect(server.log.entries.filter(isAskSampling)).toHaveLength(1);
  });

  it.each(['decline', 'cancel'] as const)('the host answering the elicitation with "%s" flows back to the server and to the host', async (action) => {
    const server = await startModernMcpServer();
    const { client } = await connectClient(server.url, ['--log-level', 'debug'], {
      capabilities: { elicitation: {} },
      setup: (c) => c.setRequestHandler(ElicitRequestSchema, async () => ({ action })),
    });
    const result = await client.callTool({ name: 'ask_elicitation', arguments: { message: 'name?' } });
    expect(JSON.parse(textOf(result))).toEqual({ action });
    const legs = server.log.rpc('tools/call').filter((e) => (bodyOf(e).params as { name?: string } | undefined)?.name === 'ask_elicitation');
    expect(legs).toHaveLength(2);
    expect(bodyOf(legs[1]!).params).toMatchObject({ requestState: 'elicitation:1', inputResponses: { name: { action } } });
  });

  it('the host answering the elicitation with a JSON-RPC error: the call fails with a clear error and no retry leg', async () => {
    const server = await startModernMcpServer();
    const proxy = spawnProxy([server.url, '--log-level', 'debug']);
    resultOf(await proxy.initialize({ elicitation: {} }));
    proxy.send({ jsonrpc: '2.0', id: 'elicit-1', method: 'tools/call', params: { name: 'ask_elicitation', arguments: { message: 'name?' } } });
    const ask: RpcMessage = await proxy.next((m) => m.method === 'elicitation/create');
    expect(ask.params).toMatchObject({ message: 'name?' });
    proxy.send({ jsonrpc: '2.0', id: ask.id, error: { code: -32603, message: 'no UI here' } });
    const error = errorOf(await proxy.response('elicit-1'));
    expect(error.message).toMatch(/no UI here/);
    expect(server.log.rpc('tools/call').filter((e) => (bodyOf(e).params as { name?: string } | undefined)?.name === 'ask_elicitation')).toHaveLength(1);
  });
});
