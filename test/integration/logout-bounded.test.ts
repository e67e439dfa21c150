// Issue 10 §8: logout against a revocation endpoint that never answers took 2 x 15 s per server,
// and --all-servers multiplied it. Both tokens are now revoked concurrently, servers too, under
// one bound for the whole command; the output says which server's revocation did not answer.
import { describe, expect, it, vi } from 'vitest';
import { TokenStore, type ServerRecord } from '../../src/auth/token-store.js';
import { runLogout } from '../../src/commands/logout.js';
import { buildStoreConfig } from '../../src/config.js';
import { faults, startRawServer } from '../fixtures/raw-server.js';
import { tempDir } from '../fixtures/teardown.js';

function record(server: string, revocationEndpoint: string): ServerRecord {
  return {
    server,
    issuer: 'https://as.example.com',
    clientId: 'pub',
    clientAuthMethod: 'none',
    resource: undefined,
    requestedScope: undefined,
    tokenEndpoint: 'https://as.example.com/token',
    revocationEndpoint,
    tokens: { accessToken: 'at', refreshToken: 'rt', expiresAt: undefined, scope: undefined },
    updatedAt: 0,
  };
}

describe('logout with a revocation endpoint that never answers', () => {
  it('--all-servers: every revocation sent at once, the command bounded, each silent server named', async () => {
    const hanging = await startRawServer(faults.hang, '/revoke');
    const dir = tempDir();
    const store = new TokenStore(dir);
    const servers = ['https://one.example.com/mcp', 'https://two.example.com/mcp'];
    for (const server of servers) await store.writeServer(record(server, hanging.url));

    const said: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      said.push(String(chunk));
      return true;
    });
    let code: number;
    try {
      code = await runLogout(buildStoreConfig(undefined, { authDir: dir }, {}), { all: false, allServers: true, revocationMs: 2_000 });
    } finally {
      spy.mockRestore();
    }
    expect(code).toBe(0);
    // Four revocations (two tokens, two servers), all in flight together before the bound.
    expect(hanging.log.entries).toHaveLength(4);
    const text = said.join('');
    for (const server of servers) {
      expect(text).toMatch(new RegExp(`${server.replace(/\./g, '\\.')}: warning: could not revoke the refresh token .*did not answer in time`));
      expect(text).toContain(`signed out of ${server}`);
    }
    expect(await store.listServers()).toEqual([]);
  });
});
