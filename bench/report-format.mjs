// Number formats, ratios and the plain-text table the report prints with.
import { median } from './measure.mjs';

export const fmt = (v, d) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '—');
export const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);
/** Median over rounds of a[r] / b[r]: each pair ran seconds apart, under the same load. */
export const paired = (a = [], b = []) => median(a.map((x, i) => ratio(x, b[i])).filter(Number.isFinite));
export const times = (v) => `${fmt(v, 2)}×`;

export function printTable(header, lines) {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(line(l));
}
