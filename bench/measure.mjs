// The measurements, identical for every contender. A contender is
// { id, name, start: () => Promise<driver>, startCold?, prime?, huge? } where a driver
// comes from drivers.mjs or raw-client.mjs:
// - startCold: a start with nothing remembered (spawn -> initialize measured apart);
// - prime: run once before the warm starts, so they find what a previous start left;
// - stateless: remembers nothing between starts, so cold = warm: one set of starts gives both;
// - core: raw, the relay floors and ours, the group the targets are about: started and measured first, over
//   CONFIG.rounds; the peers come after, over CONFIG.peerRounds with a shorter warm-up
//   (a 10 MB result through mcp-remote takes seconds), raw taking a turn beside them;
// - huge: also run the 100 MB case;
// - gig: also run the 1 GB case (only when asked: it is slow, and may take gigabytes).
// Start-up is measured one contender at a time; the workload then runs in rounds, and
// each round gives every contender its turn (in a rotating order). On a shared machine
// the load drifts over minutes, so contenders measured minutes apart are not comparable;
// turns a few seconds apart are, and the ratios are taken round by round.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export const CONFIG = {
  spawns: 5, // spawn -> initialize samples (median), cold and warm
  settleMs: 2000, // idle RSS is read right after initialize, and again this long after (stdio contenders)
  warmup: 50, // sequential echo calls before timing (checked) ...
  warmupConcurrent: 1500, // ... then untimed calls at `inFlight`: a fresh proxy process needs JIT warm-up
  peerWarmupConcurrent: 500, // ... (peers: this many)
  rounds: 5, // workload rounds; in each, every contender makes ...
  peerRounds: 2, // (peers: this many)
  latencyCalls: 60, // ... this many sequential echo calls (p50 / p99 over all rounds) ...
  throughputCalls: 1000, // ... this many echo calls ...
  inFlight: 32, // ... with this many in flight (req/s per round) ...
  bigCalls: 1, // ... and this many 10 MB `big` calls
  hugeCalls: 2, // 100 MB `huge` calls, for contenders with `huge`, after the rounds
};

export const median = (xs) => quantile(xs, 0.5);
export function quantile(xs, q) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i];
}

function textOf(result) {
  const text = result?.content?.[0]?.text;
  if (typeof text !== 'string') throw new Error(`unexpected tool result: ${JSON.stringify(result).slice(0, 200)}`);
  return text;
}

/** One echo call with a unique text, checked: a proxy cannot cache or mix up answers. */
let seq = 0;
async function echo(driver, timeoutMs) {
  const sent = `hello ${++seq}`;
  const got = textOf(await driver.callTool('echo', { text: sent }, timeoutMs));
  if (got !== sent) throw new Error(`echo sent ${JSON.stringify(sent)}, got ${JSON.stringify(got.slice(0, 80))}`);
}

/** `count` echo calls with CONFIG.inFlight of them in flight at any time. */
async function concurrentEcho(driver, count) {
  let issued = 0;
  const worker = async () => {
    while (issued < count) {
      issued++;
      await echo(driver, 20_000);
    }
  };
  await Promise.all(Array.from({ length: CONFIG.inFlight }, worker));
}

/** A payload tool call, timed; the text must be byte-identical to the server's (sha256). */
async function payloadCall(driver, name, expected, timeoutMs) {
  const t = performance.now();
  const text = textOf(await driver.callTool(name, {}, timeoutMs));
  const ms = performance.now() - t;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes !== expected.bytes) throw new Error(`${name} returned ${bytes} bytes, expected ${expected.bytes}`);
  if (createHash('sha256').update(text, 'utf8').digest('hex') !== expected.sha256)
    throw new Error(`${name} returned ${bytes} bytes, but not the server's (sha256 differs)`);
  return ms;
}

/**
 * The 1 GB case: the answer must be refused (a JSON-RPC error) or streamed whole, and the
 * proxy must still answer afterwards. Returns { outcome: 'refused'|'streamed'|'crashed'|'failed',
 * detail, ms, peakRssMB }.
 */
