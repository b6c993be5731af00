// Time to billing: approved hours become invoices, each entry billed exactly once.
//
// Wiring: process-apis/index.ts `createProcessApis` builds it on `systemApis.erp` and
// `systemApis.time` with the shared engine (as `processApis.timeToBilling`, and
// `processApis.clientBilling` for the portal) and runs its BillingSchedule;
// gateway/apis.ts mounts timeToBillingModule.
export { createTimeToBillingApi, timeToBillingWorkflows, type TimeToBillingApi } from './service.js';
export { engagementBillingWorkflow, ENGAGEMENT_WORKFLOW, type TimeToBillingDeps } from './workflow.js';
export { PERIOD_WORKFLOW } from './period-workflow.js';
export { BillingSchedule } from './schedule.js';
export { createClientBillingView, type ClientBillingView } from './client-view.js';
export { timeToBillingModule } from './module.js';
export type { TimeForBilling, ErpForBilling } from './ports.js';
export { readPostingBacklog, samplePostingBacklog, type PostingBacklog } from './metrics.js';
export { timeToBillingChecks, type BillingCheckDeps, type TimeToBillingCheckOptions } from './reconciliation.js';
export {
  lateApprovalHandler,
  previousMonthStart,
  promLateApprovalMetrics,
  timeEntryChangeFeed,
  TIME_ENTRY_STREAM,
  TIME_POLLED_SOURCE,
  type LateApprovalMetrics,
  type PolledTimeEntryMessage,
} from './late-approvals.js';
