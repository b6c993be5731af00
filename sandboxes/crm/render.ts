// Records as the REST API shows them: `attributes {type, url}` first, then the fields.
import type { SObjectName } from './ids.js';
import { OBJECTS } from './schema.js';
import type { StoredRecord } from './state.js';

export function recordUrl(apiVersion: string, object: SObjectName, id: string): string {
  return `/services/data/${apiVersion}/sobjects/${object}/${id}`;
}

/** All fields (a GET) or the selected ones (a query); absent fields read as null. */
export function renderRecord(apiVersion: string, object: SObjectName, record: StoredRecord, fields?: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: { type: object, url: recordUrl(apiVersion, object, record.Id) } };
  for (const name of fields ?? Object.keys(OBJECTS[object])) out[name] = record[name] ?? null;
  return out;
}
