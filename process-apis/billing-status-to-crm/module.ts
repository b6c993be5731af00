// The billing-status-to-crm process API as a gateway module, mounted at /process/billing-status-to-crm/v1.
import type { ApiModule } from '../../gateway/api-module.js';
import { billingStatusToCrmRoutes } from './routes.js';

export const billingStatusToCrmModule: ApiModule = {
  layer: 'process',
  api: 'billing-status-to-crm',
  major: 1,
  routes: billingStatusToCrmRoutes,
};
