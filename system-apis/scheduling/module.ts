// The scheduling system API as a gateway module, mounted at /system/scheduling/v1 and
// validated against openapi/system/scheduling.v1.yaml.
import type { ApiModule } from '../../core/api-module.js';
import { schedulingRoutes, type SchedulingSystemCalls } from './routes.js';

export const schedulingSystemModule: ApiModule<SchedulingSystemCalls> = {
  layer: 'system',
  api: 'scheduling',
  major: 1,
  routes: schedulingRoutes,
};
