/** Credentials given up front (--oauth2Bearer, MCP_AUTH_PROXY_BEARER, or an Authorization --header). */
import { ProxyError } from '../errors.js';
import type { Authorizer } from '../http/authorizer.js';
import { bearerHeaders } from './bearer.js';

export function staticAuthorizer(bearer: string | undefined): Authorizer {
  const headers = bearerHeaders(bearer);
  return {
    headers: async () => headers,
    challenge: async ({ status }) => {
      if (status === 403) {
        throw new ProxyError('FORBIDDEN', 'the server refused access (403 Forbidden): the credentials are valid but lack permission for this request', {
          status,
        });
      }
      throw new ProxyError(
        'UNAUTHORIZED',
        bearer === undefined
          ? 'the server rejected the credentials given with --header (401 Unauthorized): check their value'
          : 'the server rejected the token (401 Unauthorized): check that the token given with --oauth2Bearer or MCP_AUTH_PROXY_BEARER is valid and not expired',
        { status },
      );
    },
  };
}
