// The layer's active alerts as an operator reads them: firing before pending, each oldest first,
// paged by a keyset cursor over (state, active_at_ms, fingerprint) so that a page never repeats one.
import { z } from 'zod';
import type { Kysely } from 'kysely';
import { cursorKind, decodeOptionalCursor, encodeCursor, pageLimit, scopeOf, type Page } from '../paging.js';
import { fromJson, toIso } from '../store/portable.js';
import type { Database } from '../store/schema.js';
import type { Labels } from './promql-eval.js';
import './schema.js';

export interface AlertRecord {
  fingerprint: string;
  alertname: string;
  /** The `severity` label; null when the rule sets none. */
  severity: string | null;
  state: 'pending' | 'firing';
  /** Since when its condition holds (RFC 3339). */
  activeAt: string;
  /** Since when it fires; null while pending. */
  firedAt: string | null;
  value: number | null;
  summary: string | null;
  description: string | null;
  /** `runbook_url` as the rule gives it (the shipped rules: a repository path). */
  runbookUrl: string | null;
  labels: Labels;
  lastEvaluatedAt: string;
}

export interface AlertQuery {
  /** Page size, 1–200 (default 50). */
  limit?: unknown;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

// 'firing' sorts before 'pending', so the column's own order puts what fires first.
export const ALERTS_CURSOR = cursorKind('alerts.active', {
  state: z.enum(['firing', 'pending']),
  activeAtMs: z.number().int().min(0),
  fingerprint: z.string().regex(/^[0-9a-f]{1,64}$/),
});
/** The list takes no filters: its cursors are bound to that, as every unfiltered list's are. */
const UNFILTERED = scopeOf({});

/**
 * The page shown when the layer does not evaluate alerts: empty, yet the query is checked as
 * `listAlerts` checks it, so a forged cursor or a bad limit is the same 400 either way.
 */
export function noAlertsPage(query: AlertQuery = {}): Page<AlertRecord> {
  checkedQuery(query);
  return { items: [], nextCursor: null };
}

/** The page size and the position after which to list; a bad limit or cursor is a 400. */
function checkedQuery(query: AlertQuery) {
  return { limit: pageLimit(query.limit), after: decodeOptionalCursor(ALERTS_CURSOR, query.cursor, UNFILTERED) };
}

/** One page of the pending and firing alerts; a bad cursor or limit is a 400. */
export async function listAlerts(db: Kysely<Database>, query: AlertQuery = {}): Promise<Page<AlertRecord>> {
  const { limit, after } = checkedQuery(query);
  let q = db.selectFrom('alert_states').selectAll();
  if (after) {
    q = q.where((eb) =>
      eb.or([
        eb('state', '>', after.state),
        eb.and([
          eb('state', '=', after.state),
          eb.or([
            eb('active_at_ms', '>', after.activeAtMs),
            eb.and([eb('active_at_ms', '=', after.activeAtMs), eb('fingerprint', '>', after.fingerprint)]),
          ]),
        ]),
      ]),
    );
  }
  // One row more than asked tells whether another page exists.
  const rows = await q
    .orderBy('state')
    .orderBy('active_at_ms')
    .orderBy('fingerprint')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const items = page.map((r): AlertRecord => {
    const labels = fromJson<Labels>(r.labels) ?? {};
    const annotations = fromJson<Record<string, string>>(r.annotations) ?? {};
    return {
      fingerprint: r.fingerprint,
      alertname: r.alertname,
      severity: labels.severity ?? null,
      state: r.state,
      activeAt: toIso(Number(r.active_at_ms)),
      firedAt: r.fired_at_ms === null ? null : toIso(Number(r.fired_at_ms)),
      value: r.value === null ? null : Number(r.value),
      summary: annotations.summary ?? null,
      description: annotations.description ?? null,
      runbookUrl: annotations.runbook_url ?? null,
      labels,
      lastEvaluatedAt: toIso(Number(r.updated_at_ms)),
    };
  });
  const last = page[page.length - 1];
  return {
    items,
    nextCursor:
      rows.length > limit
        ? encodeCursor(
            ALERTS_CURSOR,
            { state: last.state, activeAtMs: Number(last.active_at_ms), fingerprint: last.fingerprint },
            UNFILTERED,
          )
        : null,
  };
}
