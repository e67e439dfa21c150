/**
 * The stored credentials a command is about: every server's, or one server's, matched by its URL
 * exactly (the store's key) or, failing that, without its query string (as `status` shows it).
 */
import type { ServerRecord, TokenStore } from '../auth/token-store.js';
import { displayUrl } from '../url.js';

export async function storedServers(store: TokenStore, serverUrl: string | undefined): Promise<ServerRecord[]> {
  const all = (await store.listServers()).sort((a, b) => a.server.localeCompare(b.server) || a.issuer.localeCompare(b.issuer));
  if (serverUrl === undefined) return all;
  const exact = all.filter((r) => r.server === serverUrl);
  return exact.length > 0 ? exact : all.filter((r) => displayUrl(r.server) === displayUrl(serverUrl));
}
