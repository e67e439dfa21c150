// Step-up authorization (MCP 2025-11-25): 403 insufficient_scope → a new authorization with the
// union of the scopes held and the scopes asked for; the call is retried; at most 3 attempts.
import { describe, expect, it, vi } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { connectClient, errorOf, resultOf, spawnProxy, toolText } from '../fixtures/cli.js';
import { startOidcServer } from '../fixtures/oidc-server.js';
import { startProtectedMcpServer, type ProtectedMcpServer } from '../fixtures/protected-mcp-server.js';
import { oauthHarness, readStore, type OAuthHarness } from '../fixtures/oauth-cli.js';

vi.setConfig({ testTimeout: 20_000 });

const words = (scope: string | null | undefined) => new Set((scope ?? '').split(' ').filter(Boolean));

/** whoami → tool `admin` (403 insufficient_scope → step-up) → whoami, checking every step. */
async function expectStepUp(client: Client, h: OAuthHarness, issuer: string, mcp: ProtectedMcpServer): Promise<void> {
  const who = async () => {
    const r = (await client.callTool({ name: 'whoami', arguments: {} })) as CallToolResult;
    return JSON.parse((r.content[0] as { text: string }).text) as { scope: string };
  };
  expect(words((await who()).scope)).toEqual(new Set(['mcp:read']));

  const admin = (await client.callTool({ name: 'admin', arguments: {} })) as CallToolResult;
  expect((admin.content[0] as { text: string }).text).toBe('admin ok');

  const [first, second, ...more] = h.authorizationRequests();
  expect(more).toEqual([]);
  expect(first!.searchParams.get('scope')).toBe('mcp:read offline_access');
  expect(words(second!.searchParams.get('scope'))).toEqual(new Set(['mcp:read', 'mcp:admin', 'offline_access']));
  expect(second!.searchParams.get('resource')).toBe(mcp.resource);
  // The new token carries both; the earlier scope was not lost.
  expect(words((await who()).scope)).toEqual(new Set(['mcp:read', 'mcp:admin']));
  const server = readStore(h.authDir).servers[0]!;
  expect(words(server.byIssuer[issuer]!.requestedScope)).toEqual(new Set(['mcp:read', 'mcp:admin', 'offline_access']));
  // The 403 was answered by the retry, not passed to the host.
  const adminPosts = mcp.log.entries.filter((e) => (e.body as { params?: { name?: string } } | undefined)?.params?.name === 'admin');
  expect(adminPosts.map((e) => e.status)).toEqual([403, 200]);
}

describe('step-up', () => {
  // A pre-registered public client (no registered scope allow-list): checks the step-up flow itself.
  it('403 insufficient_scope: signs in again with the union of scopes, retries the call, and it succeeds', async () => {
    const oidc = await startOidcServer({
      scopes: ['mcp:read', 'mcp:write', 'mcp:admin'],
      clients: [
        {
          client_id: 'pre-public',
          application_type: 'native',
          redirect_uris: ['http://127.0.0.1/callback'],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'none',
        },
      ],
    });
    const mcp = await startProtectedMcpServer({
      authServer: oidc,
      scopesSupported: ['mcp:read', 'mcp:write', 'mcp:admin'],
      requiredScopes: ['mcp:read'],
      stepUpScope: 'mcp:admin',
    });
    const h = oauthHarness();
    const { client } = await connectClient(mcp.url, h.args(['--client-id', 'pre-public']), { env: h.env() });
    await expectStepUp(client, h, oidc.issuer, mcp);
  });

  // Regression: the registration sent `scope` = the first sign-in's scope, which oidc-provider
  // (like any AS honouring RFC 7591 `scope`) enforces as the client's allow-list, so the step-up
  // authorization request ended in error=invalid_scope and the host got an error.
  it("step-up after dynamic registration: the registration does not pin the client to the first sign-in's scope", async () => {
    const oidc = await startOidcServer({ scopes: ['mcp:read', 'mcp:write', 'mcp:admin'] });
    const mcp = await startProtectedMcpServer({
      authServer: oidc,
      scopesSupported: ['mcp:read', 'mcp:write', 'mcp:admin'],
      requiredScopes: ['mcp:read'],
      stepUpScope: 'mcp:admin',
    });
    const h = oauthHarness();
    const { client } = await connectClient(mcp.url, h.args(), { env: h.env() });
    await expectStepUp(client, h, oidc.issuer, mcp);
    expect(oidc.counters.registrations).toBe(1);
  });

  it('a server that keeps answering 403 insufficient_scope: at most 3 sign-ins for the call, then a JSON-RPC error', async () => {
    // The AS cannot grant mcp:admin, so step-up never satisfies the server.
    const oidc = await startOidcServer({ scopes: ['mcp:read'] });
    const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'], stepUpScope: 'mcp:admin' });
    const h = oauthHarness();
    const proxy = spawnProxy([mcp.url, ...h.args()], { env: h.env() });
    resultOf(await proxy.initialize());
    expect(h.authorizationRequests()).toHaveLength(1);

    const err = errorOf(await proxy.callTool('admin', {}, 'admin-call', 15_000));
    expect(err.code).toBe(-32000);
    expect(err.data).toMatchObject({ status: 403 });
    expect(err.message).toMatch(/403/);
    expect(err.message).toMatch(/3 sign-in attempts/);
    expect(h.authorizationRequests().length - 1).toBe(3);
    const adminPosts = mcp.log.entries.filter((e) => (e.body as { params?: { name?: string } } | undefined)?.params?.name === 'admin');
    expect(adminPosts.map((e) => e.status)).toEqual([403, 403, 403, 403]);
    // The proxy still works for what the token allows.
    expect(toolText(await proxy.callTool('echo', { text: 'still here' }))).toBe('still here');
  });
});
