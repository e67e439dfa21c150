// Issue 11 §2: the options real providers need, against a real oidc-provider authorization server
// and real MCP servers: extra authorization parameters, the redirect URI's host and path, the
// page after sign-in, registration metadata, the ID token as bearer, cookies, undici timeouts.
import { createServer, type IncomingMessage } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { connectClient, errorOf, resultOf, runCli, spawnProxy } from '../fixtures/cli.js';
import { oauthHarness, readStore } from '../fixtures/oauth-cli.js';
import { startOidcServer } from '../fixtures/oidc-server.js';
import { startProtectedMcpServer } from '../fixtures/protected-mcp-server.js';
import { deadPort, listen, readBody } from '../fixtures/raw-server.js';
import { tempDir, whenTestEnds } from '../fixtures/teardown.js';

vi.setConfig({ testTimeout: 30_000 });

async function servers(options: Parameters<typeof startOidcServer>[0] = {}) {
  const oidc = await startOidcServer(options);
  const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
  return { oidc, mcp };
}

async function echo(client: Awaited<ReturnType<typeof connectClient>>['client'], text: string): Promise<string> {
  const r = (await client.callTool({ name: 'echo', arguments: { text } })) as { content: Array<{ text: string }> };
  return r.content[0]!.text;
}

describe('--authorize-param', () => {
  it("reaches the authorization request, refuses the flow-owned, and is part of the tokens' key", async () => {
    const { mcp } = await servers();
    const h = oauthHarness();
    const first = await connectClient(
      mcp.url,
      h.args(['--authorize-param', 'access_type=offline', '--authorize-param', 'prompt=consent', '--authorize-param', 'login_hint=me@example.com']),
      { env: h.env() },
    );
    expect(await echo(first.client, 'one')).toBe('one');
    const [request] = h.authorizationRequests();
    expect(request!.searchParams.get('access_type')).toBe('offline');
    expect(request!.searchParams.get('prompt')).toBe('consent');
    expect(request!.searchParams.get('login_hint')).toBe('me@example.com');
    expect(request!.searchParams.get('response_type')).toBe('code');
    await first.client.close();

    // The same parameters: the stored tokens are used, no browser.
    const same = await connectClient(
      mcp.url,
      h.args(['--authorize-param', 'prompt=consent', '--authorize-param', 'login_hint=me@example.com', '--authorize-param', 'access_type=offline']),
      { env: h.env() },
    );
    expect(await echo(same.client, 'two')).toBe('two');
    expect(h.authorizationRequests()).toHaveLength(1);
    await same.client.close();

    // Another login_hint (another account): those tokens are not reused.
    const other = await connectClient(mcp.url, h.args(['--authorize-param', 'login_hint=other@example.com']), { env: h.env() });
    expect(await echo(other.client, 'three')).toBe('three');
    expect(h.authorizationRequests()).toHaveLength(2);
    expect(h.authorizationRequests()[1]!.searchParams.get('login_hint')).toBe('other@example.com');
    await other.client.close();

    // Both sets are kept side by side: back to the first, no browser.
    const back = await connectClient(
      mcp.url,
      h.args(['--authorize-param', 'access_type=offline', '--authorize-param', 'prompt=consent', '--authorize-param', 'login_hint=me@example.com']),
      { env: h.env() },
    );
    expect(await echo(back.client, 'four')).toBe('four');
    expect(h.authorizationRequests()).toHaveLength(2);
  });

  it('a flow-owned parameter is a usage error', async () => {
    const proxy = spawnProxy(['https://example.com/mcp', '--authorize-param', 'redirect_uri=https://evil.example/']);
    expect((await proxy.waitExit()).code).toBe(2);
    expect(proxy.stderr).toContain('--authorize-param cannot set "redirect_uri"');
  });
});

