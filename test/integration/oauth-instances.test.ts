// Several proxies for one server sharing one --auth-dir (a host that starts the same server
// config in several windows): one browser window, one registration, one refresh at a time.
import { describe, expect, it, vi } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { connectClient } from '../fixtures/cli.js';
import { startOidcServer } from '../fixtures/oidc-server.js';
import { startProtectedMcpServer } from '../fixtures/protected-mcp-server.js';
import { oauthHarness } from '../fixtures/oauth-cli.js';

vi.setConfig({ testTimeout: 30_000 });

const N = 5;

describe('several instances', () => {
  it(`${N} proxies started at once with an empty shared store: one registration, one browser sign-in, all ${N} calls succeed`, async () => {
    const oidc = await startOidcServer();
    const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
    const h = oauthHarness();
    const clients = await Promise.all(Array.from({ length: N }, () => connectClient(mcp.url, h.args(), { env: h.env() })));
    const texts = await Promise.all(
      clients.map(async ({ client }, i) => ((await client.callTool({ name: 'echo', arguments: { text: `p${i}` } })) as CallToolResult).content[0]),
    );
    expect(texts.map((c) => (c as { text: string }).text)).toEqual(Array.from({ length: N }, (_, i) => `p${i}`));
    expect(h.authorizationRequests()).toHaveLength(1);
    expect(oidc.counters).toMatchObject({ registrations: 1, authorizationRequests: 1, authorizations: 1, tokenRequests: { authorization_code: 1 } });
    expect(h.store().clients).toHaveLength(1);
    expect(h.store().files.filter((f) => !f.endsWith('.json'))).toEqual([]);
  });

  it(`${N} proxies started at once with an expired token: one refresh (rotating refresh tokens survive), no browser`, async () => {
    const oidc = await startOidcServer({ rotateRefreshToken: true });
    const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
    const h = oauthHarness();
    const first = await connectClient(mcp.url, h.args(), { env: h.env() });
    await first.client.callTool({ name: 'echo', arguments: { text: 'seed' } });
    await first.client.close();
    oidc.expireAccessTokens();

    const clients = await Promise.all(Array.from({ length: N }, () => connectClient(mcp.url, h.args(), { env: h.env() })));
    for (const { client } of clients) await client.callTool({ name: 'echo', arguments: { text: 'after' } });
    expect(oidc.counters.tokenRequests.refresh_token).toBe(1);
    expect(oidc.counters.authorizations).toBe(1);
    expect(h.authorizationRequests()).toHaveLength(1);
  });
});
