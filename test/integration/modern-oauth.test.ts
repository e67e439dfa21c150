// A legacy host, a 2026-07-28 server and OAuth together: the modern fixture is a resource server
// whose PRM names the fake authorization server, and accepts only the tokens that AS issued. The
// proxy's server/discover probe meets the 401, the proxy signs in with the stand-in browser, and
// the bridged requests then carry both the Bearer token and the 2026-07-28 envelope.
import { describe, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { connectClient } from '../fixtures/cli.js';
import { requestsContaining } from '../fixtures/auth-common.js';
import { startFakeAuthServer, type FakeAuthServer } from '../fixtures/fake-auth-server.js';
import { startModernMcpServer, type ModernMcpServer } from '../fixtures/modern-mcp-server.js';
import { oauthHarness, storedTokens } from '../fixtures/oauth-cli.js';
import { rpcMethod, type RecordedRequest } from '../fixtures/raw-server.js';

const MODERN = '2026-07-28';
const textOf = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;
const bodyOf = (e: RecordedRequest) => e.body as { id?: unknown; method?: string; params?: Record<string, unknown> & { _meta?: Record<string, unknown> } };

/** The modern fixture guarded by the fake AS's tokens (PRM → the fake AS; resource = the modern URL). */
async function protectedModern(): Promise<{ as: FakeAuthServer; server: ModernMcpServer }> {
  const as = await startFakeAuthServer();
  const server = await startModernMcpServer({
    auth: {
      authorizationServers: [as.issuer],
      verify: (token) => {
        const issued = as.accessTokens.get(token);
        return issued !== undefined && issued.expiresAt > Date.now();
      },
    },
  });
  return { as, server };
}

describe('legacy host + 2026-07-28 server + OAuth', () => {
  it('the probe meets 401, the proxy signs in at the AS the PRM names, and tools/call carries the Bearer token and the modern headers and _meta', async () => {
    const { as, server } = await protectedModern();
    const h = oauthHarness();
    const { client } = await connectClient(server.url, h.args(['--log-level', 'debug']), { env: h.env() });
    expect(client.getServerVersion()?.name).toBe('modern-fixture');
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'signed in' } }))).toBe('signed in');
    expect(textOf(await client.callTool({ name: 'regional', arguments: { region: 'eu-west', query: 'q' } }))).toBe('eu-west:q');

    // One sign-in, at the fake AS, for the modern server as the resource.
    const [authorization, ...more] = h.authorizationRequests();
    expect(more).toEqual([]);
    expect(authorization!.origin).toBe(as.origin);
    expect(authorization!.searchParams.get('resource')).toBe(server.url);
    expect(as.tokenRequests.map((f) => f.get('grant_type'))).toEqual(['authorization_code']);
    expect(as.tokenRequests[0]!.get('resource')).toBe(server.url);
    const { accessToken } = storedTokens(h.authDir);
    expect(requestsContaining(as.log, accessToken)).toEqual([]);

    // The probe: refused without a token, answered with one; never an initialize.
    expect(server.log.rpc('server/discover').map((e) => e.status)).toEqual([401, 200]);
    expect(server.log.entries.map(rpcMethod)).not.toContain('initialize');

    const calls = server.log.rpc('tools/call');
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls) {
      expect(call.status).toBe(200);
      expect(call.headers.authorization).toBe(`Bearer ${accessToken}`);
      expect(call.headers['mcp-protocol-version']).toBe(MODERN);
      expect(call.headers['mcp-method']).toBe('tools/call');
      expect(call.headers['mcp-name']).toBe(bodyOf(call).params?.['name']);
      expect(bodyOf(call).params?._meta).toMatchObject({
        'io.modelcontextprotocol/protocolVersion': MODERN,
        'io.modelcontextprotocol/clientInfo': { name: 'sdk-test-host' },
        'io.modelcontextprotocol/clientCapabilities': {},
      });
    }
    expect(calls.find((e) => bodyOf(e).params?.['name'] === 'regional')!.headers['mcp-param-region']).toBe('eu-west');
    // The listen stream is authorized too.
    const listen = await server.log.waitFor((e) => rpcMethod(e) === 'subscriptions/listen' && e.status === 200);
    expect(listen.headers.authorization).toBe(`Bearer ${accessToken}`);
  });

  it('a second start with the same auth dir uses the stored token: no browser, and the first probe is already authorized', async () => {
    const { server } = await protectedModern();
    const h = oauthHarness();
    const first = await connectClient(server.url, h.args(), { env: h.env() });
    await first.client.listTools();
    // Its listen stream is opened after initialize; let it be logged before the second start.
    await server.log.waitFor((e) => rpcMethod(e) === 'subscriptions/listen');
    await first.client.close();
    expect(h.authorizationRequests()).toHaveLength(1);

    const before = server.log.entries.length;
    const { client } = await connectClient(server.url, h.args(), { env: h.env() });
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'warm' } }))).toBe('warm');
    expect(h.authorizationRequests()).toHaveLength(1);
    const warm = server.log.entries.slice(before);
    expect(rpcMethod(warm[0]!)).toBe('server/discover');
    expect(warm.filter((e) => e.status === 401)).toEqual([]);
  });
});
