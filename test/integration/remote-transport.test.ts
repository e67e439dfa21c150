// RemoteTransport.request in-process against raw servers: the reply is handed back to the caller.
import { describe, expect, it } from 'vitest';
import { staticAuthorizer } from '../../src/auth/static-authorizer.js';
import { buildNetwork } from '../../src/config.js';
import { HttpClient } from '../../src/http/client.js';
import { StreamableHttpTransport } from '../../src/transport/streamable-http.js';
import { startRawServer } from '../fixtures/raw-server.js';
import { whenTestEnds } from '../fixtures/teardown.js';

const transports: StreamableHttpTransport[] = [];

/** A client for the test's requests, closed (with the transports it made) when the test ends. */
function httpClient(): HttpClient {
  const http = new HttpClient(buildNetwork({}, {}));
  whenTestEnds(async () => {
    await Promise.all(transports.splice(0).map((t) => t.close()));
    await http.close();
  });
  return http;
}

describe('StreamableHttpTransport.request', () => {
  it('a reply that arrives on a resumed GET stream, which then stays open, is handed back at once (conformance sse-retry regression)', async () => {
    // 2025-11-25 "Resumability and Redelivery": the POST's stream ends after a priming event; the
    // answer comes on the GET resumed with Last-Event-ID, and that stream is not closed after it.
    const server = await startRawServer((req, res, entry) => {
      if (req.method === 'POST') {
        const id = (entry.body as { id: unknown }).id;
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.end(`id: primed-${String(id)}\nretry: 10\ndata: \n\n`);
        return;
      }
      const resumed = req.headers['last-event-id'];
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      const id = String(resumed).replace('primed-', '');
      res.write(`id: answer\nevent: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: Number(id), result: { resumed } })}\n\n`);
    });
    const transport = new StreamableHttpTransport({ url: new URL(server.url), headers: {}, authorizer: staticAuthorizer(undefined), http: httpClient() });
    transports.push(transport);
    const reply = await transport.request({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'slow' } });
    expect(reply.message).toEqual({ jsonrpc: '2.0', id: 5, result: { resumed: 'primed-5' } });
    expect(server.log.entries.map((e) => `${e.method} ${String(e.headers['last-event-id'] ?? '')}`)).toEqual(['POST ', 'GET primed-5']);
  });
});
