// Remote failures become JSON-RPC errors for the pending request, and the proxy keeps working.
import { describe, expect, it, vi } from 'vitest';
import { errorOf, resultOf, spawnProxy, toolText } from '../fixtures/cli.js';
import { startMcpServer, type ServerKind } from '../fixtures/mcp-server.js';
import { deadPort, faults, rpcMethod, startRawServer, type RawHandler } from '../fixtures/raw-server.js';

// Every test spawns the CLI; give slow CI machines room (the tests' own waits are tighter).
vi.setConfig({ testTimeout: 20_000 });

const ALL_KINDS: ServerKind[] = ['stateful', 'stateless', 'sse'];

describe('remote unreachable', () => {
  it('nothing listening: initialize gets REMOTE_UNREACHABLE ("could not connect") and the proxy keeps running', async () => {
    const port = await deadPort();
    const proxy = spawnProxy([`http://127.0.0.1:${port}/mcp`]);
    const err = errorOf(await proxy.initialize());
    expect(err.code).toBe(-32000);
    expect(err.data?.code).toBe('REMOTE_UNREACHABLE');
    expect(err.message).toMatch(/could not connect/i);
    const again = errorOf(await proxy.request('tools/list', {}));
    expect(again.data?.code).toBe('REMOTE_UNREACHABLE');
    expect(proxy.running).toBe(true);
  });

  it('server goes down mid-session: REMOTE_UNREACHABLE, then the next call succeeds once it is back', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url]);
    resultOf(await proxy.initialize());
    expect(toolText(await proxy.callTool('echo', { text: 'one' }))).toBe('one');
    await server.down();
    const err = errorOf(await proxy.callTool('echo', { text: 'two' }));
    expect(err).toMatchObject({ code: -32000, data: { code: 'REMOTE_UNREACHABLE' } });
    expect(err.message).toMatch(/could not connect/i);
    expect(proxy.running).toBe(true);
    await server.up();
    expect(toolText(await proxy.callTool('echo', { text: 'three' }))).toBe('three');
  });

  it('server process restarted on the same port (connections cut, sessions lost): next call after it is back succeeds', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url]);
    resultOf(await proxy.initialize());
    await server.down();
    await server.restart();
    await server.up();
    expect(toolText(await proxy.callTool('echo', { text: 'back' }))).toBe('back');
  });
});

describe('session lost (server restarted, Streamable HTTP answers 404 to the old session id)', () => {
  it("re-initializes transparently, replaying the host's initialize; the host sees only the response", async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url]);
    resultOf(await proxy.initialize({ sampling: {} }));
    expect(toolText(await proxy.callTool('echo', { text: 'before' }))).toBe('before');
    await server.restart();
    const seen = proxy.messages.length;
    const res = await proxy.callTool('echo', { text: 'after' }, 'after-restart');
    expect(toolText(res)).toBe('after');
    expect(proxy.messages.slice(seen)).toEqual([res]);

    const inits = server.log.rpc('initialize');
    expect(inits).toHaveLength(2);
    expect((inits[1]!.body as { params: unknown }).params).toEqual((inits[0]!.body as { params: unknown }).params);
    expect(server.sessionIds).toHaveLength(2);
    const newSid = server.sessionIds[1];
    const idx = (pred: (i: number) => boolean) => server.log.entries.findIndex((_, i) => pred(i));
    const e = server.log.entries;
    const initialized = idx((i) => rpcMethod(e[i]!) === 'notifications/initialized' && e[i]!.headers['mcp-session-id'] === newSid);
    const call = idx((i) => rpcMethod(e[i]!) === 'tools/call' && e[i]!.headers['mcp-session-id'] === newSid);
    expect(initialized).toBeGreaterThanOrEqual(0);
    expect(call).toBeGreaterThan(initialized);
    expect((e[call]!.body as { id: unknown }).id).toBe('after-restart');
  });

  it('several calls in flight when the session is lost make one new session, and all succeed', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url]);
    resultOf(await proxy.initialize());
    await server.restart();
    const ids = ['c1', 'c2', 'c3', 'c4', 'c5'];
    for (const id of ids) proxy.send({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { text: id } } });
    const res = await Promise.all(ids.map((id) => proxy.response(id)));
    expect(res.map(toolText)).toEqual(ids);
    expect(server.sessionIds).toHaveLength(2);
  });
});

