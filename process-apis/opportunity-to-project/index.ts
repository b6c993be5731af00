// Opportunity to project: a won deal becomes a staffed ERP project, exactly once.
//
// Wiring: process-apis/index.ts `createProcessApis` runs these workflows on the shared engine,
// routes CRM change events to them from the inbox and builds `processApis.opportunityToProject`;
// gateway/apis.ts mounts opportunityToProjectModule.
export {
  createOpportunityToProjectApi,
  opportunityToProjectWorkflows,
  CLOSED_WON_EVENTS,
  type OpportunityToProjectApi,
  type ProvisioningWithProject,
} from './service.js';
export {
  PROVISIONING_JOURNEY,
  PROVISION_WORKFLOW,
  PROVISIONED_EVENT,
  REJECTED_EVENT,
  type ProvisioningDeps,
  type ProvisionInput,
} from './workflow.js';
export { INTAKE_WORKFLOW } from './intake.js';
export { opportunityChangeFeed, crmPollHandler, CRM_POLLED_SOURCE, OPPORTUNITY_STREAM, type PolledOpportunityMessage } from './polling.js';
export type { Provisioning } from './provisioning-view.js';
export type { AccountProjects, StaffingState } from './account-projects.js';
export { opportunityToProjectModule } from './module.js';
export {
  opportunityToProjectChecks,
  PROVISIONING_RUNS_CHECK,
  PROVISIONING_RUN_FAILED,
  WON_DEALS_WINDOW_DAYS,
  WON_DEAL_SETTLE_MS,
  type ProvisioningChecksDeps,
  type ProvisioningChecksOptions,
} from './reconciliation.js';
export {
  WON_DEALS_CHECK,
  WON_DEAL_WITHOUT_PROJECT,
  WON_DEAL_REFUSED,
  ERP_PROJECT_MISSING,
  CRM_PROJECT_LINK_MISSING,
} from './won-deals-check.js';
