#!/usr/bin/env node
// mcp-auth-proxy benchmark: our CLI vs mcp-remote vs supergateway vs a direct
// in-process SDK client, against a local bearer-protected MCP server, with a raw
// node:http client as the floor every ratio is taken to, and two minimal stdio relays
// (bench/relay-floor.mjs, node:http and undici) as the floor of any stdio proxy.
//
//   node bench/bench.mjs [--quick] [--no-install] [--1gb]
//     [--only=raw,relay-http,relay-undici,ours,direct,mcp-remote,supergateway]
//
// --1gb adds a 1 GB tool result through our proxy (refused or streamed, never a crash); it is
// left out by default because it can take a minute and gigabytes of memory.
// --quick leaves out supergateway and the install footprint, and takes fewer samples.
// Targets are informational: the exit code is 0 unless the harness itself breaks.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { children, killAllChildren, startDirect, startStdio } from './drivers.mjs';
import { CONFIG, median, runWorkload, startContender } from './measure.mjs';
import { footprint } from './footprint.mjs';
import { startRaw } from './raw-client.mjs';
import { report } from './report.mjs';

// The whole run, install footprint included, stays under 6 minutes on a 2-core box: past
// CORE_MS no new round of the core group (raw, the relays, ours) starts, past PEERS_MS none of the peers, past
// FOOTPRINT_MS the install footprint is left out, and at HARD_DEADLINE_MS everything is
// killed (the last resort: no report).
const CORE_MS = 120_000;
const PEERS_MS = 220_000;
const FOOTPRINT_MS = 240_000;
const HARD_DEADLINE_MS = 355_000;
const t0 = performance.now();
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const gig = argv.includes('--1gb');
const noInstall = quick || argv.includes('--no-install');
const only = argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
if (quick) Object.assign(CONFIG, { spawns: 3, warmupConcurrent: 500, rounds: 3, peerRounds: 1, hugeCalls: 1 });

const loadAtStart = loadavg(); // other work on the box makes every figure noisier
const token = randomBytes(16).toString('hex');
const tmpDir = mkdtempSync(join(tmpdir(), 'mcp-auth-proxy-bench-'));
let serverProc;

