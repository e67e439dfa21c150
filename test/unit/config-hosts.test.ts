import { describe, expect, it } from 'vitest';
import { buildConfigCommand, defaultEntryName, hostConfigPaths } from '../../src/config-hosts.js';
import { claudeAddCommand, printedBlock } from '../../src/commands/host-formats.js';
import { newEntry } from '../../src/commands/config.js';
import { splitSecrets } from '../../src/commands/entry-secrets.js';
import { JsoncError } from '../../src/commands/jsonc-edit.js';
import { emitCodexServer, readCodexServers, setCodexServer } from '../../src/commands/toml-edit.js';

describe("hostConfigPaths: each host's documented file, per OS", () => {
  it('Linux (XDG for Claude Desktop and VS Code)', () => {
    expect(hostConfigPaths({ HOME: '/h' }, 'linux')).toEqual({
      cursor: '/h/.cursor/mcp.json',
      'claude-desktop': '/h/.config/Claude/claude_desktop_config.json',
      'claude-code': '/h/.claude.json',
      vscode: '/h/.config/Code/User/mcp.json',
      windsurf: '/h/.codeium/windsurf/mcp_config.json',
      codex: '/h/.codex/config.toml',
    });
    expect(hostConfigPaths({ HOME: '/h', XDG_CONFIG_HOME: '/x', CODEX_HOME: '/c' }, 'linux')).toMatchObject({
      vscode: '/x/Code/User/mcp.json',
      codex: '/c/config.toml',
    });
  });

  it('macOS (Application Support)', () => {
    expect(hostConfigPaths({ HOME: '/Users/me' }, 'darwin')).toMatchObject({
      'claude-desktop': '/Users/me/Library/Application Support/Claude/claude_desktop_config.json',
      vscode: '/Users/me/Library/Application Support/Code/User/mcp.json',
    });
  });

  it('Windows (%APPDATA%, USERPROFILE)', () => {
    const paths = hostConfigPaths({ USERPROFILE: 'C:/Users/me', APPDATA: 'C:/Users/me/AppData/Roaming' }, 'win32');
    expect(paths['claude-desktop'].replace(/\\/g, '/')).toBe('C:/Users/me/AppData/Roaming/Claude/claude_desktop_config.json');
    expect(paths.cursor.replace(/\\/g, '/')).toBe('C:/Users/me/.cursor/mcp.json');
  });
});

describe('buildConfigCommand', () => {
  it('names the entry after the server, overridable with --name', () => {
    expect(defaultEntryName('https://mcp.linear.app/sse')).toBe('linear');
    expect(defaultEntryName('https://api.githubcopilot.com/mcp/')).toBe('githubcopilot');
    expect(defaultEntryName('http://127.0.0.1:3000/mcp')).toBe('mcp-server');
    expect(buildConfigCommand('https://mcp.example.com/mcp', { name: 'mine' }, { HOME: '/h' }, 'linux').name).toBe('mine');
  });

  it.each([
    [undefined, {}, /needs the server URL/],
    ['https://x.example/mcp', { migrate: true }, /no server URL/],
    ['not a url', {}, /is not a URL/],
    ['ftp://x.example/', {}, /must start with https/],
    ['https://x.example/mcp', { app: 'emacs' }, /--app must be one of/],
    ['https://x.example/mcp', { write: true }, /say which with --app/],
    ['https://x.example/mcp', { name: ' ' }, /--name needs/],
  ] as const)('refuses %s %o', (url, raw, message) => {
    expect(() => buildConfigCommand(url, raw, { HOME: '/h' }, 'linux')).toThrow(message);
  });
});

describe('secrets never inlined', () => {
  it('moves a bearer, an Authorization header and an API key out of args', () => {
    const split = splitSecrets(['--oauth2Bearer', 'tok-123', '-H', 'X-API-Key: k-456', '--header', 'X-Tenant: acme', '--client-secret=cs-789']);
    expect(split.args).toEqual(['--header', 'X-API-Key: ${X_API_KEY}', '--header', 'X-Tenant: acme']);
    expect(Object.fromEntries(split.variables)).toEqual({ MCP_AUTH_PROXY_BEARER: 'tok-123', X_API_KEY: 'k-456', MCP_AUTH_PROXY_CLIENT_SECRET: 'cs-789' });
    expect(Object.fromEntries(splitSecrets(['-H', 'Authorization: Bearer abc.def']).variables)).toEqual({ MCP_AUTH_PROXY_BEARER: 'abc.def' });
    // A reference is kept, and its variable named.
    const ref = splitSecrets(['-H', 'Authorization: Bearer ${MY_TOKEN}']);
    expect(ref.args).toEqual(['--header', 'Authorization: Bearer ${MY_TOKEN}']);
    expect([...ref.variables]).toEqual([['MY_TOKEN', undefined]]);
  });

  it("prints env references in each host's syntax, and none for Claude Desktop", () => {
    const entry = { command: 'npx', args: ['-y', 'mcp-auth-proxy', 'https://x.example/mcp'], variables: ['MCP_AUTH_PROXY_BEARER'] };
    expect(printedBlock('cursor', 'x', entry, '/p')).toContain('"MCP_AUTH_PROXY_BEARER": "${env:MCP_AUTH_PROXY_BEARER}"');
    expect(printedBlock('claude-code', 'x', entry, '/p')).toContain('"MCP_AUTH_PROXY_BEARER": "${MCP_AUTH_PROXY_BEARER}"');
    expect(printedBlock('claude-desktop', 'x', entry, '/p')).not.toContain('"env"');
    expect(printedBlock('vscode', 'x', entry, '/p')).toContain('"type": "stdio"');
    expect(printedBlock('codex', 'x', entry, '/p')).toContain('env_vars = ["MCP_AUTH_PROXY_BEARER"]');
    expect(claudeAddCommand('x', entry)).toBe(
      "claude mcp add --scope user --transport stdio -e 'MCP_AUTH_PROXY_BEARER=${MCP_AUTH_PROXY_BEARER}' x -- npx -y mcp-auth-proxy https://x.example/mcp",
    );
  });
});

