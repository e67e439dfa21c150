// Benchmark MCP server: SDK McpServer + stateful StreamableHTTPServerTransport
// on 127.0.0.1, random port, bearer-token protected. Tools: `echo`, `big` (10 MB),
// `huge` (100 MB), `gig` (1 GB: more than a JavaScript string can hold, so the server
// streams that answer itself, as plain JSON, bypassing the SDK).
//
// As a module: `await startServer({ token })` -> { url, close }.
// As a child process (what bench.mjs does, to keep the server's CPU and memory
// out of the harness process): `node bench/server.mjs <token> [--warmup]`
// prints one JSON line `{"url", "payloads": {big, huge: {bytes, sha256}}}` on stdout and runs until killed or stdin
// closes. --warmup first sends itself untimed echo traffic through an SDK
// client, so the first contender measured does not meet a cold (un-JITed) server.
import http from 'node:http';
import { Readable } from 'node:stream';
import { createHash, randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export const PAYLOADS = { big: 10 * 1024 * 1024, huge: 100 * 1024 * 1024 };
export const BIG_BYTES = PAYLOADS.big;
export const GIG_BYTES = 1024 * 1024 * 1024;

// One 64-byte block: a counter (so swapped or dropped chunks show), characters JSON must escape
// (so a proxy that re-encodes shows), and 2-, 3- and 4-byte UTF-8 (so a decoder that splits a
// character across network chunks shows). Byte-identical, not just equal length, is checked.
const BLOCK_TAIL = ' "q" \\ é € 😀 \t|';
const BLOCK_BYTES = 64;
function block(i) {
  const head = i.toString(16).padStart(8, '0');
  const pad = BLOCK_BYTES - Buffer.byteLength(head + BLOCK_TAIL) - 1;
  return head + BLOCK_TAIL + '.'.repeat(pad) + '\n';
}

/** The deterministic text of `bytes` UTF-8 bytes (a multiple of 64) the payload tools return. */
export function payloadText(bytes) {
  const parts = new Array(bytes / BLOCK_BYTES);
  for (let i = 0; i < parts.length; i++) parts[i] = block(i);
  return parts.join('');
}

const texts = {}; // name -> text, made on first use (100 MB is not worth holding unless asked)
const textOf = (name) => (texts[name] ??= payloadText(PAYLOADS[name]));
const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

function newMcpServer() {
  const server = new McpServer({ name: 'bench-server', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echo text back', inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  server.registerTool('gig', { description: `Return ${GIG_BYTES} bytes of text` }, async () => {
    throw new Error('gig is answered by the HTTP layer');
  });
  for (const name of Object.keys(PAYLOADS))
    server.registerTool(name, { description: `Return ${PAYLOADS[name]} bytes of text` }, async () => ({
      content: [{ type: 'text', text: textOf(name) }],
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

/**
 * Answer a `gig` call with GIG_BYTES of ASCII text as one JSON response, written chunk by
 * chunk with backpressure: the server never holds more than a megabyte of it.
 */
function sendGig(res, id) {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(1024 * 1024, 'x');
  async function* body() {
    yield `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"content":[{"type":"text","text":"`;
    for (let sent = 0; sent < GIG_BYTES; sent += chunk.length) yield chunk;
    yield '"}]}}';
  }
  Readable.from(body())
    .on('error', () => res.destroy())
    .pipe(res);
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
      if (body?.method === 'tools/call' && body.params?.name === 'gig' && sid) return sendGig(res, body.id);
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
  const payloads = Object.fromEntries(Object.keys(PAYLOADS).map((n) => [n, { bytes: PAYLOADS[n], sha256: sha256(textOf(n)) }]));
  process.stdout.write(JSON.stringify({ url: srv.url, payloads }) + '\n');
  // Die with the parent: stdin closes when the harness exits for any reason.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
  process.on('SIGTERM', () => process.exit(0));
}
