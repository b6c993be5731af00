// Backoff grows exponentially within its bounds and jitters; Retry-After parses both forms.
import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter, seededRandom } from './backoff.js';
import { retryHints, TransientError, PermanentError } from './errors.js';

describe('backoff and Retry-After', () => {
  const policy = { baseDelayMs: 1_000, maxDelayMs: 30_000 };

  it('doubles per attempt, stays between half and all of the step, and caps', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(500);
    expect(backoffDelay(1, policy, () => 0.999999)).toBe(1_000);
    expect(backoffDelay(3, policy, () => 0)).toBe(2_000);
    expect(backoffDelay(20, policy, () => 1)).toBe(30_000);
    const random = seededRandom(42);
    const delays = Array.from({ length: 50 }, () => backoffDelay(4, policy, random));
    expect(new Set(delays).size).toBeGreaterThan(40);
    expect(delays.every((d) => d >= 4_000 && d <= 8_000)).toBe(true);
  });

  it('is reproducible with a seed', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
  });

  it('parses Retry-After as seconds or an HTTP date, and ignores garbage', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('reads retry hints from any error shape', () => {
    expect(retryHints(new TransientError('x', { retryAfterMs: 5 }))).toEqual({ retryAfterMs: 5, retryable: true });
    expect(retryHints(new PermanentError('x'))).toEqual({ retryAfterMs: undefined, retryable: false });
    expect(retryHints({ retryAfterMs: -1 })).toEqual({ retryAfterMs: undefined, retryable: undefined });
    expect(retryHints('plain')).toEqual({});
  });
});
