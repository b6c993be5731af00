// `GET /query?q=SOQL` and `GET /query/{locator}`: batches of up to 2,000 records (or the
// `Sforce-Query-Options: batchSize=n` asked for) with `nextRecordsUrl` until `done`;
// `SELECT COUNT() …` answers its totalSize with no records.
import type { Response, Router } from 'express';
import type { SandboxContext } from '../../kit/app.js';
import { answer, sendError } from '../errors.js';
import { renderQueryRecord } from '../render.js';
import { parseSoql, runSoql, type ParentLookup } from '../soql.js';
import type { CrmState, QueryCursor } from '../state.js';
import { caller } from './guard.js';

const MAX_BATCH = 2000;
const MIN_BATCH = 200;
/** Query locators stay valid for 15 minutes of inactivity, as in Salesforce. */
const CURSOR_TTL_MS = 15 * 60_000;

/**
 * Salesforce clamps batchSize to 200..2000. With `smallQueryBatches` switched on (tests only)
 * the sandbox goes down to 1, so that paging can be exercised on small seed data.
 */
function batchSize(header: string | undefined, state: CrmState): number {
  const m = /batchSize\s*=\s*(\d+)/i.exec(header ?? '');
  const n = m ? Number(m[1]) : MAX_BATCH;
  return Math.min(Math.max(n, state.smallQueryBatches ? 1 : MIN_BATCH), MAX_BATCH);
}

const lookupIn =
  (state: CrmState): ParentLookup =>
  (object, id) =>
    state.records[object].get(id);

function page(ctx: SandboxContext<CrmState>, res: Response, cursor: QueryCursor, start: number, size: number, totalSize: number): void {
  const state = ctx.state();
  const apiVersion = caller(res).apiVersion;
  const ids = cursor.ids.slice(start, start + size);
  const records = ids.flatMap((id) => {
    const record = state.records[cursor.object].get(id);
    return record ? [renderQueryRecord(apiVersion, cursor.object, record, cursor.refs, lookupIn(state))] : [];
  });
  const end = start + ids.length;
  const done = end >= cursor.ids.length;
  let nextRecordsUrl: string | undefined;
  if (!done) {
    const locator = `01gDn${String(state.nextCursor++).padStart(10, '0')}AAA`;
    state.cursors.set(locator, { ...cursor, expiresAt: Date.now() + CURSOR_TTL_MS });
    nextRecordsUrl = `/services/data/${apiVersion}/query/${locator}-${end}`;
  }
  res.json({ totalSize, done, ...(nextRecordsUrl ? { nextRecordsUrl } : {}), records });
}

export function queryRoutes(router: Router, ctx: SandboxContext<CrmState>): void {
  router.get('/services/data/:version/query', (req, res) => {
    answer(res, () => {
      const q = req.query.q;
      if (typeof q !== 'string' || !q.trim()) return sendError(res, 400, 'MALFORMED_QUERY', 'A query string has to be specified');
      const state = ctx.state();
      const query = parseSoql(q);
      const rows = runSoql(query, state.records[query.object].values(), lookupIn(state));
      if (query.count) return void res.json({ totalSize: rows.length, done: true, records: [] });
      const cursor: QueryCursor = { object: query.object, refs: query.refs, ids: rows.map((r) => r.Id), expiresAt: 0 };
      page(ctx, res, cursor, 0, batchSize(req.get('sforce-query-options'), state), rows.length);
    });
  });

  router.get('/services/data/:version/query/:locator', (req, res) => {
    const m = /^(01g[A-Za-z0-9]+)-(\d+)$/.exec(String(req.params.locator));
    const state = ctx.state();
    const cursor = m ? state.cursors.get(m[1]) : undefined;
    if (!m || !cursor || cursor.expiresAt <= Date.now()) {
      if (m) state.cursors.delete(m[1]);
      return sendError(res, 400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    page(ctx, res, cursor, Number(m[2]), batchSize(req.get('sforce-query-options'), state), cursor.ids.length);
  });
}
