/**
 * The user's session at the enterprise identity provider (--idp), for enterprise-managed
 * authorization: one OIDC sign-in (authorization code + PKCE, `openid` scope, through the same
 * browser / pasted-URL / in-host paths as any sign-in) whose ID token then serves every MCP server
 * configured with the same --idp. The ID token and the IdP's refresh token are kept in the token
 * store keyed by the IdP; an expired ID token is refreshed (OIDC Core §12), else the user signs in
 * again. With --idp-id-token-file, the ID token comes from that file, read when needed.
 */
import { readFile } from 'node:fs/promises';
import type { IdpConfig } from '../config-assertion.js';
import { ProxyError, isProxyError } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import { addSecret, log } from '../log.js';
import { authorizeInBrowser } from './authorize.js';
import { CallbackServer } from './callback-server.js';
import { deviceFlowSupported, pollDeviceToken, requestDeviceAuthorization, showDeviceCode } from './device.js';
import { discoverAuthServer, type AuthServerMetadata } from './discovery.js';
import { postForm } from './oauth-request.js';
import { clientAuth, obtainClient } from './registration.js';
import { authenticateClient, parseTokenResponse, type ClientAuth } from './token-endpoint.js';
import type { IdpSessionRecord, StoredTokens, TokenStore } from './token-store.js';

export interface IdpSessionSettings {
  http: HttpClient;
  store: TokenStore;
  idp: IdpConfig;
  allowHttp: boolean;
  assumePkce: boolean;
  callbackPort: number | undefined;
  browser: string | undefined;
  authTimeoutMs: number;
  /** `login` on a terminal: where the user may paste the redirected URL. */
  pasteFrom?: NodeJS.ReadableStream | undefined;
  noBrowser: string | undefined;
}

// An ID token this close to its expiry is renewed first: the exchange must still accept it.
const MARGIN_MS = 30_000;

export class IdpSession {
  waitingForUser = false;
  private metadata: Promise<AuthServerMetadata> | undefined;

  constructor(private readonly settings: IdpSessionSettings) {}

  get issuer(): string {
    return this.settings.idp.issuer;
  }

  /** The IdP's metadata (OIDC discovery); only its token endpoint is needed when the ID token is given. */
  as(): Promise<AuthServerMetadata> {
    const given = this.settings.idp.idTokenFile !== undefined;
    this.metadata ??= discoverAuthServer(this.settings.http, this.issuer, {
      allowHttp: this.settings.allowHttp,
      assumePkce: this.settings.assumePkce || given,
    });
    this.metadata.catch(() => (this.metadata = undefined));
    return this.metadata;
  }

  /** How the proxy authenticates to the IdP as --idp-client-id (a secret if given, else a public client). */
  async client(): Promise<ClientAuth> {
    const { clientId, clientSecret } = this.settings.idp;
    const record = await obtainClient(
      this.settings.http,
      await this.as(),
      { clientId, clientSecret, clientMetadataUrl: undefined },
      { grant: 'client_credentials' },
      this.settings.store,
    );
    return clientAuth(record);
  }

  /** A usable ID token: the given file's, else the stored one, else refreshed, else a new sign-in. */
  async idToken(): Promise<string> {
    const file = this.settings.idp.idTokenFile;
    if (file !== undefined) return readIdTokenFile(file);
    const stored = await this.settings.store.readIdpSession(this.issuer);
    if (usable(stored)) return stored!.idToken!;
    return this.settings.store.withLock(
      `idp:${this.issuer}`,
      { timeoutMs: this.settings.authTimeoutMs + 30_000, onWait: () => log.info(`another mcp-auth-proxy is signing in at ${this.issuer}; waiting for it`) },
      async () => {
        const now = await this.settings.store.readIdpSession(this.issuer); // another process may have signed in
        if (usable(now)) return now!.idToken!;
        if (now?.refreshToken) {
          const refreshed = await this.refresh(now.refreshToken).catch((error: unknown) => {
            if (!isProxyError(error, 'AUTH_TOKEN') || error.oauthError === undefined) throw error;
            log.info(`the identity provider refused our refresh token (${error.oauthError}); signing in again`);
            return undefined;
          });
          if (refreshed) return refreshed;
        }
        return this.signIn();
      },
    );
  }

