// The assignment-to-forecast process API as a gateway module, mounted at /process/assignment-to-forecast/v1.
import type { ApiModule } from '../../core/api-module.js';
import { assignmentToForecastRoutes, type AssignmentToForecastCalls } from './routes.js';

export const assignmentToForecastModule: ApiModule<AssignmentToForecastCalls> = {
  layer: 'process',
  api: 'assignment-to-forecast',
  major: 1,
  routes: assignmentToForecastRoutes,
};
