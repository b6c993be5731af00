// sObject rows: create (POST), read, update (PATCH → 204), delete (→ 204), and read or
// upsert by an external-id field (PATCH → 201 created; 200 with body from API v46.0 on,
// 204 before, when it updated).
import type { Request, Response, Router } from 'express';
import type { SandboxContext } from '../../kit/app.js';
import { normaliseId, KEY_PREFIX, type SObjectName } from '../ids.js';
import { answer, sendError } from '../errors.js';
import { publishChanges } from '../events.js';
import { deleteRecord, findByExternalId, insertRecord, updateRecord, validateFields, SfRecordError } from '../records.js';
import { renderRecord } from '../render.js';
import { OBJECTS, fieldName, isObjectName } from '../schema.js';
import type { CrmState, StoredRecord } from '../state.js';
import { caller } from './guard.js';

const BASE = '/services/data/:version/sobjects/:object';

/** The object a path names (case-insensitive), or a 404 answer and undefined. */
export function objectOf(req: Request, res: Response): SObjectName | undefined {
  const raw = String(req.params.object);
  const name = Object.keys(OBJECTS).find((o) => o.toLowerCase() === raw.toLowerCase());
  if (!name || !isObjectName(name)) {
    sendError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
    return undefined;
  }
  return name;
}

function findById(state: CrmState, object: SObjectName, raw: string): StoredRecord {
  const id = normaliseId(raw);
  if (!id || !id.startsWith(KEY_PREFIX[object])) {
    throw new SfRecordError(400, [{ message: `Invalid id: ${raw}`, errorCode: 'MALFORMED_ID', fields: ['Id'] }]);
  }
  const record = state.records[object].get(id);
  if (!record) throw new SfRecordError(404, [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND', fields: [] }]);
  return record;
}

/** `?fields=a,b`: those fields, and Id, which a record always carries. */
function selectedFields(object: SObjectName, query: unknown): string[] | undefined {
  if (typeof query !== 'string' || !query) return undefined;
  const names = query.split(',').map((raw) => {
    const name = fieldName(object, raw.trim());
    if (!name)
      throw new SfRecordError(400, [
        { message: `No such column '${raw.trim()}' on sobject of type ${object}`, errorCode: 'INVALID_FIELD', fields: [] },
      ]);
    return name;
  });
  return names.includes('Id') ? names : ['Id', ...names];
}

export function sobjectRoutes(router: Router, ctx: SandboxContext<CrmState>): void {
  const publish = (res: Response, changes: Parameters<typeof publishChanges>[1]) =>
    publishChanges(ctx, changes, { apiVersion: caller(res).apiVersion, clientId: caller(res).clientId });

  router.post(BASE, (req, res) => {
    const object = objectOf(req, res);
    if (!object) return;
    answer(res, () => {
      const state = ctx.state();
      const change = insertRecord(state, object, validateFields(state, object, req.body), Date.now());
      publish(res, [change]);
      res.status(201).json({ id: change.id, success: true, errors: [] });
    });
  });

  router.get(`${BASE}/:id`, (req, res) => {
    const object = objectOf(req, res);
    if (!object) return;
    answer(res, () => {
      const record = findById(ctx.state(), object, String(req.params.id));
      res.json(renderRecord(caller(res).apiVersion, object, record, selectedFields(object, req.query.fields)));
    });
  });

  router.patch(`${BASE}/:id`, (req, res) => {
    const object = objectOf(req, res);
    if (!object) return;
    answer(res, () => {
      const state = ctx.state();
      const record = findById(state, object, String(req.params.id));
      const change = updateRecord(state, object, record.Id, validateFields(state, object, req.body), Date.now());
      publish(res, [change]);
      res.status(204).end();
    });
  });

  router.delete(`${BASE}/:id`, (req, res) => {
    const object = objectOf(req, res);
    if (!object) return;
    answer(res, () => {
      const state = ctx.state();
      const record = findById(state, object, String(req.params.id));
      publish(res, [deleteRecord(state, object, record.Id)]);
      res.status(204).end();
    });
  });

  const externalField = (object: SObjectName, raw: string): string => {
    const name = fieldName(object, raw);
    if (!name || !OBJECTS[object][name].externalId) {
      throw new SfRecordError(404, [
        { message: `Provided external ID field does not exist or is not accessible: ${raw}`, errorCode: 'NOT_FOUND', fields: [] },
      ]);
    }
    return name;
  };

  router.get(`${BASE}/:field/:value`, (req, res) => {
    const object = objectOf(req, res);
    if (!object) return;
    answer(res, () => {
      const field = externalField(object, String(req.params.field));
      const found = findByExternalId(ctx.state(), object, field, String(req.params.value));
      if (found.length === 0) return sendError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
      if (found.length > 1)
        return void res.status(300).json(found.map((r) => renderRecord(caller(res).apiVersion, object, r, []).attributes));
      res.json(renderRecord(caller(res).apiVersion, object, found[0], selectedFields(object, req.query.fields)));
    });
  });

  router.patch(`${BASE}/:field/:value`, (req, res) => {
    const object = objectOf(req, res);
    if (!object) return;
    answer(res, () => {
      const state = ctx.state();
      const field = externalField(object, String(req.params.field));
      const value = String(req.params.value);
      const fields = validateFields(state, object, req.body);
      if (field in fields && fields[field] !== value) {
        throw new SfRecordError(400, [
          {
            message: `The external ID value in the URL doesn't match the value in the request body: ${field}`,
            errorCode: 'INVALID_FIELD',
            fields: [field],
          },
        ]);
      }
      const found = findByExternalId(state, object, field, value);
      if (found.length > 1)
        return void res.status(300).json(found.map((r) => renderRecord(caller(res).apiVersion, object, r, []).attributes));
      if (found.length === 0) {
        if (req.query.updateOnly === 'true') return sendError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
        const change = insertRecord(state, object, { ...fields, [field]: value }, Date.now());
        publish(res, [change]);
        return void res.status(201).json({ id: change.id, success: true, errors: [], created: true });
      }
      const change = updateRecord(state, object, found[0].Id, fields, Date.now());
      publish(res, [change]);
      if (caller(res).versionNumber >= 46) return void res.status(200).json({ id: change.id, success: true, errors: [], created: false });
      res.status(204).end();
    });
  });
}
