// Time-to-billing's reconciliation checks on each store engine, against the Harvest-shaped time
// sandbox and the NetSuite-shaped ERP sandbox: a billed period reports nothing; mismatches made
// behind the layer's back (an invoice edited and one put on hold in NetSuite, approval withdrawn,
// hours changed and time approved late in Harvest, a failed run) are each found with their records
// and money to the minor unit; the safe repair bills the late time once, counted on the platforms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multiplyHundredthsByRate } from '../../core/money.js';
import { ProblemError } from '../../core/problems.js';
import { findNative, newId } from '../../core/xref/index.js';
import { recomputeInvoice, setApproval } from '../../sandboxes/erp/ledger.js';
import type { Finding, ReconciliationCheck } from '../../process-apis/kit/reconciliation.js';
import { timeToBillingChecks } from '../../process-apis/time-to-billing/index.js';
import { testEngines } from '../support/stores.js';
import { billingRules } from './support/billing-deps.js';
import { createBillableProject, startBillingHarness, type BillableProject, type BillingHarness } from './support/billing-harness.js';
import { harvestWeek, netsuite, setHarvestHours } from './support/billing-platforms.js';
import { until } from './support/http.js';
import { SandboxTimeWork, type SandboxEntry } from './support/time-work.js';

const NOVEMBER = { periodStart: '2026-11-01', periodEnd: '2026-11-30' };
const ACTOR = { consumer: 'reconciliation-test' };

const rateOf = (project: BillableProject, role: string) => project.rateCard.rates.find((r) => r.role === role)!.hourlyRate.amountMinor;

