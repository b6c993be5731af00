// The composition root: builds the layers as typed objects in dependency order (infrastructure,
// then systemApis, then processApis on them) and closes them in reverse. gateway/apis.ts hands
// each API module exactly the layer it may call; no handler imports a singleton.
import { useCursorSigningKey } from '../core/paging.js';
import type { Infra } from '../core/api-module.js';
import type { Config } from '../core/config/index.js';
import { EventDispatcher, promEventMetrics } from '../core/events/index.js';
import { promChangeCaptureMetrics, sampleCursorFreshness } from '../core/change-capture/index.js';
import { gaugeSampler } from '../core/observability/sampled-gauges.js';
import { samplePostingBacklog } from '../process-apis/time-to-billing/index.js';
import { promBillingStatusMetrics } from '../process-apis/billing-status-to-crm/index.js';
import { promReconciliationMetrics } from '../process-apis/reconciliation/index.js';
import type { ReconciliationCheck } from '../process-apis/kit/reconciliation.js';
import { promLateApprovalMetrics } from '../process-apis/time-to-billing/index.js';
import { promBusinessFiguresMetrics } from '../process-apis/business-figures/index.js';
import { promSchedulingBudgetMetrics } from '../system-apis/scheduling/index.js';
import type { LayerShape } from '../core/observability/business-metrics.js';
import type { HttpMetrics } from '../core/observability/metrics.js';
import { promWorkflowMetrics } from '../core/workflows/metrics.js';
import { promScheduleMetrics } from '../core/schedules/index.js';
import { createLogger } from '../core/observability/logger.js';
import { createStore } from '../core/store/index.js';
import { migrateToLatest } from '../core/store/migrate.js';
import type { Router } from 'express';
import { createProcessApis, type ProcessApis, type ProcessLayer } from '../process-apis/index.js';
import { promCrmChangeStreamMetrics } from '../system-apis/crm/index.js';
import type { SystemApis } from '../system-apis/index.js';
import { startPlatforms, type Platforms } from './platforms.js';
import { writeSandboxesFile } from './sandboxes-file.js';

/** The layers as typed objects, each built on the one below it. */
export interface Layers {
  infra: Infra;
  systemApis: SystemApis;
  processApis: ProcessApis;
  /** The journeys (from the registered workflow definitions) and webhook sources, for business metrics and the operations view. */
  shape: LayerShape;
}

/** Parts a caller hands in instead of what compose() would build (tests' stores, loggers, fakes); the caller closes them. */
export interface LayerOverrides {
  infra?: Partial<Omit<Infra, 'config'>>;
  systemApis?: Partial<SystemApis>;
  processApis?: Partial<ProcessApis>;
}

export interface Composition {
  layers: Layers;
  /** Where the embedded sandboxes listen, when they run (development default). */
  sandboxUrls: Partial<Record<string, string>>;
  /** Signed inbound platform webhooks, mounted by the gateway at /webhooks before any body parser. */
  webhooks: Router;
  /**
   * Once the gateway listens: points the embedded sandboxes' webhooks at its /webhooks routes
   * and writes <VAR_DIR>/sandboxes.json (their URLs and the gateway's), removed by close().
   */
  gatewayListening(gatewayUrl: string): void;
  /** Closes what compose() opened (not what the caller handed in), last opened first. */
  close(): Promise<void>;
}

export interface ComposeOptions {
  /** false: build the journeys but run neither their workflow engine and inbox nor the event dispatcher (tests with their own). */
  startJourneys?: boolean;
  /** The gateway's registry: the workflow engine and the event dispatcher report into it. */
  metrics?: HttpMetrics;
  /** Reconciliation checks beside the journeys' own (tests' fakes). */
  extraReconciliationChecks?: readonly ReconciliationCheck[];
}

