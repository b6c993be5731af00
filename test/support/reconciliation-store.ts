// Reconciliation journeys on one fresh store per describe block, each on its own connection as
// another replica would be; the store is migrated before the tests and closed after them.
import { afterAll, beforeAll } from 'vitest';
import { loadConfig, type Config } from '../../core/config/index.js';
import { createLogger } from '../../core/observability/logger.js';
import { createStore, type Store } from '../../core/store/index.js';
import { migrateToLatest } from '../../core/store/migrate.js';
import type { ReconciliationCheck } from '../../process-apis/kit/reconciliation.js';
import { createReconciliation, type Reconciliation, type ReconciliationOptions } from '../../process-apis/reconciliation/index.js';
import type { TestEngine } from './stores.js';

export const RECONCILIATION_TEST_CONFIG = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });

/** Call inside a describe block: returns what opens a reconciliation (a replica) on the block's store. */
export function reconciliationsOnOneStore(engine: TestEngine) {
  const stores: Store[] = [];
  let url: string;
  beforeAll(async () => {
    url = await engine.freshUrl();
    const first = createStore({ databaseUrl: url });
    await migrateToLatest(first);
    await first.close();
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await engine.cleanup();
  });
  return (checks: ReconciliationCheck[], options: ReconciliationOptions = {}, config: Config = RECONCILIATION_TEST_CONFIG) => {
    const store = createStore({ databaseUrl: url });
    stores.push(store);
    const recon: Reconciliation = createReconciliation({ config, logger: createLogger(config.runtime), store }, checks, options);
    return Object.assign(recon, { store });
  };
}
