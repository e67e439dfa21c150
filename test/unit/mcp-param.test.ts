import { describe, expect, it } from 'vitest';
import { encodeParamValue, paramHeaders, scanHeaderParams } from '../../src/modern/mcp-param.js';

// MCP 2026-07-28 Streamable HTTP "Value Encoding": the spec's own table first, then the cases the
// conformance suite's http-custom-headers scenario sends.
describe('encodeParamValue', () => {
  it.each<[string, string]>([
    ['us-west1', 'us-west1'],
    ['Hello, 世界', '=?base64?SGVsbG8sIOS4lueVjA==?='],
    [' padded ', '=?base64?IHBhZGRlZCA=?='],
    ['line1\nline2', '=?base64?bGluZTEKbGluZTI=?='],
    ['=?base64?literal?=', '=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?='],
    [' us-west1', '=?base64?IHVzLXdlc3Qx?='],
    ['us-west1 ', '=?base64?dXMtd2VzdDEg?='],
    ['us west 1', 'us west 1'],
    ['line1\r\nline2', '=?base64?bGluZTENCmxpbmUy?='],
    ['\tindented', '=?base64?CWluZGVudGVk?='],
    ['', '=?base64??='],
    ['test-method', 'test-method'],
  ])('%j → %s', (value, header) => {
    expect(encodeParamValue(value)).toBe(header);
  });
});

describe('paramHeaders', () => {
  const schema = {
    type: 'object',
    properties: {
      region: { type: 'string', 'x-mcp-header': 'Region' },
      priority: { type: 'integer', 'x-mcp-header': 'Priority' },
      verbose: { type: 'boolean', 'x-mcp-header': 'Verbose' },
      nested: { type: 'object', properties: { zone: { type: 'string', 'x-mcp-header': 'Zone' } } },
      float_val: { type: 'number' },
      query: { type: 'string' },
    },
  };
  const scan = scanHeaderParams(schema);
  if (!scan.valid) throw new Error(scan.reason);

  it('mirrors annotated values, converted and encoded; nothing else', () => {
    expect(paramHeaders(scan.params, { region: 'us-west1', priority: 42, verbose: false, nested: { zone: 'b' }, float_val: 3.14, query: 'SELECT 1' })).toEqual({
      'mcp-param-region': 'us-west1',
      'mcp-param-priority': '42',
      'mcp-param-verbose': 'false',
      'mcp-param-zone': 'b',
    });
  });
  it('omits null and absent values', () => {
    expect(paramHeaders(scan.params, { region: 'us-east1', verbose: null })).toEqual({ 'mcp-param-region': 'us-east1' });
  });
});

describe('scanHeaderParams: nesting', () => {
  /** A schema `depth` levels of `properties` deep, with a header parameter at the bottom. */
  const nested = (depth: number): unknown => {
    let schema: unknown = { type: 'string', 'x-mcp-header': 'Deep' };
    for (let i = 0; i < depth; i++) schema = { type: 'object', properties: { a: schema } };
    return schema;
  };

  it('a header parameter 900 levels down is found, with its whole path', () => {
    const scan = scanHeaderParams(nested(900));
    expect(scan.valid && scan.params[0]!.path).toEqual(Array.from({ length: 900 }, () => 'a'));
  });

  it('deeper than 1000 levels is invalid, named, without walking further (a hostile schema cost seconds of CPU)', () => {
    expect(scanHeaderParams(nested(1_001))).toEqual({ valid: false, reason: 'its inputSchema is nested more than 1000 levels deep, too deeply to check' });
    expect(scanHeaderParams(nested(100_000)).valid).toBe(false);
  });
});

describe('scanHeaderParams: tools clients must drop', () => {
  const tool = (property: Record<string, unknown>, more: Record<string, unknown> = {}) => ({ type: 'object', properties: { p: property, ...more } });
  it.each<[string, unknown]>([
    ['empty name', tool({ type: 'string', 'x-mcp-header': '' })],
    ['space in name', tool({ type: 'string', 'x-mcp-header': 'My Region' })],
    ['colon in name', tool({ type: 'string', 'x-mcp-header': 'Region:Primary' })],
    ['non-ASCII name', tool({ type: 'string', 'x-mcp-header': 'Région' })],
    ['tab in name', tool({ type: 'string', 'x-mcp-header': 'Region\t1' })],
    ['number type', tool({ type: 'number', 'x-mcp-header': 'N' })],
    ['object type', tool({ type: 'object', 'x-mcp-header': 'O' })],
    ['array type', tool({ type: 'array', 'x-mcp-header': 'A' })],
    ['no type', tool({ 'x-mcp-header': 'T' })],
    ['duplicate, other case', tool({ type: 'string', 'x-mcp-header': 'MyField' }, { q: { type: 'string', 'x-mcp-header': 'myfield' } })],
    ['under items', tool({ type: 'array', items: { type: 'string', 'x-mcp-header': 'I' } })],
    ['under anyOf', tool({ anyOf: [{ type: 'string', 'x-mcp-header': 'A' }] })],
    ['under $defs', { type: 'object', $defs: { d: { type: 'string', 'x-mcp-header': 'D' } } }],
    ['on the root', { type: 'object', 'x-mcp-header': 'Root' }],
  ])('%s', (_name, schema) => {
    expect(scanHeaderParams(schema).valid).toBe(false);
  });
  it('accepts a schema without annotations, and const/enum data that merely looks like one', () => {
    expect(scanHeaderParams({ type: 'object', properties: { q: { type: 'string' } } })).toEqual({ valid: true, params: [] });
    expect(scanHeaderParams({ type: 'object', properties: { q: { type: 'string', const: 'x-mcp-header' } } }).valid).toBe(true);
  });
});
