// Runs parsed SOQL over the org's records: filter (parent fields read through their
// relationship), sort, offset and limit. As in Salesforce, string comparisons are
// case-insensitive; a missing parent reads as null, so `Account.Name = null` matches it.
import type { SObjectName } from './ids.js';
import type { Condition, FieldRef, Literal, Where, SoqlQuery } from './soql-parser.js';
import type { StoredRecord } from './state.js';

export { parseSoql } from './soql-parser.js';
export type { FieldRef, SoqlQuery } from './soql-parser.js';

/** Finds a parent record (the account of an opportunity) by object and id. */
export type ParentLookup = (object: SObjectName, id: string) => StoredRecord | undefined;
const noParents: ParentLookup = () => undefined;

/** The parent record a relationship field leads to, if the reference is set and the parent exists. */
export function parentOf(record: StoredRecord, ref: FieldRef, lookup: ParentLookup): StoredRecord | undefined {
  if (!ref.parent) return undefined;
  const id = record[ref.field];
  return typeof id === 'string' ? lookup(ref.parent.object, id) : undefined;
}

export function valueOf(record: StoredRecord, ref: FieldRef, lookup: ParentLookup): unknown {
  if (!ref.parent) return record[ref.field];
  return parentOf(record, ref, lookup)?.[ref.parent.field] ?? null;
}

function comparable(value: unknown): number | string | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (typeof value === 'string') return value.toLowerCase();
  return value as number | boolean;
}

function likeToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(`^${body}$`, 'is');
}

function matches(raw: unknown, c: Condition): boolean {
  const actual = comparable(raw);
  if (c.op === 'IN' || c.op === 'NOT IN') {
    const found = (c.value as Literal[]).some((v) => comparable(v) === actual);
    return c.op === 'IN' ? found : !found;
  }
  const expected = comparable(c.value);
  switch (c.op) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case 'LIKE':
      return typeof raw === 'string' && typeof c.value === 'string' && likeToRegExp(c.value).test(raw);
    default: {
      if (actual === null || expected === null) return false;
      if (c.op === '<') return actual < expected;
      if (c.op === '>') return actual > expected;
      if (c.op === '<=') return actual <= expected;
      return actual >= expected;
    }
  }
}

function holds(record: StoredRecord, where: Where, lookup: ParentLookup): boolean {
  switch (where.kind) {
    case 'and':
      return where.items.every((w) => holds(record, w, lookup));
    case 'or':
      return where.items.some((w) => holds(record, w, lookup));
    case 'not':
      return !holds(record, where.item, lookup);
    default:
      return matches(valueOf(record, where.ref, lookup), where);
  }
}

/** Runs a parsed query over the records: filter, sort (Id as the last tie-breaker), offset, limit. */
export function runSoql(query: SoqlQuery, records: Iterable<StoredRecord>, lookup: ParentLookup = noParents): StoredRecord[] {
  const rows = [...records].filter((r) => !query.where || holds(r, query.where, lookup));
  rows.sort((a, b) => {
    for (const o of query.orderBy) {
      const x = comparable(valueOf(a, o.ref, lookup));
      const y = comparable(valueOf(b, o.ref, lookup));
      if (x === y) continue;
      if (x === null) return o.nullsLast ? 1 : -1;
      if (y === null) return o.nullsLast ? -1 : 1;
      return (x < y ? -1 : 1) * (o.desc ? -1 : 1);
    }
    return a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0;
  });
  const start = query.offset ?? 0;
  return rows.slice(start, query.limit === undefined ? undefined : start + query.limit);
}
