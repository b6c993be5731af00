// Retry-After in both RFC 9110 forms, and the full-jitter backoff bounds.
import { describe, expect, it } from 'vitest';
import { backoffMs, parseRetryAfter } from './retry-after.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-26T08:00:00Z');
  it('reads delay-seconds and HTTP-dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 26 Nov 2026 08:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 07:59:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    for (const bad of [undefined, '', '-5', '1.5', 'soon']) expect(parseRetryAfter(bad, now), String(bad)).toBeUndefined();
  });
});

describe('backoffMs', () => {
  it('stays within [0, min(cap, base·2^(n-1)))', () => {
    expect(backoffMs(1, 100, 2_000, () => 0.999)).toBe(99);
    expect(backoffMs(3, 100, 2_000, () => 0.5)).toBe(200);
    expect(backoffMs(10, 100, 2_000, () => 0.999)).toBe(1_998);
    expect(backoffMs(4, 100, 2_000, () => 0)).toBe(0);
  });
});
