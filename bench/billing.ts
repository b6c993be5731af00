// Billing benchmark: time-to-billing over 10,000 and 100,000 approved entries against the ERP
// and Time sandboxes, through the real ERP and Time system APIs and the durable workflow
// engine, on SQLite (or PostgreSQL with --pg <url>). Prints entries/s per size and the
// 100k/10k time ratio (linear is 10; the target is ≤ 11). Entries per engagement are fixed
// (--per), so the larger run has ten times the engagements, invoices and entries.
// `npm run bench -- billing [--sizes 10000,100000] [--per 1000] [--pg url]`
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { loadRegionalRules } from '../core/regional/rules.js';
import { BreakerRegistry } from '../core/resilience/breakers.js';
import { createStore, type Store } from '../core/store/index.js';
import { migrateToLatest } from '../core/store/migrate.js';
import { WorkflowEngine } from '../core/workflows/index.js';
import { link } from '../core/xref/index.js';
import { createTimeToBillingApi, timeToBillingWorkflows } from '../process-apis/time-to-billing/index.js';
import { erpSandbox, SANDBOX_ERP_CLIENT_ID, SANDBOX_ERP_CLIENT_SECRET } from '../sandboxes/erp/index.js';
import { createSandboxApp, listen } from '../sandboxes/kit/index.js';
import { createTimeSandbox, TIME_SANDBOX_ACCOUNT_ID, TIME_SANDBOX_TOKEN } from '../sandboxes/time/index.js';
import { dayNumber, EntryTable, FLAG } from '../sandboxes/time/entry-table.js';
import { touch } from '../sandboxes/time/state.js';
import { ErpConnector } from '../system-apis/erp/connector.js';
import { createErpSystemApi } from '../system-apis/erp/service.js';
import { TimeConnector } from '../system-apis/time/connector.js';
import { roleCode } from '../system-apis/time/mapping.js';
import { createTimeSystemApi } from '../system-apis/time/service.js';

const ROLES = ['analyst', 'consultant', 'senior-consultant', 'manager'];
const COUNTRIES = ['GB', 'DE', 'US'] as const;

interface Result {
  entries: number;
  engagements: number;
  seconds: number;
  entriesPerSec: number;
  invoices: number;
  billedEntries: number;
}

