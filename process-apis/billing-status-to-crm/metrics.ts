// Billing-status-to-crm's own figures: ERP webhooks it read and did not follow, by reason, so
// that an ignored webhook is counted as well as logged, never dropped without a trace.
import { Counter, type Registry } from 'prom-client';
import type { IgnoredBillingWebhook } from '../../system-apis/erp/index.js';

export interface BillingStatusMetrics {
  ignoredWebhook(reason: IgnoredReason): void;
}

export type IgnoredReason = IgnoredBillingWebhook['ignored'];

export const noBillingStatusMetrics: BillingStatusMetrics = { ignoredWebhook: () => undefined };

export function promBillingStatusMetrics(registry: Registry): BillingStatusMetrics {
  const ignored = new Counter({
    name: 'layer_erp_webhooks_ignored_total',
    help: 'ERP webhooks billing-status-to-crm read and did not follow (a record type it does not follow, or no internal id), by reason.',
    labelNames: ['reason'],
    registers: [registry],
  });
  return { ignoredWebhook: (reason) => ignored.inc({ reason }) };
}
