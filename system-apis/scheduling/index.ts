// The scheduling system API's entry points for the composition root: build the connector
// from configuration and the service on it; close the connector at shutdown.
import type { Logger } from '../../core/observability/logger.js';
import type { PlatformsConfig } from '../../core/config/platforms.js';
import type { Store } from '../../core/store/index.js';
import { SchedulingConnector } from './connector.js';
import { createSchedulingSystemApi, type SchedulingSystemApi } from './service.js';

export { schedulingSystemModule } from './module.js';
export { SchedulingConnector, mapFloatError } from './connector.js';
export { createSchedulingSystemApi } from './service.js';
export type { SchedulingSystemApi, ResourceQuery, AssignmentQuery } from './service.js';
export { readAssignmentWebhook, type AssignmentWebhook } from './webhooks.js';
export type { AssignmentChange } from './webhooks.js';
export type { AssignmentFeedPosition, AssignmentChangePage, PolledAssignmentChange, AssignmentFeedOptions } from './changes.js';
export type { BudgetSnapshot, RequestKind, RateLimits } from './rate-budgets.js';
export { promSchedulingBudgetMetrics } from './metrics.js';

export interface SchedulingSystem {
  api: SchedulingSystemApi;
  connector: SchedulingConnector;
  close(): Promise<void>;
}

/** `baseUrl` overrides the configured one (the embedded sandbox's URL when it runs in-process). */
export function createSchedulingSystem(opts: {
  connection: PlatformsConfig['scheduling'];
  baseUrl?: string;
  store: Store;
  logger: Logger;
  /** The platform account's currency; Float holds every amount in one. Default EUR (the sandbox's). */
  currency?: string;
  traceparent?: () => string | undefined;
}): SchedulingSystem {
  const baseUrl = opts.baseUrl ?? opts.connection.baseUrl;
  if (!baseUrl) throw new Error('SCHEDULING_BASE_URL is not set and no embedded scheduling sandbox URL was given');
  const connector = new SchedulingConnector({
    baseUrl,
    apiToken: opts.connection.apiToken,
    timeoutMs: opts.connection.timeoutMs,
    logger: opts.logger.child({ platform: 'scheduling' }),
    traceparent: opts.traceparent,
  });
  const api = createSchedulingSystemApi({ connector, store: opts.store, logger: opts.logger, currency: opts.currency });
  return { api, connector, close: () => connector.close() };
}
