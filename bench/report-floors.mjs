// The stdio relay floors in the report (bench/relay-floor.mjs): ours over each floor, and where
// the floors stand against each target. A relay is the least a stdio proxy can do, so a target
// no relay meets is out of reach for any stdio proxy on this machine, not a fault of ours.
import { fmt, paired, printTable, ratio, times } from './report-format.mjs';

const FLOORS = [
  { id: 'relay-http', label: 'relay (node:http)' },
  { id: 'relay-undici', label: 'relay (undici)' },
];

/** The relay rows that ran (measured, not failed before the workload), each with its short label. */
export const relayFloors = (by) => FLOORS.filter((f) => by[f.id] && !by[f.id].skipped).map((f) => ({ ...by[f.id], label: f.label }));

const plusMB = (v) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(1)}` : '—');

/** Ours' figures as ratios to each floor (round by round where both ran in the same rounds). */
export function oursOverFloors(o, floors) {
  if (!o.id || !floors.length) return;
  console.log('\nOurs over each stdio floor (ratios: ours ÷ floor, round by round; MB: ours − floor). What ours adds to being a stdio proxy:');
  printTable(
    ['floor', 'p50 ×', 'req/s ×', '10 MB ×', 'init cold ×', 'init warm ×', 'idle RSS +MB', 'settled +MB', 'peak RSS +MB'],
    floors.map((f) => [
      f.label,
      fmt(ratio(o.p50, f.p50), 2),
      fmt(paired(o.rates, f.rates), 2),
      fmt(paired(o.bigs, f.bigs), 2),
      fmt(ratio(o.initColdMs, f.initColdMs), 2),
      fmt(ratio(o.initMs, f.initMs), 2),
      plusMB(o.idleRssMB - f.idleRssMB),
      plusMB(o.idleSettledMB - f.idleSettledMB),
      plusMB(o.rssMB - f.rssMB),
    ]),
  );
  console.log('  10 MB and peak RSS: a relay holds a whole body before writing it, so a proxy that streams can be below 1× / below 0 there');
}

/**
 * One line on where the floors stand against a target: `figure(row)` is a floor's value in the
 * target's terms, `meets(value)` the target's test. Undefined when no floor has the figure.
 * `scope` narrows the verdict where the relays are no floor for every proxy: they hold whole bodies,
 * so for a large result's time and peak memory they bound only proxies that do the same.
 */
export function floorLine(floors, figure, meets, show = times, scope = '') {
  const measured = floors.map((f) => ({ label: f.label, id: f.id, v: figure(f) })).filter((m) => Number.isFinite(m.v));
  if (!measured.length) return undefined;
  const met = measured.filter((m) => meets(m.v));
  const undiciMissed = measured.some((m) => m.id === 'relay-undici' && !meets(m.v));
  const verdict = !met.length
    ? `no floor meets it: out of reach for any stdio proxy${scope} here`
    : met.length === measured.length
      ? measured.length > 1
        ? 'every floor meets it'
        : 'the floor meets it'
      : `only ${met.map((m) => m.label).join(', ')} meets it${undiciMissed ? `: out of reach for a stdio proxy on undici${scope} here` : ''}`;
  return `floor: ${measured.map((m) => `${m.label} ${show(m.v)}`).join(', ')} — ${verdict}`;
}
