import { describe, expect, it } from 'vitest';
import { describe as describeRecord, expiry, relativeTime, summary } from '../../src/commands/summary.js';
import type { ServerRecord } from '../../src/auth/token-store.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');

function record(tokens: Partial<NonNullable<ServerRecord['tokens']>> | undefined): ServerRecord {
  return {
    server: 'https://mcp.example/mcp?api_key=q-SECRET-123',
    issuer: 'https://as.example',
    clientId: 'client-1',
    clientAuthMethod: 'none',
    resource: 'https://mcp.example/mcp',
    requestedScope: 'read write offline_access',
    tokenEndpoint: 'https://as.example/token',
    revocationEndpoint: undefined,
    tokens: tokens && { accessToken: 'at-SECRET-456', refreshToken: undefined, expiresAt: undefined, scope: undefined, ...tokens },
    updatedAt: NOW,
  };
}

describe('relativeTime', () => {
  it.each([
    [0, '0 s'],
    [45_000, '45 s'],
    [-45_000, '45 s'],
    [53 * 60_000, '53 min'],
    [2 * 3_600_000, '2 h'],
    [47 * 3_600_000, '47 h'],
    [3 * 86_400_000, '3 d'],
  ])('%d ms → %s', (ms, text) => expect(relativeTime(ms)).toBe(text));
});

describe('summary', () => {
  it('a valid token: expiry in the future, granted scope, no token values and no query string', () => {
    const s = summary(record({ expiresAt: NOW + 53 * 60_000, refreshToken: 'rt-SECRET-789', scope: 'read' }), NOW);
    expect(s).toMatchObject({
      server: 'https://mcp.example/mcp',
      accessToken: 'valid',
      expiresIn: 3180,
      refreshToken: true,
      scope: 'read',
      expiresAt: '2026-01-01T12:53:00.000Z',
    });
    expect(expiry(s)).toBe('in 53 min');
    const text = JSON.stringify(s) + describeRecord('Signed in to', record({ expiresAt: NOW + 1000, refreshToken: 'rt-SECRET-789' }));
    expect(text).not.toMatch(/SECRET/);
  });

  it('expired, no stated expiry, no token', () => {
    const expired = summary(record({ expiresAt: NOW - 2 * 3_600_000 }), NOW);
    expect(expired.accessToken).toBe('expired');
    expect(expiry(expired)).toBe('expired 2 h ago');
    expect(expired.scope).toBe('read write offline_access'); // none granted: the requested one
    const forever = summary(record({}), NOW);
    expect([forever.accessToken, forever.expiresAt, expiry(forever)]).toEqual(['valid', null, 'no stated expiry']);
    const none = summary(record(undefined), NOW);
    expect([none.accessToken, none.refreshToken, expiry(none)]).toEqual(['none', false, 'none']);
  });
});
