// The client portal API v1 as a gateway module, mounted at /experience/portal/v1.
import type { ApiModule } from '../../gateway/api-module.js';
import { portalRoutes } from './routes.js';

export const portalModule: ApiModule = { layer: 'experience', api: 'portal', major: 1, routes: portalRoutes };
