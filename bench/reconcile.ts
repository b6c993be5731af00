// Reconciliation benchmark: one pass of time-to-billing's checks (approved time against the ledger,
// the layer's invoices against ERP's, blocked invoices, failed runs) over the `large` seed, and over
// ten times its data, on SQLite (or PostgreSQL with --pg <url>). Prints records compared, seconds and
// records/s for each scale, the 10x/1x time ratio (linear is 10; the target is ≤ 11), and whether it
// is met. How it scales: what the checks compare grows tenfold together. The Time sandbox's seed
// (200,000 Harvest entries on 2,000 projects) is repeated 10 times on 10 times the projects, and
// the engagements the layer provisioned and billed (each with its November entries, one invoice in
// ERP) are ten times as many; the ERP seed is the same (its held invoices are a few dozen of the
// records compared). That is fair: a pass reads every Harvest entry up to the last billed period and
// every invoice the layer posted, so these are the records whose number drives its cost.
// Each scale runs two passes and prints both: the first also records each Harvest entry's
// cross-reference once (what a first pass on a new installation pays), the second is the
// scheduled pass's steady state. Harvest's 100 requests per 15 s limit is lifted, so the figures are
// the layer's own cost; at Harvest's limit a pass lists at most 2,000 × 100 / 15 ≈ 13,333 entries a second
// (it reads the time system API's bulk read, Harvest's largest page).
// `npm run bench -- reconcile [--engagements 20] [--entries 50] [--pg url]`
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadRegionalRules } from '../core/regional/rules.js';
import { BreakerRegistry } from '../core/resilience/breakers.js';
import { migrateToLatest } from '../core/store/migrate.js';
import { WorkflowEngine } from '../core/workflows/index.js';
import type { Finding } from '../process-apis/kit/reconciliation.js';
import { createTimeToBillingApi, timeToBillingChecks, timeToBillingWorkflows } from '../process-apis/time-to-billing/index.js';
import type { TimeState } from '../sandboxes/time/index.js';
import { EntryTable } from '../sandboxes/time/entry-table.js';
import { touch } from '../sandboxes/time/state.js';
import { openStore } from './billing.js';
import { openBillableEngagement, startBillingPlatforms } from './kit/billing-platforms.js';

const NOVEMBER = { periodStart: '2026-11-01', periodEnd: '2026-11-30' };

interface Pass {
  compared: number;
  seconds: number;
  /** CPU seconds of this process (layer and both sandboxes) over the pass: less moved by other load. */
  cpuSeconds: number;
  findings: number;
}

interface Result {
  scale: number;
  harvestEntries: number;
  engagements: number;
  first: Pass;
  steady: Pass;
}

/** The seed's entries and projects repeated `scale` times (copy c on projects c × seed projects on). */
function repeatSeed(state: TimeState, scale: number): void {
  const seed = state.entries;
  const projects = state.projects.length;
  for (let c = 1; c < scale; c++)
    for (let p = 0; p < projects; p++) {
      const from = state.projects[p]!;
      state.projects.push({ ...from, id: 14_300_001 + c * projects + p, name: `${from.name} (${c + 1})`, code: `${from.code}-${c + 1}` });
    }
  const table = new EntryTable(seed.size * scale + 1024);
  // Seed rows are in ascending date order; each row's copies follow it, so the order holds.
  for (let row = 0; row < seed.size; row++)
    for (let c = 0; c < scale; c++)
      table.add(
        {
          day: seed.day[row]!,
          user: seed.user[row]!,
          project: seed.project[row]! + c * projects,
          task: seed.task[row]!,
          hours: seed.hours[row]!,
          flags: seed.flags[row]!,
          approval: seed.approval[row] as 0 | 1 | 2,
          billableRate: seed.billableRate[row]!,
          costRate: seed.costRate[row]!,
          createdAt: seed.createdAt[row]!,
          notes: seed.notes[row] ?? null,
        },
        true,
      );
  table.rebuildOrder();
  state.entries = table;
}

