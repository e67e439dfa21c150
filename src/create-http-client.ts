/**
 * The run's one HttpClient, with the UrlPolicy (src/url-policy.ts) that guards every URL a server
 * names: https unless loopback or --allow-http, never link-local, private ranges only next to a
 * private MCP server.
 */
import type { Config } from './config.js';
import { HttpClient } from './http/client.js';
import { UrlPolicy } from './url-policy.js';

export function createHttpClient(config: Pick<Config, 'network' | 'allowHttp' | 'serverUrl'>): HttpClient {
  const urlPolicy = new UrlPolicy({ allowHttp: config.allowHttp, servers: [new URL(config.serverUrl)] });
  return new HttpClient(config.network, { urlPolicy });
}
