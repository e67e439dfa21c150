// HttpClient.withCookies: the MCP server's cookies go back to it only; the client the authorizer
// uses (the parent) never carries them, and neither does a request to another origin.
import { createServer } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { buildNetwork } from '../../src/config.js';
import { HttpClient } from '../../src/http/client.js';
import { listen } from '../fixtures/raw-server.js';

const http = new HttpClient(buildNetwork({}, {}));
afterAll(() => http.close());

async function server(setCookie?: string): Promise<{ url: URL; cookies: Array<string | undefined> }> {
  const cookies: Array<string | undefined> = [];
  const s = createServer((req, res) => {
    cookies.push(req.headers.cookie);
    res.writeHead(200, setCookie ? { 'set-cookie': setCookie } : {}).end('ok');
  });
  const { port } = await listen(s);
  return { url: new URL(`http://127.0.0.1:${port}/mcp`), cookies };
}

describe('HttpClient.withCookies', () => {
  it('pins to the MCP origin; the authorization server never sees the cookie', async () => {
    const mcp = await server('AWSALB=pin-1; Path=/');
    const as = await server('as=1');
    const remote = http.withCookies(mcp.url.origin);
    const get = async (client: HttpClient, url: URL) => (await client.request({ url, method: 'GET', headers: {} })).body.dump();
    await get(remote, mcp.url);
    await get(remote, mcp.url);
    await get(remote, as.url); // another origin through the same client
    await get(http, mcp.url); // the authorizer's client
    await get(http, as.url);
    expect(mcp.cookies).toEqual([undefined, 'AWSALB=pin-1', undefined]);
    expect(as.cookies).toEqual([undefined, undefined]);
  });

  it('adds to a Cookie header the user gave', async () => {
    const mcp = await server('s=2');
    const remote = http.withCookies(mcp.url.origin);
    await (await remote.request({ url: mcp.url, method: 'GET', headers: {} })).body.dump();
    await (await remote.request({ url: mcp.url, method: 'GET', headers: { cookie: 'mine=1' } })).body.dump();
    expect(mcp.cookies).toEqual([undefined, 'mine=1; s=2']);
  });
});
