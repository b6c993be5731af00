// Reads and writes of assignment-to-forecast's store: assignment snapshots, the forecast and
// utilisation computed from them, and staffing conflicts kept in step with them.
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { multiplyMinutesByRate } from '../../core/money.js';
import type { Database } from '../../core/store/schema.js';
import type { AtfAssignmentsTable } from './schema.js';
import { bookedMinutes, monthStart, weekStart } from './weeks.js';
import './schema.js';

type Db = Kysely<Database>;

/**
 * Saves the snapshot unless a newer one is already there: runs for one assignment can overlap
 * (a create and an update event handled at once), and the one that read the platform earlier
 * may finish later. Equal versions overwrite (a cancellation keeps the platform's last
 * version). Answers whether this snapshot was kept.
 */
export async function saveAssignment(db: Db, row: AtfAssignmentsTable): Promise<boolean> {
  const { assignment_id: _id, ...rest } = row;
  const result = await db
    .insertInto('atf_assignments')
    .values(row)
    .onConflict((oc) =>
      oc.column('assignment_id').doUpdateSet(rest).where('atf_assignments.source_updated_ms', '<=', row.source_updated_ms),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

const live = (rows: AtfAssignmentsTable[]) => rows.filter((r) => r.status !== 'cancelled');

export async function forecastOf(db: Db, engagementId: string, granularity: 'week' | 'month', from?: string, to?: string) {
  const rows = live(await db.selectFrom('atf_assignments').selectAll().where('engagement_id', '=', engagementId).execute());
  const periodOf = granularity === 'week' ? weekStart : monthStart;
  const periods = new Map<string, { minutes: number; revenue: number }>();
  let currency: string | undefined;
  for (const r of rows) {
    currency ??= r.currency ?? undefined;
    for (const [period, minutes] of bookedMinutes(
      { startDate: r.start_date, endDate: r.end_date, minutesPerWeek: Number(r.minutes_per_week) },
      periodOf,
      from,
      to,
    )) {
      const p = periods.get(period) ?? { minutes: 0, revenue: 0 };
      p.minutes += minutes;
      p.revenue += r.rate_minor === null ? 0 : multiplyMinutesByRate(minutes, Number(r.rate_minor));
      periods.set(period, p);
    }
  }
  const updated = rows.reduce((max, r) => Math.max(max, Number(r.updated_at_ms)), 0);
  return { rows: rows.length, currency, periods: [...periods.entries()].sort(([a], [b]) => a.localeCompare(b)), updatedAt: updated };
}

export interface EngagementWeek {
  engagementId: string;
  weekStart: string;
  plannedMinutes: number;
}

/** Planned minutes per engagement and week (Monday) of every live assignment, within from/to. */
export async function weeklyForecast(db: Db, from: string, to: string): Promise<EngagementWeek[]> {
  const rows = live(
    await db.selectFrom('atf_assignments').selectAll().where('start_date', '<=', to).where('end_date', '>=', from).execute(),
  );
  const weeks = new Map<string, EngagementWeek>();
  for (const r of rows)
    for (const [week, minutes] of bookedMinutes(
      { startDate: r.start_date, endDate: r.end_date, minutesPerWeek: Number(r.minutes_per_week) },
      weekStart,
      from,
      to,
    )) {
      const key = `${r.engagement_id}|${week}`;
      const w = weeks.get(key) ?? { engagementId: r.engagement_id, weekStart: week, plannedMinutes: 0 };
      w.plannedMinutes += minutes;
      weeks.set(key, w);
    }
  return [...weeks.values()].sort((a, b) => a.engagementId.localeCompare(b.engagementId) || a.weekStart.localeCompare(b.weekStart));
}

export interface WeekLoad {
  resourceId: string;
  weekStart: string;
  capacityMinutes: number;
  assignedMinutes: number;
  assignmentIds: string[];
}

/** Per resource and week: capacity (latest seen) against assigned minutes of live assignments. */
export async function weeklyLoad(db: Db, filter: { resourceId?: string; from?: string; to?: string }): Promise<WeekLoad[]> {
  let q = db.selectFrom('atf_assignments').selectAll();
  if (filter.resourceId) q = q.where('resource_id', '=', filter.resourceId);
  const rows = live(await q.execute());
  const loads = new Map<string, WeekLoad>();
  for (const r of rows.sort((a, b) => Number(a.updated_at_ms) - Number(b.updated_at_ms))) {
    for (const [week, minutes] of bookedMinutes(
      { startDate: r.start_date, endDate: r.end_date, minutesPerWeek: Number(r.minutes_per_week) },
      weekStart,
      filter.from,
      filter.to,
    )) {
      const key = `${r.resource_id}|${week}`;
      const load = loads.get(key) ?? {
        resourceId: r.resource_id,
        weekStart: week,
        capacityMinutes: 0,
        assignedMinutes: 0,
        assignmentIds: [],
      };
      load.capacityMinutes = Number(r.capacity_minutes);
      load.assignedMinutes += minutes;
      load.assignmentIds.push(r.assignment_id);
      loads.set(key, load);
    }
  }
  return [...loads.values()].sort((a, b) => a.resourceId.localeCompare(b.resourceId) || a.weekStart.localeCompare(b.weekStart));
}

/** Opens a conflict for every over-allocated week of the resource and resolves the ones that no longer are. */
export async function reconcileConflicts(db: Db, resourceId: string): Promise<{ open: number; resolved: number }> {
  const loads = await weeklyLoad(db, { resourceId });
  const over = new Map(loads.filter((l) => l.assignedMinutes > l.capacityMinutes).map((l) => [l.weekStart, l]));
  let opened = 0;
  let resolved = 0;
  await db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('atf_conflicts').selectAll().where('resource_id', '=', resourceId).execute();
    for (const c of existing) {
      const load = over.get(c.week_start);
      if (!load && c.status === 'open') {
        await trx.updateTable('atf_conflicts').set({ status: 'resolved' }).where('id', '=', c.id).execute();
        resolved++;
      } else if (load) {
        await trx
          .updateTable('atf_conflicts')
          .set({
            status: 'open',
            capacity_minutes: load.capacityMinutes,
            assigned_minutes: load.assignedMinutes,
            assignment_ids: JSON.stringify(load.assignmentIds.slice(0, 50)),
          })
          .where('id', '=', c.id)
          .execute();
        over.delete(c.week_start);
        opened++;
      }
    }
    for (const load of over.values()) {
      await trx
        .insertInto('atf_conflicts')
        .values({
          id: uuidv7(),
          resource_id: resourceId,
          week_start: load.weekStart,
          capacity_minutes: load.capacityMinutes,
          assigned_minutes: load.assignedMinutes,
          assignment_ids: JSON.stringify(load.assignmentIds.slice(0, 50)),
          status: 'open',
          detected_at_ms: Date.now(),
        })
        .execute();
      opened++;
    }
  });
  return { open: opened, resolved };
}

export async function listConflicts(db: Db, filter: { status?: 'open' | 'resolved'; resourceId?: string; after?: string; limit: number }) {
  let q = db
    .selectFrom('atf_conflicts')
    .selectAll()
    .orderBy('id')
    .limit(filter.limit + 1);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.resourceId) q = q.where('resource_id', '=', filter.resourceId);
  if (filter.after) q = q.where('id', '>', filter.after);
  const rows = await q.execute();
  const page = rows.slice(0, filter.limit);
  return {
    items: page.map((c) => ({
      id: c.id,
      resourceId: c.resource_id,
      weekStart: c.week_start,
      capacityMinutes: Number(c.capacity_minutes),
      assignedMinutes: Number(c.assigned_minutes),
      assignmentIds: JSON.parse(c.assignment_ids) as string[],
      status: c.status,
      detectedAt: new Date(Number(c.detected_at_ms)).toISOString(),
    })),
    next: rows.length > filter.limit ? page[page.length - 1]!.id : null,
  };
}
