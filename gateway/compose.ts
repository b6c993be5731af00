// The composition root: builds the one Services object handed to every API module, in
// dependency order, and closes it in reverse. Platform services are added here as their
// modules land (one line each), never imported as singletons by handlers.
import type { Config } from '../core/config/index.js';
import { createLogger } from '../core/observability/logger.js';
import type { Services } from '../core/services.js';
import { createStore } from '../core/store/index.js';
import { migrateToLatest } from '../core/store/migrate.js';
import type { Router } from 'express';
import { createJourneys } from '../process-apis/kit/journeys.js';
import { startPlatforms, unconfigured, type Platforms } from './platforms.js';
import { writeSandboxesFile } from './sandboxes-file.js';

/** What compose() builds today. */
type Composed =
  | 'config'
  | 'logger'
  | 'store'
  | 'crmSystem'
  | 'erpSystem'
  | 'schedulingSystem'
  | 'timeSystem'
  | 'opportunityToProject'
  | 'billingStatusToCrm'
  | 'timeToBilling'
  | 'clientBilling'
  | 'assignmentToForecast';
type NotYetComposed = Exclude<keyof Services, Composed>;

/**
 * Services whose modules augment Services but whose factories are not wired here yet: each
 * answers 503 on use, naming what is missing. When a module adds a service, this list fails
 * to type-check until the service is either wired in compose() or listed here.
 */
const NOT_YET_COMPOSED = [] as const satisfies readonly NotYetComposed[];
type Unlisted = Exclude<NotYetComposed, (typeof NOT_YET_COMPOSED)[number]>;
const everyServiceAccountedFor: [Unlisted] extends [never] ? true : Unlisted = true;
void everyServiceAccountedFor;

function pendingServices(): Pick<Services, NotYetComposed> {
  // The cast is the point of the list above: each entry is a stand-in that refuses every call.
  return Object.fromEntries(
    NOT_YET_COMPOSED.map((name) => [name, unconfigured(name, `its factory in gateway/compose.ts`)]),
  ) as unknown as Pick<Services, NotYetComposed>;
}

export interface Composition {
  services: Services;
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

export async function compose(
  config: Config,
  given: Partial<Services> = {},
  options: { startJourneys?: boolean } = {},
): Promise<Composition> {
  const closers: Array<() => Promise<void>> = [];
  const logger = given.logger ?? createLogger(config.runtime);
  let store = given.store;
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
  const platforms = await startPlatforms(config, store, logger).catch(async (err: unknown) => {
    for (const close of closers.reverse()) await close();
    throw err;
  });
  closers.push(() => platforms.close());
  const base: Omit<Services, 'opportunityToProject' | 'billingStatusToCrm' | 'timeToBilling' | 'clientBilling' | 'assignmentToForecast'> = {
    ...pendingServices(),
    ...platforms.services,
    config,
    logger,
    store,
  };
  // The journeys share one workflow engine and one inbox; they start after every service exists.
  const journeys = createJourneys({ ...base, ...given } as typeof base);
  // What the caller handed in (tests' fakes) still wins over what compose() built.
  const services: Services = Object.assign({ ...base, ...journeys.services }, given);
  // Tests that drive their own workflow engine on the same store turn the layer's off.
  if (options.startJourneys !== false) {
    journeys.start();
    closers.push(() => journeys.stop());
  }
  return {
    sandboxUrls: platforms.sandboxUrls,
    webhooks: journeys.webhooks,
    gatewayListening(gatewayUrl: string) {
      subscribeInbox(platforms, gatewayUrl);
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
    services,
    async close() {
      for (const close of closers.reverse()) {
        try {
          await close();
        } catch (err) {
          logger.error({ err: String(err) }, 'error while closing a service');
        }
      }
    },
  };
}

/** The platforms whose webhooks the inbox verifies and the journeys consume. */
const INBOX_SOURCES = ['crm', 'erp', 'scheduling'] as const;

function subscribeInbox(platforms: Platforms, gatewayUrl: string): void {
  for (const source of INBOX_SOURCES) platforms.subscribeWebhooks(source, `${gatewayUrl}/webhooks/${source}`);
}
