// The operations experience API as a gateway module, mounted at /experience/operations/v1
// and validated against openapi/experience/operations.v1.yaml.
import type { ApiModule } from '../../core/api-module.js';
import { operationsRoutes, type OperationsCalls } from './routes.js';

export const operationsModule: ApiModule<OperationsCalls> = { layer: 'experience', api: 'operations', major: 1, routes: operationsRoutes };
