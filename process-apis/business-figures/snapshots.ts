// The computed figures kept in the store: the latest snapshot for the executive page, one point
// per figure (and currency) per computation for the trends, and their retention.
import type { Kysely } from 'kysely';
import { fromJson, toJson } from '../../core/store/portable.js';
import type { Database } from '../../core/store/schema.js';
import type { FigurePoint } from './compute.js';
import type { BusinessFigure } from './figures.js';
import './schema.js';

type Db = Kysely<Database>;

export interface Snapshot {
  computedAtMs: number;
  windowDays: number;
  figures: BusinessFigure[];
}

/** Saves one computation; a second save at the same millisecond (the same computation again) changes nothing. */
export async function saveSnapshot(db: Db, snapshot: Snapshot & { computedBy: string }, points: readonly FigurePoint[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('bf_snapshots')
      .values({
        computed_at_ms: snapshot.computedAtMs,
        window_days: snapshot.windowDays,
        figures: toJson(snapshot.figures),
        computed_by: snapshot.computedBy,
      })
      .onConflict((oc) => oc.column('computed_at_ms').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0 || points.length === 0) return;
    await trx
      .insertInto('bf_points')
      .values(points.map((p) => ({ at_ms: snapshot.computedAtMs, figure: p.figure, currency: p.currency, unit: p.unit, value: p.value })))
      .execute();
  });
}

export async function latestSnapshot(db: Db): Promise<Snapshot | undefined> {
  const row = await db.selectFrom('bf_snapshots').selectAll().orderBy('computed_at_ms', 'desc').limit(1).executeTakeFirst();
  return (
    row && {
      computedAtMs: Number(row.computed_at_ms),
      windowDays: Number(row.window_days),
      figures: fromJson<BusinessFigure[]>(row.figures) ?? [],
    }
  );
}

export interface Trend {
  figure: string;
  unit: FigurePoint['unit'];
  currency?: string;
  points: Array<{ atMs: number; value: number }>;
}

/** Points since `sinceMs`, one trend per figure and currency, oldest point first; at most `maxPoints` (the newest) each. */
export async function readTrends(db: Db, query: { sinceMs: number; figure?: string; maxPoints: number }): Promise<Trend[]> {
  let q = db.selectFrom('bf_points').selectAll().where('at_ms', '>=', query.sinceMs);
  if (query.figure) q = q.where('figure', '=', query.figure);
  const rows = await q.orderBy('figure').orderBy('currency').orderBy('at_ms').execute();
  const trends = new Map<string, Trend>();
  for (const r of rows) {
    const key = `${r.figure}|${r.currency}`;
    const trend =
      trends.get(key) ??
      trends.set(key, { figure: r.figure, unit: r.unit, ...(r.currency ? { currency: r.currency } : {}), points: [] }).get(key)!;
    trend.points.push({ atMs: Number(r.at_ms), value: Number(r.value) });
  }
  return [...trends.values()].map((t) => ({ ...t, points: t.points.slice(-query.maxPoints) }));
}

/** Deletes snapshots and points older than the retention. */
export async function pruneSnapshots(db: Db, beforeMs: number): Promise<void> {
  await db.deleteFrom('bf_points').where('at_ms', '<', beforeMs).execute();
  await db.deleteFrom('bf_snapshots').where('computed_at_ms', '<', beforeMs).execute();
}
