// Retry timing shared by workflows and webhook delivery: exponential backoff with jitter,
// and `Retry-After` (seconds or HTTP-date, RFC 9110 §10.2.3) turned into a delay.

export interface BackoffPolicy {
  /** Delay before the second attempt, in ms; doubles with each further attempt. */
  baseDelayMs: number;
  /** Upper bound for one delay, in ms. */
  maxDelayMs: number;
}

export type Random = () => number;

/**
 * Delay before attempt `attempt + 1` after `attempt` failures (attempt ≥ 1).
 * "Equal jitter": half the exponential delay is fixed, half random, so retries from many
 * callers spread out without ever collapsing to zero.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: Random = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const half = exp / 2;
  return Math.round(half + random() * half);
}

/** Parses a `Retry-After` header value into ms from `now`; undefined when absent or malformed. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // HTTP-dates start with a day name (IMF-fixdate, RFC 850 and asctime forms alike);
  // checking that keeps Date.parse's leniency from reading "-5" as a year.
  if (!/^[A-Za-z]{3}/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** A small seeded generator (mulberry32) for reproducible jitter in tests and benchmarks. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
