// Issue 11 §1: supergateway's and mcp-remote's own command lines, as their READMEs and common
// guides write them, work with only the package name changed. Each runs the built CLI against a
// real local MCP server (the documented URL replaced by it) and must reach tools/list.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { errorOf, resultOf, runCli, spawnProxy } from '../fixtures/cli.js';
import { startMcpServer, type ServerKind } from '../fixtures/mcp-server.js';
import { tempDir } from '../fixtures/teardown.js';

vi.setConfig({ testTimeout: 20_000 });

interface Line {
  /** Where the line comes from. */
  source: string;
  /** The arguments after the package name; {url} is the local server's URL. */
  args: string[];
  server: ServerKind;
  /** The server requires this bearer token. */
  token?: string;
  env?: Record<string, string>;
  /** Files to write first, named in args as {dir}/name. */
  files?: Record<string, string>;
}

const SG = 'supergateway README';
const MR = 'mcp-remote README';

const LINES: Line[] = [
  // supergateway (client mode: SSE → stdio, Streamable HTTP → stdio)
  {
    source: 'seed: "bearer token for Cursor" guides',
    args: ['--sse', '{url}', '--oauth2Bearer', 'your-bearer-token'],
    server: 'sse',
    token: 'your-bearer-token',
  },
  { source: `${SG}, SSE → stdio`, args: ['--sse', '{url}'], server: 'sse' },
  {
    source: `${SG}, SSE → stdio with auth`,
    args: ['--sse', '{url}', '--oauth2Bearer', 'some-access-token', '--header', 'X-My-Header: another-header-value'],
    server: 'sse',
    token: 'some-access-token',
  },
  { source: `${SG}, Streamable HTTP → stdio`, args: ['--streamableHttp', '{url}'], server: 'stateful' },
  {
    source: `${SG}, Streamable HTTP → stdio with auth`,
    args: ['--streamableHttp', '{url}', '--oauth2Bearer', 'some-access-token', '--header', 'X-My-Header: another-header-value'],
    server: 'stateless',
    token: 'some-access-token',
  },
  { source: `${SG}, --outputTransport`, args: ['--sse', '{url}', '--outputTransport', 'stdio'], server: 'sse' },
  { source: `${SG}, --logLevel none`, args: ['--sse', '{url}', '--logLevel', 'none'], server: 'sse' },
  { source: `${SG}, --logLevel debug`, args: ['--streamableHttp', '{url}', '--logLevel', 'debug'], server: 'stateful' },
  {
    source: `${SG}, --protocolVersion`,
    args: ['--streamableHttp', '{url}', '--outputTransport', 'stdio', '--protocolVersion', '2024-11-05'],
    server: 'stateful',
  },
  { source: `${SG}, header only (x-user-id)`, args: ['--sse', '{url}', '--header', 'x-user-id: 123'], server: 'sse' },
  { source: 'supergateway with yargs --flag=value', args: ['--sse={url}', '--oauth2Bearer=tok-1'], server: 'sse', token: 'tok-1' },
  {
    source: 'supergateway with yargs kebab-case',
    args: ['--streamable-http', '{url}', '--oauth2-bearer', 'tok-2', '--log-level', 'info', '--output-transport', 'stdio'],
    server: 'stateful',
    token: 'tok-2',
  },
  {
    source: 'supergateway with a yargs header array',
    args: ['--sse', '{url}', '--header', 'Authorization: Bearer tok-6', 'X-My-Header: another-header-value'],
    server: 'sse',
    token: 'tok-6',
  },
  {
    source: 'supergateway in Cursor (args split at spaces)',
    args: ['--sse', '{url}', '--header', 'Authorization:', 'Bearer', 'tok-3'],
    server: 'sse',
    token: 'tok-3',
  },
  // mcp-remote
  { source: `${MR}, basic (SSE URL)`, args: ['{url}'], server: 'sse' },
  { source: `${MR}, basic (Streamable HTTP URL)`, args: ['{url}'], server: 'stateful' },
  {
    source: `${MR}, custom headers`,
    args: ['{url}', '--header', 'Authorization: Bearer ${AUTH_TOKEN}'],
    server: 'sse',
    token: 'tok-4',
    env: { AUTH_TOKEN: 'tok-4' },
  },
  {
    source: `${MR}, header without spaces`,
    args: ['{url}', '--header', 'Authorization:${AUTH_HEADER}'],
    server: 'stateful',
    token: 'tok-5',
    env: { AUTH_HEADER: 'Bearer tok-5' },
  },
  {
    source: `${MR}, --header-file`,
    args: ['{url}', '--header-file', '{dir}/headers.txt'],
    server: 'sse',
    token: 'my-token',
    files: { 'headers.txt': '# credentials for the example server\nAuthorization: Bearer my-token\nX-Custom-Header: custom-value\n' },
  },
  { source: `${MR}, multiple instances`, args: ['{url}', '--resource', 'https://tenant1.atlassian.net/'], server: 'sse' },
  {
    source: `${MR}, extra authorization parameters`,
    args: ['{url}', '--authorize-param', 'access_type=offline', '--authorize-param', 'prompt=consent'],
    server: 'stateful',
  },
  { source: `${MR}, --disable-resource-parameter`, args: ['{url}', '--disable-resource-parameter'], server: 'stateful' },
  { source: `${MR}, empty --resource`, args: ['{url}', '--resource', ''], server: 'stateful' },
  { source: `${MR}, custom callback port`, args: ['{url}', '9696'], server: 'sse' },
  { source: `${MR}, --host`, args: ['{url}', '--host', '127.0.0.1'], server: 'sse' },
  { source: `${MR}, --callback-path`, args: ['{url}', '--callback-path', '/custom/callback'], server: 'sse' },
  { source: `${MR}, --auth-success-url`, args: ['{url}', '--auth-success-url', 'https://app.example.com/cli-connected'], server: 'sse' },
  { source: `${MR}, --allow-http`, args: ['{url}', '--allow-http'], server: 'sse' },
  { source: `${MR}, --debug`, args: ['{url}', '--debug'], server: 'stateful' },
  { source: `${MR}, --silent`, args: ['{url}', '--silent'], server: 'stateful' },
  { source: `${MR}, --enable-proxy`, args: ['{url}', '--enable-proxy'], server: 'stateful' },
  { source: `${MR}, --ignore-tool`, args: ['{url}', '--ignore-tool', 'delete*', '--ignore-tool', 'remove*'], server: 'stateful' },
  { source: `${MR}, --auth-timeout`, args: ['{url}', '--auth-timeout', '60'], server: 'sse' },
  { source: `${MR}, timeouts`, args: ['{url}', '--connect-timeout', '30', '--body-timeout', '0'], server: 'sse' },
  { source: `${MR}, --headers-timeout`, args: ['{url}', '--headers-timeout', '300'], server: 'stateful' },
  { source: `${MR}, keep-alive`, args: ['{url}', '--keep-alive', '--ping-interval', '15'], server: 'stateful' },
  { source: `${MR}, --ipv4`, args: ['{url}', '--ipv4'], server: 'stateful' },
  { source: `${MR}, --transport sse-only`, args: ['{url}', '--transport', 'sse-only'], server: 'sse' },
  { source: `${MR}, --transport http-only`, args: ['{url}', '--transport', 'http-only'], server: 'stateless' },
  { source: `${MR}, --transport http-first`, args: ['{url}', '--transport', 'http-first'], server: 'sse' },
  { source: `${MR}, --transport sse-first (an SSE server)`, args: ['{url}', '--transport', 'sse-first'], server: 'sse' },
  { source: `${MR}, --transport sse-first (a Streamable HTTP server)`, args: ['{url}', '--transport', 'sse-first'], server: 'stateful' },
  { source: `${MR}, --protocol auto`, args: ['{url}', '--protocol', 'auto'], server: 'stateful' },
  { source: `${MR}, --protocol legacy`, args: ['{url}', '--protocol', 'legacy'], server: 'stateless' },
  {
    source: `${MR}, static client metadata (scope)`,
    args: ['{url}', '--static-oauth-client-metadata', '{ "scope": "space separated scopes" }'],
    server: 'sse',
  },
  {
    source: `${MR}, static client metadata (auth method)`,
    args: ['{url}', '--static-oauth-client-metadata', '{ "token_endpoint_auth_method": "client_secret_post" }'],
    server: 'sse',
  },
  {
    source: `${MR}, static client metadata from @file`,
    args: ['{url}', '--static-oauth-client-metadata', '@{dir}/oauth_client_metadata.json'],
    server: 'sse',
    files: { 'oauth_client_metadata.json': '{"client_name":"My MCP client"}' },
  },
  {
    source: `${MR}, static client info with \${VAR}`,
    args: ['{url}', '--static-oauth-client-info', '{ "client_id": "${MCP_REMOTE_CLIENT_ID}", "client_secret": "${MCP_REMOTE_CLIENT_SECRET}" }'],
    server: 'stateful',
    env: { MCP_REMOTE_CLIENT_ID: 'my-id', MCP_REMOTE_CLIENT_SECRET: 'my-secret' },
  },
  {
    source: `${MR}, static client info from @file`,
    args: ['{url}', '--static-oauth-client-info', '@{dir}/oauth_client_info.json'],
    server: 'stateful',
    files: { 'oauth_client_info.json': '{"client_id":"file-id"}' },
  },
  { source: `${MR}, --client-metadata-url`, args: ['{url}', '--client-metadata-url', 'https://example.com/oauth/client.json'], server: 'stateful' },
  { source: `${MR}, --device-code`, args: ['{url}', '--device-code'], server: 'stateful' },
  {
    source: `${MR}, --client-credentials --token-endpoint`,
    args: [
      '{url}',
      '--static-oauth-client-info',
      '{"client_id":"bot","client_secret":"s"}',
      '--client-credentials',
      '--token-endpoint',
      'https://auth.example.com/oauth2/token',
    ],
    server: 'stateful',
  },
  { source: `${MR}, --use-id-token`, args: ['{url}', '--use-id-token'], server: 'stateful' },
  { source: `${MR}, --disable-cookies`, args: ['{url}', '--disable-cookies'], server: 'stateful' },
];