const U = 'https://mcp.example.com/mcp';

describe('newEntry: the options after --', () => {
  it("takes mcp-remote's and supergateway's spellings and writes ours, secrets still out of args", () => {
    const { entry, literals } = newEntry(U, [
      '--host',
      'localhost',
      '--disable-cookies',
      '--keep-alive',
      '--authorize-param',
      'prompt=consent',
      '--oauth2-bearer',
      'tok-1234',
      '--logLevel',
      'none',
    ]);
    expect(entry.args).toEqual([
      '-y',
      'mcp-auth-proxy',
      U,
      '--callback-host',
      'localhost',
      '--no-cookies',
      '--keepalive',
      '30',
      '--authorize-param',
      'prompt=consent',
      '--log-level',
      'error',
    ]);
    expect(literals).toEqual(['MCP_AUTH_PROXY_BEARER']);
  });

  it("refuses supergateway's server modes and options neither tool has", () => {
    expect(() => newEntry(U, ['--stdio', 'uvx mcp-server-git'])).toThrow(/does not serve a stdio server/);
    expect(() => newEntry(U, ['--frobnicate'])).toThrow(/--frobnicate \(after --\) is not an option/);
  });
});

describe('Codex config.toml', () => {
  const file = [
    '# my codex config',
    'model = "o3"',
    '',
    '[mcp_servers.linear]',
    'command = "npx"',
    'args = [',
    '  "-y", "mcp-remote",  # the bridge',
    "  'https://mcp.linear.app/sse',",
    ']',
    'startup_timeout_sec = 20',
    '',
    '[mcp_servers.linear.env]',
    'AUTH = "x y"',
    '',
    '[mcp_servers."other one"]',
    'command = "uvx"',
    'args = ["srv"]',
    '',
    '[profiles.fast]',
    'model = "o4-mini"',
    'matrix = [',
    '  [1, 2]',
    ']',
    '',
  ].join('\n');

  it('reads the server tables: multi-line arrays, comments, literal strings, sub-tables, quoted names', () => {
    expect(readCodexServers(file)).toEqual([
      { name: 'linear', entry: { command: 'npx', args: ['-y', 'mcp-remote', 'https://mcp.linear.app/sse'], startup_timeout_sec: 20, env: { AUTH: 'x y' } } },
      { name: 'other one', entry: { command: 'uvx', args: ['srv'] } },
    ]);
  });

  it('replaces one table (with its sub-tables), every other line as it was', () => {
    const table = emitCodexServer('linear', {
      command: 'npx',
      args: ['-y', 'mcp-auth-proxy', 'https://mcp.linear.app/sse'],
      extra: { startup_timeout_sec: 20 },
    });
    const out = setCodexServer(file, 'linear', table);
    const lines = file.split('\n');
    expect(out).toBe([...lines.slice(0, 3), ...table.trimEnd().split('\n'), ...lines.slice(13)].join('\n'));
    expect(readCodexServers(out)[0]!.entry).toEqual({ command: 'npx', args: ['-y', 'mcp-auth-proxy', 'https://mcp.linear.app/sse'], startup_timeout_sec: 20 });
  });

  it('appends a new table after a blank line, keeping CRLF', () => {
    const out = setCodexServer('model = "o3"\r\n', 'new', emitCodexServer('new', { command: 'npx', args: ['a "q"'] }));
    expect(out).toBe('model = "o3"\r\n\r\n[mcp_servers.new]\r\ncommand = "npx"\r\nargs = ["a \\"q\\""]\r\n');
  });

  it('refuses a server table it cannot read, naming the line', () => {
    const bad = '[mcp_servers.x]\ncommand = "npx"\nargs = [1999-01-01]\n';
    expect(() => readCodexServers(bad)).toThrow(JsoncError);
    expect(() => setCodexServer(bad, 'y', '')).toThrow(/line 3/);
    expect(() => readCodexServers('model = "o3"\n[mcp_servers.x\ncommand = "npx"\n')).toThrow(/line 2.*not closed/);
  });
});
