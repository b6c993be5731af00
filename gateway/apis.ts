// The API modules the gateway mounts, one line per API and major version. Each needs its
// contract at openapi/{layer}/{api}.v{major}.yaml; contracts without a module answer 501.
import type { ApiModule } from './api-module.js';
import { crmSystemModule } from '../system-apis/crm/module.js';
import { erpSystemModule } from '../system-apis/erp/module.js';
import { schedulingSystemModule } from '../system-apis/scheduling/module.js';
import { timeSystemModule } from '../system-apis/time/module.js';
import { operationsModule } from '../experience-apis/operations/module.js';
import { opportunityToProjectModule } from '../process-apis/opportunity-to-project/module.js';
import { billingStatusToCrmModule } from '../process-apis/billing-status-to-crm/module.js';
import { crmExperienceV1Module, crmExperienceV2Module } from '../experience-apis/crm/module.js';
import { timeToBillingModule } from '../process-apis/time-to-billing/module.js';
import { assignmentToForecastModule } from '../process-apis/assignment-to-forecast/module.js';
import { portalModule } from '../experience-apis/portal/module.js';

export const apis: ApiModule[] = [
  crmSystemModule,
  erpSystemModule,
  schedulingSystemModule,
  timeSystemModule,
  operationsModule,
  opportunityToProjectModule,
  billingStatusToCrmModule,
  crmExperienceV1Module,
  crmExperienceV2Module,
  timeToBillingModule,
  assignmentToForecastModule,
  portalModule,
];
