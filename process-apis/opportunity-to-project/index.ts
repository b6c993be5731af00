// Opportunity to project: a won deal becomes a staffed ERP project, exactly once.
//
// Wiring (composition root): process-apis/kit/journeys.ts `startJourneys(services)` builds the
// engine with these workflows, the inbox processor for CRM change events and adds
// `services.opportunityToProject`; apis.ts: opportunityToProjectModule.
export {
  createOpportunityToProjectApi,
  opportunityToProjectWorkflows,
  CLOSED_WON_EVENTS,
  type OpportunityToProjectApi,
  type ProvisioningWithProject,
} from './service.js';
export { PROVISION_WORKFLOW, PROVISIONED_EVENT, REJECTED_EVENT, type ProvisioningDeps, type ProvisionInput } from './workflow.js';
export { INTAKE_WORKFLOW } from './intake.js';
export { erpClientOf } from './client-links.js';
export type { Provisioning } from './provisioning-view.js';
export type { AccountProjects, StaffingState } from './account-projects.js';
export { opportunityToProjectModule } from './module.js';
import './services.js';
