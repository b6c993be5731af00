// Assignment to forecast: Scheduling assignment changes → engagement forecast (hours × rate per
// period), resource utilisation (assigned vs capacity) and staffing conflicts.
//
// Wiring (composition root):
//   const deps = { store, scheduling: services.schedulingSystem, erp: services.erpSystem, rules: loadRegionalRules() };
//   engine definitions += assignmentToForecastWorkflow(deps);
//   services.assignmentToForecast = createAssignmentToForecastApi({ store, engine });   // apis.ts: assignmentToForecastModule
//   Scheduling webhooks (through the inbox, source `scheduling`): schedulingWebhookHandler(() => services.assignmentToForecast)(message, { trx }).
export { assignmentToForecastWorkflow, FORECAST_WORKFLOW, type AssignmentRunInput, type AssignmentToForecastDeps } from './workflow.js';
export { createAssignmentToForecastApi, type AssignmentToForecastApi } from './service.js';
export { assignmentToForecastModule } from './module.js';
export { ASSIGNMENT_EVENTS } from './routes.js';
export { schedulingWebhookHandler } from './intake.js';
import './services.js';
