// The Bridge in-process, without spawning the CLI: its host side is any HostSide (StdioTransport
// over a pair of PassThrough streams, or an in-memory one), its remote side the real transports
// talking to a real SDK server on 127.0.0.1.
import { describe, expect, it } from 'vitest';
import { staticAuthorizer } from '../../src/auth/static-authorizer.js';
import { buildNetwork } from '../../src/config.js';
import { HttpClient } from '../../src/http/client.js';
import { Bridge } from '../../src/bridge.js';
import type { JsonRpcMessage } from '../../src/jsonrpc.js';
import { isOwnId } from '../../src/own-id.js';
import type { HostSide } from '../../src/transport/host-side.js';
import type { RemoteTransport, Reply } from '../../src/transport/remote-transport.js';
import { SessionReplay } from '../../src/transport/session-replay.js';
import { StdioTransport } from '../../src/transport/stdio.js';
import { StreamableHttpTransport } from '../../src/transport/streamable-http.js';
import { Log } from '../fixtures/raw-server.js';
import { hostStreams } from '../fixtures/host-streams.js';
import { whenTestEnds } from '../fixtures/teardown.js';
import { startMcpServer, type TestMcpServer } from '../fixtures/mcp-server.js';

const bridges: Bridge[] = [];

/** A client for the test's requests, closed (with the bridges it made) when the test ends. */
function httpClient(): HttpClient {
  const http = new HttpClient(buildNetwork({}, {}));
  whenTestEnds(async () => {
    await Promise.all(bridges.splice(0).map((b) => b.close()));
    await http.close();
  });
  return http;
}

function remoteFor(server: TestMcpServer): RemoteTransport {
  return new SessionReplay(new StreamableHttpTransport({ url: new URL(server.url), headers: {}, authorizer: staticAuthorizer(undefined), http: httpClient() }));
}

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 'init',
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'in-process', version: '1' } },
};
const INITIALIZED = { jsonrpc: '2.0', method: 'notifications/initialized' };
const echo = (id: string | number, text: string) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { text } } });
const textOf = (m: JsonRpcMessage) => (m as { result?: { content?: Array<{ text?: string }> } }).result?.content?.[0]?.text;

/** A host on a pair of streams: writes lines to the bridge's stdin, reads its stdout. */
function streamHost(server: TestMcpServer, options: { keepaliveMs?: number } = {}) {
  const { stdin, stdout, received } = hostStreams();
  const bridge = new Bridge(new StdioTransport(stdin, stdout), remoteFor(server), { timeoutMs: 10_000, keepaliveMs: options.keepaliveMs });
  bridges.push(bridge);
  bridge.start();
  return {
    received,
    write: (message: unknown) => stdin.write(`${JSON.stringify(message)}\n`),
    answer: (id: unknown) => received.waitFor((m) => m['id'] === id && !('method' in m)),
  };
}

describe('Bridge in-process', () => {
  it('over streams: initialize, a tool call and its answer, each request answered once with its own id', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const host = streamHost(server);
    host.write(INITIALIZE);
    const init = await host.answer('init');
    expect((init['result'] as { serverInfo?: unknown }).serverInfo).toBeDefined();
    host.write(INITIALIZED);
    host.write(echo(1, 'one'));
    host.write(echo('1', 'string one'));
    expect(textOf((await host.answer(1)) as unknown as JsonRpcMessage)).toBe('one');
    expect(textOf((await host.answer('1')) as unknown as JsonRpcMessage)).toBe('string one');
    expect(host.received.entries.filter((m) => m['id'] === 1)).toHaveLength(1);
  });

  it('session replay: after a server restart its own initialize (an id of ours) never reaches the host, whose call is answered', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const host = streamHost(server);
    host.write(INITIALIZE);
    await host.answer('init');
    host.write(INITIALIZED);
    await server.restart();
    host.write(echo('after', 'after restart'));
    expect(textOf((await host.answer('after')) as unknown as JsonRpcMessage)).toBe('after restart');
    const replayed = server.log.rpc('initialize').map((e) => (e.body as { id: unknown }).id);
    expect(replayed).toHaveLength(2);
    expect(isOwnId(replayed[1] as string, 'replay')).toBe(true);
    expect(host.received.entries.filter((m) => isOwnId(m['id'] as string))).toEqual([]);
  });

  it('keepalive pings carry ids of ours; their replies come back to the keepalive, not to the host', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const host = streamHost(server, { keepaliveMs: 20 });
    host.write(INITIALIZE);
    await host.answer('init');
    host.write(INITIALIZED);
    await server.log.waitFor(() => server.log.rpc('ping').filter((e) => e.status === 200).length >= 2);
    for (const ping of server.log.rpc('ping')) expect(isOwnId((ping.body as { id: string }).id, 'keepalive')).toBe(true);
    host.write(echo('later', 'still here'));
    expect(textOf((await host.answer('later')) as unknown as JsonRpcMessage)).toBe('still here');
    expect(host.received.entries.filter((m) => isOwnId(m['id'] as string))).toEqual([]);
  });

  it("an in-memory host side: the server's replies are handed over through reply(), messages through send()", async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const replies = new Log<Reply>();
    const sent = new Log<JsonRpcMessage>();
    const host: HostSide = {
      start: () => undefined,
      send: (message) => sent.add(message),
      reply: (reply) => replies.add(reply),
    };
    const bridge = new Bridge(host, remoteFor(server), { timeoutMs: 10_000 });
    bridges.push(bridge);
    bridge.start();
    host.onvalue!(INITIALIZE);
    const init = await replies.waitFor((r) => r.message.id === 'init');
    expect(init.message.result?.['serverInfo']).toBeDefined();
    host.onvalue!(INITIALIZED);
    host.onvalue!(echo(7, 'in memory'));
    const reply = await replies.waitFor((r) => r.message.id === 7);
    expect(textOf(reply.message)).toBe('in memory');
    // A message that is not JSON-RPC is answered by the bridge itself, through send().
    host.onvalue!({ id: 8 });
    const refusal = await sent.waitFor((m) => 'id' in m && m.id === 8);
    expect((refusal as { error?: { code: number } }).error?.code).toBe(-32600);
  });
});
