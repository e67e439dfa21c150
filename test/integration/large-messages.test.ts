// Large and endless messages (issue 13; issue 10 §7): a 100 MB result reaches the host
// byte-identical while the proxy holds little of it (streamed, not held); a message over
// --max-message-mb gets the limit error the moment it passes it, the connection is closed, the
// proxy stays small and the next request works. Peak memory is the proxy's VmHWM from /proc.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { errorOf, spawnProxy, toolText, type ProxyProcess } from '../fixtures/cli.js';
import { startMcpServer } from '../fixtures/mcp-server.js';
import type { RawHandler, RecordedRequest } from '../fixtures/raw-server.js';

const MB = 1024 * 1024;

/** Peak resident memory of a process since it started, in MB (Linux). */
function peakRssMB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB$/m);
  return Number(line![1]) / 1024;
}

// 64-byte blocks with a counter, characters JSON escapes and 2-, 3- and 4-byte UTF-8, so a
// dropped, swapped, re-encoded or split-character chunk shows.
function block(i: number): string {
  const head = `${i.toString(16).padStart(8, '0')} "q" \\ é € 😀 \t\n|`;
  return head + '.'.repeat(64 - Buffer.byteLength(head));
}

/** The expected text of `blocks` blocks: its sha256 and UTF-8 length, computed without holding it. */
function expected(blocks: number): { sha256: string; bytes: number } {
  const hash = createHash('sha256');
  for (let i = 0; i < blocks; i++) hash.update(block(i), 'utf8');
  return { sha256: hash.digest('hex'), bytes: blocks * 64 };
}

const isCall = (name: string) => (r: RecordedRequest) => (r.body as { params?: { name?: string } } | undefined)?.params?.name === name;
const idOf = (r: RecordedRequest): unknown => (r.body as { id?: unknown }).id;

/** Writes `pieces()` with backpressure until it is done or the connection closes; resolves whether it was cut. */
async function pump(res: ServerResponse, pieces: Iterable<string | Buffer>): Promise<boolean> {
  for (const piece of pieces) {
    if (res.destroyed) return true;
    if (!res.write(piece)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done).off('close', done);
          resolve();
        };
        res.on('drain', done).on('close', done);
      });
    }
  }
  return res.destroyed;
}

/**
 * A tool result of `blocks` blocks, written 1 MB at a time, its id last (as the SDK writes it),
 * with the raw newlines JSON allows between tokens, which the proxy must flatten into spaces.
 */
function* hugeResult(id: unknown, blocks: number, separator: string): Generator<string> {
  yield `{${separator}"jsonrpc": "2.0",${separator}"result":{"content":[{"type":"text","text":"`;
  for (let i = 0; i < blocks; i += 16384) {
    const parts: string[] = [];
    for (let j = i; j < Math.min(blocks, i + 16384); j++) parts.push(block(j));
    yield JSON.stringify(parts.join('')).slice(1, -1);
  }
  yield `"}]},${separator}"id":${JSON.stringify(id)}}`;
}

const hugeJson =
  (blocks: number): RawHandler =>
  (_req, res, entry) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    void pump(res, hugeResult(idOf(entry), blocks, '\r\n')).then(() => res.end());
  };

// One SSE event whose JSON spans several data: lines (joined with LF, whitespace to JSON).
const hugeEvent =
  (blocks: number): RawHandler =>
  (_req, res, entry) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    void pump(res, ['event: message\ndata: ', ...hugeResult(idOf(entry), blocks, '\ndata: '), '\n\n']).then(() => res.end());
  };

function* forever(head: string): Generator<string | Buffer> {
  yield head;
  const chunk = Buffer.alloc(64 * 1024, 'x');
  for (;;) yield chunk;
}

/** Answers with `head` and then x's that never end, until the proxy closes the connection. */
function endless(type: string, head: (id: unknown) => string, closed: { value: boolean }): RawHandler {
  return (_req, res, entry) => {
    res.writeHead(200, { 'Content-Type': type });
    void pump(res, forever(head(idOf(entry)))).then((cut) => (closed.value = cut));
  };
}

async function echoWorks(proxy: ProxyProcess): Promise<void> {
  expect(toolText(await proxy.callTool('echo', { text: 'still here' }, 'after', 30_000))).toBe('still here');
}

describe.each([
  ['Streamable HTTP, a JSON body', hugeJson],
  ['Streamable HTTP, an SSE event', hugeEvent],
])('a 100 MB result through %s', (_name, handler) => {
  it('reaches the host byte-identical, streamed: the proxy holds a fraction of it', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url]);
    await proxy.initialize();
    const blocks = (100 * MB) / 64;
    server.failNext(handler(blocks), { match: isCall('huge') });
    const text = toolText(await proxy.callTool('huge', {}, 'huge', 240_000));
    const want = expected(blocks);
    expect(Buffer.byteLength(text)).toBe(want.bytes);
    expect(createHash('sha256').update(text, 'utf8').digest('hex')).toBe(want.sha256);
    // Held whole, it took 770 MB; streamed, about the idle size plus a few megabytes.
    expect(peakRssMB(proxy.child.pid!)).toBeLessThan(150);
    await echoWorks(proxy);
  }, 300_000);
});

