// The history of reconciliation passes: one row per pass, written when it starts and when it ends,
// read newest first. Old passes are dropped after each pass: beyond the newest 1,000 of a scope, or
// older than 90 days.
import { cursorId, cursorKind, decodeOptionalCursor, encodeCursor, pageLimit, scopeOf, type Page } from '../../core/paging.js';
import { ProblemError } from '../../core/problems.js';
import { fromJson, nowMs, toIso, toJson, type DbExecutor } from '../../core/store/index.js';
import type { Journey } from '../kit/run-view.js';
import type { PassScope, PassStatus, PassTrigger, ReconPassesTable } from './schema.js';
import type { CheckTally, PassView } from './views.js';

export const PASS_RETENTION = { perScope: 1_000, days: 90 };
export const PASS_CURSOR = cursorKind('reconciliation.passes', { after: cursorId });

export interface NewPass {
  id: string;
  journey: Journey | null;
  scope: PassScope;
  trigger: PassTrigger;
  repair: boolean;
  startedBy: string | null;
  startedAt: number;
}

export interface PassTotals {
  compared: number;
  found: number;
  opened: number;
  resolved: number;
  repairsStarted: number;
}

export async function insertPass(db: DbExecutor, pass: NewPass): Promise<void> {
  await db
    .insertInto('recon_passes')
    .values({
      id: pass.id,
      journey: pass.journey,
      scope: pass.scope,
      trigger: pass.trigger,
      repair: pass.repair ? 1 : 0,
      status: 'running',
      started_at_ms: pass.startedAt,
      finished_at_ms: null,
      started_by: pass.startedBy,
      compared: 0,
      found: 0,
      opened: 0,
      resolved: 0,
      repairs_started: 0,
      checks: toJson([]),
      error: null,
    })
    .execute();
}

/** Records progress (after each check) or the end of a pass. */
export async function updatePass(
  db: DbExecutor,
  id: string,
  totals: PassTotals,
  checks: CheckTally[],
  end?: { status: Exclude<PassStatus, 'running'>; error: string | null; at: number },
): Promise<void> {
  await db
    .updateTable('recon_passes')
    .set({
      compared: totals.compared,
      found: totals.found,
      opened: totals.opened,
      resolved: totals.resolved,
      repairs_started: totals.repairsStarted,
      checks: toJson(checks),
      ...(end ? { status: end.status, error: end.error?.slice(0, 1000) ?? null, finished_at_ms: end.at } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/** A pass whose replica stopped before it ended (its lease lapsed and was taken over). */
export async function abandonPass(db: DbExecutor, id: string, at = nowMs()): Promise<void> {
  await db
    .updateTable('recon_passes')
    .set({
      status: 'failed',
      error: 'The replica running this pass stopped before it ended; its lease was taken over.',
      finished_at_ms: at,
    })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .execute();
}

export async function prunePasses(db: DbExecutor, scope: PassScope, now = nowMs()): Promise<void> {
  await db
    .deleteFrom('recon_passes')
    .where('status', '!=', 'running')
    .where('started_at_ms', '<', now - PASS_RETENTION.days * 86_400_000)
    .execute();
  const oldestKept = await db
    .selectFrom('recon_passes')
    .select('id')
    .where('scope', '=', scope)
    .orderBy('id', 'desc')
    .offset(PASS_RETENTION.perScope - 1)
    .limit(1)
    .executeTakeFirst();
  if (oldestKept)
    await db
      .deleteFrom('recon_passes')
      .where('scope', '=', scope)
      .where('status', '!=', 'running')
      .where('id', '<', oldestKept.id)
      .execute();
}

export function passView(row: ReconPassesTable): PassView {
  return {
    id: row.id,
    journey: row.journey as Journey | null,
    trigger: row.trigger,
    repair: Boolean(row.repair),
    status: row.status,
    startedAt: toIso(Number(row.started_at_ms)),
    finishedAt: row.finished_at_ms === null ? null : toIso(Number(row.finished_at_ms)),
    startedBy: row.started_by,
    compared: Number(row.compared),
    found: Number(row.found),
    opened: Number(row.opened),
    resolved: Number(row.resolved),
    repairsStarted: Number(row.repairs_started),
    error: row.error,
    checks: fromJson<CheckTally[]>(row.checks) ?? [],
  };
}

export async function getPass(db: DbExecutor, id: string): Promise<PassView> {
  const row = await db.selectFrom('recon_passes').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new ProblemError('not-found', { detail: `No reconciliation pass ${id}.` });
  return passView(row);
}

export interface PassQuery {
  journey?: Journey;
  cursor?: string;
  limit?: unknown;
}

/** Newest first; the cursor is the last id of the page (UUIDv7, time-ordered). */
export async function listPasses(db: DbExecutor, query: PassQuery): Promise<Page<PassView>> {
  const scope = scopeOf({ journey: query.journey });
  const at = decodeOptionalCursor(PASS_CURSOR, query.cursor, scope);
  const limit = pageLimit(query.limit);
  let select = db
    .selectFrom('recon_passes')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (query.journey) select = select.where('journey', '=', query.journey);
  if (at) select = select.where('id', '<', at.after);
  const rows = await select.execute();
  const items = rows.slice(0, limit).map(passView);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(PASS_CURSOR, { after: last.id }, scope) : null };
}
