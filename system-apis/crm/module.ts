// The CRM system API as a gateway module, mounted at /system/crm/v1 and validated
// against openapi/system/crm.v1.yaml.
import type { ApiModule } from '../../gateway/api-module.js';
import { crmRoutes } from './routes.js';

export const crmSystemModule: ApiModule = { layer: 'system', api: 'crm', major: 1, routes: crmRoutes };
