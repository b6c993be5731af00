// Conventions every migration and query follows so that one piece of code runs on both
// engines. Timestamps: epoch milliseconds (UTC) in `bigint` columns, read as JS numbers
// (int8 is parsed as a number in index.ts); APIs turn them into RFC 3339 with toIso().
// JSON: `text` columns on both engines, written with toJson() and read with fromJson(),
// so that both engines hand back the same JS type. Booleans: `integer` 0/1.
import type { ColumnDataType } from 'kysely';

/** Column type for instants: epoch milliseconds, UTC. */
export const TIMESTAMP_MS: ColumnDataType = 'bigint';
/** Column type for JSON documents: text on both engines (see module comment). */
export const JSON_TEXT: ColumnDataType = 'text';
/** Column type for canonical ids (UUIDv7, 36 characters). */
export const ID: ColumnDataType = 'varchar(36)';

export function nowMs(): number {
  return Date.now();
}

export function toIso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function fromJson<T = unknown>(text: string | null | undefined): T | null {
  if (text === null || text === undefined) return null;
  return JSON.parse(text) as T;
}

/** True when a driver error is a unique or primary-key violation, on either engine. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  // PostgreSQL: SQLSTATE 23505; better-sqlite3: extended result codes.
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
