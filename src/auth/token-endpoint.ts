/**
 * The token endpoint (OAuth 2.1 §3.2, RFC 6749 §5): exchanging a code, refreshing, client
 * credentials (the device grant polls it through tokenRequest, see device.ts). Answers are
 * validated at the boundary (status, JSON object, access_token, token_type, expires_in,
 * refresh_token, scope) before anything is stored; OAuth errors keep their `error` code.
 */
import { ProxyError } from '../errors.js';
import { BOUNDS, clampSeconds } from '../duration-bounds.js';
import type { HttpClient } from '../http/client.js';
import { log } from '../log.js';
import { displayUrl } from '../url.js';
import { ASSERTION_TYPE, signClientAssertion, type ClientKey } from './client-assertion.js';
import { dpopTokenRequest, type DpopSigner } from './dpop-session.js';
import { acceptedAnswer, oauthErrorText } from './oauth-error.js';
import { postForm, type JsonAnswer } from './oauth-request.js';
import type { StoredTokens } from './token-store.js';

export interface ClientAuth {
  clientId: string;
  clientSecret: string | undefined;
  /** RFC 7591 token_endpoint_auth_method: none, client_secret_basic, client_secret_post or private_key_jwt. */
  method: string;
  /** private_key_jwt (RFC 7523 §2.2): the key, and the issuer of the AS the client is registered with (the assertion's audience). */
  assertion?: { key: ClientKey; audience: string } | undefined;
  /** RFC 9449: a proof on every token request, and a DPoP-bound token asked for (see dpop-session.ts). */
  dpop?: DpopSigner | undefined;
}

const WHERE = 'the token response';

export function exchangeCode(
  http: HttpClient,
  tokenEndpoint: URL,
  client: ClientAuth,
  grant: { code: string; redirectUri: string; verifier: string; resource: string | undefined },
): Promise<StoredTokens> {
  return tokenRequest(http, tokenEndpoint, client, {
    grant_type: 'authorization_code',
    code: grant.code,
    redirect_uri: grant.redirectUri,
    code_verifier: grant.verifier,
    // RFC 8707 §2.2 / MCP "Resource Parameter Implementation": in the token request too.
    resource: grant.resource,
  });
}

export async function refreshTokens(
  http: HttpClient,
  tokenEndpoint: URL,
  client: ClientAuth,
  refresh: { refreshToken: string; resource: string | undefined },
): Promise<StoredTokens> {
  const tokens = await tokenRequest(http, tokenEndpoint, client, {
    grant_type: 'refresh_token',
    refresh_token: refresh.refreshToken,
    resource: refresh.resource,
  });
  // RFC 6749 §6: the AS may keep the refresh token; a rotated one replaces it (always stored).
  return { ...tokens, refreshToken: tokens.refreshToken ?? refresh.refreshToken };
}

/**
 * OAuth 2.1 §4.2 client credentials: a token for the client itself (machine to machine). No
 * refresh token is expected; a new request renews the token.
 */
export function clientCredentialsToken(
  http: HttpClient,
  tokenEndpoint: URL,
  client: ClientAuth,
  grant: { scope: string | undefined; resource: string | undefined },
): Promise<StoredTokens> {
  return tokenRequest(http, tokenEndpoint, client, { grant_type: 'client_credentials', scope: grant.scope, resource: grant.resource });
}

export async function tokenRequest(
  http: HttpClient,
  tokenEndpoint: URL,
  client: ClientAuth,
  form: Record<string, string | undefined>,
  signal?: AbortSignal,
): Promise<StoredTokens> {
  const { body, headers } = authenticateClient(client, form);
  const send = (extra: Record<string, string>) => postForm(http, tokenEndpoint, body, { ...headers, ...extra }, signal);
  const answer = client.dpop ? await dpopTokenRequest(client.dpop, tokenEndpoint, send) : await send({});
  return parseTokenResponse(answer, tokenEndpoint, client.dpop ? 'DPoP' : 'Bearer');
}

/**
 * The client's authentication added to a form for the token endpoint, or any endpoint that
 * authenticates clients the same way (RFC 7009 §2.1 revocation).
 */
