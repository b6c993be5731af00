// The time-to-billing process API as a gateway module, mounted at /process/time-to-billing/v1.
import type { ApiModule } from '../../core/api-module.js';
import { timeToBillingRoutes, type TimeToBillingCalls } from './routes.js';

export const timeToBillingModule: ApiModule<TimeToBillingCalls> = {
  layer: 'process',
  api: 'time-to-billing',
  major: 1,
  routes: timeToBillingRoutes,
};
