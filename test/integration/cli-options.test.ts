// Command-line contract: token and headers, ${VAR} expansion, URL policy, usage errors, secrets in logs.
import { describe, expect, it, vi } from 'vitest';
import { errorOf, resultOf, runCli, spawnProxy, toolText } from '../fixtures/cli.js';
import { startMcpServer, type ServerKind } from '../fixtures/mcp-server.js';
import { deadPort, faults, redirectTo, sseEndpoint, startRawServer } from '../fixtures/raw-server.js';

// Every test spawns the CLI; give slow CI machines room (the tests' own waits are tighter).
vi.setConfig({ testTimeout: 20_000 });

describe.each<ServerKind>(['stateful', 'stateless', 'sse'])('token and custom headers reach a %s server', (kind) => {
  it('--oauth2Bearer and -H headers are on every request', async () => {
    const server = await startMcpServer({ kind, token: 'tok-123' });
    const proxy = spawnProxy([server.url, '--oauth2Bearer', 'tok-123', '-H', 'X-Api-Key: key-1', '--header', 'X-Tenant: acme corp']);
    resultOf(await proxy.initialize());
    expect(toolText(await proxy.callTool('echo', { text: 'authorized' }))).toBe('authorized');
    expect(server.log.entries.length).toBeGreaterThanOrEqual(3);
    for (const e of server.log.entries) {
      expect(e.headers.authorization, `${e.method} ${e.path}`).toBe('Bearer tok-123');
      expect(e.headers['x-api-key'], `${e.method} ${e.path}`).toBe('key-1');
      expect(e.headers['x-tenant'], `${e.method} ${e.path}`).toBe('acme corp');
    }
  });
});

