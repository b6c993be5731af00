// The reconciliation journey: the checks the other journeys register, run in passes (on a
// schedule, by an operator, by `npm run reconcile`), their exceptions and history, and the API.
import type { Infra } from '../../core/api-module.js';
import type { ScheduleMetrics } from '../../core/schedules/index.js';
import type { ReconciliationCheck } from '../kit/reconciliation.js';
import { createReconciliationApi, type ReconciliationApi } from './api.js';
import { noopReconciliationMetrics, type ReconciliationMetrics } from './metrics.js';
import { PASS_CURSOR } from './passes.js';
import { EXCEPTION_CURSOR } from './queries.js';
import { ReconciliationRunner } from './runner.js';
import { reconciliationSchedules } from './schedule.js';

export { createReconciliationApi, type ReconciliationApi, type Operator } from './api.js';
export { promReconciliationMetrics, noopReconciliationMetrics, type ReconciliationMetrics } from './metrics.js';
export { ReconciliationRunner, type PassProgress, type PassRequest } from './runner.js';
export { RECONCILIATION_JOBS } from './schedule.js';
/** The cursors of the exceptions and passes collections (for the gateway's cursor tests). */
export const RECONCILIATION_CURSORS = { exceptions: EXCEPTION_CURSOR, passes: PASS_CURSOR };
export {
  QUESTION_TEXT,
  type BusinessView,
  type CheckResult,
  type CheckTally,
  type ExceptionView,
  type OpenExceptionsByType,
  type PassView,
} from './views.js';
export type { ExceptionStatus, PassScope, PassTrigger } from './schema.js';

export interface ReconciliationOptions {
  metrics?: ReconciliationMetrics;
  scheduleMetrics?: ScheduleMetrics;
  /** Override the configured schedules (tests). */
  passEveryMs?: number;
  liveEveryMs?: number;
  holder?: string;
}

export interface Reconciliation {
  api: ReconciliationApi;
  runner: ReconciliationRunner;
  start(): void;
  stop(): Promise<void>;
}

export function createReconciliation(
  infra: Infra,
  checks: readonly ReconciliationCheck[],
  options: ReconciliationOptions = {},
): Reconciliation {
  const { store, config } = infra;
  const logger = infra.logger.child({ component: 'reconciliation' });
  const settings = config.jobs.reconciliation;
  const metrics = options.metrics ?? noopReconciliationMetrics;
  const runner = new ReconciliationRunner({ store, checks, logger, metrics, leaseMs: settings.leaseMs, holder: options.holder });
  const api = createReconciliationApi({ store, logger, metrics, runner });
  const loops = reconciliationSchedules({
    store,
    runner,
    logger,
    passEveryMs: options.passEveryMs ?? settings.passEveryMs,
    liveEveryMs: options.liveEveryMs ?? settings.liveEveryMs,
    autoRepair: settings.autoRepair,
    scheduleMetrics: options.scheduleMetrics,
  });
  return {
    api,
    runner,
    start() {
      for (const loop of loops) loop.start();
    },
    async stop() {
      // The loops stop starting rounds at once; the pass in progress is asked to stop, then awaited.
      const stopping = loops.map((loop) => loop.stop());
      await runner.stop();
      await Promise.all(stopping);
    },
  };
}
