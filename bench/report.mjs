// The printed report: figures, ratios to the raw floor, ours over the stdio relay floors,
// targets (issue 13) with where the relay floors stand against each, install footprint.
// Everything goes to stdout; the exit code never depends on a target.
import { CONFIG } from './measure.mjs';
import { floorLine, oursOverFloors, relayFloors } from './report-floors.mjs';
import { fmt, paired, printTable, ratio, times } from './report-format.mjs';

const loads = (l) => l.map((x) => x.toFixed(2)).join(' / ');
const IN_PROCESS = new Set(['raw', 'direct']);

export function report({ rows, done, fp, nodeFloorMs, rssBeforeInProcessMB, listenerWarnings, loadAtStart, loadAtEnd, cpus }) {
  const by = Object.fromEntries(rows.map((r) => [r.id, r]));
  const raw = by.raw ?? {};
  const mr = by['mcp-remote'] ?? {};
  const o = by.ours ?? {};
  const mark = (r) => (IN_PROCESS.has(r.id) && r.initMs ? '*' : '');
  const cols = [
    ['contender', (r) => r.name + (r.skipped ? ' [skipped]' : r.error ? ' [failed]' : '')],
    ['init cold ms', (r) => fmt(r.initColdMs, 1)],
    ['init warm ms', (r) => fmt(r.initMs, 1) + mark(r)],
    ['idle RSS MB', (r) => fmt(r.idleRssMB, 1)],
    [`idle +${CONFIG.settleMs / 1000} s MB`, (r) => fmt(r.idleSettledMB, 1)],
    ['echo p50 ms', (r) => fmt(r.p50, 3)],
    ['echo p99 ms', (r) => fmt(r.p99, 3)],
    [`req/s @${CONFIG.inFlight}`, (r) => fmt(r.rps, 0)],
    ['10 MB ms', (r) => fmt(r.bigMs, 1)],
    ['peak RSS MB', (r) => fmt(r.rssMB, 1) + (IN_PROCESS.has(r.id) && r.rssMB ? '†' : '')],
    [`100 MB ms`, (r) => fmt(r.hugeMs, 1)],
    ['peak w/100 MB', (r) => fmt(r.hugeRssMB, 1) + (IN_PROCESS.has(r.id) && r.hugeRssMB ? '†' : '')],
  ];

  console.log(
    `\nMCP proxy benchmark — node ${process.version}, ${cpus} CPUs, load average (1/5/15 min) ${loads(loadAtStart)} at start, ` +
      `${loads(loadAtEnd)} at end; medians of ${CONFIG.spawns} spawns; warm-up ${CONFIG.warmup} + ${CONFIG.warmupConcurrent} calls ` +
      `(peers: ${CONFIG.peerWarmupConcurrent}); then the core group (${rows
        .filter((r) => r.core)
        .map((r) => r.id)
        .join(', ')}): ${done.rounds}${done.rounds < CONFIG.rounds ? ` (of ${CONFIG.rounds}: time ran out)` : ''} rounds, ` +
      `then the peers: ${done.peerRounds ?? 0}${(done.peerRounds ?? 0) < CONFIG.peerRounds ? ` (of ${CONFIG.peerRounds})` : ''} rounds beside raw; in each, each contender in turn: ${CONFIG.latencyCalls} sequential echo calls, ${CONFIG.throughputCalls} calls ` +
      `@${CONFIG.inFlight} in flight, ${CONFIG.bigCalls}× 10 MB; then ${done.hugeCalls}${done.hugeCalls < CONFIG.hugeCalls ? ` (of ${CONFIG.hugeCalls}: time ran out)` : ''}× 100 MB in turn (every payload sha256-checked)\n`,
  );
  const busy = Math.max(loadAtStart[0], loadAtEnd[0]) / cpus;
  if (busy > 1.5)
    console.log(
      `WARNING: the machine was busy (load ${busy.toFixed(1)}× its CPUs): every process waits for a CPU, and a path through more processes waits more; treat the ratios as rough.\n`,
    );
  printTable(
    cols.map((c) => c[0]),
    rows.map((r) => cols.map((c) => c[1](r))),
  );
  console.log('  * raw, direct: in-process initialize + initialized, no process spawn');
  console.log(`  spawn→init floor: a bare \`node -e ''\` takes ${nodeFloorMs.toFixed(1)} ms from spawn to exit here`);
  console.log('  init cold: nothing remembered (ours: an empty --auth-dir, so no era cache; mcp-remote: an empty config dir)');
  console.log(
    `  init warm: a state dir a previous start wrote to; idle RSS: VmRSS right after initialize answered, and ${CONFIG.settleMs / 1000} s later (the last warm start)`,
  );
  console.log('  stdio relays (bench/relay-floor.mjs): remember nothing, so one set of starts is cold and warm; no 100 MB (they hold whole bodies)');
  console.log(
    `  † raw, direct: process.resourceUsage().maxRSS of the harness process (server runs in its own process); ` +
      `${rssBeforeInProcessMB.toFixed(1)} MB before the first contender`,
  );
  console.log('  proxies: VmHWM of the proxy process from /proc/<pid>/status, read before closing (peak RSS: before the 100 MB case)');
  for (const r of rows.filter((r) => r.error)) console.log(`  ${r.name}: ${r.error}`);
  if (listenerWarnings)
    console.log(`  note: ${listenerWarnings} MaxListenersExceededWarning(s) in the harness process (SDK client's shared AbortSignal; suppressed)`);

  console.log('  p50/p99 over all rounds; req/s, 10 MB, 100 MB: the median round (of an even number: the lower)');
  if (raw.peerRef?.p50)
    console.log(`  raw beside the peers: p50 ${fmt(raw.peerRef.p50, 3)} ms, ${fmt(raw.peerRef.rps, 0)} req/s, 10 MB ${fmt(raw.peerRef.bigMs, 1)} ms`);
  console.log("\nRatios (times: lower is better; req/s: higher is better). To raw: median over rounds of the round's ratio;");
  console.log('p50: of the p50s; peers to raw measured beside them. Init: to mcp-remote started the same way (cold to cold, warm to warm):');
  printTable(
    ['contender', 'p50 ×raw', 'req/s ×raw', '10 MB ×raw', '100 MB ×raw', 'init cold ×mcp-remote', 'init warm ×mcp-remote'],
    rows
      .filter((r) => r.id !== 'raw')
      .map((r) => [r, r.core ? raw : (raw.peerRef ?? {})])
      .map(([r, floor]) => [
        r.name,
        fmt(ratio(r.p50, floor.p50), 2),
        fmt(paired(r.rates, floor.rates), 2),
        fmt(paired(r.bigs, floor.bigs), 2),
        fmt(paired(r.huges, floor.huges), 2),
        IN_PROCESS.has(r.id) ? '—' : fmt(ratio(r.initColdMs, mr.initColdMs), 2),
        IN_PROCESS.has(r.id) ? '—' : fmt(ratio(r.initMs, mr.initMs), 2),
      ]),
  );

  const floors = relayFloors(by);
  oursOverFloors(o, floors);

  // Each target may carry a line saying where the relay floors stand against it (report-floors.mjs).
  const targets = [];
  const target = (label, value, ok, shown, floor) => targets.push([Number.isFinite(value) ? (ok ? 'PASS' : 'MISS') : 'n/a ', label, shown, floor]);
  const mb = (v) => `${fmt(v, 1)} MB`;
  // The relays hold whole bodies: for a large result's time and memory they bound only proxies that do.
  const holdsBodies = ' that holds whole bodies';
  const p50R = ratio(o.p50, raw.p50);
  const p50Of = (r) => ratio(r.p50, raw.p50);
  target(
    'echo p50 ≤ 1.00× raw',
    p50R,
    p50R <= 1,
    times(p50R),
    floorLine(floors, p50Of, (v) => v <= 1, times),
  );
  const rpsR = paired(o.rates, raw.rates);
  const rpsOf = (r) => paired(r.rates, raw.rates);
  target(
    `req/s @${CONFIG.inFlight} ≥ 1.00× raw`,
    rpsR,
    rpsR >= 1,
    times(rpsR),
    floorLine(floors, rpsOf, (v) => v >= 1, times),
  );
  const bigR = paired(o.bigs, raw.bigs);
  const bigOf = (r) => (r.bigVerified ? paired(r.bigs, raw.bigs) : NaN);
  target(
    '10 MB ≤ 1.30× raw, byte-identical',
    bigR,
    bigR <= 1.3 && o.bigVerified,
    `${times(bigR)}${o.bigVerified ? ', identical' : ''}`,
    floorLine(floors, bigOf, (v) => v <= 1.3, times, holdsBodies),
  );
  target(
    'peak RSS (10 MB incl.) ≤ 70 MB',
    o.rssMB,
    o.rssMB <= 70,
    mb(o.rssMB),
    floorLine(
      floors,
      (r) => r.rssMB,
      (v) => v <= 70,
      mb,
      holdsBodies,
    ),
  );
  target('idle RSS after initialize ≤ 50 MB', o.idleRssMB, o.idleRssMB <= 50, mb(o.idleRssMB), [
    floorLine(
      floors,
      (r) => r.idleRssMB,
      (v) => v <= 50,
      mb,
    ),
    Number.isFinite(o.idleSettledMB) &&
      `${CONFIG.settleMs / 1000} s later: ours ${mb(o.idleSettledMB)}; ` +
        (floorLine(
          floors,
          (r) => r.idleSettledMB,
          (v) => v <= 50,
          mb,
        ) ?? 'no floor measured'),
  ]);
  // Ours reached the 100 MB case (its peak RSS before it was read) but did not get the bytes: a miss.
  const hugeFailed = !o.hugeVerified && o.error && Number.isFinite(o.rssMB);
  target(
    '100 MB intact, peak RSS ≤ 120 MB',
    hugeFailed ? 0 : o.hugeVerified ? o.hugeRssMB : NaN,
    o.hugeVerified && o.hugeRssMB <= 120,
    o.hugeVerified ? `${fmt(o.hugeRssMB, 1)} MB, identical (${times(paired(o.huges, raw.huges))} raw)` : hugeFailed ? 'failed (see above)' : '—',
  );
  if (o.gig) {
    const g = o.gig;
    console.log(`\n1 GB result through ours: ${g.outcome} in ${(g.ms / 1000).toFixed(1)} s, peak RSS ${fmt(g.peakRssMB, 1)} MB — ${g.detail}`);
  }
  const gigOk = o.gig && (o.gig.outcome === 'refused' || o.gig.outcome === 'streamed');
  target('1 GB refused or streamed, no crash', o.gig ? 1 : NaN, gigOk, o.gig ? `${o.gig.outcome}, peak RSS ${fmt(o.gig.peakRssMB, 0)} MB` : 'not run (--1gb)');
  const coldR = ratio(o.initColdMs, mr.initColdMs);
  const quarter = (v) => v <= 0.25;
  target(
    'spawn→init cold ≤ 0.25× mcp-remote',
    coldR,
    quarter(coldR),
    times(coldR),
    floorLine(floors, (r) => ratio(r.initColdMs, mr.initColdMs), quarter, times),
  );
  const warmR = ratio(o.initMs, mr.initMs);
  target(
    'spawn→init warm ≤ 0.25× mcp-remote',
    warmR,
    quarter(warmR),
    times(warmR),
    floorLine(floors, (r) => ratio(r.initMs, mr.initMs), quarter, times),
  );

  if (!fp) console.log('\nInstall footprint: skipped (--no-install or --quick)');
  else if (fp.skipped) console.log(`\nInstall footprint: skipped (${fp.skipped}; the limit is 6 minutes for the whole bench)`);
  else {
    const show = (x) => (x?.error ? `FAILED: ${x.error}` : `${x.packages} packages, ${x.mb.toFixed(2)} MB (du -sk node_modules), ${x.seconds.toFixed(1)} s`);
    console.log('\nInstall footprint (npm install --no-audit --no-fund into an empty folder):');
    if (fp.tarball)
      console.log(
        `  tarball      ${fp.tarball.name}: ${fp.tarball.files} files, ${fp.tarball.kB.toFixed(1)} kB${fp.tarball.warning ? ` — ${fp.tarball.warning}` : ''}`,
      );
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

  console.log('\nTargets for mcp-auth-proxy (issue 13; informational, never affect the exit code):');
  for (const [m, label, shown, floor] of targets) {
    console.log(`  ${m}  ${label.padEnd(38)} ${shown}`);
    for (const line of [floor].flat()) if (line) console.log(`        ${line}`);
  }
}
