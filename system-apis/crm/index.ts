// The CRM system API's entry points for the composition root: build the connector from
// configuration and the service on it; close the connector at shutdown.
import type { Logger } from '../../core/observability/logger.js';
import type { PlatformsConfig } from '../../core/config/platforms.js';
import type { Store } from '../../core/store/index.js';
import { CrmChangeStream } from './change-stream.js';
import { CometdClient } from './cometd.js';
import { CrmConnector } from './connector.js';
import { createCrmSystemApi, type CrmSystemApi } from './service.js';

export { crmSystemModule } from './module.js';
export { CrmConnector, soqlString } from './connector.js';
export { mapCrmError } from './errors.js';
export { createCrmSystemApi } from './service.js';
export type { CrmSystemApi, ClientQuery, ContactQuery, OpportunityQuery } from './service.js';
export type { CrmEntity } from './ids.js';
export type { CrmRecordLink } from './links.js';
export { readChangeEvent } from './change-events.js';
export { CrmChangeStream, CRM_INBOX_SOURCE, type ChangeStreamHooks } from './change-stream.js';
export { promCrmChangeStreamMetrics, type CrmChangeStreamMetrics } from './change-stream-metrics.js';
export type { CrmChange, ChangeKind } from './change-events.js';
export { SETTLE_MS as OPPORTUNITY_FEED_SETTLE_MS } from './opportunity-changes.js';
export type { OpportunityFeedPosition, OpportunityChange, OpportunityChangePage } from './opportunity-changes.js';

/** Salesforce holds a /meta/connect up to 110 s when no event comes; the layer asks for as much. */
const STREAMING_LONG_POLL_MS = 110_000;

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
  const { changeEvents } = opts.connection;
  if (changeEvents.mode !== 'streaming') return { api, connector, close: () => connector.close() };
  const cometd = new CometdClient({
    baseUrl,
    apiVersion: opts.connection.apiVersion,
    authorize: (force) => connector.authorize(force),
    longPollMs: STREAMING_LONG_POLL_MS,
    logger: opts.logger.child({ platform: 'crm', component: 'change-stream' }),
    traceparent: opts.traceparent,
  });
  const changeStream = new CrmChangeStream({
    cometd,
    store: opts.store,
    channel: changeEvents.channel,
    logger: opts.logger.child({ platform: 'crm', component: 'change-stream' }),
  });
  return {
    api: { ...api, changeStream },
    connector,
    async close() {
      await changeStream.stop();
      await cometd.close();
      await connector.close();
    },
  };
}
