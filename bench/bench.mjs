#!/usr/bin/env node
// mcp-auth-proxy benchmark: our CLI vs mcp-remote vs supergateway vs a direct
// in-process SDK client, against a local bearer-protected MCP server.
//
//   node bench/bench.mjs [--no-install] [--only=direct,ours,mcp-remote,supergateway]
//
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
import { CONFIG, measure, median } from './measure.mjs';
import { footprint } from './footprint.mjs';

const HARD_DEADLINE_MS = 175_000;
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const noInstall = argv.includes('--no-install');
const only = argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');

const loadAtStart = loadavg()[0]; // other work on the box makes every figure noisier
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
      if (buf.includes('\n')) resolvePromise(JSON.parse(buf.split('\n')[0]).url);
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
const url = await startServerProcess();
console.error(`bench server: ${url} (bearer required)`);

const stdio = (entry, args, env) => () => startStdio({ entry, args, env });
const contenders = [
  { id: 'direct', name: 'direct SDK client', start: () => startDirect({ url, token }) },
  {
    id: 'ours',
    name: 'mcp-auth-proxy (ours)',
    precheck: () => !existsSync(join(REPO, 'dist/cli.js')) && 'dist/cli.js missing: run `npm run build` first',
    start: stdio(join(REPO, 'bin/mcp-auth-proxy.js'), [url, '--oauth2Bearer', token]),
  },
  {
    id: 'mcp-remote',
    name: 'mcp-remote 0.15.1',
    // No --allow-http: mcp-remote accepts plain http on localhost/127.0.0.1 (only other hosts need it).
    // Its own config dir keeps ~/.mcp-auth untouched.
    start: () =>
      stdio(binEntry('mcp-remote', 'mcp-remote'), [url, '--header', `Authorization: Bearer ${token}`], {
        MCP_REMOTE_CONFIG_DIR: join(tmpDir, 'mcp-remote-config'),
      })(),
  },
  {
    id: 'supergateway',
    name: 'supergateway 4.0.0',
    start: () => stdio(binEntry('supergateway', 'supergateway'), ['--streamableHttp', url, '--oauth2Bearer', token])(),
  },
].filter((c) => !only || only.includes(c.id));

const nodeFloorMs = await bareNodeStartupMs();
const rows = [];
const rssBeforeDirectMB = process.resourceUsage().maxRSS / 1024;
for (const c of contenders) {
  console.error(`measuring ${c.name} ...`);
  const reason = c.precheck?.();
  const row = reason ? { name: c.name, error: reason, skipped: true } : await measure(c, log(c.id));
  if (reason) log(c.id)(`SKIPPED: ${reason}`);
  row.id = c.id;
  rows.push(row);
}

// ------------------------------------------------------------------- report
const fmt = (v, d) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '—');
const cols = [
  ['contender', (r) => r.name + (r.skipped ? ' [skipped]' : r.error ? ' [failed]' : '')],
  ['spawn→init ms', (r) => fmt(r.initMs, 1) + (r.id === 'direct' && r.initMs ? '*' : '')],
  ['echo p50 ms', (r) => fmt(r.p50, 3)],
  ['echo p99 ms', (r) => fmt(r.p99, 3)],
  [`req/s @${CONFIG.inFlight}`, (r) => fmt(r.rps, 0)],
  ['10 MB ms', (r) => fmt(r.bigMs, 1)],
  ['peak RSS MB', (r) => fmt(r.rssMB, 1) + (r.id === 'direct' && r.rssMB ? '†' : '')],
];
function printTable(header, lines) {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(line(l));
}

console.log(
  `\nMCP proxy benchmark — node ${process.version}, ${availableParallelism()} CPUs, load ${loadAtStart.toFixed(2)} at start; medians of ${CONFIG.spawns} spawns; ` +
    `warm-up ${CONFIG.warmup} + ${CONFIG.warmupConcurrent} calls; ` +
    `${CONFIG.latencyCalls} sequential echo calls, ${CONFIG.throughputCalls} calls @${CONFIG.inFlight} in flight ` +
    `(median of ${CONFIG.throughputRounds} rounds), ${CONFIG.bigCalls}× 10 MB (byte length verified)\n`,
);
printTable(
  cols.map((c) => c[0]),
  rows.map((r) => cols.map((c) => c[1](r))),
);
console.log('  * direct: in-process client.connect() (initialize + initialized), no process spawn');
console.log(`  spawn→init floor: a bare \`node -e ''\` takes ${nodeFloorMs.toFixed(1)} ms from spawn to exit here`);
const directRow = rows.find((r) => r.id === 'direct');
if (directRow?.rssMB)
  console.log(
    `  † direct: process.resourceUsage().maxRSS of the harness process (server runs in its own process); ` +
      `was ${rssBeforeDirectMB.toFixed(1)} MB before the direct run (delta ${(directRow.rssMB - rssBeforeDirectMB).toFixed(1)} MB)`,
  );