describe('their command lines, only the package name changed, reach tools/list', () => {
  it('the table holds at least 30 lines from both tools', () => {
    expect(LINES.length).toBeGreaterThanOrEqual(30);
    expect(LINES.filter((l) => l.source.includes('supergateway')).length).toBeGreaterThanOrEqual(10);
    expect(LINES.filter((l) => l.source.includes('mcp-remote')).length).toBeGreaterThanOrEqual(20);
  });

  it.each(LINES.map((line) => [`${line.source}: ${line.args.join(' ')}`, line] as const))('%s', async (_name, line) => {
    const server = await startMcpServer({ kind: line.server, ...(line.token ? { token: line.token } : {}) });
    const dir = tempDir();
    for (const [name, text] of Object.entries(line.files ?? {})) writeFileSync(join(dir, name), text);
    const args = line.args.map((a) => a.replaceAll('{url}', server.url).replaceAll('{dir}', dir));
    const proxy = spawnProxy(args, { env: line.env ?? {} });
    resultOf(await proxy.initialize());
    const tools = resultOf(await proxy.request('tools/list', {})) as { tools: Array<{ name: string }> };
    expect(tools.tools.map((t) => t.name)).toContain('echo');
    if (line.token) expect(server.log.entries.every((e) => e.headers.authorization === `Bearer ${line.token}`)).toBe(true);
  });
});

