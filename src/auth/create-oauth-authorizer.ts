/** Wiring: the OAuth flow for a configured server, with its credentials store, over the run's HTTP client. */
import type { Config } from '../config.js';
import type { HttpClient } from '../http/client.js';
import { OAuthAuthorizer } from './oauth-authorizer.js';
import { TokenStore } from './token-store.js';

/**
 * The OAuth flow for config's server, with its credentials store (also used by the login and
 * token commands). `pasteFrom`: a terminal on which `login` accepts the redirected URL.
 */
export function createOAuthAuthorizer(config: Config, http: HttpClient, options: { pasteFrom?: NodeJS.ReadableStream | undefined } = {}): OAuthAuthorizer {
  const { oauth } = config;
  return new OAuthAuthorizer({
    http,
    serverUrl: new URL(config.serverUrl),
    store: new TokenStore(config.authDir),
    client: { clientId: oauth.clientId, clientSecret: oauth.clientSecret, clientMetadataUrl: oauth.clientMetadataUrl, clientKey: oauth.clientKey },
    scope: oauth.scope,
    resource: oauth.resource,
    callbackPort: oauth.callbackPort,
    browser: oauth.browser,
    authTimeoutMs: oauth.authTimeoutMs,
    allowHttp: config.allowHttp,
    assumePkce: oauth.assumePkce,
    grant: oauth.grant,
    noBrowser: oauth.noBrowser,
    pasteFrom: options.pasteFrom,
  });
}
