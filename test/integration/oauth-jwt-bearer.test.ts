// Workload identity federation (issue 12 §3): --grant jwt-bearer --assertion-file, a platform-signed
// JWT presented with the RFC 7523 §2.1 grant at the MCP server's own AS (jwt-bearer-as.ts, which
// verifies it against the platform's JWKS and accepts each jti once). The file is read afresh for
// each token request (platforms rotate it); a refused assertion is an error naming the claim, with
// no retry and no fallback to a browser sign-in; the assertion is never logged.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { decodeJwt } from 'jose';
import { errorOf, resultOf, spawnProxy, toolText } from '../fixtures/cli.js';
import { formOf, pathnameOf } from '../fixtures/auth-common.js';
import { JWT_BEARER, startJwtBearerAs } from '../fixtures/jwt-bearer-as.js';
import { echo, readStore, tempDir } from '../fixtures/oauth-cli.js';
import { connectClient } from '../fixtures/cli.js';
import { startProtectedMcpServer } from '../fixtures/protected-mcp-server.js';
import { closedWithTest } from '../fixtures/teardown.js';
import { createWorkloadPlatform } from '../fixtures/workload-platform.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

vi.setConfig({ testTimeout: 30_000 });

async function setup() {
  const platform = await createWorkloadPlatform();
  const as = closedWithTest(await startJwtBearerAs({ platforms: [{ issuer: platform.issuer, jwks: platform.jwks }] }));
  const mcp = closedWithTest(await startProtectedMcpServer({ authServer: as.oidc, scopesSupported: ['mcp:read'] }));
  const assertionFile = join(tempDir(), 'token.jwt');
  return { platform, as, mcp, assertionFile };
}

describe('--grant jwt-bearer (workload identity)', () => {
  it('reads the assertion file afresh for each token request: a rotated token is the one presented', async () => {
    const { platform, as, mcp, assertionFile } = await setup();
    const first = await platform.sign(as.issuer);
    writeFileSync(assertionFile, `${first}\n`, { mode: 0o600 });
    const authDir = tempDir();
    const { client, stderr } = await connectClient(mcp.url, [
      '--grant',
      'jwt-bearer',
      '--client-id',
      'workload-client',
      '--assertion-file',
      assertionFile,
      '--auth-dir',
      authDir,
      '--log-level',
      'debug',
    ]);
    expect(await echo(client, 'no user, no secret')).toBe('no user, no secret');

    // The platform rotates the token; the AS refuses the access token, so a new grant is needed.
    const second = await platform.sign(as.issuer, { sub: 'workload-rotated' });
    writeFileSync(assertionFile, second, { mode: 0o600 });
    as.oidc.expireAccessTokens();
    expect(await echo(client, 'after rotation')).toBe('after rotation');

    // Each grant carried the file's content at that moment (the AS accepts each jti once, so a
    // cached first assertion would have been refused).
    expect(as.grants.map((g) => [g.kind, g.error, g.claims?.['jti']])).toEqual([
      ['workload', undefined, decodeJwt(first).jti],
      ['workload', undefined, decodeJwt(second).jti],
    ]);
    expect(mcp.acceptedTokens.at(-1)).toMatchObject({ sub: 'workload-rotated', aud: mcp.url, client_id: 'workload-client' });
    const forms = as.oidc.log.entries.filter((e) => e.method === 'POST' && pathnameOf(e) === '/token').map(formOf);
    expect(forms.map((f) => [f.get('grant_type'), f.get('resource'), f.get('scope'), f.get('client_id')])).toEqual([
      [JWT_BEARER, mcp.resource, 'mcp:read', 'workload-client'],
      [JWT_BEARER, mcp.resource, 'mcp:read', 'workload-client'],
    ]);
    expect(as.oidc.counters).toMatchObject({ registrations: 0, authorizationRequests: 0 });
    expect(readStore(authDir).servers[0]!.byIssuer[as.issuer]).toMatchObject({ grant: 'jwt-bearer', clientId: 'workload-client' });
    // The assertion is a credential: never in a log line.
    expect(stderr()).not.toContain(first);
    expect(stderr()).not.toContain(second);
    expect(stderr()).not.toContain(second.split('.')[2]!);
  });

  it('a refused assertion is an error naming the claim the AS objected to, with no retry and no browser', async () => {
    const { platform, as, mcp, assertionFile } = await setup();
    const wrong = await platform.sign('https://another-as.example');
    writeFileSync(assertionFile, wrong, { mode: 0o600 });
    const proxy = spawnProxy([
      mcp.url,
      '--grant',
      'jwt-bearer',
      '--client-id',
      'workload-client',
      '--assertion-file',
      assertionFile,
      '--auth-dir',
      tempDir(),
      '--log-level',
      'debug',
    ]);
    const initialize = (id: string) =>
      proxy.request('initialize', { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'wif-test', version: '0' } }, id, 20_000);
    const init = await initialize('init');
    const error = errorOf(init);
    expect(error.data?.code).toBe('AUTH_ASSERTION_REJECTED');
    expect(error.message).toContain('"aud"');
    expect(error.message).toContain(assertionFile);
    expect(as.grants.map((g) => g.error)).toEqual(['invalid_grant']);
    expect(as.oidc.counters).toMatchObject({ registrations: 0, authorizationRequests: 0 });
    expect(proxy.stderr).not.toContain('sign-in needed');
    expect(proxy.stderr).not.toContain(wrong);
    expect(error.message).not.toContain(wrong);

    // Fixed at the platform: the host's next request reads the file again and gets through.
    writeFileSync(assertionFile, await platform.sign(as.issuer), { mode: 0o600 });
    resultOf(await initialize('init-again'));
    proxy.notify('notifications/initialized');
    expect(toolText(await proxy.callTool('echo', { text: 'fixed' }))).toBe('fixed');
    expect(as.grants.map((g) => g.error ?? g.kind)).toEqual(['invalid_grant', 'workload']);
  });
});
