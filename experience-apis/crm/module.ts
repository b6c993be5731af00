// The CRM experience API as two gateway modules, side by side: v1 (deprecated; the gateway
// adds Deprecation/Sunset from the contract's lifecycle) and v2.
import type { ApiModule } from '../../gateway/api-module.js';
import { crmExperienceRoutes, V1, V2 } from './routes.js';

export const crmExperienceV1Module: ApiModule = { layer: 'experience', api: 'crm', major: 1, routes: crmExperienceRoutes(V1) };
export const crmExperienceV2Module: ApiModule = { layer: 'experience', api: 'crm', major: 2, routes: crmExperienceRoutes(V2) };
