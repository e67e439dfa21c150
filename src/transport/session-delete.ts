/** Ends a Streamable HTTP session ("Session Management": clients SHOULD DELETE a session they no longer need). */
import { authorizedRequest } from '../http/authorized-request.js';
import { log } from '../log.js';
import type { RemoteEndpoint } from './remote-transport.js';

/** Best effort within `timeoutMs`: a server that does not answer, or refuses, is only logged. */
export async function deleteSession(endpoint: RemoteEndpoint, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  try {
    const res = await authorizedRequest(endpoint, { url: endpoint.url, method: 'DELETE', headers, signal: AbortSignal.timeout(timeoutMs) });
    await res.body.dump();
    log.debug(`session closed (DELETE answered ${res.status})`);
  } catch (error) {
    log.debug(`could not close the session: ${(error as Error).message}`);
  }
}