describe('the callback and the page after it', () => {
  it('--callback-host localhost and --callback-path make the redirect URI of a pre-registered client; the listener is loopback', async () => {
    const port = await deadPort();
    const redirectUri = `http://localhost:${port}/oauth/callback`;
    const { mcp } = await servers({
      clients: [
        {
          client_id: 'pre-reg',
          token_endpoint_auth_method: 'none',
          application_type: 'native',
          redirect_uris: [redirectUri],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
        },
      ],
    });
    const h = oauthHarness();
    const { client } = await connectClient(
      mcp.url,
      h.args(['--client-id', 'pre-reg', '--callback-host', 'localhost', '--callback-port', String(port), '--callback-path', '/oauth/callback']),
      { env: h.env() },
    );
    expect(await echo(client, 'pinned')).toBe('pinned');
    expect(h.authorizationRequests()[0]!.searchParams.get('redirect_uri')).toBe(redirectUri);
  });

  it("mcp-remote's spelling (--host, the positional port) does the same", async () => {
    const port = await deadPort();
    const redirectUri = `http://localhost:${port}/callback`;
    const { mcp } = await servers({
      clients: [
        {
          client_id: 'pre-reg-2',
          token_endpoint_auth_method: 'none',
          application_type: 'native',
          redirect_uris: [redirectUri],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
    });
    const h = oauthHarness();
    const { client } = await connectClient(mcp.url, [String(port), ...h.args(['--client-id', 'pre-reg-2', '--host', 'localhost'])], { env: h.env() });
    expect(await echo(client, 'mcp-remote')).toBe('mcp-remote');
    expect(h.authorizationRequests()[0]!.searchParams.get('redirect_uri')).toBe(redirectUri);
  });

  it('--auth-success-url: after the exchange the browser is sent there', async () => {
    const { mcp } = await servers();
    const h = oauthHarness();
    const { client } = await connectClient(mcp.url, h.args(['--auth-success-url', 'https://app.example.com/cli-connected']), { env: h.env() });
    expect(await echo(client, 'done')).toBe('done');
    await vi.waitFor(() => expect(h.pages()).toHaveLength(1));
    expect(h.pages()[0]!.status).toBe(303);
  });
});

describe('what registration sends', () => {
  it('--client-name and --static-oauth-client-metadata are merged over ours; other metadata registers anew', async () => {
    const { oidc, mcp } = await servers();
    const h = oauthHarness();
    const registrations = () => oidc.log.entries.filter((e) => e.method === 'POST' && e.path.startsWith('/reg')).map((e) => e.body as Record<string, unknown>);
    const first = await connectClient(
      mcp.url,
      h.args(['--static-oauth-client-metadata', '{"logo_uri":"https://example.com/logo.png","client_name":"from json"}', '--client-name', 'My Team Proxy']),
      { env: h.env() },
    );
    expect(await echo(first.client, 'a')).toBe('a');
    expect(registrations()).toHaveLength(1);
    expect(registrations()[0]).toMatchObject({
      client_name: 'My Team Proxy',
      logo_uri: 'https://example.com/logo.png',
      application_type: 'native',
      grant_types: expect.arrayContaining(['authorization_code']),
    });
    await first.client.close();
    // Signed out (the registration is kept): the next sign-in sees other metadata and registers anew.
    expect((await runCli(['logout', mcp.url, '--auth-dir', h.authDir])).code).toBe(0);
    const second = await connectClient(mcp.url, h.args(['--client-name', 'Another name']), { env: h.env() });
    expect(await echo(second.client, 'b')).toBe('b');
    expect(registrations()).toHaveLength(2);
    expect(registrations()[1]).toMatchObject({ client_name: 'Another name' });
  });
});

describe('--use-id-token', () => {
  it('sends the OIDC ID token as the bearer (a gateway that takes ID tokens, aud = the client)', async () => {
    const port = await deadPort();
    const oidc = await startOidcServer({
      clients: [
        {
          client_id: 'gateway-app',
          token_endpoint_auth_method: 'none',
          application_type: 'native',
          redirect_uris: [`http://127.0.0.1:${port}/callback`],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
        },
      ],
    });
    const mcp = await startProtectedMcpServer({ authServer: oidc, audience: 'gateway-app', typ: null });
    const h = oauthHarness();
    const { client } = await connectClient(mcp.url, h.args(['--use-id-token', '--client-id', 'gateway-app', '--callback-port', String(port)]), {
      env: h.env(),
    });
    expect(await echo(client, 'id token')).toBe('id token');
    expect(h.authorizationRequests()[0]!.searchParams.get('scope')?.split(' ')).toContain('openid');
    const token = mcp.acceptedTokens.at(-1)!;
    expect(token.aud).toBe('gateway-app');
    expect(token.iss).toBe(oidc.issuer);
    expect(token['scope']).toBeUndefined(); // an ID token, not an access token
    expect(JSON.stringify(readStore(h.authDir).servers[0])).toContain('idToken');
  });
});

/** A minimal stateless Streamable HTTP server (JSON answers) that pins the client with a cookie, as a load balancer does. */
async function cookieServer(): Promise<{ url: string; cookies: Array<string | undefined> }> {
  const cookies: Array<string | undefined> = [];
  const server = createServer((req: IncomingMessage, res) => {
    void (async () => {
      if (req.method !== 'POST') return res.writeHead(405).end();
      cookies.push(req.headers.cookie);
      const msg = JSON.parse(await readBody(req)) as { id?: number; method: string; params?: { protocolVersion?: string } };
      if (msg.id === undefined) return res.writeHead(202).end();
      const result =
        msg.method === 'initialize'
          ? { protocolVersion: msg.params?.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'pinned', version: '1' } }
          : msg.method === 'tools/list'
            ? { tools: [{ name: 'echo', inputSchema: { type: 'object' } }] }
            : {};
      const pin = msg.method === 'initialize' ? { 'set-cookie': ['AWSALB=pin-secret-1; Path=/', 'other=x; Path=/elsewhere'] } : {};
      res.writeHead(200, { 'content-type': 'application/json', ...pin }).end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }));
    })();
  });
  const { port } = await listen(server);
  return { url: `http://127.0.0.1:${port}/mcp`, cookies };
}

