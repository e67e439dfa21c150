// What the host's stdout receives, write by write. stdout to a pipe is written synchronously,
// one system call (and one wake-up of the host) per write(), so the number of writes matters.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { HostWriter } from '../../src/transport/stream-writer.js';

function recordingOutput(): { output: Writable; writes: string[] } {
  const writes: string[] = [];
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString('utf8'));
      done();
    },
  });
  return { output, writes };
}

describe('HostWriter', () => {
  it('a small message goes out in one write with its newline (it took two: two wake-ups of the host per message)', async () => {
    const { output, writes } = recordingOutput();
    const written: number[] = [];
    const writer = new HostWriter(output, () => (length) => written.push(length));
    const text = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'hello' }] } });
    writer.line(text);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual([`${text}\n`]);
    expect(written).toEqual([text.length]);
  });

  it('a large message is written without copying it into a second string: the text, then the newline', async () => {
    const { output, writes } = recordingOutput();
    const writer = new HostWriter(output, () => undefined);
    const text = JSON.stringify({ jsonrpc: '2.0', id: 2, result: { text: 'x'.repeat(100_000) } });
    writer.line(text);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual([text, '\n']);
  });
});
