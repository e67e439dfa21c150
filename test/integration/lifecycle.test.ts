// Shutdown: stdin close / SIGTERM end the remote session (DELETE) and exit 0 within 2 s.
import { describe, expect, it, vi } from 'vitest';
import { resultOf, spawnProxy, toolText, type ProxyProcess } from '../fixtures/cli.js';
import { startMcpServer, type ServerKind } from '../fixtures/mcp-server.js';
import { deadPort, faults } from '../fixtures/raw-server.js';

// Every test spawns the CLI; give slow CI machines room (the tests' own waits are tighter).
vi.setConfig({ testTimeout: 20_000 });

/** Triggers shutdown and returns the exit code and how long it took. */
async function shutdown(proxy: ProxyProcess, how: 'stdin' | 'SIGTERM'): Promise<{ code: number | null; ms: number }> {
  const t0 = performance.now();
  if (how === 'stdin') proxy.closeStdin();
  else proxy.child.kill('SIGTERM');
  const exit = await proxy.waitExit(5000);
  return { code: exit.code, ms: performance.now() - t0 };
}

describe.each<'stdin' | 'SIGTERM'>(['stdin', 'SIGTERM'])('shutdown on %s', (how) => {
  it('stateful: sends DELETE with the session id, exits 0 within 2 s', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url]);
    resultOf(await proxy.initialize());
    expect(toolText(await proxy.callTool('echo', { text: 'x' }))).toBe('x');
    const { code, ms } = await shutdown(proxy, how);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(2000);
    const deletes = server.log.entries.filter((e) => e.method === 'DELETE');
    expect(deletes).toHaveLength(1);
    expect(deletes[0]!.headers['mcp-session-id']).toBe(server.sessionIds[0]);
  });

  it.each<ServerKind>(['stateless', 'sse'])('%s: exits 0 within 2 s', async (kind) => {
    const server = await startMcpServer({ kind });
    const proxy = spawnProxy([server.url]);
    resultOf(await proxy.initialize());
    const { code, ms } = await shutdown(proxy, how);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(2000);
  });
});

describe('shutdown edge cases', () => {
  it('stdin closed before anything was sent: exits 0 and contacts nobody', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url]);
    const { code, ms } = await shutdown(proxy, 'stdin');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(2000);
    expect(server.log.entries).toEqual([]);
  });

  it('stdin closed while a call is in flight: DELETE sent, exits 0 within 2 s', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url]);
    resultOf(await proxy.initialize());
    proxy.send({ jsonrpc: '2.0', id: 'pending', method: 'tools/call', params: { name: 'slow', arguments: { durationMs: 30_000 } } });
    await server.events.waitFor((e) => e === 'slow:start:pending');
    const { code, ms } = await shutdown(proxy, 'stdin');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(2000);
    expect(server.log.entries.filter((e) => e.method === 'DELETE')).toHaveLength(1);
  });

  it('DELETE that never gets an answer does not hold the exit past 2 s', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url]);
    resultOf(await proxy.initialize());
    server.failNext(faults.hang, { match: (r) => r.method === 'DELETE' });
    const { code, ms } = await shutdown(proxy, 'stdin');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(2000);
    expect(server.log.entries.filter((e) => e.method === 'DELETE')).toHaveLength(1);
  });

  it('server unreachable at shutdown: exits 0 within 2 s', async () => {
    const port = await deadPort();
    const proxy = spawnProxy([`http://127.0.0.1:${port}/mcp`]);
    await proxy.initialize();
    const { code, ms } = await shutdown(proxy, 'stdin');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(2000);
  });
});
