// Opaque cursors for the system APIs' collections: base64url JSON the client echoes
// back, and page-size clamping, so that neither can be used to ask for too much.
import { ProblemError } from '../../core/problems.js';

export function encodeCursor(position: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodeCursor; anything else is a 400 problem. */
export function decodeCursor<T extends Record<string, unknown> = Record<string, unknown>>(
  cursor: string,
  isValid?: (value: Record<string, unknown>) => boolean,
): T {
  const bad = () =>
    new ProblemError('bad-request', {
      detail: 'The cursor is not valid; use the one from the previous page unchanged.',
      errors: [{ pointer: '/cursor', detail: 'invalid cursor' }],
    });
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw bad();
  if (isValid && !isValid(value as Record<string, unknown>)) throw bad();
  return value as T;
}

/**
 * A page size between 1 and `max`: absent → `fallback` (default the smaller of 50 and max),
 * larger → max. Not a positive integer → 400.
 */
export function clampLimit(limit: unknown, max: number, fallback = Math.min(50, max)): number {
  if (limit === undefined || limit === null || limit === '') return fallback;
  const n = typeof limit === 'number' ? limit : typeof limit === 'string' && /^\d+$/.test(limit) ? Number(limit) : NaN;
  if (!Number.isInteger(n) || n < 1) {
    throw new ProblemError('bad-request', {
      detail: `limit must be a positive integer (at most ${max}).`,
      errors: [{ pointer: '/limit', detail: 'not a positive integer' }],
    });
  }
  return Math.min(n, max);
}
