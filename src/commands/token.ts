/**
 * `mcp-auth-proxy token <server-url>`: prints a valid access token for the server, alone on one
 * line, for `curl -H "Authorization: Bearer $(mcp-auth-proxy token …)"`. Refreshes a token about
 * to expire (or expired), and signs in through the browser when there is none. The only output of
 * this program that carries a token, because the user asked for exactly that.
 * A DPoP-bound token (RFC 9449) is useless alone: it is printed only with `--dpop-proof <method>
 * <url>`, after a proof for that one request (line 1: the DPoP header, line 2: the token).
 */
import { presentedToken } from '../auth/id-token.js';
import { probeServer } from '../auth/probe.js';
import type { Config } from '../config.js';
import { createOAuthAuthorizer } from '../auth/create-oauth-authorizer.js';
import { ProxyError, UsageError } from '../errors.js';
import { createHttpClient } from '../create-http-client.js';
import { setLogLevel } from '../log.js';
import { displayUrl } from '../url.js';
import { printSecret, say } from './output.js';
import { withHttpClient } from './with-http-client.js';
import { signInAfter } from './sign-in.js';
import { isExpired } from './summary.js';

export async function runToken(config: Config, options: { proofFor?: { method: string; url: URL } | undefined } = {}): Promise<number> {
  setLogLevel(config.logLevel);
  if (!config.oauth.enabled) {
    throw new UsageError('INVALID_OPTION', 'token prints an OAuth token, and an Authorization --header would replace it: drop that header');
  }
  return withHttpClient(createHttpClient(config), async (http) => {
    const serverUrl = new URL(config.serverUrl);
    const authorizer = createOAuthAuthorizer(config, http);
    let record = await authorizer.freshCredentials(); // refreshes a token about to expire
    if (!record?.tokens || isExpired(record.tokens)) {
      say(`no valid token stored for ${displayUrl(serverUrl)}; signing in`);
      record = await signInAfter(await probeServer(http, serverUrl, config.headers), authorizer, serverUrl);
    }
    // --use-id-token: the token the proxy would send is the ID token (a Bearer token).
    const token = presentedToken(record.tokens, config.oauth.signIn.useIdToken)!;
    const key = await authorizer.dpop.keyFor(record);
    if (record.dpop && !options.proofFor) {
      throw new ProxyError(
        'AUTH_DPOP',
        `the token for ${displayUrl(serverUrl)} is DPoP-bound (RFC 9449): the server accepts it only with a proof signed by this computer's key, so it is not printed alone. Ask for a proof with it: mcp-auth-proxy token ${displayUrl(serverUrl)} --dpop-proof POST ${displayUrl(serverUrl)} (then send "Authorization: DPoP <token>" and "DPoP: <proof>")`,
      );
    }
    if (record.dpop && options.proofFor) {
      if (!key)
        throw new ProxyError(
          'AUTH_DPOP',
          `the DPoP key of the stored token for ${displayUrl(serverUrl)} is missing; sign in again with: mcp-auth-proxy login ${displayUrl(serverUrl)} --force`,
        );
      printSecret(authorizer.dpop.signer(key).proof(options.proofFor.method, options.proofFor.url, token));
    } else if (options.proofFor) {
      say('the token is a Bearer token (not DPoP-bound): it needs no proof; printing the token only');
    }
    printSecret(token);
    return 0;
  });
}
