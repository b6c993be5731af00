// Starts what the CRM journeys need for a test: the four platform sandboxes behind the real
// system APIs (as the composition root builds them), the process layer's journeys with
// their inbox mounted on a webhook receiver the CRM and ERP sandboxes post to, and the
// gateway serving the process and CRM experience contracts on port 0.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { loadConfig, type Config } from '../../../core/config/index.js';
import { createLogger, type Logger } from '../../../core/observability/logger.js';
import { loadRegionalRules } from '../../../core/regional/rules.js';
import { createStore, type Store } from '../../../core/store/index.js';
import { migrateToLatest } from '../../../core/store/migrate.js';
import { startPlatforms, type Platforms } from '../../../gateway/platforms.js';
import { crmExperienceV1Module, crmExperienceV2Module } from '../../../experience-apis/crm/index.js';
import { billingStatusToCrmModule } from '../../../process-apis/billing-status-to-crm/index.js';
import { createProcessApis, type ProcessLayer } from '../../../process-apis/index.js';
import { opportunityToProjectModule } from '../../../process-apis/opportunity-to-project/index.js';
import { createTimeToBillingApi, timeToBillingWorkflows } from '../../../process-apis/time-to-billing/index.js';
import type { SystemApis } from '../../../system-apis/index.js';
import type { TestEngine } from '../../support/stores.js';
import {
  bearer,
  makeKey,
  startGateway,
  startJwks,
  token,
  type SigningKey,
  type TestGateway,
  type TestJwks,
} from '../../gateway/support.js';
import { catalogueOf } from './billing-harness.js';
import type { Registry } from 'prom-client';
import { promChangeCaptureMetrics, readCursor } from '../../../core/change-capture/index.js';
import { promCrmChangeStreamMetrics } from '../../../system-apis/crm/index.js';
import { promWorkflowMetrics } from '../../../core/workflows/metrics.js';
import { waitFor } from '../../support/wait-for.js';

export interface CrmHarnessOptions {
  /** False: this process runs no workflows (a worker process does); the inbox still records and routes. */
  runWorkflows?: boolean;
  /** How CRM change events reach the layer (CRM_CHANGE_EVENTS); default streaming. */
  crmChangeEvents?: 'streaming' | 'relay';
  /** The layer's metrics registry (the CRM change stream and the workflow engine report into it). */
  registry?: Registry;
  /** CRM_POLL_INTERVAL_MS: the catch-up poll of won deals; default off ('0'), so only change events provision. */
  crmPollIntervalMs?: number;
}

