// The ERP system API as a gateway module, mounted at /system/erp/v1 and validated
// against openapi/system/erp.v1.yaml.
import type { ApiModule } from '../../core/api-module.js';
import { erpRoutes, type ErpSystemCalls } from './routes.js';

export const erpSystemModule: ApiModule<ErpSystemCalls> = { layer: 'system', api: 'erp', major: 1, routes: erpRoutes };
