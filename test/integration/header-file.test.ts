// --header-file: "Name: value" lines from a file (secrets out of host config files), merged with
// --header, each line checked exactly like a --header; errors name the file and line, never a value.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { resultOf, runCli, spawnProxy, toolText } from '../fixtures/cli.js';
import { startMcpServer } from '../fixtures/mcp-server.js';
import { tempDir } from '../fixtures/oauth-cli.js';

vi.setConfig({ testTimeout: 20_000 });

function headerFile(text: string): string {
  const path = join(tempDir('mcp-auth-proxy-headers-'), 'example.headers');
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

describe('--header-file', () => {
  it('its headers (comments and blank lines skipped, ${VAR} expanded) and the --header ones reach the server on every request', async () => {
    const server = await startMcpServer({ kind: 'stateful', token: 'file-tok' });
    const file = headerFile(
      ['# credentials for example.com', '', 'Authorization: Bearer ${FILE_TOKEN}', '  X-Tenant: acme corp  ', '# X-Disabled: yes', 'X-Trace: a#b', ''].join(
        '\r\n',
      ),
    );
    const proxy = spawnProxy([server.url, '--header-file', file, '-H', 'X-Extra: from-flag'], { env: { FILE_TOKEN: 'file-tok' } });
    resultOf(await proxy.initialize());
    expect(toolText(await proxy.callTool('echo', { text: 'with headers' }))).toBe('with headers');
    expect(server.log.entries.length).toBeGreaterThanOrEqual(3);
    for (const e of server.log.entries) {
      expect(e.headers.authorization, `${e.method} ${e.path}`).toBe('Bearer file-tok');
      expect(e.headers['x-tenant']).toBe('acme corp');
      expect(e.headers['x-trace']).toBe('a#b');
      expect(e.headers['x-extra']).toBe('from-flag');
      expect(e.headers['x-disabled']).toBeUndefined();
    }
  });

  it('a ~/ path is the home directory (hosts start the proxy without a shell)', async () => {
    const home = tempDir('mcp-auth-proxy-home-');
    writeFileSync(join(home, 'h.txt'), 'X-From-Home: yes\n');
    const server = await startMcpServer({ kind: 'stateless' });
    const proxy = spawnProxy([server.url, '--header-file', '~/h.txt'], { env: { HOME: home } });
    resultOf(await proxy.initialize());
    expect(server.log.entries[0]!.headers['x-from-home']).toBe('yes');
  });

  it.each([
    ['a line without a colon', 'X-Ok: 1\nX-Api-Key sk-SECRET-nocolon-123\n', ':2 expects "Name: value"'],
    ['an invalid name', '# c\nBearer sk-SECRET-name: x\n', ':2: the text before the colon is not a valid HTTP header name'],
    ['a header the proxy sets itself', '\n\nMcp-Session-Id: sk-SECRET-session\n', ':3 Mcp-Session-Id is set by the proxy itself'],
    ['a variable that is not set', 'X-Api-Key: sk-SECRET-${NOT_SET_ANYWHERE_42}\n', ':1 X-Api-Key uses ${NOT_SET_ANYWHERE_42}'],
  ])('%s: exit 2, naming the file and line, never the value', async (_name, text, expected) => {
    const file = headerFile(text);
    const r = await runCli(['http://127.0.0.1:9/mcp', '--header-file', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--header-file ${file}${expected}`);
    expect(r.stderr).not.toContain('sk-SECRET');
    expect(r.stdout).toBe('');
  });

  it('a file that does not exist: exit 2 naming --header-file', async () => {
    const r = await runCli(['http://127.0.0.1:9/mcp', '--header-file', '/nonexistent/dir/example.headers']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--header-file /nonexistent/dir/example.headers: cannot read it (no such file)');
  });

  it('an Authorization line and --oauth2Bearer: give the credentials once (exit 2)', async () => {
    const r = await runCli(['http://127.0.0.1:9/mcp', '--header-file', headerFile('Authorization: Bearer sk-SECRET-a\n'), '--oauth2Bearer', 'sk-SECRET-b']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('give the credentials once');
    expect(r.stderr).not.toContain('sk-SECRET');
  });
});
