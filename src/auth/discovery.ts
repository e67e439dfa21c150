/**
 * Finding the authorization server for an MCP server:
 * - protected resource metadata (RFC 9728; MCP 2025-06-18+), from the challenge's
 *   resource_metadata URL, else the path-inserted well-known URL, then the root one;
 * - authorization server metadata (RFC 8414 / OpenID Connect Discovery), in the order of MCP
 *   2025-11-25 "Authorization Server Metadata Discovery";
 * - for 2025-03-26 servers (no PRM): metadata at the MCP server's origin, else default endpoints.
 * Every document is validated before use; errors name the field that failed.
 */
import { ProxyError, isProxyError } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import { log } from '../log.js';
import { displayUrl } from '../url.js';
import { checkUrl, getJson, optionalStrings, type JsonObject, type OAuthHttpOptions } from './oauth-request.js';

export interface ProtectedResource {
  /** The `resource` value exactly as published (sent verbatim as RFC 8707 `resource`). */
  resource: string;
  authorizationServers: string[];
  scopesSupported: string[] | undefined;
  /** RFC 9728 §2 (RFC 9449 §5.1): proof algorithms, and whether only DPoP-bound tokens are accepted. */
  dpopAlgs?: string[] | undefined;
  dpopBoundRequired?: boolean;
  /** Where the document was found. */
  url: URL;
}

export interface AuthServerMetadata {
  issuer: string;
  authorizationEndpoint: URL;
  tokenEndpoint: URL;
  registrationEndpoint: URL | undefined;
  revocationEndpoint: URL | undefined;
  deviceAuthorizationEndpoint: URL | undefined;
  scopesSupported: string[] | undefined;
  tokenEndpointAuthMethods: string[] | undefined;
  grantTypes: string[] | undefined;
  /** RFC 7636 code_challenge_methods_supported as published (undefined: not listed). */
  codeChallengeMethods: string[] | undefined;
  /** RFC 9207 §3: the AS puts `iss` in authorization responses. */
  issParameterSupported: boolean;
  /** MCP 2025-11-25: client ID metadata documents are accepted. */
  clientIdMetadataDocumentSupported: boolean;
  /** RFC 9449 §5.1: the AS issues DPoP-bound tokens, with proofs signed by one of these. */
  dpopSigningAlgs?: string[] | undefined;
  /** No metadata was published: the 2025-03-26 default endpoints are assumed. */
  defaults: boolean;
}

export interface DiscoveryOptions extends OAuthHttpOptions {
  /** --assume-pkce: proceed when the AS does not advertise code_challenge_methods_supported. */
  assumePkce: boolean;
}

const PRM = 'protected resource metadata';
const ASM = 'authorization server metadata';

/** RFC 9728 §3.1 well-known URLs for a resource, path-inserted first (MCP 2025-11-25 order). */
export function resourceMetadataUrls(serverUrl: URL): URL[] {
  const path = serverUrl.pathname.replace(/\/+$/, '');
  const urls = [];
  if (path !== '') urls.push(new URL(`/.well-known/oauth-protected-resource${path}`, serverUrl.origin));
  urls.push(new URL('/.well-known/oauth-protected-resource', serverUrl.origin));
  return urls;
}

/** Protected resource metadata, or undefined when the server publishes none (2025-03-26). */
export async function discoverResource(
  http: HttpClient,
  serverUrl: URL,
  hint: URL | undefined,
  options: OAuthHttpOptions,
): Promise<ProtectedResource | undefined> {
  const candidates = hint ? [hint, ...resourceMetadataUrls(serverUrl).filter((u) => u.href !== hint.href)] : resourceMetadataUrls(serverUrl);
  for (const url of candidates) {
    let answer;
    try {
      answer = await getJson(http, url, options);
    } catch (error) {
      // RFC 9728 §7.7: a resource_metadata URL the policy refuses (SSRF) is not fetched; the
      // well-known URLs at the server's own origin still are.
      if (url !== hint || !isProxyError(error, 'URL_REFUSED')) throw error;
      log.warn(`${error.message}; ignoring the challenge's resource_metadata`);
      continue;
    }
    if (answer.status !== 200) {
      log.debug(`${PRM}: ${displayUrl(url)} answered ${answer.status}`);
      continue;
    }
    if (!answer.body) throw new ProxyError('AUTH_DISCOVERY', `${PRM} at ${displayUrl(url)} is unusable: ${answer.problem}`);
    return processResourceMetadata(answer.body, url, serverUrl);
  }
  return undefined;
}

