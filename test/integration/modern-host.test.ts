// A host that itself speaks 2026-07-28 on stdio (raw JSON lines: server/discover with _meta, then
// requests with _meta): against a 2026-07-28 server its messages pass through unchanged, with only
// the HTTP headers added; against a legacy server its server/discover gets -32601 and it falls
// back to initialize (2026-07-28 stdio "Backward Compatibility").
import { describe, expect, it } from 'vitest';
import { errorOf, resultOf, spawnProxy, toolText } from '../fixtures/cli.js';
import { startMcpServer, type ServerKind } from '../fixtures/mcp-server.js';
import { INVALID_HEADER_TOOL, startModernMcpServer } from '../fixtures/modern-mcp-server.js';
import { rpcMethod, type RecordedRequest } from '../fixtures/raw-server.js';

const MODERN = '2026-07-28';
const meta = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientInfo': { name: 'modern-stdio-host', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};
const bodyOf = (e: RecordedRequest) => e.body as { jsonrpc?: string; id?: unknown; method?: string; params?: Record<string, unknown> };
const byId = (entries: RecordedRequest[], id: string) => entries.find((e) => bodyOf(e).id === id)!;

describe('2026-07-28 host, 2026-07-28 server', () => {
  it('server/discover, tools/list and tools/call pass through unchanged, with MCP-Protocol-Version, Mcp-Method, Mcp-Name and Mcp-Param-* added', async () => {
    const server = await startModernMcpServer();
    const proxy = spawnProxy([server.url, '--log-level', 'debug']);

    const discover = resultOf(await proxy.request('server/discover', { _meta: meta }, 'd1'));
    expect(discover.supportedVersions).toEqual([MODERN]);
    expect(discover.resultType).toBe('complete');
    expect(discover._meta).toEqual({ 'io.modelcontextprotocol/serverInfo': { name: 'modern-fixture', version: '2.0.0' } });

    const list = resultOf(await proxy.request('tools/list', { _meta: meta }, 'l1'));
    // Unchanged: dropping invalid tools is the modern host's own job.
    expect(list.tools.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['regional', 'echo', INVALID_HEADER_TOOL]));

    const callParams = { name: 'regional', arguments: { region: 'eu-west', query: 'q' }, _meta: meta };
    expect(toolText(await proxy.request('tools/call', callParams, 'c1'))).toBe('eu-west:q');
    const zurich = { name: 'regional', arguments: { region: 'Zürich', query: 'q' }, _meta: meta };
    expect(toolText(await proxy.request('tools/call', zurich, 'c2'))).toBe('Zürich:q');

    expect(server.log.entries.map(rpcMethod)).not.toContain('initialize');
    // The host's own requests went out as they were sent (same ids, same params).
    const hostDiscover = byId(server.log.entries, 'd1');
    expect(bodyOf(hostDiscover)).toEqual({ jsonrpc: '2.0', id: 'd1', method: 'server/discover', params: { _meta: meta } });
    expect(hostDiscover.headers['mcp-method']).toBe('server/discover');
    expect(hostDiscover.headers['mcp-protocol-version']).toBe(MODERN);
    const hostList = byId(server.log.entries, 'l1');
    expect(bodyOf(hostList).params).toEqual({ _meta: meta });
    expect(hostList.headers['mcp-method']).toBe('tools/list');

    const call = byId(server.log.entries, 'c1');
    expect(bodyOf(call)).toEqual({ jsonrpc: '2.0', id: 'c1', method: 'tools/call', params: callParams });
    expect(call.status).toBe(200);
    expect(call.headers['mcp-protocol-version']).toBe(MODERN);
    expect(call.headers['mcp-method']).toBe('tools/call');
    expect(call.headers['mcp-name']).toBe('regional');
    expect(call.headers['mcp-param-region']).toBe('eu-west');
    // A non-ASCII value travels base64-encoded (SEP-2243 sentinel).
    expect(byId(server.log.entries, 'c2').headers['mcp-param-region']).toBe(`=?base64?${Buffer.from('Zürich', 'utf8').toString('base64')}?=`);
    // No session, no listen the host did not ask for.
    expect(server.log.entries.some((e) => e.headers['mcp-session-id'] !== undefined)).toBe(false);
    expect(server.log.rpc('subscriptions/listen')).toEqual([]);
  });

  it('notifications/cancelled from the modern host closes the request stream; no response for that id', async () => {
    const server = await startModernMcpServer();
    const proxy = spawnProxy([server.url, '--log-level', 'debug']);
    resultOf(await proxy.request('server/discover', { _meta: meta }, 'd1'));
    proxy.send({ jsonrpc: '2.0', id: 's1', method: 'tools/call', params: { name: 'slow', arguments: { ms: 20_000 }, _meta: meta } });
    await server.events.waitFor((e) => e === 'slow:start:s1');
    proxy.notify('notifications/cancelled', { requestId: 's1' });
    await server.events.waitFor((e) => e === 'slow:aborted:s1');
    expect(toolText(await proxy.request('tools/call', { name: 'echo', arguments: { text: 'after' }, _meta: meta }, 'e1'))).toBe('after');
    expect(proxy.messages.filter((m) => m.id === 's1')).toEqual([]);
    expect(server.log.rpc('notifications/cancelled')).toEqual([]);
  });
  // Regression: Mcp-Param-* headers came only from a tools/list seen by this proxy process, so a
  // modern host calling a header-annotated tool it knew from before (a cached tools/list; 2026-07-28
  // results carry ttlMs for exactly that) got the server's -32020 HeaderMismatch. The bridge for
  // legacy hosts lists the tools itself in that case; the passthrough did not.
  it('tools/call of a header-annotated tool before any tools/list through this proxy still carries Mcp-Param-*', async () => {
    const server = await startModernMcpServer();
    const proxy = spawnProxy([server.url, '--log-level', 'debug']);
    resultOf(await proxy.request('server/discover', { _meta: meta }, 'd1'));
    const reply = await proxy.request('tools/call', { name: 'regional', arguments: { region: 'eu-west', query: 'q' }, _meta: meta }, 'c1');
    expect(reply.error).toBeUndefined();
    expect(toolText(reply)).toBe('eu-west:q');
    const calls = server.log.rpc('tools/call');
    expect(calls[calls.length - 1]!.headers['mcp-param-region']).toBe('eu-west');
  });
});

describe.each<ServerKind>(['stateful', 'stateless'])('2026-07-28 host, legacy SDK 1.x server (%s)', (kind) => {
  it('server/discover gets -32601; the host then sends initialize and everything works', async () => {
    const server = await startMcpServer({ kind });
    const proxy = spawnProxy([server.url, '--log-level', 'debug']);
    const error = errorOf(await proxy.request('server/discover', { _meta: meta }, 'd1'));
    expect(error.code).toBe(-32601);
    // Only the proxy's own probe reached the server.
    expect(server.log.rpc('server/discover')).toHaveLength(1);
    expect(bodyOf(server.log.rpc('server/discover')[0]!).id).not.toBe('d1');

    const init = resultOf(await proxy.initialize());
    expect(init.serverInfo).toEqual({ name: 'fixture-server', version: '1.2.3' });
    expect(toolText(await proxy.callTool('echo', { text: 'legacy now' }))).toBe('legacy now');
    expect(server.log.rpc('initialize')).toHaveLength(1);
    expect(server.log.rpc('server/discover')).toHaveLength(1);
  });
});
