// Sign-in shown inside the host: a host that can show URL-mode elicitations gets its initialize
// answered at once while the sign-in waits, is asked in its own UI to open the sign-in page, and
// its queued requests are served once the user has signed in.
import { describe, expect, it } from 'vitest';
import { ElicitRequestSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { runStandInBrowser } from '../fixtures/browser.mjs';
import { connectClient } from '../fixtures/cli.js';
import { startOidcServer } from '../fixtures/oidc-server.js';
import { startProtectedMcpServer } from '../fixtures/protected-mcp-server.js';
import { tempDir } from '../fixtures/teardown.js';

describe('sign-in inside the host', () => {
  it('a host with URL-mode elicitation is initialized at once, asked to sign in in its UI, and served after the sign-in', async () => {
    // --browser none would sign in with the device flow where the AS offers it; this is about the code flow.
    const oidc = await startOidcServer({ deviceFlow: false });
    const server = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
    const authDir = tempDir('mcp-auth-proxy-host-sign-in-');
    const asked: Array<{ mode?: string; url?: string; message: string }> = [];
    let listChanged = 0;
    let signedIn: Promise<unknown> | undefined;
    const { client } = await connectClient(server.url, ['--browser', 'none', '--auth-dir', authDir], {
      capabilities: { elicitation: { url: {} } } as never,
      setup: (c) => {
        c.setRequestHandler(ElicitRequestSchema, async (request) => {
          const params = request.params as { mode?: string; url?: string; message: string };
          asked.push(params);
          // The user opens the page the host shows, and signs in there.
          if (params.url) signedIn = runStandInBrowser(params.url);
          return { action: 'accept' };
        });
        c.setNotificationHandler(ToolListChangedNotificationSchema, async () => void listChanged++);
      },
    });
    // Answered by the proxy while the sign-in waits: the host did not have to wait for the user.
    expect(client.getServerVersion()?.name).toBe('mcp-auth-proxy');
    const tools = client.listTools();
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toMatchObject({ mode: 'url' });
    expect(asked[0]!.url).toContain(new URL(oidc.issuer).origin);
    await signedIn;
    expect((await tools).tools.map((t) => t.name)).toContain('echo');
    await expect.poll(() => listChanged).toBeGreaterThan(0);
    expect(oidc.counters.authorizations).toBe(1);
  });
});
