// `POST /services/rest/query/v1/suiteql` with `Prefer: transient` and `{ q }`: the
// SuiteQL subset over the sandbox's records, paged by limit/offset like the record list.
// Values come back as strings, booleans as 'T'/'F', references as internal ids, empty
// values omitted, as SuiteQL answers them. Dates are ISO (`YYYY-MM-DD`, timestamps to the second)
// here, whereas a real account formats them by user preference: TO_CHAR and TO_TIMESTAMP, which
// the subset takes in one format, read and compare them alike on both (suiteql.ts).
import type { Router } from 'express';
import { NsFault } from '../errors.js';
import type { ErpState } from '../state.js';
import { parseSuiteQl, runSuiteQl, SuiteQlError, type Row } from '../suiteql.js';

const MAX_LIMIT = 1000;
const bool = (v: unknown) => (v ? 'T' : 'F');
const str = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : String(v));
const refId = (v: unknown) => (v && typeof v === 'object' ? str((v as { id?: unknown }).id) : undefined);

interface TableDef {
  columns: ReadonlySet<string>;
  rows(state: ErpState): Row[];
}

function table(columns: string[], rows: (state: ErpState) => Row[]): TableDef {
  return { columns: new Set(columns), rows };
}

const TABLES: Record<string, TableDef> = {
  customer: table(
    [
      'id',
      'entityid',
      'companyname',
      'email',
      'url',
      'vatregnumber',
      'subsidiary',
      'currency',
      'isinactive',
      'externalid',
      'datecreated',
      'lastmodifieddate',
      'custentity_canonical_id',
    ],
    (s) =>
      [...s.records.customer.values()].map((c) => ({
        id: c.id,
        entityid: c.entityId,
        companyname: c.companyName,
        email: str(c.email),
        url: str(c.url),
        vatregnumber: str(c.vatRegNumber),
        subsidiary: c.subsidiary.id,
        currency: c.currency.id,
        isinactive: bool(c.isInactive),
        externalid: str(c.externalId),
        datecreated: c.dateCreated,
        lastmodifieddate: c.lastModifiedDate,
        custentity_canonical_id: str(c.custentity_canonical_id),
      })),
  ),
  job: table(
    [
      'id',
      'entityid',
      'companyname',
      'parent',
      'customer',
      'subsidiary',
      'currency',
      'jobbillingtype',
      'entitystatus',
      'startdate',
      'projectedenddate',
      'estimatedrevenue',
      'externalid',
      'datecreated',
      'lastmodifieddate',
    ],
    (s) =>
      [...s.records.job.values()].map((j) => ({
        id: j.id,
        entityid: j.entityId,
        companyname: j.companyName,
        parent: j.parent.id,
        customer: j.parent.id,
        subsidiary: j.subsidiary.id,
        currency: j.currency.id,
        jobbillingtype: refId(j.jobBillingType),
        entitystatus: refId(j.entityStatus),
        startdate: str(j.startDate),
        projectedenddate: str(j.projectedEndDate),
        estimatedrevenue: str(j.estimatedRevenue),
        externalid: str(j.externalId),
        datecreated: j.dateCreated,
        lastmodifieddate: j.lastModifiedDate,
      })),
  ),
  transaction: table(
    [
      'id',
      'tranid',
      'type',
      'trandate',
      'duedate',
      'entity',
      'currency',
      'status',
      'approvalstatus',
      'foreigntotal',
      'foreignamountremaining',
      'custbody_billing_hold',
      'externalid',
      'memo',
      'createddate',
      'lastmodifieddate',
    ],
    (s) => [
      ...[...s.records.invoice.values()].map((i) => ({
        id: i.id,
        tranid: i.tranId,
        type: 'CustInvc',
        trandate: i.tranDate,
        duedate: str(i.dueDate),
        entity: i.entity.id,
        currency: i.currency.id,
        status: i.status.id,
        approvalstatus: i.approvalStatus.id,
        foreigntotal: String(i.total),
        foreignamountremaining: String(i.amountRemaining),
        custbody_billing_hold: bool(i.custbody_billing_hold),
        externalid: str(i.externalId),
        memo: str(i.memo),
        createddate: i.dateCreated,
        lastmodifieddate: i.lastModifiedDate,
      })),
      ...[...s.records.customerPayment.values()].map((p) => ({
        id: p.id,
        tranid: str(p.tranId),
        type: 'CustPymt',
        trandate: p.tranDate,
        entity: p.customer.id,
        currency: p.currency.id,
        foreigntotal: String(p.payment),
        externalid: str(p.externalId),
        memo: str(p.memo),
        createddate: p.dateCreated,
        lastmodifieddate: p.lastModifiedDate,
      })),
      ...[...s.records.creditMemo.values()].map((c) => ({
        id: c.id,
        tranid: c.tranId,
        type: 'CustCred',
        trandate: c.tranDate,
        entity: c.entity.id,
        currency: c.currency.id,
        status: c.status.id,
        foreigntotal: String(c.total),
        foreignamountremaining: String(c.unapplied),
        externalid: str(c.externalId),
        memo: str(c.memo),
        createddate: c.dateCreated,
        lastmodifieddate: c.lastModifiedDate,
      })),
      ...[...s.records.customerRefund.values()].map((r) => ({
        id: r.id,
        tranid: r.tranId,
        type: 'CustRfnd',
        trandate: r.tranDate,
        entity: r.customer.id,
        currency: r.currency.id,
        foreigntotal: String(r.total),
        externalid: str(r.externalId),
        memo: str(r.memo),
        createddate: r.dateCreated,
        lastmodifieddate: r.lastModifiedDate,
      })),
    ],
  ),
  subsidiary: table(['id', 'name', 'legalname', 'country', 'currency', 'isinactive', 'externalid'], (s) =>
    [...s.records.subsidiary.values()].map((x) => ({
      id: x.id,
      name: x.name,
      legalname: str(x.legalName),
      country: x.country,
      currency: x.currency.id,
      isinactive: bool(x.isInactive),
      externalid: str(x.externalId),
    })),
  ),
  currency: table(['id', 'name', 'symbol', 'currencyprecision', 'isbasecurrency', 'isinactive'], (s) =>
    [...s.records.currency.values()].map((c) => ({
      id: c.id,
      name: c.name,
      symbol: c.symbol,
      currencyprecision: String(c.currencyPrecision),
      isbasecurrency: bool(c.isBaseCurrency),
      isinactive: bool(c.isInactive),
    })),
  ),
  projecttask: table(
    [
      'id',
      'project',
      'title',
      'ismilestone',
      'status',
      'startdate',
      'finishbydate',
      'custevent_ms_amount',
      'custevent_ms_completed_on',
      'custevent_ms_invoice',
      'externalid',
      'lastmodifieddate',
    ],
    (s) =>
      [...s.records.projectTask.values()].map((t) => ({
        id: t.id,
        project: t.project.id,
        title: t.title,
        ismilestone: bool(t.isMilestone),
        status: t.status.id,
        startdate: str(t.startDate),
        finishbydate: str(t.finishByDate),
        custevent_ms_amount: str(t.custevent_ms_amount),
        custevent_ms_completed_on: str(t.custevent_ms_completed_on),
        custevent_ms_invoice: refId(t.custevent_ms_invoice),
        externalid: str(t.externalId),
        lastmodifieddate: t.lastModifiedDate,
      })),
  ),
  customrecord_rate_card: table(
    [
      'id',
      'name',
      'externalid',
      'custrecord_rc_subsidiary',
      'custrecord_rc_currency',
      'custrecord_rc_effective_from',
      'custrecord_rc_effective_to',
      'lastmodified',
    ],
    (s) =>
      [...s.records.customrecord_rate_card.values()].map((r) => ({
        id: r.id,
        name: r.name,
        externalid: str(r.externalId),
        custrecord_rc_subsidiary: r.custrecord_rc_subsidiary.id,
        custrecord_rc_currency: r.custrecord_rc_currency.id,
        custrecord_rc_effective_from: r.custrecord_rc_effective_from,
        custrecord_rc_effective_to: str(r.custrecord_rc_effective_to),
        lastmodified: r.lastModifiedDate,
      })),
  ),
};

