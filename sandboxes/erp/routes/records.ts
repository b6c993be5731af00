// The record service, `/services/rest/record/v1/{type}`: list with limit/offset paging,
// get by internal id or `eid:<externalId>`, create (204 + Location), PATCH update (204),
// upsert by external id (PUT eid:… → 204 + Location) and delete. Invoices are approved by a PATCH
// of their approval status field: NetSuite has no approve or reject record action.
import type { NextFunction, Request, Response, Router } from 'express';
import { invalidField, notFound, NsFault, sendNsError } from '../errors.js';
import { findRecord, nextId, recordMap, RECORD_TYPES, timestamp, type ErpRecordType, type ErpState } from '../state.js';
import type { ErpEvents } from '../webhooks.js';
import { resolveRefs, RULES } from './record-types.js';
import type { NsLink } from '../vendor-types.js';

const BASE = '/services/rest/record/v1';
const MAX_LIMIT = 1000;
/** An external ID is letters, digits, underscores and hyphens (NetSuite "Using External IDs"). */
const EXTERNAL_ID = /^[A-Za-z0-9_-]{1,255}$/;
/** Fields NetSuite computes (unless the record type lets them be set); a write that carries them is not an error, they are just ignored. */
const READ_ONLY = new Set([
  'id',
  'links',
  'refName',
  'dateCreated',
  'lastModifiedDate',
  'tranId',
  'total',
  'subtotal',
  'amountRemaining',
  'amountPaid',
  'status',
  'applied',
  'unapplied',
]);

export interface RecordRouteDeps {
  state(): ErpState;
  baseUrl(): string;
  events: ErpEvents;
}

type Stored = Record<string, unknown> & { id: string };

function recordType(raw: string): ErpRecordType {
  const type = RECORD_TYPES.find((t) => t.toLowerCase() === raw.toLowerCase());
  if (!type) throw new NsFault(404, 'NONEXISTENT_ID', `Record type '${raw}' does not exist.`);
  return type;
}

function intParam(req: Request, name: string, fallback: number, min: number, max: number): number {
  const raw = req.query[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || value < min || value > max) {
    throw new NsFault(
      400,
      'USER_ERROR',
      `Invalid query parameter value '${String(raw)}' for '${name}'. Provide a value between ${min} and ${max}.`,
      { 'o:errorQueryParam': name },
    );
  }
  return value;
}

/** A record as a GET answers it: with links on the record and its references, sublists collapsed unless expanded. */
export function present(deps: RecordRouteDeps, type: ErpRecordType, record: Stored, expand: boolean): Record<string, unknown> {
  const base = deps.baseUrl();
  const self = `${base}${BASE}/${type}/${record.id}`;
  const out: Record<string, unknown> = { links: [{ rel: 'self', href: self }] };
  const rules = RULES[type];
  for (const [field, value] of Object.entries(structuredClone(record))) {
    if (rules.hidden?.includes(field) || value === undefined) continue;
    const refType = rules.refs[field];
    if (refType && value && typeof value === 'object') {
      out[field] = { links: [{ rel: 'self', href: `${base}${BASE}/${refType}/${(value as { id: string }).id}` }], ...value };
    } else if (rules.sublists?.includes(field) && !expand) {
      out[field] = { links: [{ rel: 'self', href: `${self}/${field}` }] };
    } else {
      out[field] = value;
    }
  }
  return out;
}

/**
 * The writable fields of a request body. An upsert that finds the record updates it and
 * ignores fields that cannot change after creation, so that sending it again is harmless.
 */
function checkBody(type: ErpRecordType, body: unknown, mode: 'create' | 'update' | 'upsert'): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new NsFault(400, 'INVALID_CONTENT', 'The request body must be a JSON object describing the record.');
  }
  const rules = RULES[type];
  if (!rules.writable)
    throw new NsFault(405, 'USER_ERROR', `Record type '${type}' is read-only through REST web services in this account.`);
  const allowed = new Set([...(mode === 'create' ? rules.fields : (rules.updatable ?? rules.fields)), 'externalId']);
  const clean: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body)) {
    if (READ_ONLY.has(field) && !rules.fields.includes(field)) continue;
    if (!allowed.has(field)) {
      if (mode === 'upsert' && rules.fields.includes(field)) continue;
      const detail = rules.fields.includes(field)
        ? `The field '${field}' cannot be changed on this record.`
        : `Invalid field '${field}' for record type '${type}'.`;
      throw invalidField(field, detail);
    }
    clean[field] = value;
  }
  if (clean.externalId !== undefined && (typeof clean.externalId !== 'string' || !EXTERNAL_ID.test(clean.externalId))) {
    throw invalidField('externalId');
  }
  return clean;
}

function createRecord(deps: RecordRouteDeps, type: ErpRecordType, body: Record<string, unknown>): Stored {
  const state = deps.state();
  const rules = RULES[type];
  for (const field of rules.required) {
    if (body[field] === undefined || body[field] === null || body[field] === '') {
      throw invalidField(field, `Please enter value(s) for: ${field}`);
    }
  }
  if (typeof body.externalId === 'string' && findRecord(state, type, `eid:${body.externalId}`)) {
    throw new NsFault(400, 'DUP_RCRD', `A record with external ID '${body.externalId}' already exists.`, { 'o:errorPath': 'externalId' });
  }
  resolveRefs(state, rules, body);
  const now = timestamp(state.now());
  const record: Stored = { ...body, id: nextId(state, type), dateCreated: now, lastModifiedDate: now };
  const pending: Array<[string, unknown]> = [];
  // Side effects (webhooks) wait until the record is stored, so a validation failure sends nothing.
  rules.create?.(state, record, { send: (t, p) => void pending.push([t, p]) });
  recordMap(state, type).set(record.id, record);
  for (const [t, p] of pending) deps.events.send(t, p);
  return record;
}

