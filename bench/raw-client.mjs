// The floor: the least any MCP client can do over Streamable HTTP. An in-process
// node:http keep-alive client POSTs each JSON-RPC message and reads the answer, JSON
// or SSE (2025-11-25 "Transports" §Sending Messages to the Server), carrying the
// Mcp-Session-Id and MCP-Protocol-Version headers (§Session Management,
// §Protocol Version Header). No SDK, no schema validation, no stdio hop.
// Same driver interface as drivers.mjs: { initMs, callTool, peakRssKB, close }.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { sseData } from './sse-data.mjs';

const CLIENT_INFO = { name: 'mcp-auth-proxy-bench-raw', version: '1.0.0' };

export async function startRaw({ url, token }) {
  const target = new URL(url);
  // One socket per request in flight, kept open between requests.
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  let sessionId;
  let protocolVersion;
  let nextId = 1;

  /** POST one message; resolves with the answer to `id` (undefined for a notification). */
  const post = (message, timeoutMs) =>
    new Promise((resolve, reject) => {
      const body = Buffer.from(JSON.stringify(message));
      const headers = {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${token}`,
        'content-length': body.length,
      };
      if (sessionId) headers['mcp-session-id'] = sessionId;
      if (protocolVersion) headers['mcp-protocol-version'] = protocolVersion;
      const req = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method: 'POST', headers }, (res) => {
        const sid = res.headers['mcp-session-id'];
        if (sid) sessionId = sid;
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode >= 400) return reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
          if (message.id === undefined) return resolve(undefined);
          try {
            const type = res.headers['content-type'] ?? '';
            const messages = type.startsWith('text/event-stream') ? sseData(text).map((data) => JSON.parse(data)) : [JSON.parse(text)].flat();
            const answer = messages.find((m) => m.id === message.id && m.method === undefined);
            if (!answer) return reject(new Error(`no answer to ${message.method} in the response`));
            if (answer.error) return reject(new Error(`JSON-RPC error ${answer.error.code}: ${answer.error.message}`));
            resolve(answer.result);
          } catch (err) {
            reject(err);
          }
        });
      });
      const timer = setTimeout(() => req.destroy(new Error(`${message.method}: timed out after ${timeoutMs} ms`)), timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end(body);
    });

  const request = (method, params, timeoutMs) => post({ jsonrpc: '2.0', id: nextId++, method, params }, timeoutMs);

  const t0 = performance.now();
  const init = await request('initialize', { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO }, 15_000);
  protocolVersion = init.protocolVersion;
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, 15_000);
  const initMs = performance.now() - t0;

  return {
    initMs,
    callTool: (name, args, timeoutMs = 10_000) => request('tools/call', { name, arguments: args }, timeoutMs),
    peakRssKB: () => process.resourceUsage().maxRSS, // KB: the whole harness process
    close: async () => {
      // §Session Management: a client that no longer needs the session DELETEs it.
      if (sessionId)
        await new Promise((resolve) => {
          const req = http.request(
            {
              agent,
              host: target.hostname,
              port: target.port,
              path: target.pathname,
              method: 'DELETE',
              headers: { authorization: `Bearer ${token}`, 'mcp-session-id': sessionId },
            },
            (res) => res.resume().on('end', resolve).on('error', resolve),
          );
          req.on('error', resolve);
          req.end();
        });
      agent.destroy();
    },
  };
}
