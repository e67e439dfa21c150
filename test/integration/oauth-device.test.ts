// Headless sign-in with the device authorization grant (RFC 8628), against real components:
// oidc-provider as the AS (its device flow, with fixture knobs for `interval`, `slow_down` and the
// code lifetime), the SDK MCP server as the protected resource, and the test playing the user on
// oidc-provider's verification pages over HTTP. No browser is launched by the proxy.
import { describe, expect, it, vi } from 'vitest';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { errorOf, resultOf, runCli, spawnProxy, toolText, type Env, type ProxyProcess } from '../fixtures/cli.js';
import { type RecordedRequest, type RequestLog } from '../fixtures/raw-server.js';
import { formOf, pathnameOf } from '../fixtures/auth-common.js';
import { startOidcServer, type OidcServerOptions } from '../fixtures/oidc-server.js';
import { startProtectedMcpServer } from '../fixtures/protected-mcp-server.js';
import { completeDeviceSignIn, devicePrompt, type DevicePrompt } from '../fixtures/device-user.js';
import { oauthHarness, readStore, storedTokens, tempDir } from '../fixtures/oauth-cli.js';

vi.setConfig({ testTimeout: 30_000 });

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const requestsTo = (log: RequestLog, method: string, path: string): RecordedRequest[] =>
  log.entries.filter((e) => e.method === method && pathnameOf(e) === path);

async function servers(options: OidcServerOptions = {}) {
  const oidc = await startOidcServer({ deviceInterval: 1, ...options });
  const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
  return { oidc, mcp };
}

