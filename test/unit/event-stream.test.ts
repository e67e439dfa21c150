// The byte-level text/event-stream reader (WHATWG HTML §9.2.6) that replaced eventsource-parser
// so that an event is bounded as it arrives (issue 10 §7) and can be streamed (issue 13).
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { MessageTooLarge } from '../../src/transport/bounded-read.js';
import { readEventStream, type ServerSentEvent } from '../../src/transport/event-stream.js';

async function read(text: string, size: number, maxBytes = 1 << 20): Promise<{ events: ServerSentEvent[]; retries: number[] }> {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(Buffer.from(bytes.subarray(i, i + size)));
  const events: ServerSentEvent[] = [];
  const retries: number[] = [];
  await readEventStream(chunks, { onEvent: (e) => events.push(e), onRetry: (ms) => retries.push(ms) }, { limits: { maxBytes, streamAboveBytes: maxBytes } });
  return { events, retries };
}

describe('readEventStream', () => {
  const stream =
    ': comment\r\nevent: message\r\nid: 7\r\ndata: {"a":\r\ndata:1}\r\n\r\nretry: 250\rdata: é€😀\r\rid: 8\ndata\n\nid: 9\n\nevent: endpoint\ndata:  /x?y=1\n\ndata: unfinished';
  for (const size of [1, 2, 5, 1000]) {
    it(`parses events, fields, CR / LF / CRLF line ends and split characters (chunks of ${size} bytes)`, async () => {
      const { events, retries } = await read(stream, size);
      expect(events).toEqual([
        { id: '7', event: 'message', data: '{"a":\n1}' },
        { id: undefined, event: undefined, data: 'é€😀' },
        { id: '8', event: undefined, data: '' },
        { id: '9', event: undefined, data: '' },
        { id: undefined, event: 'endpoint', data: ' /x?y=1' },
      ]);
      expect(retries).toEqual([250]);
    });
  }

  it('an event past the limit is refused as it arrives, naming the limit', async () => {
    await expect(read(`data: ${'x'.repeat(5000)}\n\n`, 100, 4096)).rejects.toBeInstanceOf(MessageTooLarge);
    await expect(read(`data: a\ndata: ${'x'.repeat(3000)}\ndata: ${'x'.repeat(3000)}\n\n`, 100, 4096)).rejects.toThrow(/limit of 0 MB|limit of/);
    await expect(read(`: ${'x'.repeat(10_000)}\n\ndata: ok\n\n`, 100, 4096)).resolves.toMatchObject({ events: [{ data: 'ok' }] });
  });

  // eventsource-parser as the oracle: the same events with data, the same retry advice. (Empty data is
  // left out: ours also reports id-only blocks, which dispatch nothing per §9.2.6 but set the last event ID.)
  it.each([1, 3, 1000])('agrees with eventsource-parser on every event that carries data (chunks of %i)', async (size) => {
    const expected: EventSourceMessage[] = [];
    const retries: number[] = [];
    const parser = createParser({ onEvent: (e) => expected.push(e), onRetry: (ms) => retries.push(ms) });
    for (let i = 0; i < stream.length; i += size) parser.feed(stream.slice(i, i + size));
    const ours = await read(stream, size);
    const shape = (e: { id?: string | undefined; event?: string | undefined; data: string }) => ({ id: e.id, event: e.event, data: e.data });
    expect(ours.events.filter((e) => e.data !== '').map(shape)).toEqual(expected.filter((e) => e.data !== '').map(shape));
    expect(ours.retries).toEqual(retries);
  });
});
