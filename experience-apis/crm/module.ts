// The CRM experience API as two gateway modules, side by side: v1 (deprecated; the gateway
// adds Deprecation/Sunset from the contract's lifecycle) and v2.
import type { ApiModule } from '../../core/api-module.js';
import { crmExperienceRoutes, V1, V2, type CrmExperienceCalls } from './routes.js';

export const crmExperienceV1Module: ApiModule<CrmExperienceCalls> = {
  layer: 'experience',
  api: 'crm',
  major: 1,
  routes: crmExperienceRoutes(V1),
};
export const crmExperienceV2Module: ApiModule<CrmExperienceCalls> = {
  layer: 'experience',
  api: 'crm',
  major: 2,
  routes: crmExperienceRoutes(V2),
};