describe('what stays refused, and --help', () => {
  it.each([
    ['--stdio', ['--stdio', 'npx -y @modelcontextprotocol/server-filesystem ./', '--port', '8000']],
    ['--port', ['--port', '8000', '--sse', 'https://example.com/sse']],
    ['--outputTransport', ['--sse', 'https://example.com/sse', '--outputTransport', 'ws']],
    ['--baseUrl', ['https://example.com/mcp', '--baseUrl', 'http://localhost:8000']],
    ['--stateful', ['--streamableHttp', 'https://example.com/mcp', '--stateful', '--sessionTimeout', '60000']],
  ])("supergateway's server mode (%s) is refused with a sentence saying what the proxy does", async (_flag, args) => {
    const { code, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr).toContain('connects MCP hosts to remote servers over HTTP and does not serve a stdio server');
  });

  it('an unknown option still fails at once, with a suggestion', async () => {
    const { code, stderr } = await runCli(['https://example.com/mcp', '--callback-pth', '/x']);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown option '--callback-pth'");
    expect(stderr).toContain('--callback-path');
  });

  it('--help lists our spellings only, and says theirs are accepted', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('supergateway and mcp-remote command lines are accepted too');
    for (const theirs of ['--sse ', '--streamableHttp', '--static-oauth-client-info', '--disable-cookies', '--debug', '--silent', '--host '])
      expect(stdout).not.toContain(theirs);
  });

  it('--protocolVersion is accepted and noted at debug level only', async () => {
    const server = await startMcpServer({ kind: 'sse' });
    const proxy = spawnProxy(['--sse', server.url, '--protocolVersion', '2024-11-05', '--logLevel', 'debug']);
    resultOf(await proxy.initialize());
    expect(proxy.stderr).toContain('--protocolVersion 2024-11-05: ignored');
    const quiet = spawnProxy(['--sse', server.url, '--protocolVersion', '2024-11-05']);
    resultOf(await quiet.initialize());
    expect(quiet.stderr).not.toContain('protocolVersion');
  });

  it('a bad mcp-remote value is a usage error naming the flag', async () => {
    const { code, stderr } = await runCli(['https://example.com/mcp', '--transport', 'sse-sometimes']);
    expect(code).toBe(2);
    expect(stderr).toContain('--transport');
    void errorOf;
  });
});
