// Backoff between attempts of a platform call. Retry-After is read by core/resilience's
// parseRetryAfter, the one parser the engine, webhook delivery and the platform client share.
export { parseRetryAfter } from '../../core/resilience/backoff.js';

/** Exponential backoff with full jitter: a random wait in [0, min(cap, base·2^(attempt-1))). */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** (attempt - 1)));
}
