// Evaluates deploy/prometheus/alerts.yml against the layer's own registry on a schedule. Every replica
// reads its registry each round (so its history is whole if it evaluates next); the one that claims
// the period evaluates, over the alert states in the store, and writes transitions as events.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { Logger } from '../observability/logger.js';
import { PollLoop } from '../resilience/poll-loop.js';
import { claimPeriod, noopScheduleMetrics, type ScheduleMetrics } from '../schedules/index.js';
import type { Store } from '../store/index.js';
import { evaluateRules } from './alert-state.js';
import { noopAlertMetrics, type AlertMetrics } from './metrics.js';
import { selectorMatchers } from './promql-eval.js';
import { rangeSelectors } from './promql-parse.js';
import type { RuleSet } from './rules.js';
import { readRegistry, SampleRing } from './sample-ring.js';
import { loadActiveAlerts, saveEvaluation } from './store.js';

/** The evaluation's name in the schedule claims. */
export const ALERTS_JOB = 'alerts.evaluate';

export interface AlertEvaluatorOptions {
  store: Store;
  registry: Registry;
  rules: RuleSet;
  everyMs: number;
  logger: Logger;
  workerId?: string;
  metrics?: AlertMetrics;
  scheduleMetrics?: ScheduleMetrics;
}

export class AlertEvaluator {
  private readonly ring: SampleRing;
  private readonly loop: PollLoop;
  private readonly workerId: string;
  private readonly metrics: AlertMetrics;

  constructor(private readonly options: AlertEvaluatorOptions) {
    const { rules } = options;
    const needs = [...rules.recording.map((r) => r.expr), ...rules.alerts.map((a) => a.expr)]
      .flatMap(rangeSelectors)
      .map((sel) => ({ matchers: selectorMatchers(sel.name, sel.matchers), rangeMs: sel.rangeMs! }));
    this.ring = new SampleRing(needs);
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.metrics = options.metrics ?? noopAlertMetrics;
    // Two rounds a period, so some replica claims every period (as the business figures do).
    this.loop = new PollLoop(
      async () => {
        await this.round();
        return 0;
      },
      Math.max(1, Math.floor(options.everyMs / 2)),
      (err) => {
        this.metrics.failure('');
        options.logger.warn({ err: String(err) }, 'alert rules not evaluated; the next round retries');
      },
    );
  }

  /** One round: reads the registry; evaluates when this replica claims the period. Answers whether it evaluated. */
  async round(now = Date.now()): Promise<boolean> {
    const { store, registry, everyMs, logger } = this.options;
    this.ring.add(now, await readRegistry(registry));
    const claimed = await claimPeriod(store.db, ALERTS_JOB, everyMs, this.workerId, now);
    (this.options.scheduleMetrics ?? noopScheduleMetrics).round(ALERTS_JOB, claimed ? 'ran' : 'skipped');
    if (claimed) {
      const { transitions, failures } = await store.db.transaction().execute(async (trx) => {
        const previous = await loadActiveAlerts(trx);
        const result = evaluateRules(this.options.rules, this.ring, now, previous);
        await saveEvaluation(trx, previous, result.active, result.transitions, now);
        return result;
      });
      for (const f of failures) {
        this.metrics.failure(f.rule);
        logger.warn({ rule: f.rule, err: f.error }, 'alert rule could not be evaluated; its alerts stay as they were');
      }
      for (const t of transitions) {
        this.metrics.transition(t.alert.alertname, t.to);
        logger.info(
          { alertname: t.alert.alertname, labels: t.alert.labels, value: t.alert.value, fingerprint: t.alert.fingerprint },
          t.to === 'firing' ? 'alert firing; sent to the alert receiver' : 'alert resolved; sent to the alert receiver',
        );
      }
    }
    this.metrics.show((await loadActiveAlerts(store.db)).values());
    return claimed;
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