/**
 * Validates protected resource metadata (RFC 9728 §3.2) found at `url` for `serverUrl`, in a fixed
 * order: resource, that it covers the server (§3.3), authorization_servers, scopes_supported.
 * Pure: throws AUTH_DISCOVERY naming the field that failed.
 */
export function processResourceMetadata(body: JsonObject, url: URL, serverUrl: URL): ProtectedResource {
  const resource = body['resource'];
  if (typeof resource !== 'string' || resource === '') throw new ProxyError('AUTH_DISCOVERY', `"resource" in ${PRM} is missing`);
  if (!resourceCovers(resource, serverUrl)) {
    // RFC 9728 §3.3: the metadata must be about the resource we are talking to.
    throw new ProxyError(
      'AUTH_DISCOVERY',
      `"resource" in ${PRM} (${resource}) does not match the server URL ${displayUrl(serverUrl)}; refusing to authorize for another resource`,
    );
  }
  const servers = optionalStrings(body, 'authorization_servers', PRM, 'AUTH_DISCOVERY');
  if (!servers || servers.length === 0) {
    throw new ProxyError('AUTH_DISCOVERY', `"authorization_servers" in ${PRM} is missing or empty`);
  }
  return {
    resource,
    authorizationServers: servers,
    scopesSupported: optionalStrings(body, 'scopes_supported', PRM, 'AUTH_DISCOVERY'),
    dpopAlgs: optionalStrings(body, 'dpop_signing_alg_values_supported', PRM, 'AUTH_DISCOVERY'),
    dpopBoundRequired: body['dpop_bound_access_tokens_required'] === true,
    url,
  };
}

/** Same origin, and the resource's path is the server's path or a path prefix of it. */
export function resourceCovers(resource: string, serverUrl: URL): boolean {
  let r: URL;
  try {
    r = new URL(resource);
  } catch {
    return false;
  }
  if (r.origin !== serverUrl.origin) return false;
  const withSlash = (p: string): string => (p.endsWith('/') ? p : `${p}/`);
  return withSlash(serverUrl.pathname).startsWith(withSlash(r.pathname));
}

/** RFC 8414 §3.1 path insertion, then OpenID Connect Discovery (insertion, then appending). */
export function authServerMetadataUrls(issuer: URL): URL[] {
  const path = issuer.pathname.replace(/\/+$/, '');
  const origin = issuer.origin;
  if (path === '') {
    return [new URL('/.well-known/oauth-authorization-server', origin), new URL('/.well-known/openid-configuration', origin)];
  }
  return [
    new URL(`/.well-known/oauth-authorization-server${path}`, origin),
    new URL(`/.well-known/openid-configuration${path}`, origin),
    new URL(`${path}/.well-known/openid-configuration`, origin),
  ];
}

/** Metadata of an issuer named in PRM `authorization_servers`. */
export async function discoverAuthServer(http: HttpClient, issuer: string, options: DiscoveryOptions): Promise<AuthServerMetadata> {
  const issuerUrl = checkUrl(issuer, 'authorization_servers', PRM, options, 'AUTH_DISCOVERY');
  const found = await fetchFirst(http, authServerMetadataUrls(issuerUrl), options);
  if (!found) {
    throw new ProxyError('AUTH_DISCOVERY', `no ${ASM} found for ${issuer} (tried RFC 8414 and OpenID Connect discovery URLs)`);
  }
  // RFC 8414 §3.3 / MCP 2026-07-28: the issuer must be identical to the one the URL was built from.
  return processAuthServerMetadata(found.body, [issuer], found.url, options);
}