describe.each(testEngines().map((e) => [e.name, e] as const))('time-to-billing reconciliation on %s', (_name, engine) => {
  let h: BillingHarness;
  let checks: ReconciliationCheck[];
  let de: BillableProject;
  let gb: BillableProject;
  const entries: Record<string, SandboxEntry> = {};
  let work: SandboxTimeWork;

  async function bill(engagementId: string, period = NOVEMBER): Promise<string> {
    const { run } = await h.billing.startRun({ ...period, engagementId }, 'api');
    const done = await until(
      () => h.billing.getRun(run.id),
      (r) => ['succeeded', 'failed'].includes(r.status),
      'billing run',
    );
    return done.status;
  }

  async function findings(): Promise<{ found: Finding[]; compared: number }> {
    let compared = 0;
    const ctx = { now: new Date(), compared: (n: number) => void (compared += n), signal: new AbortController().signal };
    const found: Finding[] = [];
    for (const check of checks) found.push(...(await check.run(ctx)));
    return { found, compared };
  }

  const checkNamed = (name: string) => checks.find((c) => c.name === name)!;
  const ofType = (found: Finding[], type: string) => found.filter((f) => f.type === type);
  const invoiceOf = async (engagementId: string) => (await h.erp.listInvoices({ engagementId, limit: 10 })).items;

  beforeAll(async () => {
    h = await startBillingHarness(engine, { time: 'sandbox' });
    checks = timeToBillingChecks({ store: h.store, erp: h.erp, time: h.timeApi!, rules: billingRules() }, h.billing, { postingGraceMs: 0 });
    work = new SandboxTimeWork(h.timeSandbox!, h.store, h.urls.time!);
    de = await createBillableProject(h.erp, 'DE', 'Abgleich Optik GmbH', { taxId: 'DE811223355' });
    gb = await createBillableProject(h.erp, 'GB', 'Reconcile Harbour Ltd');
    const deRow = await work.linkProject(de.engagement.id, 'Abgleich Optik');
    const gbRow = await work.linkProject(gb.engagement.id, 'Reconcile Harbour');
    entries.deMonday = work.addEntry({ projectRow: deRow, role: 'consultant', workDate: '2026-11-02', minutes: 430, hours: 7.17 });
    entries.deTuesday = work.addEntry({ projectRow: deRow, role: 'consultant', workDate: '2026-11-03', minutes: 395, hours: 6.58 });
    entries.deAnalyst = work.addEntry({ projectRow: deRow, role: 'analyst', workDate: '2026-11-10', minutes: 200, hours: 3.33 });
    entries.gbWednesday = work.addEntry({ projectRow: gbRow, role: 'consultant', workDate: '2026-11-04', minutes: 315, hours: 5.25 });
    // Logged by another person, whose week is approved only after November is billed.
    entries.deLate = work.addEntry({
      projectRow: deRow,
      role: 'consultant',
      workDate: '2026-11-17',
      minutes: 150,
      hours: 2.5,
      approved: false,
    });
    await work.approveWeeks();
    expect(await bill(de.engagement.id)).toBe('succeeded');
    expect(await bill(gb.engagement.id)).toBe('succeeded');
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await engine.cleanup();
  });

  it('reports nothing on a billed period the platforms agree with', { timeout: 60_000 }, async () => {
    const { found, compared } = await findings();
    expect(found, JSON.stringify(found, null, 1)).toEqual([]);
    expect(compared, 'the entries and invoices were compared').toBeGreaterThanOrEqual(5);
  });

  it('finds each mismatch made behind the layer’s back, with records and money to the minor unit', { timeout: 120_000 }, async () => {
    const time = h.urls.time!;
    const ns = await netsuite(h.urls.erp);
    // Harvest: the analyst's week loses its approval; Monday's hours are corrected from 7.17 to 7.50
    // and that week approved again; the late week is approved after November was billed.
    await harvestWeek(time, entries.deAnalyst!.userId, '2026-11-10', 'withdraw-approval');
    await harvestWeek(time, entries.deMonday!.userId, '2026-11-02', 'withdraw-approval');
    await setHarvestHours(time, entries.deMonday!.nativeId, 7.5);
    await harvestWeek(time, entries.deMonday!.userId, '2026-11-02', 'submit', 'approve');
    await harvestWeek(time, entries.deLate!.userId, '2026-11-17', 'submit', 'approve');
    // NetSuite: the GB invoice's rate raised by 10.00 by hand; the DE invoice put on hold.
    const [gbInvoice] = await invoiceOf(gb.engagement.id);
    const [deInvoice] = await invoiceOf(de.engagement.id);
    const gbNative = (await findNative(h.store.db, gbInvoice!.id, 'erp'))!;
    const deNative = (await findNative(h.store.db, deInvoice!.id, 'erp'))!;
    const record = await ns.invoice(gbNative);
    const edited = record.item.items.map(({ amount: _a, tax1Amt: _t, ...line }) => ({ ...line, rate: line.rate + 10 }));
    await ns.patchInvoice(gbNative, { item: { items: edited } });
    await ns.patchInvoice(deNative, { custbody_billing_hold: true, custbody_hold_reason: 'Client disputes the rate' });
    // A run that fails: billing an engagement ERP does not know.
    expect(await bill(newId())).toBe('failed');

    const { found } = await findings();
    expect(new Set(found.map((f) => f.type))).toEqual(
      new Set([
        'billed-time-unapproved',
        'billed-hours-differ',
        'approved-time-not-billed',
        'invoice-amount-differs',
        'invoice-on-hold',
        'billing-run-failed',
      ]),
    );
    const [unapproved] = ofType(found, 'billed-time-unapproved');
    expect(unapproved!.records[0], "Harvest's own id; Harvest has no page per entry").toMatchObject({
      platform: 'time',
      entity: 'time-entry',
      id: String(entries.deAnalyst!.nativeId),
      url: null,
    });
    // ERP here is reached on the sandbox's own base and told no account: its pages open there.
    expect(unapproved!.records[1], "ERP's internal id and the invoice's page").toMatchObject({
      platform: 'erp',
      entity: 'invoice',
      id: deNative,
      url: `${new URL(h.urls.erp).origin}/app/accounting/transactions/custinvc.nl?id=${deNative}`,
    });
    expect(unapproved!.moneyAtRisk).toEqual({ amountMinor: multiplyHundredthsByRate(333, rateOf(de, 'analyst')), currency: 'EUR' });
    expect(unapproved!.repair).toMatchObject({ safe: false, action: 'by-hand' });

    const differ = ofType(found, 'billed-hours-differ');
    expect(differ.map((f) => f.records[0]!.id)).toEqual([String(entries.deMonday!.nativeId)]);
    // 7.50 h − 7.17 h at 160.00 an hour: 52.80, under-billed.
    expect(differ[0]!.moneyAtRisk).toEqual({ amountMinor: 5_280, currency: 'EUR' });

    const late = ofType(found, 'approved-time-not-billed');
    expect(late.map((f) => f.records[0]!.id)).toEqual([String(entries.deLate!.nativeId)]);
    expect(late[0]!.moneyAtRisk).toEqual({ amountMinor: multiplyHundredthsByRate(250, rateOf(de, 'consultant')), currency: 'EUR' });
    expect(late[0]!.repair).toMatchObject({ safe: true, action: 'bill-time' });

    const amount = ofType(found, 'invoice-amount-differs');
    const gbNow = await h.erp.getInvoice(gbInvoice!.id);
    // 5.25 h × 10.00 more = 52.50 net, and 20% VAT on it: 63.00 more in all.
    expect(gbNow.total.amountMinor - gbInvoice!.total.amountMinor).toBe(6_300);
    expect(amount[0]!.moneyAtRisk).toEqual({ amountMinor: 6_300, currency: 'GBP' });
    expect(amount[0]!.records[0]).toMatchObject({ platform: 'erp', entity: 'invoice', id: gbNative });
    expect(amount[0]!.detail).toMatch(/total [\d.]+ GBP in the layer, [\d.]+ GBP in ERP/);

    const held = ofType(found, 'invoice-on-hold');
    expect(held.map((f) => f.records[0]!.id)).toEqual([deNative]);
    expect(held[0]!.moneyAtRisk).toEqual({ amountMinor: deInvoice!.total.amountMinor, currency: 'EUR' });
    expect(held[0]!.detail).toMatch(/Client disputes the rate/);

    const failed = ofType(found, 'billing-run-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.run).toMatchObject({ state: 'failed' });

    // A finding only a person can settle is refused as a repair, saying what to do.
    await expect(checkNamed('approved-time-billed').repair({ ...unapproved!, exceptionId: 'x' }, ACTOR)).rejects.toBeInstanceOf(
      ProblemError,
    );
  });

  it('bills the late time once through the journey, counted on both platforms', { timeout: 120_000 }, async () => {
    const check = checkNamed('approved-time-billed');
    const [late] = ofType(
      await check.run({ now: new Date(), compared: () => {}, signal: new AbortController().signal }),
      'approved-time-not-billed',
    );
    const first = await check.repair({ ...late!, exceptionId: 'late-1' }, ACTOR);
    const again = await check.repair({ ...late!, exceptionId: 'late-1' }, ACTOR);
    expect(again.runId, 'asked twice, one run').toBe(first.runId);
    await until(
      () => h.billing.getRun(first.runId!),
      (r) => r.status === 'succeeded',
      'repair run',
    );

    // ERP: a second November invoice bills the late entry, and no line anywhere bills it twice.
    const ns = await netsuite(h.urls.erp);
    const customer = (await findNative(h.store.db, de.client.id, 'erp'))!;
    const invoices = await ns.suiteql<{ id: string }>(`SELECT id FROM transaction WHERE type = 'CustInvc' AND entity = '${customer}'`);
    expect(invoices).toHaveLength(2);
    let billings = 0;
    for (const { id } of invoices)
      for (const line of (await ns.invoice(id)).item.items)
        billings += (JSON.parse(line.custcol_source_refs ?? '[]') as Array<{ id: string }>).filter(
          (s) => s.id === late!.records[0]!.canonicalId,
        ).length;
    expect(billings, 'one ERP line bills the late entry').toBe(1);
    // Time: the entry reads billed on that invoice.
    const billed = await h.time.listTimeEntries({ engagementId: de.engagement.id, billingStatus: 'billed', limit: 200 });
    expect(billed.items.map((e) => e.id)).toContain(late!.records[0]!.canonicalId);

    const { found } = await findings();
    expect(ofType(found, 'approved-time-not-billed'), 'repaired: gone on the next pass').toEqual([]);
  });

  it('releases a held invoice on an operator’s word', { timeout: 60_000 }, async () => {
    const check = checkNamed('invoices-blocked');
    const ctx = { now: new Date(), compared: () => {}, signal: new AbortController().signal };
    const [held] = ofType(await check.run(ctx), 'invoice-on-hold');
    expect(held!.repair.safe).toBe(false);
    await check.repair({ ...held!, exceptionId: 'held-1' }, ACTOR);
    const ns = await netsuite(h.urls.erp);
    expect((await ns.invoice(held!.records[0]!.id)).custbody_billing_hold, 'NetSuite shows it released').toBe(false);
    expect(ofType(await check.run(ctx), 'invoice-on-hold')).toEqual([]);
  });

  it('finds an invoice gone from ERP and one left unposted, and posts the unposted one', { timeout: 120_000 }, async () => {
    const time = h.urls.time!;
    const ns = await netsuite(h.urls.erp);
    const gone = await createBillableProject(h.erp, 'GB', 'Vanished Ledger Ltd');
    const pending = await createBillableProject(h.erp, 'DE', 'Wartend Bau GmbH', { taxId: 'DE811223366' });
    for (const [project, name] of [
      [gone, 'Vanished Ledger'],
      [pending, 'Wartend Bau'],
    ] as const) {
      const row = await work.linkProject(project.engagement.id, name);
      const entry = work.addEntry({ projectRow: row, role: 'consultant', workDate: '2026-11-24', minutes: 240, hours: 4, user: 2 });
      await harvestWeek(time, entry.userId, '2026-11-24', 'submit', 'approve');
    }
    expect(await bill(gone.engagement.id)).toBe('succeeded');
    expect(await bill(pending.engagement.id)).toBe('succeeded');
    const [goneInvoice] = await invoiceOf(gone.engagement.id);
    const [pendingInvoice] = await invoiceOf(pending.engagement.id);
    const goneNative = (await findNative(h.store.db, goneInvoice!.id, 'erp'))!;
    const pendingNative = (await findNative(h.store.db, pendingInvoice!.id, 'erp'))!;
    // A person deletes one invoice in NetSuite. The other is held pending approval, as NetSuite's
    // approval routing would hold it (the sandbox does not model routing: its record is set so).
    await ns.deleteInvoice(goneNative);
    const record = h.erpSandbox.ctx.state().records.invoice.get(pendingNative)!;
    setApproval(record, '1');
    recomputeInvoice(h.erpSandbox.ctx.state(), record);

    const { found } = await findings();
    const missing = ofType(found, 'invoice-missing-in-erp');
    expect(missing.map((f) => f.records[0]!.id)).toEqual([goneNative]);
    expect(missing[0]!.moneyAtRisk).toEqual({ amountMinor: goneInvoice!.total.amountMinor, currency: 'GBP' });
    const unposted = ofType(found, 'invoice-not-posted');
    expect(unposted.map((f) => f.records[0]!.id)).toEqual([pendingNative]);
    expect(unposted[0]!.moneyAtRisk).toEqual({ amountMinor: pendingInvoice!.total.amountMinor, currency: 'EUR' });
    expect(unposted[0]!.repair).toMatchObject({ safe: true, action: 'post-invoice' });

    const check = checkNamed('invoices-blocked');
    await check.repair({ ...unposted[0]!, exceptionId: 'unposted-1' }, ACTOR);
    await check.repair({ ...unposted[0]!, exceptionId: 'unposted-1' }, ACTOR);
    const [row] = await ns.suiteql<{ approvalstatus: string; status: string }>(
      `SELECT approvalstatus, status FROM transaction WHERE id = '${pendingNative}'`,
    );
    expect(row, 'NetSuite shows it approved and open').toMatchObject({ approvalstatus: '2', status: 'A' });
    const again = await findings();
    expect(ofType(again.found, 'invoice-not-posted')).toEqual([]);
    expect(ofType(again.found, 'invoice-missing-in-erp')).toHaveLength(1);
  });
});
