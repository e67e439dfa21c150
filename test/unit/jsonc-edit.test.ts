import { describe, expect, it } from 'vitest';
import { appendJsoncItem, JsoncError, parseJsonc, setJsoncMember } from '../../src/commands/jsonc-edit.js';

const E = { command: 'npx', args: ['-y', 'mcp-auth-proxy', 'https://example.com/mcp'] };
const E_TEXT = (indent: string, unit = '  ', eol = '\n') =>
  JSON.stringify(E, null, unit)
    .split('\n')
    .join(eol + indent);

// [what, file text, expected text after setting mcpServers.example = E]
const vectors: Array<[string, string, string]> = [
  ['an empty file becomes a document', '', `{\n  "mcpServers": {\n    "example": ${E_TEXT('    ')}\n  }\n}\n`],
  ['blank lines only', '\n\n', `{\n  "mcpServers": {\n    "example": ${E_TEXT('    ')}\n  }\n}\n`],
  ['an empty object gets the servers key', '{}\n', `{\n  "mcpServers": {\n    "example": ${E_TEXT('    ')}\n  }\n}\n`],
  [
    'a missing servers key is added after the last member, comma added',
    '{\n  "theme": "dark"\n}\n',
    `{\n  "theme": "dark",\n  "mcpServers": {\n    "example": ${E_TEXT('    ')}\n  }\n}\n`,
  ],
  [
    'an entry is appended after the others, which stay byte for byte',
    '{\n  "mcpServers": {\n    "other": { "command": "x",   "args": [] }\n  }\n}\n',
    `{\n  "mcpServers": {\n    "other": { "command": "x",   "args": [] },\n    "example": ${E_TEXT('    ')}\n  }\n}\n`,
  ],
  [
    'a trailing comma habit is kept',
    '{\n  "mcpServers": {\n    "other": {"command": "x"},\n  },\n}\n',
    `{\n  "mcpServers": {\n    "other": {"command": "x"},\n    "example": ${E_TEXT('    ')},\n  },\n}\n`,
  ],
  [
    'a line comment after the last entry stays on its line',
    '{\n  "mcpServers": {\n    "other": {"command": "x"} // keep me\n  }\n}\n',
    `{\n  "mcpServers": {\n    "other": {"command": "x"}, // keep me\n    "example": ${E_TEXT('    ')}\n  }\n}\n`,
  ],
  [
    'block and line comments elsewhere are untouched',
    '// settings\n{\n  /* servers */ "mcpServers": {\n    // none yet\n  }\n}\n',
    `// settings\n{\n  /* servers */ "mcpServers": {\n    // none yet\n    "example": ${E_TEXT('    ')}\n  }\n}\n`,
  ],
  [
    'an existing entry is replaced in place, its neighbours untouched',
    '{\n  "mcpServers": {\n    "a": {"command": "a"},\n    "example": {"command": "old", "args": ["mcp-remote"]}, // old\n    "z": {"command": "z"}\n  }\n}\n',
    `{\n  "mcpServers": {\n    "a": {"command": "a"},\n    "example": ${E_TEXT('    ')}, // old\n    "z": {"command": "z"}\n  }\n}\n`,
  ],
  [
    'CRLF line ends are kept, and used for the new text',
    '{\r\n  "mcpServers": {\r\n    "other": {"command": "x"}\r\n  }\r\n}\r\n',
    `{\r\n  "mcpServers": {\r\n    "other": {"command": "x"},\r\n    "example": ${E_TEXT('    ', '  ', '\r\n')}\r\n  }\r\n}\r\n`,
  ],
  [
    'tab indentation is followed',
    '{\n\t"mcpServers": {\n\t\t"other": {}\n\t}\n}',
    `{\n\t"mcpServers": {\n\t\t"other": {},\n\t\t"example": ${E_TEXT('\t\t', '\t')}\n\t}\n}`,
  ],
  [
    'nested deeper than the servers key: only the servers object is touched',
    '{\n  "a": {"b": [1, 2, {"c": "}"}]},\n  "mcpServers": {}\n}\n',
    `{\n  "a": {"b": [1, 2, {"c": "}"}]},\n  "mcpServers": {\n    "example": ${E_TEXT('    ')}\n  }\n}\n`,
  ],
  [
    'a one-line document stays on one line where it was',
    '{"mcpServers": {"other": {"command": "x"}}}',
    `{"mcpServers": {"other": {"command": "x"}, "example": ${E_TEXT('')}}}`,
  ],
  [
    'duplicate entries: the last one (the one the host uses) is replaced',
    '{\n  "mcpServers": {\n    "example": 1,\n    "example": 2\n  }\n}\n',
    `{\n  "mcpServers": {\n    "example": 1,\n    "example": ${E_TEXT('    ')}\n  }\n}\n`,
  ],
  [
    'strings holding comment markers and braces are not comments',
    '{\n  "url": "http://x/*not*/ // no",\n  "mcpServers": {\n  }\n}\n',
    `{\n  "url": "http://x/*not*/ // no",\n  "mcpServers": {\n    "example": ${E_TEXT('    ')}\n  }\n}\n`,
  ],
];

