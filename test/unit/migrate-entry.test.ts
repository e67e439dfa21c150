import { describe, expect, it } from 'vitest';
import { migrateEntry, type Migration } from '../../src/commands/migrate-entry.js';

type Entry = Record<string, unknown>;
const U = 'https://remote.mcp.server/sse';

// Real-world entries from the peers' READMEs and common guides: [what, entry, expected command, expected args, expected env, a note that must be there].
const vectors: Array<[string, Entry, string, string[], Record<string, string> | undefined, RegExp | undefined]> = [
  ['mcp-remote README, plain', { command: 'npx', args: ['mcp-remote', U] }, 'npx', ['-y', 'mcp-auth-proxy', U], undefined, /not reused/],
  [
    'mcp-remote README, header with ${AUTH_TOKEN} in env (kept as is)',
    { command: 'npx', args: ['mcp-remote', U, '--header', 'Authorization: Bearer ${AUTH_TOKEN}'], env: { AUTH_TOKEN: '...' } },
    'npx',
    ['-y', 'mcp-auth-proxy', U, '--header', 'Authorization: Bearer ${AUTH_TOKEN}'],
    { AUTH_TOKEN: '...' },
    undefined,
  ],
  [
    'mcp-remote README, the no-space Authorization:${AUTH_HEADER} workaround',
    { command: 'npx', args: ['mcp-remote', U, '--header', 'Authorization:${AUTH_HEADER}'], env: { AUTH_HEADER: 'Bearer <auth-token>' } },
    'npx',
    ['-y', 'mcp-auth-proxy', U, '--header', 'Authorization:${AUTH_HEADER}'],
    { AUTH_HEADER: 'Bearer <auth-token>' },
    undefined,
  ],
  [
    'npx -y mcp-remote@latest with an inline bearer: the token moves to env',
    { command: 'npx', args: ['-y', 'mcp-remote@latest', 'https://mcp.linear.app/sse', '--header', 'Authorization: Bearer lin_api_123456789'] },
    'npx',
    ['-y', 'mcp-auth-proxy', 'https://mcp.linear.app/sse'],
    { MCP_AUTH_PROXY_BEARER: 'lin_api_123456789' },
    /secrets moved.*MCP_AUTH_PROXY_BEARER/,
  ],
  [
    'pinned version, positional callback port, --transport http-only',
    { command: 'npx', args: ['-y', 'mcp-remote@0.1.37', 'https://mcp.atlassian.com/v1/sse', '3334', '--transport', 'http-only'] },
    'npx',
    ['-y', 'mcp-auth-proxy', 'https://mcp.atlassian.com/v1/sse', '--callback-port', '3334', '--transport', 'streamable-http'],
    undefined,
    undefined,
  ],
  [
    'Windows: cmd /c npx mcp-remote, --transport sse-only',
    { command: 'cmd', args: ['/c', 'npx', '-y', 'mcp-remote', U, '--transport', 'sse-only'] },
    'cmd',
    ['/c', 'npx', '-y', 'mcp-auth-proxy', U, '--transport', 'sse'],
    undefined,
    undefined,
  ],
  [
    'an absolute path to a global mcp-remote, --allow-http and --debug',
    { command: '/usr/local/bin/mcp-remote', args: ['http://10.0.0.5:8080/mcp', '--allow-http', '--debug'] },
    'npx',
    ['-y', 'mcp-auth-proxy', 'http://10.0.0.5:8080/mcp', '--allow-http', '--log-level', 'debug'],
    undefined,
    undefined,
  ],
  [
    'node …/mcp-remote/dist/proxy.js (a local checkout), --silent',
    { command: 'node', args: ['C:\\tools\\mcp-remote\\dist\\proxy.js', U, '--silent'] },
    'npx',
    ['-y', 'mcp-auth-proxy', U, '--log-level', 'error'],
    undefined,
    undefined,
  ],
  [
    'multiple instances with --resource, and --resource "" for none',
    { command: 'npx', args: ['-y', 'mcp-remote', 'https://mcp.atlassian.com/v1/sse', '--resource', 'https://tenant1.atlassian.net/'] },
    'npx',
    ['-y', 'mcp-auth-proxy', 'https://mcp.atlassian.com/v1/sse', '--resource', 'https://tenant1.atlassian.net/'],
    undefined,
    undefined,
  ],
  [
    'Entra ID: --disable-resource-parameter, --static-oauth-client-info with a secret from env',
    {
      command: 'npx',
      args: ['mcp-remote', 'https://api.example.com/mcp', '--disable-resource-parameter', '--static-oauth-client-info', '{"client_id":"abc","client_secret":"${MCP_CLIENT_SECRET}"}'],
      env: { MCP_CLIENT_SECRET: 's3cr3t-value' },
    },
    'npx',
    ['-y', 'mcp-auth-proxy', 'https://api.example.com/mcp', '--no-resource', '--client-id', 'abc'],
    { MCP_CLIENT_SECRET: 's3cr3t-value', MCP_AUTH_PROXY_CLIENT_SECRET: 's3cr3t-value' },
    undefined,
  ],
  [
    'client credentials, scope from static metadata, --token-endpoint flagged',
    {
      command: 'npx',
      args: ['mcp-remote', 'https://api.example.com/mcp', '--client-credentials', '--token-endpoint', 'https://auth.example.com/oauth/token', '--static-oauth-client-info', '{"client_id":"bot","client_secret":"literal-secret"}', '--static-oauth-client-metadata', '{"scope":"mcp.read mcp.write"}'],
    },
    'npx',
    ['-y', 'mcp-auth-proxy', 'https://api.example.com/mcp', '--grant', 'client_credentials', '--client-id', 'bot', '--scope', 'mcp.read mcp.write'],
    { MCP_AUTH_PROXY_CLIENT_SECRET: 'literal-secret' },
    /--token-endpoint .* dropped/,
  ],
  [
    'keep-alive, ping interval, ignore-tool, ipv4, connect timeout, enable-proxy',
    { command: 'npx', args: ['-y', 'mcp-remote', U, '--keep-alive', '--ping-interval', '45', '--ignore-tool', 'delete*', '--ipv4', '--connect-timeout=10', '--enable-proxy'] },
    'npx',
    ['-y', 'mcp-auth-proxy', U, '--keepalive', '45', '--ignore-tool', 'delete*', '--ipv4', '--connect-timeout', '10'],
    undefined,
    /--enable-proxy dropped: .*always honours/,
  ],
  [
    'what has no equivalent is dropped with a note: --host, --callback-path, --authorize-param, --use-id-token',
    { command: 'npx', args: ['mcp-remote', U, '--host', 'localhost', '--callback-path', '/cb', '--authorize-param', 'prompt=consent', '--use-id-token', '--device-code'] },
    'npx',
    ['-y', 'mcp-auth-proxy', U, '--browser', 'none'],
    undefined,
    /--host "localhost" dropped/,
  ],
  [
    'supergateway README: npx -y supergateway --sse … --oauth2Bearer …',
    { command: 'npx', args: ['-y', 'supergateway', '--sse', 'https://your-function-url/sse', '--oauth2Bearer', 'your-bearer-token'] },
    'npx',
    ['-y', 'mcp-auth-proxy', 'https://your-function-url/sse', '--transport', 'sse'],
    { MCP_AUTH_PROXY_BEARER: 'your-bearer-token' },
    undefined,
  ],
  [
    'supergateway --streamableHttp with a header and --logLevel none',
    { command: 'npx', args: ['-y', 'supergateway', '--streamableHttp', 'https://mcp-server.example.com/mcp', '--header', 'X-My-Header: another-header-value', '--logLevel', 'none', '--outputTransport', 'stdio'] },
    'npx',
    ['-y', 'mcp-auth-proxy', 'https://mcp-server.example.com/mcp', '--transport', 'streamable-http', '--header', 'X-My-Header: another-header-value', '--log-level', 'error'],
    undefined,
    undefined,
  ],
  [
    'supergateway with an API key header: the key becomes ${X_API_KEY} in env',
    { command: 'npx', args: ['supergateway@3.4.0', '--sse', U, '--header', 'X-API-Key: sk-live-123', '--protocolVersion', '2024-11-05'] },
    'npx',
    ['-y', 'mcp-auth-proxy', U, '--transport', 'sse', '--header', 'X-API-Key: ${X_API_KEY}'],
    { X_API_KEY: 'sk-live-123' },
    /--protocolVersion dropped/,
  ],
  [
    'bunx mcp-remote, other keys of the entry kept (VS Code type)',
    { type: 'stdio', command: 'bunx', args: ['mcp-remote', U], disabled: false },
    'bunx',
    ['mcp-auth-proxy', U],
    undefined,
    undefined,
  ],
];