describe('legacy SSE server restarted (its SSE stream ends, old session id gets 404)', () => {
  it('regression: the first call after the restart used to fail with 404; now a new session is opened transparently', async () => {
    const server = await startMcpServer({ kind: 'sse' });
    const proxy = spawnProxy([server.url]);
    resultOf(await proxy.initialize());
    await server.log.waitFor((e) => rpcMethod(e) === 'notifications/initialized' && e.status !== undefined);
    await server.restart();
    expect(toolText(await proxy.callTool('echo', { text: 'one' }))).toBe('one');
    expect(toolText(await proxy.callTool('echo', { text: 'two' }))).toBe('two');
    expect(server.sessionIds).toHaveLength(2);
  });
});

describe.each(ALL_KINDS)('HTTP errors from a %s server', (kind) => {
  it('HTML 502 page → REMOTE_HTTP_STATUS mentioning 502; the next call works once the server is healthy', async () => {
    const server = await startMcpServer({ kind });
    const proxy = spawnProxy([server.url]);
    resultOf(await proxy.initialize());
    server.failNext(faults.html502);
    const err = errorOf(await proxy.callTool('echo', { text: 'x' }, 'bad'));
    expect(err).toMatchObject({ code: -32000, data: { code: 'REMOTE_HTTP_STATUS' } });
    expect(err.message).toContain('502');
    expect(toolText(await proxy.callTool('echo', { text: 'healthy again' }))).toBe('healthy again');
    expect(proxy.running).toBe(true);
  });
});

describe('HTTP errors', () => {
  it('plain 500 → REMOTE_HTTP_STATUS mentioning 500', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url]);
    resultOf(await proxy.initialize());
    server.failNext(faults.status500);
    const err = errorOf(await proxy.callTool('echo', { text: 'x' }));
    expect(err).toMatchObject({ code: -32000, data: { code: 'REMOTE_HTTP_STATUS' } });
    expect(err.message).toContain('500');
  });

  it('401 with a wrong static token → UNAUTHORIZED, proxy keeps running', async () => {
    const server = await startMcpServer({ kind: 'stateful', token: 'right-token' });
    const proxy = spawnProxy([server.url, '--oauth2Bearer', 'wrong-token']);
    const err = errorOf(await proxy.initialize());
    expect(err).toMatchObject({ code: -32000, data: { code: 'UNAUTHORIZED' } });
    expect(proxy.running).toBe(true);
  });

  it('401 mid-session with a static token → UNAUTHORIZED; the next call works', async () => {
    const server = await startMcpServer({ kind: 'stateful', token: 'tok' });
    const proxy = spawnProxy([server.url, '--oauth2Bearer', 'tok']);
    resultOf(await proxy.initialize());
    server.failNext(faults.unauthorized);
    expect(errorOf(await proxy.callTool('echo', { text: 'x' }))).toMatchObject({ code: -32000, data: { code: 'UNAUTHORIZED' } });
    expect(toolText(await proxy.callTool('echo', { text: 'y' }))).toBe('y');
  });

  it('--transport auto against a server that 404s everything: the era probe, one initialize POST, one SSE GET, then TRANSPORT_UNSUPPORTED naming both answers', async () => {
    const raw = await startRawServer(faults.notFound);
    const proxy = spawnProxy([raw.url]);
    const err = errorOf(await proxy.initialize());
    expect(err).toMatchObject({ code: -32000, data: { code: 'TRANSPORT_UNSUPPORTED' } });
    expect(err.message).toContain('404');
    expect(raw.log.entries.map((e) => e.method)).toEqual(['POST', 'POST', 'GET']);
  });

  it('--transport streamable-http against an SSE-only server does not fall back: REMOTE_HTTP_STATUS 405', async () => {
    const server = await startMcpServer({ kind: 'sse' });
    const proxy = spawnProxy([server.url, '--transport', 'streamable-http']);
    const err = errorOf(await proxy.initialize());
    expect(err).toMatchObject({ code: -32000, data: { code: 'REMOTE_HTTP_STATUS' } });
    expect(err.message).toContain('405');
    expect(server.log.entries.filter((e) => e.method === 'GET')).toHaveLength(0);
  });
});

