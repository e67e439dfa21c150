// Install footprint: `npm pack` this project, install the tarball into an empty
// folder, and compare with a registry install of mcp-remote. Also checks that
// `npx --yes ./<tarball> --help` exits 0 in an empty folder.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

function run(cmd, args, { cwd, timeoutMs = 120_000, env } = {}) {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 32 * 1024 * 1024, env: { ...process.env, ...env } },
      (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, err, stdout, stderr }),
    );
  });
}

/** The interesting part of a failed command's output: from its first error line on, 4 lines. */
function errorLines(res) {
  const lines = (res.stderr || res.stdout || String(res.err)).trim().split('\n');
  let i = lines.findIndex((l) => /^(\w*Error\b|npm (ERR|error)\b)/.test(l.trim()));
  if (i < 0) i = lines.findIndex((l) => /error|ERR_/i.test(l));
  return lines.slice(Math.max(0, i), Math.max(0, i) + 4).join('\n');
}

function must(res, what) {
  if (res.code !== 0) {
    const detail = (res.stderr || res.stdout || String(res.err)).trim().split('\n').slice(-8).join('\n');
    throw new Error(`${what} failed (${res.code}): ${detail}`);
  }
  return res;
}

/** Count installed packages: every dir with a package.json under node_modules, nested included. */
function countPackages(nodeModules) {
  if (!existsSync(nodeModules)) return 0;
  let n = 0;
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dirs = entry.name.startsWith('@')
      ? readdirSync(join(nodeModules, entry.name), { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => join(nodeModules, entry.name, e.name))
      : [join(nodeModules, entry.name)];
    for (const dir of dirs) {
      if (existsSync(join(dir, 'package.json'))) n++;
      n += countPackages(join(dir, 'node_modules'));
    }
  }
  return n;
}

async function installInto(dir, spec) {
  mkdirSync(dir, { recursive: true });
  const t = performance.now();
  must(await run(NPM, ['install', '--no-audit', '--no-fund', '--loglevel=error', spec], { cwd: dir }), `npm install ${spec}`);
  const seconds = (performance.now() - t) / 1000;
  const du = must(await run('du', ['-sk', 'node_modules'], { cwd: dir }), 'du');
  return { packages: countPackages(join(dir, 'node_modules')), mb: Number(du.stdout.split(/\s/)[0]) / 1024, seconds };
}

/** Returns { ours, mcpRemote, npxHelp } with an `error` field on any part that failed. */
export async function footprint({ repoDir, tmpDir, mcpRemoteSpec = 'mcp-remote@0.15.1', log = () => {} }) {
  const out = {};
  let tarball;
  try {
    const packDir = join(tmpDir, 'pack');
    mkdirSync(packDir, { recursive: true });
    const res = must(await run(NPM, ['pack', '--json', '--pack-destination', packDir], { cwd: repoDir }), 'npm pack');
    const info = JSON.parse(res.stdout)[0];
    tarball = join(packDir, info.filename);
    out.tarball = { name: info.filename, kB: info.size / 1024, files: info.entryCount };
    if (!info.files.some((f) => f.path.startsWith('dist/'))) out.tarball.warning = 'no dist/ in tarball (not built?)';
    log(`packed ${info.filename} (${out.tarball.files} files, ${out.tarball.kB.toFixed(1)} kB)`);
  } catch (err) {
    out.ours = { error: err.message };
  }

  const tasks = [
    tarball
      ? installInto(join(tmpDir, 'ours'), tarball).then(
          (r) => (out.ours = r),
          (e) => (out.ours = { error: e.message }),
        )
      : null,
    installInto(join(tmpDir, 'mcp-remote'), mcpRemoteSpec).then(
      (r) => (out.mcpRemote = r),
      (e) => (out.mcpRemote = { error: e.message }),
    ),
  ];
  await Promise.all(tasks);

  if (tarball) {
    // `npx --yes ./pkg.tgz --help` in a folder holding nothing but the tarball.
    // A private npm cache keeps ~/.npm/_npx clean and avoids a stale cached copy.
    const emptyDir = join(tmpDir, 'npx-empty');
    mkdirSync(emptyDir, { recursive: true });
    const base = tarball.split(/[\\/]/).pop();
    copyFileSync(tarball, join(emptyDir, base));
    const t = performance.now();
    const res = await run(NPX, ['--yes', `./${base}`, '--help'], {
      cwd: emptyDir,
      timeoutMs: 90_000,
      env: { npm_config_cache: join(tmpDir, 'npx-cache'), npm_config_update_notifier: 'false' },
    });
    out.npxHelp = {
      code: res.code,
      seconds: (performance.now() - t) / 1000,
      firstLine: (res.stdout || res.stderr).trim().split('\n')[0] ?? '',
      ...(res.code !== 0 ? { error: errorLines(res) } : {}),
    };
  }
  return out;
}
