// sObject Collections (`/composite/sobjects`, API v42.0+): create (POST), update (PATCH) and
// delete (DELETE ?ids=) up to 200 records a call, upsert by external id (PATCH /{object}/{field},
// v46.0+) and retrieve by ids. Each record gets its own SaveResult; with allOrNone every change
// is rolled back when one record fails, and the others say ALL_OR_NONE_OPERATION_ROLLED_BACK.
import type { Request, Response, Router } from 'express';
import type { SandboxContext } from '../../kit/app.js';
import { sendError } from '../errors.js';
import { publishChanges } from '../events.js';
import { KEY_PREFIX, normaliseId, objectOfId, type SObjectName } from '../ids.js';
import {
  deleteRecord,
  findByExternalId,
  insertRecord,
  updateRecord,
  validateFields,
  SfRecordError,
  type Change,
  type SfErrorEntry,
} from '../records.js';
import { renderRecord } from '../render.js';
import { OBJECTS, fieldName, isObjectName } from '../schema.js';
import type { CrmState, StoredRecord } from '../state.js';
import { caller } from './guard.js';
import { objectOf } from './sobjects.js';

export const MAX_COLLECTION = 200;
const BASE = '/services/data/:version/composite/sobjects';

/** A collection's per-record error: `statusCode` where single-record answers say `errorCode`. */
interface CollectionError {
  statusCode: string;
  message: string;
  fields: string[];
}
interface SaveResult {
  id?: string;
  success: boolean;
  errors: CollectionError[];
  created?: boolean;
}

const ROLLED_BACK: CollectionError = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

const recordError = (errorCode: string, message: string, fields: string[] = []) => new SfRecordError(400, [{ errorCode, message, fields }]);
const toCollectionErrors = (entries: SfErrorEntry[]): CollectionError[] =>
  entries.map((e) => ({ statusCode: e.errorCode, message: e.message, fields: e.fields }));

function typeOf(record: Record<string, unknown>): SObjectName {
  const raw = (record.attributes as { type?: unknown } | undefined)?.type;
  const name = typeof raw === 'string' ? Object.keys(OBJECTS).find((o) => o.toLowerCase() === raw.toLowerCase()) : undefined;
  if (!name || !isObjectName(name)) {
    throw recordError(
      'INVALID_TYPE',
      typeof raw === 'string' ? `sObject type '${raw}' is not supported.` : 'No SObject Type defined in record',
    );
  }
  return name;
}

function fieldsOf(record: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...record };
  delete rest.attributes;
  delete rest.id;
  return rest;
}

