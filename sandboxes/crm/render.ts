// Records as the REST API shows them: `attributes {type, url}` first, then the fields; a
// parent's fields selected through a relationship nest under its name (`Account: {…}` or null).
import type { SObjectName } from './ids.js';
import { OBJECTS } from './schema.js';
import { parentOf, type FieldRef, type ParentLookup } from './soql.js';
import type { StoredRecord } from './state.js';

export function recordUrl(apiVersion: string, object: SObjectName, id: string): string {
  return `/services/data/${apiVersion}/sobjects/${object}/${id}`;
}

const attributes = (apiVersion: string, object: SObjectName, id: string) => ({ type: object, url: recordUrl(apiVersion, object, id) });

/** All fields (a GET) or the selected ones; absent fields read as null. */
export function renderRecord(apiVersion: string, object: SObjectName, record: StoredRecord, fields?: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: attributes(apiVersion, object, record.Id) };
  for (const name of fields ?? Object.keys(OBJECTS[object])) out[name] = record[name] ?? null;
  return out;
}

/** A query row: the selected fields, parents' fields nested under the relationship name. */
export function renderQueryRecord(
  apiVersion: string,
  object: SObjectName,
  record: StoredRecord,
  refs: FieldRef[],
  lookup: ParentLookup,
): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: attributes(apiVersion, object, record.Id) };
  for (const ref of refs) {
    if (!ref.parent) {
      out[ref.field] = record[ref.field] ?? null;
      continue;
    }
    const parent = parentOf(record, ref, lookup);
    const name = ref.parent.relationship;
    if (!parent) {
      out[name] = null;
      continue;
    }
    const nested = (out[name] ??= { attributes: attributes(apiVersion, ref.parent.object, parent.Id) }) as Record<string, unknown>;
    nested[ref.parent.field] = parent[ref.parent.field] ?? null;
  }
  return out;
}
