import { describe, expect, it } from 'vitest';
import { joinSplitHeaders } from '../../src/argv.js';

// Hosts such as Cursor split arguments at spaces; these are the shapes seen in the wild.
const vectors: Array<[string, string[], string[]]> = [
  ['unsplit header stays as is', ['-H', 'Authorization: Bearer x', 'https://a/mcp'], ['-H', 'Authorization: Bearer x', 'https://a/mcp']],
  ['split once after the colon', ['--header', 'Authorization:', 'Bearer x'], ['--header', 'Authorization: Bearer x']],
  ['split at every space', ['--header', 'Authorization:', 'Bearer', 'x'], ['--header', 'Authorization: Bearer x']],
  ['stops at the next option', ['-H', 'X-Key:', 'abc', '--allow-http'], ['-H', 'X-Key: abc', '--allow-http']],
  ['stops at the server URL', ['-H', 'X-Key:', 'abc', 'https://a/mcp'], ['-H', 'X-Key: abc', 'https://a/mcp']],
  ['empty value before the URL', ['-H', 'X-Empty:', 'https://a/mcp'], ['-H', 'X-Empty:', 'https://a/mcp']],
  ['no colon: not touched', ['-H', 'weird', 'thing'], ['-H', 'weird', 'thing']],
  ['value after colon: not joined', ['-H', 'A:b', 'c'], ['-H', 'A:b', 'c']],
  ['other flags untouched', ['--timeout', '5:', 'x'], ['--timeout', '5:', 'x']],
  ['header flag last', ['-H'], ['-H']],
];

describe('joinSplitHeaders', () => {
  it.each(vectors)('%s', (_name, input, expected) => {
    expect(joinSplitHeaders(input)).toEqual(expected);
  });
});
