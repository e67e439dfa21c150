/**
 * The sign-in half of the config: the OAuth client, its credentials (secret or private key), the
 * grant, the resource and the browser, each checked once here.
 */
import { algorithmsFor, chooseAlg, parsePrivateKey, type ClientKey } from './auth/client-assertion.js';
import { noBrowserReason } from './auth/browser.js';
import { buildAssertionConfig } from './config-assertion.js';
import { DEFAULTS, DPOP_CHOICES, ENV, GRANTS, type DpopChoice, type GrantChoice } from './config-defaults.js';
import type { OAuthConfig, RawOptions } from './config.js';
import { buildSignIn, staticClientInfo } from './config-sign-in.js';
import { UsageError } from './errors.js';
import { parseSeconds, readUserFile, type Env } from './option-values.js';

/** How to sign in; `enabled` is false when static credentials were given. The client secret goes into `secrets`. */
export function buildOAuth(given: RawOptions, env: Env, enabled: boolean, secrets: string[], allowHttp = false): OAuthConfig {
  // mcp-remote's --static-oauth-client-info is --client-id / --client-secret in one JSON.
  const raw: RawOptions = { ...given, ...staticClientInfo(given, env) };
  const clientSecret = raw.clientSecret ?? env[ENV.clientSecret];
  if (clientSecret !== undefined) secrets.push(clientSecret);
  if (clientSecret !== undefined && raw.clientId === undefined) {
    throw new UsageError('INVALID_OPTION', `a client secret (--client-secret or ${ENV.clientSecret}) needs --client-id`);
  }
  const clientMetadataUrl = raw.clientMetadataUrl;
  if (clientMetadataUrl !== undefined) {
    // A client ID metadata document URL must be https with a path (it is the client_id).
    let url: URL | undefined;
    try {
      url = new URL(clientMetadataUrl);
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== 'https:' || url.pathname === '/' || url.hash) {
      throw new UsageError('INVALID_URL', `--client-metadata-url must be an https URL with a path, e.g. https://example.com/client.json`);
    }
  }
  let resource: string | false | undefined;
  if (raw.resource === false) resource = false;
  else if (typeof raw.resource === 'string') {
    try {
      new URL(raw.resource);
    } catch {
      throw new UsageError('INVALID_URL', `--resource must be an absolute URI (got "${raw.resource}")`);
    }
    resource = raw.resource;
  }
  let callbackPort: number | undefined;
  if (raw.callbackPort !== undefined) {
    callbackPort = Number(raw.callbackPort);
    if (!Number.isInteger(callbackPort) || callbackPort < 1 || callbackPort > 65535) {
      throw new UsageError('INVALID_OPTION', `--callback-port takes a port number from 1 to 65535 (got "${raw.callbackPort}")`);
    }
  }
  const dpop = raw.dpop ?? DEFAULTS.dpop;
  if (!(DPOP_CHOICES as readonly string[]).includes(dpop)) {
    throw new UsageError('INVALID_OPTION', `--dpop must be one of ${DPOP_CHOICES.join(', ')} (got "${dpop}")`);
  }
  const browser = raw.browser?.trim();
  if (browser === '') throw new UsageError('INVALID_OPTION', '--browser needs a command, or "none"');
  const clientGrant = buildClientGrant(raw, env, clientSecret);
  return Object.freeze({
    enabled,
    clientId: raw.clientId,
    clientSecret,
    clientMetadataUrl,
    scope: raw.scope?.trim() || undefined,
    resource,
    callbackPort,
    browser,
    noBrowser: noBrowserReason(browser, env),
    authTimeoutMs: parseSeconds(raw.authTimeout, '--auth-timeout', DEFAULTS.authTimeoutSeconds) * 1000,
    assumePkce: raw.assumePkce === true,
    signIn: buildSignIn(raw, env, allowHttp),
    dpop: dpop as DpopChoice,
    ...clientGrant,
    ...buildAssertionConfig(raw, env, clientGrant.grant, secrets),
  });
}

/** --grant and --client-key: which client credentials a machine-to-machine run needs, checked up front. */
export function buildClientGrant(raw: RawOptions, env: Env, clientSecret: string | undefined): { grant: GrantChoice; clientKey: ClientKey | undefined } {
  const grant = raw.grant ?? DEFAULTS.grant;
  if (!(GRANTS as readonly string[]).includes(grant)) {
    throw new UsageError('INVALID_OPTION', `--grant must be one of ${GRANTS.join(', ')} (got "${grant}")`);
  }
  if (raw.clientKey === undefined) {
    if (raw.clientKeyAlg !== undefined || raw.clientKeyId !== undefined) {
      throw new UsageError(
        'INVALID_OPTION',
        `${raw.clientKeyAlg !== undefined ? '--client-key-alg' : '--client-key-id'} needs --client-key (the private key it describes)`,
      );
    }
  } else {
    if (raw.clientId === undefined) throw new UsageError('INVALID_OPTION', '--client-key needs --client-id (the client the key belongs to)');
    if (clientSecret !== undefined) {
      throw new UsageError(
        'INVALID_OPTION',
        `give the client's credentials once: --client-key and a client secret (--client-secret or ${ENV.clientSecret}) were both given`,
      );
    }
  }
  if (grant === 'client_credentials' && (raw.clientId === undefined || (clientSecret === undefined && raw.clientKey === undefined))) {
    throw new UsageError(
      'INVALID_OPTION',
      `--grant client_credentials needs a client registered with the authorization server in advance: pass --client-id with --client-secret (or ${ENV.clientSecret}) or with --client-key <pem file>`,
    );
  }
  return { grant: grant as GrantChoice, clientKey: raw.clientKey === undefined ? undefined : readClientKey(raw.clientKey, raw, env) };
}

/** The --client-key file: a private key (PEM or JWK) that can sign with the chosen algorithm. */
function readClientKey(file: string, raw: RawOptions, env: Env): ClientKey {
  const data = readUserFile(file, '--client-key', env, { privateKey: true });
  let parsed: ReturnType<typeof parsePrivateKey>;
  try {
    parsed = parsePrivateKey(data);
  } catch (error) {
    throw new UsageError('INVALID_OPTION', `--client-key ${file}: ${(error as Error).message}`);
  }
  const { key, kid } = parsed;
  try {
    return Object.freeze({ key, alg: chooseAlg(key, raw.clientKeyAlg), kid: raw.clientKeyId?.trim() || kid });
  } catch (error) {
    // A key that can sign, just not with the algorithm asked for: --client-key-alg is at fault.
    const flag = raw.clientKeyAlg !== undefined && algorithmsFor(key).length > 0 ? '--client-key-alg' : `--client-key ${file}`;
    throw new UsageError('INVALID_OPTION', `${flag}: ${(error as Error).message}`);
  }
}
