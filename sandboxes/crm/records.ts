// Record writes as the org applies them: field validation against the metadata, derived
// fields (IsClosed, IsWon, Probability), timestamps and new ids. Returns what changed, so
// the routes can publish change events.
import { KEY_PREFIX, normaliseId, recordId, type SObjectName } from './ids.js';
import { OBJECTS, STAGE_RULES, fieldName, type FieldSpec } from './schema.js';
import type { CrmState, StoredRecord } from './state.js';

/** A Salesforce error entry; routes answer with an array of them. */
export interface SfErrorEntry {
  message: string;
  errorCode: string;
  fields: string[];
}

export class SfRecordError extends Error {
  constructor(
    readonly status: number,
    readonly entries: SfErrorEntry[],
  ) {
    super(entries[0]?.message ?? 'error');
  }
}

const fail = (status: number, errorCode: string, message: string, fields: string[] = []) =>
  new SfRecordError(status, [{ message, errorCode, fields }]);

/**
 * Salesforce datetime form, always UTC. Record stamps are kept to the whole second (the API
 * shows `.000`), so many changes share one SystemModstamp and a watermark needs the Id as well.
 */
export function sfNow(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('Z', '+0000');
}

function checkValue(state: CrmState, object: SObjectName, field: string, spec: FieldSpec, value: unknown): unknown {
  if (value === null) return null;
  const bad = (expected: string) =>
    fail(
      400,
      'JSON_PARSER_ERROR',
      `Cannot deserialize instance of ${expected} from ${typeof value} value ${JSON.stringify(value)} for field ${field}`,
      [field],
    );
  switch (spec.type) {
    case 'currency':
    case 'percent': {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(spec.type);
      // Currency(16, 2): the org rounds to the field's scale, as Salesforce does.
      return spec.type === 'currency' ? Math.round(value * 100) / 100 : value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw bad('boolean');
      return value;
    case 'date':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw bad('date');
      return value;
    case 'reference': {
      if (typeof value !== 'string') throw bad('reference');
      const id = normaliseId(value);
      if (!id || !spec.references || !id.startsWith(KEY_PREFIX[spec.references])) {
        throw fail(400, 'MALFORMED_ID', `${spec.references} ID: id value of incorrect type: ${value}`, [field]);
      }
      if (!state.records[spec.references].has(id)) {
        throw fail(400, 'INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [field]);
      }
      return id;
    }
    case 'picklist':
      if (typeof value !== 'string') throw bad('picklist');
      if (spec.picklist && !spec.picklist.includes(value)) {
        throw fail(
          400,
          'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          `${object === 'Opportunity' && field === 'StageName' ? 'Stage' : field}: bad value for restricted picklist field: ${value}`,
          [field],
        );
      }
      return value;
    default:
      if (typeof value !== 'string') throw bad('string');
      if (spec.maxLength !== undefined && value.length > spec.maxLength) {
        throw fail(400, 'STRING_TOO_LONG', `${field}: data value too large: ${value.slice(0, 40)} (max length=${spec.maxLength})`, [field]);
      }
      return value;
  }
}

/** Validates a request body's fields; unknown and read-only fields are refused like the real API. */
export function validateFields(state: CrmState, object: SObjectName, body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw fail(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object of field values');
  }
  const out: Record<string, unknown> = {};
  const readOnly: string[] = [];
  for (const [raw, value] of Object.entries(body as Record<string, unknown>)) {
    if (raw === 'attributes') continue;
    const name = fieldName(object, raw);
    if (!name) throw fail(400, 'INVALID_FIELD', `No such column '${raw}' on sobject of type ${object}`, [raw]);
    const spec = OBJECTS[object][name];
    if (!spec.writable) {
      readOnly.push(name);
      continue;
    }
    out[name] = checkValue(state, object, name, spec, value);
  }
  if (readOnly.length) {
    throw fail(
      400,
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      readOnly,
    );
  }
  return out;
}

function derive(object: SObjectName, record: StoredRecord, changed: Record<string, unknown>): void {
  if (object === 'Contact') record.Name = [record.FirstName, record.LastName].filter(Boolean).join(' ');
  if (object !== 'Opportunity') return;
  const rule = STAGE_RULES[String(record.StageName)];
  if (!rule) return;
  record.IsClosed = rule.closed;
  record.IsWon = rule.won;
  // A stage change resets the probability to the stage default unless the caller set one.
  if ('StageName' in changed && !('Probability' in changed)) record.Probability = rule.probability;
}

function requireFields(object: SObjectName, record: Record<string, unknown>): void {
  const missing = Object.entries(OBJECTS[object])
    .filter(([name, spec]) => spec.required && (record[name] === undefined || record[name] === null || record[name] === ''))
    .map(([name]) => name);
  if (missing.length) throw fail(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
}

export interface Change {
  object: SObjectName;
  id: string;
  type: 'CREATE' | 'UPDATE' | 'DELETE';
  changedFields: string[];
  record?: StoredRecord;
}

export function insertRecord(state: CrmState, object: SObjectName, fields: Record<string, unknown>, nowMs: number): Change {
  requireFields(object, fields);
  const id = recordId(object, state.nextNumber[object]++);
  const at = sfNow(nowMs);
  const record: StoredRecord = { Id: id, IsDeleted: false, ...fields, CreatedDate: at, LastModifiedDate: at, SystemModstamp: at };
  if (object !== 'Contact' && record.CurrencyIsoCode === undefined) record.CurrencyIsoCode = 'EUR';
  derive(object, record, fields);
  state.records[object].set(id, record);
  return { object, id, type: 'CREATE', changedFields: Object.keys(record).filter((k) => record[k] !== null && k !== 'Id'), record };
}

export function updateRecord(state: CrmState, object: SObjectName, id: string, fields: Record<string, unknown>, nowMs: number): Change {
  const record = state.records[object].get(id);
  if (!record) throw fail(404, 'NOT_FOUND', 'The requested resource does not exist');
  const before = { ...record };
  const merged = { ...record, ...fields };
  requireFields(object, merged);
  Object.assign(record, fields);
  derive(object, record, fields);
  const changed = Object.keys(record).filter((k) => JSON.stringify(record[k]) !== JSON.stringify(before[k]));
  if (changed.length) {
    const at = sfNow(nowMs);
    record.LastModifiedDate = at;
    record.SystemModstamp = at;
    changed.push('LastModifiedDate');
  }
  return { object, id, type: 'UPDATE', changedFields: changed, record };
}

export function deleteRecord(state: CrmState, object: SObjectName, id: string): Change {
  if (!state.records[object].delete(id)) throw fail(404, 'ENTITY_IS_DELETED', 'entity is deleted');
  if (object === 'Account') {
    // Deleting an account deletes its contacts and opportunities with it.
    for (const child of ['Contact', 'Opportunity'] as const) {
      for (const [childId, rec] of state.records[child]) if (rec.AccountId === id) state.records[child].delete(childId);
    }
  }
  return { object, id, type: 'DELETE', changedFields: [] };
}

/** Finds records by an external-id field's value (exact match, as for a unique external id). */
export function findByExternalId(state: CrmState, object: SObjectName, field: string, value: string): StoredRecord[] {
  return [...state.records[object].values()].filter((r) => r[field] === value);
}
