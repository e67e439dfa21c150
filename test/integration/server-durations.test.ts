// Issue 10 §2: durations a hostile server sends (device `interval`/`expires_in`, SSE `retry:`, a
// token's `expires_in`, Retry-After) are clamped at the boundary. Unclamped, 10^9 s or ms overflows
// Node's timer into ~1 ms: polls and reconnects in a busy loop, a TimeoutOverflowWarning each.
import { afterAll, describe, expect, it } from 'vitest';
import { parseDeviceAuthorization, pollDeviceToken } from '../../src/auth/device.js';
import { staticAuthorizer } from '../../src/auth/static-authorizer.js';
import { tokenRequest } from '../../src/auth/token-endpoint.js';
import { buildNetwork } from '../../src/config.js';
import { BOUNDS, MAX_TIMER_MS, clampMs, clampSeconds, retryAfterMs } from '../../src/duration-bounds.js';
import { HttpClient } from '../../src/http/client.js';
import { StreamableHttpTransport } from '../../src/transport/streamable-http.js';
import { scripted, startFormEndpoint } from '../fixtures/form-endpoint.js';
import { startRawServer } from '../fixtures/raw-server.js';
import { whenTestEnds } from '../fixtures/teardown.js';

const http = new HttpClient(buildNetwork({}, {}));
afterAll(() => http.close());

const HUGE = 1e9;

/** TimeoutOverflowWarnings emitted while the current test runs. */
function overflowWarnings(): Error[] {
  const seen: Error[] = [];
  const listener = (warning: Error): void => {
    if (warning.name === 'TimeoutOverflowWarning') seen.push(warning);
  };
  process.on('warning', listener);
  whenTestEnds(() => process.off('warning', listener));
  return seen;
}

describe('clampMs / retryAfterMs', () => {
  it('keeps values in range and never past what a timer holds', () => {
    expect(clampMs(HUGE * 1000, BOUNDS.deviceInterval)).toBe(3_600_000);
    expect(clampMs(0, BOUNDS.sseRetry)).toBe(100);
    expect(clampMs(Number.NaN, BOUNDS.sseRetry)).toBe(100);
    expect(clampSeconds(Infinity, BOUNDS.tokenExpiresIn)).toBeLessThanOrEqual(MAX_TIMER_MS * 20);
    for (const bounds of Object.values(BOUNDS)) expect(clampMs(Number.MAX_VALUE, bounds)).toBeLessThanOrEqual(MAX_TIMER_MS);
  });

  it('reads Retry-After as seconds or an HTTP date, clamped', () => {
    expect(retryAfterMs('5', 0)).toBe(5_000);
    expect(retryAfterMs(String(HUGE), 0)).toBe(600_000);
    expect(retryAfterMs(new Date(60_000).toUTCString(), 0)).toBe(60_000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(undefined, 0)).toBeUndefined();
  });
});

describe('device grant', () => {
  const body = { device_code: 'dc', user_code: 'ABCD-EFGH', verification_uri: 'https://as.example/device', expires_in: HUGE * 1000, interval: HUGE };

  it('an interval of 10^9 s is honoured up to an hour, the code lifetime up to a day', () => {
    const device = parseDeviceAuthorization(body, { allowHttp: false });
    expect(device.intervalS).toBe(3_600);
    expect(device.expiresInS).toBe(86_400);
  });

  it('polling with a 10^9 s interval: no poll before the timeout, no TimeoutOverflowWarning (was a 1 ms busy loop)', async () => {
    const warnings = overflowWarnings();
    const { url, posts } = await startFormEndpoint('/token', scripted([[400, { error: 'authorization_pending' }]]));
    const device = parseDeviceAuthorization(body, { allowHttp: false });
    const error = await pollDeviceToken(http, url, { clientId: 'c', clientSecret: undefined, method: 'none' }, device, {
      resource: undefined,
      timeoutMs: 300,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AUTH_TIMEOUT' });
    expect(posts).toHaveLength(0);
    expect(warnings).toEqual([]);
  });
});

it('a token expires_in of 1e300 s becomes a valid date, not Infinity', async () => {
  const { url } = await startFormEndpoint('/token', scripted([[200, { access_token: 'at', token_type: 'Bearer', expires_in: 1e300 }]]));
  const tokens = await tokenRequest(http, url, { clientId: 'c', clientSecret: undefined, method: 'none' }, { grant_type: 'client_credentials' });
  expect(Number.isFinite(tokens.expiresAt)).toBe(true);
  expect(Number.isNaN(new Date(tokens.expiresAt!).getTime())).toBe(false);
});

it('an SSE retry: of 10^10 ms (past the 2^31-1 ms a timer holds) does not turn GET stream reconnects into a busy loop', async () => {
  const warnings = overflowWarnings();
  let streamEnded!: () => void;
  const ended = new Promise<void>((resolve) => (streamEnded = resolve));
  const server = await startRawServer((req, res, entry) => {
    if (req.method === 'GET') {
      // The stream advises a huge reconnection time, then ends.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`retry: ${HUGE * 10}\n\n`, () => streamEnded());
      return;
    }
    const message = entry.body as { id?: unknown; method?: string };
    if (message.id === undefined) return void res.writeHead(202).end();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        jsonrpc: '2.0',
        id: message.id,
        result: message.method === 'initialize' ? { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 's', version: '1' } } : {},
      }),
    );
  });
  const transport = new StreamableHttpTransport({ url: new URL(server.url), headers: {}, authorizer: staticAuthorizer(undefined), http });
  whenTestEnds(() => transport.close());
  await transport.request({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} });
  await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  await ended;
  // Round trips after the stream ended: an overflowed 1 ms back-off would have reconnected many times by now.
  for (let i = 2; i < 6; i++) await transport.request({ jsonrpc: '2.0', id: i, method: 'ping' });
  expect(server.log.entries.filter((e) => e.method === 'GET')).toHaveLength(1);
  expect(warnings).toEqual([]);
});
