// What the server said, made safe for a host's log (issue 9 item 2), and when a 400 means the
// session is gone (item 1).
import { describe, expect, it } from 'vitest';
import { challengeReason, MAX_REASON_CHARS, serverReason } from '../../src/http/server-reason.js';
import { isLostSession400, saysSessionUnknown } from '../../src/transport/session-unknown.js';

describe('serverReason', () => {
  it.each([
    [
      'a JSON-RPC error',
      '{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"Bad Request: No valid session ID provided"}}',
      'Bad Request: No valid session ID provided',
    ],
    ['an OAuth error with a description', '{"error":"insufficient_scope","error_description":"needs tools:write"}', 'insufficient_scope: needs tools:write'],
    ['an OAuth error alone', '{"error":"invalid_token"}', 'invalid_token'],
    ['a {"message"} body', '{"message":"rate limited"}', 'rate limited'],
    ['a short text, on one line', 'upstream\r\n  unavailable\t!', 'upstream unavailable !'],
  ])('%s', (_name, body, reason) => {
    expect(serverReason(body, 'application/json')).toBe(reason);
  });

  it('nothing from HTML pages, empty bodies, or JSON without a message', () => {
    expect(serverReason('<html><h1>502</h1></html>', 'text/html')).toBeUndefined();
    expect(serverReason('', 'text/plain')).toBeUndefined();
    expect(serverReason('{"ok":false}', 'application/json')).toBeUndefined();
  });

  it('bounded, and credentials are redacted', () => {
    const said = serverReason(`token refused: Bearer abcdefghijklmnop ${'y'.repeat(1000)}`, 'text/plain')!;
    expect(said.length).toBeLessThanOrEqual(MAX_REASON_CHARS);
    expect(said).toContain('Bearer [redacted]');
    expect(said).not.toContain('abcdefghijklmnop');
  });

  it('the error and description of a Bearer challenge', () => {
    expect(challengeReason(['Bearer error="insufficient_scope", error_description="needs admin", scope="admin"'])).toBe('insufficient_scope: needs admin');
    expect(challengeReason(['Bearer realm="x"'])).toBeUndefined();
  });
});

describe('a 400 as a lost session', () => {
  const json = 'application/json';
  const noSession = '{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"Bad Request: No valid session ID provided"}}';
  const noProbe = () => Promise.reject(new Error('not asked'));

  it.each(['Bad Request: No valid session ID provided', 'Session not found', 'Invalid or missing session ID', 'Unknown session'])(
    '"%s" says the session is unknown',
    (message) => {
      expect(saysSessionUnknown(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message } }), json)).toBe(true);
    },
  );

  it('only for a session id that had worked', async () => {
    const answer = { status: 400, body: noSession, contentType: json };
    expect(await isLostSession400(answer, { sent: 's1', worked: true }, noProbe)).toBe(true);
    expect(await isLostSession400(answer, { sent: 's1', worked: false }, noProbe)).toBe(false);
    expect(await isLostSession400(answer, { sent: undefined, worked: true }, noProbe)).toBe(false);
  });

  it('a body that does not say: the GET with the same session id decides', async () => {
    const answer = { status: 400, body: 'Bad Request', contentType: 'text/plain' };
    const session = { sent: 's1', worked: true };
    expect(await isLostSession400(answer, session, async () => ({ status: 400, body: noSession, contentType: json }))).toBe(true);
    expect(await isLostSession400(answer, session, async () => ({ status: 404, body: '', contentType: undefined }))).toBe(true);
    expect(await isLostSession400(answer, session, async () => ({ status: 200, body: '', contentType: undefined }))).toBe(false);
    expect(await isLostSession400(answer, session, noProbe)).toBe(false);
  });
});
