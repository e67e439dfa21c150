/**
 * `mcp-auth-proxy login <server-url>`: signs in now (discovery, registration, the browser) and
 * stores the tokens, so that the proxy started later by a host needs no browser. When usable
 * tokens are stored already (unexpired, or refreshed, and not refused by the server), it says so
 * and does nothing unless --force. Prints who and what was authorized on stdout, never a token.
 */
import { probeServer } from '../auth/probe.js';
import { ENV, type Config } from '../config.js';
import { createOAuthAuthorizer } from '../auth/create-oauth-authorizer.js';
import { UsageError } from '../errors.js';
import { createHttpClient } from '../create-http-client.js';
import type { OutgoingRequest } from '../http/authorizer.js';
import type { HttpClient } from '../http/client.js';
import { setLogLevel } from '../log.js';
import { displayUrl } from '../url.js';
import { print, say } from './output.js';
import { withHttpClient } from './with-http-client.js';
import { signInAfter } from './sign-in.js';
import { describe, isExpired } from './summary.js';

export async function runLogin(config: Config, options: { force: boolean }): Promise<number> {
  setLogLevel(config.logLevel);
  if (!config.oauth.enabled) {
    throw new UsageError('INVALID_OPTION', 'login signs in with OAuth, and an Authorization --header would replace its token: drop that header');
  }
  if (config.bearerEnvIgnored) {
    say(`note: ${ENV.bearer} is set, so proxy runs with this environment send that token, not the one stored by login`);
  }
  return withHttpClient(createHttpClient(config), (http) => login(config, options, http));
}

async function login(config: Config, options: { force: boolean }, http: HttpClient): Promise<number> {
  const serverUrl = new URL(config.serverUrl);
  // On a terminal, the redirected URL may be pasted when the browser runs on another machine.
  const authorizer = createOAuthAuthorizer(config, http, { pasteFrom: process.stdin.isTTY ? process.stdin : undefined });
  if (!options.force) {
    const current = await authorizer.freshCredentials(); // refreshes a token about to expire
    if (current?.tokens && !isExpired(current.tokens)) {
      const credentials = (request: OutgoingRequest) => authorizer.headers(request);
      let probe = await probeServer(http, serverUrl, config.headers, credentials);
      // RFC 9449 §9: a DPoP nonce asked for is not a refused token: once more, with the nonce.
      if (probe.refused && current.dpop && authorizer.dpop.nonceChallenge(probe.refused))
        probe = await probeServer(http, serverUrl, config.headers, credentials);
      if (!probe.refused) {
        print(`${describe('Already signed in to', current)}\n(run mcp-auth-proxy login --force ${displayUrl(serverUrl)} to sign in again)`);
        return 0;
      }
      say(`the server refused the stored token (${probe.refused.status}); signing in again`);
      print(describe('Signed in to', await signInAfter(probe, authorizer, serverUrl)));
      return 0;
    }
  }
  const probe = await probeServer(http, serverUrl, config.headers);
  print(describe('Signed in to', await signInAfter(probe, authorizer, serverUrl)));
  return 0;
}
