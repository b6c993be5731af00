// The periodic trigger: once a day (and whenever an operator calls `runNow`), bill the
// previous calendar month. Starting is idempotent by period, so extra ticks start nothing.
import type { Logger } from '../../core/observability/logger.js';
import { previousMonth } from './period.js';
import type { TimeToBillingApi } from './service.js';

export class BillingSchedule {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly billing: TimeToBillingApi,
    private readonly options: { intervalMs?: number; logger?: Logger; today?: () => string } = {},
  ) {}

  /** Starts (or finds) the previous month's period run. */
  async runNow(): Promise<{ runId: string; created: boolean }> {
    const today = this.options.today?.() ?? new Date().toISOString().slice(0, 10);
    const period = previousMonth(today);
    const { run, created } = await this.billing.startRun({ periodStart: period.start, periodEnd: period.end }, 'schedule');
    if (created) this.options.logger?.info({ runId: run.id, period: period.key }, 'scheduled billing run started');
    return { runId: run.id, created };
  }

  start(): void {
    if (this.timer) return;
    const tick = () =>
      void this.runNow().catch((err: unknown) => this.options.logger?.error({ err: String(err) }, 'scheduled billing run could not start'));
    this.timer = setInterval(tick, this.options.intervalMs ?? 24 * 3_600_000);
    this.timer.unref();
    tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
