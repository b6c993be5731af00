// Integrity under faults: the ERP sandbox fails 30% of calls and is slow at times, and the
// process running the workflows is SIGKILLed mid-run and replaced. After the layer settles,
// every approved billable entry is on exactly one invoice line, line sums are hours × rates,
// totals are net plus tax by the entity's rule, and nothing is billed twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hundredthsToHours } from '../../core/hours.js';
import { multiplyHundredthsByRate } from '../../core/money.js';
import { taxAmount } from '../../core/regional/rules.js';
import { seededRandom } from '../../core/resilience/backoff.js';
import { getOrCreateCanonical } from '../../core/xref/index.js';
import { allPages } from '../../process-apis/kit/all-pages.js';
import type { Run } from '../../process-apis/kit/run-view.js';
import type { Invoice } from '../../system-apis/erp/canonical.js';
import { testEngines } from '../support/stores.js';
import { createBillableProject, startBillingHarness, type BillableProject, type BillingHarness } from './support/billing-harness.js';
import { callJson, idempotencyKey, until } from './support/http.js';
import { SandboxTimeWork, type SandboxEntry } from './support/time-work.js';
import { faultSeed } from '../support/fault-seed.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROLES = ['analyst', 'consultant', 'senior-consultant', 'manager'];
const TAX_BP: Record<string, number> = { GB: 2_000, DE: 1_900, US: 0 };

function spawnWorker(h: BillingHarness, name: string): ChildProcess {
  return spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'support', 'billing-worker.ts'), h.databaseUrl, h.urls.erp, h.urls.time!, name],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, LOG_LEVEL: 'silent' },
    },
  );
}
const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

