// The test command (`npm test`, after the build): vitest for unit, integration and end-to-end
// tests, then the official MCP conformance suites that must pass. Ends with one summary line,
// "tests: N passed, M failed", counting vitest tests and conformance scenarios.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// The conformance selections this project must pass (see README "Conformance").
const CONFORMANCE = [
  ['--suite', 'auth'],
  ['--suite', 'backcompat'],
  ['--requirements', '2025-11-25'],
  ['--requirements', '2026-07-28'],
];
// The ext-auth extension scenarios (issue 12), unscored in the --requirements runs: scored here, one run each.
CONFORMANCE.push(['--scenario', 'auth/client-credentials-basic'], ['--scenario', 'auth/client-credentials-jwt']);
CONFORMANCE.push(['--scenario', 'auth/enterprise-managed-authorization'], ['--scenario', 'auth/wif-jwt-bearer']);
// The DPoP extension scenarios (SEP-1932, issue 12), scored: not_scored in the requirements runs.
CONFORMANCE.push(['--scenario', 'auth/dpop'], ['--scenario', 'auth/dpop-nonce']);

const tmp = mkdtempSync(path.join(tmpdir(), 'mcp-auth-proxy-test-'));
let passed = 0;
let failed = 0;

const report = path.join(tmp, 'vitest.json');
const vitest = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
try {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests;
} catch {
  failed += 1; // vitest died before writing its report
}
if (vitest.status !== 0 && failed === 0) failed += 1;

if (process.argv.length <= 2) {
  for (const selection of CONFORMANCE) {
    const run = spawnSync(process.execPath, ['scripts/conformance.mjs', ...selection], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    process.stdout.write(run.stdout);
    const summary = /(\d+) passed, (\d+) failed;/.exec(run.stdout);
    if (summary) {
      passed += Number(summary[1]);
      failed += Number(summary[2]);
    }
    if (run.status !== 0 && (!summary || summary[2] === '0')) failed += 1;
  }
}
rmSync(tmp, { recursive: true, force: true });
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
