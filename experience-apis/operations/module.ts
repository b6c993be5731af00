// The operations experience API as a gateway module, mounted at /experience/operations/v1
// and validated against openapi/experience/operations.v1.yaml.
import type { ApiModule } from '../../gateway/api-module.js';
import { operationsRoutes } from './routes.js';

export const operationsModule: ApiModule = { layer: 'experience', api: 'operations', major: 1, routes: operationsRoutes };
