/**
 * How a sign-in gets its tokens once discovery has found the AS, split out of oauth-authorizer.ts
 * (which decides when to sign in, under its lock): the client's own token (client credentials,
 * RFC 6749 §4.4, or an assertion grant, RFC 7523 §2.1), the device authorization grant (RFC 8628)
 * where no browser can be opened, else the authorization code flow in the browser (with a pasted
 * redirect where the browser cannot come back here).
 */
import type { Clock } from '../clock.js';
import type { SignInOptions } from '../config-sign-in.js';
import { isProxyError } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import { log } from '../log.js';
import { authorizeInBrowser } from './authorize.js';
import { BrowserFailureGate, browserFailedError } from './browser-failure.js';
import { CallbackServer } from './callback-server.js';
import { deviceFlowSupported, pollDeviceToken, requestDeviceAuthorization, showDeviceCode, type DeviceAuthorization } from './device.js';
import type { AuthServerMetadata } from './discovery.js';
import type { DpopSession } from './dpop-session.js';
import type { AssertionGrant } from './jwt-bearer-grant.js';
import { clientAuth, obtainClient, type ClientSettings } from './registration.js';
import { signInMethod } from './sign-in-method.js';
import { clientCredentialsToken, logReceived, type ClientAuth } from './token-endpoint.js';
import type { ServerRecord, TokenStore } from './token-store.js';

/** The OAuthSettings (oauth-authorizer.ts) the flows read; see there for each. */
export interface TokenFlowSettings {
  http: HttpClient;
  store: TokenStore;
  client: ClientSettings;
  callbackPort: number | undefined;
  browser: string | undefined;
  authTimeoutMs: number;
  allowHttp: boolean;
  noBrowser: string | undefined;
  pasteFrom?: NodeJS.ReadableStream | undefined;
  signIn?: SignInOptions | undefined;
  assertionGrant?: AssertionGrant | undefined;
  clock?: Clock | undefined;
}

/** What the flows need from the authorizer that runs them. */
export interface TokenFlow {
  settings: TokenFlowSettings;
  /** How tokens are obtained without a user's sign-in (client credentials, an assertion grant), or undefined. */
  kind: ServerRecord['grant'];
  dpop: DpopSession;
  browserGate: BrowserFailureGate;
  /** A user's sign-in starts (true) or ends (false): the authorizer's waitingForUser. */
  signingIn(on: boolean): void;
}

export type ObtainedTokens = ClientAuth & { tokens: ServerRecord['tokens'] };

/** Tokens by the way this run can get them: the client's own, the device flow, or the browser. */
export async function obtainTokens(flow: TokenFlow, as: AuthServerMetadata, resource: string | undefined, scope: string | undefined): Promise<ObtainedTokens> {
  const { settings } = flow;
  const method = signInMethod(as, { kind: flow.kind, noBrowser: settings.noBrowser });
  if (method.kind === 'client') {
    const client = await obtainClient(settings.http, as, settings.client, { grant: 'client_credentials' }, settings.store);
    const auth = flow.dpop.attach(clientAuth(client, settings.client.clientKey));
    // RFC 7523 §2.1: the assertion grant; never a fallback to another grant when it is refused.
    const grant = settings.assertionGrant;
    if (grant) return { ...auth, tokens: await grant.token(as, auth, { scope, resource }).then((t) => (logReceived(t), t)) };
    log.info(`client ${client.clientId} (${auth.method}): requesting its own token (client credentials); scope ${scope ?? '(none)'}`);
    const tokens = await clientCredentialsToken(settings.http, as.tokenEndpoint, auth, { scope, resource });
    logReceived(tokens);
    return { ...auth, tokens };
  }
  if (method.kind === 'device') {
    log.info(`no browser can be opened here (${method.noBrowser}): signing in with the device authorization grant (RFC 8628)`);
    const tokens = await deviceSignIn(flow, as, resource, scope);
    if (tokens) return tokens;
  } else if (method.noBrowser !== undefined) {
    log.info(`no browser can be opened here (${method.noBrowser}) and ${as.issuer} offers no device authorization grant: printing the sign-in URL`);
  }
  const device = deviceFlowSupported(as) ? () => deviceSignIn(flow, as, resource, scope) : undefined;
  return BrowserFailureGate.withDeviceFallback(() => browserSignIn(flow, as, resource, scope), device);
}

