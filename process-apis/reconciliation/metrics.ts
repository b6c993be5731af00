// The reconciliation journey's Prometheus metrics, on the gateway's registry. Gauges are set from
// one grouped query after each pass and each operator action (and on every replica's live tick),
// never computed on scrape. Alert rules and docs/metrics.md use these exact names.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PassScope } from './schema.js';

export interface OpenFigures {
  open: Array<{ question: string; type: string; count: number }>;
  money: Array<{ question: string; currency: string; amountMinor: number }>;
}

export interface ReconciliationMetrics {
  /** The open (and repairing) exceptions now, replacing the previous figures. */
  openFigures(figures: OpenFigures): void;
  opened(question: string, type: string): void;
  compared(check: string, count: number): void;
  repair(type: string, outcome: 'started' | 'failed'): void;
  passFinished(scope: PassScope, seconds: number, completed: boolean): void;
}

export const noopReconciliationMetrics: ReconciliationMetrics = {
  openFigures: () => {},
  opened: () => {},
  compared: () => {},
  repair: () => {},
  passFinished: () => {},
};

export function promReconciliationMetrics(registry: Registry): ReconciliationMetrics {
  const open = new Gauge({
    name: 'layer_reconciliation_exceptions_open',
    help: 'Reconciliation exceptions open or being repaired now, by question and type.',
    labelNames: ['question', 'type'],
    registers: [registry],
  });
  const money = new Gauge({
    name: 'layer_reconciliation_money_at_risk_minor',
    help: 'Money at risk in open reconciliation exceptions, in minor units of the currency, by question.',
    labelNames: ['question', 'currency'],
    registers: [registry],
  });
  const opened = new Counter({
    name: 'layer_reconciliation_exceptions_opened_total',
    help: 'Reconciliation exceptions opened (new mismatches found), by question and type.',
    labelNames: ['question', 'type'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'layer_reconciliation_pass_duration_seconds',
    help: 'Duration of reconciliation passes that ran on this replica, by scope (platforms: every check; layer: the live checks).',
    labelNames: ['scope'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  });
  const lastComplete = new Gauge({
    name: 'layer_reconciliation_last_complete_pass_timestamp_seconds',
    help: 'When the last reconciliation pass of the scope completed on this replica (Unix seconds).',
    labelNames: ['scope'],
    registers: [registry],
  });
  const compared = new Counter({
    name: 'layer_reconciliation_records_compared_total',
    help: 'Records reconciliation compared, by check.',
    labelNames: ['check'],
    registers: [registry],
  });
  const repairs = new Counter({
    name: 'layer_reconciliation_repairs_total',
    help: 'Repairs of reconciliation exceptions, by exception type and outcome (started, or failed to start).',
    labelNames: ['type', 'outcome'],
    registers: [registry],
  });
  return {
    openFigures(figures) {
      open.reset();
      money.reset();
      for (const f of figures.open) open.set({ question: f.question, type: f.type }, f.count);
      for (const m of figures.money) money.set({ question: m.question, currency: m.currency }, m.amountMinor);
    },
    opened: (question, type) => opened.inc({ question, type }),
    compared: (check, count) => compared.inc({ check }, count),
    repair: (type, outcome) => repairs.inc({ type, outcome }),
    passFinished(scope, seconds, completed) {
      duration.observe({ scope }, seconds);
      if (completed) lastComplete.set({ scope }, Math.floor(Date.now() / 1000));
    },
  };
}