export async function compose(config: Config, given: LayerOverrides = {}, options: ComposeOptions = {}): Promise<Composition> {
  const closers: Array<() => Promise<void>> = [];
  const logger = given.infra?.logger ?? createLogger(config.runtime);
  let store = given.infra?.store;
  if (!store) {
    const opened = createStore({
      databaseUrl: config.store.databaseUrl,
      varDir: config.runtime.varDir,
      poolMax: config.store.databasePoolMax,
    });
    closers.push(() => opened.close());
    try {
      await migrateToLatest(opened);
    } catch (err) {
      await opened.close();
      throw err;
    }
    store = opened;
  }
  const infra: Infra = { config, logger, store };
  // Cursors are signed with the configured key (a random one per process outside production).
  useCursorSigningKey(config.gateway.cursorSigningKey);
  const platforms = await startPlatforms(config, store, logger).catch(async (err: unknown) => {
    for (const close of closers.reverse()) await close();
    throw err;
  });
  closers.push(() => platforms.close());
  const systemApis: SystemApis = { ...platforms.systemApis, ...given.systemApis };
  // The journeys share one workflow engine and one inbox; they start after every system API exists.
  const registry = options.metrics?.registry;
  const processLayer = createProcessApis(infra, systemApis, {
    extraReconciliationChecks: options.extraReconciliationChecks,
    ...(registry
      ? {
          engine: { metrics: promWorkflowMetrics(registry) },
          changeCaptureMetrics: promChangeCaptureMetrics(registry),
          billingStatusMetrics: promBillingStatusMetrics(registry),
          lateApprovalMetrics: promLateApprovalMetrics(registry),
          crmChangeStreamMetrics: promCrmChangeStreamMetrics(registry),
          scheduleMetrics: promScheduleMetrics(registry),
          reconciliationMetrics: promReconciliationMetrics(registry),
          businessFiguresMetrics: promBusinessFiguresMetrics(registry),
        }
      : {}),
  });
  if (registry) promSchedulingBudgetMetrics(registry, () => systemApis.scheduling.rateBudget());
  // Figures read from the store on a schedule, so that no scrape runs a query of its own.
  if (registry) {
    const sampler = gaugeSampler(registry, { everyMs: config.jobs.metricsSampleEveryMs, logger: logger.child({ component: 'metrics' }) });
    sampleCursorFreshness(sampler, store.db);
    samplePostingBacklog(sampler, store.db);
    sampler.start();
    closers.push(() => sampler.stop());
  }
  const processApis: ProcessApis = { ...processLayer.apis, ...given.processApis };
  // Delivers the outbox's business events to webhook subscriptions (and retries, and replays).
  const dispatcher = new EventDispatcher({
    store,
    logger: logger.child({ component: 'events' }),
    allowPrivateUrls: config.store.webhookAllowPrivateUrls,
    requireHttps: config.runtime.nodeEnv === 'production',
    ...(registry ? { metrics: promEventMetrics(registry) } : {}),
  });
  // Tests that drive their own workflow engine on the same store turn the layer's off.
  if (options.startJourneys !== false) {
    processLayer.start();
    closers.push(() => processLayer.stop());
    dispatcher.start();
    closers.push(() => dispatcher.stop());
  }
  return {
    sandboxUrls: platforms.sandboxUrls,
    layers: { infra, systemApis, processApis, shape: { journeys: processLayer.journeys, webhookSources: processLayer.webhookSources } },
    webhooks: processLayer.webhooks,
    gatewayListening(gatewayUrl: string) {
      // The CRM's change events come by webhook only from a relay; streaming needs no subscription.
      const relayed = processLayer.webhookSources.filter(
        (source) => source !== 'crm' || config.platforms.crm.changeEvents.mode === 'relay',
      );
      subscribeInbox(platforms, relayed, gatewayUrl);
      // Only the sandboxes the layer talks to: a platform with a base URL of its own is not one.
      const used = Object.fromEntries(
        Object.entries(platforms.sandboxUrls).filter(([p]) => !config.platforms[p as keyof typeof platforms.sandboxUrls].baseUrl),
      );
      if (Object.keys(used).length === 0) return;
      try {
        const removeFile = writeSandboxesFile(config.runtime.varDir, used, gatewayUrl);
        closers.push(async () => removeFile());
      } catch (err) {
        logger.warn(
          { err: String(err), varDir: config.runtime.varDir },
          'could not write sandboxes.json; npm run demo then needs the sandbox URLs as flags',
        );
      }
    },
    async close() {
      for (const close of closers.reverse()) {
        try {
          await close();
        } catch (err) {
          logger.error({ err: String(err) }, 'error while closing a layer');
        }
      }
    },
  };
}

/** Points the platforms whose webhooks the inbox verifies (and the journeys consume) at the gateway. */
function subscribeInbox(platforms: Platforms, sources: readonly ProcessLayer['webhookSources'][number][], gatewayUrl: string): void {
  for (const source of sources) platforms.subscribeWebhooks(source, `${gatewayUrl}/webhooks/${source}`);
}
