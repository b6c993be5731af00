// The client portal API v1 as a gateway module, mounted at /experience/portal/v1.
import type { ApiModule } from '../../core/api-module.js';
import { portalRoutes, type PortalCalls } from './routes.js';

export const portalModule: ApiModule<PortalCalls> = { layer: 'experience', api: 'portal', major: 1, routes: portalRoutes };
