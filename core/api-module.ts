// The contract between the gateway and an API implementation, and the infrastructure every
// layer is built on. Each API and major version is one module, generic over what its layer
// may call: the composition root hands it exactly that, so calling past it does not compile.
import type { Router } from 'express';
import type { Config } from './config/index.js';
import type { Logger } from './observability/logger.js';
import type { Store } from './store/index.js';

export type Layer = 'system' | 'process' | 'experience';

/** What compose() opens before any layer: configuration, the logger and the durable store. */
export interface Infra {
  config: Config;
  logger: Logger;
  store: Store;
}

export interface ApiModule<Calls = void> {
  layer: Layer;
  /** kebab-case API name, e.g. `erp`, `time-to-billing`, `crm`. */
  api: string;
  major: number;
  /**
   * Builds the router from what this module may call. Paths inside it are the contract's
   * paths (relative to the server URL /{layer}/{api}/v{major}), in Express syntax
   * (`/projects/:projectId`); requests are validated against openapi/{layer}/{api}.v{major}.yaml.
   */
  routes(calls: Calls): Router;
}