  /** The IdP refused the ID token in an exchange (invalid_grant): forget it, so the next idToken() renews it. */
  async forget(idToken: string): Promise<boolean> {
    if (this.settings.idp.idTokenFile !== undefined) return false;
    const stored = await this.settings.store.readIdpSession(this.issuer);
    if (!stored || stored.idToken !== idToken) return stored !== undefined;
    await this.settings.store.writeIdpSession({ ...stored, idToken: undefined, idTokenExpiresAt: undefined });
    return true;
  }

  private async refresh(refreshToken: string): Promise<string | undefined> {
    const as = await this.as();
    const { idToken, tokens } = await this.tokenRequest(as, { grant_type: 'refresh_token', refresh_token: refreshToken });
    // OIDC Core §12.2: the IdP may leave the ID token out of a refresh; then only a sign-in gives a new one.
    if (!idToken) return undefined;
    await this.save(idToken, tokens.refreshToken ?? refreshToken);
    log.info(`ID token refreshed at ${this.issuer}`);
    return idToken;
  }

  private async signIn(): Promise<string> {
    const as = await this.as();
    // offline_access where listed, so the session outlives the ID token (OIDC Core §11).
    const offline = as.scopesSupported?.includes('offline_access') === true;
    const scope = offline ? 'openid offline_access' : 'openid';
    if (this.settings.noBrowser !== undefined) {
      if (deviceFlowSupported(as)) return this.deviceSignIn(as, scope);
      log.info(`no browser can be opened here (${this.settings.noBrowser}) and ${this.issuer} offers no device authorization grant: printing the sign-in URL`);
    }
    const callback = await CallbackServer.start({ pinned: this.settings.callbackPort });
    this.waitingForUser = true;
    try {
      const { clientId, clientSecret } = this.settings.idp;
      const record = await obtainClient(
        this.settings.http,
        as,
        { clientId, clientSecret, clientMetadataUrl: undefined },
        { grant: 'authorization_code', redirectUri: callback.redirectUri },
        this.settings.store,
      );
      log.info(`signing in at the identity provider ${this.issuer} (client ${clientId}; OIDC, scope ${scope})`);
      let idToken: string | undefined;
      const tokens = await authorizeInBrowser({
        http: this.settings.http,
        as,
        client: clientAuth(record),
        callback,
        resource: undefined,
        scope,
        prompt: offline ? 'consent' : undefined,
        browser: this.settings.browser,
        timeoutMs: this.settings.authTimeoutMs,
        pasteFrom: this.settings.noBrowser !== undefined ? this.settings.pasteFrom : undefined,
        redeem: async (grant) => {
          const answer = await this.tokenRequest(as, {
            grant_type: 'authorization_code',
            code: grant.code,
            redirect_uri: grant.redirectUri,
            code_verifier: grant.verifier,
          });
          idToken = answer.idToken;
          return answer.tokens;
        },
      });
      return await this.signedIn(idToken, tokens);
    } finally {
      this.waitingForUser = false;
      await callback.close();
    }
  }

  /** RFC 8628 at the IdP, where no browser can be opened here: a code to enter on another device. */
  private async deviceSignIn(as: AuthServerMetadata, scope: string): Promise<string> {
    log.info(`no browser can be opened here (${this.settings.noBrowser}): signing in at ${this.issuer} with the device authorization grant (RFC 8628)`);
    this.waitingForUser = true;
    try {
      const client = await this.client();
      const device = await requestDeviceAuthorization(this.settings.http, as, client, { scope, resource: undefined }, { allowHttp: this.settings.allowHttp });
      showDeviceCode(device);
      let idToken: string | undefined;
      const tokens = await pollDeviceToken(this.settings.http, as.tokenEndpoint, client, device, {
        resource: undefined,
        timeoutMs: this.settings.authTimeoutMs,
        redeem: async (form, signal) => {
          const answer = await this.tokenRequest(as, form, signal);
          idToken = answer.idToken;
          return answer.tokens;
        },
      });
      return this.signedIn(idToken, tokens);
    } finally {
      this.waitingForUser = false;
    }
  }

