// The CRM system API as a gateway module, mounted at /system/crm/v1 and validated
// against openapi/system/crm.v1.yaml.
import type { ApiModule } from '../../core/api-module.js';
import { crmRoutes, type CrmSystemCalls } from './routes.js';

export const crmSystemModule: ApiModule<CrmSystemCalls> = { layer: 'system', api: 'crm', major: 1, routes: crmRoutes };
