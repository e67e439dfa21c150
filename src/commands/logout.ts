/**
 * `mcp-auth-proxy logout <server-url> | --all-servers [--all]`: forgets the stored tokens of one
 * server (every authorization server it used), or of every server, revoking them first (RFC 7009)
 * where the authorization server has a revocation endpoint. --all also forgets the client
 * registrations with those authorization servers (with --all-servers: every registration).
 * A revocation that fails is reported on stderr and never fails the logout: the tokens are
 * deleted either way. What it did goes to stderr; stdout stays empty.
 */
import { clientAuthFor } from '../auth/registration.js';
import { revokeTokens } from '../auth/revocation.js';
import type { ClientAuth } from '../auth/token-endpoint.js';
import { TokenStore, type ServerRecord } from '../auth/token-store.js';
import type { StoreConfig } from '../config.js';
import { isProxyError, UsageError } from '../errors.js';
import { HttpClient } from '../http/client.js';
import { DEFAULTS } from '../config-defaults.js';
import { log, setLogLevel } from '../log.js';
import { UrlPolicy } from '../url-policy.js';
import { displayUrl } from '../url.js';
import { withHttpClient } from './with-http-client.js';
import { say } from './output.js';
import { revocationReport } from './revocation-report.js';
import { storedServers } from './stored-servers.js';

// Waiting longer for a proxy that is signing in would leave the user staring at nothing.
const LOCK_WAIT_MS = 10_000;

export interface LogoutOptions {
  all: boolean;
  allServers: boolean;
  /** The bound on all revocations of the command together (tests shorten it). */
  revocationMs?: number;
}

export async function runLogout(config: StoreConfig, options: LogoutOptions): Promise<number> {
  setLogLevel(config.logLevel);
  // Revocation endpoints were checked when they were stored (--allow-http included); the
  // addresses they resolve to are checked again now, next to the servers being signed out of.
  const policy = new UrlPolicy({ allowHttp: true, servers: [] });
  return withHttpClient(new HttpClient(config.network, { urlPolicy: policy }), (http) => logout(config, options, http, policy));
}

async function logout(config: StoreConfig, options: LogoutOptions, http: HttpClient, policy: UrlPolicy): Promise<number> {
  if (config.serverUrl === undefined && !options.allServers) {
    throw new UsageError(
      'INVALID_OPTION',
      'name the server to sign out of (mcp-auth-proxy logout <server-url>), or pass --all-servers to sign out of every server',
    );
  }
  if (config.serverUrl !== undefined && options.allServers) {
    throw new UsageError('INVALID_OPTION', 'give either a server URL or --all-servers, not both');
  }
  const dir = config.authDir;
  const store = new TokenStore(dir);
  const records = await storedServers(store, config.serverUrl);
  const servers = [...new Set(records.map((r) => r.server))];
  for (const server of servers) policy.addServer(new URL(server));
  if (servers.length === 0 && config.serverUrl !== undefined) {
    const others = (await store.listServers()).map((r) => displayUrl(r.server));
    say(`no stored credentials for ${displayUrl(config.serverUrl)}; nothing to do${others.length ? ` (stored: ${[...new Set(others)].join(', ')})` : ''}`);
    return 0;
  }

  const issuers = new Set<string>();
  // One bound for every revocation of the command, started by the first: an endpoint that never
  // answers delays the logout by that much at most, however many servers (issue 10 §8).
  const revocationMs = options.revocationMs ?? DEFAULTS.logoutRevocationSeconds * 1000;
  let bound: AbortSignal | undefined;
  const budget = (): AbortSignal => (bound ??= AbortSignal.timeout(revocationMs));
  // Servers are signed out of concurrently (each under its own lock).
  await Promise.all(
    servers.map(async (server) => {
      await lockedIfPossible(store, server, async () => {
        // Read again under the lock: a proxy may have refreshed (rotated) the tokens meanwhile.
        const records = (await storedServers(store, server)).filter((record) => record.server === server);
        for (const record of records) issuers.add(record.issuer);
        await Promise.all(records.map((record) => revoke(record, store, config, http, budget)));
        await store.deleteServer(server);
      });
      say(`signed out of ${displayUrl(server)}: its tokens are deleted`);
    }),
  );

  // The sign-ins at identity providers (--idp) serve every server: they go with --all-servers only.
  if (options.allServers) {
    for (const session of await store.listIdpSessions()) {
      await store.deleteIdpSession(session.issuer);
      say(`signed out of the identity provider ${session.issuer}: its ID token and refresh token are deleted here (they stay valid there until they expire)`);
    }
  }

  if (options.all) {
    if (options.allServers) for (const client of await store.listClients()) issuers.add(client.issuer);
    const remaining = await store.listServers();
    for (const issuer of issuers) {
      const client = await store.readClient(issuer);
      if (!client) continue;
      await store.deleteClient(issuer);
      say(`forgot the client registration ${client.clientId} with ${issuer} (the next sign-in registers again)`);
      const sharing = [...new Set(remaining.filter((r) => r.issuer === issuer && r.clientId === client.clientId).map((r) => displayUrl(r.server)))];
      if (sharing.length > 0) say(`warning: ${sharing.join(', ')} used that registration too and will need a new sign-in once the access token expires`);
    }
  }
  if (servers.length === 0) say(options.all ? `no stored tokens (in ${dir})` : `no stored credentials (in ${dir}); nothing to do`);
  return 0;
}

