/**
 * `mcp-auth-proxy token <server-url>`: prints a valid access token for the server, alone on one
 * line, for `curl -H "Authorization: Bearer $(mcp-auth-proxy token …)"`. Refreshes a token about
 * to expire (or expired), and signs in through the browser when there is none. The only output of
 * this program that carries a token, because the user asked for exactly that.
 */
import { probeServer } from '../auth/probe.js';
import type { Config } from '../config.js';
import { createOAuthAuthorizer } from '../auth/create-oauth-authorizer.js';
import { UsageError } from '../errors.js';
import { HttpClient } from '../http/client.js';
import { setLogLevel } from '../log.js';
import { displayUrl } from '../url.js';
import { printSecret, say } from './output.js';
import { signInAfter } from './sign-in.js';
import { isExpired } from './summary.js';

export async function runToken(config: Config): Promise<number> {
  setLogLevel(config.logLevel);
  if (!config.oauth.enabled) {
    throw new UsageError('INVALID_OPTION', 'token prints an OAuth token, and an Authorization --header would replace it: drop that header');
  }
  const http = new HttpClient(config.network);
  try {
    const serverUrl = new URL(config.serverUrl);
    const authorizer = createOAuthAuthorizer(config, http);
    let record = await authorizer.freshCredentials(); // refreshes a token about to expire
    if (!record?.tokens || isExpired(record.tokens)) {
      say(`no valid token stored for ${displayUrl(serverUrl)}; signing in`);
      record = await signInAfter(await probeServer(http, serverUrl, config.headers), authorizer, serverUrl);
    }
    printSecret(record.tokens!.accessToken);
    return 0;
  } finally {
    await http.close();
  }
}
