// The time system API's entry points for the composition root: build the connector from
// configuration and the service on it; close the connector at shutdown.
import type { Logger } from '../../core/observability/logger.js';
import type { PlatformsConfig } from '../../core/config/platforms.js';
import type { Store } from '../../core/store/index.js';
import { TimeConnector } from './connector.js';
import { createTimeSystemApi, type TimeSystemApi } from './service.js';

export { timeSystemModule } from './module.js';
export { TimeConnector, mapHarvestError } from './connector.js';
export { createTimeSystemApi } from './service.js';
export type { TimeSystemApi, TimeQuery, TimeBulkQuery } from './service.js';
export type { TimeEntryFeedPosition, TimeEntryChange, TimeEntryChangePage } from './changes.js';

export interface TimeSystem {
  api: TimeSystemApi;
  connector: TimeConnector;
  close(): Promise<void>;
}

/** `baseUrl` overrides the configured one (the embedded sandbox's URL when it runs in-process). */
export function createTimeSystem(opts: {
  connection: PlatformsConfig['time'];
  baseUrl?: string;
  store: Store;
  logger: Logger;
  traceparent?: () => string | undefined;
}): TimeSystem {
  const baseUrl = opts.baseUrl ?? opts.connection.baseUrl;
  if (!baseUrl) throw new Error('TIME_BASE_URL is not set and no embedded time sandbox URL was given');
  const connector = new TimeConnector({
    baseUrl,
    accessToken: opts.connection.accessToken,
    accountId: opts.connection.accountId,
    timeoutMs: opts.connection.timeoutMs,
    logger: opts.logger.child({ platform: 'time' }),
    traceparent: opts.traceparent,
  });
  const api = createTimeSystemApi({ connector, store: opts.store, logger: opts.logger });
  return { api, connector, close: () => connector.close() };
}
