// Child process for the integrity test: runs the time-to-billing workflows against the
// sandboxes on a shared store until SIGTERM or SIGKILL (a process restart mid-run).
import { createStore } from '../../../core/store/index.js';
import { billingEngine, billingRules, platformApis, TEST_RETRY } from './billing-deps.js';

const [databaseUrl, erpUrl, timeUrl, workerId] = process.argv.slice(2) as [string, string, string, string];
const store = createStore({ databaseUrl, poolMax: 4 });
const apis = platformApis(store, { erp: erpUrl, time: timeUrl });
const engine = billingEngine(
  { store, erp: apis.erp, time: apis.time!, rules: billingRules(), holdRecheckMs: 200, retry: TEST_RETRY },
  { workerId },
);
engine.start();
process.on('SIGTERM', () => {
  void engine
    .stop()
    .then(() => apis.close())
    .then(() => store.close())
    .then(() => process.exit(0));
});
