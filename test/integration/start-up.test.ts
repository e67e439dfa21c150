// Start-up loads only what the run needs (issue 13): a proxy run with a static token answers
// initialize without loading the OAuth flow's code (nor any command's); a run that may sign in
// loads it with its first request. Node's own module log (NODE_DEBUG=module: dist/ is CommonJS)
// names every file loaded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, spawnProxy } from '../fixtures/cli.js';
import { startMcpServer } from '../fixtures/mcp-server.js';

// Files actually loaded (`load "…/dist/x.js"`), not merely asked for.
const files = (stderr: string): string[] => [...new Set([...stderr.matchAll(/load "[^"]*dist\/([\w.-]+\.js)"/g)].map((m) => m[1]!))];
const loaded = (stderr: string): string[] => files(stderr).map((f) => f.replace(/-[A-Z0-9]{8}\.js$/, '').replace(/\.js$/, ''));
// A sentence only the OAuth flow's code holds (src/auth/oauth-authorizer.ts), wherever the bundler put it.
const OAUTH_CODE = 'the sign-in ended without tokens';
const holdsOAuthCode = (stderr: string): boolean => files(stderr).some((f) => readFileSync(join(REPO_ROOT, 'dist', f), 'utf8').includes(OAUTH_CODE));

describe('what a proxy run loads before answering initialize', () => {
  it('a static token: no OAuth flow, no command code', async () => {
    const server = await startMcpServer({ kind: 'stateful', token: 'tok-123456' });
    const proxy = spawnProxy([server.url, '--oauth2Bearer', 'tok-123456'], { env: { NODE_DEBUG: 'module' } });
    expect((await proxy.initialize()).result).toBeDefined();
    const files = loaded(proxy.stderr);
    expect(files).toContain('main');
    expect(holdsOAuthCode(proxy.stderr)).toBe(false);
    for (const lazy of ['create-oauth-authorizer', 'doctor', 'login', 'logout', 'status', 'token', 'open']) expect(files).not.toContain(lazy);
  });

  it('no credentials given: the OAuth flow is loaded for the first request, which may need it', async () => {
    const server = await startMcpServer({ kind: 'stateful' });
    const proxy = spawnProxy([server.url], { env: { NODE_DEBUG: 'module' } });
    expect((await proxy.initialize()).result).toBeDefined();
    expect(loaded(proxy.stderr)).toContain('create-oauth-authorizer');
    expect(holdsOAuthCode(proxy.stderr)).toBe(true);
  });
});
