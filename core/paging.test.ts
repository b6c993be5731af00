// The cursor codec and the page-size rule: signed cursors round-trip, and anything the layer
// did not issue for this collection and these filters is the one bad-cursor 400.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  cursorId,
  cursorKind,
  cursorLimit,
  decodeCursor,
  encodeCursor,
  MAX_CURSOR_LENGTH,
  nextNumberedCursor,
  numberedCursorKind,
  numberedPageOf,
  pageLimit,
  scopeOf,
  signedCursorOf,
  useCursorSigningKey,
} from './paging.js';
import { ProblemError } from './problems.js';

const RUNS = cursorKind('test.runs', { after: cursorId });
const SIZED = cursorKind('test.sized', { page: z.number().int().min(1), limit: cursorLimit() });
const ID = '0190f2a4-5b6c-7d8e-9f01-23456789abcd';

/** The one answer every bad cursor gets. */
function expectBadCursor(attempt: () => unknown, why: string): void {
  let thrown: unknown;
  try {
    attempt();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, why).toBeInstanceOf(ProblemError);
  const problem = thrown as ProblemError;
  expect({ status: problem.status, type: problem.type, errors: problem.errors }, why).toEqual({
    status: 400,
    type: 'bad-request',
    errors: [{ pointer: '/cursor', detail: 'invalid cursor' }],
  });
}

/** The cursor with bit `bit` of decoded byte `index` flipped, re-encoded as valid base64url. */
function flipBit(cursor: string, index: number, bit: number): string {
  // A 43-character tag is 32 bytes; re-encode payload and tag apart so both stay canonical.
  const payload = Buffer.from(cursor.slice(0, -43), 'base64url');
  const tag = Buffer.from(cursor.slice(-43), 'base64url');
  const bytes = index < payload.length ? payload : tag;
  bytes[index < payload.length ? index : index - payload.length] ^= 1 << bit;
  return payload.toString('base64url') + tag.toString('base64url');
}

