/**
 * Where credentials live between runs: one directory (0700) of small JSON files (0600), each
 * written atomically (temp file + rename, see state-files.ts) so a crash or a second proxy never
 * sees half a file.
 * Client registrations are keyed by the authorization server's issuer (MCP 2026-07-28: never reuse
 * a registration with another AS); tokens by the MCP server's URL and the issuer. Lock files let
 * several proxies for one server share one sign-in and one refresh at a time.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireLock, type LockOptions } from './lock-file.js';
export type { LockOptions } from './lock-file.js';
import { ensurePrivateDir, fileKey, readJsonFile, writeJsonFile } from '../state-files.js';
import type { StoredDpopKey } from './dpop-key.js';

export interface StoredTokens {
  accessToken: string;
  refreshToken: string | undefined;
  /** Milliseconds since the epoch; undefined when the AS gave no expires_in. */
  expiresAt: number | undefined;
  /** When the token was obtained (ms since the epoch); absent in files from older versions. */
  issuedAt?: number | undefined;
  scope: string | undefined;
}

/** What one MCP server has with one authorization server. */
export interface ServerRecord {
  server: string;
  issuer: string;
  /** The client the tokens were issued to (its secret, if any, lives in the client record or flags). */
  clientId: string;
  clientAuthMethod: string;
  /** The RFC 8707 resource sent, if any. */
  resource: string | undefined;
  /** The scope requested at the last authorization (for step-up unions). */
  requestedScope: string | undefined;
  tokenEndpoint: string;
  revocationEndpoint: string | undefined;
  tokens: StoredTokens | undefined;
  /**
   * How the tokens were obtained when not by a user's sign-in at this AS: 'client_credentials' (the
   * client's own), 'jwt-bearer' (a workload's assertion), 'id-jag' (through the --idp identity provider).
   */
  grant?: 'client_credentials' | 'jwt-bearer' | 'id-jag' | undefined;
  /** The tokens are DPoP-bound (RFC 9449) to this key (its private half: readDpopKey); absent: Bearer. */
  dpop?: { alg: string; thumbprint: string } | undefined;
  updatedAt: number;
}

export interface ClientRecord {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  /** RFC 7591 §3.2.1: 0 or absent means it does not expire. Seconds since the epoch. */
  clientSecretExpiresAt: number | undefined;
  tokenEndpointAuthMethod: string;
  /** The loopback redirect URI registered (undefined for a device-only registration). */
  redirectUri: string | undefined;
  /** RFC 7591 grant_types registered; absent in files from older versions (the code flow). */
  grantTypes?: string[] | undefined;
  kind: 'dynamic' | 'metadata-document' | 'pre-registered';
  createdAt: number;
}

/** One sign-in at an enterprise identity provider (--idp), shared by every MCP server configured with it. */
export interface IdpSessionRecord {
  issuer: string;
  clientId: string;
  idToken: string | undefined;
  /** The ID token's `exp`, in ms since the epoch. */
  idTokenExpiresAt: number | undefined;
  refreshToken: string | undefined;
  /** The ID token's `sub` (who signed in), for `status`. */
  subject: string | undefined;
  updatedAt: number;
}

interface ServerFile {
  version: 1;
  server: string;
  /** The issuer used last, tried first at the next start. */
  current: string | undefined;
  byIssuer: Record<string, ServerRecord>;
}

export class TokenStore {
  private ready: Promise<void> | undefined;

  constructor(readonly dir: string) {}

  // --- servers -------------------------------------------------------------

  async readServer(server: string, issuer?: string): Promise<ServerRecord | undefined> {
    const file = await this.readJson<ServerFile>(fileKey('server', server));
    if (!file || file.server !== server) return undefined;
    const key = issuer ?? file.current;
    return key === undefined ? undefined : file.byIssuer[key];
  }

  async writeServer(record: ServerRecord): Promise<void> {
    const name = fileKey('server', record.server);
    const file = (await this.readJson<ServerFile>(name)) ?? { version: 1, server: record.server, current: undefined, byIssuer: {} };
    file.byIssuer[record.issuer] = { ...record, updatedAt: Date.now() };
    file.current = record.issuer;
    await this.writeJson(name, file);
  }

