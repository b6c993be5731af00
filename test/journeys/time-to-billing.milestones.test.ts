// Fixed-fee billing through the real gateway and the ERP sandbox, on each store engine: a
// completed milestone becomes one milestone line of the period's invoice (taxed by the legal
// entity's rules, traceable to the milestone), is billed once and marked billed in ERP; the
// engagement's hours are not billed as time. And a crash between the ERP create and the layer
// recording it leaves one invoice, not two.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taxAmount } from '../../core/regional/rules.js';
import { engagementBillingWorkflow } from '../../process-apis/time-to-billing/workflow.js';
import type { Run } from '../../process-apis/kit/run-view.js';
import { nextId } from '../../sandboxes/erp/state.js';
import type { Engagement, Invoice } from '../../system-apis/erp/canonical.js';
import type { NsJob } from '../../sandboxes/erp/vendor-types.js';
import { testEngines } from '../support/stores.js';
import { startBillingHarness, type BillingHarness } from './support/billing-harness.js';
import { billingRules, TEST_RETRY } from './support/billing-deps.js';
import { callJson, idempotencyKey, until } from './support/http.js';

const engines = testEngines();
const BASE = '/process/time-to-billing/v1';

describe.each(engines.map((e) => [e.name, e] as const))('fixed-fee milestones in time-to-billing on %s', (_name, engine) => {
  let h: BillingHarness;
  let write: Record<string, string>;
  let read: Record<string, string>;
  const call = <T>(method: string, path: string, headers: Record<string, string>, body?: unknown) =>
    callJson<T>(h.gateway.url, method, `${BASE}${path}`, headers, body);
  const finished = (id: string) =>
    until(
      async () => (await call<Run>('GET', `/runs/${id}`, read)).body,
      (r) => ['succeeded', 'failed'].includes(r.status),
      `run ${id}`,
    );
  const invoicesOf = async (engagementId: string) => (await h.erp.listInvoices({ engagementId, limit: 200 })).items;
  const milestonesOf = async (engagementId: string) => (await h.erp.listMilestones({ engagementId, limit: 200 })).items;

  /** A fixed-fee (or other) project of the German entity, with its milestones as a project manager sets them up in ERP. */
  async function fixedFeeProject(
    name: string,
    milestones: Array<[string, number]>,
    billingModel: Engagement['billingModel'] = 'fixed-fee',
    billingHold = false,
  ): Promise<{ engagement: Engagement; job: NsJob }> {
    const legalEntity = (await h.erp.listLegalEntities({ limit: 200 })).items.find((e) => e.country === 'DE')!;
    const rateCard = (await h.erp.listRateCards({ limit: 200, legalEntityId: legalEntity.id })).items[0]!;
    const { client } = await h.erp.findOrCreateClient({
      name,
      billingCountry: 'DE',
      legalEntityId: legalEntity.id,
      domain: `${name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/-+$/, '')}.example`,
    });
    const engagement = await h.erp.createProject({
      clientId: client.id,
      name: `${name} platform build`,
      billingModel,
      currency: 'EUR',
      legalEntityId: legalEntity.id,
      rateCardId: rateCard.id,
      budget: { amountMinor: milestones.reduce((s, [, minor]) => s + minor, 0), currency: 'EUR' },
      startDate: '2026-09-01',
      status: 'active',
      ...(billingHold ? { billingHold } : {}),
    });
    const state = h.erpSandbox.ctx.state();
    const job = [...state.records.job.values()].find((j) => j.custentity_canonical_id === engagement.id)!;
    for (const [title, minor] of milestones) {
      const id = nextId(state, 'projectTask');
      state.records.projectTask.set(id, {
        id,
        project: { id: job.id, refName: job.entityId },
        title,
        isMilestone: true,
        status: { id: 'NOTSTART', refName: 'Not Started' },
        startDate: '2026-09-01',
        finishByDate: '2026-12-15',
        custevent_ms_amount: minor / 100,
        dateCreated: '2026-09-01T08:00:00Z',
        lastModifiedDate: '2026-09-01T08:00:00Z',
      });
    }
    return { engagement, job };
  }

  beforeAll(async () => {
    h = await startBillingHarness(engine);
    write = await h.headers('process:write process:read');
    read = await h.headers('process:read');
  });
  afterAll(async () => {
    await h?.close();
    await engine.cleanup();
  });

  it('bills each completed milestone once, on the invoice of the period it was completed in, and no hours as time', async () => {
    const { engagement } = await fixedFeeProject('Lindenhof Versicherung AG', [
      ['Blueprint signed off', 1_200_000],
      ['Pilot live', 1_850_050],
      ['Rollout complete', 950_000],
    ]);
    const [blueprint, pilot, rollout] = await milestonesOf(engagement.id);
    expect([blueprint, pilot, rollout].map((m) => [m!.name, m!.status, m!.amount.amountMinor])).toEqual([
      ['Blueprint signed off', 'not-started', 1_200_000],
      ['Pilot live', 'not-started', 1_850_050],
      ['Rollout complete', 'not-started', 950_000],
    ]);
    await h.erp.markMilestoneCompleted(blueprint!.id, { completedOn: '2026-11-12' });
    // Completed after November: it waits for December.
    await h.erp.markMilestoneCompleted(pilot!.id, { completedOn: '2026-12-03' });
    const hours = [
      h.timeDouble!.addEntry({ engagementId: engagement.id, role: 'consultant', workDate: '2026-11-10', durationMinutes: 480 }),
      h.timeDouble!.addEntry({ engagementId: engagement.id, role: 'senior-consultant', workDate: '2026-11-11', durationMinutes: 300 }),
    ];
    const expense = h.timeDouble!.addExpense({
      engagementId: engagement.id,
      incurredOn: '2026-11-12',
      amount: { amountMinor: 24_500, currency: 'EUR' },
      description: 'Flight to Hamburg',
    });

    // The period run finds the engagement by its milestone and hours, and starts its run.
    const period = await call<Run>(
      'POST',
      '/runs',
      { ...write, ...idempotencyKey() },
      { periodStart: '2026-11-01', periodEnd: '2026-11-30' },
    );
    expect(period.status).toBe(202);
    expect((await finished(period.body.id)).status).toBe('succeeded');
    const runs = await until(
      async () => (await call<{ items: Run[] }>('GET', `/runs?subject=${engagement.id}`, read)).body.items,
      (items) => items.length === 1 && items[0]!.status === 'succeeded',
      'the engagement run',
    );
    expect(runs[0]!.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);

    const [november, ...others] = await invoicesOf(engagement.id);
    expect(others).toEqual([]);
    expect(november).toMatchObject({ status: 'posted', currency: 'EUR', periodStart: '2026-11-01', periodEnd: '2026-11-30' });
    expect(november!.lines.map((l) => [l.kind, l.quantity, l.netAmount.amountMinor, l.sources])).toEqual([
      ['milestone', 1, 1_200_000, [{ kind: 'milestone', id: blueprint!.id }]],
      ['expense', 1, 24_500, [{ kind: 'expense', id: expense.id }]],
    ]);
    // Taxed like any other line: German VAT, 19 %.
    for (const line of november!.lines) {
      expect(line.taxRateBasisPoints).toBe(1_900);
      expect(line.taxAmount).toEqual(taxAmount(line.netAmount, 1_900));
    }
    expect(november!.total.amountMinor).toBe(november!.netTotal.amountMinor + november!.taxTotal.amountMinor);
    expect(november!.netTotal.amountMinor).toBe(1_224_500);

    // Billed once, in ERP too; the hours of a fixed-fee engagement stay out of billing.
    const after = await milestonesOf(engagement.id);
    expect(after.map((m) => [m.name, m.billingStatus, m.invoiceId ?? null])).toEqual([
      ['Blueprint signed off', 'billed', november!.id],
      ['Pilot live', 'unbilled', null],
      ['Rollout complete', 'unbilled', null],
    ]);
    for (const e of hours) expect(h.timeDouble!.entries.get(e.id)!.billingStatus).toBe('unbilled');
    expect(h.timeDouble!.expenses.get(expense.id)!.billingStatus).toBe('billed');

    // December: the pilot milestone, and nothing billed in November again.
    await h.erp.markMilestoneCompleted(rollout!.id, { completedOn: '2027-01-04' });
    const december = await call<Run>(
      'POST',
      '/runs',
      { ...write, ...idempotencyKey() },
      { periodStart: '2026-12-01', periodEnd: '2026-12-31', engagementId: engagement.id },
    );
    expect((await finished(december.body.id)).status).toBe('succeeded');
    const dec = (await invoicesOf(engagement.id)).find((i) => i.periodStart === '2026-12-01')!;
    expect(dec.lines.map((l) => [l.kind, l.netAmount.amountMinor, l.sources.map((s) => s.id)])).toEqual([
      ['milestone', 1_850_050, [pilot!.id]],
    ]);
    expect(dec.taxTotal).toEqual(taxAmount({ amountMinor: 1_850_050, currency: 'EUR' }, 1_900));
    const billedOn = new Map<string, number>();
    for (const inv of await invoicesOf(engagement.id))
      for (const l of inv.lines) for (const s of l.sources) billedOn.set(s.id, (billedOn.get(s.id) ?? 0) + 1);
    expect([blueprint!.id, pilot!.id].map((id) => billedOn.get(id))).toEqual([1, 1]);
    expect(billedOn.has(rollout!.id)).toBe(false);
    expect(await h.erp.getMilestone(pilot!.id)).toMatchObject({ billingStatus: 'billed', invoiceId: dec.id });
  });

  it('finds an engagement whose only billable work is a completed milestone when a period is billed', async () => {
    const { engagement } = await fixedFeeProject('Wattenblick Hafenbetriebe GmbH', [['Quay survey delivered', 2_750_000]]);
    const [survey] = await milestonesOf(engagement.id);
    await h.erp.markMilestoneCompleted(survey!.id, { completedOn: '2027-02-08' });
    const period = await call<Run>(
      'POST',
      '/runs',
      { ...write, ...idempotencyKey() },
      { periodStart: '2027-02-01', periodEnd: '2027-02-28' },
    );
    expect((await finished(period.body.id)).status).toBe('succeeded');
    await until(
      async () => (await call<{ items: Run[] }>('GET', `/runs?subject=${engagement.id}`, read)).body.items,
      (items) => items.length === 1 && items[0]!.status === 'succeeded',
      'the engagement run',
    );
    const invoices = await invoicesOf(engagement.id);
    expect(invoices.map((i) => [i.periodStart, i.lines.map((l) => [l.kind, l.netAmount.amountMinor, l.sources.map((s) => s.id)])])).toEqual(
      [['2027-02-01', [['milestone', 2_750_000, [survey!.id]]]]],
    );
  });

  it('a time-and-materials engagement bills its hours, not milestones', async () => {
    const { engagement } = await fixedFeeProject('Elbufer Reederei KG', [['Phase one', 500_000]], 'time-and-materials');
    const [phase] = await milestonesOf(engagement.id);
    await h.erp.markMilestoneCompleted(phase!.id, { completedOn: '2026-11-05' });
    const entry = h.timeDouble!.addEntry({ engagementId: engagement.id, role: 'consultant', workDate: '2026-11-05', durationMinutes: 60 });
    const run = await call<Run>(
      'POST',
      '/runs',
      { ...write, ...idempotencyKey() },
      { periodStart: '2026-11-01', periodEnd: '2026-11-30', engagementId: engagement.id },
    );
    expect((await finished(run.body.id)).status).toBe('succeeded');
    const [invoice] = await invoicesOf(engagement.id);
    expect(invoice!.lines.map((l) => [l.kind, l.sources.map((s) => s.id)])).toEqual([['time', [entry.id]]]);
    expect((await h.erp.getMilestone(phase!.id)).billingStatus).toBe('unbilled');
  });

  it('keeps a held fixed-fee engagement waiting, reports its completed milestones, and bills them once released', async () => {
    const { engagement } = await fixedFeeProject(
      'Nordheide Stadtwerke GmbH',
      [
        ['Concept', 800_000],
        ['Build', 1_600_000],
      ],
      'fixed-fee',
      true,
    );
    const [concept, build] = await milestonesOf(engagement.id);
    await h.erp.markMilestoneCompleted(concept!.id, { completedOn: '2026-11-03' });
    await h.erp.markMilestoneCompleted(build!.id, { completedOn: '2026-11-24' });
    h.timeDouble!.addEntry({ engagementId: engagement.id, role: 'manager', workDate: '2026-11-10', durationMinutes: 240 });
    const started = await call<Run>(
      'POST',
      '/runs',
      { ...write, ...idempotencyKey() },
      { periodStart: '2026-11-01', periodEnd: '2026-11-30', engagementId: engagement.id },
    );
    await until(
      async () => (await call<Run>('GET', `/runs/${started.body.id}`, read)).body,
      (r) => r.status === 'waiting',
      'the held run',
    );
    const holds = await call<{ items: Array<Record<string, unknown>> }>('GET', `/billing-holds?engagementId=${engagement.id}`, read);
    expect(holds.body.items).toEqual([
      expect.objectContaining({ engagementId: engagement.id, waitingAmount: { amountMinor: 2_400_000, currency: 'EUR' } }),
    ]);
    // What waits to be billed: the two milestones; the manager's four hours are counted, never priced.
    const unbilled = await call<{ items: unknown[] }>('GET', `/unbilled-work?engagementId=${engagement.id}`, read);
    expect(unbilled.status).toBe(200);
    expect(unbilled.body.items).toEqual([
      {
        engagementId: engagement.id,
        approvedMinutes: 240,
        approvedHours: '4.00',
        entryCount: 1,
        expenseCount: 0,
        milestoneCount: 2,
        amount: { amountMinor: 2_400_000, currency: 'EUR' },
        oldestWorkDate: '2026-11-10',
      },
    ]);
    expect(await invoicesOf(engagement.id)).toEqual([]);

    await h.erp.updateProject(engagement.id, { billingHold: false });
    expect((await finished(started.body.id)).status).toBe('succeeded');
    const [invoice] = await invoicesOf(engagement.id);
    expect(invoice!.lines.map((l) => [l.kind, l.netAmount.amountMinor, l.sources.map((s) => s.id)])).toEqual([
      ['milestone', 800_000, [concept!.id]],
      ['milestone', 1_600_000, [build!.id]],
    ]);
    expect((await milestonesOf(engagement.id)).map((m) => m.invoiceId)).toEqual([invoice!.id, invoice!.id]);
    const after = await call<{ items: Array<{ milestoneCount?: number; amount: { amountMinor: number } }> }>(
      'GET',
      `/unbilled-work?engagementId=${engagement.id}`,
      read,
    );
    expect(after.body.items.map((w) => [w.milestoneCount, w.amount.amountMinor])).toEqual([[undefined, 0]]);
  });

  it('leaves one invoice when the layer dies between creating it in ERP and recording it', async () => {
    const { engagement } = await fixedFeeProject('Moorweide Energie GmbH', [['Design approved', 3_000_000]]);
    const [design] = await milestonesOf(engagement.id);
    await h.erp.markMilestoneCompleted(design!.id, { completedOn: '2026-11-20' });
    const deps = { store: h.store, erp: h.erp, time: h.time, rules: billingRules(), retry: TEST_RETRY };
    const input = { periodStart: '2026-11-01', periodEnd: '2026-11-30', engagementId: engagement.id, trigger: 'api' as const };
    const runId = crypto.randomUUID();
    const step = (name: string, erp = h.erp) => engagementBillingWorkflow({ ...deps, erp }).steps.find((s) => s.name === name)!;
    const ctx = (results: Record<string, unknown>) => ({
      runId,
      input,
      results,
      idempotencyKey: `${runId}:step`,
      attempt: 1,
      signal: new AbortController().signal,
    });

    const allocated = await step('allocate-entries').run(ctx({}));
    expect(allocated).toMatchObject({ invoiceKey: expect.any(String), lines: 1 });
    // ERP creates the invoice, then the process dies before it records the invoice id.
    let created: Invoice | undefined;
    const dying = {
      ...h.erp,
      createInvoice: async (body: Parameters<typeof h.erp.createInvoice>[0]) => {
        created = await h.erp.createInvoice(body);
        throw new Error('process killed');
      },
    };
    await expect(step('post-invoice', dying).run(ctx({ 'allocate-entries': allocated }))).rejects.toThrow('process killed');
    const row = await h.store.db.selectFrom('ttb_invoices').selectAll().where('run_id', '=', runId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'allocated', erp_invoice_id: null });
    expect(await invoicesOf(engagement.id)).toHaveLength(1);

    // A new process takes over; its first attempt creates again and finds the same invoice.
    const posted = (await step('post-invoice').run(ctx({ 'allocate-entries': allocated }))) as { erpInvoiceId: string };
    expect(posted.erpInvoiceId).toBe(created!.id);
    const invoices = await invoicesOf(engagement.id);
    expect(invoices.map((i) => i.id)).toEqual([created!.id]);
    expect(invoices[0]!.lines.map((l) => l.sources)).toEqual([[{ kind: 'milestone', id: design!.id }]]);
    const marked = await step('mark-billed').run(ctx({ 'allocate-entries': allocated, 'post-invoice': posted }));
    expect(marked).toMatchObject({ invoiceId: created!.id, entries: 1 });
    expect(await h.erp.getMilestone(design!.id)).toMatchObject({ billingStatus: 'billed', invoiceId: created!.id });
    expect(
      await h.store.db.selectFrom('ttb_invoices').select(['state', 'erp_invoice_id']).where('run_id', '=', runId).executeTakeFirstOrThrow(),
    ).toEqual({ state: 'marked', erp_invoice_id: created!.id });
  });
});
