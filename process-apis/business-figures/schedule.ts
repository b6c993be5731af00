// Computes the business figures once per period across replicas: every replica wakes twice a
// period, the one whose claim of the period is written computes, the others show the stored
// computation on their gauges, so a scrape of any replica reports the last figures.
import type { Logger } from '../../core/observability/logger.js';
import { PollLoop } from '../../core/resilience/poll-loop.js';
import { claimPeriod, noopScheduleMetrics, type ScheduleMetrics } from '../../core/schedules/index.js';
import type { DbExecutor } from '../../core/store/index.js';
import type { BusinessFiguresMetrics } from './metrics.js';
import type { BusinessFiguresApi } from './service.js';

/** The computation's name in the schedule claims. */
export const BUSINESS_FIGURES_JOB = 'business-figures.compute';

export interface BusinessFiguresScheduleOptions {
  db: DbExecutor;
  everyMs: number;
  workerId: string;
  logger: Logger;
  metrics?: BusinessFiguresMetrics;
  scheduleMetrics?: ScheduleMetrics;
}

export class BusinessFiguresSchedule {
  private readonly loop: PollLoop;

  constructor(
    private readonly figures: BusinessFiguresApi,
    private readonly options: BusinessFiguresScheduleOptions,
  ) {
    this.loop = new PollLoop(
      async () => {
        await this.round();
        return 0;
      },
      Math.max(1, Math.floor(options.everyMs / 2)),
      (err) => options.logger.warn({ err: String(err) }, 'business figures not computed; the next round retries'),
    );
  }

  /** One round: computes when this replica claims the period `now` falls in; answers whether it did. */
  async round(now = Date.now()): Promise<boolean> {
    const { db, everyMs, workerId } = this.options;
    const claimed = await claimPeriod(db, BUSINESS_FIGURES_JOB, everyMs, workerId, now);
    (this.options.scheduleMetrics ?? noopScheduleMetrics).round(BUSINESS_FIGURES_JOB, claimed ? 'ran' : 'skipped');
    if (claimed) await this.figures.compute(now);
    else {
      const latest = await this.figures.latest();
      if (latest) this.options.metrics?.show(latest);
    }
    return claimed;
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
