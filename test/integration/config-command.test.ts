// `mcp-auth-proxy config` against real files in a temporary HOME and real local MCP servers: the
// entry written (or migrated) into a host's file is run as the host would run it, with the built
// CLI, and must reach tools/list. Secrets given to the command never appear in its output.
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parseJsonc } from '../../src/commands/jsonc-edit.js';
import { migrateEntry, type Migration } from '../../src/commands/migrate-entry.js';
import { readCodexServers } from '../../src/commands/toml-edit.js';
import { connectClient, runCli } from '../fixtures/cli.js';
import { startMcpServer } from '../fixtures/mcp-server.js';
import { peerEntries, PEER_ENTRIES } from '../fixtures/peer-entries.js';
import { tempDir } from '../fixtures/teardown.js';

vi.setConfig({ testTimeout: 60_000 });

type Entry = { command: string; args: string[]; env?: Record<string, string> };

function home() {
  const dir = tempDir('mcp-auth-proxy-config-home-');
  const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, '.config'), CODEX_HOME: undefined, APPDATA: undefined };
  const paths = {
    cursor: join(dir, '.cursor', 'mcp.json'),
    claudeDesktop: join(dir, '.config', 'Claude', 'claude_desktop_config.json'),
    claudeCode: join(dir, '.claude.json'),
    vscode: join(dir, '.config', 'Code', 'User', 'mcp.json'),
    vscodeSettings: join(dir, '.config', 'Code', 'User', 'settings.json'),
    windsurf: join(dir, '.codeium', 'windsurf', 'mcp_config.json'),
    codex: join(dir, '.codex', 'config.toml'),
  };
  const put = (path: string, text: string) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  };
  const config = (args: string[]) => runCli(['config', ...args], { env, timeoutMs: 20_000 });
  return { dir, env, paths, put, config };
}

function servers(path: string, key = 'mcpServers'): Record<string, Entry> {
  return (parseJsonc(readFileSync(path, 'utf8')).value as Record<string, Record<string, Entry>>)[key]!;
}

/** Runs an entry as a host would (its args after the package name, its env) with the built CLI; returns the tool names. */
async function toolsOf(entry: Entry, hostEnv: Record<string, string> = {}): Promise<string[]> {
  const at = entry.args.indexOf('mcp-auth-proxy');
  expect(at, JSON.stringify(entry)).toBeGreaterThanOrEqual(0);
  const [url, ...options] = entry.args.slice(at + 1);
  const env = { ...hostEnv, ...Object.fromEntries(Object.entries(entry.env ?? {}).filter(([, v]) => !v.startsWith('${'))) };
  const { client } = await connectClient(url!, options, { env });
  return (await client.listTools()).tools.map((t) => t.name);
}

