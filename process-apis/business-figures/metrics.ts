// The business figures as Prometheus gauges, set from the last computation (this replica's, or
// the one another replica stored), never computed on a scrape.
import { Gauge, type Registry } from 'prom-client';
import type { Snapshot } from './snapshots.js';

export interface BusinessFiguresMetrics {
  /** Sets every gauge from a computation's figures. */
  show(snapshot: Snapshot): void;
}

export const noBusinessFiguresMetrics: BusinessFiguresMetrics = { show: () => undefined };

/** Value figures by name, and money figures by name, each with its gauge. */
const VALUE_GAUGES = {
  dso: [
    'layer_business_dso_days',
    'Days sales outstanding: open receivables / revenue invoiced in the window × its days (mean over currencies weighted by invoices issued).',
  ],
  'billable-utilisation': [
    'layer_business_billable_utilisation_ratio',
    'Billable hours recorded / capacity hours of the active people over the window (0–1 and above).',
  ],
  'forecast-accuracy': [
    'layer_business_forecast_accuracy_ratio',
    '1 − Σ|forecast − actual| / Σ forecast hours per engagement and week, clamped to 0–1.',
  ],
} as const;
const MONEY_GAUGES = {
  'unbilled-work': [
    'layer_business_unbilled_work_minor',
    'Approved billable work not yet invoiced, rated, in minor units of the currency.',
  ],
  'held-work': [
    'layer_business_held_work_minor',
    'Owed on ERP invoices on hold plus work waiting under billing holds, in minor units of the currency.',
  ],
  'revenue-at-risk': [
    'layer_business_revenue_at_risk_minor',
    'Money at risk of the open reconciliation exceptions, in minor units of the currency.',
  ],
} as const;

export function promBusinessFiguresMetrics(registry: Registry): BusinessFiguresMetrics {
  const values = Object.entries(VALUE_GAUGES).map(
    ([figure, [name, help]]) => [figure, new Gauge({ name, help, registers: [registry] })] as const,
  );
  const money = Object.entries(MONEY_GAUGES).map(
    ([figure, [name, help]]) => [figure, new Gauge({ name, help, labelNames: ['currency'], registers: [registry] })] as const,
  );
  const computed = new Gauge({
    name: 'layer_business_figures_computed_timestamp_seconds',
    help: 'When the business figures were last computed (Unix seconds); the gauges above are from that computation.',
    registers: [registry],
  });
  return {
    show(snapshot) {
      const byName = new Map(snapshot.figures.map((f) => [f.name, f]));
      for (const [figure, gauge] of values) {
        const value = byName.get(figure)?.value;
        // A figure with nothing to compute it from is left out of the scrape, not shown as 0.
        if (value === null || value === undefined) gauge.reset();
        else gauge.set(value);
      }
      for (const [figure, gauge] of money) {
        gauge.reset();
        for (const m of byName.get(figure)?.amounts ?? []) gauge.set({ currency: m.currency }, m.amountMinor);
      }
      computed.set(snapshot.computedAtMs / 1000);
    },
  };
}
