/**
 * Sign-in without a browser on this machine: the OAuth 2.0 device authorization grant (RFC 8628),
 * used when no browser can be opened here (--browser none, no display, an SSH session) and the
 * authorization server offers it. The proxy asks for a user code, shows the verification URL and
 * the code (stderr, and the host's UI where it can show them), and polls the token endpoint at
 * the interval the AS asks for until the user has approved or declined on any other device.
 */
import { systemClock, type Clock } from '../clock.js';
import { BOUNDS, clampSeconds } from '../duration-bounds.js';
import { ProxyError, isProxyError } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import { log } from '../log.js';
import { displayUrl } from '../url.js';
import type { AuthServerMetadata } from './discovery.js';
import { acceptedAnswer, oauthErrorText } from './oauth-error.js';
import { checkUrl, postForm, type JsonObject, type OAuthHttpOptions } from './oauth-request.js';
import { announceSignIn } from './sign-in-notice.js';
import { authenticateClient, tokenRequest, type ClientAuth } from './token-endpoint.js';
import type { StoredTokens } from './token-store.js';

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

const WHERE = 'the device authorization response';
// RFC 8628 §3.2: "If no value is provided, clients MUST use 5 as the default."
const DEFAULT_INTERVAL_S = 5;
// §3.5: slow_down adds 5 seconds to the interval, for this and all later requests.
const SLOW_DOWN_S = 5;
// Backing off after connection failures (§3.5 asks for exponential back-off) stops here.
const MAX_INTERVAL_S = 60;

export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: URL;
  /** The URL with the code in it, when the AS gives one (§3.3.1). */
  verificationUriComplete: URL | undefined;
  expiresInS: number;
  intervalS: number;
}

/** The AS has a device authorization endpoint, and does not say that it lacks the grant. */
export function deviceFlowSupported(as: AuthServerMetadata): boolean {
  return as.deviceAuthorizationEndpoint !== undefined && (as.grantTypes === undefined || as.grantTypes.includes(DEVICE_GRANT));
}

/** §3.1–3.2: asks for a device code and a user code, for `scope` and the RFC 8707 `resource`. */
export async function requestDeviceAuthorization(
  http: HttpClient,
  as: AuthServerMetadata,
  client: ClientAuth,
  /** `extra`: --authorize-param (e.g. Auth0's audience), which a device authorization request takes as the browser's does. */
  request: { scope: string | undefined; resource: string | undefined; extra?: Readonly<Record<string, string>> | undefined },
  options: OAuthHttpOptions,
): Promise<DeviceAuthorization> {
  const endpoint = as.deviceAuthorizationEndpoint!;
  // §3.1: the client authenticates as at the token endpoint (public clients send client_id).
  const { body, headers } = authenticateClient(client, { ...request.extra, scope: request.scope, resource: request.resource });
  const answer = acceptedAnswer(await postForm(http, endpoint, body, headers), [200], 'AUTH_TOKEN', ({ status, oauth, problem }) =>
    oauth
      ? `the device authorization endpoint refused the request (${oauthErrorText(oauth)})`
      : `the device authorization endpoint ${displayUrl(endpoint)} answered ${status}${problem ? ` and ${problem}` : ''}`,
  );
  if (!answer.body) throw new ProxyError('AUTH_TOKEN', `the device authorization endpoint answered 200 but ${answer.problem}`);
  return parseDeviceAuthorization(answer.body, options);
}

/** Validates a device authorization response (RFC 8628 §3.2) before anything is shown or used. */
export function parseDeviceAuthorization(body: JsonObject, options: OAuthHttpOptions): DeviceAuthorization {
  const deviceCode = body['device_code'];
  if (typeof deviceCode !== 'string' || deviceCode === '') throw new ProxyError('AUTH_TOKEN', `"device_code" in ${WHERE} is missing`);
  const userCode = body['user_code'];
  if (typeof userCode !== 'string' || userCode === '') throw new ProxyError('AUTH_TOKEN', `"user_code" in ${WHERE} is missing`);
  // It is printed on the user's terminal: no control characters (escape sequences), and short.
  if (!/^[^\p{C}]{1,64}$/u.test(userCode)) throw new ProxyError('AUTH_TOKEN', `"user_code" in ${WHERE} is not a short printable code`);
  // "verification_url" is what some providers (Google) send instead.
  const uriField = body['verification_uri'] === undefined && body['verification_url'] !== undefined ? 'verification_url' : 'verification_uri';
  const verificationUri = checkUrl(body[uriField], uriField, WHERE, options, 'AUTH_TOKEN');
  let verificationUriComplete: URL | undefined;
  if (body['verification_uri_complete'] !== undefined && body['verification_uri_complete'] !== null) {
    try {
      verificationUriComplete = checkUrl(body['verification_uri_complete'], 'verification_uri_complete', WHERE, options, 'AUTH_TOKEN');
    } catch (error) {
      log.warn(`${(error as Error).message}; showing only the verification URL and the code`);
    }
  }
  const expiresIn = seconds(body, 'expires_in', true)!;
  if (expiresIn <= 0) throw new ProxyError('AUTH_TOKEN', `"expires_in" in ${WHERE} must be a positive number of seconds`);
  // Both reach timers: clamped (an interval of 0 would poll without pause; 10^9 s would overflow
  // the timer into a 1 ms busy loop).
  const expiresInS = clampSeconds(expiresIn, BOUNDS.deviceExpiresIn) / 1000;
  const intervalS = clampSeconds(seconds(body, 'interval', false) ?? DEFAULT_INTERVAL_S, BOUNDS.deviceInterval) / 1000;
  return { deviceCode, userCode, verificationUri, verificationUriComplete, expiresInS, intervalS };
}