describe.each<[string, RawHandler]>([
  ['HTML page with status 200', faults.html200],
  ['garbage claiming to be JSON', faults.garbageJson],
  ['a JSON body cut off half way', faults.truncatedJson],
])('bad response body: %s', (_name, fault) => {
  it.each<ServerKind>(['stateful', 'stateless'])('%s server → REMOTE_BAD_RESPONSE; the next call works', async (kind) => {
    const server = await startMcpServer({ kind });
    const proxy = spawnProxy([server.url]);
    resultOf(await proxy.initialize());
    server.failNext(fault);
    const err = errorOf(await proxy.callTool('echo', { text: 'x' }));
    expect(err).toMatchObject({ code: -32000, data: { code: 'REMOTE_BAD_RESPONSE' } });
    expect(toolText(await proxy.callTool('echo', { text: 'fine' }))).toBe('fine');
  });
});

describe.each<ServerKind>(['stateful', 'sse'])('--timeout with a %s server', (kind) => {
  it('a call running past --timeout 1 gets REQUEST_TIMEOUT (-32001); the next call works', async () => {
    const server = await startMcpServer({ kind });
    const proxy = spawnProxy([server.url, '--timeout', '1']);
    resultOf(await proxy.initialize());
    const t0 = performance.now();
    const err = errorOf(await proxy.callTool('slow', { durationMs: 20_000 }, 'slow', 8000));
    const elapsed = performance.now() - t0;
    expect(err).toMatchObject({ code: -32001, data: { code: 'REQUEST_TIMEOUT' } });
    expect(elapsed).toBeGreaterThan(900);
    expect(elapsed).toBeLessThan(5000);
    expect(toolText(await proxy.callTool('echo', { text: 'next' }))).toBe('next');
  });

  it("an initialize the server never answers times out, and the host's retry succeeds", async () => {
    const server = await startMcpServer({ kind });
    server.failNext(faults.hang, { match: (r) => rpcMethod(r) === 'initialize' });
    const proxy = spawnProxy([server.url, '--timeout', '1', ...(kind === 'sse' ? ['--transport', 'sse'] : [])]);
    expect(errorOf(await proxy.initialize())).toMatchObject({ code: -32001, data: { code: 'REQUEST_TIMEOUT' } });
    resultOf(await proxy.initialize());
    expect(toolText(await proxy.callTool('echo', { text: 'after retry' }))).toBe('after retry');
  });

  it('progress notifications reset the timeout: a 2.5 s call with progress every 200 ms succeeds under --timeout 1', async () => {
    const server = await startMcpServer({ kind });
    const proxy = spawnProxy([server.url, '--timeout', '1']);
    resultOf(await proxy.initialize());
    proxy.send({
      jsonrpc: '2.0',
      id: 'prog',
      method: 'tools/call',
      params: { name: 'slow', arguments: { durationMs: 2500, progressEveryMs: 200 }, _meta: { progressToken: 'pt' } },
    });
    expect(toolText(await proxy.response('prog'))).toBe('slept 2500ms');
    expect(proxy.messages.filter((m) => m.method === 'notifications/progress').length).toBeGreaterThanOrEqual(5);
  });
});