describe('cursors', () => {
  it('round-trip, look opaque, and fit the Cursor parameter', () => {
    const cursor = encodeCursor(RUNS, { after: ID }, scopeOf({ state: 'failed' }));
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor.length).toBeLessThanOrEqual(MAX_CURSOR_LENGTH);
    expect(decodeCursor(RUNS, cursor, scopeOf({ state: 'failed' }))).toEqual({ after: ID });
    expect(Buffer.from(cursor.slice(0, -43), 'base64url').toString('utf8')).toBe(JSON.stringify({ after: ID }));
  });

  it('refuse a flip of any bit of the payload or the tag', () => {
    const cursor = encodeCursor(SIZED, { page: 2, limit: 50 });
    const bytes = Buffer.from(cursor.slice(0, -43), 'base64url').length + 32;
    for (let i = 0; i < bytes; i++) {
      for (let bit = 0; bit < 8; bit++) expectBadCursor(() => decodeCursor(SIZED, flipBit(cursor, i, bit)), `byte ${i} bit ${bit}`);
    }
  });

  it('refuse truncation, extension and each class of character swapped in', () => {
    const cursor = encodeCursor(RUNS, { after: ID });
    for (let n = 1; n < cursor.length; n++) expectBadCursor(() => decodeCursor(RUNS, cursor.slice(0, n)), `first ${n}`);
    expectBadCursor(() => decodeCursor(RUNS, `${cursor}A`), 'one more character');
    expectBadCursor(() => decodeCursor(RUNS, `A${cursor}`), 'one character before');
    // A letter, a digit, '-' and '_' in the payload, in the tag, and characters outside base64url.
    for (const at of [0, 5, cursor.length - 10, cursor.length - 1]) {
      for (const c of ['A', 'z', '0', '9', '-', '_', '+', '/', '=', '.', ' ', '%']) {
        const swapped = cursor.slice(0, at) + c + cursor.slice(at + 1);
        if (swapped !== cursor) expectBadCursor(() => decodeCursor(RUNS, swapped), `${JSON.stringify(c)} at ${at}`);
      }
    }
  });

  it('refuse a non-canonical spelling of the same bytes', () => {
    const cursor = encodeCursor(RUNS, { after: ID });
    const tag = cursor.slice(-43);
    // The last character of a 32-byte tag carries 4 unused bits: Node decodes both spellings alike.
    const last = tag[42]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) + 1]!;
    const respelt = cursor.slice(0, -1) + sibling;
    expect(Buffer.from(respelt.slice(-43), 'base64url')).toEqual(Buffer.from(tag, 'base64url'));
    expectBadCursor(() => decodeCursor(RUNS, respelt), 'tag spelt differently');
  });

  it('refuse a cursor of another collection or other filters', () => {
    const other = cursorKind('test.other', { after: cursorId });
    expectBadCursor(() => decodeCursor(other, encodeCursor(RUNS, { after: ID })), 'other purpose');
    expectBadCursor(() => decodeCursor(RUNS, encodeCursor(RUNS, { after: ID }, scopeOf({ a: 1 })), scopeOf({ a: 2 })), 'other filters');
    expectBadCursor(() => decodeCursor(RUNS, encodeCursor(RUNS, { after: ID }, scopeOf({ a: 1 }))), 'filters dropped');
  });

  it('refuse a cursor signed with another key, and accept it again under its own', () => {
    const cursor = encodeCursor(RUNS, { after: ID });
    useCursorSigningKey('another-key-of-at-least-thirty-two-characters');
    try {
      expectBadCursor(() => decodeCursor(RUNS, cursor), 'wrong key');
      const underNewKey = encodeCursor(RUNS, { after: ID });
      expect(decodeCursor(RUNS, underNewKey)).toEqual({ after: ID });
      useCursorSigningKey('a-third-key-of-at-least-thirty-two-characters');
      expectBadCursor(() => decodeCursor(RUNS, underNewKey), 'rotated key');
    } finally {
      useCursorSigningKey('paging-test-key-of-at-least-thirty-two-chars');
    }
  });

  it('refuse oversize and empty cursors without decoding them', () => {
    expectBadCursor(() => decodeCursor(RUNS, 'A'.repeat(MAX_CURSOR_LENGTH + 1)), 'oversize');
    expectBadCursor(() => decodeCursor(RUNS, ''), 'empty');
    expect(() => encodeCursor(cursorKind('test.big', { note: z.string() }), { note: 'x'.repeat(MAX_CURSOR_LENGTH) })).toThrow(
      /longer than/,
    );
  });

  it('refuse a correctly signed position that breaks the limits or the shape (defence in depth)', () => {
    for (const payload of [
      { page: 2, limit: -1 },
      { page: 2, limit: 1_000_000 },
      { page: 2, limit: 0 },
      { page: 2, limit: 1.5 },
      { page: 2, limit: '50' },
      { page: 0, limit: 50 },
      { page: 2 },
      { page: 2, limit: 50, extra: true },
      [2, 50],
      null,
      'page 2',
    ]) {
      expectBadCursor(() => decodeCursor(SIZED, signedCursorOf(SIZED.purpose, payload)), JSON.stringify(payload));
    }
    expect(decodeCursor(SIZED, signedCursorOf(SIZED.purpose, { page: 2, limit: 200 }))).toEqual({ page: 2, limit: 200 });
    expectBadCursor(() => decodeCursor(SIZED, signedCursorOf(SIZED.purpose, { page: 2, limit: 201 })), 'one over the maximum');
    expectBadCursor(() => decodeCursor(RUNS, signedCursorOf(RUNS.purpose, { after: 'not-a-run-id' })), 'not an id');
    // JSON the encoder would not write (whitespace) is refused even with a valid tag.
    const spaced = Buffer.from('{ "after": "' + ID + '" }').toString('base64url');
    const resigned = signedCursorOf(RUNS.purpose, { after: ID });
    expectBadCursor(() => decodeCursor(RUNS, spaced + resigned.slice(-43)), 'non-canonical JSON');
  });

  it('never encode a position outside the kind', () => {
    expect(() => encodeCursor(SIZED, { page: 1, limit: 1_000_000 })).toThrow();
  });
});

describe('numbered pages', () => {
  const KIND = numberedCursorKind('test.numbered', { max: 50, default: 20 });

  it('start at page 1 at the asked size, and carry page and size on, bound to the filters', () => {
    const first = numberedPageOf(KIND, { limit: '10' }, { status: 'active' });
    expect(first).toMatchObject({ page: 1, limit: 10 });
    const next = nextNumberedCursor(first, true)!;
    expect(numberedPageOf(KIND, { cursor: next }, { status: 'active' })).toMatchObject({ page: 2, limit: 10 });
    expectBadCursor(() => numberedPageOf(KIND, { cursor: next }, { status: 'inactive' }), 'other filters');
    expect(nextNumberedCursor(first, false)).toBeNull();
    expectBadCursor(
      () => numberedPageOf(KIND, { cursor: signedCursorOf(KIND.purpose, { page: 2, limit: 51 }, scopeOf({})) }, {}),
      'over 50',
    );
  });
});

describe('pageLimit', () => {
  it('defaults, accepts 1 to the maximum, and refuses the rest with a 400 naming /limit', () => {
    expect(pageLimit(undefined)).toBe(50);
    expect(pageLimit(undefined, { max: 50, default: 20 })).toBe(20);
    expect(pageLimit('10')).toBe(10);
    expect(pageLimit(200)).toBe(200);
    for (const bad of [0, -1, 201, 1.5, 'ten', '1e3', 5000]) {
      expect(() => pageLimit(bad), String(bad)).toThrow(ProblemError);
      try {
        pageLimit(bad);
      } catch (err) {
        expect((err as ProblemError).errors).toEqual([{ pointer: '/limit', detail: 'must be 1–200' }]);
      }
    }
    expect(() => pageLimit(51, { max: 50, default: 20 })).toThrow(ProblemError);
  });
});
