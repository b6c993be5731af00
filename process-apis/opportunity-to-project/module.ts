// The opportunity-to-project process API as a gateway module, mounted at /process/opportunity-to-project/v1.
import type { ApiModule } from '../../core/api-module.js';
import { opportunityToProjectRoutes, type OpportunityToProjectCalls } from './routes.js';

export const opportunityToProjectModule: ApiModule<OpportunityToProjectCalls> = {
  layer: 'process',
  api: 'opportunity-to-project',
  major: 1,
  routes: opportunityToProjectRoutes,
};