function cleanup() {
  killAllChildren();
  serverProc?.kill('SIGKILL');
  rmSync(tmpDir, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
// The SDK's StreamableHTTPClientTransport passes one shared AbortSignal to every
// fetch; undici only drops its abort listener on GC, so the direct client trips
// MaxListenersExceededWarning under load. Count those instead of flooding stderr.
let listenerWarnings = 0;
process.removeAllListeners('warning');
process.on('warning', (w) => (w.name === 'MaxListenersExceededWarning' ? listenerWarnings++ : console.error(w)));
setTimeout(() => {
  console.error(`\nbench: hard deadline of ${HARD_DEADLINE_MS / 1000}s reached; killing everything.`);
  process.exit(1);
}, HARD_DEADLINE_MS).unref();

/** Absolute path of a package's bin script, via its package.json (no npx, no shell). */
function binEntry(pkg, bin) {
  const pkgJson = createRequire(join(REPO, 'package.json')).resolve(`${pkg}/package.json`);
  const bins = JSON.parse(readFileSync(pkgJson, 'utf8')).bin;
  return join(dirname(pkgJson), typeof bins === 'string' ? bins : bins[bin]);
}

/** Start bench/server.mjs in its own process so its CPU/RSS stay out of ours; it warms itself up. */
function startServerProcess() {
  return new Promise((resolvePromise, reject) => {
    serverProc = spawn(process.execPath, [join(REPO, 'bench/server.mjs'), token, '--warmup'], { stdio: ['pipe', 'pipe', 'inherit'] });
    serverProc.on('error', reject);
    serverProc.on('exit', (code) => reject(new Error(`bench server exited early (${code})`)));
    let buf = '';
    serverProc.stdout.setEncoding('utf8');
    serverProc.stdout.on('data', (s) => {
      buf += s;
      if (buf.includes('\n')) resolvePromise(JSON.parse(buf.split('\n')[0]));
    });
  });
}

/** Median spawn -> exit of a bare `node -e ''`: the floor under any spawn -> initialize. */
async function bareNodeStartupMs(n = 7) {
  const samples = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await new Promise((res) => spawn(process.execPath, ['-e', ''], { stdio: 'ignore' }).on('exit', res));
    samples.push(performance.now() - t);
  }
  return median(samples);
}

const log = (name) => (msg) => console.error(`  [${name}] ${msg}`);

// ---------------------------------------------------------------- contenders
const { url, payloads } = await startServerProcess();
console.error(`bench server: ${url} (bearer required)`);

const stdio = (entry, args, env) => () => startStdio({ entry, args, env });
const ours = (authDir) => stdio(join(REPO, 'bin/mcp-auth-proxy.js'), [url, '--oauth2Bearer', token, '--auth-dir', authDir]);
const mcpRemote = (configDir) =>
  // No --allow-http: mcp-remote accepts plain http on localhost/127.0.0.1 (only other hosts need it).
  // Its own config dir keeps ~/.mcp-auth untouched.
  stdio(binEntry('mcp-remote', 'mcp-remote'), [url, '--header', `Authorization: Bearer ${token}`], { MCP_REMOTE_CONFIG_DIR: configDir });
const freshDir = (prefix) => mkdtempSync(join(tmpDir, prefix));
// The relays remember nothing between starts (stateless: one set of starts is both cold and warm),
// and hold whole bodies, so they sit out the 100 MB case (huge).
const relay = (args) => stdio(join(REPO, 'bench/relay-floor.mjs'), [url, token, ...args]);
const contenders = [
  { id: 'raw', name: 'raw node:http client', start: () => startRaw({ url, token }), core: true, huge: true },
  { id: 'relay-http', name: 'stdio relay, node:http (floor)', start: relay([]), core: true, stateless: true },
  { id: 'relay-undici', name: 'stdio relay, undici (floor)', start: relay(['--undici']), core: true, stateless: true },
  {
    id: 'ours',
    name: 'mcp-auth-proxy (ours)',
    precheck: () => !existsSync(join(REPO, 'dist/cli.js')) && 'dist/cli.js missing: run `npm run build` first',
    // Cold: an empty --auth-dir per start, so no protocol era is remembered (src/transport/connect.ts).
    // Warm: one --auth-dir that a first start (prime) has written the era to. Never the user's own.
    startCold: () => ours(freshDir('ours-cold-'))(),
    prime: true,
    start: ours(join(tmpDir, 'ours-warm')),
    core: true,
    huge: true,
    gig,
  },
  { id: 'direct', name: 'direct SDK client', start: () => startDirect({ url, token }) },
  {
    id: 'mcp-remote',
    name: 'mcp-remote 0.15.1',
    startCold: () => mcpRemote(freshDir('mcp-remote-cold-'))(),
    prime: true,
    start: mcpRemote(join(tmpDir, 'mcp-remote-config')),
  },
  {
    id: 'supergateway',
    name: 'supergateway 4.0.0',
    start: () => stdio(binEntry('supergateway', 'supergateway'), ['--streamableHttp', url, '--oauth2Bearer', token])(),
  },
].filter((c) => (only ? only.includes(c.id) : !(quick && c.id === 'supergateway')));

const nodeFloorMs = await bareNodeStartupMs();
const rssBeforeInProcessMB = process.resourceUsage().maxRSS / 1024;
async function start(list) {
  const entries = [];
  for (const c of list) {
    console.error(`starting ${c.name} ...`);
    const reason = c.precheck?.();
    if (reason) log(c.id)(`SKIPPED: ${reason}`);
    entries.push(reason ? { row: { id: c.id, name: c.name, error: reason, skipped: true }, contender: c, log: log(c.id) } : await startContender(c, log(c.id)));
  }
  return entries;
}
// First the core group the targets are about (raw, the relay floors, ours), then the peers, with raw taking a turn beside them
// (recorded apart, in raw's row.peerRef) so their ratios too are to a raw run seconds away.
const core = await start(contenders.filter((c) => c.core));
console.error(`workload (core: ${core.map((e) => e.contender.id).join(', ')}): ${CONFIG.rounds} rounds, each in turn ...`);
const done = await runWorkload(core, payloads, { deadline: t0 + CORE_MS, rounds: CONFIG.rounds, huge: true });
const peers = await start(contenders.filter((c) => !c.core));
const rawEntry = core.find((e) => e.contender.id === 'raw' && e.driver && !e.row.error);
for (const e of core) if (e !== rawEntry) await e.driver?.close().catch(() => {});
if (peers.some((e) => e.driver)) {
  const ref = rawEntry && {
    ...rawEntry,
    contender: { ...rawEntry.contender, core: false },
    row: (rawEntry.row.peerRef = { name: rawEntry.row.name }),
    log: log('raw beside peers'),
  };
  console.error(`workload (peers): ${CONFIG.peerRounds} rounds, each in turn with raw ...`);
  done.peerRounds = (await runWorkload([...(ref ? [ref] : []), ...peers], payloads, { deadline: t0 + PEERS_MS, rounds: CONFIG.peerRounds })).rounds;
}
for (const e of [...(rawEntry ? [rawEntry] : []), ...peers]) await e.driver?.close().catch(() => {});
// row.core: measured in the core group, so its ratios are to raw's core rounds (not raw.peerRef).
const rows = [...core.map((e) => Object.assign(e.row, { core: true })), ...peers.map((e) => e.row)];

// --------------------------------------------------------- install footprint
let fp;
if (!noInstall && performance.now() - t0 > FOOTPRINT_MS) fp = { skipped: `the run had taken ${((performance.now() - t0) / 1000).toFixed(0)} s` };
else if (!noInstall) {
  console.error('measuring install footprint (npm pack + 2 installs + npx) ...');
  fp = await footprint({ repoDir: REPO, tmpDir, log: log('install') });
}

report({ rows, done, fp, nodeFloorMs, rssBeforeInProcessMB, listenerWarnings, loadAtStart, loadAtEnd: loadavg(), cpus: availableParallelism() });

if (children.size) console.error(`killing ${children.size} leftover process(es)`);
process.exit(0);
