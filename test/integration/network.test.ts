// Networks people actually have: a forward proxy named in HTTPS_PROXY / HTTP_PROXY, and NO_PROXY;
// TLS inspection with a CA of its own (--ca-file, NODE_EXTRA_CA_CERTS); connections that never
// complete (--connect-timeout); broken IPv6 (--ipv4); idle connections dropped (--keepalive).
import { writeFileSync } from 'node:fs';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connectClient, errorOf, resultOf, spawnProxy, toolText, type ProxyProcess } from '../fixtures/cli.js';
import { startConnectProxy } from '../fixtures/connect-proxy.js';
import { startHttpsAuthServer, startHttpsMcpServer } from '../fixtures/https-servers.js';
import { startMcpServer } from '../fixtures/mcp-server.js';
import { startModernMcpServer } from '../fixtures/modern-mcp-server.js';
import { browserCommand, echo, oauthHarness, tempDir } from '../fixtures/oauth-cli.js';
import { rpcMethod } from '../fixtures/raw-server.js';
import { whenTestEnds } from '../fixtures/teardown.js';
import { makeTestPki, type TestPki } from '../fixtures/tls-certs.js';

/** Writes the CA certificate to a file of its own, as --ca-file and NODE_EXTRA_CA_CERTS take it. */
function caFile(pki: TestPki): string {
  const path = join(tempDir('mcp-auth-proxy-ca-'), 'ca.pem');
  writeFileSync(path, pki.caPem);
  return path;
}

/** Resolves once the proxy's stderr matches (event-driven: no polling, no sleeping). */
function stderrMatching(proxy: ProxyProcess, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const match = pattern.exec(proxy.stderr);
      if (!match) return false;
      clearTimeout(timer);
      proxy.child.stderr.off('data', onData);
      resolve(match[0]);
      return true;
    };
    // After the fixture's own listener has appended the chunk.
    const onData = (): void => void setImmediate(check);
    const timer = setTimeout(() => {
      proxy.child.stderr.off('data', onData);
      reject(new Error(`stderr never matched ${pattern}\n${proxy.describe()}`));
    }, timeoutMs);
    proxy.child.stderr.on('data', onData);
    check();
  });
}

describe('forward proxy from the environment', () => {
  it('HTTP_PROXY carries every request to the server through the proxy', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = await startConnectProxy();
    const { client } = await connectClient(server.url, [], { env: { HTTP_PROXY: proxy.url } });
    await client.listTools();
    const target = new URL(server.url).host;
    expect(proxy.tunnels.length).toBeGreaterThan(0);
    expect(new Set(proxy.tunnels)).toEqual(new Set([target]));
  });

  it('NO_PROXY names hosts that are reached directly', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = await startConnectProxy();
    const { client } = await connectClient(server.url, [], { env: { http_proxy: proxy.url, NO_PROXY: '127.0.0.1' } });
    await client.listTools();
    expect(proxy.tunnels).toEqual([]);
  });
});

describe('TLS inspection: --ca-file', () => {
  it('a certificate from a CA nobody trusts: REMOTE_TLS naming the problem and both remedies; no request got through', async () => {
    const server = await startHttpsMcpServer(makeTestPki());
    const proxy = spawnProxy([server.url]);
    const error = errorOf(await proxy.initialize());
    expect(error.data?.code).toBe('REMOTE_TLS');
    expect(error.message).toContain('(UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
    expect(error.message).toContain('its certificate is not issued by a CA this computer trusts');
    expect(error.message).toContain('--ca-file <ca.pem>');
    expect(error.message).toContain('NODE_EXTRA_CA_CERTS=<ca.pem>');
    expect(server.log.entries).toEqual([]);
    expect(proxy.running).toBe(true);
  });

  it('with --ca-file naming that CA, the host lists and calls tools', async () => {
    const pki = makeTestPki();
    const server = await startHttpsMcpServer(pki);
    const { client } = await connectClient(server.url, ['--ca-file', caFile(pki)]);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
    expect(await echo(client, 'over TLS')).toBe('over TLS');
  });

  it('--ca-file adds to the trusted CAs, it does not replace them: NODE_EXTRA_CA_CERTS keeps working', async () => {
    const inspected = makeTestPki({ caName: 'CA in NODE_EXTRA_CA_CERTS' });
    const server = await startHttpsMcpServer(inspected);
    const unrelated = caFile(makeTestPki({ caName: 'CA in --ca-file' }));
    const { client } = await connectClient(server.url, ['--ca-file', unrelated], { env: { NODE_EXTRA_CA_CERTS: caFile(inspected) } });
    expect(await echo(client, 'both')).toBe('both');
  });

  it('--ca-file holding another CA: the message says that file does not hold the issuer', async () => {
    const server = await startHttpsMcpServer(makeTestPki());
    const wrong = caFile(makeTestPki());
    const proxy = spawnProxy([server.url, '--ca-file', wrong]);
    const error = errorOf(await proxy.initialize());
    expect(error.data?.code).toBe('REMOTE_TLS');
    expect(error.message).toContain(`It is not among the CAs of --ca-file ${wrong}`);
    expect(error.message).toContain('NODE_EXTRA_CA_CERTS');
  });

  it('discovery, registration and the token request use it too (an authorization server on another https origin)', async () => {
    const pki = makeTestPki();
    const ca = caFile(pki);
    const authServer = await startHttpsAuthServer(pki);
    const server = await startHttpsMcpServer(pki, { authorizationServer: authServer });
    const h = oauthHarness();
    // The stand-in browser is a Node process of its own: it trusts the CA through its own
    // NODE_EXTRA_CA_CERTS; the proxy only through --ca-file.
    const browser = `env NODE_EXTRA_CA_CERTS=${ca} ${browserCommand()}`;
    const { client } = await connectClient(server.url, h.args(['--ca-file', ca, '--browser', browser]), { env: h.env() });
    expect(await echo(client, 'signed in over TLS')).toBe('signed in over TLS');
    const requests = authServer.log.entries.map((e) => `${e.method} ${new URL(e.path, 'https://x').pathname}`);
    expect(requests).toEqual(expect.arrayContaining(['GET /.well-known/oauth-authorization-server', 'POST /register', 'POST /token']));
    expect(authServer.accessTokens.size).toBe(1);
    expect(server.log.entries.some((e) => e.path === '/.well-known/oauth-protected-resource/mcp')).toBe(true);
  });
});

describe('--connect-timeout', () => {
  it('a server that takes the connection but never answers the TLS handshake: REMOTE_UNREACHABLE after that long, naming the flag', async () => {
    const sockets = new Set<Socket>();
    const silent = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    whenTestEnds(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          silent.close(() => resolve());
        }),
    );
    const port = (silent.address() as { port: number }).port;
    const proxy = spawnProxy([`https://127.0.0.1:${port}/mcp`, '--connect-timeout', '0.5']);
    const started = Date.now();
    const error = errorOf(await proxy.initialize());
    expect(error.data?.code).toBe('REMOTE_UNREACHABLE');
    expect(error.message).toContain('(ETIMEDOUT)');
    expect(error.message).toContain('at most 0.5 s, see --connect-timeout');
    // Well before the 30 s default (and the 300 s request timeout).
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(sockets.size).toBeGreaterThan(0);
  });
});

