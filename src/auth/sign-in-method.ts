/**
 * Which way the proxy signs in, decided before anything is sent, so that `doctor` reports the
 * path a proxy run would really take (and not one of its own): the discovery checks that apply to
 * the grant, and the grant itself (client credentials, the device grant, or the browser).
 */
import type { Config } from '../config.js';
import { deviceFlowSupported } from './device.js';
import type { AuthServerMetadata, DiscoveryOptions } from './discovery.js';
import type { ClientUse } from './registration.js';
import type { ServerRecord } from './token-store.js';

/**
 * A run whose tokens come without a user signing in at this authorization server: the client's own
 * (--grant client_credentials), a workload's JWT (--grant jwt-bearer), or an ID-JAG from the
 * enterprise IdP (--idp); undefined for a user's sign-in. Stored tokens are marked with it.
 */
export type GrantKind = ServerRecord['grant'];

/** The kind of a run's grant, as the wiring (create-authorizer.ts) sets the authorizer up for it. */
export function grantKind(oauth: Pick<Config['oauth'], 'grant' | 'assertion' | 'idp'>): GrantKind {
  if (oauth.assertion) return 'jwt-bearer';
  if (oauth.idp) return 'id-jag';
  return oauth.grant === 'client_credentials' ? 'client_credentials' : undefined;
}

export interface SignInChoice {
  kind: GrantKind;
  /** Why no browser can be opened here (see noBrowserReason), or undefined when one can. */
  noBrowser: string | undefined;
}

export type SignInMethod =
  /** No user at this AS: the client's own token (OAuth 2.1 §4.2) or an assertion grant (RFC 7523). */
  | { kind: 'client'; grant: NonNullable<GrantKind> }
  /** RFC 8628: no browser here, and the AS offers the device grant. */
  | { kind: 'device'; noBrowser: string }
  /** The authorization code flow; `noBrowser` set: the sign-in URL is printed for another device. */
  | { kind: 'browser'; noBrowser: string | undefined };

/**
 * The checks discovery makes for this run. PKCE protects the authorization code; a client that
 * gets its token without one (client credentials, an assertion) need not find S256 advertised.
 */
export function discoveryOptions(settings: { allowHttp: boolean; assumePkce: boolean; kind: GrantKind }): DiscoveryOptions {
  return { allowHttp: settings.allowHttp, assumePkce: settings.assumePkce || settings.kind !== undefined };
}

/** The sign-in the proxy starts with this authorization server (the device grant only where no browser opens). */
export function signInMethod(as: AuthServerMetadata, choice: SignInChoice): SignInMethod {
  if (choice.kind !== undefined) return { kind: 'client', grant: choice.kind };
  if (choice.noBrowser !== undefined && deviceFlowSupported(as)) return { kind: 'device', noBrowser: choice.noBrowser };
  return { kind: 'browser', noBrowser: choice.noBrowser };
}

/** What the client is needed for by that sign-in (the redirect URI of a browser sign-in is known only once its callback listens). */
export function clientUse(method: SignInMethod, redirectUri: string): ClientUse {
  if (method.kind === 'client') return { grant: 'client_credentials' };
  if (method.kind === 'device') return { grant: 'device_code' };
  return { grant: 'authorization_code', redirectUri };
}