describe('setJsoncMember', () => {
  it.each(vectors)('%s', (_what, input, expected) => {
    const out = setJsoncMember(input, ['mcpServers', 'example'], E);
    expect(out).toBe(expected);
    expect((parseJsonc(out).value as { mcpServers: Record<string, unknown> }).mcpServers['example']).toEqual(E);
  });

  it('sets a member of VS Code servers, type stdio included', () => {
    const out = setJsoncMember('{\n  // my servers\n  "servers": {},\n  "inputs": [],\n}\n', ['servers', 'x'], { type: 'stdio', command: 'npx' });
    expect(out).toBe('{\n  // my servers\n  "servers": {\n    "x": {\n      "type": "stdio",\n      "command": "npx"\n    }\n  },\n  "inputs": [],\n}\n');
  });

  it('writing the same entry twice gives the same text', () => {
    const once = setJsoncMember('{\n  "mcpServers": {"a": 1}\n}\n', ['mcpServers', 'example'], E);
    expect(setJsoncMember(once, ['mcpServers', 'example'], E)).toBe(once);
  });
});

// [what, text, line, column]
const unparsable: Array<[string, string, number]> = [
  ['a missing comma', '{\n  "a": 1\n  "b": 2\n}', 3],
  ['an unclosed object', '{\n  "a": {\n', 3],
  ['an unclosed block comment', '{\n /* x\n}', 2],
  ['single quotes', "{\n  'a': 1\n}", 2],
  ['text after the document', '{}\n{}', 2],
  ['a raw newline in a string', '{"a": "x\ny"}', 1],
  ['a bare word', '{\n  "a": yes\n}', 2],
];

describe('parseJsonc refuses what does not parse, naming the line', () => {
  it.each(unparsable)('%s', (_what, text, line) => {
    let error: unknown;
    try {
      parseJsonc(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JsoncError);
    expect((error as JsoncError).line).toBe(line);
    expect(() => setJsoncMember(text, ['mcpServers', 'x'], 1)).toThrow(JsoncError);
  });

  it('refuses a document that is not an object', () => {
    expect(() => setJsoncMember('[1, 2]', ['mcpServers', 'x'], 1)).toThrow(/not an object/);
  });

  it('reads comments and trailing commas as JSON.parse reads plain JSON', () => {
    const text = '{\n  // c\n  "a": [1, 2,], /* d */\n  "b": {"c": null,},\n}';
    expect(parseJsonc(text).value).toEqual({ a: [1, 2], b: { c: null } });
  });
});

describe('appendJsoncItem (VS Code inputs)', () => {
  const I = { id: 'x' };
  it.each([
    ['a missing array is created', '{\n  "servers": {}\n}\n', '{\n  "servers": {},\n  "inputs": [\n    {\n      "id": "x"\n    }\n  ]\n}\n'],
    ['an empty array', '{\n  "inputs": [],\n}\n', '{\n  "inputs": [\n    {\n      "id": "x"\n    }\n  ],\n}\n'],
    [
      'after the last item, comment kept',
      '{\n  "inputs": [\n    {"id": "a"} // first\n  ]\n}',
      '{\n  "inputs": [\n    {"id": "a"}, // first\n    {\n      "id": "x"\n    }\n  ]\n}',
    ],
    ['trailing comma kept', '{"inputs": [{"id": "a"},]}', '{"inputs": [{"id": "a"}, {\n  "id": "x"\n},]}'],
  ])('%s', (_what, input, expected) => {
    expect(appendJsoncItem(input, ['inputs'], I)).toBe(expected);
  });
});
