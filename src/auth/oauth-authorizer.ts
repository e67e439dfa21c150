/**
 * OAuth 2.1 as the MCP authorization spec asks of a client (2025-03-26 … 2026-07-28): on 401,
 * refresh if possible, else discover, register and sign in through the browser; on 403
 * insufficient_scope, step up with the union of scopes. One sign-in or refresh at a time per
 * server, in this process (single flight) and across processes (a lock file), so N proxies
 * started together share one browser window and one registration.
 * Where no browser can be opened, the device authorization grant (RFC 8628) signs in instead when
 * the AS offers it. With --grant client_credentials there is no user at all: the client's own
 * token is requested, and requested again shortly before it expires and on 401; likewise with an
 * assertion grant (--grant jwt-bearer, or --idp: jwt-bearer-grant.ts, id-jag-grant.ts).
 * This file decides when to sign in or renew; obtain-tokens.ts runs the grant that gets the tokens.
 */
import { systemClock, type Clock } from '../clock.js';
import type { DpopChoice, GrantChoice } from '../config.js';
import { credentialsKey, type SignInOptions } from '../config-sign-in.js';
import { ProxyError, isProxyError } from '../errors.js';
import type { Authorizer, Challenge, OutgoingRequest } from '../http/authorizer.js';
import type { HttpClient } from '../http/client.js';
import { log } from '../log.js';
import { displayUrl } from '../url.js';
import { BrowserFailureGate } from './browser-failure.js';
import { obtainRetryingWithoutOfflineAccess } from './offline-access.js';
import { chooseScope } from './scope-choice.js';
import { bearerChallenge, refusesAccess, type BearerChallenge } from './challenge.js';
import { checkIdToken, idTokenHeaders, presentedAuthorization, renewalDue } from './id-token.js';
import { discoverAuthorization, type AuthServerMetadata, type ProtectedResource } from './discovery.js';
import { DpopSession } from './dpop-session.js';
import { staticAuthServer } from './static-token-endpoint.js';
import { clientAuthFor, type ClientSettings } from './registration.js';
import type { AssertionGrant } from './jwt-bearer-grant.js';
import { discoveryOptions } from './sign-in-method.js';
import { obtainTokens, type TokenFlow } from './obtain-tokens.js';
import { clientCredentialsToken, refreshTokens, type ClientAuth } from './token-endpoint.js';
import type { ServerRecord, TokenStore } from './token-store.js';

export interface OAuthSettings {
  /** For discovery, registration and the token endpoint (never carries the MCP token). */
  http: HttpClient;
  serverUrl: URL;
  store: TokenStore;
  client: ClientSettings;
  /** --scope: overrides every other scope source. */
  scope: string | undefined;
  /** --resource (a URI), or false for --no-resource, or undefined to use the PRM's. */
  resource: string | false | undefined;
  callbackPort: number | undefined;
  browser: string | undefined;
  authTimeoutMs: number;
  allowHttp: boolean;
  assumePkce: boolean;
  /** --grant: a user's sign-in (authorization_code, or the device grant), or the client's own token. */
  grant: GrantChoice;
  /** Why no browser can be opened here (see noBrowserReason), or undefined when one can. */
  noBrowser: string | undefined;
  /** `login` on a terminal: where the user may paste the redirected URL when no browser opens here. */
  pasteFrom?: NodeJS.ReadableStream | undefined;
  signIn?: SignInOptions | undefined; // what real providers need (config-sign-in.ts): authorize params, the callback, the ID token
  /** --grant jwt-bearer or --idp: tokens from an assertion (RFC 7523), with no sign-in at this AS. */
  assertionGrant?: AssertionGrant | undefined;
  /** Decides when a token is renewed ahead of expiry and paces the device grant (tests move it). */
  clock?: Clock | undefined;
  dpop?: DpopChoice | undefined; // --dpop: when to ask for DPoP-bound tokens (RFC 9449, dpop-session.ts); default auto
}

