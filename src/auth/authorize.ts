/**
 * One interactive authorization-code grant (OAuth 2.1 §4.1 with PKCE, MCP "Authorization Flow
 * Steps"): build the request, open the browser with the callback already listening, wait for
 * the response (from the browser, or pasted on the terminal by `login`), exchange the code.
 * Bounded by --auth-timeout.
 */
import { ProxyError } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import { log } from '../log.js';
import { openBrowser } from './browser.js';
import type { CallbackServer } from './callback-server.js';
import type { AuthServerMetadata } from './discovery.js';
import { acceptPastedRedirects } from './pasted-redirect.js';
import { createPkce, createState } from './pkce.js';
import { exchangeCode, type ClientAuth } from './token-endpoint.js';
import type { StoredTokens } from './token-store.js';

export interface AuthorizationRequest {
  http: HttpClient;
  as: AuthServerMetadata;
  client: ClientAuth;
  callback: CallbackServer;
  resource: string | undefined;
  scope: string | undefined;
  browser: string | undefined;
  timeoutMs: number;
  /** Where the user may paste the redirected URL (a terminal), when the browser runs elsewhere. */
  pasteFrom?: NodeJS.ReadableStream | undefined;
  /**
   * The browser could not be opened (browser-failure.ts), with the sign-in URL. Returns true to
   * end this sign-in (a device flow takes over), false to keep waiting for the user to open the URL.
   */
  onBrowserFailed?: ((reason: string, url: string) => boolean) | undefined;
  /** OIDC Core §3.1.2.1 `prompt` (the IdP sign-in asks for consent with offline_access, §11). */
  prompt?: string | undefined;
  /** Redeems the code instead of exchangeCode (the IdP sign-in keeps the ID token it answers with). */
  redeem?: ((grant: { code: string; redirectUri: string; verifier: string; resource: string | undefined }) => Promise<StoredTokens>) | undefined;
}

export function authorizationUrl(req: AuthorizationRequest, state: string, challenge: string): URL {
  const url = new URL(req.as.authorizationEndpoint);
  const p = url.searchParams;
  p.set('response_type', 'code');
  p.set('client_id', req.client.clientId);
  p.set('redirect_uri', req.callback.redirectUri);
  p.set('code_challenge', challenge);
  p.set('code_challenge_method', 'S256');
  p.set('state', state);
  if (req.scope) p.set('scope', req.scope);
  if (req.prompt) p.set('prompt', req.prompt);
  // RFC 8707 §2.1: the resource the token is for, exactly as the server published it.
  if (req.resource !== undefined) p.set('resource', req.resource);
  // RFC 9449 §10: the code is bound to the DPoP key, so only this key can redeem it.
  if (req.client.dpop) p.set('dpop_jkt', req.client.dpop.key.thumbprint);
  return url;
}

export async function authorizeInBrowser(req: AuthorizationRequest): Promise<StoredTokens> {
  const pkce = createPkce();
  const state = createState();
  const url = authorizationUrl(req, state, pkce.challenge);
  const signal = AbortSignal.timeout(req.timeoutMs);
  let tokens: StoredTokens | undefined;
  const done = req.callback.wait(
    { state, issuer: req.as.issuer, issRequired: req.as.issParameterSupported },
    async (code) => {
      const grant = { code, redirectUri: req.callback.redirectUri, verifier: pkce.verifier, resource: req.resource };
      tokens = await (req.redeem ? req.redeem(grant) : exchangeCode(req.http, req.as.tokenEndpoint, req.client, grant));
    },
    signal,
  );
  // The browser failed and another way to sign in takes over: this one ends now.
  let stop!: (error: ProxyError) => void;
  const stopped = new Promise<never>((_, reject) => (stop = reject));
  stopped.catch(() => undefined);
  // The callback listens already; only now may the browser go.
  await openBrowser(url, req.browser, (reason) => {
    if (req.onBrowserFailed?.(reason, url.href)) stop(new ProxyError('AUTH_BROWSER', `no browser could be opened (${reason})`));
  });
  const stopPaste = req.pasteFrom ? acceptPastedRedirects(req.callback, req.pasteFrom) : undefined;
  log.info(`waiting up to ${Math.round(req.timeoutMs / 1000)} s for the sign-in to complete in the browser`);
  try {
    await Promise.race([done, stopped]);
  } catch (error) {
    if (signal.aborted && !(error instanceof ProxyError)) {
      throw new ProxyError(
        'AUTH_TIMEOUT',
        `the sign-in was not completed within ${Math.round(req.timeoutMs / 1000)} s. Open the URL printed on stderr, or restart this server in your host to try again (raise the limit with --auth-timeout)`,
      );
    }
    throw error;
  } finally {
    stopPaste?.();
  }
  return tokens!;
}
