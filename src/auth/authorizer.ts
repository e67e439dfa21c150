/**
 * What transports call for credentials: the Authorization value for the MCP server, and what to do
 * when the server refuses a request. Transports know nothing else about auth.
 */
import { ProxyError } from '../errors.js';

export interface Challenge {
  status: number;
  /** The WWW-Authenticate header lines, as received. */
  wwwAuthenticate: string[];
  url: URL;
}

export interface Authorizer {
  /** The Authorization header value for the MCP server, if there is one. */
  authorization(): Promise<string | undefined>;
  /**
   * Called when the MCP server answered 401 or 403. Resolves when a retry may succeed (new
   * credentials were obtained); throws a ProxyError saying what to do otherwise.
   */
  challenge(challenge: Challenge): Promise<void>;
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
          ? 'the server requires authorization (401 Unauthorized): pass a token with --oauth2Bearer (or the MCP_AUTH_PROXY_BEARER environment variable)'
          : 'the server rejected the token (401 Unauthorized): check that the token given with --oauth2Bearer or MCP_AUTH_PROXY_BEARER is valid and not expired',
        { status },
      );
    },
  };
}