export class OAuthAuthorizer implements Authorizer {
  private record: ServerRecord | undefined;
  private loaded: Promise<void> | undefined;
  private flight: Promise<void> | undefined;
  private signingIn = false;
  private readonly browserGate = new BrowserFailureGate();
  /** --use-id-token: false once a refresh answer came without an ID token (then only a sign-in renews it). */
  private refreshRenewsIdToken = true;

  /** `dpop`: the DPoP key and nonces (RFC 9449) of this server's tokens, when they are DPoP-bound. */
  constructor(
    private readonly settings: OAuthSettings,
    readonly dpop = new DpopSession(settings.store),
  ) {}

  get waitingForUser(): boolean {
    return this.signingIn || this.settings.assertionGrant?.waitingForUser === true;
  }

  /** How tokens are obtained without a user's sign-in at this AS (stored with them), or undefined. */
  private get kind(): ServerRecord['grant'] {
    return this.settings.assertionGrant?.kind ?? (this.settings.grant === 'client_credentials' ? 'client_credentials' : undefined);
  }

  private get useIdToken(): boolean {
    return this.settings.signIn?.useIdToken === true;
  }

  private get server(): string {
    // The credentials' key: with --authorize-param and --resource (another audience, account or tenant is other tokens).
    return credentialsKey(this.settings.serverUrl.href, this.settings.signIn?.authorizeParams ?? {}, this.settings.resource);
  }

  /** Bearer (RFC 6750 §2.1) or DPoP (RFC 9449 §7.1) headers for the current token (--use-id-token: the ID token, Bearer), renewed first when about to expire. */
  async headers(request: OutgoingRequest): Promise<Record<string, string>> {
    const record = await this.freshCredentials();
    return this.useIdToken ? idTokenHeaders(record) : this.dpop.headers(record, request);
  }

  answered({ url, dpopNonce }: { url: URL; dpopNonce: string | undefined }): void {
    this.dpop.answered(url, dpopNonce);
  }

  /** The stored credentials, renewed first when the access token is about to expire (as before a request). */
  async freshCredentials(): Promise<ServerRecord | undefined> {
    await this.load();
    const tokens = this.record?.tokens;
    // Client credentials and assertion grants come without a refresh token: a new request renews them.
    if (
      tokens &&
      ((tokens.refreshToken !== undefined && this.refreshRenewsIdToken) || this.kind !== undefined) &&
      renewalDue(tokens, this.useIdToken, (this.settings.clock ?? systemClock).now())
    ) {
      const sent = presentedAuthorization(this.record, this.useIdToken);
      const renew = tokens.refreshToken && this.refreshRenewsIdToken ? () => this.refresh(sent) : () => this.renewClientCredentials(sent);
      await this.once(async () => void (await renew())).catch((error: unknown) => {
        log.info(`could not renew the access token ahead of expiry: ${(error as Error).message}`);
      });
    }
    return this.record;
  }

  /**
   * A resource server's DPoP nonce challenge (RFC 9449 §9: a nonce, not a bad token): true when
   * the request is to be retried with the nonce. challenge() starts with it; doctor, which never
   * signs in, asks it alone.
   */
  retriesWithNonce(refused: Challenge): boolean {
    return this.record?.dpop !== undefined && this.dpop.nonceChallenge(refused);
  }

  async challenge(refused: Challenge): Promise<void> {
    if (this.retriesWithNonce(refused)) return;
    const { status, wwwAuthenticate, sent } = refused;
    const challenge = bearerChallenge(wwwAuthenticate);
    if (refusesAccess(status, challenge)) {
      const why = challenge?.errorDescription ? `: ${challenge.errorDescription.slice(0, 200)}` : '';
      throw new ProxyError('FORBIDDEN', `the server refused access (403 Forbidden${why})`, { status });
    }
    if (status === 403) {
      // MCP 2025-11-25 "Step-Up Authorization Flow"; 2026-07-28: with the union of scopes.
      log.info(`the server asks for more scope (${challenge?.scope ?? 'unspecified'}); signing in again`);
      return this.browserGate.wait(() => this.once(() => this.authorize(challenge, true)));
    }
    // A browser that failed to open answers this request at once (browser-failure.ts).
    await this.browserGate.wait(() =>
      this.once(async () => {
        if (presentedAuthorization(this.record, this.useIdToken) !== sent) return; // renewed while this request was out
        if (this.record?.tokens?.refreshToken && this.refreshRenewsIdToken && (await this.refresh(sent))) return;
        log.info(`${displayUrl(this.server)} asks for authorization (401); signing in`);
        await this.authorize(challenge, false);
      }),
    );
  }

