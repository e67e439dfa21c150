#!/usr/bin/env node
/**
 * The "MCP host" the conformance runner launches as `<cmd> <serverUrl>` (through a shell).
 *
 * The runner only talks HTTP to its mock servers; the thing under test is our CLI, which a real
 * host would start over stdio. So this script plays that host: it spawns bin/mcp-auth-proxy.js
 * with the server URL and generic flags, then over the CLI's stdio does what any host does:
 * initialize, tools/list, and calls every listed tool with arguments built from its inputSchema.
 * It answers server→client requests generically (elicitation: accept with the schema's
 * defaults; sampling: a fixed text). Nothing here is keyed on the scenario name.
 *
 * Exit: 0 when every step succeeded, 1 otherwise. The CLI child is always killed on the way out:
 * the runner's timeout kills only the shell it started, so we also watch for being orphaned.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const serverUrl = process.argv.at(-1);
const say = (msg) => process.stderr.write(`[host] ${msg}\n`);

// CIMD scenarios expect this fixed client ID URL; the CLI ignores it unless the AS supports CIMD.
const CIMD_URL = 'https://conformance-test.local/client-metadata.json';

/** A JSON document, or undefined (not found, not JSON, unreachable). */
async function getJson(url) {
  try {
    const res = await fetch(url, { headers: { accept: 'application/json' } });
    return res.ok ? await res.json() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What an operator would check before choosing --grant: the grant types of the authorization
 * server (found as the CLI finds it: RFC 9728 protected resource metadata, then RFC 8414 / OIDC
 * metadata). A confidential client whose AS offers client_credentials but no authorization_code
 * can only be run machine to machine.
 */
async function onlyClientCredentials(ctx) {
  const server = new URL(serverUrl);
  const resourcePath = server.pathname.replace(/\/+$/, '');
  let issuer = ctx.issuer;
  if (!issuer) {
    const prm =
      (await getJson(new URL(`/.well-known/oauth-protected-resource${resourcePath}`, server.origin))) ??
      (await getJson(new URL('/.well-known/oauth-protected-resource', server.origin)));
    issuer = prm?.authorization_servers?.[0];
  }
  if (typeof issuer !== 'string') return false;
  const as = new URL(issuer);
  const asPath = as.pathname.replace(/\/+$/, '');
  const metadata =
    (await getJson(new URL(`/.well-known/oauth-authorization-server${asPath}`, as.origin))) ??
    (await getJson(new URL(`/.well-known/openid-configuration${asPath}`, as.origin)));
  const grants = metadata?.grant_types_supported;
  return Array.isArray(grants) && grants.includes('client_credentials') && !grants.includes('authorization_code');
}

/** Scenario data → CLI flags. The only place MCP_CONFORMANCE_* is read; the CLI never sees it. */
async function cliArgs(authDir, browserLog) {
  const args = [
    path.join(repo, 'bin/mcp-auth-proxy.js'),
    serverUrl,
    '--auth-dir',
    authDir,
    '--client-metadata-url',
    CIMD_URL,
    // Our stand-in browser; split by the CLI without a shell, the URL appended last.
    '--browser',
    `"${process.execPath}" "${path.join(here, 'browser.mjs')}" --log "${browserLog}"`,
    // Well under the runner's 30 s default, so a stuck sign-in surfaces as an error, not a kill.
    '--auth-timeout',
    '15',
    '--log-level',
    'debug',
  ];
  const ctx = process.env.MCP_CONFORMANCE_CONTEXT ? JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT) : {};
  if (ctx.client_id) args.push('--client-id', ctx.client_id);
  if (ctx.client_secret) args.push('--client-secret', ctx.client_secret);
  // A client key (private_key_jwt): in a file, as a user would keep it.
  if (ctx.private_key_pem) {
    const keyFile = path.join(authDir, 'client-key.pem');
    writeFileSync(keyFile, ctx.private_key_pem, { mode: 0o600 });
    args.push('--client-key', keyFile);
    if (ctx.signing_algorithm) args.push('--client-key-alg', ctx.signing_algorithm);
  }
  if (ctx.valid_jwt) {
    // Workload identity: the platform's JWT in a file, as a Kubernetes projected token would be
    // (the scenario's wrong_audience_jwt / expired_jwt are for its own broken clients).
    const assertionFile = path.join(authDir, 'assertion.jwt');
    writeFileSync(assertionFile, ctx.valid_jwt, { mode: 0o600 });
    args.push('--grant', 'jwt-bearer', '--assertion-file', assertionFile);
  } else if (ctx.idp_issuer) {
    // Enterprise-managed authorization: the scenario hands over the user's ID token (no IdP sign-in).
    args.push('--idp', ctx.idp_issuer, '--idp-client-id', ctx.idp_client_id);
    if (ctx.idp_id_token) {
      const idTokenFile = path.join(authDir, 'idp-id-token.jwt');
      writeFileSync(idTokenFile, ctx.idp_id_token, { mode: 0o600 });
      args.push('--idp-id-token-file', idTokenFile);
    }
  } else if (ctx.client_id && (ctx.client_secret || ctx.private_key_pem) && (await onlyClientCredentials(ctx))) args.push('--grant', 'client_credentials');
  return args;
}

/** The CLI's environment: ours minus MCP_CONFORMANCE_* (the CLI must not depend on them). */
function cliEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MCP_CONFORMANCE_')));
}

