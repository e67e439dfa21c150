/**
 * Step 6 of `doctor`: the authorization server as a proxy run would use it, in the proxy's own
 * words: the sign-in it would start (signInMethod: the device grant only where the proxy would
 * take it), whether PKCE is needed, and who it would be to the server (identityFor).
 */
import { callbackUri } from '../auth/callback-server.js';
import { deviceFlowSupported } from '../auth/device.js';
import type { AuthServerMetadata } from '../auth/discovery.js';
import { identityFor, type ClientIdentity } from '../auth/registration.js';
import { clientUse, grantKind, signInMethod, type SignInMethod } from '../auth/sign-in-method.js';
import type { ClientRecord } from '../auth/token-store.js';
import type { Config } from '../config.js';
import { isProxyError } from '../errors.js';
import type { Outcome } from './doctor-report.js';

/** The authorization server as the proxy would use it: the sign-in it would start, and who it would be. */
export type SignInSettings = Pick<
  Config['oauth'],
  'grant' | 'assertion' | 'idp' | 'noBrowser' | 'clientId' | 'clientSecret' | 'clientMetadataUrl' | 'clientKey' | 'callbackPort' | 'signIn'
>;

export function describeAuthServer(as: AuthServerMetadata, oauth: SignInSettings, stored: ClientRecord | undefined): Outcome {
  const yes = (value: boolean): string => (value ? 'yes' : 'no');
  const method = signInMethod(as, { kind: grantKind(oauth), noBrowser: oauth.noBrowser });
  const source = oauth.signIn.tokenEndpoint
    ? ' (--token-endpoint: no metadata)'
    : as.defaults
      ? ' (no metadata: the default endpoints /authorize, /token, /register)'
      : '';
  const s256 = as.codeChallengeMethods?.includes('S256')
    ? 'yes'
    : as.defaults
      ? 'unverifiable (no metadata)'
      : method.kind === 'client'
        ? `not advertised, not needed (${{ client_credentials: 'client credentials', 'jwt-bearer': 'a jwt-bearer assertion', 'id-jag': 'an ID-JAG' }[method.grant]})`
        : 'not advertised, assumed (--assume-pkce)';
  const supports = [
    `PKCE S256 ${s256}`,
    `RFC 9207 iss ${yes(as.issParameterSupported)}`,
    `client ID metadata documents ${yes(as.clientIdMetadataDocumentSupported)}`,
    `dynamic registration ${yes(as.registrationEndpoint !== undefined)}`,
    `device authorization grant ${yes(deviceFlowSupported(as))}`,
    `DPoP ${as.dpopSigningAlgs ? as.dpopSigningAlgs.join(' ') || 'none' : 'no'}`,
  ].join(', ');
  const detail = `${as.issuer}${source}: ${supports}; ${describeSignIn(method)}`;
  const settings = {
    clientId: oauth.clientId,
    clientSecret: oauth.clientSecret,
    clientMetadataUrl: oauth.clientMetadataUrl,
    clientKey: oauth.clientKey,
    metadata: oauth.signIn.registrationMetadata,
  };
  let identity: ClientIdentity;
  try {
    // A browser sign-in listens on --callback-port, else prefers the port it registered before (see OAuthAuthorizer).
    const redirectUri = oauth.callbackPort !== undefined ? callbackUri(oauth.callbackPort, oauth.signIn) : (stored?.redirectUri ?? '');
    identity = identityFor(as, settings, clientUse(method, redirectUri), stored);
  } catch (error) {
    if (!isProxyError(error, 'AUTH_REGISTRATION')) throw error;
    return {
      ok: false,
      auth: true,
      detail: `${detail}; but the proxy has no way to identify itself: ${error.message}`,
      hint: `register a client with the provider and pass --client-id (and --client-secret)${as.clientIdMetadataDocumentSupported ? ', or pass --client-metadata-url' : ''}`,
    };
  }
  return { ok: true, detail: `${detail}; ${describeIdentity(identity)}` };
}

function describeSignIn(method: SignInMethod): string {
  if (method.kind === 'client') {
    if (method.grant === 'client_credentials') return 'signs in with client credentials (no user)';
    return method.grant === 'jwt-bearer'
      ? "gets tokens with the workload's JWT (RFC 7523 jwt-bearer, no user)"
      : 'gets tokens with an ID-JAG from the enterprise IdP (no user here)';
  }
  if (method.kind === 'device') return `signs in with the device authorization grant (no browser here: ${method.noBrowser})`;
  return method.noBrowser === undefined ? 'signs in through the browser' : `prints the sign-in URL to open elsewhere (no browser here: ${method.noBrowser})`;
}

function describeIdentity(identity: ClientIdentity): string {
  switch (identity.kind) {
    case 'pre-registered':
      return `client ${identity.client.clientId} (--client-id)`;
    case 'metadata-document':
      return `client ID metadata document ${identity.client.clientId}`;
    case 'stored':
      return `registered client ${identity.client.clientId} (${identity.client.kind})`;
    case 'register':
      // The stored registration still serves refreshes of the tokens issued to it (clientAuthFor).
      return identity.replaces
        ? `registered client ${identity.replaces.clientId} (${identity.replaces.kind}), which does not fit this sign-in: the next sign-in registers again`
        : 'registers itself at the first sign-in (dynamic registration)';
  }
}
