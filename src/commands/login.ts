/**
 * `mcp-auth-proxy login <server-url>`: signs in now (discovery, registration, the browser) and
 * stores the tokens, so that the proxy started later by a host needs no browser. When usable
 * tokens are stored already (unexpired, or refreshed, and not refused by the server), it says so
 * and does nothing unless --force. Prints who and what was authorized on stdout, never a token.
 */
import { createOAuthAuthorizer } from '../auth/authorizer.js';
import { probeServer } from '../auth/probe.js';
import { ENV, type Config } from '../config.js';
import { UsageError } from '../errors.js';
import { setLogLevel } from '../log.js';
import { displayUrl } from '../url.js';
import { print, say } from './output.js';
import { signInAfter } from './sign-in.js';
import { describe, isExpired } from './summary.js';
import { configureHttp } from '../transport/http.js';

export async function runLogin(config: Config, options: { force: boolean }): Promise<number> {
  setLogLevel(config.logLevel);
  configureHttp(config.network);
  if (!config.oauth.enabled) {
    throw new UsageError('INVALID_OPTION', 'login signs in with OAuth, and an Authorization --header would replace its token: drop that header');
  }
  if (config.bearerEnvIgnored) {
    say(`note: ${ENV.bearer} is set, so proxy runs with this environment send that token, not the one stored by login`);
  }
  const serverUrl = new URL(config.serverUrl);
  // On a terminal, the redirected URL may be pasted when the browser runs on another machine.
  const authorizer = createOAuthAuthorizer(config, { pasteFrom: process.stdin.isTTY ? process.stdin : undefined });
  if (!options.force) {
    const authorization = await authorizer.authorization(); // refreshes a token about to expire
    const current = await authorizer.credentials();
    if (authorization !== undefined && current?.tokens && !isExpired(current.tokens)) {
      const probe = await probeServer(serverUrl, config.headers, authorization);
      if (!probe.refused) {
        print(`${describe('Already signed in to', current)}\n(run mcp-auth-proxy login --force ${displayUrl(serverUrl)} to sign in again)`);
        return 0;
      }
      say(`the server refused the stored token (${probe.refused.status}); signing in again`);
      print(describe('Signed in to', await signInAfter(probe, authorizer, serverUrl)));
      return 0;
    }
  }
  const probe = await probeServer(serverUrl, config.headers, undefined);
  print(describe('Signed in to', await signInAfter(probe, authorizer, serverUrl)));
  return 0;
}