/** Waits until the proxy has printed the device prompt on stderr. */
async function promptOf(proxy: ProxyProcess, timeoutMs = 10_000): Promise<DevicePrompt> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const prompt = devicePrompt(proxy.stderr);
    if (prompt) return prompt;
    if (!proxy.running) throw new Error(`the proxy exited before showing a device code\n${proxy.describe()}`);
    if (Date.now() > deadline) throw new Error(`no device prompt within ${timeoutMs} ms\n${proxy.describe()}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 50));
  }
}

function initialize(proxy: ProxyProcess, timeoutMs = 25_000) {
  return proxy.request(
    'initialize',
    { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'device-test-host', version: '0' } },
    'init',
    timeoutMs,
  );
}

/** A proxy with no browser: `--browser none`, or (browser undefined) the given environment decides. */
function headlessProxy(url: string, authDir: string, extra: string[] = [], env: Env = {}): ProxyProcess {
  return spawnProxy([url, '--browser', 'none', '--auth-dir', authDir, '--auth-timeout', '20', '--log-level', 'info', ...extra], { env });
}

describe('device authorization grant (RFC 8628)', () => {
  it('--browser none: shows the verification URL and code, polls, and the host only sees results', async () => {
    const { oidc, mcp } = await servers();
    const authDir = tempDir();
    const proxy = headlessProxy(mcp.url, authDir);
    const init = initialize(proxy);
    const prompt = await promptOf(proxy);
    expect(prompt.url).toBe(`${oidc.issuer}/device?user_code=${encodeURIComponent(prompt.userCode)}`);
    expect(prompt.userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);

    const page = await completeDeviceSignIn(prompt.url);
    expect(page.text).toContain('Sign-in Success');
    resultOf(await init);
    expect(toolText(await proxy.callTool('echo', { text: 'from a headless machine' }))).toBe('from a headless machine');
    const claims = JSON.parse(toolText(await proxy.callTool('whoami', {}))) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: 'user-1', aud: mcp.url, iss: oidc.issuer });

    // The device authorization request: the client, the server's scope and RFC 8707 resource.
    const [deviceReq, ...moreDevice] = requestsTo(oidc.log, 'POST', '/device/auth');
    expect(moreDevice).toEqual([]);
    const asked = formOf(deviceReq!);
    expect(asked.get('resource')).toBe(mcp.resource);
    expect(asked.get('scope')).toBe('mcp:read offline_access');
    // Registered for the device grant: no redirect URI, no response type.
    const [reg] = requestsTo(oidc.log, 'POST', '/reg');
    const metadata = reg!.body as Record<string, unknown>;
    expect(metadata.grant_types).toEqual(expect.arrayContaining([DEVICE_GRANT, 'refresh_token']));
    expect(metadata.grant_types).not.toContain('authorization_code');
    expect(metadata.redirect_uris).toBeUndefined();
    expect(asked.get('client_id')).toBe(readStore(authDir).clients[0]!.clientId);
    // Polls with the device code, the same resource; no authorization-code flow at all.
    const polls = requestsTo(oidc.log, 'POST', '/token').map(formOf);
    expect(polls.length).toBeGreaterThanOrEqual(1);
    for (const poll of polls) {
      expect(poll.get('grant_type')).toBe(DEVICE_GRANT);
      expect(poll.get('resource')).toBe(mcp.resource);
    }
    expect(oidc.counters.authorizationRequests).toBe(0);
    expect(storedTokens(authDir).refreshToken).toBeTruthy();
    // The device code is a credential: never logged.
    expect(proxy.stderr).not.toContain(polls[0]!.get('device_code')!);
    expect(proxy.stderr).toMatch(/device authorization grant/);
  });

  it('no display, in an SSH session and without --browser: the device flow too, and no browser is started', async () => {
    const { mcp } = await servers();
    const authDir = tempDir();
    const proxy = spawnProxy([mcp.url, '--auth-dir', authDir, '--auth-timeout', '20', '--log-level', 'info'], {
      env: { SSH_CONNECTION: '192.0.2.1 50000 192.0.2.2 22', DISPLAY: undefined, WAYLAND_DISPLAY: undefined },
    });
    const init = initialize(proxy);
    await completeDeviceSignIn((await promptOf(proxy)).url);
    resultOf(await init);
    expect(proxy.stderr).toContain('this is an SSH session');
    expect(proxy.stderr).not.toContain('could not open a browser');
  });

  it('slow_down adds 5 s to the polling interval, for good', async () => {
    const { oidc, mcp } = await servers({ deviceSlowDown: 1 });
    const proxy = headlessProxy(mcp.url, tempDir());
    const init = initialize(proxy);
    const prompt = await promptOf(proxy);
    // The user approves at once: the first poll (after 1 s) is told slow_down, the next waits 6 s.
    await completeDeviceSignIn(prompt.url);
    resultOf(await init);
    const polls = oidc.counters.devicePolls;
    expect(polls.length).toBe(2);
    // The 6 s between the polls is read off a controllable clock in test/unit/device.test.ts.
    expect(proxy.stderr).toContain('poll more slowly: every 6 s');
  });

  it('declined on the verification page: AUTH_DENIED at the next poll', async () => {
    const { oidc, mcp } = await servers();
    const proxy = headlessProxy(mcp.url, tempDir());
    const init = initialize(proxy);
    const prompt = await promptOf(proxy);
    await completeDeviceSignIn(prompt.url, { decision: 'deny' });
    const error = errorOf(await init);
    expect(error.data).toMatchObject({ code: 'AUTH_DENIED' });
    // "At the next poll" is checked on a controllable clock in test/unit/device.test.ts.
    expect(oidc.counters.tokenRequests[DEVICE_GRANT]).toBeGreaterThanOrEqual(1);
  });

  it('not approved within --auth-timeout: AUTH_TIMEOUT, and polling stops', async () => {
    const { mcp } = await servers();
    const proxy = headlessProxy(mcp.url, tempDir(), ['--auth-timeout', '2']);
    const error = errorOf(await initialize(proxy));
    expect(error.data).toMatchObject({ code: 'AUTH_TIMEOUT' });
    expect(error.message).toContain('--auth-timeout');
    // How long it took, and that polling stops, are checked on a controllable clock in test/unit/device.test.ts.
  });

  it('a code that expires before the user approves: AUTH_TIMEOUT saying so', async () => {
    const { mcp } = await servers({ deviceCodeTtl: 2 });
    const proxy = headlessProxy(mcp.url, tempDir());
    const error = errorOf(await initialize(proxy));
    expect(error.data).toMatchObject({ code: 'AUTH_TIMEOUT' });
    expect(error.message).toContain('code expired');
  });

  it('login --browser none: a registration made for the browser flow is renewed to include the device grant', async () => {
    const { oidc, mcp } = await servers();
    const h = oauthHarness();
    // First through the (stand-in) browser: a code-flow registration.
    const first = await runCli(['login', mcp.url, ...h.args()], { env: h.env(), timeoutMs: 25_000 });
    expect(first.code, first.stderr).toBe(0);
    const before = readStore(h.authDir).clients[0]!;
    expect(oidc.counters.registrations).toBe(1);

    const proxy = spawnProxy(['login', mcp.url, '--force', '--browser', 'none', '--auth-dir', h.authDir, '--auth-timeout', '20']);
    proxy.allowNonJsonStdout = true;
    let stdout = '';
    proxy.child.stdout.on('data', (c: string) => (stdout += c));
    await completeDeviceSignIn((await promptOf(proxy)).url);
    expect((await proxy.waitExit(15_000)).code, proxy.stderr).toBe(0);
    expect(stdout).toContain(`Signed in to ${mcp.url}`);

    // One new registration, with both grants (and the old redirect URI), so the browser flow can use it again.
    expect(oidc.counters.registrations).toBe(2);
    const [, reg] = requestsTo(oidc.log, 'POST', '/reg');
    const metadata = reg!.body as Record<string, unknown>;
    expect(metadata.grant_types).toEqual(expect.arrayContaining(['authorization_code', DEVICE_GRANT, 'refresh_token']));
    expect(metadata.redirect_uris).toEqual([before.redirectUri]);
    const after = readStore(h.authDir).clients[0]!;
    expect(after.clientId).not.toBe(before.clientId);
    expect(after.redirectUri).toBe(before.redirectUri);
  });
});
