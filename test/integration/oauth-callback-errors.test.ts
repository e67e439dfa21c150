// What comes back to the loopback callback, and from the token endpoint: responses that are not
// ours are ignored, mix-ups and errors end the attempt, garbage tokens are refused, and the
// host's pending request gets a JSON-RPC error (at once, except when the user never finishes).
import { describe, expect, it, vi } from 'vitest';
import { resultOf, spawnProxy, toolText } from '../fixtures/cli.js';
import { startFakeAuthServer, type FakeAuthServerOptions, type TokenFault } from '../fixtures/fake-auth-server.js';
import { startOidcServer } from '../fixtures/oidc-server.js';
import { startProtectedMcpServer } from '../fixtures/protected-mcp-server.js';
import { failedSignIn, oauthHarness } from '../fixtures/oauth-cli.js';

vi.setConfig({ testTimeout: 20_000 });

// Short enough to keep the suite fast, long enough for a sign-in on a loaded machine.
const SHORT_TIMEOUT_S = 3;

describe('state', () => {
  it.each<{ name: string; state: FakeAuthServerOptions['state'] }>([
    { name: 'missing', state: 'absent' },
    { name: 'wrong', state: 'wrong' },
  ])('a response with $name state is ignored (page says so), the sign-in keeps waiting, then AUTH_TIMEOUT', async ({ state }) => {
    const fake = await startFakeAuthServer({ state });
    const h = oauthHarness({ authTimeout: SHORT_TIMEOUT_S });
    const { error, elapsedMs, proxy } = await failedSignIn(fake.url, h);
    expect(error.data?.code).toBe('AUTH_TIMEOUT');
    expect(error.message).toContain('--auth-timeout');
    expect(elapsedMs).toBeGreaterThanOrEqual(SHORT_TIMEOUT_S * 1000 - 100);
    expect(h.callbacks()).toHaveLength(1); // delivered, and not acted upon:
    expect(fake.tokenRequests).toEqual([]);
    expect(proxy.stderr).toMatch(/ignored a sign-in response with a missing or wrong state/);
    await vi.waitFor(() => expect(h.pages()).toHaveLength(1));
    expect(h.pages()[0]).toMatchObject({ status: 400, text: expect.stringMatching(/not recognised/i) });
  });
});

describe('iss (RFC 9207)', () => {
  it.each<{ name: string; iss: FakeAuthServerOptions['iss']; message: RegExp }>([
    { name: 'missing although the AS advertises it', iss: 'absent', message: /lacks the "iss" parameter/ },
    { name: 'another issuer', iss: { value: 'http://127.0.0.1:1' }, message: /names the issuer http:\/\/127\.0\.0\.1:1, expected/ },
    { name: 'the issuer with a trailing slash (no normalisation)', iss: 'trailing-slash', message: /names the issuer http:\/\/127\.0\.0\.1:\d+\/, expected/ },
    {
      name: 'the issuer with an upper-case scheme (no normalisation)',
      iss: 'uppercase-scheme',
      message: /names the issuer HTTP:\/\/127\.0\.0\.1:\d+, expected/,
    },
  ])('iss $name: AUTH_CALLBACK at once, the code is not exchanged', async ({ iss, message }) => {
    const fake = await startFakeAuthServer({ iss });
    const h = oauthHarness({ authTimeout: 30 });
    const { error } = await failedSignIn(fake.url, h);
    expect(error.data?.code).toBe('AUTH_CALLBACK');
    expect(error.message).toMatch(message);
    expect(fake.tokenRequests).toEqual([]);
  });

  it('iss absent when the AS does not advertise it: accepted', async () => {
    const fake = await startFakeAuthServer({ iss: 'absent', metadata: { authorization_response_iss_parameter_supported: null } });
    const h = oauthHarness();
    const proxy = spawnProxy([fake.url, ...h.args()], { env: h.env() });
    resultOf(await proxy.initialize());
    expect(fake.tokenRequests).toHaveLength(1);
  });
});

