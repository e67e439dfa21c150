/**
 * Who the proxy is to an authorization server, in the order MCP 2025-11-25 "Client Registration
 * Approaches" gives: pre-registered (--client-id), a client ID metadata document
 * (--client-metadata-url, when the AS supports them), dynamic client registration (RFC 7591),
 * else an error naming the flag to pass. Dynamic registrations are stored per issuer and never
 * used with another AS (MCP 2026-07-28).
 */
import { ProxyError } from '../errors.js';
import { log } from '../log.js';
import type { AuthServerMetadata } from './discovery.js';
import { optionalString, postJson } from './oauth-request.js';
import type { ClientAuth } from './token-endpoint.js';
import type { ClientRecord, ServerRecord, TokenStore } from './token-store.js';

export interface ClientSettings {
  clientId: string | undefined;
  clientSecret: string | undefined;
  clientMetadataUrl: string | undefined;
}

const WHERE = 'the client registration response';

/** RFC 7591 token_endpoint_auth_method for a client, as the AS allows. */
function authMethod(as: AuthServerMetadata, hasSecret: boolean): string {
  const allowed = as.tokenEndpointAuthMethods;
  if (!hasSecret) return 'none';
  // RFC 8414 §2: absent means client_secret_basic.
  if (!allowed || allowed.includes('client_secret_basic')) return 'client_secret_basic';
  if (allowed.includes('client_secret_post')) return 'client_secret_post';
  return allowed[0] ?? 'client_secret_basic';
}

export async function obtainClient(
  as: AuthServerMetadata,
  settings: ClientSettings,
  redirectUri: string,
  store: TokenStore,
): Promise<ClientRecord> {
  const base = { issuer: as.issuer, redirectUri, createdAt: Date.now(), clientSecretExpiresAt: undefined };
  if (settings.clientId !== undefined) {
    return {
      ...base,
      kind: 'pre-registered',
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      tokenEndpointAuthMethod: authMethod(as, settings.clientSecret !== undefined),
    };
  }
  if (settings.clientMetadataUrl !== undefined && as.clientIdMetadataDocumentSupported) {
    // The URL is the client_id (draft-ietf-oauth-client-id-metadata-document); no secret.
    return { ...base, kind: 'metadata-document', clientId: settings.clientMetadataUrl, clientSecret: undefined, tokenEndpointAuthMethod: 'none' };
  }
  const stored = await store.readClient(as.issuer);
  if (stored && stored.redirectUri === redirectUri && !secretExpired(stored)) return stored;
  if (!as.registrationEndpoint) {
    throw new ProxyError(
      'AUTH_REGISTRATION',
      `${as.issuer} does not offer dynamic client registration${settings.clientMetadataUrl && !as.clientIdMetadataDocumentSupported ? ' nor client ID metadata documents' : ''}: register a client with the provider and pass --client-id (and --client-secret)${as.clientIdMetadataDocumentSupported ? ', or pass --client-metadata-url' : ''}`,
    );
  }
  const client = await register(as, redirectUri);
  await store.writeClient(client);
  return client;
}

/**
 * How to authenticate as the client that stored tokens were issued to (for refreshing or
 * revoking them): the --client-id/--client-secret given, the client ID metadata document URL,
 * or the stored registration; undefined when that client is no longer known.
 */
export async function clientAuthFor(record: ServerRecord, settings: ClientSettings, store: TokenStore): Promise<ClientAuth | undefined> {
  const { clientId, clientSecret, clientMetadataUrl } = settings;
  if (clientId !== undefined && clientId === record.clientId) {
    return { clientId, clientSecret, method: record.clientAuthMethod };
  }
  if (clientMetadataUrl !== undefined && clientMetadataUrl === record.clientId) return { clientId: clientMetadataUrl, clientSecret: undefined, method: 'none' };
  const stored = await store.readClient(record.issuer);
  return stored && stored.clientId === record.clientId ? clientAuth(stored) : undefined;
}

export function clientAuth(client: ClientRecord): ClientAuth {
  return { clientId: client.clientId, clientSecret: client.clientSecret, method: client.tokenEndpointAuthMethod };
}

function secretExpired(client: ClientRecord): boolean {
  const at = client.clientSecretExpiresAt;
  return at !== undefined && at !== 0 && at * 1000 < Date.now() + 60_000;
}

// No `scope` in the registration: RFC 7591 §2 makes it the client's allowed set, and a later
// step-up (MCP 2025-11-25) must be able to ask for more.
async function register(as: AuthServerMetadata, redirectUri: string): Promise<ClientRecord> {
  const method = as.tokenEndpointAuthMethods && !as.tokenEndpointAuthMethods.includes('none') ? authMethod(as, true) : 'none';
  const metadata: Record<string, unknown> = {
    client_name: 'mcp-auth-proxy',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: method,
    // MCP 2026-07-28: application_type MUST be sent; "native" for a loopback redirect.
    application_type: 'native',
  };
  log.info(`registering with ${as.issuer} (RFC 7591 dynamic client registration)`);
  const answer = await postJson(as.registrationEndpoint!, metadata);
  const { status, body } = answer;
  if (status !== 201 && status !== 200) {
    const error = typeof body?.['error'] === 'string' ? body['error'] : undefined;
    const description = typeof body?.['error_description'] === 'string' ? `: ${body['error_description'].slice(0, 300)}` : '';
    throw new ProxyError(
      'AUTH_REGISTRATION',
      `${as.issuer} refused the client registration (${error ?? status}${description}); register a client with the provider and pass --client-id`,
      { status, ...(error ? { oauthError: error } : {}) },
    );
  }
  if (!body) throw new ProxyError('AUTH_REGISTRATION', `the client registration answer is unusable: ${answer.problem}`);
  const clientId = body['client_id'];
  if (typeof clientId !== 'string' || clientId === '') throw new ProxyError('AUTH_REGISTRATION', `"client_id" in ${WHERE} is missing`);
  const clientSecret = optionalString(body, 'client_secret', WHERE, 'AUTH_REGISTRATION');
  const expiresAt = body['client_secret_expires_at'];
  return {
    issuer: as.issuer,
    kind: 'dynamic',
    clientId,
    clientSecret,
    clientSecretExpiresAt: typeof expiresAt === 'number' ? expiresAt : undefined,
    tokenEndpointAuthMethod: optionalString(body, 'token_endpoint_auth_method', WHERE, 'AUTH_REGISTRATION') ?? (clientSecret ? method : 'none'),
    redirectUri,
    createdAt: Date.now(),
  };
}