function seconds(body: JsonObject, field: string, required: boolean): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    if (required) throw new ProxyError('AUTH_TOKEN', `"${field}" in ${WHERE} is missing`);
    return undefined;
  }
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new ProxyError('AUTH_TOKEN', `"${field}" in ${WHERE} must be a number of seconds`);
  return n;
}

/** Tells the user where to go and what code to confirm (stderr always; the host's UI when it listens). */
export function showDeviceCode(device: DeviceAuthorization): void {
  const complete = device.verificationUriComplete;
  const open = complete ?? device.verificationUri;
  const rest = complete
    ? `and check that it shows the code ${device.userCode} (or open ${device.verificationUri.href} and enter that code)`
    : `and enter the code ${device.userCode}`;
  log.notice(`sign-in needed: open this URL in a browser on any device:\n  ${open.href}\n${rest}`);
  announceSignIn({ url: open.href, userCode: device.userCode });
}

/**
 * §3.4–3.5: polls the token endpoint until the user approves (tokens), declines (AUTH_DENIED),
 * or the code expires or `timeoutMs` passes (AUTH_TIMEOUT). authorization_pending keeps polling;
 * slow_down adds 5 s to the interval for good; a connection failure doubles it.
 */
export async function pollDeviceToken(
  http: HttpClient,
  tokenEndpoint: URL,
  client: ClientAuth,
  device: DeviceAuthorization,
  options: {
    resource: string | undefined;
    timeoutMs: number;
    clock?: Clock;
    /** Sends each poll instead of tokenRequest (the IdP sign-in keeps the ID token it answers with). */
    redeem?: (form: Record<string, string | undefined>, signal: AbortSignal) => Promise<StoredTokens>;
  },
): Promise<StoredTokens> {
  const clock = options.clock ?? systemClock;
  const expiresFirst = device.expiresInS * 1000 < options.timeoutMs;
  const limitMs = Math.min(options.timeoutMs, device.expiresInS * 1000);
  const signal = clock.timeout(limitMs);
  const timedOut = (): ProxyError =>
    expiresFirst
      ? new ProxyError('AUTH_TIMEOUT', `the sign-in code expired after ${device.expiresInS} s before the sign-in was completed; try again`)
      : new ProxyError(
          'AUTH_TIMEOUT',
          `the sign-in was not completed within ${Math.round(options.timeoutMs / 1000)} s. Open the URL printed on stderr and enter the code, or restart this server in your host to try again (raise the limit with --auth-timeout)`,
        );
  let intervalS = device.intervalS;
  log.info(`waiting up to ${Math.round(limitMs / 1000)} s for the sign-in on another device (polling every ${intervalS} s)`);
  for (;;) {
    try {
      await clock.sleep(clampSeconds(intervalS, BOUNDS.deviceInterval), signal);
      // RFC 8707 §2.2 / MCP: the resource in the token request too.
      const form = { grant_type: DEVICE_GRANT, device_code: device.deviceCode, resource: options.resource };
      return await (options.redeem ? options.redeem(form, signal) : tokenRequest(http, tokenEndpoint, client, form, signal));
    } catch (error) {
      if (signal.aborted) throw timedOut();
      if (isProxyError(error, 'AUTH_TOKEN')) {
        switch (error.oauthError) {
          case 'authorization_pending':
            continue;
          case 'slow_down':
            intervalS += SLOW_DOWN_S;
            log.info(`the authorization server asks to poll more slowly: every ${intervalS} s`);
            continue;
          case 'access_denied':
            throw new ProxyError('AUTH_DENIED', 'sign-in did not complete: the authorization request was declined on the verification page', {
              oauthError: 'access_denied',
            });
          case 'expired_token':
            throw new ProxyError('AUTH_TIMEOUT', 'the sign-in code expired before the sign-in was completed; try again', { oauthError: 'expired_token' });
        }
        throw error;
      }
      if (isProxyError(error, 'REMOTE_UNREACHABLE')) {
        intervalS = Math.min(intervalS * 2, MAX_INTERVAL_S);
        log.info(`could not reach the token endpoint (${error.message}); trying again in ${intervalS} s`);
        continue;
      }
      throw error;
    }
  }
}
