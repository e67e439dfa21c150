/**
 * Ids of the proxy's own requests (keepalive pings, session replays, era probes, tool listings,
 * input requests to the host…). The proxy never rewrites the host's ids, so its own must not
 * collide with them: one prefix, minted here and recognised here only. JSON-RPC 2.0 §4 lets ids
 * be any string; ours are `mcp-auth-proxy:<purpose>:<n>`, the purpose for logs and tests.
 */
import type { JsonRpcId } from './jsonrpc.js';

const PREFIX = 'mcp-auth-proxy:';

export type OwnIdPurpose = 'keepalive' | 'replay' | 'discover' | 'probe' | 'doctor' | 'sign-in' | 'list' | 'call' | 'request' | 'input' | 'listen';

let counter = 0;

export function mintId(purpose: OwnIdPurpose): string {
  return `${PREFIX}${purpose}:${++counter}`;
}

/**
 * Whether an id was minted by the proxy (a message carrying it is not the host's); with a
 * purpose, whether it was minted for that purpose.
 */
export function isOwnId(id: JsonRpcId | null | undefined, purpose?: OwnIdPurpose): boolean {
  return typeof id === 'string' && id.startsWith(purpose === undefined ? PREFIX : `${PREFIX}${purpose}:`);
}
