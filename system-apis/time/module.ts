// The time system API as a gateway module, mounted at /system/time/v1 and validated
// against openapi/system/time.v1.yaml.
import type { ApiModule } from '../../core/api-module.js';
import { timeRoutes, type TimeSystemCalls } from './routes.js';

export const timeSystemModule: ApiModule<TimeSystemCalls> = { layer: 'system', api: 'time', major: 1, routes: timeRoutes };
