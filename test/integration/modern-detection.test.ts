// Era detection and its cache in the state dir (--auth-dir), each way, plus the -32022 version
// negotiation of the server/discover probe. Hosts are raw JSON lines (spawnProxy) so that every
// message the host sees can be checked, and each scenario that needs a warm start shares one
// state dir between two proxy runs.
import { describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import { errorOf, resultOf, spawnProxy, toolText, type ProxyProcess } from '../fixtures/cli.js';
import { startMcpServer, type ServerKind } from '../fixtures/mcp-server.js';
import { startModernMcpServer } from '../fixtures/modern-mcp-server.js';
import { tempDir } from '../fixtures/oauth-cli.js';
import { rpcMethod, type RecordedRequest } from '../fixtures/raw-server.js';

const MODERN = '2026-07-28';
const bodyOf = (e: RecordedRequest) => e.body as { id?: unknown; method?: string; params?: Record<string, unknown> };
const stateDir = () => tempDir('mcp-auth-proxy-era-');

/** One proxy run as a host would make it: start, initialize, one echo call. */
async function run(url: string, dir: string, extra: string[] = []): Promise<ProxyProcess> {
  const proxy = spawnProxy([url, '--auth-dir', dir, '--log-level', 'debug', ...extra]);
  resultOf(await proxy.initialize());
  expect(toolText(await proxy.callTool('echo', { text: 'hi' }))).toBe('hi');
  return proxy;
}

/** Ends a run the way a host does (closing stdin), so its last requests are logged before the next run. */
async function finish(proxy: ProxyProcess): Promise<void> {
  proxy.closeStdin();
  await proxy.waitExit();
}

function rejectDiscoverWith32022(res: ServerResponse, entry: RecordedRequest, supported: string[]): void {
  res.writeHead(400, { 'Content-Type': 'application/json' });
  res.end(
    JSON.stringify({
      jsonrpc: '2.0',
      id: bodyOf(entry).id,
      error: { code: -32022, message: `Unsupported protocol version: ${MODERN}`, data: { supported, requested: MODERN } },
    }),
  );
}

describe.each<ServerKind>(['stateful', 'stateless', 'sse'])('legacy SDK 1.x server (%s)', (kind) => {
  it('the first start probes with one server/discover; a warm start with the same state dir sends none', async () => {
    const server = await startMcpServer({ kind });
    const dir = stateDir();

    const cold = await run(server.url, dir);
    await expect.poll(() => cold.stderr).toContain('the server speaks the initialize-based protocol');
    const probes = server.log.rpc('server/discover');
    expect(probes).toHaveLength(1);
    expect(probes[0]!.headers['mcp-protocol-version']).toBe(MODERN);
    expect(probes[0]!.status).toBeGreaterThanOrEqual(400);
    await finish(cold);

    const before = server.log.entries.length;
    const warm = await run(server.url, dir);
    const warmEntries = server.log.entries.slice(before);
    expect(warmEntries.map(rpcMethod)).not.toContain('server/discover');
    // The host's initialize is the first thing the server hears: no extra round trip.
    expect(rpcMethod(warmEntries[0]!)).toBe('initialize');
    expect(warm.stderr).not.toContain('detecting its protocol again');
  });

  it('--protocol modern gives the host a clear TRANSPORT_UNSUPPORTED error, not a hang', async () => {
    const server = await startMcpServer({ kind });
    const proxy = spawnProxy([server.url, '--protocol', 'modern', '--log-level', 'debug']);
    const error = errorOf(await proxy.initialize());
    expect(error.data).toMatchObject({ code: 'TRANSPORT_UNSUPPORTED' });
    expect(error.message).toMatch(/does not speak MCP 2026-07-28/);
    expect(error.message).toMatch(/--protocol modern/);
    expect(server.log.entries.map(rpcMethod)).not.toContain('initialize');
  });
});

describe('modern (2026-07-28) server', () => {
  it('works on the first start and on a second start with the same state dir; no initialize reaches it', async () => {
    const server = await startModernMcpServer();
    const dir = stateDir();

    const cold = await run(server.url, dir);
    await expect.poll(() => cold.stderr).toContain(`the server speaks MCP ${MODERN}`);
    await finish(cold);
    const warm = await run(server.url, dir);
    expect(resultOf(warm.messages.find((m) => m.id === 1)!).serverInfo).toEqual({ name: 'modern-fixture', version: '2.0.0' });

    const methods = server.log.entries.map(rpcMethod);
    expect(methods).not.toContain('initialize');
    // The bridge needs the discover result on every start, so each start sends exactly one.
    expect(server.log.rpc('server/discover')).toHaveLength(2);
  });

  it('a state dir that says legacy for a URL where a modern-only server now runs: re-detects, works, and the host never sees -32022', async () => {
    const legacy = await startMcpServer({ kind: 'stateless' });
    const dir = stateDir();
    await finish(await run(legacy.url, dir));
    const port = legacy.port;
    await legacy.close();

    const server = await startModernMcpServer({ port });
    expect(server.url).toBe(legacy.url);
    const proxy = await run(server.url, dir);
    expect(resultOf(proxy.messages.find((m) => m.id === 1)!).serverInfo).toEqual({ name: 'modern-fixture', version: '2.0.0' });
    await expect.poll(() => proxy.stderr).toContain('detecting its protocol again');
    // The cached verdict was tried first (the host's initialize, refused with -32022) …
    const initialize = server.log.rpc('initialize');
    expect(initialize).toHaveLength(1);
    expect(initialize[0]!.status).toBe(400);
    // … and that refusal stayed inside the proxy.
    expect(proxy.messages.filter((m) => m.error !== undefined)).toEqual([]);
    expect(JSON.stringify(proxy.messages)).not.toContain('-32022');
    expect(server.log.rpc('server/discover')).toHaveLength(1);
    await finish(proxy);

    // The new verdict sticks: the next start goes straight to server/discover.
    const before = server.log.entries.length;
    await run(server.url, dir);
    const next = server.log.entries.slice(before).map(rpcMethod);
    expect(next[0]).toBe('server/discover');
    expect(next).not.toContain('initialize');
  });
  it('a state dir that says modern for a URL where a legacy server now runs: the probe finds it legacy and the host works', async () => {
    const modern = await startModernMcpServer();
    const dir = stateDir();
    await finish(await run(modern.url, dir));
    const port = modern.port;
    await modern.close();

    const server = await startMcpServer({ kind: 'stateful', port });
    expect(server.url).toBe(modern.url);
    const proxy = await run(server.url, dir);
    expect(resultOf(proxy.messages.find((m) => m.id === 1)!).serverInfo).toEqual({ name: 'fixture-server', version: '1.2.3' });
    expect(server.log.entries.map(rpcMethod).slice(0, 2)).toEqual(['server/discover', 'initialize']);
    expect(proxy.messages.filter((m) => m.error !== undefined)).toEqual([]);
    await finish(proxy);

    // … and from then on it is a warm legacy start.
    const before = server.log.entries.length;
    await run(server.url, dir);
    expect(server.log.entries.slice(before).map(rpcMethod)).not.toContain('server/discover');
  });
});

describe('--protocol legacy', () => {
  it('never probes, even where a probe would find a 2026-07-28 server', async () => {
    const server = await startModernMcpServer({ eras: 'dual' });
    const proxy = await run(server.url, stateDir(), ['--protocol', 'legacy']);
    expect(server.log.entries.map(rpcMethod)).not.toContain('server/discover');
    expect(rpcMethod(server.log.entries[0]!)).toBe('initialize');
    expect(server.events.entries.filter((e) => e.startsWith('factory:')).every((e) => e === 'factory:legacy')).toBe(true);
    expect(proxy.stderr).not.toContain(`MCP ${MODERN}`);
  });

  it('never probes a legacy server either', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    await run(server.url, stateDir(), ['--protocol', 'legacy']);
    expect(server.log.entries.map(rpcMethod)).not.toContain('server/discover');
    expect(rpcMethod(server.log.entries[0]!)).toBe('initialize');
  });
});