function pagingParam(raw: unknown, name: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) > max || (name === 'limit' && Number(raw) < 1)) {
    throw new NsFault(400, 'USER_ERROR', `Invalid query parameter value '${String(raw)}' for '${name}'.`, { 'o:errorQueryParam': name });
  }
  return Number(raw);
}

export function queryRoutes(router: Router, deps: { state(): ErpState; baseUrl(): string }): void {
  router.post('/services/rest/query/v1/suiteql', (req, res) => {
    if (!/\btransient\b/i.test(req.get('prefer') ?? '')) {
      throw new NsFault(400, 'USER_ERROR', "The 'Prefer: transient' header is required for SuiteQL queries.", {
        'o:errorHeader': 'Prefer',
      });
    }
    const q = (req.body as { q?: unknown } | undefined)?.q;
    if (typeof q !== 'string' || q.trim() === '') {
      throw new NsFault(400, 'INVALID_CONTENT', "The request body must be a JSON object with the query in 'q'.", { 'o:errorPath': 'q' });
    }
    const limit = pagingParam(req.query.limit, 'limit', MAX_LIMIT, MAX_LIMIT);
    const offset = pagingParam(req.query.offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
    let rows: Row[];
    try {
      const query = parseSuiteQl(q);
      const def = TABLES[query.table];
      if (!def) throw new SuiteQlError(`Record '${query.table}' was not found.`);
      rows = runSuiteQl(query, def.rows(deps.state()), def.columns);
    } catch (err) {
      if (err instanceof SuiteQlError) {
        throw new NsFault(
          400,
          'INVALID_PARAMETER',
          `Invalid search query. Detailed unprocessed description follows. Search error occurred: ${err.message}`,
          { 'o:errorPath': 'q' },
        );
      }
      throw err;
    }
    const page = rows.slice(offset, offset + limit);
    const url = (o: number) => `${deps.baseUrl()}/services/rest/query/v1/suiteql?limit=${limit}&offset=${o}`;
    const links = [{ rel: 'self', href: url(offset) }];
    if (offset > 0) links.push({ rel: 'previous', href: url(Math.max(0, offset - limit)) });
    if (offset + limit < rows.length) links.push({ rel: 'next', href: url(offset + limit) });
    res.json({
      links,
      count: page.length,
      hasMore: offset + limit < rows.length,
      items: page.map((row) => ({ links: [], ...row })),
      offset,
      totalResults: rows.length,
    });
  });
}
