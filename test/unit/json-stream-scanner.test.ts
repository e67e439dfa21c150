// The envelope scanner that lets a large message be streamed (issue 13): it must find the
// top-level id and kind however the bytes are split, and never be fooled by strings.
import { describe, expect, it } from 'vitest';
import { flattenLines, JsonStreamScanner } from '../../src/transport/json-stream-scanner.js';

/** Feeds `text` to a new scanner in pieces of `size` bytes. */
function scan(text: string, size: number): JsonStreamScanner {
  const bytes = Buffer.from(text);
  const scanner = new JsonStreamScanner();
  for (let i = 0; i < bytes.length; i += size) scanner.feed(bytes.subarray(i, i + size));
  return scanner;
}

describe('JsonStreamScanner', () => {
  const cases: Array<[string, string, { id: unknown; response: boolean; method: boolean }]> = [
    [
      'id last, as the SDK writes it',
      '{"result":{"content":[{"text":"a \\"id\\": 9, \\\\"}]},"jsonrpc":"2.0","id":42}',
      { id: 42, response: true, method: false },
    ],
    ['id first, string id with escapes', '{"jsonrpc":"2.0","id":"a\\"b,}","error":{"code":1,"message":"m"}}', { id: 'a"b,}', response: true, method: false }],
    ['a request', '{ "method" : "x", "params": {"id": 5, "result": 1}, "id" : -1.5e2 }', { id: -150, response: false, method: true }],
    ['nested keys named id do not count', '{"result":{"id":7,"error":{}},"id":null}', { id: null, response: true, method: false }],
    ['multi-byte text', '{"result":"é€😀\\u00e9","id":"😀"}', { id: '😀', response: true, method: false }],
    // Runs of backslashes before a quote: even (the quote ends the string) and odd (it is escaped).
    ['backslash runs', '{"result":{"t":"a\\\\","u":"b\\\\\\"c\\\\\\\\"},"id":"x\\\\"}', { id: 'x\\', response: true, method: false }],
  ];
  for (const [name, text, want] of cases) {
    it(`${name}: the same verdict for every split`, () => {
      for (const size of [1, 2, 3, 7, 1000]) {
        const s = scan(text, size);
        expect({ id: s.id, response: s.isResponse, method: s.hasMethod, complete: s.complete, problem: s.problem }).toEqual({
          id: want.id,
          response: want.response,
          method: want.method,
          complete: true,
          problem: undefined,
        });
      }
    });
  }

  it('agrees with JSON.parse on strings full of escapes, split anywhere (the bench payload kind)', () => {
    const alphabet = ['a', '\\', '"', '\n', '\t', 'é', '😀', '}', ',', ':'];
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 200; round++) {
      const text = Array.from({ length: Math.floor(next() * 40) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      const message = JSON.stringify({ result: { content: [{ type: 'text', text }] }, jsonrpc: '2.0', id: `${text.slice(0, 5)}-${round}` });
      const s = scan(message, 1 + Math.floor(next() * 9));
      expect({ id: s.id, complete: s.complete, response: s.isResponse, problem: s.problem }).toEqual({
        id: (JSON.parse(message) as { id: string }).id,
        complete: true,
        response: true,
        problem: undefined,
      });
    }
  });

  it('an unfinished message is not complete; the id is unknown until its value ends', () => {
    const s = scan('{"jsonrpc":"2.0","result":{"text":"abc', 4);
    expect(s.complete).toBe(false);
    expect(s.id).toBeUndefined();
    expect(s.isResponse).toBe(true);
  });

  it('names what is not one JSON object', () => {
    expect(scan('[{"id":1}]', 3).problem).toMatch(/batch/);
    expect(scan('"x"', 3).problem).toMatch(/not a JSON object/);
    expect(scan('{"id":1} {"id":2}', 3).problem).toMatch(/more than one/);
  });

  it('flattenLines turns raw CR and LF into spaces, leaving escaped ones alone', () => {
    expect(flattenLines(Buffer.from('{\r\n"a":\n"b\\nc"\r}')).toString()).toBe('{  "a": "b\\nc" }');
  });
});