it('while a large result is written, other answers queue behind it: every stdout line stays one message', async () => {
  const server = await startMcpServer({ kind: 'stateful' });
  const proxy = spawnProxy([server.url]);
  await proxy.initialize();
  const blocks = (20 * MB) / 64;
  const isEcho = (r: RecordedRequest): boolean => isCall('echo')(r);
  server.failNext(
    (_req, res, entry) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      const pieces = [...hugeResult(idOf(entry), blocks, '\ndata: ')];
      void (async () => {
        // Half the result, then wait until the host's other calls have reached the server.
        await pump(res, ['event: message\ndata: ', ...pieces.slice(0, pieces.length >> 1)]);
        await server.log.waitFor(() => server.log.entries.filter(isEcho).length >= 20, 60_000);
        await pump(res, [...pieces.slice(pieces.length >> 1), '\n\n']);
        res.end();
      })();
    },
    { match: isCall('huge') },
  );
  proxy.send({ jsonrpc: '2.0', id: 'huge', method: 'tools/call', params: { name: 'huge', arguments: {} } });
  const echoes = Array.from({ length: 20 }, (_, i) => proxy.callTool('echo', { text: `during ${i}` }, `e${i}`, 120_000));
  const texts = (await Promise.all(echoes)).map(toolText);
  expect(texts).toEqual(Array.from({ length: 20 }, (_, i) => `during ${i}`));
  const text = toolText(await proxy.response('huge', 120_000));
  expect(createHash('sha256').update(text, 'utf8').digest('hex')).toBe(expected(blocks).sha256);
  expect(proxy.badStdoutLines).toEqual([]);
}, 180_000);

describe('--max-message-mb bounds what is read', () => {
  const limitArgs = ['--max-message-mb', '8'];

  it('a result over the limit is answered MESSAGE_TOO_LARGE naming the limit, and the next request works', async () => {
    const server = await startMcpServer({ kind: 'stateful', jsonResponse: true });
    const proxy = spawnProxy([server.url, ...limitArgs]);
    await proxy.initialize();
    // The SDK's JSON answer has a Content-Length: refused before a byte is read or written.
    const error = errorOf(await proxy.callTool('big', { bytes: 9 * MB }, 'big', 60_000));
    expect(error.data).toMatchObject({ code: 'MESSAGE_TOO_LARGE', limitBytes: 8 * MB });
    expect(error.message).toContain('8 MB');
    expect(error.message).toContain('--max-message-mb');
    await echoWorks(proxy);
    expect(proxy.badStdoutLines).toEqual([]);
  }, 90_000);

  it('a JSON body announcing 2 GB is refused before it is read', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url, ...limitArgs]);
    await proxy.initialize();
    server.failNext(
      (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(2 * 1024 * MB) });
        res.write('{"jsonrpc":"2.0","id":"two-gb","result":{"content":[{"type":"text","text":"');
      },
      { match: isCall('echo') },
    );
    const error = errorOf(await proxy.callTool('echo', { text: 'x' }, 'two-gb'));
    expect(error.data).toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    expect(error.message).toContain('Content-Length 2147483648');
    await echoWorks(proxy);
  });

  it('an SSE event whose data never ends: the limit error, the connection closed, the proxy small', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url, ...limitArgs]);
    await proxy.initialize();
    const closed = { value: false };
    // A notification's data that never ends: held (not a response, so not streamed) until the limit.
    const head = (): string => 'event: message\ndata: {"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"';
    server.failNext(endless('text/event-stream', head, closed), { match: isCall('endless') });
    const error = errorOf(await proxy.callTool('endless', {}, 'endless', 120_000));
    expect(error.data).toMatchObject({ code: 'MESSAGE_TOO_LARGE', limitBytes: 8 * MB });
    await echoWorks(proxy);
    await expect.poll(() => closed.value).toBe(true);
    expect(peakRssMB(proxy.child.pid!)).toBeLessThan(120);
    expect(proxy.badStdoutLines).toEqual([]);
  }, 150_000);

  it('an endless chunked JSON body: the streamed line is cut at the limit, then the limit error', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url, ...limitArgs]);
    await proxy.initialize();
    const closed = { value: false };
    const head = (id: unknown): string => `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"content":[{"type":"text","text":"`;
    server.failNext(endless('application/json', head, closed), { match: isCall('endless') });
    const error = errorOf(await proxy.callTool('endless', {}, 'endless', 120_000));
    expect(error.data).toMatchObject({ code: 'MESSAGE_TOO_LARGE', limitBytes: 8 * MB });
    // A response is streamed from its first megabyte: what the host got of it ends its line
    // early (one line it cannot parse), so that the error answer is a line of its own.
    expect(proxy.badStdoutLines).toHaveLength(1);
    expect(proxy.badStdoutLines[0]!.length).toBeLessThanOrEqual(8 * MB);
    proxy.badStdoutLines.length = 0;
    await echoWorks(proxy);
    await expect.poll(() => closed.value).toBe(true);
    expect(peakRssMB(proxy.child.pid!)).toBeLessThan(120);
  }, 150_000);

  it('a line from the host over the limit is answered with its id, and the next request works', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url, ...limitArgs]);
    await proxy.initialize();
    proxy.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 'long', method: 'tools/call', params: { name: 'echo', arguments: { text: 'y'.repeat(9 * MB) } } }));
    const error = errorOf(await proxy.response('long', 60_000));
    expect(error.data).toMatchObject({ code: 'MESSAGE_TOO_LARGE', limitBytes: 8 * MB });
    expect(error.message).toContain('a line from the host');
    await echoWorks(proxy);
    expect(server.log.rpc('tools/call')).toHaveLength(1);
  }, 90_000);
});
