// The contract between the gateway and an API implementation. Each API and major
// version is one module: its routes are mounted at /{layer}/{api}/v{major} and its
// requests validated against openapi/{layer}/{api}.v{major}.yaml.
import type { Router } from 'express';
import type { Services } from '../core/services.js';

export type Layer = 'system' | 'process' | 'experience';

export interface ApiModule {
  layer: Layer;
  /** kebab-case API name, e.g. `erp`, `time-to-billing`, `crm`. */
  api: string;
  major: number;
  /**
   * Builds the router. Paths inside it are the contract's paths (relative to the
   * server URL /{layer}/{api}/v{major}), in Express syntax (`/projects/:projectId`).
   */
  routes(services: Services): Router;
}
