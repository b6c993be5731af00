// Opaque cursors and page-size clamping.
import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../core/problems.js';
import { clampLimit, decodeCursor, encodeCursor } from './paging.js';

describe('cursors', () => {
  it('round-trip and look opaque', () => {
    const cursor = encodeCursor({ offset: 200, since: '2026-01-01T00:00:00Z' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual({ offset: 200, since: '2026-01-01T00:00:00Z' });
  });

  it('reject anything not made by encodeCursor with 400', () => {
    for (const bad of [
      '',
      'not base64!',
      Buffer.from('[1,2]').toString('base64url'),
      Buffer.from('{"a":').toString('base64url'),
      'x'.repeat(3000),
    ]) {
      const attempt = () => decodeCursor(bad);
      expect(attempt).toThrow(ProblemError);
      try {
        attempt();
      } catch (err) {
        expect((err as ProblemError).status).toBe(400);
      }
    }
    expect(() => decodeCursor(encodeCursor({ offset: 'x' }), (v) => typeof v.offset === 'number')).toThrow(ProblemError);
  });
});

describe('clampLimit', () => {
  it('defaults, clamps and refuses', () => {
    expect(clampLimit(undefined, 200)).toBe(50);
    expect(clampLimit(undefined, 20)).toBe(20);
    expect(clampLimit('10', 200)).toBe(10);
    expect(clampLimit(5000, 200)).toBe(200);
    expect(clampLimit(undefined, 200, 25)).toBe(25);
    for (const bad of [0, -1, 1.5, 'ten', '1e3']) expect(() => clampLimit(bad, 200), String(bad)).toThrow(ProblemError);
  });
});
