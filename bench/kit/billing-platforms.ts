// What the billing and reconciliation benchmarks share: the ERP and Time sandboxes (Harvest's rate
// limit lifted, so a figure is the layer's own cost) behind the real ERP and Time system APIs, and
// a billable engagement opened in ERP with its Harvest project and approved November entries.
import { pino } from 'pino';
import { erpM2mConfig } from '../../core/config/erp-m2m.js';
import type { Store } from '../../core/store/index.js';
import { link } from '../../core/xref/index.js';
import { erpSandbox, SANDBOX_ERP_CLIENT_ID } from '../../sandboxes/erp/index.js';
import { createSandboxApp, listen, type SandboxApp, type SeedSize } from '../../sandboxes/kit/index.js';
import { createTimeSandbox, TIME_SANDBOX_ACCOUNT_ID, TIME_SANDBOX_TOKEN, type TimeState } from '../../sandboxes/time/index.js';
import { dayNumber, FLAG } from '../../sandboxes/time/entry-table.js';
import { ErpConnector } from '../../system-apis/erp/connector.js';
import { createErpSystemApi, type ErpSystemApi } from '../../system-apis/erp/service.js';
import { TimeConnector } from '../../system-apis/time/connector.js';
import { roleCode } from '../../system-apis/time/mapping.js';
import { createTimeSystemApi, type TimeSystemApi } from '../../system-apis/time/service.js';

const ROLES = ['analyst', 'consultant', 'senior-consultant', 'manager'];
const COUNTRIES = ['GB', 'DE', 'US'] as const;

export interface BillingPlatforms {
  erp: ErpSystemApi;
  time: TimeSystemApi;
  timeApp: SandboxApp<TimeState>;
  close(): Promise<void>;
}

export async function startBillingPlatforms(store: Store, seed: SeedSize = 'small', timeoutMs = 30_000): Promise<BillingPlatforms> {
  const logger = pino({ level: 'silent' });
  const erpRunning = await listen(createSandboxApp(erpSandbox, { seed }).app);
  const timeApp = createSandboxApp(createTimeSandbox({ rateLimit: { requests: 1_000_000_000, windowSeconds: 1 } }), { seed });
  const timeRunning = await listen(timeApp.app);
  const erpConnector = new ErpConnector({
    baseUrl: erpRunning.url,
    clientId: SANDBOX_ERP_CLIENT_ID,
    m2m: erpM2mConfig({}, false),
    timeoutMs,
  });
  const timeConnector = new TimeConnector({
    baseUrl: timeRunning.url,
    accessToken: TIME_SANDBOX_TOKEN,
    accountId: TIME_SANDBOX_ACCOUNT_ID,
    timeoutMs,
  });
  return {
    erp: createErpSystemApi({ connector: erpConnector, store, logger }),
    time: createTimeSystemApi({ connector: timeConnector, store, logger }),
    timeApp,
    async close() {
      await erpConnector.close();
      await timeConnector.close();
      await erpRunning.close();
      await timeRunning.close();
    },
  };
}

/**
 * Engagement `i`: a client and a time-and-materials project in ERP (GB, DE, US in turn), a Harvest
 * project linked to it as provisioning links it, and `entries` approved billable November entries
 * whose hours come from `hoursOf(k)`. Call `touch(state)` once all are added.
 */
export async function openBillableEngagement(
  platforms: BillingPlatforms,
  store: Store,
  i: number,
  entries: number,
  hoursOf: (k: number) => number,
  label = 'Bench',
): Promise<string> {
  const { erp } = platforms;
  const state = platforms.timeApp.ctx.state();
  const country = COUNTRIES[i % COUNTRIES.length]!;
  const entity = (await erp.listLegalEntities({ limit: 200 })).items.find((e) => e.country === country)!;
  const card = (await erp.listRateCards({ limit: 200, legalEntityId: entity.id })).items[0]!;
  const slug = label.toLowerCase().replace(/\W+/g, '-');
  const { client } = await erp.findOrCreateClient({
    name: `${label} Client ${i + 1}`,
    billingCountry: country,
    legalEntityId: entity.id,
    domain: `${slug}-client-${i + 1}.example`,
  });
  const project = await erp.createProject({
    clientId: client.id,
    name: `${label} engagement ${i + 1}`,
    billingModel: 'time-and-materials',
    currency: entity.baseCurrency,
    legalEntityId: entity.id,
    rateCardId: card.id,
    startDate: '2026-01-01',
    status: 'active',
  });
  const row = state.projects.length;
  const nativeProject = 14_900_001 + row;
  const now = Date.now();
  state.projects.push({
    id: nativeProject,
    name: project.name,
    code: null,
    client: 0,
    billable: true,
    active: true,
    createdAt: now,
    updatedAt: now,
  });
  await link(store.db, { canonicalId: project.id, entityType: 'engagement', platform: 'time', nativeId: String(nativeProject) });
  for (let k = 0; k < entries; k++) {
    const user = k % state.users.length;
    state.entries.add({
      day: dayNumber(`2026-11-${String(1 + (k % 30)).padStart(2, '0')}`),
      user,
      project: row,
      task: state.tasks.findIndex((t) => roleCode(t.name) === ROLES[k % ROLES.length]),
      hours: hoursOf(k),
      flags: FLAG.billable | FLAG.locked | FLAG.closed,
      approval: 2,
      billableRate: state.users[user]!.billableRate,
      costRate: state.users[user]!.costRate,
      createdAt: now,
      notes: null,
    });
  }
  return project.id;
}
