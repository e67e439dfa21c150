// When no browser can be opened (the device flow or a printed URL instead), and the checks an
// authorization response meets, whether the browser brought it or the user pasted it.
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { noBrowserReason } from '../../src/auth/browser.js';
import { CallbackServer, checkAuthorizationResponse } from '../../src/auth/callback-server.js';
import { acceptPastedRedirects } from '../../src/auth/pasted-redirect.js';

describe('noBrowserReason', () => {
  it.each<[string, string | undefined, Record<string, string>, NodeJS.Platform, RegExp | undefined]>([
    ['--browser none', 'none', { DISPLAY: ':0' }, 'linux', /--browser none/],
    ['a --browser command, even over SSH', 'firefox', { SSH_CONNECTION: 'x' }, 'linux', undefined],
    ['a Linux desktop', undefined, { DISPLAY: ':0' }, 'linux', undefined],
    ['a Wayland desktop', undefined, { WAYLAND_DISPLAY: 'wayland-0' }, 'linux', undefined],
    ['Linux without a display', undefined, {}, 'linux', /no display/],
    ['FreeBSD without a display', undefined, {}, 'freebsd', /no display/],
    ['an SSH session with X forwarding', undefined, { DISPLAY: 'localhost:10.0', SSH_CONNECTION: '1 2 3 4' }, 'linux', /SSH/],
    ['an SSH session on a Mac', undefined, { SSH_TTY: '/dev/ttys001' }, 'darwin', /SSH/],
    ['a Mac', undefined, {}, 'darwin', undefined],
    ['Windows', undefined, {}, 'win32', undefined],
  ])('%s', (_what, browser, env, platform, expected) => {
    const reason = noBrowserReason(browser, env, platform);
    if (expected) expect(reason).toMatch(expected);
    else expect(reason).toBeUndefined();
  });
});

describe('checkAuthorizationResponse', () => {
  const expected = { state: 's-1', issuer: 'https://as.example', issRequired: true };
  const check = (query: string) => checkAuthorizationResponse(new URLSearchParams(query), expected);
  it('state first, then iss, then error, then code', () => {
    expect(check('code=c&iss=https://evil')).toMatchObject({ kind: 'foreign' });
    expect(check('state=s-1&code=c')).toMatchObject({ kind: 'failed', error: { code: 'AUTH_CALLBACK' } });
    expect(check('state=s-1&iss=https://as.example/&code=c')).toMatchObject({ kind: 'failed', error: { code: 'AUTH_CALLBACK' } });
    expect(check('state=s-1&iss=https://as.example&error=access_denied')).toMatchObject({ kind: 'failed', error: { code: 'AUTH_DENIED' } });
    expect(check('state=s-1&iss=https://as.example')).toMatchObject({ kind: 'failed', error: { code: 'AUTH_CALLBACK' } });
    expect(check('state=s-1&iss=https://as.example&code=c')).toEqual({ kind: 'code', code: 'c' });
  });
});

describe('a pasted redirect', () => {
  let callback: CallbackServer | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await callback?.close();
  });

  it('goes through the callback server: only our callback URL, the same checks, one code', async () => {
    const notices: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (notices.push(String(chunk)), true));
    callback = await CallbackServer.start({});
    const exchanged: string[] = [];
    const done = callback.wait(
      { state: 's-1', issuer: 'https://as.example', issRequired: false },
      async (code) => void exchanged.push(code),
      AbortSignal.timeout(5_000),
    );
    const input = new PassThrough();
    const stop = acceptPastedRedirects(callback, input);
    const said = async (re: RegExp) => vi.waitFor(() => expect(notices.join('')).toMatch(re));
    await said(/paste it here/);
    input.write('https://as.example/authorize?state=s-1&client_id=x\n');
    await said(/not the address the sign-in sent the browser to/);
    input.write(`${callback.redirectUri}?state=other&code=stolen\n`);
    await said(/Sign-in not recognised/);
    input.write(`${callback.redirectUri}?state=s-1&code=the-code\n`);
    await done;
    await said(/Signed in: mcp-auth-proxy is signed in\./);
    expect(exchanged).toEqual(['the-code']);
    // The browser arriving later finds the sign-in done.
    const late = await fetch(`${callback.redirectUri}?state=s-1&code=again`);
    expect(late.status).toBe(409);
    stop();
  });
});