describe('token and headers', () => {
  it('MCP_AUTH_PROXY_BEARER works like --oauth2Bearer', async () => {
    const server = await startMcpServer({ kind: 'stateful', token: 'env-tok' });
    const proxy = spawnProxy([server.url], { env: { MCP_AUTH_PROXY_BEARER: 'env-tok' } });
    resultOf(await proxy.initialize());
    expect(server.log.entries.every((e) => e.headers.authorization === 'Bearer env-tok')).toBe(true);
  });

  it('${VAR} in a header value is expanded from the environment', async () => {
    const server = await startMcpServer({ kind: 'stateful', token: 'from-env' });
    const proxy = spawnProxy([server.url, '-H', 'Authorization: Bearer ${MY_TOKEN}', '-H', 'X-Pair: ${A_PART}-${B_PART}'], {
      env: { MY_TOKEN: 'from-env', A_PART: 'left', B_PART: 'right' },
    });
    resultOf(await proxy.initialize());
    const first = server.log.entries[0]!;
    expect(first.headers.authorization).toBe('Bearer from-env');
    expect(first.headers['x-pair']).toBe('left-right');
  });

  it('${VAR} naming a variable that is not set is a usage error naming it (exit 2)', async () => {
    const r = await runCli(['http://127.0.0.1:9/mcp', '-H', 'X-Api-Key: ${SURELY_NOT_SET_VAR_1234}'], { env: { SURELY_NOT_SET_VAR_1234: undefined } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SURELY_NOT_SET_VAR_1234');
    expect(r.stdout).toBe('');
  });

  it('malformed --header without a colon: usage error (exit 2) must not echo the value, which may be a secret', async () => {
    const r = await runCli(['http://127.0.0.1:9/mcp', '-H', 'X-Api-Key=sk-SECRET-nocolon-123']);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('SECRET-nocolon-123');
  });

  it('a header value with a line break (here from ${VAR}) is a usage error (exit 2), value not echoed', async () => {
    const r = await runCli(['http://127.0.0.1:9/mcp', '-H', 'X-Api-Key: ${MULTI_LINE}'], { env: { MULTI_LINE: 'sk-SECRET-line\r\nX-Injected: yes' } });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('sk-SECRET-line');
  });

  it('split header form --header "Authorization:" "Bearer x" is joined', async () => {
    const server = await startMcpServer({ kind: 'stateful', token: 'split-tok' });
    const proxy = spawnProxy([server.url, '--header', 'Authorization:', 'Bearer split-tok']);
    resultOf(await proxy.initialize());
    expect(server.log.entries[0]!.headers.authorization).toBe('Bearer split-tok');
  });

  it('split header form given before the server URL (host config style) works', async () => {
    const server = await startMcpServer({ kind: 'stateful', token: 'split-tok' });
    const proxy = spawnProxy(['--header', 'Authorization:', 'Bearer split-tok', server.url]);
    resultOf(await proxy.initialize());
    expect(server.log.entries[0]!.headers.authorization).toBe('Bearer split-tok');
  });

  it('split header form followed by another option still works', async () => {
    const server = await startMcpServer({ kind: 'stateful', token: 'split-tok' });
    const proxy = spawnProxy([server.url, '--header', 'Authorization:', 'Bearer split-tok', '--timeout', '30']);
    resultOf(await proxy.initialize());
    expect(server.log.entries[0]!.headers.authorization).toBe('Bearer split-tok');
  });
});

describe('secrets stay on the MCP server origin', () => {
  it('legacy SSE: an endpoint event naming another origin is refused; that origin gets no request', async () => {
    const other = await startRawServer(faults.notFound);
    const sse = await startRawServer(sseEndpoint(`${other.origin}/messages?sessionId=abc`), '/sse');
    const proxy = spawnProxy([sse.url, '--transport', 'sse', '--oauth2Bearer', 'sse-secret', '-H', 'X-Api-Key: sse-key']);
    const res = await proxy.initialize();
    expect(res.error).toBeDefined();
    expect(proxy.running).toBe(true);
    expect(sse.log.entries[0]!.headers.authorization).toBe('Bearer sse-secret');
    expect(other.log.entries).toEqual([]);
  });

  it('a redirect to another origin does not carry the token or custom headers there', async () => {
    const other = await startRawServer(faults.notFound);
    const main = await startRawServer(redirectTo(`${other.origin}/mcp`));
    const proxy = spawnProxy([main.url, '--transport', 'streamable-http', '--oauth2Bearer', 'redir-secret', '-H', 'X-Api-Key: redir-key']);
    await proxy.initialize();
    for (const e of other.log.entries) {
      expect(JSON.stringify(e.headers)).not.toContain('redir-secret');
      expect(JSON.stringify(e.headers)).not.toContain('redir-key');
    }
  });
});

describe('URL policy', () => {
  it.each(['http://mcp.invalid/mcp', 'http://localhost.invalid/mcp', 'http://127.0.0.1.invalid/mcp'])(
    'plain http to non-loopback %s is refused without --allow-http (exit 2)',
    async (url) => {
      const r = await runCli([url]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--allow-http');
      expect(r.stdout).toBe('');
    },
  );

  it.each(['localhost', '127.0.0.1', '[::1]'])('plain http to loopback %s is allowed', async (host) => {
    const port = await deadPort();
    const proxy = spawnProxy([`http://${host}:${port}/mcp`]);
    const res = await proxy.initialize();
    expect(errorOf(res).code).toBe(-32000); // nothing listens: an error response, not a usage error
    expect(proxy.running).toBe(true);
  });
});

describe('usage', () => {
  it.each([
    ['--timout', '5', '--timeout'],
    // (--oauth2-bearer is supergateway's yargs kebab-case spelling: accepted, see peer-command-lines.test.ts)
    ['--oauth-bearer', 'x', '--oauth2Bearer'],
    ['--allow-htp', undefined, '--allow-http'],
  ])('unknown option %s → exit 2, names it and suggests %s', async (bad, value, suggestion) => {
    const r = await runCli(['http://127.0.0.1:9/mcp', bad, ...(value ? [value] : [])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).toContain(suggestion);
    expect(r.stdout).toBe('');
  });

  it('missing server URL → exit 2', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('invalid --transport value → exit 2', async () => {
    const r = await runCli(['http://127.0.0.1:9/mcp', '--transport', 'websocket']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('websocket');
  });

  it('--version prints the package version and exits 0', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0.1.0');
  });

  it('--help documents the options and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const opt of ['--transport', '--oauth2Bearer', '--header', '--allow-http', '--timeout', '--log-level']) expect(r.stdout).toContain(opt);
  });
});

describe('secrets never reach stderr', () => {
  it.each<ServerKind>(['stateful', 'sse'])('--log-level debug with a %s server: no token or header value in stderr', async (kind) => {
    const token = 'tok-SECRET-a1b2c3d4e5';
    const apiKey = 'key-SECRET-f6g7h8i9j0';
    const fromEnv = 'env-SECRET-k1l2m3n4o5';
    const server = await startMcpServer({ kind, token });
    const proxy = spawnProxy([server.url, '--log-level', 'debug', '--oauth2Bearer', token, '-H', `X-Api-Key: ${apiKey}`, '-H', 'X-Env: ${SECRET_FROM_ENV}'], {
      env: { SECRET_FROM_ENV: fromEnv },
    });
    resultOf(await proxy.initialize());
    expect(toolText(await proxy.callTool('echo', { text: 'x' }))).toBe('x');
    server.failNext(faults.unauthorized);
    await proxy.callTool('echo', { text: 'y' });
    server.failNext(faults.html502);
    await proxy.callTool('echo', { text: 'z' });
    proxy.closeStdin();
    await proxy.waitExit();
    expect(proxy.stderr.length).toBeGreaterThan(0); // debug logging is actually on
    for (const secret of [token, apiKey, fromEnv]) {
      expect(proxy.stderr).not.toContain(secret);
      expect(proxy.stderr).not.toContain(secret.slice(4)); // not even a partial
    }
  });

  it("a key in the server URL's query string is sent on every request but never logged", async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([`${server.url}?api_key=q-SECRET-s1t2u3`, '--log-level', 'debug']);
    resultOf(await proxy.initialize());
    expect(toolText(await proxy.callTool('echo', { text: 'q' }))).toBe('q');
    proxy.closeStdin();
    await proxy.waitExit();
    const posts = server.log.entries.filter((e) => e.method === 'POST');
    expect(posts.length).toBeGreaterThanOrEqual(3);
    for (const e of posts) expect(e.path).toBe('/mcp?api_key=q-SECRET-s1t2u3');
    expect(proxy.stderr).not.toContain('q-SECRET-s1t2u3');
  });

  it('unauthorized at startup with MCP_AUTH_PROXY_BEARER at debug level: token not in stderr', async () => {
    const server = await startMcpServer({ kind: 'stateful', token: 'the-right-one' });
    const proxy = spawnProxy([server.url, '--log-level', 'debug'], { env: { MCP_AUTH_PROXY_BEARER: 'wrong-SECRET-p6q7r8' } });
    errorOf(await proxy.initialize());
    proxy.closeStdin();
    await proxy.waitExit();
    expect(proxy.stderr).not.toContain('SECRET-p6q7r8');
  });
});