function updateRecord(deps: RecordRouteDeps, type: ErpRecordType, record: Stored, body: Record<string, unknown>): void {
  const state = deps.state();
  const rules = RULES[type];
  resolveRefs(state, rules, body);
  const draft: Stored = { ...structuredClone(record), ...body };
  const pending: Array<[string, unknown]> = [];
  // Stamped before the side effects, so that the webhooks carry the time SuiteQL will show.
  draft.lastModifiedDate = timestamp(state.now());
  rules.update?.(state, draft, body, { send: (t, p) => void pending.push([t, p]) });
  Object.assign(record, draft);
  for (const [t, p] of pending) deps.events.send(t, p);
}

export function recordRoutes(router: Router, deps: RecordRouteDeps): void {
  router.get(`${BASE}/:type`, (req, res) => {
    const type = recordType(req.params.type as string);
    const limit = intParam(req, 'limit', MAX_LIMIT, 1, MAX_LIMIT);
    const offset = intParam(req, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const all = [...recordMap(deps.state(), type).values()].sort((a, b) => Number(a.id) - Number(b.id));
    const page = all.slice(offset, offset + limit);
    const url = (o: number) => `${deps.baseUrl()}${BASE}/${type}?limit=${limit}&offset=${o}`;
    const links: NsLink[] = [{ rel: 'self', href: url(offset) }];
    if (offset > 0) links.push({ rel: 'previous', href: url(Math.max(0, offset - limit)) });
    if (offset + limit < all.length) links.push({ rel: 'next', href: url(offset + limit) });
    links.push({ rel: 'first', href: url(0) }, { rel: 'last', href: url(Math.max(0, Math.floor((all.length - 1) / limit) * limit)) });
    res.json({
      links,
      count: page.length,
      hasMore: offset + limit < all.length,
      items: page.map((r) => ({ links: [{ rel: 'self', href: `${deps.baseUrl()}${BASE}/${type}/${r.id}` }], id: r.id })),
      offset,
      totalResults: all.length,
    });
  });

  router.get(`${BASE}/:type/:id`, (req, res) => {
    const type = recordType(req.params.type as string);
    const record = findRecord(deps.state(), type, req.params.id as string);
    if (!record) throw notFound(type, req.params.id as string);
    res.json(present(deps, type, record as Stored, req.query.expandSubResources === 'true'));
  });

  router.post(`${BASE}/:type`, (req, res) => {
    const type = recordType(req.params.type as string);
    const record = createRecord(deps, type, checkBody(type, req.body, 'create'));
    res.status(204).location(`${deps.baseUrl()}${BASE}/${type}/${record.id}`).end();
  });

  router.patch(`${BASE}/:type/:id`, (req, res) => {
    const type = recordType(req.params.type as string);
    const body = checkBody(type, req.body, 'update');
    const record = findRecord(deps.state(), type, req.params.id as string);
    if (!record) throw notFound(type, req.params.id as string);
    updateRecord(deps, type, record as Stored, body);
    res.status(204).end();
  });

  router.put(`${BASE}/:type/:id`, (req, res) => {
    const type = recordType(req.params.type as string);
    const key = req.params.id as string;
    if (!key.startsWith('eid:') || key.length < 5) {
      throw new NsFault(400, 'USER_ERROR', 'Upsert needs an external ID in the URL: PUT /record/v1/{type}/eid:{externalId}.');
    }
    if (!EXTERNAL_ID.test(key.slice(4)))
      throw invalidField('externalId', 'An external ID holds only letters, numbers, underscores and hyphens.');
    const existing = findRecord(deps.state(), type, key);
    let id: string;
    if (existing) {
      const body = checkBody(type, req.body, 'upsert');
      delete body.externalId;
      updateRecord(deps, type, existing as Stored, body);
      id = existing.id;
    } else {
      const body = checkBody(type, req.body, 'create');
      id = createRecord(deps, type, { ...body, externalId: key.slice(4) }).id;
    }
    res.status(204).location(`${deps.baseUrl()}${BASE}/${type}/${id}`).end();
  });

  router.delete(`${BASE}/:type/:id`, (req, res) => {
    const type = recordType(req.params.type as string);
    const record = findRecord(deps.state(), type, req.params.id as string);
    if (!record) throw notFound(type, req.params.id as string);
    if (!RULES[type].writable) throw new NsFault(405, 'USER_ERROR', `Record type '${type}' cannot be deleted.`);
    RULES[type].remove?.(deps.state(), record as Stored);
    recordMap(deps.state(), type).delete(record.id);
    res.status(204).end();
  });
}

/** Writes NsFault (and anything unexpected) in NetSuite's error shape. */
export function nsErrorHandler(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(err);
  if (err instanceof NsFault) return sendNsError(res, err.status, err.code, err.message, err.extra);
  const parseError = err as { type?: string; status?: number };
  if (parseError?.type === 'entity.parse.failed') return sendNsError(res, 400, 'INVALID_CONTENT', 'The request body is not valid JSON.');
  if (parseError?.type === 'entity.too.large') return sendNsError(res, 413, 'INVALID_CONTENT', 'The request body is too large.');
  sendNsError(res, 500, 'UNEXPECTED_ERROR', 'An unexpected error occurred.');
}
