// Child process for the restart test: runs the CRM journeys' workflows against the test's
// sandboxes on the shared store until SIGTERM, or until SIGKILL (a process dying mid-run).
import { loadConfig } from '../../../core/config/index.js';
import { createLogger } from '../../../core/observability/logger.js';
import { createStore } from '../../../core/store/index.js';
import { startPlatforms } from '../../../gateway/platforms.js';
import { createProcessApis } from '../../../process-apis/index.js';

const [databaseUrl, crm, erp, scheduling, time, workerId] = process.argv.slice(2) as [string, string, string, string, string, string];
const config = loadConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  CRM_BASE_URL: crm,
  ERP_BASE_URL: erp,
  SCHEDULING_BASE_URL: scheduling,
  TIME_BASE_URL: time,
  SANDBOXES: 'off',
});
const logger = createLogger(config.runtime);
const store = createStore({ databaseUrl, poolMax: 4 });
const platforms = await startPlatforms(config, store, logger);
const journeys = createProcessApis({ config, logger, store }, platforms.systemApis, {
  engine: { workerId, pollMs: 20, leaseMs: 1_500, heartbeatMs: 300 },
  reconcileEveryMs: 0,
});
journeys.engine.start();
process.send?.('ready');
process.on('SIGTERM', () => {
  void journeys
    .stop()
    .then(() => platforms.close())
    .then(() => store.close())
    .then(() => process.exit(0));
});
