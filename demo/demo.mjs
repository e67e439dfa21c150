// `npm run demo`: the proxy's main job, end to end, on this machine alone. Starts the demo MCP
// server, launches the built CLI the way an MCP host does (stdio), and plays a small host:
// initialize, tools/list, tools/call. Needs no display and no network.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startDemoServer } from './server.mjs';

const cli = fileURLToPath(new URL('../bin/mcp-auth-proxy.js', import.meta.url));
const token = randomBytes(24).toString('base64url');
const server = await startDemoServer({ token });
console.log(`demo MCP server listening at ${server.url} (requires a bearer token)`);
console.log(`launching: mcp-auth-proxy ${server.url}  (token passed in MCP_AUTH_PROXY_BEARER)\n`);

const transport = new StdioClientTransport({
  command: process.execPath,
  args: [cli, server.url, '--log-level', 'info'],
  env: { ...process.env, MCP_AUTH_PROXY_BEARER: token },
  stderr: 'inherit',
});
const host = new Client({ name: 'demo-host', version: '1.0.0' });
let failed = false;
try {
  await host.connect(transport);
  const info = host.getServerVersion();
  console.log(`initialized: ${info?.name} ${info?.version}`);
  const { tools } = await host.listTools();
  console.log(`tools/list: ${tools.map((t) => `${t.name} (${t.description})`).join(', ')}`);
  const result = await host.callTool({ name: 'add', arguments: { a: 2, b: 40 } });
  console.log(`tools/call add {a: 2, b: 40}: ${result.content[0].text}`);
} catch (error) {
  failed = true;
  console.error(`demo failed: ${error.message}`);
} finally {
  await host.close();
  await server.close();
}
console.log(failed ? '\ndemo failed' : '\ndemo OK');
process.exitCode = failed ? 1 : 0;
