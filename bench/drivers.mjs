// Two ways to talk MCP, behind one small interface:
//   { initMs, callTool(name, args, timeoutMs) -> result, peakRssKB(), rssKB()?, close() }
// - stdio: spawn `node <entry> ...args` and speak newline-delimited JSON-RPC
//   on its stdin/stdout, exactly as an MCP host does.
// - raw (raw-client.mjs): a bare node:http client, the floor every ratio is taken to.
// - direct: in-process SDK Client + StreamableHTTPClientTransport (the limit).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

const CLIENT_INFO = { name: 'mcp-auth-proxy-bench', version: '1.0.0' };
const MAX_LINE_BYTES = 256 * 1024 * 1024; // V8 strings stop at 2^29 - 24 characters

/** Every child we spawn, so the harness can kill them all on any exit path. */
export const children = new Set();
export function killAllChildren() {
  for (const p of children) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
}

/** A `Vm*` line of /proc/<pid>/status in KB (NaN where there is no /proc). */
function procStatusKB(pid, field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s*kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}
/** Peak resident set of a pid since it started (VmHWM), in KB. */
export const vmHwmKB = (pid) => procStatusKB(pid, 'VmHWM');
/** Resident set of a pid now (VmRSS), in KB. */
export const vmRssKB = (pid) => procStatusKB(pid, 'VmRSS');

function withTimeout(promise, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

/**
 * Spawn a stdio MCP proxy and complete the initialize handshake.
 * initMs = spawn() call -> initialize response parsed.
 */
export async function startStdio({ entry, args, env, initTimeoutMs = 15_000 }) {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [entry, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  children.add(proc);
  proc.on('exit', () => children.delete(proc));

  let stderrTail = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (s) => (stderrTail = (stderrTail + s).slice(-2000)));

  const pending = new Map(); // id -> { resolve, reject }
  let nextId = 1;
  let exited = null;
  const send = (msg) => proc.stdin.write(JSON.stringify(msg) + '\n');

  const onMessage = (msg) => {
    if (msg.id !== undefined && msg.method === undefined) {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`JSON-RPC error ${msg.error.code}: ${msg.error.message}`));
      else p.resolve(msg.result);
    } else if (msg.id !== undefined) {
      // Server -> client request (ping, roots/list, ...): answer so nothing stalls.
      if (msg.method === 'ping') send({ jsonrpc: '2.0', id: msg.id, result: {} });
      else send({ jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: 'not supported' } });
    }
  };

  // Newline framing that stays linear for 10 MB lines: only scan new chunks. A line longer
  // than a JavaScript string can hold (the 1 GB case) is counted, not kept: its id is read
  // from its head and the request resolves with { oversizedBytes }.
  let parts = [];
  let lineBytes = 0;
  let oversized; // the head of an oversized line
  const endLine = (tail) => {
    if (oversized) {
      const id = Number(/"id":\s*(\d+)/.exec(oversized.toString('latin1'))?.[1]);
      const p = pending.get(id);
      if (p) {
        pending.delete(id);
        p.resolve({ oversizedBytes: lineBytes + tail.length, head: oversized.subarray(0, 200).toString('latin1') });
      }
      oversized = undefined;
      return;
    }
    parts.push(tail);
    const line = Buffer.concat(parts).toString('utf8').trim();
    if (!line) return;
    try {
      onMessage(JSON.parse(line));
    } catch {
      /* non-JSON noise on stdout: ignore */
    }
  };
  proc.stdout.on('data', (chunk) => {
    let start = 0;
    let nl;
    while ((nl = chunk.indexOf(0x0a, start)) !== -1) {
      endLine(chunk.subarray(start, nl));
      parts = [];
      lineBytes = 0;
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      lineBytes += rest.length;
      if (oversized) return;
      parts.push(rest);
      if (lineBytes > MAX_LINE_BYTES) {
        oversized = Buffer.concat(parts).subarray(0, 4096);
        parts = [];
      }
    }
  });

  const exitPromise = new Promise((resolve) =>
    proc.on('exit', (code, signal) => {
      exited = { code, signal };
      const err = new Error(`process exited (code ${code}, signal ${signal}); stderr: ${stderrTail.trim().slice(-600)}`);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
      resolve();
    }),
  );
  proc.on('error', (err) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  });
  proc.stdin.on('error', () => {}); // EPIPE if it died; reported via 'exit'

  const request = (method, params, timeoutMs) => {
    if (exited) return Promise.reject(new Error(`process already exited (${JSON.stringify(exited)}); stderr: ${stderrTail.trim().slice(-600)}`));
    const id = nextId++;
    const p = new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
    send({ jsonrpc: '2.0', id, method, params });
    return withTimeout(p, timeoutMs, method).finally(() => pending.delete(id));
  };

  const close = async () => {
    if (!exited) {
      proc.stdin.end();
      proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 1000);
      await exitPromise;
      clearTimeout(killer);
    }
  };

  try {
    const init = await request('initialize', { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO }, initTimeoutMs);
    const initMs = performance.now() - t0;
    if (!init?.serverInfo) throw new Error(`bad initialize result: ${JSON.stringify(init).slice(0, 200)}`);
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return {
      initMs,
      pid: proc.pid,
      callTool: (name, args, timeoutMs = 10_000) => request('tools/call', { name, arguments: args }, timeoutMs),
      peakRssKB: () => vmHwmKB(proc.pid),
      rssKB: () => vmRssKB(proc.pid),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** In-process SDK client. initMs = client.connect() (initialize + initialized), no spawn. */
export async function startDirect({ url, token }) {
  const client = new Client(CLIENT_INFO);
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  const t0 = performance.now();
  await withTimeout(client.connect(transport), 15_000, 'connect');
  const initMs = performance.now() - t0;
  return {
    initMs,
    callTool: (name, args, timeoutMs = 10_000) => client.callTool({ name, arguments: args }, undefined, { timeout: timeoutMs }),
    peakRssKB: () => process.resourceUsage().maxRSS, // KB: the whole harness process
    close: async () => {
      await transport.terminateSession().catch(() => {});
      await client.close().catch(() => {});
    },
  };
}
