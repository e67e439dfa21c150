/**
 * Reading a 2026-07-28 server/discover result: the legacy InitializeResult a host expects, and the
 * subscriptions/listen filter the server's capabilities allow.
 */
import { META } from './modern-request.js';

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json | undefined => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined);

/** The InitializeResult for a legacy host (2025-11-25 schema: protocolVersion, capabilities, serverInfo, instructions). */
export function initializeResult(discover: Json, protocolVersion: string): Json {
  // serverInfo moved into _meta in the final 2026-07-28 schema; drafts had it at the top level.
  const serverInfo = asObject(asObject(discover['_meta'])?.[META.serverInfo]) ??
    asObject(discover['serverInfo']) ?? { name: 'remote MCP server', version: 'unknown' };
  const source = asObject(discover['capabilities']) ?? {};
  const capabilities: Json = {};
  // Keys a 2025-11-25 host knows; `extensions` and anything newer stay out.
  for (const key of ['tools', 'prompts', 'resources', 'completions', 'logging', 'experimental']) {
    if (source[key] !== undefined) capabilities[key] = source[key];
  }
  const result: Json = { protocolVersion, capabilities, serverInfo };
  if (typeof discover['instructions'] === 'string') result['instructions'] = discover['instructions'];
  return result;
}

/** The listen filter: what the server can notify about, plus the host's resource subscriptions. */
export function listenFilter(discover: Json, resourceSubscriptions: ReadonlySet<string>): Json | undefined {
  const capabilities = asObject(discover['capabilities']) ?? {};
  const filter: Json = {};
  if (asObject(capabilities['tools'])?.['listChanged'] === true) filter['toolsListChanged'] = true;
  if (asObject(capabilities['prompts'])?.['listChanged'] === true) filter['promptsListChanged'] = true;
  if (asObject(capabilities['resources'])?.['listChanged'] === true) filter['resourcesListChanged'] = true;
  if (resourceSubscriptions.size > 0) filter['resourceSubscriptions'] = [...resourceSubscriptions];
  return Object.keys(filter).length > 0 ? filter : undefined;
}