  /** Forgets tokens (all issuers, or one), keeping nothing else of the server when all go. */
  async deleteServer(server: string, issuer?: string): Promise<void> {
    const name = fileKey('server', server);
    const file = await this.readJson<ServerFile>(name);
    if (!file) return;
    for (const gone of issuer === undefined ? Object.keys(file.byIssuer) : [issuer]) await this.deleteDpopKey(server, gone);
    if (issuer === undefined) {
      await rm(join(this.dir, name), { force: true });
      return;
    }
    delete file.byIssuer[issuer];
    if (file.current === issuer) file.current = undefined;
    await this.writeJson(name, file);
  }

  async listServers(): Promise<ServerRecord[]> {
    return (await this.readAll<ServerFile>('server-')).flatMap((file) => Object.values(file.byIssuer));
  }

  // --- DPoP keys (RFC 9449): one per server and issuer, beside its tokens ---

  async readDpopKey(server: string, issuer: string): Promise<StoredDpopKey | undefined> {
    const file = await this.readJson<StoredDpopKey & { server: string; issuer: string }>(dpopKeyFile(server, issuer));
    return file?.server === server && file.issuer === issuer ? file : undefined;
  }

  writeDpopKey(server: string, issuer: string, key: StoredDpopKey): Promise<void> {
    return this.writeJson(dpopKeyFile(server, issuer), { server, issuer, ...key });
  }

  async deleteDpopKey(server: string, issuer: string): Promise<void> {
    await rm(join(this.dir, dpopKeyFile(server, issuer)), { force: true });
  }

  // --- clients -------------------------------------------------------------

  readClient(issuer: string): Promise<ClientRecord | undefined> {
    return this.readJson<ClientRecord>(fileKey('client', issuer)).then((c) => (c?.issuer === issuer ? c : undefined));
  }

  writeClient(record: ClientRecord): Promise<void> {
    return this.writeJson(fileKey('client', record.issuer), record);
  }

  async listClients(): Promise<ClientRecord[]> {
    return (await this.readAll<ClientRecord>('client-')).filter((client) => typeof client.issuer === 'string');
  }

  async deleteClient(issuer: string): Promise<void> {
    await rm(join(this.dir, fileKey('client', issuer)), { force: true });
  }

  // --- identity provider sessions (enterprise-managed authorization) ------

  readIdpSession(issuer: string): Promise<IdpSessionRecord | undefined> {
    return this.readJson<IdpSessionRecord>(fileKey('idp', issuer)).then((r) => (r?.issuer === issuer ? r : undefined));
  }

  writeIdpSession(record: IdpSessionRecord): Promise<void> {
    return this.writeJson(fileKey('idp', record.issuer), { ...record, updatedAt: Date.now() });
  }

  async deleteIdpSession(issuer: string): Promise<void> {
    await rm(join(this.dir, fileKey('idp', issuer)), { force: true });
  }

  async listIdpSessions(): Promise<IdpSessionRecord[]> {
    return (await this.readAll<IdpSessionRecord>('idp-')).filter((r) => typeof r.issuer === 'string');
  }

  // --- locks ---------------------------------------------------------------

  /**
   * Runs fn while holding a lock file shared by every proxy using this directory (see
   * lock-file.ts: a dead or crashed holder's lock is taken over).
   */
  async withLock<T>(name: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
    await this.ensureDir();
    const release = await acquireLock(join(this.dir, fileKey('lock', name).replace(/\.json$/, '.lock')), options);
    try {
      return await fn();
    } finally {
      await release();
    }
  }

  // --- files ---------------------------------------------------------------

  /** Every readable file of one kind (server-, client-). */
  private async readAll<T>(prefix: string): Promise<T[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const out: T[] = [];
    for (const name of names.filter((n) => n.startsWith(prefix) && n.endsWith('.json'))) {
      const value = await this.readJson<T>(name);
      if (value) out.push(value);
    }
    return out;
  }

  private ensureDir(): Promise<void> {
    this.ready ??= ensurePrivateDir(this.dir);
    return this.ready;
  }

  private readJson<T>(name: string): Promise<T | undefined> {
    return readJsonFile<T>(this.dir, name, 'credentials file');
  }

  private async writeJson(name: string, value: unknown): Promise<void> {
    await this.ensureDir();
    await writeJsonFile(this.dir, name, value);
  }
}

function dpopKeyFile(server: string, issuer: string): string {
  return fileKey('dpop', `${server} ${issuer}`);
}
