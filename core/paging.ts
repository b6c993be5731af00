// Paging for every layer: one page type, one page-size rule, and one cursor codec. A cursor is a
// base64url JSON position plus an HMAC-SHA256 tag over it, its collection and its filters, so a
// client can only echo back what the layer issued; the position is validated again after the tag.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ProblemError } from './problems.js';

/** One page of a collection, as every contract's `…Page` schema shapes it. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A collection's page sizes: the contract's `limit` `maximum` and `default`. */
export interface PageSize {
  max: number;
  default: number;
}

/** The shared `Limit` parameter (openapi/components/parameters.yaml#/Limit); a collection with other sizes declares its own beside its route. */
export const PAGE_SIZE: PageSize = { max: 200, default: 50 };

/** The shared `Cursor` parameter's `maxLength`. */
export const MAX_CURSOR_LENGTH = 512;

/**
 * The page size a request asks for, by the contract's rule: absent → the default; otherwise an
 * integer from 1 to the maximum, or a 400 (the same answer the gateway's validation gives).
 */
export function pageLimit(limit: unknown, size: PageSize = PAGE_SIZE): number {
  if (limit === undefined || limit === null || limit === '') return size.default;
  const n = typeof limit === 'number' ? limit : typeof limit === 'string' && /^\d+$/.test(limit) ? Number(limit) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > size.max) {
    throw new ProblemError('bad-request', {
      detail: `limit must be an integer from 1 to ${size.max}.`,
      errors: [{ pointer: '/limit', detail: `must be 1–${size.max}` }],
    });
  }
  return n;
}

/** A page size as a cursor may carry it: checked against the collection's maximum after decoding. */
export const cursorLimit = (size: PageSize = PAGE_SIZE) => z.number().int().min(1).max(size.max);

/** A canonical record id (a UUID, lowercase) as a keyset cursor carries it. */
export const cursorId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

/** A kind of cursor: the collection it belongs to (bound into the tag) and the exact shape of its position. */
export interface CursorKind<T> {
  purpose: string;
  schema: z.ZodType<T>;
}

/** Declares a cursor kind; the position must have exactly these fields (unknown ones are refused). */
export function cursorKind<S extends z.ZodRawShape>(purpose: string, shape: S): CursorKind<z.output<z.ZodObject<S, z.core.$strict>>> {
  return { purpose, schema: z.strictObject(shape) };
}

// The signing key is process-wide configuration, like the clock: every replica must share it, so it
// is installed once at start-up from CURSOR_SIGNING_KEY (compose()). Threading a codec through every
// service would add a parameter everywhere without isolating anything. Unset (development and
// tests only; production refuses to start) it is random per process, so cursors do not survive a
// restart and are not accepted by another replica.
let signingKey: Buffer = randomBytes(32);

/** Installs the configured key; `undefined` keeps this process's random one. */
export function useCursorSigningKey(key: string | undefined): void {
  if (key !== undefined) signingKey = Buffer.from(key, 'utf8');
}

const TAG_LENGTH = 43; // 32 bytes of HMAC-SHA256 in unpadded base64url
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function tagOf(purpose: string, scope: string, payload: string): Buffer {
  return createHmac('sha256', signingKey).update(`cursor.v1\0${purpose}\0${scope}\0${payload}`).digest();
}

/** The one answer to a cursor the layer did not issue for this collection and these filters. */
export function badCursor(): ProblemError {
  return new ProblemError('bad-request', {
    detail: 'The cursor is not valid here; send the nextCursor of the previous page unchanged, with the same filters.',
    errors: [{ pointer: '/cursor', detail: 'invalid cursor' }],
  });
}

/**
 * The cursor for `position` in the collection `kind`. `scope` (the filters, the caller's client)
 * is bound into the tag, not carried: a cursor used with other filters is refused.
 */
export function encodeCursor<T>(kind: CursorKind<T>, position: T, scope = ''): string {
  const cursor = signedCursorOf(kind.purpose, kind.schema.parse(position), scope);
  if (cursor.length > MAX_CURSOR_LENGTH) throw new Error(`cursor of ${kind.purpose} longer than ${MAX_CURSOR_LENGTH}`);
  return cursor;
}

/**
 * Signs any payload, unchecked, as encodeCursor would. Only for tests of the defence in depth: a
 * correctly signed cursor whose position breaks the collection's limits must still be refused.
 */
export function signedCursorOf(purpose: string, payload: unknown, scope = ''): string {
  const text = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return text + tagOf(purpose, scope, text).toString('base64url');
}

const canonical = (text: string) => Buffer.from(text, 'base64url').toString('base64url') === text;

/** Decodes a cursor made by encodeCursor for the same kind and scope; anything else is badCursor(). */
export function decodeCursor<T>(kind: CursorKind<T>, cursor: string, scope = ''): T {
  if (typeof cursor !== 'string' || cursor.length <= TAG_LENGTH || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) {
    throw badCursor();
  }
  const payload = cursor.slice(0, -TAG_LENGTH);
  const tag = cursor.slice(-TAG_LENGTH);
  // Node's decoder ignores stray trailing bits; only the one spelling encodeCursor produces is accepted.
  if (!canonical(payload) || !canonical(tag)) throw badCursor();
  if (!timingSafeEqual(Buffer.from(tag, 'base64url'), tagOf(kind.purpose, scope, payload))) throw badCursor();
  let text: string;
  let value: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(payload, 'base64url'));
    value = JSON.parse(text);
  } catch {
    throw badCursor();
  }
  if (JSON.stringify(value) !== text) throw badCursor();
  // Defence in depth: even a correctly signed position must fit the collection's limits.
  const parsed = kind.schema.safeParse(value);
  if (!parsed.success) throw badCursor();
  return parsed.data;
}

/** decodeCursor for an optional query parameter: absent or empty → undefined (the first page). */
export function decodeOptionalCursor<T>(kind: CursorKind<T>, cursor: string | undefined, scope = ''): T | undefined {
  return cursor === undefined || cursor === '' ? undefined : decodeCursor(kind, cursor, scope);
}

/** A stable scope string for a set of filters (undefined ones left out, keys sorted). */
export function scopeOf(filters: object): string {
  return JSON.stringify(
    Object.entries(filters as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/** For platforms that page by number at a fixed size (Harvest, Float): the cursor carries both. */
export interface NumberedCursorKind extends CursorKind<{ page: number; limit: number }> {
  size: PageSize;
}

export function numberedCursorKind(purpose: string, size: PageSize = PAGE_SIZE): NumberedCursorKind {
  return { ...cursorKind(purpose, { page: z.number().int().min(1).max(1_000_000), limit: cursorLimit(size) }), size };
}

/** Where a numbered page starts: page 1 at the asked size, or the decoded cursor (same filters only). */
export interface NumberedPage {
  kind: NumberedCursorKind;
  scope: string;
  page: number;
  limit: number;
}

export function numberedPageOf(kind: NumberedCursorKind, query: { cursor?: string; limit?: unknown }, filters: object): NumberedPage {
  const scope = scopeOf(filters);
  const first = pageLimit(query.limit, kind.size);
  const at = decodeOptionalCursor(kind, query.cursor, scope);
  return { kind, scope, ...(at ?? { page: 1, limit: first }) };
}

/** The cursor of the page after `at`, or null on the last page. */
export function nextNumberedCursor(at: NumberedPage, hasNext: boolean): string | null {
  return hasNext ? encodeCursor(at.kind, { page: at.page + 1, limit: at.limit }, at.scope) : null;
}
