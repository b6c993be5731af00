// Starting a repair: the exception is claimed (open → repairing, by a conditional update, so two
// callers never both start it), then the check runs its repair through the journey. A repair that
// throws leaves the exception open again, and the error goes to the caller.
import { sql } from 'kysely';
import type { Logger } from '../../core/observability/logger.js';
import { ProblemError } from '../../core/problems.js';
import type { Store } from '../../core/store/index.js';
import type { ReconciliationCheck, RepairActor, StoredFinding } from '../kit/reconciliation.js';
import type { ReconciliationMetrics } from './metrics.js';

export interface RepairDeps {
  store: Store;
  logger: Logger;
  metrics: ReconciliationMetrics;
}

export async function startRepair(
  { store, logger, metrics }: RepairDeps,
  check: ReconciliationCheck,
  finding: StoredFinding,
  actor: RepairActor,
): Promise<{ runId: string | null }> {
  const db = store.db;
  const claimed = await db
    .updateTable('recon_exceptions')
    .set({
      status: 'repairing',
      repair_attempts: sql<number>`repair_attempts + 1`,
      resolved_by: actor.consumer.slice(0, 200),
      repair_run_id: null,
    })
    .where('id', '=', finding.exceptionId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1)
    throw new ProblemError('conflict', { detail: `Reconciliation exception ${finding.exceptionId} is no longer open.` });
  const log = {
    exceptionId: finding.exceptionId,
    check: check.name,
    type: finding.type,
    action: finding.repair.action,
    by: actor.consumer,
  };
  try {
    const { runId } = await check.repair(finding, actor);
    await db
      .updateTable('recon_exceptions')
      .set({ repair_run_id: runId ?? null })
      .where('id', '=', finding.exceptionId)
      .execute();
    metrics.repair(finding.type, 'started');
    logger.info({ ...log, runId: runId ?? null }, 'reconciliation repair started');
    return { runId: runId ?? null };
  } catch (err) {
    await db
      .updateTable('recon_exceptions')
      .set({ status: 'open', resolved_by: null })
      .where('id', '=', finding.exceptionId)
      .where('status', '=', 'repairing')
      .execute();
    metrics.repair(finding.type, 'failed');
    logger.warn({ ...log, err: err instanceof Error ? err.message : String(err) }, 'reconciliation repair did not start');
    throw err;
  }
}