async function openStore(pgUrl: string | undefined): Promise<{ store: Store; cleanup(): Promise<void> }> {
  if (pgUrl) {
    const schema = `bench_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const url = new URL(pgUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const store = createStore({ databaseUrl: url.toString(), poolMax: 10 });
    return { store, async cleanup() { await store.close(); await admin.query(`DROP SCHEMA ${schema} CASCADE`); await admin.end(); } };
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-billing-'));
  const store = createStore({ databaseUrl: `sqlite:${join(dir, 'layer.db')}` });
  return { store, async cleanup() { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
}

async function billOnce(total: number, perEngagement: number, pgUrl: string | undefined): Promise<Result> {
  const logger = pino({ level: 'silent' });
  const { store, cleanup } = await openStore(pgUrl);
  await migrateToLatest(store);
  const erpApp = createSandboxApp(erpSandbox);
  const erpRunning = await listen(erpApp.app);
  const timeApp = createSandboxApp(createTimeSandbox({ rateLimit: { requests: 1_000_000_000, windowSeconds: 1 } }));
  const timeRunning = await listen(timeApp.app);
  const erpConnector = new ErpConnector({ baseUrl: erpRunning.url, clientId: SANDBOX_ERP_CLIENT_ID, clientSecret: SANDBOX_ERP_CLIENT_SECRET, timeoutMs: 30_000 });
  const timeConnector = new TimeConnector({ baseUrl: timeRunning.url, accessToken: TIME_SANDBOX_TOKEN, accountId: TIME_SANDBOX_ACCOUNT_ID, timeoutMs: 30_000 });
  const erp = createErpSystemApi({ connector: erpConnector, store, logger });
  const time = createTimeSystemApi({ connector: timeConnector, store, logger });
  try {
    // Only the benchmark's own work in Time: the seeded entries are dropped.
    const state = timeApp.ctx.state();
    state.entries = new EntryTable(total + 16);
    state.expenses = [];
    touch(state);
    const engagements = Math.ceil(total / perEngagement);
    const entities = (await erp.listLegalEntities({ limit: 200 })).items;
    let made = 0;
    for (let i = 0; i < engagements; i++) {
      const country = COUNTRIES[i % COUNTRIES.length]!;
      const entity = entities.find((e) => e.country === country)!;
      const card = (await erp.listRateCards({ limit: 200, legalEntityId: entity.id })).items[0]!;
      const { client } = await erp.findOrCreateClient({ name: `Bench Client ${i + 1}`, billingCountry: country, legalEntityId: entity.id, domain: `bench-client-${i + 1}.example` });
      const project = await erp.createProject({
        clientId: client.id, name: `Bench engagement ${i + 1}`, billingModel: 'time-and-materials', currency: entity.baseCurrency, legalEntityId: entity.id,
        rateCardId: card.id, startDate: '2026-01-01', status: 'active',
      });
      const row = state.projects.length;
      const nativeProject = 14_900_001 + row;
      state.projects.push({ id: nativeProject, name: project.name, code: null, client: 0, billable: true, active: true, createdAt: Date.now(), updatedAt: Date.now() });
      await link(store.db, { canonicalId: project.id, entityType: 'engagement', platform: 'time', nativeId: String(nativeProject) });
      for (let k = 0; k < perEngagement && made < total; k++, made++) {
        const task = state.tasks.findIndex((t) => roleCode(t.name) === ROLES[k % ROLES.length]);
        const user = k % state.users.length;
        state.entries.add({
          day: dayNumber(`2026-11-${String(1 + (k % 30)).padStart(2, '0')}`), user, project: row, task, hours: (1 + (k % 32)) / 4,
          flags: FLAG.billable | FLAG.locked | FLAG.closed, approval: 2, billableRate: state.users[user]!.billableRate, costRate: state.users[user]!.costRate,
          createdAt: Date.now(), notes: null,
        });
      }
    }
    touch(state);

    const deps = { store, erp, time, rules: loadRegionalRules(), markConcurrency: 16 };
    const engine = new WorkflowEngine({ store, definitions: timeToBillingWorkflows(deps), logger, pollMs: 10, concurrency: 8, breakers: new BreakerRegistry({ threshold: 50, halfOpenAfterMs: 500 }) });
    const billing = createTimeToBillingApi({ ...deps, engine });
    engine.start();
    const started = performance.now();
    await billing.startRun({ periodStart: '2026-11-01', periodEnd: '2026-11-30' }, 'api');
    for (;;) {
      const rows = await store.db.selectFrom('workflow_runs').select(['state']).execute();
      const open = rows.filter((r) => r.state !== 'completed' && r.state !== 'failed').length;
      if (rows.length >= engagements + 1 && open === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    await engine.stop();
    const failed = await store.db.selectFrom('workflow_runs').select(['id', 'error']).where('state', '=', 'failed').execute();
    if (failed.length) throw new Error(`${failed.length} billing runs failed, e.g. ${failed[0]!.error}`);
    const invoices = await store.db.selectFrom('ttb_invoices').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'marked').executeTakeFirstOrThrow();
    const billed = await store.db.selectFrom('ttb_allocations').select((eb) => eb.fn.countAll<number>().as('n')).where('marked', '=', 1).executeTakeFirstOrThrow();
    return { entries: total, engagements, seconds, entriesPerSec: total / seconds, invoices: Number(invoices.n), billedEntries: Number(billed.n) };
  } finally {
    await erpConnector.close();
    await timeConnector.close();
    await erpRunning.close();
    await timeRunning.close();
    await cleanup();
  }
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { sizes: { type: 'string', default: '10000,100000' }, per: { type: 'string', default: '1000' }, pg: { type: 'string' } } });
  const sizes = values.sizes.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
  const per = Number(values.per);
  const engine = values.pg ? 'postgres' : 'sqlite';
  console.log(`time-to-billing benchmark on ${engine}: ${sizes.join(' and ')} approved entries, ${per} per engagement, against the ERP and Time sandboxes`);
  const results: Result[] = [];
  for (const size of sizes) {
    const r = await billOnce(size, per, values.pg);
    results.push(r);
    console.log(
      `  ${String(r.entries).padStart(7)} entries, ${String(r.engagements).padStart(4)} engagements: ${r.seconds.toFixed(1)} s, ${Math.round(r.entriesPerSec)} entries/s; ` +
        `${r.invoices} invoices, ${r.billedEntries} entries billed${r.billedEntries === r.entries ? '' : ' (MISMATCH)'}`,
    );
  }
  if (results.length >= 2) {
    const [small, large] = [results[0]!, results[results.length - 1]!];
    const ratio = large.seconds / small.seconds;
    const scale = large.entries / small.entries;
    console.log(`  time ratio ${large.entries}/${small.entries}: ${ratio.toFixed(2)} (linear ${scale}; target ≤ ${(scale * 1.1).toFixed(0)}) ${ratio <= scale * 1.1 ? 'OK' : 'ABOVE TARGET'}`);
  }
}
