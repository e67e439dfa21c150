/**
 * `mcp-auth-proxy status [server-url] [--json]`: what is stored, as a table on stdout (or a JSON
 * array): server, issuer, client, scopes, when the access token expires, whether a refresh token
 * is there, and how the token is bound (Bearer, or DPoP with the key's thumbprint); then the
 * sign-ins at identity providers (--idp). Reads the credentials directory only; never shows a token.
 */
import { TokenStore, type IdpSessionRecord } from '../auth/token-store.js';
import type { StoreConfig } from '../config.js';
import { setLogLevel } from '../log.js';
import { displayUrl } from '../url.js';
import { print } from './output.js';
import { storedServers } from './stored-servers.js';
import { binding, expiry, relativeTime, summary } from './summary.js';

export async function runStatus(config: StoreConfig, options: { json: boolean }): Promise<number> {
  setLogLevel(config.logLevel);
  const dir = config.authDir;
  const records = await storedServers(new TokenStore(dir), config.serverUrl);
  const now = Date.now();
  const rows = records.map((r) => summary(r, now));
  if (options.json) {
    print(JSON.stringify(rows, null, 2));
    return 0;
  }
  // Enterprise-managed authorization: the sign-in at each --idp, shared by its servers (never the ID token).
  const sessions = config.serverUrl === undefined ? await new TokenStore(dir).listIdpSessions() : [];
  if (rows.length === 0 && sessions.length === 0) {
    const which = config.serverUrl === undefined ? '' : ` for ${displayUrl(config.serverUrl)}`;
    print(`No stored credentials${which} (in ${dir}). Sign in with: mcp-auth-proxy login <server-url>`);
    return 0;
  }
  const tables: string[] = [];
  if (rows.length > 0) {
    tables.push(
      columns([
        ['SERVER', 'ISSUER', 'CLIENT ID', 'SCOPES', 'ACCESS TOKEN', 'REFRESH TOKEN', 'BINDING'],
        ...rows.map((s) => [s.server, s.issuer, s.clientId, s.scope ?? '-', expiry(s), s.refreshToken ? 'yes' : 'no', binding(s)]),
      ]),
    );
  }
  if (sessions.length > 0)
    tables.push(columns([['IDENTITY PROVIDER (--idp)', 'CLIENT ID', 'SIGNED IN AS', 'ID TOKEN', 'REFRESH TOKEN'], ...sessions.map((r) => idpRow(r, now))]));
  print(tables.join('\n\n'));
  return 0;
}

function idpRow(r: IdpSessionRecord, now: number): string[] {
  const left = r.idTokenExpiresAt === undefined ? undefined : Math.round((r.idTokenExpiresAt - now) / 1000);
  const idToken =
    r.idToken === undefined
      ? 'none'
      : left === undefined
        ? 'no stated expiry'
        : left > 0
          ? `in ${relativeTime(left * 1000)}`
          : `expired ${relativeTime(left * 1000)} ago`;
  return [r.issuer, r.clientId, r.subject ?? '-', idToken, r.refreshToken ? 'yes' : 'no'];
}

/** Rows as aligned columns (the last one unpadded). */
function columns(table: string[][]): string {
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}
