// The ERP system API as a gateway module, mounted at /system/erp/v1 and validated
// against openapi/system/erp.v1.yaml.
import type { ApiModule } from '../../gateway/api-module.js';
import { erpRoutes } from './routes.js';

export const erpSystemModule: ApiModule = { layer: 'system', api: 'erp', major: 1, routes: erpRoutes };