describe('--ipv4', () => {
  // In the proxy's process, `localhost` resolves to ::1 only unless a lookup asks for IPv4.
  const preload = fileURLToPath(new URL('../fixtures/ipv6-first-localhost.cjs', import.meta.url));
  const env = { NODE_OPTIONS: `--require ${preload}` };

  it('where a name resolves to a dead IPv6 address, --ipv4 reaches the server over IPv4', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const url = server.url.replace('127.0.0.1', 'localhost');
    const without = spawnProxy([url], { env });
    const error = errorOf(await without.initialize());
    expect(error.data?.code).toBe('REMOTE_UNREACHABLE');
    expect(error.message).toContain('ECONNREFUSED');
    const { client } = await connectClient(url, ['--ipv4'], { env });
    expect(await echo(client, 'over IPv4')).toBe('over IPv4');
  });
});

describe('--keepalive', () => {
  const ours = (id: unknown) => typeof id === 'string' && id.startsWith('mcp-auth-proxy:');

  it('pings the server in the host session while the host is connected; the host sees neither pings nor answers', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url, '--keepalive', '0.1']);
    resultOf(await proxy.initialize());
    await server.log.waitFor(() => server.log.rpc('ping').filter((e) => e.status === 200).length >= 3);
    const pings = server.log.rpc('ping');
    const initialize = server.log.entries.findIndex((e) => rpcMethod(e) === 'initialize');
    expect(server.log.entries.indexOf(pings[0]!)).toBeGreaterThan(initialize);
    for (const ping of pings) {
      expect(ping.headers['mcp-session-id']).toBe(server.sessionIds[0]);
      expect(String((ping.body as { id: unknown }).id)).toMatch(/^mcp-auth-proxy:keepalive:\d+$/);
    }
    // A round trip after the pings were answered: none of their answers reached the host before it.
    expect(toolText(await proxy.callTool('echo', { text: 'still here' }))).toBe('still here');
    expect(proxy.messages.filter((m) => ours(m.id))).toEqual([]);
  });

  it('a failed ping is logged, not fatal: the proxy keeps pinging and serving once the server is back', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url, '--keepalive', '0.1']);
    resultOf(await proxy.initialize());
    await server.log.waitFor((e) => rpcMethod(e) === 'ping');
    await server.down();
    await stderrMatching(proxy, /keepalive ping failed \(not fatal, the proxy keeps running\): could not connect to [^\n]*ECONNREFUSED/);
    const before = server.log.rpc('ping').length;
    await server.up();
    await server.log.waitFor(() => server.log.rpc('ping').length > before);
    expect(proxy.running).toBe(true);
    expect(toolText(await proxy.callTool('echo', { text: 'back' }))).toBe('back');
    expect(proxy.messages.filter((m) => m.error || ours(m.id))).toEqual([]);
  });

  it('a 2026-07-28 server, which has no ping, gets none: the proxy answers its own', async () => {
    const server = await startModernMcpServer();
    const proxy = spawnProxy([server.url, '--keepalive', '0.1', '--log-level', 'debug']);
    resultOf(await proxy.initialize());
    await stderrMatching(proxy, /(keepalive: ping answered[\s\S]*){3}/);
    expect(toolText(await proxy.callTool('echo', { text: 'modern' }))).toBe('modern');
    expect(server.log.rpc('ping')).toEqual([]);
    expect(proxy.messages.filter((m) => ours(m.id))).toEqual([]);
  });
});
