// The CRM system API's entry points for the composition root: build the connector from
// configuration and the service on it; close the connector at shutdown.
import type { Logger } from '../../core/observability/logger.js';
import type { PlatformsConfig } from '../../core/config/platforms.js';
import type { Store } from '../../core/store/index.js';
import { CrmConnector } from './connector.js';
import { createCrmSystemApi, type CrmSystemApi } from './service.js';

export { crmSystemModule } from './module.js';
export { CrmConnector, soqlString } from './connector.js';
export { mapCrmError } from './errors.js';
export { createCrmSystemApi } from './service.js';
export type { CrmSystemApi, ClientQuery, ContactQuery, OpportunityQuery } from './service.js';
export type { CrmEntity } from './ids.js';
export { readChangeEvent } from './change-events.js';
export type { CrmChange, ChangeKind } from './change-events.js';

export interface CrmSystem {
  api: CrmSystemApi;
  connector: CrmConnector;
  close(): Promise<void>;
}

/** `baseUrl` overrides the configured one (the embedded sandbox's URL when it runs in-process). */
export function createCrmSystem(opts: {
  connection: PlatformsConfig['crm'];
  baseUrl?: string;
  store: Store;
  logger: Logger;
  traceparent?: () => string | undefined;
}): CrmSystem {
  const baseUrl = opts.baseUrl ?? opts.connection.baseUrl;
  if (!baseUrl) throw new Error('CRM_BASE_URL is not set and no embedded CRM sandbox URL was given');
  const connector = new CrmConnector({
    baseUrl,
    apiVersion: opts.connection.apiVersion,
    clientId: opts.connection.clientId,
    clientSecret: opts.connection.clientSecret,
    timeoutMs: opts.connection.timeoutMs,
    logger: opts.logger.child({ platform: 'crm' }),
    traceparent: opts.traceparent,
  });
  const api = createCrmSystemApi({ connector, store: opts.store, logger: opts.logger });
  return { api, connector, close: () => connector.close() };
}