export interface CrmHarness {
  config: Config;
  logger: Logger;
  databaseUrl: string;
  store: Store;
  systemApis: SystemApis;
  journeys: ProcessLayer;
  sandboxUrls: Platforms['sandboxUrls'];
  gateway: TestGateway;
  /** Resolves once the CRM change stream has recorded every change event the CRM sandbox has published so far. */
  crmEventsRecorded(): Promise<void>;
  /** Sets a sandbox's faults (merged into its current settings). */
  faults(platform: 'crm' | 'erp' | 'scheduling' | 'time', settings: Record<string, unknown>): Promise<void>;
  /** Hang and error faults the platform's sandbox answered since its faults were last cleared, by `<fault> <method>`. */
  injectedFaults(platform: 'crm' | 'erp' | 'scheduling' | 'time'): Promise<Record<string, number>>;
  headers(scope: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

async function admin(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${base}/_sandbox${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`sandbox admin ${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

export async function startCrmHarness(testEngine: TestEngine, options: CrmHarnessOptions = {}): Promise<CrmHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'crm-journeys-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    VAR_DIR: dir,
    SANDBOXES: 'embedded',
    CRM_CHANGE_EVENTS: options.crmChangeEvents ?? 'streaming',
    CRM_POLL_INTERVAL_MS: String(options.crmPollIntervalMs ?? 0),
  });
  const logger = createLogger(config.runtime);
  const databaseUrl = await testEngine.freshUrl();
  const store = createStore({ databaseUrl });
  await migrateToLatest(store);
  const platforms = await startPlatforms(config, store, logger);
  const { systemApis } = platforms;
  const rules = loadRegionalRules();
  const billingDeps = { store, erp: systemApis.erp, time: systemApis.time, rules };
  const journeys = createProcessApis({ config, logger, store }, systemApis, {
    engine: {
      pollMs: 20,
      leaseMs: 5_000,
      heartbeatMs: 1_000,
      ...(options.registry ? { metrics: promWorkflowMetrics(options.registry) } : {}),
    },
    inboxPollMs: 50,
    reconcileEveryMs: 0,
    extraDefinitions: timeToBillingWorkflows(billingDeps),
    ...(options.registry
      ? {
          crmChangeStreamMetrics: promCrmChangeStreamMetrics(options.registry),
          changeCaptureMetrics: promChangeCaptureMetrics(options.registry),
        }
      : {}),
  });
  const timeToBilling = createTimeToBillingApi({ ...billingDeps, engine: journeys.engine });
  if (options.runWorkflows === false) journeys.inbox.start();
  else journeys.start();
  // A change made before the stream has subscribed (from -1, new events only) would not reach it.
  const stream = systemApis.crm.changeStream;
  if (stream && options.runWorkflows !== false) await waitFor(() => stream.connected, { what: 'the CRM change stream to subscribe' });

  const receiver = express();
  receiver.use('/webhooks', journeys.webhooks);
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = receiver.listen(0, '127.0.0.1', () => resolve(s));
  });
  const receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const urls = platforms.sandboxUrls;
  await admin(urls.crm!, 'POST', '/webhooks', { url: `${receiverUrl}/webhooks/crm` });
  await admin(urls.erp!, 'POST', '/webhooks', { url: `${receiverUrl}/webhooks/erp` });

  const key: SigningKey = await makeKey();
  const jwks: TestJwks = await startJwks([key]);
  const gateway = await startGateway(
    jwks.url,
    {},
    {
      catalogue: await catalogueOf([
        { layer: 'process', api: 'opportunity-to-project', major: 1 },
        { layer: 'process', api: 'billing-status-to-crm', major: 1 },
        { layer: 'experience', api: 'crm', major: 1 },
        { layer: 'experience', api: 'crm', major: 2 },
      ]),
      apis: [opportunityToProjectModule, billingStatusToCrmModule, crmExperienceV1Module, crmExperienceV2Module],
      layers: { infra: { logger, store }, systemApis, processApis: { ...journeys.apis, timeToBilling } },
      // This harness runs the journeys itself (or, with runWorkflows false, leaves them to the test):
      // the gateway's own would be a second engine on the same store, racing for the same runs.
      startJourneys: false,
    },
  );
  return {
    config,
    logger,
    databaseUrl,
    store,
    systemApis,
    journeys,
    sandboxUrls: urls,
    gateway,
    async crmEventsRecorded() {
      const stream = systemApis.crm.changeStream;
      if (!stream) return;
      const { latestReplayId } = (await admin(urls.crm!, 'GET', '/change-events')) as { latestReplayId: number };
      await waitFor(() => readCursor<{ replayId: number }>(store.db, stream.stream), {
        until: (cursor) => (cursor?.position.replayId ?? 0) >= latestReplayId,
        what: `the CRM change stream to record up to replay id ${latestReplayId}`,
      });
    },
    async faults(platform, settings) {
      await admin(urls[platform]!, 'PUT', '/faults', settings);
    },
    async injectedFaults(platform) {
      return (await admin(urls[platform]!, 'GET', '/faults/injected')) as Record<string, number>;
    },
    async headers(scope) {
      return bearer(await token({ key, scope, clientId: 'crm-journey-test' }));
    },
    async close() {
      await gateway.close();
      await jwks.close();
      await journeys.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await platforms.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