async function gigCase({ driver, row, log }) {
  const t = performance.now();
  let out;
  try {
    const result = await driver.callTool('gig', {}, 120_000);
    const bytes = result?.oversizedBytes;
    out =
      bytes > 1024 ** 3
        ? { outcome: 'streamed', detail: `${bytes} bytes on one stdout line` }
        : { outcome: 'failed', detail: `unexpected result: ${JSON.stringify(result).slice(0, 200)}` };
  } catch (err) {
    const msg = err?.message ?? String(err);
    out = /^JSON-RPC error/.test(msg)
      ? { outcome: 'refused', detail: msg.slice(0, 240) }
      : { outcome: /process exited/.test(msg) ? 'crashed' : 'failed', detail: msg.slice(0, 400) };
  }
  out.ms = performance.now() - t;
  out.peakRssMB = driver.peakRssKB() / 1024;
  if (out.outcome !== 'crashed') {
    try {
      await echo(driver, 20_000);
    } catch (err) {
      out = { ...out, outcome: 'failed', detail: `${out.detail}; then no echo answer: ${err?.message ?? err}`.slice(0, 400) };
    }
  }
  log(`1 GB: ${out.outcome} in ${out.ms.toFixed(0)} ms, peak RSS ${fmtMB(out.peakRssMB)}: ${out.detail}`);
  if (out.outcome === 'crashed' || out.outcome === 'failed') row.error ??= `1 GB case ${out.outcome}`;
  return out;
}
const fmtMB = (mb) => (Number.isFinite(mb) ? `${mb.toFixed(1)} MB` : 'n/a');

/** Median spawn -> initialize over CONFIG.spawns starts, and the median VmRSS right after each. */
async function starts(start, keepLast) {
  const initSamples = [];
  const idleSamples = [];
  let driver;
  for (let i = 0; i < CONFIG.spawns; i++) {
    if (driver) await driver.close();
    driver = await start();
    initSamples.push(driver.initMs);
    if (driver.rssKB) idleSamples.push(driver.rssKB() / 1024);
  }
  if (!keepLast) await driver.close();
  return { initMs: median(initSamples), idleRssMB: median(idleSamples), driver: keepLast ? driver : undefined };
}

/**
 * Start-up of one contender: cold starts (where they differ), then warm ones; the last
 * warm driver stays open for the workload. Returns { row, driver } (driver undefined on failure).
 */
export async function startContender(contender, log = () => {}) {
  const row = { id: contender.id, name: contender.name };
  try {
    if (contender.startCold) {
      row.initColdMs = (await starts(contender.startCold, false)).initMs;
      log(`init cold ${row.initColdMs.toFixed(1)} ms`);
    }
    if (contender.prime) await (await contender.start()).close();
    const warm = await starts(contender.start, true);
    row.initMs = warm.initMs;
    if (contender.stateless) row.initColdMs = warm.initMs;
    row.idleRssMB = warm.idleRssMB; // NaN for in-process clients
    // And once settled: what a process left idle for hours holds is what it holds a little after
    // start-up, when background work (V8 tiering up undici's WebAssembly parser, say) has run.
    if (warm.driver?.rssKB) {
      await new Promise((resolve) => setTimeout(resolve, CONFIG.settleMs));
      row.idleSettledMB = warm.driver.rssKB() / 1024;
    }
    log(
      `init ${row.initMs.toFixed(1)} ms${Number.isFinite(row.idleRssMB) ? `, idle RSS ${row.idleRssMB.toFixed(1)} MB, ${row.idleSettledMB.toFixed(1)} MB after ${CONFIG.settleMs / 1000} s` : ''}`,
    );
    return { row, driver: warm.driver, contender, log };
  } catch (err) {
    row.error = err?.message ?? String(err);
    log(`FAILED: ${row.error}`);
    return { row, contender, log };
  }
}

/** Run `step` on every live entry in turn, from `first` on; an entry that throws is out. */
async function turns(entries, first, step) {
  const live = entries.filter((e) => e.driver && !e.row.error);
  for (let i = 0; i < live.length; i++) {
    const e = live[(first + i) % live.length];
    try {
      await step(e);
    } catch (err) {
      e.row.error = err?.message ?? String(err);
      e.log(`FAILED: ${e.row.error}`);
    }
  }
}

