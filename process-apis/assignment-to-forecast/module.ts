// The assignment-to-forecast process API as a gateway module, mounted at /process/assignment-to-forecast/v1.
import type { ApiModule } from '../../gateway/api-module.js';
import { assignmentToForecastRoutes } from './routes.js';

export const assignmentToForecastModule: ApiModule = {
  layer: 'process',
  api: 'assignment-to-forecast',
  major: 1,
  routes: assignmentToForecastRoutes,
};
