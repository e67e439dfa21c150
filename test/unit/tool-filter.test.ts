import { describe, expect, it } from 'vitest';
import { globToRegExp, ToolFilter } from '../../src/tool-filter.js';

describe('globToRegExp', () => {
  it.each<[string, string, boolean]>([
    ['delete_*', 'delete_repo', true],
    ['delete_*', 'delete_', true],
    ['delete_*', 'undelete_repo', false],
    ['*_admin', 'github.user_admin', true],
    ['get?', 'gets', true],
    ['get?', 'get', false],
    ['get?', 'getss', false],
    ['a.b', 'a.b', true],
    ['a.b', 'axb', false],
    ['fs/(rm)+[x]{2}^$|', 'fs/(rm)+[x]{2}^$|', true],
    ['Echo', 'echo', false],
    ['*', 'anything at all', true],
    ['??', 'é😀', true],
  ])('%s ~ %s → %s', (glob, name, expected) => {
    expect(globToRegExp(glob).test(name)).toBe(expected);
  });
});

describe('ToolFilter', () => {
  const filter = new ToolFilter(['delete_*', 'admin']);

  it('refuses tools/call of an ignored tool with -32602 and says why; leaves everything else alone', () => {
    expect(filter.refuse({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'delete_repo' } })).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: -32602,
        message: 'mcp-auth-proxy: the tool "delete_repo" is ignored by mcp-auth-proxy configuration (--ignore-tool "delete_*"); it was not sent to the server',
        data: { code: 'TOOL_IGNORED', tool: 'delete_repo' },
      },
    });
    expect(filter.refuse({ jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'list_repos' } })).toBeUndefined();
    expect(filter.refuse({ jsonrpc: '2.0', id: 9, method: 'prompts/get', params: { name: 'admin' } })).toBeUndefined();
  });

  it('removes ignored tools from a tools/list result, keeping the rest of it; undefined when nothing matched', () => {
    const listed = filter.list({ jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'admin' }, { name: 'read' }, { name: 'delete_x' }], nextCursor: 'c2' } });
    expect(listed).toEqual({ jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'read' }], nextCursor: 'c2' } });
    expect(filter.list({ jsonrpc: '2.0', id: 2, result: { tools: [{ name: 'read' }] } })).toBeUndefined();
    expect(filter.list({ jsonrpc: '2.0', id: 3, error: { code: -1, message: 'x' } })).toBeUndefined();
  });
});
