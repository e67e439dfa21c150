/**
 * Every duration a server hands the proxy (a device-grant `interval` or `expires_in`, an SSE
 * `retry:`, a token's `expires_in`, a `Retry-After`) is clamped here, at the boundary, before it
 * reaches a timer or a date. Node's timers take at most 2^31-1 ms (~24.8 days): a larger value
 * becomes 1 ms with a TimeoutOverflowWarning, so a hostile `interval` of 10^9 s would turn into
 * thousands of polls a second. The ranges below are what a well-behaved server ever sends, with
 * room to spare; the lower bounds keep a 0 from turning a wait into a busy loop.
 */

export interface DurationBounds {
  minMs: number;
  maxMs: number;
}

/** The most any timer in the proxy may be set to (Node's setTimeout limit, TIMEOUT_MAX). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const BOUNDS = {
  // RFC 8628 §3.2: `interval` is the minimum wait between polls (§3.5), so a larger value is
  // honoured up to an hour; the sign-in itself is bounded by --auth-timeout anyway.
  deviceInterval: { minMs: 1_000, maxMs: 3_600_000 },
  // RFC 8628 §3.2 `expires_in` of the device code: at most a day.
  deviceExpiresIn: { minMs: 1_000, maxMs: 86_400_000 },
  // WHATWG HTML §9.2 `retry:` sets the reconnection time; a minimum, capped at a minute.
  sseRetry: { minMs: 100, maxMs: 60_000 },
  // RFC 6749 §5.1 `expires_in` of an access token: stored as a date; a year at most.
  tokenExpiresIn: { minMs: 0, maxMs: 365 * 86_400_000 },
  // RFC 9110 §10.2.3 Retry-After: waited on at most ten minutes.
  retryAfter: { minMs: 0, maxMs: 600_000 },
} as const satisfies Record<string, DurationBounds>;

/** `ms` within `bounds` (NaN counts as the minimum); never more than a timer can hold. */
export function clampMs(ms: number, bounds: DurationBounds): number {
  if (Number.isNaN(ms)) return bounds.minMs;
  return Math.min(Math.max(ms, bounds.minMs), bounds.maxMs, MAX_TIMER_MS);
}

/** Seconds from the network to bounded milliseconds. */
export function clampSeconds(seconds: number, bounds: DurationBounds): number {
  return clampMs(seconds * 1000, bounds);
}

/**
 * RFC 9110 §10.2.3: Retry-After is a number of seconds or an HTTP date. Undefined when absent or
 * unreadable; otherwise the wait in ms, clamped.
 */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return clampSeconds(Number(text), BOUNDS.retryAfter);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : clampMs(at - now, BOUNDS.retryAfter);
}