/** MCP 2025-03-26: no PRM, the authorization server lives at the MCP server's origin. */
export async function discoverLegacyAuthServer(http: HttpClient, serverUrl: URL, options: DiscoveryOptions): Promise<AuthServerMetadata> {
  const origin = serverUrl.origin;
  const found = await fetchFirst(http, authServerMetadataUrls(new URL(origin)), options);
  if (found) return processAuthServerMetadata(found.body, [origin, `${origin}/`], found.url, options);
  // 2025-03-26 "Fallbacks for Servers without Metadata Discovery".
  log.info(`no ${ASM} at ${origin}; using the default endpoints /authorize, /token and /register`);
  return {
    issuer: origin,
    authorizationEndpoint: new URL('/authorize', origin),
    tokenEndpoint: new URL('/token', origin),
    registrationEndpoint: new URL('/register', origin),
    revocationEndpoint: undefined,
    deviceAuthorizationEndpoint: undefined,
    scopesSupported: undefined,
    tokenEndpointAuthMethods: undefined,
    grantTypes: undefined,
    codeChallengeMethods: undefined,
    issParameterSupported: false,
    clientIdMetadataDocumentSupported: false,
    defaults: true,
  };
}

/**
 * The authorization server for a server whose protected resource metadata is `prm` (undefined for
 * a 2025-03-26 server: the one at its origin). RFC 9728 §7.6: with several authorization servers
 * the client chooses; the proxy takes the first that passes every check, else throws the first
 * one's error.
 */
export async function authorizationServerFor(
  http: HttpClient,
  serverUrl: URL,
  prm: ProtectedResource | undefined,
  options: DiscoveryOptions,
): Promise<AuthServerMetadata> {
  if (!prm) {
    log.info("no protected resource metadata: looking for the authorization server at the server's origin (MCP 2025-03-26)");
    return discoverLegacyAuthServer(http, serverUrl, options);
  }
  log.info(`protected resource metadata at ${displayUrl(prm.url)}: resource ${prm.resource}, authorization servers ${prm.authorizationServers.join(', ')}`);
  let first: unknown;
  for (const issuer of prm.authorizationServers) {
    try {
      const as = await discoverAuthServer(http, issuer, options);
      log.info(
        `authorization server ${as.issuer}: PKCE S256${as.issParameterSupported ? ', RFC 9207 iss' : ''}${as.registrationEndpoint ? ', dynamic registration' : ''}${as.clientIdMetadataDocumentSupported ? ', client ID metadata documents' : ''}`,
      );
      return as;
    } catch (error) {
      first ??= error;
      log.info(`authorization server ${issuer} is unusable: ${(error as Error).message}`);
    }
  }
  throw first;
}

/**
 * The whole discovery a sign-in starts with: protected resource metadata (from the challenge's
 * resource_metadata first), then its authorization server. `doctor` runs the same two steps.
 */
export async function discoverAuthorization(
  http: HttpClient,
  serverUrl: URL,
  resourceMetadata: URL | undefined,
  options: DiscoveryOptions,
): Promise<{ prm: ProtectedResource | undefined; as: AuthServerMetadata }> {
  const prm = await discoverResource(http, serverUrl, resourceMetadata, options);
  return { prm, as: await authorizationServerFor(http, serverUrl, prm, options) };
}

async function fetchFirst(http: HttpClient, urls: URL[], options: OAuthHttpOptions): Promise<{ body: JsonObject; url: URL } | undefined> {
  for (const url of urls) {
    const answer = await getJson(http, url, options);
    if (answer.status === 200 && answer.body) return { body: answer.body, url };
    log.debug(`${ASM}: ${displayUrl(url)} answered ${answer.status}${answer.problem ? ` (${answer.problem})` : ''}`);
  }
  return undefined;
}

