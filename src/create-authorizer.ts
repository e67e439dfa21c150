/**
 * Wiring: the authorizer for a proxy run. Static credentials when given; otherwise the OAuth flow
 * (discovery, registration, PKCE, browser, callback server, device flow, token store: most of the
 * proxy's code), loaded when the first request needs credentials, so a run with a static token
 * never loads it and an OAuth run answers nothing later for it (issue 13: load only what a run
 * needs before answering initialize).
 */
import { staticAuthorizer } from './auth/static-authorizer.js';
import type { Config } from './config.js';
import type { Authorizer } from './http/authorizer.js';
import type { HttpClient } from './http/client.js';

export function createAuthorizer(config: Config, http: HttpClient): Authorizer {
  if (!config.oauth.enabled) return staticAuthorizer(config.bearer);
  let loaded: Authorizer | undefined;
  let loading: Promise<Authorizer> | undefined;
  const load = (): Promise<Authorizer> =>
    (loading ??= import('./auth/create-oauth-authorizer.js').then((m) => (loaded = m.createOAuthAuthorizer(config, http))));
  return {
    headers: async (request) => (await load()).headers(request),
    challenge: async (challenge) => (await load()).challenge(challenge),
    // DPoP nonces handed out on ordinary answers (RFC 9449 §8.2): nothing to keep before it loads.
    answered: (answer) => loaded?.answered?.(answer),
    get waitingForUser() {
      return loaded?.waitingForUser === true;
    },
  };
}
