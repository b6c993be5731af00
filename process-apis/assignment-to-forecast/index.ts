// Assignment to forecast: Scheduling assignment changes → engagement forecast (hours × rate per
// period), resource utilisation (assigned vs capacity) and staffing conflicts.
//
// Wiring: process-apis/index.ts `createProcessApis` runs its workflow on the shared engine (on
// `systemApis.scheduling` and `systemApis.erp`), polls Scheduling's allocations on a schedule,
// routes polled changes and (relayed) webhooks to it from the inbox and builds
// `processApis.assignmentToForecast`; gateway/apis.ts mounts assignmentToForecastModule.
export { assignmentToForecastWorkflow, FORECAST_WORKFLOW, type AssignmentRunInput, type AssignmentToForecastDeps } from './workflow.js';
export { createAssignmentToForecastApi, type AssignmentToForecastApi } from './service.js';
export type { EngagementWeek } from './store.js';
export { assignmentToForecastModule } from './module.js';
export { ASSIGNMENT_EVENTS } from './routes.js';
export { schedulingWebhookHandler, schedulingPollHandler } from './intake.js';
export { assignmentChangeFeed, POLLED_SOURCE, ASSIGNMENT_STREAM, type PolledAssignmentMessage } from './polling.js';
