// Starts what the billing journeys need for a test: the ERP sandbox behind the real ERP
// system API, Time (the Time sandbox behind the real Time system API, or a stand-in), the
// workflow engine, and the gateway serving the process (and portal) contracts on port 0.
import { catalogueOf, type ContractRef } from '../../support/api-client.js';
import { createStore, type Store } from '../../../core/store/index.js';
import { migrateToLatest } from '../../../core/store/migrate.js';
import { promWorkflowMetrics, type WorkflowEngine } from '../../../core/workflows/index.js';
import { Registry } from 'prom-client';
import type { AnyApiModule } from '../../../gateway/apis.js';
import {
  createClientBillingView,
  createTimeToBillingApi,
  timeToBillingModule,
  type TimeForBilling,
  type TimeToBillingApi,
} from '../../../process-apis/time-to-billing/index.js';
import { erpSandbox, type ErpState } from '../../../sandboxes/erp/index.js';
import { createSandboxApp, listen, type RunningSandbox, type SandboxApp } from '../../../sandboxes/kit/index.js';
import { createTimeSandbox, type TimeState } from '../../../sandboxes/time/index.js';
import type { Client, Engagement, LegalEntity, RateCard } from '../../../system-apis/erp/canonical.js';
import type { ErpSystemApi } from '../../../system-apis/erp/service.js';
import type { TimeSystemApi } from '../../../system-apis/time/service.js';
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
import { billingEngine, billingRules, platformApis, TEST_RETRY } from './billing-deps.js';
import { TimeDouble } from './time-double.js';

// The catalogue helper lives with the other API test helpers; journeys import it from here too.
export { catalogueOf, type ContractRef } from '../../support/api-client.js';

export interface HarnessOptions {
  /** 'sandbox': the Harvest-shaped Time sandbox through the Time system API; default a stand-in. */
  time?: 'sandbox' | 'double';
  /** False: no engine in this process (a worker process runs the workflows). */
  inProcessEngine?: boolean;
  modules?: AnyApiModule[];
  contracts?: ContractRef[];
}

export interface BillingHarness {
  databaseUrl: string;
  store: Store;
  erpSandbox: SandboxApp<ErpState>;
  timeSandbox?: SandboxApp<TimeState>;
  urls: { erp: string; time?: string };
  erp: ErpSystemApi;
  time: TimeForBilling;
  /** The time system API itself, when Time is the sandbox (not the double). */
  timeApi?: TimeSystemApi;
  /** Set when Time is the stand-in. */
  timeDouble?: TimeDouble;
  billing: TimeToBillingApi;
  engine: WorkflowEngine;
  /** What the in-process engine reports (sync latency among it). */
  metrics: Registry;
  gateway: TestGateway;
  key: SigningKey;
  headers(scope: string, claims?: Record<string, unknown>): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export async function startBillingHarness(testEngine: TestEngine, options: HarnessOptions = {}): Promise<BillingHarness> {
  const erpApp = createSandboxApp(erpSandbox);
  const erpRunning: RunningSandbox = await listen(erpApp.app);
  let timeApp: SandboxApp<TimeState> | undefined;
  let timeRunning: RunningSandbox | undefined;
  if (options.time === 'sandbox') {
    timeApp = createSandboxApp(createTimeSandbox({ rateLimit: { requests: 1_000_000_000, windowSeconds: 1 } }));
    timeRunning = await listen(timeApp.app);
  }
  const databaseUrl = await testEngine.freshUrl();
  const store = createStore({ databaseUrl });
  await migrateToLatest(store);
  const urls = { erp: erpRunning.url, ...(timeRunning ? { time: timeRunning.url } : {}) };
  const apis = platformApis(store, urls);
  const timeDouble = apis.time ? undefined : new TimeDouble();
  const time: TimeForBilling = apis.time ?? timeDouble!;
  const deps = { store, erp: apis.erp, time, rules: billingRules(), holdRecheckMs: 200, retry: TEST_RETRY };
  const metrics = new Registry();
  const engine = billingEngine(deps, { metrics: promWorkflowMetrics(metrics) });
  const billing = createTimeToBillingApi({ ...deps, engine });
  if (options.inProcessEngine !== false) engine.start();
  const key = await makeKey();
  const jwks: TestJwks = await startJwks([key]);
  const gateway = await startGateway(
    jwks.url,
    {},
    {
      catalogue: await catalogueOf([{ layer: 'process', api: 'time-to-billing', major: 1 }, ...(options.contracts ?? [])]),
      apis: [timeToBillingModule, ...(options.modules ?? [])],
      layers: {
        infra: { store },
        systemApis: { erp: apis.erp, ...(apis.time ? { time: apis.time } : {}) },
        processApis: { timeToBilling: billing, clientBilling: createClientBillingView({ erp: apis.erp, time }) },
      },
      // The harness's engine (or a worker process) runs the workflows, never a second one in the gateway.
      startJourneys: false,
    },
  );
  return {
    databaseUrl,
    store,
    erpSandbox: erpApp,
    ...(timeApp ? { timeSandbox: timeApp } : {}),
    urls,
    erp: apis.erp,
    time,
    ...(timeDouble ? { timeDouble } : {}),
    ...(apis.time ? { timeApi: apis.time } : {}),
    billing,
    engine,
    metrics,
    gateway,
    key,
    async headers(scope, claims) {
      return bearer(await token({ key, scope, clientId: 'billing-test', ...(claims ? { claims } : {}) }));
    },
    async close() {
      await engine.stop();
      await gateway.close();
      await jwks.close();
      await apis.close();
      await erpRunning.close();
      await timeRunning?.close();
      await store.close();
    },
  };
}

export interface BillableProject {
  engagement: Engagement;
  client: Client;
  legalEntity: LegalEntity;
  rateCard: RateCard;
}

/** Creates a client and an active time-and-materials project in ERP, priced on the entity's standard card. */
export async function createBillableProject(
  erp: ErpSystemApi,
  country: 'GB' | 'DE' | 'US',
  name: string,
  extra: { billingHold?: boolean; taxId?: string } = {},
): Promise<BillableProject> {
  const legalEntity = (await erp.listLegalEntities({ limit: 200 })).items.find((e) => e.country === country)!;
  const rateCard = (await erp.listRateCards({ limit: 200, legalEntityId: legalEntity.id })).items[0]!;
  const { client } = await erp.findOrCreateClient({
    name,
    billingCountry: country,
    legalEntityId: legalEntity.id,
    domain: `${name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')}.example`,
    ...(extra.taxId ? { taxId: extra.taxId } : {}),
  });
  const engagement = await erp.createProject({
    clientId: client.id,
    name: `${name} delivery`,
    billingModel: 'time-and-materials',
    currency: legalEntity.baseCurrency,
    legalEntityId: legalEntity.id,
    rateCardId: rateCard.id,
    startDate: '2026-01-01',
    status: 'active',
    ...(extra.billingHold ? { billingHold: true } : {}),
  });
  return { engagement, client, legalEntity, rateCard };
}
