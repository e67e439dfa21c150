// The measurements, identical for every contender. A contender is
// { name, start: () => Promise<driver> } where a driver comes from drivers.mjs.
import { performance } from 'node:perf_hooks';
import { BIG_BYTES } from './server.mjs';

export const CONFIG = {
  spawns: 7, // spawn -> initialize samples (median)
  warmup: 50, // sequential echo calls before timing (checked) ...
  warmupConcurrent: 3000, // ... then untimed calls at `inFlight`: a fresh proxy process needs JIT warm-up
  latencyCalls: 300, // sequential echo calls (p50 / p99)
  throughputCalls: 5000, // echo calls ...
  inFlight: 32, // ... with this many in flight ...
  throughputRounds: 5, // ... split in rounds; the median round's rate is reported
  bigCalls: 5, // 10 MB `big` calls (median)
  budgetMs: 35_000, // per contender, checked between steps
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

/**
 * Run every metric for one contender. Returns a row; on failure, row.error says
 * why and the metrics gathered so far are kept.
 */
export async function measure(contender, log = () => {}) {
  const row = { name: contender.name };
  const deadline = performance.now() + CONFIG.budgetMs;
  const checkBudget = (step) => {
    if (performance.now() > deadline) throw new Error(`time budget (${CONFIG.budgetMs} ms) exceeded before ${step}`);
  };
  let driver;
  try {
    // 1. spawn -> initialize. Keep the last one for the rest.
    const initSamples = [];
    for (let i = 0; i < CONFIG.spawns; i++) {
      checkBudget('spawn');
      if (driver) await driver.close();
      driver = await contender.start();
      initSamples.push(driver.initMs);
    }
    row.initMs = median(initSamples);
    log(`init ${row.initMs.toFixed(1)} ms`);

    // 2. warm-up (every echo below checks its answer)
    for (let i = 0; i < CONFIG.warmup; i++) await echo(driver);
    checkBudget('warm-up');
    await concurrentEcho(driver, CONFIG.warmupConcurrent);

    // 3. sequential latency
    checkBudget('latency');
    const lat = [];
    for (let i = 0; i < CONFIG.latencyCalls; i++) {
      const t = performance.now();
      await echo(driver);
      lat.push(performance.now() - t);
    }
    row.p50 = quantile(lat, 0.5);
    row.p99 = quantile(lat, 0.99);
    log(`p50 ${row.p50.toFixed(3)} ms, p99 ${row.p99.toFixed(3)} ms`);

    // 4. throughput with N in flight; median of rounds damps GC / scheduler noise
    const rates = [];
    const perRound = Math.ceil(CONFIG.throughputCalls / CONFIG.throughputRounds);
    for (let r = 0; r < CONFIG.throughputRounds; r++) {
      checkBudget('throughput');
      const t0 = performance.now();
      await concurrentEcho(driver, perRound);
      rates.push(perRound / ((performance.now() - t0) / 1000));
    }
    row.rps = median(rates);
    log(`${row.rps.toFixed(0)} req/s (rounds: ${rates.map((x) => x.toFixed(0)).join(', ')})`);

    // 5. 10 MB result
    const big = [];
    for (let i = 0; i < CONFIG.bigCalls; i++) {
      checkBudget('10 MB call');
      const t = performance.now();
      const text = textOf(await driver.callTool('big', {}, 30_000));
      big.push(performance.now() - t);
      const bytes = Buffer.byteLength(text, 'utf8');
      if (bytes !== BIG_BYTES) throw new Error(`big returned ${bytes} bytes, expected ${BIG_BYTES}`);
    }
    row.bigMs = median(big);
    row.bigVerified = true;
    log(`10 MB ${row.bigMs.toFixed(1)} ms (length verified)`);

    // 6. peak RSS, read before closing
    row.rssMB = driver.peakRssKB() / 1024;
  } catch (err) {
    row.error = err?.message ?? String(err);
    log(`FAILED: ${row.error}`);
  } finally {
    if (driver) await driver.close().catch(() => {});
  }
  return row;
}
