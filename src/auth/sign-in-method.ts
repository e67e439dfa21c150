/**
 * Which way the proxy signs in, decided before anything is sent, so that `doctor` reports the
 * path a proxy run would really take (and not one of its own): the discovery checks that apply to
 * the grant, and the grant itself (client credentials, the device grant, or the browser).
 */
import type { GrantChoice } from '../config.js';
import { deviceFlowSupported } from './device.js';
import type { AuthServerMetadata, DiscoveryOptions } from './discovery.js';
import type { ClientUse } from './registration.js';

export interface SignInChoice {
  grant: GrantChoice;
  /** Why no browser can be opened here (see noBrowserReason), or undefined when one can. */
  noBrowser: string | undefined;
}

export type SignInMethod =
  /** OAuth 2.1 §4.2: the client's own token, no user and no authorization code. */
  | { kind: 'client_credentials' }
  /** RFC 8628: no browser here, and the AS offers the device grant. */
  | { kind: 'device'; noBrowser: string }
  /** The authorization code flow; `noBrowser` set: the sign-in URL is printed for another device. */
  | { kind: 'browser'; noBrowser: string | undefined };

/**
 * The checks discovery makes for this run. PKCE protects the authorization code; a
 * client_credentials client never gets one, so the AS need not advertise S256 for it.
 */
export function discoveryOptions(settings: { allowHttp: boolean; assumePkce: boolean; grant: GrantChoice }): DiscoveryOptions {
  return { allowHttp: settings.allowHttp, assumePkce: settings.assumePkce || settings.grant === 'client_credentials' };
}

/** The sign-in the proxy starts with this authorization server (the device grant only where no browser opens). */
export function signInMethod(as: AuthServerMetadata, choice: SignInChoice): SignInMethod {
  if (choice.grant === 'client_credentials') return { kind: 'client_credentials' };
  if (choice.noBrowser !== undefined && deviceFlowSupported(as)) return { kind: 'device', noBrowser: choice.noBrowser };
  return { kind: 'browser', noBrowser: choice.noBrowser };
}

/** What the client is needed for by that sign-in (the redirect URI of a browser sign-in is known only once its callback listens). */
export function clientUse(method: SignInMethod, redirectUri: string): ClientUse {
  if (method.kind === 'client_credentials') return { grant: 'client_credentials' };
  if (method.kind === 'device') return { grant: 'device_code' };
  return { grant: 'authorization_code', redirectUri };
}
