/**
 * Enterprise-managed authorization (the Identity Assertion JWT Authorization Grant, MCP ext-auth):
 * for each MCP server, an RFC 8693 token exchange at the enterprise IdP turns the user's ID token
 * into an ID-JAG (requested_token_type id-jag, audience = the MCP server's AS issuer, resource =
 * the MCP server), which the RFC 7523 JWT bearer grant then redeems at that AS. No consent screen
 * per server: one IdP sign-in (idp-session.ts) serves them all.
 */
import { ProxyError } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import { addSecret, log } from '../log.js';
import type { IdpSession } from './idp-session.js';
import { acceptedAnswer, oauthErrorText, readOAuthError } from './oauth-error.js';
import { postForm } from './oauth-request.js';
import { jwtBearerToken, type AssertionGrant, type GrantTarget } from './jwt-bearer-grant.js';
import { authenticateClient } from './token-endpoint.js';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ID_JAG_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id-jag';
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';

export function idJagGrant(http: HttpClient, session: IdpSession): AssertionGrant {
  return {
    kind: 'id-jag',
    get waitingForUser() {
      return session.waitingForUser;
    },
    async token(as, client, request) {
      const jag = await exchangeForIdJag(http, session, as, request);
      log.info(`presenting the ID-JAG from ${session.issuer} to ${as.issuer} (RFC 7523 JWT bearer grant)`);
      return jwtBearerToken(http, as, client, jag, request, `the identity assertion (ID-JAG) from ${session.issuer}`);
    },
  };
}

/** RFC 8693 §2.1 at the IdP; an ID token the IdP no longer accepts is renewed once (refresh or sign-in). */
async function exchangeForIdJag(
  http: HttpClient,
  session: IdpSession,
  as: GrantTarget,
  request: { scope: string | undefined; resource: string | undefined },
): Promise<string> {
  const idp = await session.as();
  for (let attempt = 0; ; attempt++) {
    const idToken = await session.idToken();
    const form = {
      grant_type: TOKEN_EXCHANGE_GRANT,
      requested_token_type: ID_JAG_TOKEN_TYPE,
      subject_token: idToken,
      subject_token_type: ID_TOKEN_TYPE,
      audience: as.issuer,
      resource: request.resource,
      scope: request.scope,
    };
    const { body, headers } = authenticateClient(await session.client(), form);
    log.info(`asking ${session.issuer} for an ID-JAG for ${request.resource ?? as.issuer} (RFC 8693 token exchange)`);
    const answer = await postForm(http, idp.tokenEndpoint, body, headers);
    if (answer.status === 400 && answer.body?.['error'] === 'invalid_grant' && attempt === 0 && (await session.forget(idToken))) {
      log.info(`${session.issuer} no longer accepts the ID token; renewing it`);
      continue;
    }
    const refusal = answer.status === 200 ? undefined : readOAuthError(answer.body);
    if (refusal?.error === 'invalid_target' || refusal?.error === 'access_denied') {
      throw new ProxyError(
        'AUTH_IDP_REFUSED',
        `the identity provider ${session.issuer} refused access to ${request.resource ?? as.issuer}: its policy does not allow this application that server (${oauthErrorText(refusal)}); ask your administrator to allow it`,
        { status: answer.status, oauthError: refusal.error },
      );
    }
    const ok = acceptedAnswer(answer, [200], 'AUTH_TOKEN', ({ status, oauth, problem }) => {
      if (oauth) return `the identity provider ${session.issuer} refused the token exchange (${oauthErrorText(oauth)})`;
      return `the identity provider's token endpoint answered ${status}${problem ? ` and ${problem}` : ''}`;
    });
    const jag = ok.body?.['access_token'];
    if (typeof jag !== 'string' || jag === '')
      throw new ProxyError('AUTH_TOKEN', `"access_token" in the identity provider's token exchange response is missing`);
    addSecret(jag);
    const type = ok.body?.['issued_token_type'];
    if (type !== ID_JAG_TOKEN_TYPE)
      throw new ProxyError(
        'AUTH_TOKEN',
        `the identity provider issued a token of type ${typeof type === 'string' ? type : 'unknown'}, not an ID-JAG (${ID_JAG_TOKEN_TYPE})`,
      );
    return jag;
  }
}