/**
 * The workload, interleaved over `entries` (from startContender). Fills each row:
 * p50, p99, rps (median round), rates[] and bigs[] (per round, index-aligned across rows
 * for round-by-round ratios), bigMs, bigVerified, rssMB (peak before the 100 MB case),
 * and with `huge`: hugeMs, huges[], hugeVerified, hugeRssMB (and `gig` for a contender
 * with gig). `payloads`: { big, huge: {bytes, sha256} } from the server.
 * Past `deadline` (a performance.now() time) no further round or 100 MB call starts (one of
 * each always runs), so a loaded machine gives fewer samples rather than no report.
 * Drivers stay open. Returns { rounds, hugeCalls }: how many ran.
 */
export async function runWorkload(entries, payloads, { deadline = Infinity, rounds: maxRounds, huge: withHuge }) {
  await turns(entries, 0, async ({ driver, contender }) => {
    for (let i = 0; i < CONFIG.warmup; i++) await echo(driver);
    await concurrentEcho(driver, contender.core ? CONFIG.warmupConcurrent : CONFIG.peerWarmupConcurrent);
  });
  for (const e of entries) Object.assign(e.row, { lat: [], rates: [], bigs: [] });
  let rounds = 0;
  for (let r = 0; r < maxRounds && (r === 0 || performance.now() < deadline); r++, rounds++) {
    await turns(entries, r, async ({ driver, row }) => {
      for (let i = 0; i < CONFIG.latencyCalls; i++) {
        const t = performance.now();
        await echo(driver);
        row.lat.push(performance.now() - t);
      }
      const t0 = performance.now();
      await concurrentEcho(driver, CONFIG.throughputCalls);
      row.rates[r] = CONFIG.throughputCalls / ((performance.now() - t0) / 1000);
      let ms = 0;
      for (let i = 0; i < CONFIG.bigCalls; i++) ms += await payloadCall(driver, 'big', payloads.big, 30_000);
      row.bigs[r] = ms / CONFIG.bigCalls;
    });
  }
  for (const { row, driver, log } of entries) {
    if (!driver || !row.lat.length) continue;
    row.p50 = quantile(row.lat, 0.5);
    row.p99 = quantile(row.lat, 0.99);
    row.rps = median(row.rates.filter(Number.isFinite));
    row.bigMs = median(row.bigs.filter(Number.isFinite));
    row.bigVerified = !row.error;
    // Peak RSS of the whole run so far (10 MB included), read before the 100 MB case.
    row.rssMB = driver.peakRssKB() / 1024;
    log(
      `p50 ${row.p50.toFixed(3)} ms, p99 ${row.p99.toFixed(3)} ms, ${row.rps.toFixed(0)} req/s, 10 MB ${row.bigMs.toFixed(1)} ms, peak RSS ${row.rssMB.toFixed(1)} MB`,
    );
  }
  if (!withHuge) return { rounds, hugeCalls: 0 };
  const huge = entries.filter((e) => e.contender.huge);
  for (const e of huge) e.row.huges = [];
  let hugeCalls = 0;
  for (let r = 0; r < CONFIG.hugeCalls && (r === 0 || performance.now() < deadline); r++, hugeCalls++)
    await turns(huge, r, async ({ driver, row }) => row.huges.push(await payloadCall(driver, 'huge', payloads.huge, 60_000)));
  for (const { row, driver, log } of huge) {
    if (!driver || !hugeCalls || row.huges.length !== hugeCalls) continue;
    row.hugeMs = median(row.huges);
    row.hugeVerified = true;
    row.hugeRssMB = driver.peakRssKB() / 1024;
    log(`100 MB ${row.hugeMs.toFixed(1)} ms (byte-identical), peak RSS ${row.hugeRssMB.toFixed(1)} MB`);
  }
  for (const e of entries.filter((e) => e.contender.gig && e.driver)) e.row.gig = await gigCase(e);
  return { rounds, hugeCalls };
}