describe.each(testEngines().map((e) => [e.name, e] as const))('time-to-billing integrity on %s', (_name, engine) => {
  let h: BillingHarness;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    h = await startBillingHarness(engine, { time: 'sandbox', inProcessEngine: false });
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await Promise.all(workers.map(exited));
    await h?.close();
    await engine.cleanup();
  });

  it(
    'puts every approved billable entry on exactly one invoice line despite ERP faults and a killed worker',
    { timeout: 240_000 },
    async () => {
      const random = seededRandom(5);
      const work = new SandboxTimeWork(h.timeSandbox!, h.store, h.urls.time!);
      const projects: Array<BillableProject & { country: string; row: number }> = [];
      for (const [country, name] of [
        ['GB', 'Wexford Analytics Ltd'],
        ['DE', 'Brennholz Logistik GmbH'],
        ['US', 'Cascade Outfitters Inc.'],
      ] as const) {
        const project = await createBillableProject(h.erp, country, name);
        projects.push({ ...project, country, row: await work.linkProject(project.engagement.id, name) });
      }
      const expected: SandboxEntry[] = [];
      for (const p of projects) {
        for (let i = 0; i < 60; i++) {
          const day = String(1 + Math.floor(random() * 30)).padStart(2, '0');
          expected.push(
            work.addEntry({
              projectRow: p.row,
              role: ROLES[i % ROLES.length]!,
              workDate: `2026-11-${day}`,
              minutes: 15 * (1 + Math.floor(random() * 40)),
            }),
          );
        }
        // Approved late for October, never billed: it belongs on November's invoice.
        expected.push(work.addEntry({ projectRow: p.row, role: 'consultant', workDate: '2026-10-28', minutes: 90 }));
        work.addEntry({ projectRow: p.row, role: 'consultant', workDate: '2026-11-12', minutes: 60, billable: false });
        work.addEntry({ projectRow: p.row, role: 'manager', workDate: '2026-11-13', minutes: 60, approved: false });
        work.addEntry({ projectRow: p.row, role: 'manager', workDate: '2026-12-02', minutes: 60 });
      }
      await work.approveWeeks();

      h.erpSandbox.ctx.faults.set({ seed: faultSeed(), errorRate: 0.3, errorStatus: 503, latencyMs: 5, latencyJitterMs: 80 });
      const first = spawnWorker(h, 'billing-worker-1');
      workers.push(first);
      const write = await h.headers('process:write process:read');
      const started = await callJson<Run>(
        h.gateway.url,
        'POST',
        '/process/time-to-billing/v1/runs',
        { ...write, ...idempotencyKey() },
        { periodStart: '2026-11-01', periodEnd: '2026-11-30' },
      );
      expect(started.status).toBe(202);

      // Restart mid-run: as soon as an invoice is allocated (before it is posted and marked).
      await until(
        () => h.store.db.selectFrom('ttb_invoices').select('state').execute(),
        (rows) => rows.length > 0,
        'a first allocated invoice',
      );
      const unfinished = await h.store.db.selectFrom('ttb_invoices').select('state').where('state', '!=', 'marked').execute();
      first.kill('SIGKILL');
      await exited(first);
      expect(unfinished.length).toBeGreaterThan(0);
      workers.push(spawnWorker(h, 'billing-worker-2'));

      // The Time sandbox also holds work of projects ERP does not know: the period run reports
      // them and starts no run for them; the three engagements here each end with one succeeded run.
      for (const p of projects) {
        await until(
          () => h.billing.listRuns({ subject: p.engagement.id, limit: 5 }),
          (page) => page.items.length === 1 && ['succeeded', 'failed'].includes(page.items[0]!.status),
          `the run of ${p.engagement.name}`,
          200_000,
        );
      }
      const read = await h.headers('process:read');
      for (const p of projects) {
        const page = await callJson<{ items: Run[] }>(
          h.gateway.url,
          'GET',
          `/process/time-to-billing/v1/runs?subject=${p.engagement.id}`,
          read,
        );
        expect(page.status).toBe(200);
        expect(page.body.items.map((r) => [r.status, r.steps.map((s) => s.status)])).toEqual([
          ['succeeded', ['succeeded', 'succeeded', 'succeeded', 'succeeded']],
        ]);
      }
      const periodRun = (await callJson<Run>(h.gateway.url, 'GET', `/process/time-to-billing/v1/runs/${started.body.id}`, read)).body;
      expect(periodRun.status).toBe('succeeded');
      expect((await h.billing.listRuns({ status: 'failed', limit: 50 })).items).toEqual([]);
      h.erpSandbox.ctx.faults.clear();

      const canonical = new Map<string, SandboxEntry>();
      for (const e of expected)
        canonical.set((await getOrCreateCanonical(h.store.db, 'time', 'time-entry', String(e.nativeId))).canonicalId, e);
      const seen = new Map<string, number>();
      const lineOf = new Map<string, { invoiceId: string; lineId: string }>();
      for (const p of projects) {
        const invoices: Invoice[] = (await h.erp.listInvoices({ engagementId: p.engagement.id, limit: 200 })).items;
        expect(invoices).toHaveLength(1);
        const invoice = invoices[0]!;
        expect(invoice.status).toBe('posted');
        const rates = new Map(p.rateCard.rates.map((r) => [r.role, r.hourlyRate.amountMinor]));
        let net = 0;
        let tax = 0;
        for (const line of invoice.lines) {
          const entries = line.sources.map((s) => canonical.get(s.id)!);
          expect(entries.every((e) => e !== undefined && e.role === line.role)).toBe(true);
          for (const s of line.sources) {
            seen.set(s.id, (seen.get(s.id) ?? 0) + 1);
            lineOf.set(s.id, { invoiceId: invoice.id, lineId: line.id });
          }
          // The seeded entries are whole quarter hours, so their minutes are exact hundredths.
          const hundredths = entries.reduce((sum, e) => sum + (e.minutes * 100) / 60, 0);
          expect(line.hours, 'hours on the line = hours on the time platform').toBe(hundredthsToHours(hundredths));
          expect(line.quantity).toBe(entries.reduce((sum, e) => sum + e.minutes, 0));
          expect(line.unitPrice.amountMinor).toBe(rates.get(line.role!));
          expect(line.netAmount.amountMinor, 'hours × rate, rounded once').toBe(
            multiplyHundredthsByRate(hundredths, rates.get(line.role!)!),
          );
          expect(line.taxRateBasisPoints).toBe(TAX_BP[p.country]);
          if (p.country !== 'DE')
            expect(line.taxAmount.amountMinor, 'tax per line').toBe(taxAmount(line.netAmount, TAX_BP[p.country]!).amountMinor);
          net += line.netAmount.amountMinor;
          tax += line.taxAmount.amountMinor;
        }
        expect(invoice.netTotal.amountMinor).toBe(net);
        expect(invoice.taxTotal.amountMinor, 'the lines add up to the tax').toBe(tax);
        // The German entity rounds tax once on the invoice's net.
        if (p.country === 'DE') expect(tax, 'tax once on the net').toBe(taxAmount(invoice.netTotal, TAX_BP.DE!).amountMinor);
        expect(invoice.total.amountMinor).toBe(net + tax);
        const recorded = await h.store.db
          .selectFrom('ttb_invoices')
          .select(['subtotal_minor', 'tax_minor', 'total_minor'])
          .where('erp_invoice_id', '=', invoice.id)
          .executeTakeFirstOrThrow();
        expect(
          [Number(recorded.subtotal_minor), Number(recorded.tax_minor), Number(recorded.total_minor)],
          "the layer's invoice = ERP's to the minor unit",
        ).toEqual([invoice.netTotal.amountMinor, invoice.taxTotal.amountMinor, invoice.total.amountMinor]);
      }
      // Exactly once: every expected entry on one line, nothing else billed, no entry twice.
      expect([...seen.keys()].sort()).toEqual([...canonical.keys()].sort());
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
      // The layer's billing ledger, read through the time system API, holds each of them on the
      // ERP line that bills it, and nothing else; Harvest itself is never written.
      let ledgered = 0;
      for (const p of projects) {
        const billed = await allPages((cursor) =>
          h.time.listTimeEntries({ engagementId: p.engagement.id, billingStatus: 'billed', limit: 200, ...(cursor ? { cursor } : {}) }),
        );
        for (const entry of billed) {
          const line = lineOf.get(entry.id);
          expect(line, `entry ${entry.id} billed in the ledger is on an ERP line`).toBeDefined();
          expect([entry.invoiceId, entry.invoiceLineId], 'the ledger names the ERP invoice line').toEqual([line!.invoiceId, line!.lineId]);
        }
        ledgered += billed.length;
      }
      expect(ledgered, 'the ledger bills exactly the expected entries').toBe(canonical.size);
      for (const e of work.entries) expect(work.billedOnPlatform(e), 'no billed flag written to Harvest').toBe(false);
    },
  );
});
