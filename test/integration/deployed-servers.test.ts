// Issue 9: MCP servers as they are deployed. The third-party "everything" server (both
// transports, restarted mid-session) and our SDK fixture answering lost sessions the SDK way
// (400 "Bad Request: No valid session ID provided"), and what the host sees when a server
// refuses a request: the server's own reason.
import { describe, expect, it, vi } from 'vitest';
import { errorOf, resultOf, spawnProxy, toolText } from '../fixtures/cli.js';
import { startEverythingServer, type EverythingTransport } from '../fixtures/everything-server.js';
import { startMcpServer } from '../fixtures/mcp-server.js';
import type { RawHandler } from '../fixtures/raw-server.js';

// Every test spawns the CLI (and some a server process); give slow machines room.
vi.setConfig({ testTimeout: 30_000 });

const noValidSession: RawHandler = (_req, res) => {
  res.writeHead(400, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Bad Request: No valid session ID provided' } }));
};

describe('lost session answered with 400, as the SDK servers do (issue 9 item 1)', () => {
  it('regression: after a restart every call failed with 400 until the host restarted the proxy; now a new session is opened and the call resent', async () => {
    const server = await startMcpServer({ kind: 'stateful', unknownSession: 400 });
    const proxy = spawnProxy([server.url]);
    resultOf(await proxy.initialize());
    expect(toolText(await proxy.callTool('echo', { text: 'before' }))).toBe('before');
    await server.restart();
    const seen = proxy.messages.length;
    const res = await proxy.callTool('echo', { text: 'after' }, 'after-restart');
    expect(toolText(res)).toBe('after');
    expect(proxy.messages.slice(seen)).toEqual([res]); // the host sees only its answer
    expect(server.sessionIds).toHaveLength(2);
    expect(server.log.rpc('initialize')).toHaveLength(2);
    expect(toolText(await proxy.callTool('echo', { text: 'again' }))).toBe('again');
  });

  it('a second 400 for the new session is an error for the host, not a loop (one new session per message)', async () => {
    const server = await startMcpServer({ kind: 'stateful', unknownSession: 400 });
    const proxy = spawnProxy([server.url]);
    resultOf(await proxy.initialize());
    expect(toolText(await proxy.callTool('echo', { text: 'before' }))).toBe('before');
    server.failNext(noValidSession, { count: 5 });
    const err = errorOf(await proxy.callTool('echo', { text: 'x' }, 'doomed'));
    expect(err.data).toMatchObject({ code: 'SESSION_EXPIRED', status: 400, serverMessage: 'Bad Request: No valid session ID provided' });
    expect(server.log.rpc('initialize')).toHaveLength(2);
    expect(proxy.running).toBe(true);
  });

  it("a 400 that is not about the session (the session is alive) is the request's error, with no new session", async () => {
    const server = await startMcpServer({ kind: 'stateful', unknownSession: 400 });
    const proxy = spawnProxy([server.url]);
    resultOf(await proxy.initialize());
    expect(toolText(await proxy.callTool('echo', { text: 'before' }))).toBe('before');
    server.failNext((_req, res) => {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end('Bad Request');
    });
    const err = errorOf(await proxy.callTool('echo', { text: 'x' }));
    expect(err.data).toMatchObject({ code: 'REMOTE_HTTP_STATUS', status: 400, serverMessage: 'Bad Request' });
    expect(server.sessionIds).toHaveLength(1);
  });
});

describe.each<EverythingTransport>(['streamableHttp', 'sse'])('the MCP everything server (npm), %s, restarted mid-session', (transport) => {
  it('tools work before and after the restart, without the host noticing', async () => {
    const server = await startEverythingServer(transport);
    const proxy = spawnProxy([server.url]);
    resultOf(await proxy.initialize());
    expect(toolText(await proxy.callTool('echo', { message: 'before' }))).toBe('Echo: before');
    await server.restart();
    const res = await proxy.callTool('echo', { message: 'after' }, 'after-restart');
    expect(resultOf(res)).toBeDefined();
    expect(toolText(res)).toBe('Echo: after');
    expect(toolText(await proxy.callTool('echo', { message: 'again' }))).toBe('Echo: again');
    expect(proxy.running).toBe(true);
  });
});

describe("the server's reason reaches the host (issue 9 item 2)", () => {
  it('a JSON-RPC error body with a null id: its message is in the error message and data.serverMessage', async () => {
    const server = await startMcpServer({ kind: 'stateless' });
    const proxy = spawnProxy([server.url]);
    resultOf(await proxy.initialize());
    server.failNext((_req, res) => {
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'insufficient_scope: tools:write needed\nsecond line' } }));
    });
    const err = errorOf(await proxy.callTool('echo', { text: 'x' }));
    expect(err.data).toMatchObject({ code: 'FORBIDDEN', serverMessage: 'insufficient_scope: tools:write needed second line' });
    expect(err.message).toContain('insufficient_scope: tools:write needed');
  });

  it('a short text body of a 500: in data.serverMessage, one line, bounded, with credentials redacted', async () => {
    const server = await startMcpServer({ kind: 'stateless' });
    const proxy = spawnProxy([server.url]);
    resultOf(await proxy.initialize());
    server.failNext((_req, res) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`upstream refused\r\nAuthorization: Bearer abcdefghijklmnop ${'x'.repeat(500)}`);
    });
    const err = errorOf(await proxy.callTool('echo', { text: 'x' }));
    expect(err.data.code).toBe('REMOTE_HTTP_STATUS');
    const said = err.data.serverMessage as string;
    expect(said.startsWith('upstream refused Authorization: Bearer [redacted] xxx')).toBe(true);
    expect(said).not.toContain('abcdefghijklmnop');
    expect(said.length).toBeLessThanOrEqual(300);
    expect(err.message).toContain('upstream refused');
  });
});
