// --ignore-tool: tools the host neither sees in tools/list nor can call; a call is answered by
// the proxy (-32602) and never reaches the server. Legacy and 2026-07-28 servers alike.
import { describe, expect, it, vi } from 'vitest';
import { connectClient, errorOf, resultOf, runCli, spawnProxy, toolText } from '../fixtures/cli.js';
import { startMcpServer } from '../fixtures/mcp-server.js';
import { startModernMcpServer } from '../fixtures/modern-mcp-server.js';

vi.setConfig({ testTimeout: 20_000 });

const namesOf = (result: { tools: Array<{ name: string }> }) => result.tools.map((t) => t.name).sort();

describe('--ignore-tool', () => {
  it('matching tools are missing from tools/list; the others are all there', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const all = namesOf(await (await connectClient(server.url)).client.listTools());
    expect(all).toEqual(['big', 'echo', 'elicit', 'notify', 'sample', 'slow']);
    const { client } = await connectClient(server.url, ['--ignore-tool', 's*', '--ignore-tool', 'ech?']);
    expect(namesOf(await client.listTools())).toEqual(['big', 'elicit', 'notify']);
  });

  it('a call to an ignored tool is answered by the proxy with -32602 and never reaches the server', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url, '--ignore-tool', 'echo']);
    resultOf(await proxy.initialize());
    const error = errorOf(await proxy.callTool('echo', { text: 'no' }, 'ignored-1'));
    expect(error.code).toBe(-32602);
    expect(error.message).toContain('the tool "echo" is ignored by mcp-auth-proxy configuration (--ignore-tool "echo")');
    expect(error.data).toMatchObject({ code: 'TOOL_IGNORED', tool: 'echo' });
    // The next call goes through; the ignored one never did.
    expect(toolText(await proxy.callTool('big', { bytes: 3 }))).toHaveLength(3);
    expect(server.log.rpc('tools/call').map((e) => (e.body as { params: { name: string } }).params.name)).toEqual(['big']);
  });

  it('wildcards match whole names only, case-sensitively', async () => {
    const server = await startMcpServer({ kind: 'stateless' });
    const { client } = await connectClient(server.url, ['--ignore-tool', 'ig', '--ignore-tool', 'ECHO', '--ignore-tool', '?ig*', '--ignore-tool', 'sl.w']);
    expect(namesOf(await client.listTools())).toEqual(['echo', 'elicit', 'notify', 'sample', 'slow']);
  });

  it('a 2026-07-28 server bridged for a legacy host: hidden from the list, refused locally', async () => {
    const server = await startModernMcpServer();
    const proxy = spawnProxy([server.url, '--ignore-tool', 'a*']);
    resultOf(await proxy.initialize());
    const names = (resultOf(await proxy.request('tools/list', {})) as { tools: Array<{ name: string }> }).tools.map((t) => t.name);
    expect(names).toContain('echo');
    expect(names.filter((n) => n.startsWith('a'))).toEqual([]);
    const error = errorOf(await proxy.callTool('add', { a: 1, b: 2 }));
    expect(error.code).toBe(-32602);
    expect(server.log.rpc('tools/call')).toEqual([]);
  });

  it('an empty pattern is a usage error naming the flag (exit 2)', async () => {
    const r = await runCli(['http://127.0.0.1:9/mcp', '--ignore-tool', ' ']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--ignore-tool needs a tool name or a glob');
  });
});