/** The body `{ allOrNone?, records: [...] }`, or a 400 answer and undefined. */
function collectionBody(req: Request, res: Response): { allOrNone: boolean; records: Record<string, unknown>[] } | undefined {
  const body = req.body as { allOrNone?: unknown; records?: unknown } | undefined;
  if (
    !body ||
    typeof body !== 'object' ||
    !Array.isArray(body.records) ||
    (body.allOrNone !== undefined && typeof body.allOrNone !== 'boolean')
  ) {
    sendError(res, 400, 'JSON_PARSER_ERROR', 'The request body must be {"allOrNone": boolean, "records": [...]}');
    return undefined;
  }
  if (body.records.length > MAX_COLLECTION) {
    sendError(res, 400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_COLLECTION} records into this call`);
    return undefined;
  }
  const records = body.records as unknown[];
  if (!records.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r))) {
    sendError(res, 400, 'JSON_PARSER_ERROR', 'Each record must be a JSON object');
    return undefined;
  }
  return { allOrNone: body.allOrNone === true, records: records as Record<string, unknown>[] };
}

/** The org's records as they were, so that an all-or-none call can be undone. */
function snapshot(state: CrmState): Record<SObjectName, Map<string, StoredRecord>> {
  const copy = {} as Record<SObjectName, Map<string, StoredRecord>>;
  for (const object of Object.keys(state.records) as SObjectName[]) {
    copy[object] = new Map([...state.records[object]].map(([id, r]) => [id, { ...r }]));
  }
  return copy;
}

export function compositeRoutes(router: Router, ctx: SandboxContext<CrmState>): void {
  /**
   * Applies each record's operation in order. A failure is that record's result; with
   * allOrNone any failure restores the records as they were and publishes nothing.
   */
  function apply(res: Response, allOrNone: boolean, operations: Array<(state: CrmState) => { change: Change; created?: boolean }>): void {
    const state = ctx.state();
    const before = allOrNone ? snapshot(state) : undefined;
    const changes: Array<Change | undefined> = [];
    const results: SaveResult[] = operations.map((op) => {
      try {
        const { change, created } = op(state);
        changes.push(change);
        return { id: change.id, success: true, errors: [], ...(created === undefined ? {} : { created }) };
      } catch (err) {
        if (!(err instanceof SfRecordError)) throw err;
        changes.push(undefined);
        const id = (err as SfRecordError & { recordId?: string }).recordId;
        return { ...(id ? { id } : {}), success: false, errors: toCollectionErrors(err.entries) };
      }
    });
    if (before && results.some((r) => !r.success)) {
      state.records = before;
      // A rolled-back create never had an id; an update or delete keeps the id it named.
      const rolledBack = (r: SaveResult, change?: Change): SaveResult =>
        change?.type === 'CREATE' ? { success: false, errors: [ROLLED_BACK] } : { id: r.id, success: false, errors: [ROLLED_BACK] };
      return void res.json(results.map((r, i) => (r.success ? rolledBack(r, changes[i]) : r)));
    }
    publishChanges(
      ctx,
      changes.filter((c): c is Change => !!c),
      { apiVersion: caller(res).apiVersion, clientId: caller(res).clientId },
    );
    res.json(results);
  }

  /** Collections exist from API v42.0 (upsert from v46.0); older versions have no such resource. */
  const supported = (res: Response, minimum: number) => {
    if (caller(res).versionNumber >= minimum) return true;
    sendError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
    return false;
  };

  const existing = (state: CrmState, raw: unknown): { object: SObjectName; id: string } => {
    const id = typeof raw === 'string' ? normaliseId(raw) : undefined;
    const object = id ? objectOfId(id) : undefined;
    if (!id || !object) throw recordError('MALFORMED_ID', `malformed id ${String(raw)}`);
    if (!state.records[object].has(id)) throw withId(recordError('ENTITY_IS_DELETED', 'entity is deleted'), id);
    return { object, id };
  };
  const withId = (err: SfRecordError, id: string) => Object.assign(err, { recordId: id });

  type Outcome = { change: Change; created?: boolean };
  /** A records-in-the-body call: the version it needs, the body checked, then each record's operation. */
  const eachRecord = (
    req: Request,
    res: Response,
    minimum: number,
    operation: (record: Record<string, unknown>, state: CrmState) => Outcome,
  ) => {
    if (!supported(res, minimum)) return;
    const body = collectionBody(req, res);
    if (!body) return;
    apply(
      res,
      body.allOrNone,
      body.records.map((record) => (state: CrmState) => operation(record, state)),
    );
  };

  router.post(BASE, (req, res) =>
    eachRecord(req, res, 42, (record, state) => {
      const object = typeOf(record);
      if (record.id !== undefined || record.Id !== undefined)
        throw recordError('INVALID_FIELD', 'cannot specify Id in an insert call', ['Id']);
      return { change: insertRecord(state, object, validateFields(state, object, fieldsOf(record)), Date.now()) };
    }),
  );

  router.patch(BASE, (req, res) =>
    eachRecord(req, res, 42, (record, state) => {
      const declared = typeOf(record);
      const raw = record.id ?? record.Id;
      if (raw === undefined) throw recordError('MISSING_ARGUMENT', 'Id not specified in an update call', []);
      const { object, id } = existing(state, raw);
      if (object !== declared)
        throw withId(recordError('INVALID_ID_FIELD', `${declared} ID: id value of incorrect type: ${id}`, ['Id']), id);
      const fields = fieldsOf(record);
      delete fields.Id;
      try {
        return { change: updateRecord(state, object, id, validateFields(state, object, fields), Date.now()) };
      } catch (err) {
        throw err instanceof SfRecordError ? withId(err, id) : err;
      }
    }),
  );

  router.delete(BASE, (req, res) => {
    if (!supported(res, 42)) return;
    const raw = typeof req.query.ids === 'string' ? req.query.ids : '';
    const ids = raw.split(',').filter(Boolean);
    if (ids.length === 0) return sendError(res, 400, 'MISSING_ARGUMENT', 'ids parameter is required');
    if (ids.length > MAX_COLLECTION) {
      return sendError(
        res,
        400,
        'EXCEEDED_ID_LIMIT',
        `record limit reached. cannot submit more than ${MAX_COLLECTION} records into this call`,
      );
    }
    apply(
      res,
      req.query.allOrNone === 'true',
      ids.map((rawId) => (state) => {
        const { object, id } = existing(state, rawId);
        return { change: deleteRecord(state, object, id) };
      }),
    );
  });

  router.patch(`${BASE}/:object/:field`, (req, res) => {
    const object = objectOf(req, res);
    if (!object) return;
    const field = fieldName(object, String(req.params.field));
    if (!field || !OBJECTS[object][field].externalId) {
      return sendError(
        res,
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${String(req.params.field)}`,
      );
    }
    eachRecord(req, res, 46, (record, state) => {
      if (typeOf(record) !== object) throw recordError('INVALID_TYPE', `All records must be of type ${object}`);
      const value = record[field];
      if (typeof value !== 'string' || !value)
        throw recordError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${field}]`, [field]);
      const fields = validateFields(state, object, fieldsOf(record));
      const found = findByExternalId(state, object, field, value);
      if (found.length > 1)
        throw recordError('DUPLICATE_EXTERNAL_ID', `${field}: more than one record found for external id field`, [field]);
      if (found.length === 0) return { change: insertRecord(state, object, fields, Date.now()), created: true };
      return { change: updateRecord(state, object, found[0].Id, fields, Date.now()), created: false };
    });
  });

  /** Retrieve: GET ?ids=&fields= or POST {ids, fields}; a missing record reads as null. */
  const retrieve = (req: Request, res: Response, rawIds: unknown, rawFields: unknown) => {
    const object = objectOf(req, res);
    if (!object) return;
    const list = (v: unknown) => (typeof v === 'string' ? v.split(',').filter(Boolean) : Array.isArray(v) ? v.map(String) : []);
    const ids = list(rawIds);
    const names = list(rawFields);
    if (ids.length === 0 || names.length === 0) return sendError(res, 400, 'MISSING_ARGUMENT', 'ids and fields are required');
    if (ids.length > 2000)
      return sendError(res, 400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 2000 records into this call');
    const fields = names.map((n) => fieldName(object, n.trim()));
    const unknown = names.find((_, i) => !fields[i]);
    if (unknown) return sendError(res, 400, 'INVALID_FIELD', `No such column '${unknown}' on sobject of type ${object}`);
    const state = ctx.state();
    const rows = ids.map((raw) => {
      const id = normaliseId(raw);
      const record = id && id.startsWith(KEY_PREFIX[object]) ? state.records[object].get(id) : undefined;
      return record ? renderRecord(caller(res).apiVersion, object, record, fields as string[]) : null;
    });
    res.json(rows);
  };
  router.get(`${BASE}/:object`, (req, res) => {
    if (supported(res, 42)) retrieve(req, res, req.query.ids, req.query.fields);
  });
  router.post(`${BASE}/:object`, (req, res) => {
    if (!supported(res, 42)) return;
    const body = (req.body ?? {}) as { ids?: unknown; fields?: unknown };
    retrieve(req, res, body.ids, body.fields);
  });
}