/**
 * Validates authorization server metadata (RFC 8414 §3.3) found at `url`, in a fixed order:
 * issuer (identical to one of `expectedIssuers`), authorization_endpoint, token_endpoint,
 * response_types_supported, code_challenge_methods_supported (AUTH_PKCE_UNSUPPORTED), then the
 * optional fields. Throws AUTH_DISCOVERY naming the field; a bad optional endpoint is dropped.
 */
export function processAuthServerMetadata(body: JsonObject, expectedIssuers: string[], url: URL, options: DiscoveryOptions): AuthServerMetadata {
  const issuer = body['issuer'];
  if (typeof issuer !== 'string' || !expectedIssuers.includes(issuer)) {
    throw new ProxyError(
      'AUTH_DISCOVERY',
      `"issuer" in ${ASM} at ${displayUrl(url)} does not match the issuer it was discovered for (expected ${expectedIssuers[0]}, got ${typeof issuer === 'string' ? issuer : 'none'}); not using it`,
    );
  }
  const authorizationEndpoint = checkUrl(body['authorization_endpoint'], 'authorization_endpoint', ASM, options, 'AUTH_DISCOVERY');
  const tokenEndpoint = checkUrl(body['token_endpoint'], 'token_endpoint', ASM, options, 'AUTH_DISCOVERY');
  const responseTypes = optionalStrings(body, 'response_types_supported', ASM, 'AUTH_DISCOVERY');
  if (responseTypes && !responseTypes.includes('code')) {
    throw new ProxyError('AUTH_DISCOVERY', `"response_types_supported" in ${ASM} does not include "code"`);
  }
  // MCP 2025-11-25 "Authorization Code Protection": verify PKCE support before starting; refuse
  // when the field is absent. --assume-pkce is the explicit escape for providers that omit it.
  const methods = optionalStrings(body, 'code_challenge_methods_supported', ASM, 'AUTH_DISCOVERY');
  if (methods ? !methods.includes('S256') : !options.assumePkce) {
    throw new ProxyError(
      'AUTH_PKCE_UNSUPPORTED',
      methods
        ? `"code_challenge_methods_supported" in ${ASM} of ${issuer} does not include S256; refusing to sign in without PKCE`
        : `${ASM} of ${issuer} does not list "code_challenge_methods_supported", so PKCE support cannot be verified. If you know this provider supports PKCE S256, pass --assume-pkce`,
    );
  }
  return {
    issuer,
    authorizationEndpoint,
    tokenEndpoint,
    registrationEndpoint: optionalUrl(body, 'registration_endpoint', options),
    revocationEndpoint: optionalUrl(body, 'revocation_endpoint', options),
    deviceAuthorizationEndpoint: optionalUrl(body, 'device_authorization_endpoint', options),
    scopesSupported: optionalStrings(body, 'scopes_supported', ASM, 'AUTH_DISCOVERY'),
    tokenEndpointAuthMethods: optionalStrings(body, 'token_endpoint_auth_methods_supported', ASM, 'AUTH_DISCOVERY'),
    grantTypes: optionalStrings(body, 'grant_types_supported', ASM, 'AUTH_DISCOVERY'),
    codeChallengeMethods: methods,
    issParameterSupported: body['authorization_response_iss_parameter_supported'] === true,
    clientIdMetadataDocumentSupported: body['client_id_metadata_document_supported'] === true,
    dpopSigningAlgs: optionalStrings(body, 'dpop_signing_alg_values_supported', ASM, 'AUTH_DISCOVERY'),
    defaults: false,
  };
}

/** An optional endpoint we may never use: a bad one is dropped with a warning, not fatal. */
function optionalUrl(body: JsonObject, field: string, options: OAuthHttpOptions): URL | undefined {
  if (body[field] === undefined || body[field] === null) return undefined;
  try {
    return checkUrl(body[field], field, ASM, options, 'AUTH_DISCOVERY');
  } catch (error) {
    log.warn(`${(error as Error).message}; ignoring it`);
    return undefined;
  }
}
