/** Wiring: the OAuth flow for a configured server, with its credentials store, over the run's HTTP client. */
import type { Config } from '../config.js';
import type { HttpClient } from '../http/client.js';
import { idJagGrant } from './id-jag-grant.js';
import { IdpSession } from './idp-session.js';
import { workloadGrant, type AssertionGrant } from './jwt-bearer-grant.js';
import { OAuthAuthorizer } from './oauth-authorizer.js';
import { TokenStore } from './token-store.js';

/**
 * The OAuth flow for config's server, with its credentials store (also used by the login and
 * token commands). `pasteFrom`: a terminal on which `login` accepts the redirected URL.
 */
export function createOAuthAuthorizer(config: Config, http: HttpClient, options: { pasteFrom?: NodeJS.ReadableStream | undefined } = {}): OAuthAuthorizer {
  const { oauth } = config;
  const store = new TokenStore(config.authDir);
  return new OAuthAuthorizer({
    http,
    serverUrl: new URL(config.serverUrl),
    store,
    client: {
      clientId: oauth.clientId,
      clientSecret: oauth.clientSecret,
      clientMetadataUrl: oauth.clientMetadataUrl,
      clientKey: oauth.clientKey,
      metadata: oauth.signIn.registrationMetadata,
    },
    scope: oauth.scope,
    resource: oauth.resource,
    callbackPort: oauth.callbackPort,
    browser: oauth.browser,
    authTimeoutMs: oauth.authTimeoutMs,
    allowHttp: config.allowHttp,
    assumePkce: oauth.assumePkce,
    grant: oauth.grant,
    noBrowser: oauth.noBrowser,
    dpop: oauth.dpop,
    pasteFrom: options.pasteFrom,
    signIn: oauth.signIn,
    assertionGrant: assertionGrant(config, http, store, options.pasteFrom),
  });
}

/** --grant jwt-bearer (a workload's JWT) or --idp (an ID-JAG from the enterprise IdP), else none. */
function assertionGrant(config: Config, http: HttpClient, store: TokenStore, pasteFrom: NodeJS.ReadableStream | undefined): AssertionGrant | undefined {
  const { oauth } = config;
  if (oauth.assertion) return workloadGrant(http, oauth.assertion);
  if (!oauth.idp) return undefined;
  const { callbackPort, browser, authTimeoutMs, noBrowser, assumePkce } = oauth;
  return idJagGrant(
    http,
    new IdpSession({ http, store, idp: oauth.idp, allowHttp: config.allowHttp, assumePkce, callbackPort, browser, authTimeoutMs, noBrowser, pasteFrom }),
  );
}
