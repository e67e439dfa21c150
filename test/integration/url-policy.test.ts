// Issue 10 §3: SSRF through discovery. Every URL a server names goes through one UrlPolicy (MCP
// security best practices, "Server-Side Request Forgery"; RFC 9728 §7.7): https unless loopback
// or --allow-http, link-local never, private ranges only next to a private MCP server; and the
// addresses a name resolves to are checked too.
import { lookup as dnsLookup } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { discoverAuthServer, discoverResource } from '../../src/auth/discovery.js';
import { buildNetwork } from '../../src/config.js';
import { HttpClient } from '../../src/http/client.js';
import { addressKind, UrlPolicy } from '../../src/url-policy.js';
import { startRawServer } from '../fixtures/raw-server.js';
import { whenTestEnds } from '../fixtures/teardown.js';

const PUBLIC_SERVER = new URL('https://mcp.example.com/mcp');
const policy = (servers: URL[] = [PUBLIC_SERVER], allowHttp = false) => new UrlPolicy({ allowHttp, servers });

function client(urlPolicy: UrlPolicy): HttpClient {
  const http = new HttpClient(buildNetwork({}, {}), { urlPolicy });
  whenTestEnds(() => http.close());
  return http;
}

/** A resolver mapping the names in `names` to addresses; everything else as the system resolves it. */
function resolver(names: Record<string, string>): typeof dnsLookup {
  return ((hostname: string, options: { all?: boolean }, callback: (e: Error | null, a: unknown, f?: number) => void) => {
    const address = names[hostname];
    if (address === undefined) return (dnsLookup as unknown as (...a: unknown[]) => void)(hostname, options, callback);
    const family = address.includes(':') ? 6 : 4;
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as typeof dnsLookup;
}

describe('UrlPolicy.refusal', () => {
  it.each([
    ['http://169.254.169.254/latest/meta-data/', /link-local/],
    ['https://169.254.169.254/', /link-local/],
    ['https://[fe80::1]/', /link-local/],
    ['https://[::ffff:169.254.169.254]/', /link-local/],
    ['https://0.0.0.0/', /unspecified/],
    ['https://10.1.2.3/', /private/],
    ['https://172.16.0.1/', /private/],
    ['https://192.168.1.1/', /private/],
    ['https://[fd00::1]/', /private/],
    ['http://as.example.com/', /plain http/],
    ['file:///etc/passwd', /only https/],
  ])('refuses %s next to a public MCP server', (url, reason) => {
    expect(policy([PUBLIC_SERVER], url.startsWith('http://169')).refusal(new URL(url))).toMatch(reason);
  });

  it.each(['https://as.example.com/token', 'http://127.0.0.1:8080/', 'http://localhost/x', 'http://[::1]/', 'https://8.8.8.8/'])('allows %s', (url) => {
    expect(policy().refusal(new URL(url))).toBeUndefined();
  });

  it('allows private ranges when the MCP server is on a private (or loopback) address, never link-local', () => {
    for (const server of ['https://10.0.0.5/mcp', 'http://127.0.0.1:3000/mcp', 'https://[fd12::5]/mcp']) {
      const p = policy([new URL(server)]);
      expect(p.refusal(new URL('https://192.168.7.7/token'))).toBeUndefined();
      expect(p.refusal(new URL('https://169.254.169.254/'))).toMatch(/link-local/);
    }
  });

  it('a host the user named (--idp) may be private next to a public MCP server', () => {
    const p = new UrlPolicy({ allowHttp: false, servers: [PUBLIC_SERVER], userUrls: [new URL('https://10.9.9.9/realms/corp')] });
    expect(p.refusal(new URL('https://10.9.9.9/token'))).toBeUndefined();
    expect(p.refusal(new URL('https://10.9.9.8/token'))).toMatch(/private/);
  });

  it('--allow-http lets plain http through, not link-local', () => {
    const p = policy([PUBLIC_SERVER], true);
    expect(p.refusal(new URL('http://as.example.com/'))).toBeUndefined();
    expect(p.refusal(new URL('http://169.254.169.254/'))).toMatch(/link-local/);
  });

  it('classifies addresses', () => {
    expect(addressKind('127.0.0.2')).toBe('loopback');
    expect(addressKind('example.com')).toBeUndefined();
    expect(addressKind('100.64.0.1')).toBe('public');
  });
});

describe('HttpClient with a UrlPolicy', () => {
  it('refuses a server-named link-local URL before connecting', async () => {
    const http = client(policy());
    const error = await http
      .request({ url: new URL('http://169.254.169.254/latest/meta-data/'), method: 'GET', headers: {}, namedByServer: true })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'URL_REFUSED' });
    expect((error as Error).message).toMatch(/link-local/);
  });

  it('checks after DNS: a public-looking name resolving to a link-local or private address is refused, loopback allowed', async () => {
    const server = await startRawServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    const p = new UrlPolicy({
      allowHttp: true,
      servers: [PUBLIC_SERVER],
      resolve: resolver({ 'metadata.attacker.test': '169.254.169.254', 'intranet.attacker.test': '10.0.0.9', 'fine.attacker.test': '127.0.0.1' }),
    });
    const http = client(p);
    const get = (host: string) => http.request({ url: new URL(`http://${host}:${server.port}/x`), method: 'GET', headers: {}, namedByServer: true });
    await expect(get('metadata.attacker.test')).rejects.toMatchObject({
      code: 'URL_REFUSED',
      message: expect.stringMatching(/resolves to 169\.254\.169\.254 is a link-local/),
    });
    await expect(get('intranet.attacker.test')).rejects.toMatchObject({ code: 'URL_REFUSED', message: expect.stringMatching(/private/) });
    expect((await get('fine.attacker.test')).status).toBe(200);
    expect(server.log.entries).toHaveLength(1);
  });

  it('private addresses are fine once the MCP server itself resolved to one (a corporate network)', async () => {
    const server = await startRawServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    const names = { 'mcp.corp.test': '127.0.0.1', 'as.corp.test': '10.0.0.9' };
    const p = new UrlPolicy({ allowHttp: true, servers: [new URL(`http://mcp.corp.test:${server.port}/mcp`)], resolve: resolver(names) });
    expect(p.serverIsPrivate).toBe(false);
    const http = client(p);
    await http.request({ url: new URL(`http://mcp.corp.test:${server.port}/mcp`), method: 'GET', headers: {} });
    expect(p.serverIsPrivate).toBe(true);
    expect(p.addressRefusal('10.0.0.9')).toBeUndefined();
  });
});

describe('discovery under the policy', () => {
  it('a WWW-Authenticate resource_metadata at the metadata service is not fetched; the well-known PRM is', async () => {
    const server = await startRawServer((req, res) => {
      if (req.url?.startsWith('/.well-known/oauth-protected-resource')) {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ resource: `http://127.0.0.1:${server.port}/mcp`, authorization_servers: ['https://as.example.com'] }));
      } else res.writeHead(404).end();
    });
    const serverUrl = new URL(server.url);
    const http = client(policy([serverUrl]));
    const prm = await discoverResource(http, serverUrl, new URL('http://169.254.169.254/latest/meta-data/iam'), { allowHttp: false });
    expect(prm?.authorizationServers).toEqual(['https://as.example.com']);
    expect(server.log.entries.map((e) => e.path)).toEqual(['/.well-known/oauth-protected-resource/mcp']);
  });

  it('PRM authorization_servers naming a private address next to a public MCP server: URL_REFUSED, nothing fetched', async () => {
    const http = client(policy());
    await expect(discoverAuthServer(http, 'https://192.168.0.10', { allowHttp: false, assumePkce: false })).rejects.toMatchObject({ code: 'URL_REFUSED' });
  });
});
