// The reconciliation journey as one typed object: its exceptions (list, one, repair, dismiss), its
// passes (list, one, start in the background) and the five business views. Operator actions are
// audited with the consumer, the person and the request's correlation id.
import { recordAudit } from '../../core/audit/index.js';
import type { Logger } from '../../core/observability/logger.js';
import type { Page } from '../../core/paging.js';
import { ProblemError } from '../../core/problems.js';
import { nowMs, withTransaction, type Store } from '../../core/store/index.js';
import type { ReconciliationCheck, RepairActor } from '../kit/reconciliation.js';
import type { Journey } from '../kit/run-view.js';
import { storedFinding } from './exceptions.js';
import type { ReconciliationMetrics } from './metrics.js';
import { getPass, listPasses, type PassQuery } from './passes.js';
import { businessViews, exceptionRow, getException, listExceptions, openByType, type ExceptionQuery } from './queries.js';
import { startRepair } from './repairs.js';
import type { PassRequest, ReconciliationRunner } from './runner.js';
import type { BusinessView, ExceptionView, OpenExceptionsByType, PassView } from './views.js';

/** An operator acting through the operations API or the command. */
export type Operator = RepairActor;

export interface ReconciliationApi {
  /** The checks the passes run, as the journeys registered them. */
  readonly checks: readonly ReconciliationCheck[];
  listExceptions(query: ExceptionQuery): Promise<Page<ExceptionView>>;
  getException(id: string): Promise<ExceptionView>;
  /** Runs the proposed repair on the operator's word (even an unsafe one), unless it is `by-hand` (422). 409 unless open. */
  repairException(id: string, by: Operator): Promise<ExceptionView>;
  /** 409 unless open. */
  dismissException(id: string, reason: string, by: Operator): Promise<ExceptionView>;
  listPasses(query: PassQuery): Promise<Page<PassView>>;
  getPass(id: string): Promise<PassView>;
  /** Starts a full pass in the background; 409 while one runs on any replica. */
  startPass(request: { journey?: Journey; repair?: boolean }, by: Operator): Promise<PassView>;
  /** Runs a pass to its end (the command). */
  runPass(request: PassRequest): Promise<PassView>;
  businessViews(): Promise<BusinessView[]>;
  /** Open exceptions by question and type with their money at risk (the command's summary). */
  openByType(): Promise<OpenExceptionsByType[]>;
}

export interface ReconciliationApiDeps {
  store: Store;
  logger: Logger;
  metrics: ReconciliationMetrics;
  runner: ReconciliationRunner;
}

export function createReconciliationApi({ store, logger, metrics, runner }: ReconciliationApiDeps): ReconciliationApi {
  const db = store.db;
  const auditOf = (by: Operator, action: string, targetType: string, targetId: string, details: Record<string, unknown>) => ({
    consumer: by.consumer,
    ...(by.subject && by.subject !== by.consumer ? { subject: by.subject } : {}),
    ...(by.correlationId ? { correlationId: by.correlationId } : {}),
    action,
    targetType,
    targetId,
    details,
  });
  const refresh = () =>
    runner.refreshFigures().catch((err: unknown) => logger.warn({ err: String(err) }, 'reconciliation figures not refreshed'));

  return {
    checks: runner.checks,
    listExceptions: (query) => listExceptions(db, query),
    getException: (id) => getException(db, id),

    async repairException(id, by) {
      const row = await exceptionRow(db, id);
      if (row.status !== 'open')
        throw new ProblemError('conflict', {
          detail: `Reconciliation exception ${id} is ${row.status}; only an open one can be repaired.`,
        });
      const finding = storedFinding(row);
      if (finding.repair.action === 'by-hand')
        throw new ProblemError('unprocessable-content', { detail: `This exception is repaired by hand: ${finding.repair.description}` });
      const check = runner.checks.find((c) => c.name === row.check_name);
      if (!check)
        throw new ProblemError('unprocessable-content', {
          detail: `The check ${row.check_name} that found this exception no longer runs here, so its repair cannot start: ${finding.repair.description}`,
        });
      const { runId } = await startRepair({ store, logger, metrics }, check, finding, by);
      await recordAudit(
        db,
        auditOf(by, 'reconciliation.exception.repair-started', 'reconciliation-exception', id, {
          type: row.type,
          action: finding.repair.action,
          runId,
        }),
      );
      await refresh();
      return getException(db, id);
    },

    async dismissException(id, reason, by) {
      await withTransaction(store, async (trx) => {
        const row = await exceptionRow(trx, id);
        const dismissed = await trx
          .updateTable('recon_exceptions')
          .set({ status: 'dismissed', dismiss_reason: reason, resolved_at_ms: nowMs(), resolved_by: by.consumer.slice(0, 200) })
          .where('id', '=', id)
          .where('status', '=', 'open')
          .executeTakeFirst();
        if (Number(dismissed.numUpdatedRows) !== 1)
          throw new ProblemError('conflict', {
            detail: `Reconciliation exception ${id} is ${row.status}; only an open one can be dismissed.`,
          });
        await recordAudit(
          trx,
          auditOf(by, 'reconciliation.exception.dismissed', 'reconciliation-exception', id, { type: row.type, reason }),
        );
      });
      logger.info({ exceptionId: id, by: by.consumer }, 'reconciliation exception dismissed');
      await refresh();
      return getException(db, id);
    },

    listPasses: (query) => listPasses(db, query),
    getPass: (id) => getPass(db, id),

    async startPass(request, by) {
      const { pass } = await runner.start({ journey: request.journey, repair: request.repair ?? false, trigger: 'operator', actor: by });
      await recordAudit(
        db,
        auditOf(by, 'reconciliation.pass.started', 'reconciliation-pass', pass.id, {
          journey: request.journey ?? null,
          repair: request.repair ?? false,
        }),
      );
      return pass;
    },

    runPass: (request) => runner.run(request),
    businessViews: () => businessViews(db),
    openByType: () => openByType(db),
  };
}
