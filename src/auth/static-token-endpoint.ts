/**
 * --token-endpoint (mcp-remote's, with client credentials): servers that publish no OAuth metadata
 * but tell their users the token endpoint. No discovery then: the authorization server is that
 * endpoint alone, named by its URL (the key its tokens are stored under). Only the
 * client_credentials grant is run against it (config-sign-in.ts refuses other grants), so nothing
 * else of the metadata is needed; PKCE does not apply (no authorization code).
 */
import type { AuthServerMetadata } from './discovery.js';

export function staticAuthServer(tokenEndpoint: string): AuthServerMetadata {
  const url = new URL(tokenEndpoint);
  return {
    issuer: url.href,
    authorizationEndpoint: url,
    tokenEndpoint: url,
    registrationEndpoint: undefined,
    revocationEndpoint: undefined,
    deviceAuthorizationEndpoint: undefined,
    scopesSupported: undefined,
    tokenEndpointAuthMethods: undefined,
    grantTypes: ['client_credentials'],
    codeChallengeMethods: undefined,
    issParameterSupported: false,
    clientIdMetadataDocumentSupported: false,
    defaults: false,
  };
}