async function measure(scale: number, engagements: number, perEngagement: number, pgUrl: string | undefined): Promise<Result> {
  const logger = pino({ level: 'silent' });
  const { store, cleanup } = await openStore(pgUrl);
  await migrateToLatest(store);
  const platforms = await startBillingPlatforms(store, 'large', 60_000);
  const { erp, time } = platforms;
  const deps = { store, erp, time, rules: loadRegionalRules(), markConcurrency: 16 };
  const engine = new WorkflowEngine({
    store,
    definitions: timeToBillingWorkflows(deps),
    logger,
    pollMs: 10,
    concurrency: 8,
    breakers: new BreakerRegistry({ threshold: 50, halfOpenAfterMs: 500 }),
  });
  try {
    const state = platforms.timeApp.ctx.state();
    repeatSeed(state, scale);
    const ids: string[] = [];
    for (let i = 0; i < engagements; i++)
      ids.push(
        await openBillableEngagement(platforms, store, i, perEngagement, (k) => (25 + ((i * 131 + k * 53) % 768)) / 100, 'Reconcile Bench'),
      );
    touch(state);
    const harvestEntries = state.entries.size;

    // The layer bills November engagement by engagement, as its schedule's runs do.
    const billing = createTimeToBillingApi({ ...deps, engine });
    engine.start();
    for (const engagementId of ids) await billing.startRun({ ...NOVEMBER, engagementId }, 'api');
    for (;;) {
      const rows = await store.db.selectFrom('workflow_runs').select(['state', 'error']).execute();
      const failed = rows.find((r) => r.state === 'failed');
      if (failed) throw new Error(`a billing run failed: ${failed.error}`);
      if (rows.length >= engagements && rows.every((r) => r.state === 'completed')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await engine.stop();

    const checks = timeToBillingChecks(deps, billing);
    const pass = async (): Promise<Pass> => {
      let compared = 0;
      const found: Finding[] = [];
      const ctx = { now: new Date(), compared: (n: number) => void (compared += n), signal: new AbortController().signal };
      const started = performance.now();
      const cpuStarted = process.cpuUsage();
      for (const check of checks) found.push(...(await check.run(ctx)));
      const cpu = process.cpuUsage(cpuStarted);
      return { compared, seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, findings: found.length };
    };
    const first = await pass();
    const steady = await pass();
    return { scale, harvestEntries, engagements, first, steady };
  } finally {
    await engine.stop();
    await platforms.close();
    await cleanup();
  }
}

const line = (label: string, r: Result, p: Pass) =>
  `  ${label.padEnd(10)} ${String(r.harvestEntries).padStart(9)}  ${String(r.engagements).padStart(11)}  ${String(p.compared).padStart(9)}` +
  `  ${p.seconds.toFixed(1).padStart(7)}  ${String(Math.round(p.compared / p.seconds)).padStart(9)}  ${p.cpuSeconds.toFixed(1).padStart(5)}  ${String(p.findings).padStart(8)}`;

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      engagements: { type: 'string', default: '20' },
      entries: { type: 'string', default: '50' },
      pg: { type: 'string' },
    },
  });
  const engagements = Number(values.engagements);
  const perEngagement = Number(values.entries);
  if (!Number.isInteger(engagements) || engagements < 1 || !Number.isInteger(perEngagement) || perEngagement < 1)
    throw new Error('--engagements and --entries take whole numbers of at least 1');
  console.log(
    `reconciliation pass (time-to-billing's checks) on ${values.pg ? 'postgres' : 'sqlite'}: the large seed and ten times its data; ` +
      `${engagements} billed engagements of ${perEngagement} November entries at 1x`,
  );
  console.log('  pass       Harvest entries  engagements  compared  seconds  records/s  CPU s  findings');
  const results: Result[] = [];
  for (const scale of [1, 10]) {
    const r = await measure(scale, engagements * scale, perEngagement, values.pg);
    results.push(r);
    console.log(line(`${scale}x first`, r, r.first));
    console.log(line(`${scale}x`, r, r.steady));
  }
  const [one, ten] = results as [Result, Result];
  for (const [label, a, b] of [
    ['steady pass', one.steady, ten.steady],
    ['first pass', one.first, ten.first],
  ] as const) {
    const ratio = b.seconds / a.seconds;
    console.log(
      `  time ratio 10x/1x, ${label}: ${ratio.toFixed(2)} (records ratio ${(b.compared / a.compared).toFixed(2)}, linear 10, target ≤ 11): ` +
        `${ratio <= 11 ? 'target met' : 'target missed'}; CPU time ratio ${(b.cpuSeconds / a.cpuSeconds).toFixed(2)} (less moved by other load on the machine)`,
    );
  }
}
