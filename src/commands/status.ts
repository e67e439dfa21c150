/**
 * `mcp-auth-proxy status [server-url] [--json]`: what is stored, as a table on stdout (or a JSON
 * array): server, issuer, client, scopes, when the access token expires, whether a refresh token
 * is there, and how the token is bound (Bearer, or DPoP with the key's thumbprint). Reads the credentials directory only; never shows a token.
 */
import { TokenStore } from '../auth/token-store.js';
import type { StoreConfig } from '../config.js';
import { setLogLevel } from '../log.js';
import { displayUrl } from '../url.js';
import { print } from './output.js';
import { storedServers } from './stored-servers.js';
import { binding, expiry, summary } from './summary.js';

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
  if (rows.length === 0) {
    const which = config.serverUrl === undefined ? '' : ` for ${displayUrl(config.serverUrl)}`;
    print(`No stored credentials${which} (in ${dir}). Sign in with: mcp-auth-proxy login <server-url>`);
    return 0;
  }
  const table = [
    ['SERVER', 'ISSUER', 'CLIENT ID', 'SCOPES', 'ACCESS TOKEN', 'REFRESH TOKEN', 'BINDING'],
    ...rows.map((s) => [s.server, s.issuer, s.clientId, s.scope ?? '-', expiry(s), s.refreshToken ? 'yes' : 'no', binding(s)]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  print(table.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n'));
  return 0;
}
