// A person signing in: the proxy prints the sign-in URL (--browser none), real headless Chromium
// opens it, the consent page of a real authorization server (oidc-provider) is answered with a
// click, and the host's pending initialize completes. Needs Debian's chromium; in CI a missing
// Chromium is a failure, not a skip.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, resultOf, spawnProxy, toolText, type ProxyProcess } from '../fixtures/cli.js';
import { startOidcServer } from '../fixtures/oidc-server.js';
import { startProtectedMcpServer } from '../fixtures/protected-mcp-server.js';
import { tempDir } from '../fixtures/teardown.js';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env['CI']) throw new Error(`${CHROMIUM} is missing: .ci/run must install Debian's chromium`);

let browser: Browser;

beforeAll(async () => {
  if (!available) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // Root in CI needs --no-sandbox; the rest keeps Chromium off the (closed) network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
afterAll(async () => browser?.close());

/** The URL the proxy prints on stderr for the user to open. */
async function signInUrl(proxy: ProxyProcess): Promise<string> {
  for (;;) {
    const m = /sign-in needed[^\n]*\n\s+(http\S+)/.exec(proxy.stderr);
    if (m) return m[1]!;
    if (!proxy.running) throw new Error(`the proxy exited before printing a sign-in URL\n${proxy.describe()}`);
    await new Promise<void>((resolve) => proxy.child.stderr.once('data', () => resolve()));
  }
}

async function setup() {
  // Without a device flow: --browser none then prints the authorization URL (the code flow).
  const as = await startOidcServer({ deviceFlow: false });
  const server = await startProtectedMcpServer({ authServer: as, scopesSupported: ['mcp:read', 'mcp:write'] });
  const authDir = tempDir('mcp-auth-proxy-e2e-');
  const proxy = spawnProxy([server.url, '--browser', 'none', '--auth-dir', authDir, '--auth-timeout', '30']);
  return { as, server, proxy };
}

describe.skipIf(!available)('sign-in in real Chromium', () => {
  it('the user clicks Allow: the page says signed in, and the host gets its answers', async () => {
    const { proxy } = await setup();
    const initialized = proxy.initialize();
    const page = await browser.newPage();
    await page.goto(await signInUrl(proxy));
    await page.getByRole('button', { name: 'Allow' }).click();
    await expect.poll(() => page.textContent('body')).toContain('signed in');
    resultOf(await initialized);
    expect(toolText(await proxy.callTool('echo', { text: 'from chromium' }))).toBe('from chromium');
    await page.close();
  });

  it('the user clicks Deny: the host hears at once, and the page says why', async () => {
    const { proxy } = await setup();
    const initialized = proxy.initialize();
    const page = await browser.newPage();
    await page.goto(await signInUrl(proxy));
    await page.getByRole('button', { name: 'Deny' }).click();
    await expect.poll(() => page.textContent('body')).toContain('access_denied');
    expect(errorOf(await initialized)).toMatchObject({ data: { code: 'AUTH_DENIED' } });
    await page.close();
  });
});
