// What is left of the scheduling platform's read and write budgets, as a gauge read at scrape
// time from the connector's own count (no platform call).
import { Gauge, type Registry } from 'prom-client';
import type { BudgetSnapshot, RequestKind } from './rate-budgets.js';

export function promSchedulingBudgetMetrics(registry: Registry, budgets: () => Record<RequestKind, BudgetSnapshot>): void {
  new Gauge({
    name: 'layer_platform_rate_budget_remaining',
    help: 'Requests the layer may still send to a platform in the current rate-limit window, per kind (read = GET, write = the rest).',
    labelNames: ['platform', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      let snapshot: Record<RequestKind, BudgetSnapshot>;
      try {
        snapshot = budgets();
      } catch {
        return; // the platform is not configured: nothing to report
      }
      for (const kind of ['read', 'write'] as const) this.set({ platform: 'scheduling', kind }, snapshot[kind].remaining);
    },
  });
}
