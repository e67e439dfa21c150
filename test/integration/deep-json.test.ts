// Issue 10 §1: a hostile server answering with JSON nested thousands of levels deep. JSON.parse
// copes; re-serialising or walking it overflows the stack. Every host request must still get
// exactly one answer (JSON-RPC 2.0 §5): the reply forwarded untouched where it can be, else an
// error with data.code MESSAGE_TOO_DEEP; never silence.
import { describe, expect, it } from 'vitest';
import { staticAuthorizer } from '../../src/auth/static-authorizer.js';
import { Bridge } from '../../src/bridge.js';
import { scanHeaderParams } from '../../src/modern/mcp-param.js';
import { buildNetwork } from '../../src/config.js';
import { HttpClient } from '../../src/http/client.js';
import { StdioTransport } from '../../src/transport/stdio.js';
import { StreamableHttpTransport } from '../../src/transport/streamable-http.js';
import { startRawServer, type RawHandler } from '../fixtures/raw-server.js';
import { hostStreams } from '../fixtures/host-streams.js';
import { whenTestEnds } from '../fixtures/teardown.js';

const DEPTH = 20_000;
// Deep enough to overflow the scan's recursion, shallow enough to build quickly.
const SCHEMA_DEPTH = 8_000;
/** How deep a value of nested one-element-or-empty arrays goes, counted without recursion. */
const depthOf = (value: unknown): number => {
  let depth = 0;
  for (let v = value; Array.isArray(v); v = v[0]) depth++;
  return depth;
};
/** JSON text of a deep value, built without JSON.stringify (which would overflow). */
const deepText = (): string => '['.repeat(DEPTH) + ']'.repeat(DEPTH);

type Answer = (id: unknown, method: string, body: Record<string, unknown>) => string;

/** A server that answers initialize normally and everything else with `answer`'s text. */
function handler(answer: Answer): RawHandler {
  return (_req, res, entry) => {
    const body = (entry.body ?? {}) as Record<string, unknown>;
    const method = String(body['method']);
    if (!('id' in body)) {
      res.writeHead(202).end();
      return;
    }
    if (method === 'initialize') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          id: body['id'],
          result: { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'deep', version: '1' } },
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(answer(body['id'], method, body));
  };
}

async function hostFor(answer: Answer, ignoreTools?: string[]) {
  const server = await startRawServer(handler(answer));
  const http = new HttpClient(buildNetwork({}, {}));
  const { stdin, stdout, received } = hostStreams((m) => String(m['id']));
  const remote = new StreamableHttpTransport({ url: new URL(server.url), headers: {}, authorizer: staticAuthorizer(undefined), http });
  const bridge = new Bridge(new StdioTransport(stdin, stdout), remote, { timeoutMs: 10_000, ignoreTools });
  bridge.start();
  whenTestEnds(async () => {
    await bridge.close();
    await http.close();
  });
  const write = (message: unknown): void => void stdin.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`);
  write({
    jsonrpc: '2.0',
    id: 'init',
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
  });
  await received.waitFor((m) => m['id'] === 'init');
  write({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return { server, received, write, answer: (id: unknown) => received.waitFor((m) => m['id'] === id && !('method' in m)) };
}

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));

describe('deeply nested JSON from a hostile server', () => {
  it('a pretty-printed deep tool result (not one line as received) is forwarded untouched, not dropped', async () => {
    const host = await hostFor(
      (id) => `{\n  "jsonrpc": "2.0",\n  "id": ${JSON.stringify(id)},\n  "result": { "content": [], "structuredContent": { "deep": ${deepText()} } }\n}`,
    );
    host.write({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x', arguments: {} } });
    const answer = await host.answer(1);
    expect('error' in answer).toBe(false);
    expect(depthOf((answer['result'] as { structuredContent: { deep: unknown } }).structuredContent.deep)).toBe(DEPTH);
    expect(unhandled).toEqual([]);
  });

  it('a deep tool list the proxy must rewrite (--ignore-tool) is answered with MESSAGE_TOO_DEEP, once', async () => {
    const host = await hostFor(
      (id) =>
        `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"tools":[{"name":"hidden","inputSchema":{}},{"name":"deep","inputSchema":{"type":"object","default":${deepText()}}}]}}`,
      ['hidden'],
    );
    host.write({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} });
    const answer = await host.answer(2);
    expect(answer['error']).toMatchObject({ data: { code: 'MESSAGE_TOO_DEEP' } });
    expect((answer['error'] as { message: string }).message).toMatch(/nested too deeply/);
    // A later request still works, and the deep one was answered exactly once.
    host.write({ jsonrpc: '2.0', id: 3, method: 'ping' });
    await host.answer(3);
    expect(host.received.entries.filter((m) => m['id'] === 2)).toHaveLength(1);
    expect(unhandled).toEqual([]);
  });

  it('a deep host request the proxy cannot serialise is answered with MESSAGE_TOO_DEEP, not INTERNAL', async () => {
    const host = await hostFor((id) => JSON.stringify({ jsonrpc: '2.0', id, result: {} }));
    host.write(`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"x","arguments":{"a":${deepText()}}}}`);
    const answer = await host.answer(4);
    expect(answer['error']).toMatchObject({ data: { code: 'MESSAGE_TOO_DEEP' } });
  });

  it('a deep notification in a batch is dropped with a warning; the reply next to it still arrives', async () => {
    const host = await hostFor(
      (id) =>
        `[{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":${deepText()}}},${JSON.stringify({ jsonrpc: '2.0', id, result: { ok: true } })}]`,
    );
    host.write({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'x' } });
    const answer = await host.answer(5);
    expect(answer['result']).toEqual({ ok: true });
    expect(unhandled).toEqual([]);
  });

  it('a tool schema too deep to scan (2026-07-28 x-mcp-header check) hides that tool only, instead of failing tools/list', () => {
    const open = '{"type":"object","properties":{"a":'.repeat(SCHEMA_DEPTH);
    const schema = JSON.parse(`${open}{"type":"string"}${'}}'.repeat(SCHEMA_DEPTH)}`) as unknown;
    // Answered as invalid at a fixed depth, not by overflowing the stack (it took seconds of CPU to get there).
    expect(scanHeaderParams(schema)).toEqual({ valid: false, reason: expect.stringMatching(/nested more than 1000 levels deep/) as unknown });
  });
});
