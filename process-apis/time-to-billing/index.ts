// Time to billing: approved hours become invoices, each entry billed exactly once.
//
// Wiring (composition root), once services.erpSystem and services.timeSystem exist:
//   const deps = { store, erp: services.erpSystem, time: services.timeSystem, rules: loadRegionalRules() };
//   const engine = new WorkflowEngine({ store, definitions: [...timeToBillingWorkflows(deps), …], logger });
//   services.timeToBilling = createTimeToBillingApi({ ...deps, engine });
//   services.clientBilling = createClientBillingView(deps);           // for the portal
//   new BillingSchedule(services.timeToBilling, { logger }).start();   // apis.ts: timeToBillingModule
export { createTimeToBillingApi, timeToBillingWorkflows, type TimeToBillingApi } from './service.js';
export { engagementBillingWorkflow, ENGAGEMENT_WORKFLOW, type TimeToBillingDeps } from './workflow.js';
export { PERIOD_WORKFLOW } from './period-workflow.js';
export { BillingSchedule } from './schedule.js';
export { createClientBillingView, type ClientBillingView } from './client-view.js';
export { timeToBillingModule } from './module.js';
export type { TimeForBilling, ErpForBilling } from './ports.js';
import './services.js';
