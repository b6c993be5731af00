// Billing benchmark: time-to-billing over 10,000 and 100,000 approved entries against the ERP
// and Time sandboxes, through the real ERP and Time system APIs and the durable workflow
// engine, on SQLite (or PostgreSQL with --pg <url>). Prints entries/s per size and the
// 100k/10k time ratio (linear is 10; the target is ≤ 11). Entries per engagement are fixed
// (--per), so the larger run has ten times the engagements, invoices and entries.
// Then the CRM's create-project call (POST /experience/crm/v1/opportunities/{id}/project)
// through the real gateway with a signed token, once per won opportunity seeded in the CRM
// sandbox (--crm-calls, default 100; 0 skips it): p50/p99/max latency and 200 vs 202 answers.
// `npm run bench -- billing [--sizes 10000,100000] [--per 1000] [--concurrency 8] [--pg url] [--crm-calls 100]`
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
import { WorkflowEngine, type StepAttemptError } from '../core/workflows/index.js';
import { createTimeToBillingApi, timeToBillingWorkflows } from '../process-apis/time-to-billing/index.js';
import { EntryTable } from '../sandboxes/time/entry-table.js';
import { touch } from '../sandboxes/time/state.js';
import { openBillableEngagement, startBillingPlatforms } from './kit/billing-platforms.js';
import { callJson, idempotencyKey } from '../test/journeys/support/http.js';
import { startCrmHarness } from '../test/journeys/support/provisioning-harness.js';

interface Result {
  entries: number;
  engagements: number;
  seconds: number;
  entriesPerSec: number;
  /** CPU seconds of this process (layer, engine and both sandboxes) over the same span. */
  cpuSeconds: number;
  invoices: number;
  billedEntries: number;
  /** Seconds spent in each workflow step, summed over the runs (the period run's one step first). */
  steps: Array<{ name: string; seconds: number }>;
}

