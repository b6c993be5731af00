// Starts what the billing journeys need for a test: the ERP sandbox behind the real ERP
// system API, a Time stand-in, the workflow engine, and the gateway serving the process
// (and portal) contracts on port 0, on a fresh store of the given engine.
import { join } from 'node:path';
import { pino } from 'pino';
import { bundleContract, describeContract, PROJECT_ROOT } from '../../../core/contracts/catalogue.js';
import type { ApiContract } from '../../../core/contracts/types.js';
import { loadRegionalRules } from '../../../core/regional/rules.js';
import type { Store } from '../../../core/store/index.js';
import { WorkflowEngine } from '../../../core/workflows/index.js';
import type { ApiModule } from '../../../gateway/api-module.js';
import { createTimeToBillingApi, timeToBillingModule, timeToBillingWorkflows, type TimeToBillingApi } from '../../../process-apis/time-to-billing/index.js';
import { erpSandbox, SANDBOX_ERP_CLIENT_ID, SANDBOX_ERP_CLIENT_SECRET, type ErpState } from '../../../sandboxes/erp/index.js';
import { createSandboxApp, listen, type RunningSandbox, type SandboxApp } from '../../../sandboxes/kit/index.js';
import type { Client, Engagement, LegalEntity, RateCard } from '../../../system-apis/erp/canonical.js';
import { ErpConnector } from '../../../system-apis/erp/connector.js';
import { createErpSystemApi, type ErpSystemApi } from '../../../system-apis/erp/service.js';
import { migratedStore, type TestEngine } from '../../support/stores.js';
import { bearer, makeKey, startGateway, startJwks, token, type SigningKey, type TestGateway, type TestJwks } from '../../gateway/support.js';
import { TimeDouble } from './time-double.js';

export interface ContractRef {
  layer: 'gateway' | 'system' | 'process' | 'experience';
  api: string;
  major: number;
}

export async function catalogueOf(refs: ContractRef[]): Promise<ApiContract[]> {
  return Promise.all(
    [{ layer: 'gateway' as const, api: 'gateway', major: 1 }, ...refs].map(async (r) => {
      const file = `openapi/${r.layer}/${r.api}.v${r.major}.yaml`;
      return describeContract({ ...r, file }, await bundleContract(join(PROJECT_ROOT, file), file));
    }),
  );
}

export interface BillingHarness {
  store: Store;
  sandbox: SandboxApp<ErpState>;
  erpUrl: string;
  erp: ErpSystemApi;
  time: TimeDouble;
  billing: TimeToBillingApi;
  engine: WorkflowEngine;
  gateway: TestGateway;
  key: SigningKey;
  headers(scope: string, claims?: Record<string, unknown>): Promise<Record<string, string>>;
  /** A new engine on the same store (a restarted process); the old one must be stopped first. */
  restartEngine(): WorkflowEngine;
  close(): Promise<void>;
}

export async function startBillingHarness(engine: TestEngine, options: { modules?: ApiModule[]; contracts?: ContractRef[]; services?: Record<string, unknown> } = {}): Promise<BillingHarness> {
  const sandbox = createSandboxApp(erpSandbox);
  const running: RunningSandbox = await listen(sandbox.app);
  const store = await migratedStore(engine);
  const logger = pino({ level: 'silent' });
  const connector = new ErpConnector({
    baseUrl: running.url, clientId: SANDBOX_ERP_CLIENT_ID, clientSecret: SANDBOX_ERP_CLIENT_SECRET, timeoutMs: 2_000,
    client: { backoff: { baseMs: 5, capMs: 20 }, breaker: { consecutiveFailures: 100_000 } },
  });
  const erp = createErpSystemApi({ connector, store, logger });
  const time = new TimeDouble();
  const rules = loadRegionalRules();
  const deps = { store, erp, time, rules, holdRecheckMs: 200 };
  const definitions = timeToBillingWorkflows(deps);
  const makeEngine = () => new WorkflowEngine({ store, definitions, logger, pollMs: 20, leaseMs: 1_500, heartbeatMs: 300 });
  let workflows = makeEngine();
  const billing = createTimeToBillingApi({ ...deps, engine: { startRun: (...a: Parameters<WorkflowEngine['startRun']>) => workflows.startRun(...a) } });
  workflows.start();
  const key = await makeKey();
  const jwks: TestJwks = await startJwks([key]);
  const gateway = await startGateway(jwks.url, {}, {
    catalogue: await catalogueOf([{ layer: 'process', api: 'time-to-billing', major: 1 }, ...(options.contracts ?? [])]),
    apis: [timeToBillingModule, ...(options.modules ?? [])],
    services: { store, erpSystem: erp, timeToBilling: billing, ...options.services },
  });
  return {
    store, sandbox, erpUrl: running.url, erp, time, billing, gateway, key,
    get engine() {
      return workflows;
    },
    async headers(scope, claims) {
      return bearer(await token({ key, scope, clientId: 'billing-test', ...(claims ? { claims } : {}) }));
    },
    restartEngine() {
      workflows = makeEngine();
      workflows.start();
      return workflows;
    },
    async close() {
      await workflows.stop();
      await gateway.close();
      await jwks.close();
      await connector.close();
      await running.close();
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
export async function createBillableProject(erp: ErpSystemApi, country: 'GB' | 'DE' | 'US', name: string, extra: { billingHold?: boolean; taxId?: string } = {}): Promise<BillableProject> {
  const legalEntity = (await erp.listLegalEntities({ limit: 200 })).items.find((e) => e.country === country)!;
  const rateCard = (await erp.listRateCards({ limit: 200, legalEntityId: legalEntity.id })).items[0]!;
  const { client } = await erp.findOrCreateClient({
    name, billingCountry: country, legalEntityId: legalEntity.id, domain: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example`, ...(extra.taxId ? { taxId: extra.taxId } : {}),
  });
  const engagement = await erp.createProject({
    clientId: client.id, name: `${name} delivery`, billingModel: 'time-and-materials', currency: legalEntity.baseCurrency, legalEntityId: legalEntity.id,
    rateCardId: rateCard.id, startDate: '2026-01-01', status: 'active', ...(extra.billingHold ? { billingHold: true } : {}),
  });
  return { engagement, client, legalEntity, rateCard };
}
