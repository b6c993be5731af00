// The one refusal classification: which problem answers fail a step at once, which wait out a
// Retry-After (capped), and which are left to the backoff.
import { describe, expect, it } from 'vitest';
import { ProblemError } from '../problems.js';
import { TransientError } from './errors.js';
import { classifyRefusal, MAX_RETRY_AFTER_MS, PlatformRefusal } from './refusals.js';

describe('classifyRefusal', () => {
  it('makes a 4xx the platform will give again permanent, keeping its problem and naming it by type', () => {
    const problem = new ProblemError('business-rule-violation', { detail: 'No rate card.' });
    const refusal = classifyRefusal(problem);
    expect(refusal).toBeInstanceOf(PlatformRefusal);
    expect(refusal).toMatchObject({ name: 'business-rule-violation', message: 'No rate card.', retryable: false, problem });
    expect(classifyRefusal(new ProblemError('not-found'))).toBeInstanceOf(PlatformRefusal);
  });

  it('leaves "not now" answers retryable: conflict in flight, rate limit', () => {
    const inFlight = new ProblemError('idempotency-request-in-flight');
    expect(classifyRefusal(inFlight)).toBe(inFlight);
    const limited = classifyRefusal(new ProblemError('rate-limited', { headers: { 'retry-after': '7' } }));
    expect(limited).toBeInstanceOf(TransientError);
    expect(limited).toMatchObject({ name: 'rate-limited', retryAfterMs: 7_000 });
  });

  it('honours Retry-After as seconds or a date, capped at an hour', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    const at = classifyRefusal(
      new ProblemError('upstream-unavailable', { headers: { 'Retry-After': 'Tue, 01 Dec 2026 10:00:30 GMT' } }),
      now,
    );
    expect(at).toMatchObject({ retryAfterMs: 30_000 });
    const days = classifyRefusal(new ProblemError('upstream-unavailable', { headers: { 'Retry-After': String(3 * 86_400) } }), now);
    expect(days).toMatchObject({ retryAfterMs: MAX_RETRY_AFTER_MS });
  });

  it('leaves a 5xx without Retry-After and any other error to the backoff', () => {
    const failed = new ProblemError('upstream-error');
    expect(classifyRefusal(failed)).toBe(failed);
    const plain = new Error('socket hang up');
    expect(classifyRefusal(plain)).toBe(plain);
  });
});