describe('config <url>', () => {
  it('prints an entry per host, with the token and API key given after -- left out of every one', async () => {
    const h = home();
    const run = await h.config(['https://mcp.example.com/mcp', '--', '--oauth2Bearer', 'tok-SECRET-1', '-H', 'X-API-Key: key-SECRET-2', '--keepalive', '60']);
    expect(run.code, run.stderr).toBe(0);
    for (const label of ['Cursor', 'Claude Desktop', 'Claude Code', 'VS Code', 'Windsurf', 'Codex']) expect(run.stdout).toContain(`# ${label}: `);
    expect(run.stdout).toContain(h.paths.vscode);
    expect(run.stdout).toContain('"X-API-Key: ${X_API_KEY}"');
    expect(run.stdout).toContain('"MCP_AUTH_PROXY_BEARER": "${env:MCP_AUTH_PROXY_BEARER}"');
    expect(run.stdout).toContain('claude mcp add --scope user');
    expect(run.stdout).toContain('--header-file');
    expect(run.stderr).toContain('set MCP_AUTH_PROXY_BEARER');
    for (const secret of ['tok-SECRET-1', 'key-SECRET-2']) expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it('refuses an option after -- that the proxy does not have, before writing anything', async () => {
    const h = home();
    const run = await h.config(['https://mcp.example.com/mcp', '--app', 'cursor', '--write', '--', '--sse-only']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--sse-only (after --) is not an option of mcp-auth-proxy');
    expect(existsSync(h.paths.cursor)).toBe(false);
    const stray = await h.config(['https://mcp.example.com/mcp', '--', '--keepalive', '60', 'https://other.example/mcp']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('"https://other.example/mcp" (after --) is not an option');
    const choice = await h.config(['https://mcp.example.com/mcp', '--', '--transport', 'websocket']);
    expect(choice.code).toBe(2);
    expect(choice.stderr).toContain('--transport (after --) must be one of auto, streamable-http, sse, sse-first (got "websocket")');
    const server = await h.config(['https://mcp.example.com/mcp', '--', '--port', '8000']);
    expect(server.code).toBe(2);
    expect(server.stderr).toContain("--port is one of supergateway's server options");
  });

  it("takes the options after -- in mcp-remote's and supergateway's spelling too, and writes ours; the entry lists tools", async () => {
    const server = await startMcpServer({ kind: 'stateless', token: 'tok-SECRET-7' });
    const h = home();
    const given = [
      '--oauth2-bearer',
      'tok-SECRET-7',
      '--disable-cookies',
      '--host',
      'localhost',
      '--ping-interval',
      '30',
      '--transport',
      'http-only',
      '--headers-timeout',
      '60',
      '--enable-proxy',
    ];
    const run = await h.config([server.url, '--app', 'cursor', '--write', '--', ...given]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('after --: --enable-proxy: accepted');
    expect(run.stdout + run.stderr).not.toContain('tok-SECRET-7');
    const entry = servers(h.paths.cursor)['mcp-server']!;
    expect(entry.args).toEqual([
      '-y',
      'mcp-auth-proxy',
      server.url,
      '--no-cookies',
      '--callback-host',
      'localhost',
      '--keepalive',
      '30',
      '--transport',
      'streamable-http',
      '--headers-timeout',
      '60',
    ]);
    expect(await toolsOf(entry, { MCP_AUTH_PROXY_BEARER: 'tok-SECRET-7' })).toContain('echo');
  });

  it('--write adds the entry to a commented VS Code mcp.json (other bytes kept, a .bak), and the entry lists tools', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const h = home();
    const before =
      '// my servers\r\n{\r\n  "servers": {\r\n    /* a local one */\r\n    "git": { "type": "stdio", "command": "uvx", "args": ["mcp-server-git"] },\r\n  },\r\n  "inputs": [],\r\n}\r\n';
    h.put(h.paths.vscode, before);
    const run = await h.config([server.url, '--app', 'vscode', '--name', 'local', '--write', '--', '--timeout', '60']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`wrote the entry "local" to ${h.paths.vscode}`);
    const after = readFileSync(h.paths.vscode, 'utf8');
    expect(readFileSync(`${h.paths.vscode}.bak`, 'utf8')).toBe(before);
    const cut = before.indexOf('  },\r\n  "inputs"');
    expect(after.startsWith(before.slice(0, cut))).toBe(true);
    expect(after.endsWith(before.slice(cut))).toBe(true);
    const entry = servers(h.paths.vscode, 'servers')['local']!;
    expect(entry).toMatchObject({ type: 'stdio', command: 'npx', args: ['-y', 'mcp-auth-proxy', server.url, '--timeout', '60'] });
    expect(await toolsOf(entry)).toContain('echo');

    // Again: replaced in place, nothing else moves.
    const again = await h.config([server.url, '--app', 'vscode', '--name', 'local', '--write']);
    expect(again.code, again.stderr).toBe(0);
    expect(servers(h.paths.vscode, 'servers')['local']!.args).toEqual(['-y', 'mcp-auth-proxy', server.url]);
    expect(readFileSync(h.paths.vscode, 'utf8').startsWith(before.slice(0, cut))).toBe(true);

    // A token: VS Code is asked to prompt for it (an input), once, however often the entry is written.
    for (let i = 0; i < 2; i++) {
      const run = await h.config([server.url, '--app', 'vscode', '--name', 'local', '--write', '--', '--oauth2Bearer', 'tok-SECRET-6']);
      expect(run.code, run.stderr).toBe(0);
    }
    const file = readFileSync(h.paths.vscode, 'utf8');
    expect(file).not.toContain('tok-SECRET-6');
    const doc = parseJsonc(file).value as { inputs: unknown[]; servers: Record<string, Entry> };
    expect(doc.inputs).toEqual([
      { type: 'promptString', id: 'mcp-auth-proxy-bearer', description: 'MCP_AUTH_PROXY_BEARER for mcp-auth-proxy', password: true },
    ]);
    expect(doc.servers['local']!.env).toEqual({ MCP_AUTH_PROXY_BEARER: '${input:mcp-auth-proxy-bearer}' });
  });

  it("--write creates Cursor's and Codex's files, with a token only referenced, and both entries list tools", async () => {
    const server = await startMcpServer({ kind: 'stateless', token: 'tok-SECRET-3' });
    const h = home();
    for (const app of ['cursor', 'codex']) {
      const run = await h.config([server.url, '--app', app, '--write', '--', '--oauth2Bearer', 'tok-SECRET-3']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout + run.stderr).not.toContain('tok-SECRET-3');
    }
    expect(readFileSync(h.paths.cursor, 'utf8')).not.toContain('tok-SECRET-3');
    expect(readFileSync(h.paths.codex, 'utf8')).not.toContain('tok-SECRET-3');
    const cursor = servers(h.paths.cursor)['mcp-server']!;
    expect(cursor.env).toEqual({ MCP_AUTH_PROXY_BEARER: '${env:MCP_AUTH_PROXY_BEARER}' });
    const [codex] = readCodexServers(readFileSync(h.paths.codex, 'utf8'));
    expect(codex!.entry['env_vars']).toEqual(['MCP_AUTH_PROXY_BEARER']);
    // The host hands its environment on: the variable is where the token lives.
    expect(await toolsOf(cursor, { MCP_AUTH_PROXY_BEARER: 'tok-SECRET-3' })).toContain('echo');
    expect(await toolsOf(codex!.entry as Entry, { MCP_AUTH_PROXY_BEARER: 'tok-SECRET-3' })).toContain('echo');
  });

  it('--write through a symlinked config (a dotfiles repository) updates its target, keeps the link and the mode', async () => {
    const h = home();
    const real = join(h.dir, 'dotfiles', 'cursor-mcp.json');
    h.put(real, '{ "mcpServers": {} }\n');
    chmodSync(real, 0o640);
    mkdirSync(dirname(h.paths.cursor), { recursive: true });
    symlinkSync(real, h.paths.cursor);
    const run = await h.config(['https://mcp.example.com/mcp', '--app', 'cursor', '--write']);
    expect(run.code, run.stderr).toBe(0);
    expect(lstatSync(h.paths.cursor).isSymbolicLink()).toBe(true);
    expect(servers(real)['example']).toMatchObject({ command: 'npx' });
    expect(statSync(real).mode & 0o777).toBe(0o640);
    expect(readFileSync(`${h.paths.cursor}.bak`, 'utf8')).toBe('{ "mcpServers": {} }\n');
  });

  it('refuses a file that does not parse, naming the file and the line, and leaves it alone', async () => {
    const h = home();
    const broken = '{\n  "mcpServers": {\n    "a": {"command": "x"}\n    "b": {}\n  }\n}\n';
    h.put(h.paths.cursor, broken);
    const run = await h.config(['https://mcp.example.com/mcp', '--app', 'cursor', '--write']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${h.paths.cursor} does not parse (line 4`);
    expect(readFileSync(h.paths.cursor, 'utf8')).toBe(broken);
    expect(existsSync(`${h.paths.cursor}.bak`)).toBe(false);
  });
});

describe('config --migrate', () => {
  it('shows each mcp-remote / supergateway entry beside its rewrite, --write applies them, and every rewrite lists tools', async () => {
    const http = await startMcpServer({ kind: 'stateful' });
    const sse = await startMcpServer({ kind: 'sse' });
    const locked = await startMcpServer({ kind: 'stateless', token: 'tok-SECRET-4' });
    const h = home();
    const cursor = `{
  // work
  "mcpServers": {
    "remote": { "command": "npx", "args": ["-y", "mcp-remote@0.1.37", "${http.url}", "--transport", "http-only"] },
    "fs": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"] },
    "gw": { "command": "npx", "args": ["-y", "supergateway", "--sse", "${sse.url}", "--oauth2Bearer", "unused-but-SECRET-5"] },
  },
}
`;
    h.put(h.paths.cursor, cursor);
    h.put(
      h.paths.claudeDesktop,
      JSON.stringify(
        { mcpServers: { locked: { command: 'cmd', args: ['/c', 'npx', 'mcp-remote', locked.url, '--header', 'Authorization: Bearer tok-SECRET-4'] } } },
        null,
        2,
      ),
    );
    h.put(
      h.paths.vscode,
      JSON.stringify(
        {
          servers: {
            ref: {
              type: 'stdio',
              command: '/usr/local/bin/mcp-remote',
              args: [locked.url, '--header', 'Authorization: Bearer ${AUTH_TOKEN}', '--debug'],
              env: { AUTH_TOKEN: 'tok-SECRET-4' },
            },
          },
        },
        null,
        2,
      ),
    );
    h.put(
      h.paths.windsurf,
      JSON.stringify({ mcpServers: { stream: { command: 'npx', args: ['supergateway', '--streamableHttp', http.url, '--logLevel', 'none'] } } }),
    );
    h.put(
      h.paths.codex,
      `model = "o3"\n\n[mcp_servers.sg]\ncommand = "npx"\nargs = ["-y", "supergateway", "--sse", "${sse.url}"]\nstartup_timeout_sec = 30\n\n[mcp_servers.local]\ncommand = "supergateway"\nargs = ["--stdio", "uvx mcp-server-git"]\n`,
    );
    h.put(
      h.paths.claudeCode,
      JSON.stringify(
        {
          numStartups: 3,
          mcpServers: {},
          projects: { '/work/app': { allowedTools: [], mcpServers: { proj: { type: 'stdio', command: 'npx', args: ['-y', 'mcp-remote', http.url] } } } },
        },
        null,
        2,
      ),
    );
    h.put(
      h.paths.vscodeSettings,
      '{\n  "editor.fontSize": 14,\n  "mcp": {\n    "servers": {\n      "old": { "command": "npx", "args": ["mcp-remote", "' +
        sse.url +
        '", "--transport", "sse-only"] }\n    }\n  }\n}\n',
    );
    const originals = Object.fromEntries(
      Object.entries(h.paths)
        .filter(([, p]) => existsSync(p))
        .map(([k, p]) => [k, readFileSync(p, 'utf8')]),
    );

    const dry = await h.config(['--migrate']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('before');
    expect(dry.stdout).toContain('│ after (mcp-auth-proxy)');
    expect(dry.stdout).toMatch(/"remote" \(mcp-remote\)/);
    expect(dry.stdout).toContain('"local" runs supergateway but is left as it is');
    expect(dry.stdout).toContain('8 entries to rewrite');
    expect(dry.stdout).toContain('"proj" (projects → /work/app → mcpServers) (mcp-remote)');
    for (const secret of ['tok-SECRET-4', 'unused-but-SECRET-5']) expect(dry.stdout + dry.stderr).not.toContain(secret);
    // Redacted values keep the columns aligned.
    for (const block of dry.stdout.split('\n\n')) {
      const columns = new Set(
        block
          .split('\n')
          .filter((l) => l.includes('│') || l.includes('┼'))
          .map((l) => Math.max(l.indexOf('│'), l.indexOf('┼'))),
      );
      expect(columns.size, block).toBeLessThanOrEqual(1);
    }
    for (const [k, text] of Object.entries(originals)) expect(readFileSync(h.paths[k as keyof typeof h.paths], 'utf8')).toBe(text);

    const applied = await h.config(['--migrate', '--write']);
    expect(applied.code, applied.stderr).toBe(0);
    for (const [k, text] of Object.entries(originals)) expect(readFileSync(`${h.paths[k as keyof typeof h.paths]}.bak`, 'utf8')).toBe(text);
    // Untouched entries and comments stay byte for byte.
    const newCursor = readFileSync(h.paths.cursor, 'utf8');
    expect(newCursor).toContain('// work\n');
    expect(newCursor).toContain('    "fs": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"] },\n');
    expect(readFileSync(h.paths.codex, 'utf8')).toContain('[mcp_servers.local]\ncommand = "supergateway"\nargs = ["--stdio", "uvx mcp-server-git"]\n');

    const rewritten: Entry[] = [
      servers(h.paths.cursor)['remote']!,
      servers(h.paths.cursor)['gw']!,
      servers(h.paths.claudeDesktop)['locked']!,
      servers(h.paths.vscode, 'servers')['ref']!,
      servers(h.paths.windsurf)['stream']!,
      readCodexServers(readFileSync(h.paths.codex, 'utf8')).find((s) => s.name === 'sg')!.entry as Entry,
      (parseJsonc(readFileSync(h.paths.claudeCode, 'utf8')).value as { projects: Record<string, { mcpServers: Record<string, Entry> }> }).projects['/work/app']!
        .mcpServers['proj']!,
      (parseJsonc(readFileSync(h.paths.vscodeSettings, 'utf8')).value as { mcp: { servers: Record<string, Entry> } }).mcp.servers['old']!,
    ];
    expect(rewritten[2]).toMatchObject({
      command: 'cmd',
      args: ['/c', 'npx', '-y', 'mcp-auth-proxy', locked.url],
      env: { MCP_AUTH_PROXY_BEARER: 'tok-SECRET-4' },
    });
    for (const entry of rewritten) expect(JSON.stringify(entry.args)).not.toMatch(/mcp-remote|supergateway|SECRET/);
    for (const entry of rewritten) expect(await toolsOf(entry), JSON.stringify(entry)).toContain('echo');

    // Nothing left to migrate.
    const again = await h.config(['--migrate']);
    expect(again.stdout).toContain('No entry runs mcp-remote or supergateway');
  });

  it('names a file that does not parse, goes on with the others, and exits 1', async () => {
    const h = home();
    h.put(h.paths.windsurf, '{ "mcpServers": { "x": ');
    h.put(h.paths.cursor, JSON.stringify({ mcpServers: { r: { command: 'npx', args: ['mcp-remote', 'https://mcp.example.com/sse'] } } }));
    const run = await h.config(['--migrate']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${h.paths.windsurf} does not parse (line 1`);
    expect(run.stdout).toContain('"r" (mcp-remote)');
  });
});

describe('every real-world peer entry, rewritten, starts and lists tools', () => {
  // The unit table's vectors (test/unit/migrate-entry.test.ts), each pointed at a local server of
  // the transport its rewrite asks for, demanding the token it carries, and run as the host would.
  it.each(PEER_ENTRIES.map(([what], i) => [what, i] as const))('%s', async (_what, i) => {
    const [, , , args, env] = PEER_ENTRIES[i]!;
    const token = env?.['MCP_AUTH_PROXY_BEARER'] ?? env?.['AUTH_TOKEN'] ?? env?.['AUTH_HEADER']?.replace(/^Bearer /, '');
    const sse = args.join(' ').includes('--transport sse');
    const server = await startMcpServer({ kind: sse ? 'sse' : token ? 'stateless' : 'stateful', token });
    const [, entry] = peerEntries(server.url)[i]!;
    const migration = migrateEntry(entry) as Migration;
    // The host's own environment, for a ${VAR} the rewrite leaves for the host to supply.
    expect(await toolsOf(migration.entry as Entry, { HOST_SECRET: 'from-the-host' })).toContain('echo');
  });
});
