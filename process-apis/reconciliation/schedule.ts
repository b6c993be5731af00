// The schedules every replica runs: a full pass every RECONCILE_PASS_EVERY_MS, the layer-reading
// checks every RECONCILE_LIVE_EVERY_MS; a period claim gives each round to one replica, and a
// round is skipped while another pass holds the lease. Live ticks also refresh the gauges.
import { PollLoop } from '../../core/resilience/poll-loop.js';
import { claimPeriod, noopScheduleMetrics, type ScheduleMetrics } from '../../core/schedules/index.js';
import type { Logger } from '../../core/observability/logger.js';
import { ProblemError } from '../../core/problems.js';
import type { Store } from '../../core/store/index.js';
import type { ReconciliationRunner } from './runner.js';
import type { PassScope } from './schema.js';

export const RECONCILIATION_JOBS: Record<PassScope, string> = {
  platforms: 'reconciliation.platforms',
  layer: 'reconciliation.layer',
};

export interface ReconciliationScheduleOptions {
  store: Store;
  runner: ReconciliationRunner;
  logger: Logger;
  passEveryMs: number;
  liveEveryMs: number;
  autoRepair: boolean;
  scheduleMetrics?: ScheduleMetrics;
}

export function reconciliationSchedules(o: ReconciliationScheduleOptions): PollLoop[] {
  const metrics = o.scheduleMetrics ?? noopScheduleMetrics;
  const loop = (scope: PassScope, everyMs: number) =>
    new PollLoop(
      async () => {
        if (scope === 'layer') await o.runner.refreshFigures();
        if (!o.runner.hasChecks(scope)) return 0; // nothing to run: no pass in the history every interval
        const job = RECONCILIATION_JOBS[scope];
        const claimed = await claimPeriod(o.store.db, job, everyMs, o.runner.holder);
        metrics.round(job, claimed ? 'ran' : 'skipped');
        if (!claimed) return 0;
        try {
          await o.runner.run({ scope, repair: o.autoRepair, trigger: 'schedule', actor: null });
        } catch (err) {
          // Another pass (an operator's, the command's, the full one) is running: this round is skipped.
          if (!(err instanceof ProblemError && err.type === 'conflict')) throw err;
          o.logger.debug({ scope }, 'reconciliation round skipped: a pass is running');
        }
        return 0;
      },
      // Waking twice a period means no period goes unclaimed while the loop drifts.
      Math.max(1, Math.floor(everyMs / 2)),
      (err) => o.logger.warn({ err: String(err), scope }, 'scheduled reconciliation failed; the next round retries'),
    );
  return [...(o.passEveryMs > 0 ? [loop('platforms', o.passEveryMs)] : []), ...(o.liveEveryMs > 0 ? [loop('layer', o.liveEveryMs)] : [])];
}