export async function openStore(pgUrl: string | undefined): Promise<{ store: Store; cleanup(): Promise<void> }> {
  if (pgUrl) {
    const schema = `bench_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const url = new URL(pgUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const store = createStore({ databaseUrl: url.toString(), poolMax: 10 });
    return {
      store,
      async cleanup() {
        await store.close();
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-billing-'));
  const store = createStore({ databaseUrl: `sqlite:${join(dir, 'layer.db')}` });
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function billOnce(total: number, perEngagement: number, runConcurrency: number, pgUrl: string | undefined): Promise<Result> {
  const logger = pino({ level: 'silent' });
  const { store, cleanup } = await openStore(pgUrl);
  await migrateToLatest(store);
  const platforms = await startBillingPlatforms(store);
  const { erp, time } = platforms;
  try {
    // Only the benchmark's own work in Time: the seeded entries are dropped.
    const state = platforms.timeApp.ctx.state();
    state.entries = new EntryTable(total + 16);
    state.expenses = [];
    touch(state);
    const engagements = Math.ceil(total / perEngagement);
    for (let i = 0, made = 0; i < engagements; i++, made += perEngagement)
      await openBillableEngagement(platforms, store, i, Math.min(perEngagement, total - made), (k) => (1 + (k % 32)) / 4);
    touch(state);

    const deps = { store, erp, time, rules: loadRegionalRules(), markConcurrency: 16 };
    const engine = new WorkflowEngine({
      store,
      definitions: timeToBillingWorkflows(deps),
      logger,
      pollMs: 10,
      concurrency: runConcurrency,
      breakers: new BreakerRegistry({ threshold: 50, halfOpenAfterMs: 500 }),
    });
    const billing = createTimeToBillingApi({ ...deps, engine });
    engine.start();
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    await billing.startRun({ periodStart: '2026-11-01', periodEnd: '2026-11-30' }, 'api');
    for (;;) {
      const rows = await store.db.selectFrom('workflow_runs').select(['state']).execute();
      const open = rows.filter((r) => r.state !== 'completed' && r.state !== 'failed').length;
      if (rows.length >= engagements + 1 && open === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    await engine.stop();
    const failed = await store.db.selectFrom('workflow_runs').select(['id', 'error']).where('state', '=', 'failed').execute();
    if (failed.length) throw new Error(`${failed.length} billing runs failed, e.g. ${failed[0]!.error}`);
    const invoices = await store.db
      .selectFrom('ttb_invoices')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'marked')
      .executeTakeFirstOrThrow();
    const billed = await store.db
      .selectFrom('ttb_allocations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('marked', '=', 1)
      .executeTakeFirstOrThrow();
    const stepRows = await store.db
      .selectFrom('workflow_steps')
      .select(['name', 'position', 'started_at_ms', 'finished_at_ms'])
      .where('state', '=', 'completed')
      .execute();
    const stepSeconds = new Map<string, { position: number; seconds: number }>();
    for (const r of stepRows) {
      const at =
        stepSeconds.get(r.name) ??
        stepSeconds.set(r.name, { position: r.name === 'start-engagement-runs' ? -1 : Number(r.position), seconds: 0 }).get(r.name)!;
      at.seconds += (Number(r.finished_at_ms) - Number(r.started_at_ms)) / 1000;
    }
    const steps = [...stepSeconds.entries()]
      .sort(([, a], [, b]) => a.position - b.position)
      .map(([name, v]) => ({ name, seconds: v.seconds }));
    return {
      entries: total,
      engagements,
      seconds,
      entriesPerSec: total / seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      invoices: Number(invoices.n),
      billedEntries: Number(billed.n),
      steps,
    };
  } finally {
    await platforms.close();
    await cleanup();
  }
}

interface CreateProjectResult {
  calls: number;
  statuses: Map<number, number>;
  /** Provisioning steps that needed more than one attempt: how many, and the last error seen. */
  retried: Array<{ step: string; runs: number; lastError: string }>;
  p50: number;
  p99: number;
  max: number;
  seconds: number;
}

/** The q-quantile (0..1) of ascending `sorted` by the nearest-rank method. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * The CRM v1 create-project call as the CRM makes it while a user waits: through the gateway
 * (JWT, rate limit, contract validation, idempotency) to opportunity-to-project, which provisions
 * against the four embedded sandboxes. Each call is for its own won opportunity, seeded in the
 * CRM sandbox beforehand through the CRM system API. The CRM's change webhooks are switched
 * off first, so that the call itself starts each provisioning, as it does when a user closes a
 * deal, rather than finding it already under way. Calls are made one after another.
 */
async function measureCreateProject(calls: number): Promise<CreateProjectResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-crm-'));
  const h = await startCrmHarness({
    name: 'sqlite',
    async freshUrl() {
      return `sqlite:${join(dir, 'layer.db')}`;
    },
    async cleanup() {},
  });
  try {
    const off = await fetch(`${h.sandboxUrls.crm}/_sandbox/webhooks`, { method: 'DELETE' });
    if (off.status !== 204) throw new Error(`could not switch off the CRM sandbox webhooks: ${off.status}`);
    const clients = (await h.systemApis.crm.listClients({ limit: 200 })).items;
    const terms = [
      { country: 'DE', currency: 'EUR' },
      { country: 'GB', currency: 'GBP' },
      { country: 'US', currency: 'USD' },
    ].flatMap((t) => {
      const client = clients.find((c) => c.billingCountry === t.country && c.defaultCurrency === t.currency);
      return client ? [{ ...t, clientId: client.id }] : [];
    });
    if (terms.length === 0) throw new Error('the CRM sandbox seed has no DE, GB or US client to open deals for');
    const won: string[] = [];
    for (let i = 0; i < calls; i++) {
      const t = terms[i % terms.length]!;
      const deal = await h.systemApis.crm.createOpportunity({
        clientId: t.clientId,
        name: `Bench deal ${i + 1}`,
        stage: 'closed-won',
        closeDate: '2026-11-20',
        amount: { amountMinor: 5_000_000 + i * 10_000, currency: t.currency },
        contractTerms: {
          billingModel: 'time-and-materials',
          startDate: '2026-12-01',
          endDate: '2027-03-26',
          legalEntityCountry: t.country,
          rateCardCode: `RC-${t.country}-2026`,
        },
      });
      won.push(deal.id);
    }
    const auth = await h.headers('crm-app:write');
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    let firstUnexpected: string | undefined;
    const started = performance.now();
    for (const id of won) {
      const t0 = performance.now();
      const res = await callJson<unknown>(h.gateway.url, 'POST', `/experience/crm/v1/opportunities/${id}/project`, {
        ...auth,
        ...idempotencyKey(),
        Prefer: 'wait=10',
      });
      latencies.push(performance.now() - t0);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status !== 200 && res.status !== 202) firstUnexpected ??= `${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
    }
    const seconds = (performance.now() - started) / 1000;
    const retriedRows = await h.store.db
      .selectFrom('workflow_steps')
      .innerJoin('workflow_runs', 'workflow_runs.id', 'workflow_steps.run_id')
      .select(['workflow_steps.name', 'workflow_steps.errors'])
      .where('workflow_runs.definition', 'like', 'opportunity-to-project%')
      .where('workflow_steps.attempts', '>', 1)
      .execute();
    const retried = new Map<string, { runs: number; lastError: string }>();
    for (const r of retriedRows) {
      const errors = JSON.parse(r.errors) as StepAttemptError[];
      const last = errors[errors.length - 1];
      const at = retried.get(r.name) ?? retried.set(r.name, { runs: 0, lastError: '' }).get(r.name)!;
      at.runs += 1;
      if (last)
        at.lastError = `${last.message.slice(0, 160)}${last.retryAfterMs !== undefined ? ` (retry after ${last.retryAfterMs} ms)` : ''}`;
    }
    if (firstUnexpected) console.log(`  create-project: unexpected answer, e.g. ${firstUnexpected}`);
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      calls: won.length,
      statuses,
      retried: [...retried.entries()].map(([step, v]) => ({ step, ...v })),
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      max: sorted[sorted.length - 1]!,
      seconds,
    };
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      sizes: { type: 'string', default: '10000,100000' },
      per: { type: 'string', default: '1000' },
      pg: { type: 'string' },
      concurrency: { type: 'string', default: '8' },
      'crm-calls': { type: 'string', default: '100' },
    },
  });
  const crmCalls = Number(values['crm-calls']);
  if (!Number.isInteger(crmCalls) || crmCalls < 0)
    throw new Error('--crm-calls takes a whole number (0 skips the create-project measurement)');
  const sizes = values.sizes
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  const per = Number(values.per);
  // Engagement runs the engine works on at once; 1 makes each step's summed time its wall time.
  const runConcurrency = Number(values.concurrency);
  if (!Number.isInteger(per) || per < 1 || !Number.isInteger(runConcurrency) || runConcurrency < 1)
    throw new Error('--per and --concurrency take whole numbers of at least 1');
  const engine = values.pg ? 'postgres' : 'sqlite';
  const results: Result[] = [];
  if (sizes.length > 0) {
    console.log(
      `time-to-billing on ${engine}: ${per} approved entries per engagement, ${runConcurrency} engagement runs at once, against the ERP and Time sandboxes`,
    );
    console.log('    entries  engagements  seconds  entries/s  CPU s  invoices  entries billed');
  }
  for (const size of sizes) {
    const r = await billOnce(size, per, runConcurrency, values.pg);
    results.push(r);
    console.log(
      `  ${String(r.entries).padStart(9)}  ${String(r.engagements).padStart(11)}  ${r.seconds.toFixed(1).padStart(7)}  ${String(Math.round(r.entriesPerSec)).padStart(9)}  ${r.cpuSeconds.toFixed(1).padStart(5)}` +
        `  ${String(r.invoices).padStart(8)}  ${String(r.billedEntries).padStart(14)}${r.billedEntries === r.entries ? '' : ' MISMATCH'}`,
    );
    // Step time per 1,000 entries: a step that grows faster than the work shows here first.
    console.log(
      `             step s per 1,000 entries, summed over runs: ${r.steps.map((st) => `${st.name} ${((st.seconds * 1000) / r.entries).toFixed(2)}`).join(', ')}`,
    );
  }
  if (results.length >= 2) {
    const [small, large] = [results[0]!, results[results.length - 1]!];
    const ratio = large.seconds / small.seconds;
    const scale = large.entries / small.entries;
    const target = scale * 1.1;
    console.log(
      `  time ratio ${large.entries}/${small.entries}: ${ratio.toFixed(2)} (linear ${scale}, target ≤ ${Number(target.toFixed(1))}): ${ratio <= target ? 'OK' : 'ABOVE TARGET'}; ` +
        `CPU time ratio ${(large.cpuSeconds / small.cpuSeconds).toFixed(2)} (less moved by other load on the machine)`,
    );
  }
  if (crmCalls > 0) {
    console.log(
      `CRM v1 create-project: POST /experience/crm/v1/opportunities/{id}/project (Prefer: wait=10) through the gateway, one won opportunity per call, one call at a time`,
    );
    const c = await measureCreateProject(crmCalls);
    const others = [...c.statuses.entries()].filter(([status]) => status !== 200 && status !== 202).sort(([a], [b]) => a - b);
    console.log(
      `  ${c.calls} calls in ${c.seconds.toFixed(1)} s: p50 ${c.p50.toFixed(0)} ms, p99 ${c.p99.toFixed(0)} ms, max ${c.max.toFixed(0)} ms; ` +
        `${c.statuses.get(200) ?? 0} × 200 (provisioned), ${c.statuses.get(202) ?? 0} × 202 (still provisioning)${others.map(([status, n]) => `, ${n} × ${status}`).join('')}`,
    );
    for (const r of c.retried) console.log(`  retried step ${r.step} in ${r.runs} runs; last error: ${r.lastError}`);
  }
}