describe('authorization errors', () => {
  it('the user denies consent: AUTH_DENIED reaches the host at once, not after --auth-timeout', async () => {
    const oidc = await startOidcServer();
    const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
    const h = oauthHarness({ mode: 'deny', authTimeout: 60 });
    const { error, elapsedMs } = await failedSignIn(mcp.url, h, [], 15_000);
    expect(error.data?.code).toBe('AUTH_DENIED');
    expect(error.message).toMatch(/access_denied/);
    expect(elapsedMs).toBeLessThan(15_000);
    expect(oidc.counters.consents.deny).toBe(1);
    expect(oidc.counters.tokenRequests).toEqual({});
    await vi.waitFor(() => expect(h.pages()).toHaveLength(1));
    expect(h.pages()[0]!.text).not.toMatch(/signed in/i);
  });

  it('after a denial the proxy keeps running and the next request signs in again', async () => {
    const fake = await startFakeAuthServer({ authorizeError: 'access_denied' });
    const h = oauthHarness();
    const { error, proxy } = await failedSignIn(fake.url, h);
    expect(error.data?.code).toBe('AUTH_DENIED');
    fake.set({ authorizeError: undefined });
    resultOf(await proxy.initialize());
    expect(toolText(await proxy.callTool('echo', { text: 'second try' }))).toBe('second try');
    expect(h.authorizationRequests()).toHaveLength(2);
  });

  it('another authorization error (temporarily_unavailable): AUTH_CALLBACK naming it', async () => {
    const fake = await startFakeAuthServer({ authorizeError: 'temporarily_unavailable' });
    const { error } = await failedSignIn(fake.url, oauthHarness());
    expect(error.data?.code).toBe('AUTH_CALLBACK');
    expect(error.message).toMatch(/temporarily_unavailable/);
  });

  it('the browser never completes: AUTH_TIMEOUT after --auth-timeout, telling what to do', async () => {
    const fake = await startFakeAuthServer();
    const h = oauthHarness({ mode: 'never', authTimeout: SHORT_TIMEOUT_S });
    const { error, elapsedMs, proxy } = await failedSignIn(fake.url, h);
    expect(error.data?.code).toBe('AUTH_TIMEOUT');
    expect(error.message).toMatch(new RegExp(`not completed within ${SHORT_TIMEOUT_S} s`));
    expect(error.message).toMatch(/open the URL printed on stderr/i);
    expect(error.message).toContain('--auth-timeout');
    expect(elapsedMs).toBeGreaterThanOrEqual(SHORT_TIMEOUT_S * 1000 - 100);
    // The URL to open is on stderr.
    const [authz] = h.authorizationRequests();
    expect(proxy.stderr).toContain(authz!.href);
  });
});

describe('token endpoint answers garbage', () => {
  it.each<{ fault: TokenFault; message: RegExp }>([
    { fault: 'html', message: /an HTML page/ },
    { fault: 'not-json', message: /application\/json that is not JSON/ },
    { fault: 'no-access-token', message: /"access_token" in the token response is missing/ },
    { fault: 'token-type-mac', message: /"token_type" in the token response is mac, but Bearer was asked for/ },
    { fault: 'server-error', message: /token endpoint refused the request \(server_error\)/ },
  ])('$fault: AUTH_TOKEN, nothing stored, and the browser page does not say signed in', async ({ fault, message }) => {
    const fake = await startFakeAuthServer({ tokenFault: fault });
    const h = oauthHarness();
    const { error } = await failedSignIn(fake.url, h);
    expect(error.data?.code).toBe('AUTH_TOKEN');
    expect(error.message).toMatch(message);
    expect(h.store().servers).toEqual([]);
    await vi.waitFor(() => expect(h.pages()).toHaveLength(1));
    expect(h.pages()[0]).toMatchObject({ status: 500, text: expect.stringMatching(/sign-in failed/i) });
    expect(h.pages()[0]!.text).not.toMatch(/signed in\./i);
  });
});
