// `npm run demo`: the proxy's main job, end to end, on this machine alone. Starts the demo MCP
// server (which requires OAuth), launches the built CLI the way an MCP host does (stdio), and
// plays a small host: initialize, tools/list, tools/call. The proxy signs in by itself: it finds
// the authorization server, registers, opens the sign-in page and exchanges the code; its steps
// show on stderr. With no display, the demo's stand-in browser answers the consent page; on a
// desktop your browser opens. Needs no network.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startDemoServer } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '../bin/mcp-auth-proxy.js');
const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
// A throwaway credentials directory, so the demo signs in afresh and leaves nothing behind.
const authDir = mkdtempSync(path.join(tmpdir(), 'mcp-auth-proxy-demo-'));

const server = await startDemoServer();
console.log(`demo MCP server listening at ${server.url} (it requires OAuth sign-in)`);
const args = [cli, server.url, '--auth-dir', authDir, '--log-level', 'info'];
if (!hasDisplay) args.push('--browser', `${process.execPath} ${path.join(here, 'browser.mjs')}`);
console.log(
  `launching: mcp-auth-proxy ${server.url}${hasDisplay ? ' (your browser will open to sign in)' : " (no display: the demo's stand-in browser will sign in)"}\n`,
);

const transport = new StdioClientTransport({ command: process.execPath, args, stderr: 'inherit' });
const host = new Client({ name: 'demo-host', version: '1.0.0' });
let failed = false;
try {
  await host.connect(transport);
  const info = host.getServerVersion();
  console.log(`\ninitialized: ${info?.name} ${info?.version}`);
  const { tools } = await host.listTools();
  console.log(`tools/list: ${tools.map((t) => `${t.name} (${t.description})`).join(', ')}`);
  const result = await host.callTool({ name: 'add', arguments: { a: 2, b: 40 } });
  console.log(`tools/call add {a: 2, b: 40}: ${result.content[0].text}`);
  const who = await host.callTool({ name: 'whoami', arguments: {} });
  console.log(`tools/call whoami: ${who.content[0].text}`);
} catch (error) {
  failed = true;
  console.error(`demo failed: ${error.message}`);
} finally {
  await host.close();
  await server.close();
  rmSync(authDir, { recursive: true, force: true });
}
console.log(failed ? '\ndemo failed' : '\ndemo OK');
process.exitCode = failed ? 1 : 0;
