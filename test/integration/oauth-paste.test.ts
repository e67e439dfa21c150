// `login` where the browser runs on another machine and the AS has no device flow: the user opens
// the printed URL elsewhere, that browser cannot load the loopback callback, and the user pastes
// its address on the terminal. The pasted URL meets the same checks as the callback (state, iss,
// one code). Needs a terminal: the CLI runs under `script`, which gives it a pseudo-terminal.
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { runStandInBrowser } from '../fixtures/browser.mjs';
import { CLI_PATH, REPO_ROOT } from '../fixtures/cli.js';
import { startOidcServer } from '../fixtures/oidc-server.js';
import { startProtectedMcpServer } from '../fixtures/protected-mcp-server.js';
import { readStore, tempDir } from '../fixtures/oauth-cli.js';

vi.setConfig({ testTimeout: 30_000 });

const hasScript = spawnSync('script', ['--version']).status === 0;
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The CLI under a pseudo-terminal: what it writes (stdout and stderr, as a terminal shows them), and its stdin. */
function onTerminal(args: string[]) {
  const env: Record<string, string> = { XDG_CONFIG_HOME: tempDir() };
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('MCP_AUTH_PROXY_') && k !== 'XDG_CONFIG_HOME') env[k] = v;
  const command = [process.execPath, CLI_PATH, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (re: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = re.exec(output);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`no ${re} within ${timeoutMs} ms; output:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { child, output: () => output, exited, waitFor, type: (line: string) => child.stdin.write(`${line}\r`) };
}

describe.skipIf(!hasScript)('login: the redirected URL pasted on the terminal', () => {
  it('rejects what is not our callback, ignores a foreign state, and signs in with the right address', async () => {
    const oidc = await startOidcServer({ deviceFlow: false });
    const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
    const authDir = tempDir();
    const term = onTerminal(['login', mcp.url, '--browser', 'none', '--auth-dir', authDir, '--auth-timeout', '20']);
    try {
      const [, authorizationUrl] = await term.waitFor(/sign-in needed[^\n]*\r?\n\s+(http\S+)/);
      await term.waitFor(/paste it here/);
      // The user's browser, on another machine, ends at the loopback address it cannot load.
      const { callbackUrl } = await runStandInBrowser(authorizationUrl!, { mode: 'unreachable-callback' });
      expect(callbackUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);

      term.type('no idea what to paste');
      await term.waitFor(/that is not a URL/);
      // The sign-in URL itself carries our state: it must not be taken for a response.
      term.type(authorizationUrl!);
      await term.waitFor(/not the address the sign-in sent the browser to/);
      const foreign = new URL(callbackUrl!);
      foreign.searchParams.set('state', 'someone-elses-state');
      term.type(foreign.href);
      await term.waitFor(/Sign-in not recognised: [^\r\n]*state mismatch/);

      term.type(callbackUrl!);
      expect(await term.exited).toBe(0);
      expect(term.output()).toContain(`Signed in to ${mcp.url}`);
      expect(readStore(authDir).servers).toHaveLength(1);
      expect(oidc.counters.tokenRequests).toEqual({ authorization_code: 1 });
    } finally {
      term.child.kill('SIGKILL');
    }
  });

  it('a pasted response from the wrong issuer ends the sign-in (RFC 9207), like the callback would', async () => {
    const oidc = await startOidcServer({ deviceFlow: false });
    const mcp = await startProtectedMcpServer({ authServer: oidc, scopesSupported: ['mcp:read'] });
    const term = onTerminal(['login', mcp.url, '--browser', 'none', '--auth-dir', tempDir(), '--auth-timeout', '20']);
    try {
      const [, authorizationUrl] = await term.waitFor(/sign-in needed[^\n]*\r?\n\s+(http\S+)/);
      const { callbackUrl } = await runStandInBrowser(authorizationUrl!, { mode: 'unreachable-callback' });
      const mixedUp = new URL(callbackUrl!);
      mixedUp.searchParams.set('iss', 'https://attacker.example');
      await term.waitFor(/paste it here/);
      term.type(mixedUp.href);
      expect(await term.exited).toBe(3);
      expect(term.output()).toContain('RFC 9207');
      expect(oidc.counters.tokenRequests).toEqual({});
    } finally {
      term.child.kill('SIGKILL');
    }
  });
});