console.log('  proxies: VmHWM of the proxy process from /proc/<pid>/status, read before closing');
for (const r of rows.filter((r) => r.error)) console.log(`  ${r.name}: ${r.error}`);
if (listenerWarnings)
  console.log(`  note: ${listenerWarnings} MaxListenersExceededWarning(s) in the harness process (SDK client's shared AbortSignal; suppressed)`);

const by = Object.fromEntries(rows.map((r) => [r.id, r]));
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);
const d = by.direct ?? {};
const mr = by['mcp-remote'] ?? {};
console.log('\nRatios (times: lower is better; req/s: higher is better):');
printTable(
  ['proxy', 'p50 ×direct', 'req/s ×direct', '10 MB ×direct', 'init ×mcp-remote'],
  rows
    .filter((r) => r.id !== 'direct')
    .map((r) => [
      r.name,
      fmt(ratio(r.p50, d.p50), 2),
      fmt(ratio(r.rps, d.rps), 2),
      fmt(ratio(r.bigMs, d.bigMs), 2),
      fmt(ratio(r.initMs, mr.initMs), 2),
    ]),
);

const targets = [];
const target = (label, value, ok, shown) =>
  targets.push([Number.isFinite(value) ? (ok ? 'PASS' : 'FAIL') : 'n/a ', label, shown ?? fmt(value, 2)]);
const o = by.ours ?? {};
const initR = ratio(o.initMs, mr.initMs);
target('spawn→init ≤ 0.30× mcp-remote', initR, initR <= 0.3, `${fmt(initR, 2)}×`);
const p50R = ratio(o.p50, d.p50);
target('echo p50 ≤ 1.15× direct', p50R, p50R <= 1.15, `${fmt(p50R, 2)}×`);
const rpsR = ratio(o.rps, d.rps);
target('req/s ≥ 1.00× direct', rpsR, rpsR >= 1, `${fmt(rpsR, 2)}×`);
const bigR = ratio(o.bigMs, d.bigMs);
target('10 MB ≤ 1.5× direct', bigR, bigR <= 1.5, `${fmt(bigR, 2)}×`);
target('peak RSS ≤ 80 MB', o.rssMB, o.rssMB <= 80, `${fmt(o.rssMB, 1)} MB`);

// --------------------------------------------------------- install footprint
if (noInstall) {
  console.log('\nInstall footprint: skipped (--no-install)');
} else {
  console.error('measuring install footprint (npm pack + 2 installs + npx) ...');
  const fp = await footprint({ repoDir: REPO, tmpDir, log: log('install') });
  const show = (x) =>
    x?.error ? `FAILED: ${x.error}` : `${x.packages} packages, ${x.mb.toFixed(2)} MB (du -sk node_modules), ${x.seconds.toFixed(1)} s`;
  console.log('\nInstall footprint (npm install --no-audit --no-fund into an empty folder):');
  if (fp.tarball)
    console.log(`  tarball      ${fp.tarball.name}: ${fp.tarball.files} files, ${fp.tarball.kB.toFixed(1)} kB${fp.tarball.warning ? ` — ${fp.tarball.warning}` : ''}`);
  console.log(`  ours         ${show(fp.ours)}`);
  console.log(`  mcp-remote   ${show(fp.mcpRemote)}`);
  const sizeR = ratio(fp.ours?.mb, fp.mcpRemote?.mb);
  console.log(`  ratio        ${fmt(sizeR, 3)}× size, ${fmt(ratio(fp.ours?.packages, fp.mcpRemote?.packages), 3)}× packages`);
  const built = fp.tarball && !fp.tarball.warning;
  target('install size ≤ 0.25× mcp-remote', built ? sizeR : NaN, sizeR <= 0.25, built ? `${fmt(sizeR, 3)}×` : 'tarball has no dist/');
  if (fp.npxHelp) {
    const n = fp.npxHelp;
    console.log(`  npx --yes ./<tarball> --help: exit ${n.code} in ${n.seconds.toFixed(1)} s${n.code === 0 ? ` — "${n.firstLine}"` : `\n    ${n.error}`}`);
    target('npx --yes ./<tarball> --help exits 0', 1, n.code === 0, `exit ${n.code}`);
  } else target('npx --yes ./<tarball> --help exits 0', NaN, false, 'not run');
}

console.log('\nTargets (informational, never affect the exit code):');
for (const [mark, label, shown] of targets) console.log(`  ${mark}  ${label.padEnd(38)} ${shown}`);

if (children.size) console.error(`killing ${children.size} leftover process(es)`);
process.exit(0);
