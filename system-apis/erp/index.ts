// The ERP system API's entry points for the composition root: build the connector from
// configuration and the service on it; close the connector at shutdown.
import type { Logger } from '../../core/observability/logger.js';
import type { PlatformsConfig } from '../../core/config/platforms.js';
import type { Store } from '../../core/store/index.js';
import { ErpConnector } from './connector.js';
import { createErpSystemApi, type ErpSystemApi } from './service.js';

export { erpSystemModule } from './module.js';
export { ErpConnector, mapNetSuiteError } from './connector.js';
export type { ErpConnectorOptions } from './connector.js';
export { createErpSystemApi } from './service.js';
export type { ErpSystemApi, ErpSystemApiDeps, PageRequest, BillingFeedChange, BillingFeedPage, BillingFeedPosition } from './service.js';
export type * from './canonical.js';
export { readBillingChange, parseBillingDocument, type BillingChange, type IgnoredBillingWebhook } from './webhooks.js';
export { billingFeedFrom } from './service-billing-changes.js';
export type { ErpRecordLink } from './links.js';
export type { ErpEntity } from './ids.js';

export interface ErpSystem {
  api: ErpSystemApi;
  connector: ErpConnector;
  close(): Promise<void>;
}

/** `baseUrl` overrides the configured one (the embedded sandbox's URL when it runs in-process). */
export function createErpSystem(opts: {
  connection: PlatformsConfig['erp'];
  baseUrl?: string;
  store: Store;
  logger: Logger;
  traceparent?: () => string | undefined;
}): ErpSystem {
  const baseUrl = opts.baseUrl ?? opts.connection.baseUrl;
  if (!baseUrl) throw new Error('ERP_BASE_URL is not set and no embedded ERP sandbox URL was given');
  const connector = new ErpConnector({
    baseUrl,
    clientId: opts.connection.clientId,
    m2m: opts.connection.m2m,
    timeoutMs: opts.connection.timeoutMs,
    logger: opts.logger.child({ platform: 'erp' }),
    traceparent: opts.traceparent,
  });
  const api = createErpSystemApi({ connector, store: opts.store, logger: opts.logger, accountId: opts.connection.accountId });
  return { api, connector, close: () => connector.close() };
}
