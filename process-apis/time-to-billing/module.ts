// The time-to-billing process API as a gateway module, mounted at /process/time-to-billing/v1.
import type { ApiModule } from '../../gateway/api-module.js';
import { timeToBillingRoutes } from './routes.js';

export const timeToBillingModule: ApiModule = { layer: 'process', api: 'time-to-billing', major: 1, routes: timeToBillingRoutes };
