// The time entry feed as the whole layer runs it (gateway, process layer, its poller and inbox):
// a week approved in Harvest after November was billed reaches a further November invoice in ERP
// with no call to the layer, on each store engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeToBillingModule } from '../../process-apis/time-to-billing/index.js';
import { createSandboxApp, listen, type RunningSandbox, type SandboxApp } from '../../sandboxes/kit/index.js';
import { createTimeSandbox, type TimeState } from '../../sandboxes/time/index.js';
import { makeKey, startGateway, startJwks, type TestGateway, type TestJwks } from '../gateway/support.js';
import { testEngines } from '../support/stores.js';
import { catalogueOf, createBillableProject } from './support/billing-harness.js';
import { harvestWeek } from './support/billing-platforms.js';
import { until } from './support/http.js';
import { SandboxTimeWork } from './support/time-work.js';

const NOVEMBER = { periodStart: '2026-11-01', periodEnd: '2026-11-30' };

describe.each(testEngines().map((e) => [e.name, e] as const))('late approvals through the running layer on %s', (_name, engine) => {
  let jwks: TestJwks;
  let timeApp: SandboxApp<TimeState>;
  let time: RunningSandbox;
  let layer: TestGateway;

  beforeAll(async () => {
    jwks = await startJwks([await makeKey()]);
    // The test polls ten times a second, past Harvest's 100 requests per 15 s: its account may read more.
    timeApp = createSandboxApp(createTimeSandbox({ rateLimit: { requests: 100_000, windowSeconds: 15 } }));
    time = await listen(timeApp.app);
    layer = await startGateway(
      jwks.url,
      { SANDBOXES: 'embedded', DATABASE_URL: await engine.freshUrl(), TIME_BASE_URL: time.url, TIME_POLL_INTERVAL_MS: '100' },
      { catalogue: await catalogueOf([{ layer: 'process', api: 'time-to-billing', major: 1 }]), apis: [timeToBillingModule] },
    );
  }, 120_000);
  afterAll(async () => {
    await layer?.close();
    await time?.close();
    await jwks?.close();
    await engine.cleanup();
  });

  it('bills a week approved after its period was billed on a further invoice, once', { timeout: 180_000 }, async () => {
    const { erp } = layer.layers.systemApis;
    const store = layer.layers.infra.store;
    const billing = layer.layers.processApis.timeToBilling;
    const project = await createBillableProject(erp, 'GB', 'Late Ledger Works Ltd');
    const work = new SandboxTimeWork(timeApp, store, time.url);
    const row = await work.linkProject(project.engagement.id, 'Late Ledger Works');
    work.addEntry({ projectRow: row, role: 'consultant', workDate: '2026-11-03', minutes: 360, hours: 6 });
    const late = work.addEntry({ projectRow: row, role: 'consultant', workDate: '2026-11-18', minutes: 93, hours: 1.55, approved: false });
    await work.approveWeeks();
    const { run } = await billing.startRun({ ...NOVEMBER, engagementId: project.engagement.id }, 'api');
    await until(
      () => billing.getRun(run.id),
      (r) => r.status === 'succeeded',
      'November run',
    );
    const invoices = async () => (await erp.listInvoices({ engagementId: project.engagement.id, limit: 10 })).items;
    expect(await invoices()).toHaveLength(1);

    await harvestWeek(time.url, late.userId, '2026-11-18', 'submit', 'approve');
    const billed = await until(
      async () => (await invoices()).filter((i) => i.status !== 'draft'),
      (items) => items.length === 2,
      'a further November invoice',
    );
    const further = billed.find((i) => i.lines.length === 1 && i.lines[0]!.sources?.length === 1);
    expect(further, JSON.stringify(billed)).toBeDefined();
    // Several more polls read nothing new and start nothing.
    const runs = async () =>
      (await store.db.selectFrom('workflow_runs').select('run_key').where('run_key', 'like', '%:late-%').execute()).length;
    expect(await runs()).toBe(1);
    const recorded = async () =>
      (await store.db.selectFrom('change_cursors').select('caught_up_at_ms').where('stream', '=', 'time:time-entries').executeTakeFirst())
        ?.caught_up_at_ms;
    const before = Number(await recorded());
    await until(recorded, (at) => Number(at) > before + 300, 'three more polls');
    expect(await runs()).toBe(1);
    expect(await invoices()).toHaveLength(2);
  });
});
