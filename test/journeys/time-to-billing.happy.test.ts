// Time to billing through the real gateway and the ERP sandbox, on each store engine:
// approved billable work becomes one invoice per engagement and period, with lines that
// trace to the entries, tax by the legal entity's rules, and entries marked billed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hoursToHundredths } from '../../core/hours.js';
import { multiplyHundredthsByRate, taxOnNetMinor } from '../../core/money.js';
import type { Invoice } from '../../system-apis/erp/canonical.js';
import type { Run } from '../../process-apis/kit/run-view.js';
import { readPostingBacklog } from '../../process-apis/time-to-billing/index.js';
import { testEngines } from '../support/stores.js';
import { createBillableProject, startBillingHarness, type BillingHarness } from './support/billing-harness.js';
import { callJson, idempotencyKey, until } from './support/http.js';

const engines = testEngines();
const BASE = '/process/time-to-billing/v1';

describe.each(engines.map((e) => [e.name, e] as const))('time-to-billing on %s', (_name, engine) => {
  let h: BillingHarness;
  let write: Record<string, string>;
  let read: Record<string, string>;
  const call = <T>(method: string, path: string, headers: Record<string, string>, body?: unknown) =>
    callJson<T>(h.gateway.url, method, `${BASE}${path}`, headers, body);
  const finished = (id: string, statuses: Run['status'][] = ['succeeded', 'failed']) =>
    until(
      async () => (await call<Run>('GET', `/runs/${id}`, read)).body,
      (r) => statuses.includes(r.status),
      `run ${id}`,
    );

  beforeAll(async () => {
    h = await startBillingHarness(engine);
    write = await h.headers('process:write process:read');
    read = await h.headers('process:read');
  });
  afterAll(async () => {
    await h?.close();
    await engine.cleanup();
  });

  it('bills a period once: lines per role and rate traceable to entries, VAT by the German entity, entries marked billed', async () => {
    const { engagement } = await createBillableProject(h.erp, 'DE', 'Rheinfeld Maschinenbau GmbH', { taxId: 'DE812345678' });
    const billable = [
      h.timeDouble!.addEntry({ engagementId: engagement.id, role: 'consultant', workDate: '2026-11-03', durationMinutes: 450 }),
      h.timeDouble!.addEntry({ engagementId: engagement.id, role: 'consultant', workDate: '2026-11-04', durationMinutes: 95 }),
      h.timeDouble!.addEntry({ engagementId: engagement.id, role: 'senior-consultant', workDate: '2026-11-05', durationMinutes: 480 }),
    ];
    const notBilled = [
      h.timeDouble!.addEntry({
        engagementId: engagement.id,
        role: 'consultant',
        workDate: '2026-11-06',
        durationMinutes: 60,
        billable: false,
      }),
      h.timeDouble!.addEntry({
        engagementId: engagement.id,
        role: 'consultant',
        workDate: '2026-11-07',
        durationMinutes: 60,
        approvalStatus: 'submitted',
      }),
      h.timeDouble!.addEntry({ engagementId: engagement.id, role: 'consultant', workDate: '2026-12-01', durationMinutes: 60 }),
    ];
    const expense = h.timeDouble!.addExpense({
      engagementId: engagement.id,
      incurredOn: '2026-11-04',
      amount: { amountMinor: 18_950, currency: 'EUR' },
      description: 'Train to Stuttgart',
    });

    const started = await call<Run>(
      'POST',
      '/runs',
      { ...write, ...idempotencyKey() },
      { periodStart: '2026-11-01', periodEnd: '2026-11-30', engagementId: engagement.id },
    );
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`${BASE}/runs/${started.body.id}`);
    expect(started.body).toMatchObject({ journey: 'time-to-billing', trigger: 'api', subject: engagement.id });
    const run = await finished(started.body.id);
    expect(run.status).toBe('succeeded');
    expect(run.steps.map((s) => [s.name, s.status])).toEqual([
      ['check-billing-hold', 'succeeded'],
      ['allocate-entries', 'succeeded'],
      ['post-invoice', 'succeeded'],
      ['mark-billed', 'succeeded'],
    ]);

    const invoices = (await h.erp.listInvoices({ engagementId: engagement.id, limit: 200 })).items;
    expect(invoices).toHaveLength(1);
    const invoice = invoices[0] as Invoice;
    expect(invoice).toMatchObject({ status: 'posted', currency: 'EUR', periodStart: '2026-11-01', periodEnd: '2026-11-30' });
    const time = invoice.lines.filter((l) => l.kind === 'time');
    // 450 min is 7.50 h; 95 min is recorded as 1.58 h: the line bills 9.08 h, exactly.
    expect(time.map((l) => [l.role, l.hours, l.quantity, l.unitPrice.amountMinor, l.sources.map((s) => s.id).sort()])).toEqual([
      ['consultant', '9.08', 545, 16_000, [billable[0]!.id, billable[1]!.id].sort()],
      ['senior-consultant', '8.00', 480, 21_000, [billable[2]!.id]],
    ]);
    for (const line of time)
      expect(line.netAmount.amountMinor, 'hours × rate').toBe(
        multiplyHundredthsByRate(hoursToHundredths(line.hours!), line.unitPrice.amountMinor),
      );
    expect(time[0]!.netAmount.amountMinor, '9.08 h × 160.00').toBe(145_280);
    const expenseLine = invoice.lines.find((l) => l.kind === 'expense')!;
    expect(expenseLine.sources).toEqual([{ kind: 'expense', id: expense.id }]);
    expect(expenseLine.netAmount.amountMinor).toBe(18_950);
    expect(invoice.lines.every((l) => l.taxRateBasisPoints === 1_900)).toBe(true);
    const net = invoice.lines.reduce((s, l) => s + l.netAmount.amountMinor, 0);
    const tax = invoice.lines.reduce((s, l) => s + l.taxAmount.amountMinor, 0);
    expect(invoice.netTotal.amountMinor).toBe(net);
    expect(invoice.total.amountMinor).toBe(net + tax);
    expect(tax, 'the German entity rounds VAT once on the net').toBe(taxOnNetMinor(net, 1_900));
    expect(invoice.taxTotal.amountMinor).toBe(tax);

    for (const e of billable) {
      const now = h.timeDouble!.entries.get(e.id)!;
      const line = invoice.lines.find((l) => l.sources.some((s) => s.id === e.id))!;
      expect(now).toMatchObject({ billingStatus: 'billed', invoiceId: invoice.id, invoiceLineId: line.id });
    }
    for (const e of notBilled) expect(h.timeDouble!.entries.get(e.id)!.billingStatus).toBe('unbilled');
    expect(h.timeDouble!.expenses.get(expense.id)!.billingStatus).toBe('billed');
    expect(await h.metrics.metrics(), 'approval to posted invoice, observed once for the engagement run').toContain(
      'layer_journey_sync_latency_seconds_count{journey="time-to-billing"} 1',
    );
    expect((await readPostingBacklog(h.store.db)).byCurrency, 'nothing left to post').toEqual([]);

    // The same period again is the same run, and nothing new in ERP.
    const again = await call<Run>(
      'POST',
      '/runs',
      { ...write, ...idempotencyKey() },
      { periodStart: '2026-11-01', periodEnd: '2026-11-30', engagementId: engagement.id },
    );
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(run.id);
    expect((await h.erp.listInvoices({ engagementId: engagement.id, limit: 200 })).items).toHaveLength(1);

    // Entry approved late for November goes on December's invoice with December's own work.
    const late = h.timeDouble!.addEntry({ engagementId: engagement.id, role: 'analyst', workDate: '2026-11-20', durationMinutes: 120 });
    const december = await call<Run>(
      'POST',
      '/runs',
      { ...write, ...idempotencyKey() },
      { periodStart: '2026-12-01', periodEnd: '2026-12-31', engagementId: engagement.id },
    );
    expect((await finished(december.body.id)).status).toBe('succeeded');
    const all = (await h.erp.listInvoices({ engagementId: engagement.id, limit: 200 })).items;
    expect(all).toHaveLength(2);
    const dec = all.find((i) => i.periodStart === '2026-12-01')!;
    expect(dec.lines.flatMap((l) => l.sources.map((s) => s.id)).sort()).toEqual([late.id, notBilled[2]!.id].sort());

    const listed = await call<{ items: Run[]; nextCursor: string | null }>(
      'GET',
      `/runs?subject=${engagement.id}&status=succeeded&limit=1`,
      read,
    );
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((r) => r.id)).toEqual([december.body.id]);
    const next = await call<{ items: Run[] }>(
      'GET',
      `/runs?subject=${engagement.id}&status=succeeded&limit=1&cursor=${listed.body.nextCursor}`,
      read,
    );
    expect(next.body.items.map((r) => r.id)).toEqual([run.id]);
  });

  it('keeps a held engagement waiting and reports it, then bills it once the hold is released', async () => {
    const { engagement } = await createBillableProject(h.erp, 'GB', 'Harrowgate Foods Ltd', { billingHold: true });
    h.timeDouble!.addEntry({ engagementId: engagement.id, role: 'manager', workDate: '2026-11-10', durationMinutes: 240 });
    const started = await call<Run>(
      'POST',
      '/runs',
      { ...write, ...idempotencyKey() },
      { periodStart: '2026-11-01', periodEnd: '2026-11-30', engagementId: engagement.id },
    );
    const waiting = await finished(started.body.id, ['waiting']);
    expect(waiting.steps[0]).toMatchObject({ name: 'check-billing-hold', status: 'pending' });
    const holds = await call<{ items: Array<Record<string, unknown>> }>('GET', `/billing-holds?engagementId=${engagement.id}`, read);
    expect(holds.status).toBe(200);
    expect(holds.body.items).toEqual([
      expect.objectContaining({
        engagementId: engagement.id,
        waitingMinutes: 240,
        waitingEntries: 1,
        waitingAmount: { amountMinor: 96_000, currency: 'GBP' },
      }),
    ]);
    const unbilled = await call<{ items: Array<Record<string, unknown>> }>('GET', `/unbilled-work?engagementId=${engagement.id}`, read);
    expect(unbilled.body.items).toEqual([
      {
        engagementId: engagement.id,
        approvedMinutes: 240,
        approvedHours: '4.00',
        entryCount: 1,
        expenseCount: 0,
        amount: { amountMinor: 96_000, currency: 'GBP' },
        oldestWorkDate: '2026-11-10',
      },
    ]);
    expect((await h.erp.listInvoices({ engagementId: engagement.id, limit: 200 })).items).toHaveLength(0);

    await h.erp.updateProject(engagement.id, { billingHold: false });
    expect((await finished(started.body.id)).status).toBe('succeeded');
    const invoices = (await h.erp.listInvoices({ engagementId: engagement.id, limit: 200 })).items;
    expect(invoices).toHaveLength(1);
    expect(invoices[0]!.taxTotal.amountMinor).toBe(19_200);
    expect((await call<{ items: unknown[] }>('GET', `/billing-holds?engagementId=${engagement.id}`, read)).body.items).toEqual([]);
  });

  it('starts a run once from a period-closed event, however often it is delivered', async () => {
    const { engagement } = await createBillableProject(h.erp, 'US', 'Prairie Mills Inc.');
    h.timeDouble!.addEntry({ engagementId: engagement.id, role: 'partner', workDate: '2026-10-14', durationMinutes: 60 });
    const deliver = () =>
      fetch(`${h.gateway.url}${BASE}/events`, {
        method: 'POST',
        headers: { ...write, 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify({
          specversion: '1.0',
          id: `close-${engagement.id}`,
          source: '/erp/periods',
          type: 'com.psconnect.billing.period-closed',
          time: new Date().toISOString(),
          data: { periodStart: '2026-10-01', periodEnd: '2026-10-31', engagementId: engagement.id },
        }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { duplicate: boolean } }));
    expect(await deliver()).toEqual({ status: 202, body: expect.objectContaining({ duplicate: false }) });
    expect((await deliver()).body.duplicate).toBe(true);
    const runs = await until(
      async () => (await call<{ items: Run[] }>('GET', `/runs?subject=${engagement.id}`, read)).body.items,
      (items) => items.length === 1 && items[0]!.status === 'succeeded',
      'the event-started run',
    );
    expect(runs[0]!.trigger).toBe('event');
    expect((await h.erp.listInvoices({ engagementId: engagement.id, limit: 10 })).items.map((i) => i.total.amountMinor)).toEqual([45_000]);
  });

  it('answers bad input with problem details and needs its scopes', async () => {
    const backwards = await call<{ status: number; type: string }>(
      'POST',
      '/runs',
      { ...write, ...idempotencyKey() },
      { periodStart: '2026-11-30', periodEnd: '2026-11-01' },
    );
    expect(backwards.status).toBe(400);
    expect(backwards.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await call('POST', '/runs', write, { periodStart: '2026-11-01', periodEnd: '2026-11-30' })).status).toBe(400);
    expect(
      (await call('POST', '/runs', { ...write, ...idempotencyKey() }, { periodStart: 'November', periodEnd: '2026-11-30' })).status,
    ).toBe(400);
    expect(
      (await call('POST', '/runs', { ...read, ...idempotencyKey() }, { periodStart: '2026-11-01', periodEnd: '2026-11-30' })).status,
    ).toBe(403);
    expect((await call('GET', '/runs/01a216af-078e-76ef-9e2d-c93ad8083861', read)).status).toBe(404);
    expect((await call('GET', '/runs?cursor=bm9wZQ', read)).status).toBe(400);
  });
});