  private async signedIn(idToken: string | undefined, tokens: StoredTokens): Promise<string> {
    if (!idToken)
      throw new ProxyError(
        'AUTH_TOKEN',
        `the identity provider ${this.issuer} signed you in but sent no ID token ("id_token" missing; is "openid" allowed for client ${this.settings.idp.clientId}?)`,
      );
    await this.save(idToken, tokens.refreshToken);
    log.info(`signed in at the identity provider ${this.issuer}`);
    return idToken;
  }

  /** A token request at the IdP, answered with tokens and, validated, the ID token (OIDC Core §3.1.3.3, §3.1.3.7). */
  private async tokenRequest(
    as: AuthServerMetadata,
    form: Record<string, string | undefined>,
    signal?: AbortSignal,
  ): Promise<{ tokens: StoredTokens; idToken: string | undefined }> {
    const { body, headers } = authenticateClient(await this.client(), form);
    const answer = await postForm(this.settings.http, as.tokenEndpoint, body, headers, signal);
    const tokens = parseTokenResponse(answer, as.tokenEndpoint);
    const idToken = answer.body?.['id_token'];
    if (idToken === undefined) return { tokens, idToken: undefined };
    if (typeof idToken !== 'string') throw new ProxyError('AUTH_TOKEN', '"id_token" in the identity provider\'s token response must be a string');
    addSecret(idToken);
    // Received over TLS straight from the token endpoint: iss, aud and exp are checked, the signature may be skipped (§3.1.3.7 6).
    const claims = jwtClaims(idToken);
    if (claims?.['iss'] !== this.issuer) throw new ProxyError('AUTH_TOKEN', `the ID token's "iss" is not ${this.issuer}; not using it`);
    const aud = claims['aud'];
    if (!(aud === this.settings.idp.clientId || (Array.isArray(aud) && aud.includes(this.settings.idp.clientId)))) {
      throw new ProxyError('AUTH_TOKEN', `the ID token's "aud" does not name client ${this.settings.idp.clientId}; not using it`);
    }
    return { tokens, idToken };
  }

  private async save(idToken: string, refreshToken: string | undefined): Promise<void> {
    const claims = jwtClaims(idToken);
    const exp = claims?.['exp'];
    const sub = claims?.['sub'];
    await this.settings.store.writeIdpSession({
      issuer: this.issuer,
      clientId: this.settings.idp.clientId,
      idToken,
      idTokenExpiresAt: typeof exp === 'number' ? exp * 1000 : undefined,
      refreshToken,
      subject: typeof sub === 'string' ? sub : undefined,
      updatedAt: Date.now(),
    });
  }
}

function usable(record: IdpSessionRecord | undefined): boolean {
  return record?.idToken !== undefined && (record.idTokenExpiresAt === undefined || record.idTokenExpiresAt - Date.now() > MARGIN_MS);
}

/** The payload of a JWT, unverified (for its exp, iss, aud, sub), or undefined when it is not one. */
export function jwtClaims(jwt: string): Record<string, unknown> | undefined {
  try {
    const payload: unknown = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function readIdTokenFile(file: string): Promise<string> {
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ProxyError('AUTH_TOKEN', `cannot read --idp-id-token-file ${file} (${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')})`);
  }
  addSecret(text);
  const exp = jwtClaims(text)?.['exp'];
  if (!jwtClaims(text)) throw new ProxyError('AUTH_TOKEN', `--idp-id-token-file ${file} does not hold a JWT (an ID token)`);
  if (typeof exp === 'number' && exp * 1000 < Date.now()) {
    throw new ProxyError('AUTH_TOKEN', `the ID token in --idp-id-token-file ${file} expired ${new Date(exp * 1000).toISOString()}; put a fresh one there`);
  }
  return text;
}
