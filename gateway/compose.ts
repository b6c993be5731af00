// The composition root: builds the one Services object handed to every API module, in
// dependency order, and closes it in reverse. Platform services are added here as their
// modules land (one line each), never imported as singletons by handlers.
import type { Config } from '../core/config/index.js';
import { createLogger } from '../core/observability/logger.js';
import type { Services } from '../core/services.js';
import { createStore } from '../core/store/index.js';
import { migrateToLatest } from '../core/store/migrate.js';

export interface Composition {
  services: Services;
  /** Closes what compose() opened (not what the caller handed in), last opened first. */
  close(): Promise<void>;
}

export async function compose(config: Config, given: Partial<Services> = {}): Promise<Composition> {
  const closers: Array<() => Promise<void>> = [];
  const logger = given.logger ?? createLogger(config.runtime);
  let store = given.store;
  if (!store) {
    const opened = createStore({ databaseUrl: config.store.databaseUrl, varDir: config.runtime.varDir, poolMax: config.store.databasePoolMax });
    closers.push(() => opened.close());
    try {
      await migrateToLatest(opened);
    } catch (err) {
      await opened.close();
      throw err;
    }
    store = opened;
  }
  const services: Services = { ...given, config, logger, store };
  return {
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