/** A plausible value for a JSON schema: its default, else its first enum/const, else by type. */
function sample(schema = {}) {
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'number':
    case 'integer':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return objectFrom(schema);
    case 'null':
      return null;
    default:
      return 'test';
  }
}

/** An object with a value for every declared property. */
function objectFrom(schema = {}) {
  return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, sample(s)]));
}

/**
 * Arguments for a tool call: sample values from its inputSchema. One documented exception: the
 * echo tool of json-schema-2020-12-preservation asks the client to send back, verbatim, the
 * inputSchema it received for the other tool (it checks that no keyword was lost on the way).
 */
function argumentsFor(tool, tools) {
  if (tool.name === 'json_schema_echo') {
    const focal = tools.find((t) => t.name !== tool.name);
    return { schema: focal?.inputSchema ?? {} };
  }
  return objectFrom(tool.inputSchema);
}

async function main() {
  if (!serverUrl || !/^https?:\/\//.test(serverUrl)) throw new Error(`usage: host.mjs <server-url> (got ${serverUrl})`);
  const authDir = mkdtempSync(path.join(tmpdir(), 'mcp-auth-proxy-conf-')); // fresh token store per run
  const browserLog = path.join(authDir, 'browser.log');
  // A runner that gives up while cliArgs still fetches (a loaded machine) must not leave the folder behind.
  const early = (sig) => (say(`got ${sig}`), rmSync(authDir, { recursive: true, force: true }), process.exit(1));
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, early);
  const args = await cliArgs(authDir, browserLog);
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.off(sig, early);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args,
    env: cliEnv(),
    stderr: 'inherit', // CLI logs end up in the runner's stderr.txt
  });

  let exiting = false;
  const finish = (code) => {
    if (exiting) return;
    exiting = true;
    const pid = transport.pid;
    if (pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    // The browser's stdio is ignored by the CLI; replay its log so it shows in the results.
    try {
      const text = readFileSync(browserLog, 'utf8').trimEnd();
      if (text) process.stderr.write(`${text}\n`);
    } catch {
      /* no sign-in happened */
    }
    try {
      // The stand-in browser may still be appending its log here: retry, and never let cleanup
      // decide the run (regression: ENOTEMPTY here once left the host hanging until killed).
      rmSync(authDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    } catch (error) {
      say(`could not remove ${authDir}: ${error.message}`);
    }
    // The runner does not record our exit code in suite mode; scripts/conformance.mjs reads this.
    say(`exit ${code}`);
    process.exit(code);
  };
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => (say(`got ${sig}`), finish(1)));
  // Without `exec` in --command, dash keeps the `sh -c` shell as our parent and the runner's
  // timeout kills only it: notice being orphaned and clean up anyway.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && (say('orphaned; exiting'), finish(1)), 250).unref();

  const client = new Client({ name: 'mcp-auth-proxy-conformance-host', version: '1.0.0' }, { capabilities: { sampling: {}, elicitation: { form: {} } } });
  // Elicitation: accept, filling every field from the requested schema (defaults first).
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    say(`elicitation: ${req.params.message}`);
    return { action: 'accept', content: objectFrom(req.params.requestedSchema) };
  });
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({
    role: 'assistant',
    model: 'conformance-host',
    content: { type: 'text', text: 'This is a sampled response from the conformance host.' },
  }));
  client.onerror = (error) => say(`transport error: ${error.message}`);

  try {
    await client.connect(transport);
    say(`initialized: ${JSON.stringify(client.getServerVersion())}`);
    const { tools } = await client.listTools();
    say(`tools: ${tools.map((t) => t.name).join(', ') || '(none)'}`);
    // A scenario that names the calls to make (its context's toolCalls) gets exactly those;
    // otherwise every listed tool is called once with arguments built from its schema.
    const ctx = process.env.MCP_CONFORMANCE_CONTEXT ? JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT) : {};
    const calls = Array.isArray(ctx.toolCalls) ? ctx.toolCalls : tools.map((tool) => ({ name: tool.name, arguments: argumentsFor(tool, tools) }));
    let failed = false;
    for (const call of calls) {
      try {
        const result = await client.callTool({ name: call.name, arguments: call.arguments });
        say(`called ${call.name}(${JSON.stringify(call.arguments)}) → ${JSON.stringify(result).slice(0, 300)}`);
      } catch (error) {
        // The server's own "no such method / bad params" is its answer, not a proxy failure
        // (some scenario servers list tools they do not serve); anything else fails the run.
        const serverRefusal = (error.code === -32601 || error.code === -32602) && error.data?.code === undefined;
        if (!serverRefusal) failed = true;
        say(`call ${call.name} ${serverRefusal ? 'refused by the server' : 'failed'}: ${error.message}`);
      }
    }
    await client.close(); // ends the CLI's stdin: it shuts down (and deletes the session) itself
    finish(failed ? 1 : 0);
  } catch (error) {
    say(`failed: ${error.message}`);
    await transport.close().catch(() => {}); // stdin end → the CLI exits by itself (else TERM/KILL)
    finish(1);
  }
}

main().catch((error) => {
  say(`crashed: ${error.stack ?? error}`);
  say('exit 1');
  process.exit(1);
});
