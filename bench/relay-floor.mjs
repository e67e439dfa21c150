#!/usr/bin/env node
// THE FLOOR OF A STDIO PROXY, for the bench; not a proxy anyone should run. It is the least a
// process between an MCP host's stdio and a Streamable HTTP server can do (2025-11-25
// "Transports" §Streamable HTTP): read one JSON-RPC message per stdin line, POST it with a
// keep-alive client and a Bearer token, carry Mcp-Session-Id and MCP-Protocol-Version
// (§Session Management, §Protocol Version Header), and write each message of the answer (a JSON
// body, or each SSE event's data) as one stdout line. Nothing else: no validation, no auth flow
// (no challenge, no refresh), no error answers (a failed request ends the process, and the bench
// reports its stderr), no limits (whole bodies are held in memory), no session replay. What it
// costs over the raw in-process client is what being a stdio proxy costs at all: a second process
// and two more pipe hops. The bench runs it beside ours so every run shows that floor.
//
//   node bench/relay-floor.mjs <url> <token> [--undici]
//
// --undici: the same relay on undici's request API, loaded from the lib parts src/http/client.ts
// imports (not the package entry), so it is the floor of a stdio proxy built on undici, as ours is.
import { sseData } from './sse-data.mjs';

const [url, token] = process.argv.slice(2);
const target = new URL(url);
const path = target.pathname + target.search;
let sessionId;
let protocolVersion;

/** node:http with a keep-alive agent: one socket per request in flight (32 in the bench). */
async function httpPost() {
  const http = await import('node:http');
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  return (headers, body) =>
    new Promise((resolve, reject) => {
      headers['content-length'] = Buffer.byteLength(body);
      const req = http.request({ agent, host: target.hostname, port: target.port, path, method: 'POST', headers }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });
}

/** undici's request() on an Agent (one pool per origin, unlimited connections by default). */
async function undiciPost() {
  const { default: Agent } = await import('undici/lib/dispatcher/agent.js');
  const { request } = (await import('undici/lib/api/index.js')).default;
  const agent = new Agent();
  return async (headers, body) => {
    const res = await request.call(agent, { origin: target.origin, path, method: 'POST', headers, body });
    return { headers: res.headers, text: await res.body.text() };
  };
}

const post = process.argv.includes('--undici') ? await undiciPost() : await httpPost();

async function relay(line) {
  const isInitialize = JSON.parse(line).method === 'initialize';
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` };
  if (sessionId) headers['mcp-session-id'] = sessionId;
  if (protocolVersion) headers['mcp-protocol-version'] = protocolVersion;
  const res = await post(headers, line);
  sessionId = res.headers['mcp-session-id'] ?? sessionId;
  // A notification or a response is answered 202 with no body: nothing to write. A JSON body is
  // written as it came (JSON.stringify output, as the SDK server's, has no raw newline). An SSE
  // event's data lines are joined with a space, not the spec's \n: in JSON a raw newline can only
  // stand between tokens, where a space means the same, so the message stays one stdout line.
  const sse = String(res.headers['content-type']).startsWith('text/event-stream');
  for (const message of sse ? sseData(res.text, ' ') : res.text ? [res.text] : []) {
    if (isInitialize) protocolVersion = JSON.parse(message).result?.protocolVersion;
    process.stdout.write(message + '\n'); // one write per message: lines never interleave
  }
}

// Every line is relayed at once, so requests stay concurrent; answers go out as they complete.
// On the end of stdin, exit once the requests in flight are answered. (A rejected relay() is an
// unhandled rejection: the process ends, which is this floor's only error path.)
let inFlight = 0;
let ended = false;
const exitIfDone = () => ended && inFlight === 0 && process.exit(0);
let rest = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const lines = (rest + chunk).split('\n'); // host lines are small here: no need to scan only new bytes
  rest = lines.pop();
  for (const line of lines) {
    if (!line.trim()) continue;
    inFlight++;
    relay(line).finally(() => {
      inFlight--;
      exitIfDone();
    });
  }
});
process.stdin.on('end', () => {
  ended = true;
  exitIfDone();
});