describe('-32022 on the server/discover probe', () => {
  it('400 + -32022 with data.supported naming 2026-07-28: the proxy asks once more and works', async () => {
    const server = await startModernMcpServer();
    server.failNext((_req, res, entry) => rejectDiscoverWith32022(res, entry, [MODERN]), { match: (r) => rpcMethod(r) === 'server/discover' });
    const proxy = await run(server.url, stateDir());
    expect(resultOf(proxy.messages.find((m) => m.id === 1)!).serverInfo).toEqual({ name: 'modern-fixture', version: '2.0.0' });

    const probes = server.log.rpc('server/discover');
    expect(probes.map((e) => e.status)).toEqual([400, 200]);
    expect(bodyOf(probes[1]!).id).not.toEqual(bodyOf(probes[0]!).id);
    for (const probe of probes) expect(probe.headers['mcp-protocol-version']).toBe(MODERN);
    expect(server.log.entries.map(rpcMethod)).not.toContain('initialize');
    expect(JSON.stringify(proxy.messages)).not.toContain('-32022');
  });

  // Regression: after a second -32022 (data.supported naming 2026-07-28, i.e. a server that has
  // said twice it is modern) the probe concluded "legacy", cached that verdict, and sent the
  // host's initialize to the modern-only server, whose raw -32022 then reached the legacy host.
  it('a server refusing 2026-07-28 twice with -32022 is asked only once more, is not cached as legacy, and its -32022 does not reach the host', async () => {
    const server = await startModernMcpServer();
    server.failNext((_req, res, entry) => rejectDiscoverWith32022(res, entry, [MODERN]), { count: 2, match: (r) => rpcMethod(r) === 'server/discover' });
    const dir = stateDir();
    const proxy = spawnProxy([server.url, '--auth-dir', dir, '--log-level', 'debug']);
    const error = errorOf(await proxy.initialize());
    expect(server.log.rpc('server/discover')).toHaveLength(2);
    expect(error.code).not.toBe(-32022);
    expect(error.message).toMatch(/^mcp-auth-proxy: /);
    expect(server.log.rpc('initialize')).toEqual([]);
    await finish(proxy);

    // The next start probes again rather than trusting a "legacy" verdict.
    const before = server.log.entries.length;
    await run(server.url, dir);
    expect(rpcMethod(server.log.entries[before]!)).toBe('server/discover');
  });

  it('400 + -32022 whose data.supported lacks 2026-07-28: the server is taken as legacy, no second probe', async () => {
    const server = await startModernMcpServer({ eras: 'dual' });
    server.failNext((_req, res, entry) => rejectDiscoverWith32022(res, entry, ['2099-01-01']), { match: (r) => rpcMethod(r) === 'server/discover' });
    const proxy = await run(server.url, stateDir());
    expect(server.log.rpc('server/discover')).toHaveLength(1);
    expect(server.log.rpc('initialize')).toHaveLength(1);
    await expect.poll(() => proxy.stderr).toContain('the server speaks the initialize-based protocol');
  });
});
