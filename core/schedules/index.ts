// One round per period across replicas: a periodic job claims its current period in the shared
// store before it runs, and only the replica whose claim was written runs that round.
import type { DbExecutor } from '../store/index.js';
import './schema.js';

export { noopScheduleMetrics, promScheduleMetrics, type ScheduleMetrics } from './metrics.js';

/** Periods a job's claims are kept for, before the next claim deletes them. */
const KEEP_PERIODS = 100;

/**
 * Claims the period `now` falls in (periods are multiples of `everyMs` since the epoch) for `job`.
 * True for exactly one caller per job and period, whichever replica and however many ask.
 */
export async function claimPeriod(db: DbExecutor, job: string, everyMs: number, claimedBy: string, now = Date.now()): Promise<boolean> {
  const periodStart = Math.floor(now / everyMs) * everyMs;
  const inserted = await db
    .insertInto('schedule_claims')
    .values({ job, period_start_ms: periodStart, claimed_by: claimedBy, claimed_at_ms: now })
    .onConflict((oc) => oc.columns(['job', 'period_start_ms']).doNothing())
    .executeTakeFirst();
  const won = Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
  if (won)
    await db
      .deleteFrom('schedule_claims')
      .where('job', '=', job)
      .where('period_start_ms', '<', periodStart - KEEP_PERIODS * everyMs)
      .execute();
  return won;
}