  /**
   * Signs in now (the `login` and `token` commands): discovery, registration and the browser,
   * exactly as for a request the server refused with `refused` (its challenge guides discovery
   * and scope), replacing stored tokens. Resolves with what was stored.
   */
  async signIn(refused: Challenge): Promise<ServerRecord> {
    await this.load();
    const challenge = bearerChallenge(refused.wwwAuthenticate);
    await this.once(() => this.authorize(challenge, refused.status === 403));
    if (!this.record?.tokens) throw new ProxyError('AUTH_TOKEN', 'the sign-in ended without tokens');
    return this.record;
  }

  /** The stored credentials in use (after any renewal freshCredentials() made), if any. */
  async credentials(): Promise<ServerRecord | undefined> {
    await this.load();
    return this.record;
  }

  private load(): Promise<void> {
    this.loaded ??= this.readServer().then((r) => void (this.record = r));
    return this.loaded;
  }

  /**
   * The stored record, if it fits this run: a client's own tokens (client_credentials) are used
   * only by that client's --grant client_credentials runs, and a user's tokens never by them.
   */
  private async readServer(issuer?: string): Promise<ServerRecord | undefined> {
    const record = await this.settings.store.readServer(this.server, issuer);
    if (!record) return undefined;
    if (record.grant !== this.kind) return undefined;
    if (this.kind !== undefined && record.clientId !== this.settings.client.clientId) return undefined;
    return record;
  }

  /** One refresh or sign-in at a time in this process; others wait for its outcome. */
  private once(task: () => Promise<void>): Promise<void> {
    const run = (this.flight ?? Promise.resolve()).catch(() => undefined).then(task);
    const flight = run.finally(() => {
      if (this.flight === flight) this.flight = undefined;
    });
    this.flight = flight;
    return flight;
  }

  private lock<T>(fn: () => Promise<T>): Promise<T> {
    return this.settings.store.withLock(
      this.server,
      {
        timeoutMs: this.settings.authTimeoutMs + 30_000,
        clock: this.settings.clock,
        onWait: () => log.info('another mcp-auth-proxy is signing in to this server; waiting for it'),
      },
      fn,
    );
  }

  /**
   * Renews the tokens under the lock, unless another process already has (rotating refresh tokens
   * must not be reused). Returns true when usable tokens are in hand afterwards.
   */
  private renew(sent: string | undefined, how: (record: ServerRecord, client: ClientAuth) => Promise<boolean>): Promise<boolean> {
    return this.lock(async () => {
      const record = this.record;
      if (!record) return false;
      const stored = await this.readServer(record.issuer);
      if (stored?.tokens && presentedAuthorization(stored, this.useIdToken) !== sent) {
        this.record = stored;
        return true;
      }
      const client = await clientAuthFor(record, this.settings.client, this.settings.store).then((known) => known && this.dpop.forRecord(known, record));
      return client ? how(record, client) : false;
    });
  }

  private refresh(sent: string | undefined): Promise<boolean> {
    return this.renew(sent, async (record, client) => {
      const refreshToken = record.tokens?.refreshToken;
      if (!refreshToken) return false;
      try {
        const tokens = await refreshTokens(this.settings.http, new URL(record.tokenEndpoint), client, { refreshToken, resource: record.resource });
        if (this.useIdToken && tokens.idToken === undefined) {
          // OIDC Core §12.2: a refresh answer need not carry an ID token. With --use-id-token the
          // ID token is what requests present, so only a new sign-in renews it; refresh is not
          // asked again in this run (it would answer the same).
          this.refreshRenewsIdToken = false;
          log.info('the refresh answer carries no new ID token (--use-id-token); signing in again');
          return false;
        }
        await this.save({ ...record, tokens });
        log.info('access token refreshed');
        return true;
      } catch (error) {
        if (!isProxyError(error, 'AUTH_TOKEN') || error.oauthError === undefined) throw error;
        // RFC 6749 §5.2: invalid_grant = the refresh token is dead; invalid_client = so is the client.
        log.info(`refresh refused (${error.oauthError}); signing in again`);
        if (error.oauthError === 'invalid_client' || error.oauthError === 'unauthorized_client') await this.settings.store.deleteClient(record.issuer);
        await this.save({ ...record, tokens: undefined });
        return false;
      }
    });
  }

