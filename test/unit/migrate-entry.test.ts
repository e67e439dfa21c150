import { describe, expect, it } from 'vitest';
import { migrateEntry, type Migration, type NotMigrated } from '../../src/commands/migrate-entry.js';

import { PEER_ENTRIES, U } from '../fixtures/peer-entries.js';

describe('migrateEntry: real-world peer entries', () => {
  it.each(PEER_ENTRIES)('%s', (_what, entry, command, args, env, note) => {
    const m = migrateEntry(entry) as Migration;
    expect(m).toBeDefined();
    expect('skipped' in m).toBe(false);
    expect(m.entry['command']).toBe(command);
    expect(m.entry['args']).toEqual(args);
    expect(m.entry['env']).toEqual(env);
    if (note) expect(m.notes.join('\n')).toMatch(note);
    for (const [key, value] of Object.entries(entry)) if (!['command', 'args', 'env'].includes(key)) expect(m.entry[key]).toEqual(value);
    // No literal secret is left in args.
    for (const literal of Object.values(env ?? {}))
      if (!literal.includes('...') && !literal.startsWith('Bearer')) expect(JSON.stringify(m.entry['args'])).not.toContain(literal);
  });

  it('leaves entries that run something else alone', () => {
    expect(migrateEntry({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] })).toBeUndefined();
    expect(migrateEntry({ command: 'uvx', args: ['mcp-server-git'] })).toBeUndefined();
    expect(migrateEntry({ url: 'https://example.com/mcp' })).toBeUndefined();
    expect(migrateEntry({ command: 'npx', args: ['-y', 'mcp-auth-proxy', U] })).toBeUndefined();
  });

  it('refuses, with the reason, supergateway serving a local stdio server', () => {
    const local = migrateEntry({ command: 'npx', args: ['-y', 'supergateway', '--stdio', 'uvx mcp-server-git', '--port', '8000'] }) as NotMigrated;
    expect(local.tool).toBe('supergateway');
    expect(local.skipped).toMatch(/^--stdio is one of supergateway's server options; .*does not serve a stdio server/);
    expect((migrateEntry({ command: 'npx', args: ['-y', 'supergateway', '--sse', U, '--outputTransport', 'ws'] }) as NotMigrated).skipped).toMatch(
      /^--outputTransport ws asks for a server on ws/,
    );
  });

  it('refuses, with the reason, an entry whose option neither tool nor the proxy knows (not dropped silently)', () => {
    expect(migrateEntry({ command: 'npx', args: ['mcp-remote', U, '--frobnicate', 'x'] })).toEqual({
      tool: 'mcp-remote',
      skipped: "--frobnicate is neither mcp-remote's option nor mcp-auth-proxy's; rewrite this entry by hand",
    });
    expect(migrateEntry({ command: 'npx', args: ['mcp-remote', '--debug'] })).toEqual({ tool: 'mcp-remote', skipped: 'no server URL found in its arguments' });
  });

  it("puts the server URL first, wherever supergateway's --sse came", () => {
    expect((migrateEntry({ command: 'npx', args: ['supergateway', '--header', 'X-A: 1', '--sse', U] }) as Migration).entry['args']).toEqual([
      '-y',
      'mcp-auth-proxy',
      U,
      '--header',
      'X-A: 1',
      '--transport',
      'sse',
    ]);
  });

  it("adds -y to npx, which would otherwise ask on the host's stdin", () => {
    expect((migrateEntry({ command: 'npx', args: ['mcp-remote', U] }) as Migration).entry['args']).toEqual(['-y', 'mcp-auth-proxy', U]);
  });
});
