// Benchmark MCP server: SDK McpServer + stateful StreamableHTTPServerTransport
// on 127.0.0.1, random port, bearer-token protected. Tools: `echo`, `big`.
//
// As a module: `await startServer({ token })` -> { url, close }.
// As a child process (what bench.mjs does, to keep the server's CPU and memory
// out of the harness process): `node bench/server.mjs <token> [--warmup]`
// prints one JSON line `{"url": ...}` on stdout and runs until killed or stdin
// closes. --warmup first sends itself untimed echo traffic through an SDK
// client, so the first contender measured does not meet a cold (un-JITed) server.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export const BIG_BYTES = 10 * 1024 * 1024;
const BIG_TEXT = 'x'.repeat(BIG_BYTES); // ASCII: chars == bytes

function newMcpServer() {
  const server = new McpServer({ name: 'bench-server', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Echo text back', inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  server.registerTool('big', { description: `Return ${BIG_BYTES} bytes of text` }, async () => ({
    content: [{ type: 'text', text: BIG_TEXT }],
  }));
  return server;
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined);
      } catch (e) {
        reject(e);
      }
    });
    req.on('error', reject);
  });
}

function sendJsonError(res, status, message) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

export async function startServer({ token }) {
  const sessions = new Map(); // session id -> transport

  const httpServer = http.createServer(async (req, res) => {
    try {
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401, { 'www-authenticate': 'Bearer', 'content-type': 'text/plain' });
        return res.end('unauthorized');
      }
      const path = new URL(req.url, 'http://x').pathname;
      if (path !== '/mcp') return sendJsonError(res, 404, 'not found');

      const sid = req.headers['mcp-session-id'];
      const body = req.method === 'POST' ? await readJson(req) : undefined;
      let transport = sid ? sessions.get(sid) : undefined;

      if (!transport) {
        const isInit = req.method === 'POST' && !sid && body?.method === 'initialize';
        if (!isInit) return sendJsonError(res, sid ? 404 : 400, sid ? 'unknown session' : 'no session');
        transport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => sessions.set(id, transport),
        });
        transport.onclose = () => transport.sessionId && sessions.delete(transport.sessionId);
        await newMcpServer().connect(transport);
      }
      await transport.handleRequest(req, res, body);
    } catch (err) {
      if (!res.headersSent) sendJsonError(res, 500, String(err?.message ?? err));
      else res.destroy();
    }
  });
  httpServer.keepAliveTimeout = 30_000;

  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address();
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    sessionCount: () => sessions.size,
    close: async () => {
      for (const t of sessions.values()) await t.close().catch(() => {});
      httpServer.closeAllConnections?.();
      await new Promise((resolve) => httpServer.close(resolve));
    },
  };
}

async function warmUp(url, token) {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const client = new Client({ name: 'warmup', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  const echo = () => client.callTool({ name: 'echo', arguments: { text: 'warm' } });
  for (let i = 0; i < 300; i++) await echo();
  for (let i = 0; i < 30; i++) await Promise.all(Array.from({ length: 32 }, echo));
  await transport.terminateSession();
  await client.close();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const token = process.argv[2] ?? process.env.BENCH_TOKEN;
  if (!token) {
    console.error('usage: node bench/server.mjs <token>');
    process.exit(2);
  }
  const srv = await startServer({ token });
  if (process.argv.includes('--warmup')) await warmUp(srv.url, token);
  process.stdout.write(JSON.stringify({ url: srv.url }) + '\n');
  // Die with the parent: stdin closes when the harness exits for any reason.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
  process.on('SIGTERM', () => process.exit(0));
}
