/**
 * The run's one HttpClient, with the UrlPolicy (src/url-policy.ts) that guards every URL a server
 * names: https unless loopback or --allow-http, never link-local, private ranges only next to a
 * private MCP server.
 */
import type { Config } from './config.js';
import { HttpClient } from './http/client.js';
import { UrlPolicy } from './url-policy.js';

export function createHttpClient(config: Pick<Config, 'network' | 'allowHttp' | 'serverUrl' | 'oauth'>): HttpClient {
  // The --idp the user named may be on a private network even next to a public MCP server.
  const idp = config.oauth.idp?.issuer;
  const urlPolicy = new UrlPolicy({
    allowHttp: config.allowHttp,
    servers: [new URL(config.serverUrl)],
    userUrls: idp && URL.canParse(idp) ? [new URL(idp)] : [],
  });
  return new HttpClient(config.network, { urlPolicy });
}