describe('cookies', () => {
  it("keeps the server's cookies in memory and sends them back to it (never into the logs)", async () => {
    const s = await cookieServer();
    const proxy = spawnProxy([s.url, '--protocol', 'legacy', '--log-level', 'debug']);
    resultOf(await proxy.initialize());
    resultOf(await proxy.request('tools/list', {}));
    expect(s.cookies[0]).toBeUndefined();
    expect(s.cookies.slice(1)).toEqual(s.cookies.slice(1).map(() => 'AWSALB=pin-secret-1'));
    expect(s.cookies.length).toBeGreaterThanOrEqual(3);
    expect(proxy.stderr).not.toContain('pin-secret-1');
  });

  it('--no-cookies (mcp-remote: --disable-cookies) sends none', async () => {
    const s = await cookieServer();
    const proxy = spawnProxy([s.url, '--protocol', 'legacy', '--disable-cookies']);
    resultOf(await proxy.initialize());
    resultOf(await proxy.request('tools/list', {}));
    expect(s.cookies.every((c) => c === undefined)).toBe(true);
  });
});

describe('--headers-timeout', () => {
  it('a server that never sends response headers is given up on, naming the flag', async () => {
    const server = createServer(() => undefined); // accepts, never answers
    const { port } = await listen(server);
    whenTestEnds(() => server.closeAllConnections());
    const proxy = spawnProxy([
      `http://127.0.0.1:${port}/mcp`,
      '--protocol',
      'legacy',
      '--transport',
      'streamable-http',
      '--headers-timeout',
      '1',
      '--timeout',
      '600',
    ]);
    const error = errorOf(await proxy.initialize());
    expect(error.data?.code).toBe('REMOTE_UNREACHABLE');
    expect(error.message).toContain('--headers-timeout');
  });
});

describe('--token-endpoint (mcp-remote, with client credentials)', () => {
  it('uses that endpoint without any discovery', async () => {
    const oidc = await startOidcServer({
      clients: [{ client_id: 'bot', client_secret: 'bot-secret-0123456789abcdef', grant_types: ['client_credentials'], response_types: [], redirect_uris: [] }],
    });
    const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
    const tokenEndpoint = `${oidc.issuer.replace(/\/$/, '')}/token`;
    const { client } = await connectClient(
      mcp.url,
      [
        '--client-credentials',
        '--static-oauth-client-info',
        '{"client_id":"bot","client_secret":"${BOT_SECRET}"}',
        '--token-endpoint',
        tokenEndpoint,
        '--resource',
        mcp.url,
        '--auth-dir',
        tempDir(),
      ],
      {
        env: { BOT_SECRET: 'bot-secret-0123456789abcdef' },
      },
    );
    expect(await echo(client, 'm2m')).toBe('m2m');
    expect(oidc.log.entries.filter((e) => e.path.includes('.well-known'))).toEqual([]);
    expect(oidc.counters.tokenRequests).toEqual({ client_credentials: 1 });
    expect(mcp.acceptedTokens.at(-1)!['client_id']).toBe('bot');
  });

  it('without client credentials it is refused with a sentence saying why', async () => {
    const proxy = spawnProxy(['https://example.com/mcp', '--token-endpoint', 'https://auth.example.com/token']);
    expect((await proxy.waitExit()).code).toBe(2);
    expect(proxy.stderr).toContain('--token-endpoint needs --grant client_credentials');
  });
});
