/**
 * An explicit sign-in (for `login` and `token`): the server's answer to a probe request decides,
 * so the sign-in takes the very path a refused host request takes (challenge → protected resource
 * metadata → authorization server → registration → browser).
 */
import type { OAuthAuthorizer } from '../auth/oauth-authorizer.js';
import { bearerChallenge } from '../auth/challenge.js';
import type { ProbeResult } from '../auth/probe.js';
import type { ServerRecord } from '../auth/token-store.js';
import { ProxyError } from '../errors.js';
import { displayUrl } from '../url.js';

export async function signInAfter(probe: ProbeResult, authorizer: OAuthAuthorizer, serverUrl: URL): Promise<ServerRecord> {
  const refused = probe.refused;
  if (!refused) {
    throw new ProxyError(
      'REMOTE_HTTP_STATUS',
      `${displayUrl(serverUrl)} does not ask for authorization (it answered ${probe.status} to a request without credentials), so there is nothing to sign in to. Is this the MCP endpoint's URL?`,
      { status: probe.status },
    );
  }
  if (refused.status === 403 && bearerChallenge(refused.wwwAuthenticate)?.error !== 'insufficient_scope') {
    throw new ProxyError('FORBIDDEN', `${displayUrl(serverUrl)} refused access (403 Forbidden) without asking for a sign-in`, { status: 403 });
  }
  return authorizer.signIn(refused);
}
