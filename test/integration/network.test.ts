// Networks people actually have: a forward proxy named in HTTPS_PROXY / HTTP_PROXY, and NO_PROXY.
import { afterEach, describe, expect, it } from 'vitest';
import { connectClient, stopAllProxies } from '../fixtures/cli.js';
import { startConnectProxy, type ConnectProxy } from '../fixtures/connect-proxy.js';
import { startMcpServer } from '../fixtures/mcp-server.js';
import { closeAllServers } from '../fixtures/raw-server.js';

const proxies: ConnectProxy[] = [];
afterEach(async () => {
  await stopAllProxies();
  await closeAllServers();
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

describe('forward proxy from the environment', () => {
  it('HTTP_PROXY carries every request to the server through the proxy', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = await startConnectProxy();
    proxies.push(proxy);
    const { client } = await connectClient(server.url, [], { env: { HTTP_PROXY: proxy.url } });
    await client.listTools();
    const target = new URL(server.url).host;
    expect(proxy.tunnels.length).toBeGreaterThan(0);
    expect(new Set(proxy.tunnels)).toEqual(new Set([target]));
  });

  it('NO_PROXY names hosts that are reached directly', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = await startConnectProxy();
    proxies.push(proxy);
    const { client } = await connectClient(server.url, [], { env: { http_proxy: proxy.url, NO_PROXY: '127.0.0.1' } });
    await client.listTools();
    expect(proxy.tunnels).toEqual([]);
  });
});