/** RFC 8628; undefined when the AS refuses the device grant to a client it cannot re-register (then the browser flow is tried). */
async function deviceSignIn(
  flow: TokenFlow,
  as: AuthServerMetadata,
  resource: string | undefined,
  scope: string | undefined,
): Promise<ObtainedTokens | undefined> {
  const { settings } = flow;
  flow.signingIn(true);
  try {
    for (let attempt = 0; ; attempt++) {
      const client = await obtainClient(settings.http, as, settings.client, { grant: 'device_code' }, settings.store);
      const auth = flow.dpop.attach(clientAuth(client, settings.client.clientKey));
      log.info(`client ${client.clientId} (${client.kind}); scope ${scope ?? '(none)'}`);
      let device: DeviceAuthorization;
      try {
        device = await requestDeviceAuthorization(
          settings.http,
          as,
          auth,
          { scope, resource, extra: settings.signIn?.authorizeParams },
          { allowHttp: settings.allowHttp },
        );
      } catch (error) {
        const refused = isProxyError(error, 'AUTH_TOKEN') && (error.oauthError === 'invalid_client' || error.oauthError === 'unauthorized_client');
        if (refused && attempt === 0 && client.kind === 'dynamic') {
          log.info(`the authorization server refused our registration for the device flow (${error.oauthError}); registering again`);
          await settings.store.deleteClient(as.issuer);
          continue;
        }
        if (refused && client.kind !== 'dynamic') {
          log.warn(`${as.issuer} refused the device flow to client ${client.clientId} (${error.oauthError}); falling back to the sign-in URL`);
          return undefined;
        }
        throw error;
      }
      showDeviceCode(device);
      const tokens = await pollDeviceToken(settings.http, as.tokenEndpoint, auth, device, {
        resource,
        timeoutMs: settings.authTimeoutMs,
        clock: settings.clock,
      });
      logReceived(tokens);
      return { ...auth, tokens };
    }
  } finally {
    flow.signingIn(false);
  }
}

/** The authorization code flow with PKCE (authorize.ts), the redirect coming back to a loopback callback server. */
async function browserSignIn(flow: TokenFlow, as: AuthServerMetadata, resource: string | undefined, scope: string | undefined): Promise<ObtainedTokens> {
  const { settings } = flow;
  const stored = await settings.store.readClient(as.issuer);
  const preferred = stored?.redirectUri ? Number(new URL(stored.redirectUri).port) : undefined;
  const callback = await CallbackServer.start({ pinned: settings.callbackPort, preferred }, settings.signIn);
  flow.signingIn(true);
  try {
    for (let attempt = 0; ; attempt++) {
      const client = await obtainClient(settings.http, as, settings.client, { grant: 'authorization_code', redirectUri: callback.redirectUri }, settings.store);
      const auth = flow.dpop.attach(clientAuth(client, settings.client.clientKey));
      try {
        log.info(`client ${client.clientId} (${client.kind}); callback ${callback.redirectUri}; scope ${scope ?? '(none)'}`);
        // The pasted redirect is offered only where the browser cannot come back here by itself.
        const pasteFrom = settings.noBrowser !== undefined ? settings.pasteFrom : undefined;
        // A browser that fails to open: the device flow takes over, else waiting requests hear the URL.
        const onBrowserFailed = (reason: string, url: string) => deviceFlowSupported(as) || (flow.browserGate.fail(browserFailedError(reason, url)), false);
        const tokens = await authorizeInBrowser({
          http: settings.http,
          as,
          client: auth,
          callback,
          resource,
          scope,
          browser: settings.browser,
          timeoutMs: settings.authTimeoutMs,
          pasteFrom,
          onBrowserFailed,
          extraParams: settings.signIn?.authorizeParams,
        });
        logReceived(tokens);
        return { ...auth, tokens };
      } catch (error) {
        // A registration the AS no longer knows: register again, once (not for a user's own client).
        if (attempt === 0 && client.kind === 'dynamic' && isProxyError(error, 'AUTH_TOKEN') && error.oauthError === 'invalid_client') {
          log.info('the authorization server no longer knows our registration; registering again');
          await settings.store.deleteClient(as.issuer);
          continue;
        }
        throw error;
      }
    }
  } finally {
    flow.signingIn(false);
    flow.browserGate.clear();
    await callback.close();
  }
}