async function revoke(record: ServerRecord, store: TokenStore, config: StoreConfig, http: HttpClient, budget: () => AbortSignal): Promise<void> {
  const tokens = record.tokens;
  if (!tokens) return;
  if (!record.revocationEndpoint) {
    say(
      `warning: ${record.issuer} offers no revocation endpoint: the tokens for ${displayUrl(record.server)} are deleted here but stay valid there until they expire`,
    );
    return;
  }
  const known = await clientAuthFor(
    record,
    { clientId: config.clientId, clientSecret: config.clientSecret, clientMetadataUrl: undefined, clientKey: config.clientKey },
    store,
  );
  const client: ClientAuth | undefined =
    known ?? (record.clientAuthMethod === 'none' ? { clientId: record.clientId, clientSecret: undefined, method: 'none' } : undefined);
  if (!client) {
    const needs =
      record.clientAuthMethod === 'private_key_jwt'
        ? `key (pass --client-id ${record.clientId} --client-key …)`
        : `secret (pass --client-id ${record.clientId} --client-secret …)`;
    say(
      `warning: could not revoke the tokens for ${displayUrl(record.server)}: the client ${record.clientId} needs its ${needs}; they are deleted here but stay valid at ${record.issuer} until they expire`,
    );
    return;
  }
  const outcomes = await revokeTokens(http, new URL(record.revocationEndpoint), client, tokens, budget());
  // Servers are signed out of concurrently: each line names its server.
  for (const line of revocationReport(outcomes, tokens, record.issuer)) {
    if (line.level === 'say') say(`${displayUrl(record.server)}: ${line.text}`);
    else log.info(line.text);
  }
}

/** Runs fn holding the server's lock, or without it (saying so) when a sign-in holds it too long. */
async function lockedIfPossible(store: TokenStore, server: string, fn: () => Promise<void>): Promise<void> {
  let ran = false;
  try {
    await store.withLock(
      server,
      { timeoutMs: LOCK_WAIT_MS, onWait: () => say('another mcp-auth-proxy is signing in to this server; waiting for it') },
      async () => {
        ran = true;
        await fn();
      },
    );
  } catch (error) {
    if (ran || !isProxyError(error, 'AUTH_LOCK_BUSY')) throw error;
    say(`warning: another mcp-auth-proxy is still signing in to ${displayUrl(server)}; signing out anyway (tokens it obtains later will be stored)`);
    await fn();
  }
}
