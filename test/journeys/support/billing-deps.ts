// Builds time-to-billing's dependencies from platform URLs: the real ERP and Time system
// APIs on their connectors, as the composition root would. Shared by the test harness and
// the worker process that a test kills mid-run.
import { pino } from 'pino';
import { loadRegionalRules } from '../../../core/regional/rules.js';
import type { Store } from '../../../core/store/index.js';
import { BreakerRegistry } from '../../../core/resilience/breakers.js';
import { WorkflowEngine, type WorkflowMetrics } from '../../../core/workflows/index.js';
import { timeToBillingWorkflows, type TimeToBillingDeps } from '../../../process-apis/time-to-billing/index.js';
import { SANDBOX_ERP_CLIENT_ID } from '../../../sandboxes/erp/index.js';
import { devM2m } from '../../support/netsuite-m2m.js';
import { TIME_SANDBOX_ACCOUNT_ID, TIME_SANDBOX_TOKEN } from '../../../sandboxes/time/index.js';
import { ErpConnector } from '../../../system-apis/erp/connector.js';
import { createErpSystemApi, type ErpSystemApi } from '../../../system-apis/erp/service.js';
import { TimeConnector } from '../../../system-apis/time/connector.js';
import { createTimeSystemApi, type TimeSystemApi } from '../../../system-apis/time/service.js';

export interface PlatformApis {
  erp: ErpSystemApi;
  time?: TimeSystemApi;
  close(): Promise<void>;
}

export function platformApis(store: Store, urls: { erp: string; time?: string }): PlatformApis {
  const logger = pino({ level: 'silent' });
  const erpConnector = new ErpConnector({
    baseUrl: urls.erp,
    clientId: SANDBOX_ERP_CLIENT_ID,
    m2m: devM2m(),
    timeoutMs: 5_000,
    client: { backoff: { baseMs: 5, capMs: 50 }, breaker: { consecutiveFailures: 100_000 } },
  });
  const timeConnector = urls.time
    ? new TimeConnector({
        baseUrl: urls.time,
        accessToken: TIME_SANDBOX_TOKEN,
        accountId: TIME_SANDBOX_ACCOUNT_ID,
        timeoutMs: 5_000,
        backoff: { baseMs: 5, capMs: 50 },
        breaker: { consecutiveFailures: 100_000 },
      })
    : undefined;
  return {
    erp: createErpSystemApi({ connector: erpConnector, store, logger }),
    ...(timeConnector ? { time: createTimeSystemApi({ connector: timeConnector, store, logger }) } : {}),
    async close() {
      await erpConnector.close();
      await timeConnector?.close();
    },
  };
}

export function billingEngine(deps: TimeToBillingDeps, options: { workerId?: string; metrics?: WorkflowMetrics } = {}): WorkflowEngine {
  return new WorkflowEngine({
    store: deps.store,
    definitions: timeToBillingWorkflows(deps),
    logger: pino({ level: 'silent' }),
    pollMs: 20,
    leaseMs: 1_500,
    heartbeatMs: 300,
    breakers: new BreakerRegistry({ threshold: 5, halfOpenAfterMs: 200 }),
    ...(options.workerId ? { workerId: options.workerId } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
}

export const billingRules = () => loadRegionalRules();

/** Short back-offs so that a test under faults settles in seconds. */
export const TEST_RETRY = { maxAttempts: 40, baseDelayMs: 20, maxDelayMs: 500 };
