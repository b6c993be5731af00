// The CRM experience API (v1 deprecated, v2 current). apis.ts: crmExperienceV1Module, crmExperienceV2Module.
// Needs services.opportunityToProject, billingStatusToCrm and timeToBilling.
export { crmExperienceV1Module, crmExperienceV2Module } from './module.js';
export { waitMsFrom } from './prefer.js';
