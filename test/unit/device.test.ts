// RFC 8628 at the boundary: the device authorization response is validated before anything is
// shown, and the polling loop ends as the token endpoint says (pending, slow_down, denied, expired).
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEVICE_GRANT,
  deviceFlowSupported,
  parseDeviceAuthorization,
  pollDeviceToken,
  requestDeviceAuthorization,
  type DeviceAuthorization,
} from '../../src/auth/device.js';
import type { AuthServerMetadata } from '../../src/auth/discovery.js';
import { buildNetwork } from '../../src/config.js';
import { ProxyError } from '../../src/errors.js';
import { HttpClient } from '../../src/http/client.js';
import { scripted, startFormEndpoint } from '../fixtures/form-endpoint.js';
import { ManualClock } from '../fixtures/manual-clock.js';

const http = new HttpClient(buildNetwork({}, {}));
afterAll(() => http.close());

const local = { allowHttp: false };
const valid = { device_code: 'dc-1', user_code: 'WDJB-MJHT', verification_uri: 'https://as.example/device', expires_in: 600 };

describe('parseDeviceAuthorization', () => {
  it('reads the fields, with a 5 s interval by default', () => {
    expect(parseDeviceAuthorization({ ...valid, verification_uri_complete: 'https://as.example/device?user_code=WDJB-MJHT' }, local)).toMatchObject({
      deviceCode: 'dc-1',
      userCode: 'WDJB-MJHT',
      verificationUri: new URL('https://as.example/device'),
      verificationUriComplete: new URL('https://as.example/device?user_code=WDJB-MJHT'),
      expiresInS: 600,
      intervalS: 5,
    });
    expect(parseDeviceAuthorization({ ...valid, interval: 2 }, local).intervalS).toBe(2);
    expect(parseDeviceAuthorization({ ...valid, interval: 0 }, local).intervalS).toBe(1);
    // Google's spelling.
    const { verification_uri: _u, ...google } = valid;
    expect(parseDeviceAuthorization({ ...google, verification_url: 'https://www.google.com/device' }, local).verificationUri.href).toBe(
      'https://www.google.com/device',
    );
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no device_code', { ...valid, device_code: undefined }, /"device_code" .* is missing/],
    ['no user_code', { ...valid, user_code: '' }, /"user_code" .* is missing/],
    ['a user_code with escape sequences', { ...valid, user_code: 'AB\u001b[2JCD' }, /printable/],
    ['no verification_uri', { ...valid, verification_uri: undefined }, /"verification_uri" .* is missing/],
    ['a javascript: verification_uri', { ...valid, verification_uri: 'javascript:alert(1)' }, /must be an https URL/],
    ['a plain-http verification_uri off loopback', { ...valid, verification_uri: 'http://as.example/device' }, /plain http/],
    ['no expires_in', { ...valid, expires_in: undefined }, /"expires_in" .* is missing/],
    ['a bad interval', { ...valid, interval: 'soon' }, /"interval" .* number of seconds/],
  ])('refuses %s', (_what, body, message) => {
    expect(() => parseDeviceAuthorization(body, local)).toThrow(message);
  });

  it('drops a bad verification_uri_complete, keeping the URL and the code', () => {
    expect(parseDeviceAuthorization({ ...valid, verification_uri_complete: 'file:///etc/passwd' }, local).verificationUriComplete).toBeUndefined();
  });
});

describe('deviceFlowSupported', () => {
  const as = (device: string | undefined, grants: string[] | undefined) =>
    ({ deviceAuthorizationEndpoint: device ? new URL(device) : undefined, grantTypes: grants }) as AuthServerMetadata;
  it('needs the endpoint, and the grant when grant_types_supported is listed', () => {
    expect(deviceFlowSupported(as('https://as/device', undefined))).toBe(true);
    expect(deviceFlowSupported(as('https://as/device', ['authorization_code', DEVICE_GRANT]))).toBe(true);
    expect(deviceFlowSupported(as('https://as/device', ['authorization_code']))).toBe(false);
    expect(deviceFlowSupported(as(undefined, [DEVICE_GRANT]))).toBe(false);
  });
});

