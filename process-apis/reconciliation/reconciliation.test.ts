// The reconciliation journey's store semantics on each engine, with fake checks: a mismatch found
// again is the same exception; one no longer found is resolved and a recurrence opens a new one; a
// dismissed one stays dismissed; a failed check keeps its exceptions; safe repairs run once; metrics.
import { beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { fakeCheck, wonDealWithoutProject, type FakeCheck } from '../../test/support/reconciliation-checks.js';
import { reconciliationsOnOneStore } from '../../test/support/reconciliation-store.js';
import { testEngines } from '../../test/support/stores.js';
import type { ReconciliationCheck } from '../kit/reconciliation.js';
import { promReconciliationMetrics } from './index.js';
import { newId } from '../../core/xref/index.js';
import { insertRun } from '../../test/support/workflow-runs.js';

const operator = { consumer: 'ops-console', subject: 'alice@firm.example', correlationId: 'req-1' };

for (const engine of testEngines()) {
  describe(`reconciliation store and passes (${engine.name})`, () => {
    const openReplica = reconciliationsOnOneStore(engine);
    const open = (checks: ReconciliationCheck[], registry?: Registry) =>
      openReplica(checks, registry ? { metrics: promReconciliationMetrics(registry) } : {});

    let provisioning: FakeCheck;
    let billing: FakeCheck;
    let recon: ReturnType<typeof open>;
    const pass = (o: { repair?: boolean; journey?: 'opportunity-to-project' } = {}) =>
      recon.api.runPass({ repair: o.repair ?? false, trigger: 'command', actor: null, ...(o.journey ? { journey: o.journey } : {}) });
    const exceptions = async (status: 'open' | 'repairing' | 'repaired' | 'dismissed' | 'resolved') =>
      (await recon.api.listExceptions({ status, limit: 200 })).items;

    beforeAll(() => {
      provisioning = fakeCheck({ name: 'fake-won-deals' });
      billing = fakeCheck({ name: 'billing-status-matches', journey: 'billing-status-to-crm', question: 'mismatched-billing-status' });
      recon = open([provisioning, billing]);
    });

    it('keeps one exception for a mismatch found again, resolves it when gone, and opens a new one when it recurs', async () => {
      provisioning.findings = [wonDealWithoutProject('006A1', { safe: false })];
      const first = await pass();
      expect(first).toMatchObject({ status: 'completed', found: 1, opened: 1, resolved: 0, compared: 20, error: null });
      expect(first.checks.map((c) => [c.check, c.compared, c.found, c.error])).toEqual([
        ['fake-won-deals', 10, 1, null],
        ['billing-status-matches', 10, 0, null],
      ]);
      const [opened] = await exceptions('open');
      expect(opened).toMatchObject({ type: 'won-deal-without-project', status: 'open', passId: first.id, resolvedAt: null });
      expect(opened.records[0]).toEqual({
        platform: 'crm',
        entity: 'opportunity',
        id: '006A1',
        canonicalId: null,
        label: 'Deal 006A1',
        url: null,
      });

      provisioning.findings = [
        { ...wonDealWithoutProject('006A1', { safe: false }), title: 'Deal 006A1\nhas no project', detail: 'Still no project.' },
      ];
      const second = await pass();
      expect(second).toMatchObject({ found: 1, opened: 0, resolved: 0 });
      const again = await recon.api.getException(opened.id);
      expect(again, 'the same exception, seen by the later pass, with the newer figures').toMatchObject({
        status: 'open',
        passId: second.id,
        title: 'Deal 006A1 has no project',
        detail: 'Still no project.',
        firstSeenAt: opened.firstSeenAt,
      });
      expect(Date.parse(again.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(opened.lastSeenAt));

      provisioning.findings = [];
      expect(await pass()).toMatchObject({ found: 0, opened: 0, resolved: 1 });
      expect(await recon.api.getException(opened.id)).toMatchObject({ status: 'resolved', resolvedBy: 'reconciliation' });

      provisioning.findings = [wonDealWithoutProject('006A1', { safe: false })];
      expect(await pass()).toMatchObject({ opened: 1 });
      const recurred = await exceptions('open');
      expect(recurred).toHaveLength(1);
      expect(recurred[0].id, 'a recurrence is a new exception').not.toBe(opened.id);
      provisioning.findings = [];
      await pass();
    });

    it('leaves a dismissed mismatch dismissed while it is still found', async () => {
      provisioning.findings = [wonDealWithoutProject('006B1', { safe: false })];
      await pass();
      const [found] = await exceptions('open');
      const dismissed = await recon.api.dismissException(found.id, 'Client cancelled; no project wanted.', operator);
      expect(dismissed).toMatchObject({
        status: 'dismissed',
        dismissReason: 'Client cancelled; no project wanted.',
        resolvedBy: 'ops-console',
      });
      expect(await pass()).toMatchObject({ found: 1, opened: 0 });
      expect(await recon.api.getException(found.id)).toMatchObject({ status: 'dismissed' });
      expect(await exceptions('open')).toEqual([]);
      await expect(recon.api.dismissException(found.id, 'again', operator)).rejects.toMatchObject({ status: 409 });
      provisioning.findings = [];
      expect(await pass(), 'gone: nothing to resolve, it stays dismissed').toMatchObject({ resolved: 0 });
      expect(await recon.api.getException(found.id)).toMatchObject({ status: 'dismissed' });
    });

    it('keeps the exceptions of a check that failed, and says so in the pass', async () => {
      provisioning.findings = [wonDealWithoutProject('006C1', { safe: false })];
      await pass();
      const [found] = await exceptions('open');
      provisioning.failure = new Error('CRM answered 503');
      const failed = await pass();
      expect(failed.status).toBe('failed');
      expect(failed.error).toContain('fake-won-deals: CRM answered 503');
      expect(failed.checks.find((c) => c.check === 'fake-won-deals')).toMatchObject({ found: 0, error: 'CRM answered 503' });
      expect(await recon.api.getException(found.id), 'untouched by the failed check').toMatchObject({
        status: 'open',
        passId: found.passId,
      });
      const views = await recon.api.businessViews();
      expect(views.map((v) => v.question)).toEqual([
        'failed-provisioning',
        'out-of-sync-assignments',
        'unbilled-approved-time',
        'blocked-invoices',
        'mismatched-billing-status',
      ]);
      expect(views[0]).toMatchObject({ openExceptions: 1, moneyAtRisk: [{ amountMinor: 480_000, currency: 'EUR' }] });
      expect(views[1]).toMatchObject({ openExceptions: 0, moneyAtRisk: [], oldestAgeSeconds: null, lastCheckedAt: null });
      expect(views[4].lastCheckedAt, 'the billing check ran').not.toBeNull();
      provisioning.failure = undefined;
      provisioning.findings = [];
      await pass();
    });

    it('runs safe repairs once when asked, and marks them repaired when the mismatch is gone', async () => {
      provisioning.repairRunId = '01a216af-0000-7000-8000-0000000000aa';
      provisioning.findings = [wonDealWithoutProject('006D1', { safe: true }), wonDealWithoutProject('006D2', { safe: false })];
      expect(await pass({ repair: false }), 'no repair unless asked').toMatchObject({ repairsStarted: 0 });
      const repaired = await pass({ repair: true });
      expect(repaired).toMatchObject({ opened: 0, repairsStarted: 1 });
      expect(provisioning.repairs.map((r) => [r.finding.key, r.actor.consumer])).toEqual([['006D1', 'reconciliation']]);
      const [repairing] = await exceptions('repairing');
      expect(repairing).toMatchObject({ repair: { runId: '01a216af-0000-7000-8000-0000000000aa' } });
      expect(await pass({ repair: true }), 'a repair in progress is not started again').toMatchObject({ repairsStarted: 0 });
      provisioning.findings = [wonDealWithoutProject('006D2', { safe: false })];
      await pass();
      expect(await recon.api.getException(repairing.id)).toMatchObject({ status: 'repaired', resolvedBy: 'reconciliation' });
      provisioning.findings = [];
      provisioning.repairs.length = 0;
      await pass();
    });

    it('lets an operator repair an open exception, refuses by-hand ones (422) and exceptions not open (409)', async () => {
      provisioning.findings = [
        wonDealWithoutProject('006E1', { safe: false }),
        wonDealWithoutProject('006E2', { action: 'by-hand', safe: false }),
      ];
      await pass();
      const open = await exceptions('open');
      const unsafe = open.find((e) => e.records[0].id === '006E1')!;
      const byHand = open.find((e) => e.records[0].id === '006E2')!;
      provisioning.repairRunId = undefined;
      const started = await recon.api.repairException(unsafe.id, operator);
      expect(started).toMatchObject({ status: 'repairing', resolvedBy: 'ops-console', repair: { runId: null } });
      expect(provisioning.repairs.at(-1)?.actor).toEqual(operator);
      await expect(recon.api.repairException(unsafe.id, operator)).rejects.toMatchObject({ status: 409 });
      await expect(recon.api.repairException(byHand.id, operator)).rejects.toMatchObject({
        status: 422,
        detail: expect.stringContaining('Create the ERP project by hand'),
      });
      provisioning.repairFailure = new Error('ERP down');
      const other = await recon.api.dismissException(byHand.id, 'Handled by finance.', operator);
      expect(other.status).toBe('dismissed');
      await pass();
      expect(await recon.api.getException(unsafe.id), 'a repair with no run, still found, is open again').toMatchObject({ status: 'open' });
      await expect(recon.api.repairException(unsafe.id, operator)).rejects.toThrow('ERP down');
      expect(await recon.api.getException(unsafe.id), 'a repair that did not start leaves it open').toMatchObject({ status: 'open' });
      await expect(recon.api.getException('01a216af-0000-7000-8000-00000000dead')).rejects.toMatchObject({ status: 404 });
      provisioning.repairFailure = undefined;
      provisioning.findings = [];
      await pass();
    });

    it('keeps a repair whose run finished while a pass was reading, and marks it repaired once gone', async () => {
      provisioning.findings = [wonDealWithoutProject('006G1', { safe: false })];
      await pass();
      const [found] = (await exceptions('open')).filter((e) => e.records[0].id === '006G1');
      // A pass reads the platforms before the operator's repair, and stores what it read after the repair's run finished.
      const held = provisioning.hold();
      const overlapping = pass();
      await held.started;
      const runId = newId();
      provisioning.repairRunId = runId;
      await recon.api.repairException(found!.id, operator);
      await insertRun(recon.store.db, { id: runId, definition: 'fake-provision', state: 'completed' });
      held.release();
      await overlapping;
      expect(await recon.api.getException(found!.id), 'what the pass read predates the repair').toMatchObject({ status: 'repairing' });
      provisioning.findings = [];
      await pass();
      expect(await recon.api.getException(found!.id), 'repaired, by the operator').toMatchObject({
        status: 'repaired',
        resolvedBy: 'ops-console',
      });
      provisioning.repairRunId = undefined;
    });

    it('runs only the checks of the journey asked for, and resolves nothing of the others', async () => {
      billing.findings = [{ ...wonDealWithoutProject('001F1', { safe: false }), type: 'invoice-status-differs' }];
      await pass();
      billing.findings = [];
      const onlyProvisioning = await pass({ journey: 'opportunity-to-project' });
      expect(onlyProvisioning.checks.map((c) => c.check)).toEqual(['fake-won-deals']);
      expect((await recon.api.listExceptions({ question: 'mismatched-billing-status' })).items, 'billing check did not run').toHaveLength(
        1,
      );
      expect((await recon.api.listPasses({ journey: 'opportunity-to-project' })).items[0].id).toBe(onlyProvisioning.id);
      await pass();
      expect((await recon.api.listExceptions({ question: 'mismatched-billing-status' })).items).toHaveLength(0);
    });

    it('pages exceptions oldest first with a cursor bound to the filters', async () => {
      provisioning.findings = Array.from({ length: 5 }, (_, i) => wonDealWithoutProject(`006G${i}`, { safe: false }));
      await pass();
      const first = await recon.api.listExceptions({ type: 'won-deal-without-project', limit: 2 });
      expect(first.items).toHaveLength(2);
      const second = await recon.api.listExceptions({ type: 'won-deal-without-project', limit: 2, cursor: first.nextCursor! });
      const third = await recon.api.listExceptions({ type: 'won-deal-without-project', limit: 2, cursor: second.nextCursor! });
      expect(third.nextCursor).toBeNull();
      const ids = [...first.items, ...second.items, ...third.items].map((e) => e.id);
      expect(ids).toEqual([...ids].sort());
      expect(new Set(ids).size).toBe(5);
      await expect(recon.api.listExceptions({ type: 'other-type', cursor: first.nextCursor! })).rejects.toMatchObject({ status: 400 });
      provisioning.findings = [];
      await pass();
    });

    it('sets the metrics after each pass from the store', async () => {
      const registry = new Registry();
      const check = fakeCheck({ name: 'metrics-check', question: 'blocked-invoices', journey: 'time-to-billing' });
      const measured = open([check], registry);
      check.findings = [
        { ...wonDealWithoutProject('INV-1', { safe: true, amountMinor: 1000 }), type: 'invoice-amount-differs' },
        { ...wonDealWithoutProject('INV-2', { safe: false, amountMinor: 2500 }), type: 'invoice-amount-differs' },
      ];
      await measured.api.runPass({ repair: true, trigger: 'command', actor: null, scope: 'platforms' });
      const text = await registry.metrics();
      expect(text).toContain('layer_reconciliation_exceptions_open{question="blocked-invoices",type="invoice-amount-differs"} 2');
      expect(text).toMatch(/layer_reconciliation_money_at_risk_minor\{question="blocked-invoices",currency="EUR"\} 3500/);
      expect(text).toContain('layer_reconciliation_exceptions_opened_total{question="blocked-invoices",type="invoice-amount-differs"} 2');
      expect(text).toContain('layer_reconciliation_records_compared_total{check="metrics-check"} 10');
      expect(text).toContain('layer_reconciliation_repairs_total{type="invoice-amount-differs",outcome="started"} 1');
      expect(text).toContain('layer_reconciliation_pass_duration_seconds_count{scope="platforms"} 1');
      expect(text).toMatch(/layer_reconciliation_last_complete_pass_timestamp_seconds\{scope="platforms"\} \d{10}/);
      check.findings = [];
      await measured.api.runPass({ repair: false, trigger: 'command', actor: null, scope: 'layer' });
      expect(await registry.metrics(), 'a layer-scope pass does not run a platforms check').toContain(
        'layer_reconciliation_records_compared_total{check="metrics-check"} 10',
      );
      await measured.api.runPass({ repair: false, trigger: 'command', actor: null });
      const after = await registry.metrics();
      expect(after).not.toContain('layer_reconciliation_exceptions_open{question="blocked-invoices"');
      expect(after).toContain('layer_reconciliation_exceptions_opened_total{question="blocked-invoices",type="invoice-amount-differs"} 2');
    });
  });
}
