// The billing-status-to-crm process API as a gateway module, mounted at /process/billing-status-to-crm/v1.
import type { ApiModule } from '../../core/api-module.js';
import { billingStatusToCrmRoutes, type BillingStatusToCrmCalls } from './routes.js';

export const billingStatusToCrmModule: ApiModule<BillingStatusToCrmCalls> = {
  layer: 'process',
  api: 'billing-status-to-crm',
  major: 1,
  routes: billingStatusToCrmRoutes,
};