  /** A new token by the same grant (client credentials, an assertion), for the client and resource of the current one (no discovery). */
  private renewClientCredentials(sent: string | undefined): Promise<boolean> {
    return this.renew(sent, async (record, client) => {
      const request = { scope: record.requestedScope, resource: record.resource };
      const grant = this.settings.assertionGrant;
      const tokens = grant
        ? await grant.token({ issuer: record.issuer, tokenEndpoint: new URL(record.tokenEndpoint) }, client, request)
        : await clientCredentialsToken(this.settings.http, new URL(record.tokenEndpoint), client, request);
      await this.save({ ...record, tokens });
      log.info('access token renewed (client credentials)');
      return true;
    });
  }

  private authorize(challenge: BearerChallenge | undefined, stepUp: boolean): Promise<void> {
    const before = presentedAuthorization(this.record, this.useIdToken);
    return this.lock(async () => {
      // Another proxy may have signed in while we waited for the lock.
      const stored = await this.readServer();
      if (!stepUp && stored?.tokens && presentedAuthorization(stored, this.useIdToken) !== before) {
        this.record = stored;
        return;
      }
      const { prm, as } = await this.discover(challenge);
      const resource = this.settings.resource === false ? undefined : (this.settings.resource ?? prm?.resource);
      const scope = chooseScope(
        this.settings.scope,
        challenge,
        prm,
        as,
        stepUp ? this.record?.requestedScope : undefined,
        this.kind !== undefined,
        this.useIdToken,
      );
      this.dpop.begin(this.settings.dpop ?? 'auto', as, prm, challenge?.scheme === 'dpop');
      const obtained = await obtainRetryingWithoutOfflineAccess(scope, (s) => obtainTokens(this.flow, as, resource, s));
      const client = obtained.result;
      await this.save(
        await this.dpop.keep({
          server: this.server,
          issuer: as.issuer,
          clientId: client.clientId,
          clientAuthMethod: client.method,
          resource,
          requestedScope: obtained.scope,
          tokenEndpoint: as.tokenEndpoint.href,
          revocationEndpoint: as.revocationEndpoint?.href,
          tokens: client.tokens,
          ...(this.kind ? { grant: this.kind } : {}),
          updatedAt: Date.now(),
        }),
      );
      log.info(`signed in to ${displayUrl(this.server)} through ${as.issuer}`);
    });
  }

  private discover(challenge: BearerChallenge | undefined): Promise<{ prm: ProtectedResource | undefined; as: AuthServerMetadata }> {
    // --token-endpoint: client credentials at a given endpoint; there is no metadata to find.
    if (this.settings.signIn?.tokenEndpoint) return Promise.resolve({ prm: undefined, as: staticAuthServer(this.settings.signIn.tokenEndpoint) });
    const options = discoveryOptions({ allowHttp: this.settings.allowHttp, assumePkce: this.settings.assumePkce, kind: this.kind });
    return discoverAuthorization(this.settings.http, this.settings.serverUrl, challenge?.resourceMetadata, options);
  }

  /** What the sign-in flows (obtain-tokens.ts) need of this authorizer. */
  private get flow(): TokenFlow {
    const signingIn = (on: boolean) => void (this.signingIn = on);
    return { settings: this.settings, kind: this.kind, dpop: this.dpop, browserGate: this.browserGate, signingIn };
  }

  private async save(record: ServerRecord): Promise<void> {
    if (this.useIdToken && record.tokens) checkIdToken(record.tokens, record);
    this.record = record;
    await this.settings.store.writeServer(record);
  }
}