describe('pollDeviceToken', () => {
  // Time moves only while pollDeviceToken sleeps: no test waits out an interval.
  let clock = new ManualClock();

  /** A token endpoint answering each poll from the script, in order (the last answer repeats); `at` by the test's clock. */
  async function tokenEndpoint(script: Array<[number, object]>): Promise<{ url: URL; polls: Array<{ at: number; form: URLSearchParams }> }> {
    clock = new ManualClock();
    const { url, posts } = await startFormEndpoint('/token', scripted(script), { clock });
    return { url, polls: posts };
  }

  const device = (over: Partial<DeviceAuthorization> = {}): DeviceAuthorization => ({
    deviceCode: 'dc-1',
    userCode: 'WDJB-MJHT',
    verificationUri: new URL('https://as/device'),
    verificationUriComplete: undefined,
    expiresInS: 600,
    intervalS: 1,
    ...over,
  });
  const client = { clientId: 'cli', clientSecret: undefined, method: 'none' };
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e as ProxyError,
    );

  it('keeps polling while authorization_pending, then returns the tokens; sends the grant, code, client and resource', async () => {
    const { url, polls } = await tokenEndpoint([
      [400, { error: 'authorization_pending' }],
      [200, { access_token: 'at', token_type: 'Bearer', expires_in: 60, refresh_token: 'rt' }],
    ]);
    const tokens = await pollDeviceToken(http, url, client, device(), { resource: 'https://mcp.example/mcp', timeoutMs: 10_000, clock });
    expect(tokens).toMatchObject({ accessToken: 'at', refreshToken: 'rt' });
    expect(polls).toHaveLength(2);
    expect(Object.fromEntries(polls[0]!.form)).toEqual({
      grant_type: DEVICE_GRANT,
      device_code: 'dc-1',
      resource: 'https://mcp.example/mcp',
      client_id: 'cli',
    });
    expect(polls[1]!.at - polls[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('access_denied → AUTH_DENIED; expired_token → AUTH_TIMEOUT; any other error → AUTH_TOKEN', async () => {
    let { url } = await tokenEndpoint([[400, { error: 'access_denied' }]]);
    expect(await failure(pollDeviceToken(http, url, client, device(), { resource: undefined, timeoutMs: 5_000, clock }))).toMatchObject({
      code: 'AUTH_DENIED',
    });
    ({ url } = await tokenEndpoint([[400, { error: 'expired_token' }]]));
    expect(await failure(pollDeviceToken(http, url, client, device(), { resource: undefined, timeoutMs: 5_000, clock }))).toMatchObject({
      code: 'AUTH_TIMEOUT',
      oauthError: 'expired_token',
    });
    ({ url } = await tokenEndpoint([[400, { error: 'invalid_grant', error_description: 'nope' }]]));
    expect(await failure(pollDeviceToken(http, url, client, device(), { resource: undefined, timeoutMs: 5_000, clock }))).toMatchObject({
      code: 'AUTH_TOKEN',
      oauthError: 'invalid_grant',
    });
  });

  it('stops at expires_in when it comes before the timeout, and says the code expired', async () => {
    const { url, polls } = await tokenEndpoint([[400, { error: 'authorization_pending' }]]);
    const started = clock.now();
    const error = await failure(pollDeviceToken(http, url, client, device({ expiresInS: 2.5 }), { resource: undefined, timeoutMs: 60_000, clock }));
    expect(error).toMatchObject({ code: 'AUTH_TIMEOUT' });
    expect(error?.message).toContain('code expired');
    expect(clock.now() - started).toBeLessThan(4_000);
    expect(polls.length).toBeGreaterThanOrEqual(1);
  });

  // Moved here from the integration tests, where they were measured on the wall clock.
  it('slow_down adds 5 s to the polling interval, for good', async () => {
    const { url, polls } = await tokenEndpoint([
      [400, { error: 'slow_down' }],
      [400, { error: 'authorization_pending' }],
      [200, { access_token: 'at', token_type: 'Bearer', expires_in: 60 }],
    ]);
    await pollDeviceToken(http, url, client, device(), { resource: undefined, timeoutMs: 60_000, clock });
    expect(polls.length).toBe(3);
    expect(polls[1]!.at - polls[0]!.at).toBeGreaterThanOrEqual(5_900);
    expect(polls[1]!.at - polls[0]!.at).toBeLessThan(9_000);
    expect(polls[2]!.at - polls[1]!.at).toBeGreaterThanOrEqual(5_900);
  });

  it('declined: AUTH_DENIED at the next poll', async () => {
    const { url, polls } = await tokenEndpoint([[400, { error: 'access_denied' }]]);
    const declinedAt = clock.now();
    expect(await failure(pollDeviceToken(http, url, client, device(), { resource: undefined, timeoutMs: 20_000, clock }))).toMatchObject({
      code: 'AUTH_DENIED',
    });
    expect(clock.now() - declinedAt).toBeLessThan(3_000);
    expect(polls.length).toBe(1);
  });

  it('not approved within the timeout: AUTH_TIMEOUT naming --auth-timeout, and polling stops', async () => {
    const { url, polls } = await tokenEndpoint([[400, { error: 'authorization_pending' }]]);
    const started = clock.now();
    const error = await failure(pollDeviceToken(http, url, client, device(), { resource: undefined, timeoutMs: 2_000, clock }));
    expect(error).toMatchObject({ code: 'AUTH_TIMEOUT' });
    expect(error?.message).toContain('--auth-timeout');
    expect(clock.now() - started).toBeLessThan(6_000);
    const seen = polls.length;
    await clock.advance(1_500);
    expect(polls.length).toBe(seen);
  });
});

describe('requestDeviceAuthorization', () => {
  it("sends --authorize-param (e.g. Auth0 audience) with the flow's own parameters", async () => {
    const endpoint = await startFormEndpoint('/device', scripted([[200, valid]]));
    const as = { issuer: 'http://127.0.0.1', deviceAuthorizationEndpoint: endpoint.url } as unknown as AuthServerMetadata;
    const client = { clientId: 'cli', clientSecret: undefined, method: 'none' };
    await requestDeviceAuthorization(
      http,
      as,
      client,
      { scope: 'openid', resource: 'https://mcp.example/mcp', extra: { audience: 'https://api.example.com', organization: 'org_1' } },
      { allowHttp: true },
    );
    const form = endpoint.posts[0]!.form;
    expect(Object.fromEntries(form)).toMatchObject({
      audience: 'https://api.example.com',
      organization: 'org_1',
      scope: 'openid',
      resource: 'https://mcp.example/mcp',
      client_id: 'cli',
    });
  });
});