describe('migrateEntry: real-world peer entries', () => {
  it.each(vectors)('%s', (_what, entry, command, args, env, note) => {
    const m = migrateEntry(entry) as Migration;
    expect(m).toBeDefined();
    expect('skipped' in m).toBe(false);
    expect(m.entry['command']).toBe(command);
    expect(m.entry['args']).toEqual(args);
    expect(m.entry['env']).toEqual(env);
    if (note) expect(m.notes.join('\n')).toMatch(note);
    for (const [key, value] of Object.entries(entry)) if (!['command', 'args', 'env'].includes(key)) expect(m.entry[key]).toEqual(value);
    // No literal secret is left in args.
    for (const literal of Object.values(env ?? {})) if (!literal.includes('...') && !literal.startsWith('Bearer')) expect(JSON.stringify(m.entry['args'])).not.toContain(literal);
  });

  it('leaves entries that run something else alone', () => {
    expect(migrateEntry({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] })).toBeUndefined();
    expect(migrateEntry({ command: 'uvx', args: ['mcp-server-git'] })).toBeUndefined();
    expect(migrateEntry({ url: 'https://example.com/mcp' })).toBeUndefined();
    expect(migrateEntry({ command: 'npx', args: ['-y', 'mcp-auth-proxy', U] })).toBeUndefined();
  });

  it('refuses, with the reason, supergateway serving a local stdio server', () => {
    expect(migrateEntry({ command: 'npx', args: ['-y', 'supergateway', '--stdio', 'uvx mcp-server-git', '--port', '8000'] })).toMatchObject({ tool: 'supergateway', skipped: /local stdio server/ });
    expect(migrateEntry({ command: 'npx', args: ['-y', 'supergateway', '--sse', U, '--outputTransport', 'ws'] })).toMatchObject({ skipped: /serves ws/ });
  });

  it('adds -y to npx, which would otherwise ask on the host\'s stdin', () => {
    expect((migrateEntry({ command: 'npx', args: ['mcp-remote', U] }) as Migration).entry['args']).toEqual(['-y', 'mcp-auth-proxy', U]);
  });
});