export function authenticateClient(
  client: ClientAuth,
  form: Record<string, string | undefined>,
): { body: Record<string, string | undefined>; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  const body = { ...form };
  if (client.method === 'private_key_jwt' && client.assertion) {
    // RFC 7523 §2.2; client_id too (OAuth 2.1 allows it, some ASes need it to find the key).
    body['client_id'] = client.clientId;
    body['client_assertion_type'] = ASSERTION_TYPE;
    body['client_assertion'] = signClientAssertion(client.assertion.key, client.clientId, client.assertion.audience);
  } else if (client.method === 'client_secret_basic' && client.clientSecret !== undefined) {
    // RFC 6749 §2.3.1: both parts form-urlencoded before base64.
    const id = encodeURIComponent(client.clientId).replace(/%20/g, '+');
    const secret = encodeURIComponent(client.clientSecret).replace(/%20/g, '+');
    headers['authorization'] = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  } else {
    body['client_id'] = client.clientId;
    if (client.method === 'client_secret_post') body['client_secret'] = client.clientSecret;
  }
  return { body, headers };
}

export function parseTokenResponse(answer: JsonAnswer, tokenEndpoint: URL, asked: 'Bearer' | 'DPoP' = 'Bearer'): StoredTokens {
  const { body } = acceptedAnswer(answer, [200], 'AUTH_TOKEN', ({ status, oauth, problem }) =>
    oauth
      ? `the token endpoint refused the request (${oauthErrorText(oauth)})`
      : `the token endpoint ${displayUrl(tokenEndpoint)} answered ${status}${problem ? ` and ${problem}` : ''}`,
  );
  if (!body) throw new ProxyError('AUTH_TOKEN', `the token endpoint answered 200 but ${answer.problem}`);
  const accessToken = body['access_token'];
  if (typeof accessToken !== 'string' || accessToken === '') throw new ProxyError('AUTH_TOKEN', `"access_token" in ${WHERE} is missing`);
  const tokenType = body['token_type'];
  if (typeof tokenType !== 'string') throw new ProxyError('AUTH_TOKEN', `"token_type" in ${WHERE} is missing`);
  // RFC 6749 §7.1: compared case-insensitively. Only the type asked for: Bearer (RFC 6750), or DPoP
  // when a proof was sent (RFC 9449 §5); a Bearer token then would be a silent downgrade.
  if (tokenType.toLowerCase() !== asked.toLowerCase()) {
    const fix = asked === 'DPoP' ? ' (this server issues no DPoP-bound tokens to this client: pass --dpop never)' : '';
    throw new ProxyError('AUTH_TOKEN', `"token_type" in ${WHERE} is ${tokenType}, but ${asked} was asked for${fix}`);
  }
  const expiresIn = body['expires_in'];
  let expiresAt: number | undefined;
  if (expiresIn !== undefined && expiresIn !== null) {
    const seconds = typeof expiresIn === 'string' ? Number(expiresIn) : expiresIn;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
      throw new ProxyError('AUTH_TOKEN', `"expires_in" in ${WHERE} must be a number of seconds`);
    }
    // Clamped: an absurd lifetime (1e300 s) must not become an Infinity or invalid date.
    expiresAt = Date.now() + clampSeconds(seconds, BOUNDS.tokenExpiresIn);
  }
  const refreshToken = body['refresh_token'];
  if (refreshToken !== undefined && refreshToken !== null && (typeof refreshToken !== 'string' || refreshToken === '')) {
    throw new ProxyError('AUTH_TOKEN', `"refresh_token" in ${WHERE} must be a string`);
  }
  const scope = body['scope'];
  if (scope !== undefined && scope !== null && typeof scope !== 'string') throw new ProxyError('AUTH_TOKEN', `"scope" in ${WHERE} must be a string`);
  // OIDC Core §3.1.3.3: an ID token accompanies the tokens when "openid" was granted.
  const idToken = body['id_token'];
  return {
    accessToken,
    ...(typeof idToken === 'string' && idToken !== '' ? { idToken } : {}),
    refreshToken: typeof refreshToken === 'string' ? refreshToken : undefined,
    issuedAt: Date.now(),
    expiresAt,
    scope: typeof scope === 'string' ? scope : undefined,
  };
}

/** Tokens just received, for the info log (their lifetime and whether they can be refreshed; never a value). */
export function logReceived(tokens: StoredTokens): void {
  const expires = tokens.expiresAt === undefined ? 'no stated expiry' : `expires in ${Math.round((tokens.expiresAt - Date.now()) / 1000)} s`;
  log.info(`token received (${expires}, ${tokens.refreshToken ? 'with' : 'without'} a refresh token)`);
}
