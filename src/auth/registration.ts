/**
 * Who the proxy is to an authorization server, in the order MCP 2025-11-25 "Client Registration
 * Approaches" gives: pre-registered (--client-id), a client ID metadata document
 * (--client-metadata-url, when the AS supports them), dynamic client registration (RFC 7591),
 * else an error naming the flag to pass. Dynamic registrations are stored per issuer and never
 * used with another AS (MCP 2026-07-28).
 */
import { ProxyError } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import { addSecret, log } from '../log.js';
import type { ClientKey } from './client-assertion.js';
import { DEVICE_GRANT, deviceFlowSupported } from './device.js';
import type { AuthServerMetadata } from './discovery.js';
import { acceptedAnswer, oauthErrorText } from './oauth-error.js';
import { optionalString, optionalStrings, postJson } from './oauth-request.js';
import { refusedClientMetadata, registrationMethods } from './registration-methods.js';
import type { ClientAuth } from './token-endpoint.js';
import type { ClientRecord, ServerRecord, TokenStore } from './token-store.js';

export interface ClientSettings {
  clientId: string | undefined;
  clientSecret: string | undefined;
  clientMetadataUrl: string | undefined;
  /** --client-key: authenticate the --client-id client with private_key_jwt (RFC 7523). */
  clientKey?: ClientKey | undefined;
  /** --client-name / --static-oauth-client-metadata, merged over what registration sends. */
  metadata?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * What the client is needed for: the authorization code flow (through this exact loopback
 * redirect URI), the device authorization grant (RFC 8628), or client credentials (a
 * pre-registered confidential client only).
 */
export type ClientUse = { grant: 'authorization_code'; redirectUri: string } | { grant: 'device_code' } | { grant: 'client_credentials' };

const WHERE = 'the client registration response';

/** RFC 7591 token_endpoint_auth_method for a client, as the AS allows. */
function authMethod(as: AuthServerMetadata, hasSecret: boolean, hasKey = false): string {
  const allowed = as.tokenEndpointAuthMethods;
  if (hasKey) {
    if (allowed && !allowed.includes('private_key_jwt'))
      log.warn(`${as.issuer} does not list private_key_jwt among its token endpoint authentication methods; trying it anyway (--client-key)`);
    return 'private_key_jwt';
  }
  if (!hasSecret) return 'none';
  // RFC 8414 §2: absent means client_secret_basic.
  if (!allowed || allowed.includes('client_secret_basic')) return 'client_secret_basic';
  if (allowed.includes('client_secret_post')) return 'client_secret_post';
  return allowed[0] ?? 'client_secret_basic';
}

/**
 * Who the proxy is to `as` for `use`, without registering: MCP 2025-11-25 "Client Registration
 * Approaches" order (pre-registered, client ID metadata document, dynamic registration), where a
 * stored dynamic registration (`stored`) is reused while its secret lasts and it fits the use.
 * Pure: throws AUTH_REGISTRATION naming the flag to pass when there is no way at all.
 */
export function identityFor(as: AuthServerMetadata, settings: ClientSettings, use: ClientUse, stored: ClientRecord | undefined): ClientIdentity {
  const redirectUri = use.grant === 'authorization_code' ? use.redirectUri : undefined;
  const base = { issuer: as.issuer, redirectUri, createdAt: Date.now(), clientSecretExpiresAt: undefined };
  if (settings.clientId !== undefined) {
    const method = authMethod(as, settings.clientSecret !== undefined, settings.clientKey !== undefined);
    return {
      kind: 'pre-registered',
      client: { ...base, kind: 'pre-registered', clientId: settings.clientId, clientSecret: settings.clientSecret, tokenEndpointAuthMethod: method },
    };
  }
  if (use.grant === 'client_credentials') {
    throw new ProxyError(
      'AUTH_REGISTRATION',
      '--grant client_credentials needs a client registered with the provider: pass --client-id with --client-secret or --client-key',
    );
  }
  if (settings.clientMetadataUrl !== undefined && as.clientIdMetadataDocumentSupported) {
    // The URL is the client_id (draft-ietf-oauth-client-id-metadata-document); no secret.
    const client: ClientRecord = {
      ...base,
      kind: 'metadata-document',
      clientId: settings.clientMetadataUrl,
      clientSecret: undefined,
      tokenEndpointAuthMethod: 'none',
    };
    return { kind: 'metadata-document', client };
  }
  const current = stored && !secretExpired(stored) ? stored : undefined;
  // A registration made with other --client-name / --static-oauth-client-metadata is made anew.
  const metadataKey = settings.metadata === undefined ? undefined : JSON.stringify(settings.metadata);
  if (current && fits(current, use) && current.metadataKey === metadataKey) return { kind: 'stored', client: current };
  if (!as.registrationEndpoint) {
    throw new ProxyError(
      'AUTH_REGISTRATION',
      `${as.issuer} does not offer dynamic client registration${settings.clientMetadataUrl && !as.clientIdMetadataDocumentSupported ? ' nor client ID metadata documents' : ''}: register a client with the provider and pass --client-id (and --client-secret)${as.clientIdMetadataDocumentSupported ? ', or pass --client-metadata-url' : ''}`,
    );
  }
  // A registration that lacks what this sign-in needs is renewed with the union of both, so that
  // switching between the browser and the device flow does not re-register every time.
  const redirect = redirectUri ?? current?.redirectUri;
  const grants = new Set([use.grant === 'device_code' ? DEVICE_GRANT : 'authorization_code', ...(current ? grantsOf(current) : []), 'refresh_token']);
  if (redirect === undefined) grants.delete('authorization_code');
  if (!deviceFlowSupported(as)) grants.delete(DEVICE_GRANT);
  return { kind: 'register', redirectUri: redirect, grantTypes: [...grants], replaces: current };
}

export type ClientIdentity =
  | { kind: 'pre-registered' | 'metadata-document' | 'stored'; client: ClientRecord }
  /** Dynamic client registration (RFC 7591) with these, replacing `replaces` when it does not fit. */
  | { kind: 'register'; redirectUri: string | undefined; grantTypes: string[]; replaces: ClientRecord | undefined };

export async function obtainClient(
  http: HttpClient,
  as: AuthServerMetadata,
  settings: ClientSettings,
  use: ClientUse,
  store: TokenStore,
): Promise<ClientRecord> {
  const stored = settings.clientId === undefined ? await store.readClient(as.issuer) : undefined;
  const identity = identityFor(as, settings, use, stored);
  if (identity.kind !== 'register') return identity.client;
  if (identity.replaces)
    log.info(
      `the stored registration ${identity.replaces.clientId} cannot be used for this sign-in (${use.grant === 'device_code' ? 'it lacks the device_code grant' : 'another redirect URI or no authorization_code grant'}); registering again`,
    );
  const client = await registerWithMethods(http, as, identity.redirectUri, identity.grantTypes, settings.metadata);
  await store.writeClient(client);
  return client;
}

/** Registers as a public client where the AS offers it, as a confidential one when it refuses that (registration-methods.ts). */
async function registerWithMethods(
  http: HttpClient,
  as: AuthServerMetadata,
  redirectUri: string | undefined,
  grantTypes: string[],
  given?: Readonly<Record<string, unknown>>,
): Promise<ClientRecord> {
  const methods = registrationMethods(as.tokenEndpointAuthMethods);
  for (let i = 0; ; i++) {
    try {
      return await register(http, as, redirectUri, grantTypes, methods[i]!, given);
    } catch (error) {
      if (i + 1 >= methods.length || !refusedClientMetadata(error)) throw error;
      log.info(`${as.issuer} refused a public client (${(error as Error).message}); registering as a confidential client (${methods[i + 1]})`);
    }
  }
}

/** The grant types a stored registration has (files from older versions registered the code flow). */
function grantsOf(client: ClientRecord): string[] {
  return client.grantTypes ?? ['authorization_code', 'refresh_token'];
}

function fits(client: ClientRecord, use: ClientUse): boolean {
  if (use.grant === 'device_code') return grantsOf(client).includes(DEVICE_GRANT);
  return use.grant === 'authorization_code' && client.redirectUri === use.redirectUri && grantsOf(client).includes('authorization_code');
}

/**
 * How to authenticate as the client that stored tokens were issued to (for refreshing or
 * revoking them): the --client-id/--client-secret given, the client ID metadata document URL,
 * or the stored registration; undefined when that client is no longer known.
 */
export async function clientAuthFor(record: ServerRecord, settings: ClientSettings, store: TokenStore): Promise<ClientAuth | undefined> {
  const { clientId, clientSecret, clientMetadataUrl, clientKey } = settings;
  if (clientId !== undefined && clientId === record.clientId) {
    const assertion = record.clientAuthMethod === 'private_key_jwt' && clientKey ? { key: clientKey, audience: record.issuer } : undefined;
    if (record.clientAuthMethod === 'private_key_jwt' && !assertion) return undefined; // its key was not given
    return { clientId, clientSecret, method: record.clientAuthMethod, assertion };
  }
  if (clientMetadataUrl !== undefined && clientMetadataUrl === record.clientId) return { clientId: clientMetadataUrl, clientSecret: undefined, method: 'none' };
  const stored = await store.readClient(record.issuer);
  return stored && stored.clientId === record.clientId ? clientAuth(stored) : undefined;
}

/** How to authenticate as `client`; `key` (--client-key) signs the assertions of a private_key_jwt client. */
export function clientAuth(client: ClientRecord, key?: ClientKey): ClientAuth {
  addSecret(client.clientSecret);
  const assertion = client.tokenEndpointAuthMethod === 'private_key_jwt' && key ? { key, audience: client.issuer } : undefined;
  return { clientId: client.clientId, clientSecret: client.clientSecret, method: client.tokenEndpointAuthMethod, assertion };
}

function secretExpired(client: ClientRecord): boolean {
  const at = client.clientSecretExpiresAt;
  return at !== undefined && at !== 0 && at * 1000 < Date.now() + 60_000;
}

// No `scope` in the registration: RFC 7591 §2 makes it the client's allowed set, and a later
// step-up (MCP 2025-11-25) must be able to ask for more.
async function register(
  http: HttpClient,
  as: AuthServerMetadata,
  redirectUri: string | undefined,
  grantTypes: string[],
  method: string,
  given?: Readonly<Record<string, unknown>>,
): Promise<ClientRecord> {
  const code = grantTypes.includes('authorization_code');
  const metadata: Record<string, unknown> = {
    client_name: 'mcp-auth-proxy',
    // A device-only client has no redirect URI (RFC 8628 needs none) and no response type.
    ...(code && redirectUri !== undefined ? { redirect_uris: [redirectUri] } : {}),
    grant_types: grantTypes,
    response_types: code ? ['code'] : [],
    token_endpoint_auth_method: method,
    // MCP 2026-07-28: application_type MUST be sent; "native" for a loopback redirect.
    application_type: 'native',
    // The user's (validated in config-sign-in.ts: never the redirect URIs or grants the flow needs).
    ...given,
  };
  log.info(`registering with ${as.issuer} (RFC 7591 dynamic client registration)`);
  const answer = await postJson(http, as.registrationEndpoint!, metadata);
  const { body } = acceptedAnswer(
    answer,
    [201, 200],
    'AUTH_REGISTRATION',
    ({ status, oauth }) =>
      `${as.issuer} refused the client registration (${oauth ? oauthErrorText(oauth) : status}); register a client with the provider and pass --client-id`,
  );
  if (!body) throw new ProxyError('AUTH_REGISTRATION', `the client registration answer is unusable: ${answer.problem}`);
  const clientId = body['client_id'];
  if (typeof clientId !== 'string' || clientId === '') throw new ProxyError('AUTH_REGISTRATION', `"client_id" in ${WHERE} is missing`);
  const clientSecret = optionalString(body, 'client_secret', WHERE, 'AUTH_REGISTRATION');
  addSecret(clientSecret); // never in a log line, whoever formats it
  const expiresAt = body['client_secret_expires_at'];
  // RFC 7591 §3.2.1: the AS may change the metadata; what it answers is what the client has.
  const granted = optionalStrings(body, 'grant_types', WHERE, 'AUTH_REGISTRATION') ?? grantTypes;
  return {
    issuer: as.issuer,
    kind: 'dynamic',
    clientId,
    clientSecret,
    clientSecretExpiresAt: typeof expiresAt === 'number' ? expiresAt : undefined,
    tokenEndpointAuthMethod:
      optionalString(body, 'token_endpoint_auth_method', WHERE, 'AUTH_REGISTRATION') ??
      (clientSecret ? String(metadata['token_endpoint_auth_method']) : 'none'),
    redirectUri: code ? redirectUri : undefined,
    grantTypes: granted,
    ...(given === undefined ? {} : { metadataKey: JSON.stringify(given) }),
    createdAt: Date.now(),
  };
}
