/**
 * What transports call for credentials: the Authorization value for the MCP server, and what to do
 * when the server refuses a request. Transports know nothing else about auth.
 */
import type { Config } from '../config.js';
import { ProxyError } from '../errors.js';
import { OAuthAuthorizer } from './oauth-authorizer.js';
import { TokenStore } from './token-store.js';

export interface Challenge {
  status: number;
  /** The WWW-Authenticate header lines, as received. */
  wwwAuthenticate: string[];
  url: URL;
  /** The Authorization value the refused request carried. */
  sent: string | undefined;
}

export interface Authorizer {
  /** The Authorization header value for the MCP server, if there is one. */
  authorization(): Promise<string | undefined>;
  /**
   * Called when the MCP server answered 401 or 403. Resolves when a retry may succeed (new
   * credentials were obtained); throws a ProxyError saying what to do otherwise.
   */
  challenge(challenge: Challenge): Promise<void>;
  /** True while the user is being waited for (a browser sign-in): request timeouts pause. */
  readonly waitingForUser?: boolean;
}

/** Credentials given up front (--oauth2Bearer, MCP_AUTH_PROXY_BEARER, or an Authorization --header). */
export function staticAuthorizer(bearer: string | undefined): Authorizer {
  const value = bearer === undefined ? undefined : `Bearer ${bearer}`;
  return {
    authorization: async () => value,
    challenge: async ({ status }) => {
      if (status === 403) {
        throw new ProxyError('FORBIDDEN', 'the server refused access (403 Forbidden): the credentials are valid but lack permission for this request', { status });
      }
      throw new ProxyError(
        'UNAUTHORIZED',
        value === undefined
          ? 'the server rejected the credentials given with --header (401 Unauthorized): check their value'
          : 'the server rejected the token (401 Unauthorized): check that the token given with --oauth2Bearer or MCP_AUTH_PROXY_BEARER is valid and not expired',
        { status },
      );
    },
  };
}

/** Static credentials when given; otherwise the OAuth flow, run when the server asks. */
export function createAuthorizer(config: Config): Authorizer {
  const { oauth } = config;
  if (!oauth.enabled) return staticAuthorizer(config.bearer);
  return createOAuthAuthorizer(config);
}

/**
 * The OAuth flow for config's server, with its credentials store (also used by the login and
 * token commands). `pasteFrom`: a terminal on which `login` accepts the redirected URL.
 */
export function createOAuthAuthorizer(config: Config, options: { pasteFrom?: NodeJS.ReadableStream | undefined } = {}): OAuthAuthorizer {
  const { oauth } = config;
  return new OAuthAuthorizer({
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
