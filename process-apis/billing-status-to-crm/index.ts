// Billing status to CRM: invoice and payment status flow back to the CRM account and opportunity.
//
// Wiring: process-apis/index.ts `createProcessApis` builds it with the shared engine, routes
// ERP webhooks to it and runs its reconciling poll; gateway/apis.ts mounts billingStatusToCrmModule.
export {
  createBillingStatusToCrmApi,
  billingStatusWorkflows,
  INVOICE_EVENTS,
  BILLING_RUNS,
  type BillingStatusToCrmApi,
  type AccountPosition,
} from './service.js';
export { BILLING_STATUS_WORKFLOW, SYNCED_EVENT, type BillingStatusDeps, type BillingStatusInput } from './workflow.js';
export { billingStatusToCrmModule } from './module.js';
export { billingChangeFeed, ERP_POLLED_SOURCE, ERP_BILLING_STREAM, type PolledBillingMessage } from './polling.js';
export { promBillingStatusMetrics, type BillingStatusMetrics } from './metrics.js';
export { billingStatusToCrmChecks, type BillingStatusCheckDeps } from './reconciliation.js';
